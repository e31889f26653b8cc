#!/usr/bin/env python3
"""socialgate's benchmark harness (`make bench`): measures, prints one table, writes it.

    python3 bench/run.py                        # every part; writes docs/benchmarks.md
    python3 bench/run.py --only ingest          # one part (ingest, e2e, e2e-webhooks, kannel,
                                                #   media, pg-ingest, pg-e2e, callbacks,
                                                #   templates, numbers, million), or several:
                                                #   e2e,media
    python3 bench/run.py --duration 3 --e2e-messages 10000     # a quick check

Parts (see docs/benchmarks.md for what each figure means):
  ingest  the seed's example request, Basic auth, ack = "stored" (each message committed with
          fsync before the answer): wrk requests/s, p50, p99; the same load on a gateway just
          started (its connections opening at once, nothing warmed up); the same load against
          bench/beast_ceiling (the HTTP ceiling of our Beast stack) and the ratio of the two.
  e2e     N messages (100,000) over the twenty meta numbers of bench/gateway.toml, delivered to
          tools/fake-graph answering after 0, 20 and 200 ms: delivered messages/s, and the
          highest per-number rate in any 1-second window (never above the configured limit);
          then 30,000 messages to one number at 200 ms: the rate that number sustains (Meta's
          top tier is 1,000/s).
  e2e-webhooks
          the e2e run at 0 ms with fake-graph posting signed status webhooks (sent, delivered,
          read) to the gateway's [webhooks.meta] while the load runs: webhooks answered and
          statuses applied per second, over the delivered rate (target: at least 3), the
          drain, the messages not read, the gateway's CPU per message (bench/webhooks_part.py).
  callbacks
          the e2e-webhooks run with the domain's callbacks to a receiver answering 200 at once:
          callbacks delivered per second and per message, the drain, retries and failures, the
          gateway's CPU per message (bench/callbacks_part.py).
  templates
          the ingest load from a number with a synchronised template catalog, the check strict
          and off: requests/s, p99, CPU per request and their difference; the check timed in a
          loop by bench/template_check_bench (bench/templates_part.py).
  numbers the phone number check timed in a loop by bench/number_check_bench: a number not
          seen before, the same numbers through libphonenumber, one number seen again
          (bench/numbers_part.py).
  kannel  Kannel 1.4.5 (Debian's package; make bench installs it) under the ingest load on its
          sendsms interface, delivering through an HTTP SMSC to a fixed-answer upstream:
          requests/s, delivered msg/s, CPU per message of bearerbox + smsbox; socialgate's
          ingest, end-to-end and CPU figures of the same run as ratios to them
          (bench/kannel_part.py).
  media   the seed request with a ~5 MB PNG image header: request-body MB/s and peak RSS.
  pg-ingest
          the ingest load against gateways on PostgreSQL (a throwaway cluster started by
          bench/pg_cluster.py): one gateway, then two on one database with the load split
          between them; one gateway's requests/s over SQLite's (target: at least half).
  pg-e2e  the e2e run at 0 ms on PostgreSQL: one gateway, then two on one database.
  million --million-messages (1,000,000) stored through the API and delivered (20 meta numbers,
          fake-graph at 0 ms): the time to store and to deliver them, the database's size per
          message, the gateway's RSS; the list's filtered pages and the status query's p50/p99
          at that size and at 10,000 (bench/million_part.py).
  memory  (from the runs above) the gateway's RSS idle, and its peak during ingest and e2e.

Every process runs on 127.0.0.1 on a free port; a fresh gateway and database (under
build/bench-run/, or in the PostgreSQL cluster started for the pg-* parts) serve each run.
Every wait is bounded, and the children started here (and the cluster) are stopped on exit,
whatever the outcome. Only the Python standard library is used.

A run with every part and the default settings writes docs/benchmarks.md; any other run writes
build/bench-run/benchmarks.md (or --out) so a quick check never overwrites the published figures.
Targets are reported, never asserted; the exit status is 1 only when a measurement failed
(a non-2xx answer or socket error under load, a process that did not start, a run that did
not finish).
"""

from __future__ import annotations

import argparse
import base64
import calendar
import ctypes
import datetime
import fcntl
import functools
import glob
import json
import os
import random
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import textwrap
import tomllib
import urllib.error
import urllib.request
import zlib

sys.dont_write_bytecode = True  # no bench/__pycache__/ in the working tree for the import below
import pg_cluster  # noqa: E402 (bench/pg_cluster.py, beside this file)
import webhooks_part  # noqa: E402 (bench/webhooks_part.py: the e2e-webhooks part)
import kannel_part  # noqa: E402 (bench/kannel_part.py: the kannel part)
import callbacks_part  # noqa: E402 (bench/callbacks_part.py: the callbacks part)
import templates_part  # noqa: E402 (bench/templates_part.py: the templates part)
import numbers_part  # noqa: E402 (bench/numbers_part.py: the numbers part)
import million_part  # noqa: E402 (bench/million_part.py: the million part)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
BUILD = os.path.join(ROOT, "build", "release")
GATEWAY = os.path.join(BUILD, "src", "socialgate")
FAKE_GRAPH = os.path.join(BUILD, "tools", "fake-graph", "fake-graph")
CEILING = os.path.join(BUILD, "bench", "beast_ceiling")
TEMPLATE = os.path.join(BENCH, "gateway.toml")
RUN_DIR = os.path.join(ROOT, "build", "bench-run")
DOCS = os.path.join(ROOT, "docs", "benchmarks.md")
# scripts/test-postgres's state directory for the pg-* parts: beside RUN_DIR (which each run
# clears), so a cluster a killed run left behind is stopped by the next one.
PG_STATE = RUN_DIR + "-postgres"

PARTS = ("ingest", "e2e", "e2e-webhooks", "kannel", "media", "pg-ingest", "pg-e2e", "callbacks",
         "templates", "numbers", "million")
PG_PARTS = ("pg-ingest", "pg-e2e")
PG_INSTANCES = (1, 2)
# How long two gateways on one database get to divide the business numbers between them
# (number_leases; renewals every third of dispatch.number_lease_ms, plus the hand-over).
PG_SPLIT_TIMEOUT_S = 40

# The base URL and token file of the meta numbers in bench/gateway.toml, replaced in the
# per-run copy for the end-to-end runs.
TEMPLATE_BASE_URL = 'base_url = "http://127.0.0.1:8090"'
TEMPLATE_TOKEN_FILE = 'access_token_file = "bench/fake-graph.token"'

SEND_PATH = "/livechat/default/sendExternalTemplateMessageToCtlivesocial"
SEED_CUSTOMER = "393403603062"
SEED_NUMBER = "3902124122690"

START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 30
HTTP_TIMEOUT_S = 30
RSS_SAMPLE_S = 0.05

DEFAULTS = {
    "duration": 10,
    "threads": 2,
    "connections": 64,
    "e2e_messages": 100_000,
    "e2e_latencies": "0,20,200",
    "e2e_timeout": 120,
    "e2e_single_messages": 30_000,
    "media_connections": 8,
    "media_bytes": 5_000_000,
    "million_messages": million_part.DEFAULT_MESSAGES,
}

# The targets: reported next to the figures, never asserted.
TARGET_INGEST_RPS = 30_000
TARGET_INGEST_P99_MS = 10.0
TARGET_CEILING_RATIO = 0.30
TARGET_E2E = {0: 10_000, 20: 5_000}
TARGET_HELD_RATE = 1_000  # one number at 200 ms
TARGET_MEDIA_MBPS = 150.0
TARGET_MEDIA_RSS_FACTOR = 4.0
TARGET_IDLE_RSS_MB = 30.0
TARGET_INGEST_RSS_MB = 150.0
TARGET_PG_INGEST_RATIO = 0.50  # ingest on PostgreSQL, one gateway / on SQLite, same machine


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchError(Exception):
    """A measurement that could not be made (as opposed to a target not met)."""


# --------------------------------------------------------------------------------------------
# Child processes


try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # looked up once, before any fork
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if the harness dies, even by SIGKILL (Linux).

    Children are only started while no other thread of the harness runs (RssSampler starts
    after the load generator), as preexec_fn requires."""
    if _PRCTL is not None:
        _PRCTL(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


class Child:
    """A process started by the harness; its output goes to files in the run directory."""

    live: list["Child"] = []

    def __init__(self, name: str, argv: list[str], run_dir: str, env: dict | None = None):
        """`env`: variables added to the harness's environment for this process only."""
        self.name = name
        self.argv = argv
        self.stdout_path = os.path.join(run_dir, name + ".stdout")
        self.stderr_path = os.path.join(run_dir, name + ".log")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=ROOT,
                env={**os.environ, **env} if env else None, preexec_fn=_die_with_parent,
            )
        Child.live.append(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def stdout(self) -> str:
        with open(self.stdout_path, "r", errors="replace") as f:
            return f.read()

    def stderr_tail(self, lines: int = 5) -> str:
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                return "".join(f.readlines()[-lines:]).strip()
        except OSError:
            return ""

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        """The first stdout match of `pattern`, waiting at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern, re.M)
        while time.monotonic() < deadline:
            m = regex.search(self.stdout())
            if m:
                return m
            if not self.running():
                raise BenchError(
                    f"{self.name} exited with status {self.proc.returncode} before it was "
                    f"ready: {self.stderr_tail() or '(no output)'}"
                )
            time.sleep(0.05)
        raise BenchError(f"{self.name} was not ready within {timeout:.0f} s")

    def send(self, sig: int) -> None:
        if self.running():
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float) -> bool:
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self, timeout: float = STOP_TIMEOUT_S, sig: int = signal.SIGTERM) -> None:
        """Asks the process to stop, then kills it if it has not within `timeout`."""
        if self.running():
            self.send(sig)
            if not self.wait(timeout):
                log(f"  {self.name} did not stop within {timeout:.0f} s: killing it")
                self.proc.kill()
                self.wait(5)
        if self in Child.live:
            Child.live.remove(self)

    @classmethod
    def stop_all(cls) -> None:
        for child in reversed(list(cls.live)):
            child.stop(timeout=10)


# --------------------------------------------------------------------------------------------
# Memory


def read_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, ... of /proc/<pid>/status, in kB."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Vm"):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return out


def kb_to_mb(kb: int) -> float:
    return kb * 1024 / 1e6  # /proc's "kB" are KiB; MB here are 10^6 bytes, as in MB/s


def rss_mb(pid: int) -> float:
    return kb_to_mb(read_status(pid).get("VmRSS", 0))


def reset_peak_rss(pid: int) -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0), so it then gives the peak of what follows."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class RssSampler:
    """Samples VmRSS every RSS_SAMPLE_S while running; with reset_peak_rss, VmHWM is exact."""

    def __init__(self, pid: int):
        self.pid = pid
        self.hwm_reset = reset_peak_rss(pid)
        self.max_kb = read_status(pid).get("VmRSS", 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(RSS_SAMPLE_S):
            self.max_kb = max(self.max_kb, read_status(self.pid).get("VmRSS", 0))

    def stop(self) -> float:
        """The peak RSS in MB since the sampler started."""
        self._stop.set()
        self._thread.join(timeout=5)
        status = read_status(self.pid)
        peak = self.max_kb
        if self.hwm_reset and "VmHWM" in status:
            peak = max(peak, status["VmHWM"])
        return kb_to_mb(peak)


# --------------------------------------------------------------------------------------------
# HTTP


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = HTTP_TIMEOUT_S) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def http_json(method: str, url: str, payload=None, timeout: float = HTTP_TIMEOUT_S):
    body = None if payload is None else json.dumps(payload).encode()
    status, data = http(method, url, body, {"Content-Type": "application/json"}, timeout)
    if status != 200:
        raise BenchError(f"{method} {url}: HTTP {status}: {data[:300]!r}")
    return json.loads(data)


# --------------------------------------------------------------------------------------------
# wrk

UNITS_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def to_ms(value: str, unit: str) -> float:
    return float(value) * UNITS_S[unit] * 1000.0


def parse_wrk(text: str) -> dict:
    out = {"rps": 0.0, "requests": 0, "seconds": 0.0, "p50_ms": None, "p99_ms": None,
           "non2xx": 0, "socket_errors": 0, "socket_detail": ""}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h),", text)
    if m:
        out["requests"] = int(m.group(1))
        out["seconds"] = float(m.group(2)) * UNITS_S[m.group(3)]
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        if m:
            out[key] = round(to_ms(m.group(1), m.group(2)), 3)
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        counts = [int(x) for x in m.groups()]
        out["socket_errors"] = sum(counts)
        out["socket_detail"] = m.group(0)
    return out


def wrk_argv(args, script: str, url: str, auth: str, duration: float, connections: int,
             timeout_s: int, script_args: list[str], threads: int | None = None) -> list[str]:
    threads = threads or args.threads
    return ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(round(duration))}s",
            f"--timeout", f"{timeout_s}s", "--latency", "-s", script,
            "-H", f"Authorization: {auth}", url, "--"] + script_args


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime 14 and stime 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pids: list[int]) -> dict[str, float]:
    """User + system CPU time of each thread of the processes so far, summed by thread name
    (sg-io-0, sg-commit, ...), in seconds; a process that has exited counts for nothing."""
    out: dict[str, float] = {}
    for path in (p for pid in pids for p in glob.glob(f"/proc/{pid}/task/*/stat")):
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue  # a thread that ended meanwhile
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) \
            / os.sysconf("SC_CLK_TCK")
    return out


def thread_cpu_per_message(before: dict[str, float], after: dict[str, float],
                           messages: int) -> dict[str, float]:
    """The CPU each thread name spent between two thread_cpu_seconds, in us per message, the
    busiest first (names below 1 us left out)."""
    if messages <= 0:
        return {}
    spent = {k: (v - before.get(k, 0.0)) * 1e6 / messages for k, v in after.items()}
    return {k: round(v, 1) for k, v in sorted(spent.items(), key=lambda kv: -kv[1]) if v >= 1}


def run_wrk(args, name: str, run_dir: str, argv: list[str], duration: float,
            sample_pid: int | None = None) -> dict:
    """Runs wrk to its end; with sample_pid, "peak_rss_mb" is that process's peak meanwhile and
    "cpu_us_per_request" the CPU it spent per request wrk completed."""
    [result], usage = run_wrks(run_dir, [(name, argv)], duration,
                               [sample_pid] if sample_pid else [])
    result.update(usage_per_request(usage, result["requests"]))
    return result


def split_load(total: int, parts: int) -> list[int]:
    """`total` in `parts` shares as even as can be, the larger first: 64, 2 -> [32, 32]."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def wrk_threads(args, instances: int) -> int:
    """wrk threads of each of `instances` wrk processes sharing a load (one per gateway)."""
    return args.threads if instances == 1 else max(1, args.threads // instances)


def run_wrks(run_dir: str, loads: list[tuple[str, list[str]]], duration: float,
             sample_pids: list[int]) -> tuple[list[dict], dict]:
    """Runs the wrk processes of `loads` ((name, argv) each) at once, each to its end: their
    parsed outputs, and what the processes of sample_pids used meanwhile: "peak_rss_mb" the
    highest peak of one of them, "cpu_s" their CPU time together (None if one exited)."""
    children = []
    samplers = []
    try:
        cpu_before = total_cpu_seconds(sample_pids)
        for name, argv in loads:
            log(f"  $ {shlex.join(argv)}")
            children.append(Child(name, argv, run_dir))
        # After the last child is started (see _die_with_parent).
        samplers = [RssSampler(pid) for pid in sample_pids]
        deadline = time.monotonic() + duration + 30
        finished = all(c.wait(max(0.0, deadline - time.monotonic())) for c in children)
        peaks = [s.stop() for s in samplers]
        if not finished:
            raise BenchError(f"{children[0].name} did not finish within {duration + 30:.0f} s")
        results = []
        for child in children:
            text = child.stdout()
            if child.proc.returncode != 0 or "Requests/sec" not in text:
                raise BenchError(f"{child.name} failed (status {child.proc.returncode}): "
                                 f"{child.stderr_tail() or text[-300:]}")
            results.append(parse_wrk(text))
        cpu_after = total_cpu_seconds(sample_pids)
    finally:
        for sampler in samplers:
            sampler.stop()
        for child in children:
            child.stop(timeout=5, sig=signal.SIGINT)  # only waits for one still running
    cpu = None if not sample_pids or cpu_before is None or cpu_after is None \
        else cpu_after - cpu_before
    return results, {"peak_rss_mb": max(peaks) if peaks else None, "cpu_s": cpu}


def total_cpu_seconds(pids: list[int]) -> float | None:
    """The CPU time of the processes of `pids` together; None if one of them has exited."""
    try:
        return sum(cpu_seconds(pid) for pid in pids)
    except OSError:
        return None


def usage_per_request(usage: dict, requests: int) -> dict:
    """run_wrks's usage as a result's "peak_rss_mb" and "cpu_us_per_request" (when known)."""
    out = {}
    if usage["peak_rss_mb"] is not None:
        out["peak_rss_mb"] = usage["peak_rss_mb"]
    if usage["cpu_s"] is not None and requests > 0:
        out["cpu_us_per_request"] = round(usage["cpu_s"] * 1e6 / requests, 1)
    return out


def combine_wrk(results: list[dict]) -> dict:
    """The outputs of wrk processes that ran at once as one: requests/s and counts summed, the
    worse p50 and p99."""
    if len(results) == 1:
        return dict(results[0])

    def worst(key):
        values = [r[key] for r in results if r[key] is not None]
        return max(values) if values else None

    return {"rps": sum(r["rps"] for r in results), "requests": sum(r["requests"] for r in results),
            "seconds": max(r["seconds"] for r in results),
            "p50_ms": worst("p50_ms"), "p99_ms": worst("p99_ms"),
            "non2xx": sum(r["non2xx"] for r in results),
            "socket_errors": sum(r["socket_errors"] for r in results),
            "socket_detail": "; ".join(r["socket_detail"] for r in results if r["socket_errors"]),
            "per_process_rps": [r["rps"] for r in results]}


# --------------------------------------------------------------------------------------------
# The gateway, the fake Graph API and the ceiling


def load_template() -> dict:
    with open(TEMPLATE, "rb") as f:
        return tomllib.load(f)


def set_template(path: str) -> None:
    global TEMPLATE
    TEMPLATE = os.path.abspath(path)


def set_gateway(path: str) -> None:
    global GATEWAY
    GATEWAY = os.path.abspath(path)


def set_fake_graph(path: str) -> None:
    global FAKE_GRAPH
    FAKE_GRAPH = os.path.abspath(path)


def basic_auth(config: dict) -> str:
    ex = config["example"]
    token = base64.b64encode(f"{ex['user']}:{ex['password']}".encode()).decode()
    return "Basic " + token


def meta_numbers(config: dict) -> list[dict]:
    return [n for d in config["domains"] for n in d.get("numbers", [])
            if n.get("provider") == "meta"]


def gateway_db(run_dir: str, name: str) -> str:
    """The SQLite file of the gateway `name` started without a --storage URL."""
    return os.path.join(run_dir, name + ".db")


def start_gateway(args, name: str, run_dir: str, config_path: str,
                  storage: str | None = None, listen: str = "127.0.0.1:0") -> tuple[Child, str]:
    """A gateway on `storage` (a --storage URL; default: a new SQLite file in run_dir)."""
    storage = storage or "sqlite://" + gateway_db(run_dir, name)
    argv = [GATEWAY, "--log-level", args.log_level, "serve", "--config", config_path,
            "--listen", listen, "--storage", storage]
    child = Child(name, argv, run_dir)
    try:
        m = child.wait_for_line(r"^socialgate: listening on (http://127\.0\.0\.1:\d+)$",
                                START_TIMEOUT_S)
        base = m.group(1)
        status, _ = http("GET", base + "/healthz", timeout=5)
        if status != 200:
            raise BenchError(f"{name}: GET /healthz answered {status}")
    except BaseException:
        child.stop(timeout=10)
        raise
    return child, base


def start_gateways(args, name: str, run_dir: str, config_path: str, storage: str | None,
                   instances: int, listen: str = "127.0.0.1:0") -> list[tuple[Child, str]]:
    """`instances` gateways on one storage, one after the other (each applies the schema
    migrations under a lock when it starts): name, or name-1, name-2... ."""
    if instances > 1 and not (storage or "").startswith("postgres"):
        raise BenchError("several gateways share a PostgreSQL database only")
    if instances > 1 and listen != "127.0.0.1:0":
        raise BenchError("several gateways cannot listen on one port")
    gateways = []
    try:
        for i in range(instances):
            suffix = f"-{i + 1}" if instances > 1 else ""
            gateways.append(start_gateway(args, name + suffix, run_dir, config_path, storage,
                                          listen))
    except BaseException:
        stop_gateways(gateways)
        raise
    return gateways


def stop_gateways(gateways: list[tuple[Child, str]]) -> None:
    for child, _ in gateways:
        child.stop()


def check_running(gateways: list[tuple[Child, str]], what: str) -> None:
    for child, _ in gateways:
        if not child.running():
            raise BenchError(f"{child.name} exited during {what}: {child.stderr_tail()}")


def start_fake_graph(args, name: str, run_dir: str, token: str, extra: list[str] | None = None,
                     env: dict | None = None) -> tuple[Child, str]:
    argv = [FAKE_GRAPH, "--listen", "127.0.0.1:0", "--token", token, "--threads", "2",
            "--max-records", str(max(200_000, 2 * args.e2e_messages))] + (extra or [])
    child = Child(name, argv, run_dir, env)
    m = child.wait_for_line(r"^fake-graph: listening on (http://127\.0\.0\.1:\d+)$",
                            START_TIMEOUT_S)
    return child, m.group(1)


def start_ceiling(run_dir: str, name: str = "beast_ceiling",
                  extra: list[str] | None = None) -> tuple[Child, str]:
    """bench/beast_ceiling on a free port (`extra`: more flags, e.g. the Kannel part's
    --answer); the process and its base URL."""
    child = Child(name, [CEILING, "--port", "0", "--threads", "2"] + (extra or []), run_dir)
    m = child.wait_for_line(r"^beast_ceiling: listening on (http://127\.0\.0\.1:\d+)$",
                            START_TIMEOUT_S)
    return child, m.group(1)


def seed_body(header=None, header_data=("Griffin",), customer=SEED_CUSTOMER,
              number=SEED_NUMBER) -> bytes:
    # The seed's example request, with the fields in the seed's order.
    body = {"customerPhoneNumber": customer, "servicePhoneNumber": number,
            "templateName": "shipping_confirmation", "language": "en_GB", "header": header,
            "headerData": list(header_data), "bodyData": ["5"],
            "dynamicUrl": ["contact-highway/"]}
    return json.dumps(body, separators=(",", ":")).encode()


def send_one(base: str, auth: str, body: bytes, what: str) -> None:
    """One request before the load: it must be accepted (202), or the run would measure errors."""
    status, data = http("POST", base + SEND_PATH, body,
                        {"Content-Type": "application/json", "Authorization": auth})
    if status != 202:
        raise BenchError(f"{what}: the gateway answered {status}, not 202: {data[:300]!r}")


def make_png(total_bytes: int) -> bytes:
    """A PNG of exactly total_bytes: signature, IHDR, one IDAT of random bytes, IEND.

    libmagic reads the signature and IHDR (image/png); the IDAT is not valid deflate data, which
    nothing on the gateway's path decodes. Random bytes keep any compression from helping."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    signature = b"\x89PNG\r\n\x1a\n"
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 1600, 1200, 8, 2, 0, 0, 0))
    iend = chunk(b"IEND", b"")
    payload = total_bytes - len(signature) - len(ihdr) - len(iend) - 12
    if payload < 1:
        raise BenchError(f"--media-bytes {total_bytes} is too small for a PNG")
    idat = chunk(b"IDAT", random.Random(20240601).randbytes(payload))
    return signature + ihdr + idat + iend


def remove_db(run_dir: str, name: str, keep: bool) -> None:
    if keep:
        return
    for path in glob.glob(os.path.join(run_dir, name + ".db*")):
        os.remove(path)


# --------------------------------------------------------------------------------------------
# The parts


def run_ingest(args, run_dir: str, config: dict, results: dict) -> None:
    log("== ingest: the seed request, ack = stored, durable")
    auth = basic_auth(config)
    body_path = write_seed_body(run_dir)
    script = os.path.join(BENCH, "post.lua")

    def warm_up(gateway: Child, base: str) -> None:
        time.sleep(1.0)
        results.setdefault("idle_rss_mb", rss_mb(gateway.pid))
        log(f"  gateway {base}, idle RSS {results['idle_rss_mb']:.1f} MB")
        send_one(base, auth, seed_body(), "ingest")

    gw = ingest_load(args, run_dir, "ingest", auth, script, body_path, warm_up)
    results["ingest"] = gw
    log(f"  gateway: {gw['rps']:.0f} req/s, p50 {gw['p50_ms']} ms, p99 {gw['p99_ms']} ms, "
        f"non-2xx {gw['non2xx']}, socket errors {gw['socket_errors']}, "
        f"peak RSS {gw['peak_rss_mb']:.1f} MB, CPU {gw.get('cpu_us_per_request')} us/request")
    run_ingest_cold(args, run_dir, auth, script, body_path, results)

    ceiling, cbase = start_ceiling(run_dir)
    try:
        argv = wrk_argv(args, script, cbase + SEND_PATH, auth, args.duration, args.connections,
                        5, [body_path])
        ce = run_wrk(args, "wrk-ceiling", run_dir, argv, args.duration)
    finally:
        ceiling.stop()
    results["ceiling"] = ce
    log(f"  beast_ceiling: {ce['rps']:.0f} req/s, p50 {ce['p50_ms']} ms, p99 {ce['p99_ms']} ms")


def run_ingest_cold(args, run_dir: str, auth: str, script: str, body_path: str,
                    results: dict) -> None:
    """The same load on a gateway that has just started: wrk's connections all open at once,
    the moment /healthz answers, each one's first request a credential check (argon2id) and
    nothing warmed up before (issue 21: p99 at most 10 ms in the first 10 s)."""
    cold = ingest_load(args, run_dir, "ingest-cold", auth, script, body_path)
    results["ingest_cold"] = cold
    log(f"  gateway, from its start: {cold['rps']:.0f} req/s, p50 {cold['p50_ms']} ms, "
        f"p99 {cold['p99_ms']} ms, non-2xx {cold['non2xx']}")


def ingest_load(args, run_dir: str, name: str, auth: str, script: str, body_path: str,
                warm_up=None) -> dict:
    """The ingest load (wrk, the seed request) on a fresh gateway ("gateway-" + name), after
    `warm_up(gateway, base)` when given; wrk's result. The gateway is stopped and its database
    removed after."""
    gateway, base = start_gateway(args, "gateway-" + name, run_dir, TEMPLATE)
    try:
        if warm_up:
            warm_up(gateway, base)
        argv = wrk_argv(args, script, base + SEND_PATH, auth, args.duration, args.connections,
                        5, [body_path])
        result = run_wrk(args, "wrk-" + name, run_dir, argv, args.duration,
                         sample_pid=gateway.pid)
        if not gateway.running():
            raise BenchError(f"the gateway exited during the {name} run: "
                             + gateway.stderr_tail())
    finally:
        gateway.stop()
        remove_db(run_dir, "gateway-" + name, args.keep_db)
    return result


def write_seed_body(run_dir: str) -> str:
    """The seed request's body in a file for bench/post.lua; its path."""
    path = os.path.join(run_dir, "seed.json")
    with open(path, "wb") as f:
        f.write(seed_body())
    return path


def run_pg_ingest(cluster: pg_cluster.PgCluster, args, run_dir: str, config: dict,
                  results: dict) -> None:
    cluster_settings(cluster, results)
    results["pg_ingest"] = []
    for instances in PG_INSTANCES:
        log(f"== ingest on PostgreSQL, {gateways_label(instances)} on one database: the seed "
            f"request, ack = stored, durable")
        try:
            url = cluster.create_database(f"bench_ingest_{instances}x")
            r = pg_ingest_one(cluster, args, run_dir, config, url, instances)
        except (BenchError, pg_cluster.PgError) as e:
            log(f"  FAILED: {e}")
            r = {"instances": instances, "error": str(e)}
        results["pg_ingest"].append(r)


def cluster_settings(cluster: pg_cluster.PgCluster, results: dict) -> None:
    """Starts the cluster if no part has yet; its settings into results["postgres"]."""
    if "postgres" not in results:
        log(f"== PostgreSQL: starting a throwaway cluster (scripts/test-postgres start "
            f"{os.path.relpath(cluster.state_dir, ROOT)})")
        admin = cluster.ensure_started()
        results["postgres"] = cluster.settings()
        log(f"  {admin} in {cluster.directory()}: PostgreSQL "
            f"{results['postgres'].get('server_version')}, "
            f"fsync {results['postgres'].get('fsync')}, "
            f"synchronous_commit {results['postgres'].get('synchronous_commit')}")


def pg_ingest_one(cluster: pg_cluster.PgCluster, args, run_dir: str, config: dict, url: str,
                  instances: int) -> dict:
    """The ingest load against `instances` gateways on the database `url`, split evenly: one wrk
    per gateway, all at once."""
    name = f"pg-ingest-{instances}x"
    auth = basic_auth(config)
    body_path = write_seed_body(run_dir)
    gateways = start_gateways(args, "gateway-" + name, run_dir, TEMPLATE, url, instances)
    try:
        time.sleep(1.0)
        idle = max(rss_mb(child.pid) for child, _ in gateways)
        log(f"  {'gateway' if instances == 1 else 'gateways'} "
            f"{' '.join(base for _, base in gateways)}, idle RSS {idle:.1f} MB")
        split = wait_numbers_split(url, instances, name) if instances > 1 else {}
        for _, base in gateways:
            send_one(base, auth, seed_body(), name)
        threads = wrk_threads(args, instances)
        loads = [(f"wrk-{name}-{i + 1}",
                  wrk_argv(args, os.path.join(BENCH, "post.lua"), base + SEND_PATH, auth,
                           args.duration, connections, 5, [body_path], threads=threads))
                 for i, ((_, base), connections)
                 in enumerate(zip(gateways, split_load(args.connections, instances)))]
        pg_cpu_before = cluster.cpu_seconds()
        parts, usage = run_wrks(run_dir, loads, args.duration, [c.pid for c, _ in gateways])
        pg_cpu = cluster.cpu_seconds() - pg_cpu_before
        check_running(gateways, "the ingest run")
    finally:
        stop_gateways(gateways)
    r = combine_wrk(parts)
    r.update(usage_per_request(usage, r["requests"]))
    r.update(instances=instances, idle_rss_mb=idle, **split)
    if r["requests"] > 0:
        r["pg_cpu_us_per_request"] = round(pg_cpu * 1e6 / r["requests"], 1)
    rates = f"{r['rps']:.0f} req/s"
    if instances > 1:
        rates += " (" + " + ".join(f"{x:.0f}" for x in r["per_process_rps"]) + ", one per wrk)"
    worse = " (the worse wrk's)" if instances > 1 else ""
    log(f"  {gateways_label(instances)}: {rates}, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"
        f"{worse}, non-2xx {r['non2xx']}, socket errors {r['socket_errors']}, peak RSS "
        f"{r.get('peak_rss_mb', 0):.1f} MB, CPU {r.get('cpu_us_per_request')} us/request in the "
        f"gateway(s), {r.get('pg_cpu_us_per_request')} in PostgreSQL")
    return r


def parse_time_ms(text: str, cache: dict) -> int:
    # "2026-11-25T12:20:04.381Z"
    seconds = cache.get(text[:19])
    if seconds is None:
        seconds = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
        cache[text[:19]] = seconds
    return seconds * 1000 + int(text[20:23])


def fetch_send_records(fake: str, expected: int) -> list[tuple[str, int, int, bool, int]]:
    """(phone_number_id, handled ms, answer ms, accepted, arrival us) of every recorded send,
    oldest first. Arrival is the kernel's receive time (the sender's timing); handled is when
    fake-graph's handler ran, later by however long its threads waited for a core."""
    out = []
    since = 0
    page = 20_000
    cache: dict = {}
    for _ in range(expected // page + 20):  # bounded: a few pages more than needed
        data = http_json("GET", f"{fake}/_fake/requests?path=messages&since={since}&limit={page}",
                         timeout=60)
        records = data["requests"]
        for r in records:
            at = parse_time_ms(r["time"], cache)
            outcome = r.get("outcome", {})
            # A connection's first request can beat the kernel's time stamps being enabled.
            arrived = int(r.get("received_unix_micros", 0)) or at * 1000
            out.append((r.get("phone_number_id", ""), at, at + int(outcome.get("delay_ms", 0)),
                        bool(outcome.get("accepted")), arrived))
            since = max(since, r["seq"])
        if len(records) < page:
            break
    return out


def max_window(times: list[int], window: int = 1000) -> int:
    """The most events in any half-open window [t, t + window), in the times' unit."""
    times = sorted(times)
    best = 0
    lo = 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


E2E_COUNTS = re.compile(r"e2e: sent (\d+) accepted (\d+) refused (\d+)")


def e2e_config_file(run_dir: str, name: str, fake_url: str, meta_count: int,
                    extra: str = "") -> str:
    """The per-run copy of the template whose meta numbers point at `fake_url`, with `extra`
    (TOML tables) at its end; its path."""
    with open(TEMPLATE) as f:
        text = f.read()
    if (text.count(TEMPLATE_BASE_URL) != meta_count
            or text.count(TEMPLATE_TOKEN_FILE) != meta_count):
        raise BenchError(f"{TEMPLATE}: every meta number must have\n  {TEMPLATE_BASE_URL}\n"
                         f"  {TEMPLATE_TOKEN_FILE}\n(run.py replaces them for each run)")
    text = text.replace(TEMPLATE_BASE_URL, f'base_url = "{fake_url}"')
    text = text.replace(TEMPLATE_TOKEN_FILE, 'access_token_file = "'
                        + os.path.join(BENCH, "fake-graph.token") + '"')
    text += extra
    config_path = os.path.join(run_dir, name + ".toml")
    with open(config_path, "w") as f:
        f.write(text)
    return config_path


def wait_numbers_split(storage: str, instances: int, name: str) -> dict:
    """With several gateways on one database: waits (bounded) until they have divided the
    business numbers between them, so the run measures them sending side by side rather than
    the first one holding every number until its next renewal."""
    started = time.monotonic()
    split, held = pg_cluster.wait_numbers_split(storage, instances, PG_SPLIT_TIMEOUT_S)
    seconds = time.monotonic() - started
    counts = sorted(held.values(), reverse=True)
    if split:
        log(f"  the gateways hold {' + '.join(map(str, counts))} numbers (after {seconds:.1f} s)")
    else:
        log(f"  WARNING: {name}: the numbers were not divided between the gateways within "
            f"{PG_SPLIT_TIMEOUT_S} s (held: {counts or 'none'}); measuring anyway")
    return {"numbers_split": split, "numbers_held": counts, "split_wait_s": round(seconds, 1)}


def warm_up(gateways: list[tuple[Child, str]], fake_url: str, auth: str, numbers: list[dict],
            name: str) -> None:
    """One message through each gateway and the whole path first: the credentials get verified
    (argon2id) and cached, the provider's connections opened, and a broken setup fails here.
    Then fake-graph forgets them."""
    for i, (_, base) in enumerate(gateways):
        number = numbers[i * len(numbers) // len(gateways)]["phone"]
        send_one(base, auth, seed_body(customer=f"3934036{99999 - i:05d}", number=number), name)
    deadline = time.monotonic() + 15
    while http_json("GET", fake_url + "/_fake/stats")["messages_accepted"] < len(gateways):
        if time.monotonic() > deadline:
            raise BenchError(f"{name}: the first messages did not reach fake-graph in 15 s: "
                             + gateways[0][0].stderr_tail())
        time.sleep(0.1)
    http_json("DELETE", fake_url + "/_fake/requests")


class E2eLoad:
    """One wrk process of an end-to-end run (bench/e2e.lua): `messages` messages, from message
    number `offset` on, round-robin over `numbers`, to one gateway."""

    def __init__(self, args, run_dir: str, name: str, base: str, auth: str, numbers: list[str],
                 messages: int, offset: int, threads: int, connections: int):
        self.threads = threads
        self.done_dir = os.path.join(run_dir, name + "-done")
        os.makedirs(self.done_dir, exist_ok=True)
        argv = wrk_argv(args, os.path.join(BENCH, "e2e.lua"), base + SEND_PATH, auth,
                        args.e2e_timeout, connections, 10,
                        [str(messages), str(threads), ",".join(numbers), self.done_dir,
                         str(offset)], threads=threads)
        log(f"  $ {shlex.join(argv)}")
        self.wrk = Child("wrk-" + name, argv, run_dir)
        self.submitted_at: float | None = None  # when its last thread had its last answer
        self.accepted: int | None = None        # once wrk has exited

    def poll(self) -> None:
        """Interrupts wrk once each of its threads has had every answer (it would otherwise
        wait out its -d duration); reads its count once it has exited."""
        if self.wrk.running():
            markers = glob.glob(os.path.join(self.done_dir, "e2e-done-*"))
            if len(markers) >= self.threads:
                self.submitted_at = max(os.path.getmtime(p) for p in markers)
                self.wrk.send(signal.SIGINT)
                self.wrk.wait(10)
        if not self.wrk.running() and self.accepted is None:
            m = E2E_COUNTS.search(self.wrk.stdout())
            self.accepted = int(m.group(2)) if m else 0

    def finish(self) -> dict:
        """Stops wrk if it still runs; its output parsed, with "sent", "accepted", "refused"."""
        self.wrk.stop(timeout=10, sig=signal.SIGINT)
        text = self.wrk.stdout()
        out = parse_wrk(text)
        m = E2E_COUNTS.search(text)
        sent, accepted, refused = (int(x) for x in m.groups()) if m else \
            (0, self.accepted or 0, 0)
        out.update(sent=sent, accepted=accepted, refused=refused)
        return out


def start_e2e_loads(args, run_dir: str, name: str, gateways: list[tuple[Child, str]], auth: str,
                    numbers: list[str], messages: int) -> list[E2eLoad]:
    """The messages, connections and threads split evenly between the gateways, one wrk each;
    the messages numbered on across them, so no (number, customer) pair repeats."""
    instances = len(gateways)
    loads = []
    offset = 0
    for i, ((_, base), share, connections) in enumerate(zip(
            gateways, split_load(messages, instances), split_load(args.connections, instances))):
        suffix = f"-{i + 1}" if instances > 1 else ""
        loads.append(E2eLoad(args, run_dir, name + suffix, base, auth, numbers, share, offset,
                             wrk_threads(args, instances), connections))
        offset += share
    return loads


def wait_delivered(args, name: str, loads: list[E2eLoad], gateways: list[tuple[Child, str]],
                   fake_url: str) -> int:
    """Waits (at most --e2e-timeout) until every wrk is done and fake-graph has accepted as
    many sends as the gateways accepted messages; the count fake-graph accepted."""
    deadline = time.monotonic() + args.e2e_timeout
    delivered = 0
    while time.monotonic() < deadline:
        for load in loads:
            load.poll()
        delivered = http_json("GET", fake_url + "/_fake/stats", timeout=10)["messages_accepted"]
        if all(load.accepted is not None for load in loads) \
                and delivered >= sum(load.accepted for load in loads):
            break
        check_running(gateways, name)
        time.sleep(0.2)
    return delivered


def run_e2e_one(args, run_dir: str, config: dict, latency_ms: int, single: bool = False,
                storage: str | None = None, instances: int = 1,
                webhooks: webhooks_part.StatusWebhooks | None = None) -> dict:
    """One end-to-end run over every meta number, or (single) all messages to the first one,
    through `instances` gateways on `storage` (a --storage URL; default a new SQLite file).
    With `webhooks` (one gateway on SQLite), fake-graph also posts status webhooks to it."""
    messages = args.e2e_single_messages if single else args.e2e_messages
    name = f"e2e-{'single-' if single else ''}{latency_ms}ms"
    if storage is not None:
        name = f"pg-{name}-{instances}x"
    if webhooks is not None:
        name = webhooks.name
        if single or storage is not None or instances != 1:
            raise BenchError("status webhooks: one gateway on SQLite, every number")
    numbers = meta_numbers(config)
    if not numbers:
        raise BenchError("bench/gateway.toml has no provider = \"meta\" numbers")
    log(f"== end to end{' on PostgreSQL' if storage else ''}: {messages} messages to "
        f"{'one number' if single else 'every number'}, fake-graph answering after "
        f"{latency_ms} ms" + (f", {gateways_label(instances)} on one database" if storage else "")
        + (f", {webhooks.describe()}" if webhooks else ""))
    all_numbers = numbers
    if single:
        numbers = numbers[:1]
    id_to_phone = {n["meta"]["phone_number_id"]: n["phone"] for n in numbers}
    limits = {n["phone"]: float(n.get("messages_per_second", 80)) for n in numbers}
    auth = basic_auth(config)
    with open(os.path.join(ROOT, numbers[0]["meta"]["access_token_file"])) as f:
        token = f.readline().strip()

    cpu_drained = None  # with webhooks: once the last status was applied
    fake, fake_url = start_fake_graph(
        args, "fake-graph-" + name, run_dir, token,
        webhooks.fake_graph_argv() if webhooks else None,
        webhooks.fake_graph_env() if webhooks else None)
    gateways = []
    samplers = []
    loads = []
    split = {}
    try:
        config_path = e2e_config_file(run_dir, name, fake_url, len(all_numbers),
                                      webhooks.config_text() if webhooks else "")
        gateways = start_gateways(args, "gateway-" + name, run_dir, config_path, storage,
                                  instances, webhooks.listen if webhooks else "127.0.0.1:0")
        time.sleep(1.0)
        idle = max(rss_mb(child.pid) for child, _ in gateways)
        log(f"  {'gateway' if instances == 1 else 'gateways'} "
            f"{' '.join(base for _, base in gateways)}, fake-graph {fake_url}, "
            f"idle RSS {idle:.1f} MB")
        if instances > 1:
            split = wait_numbers_split(storage, instances, name)
        warm_up(gateways, fake_url, auth, numbers, name)
        if latency_ms > 0:
            http_json("POST", fake_url + "/_fake/faults",
                      {"rules": [{"path": "messages", "action": "slow",
                                  "delay_ms": latency_ms}]})

        if webhooks:
            webhooks.before_load(fake_url, gateway_db(run_dir, gateways[0][0].name))
        pids = [child.pid for child, _ in gateways]
        cpu_before, threads_before = total_cpu_seconds(pids), thread_cpu_seconds(pids)
        fake_cpu_before = total_cpu_seconds([fake.pid])
        fake_threads_before = thread_cpu_seconds([fake.pid])
        t0 = time.time()
        loads = start_e2e_loads(args, run_dir, name, gateways, auth,
                                [n["phone"] for n in numbers], messages)
        # After the last child is started (see _die_with_parent).
        samplers = [RssSampler(child.pid) for child, _ in gateways]
        if webhooks:
            webhooks.start_sampling(fake_url, t0)
        delivered = wait_delivered(args, name, loads, gateways, fake_url)
        elapsed = time.time() - t0  # with `delivered`, the figures of an unfinished run
        cpu_after, threads_after = total_cpu_seconds(pids), thread_cpu_seconds(pids)
        fake_cpu_after = total_cpu_seconds([fake.pid])
        fake_threads_after = thread_cpu_seconds([fake.pid])
        if webhooks:
            webhooks.at_load_end(fake_url, t0 + elapsed)
        counts = [load.finish() for load in loads]
        peak = max(s.stop() for s in samplers)
        submitted = [load.submitted_at for load in loads]
        submitted_at = max(submitted) if None not in submitted else None
        if webhooks:
            webhooks.drain(fake_url, lambda: check_running(gateways, name))
            cpu_drained = total_cpu_seconds(pids)
        # Stop the gateways before reading fake-graph's records, so they are complete.
        stop_gateways(gateways)
        if webhooks:
            webhooks.read_db()
        stats = http_json("GET", fake_url + "/_fake/stats", timeout=10)
        records = fetch_send_records(fake_url, stats["requests_total"])
    finally:
        for sampler in samplers:
            sampler.stop()
        if webhooks:
            webhooks.stop_sampling()
        for load in loads:
            load.wrk.stop(timeout=10, sig=signal.SIGINT)
        stop_gateways(gateways)
        for child, _ in gateways:
            remove_db(run_dir, child.name, args.keep_db)
        fake.stop()

    wrk = combine_wrk(counts)
    sent, accepted, refused = (sum(c[k] for c in counts) for k in ("sent", "accepted", "refused"))
    finished = accepted >= messages and delivered >= accepted
    per_number: dict[str, list[int]] = {}  # arrival times, us
    handled: dict[str, list[int]] = {}     # handler times, ms
    for number_id, at, _, _, arrived in records:
        per_number.setdefault(number_id, []).append(arrived)
        handled.setdefault(number_id, []).append(at)
    windows = {id_to_phone.get(k, k): max_window(v, 1_000_000) for k, v in per_number.items()}
    handled_windows = {id_to_phone.get(k, k): max_window(v) for k, v in handled.items()}
    sustained = {}
    for k, v in per_number.items():
        span = (max(v) - min(v)) / 1e6
        sustained[id_to_phone.get(k, k)] = (len(v) - 1) / span if span > 0 else 0.0
    if finished:
        # From the start of submission to the last answer fake-graph gave (arrival + delay).
        last = max(end for _, _, end, ok, _ in records if ok) / 1000.0
        seconds = max(last - t0, 1e-3)
    else:
        seconds = elapsed
    cpu = {}
    if delivered > 0 and None not in (cpu_before, cpu_after):
        # The gateways' CPU from the start of submission until every message was delivered
        # (seen within 0.2 s), over the messages delivered: submission and delivery together.
        cpu = {"cpu_us_per_message": round((cpu_after - cpu_before) * 1e6 / delivered, 1),
               "threads_us_per_message": thread_cpu_per_message(threads_before, threads_after,
                                                                delivered),
               "fake_threads_us_per_message": thread_cpu_per_message(
                   fake_threads_before, fake_threads_after, delivered)}
        if None not in (fake_cpu_before, fake_cpu_after):
            cpu["fake_cpu_us_per_message"] = round((fake_cpu_after - fake_cpu_before) * 1e6
                                                   / delivered, 1)
        if cpu_drained is not None:
            cpu["cpu_us_per_message_drained"] = round((cpu_drained - cpu_before) * 1e6
                                                      / delivered, 1)
    result = {
        "latency_ms": latency_ms, "messages": messages, "sent": sent,
        "accepted": accepted, "refused": refused, "delivered": delivered,
        "finished": finished, "seconds": seconds,
        "rate": delivered / seconds,
        # Submission went on until every message was answered, or the whole run when cut.
        "submit_rate": accepted / ((submitted_at or t0 + elapsed) - t0),
        "max_window": max(windows.values()) if windows else 0,
        "max_window_number": max(windows, key=windows.get) if windows else "",
        "max_sustained": max(sustained.values()) if sustained else 0.0,
        "limit": min(limits.values()),
        "limits": limits,
        "windows": windows,
        "handled_max_window": max(handled_windows.values()) if handled_windows else 0,
        "duplicates": stats.get("duplicate_sends", 0),
        "send_attempts": len(records),
        "non2xx": wrk["non2xx"], "socket_errors": wrk["socket_errors"],
        "socket_detail": wrk["socket_detail"],
        "idle_rss_mb": idle, "peak_rss_mb": peak,
        "instances": instances, **split, **cpu,
        "t0": t0, "load_end": last if finished else t0 + elapsed,
    }
    over = [p for p, w in windows.items() if w > limits.get(p, 1e18)]
    result["over_limit"] = over
    log(f"  {'finished' if finished else 'NOT finished'}: delivered {delivered} of "
        f"{messages} in {result['seconds']:.1f} s = {result['rate']:.0f} msg/s; "
        f"submitted at {result['submit_rate']:.0f} req/s; accepted {accepted}, refused "
        f"{refused}; highest per-number 1-s window {result['max_window']} as sent "
        f"({result['handled_max_window']} as handled by fake-graph; limit "
        f"{result['limit']:.0f}); busiest number sustained "
        f"{result['max_sustained']:.0f}/s; duplicates {result['duplicates']}; "
        f"peak RSS {peak:.1f} MB")
    if cpu:
        busiest = ", ".join(f"{k} {v:.0f}"
                            for k, v in list(cpu["threads_us_per_message"].items())[:8])
        fake_busiest = ", ".join(f"{k} {v:.0f}"
                                 for k, v in list(cpu["fake_threads_us_per_message"].items())[:4])
        log(f"  CPU per delivered message: gateway {cpu['cpu_us_per_message']:.0f} us "
            f"({busiest}); fake-graph {cpu.get('fake_cpu_us_per_message', 0):.0f} us "
            f"({fake_busiest})")
    if webhooks:
        result.update(webhooks.figures(result, [end for _, _, end, ok, _ in records if ok]))
    return result


def run_e2e(args, run_dir: str, config: dict, results: dict) -> None:
    results["e2e"] = []
    for latency in [int(x) for x in args.e2e_latencies.split(",") if x.strip()]:
        try:
            results["e2e"].append(run_e2e_one(args, run_dir, config, latency))
        except BenchError as e:
            log(f"  FAILED: {e}")
            results["e2e"].append({"latency_ms": latency, "error": str(e)})
    if args.e2e_single_messages > 0:
        try:
            results["e2e_single"] = run_e2e_one(args, run_dir, config, 200, single=True)
        except BenchError as e:
            log(f"  FAILED: {e}")
            results["e2e_single"] = {"latency_ms": 200, "error": str(e)}


def run_e2e_webhooks(args, run_dir: str, config: dict, results: dict) -> None:
    """The e2e run at 0 ms with fake-graph posting signed status webhooks (sent, delivered,
    read) to the gateway's [webhooks.meta] while the load runs (bench/webhooks_part.py)."""
    try:
        r = run_e2e_one(args, run_dir, config, 0,
                        webhooks=webhooks_part.StatusWebhooks(run_dir))
    except (BenchError, webhooks_part.WebhookBenchError) as e:
        log(f"  FAILED: {e}")
        r = {"latency_ms": 0, "error": str(e)}
    results["e2e_webhooks"] = r


def run_kannel(args, run_dir: str, config: dict, results: dict) -> None:
    """Kannel under the ingest load, the peer anchor (bench/kannel_part.py, which uses this
    module's helpers)."""
    kannel_part.run(sys.modules[__name__], args, run_dir, results)


def run_callbacks(args, run_dir: str, config: dict, results: dict) -> None:
    """The e2e-webhooks run with the domain's callbacks on (bench/callbacks_part.py)."""
    callbacks_part.run(sys.modules[__name__], args, run_dir, config, results)


def run_numbers(args, run_dir: str, config: dict, results: dict) -> None:
    """The phone number check's cost per number (bench/numbers_part.py)."""
    numbers_part.run(sys.modules[__name__], args, run_dir, config, results)


def run_templates(args, run_dir: str, config: dict, results: dict) -> None:
    """The template check's cost per send (bench/templates_part.py)."""
    templates_part.run(sys.modules[__name__], args, run_dir, config, results)


def run_million(args, run_dir: str, config: dict, results: dict) -> None:
    """Size and time to a million stored messages (bench/million_part.py, which uses this
    module's helpers)."""
    million_part.run(sys.modules[__name__], args, run_dir, results)


def run_pg_e2e(cluster: pg_cluster.PgCluster, args, run_dir: str, config: dict,
               results: dict) -> None:
    """The e2e run at 0 ms on PostgreSQL: one gateway, then two on one database."""
    cluster_settings(cluster, results)
    results["pg_e2e"] = []
    for instances in PG_INSTANCES:
        try:
            url = cluster.create_database(f"bench_e2e_{instances}x")
            r = run_e2e_one(args, run_dir, config, 0, storage=url, instances=instances)
        except (BenchError, pg_cluster.PgError) as e:
            log(f"  FAILED: {e}")
            r = {"latency_ms": 0, "instances": instances, "error": str(e)}
        results["pg_e2e"].append(r)


def run_media(args, run_dir: str, config: dict, results: dict) -> None:
    log(f"== media: the seed request with a {args.media_bytes / 1e6:.2f} MB PNG image header")
    auth = basic_auth(config)
    png = make_png(args.media_bytes)
    header = {"type": "image", "data": base64.b64encode(png).decode(), "documentType": "png",
              "fileName": "bench.png"}
    body = seed_body(header=header, header_data=())
    body_path = os.path.join(run_dir, "media.json")
    with open(body_path, "wb") as f:
        f.write(body)
    gateway, base = start_gateway(args, "gateway-media", run_dir, TEMPLATE)
    try:
        time.sleep(1.0)
        results.setdefault("idle_rss_mb", rss_mb(gateway.pid))
        send_one(base, auth, body, "media")
        argv = wrk_argv(args, os.path.join(BENCH, "post.lua"), base + SEND_PATH, auth,
                        args.duration, args.media_connections, 30, [body_path])
        r = run_wrk(args, "wrk-media", run_dir, argv, args.duration, sample_pid=gateway.pid)
        if not gateway.running():
            raise BenchError("the gateway exited during the media run: " + gateway.stderr_tail())
    finally:
        gateway.stop()
        remove_db(run_dir, "gateway-media", args.keep_db)
    r["image_bytes"] = len(png)
    r["body_bytes"] = len(body)
    r["connections"] = args.media_connections
    r["in_flight_mb"] = args.media_connections * len(body) / 1e6
    r["mbps"] = r["rps"] * len(body) / 1e6
    results["media"] = r
    log(f"  {r['rps']:.1f} req/s x {len(body) / 1e6:.2f} MB = {r['mbps']:.1f} MB/s, "
        f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, non-2xx {r['non2xx']}, peak RSS "
        f"{r['peak_rss_mb']:.1f} MB for {r['in_flight_mb']:.1f} MB in flight")


# --------------------------------------------------------------------------------------------
# The table


def args_duration_label(r: dict) -> str:
    """How long a wrk run lasted, as "10 s"."""
    return f"{r['seconds']:.0f} s"


def fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def fmt_ms(x) -> str:
    return "n/a" if x is None else (f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms")


def verdict(ok: bool) -> str:
    return "met" if ok else "not met"


def errors_of(r: dict) -> str:
    parts = []
    if r.get("non2xx"):
        parts.append(f"{r['non2xx']:,} non-2xx")
    if r.get("socket_errors"):
        parts.append(f"{r['socket_errors']:,} socket errors ({r['socket_detail']})")
    return ", ".join(parts)


def build_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, value, target, met) rows; met is "FAILED: ..." when the measurement failed."""
    rows = []

    def row(name, value, target="", met="", error=""):
        rows.append((name, value, target, f"FAILED: {error}" if error else met))

    if "ingest_error" in results:
        row("ingest (ack = stored, fsync)", "n/a", "", error=results["ingest_error"])
    if "ingest" in results:
        g, c = results["ingest"], results.get("ceiling")
        err = errors_of(g)
        row("ingest: requests/s (seed request, durable)", fmt_int(g["rps"]),
            f">= {fmt_int(TARGET_INGEST_RPS)}", verdict(g["rps"] >= TARGET_INGEST_RPS), err)
        row("ingest: p50 latency", fmt_ms(g["p50_ms"]), "", "", err)
        row("ingest: p99 latency", fmt_ms(g["p99_ms"]), f"<= {TARGET_INGEST_P99_MS:.0f} ms",
            verdict(g["p99_ms"] is not None and g["p99_ms"] <= TARGET_INGEST_P99_MS), err)
        cold = results.get("ingest_cold")
        if cold:
            cold_err = errors_of(cold)
            row(f"ingest, the first {args_duration_label(cold)} after start (all connections "
                f"opening at once): requests/s (p50 / p99)",
                f"{fmt_int(cold['rps'])} ({fmt_ms(cold['p50_ms'])} / {fmt_ms(cold['p99_ms'])})",
                f"p99 <= {TARGET_INGEST_P99_MS:.0f} ms",
                verdict(cold["p99_ms"] is not None and cold["p99_ms"] <= TARGET_INGEST_P99_MS),
                cold_err)
        if c:
            row("Beast ceiling: requests/s (p50 / p99)",
                f"{fmt_int(c['rps'])} ({fmt_ms(c['p50_ms'])} / {fmt_ms(c['p99_ms'])})", "", "",
                errors_of(c))
            ratio = g["rps"] / c["rps"] if c["rps"] else 0.0
            row("ingest / Beast ceiling", f"{ratio:.1%}", f">= {TARGET_CEILING_RATIO:.0%}",
                verdict(ratio >= TARGET_CEILING_RATIO), err)
    templates_part.rows(row, results, errors_of)
    numbers_part.rows(row, results)
    pg_ingest_rows(row, results)
    if "e2e_error" in results:
        row("end to end", "n/a", "", error=results["e2e_error"])
    for e in results.get("e2e", []):
        lat = e["latency_ms"]
        e2e_rows(row, f"end to end, upstream {lat} ms", e, TARGET_E2E.get(lat))
    single = results.get("e2e_single")
    if single is not None:
        label = "one number, upstream 200 ms"
        if "error" in single:
            row(label, "n/a", "", error=single["error"])
        else:
            held = single["max_sustained"]
            value = f"{fmt_int(held)} msg/s sustained ({single['delivered']:,} of " \
                    f"{single['messages']:,} in {single['seconds']:.1f} s)"
            row(f"{label}: sustained msg/s", value, f">= {fmt_int(TARGET_HELD_RATE)} (99%)",
                verdict(single["finished"] and held >= 0.99 * TARGET_HELD_RATE),
                errors_of(single))
            row(f"{label}: highest rate, any 1 s",
                f"{single['max_window']:,}/s ({single['handled_max_window']:,} as handled)",
                f"<= {fmt_int(single['limit'])}/s (the limit)",
                verdict(not single["over_limit"]))
    if "e2e-webhooks_error" in results:
        row("end to end with status webhooks", "n/a", "", error=results["e2e-webhooks_error"])
    webhooks_part.rows(row, results, e2e_rows)
    callbacks_part.rows(row, results, e2e_rows)
    kannel_part.rows(row, results, errors_of)
    million_part.rows(row, results, errors_of)
    if "pg-e2e_error" in results:
        row("end to end on PostgreSQL", "n/a", "", error=results["pg-e2e_error"])
    for e in results.get("pg_e2e", []):
        e2e_rows(row, f"end to end on PostgreSQL, {gateways_label(e['instances'])}, upstream "
                      f"{e['latency_ms']} ms", e, None)
    if "media_error" in results:
        row("media", "n/a", "", error=results["media_error"])
    if "media" in results:
        m = results["media"]
        err = errors_of(m)
        row(f"media {m['image_bytes'] / 1e6:.1f} MB image: request-body MB/s",
            f"{m['mbps']:.1f} MB/s ({m['rps']:.1f} req/s, p99 {fmt_ms(m['p99_ms'])})",
            f">= {TARGET_MEDIA_MBPS:.0f} MB/s", verdict(m["mbps"] >= TARGET_MEDIA_MBPS), err)
        factor = m["peak_rss_mb"] / m["in_flight_mb"]
        row(f"media: peak RSS / bytes in flight ({m['connections']} x "
            f"{m['body_bytes'] / 1e6:.2f} MB)",
            f"{m['peak_rss_mb']:.0f} MB / {m['in_flight_mb']:.1f} MB = {factor:.1f}x",
            f"<= {TARGET_MEDIA_RSS_FACTOR:.0f}x", verdict(factor <= TARGET_MEDIA_RSS_FACTOR), err)
    if "idle_rss_mb" in results:
        idle = results["idle_rss_mb"]
        row("memory: RSS idle", f"{idle:.1f} MB", f"<= {TARGET_IDLE_RSS_MB:.0f} MB",
            verdict(idle <= TARGET_IDLE_RSS_MB))
    if "ingest" in results:
        p = results["ingest"]["peak_rss_mb"]
        row("memory: peak RSS during ingest", f"{p:.1f} MB", f"<= {TARGET_INGEST_RSS_MB:.0f} MB",
            verdict(p <= TARGET_INGEST_RSS_MB))
    e2e_ok = [e for e in results.get("e2e", []) if "error" not in e]
    if single is not None and "error" not in single:
        e2e_ok.append(dict(single, latency_ms="one number, 200"))
    if e2e_ok:
        p = max(e["peak_rss_mb"] for e in e2e_ok)
        detail = ", ".join(f"{e['latency_ms']} ms: {e['peak_rss_mb']:.0f}" for e in e2e_ok)
        row("memory: peak RSS during end to end", f"{p:.1f} MB ({detail})")
    pg_ok = [(part, r) for part in ("ingest", "e2e") for r in results.get("pg_" + part, [])
             if "peak_rss_mb" in r]
    if pg_ok:
        p = max(r["peak_rss_mb"] for _, r in pg_ok)
        detail = ", ".join(f"{part} {r['instances']}x: {r['peak_rss_mb']:.0f}"
                           for part, r in pg_ok)
        row("memory: peak RSS of a gateway on PostgreSQL", f"{p:.1f} MB ({detail})")
    return rows


def gateways_label(instances: int) -> str:
    return "1 gateway" if instances == 1 else f"{instances} gateways"


def e2e_rows(row, label: str, e: dict, target: int | None, cpu_note: str = "") -> None:
    """The rows of one end-to-end run: delivered and submitted rates, the per-number check, the
    gateway's CPU per message (and `cpu_note` after it)."""
    if "error" in e:
        row(label, "n/a", "", error=e["error"])
        return
    err = errors_of(e)
    if e["refused"]:
        err = ", ".join(x for x in (err, f"{e['refused']:,} sends refused") if x)
    if e["duplicates"]:
        err = ", ".join(x for x in (err, f"{e['duplicates']:,} duplicate sends") if x)
    if e["finished"]:
        value = f"{fmt_int(e['rate'])} msg/s ({e['messages']:,} in {e['seconds']:.1f} s)"
    else:
        value = (f"not finished: {e['delivered']:,} of {e['messages']:,} in "
                 f"{e['seconds']:.0f} s ({fmt_int(e['rate'])} msg/s)")
    if e.get("instances", 1) > 1:
        held = " + ".join(map(str, e.get("numbers_held", []))) or "none"
        value += (f"; numbers held {held}" if e.get("numbers_split")
                  else f"; numbers NOT divided before the load (held {held})")
    if target is not None:
        row(f"{label}: delivered msg/s", value, f">= {fmt_int(target)}",
            verdict(e["finished"] and e["rate"] >= target), err)
    else:
        row(f"{label}: delivered msg/s", value, "", "", err)
    row(f"{label}: submitted req/s (while delivering)", fmt_int(e["submit_rate"]))
    row(f"{label}: highest per-number rate, any 1 s",
        f"{e['max_window']:,}/s ({e['handled_max_window']:,} as handled)",
        f"<= {fmt_int(e['limit'])}/s (the limit)",
        verdict(not e["over_limit"]), err if not e["finished"] else "")
    if "cpu_us_per_message" in e:
        gateways = "gateway's" if e.get("instances", 1) == 1 else "gateways'"
        row(f"{label}: the {gateways} CPU per delivered message",
            f"{e['cpu_us_per_message']:,.0f} us{cpu_note}")


def pg_ingest_rows(row, results: dict) -> None:
    """Ingest on PostgreSQL with one and two gateways, and one gateway's rate over SQLite's."""
    if "pg-ingest_error" in results:
        row("ingest on PostgreSQL", "n/a", "", error=results["pg-ingest_error"])
    sqlite = results.get("ingest")
    for r in results.get("pg_ingest", []):
        n = r["instances"]
        label = f"ingest on PostgreSQL, {gateways_label(n)}"
        if "error" in r:
            row(label, "n/a", "", error=r["error"])
            continue
        err = errors_of(r)
        latency = "p50 / p99" if n == 1 else f"the worse p50 / p99 of the {n} wrk"
        row(f"{label}: requests/s ({latency})",
            f"{fmt_int(r['rps'])} ({fmt_ms(r['p50_ms'])} / {fmt_ms(r['p99_ms'])})", "", "", err)
        cpu = (f"{r.get('cpu_us_per_request', 'n/a')} us in the "
               f"{'gateway' if n == 1 else f'{n} gateways'} + "
               f"{r.get('pg_cpu_us_per_request', 'n/a')} us in PostgreSQL")
        if n == 1 and sqlite and "cpu_us_per_request" in sqlite:
            cpu += f" (SQLite: {sqlite['cpu_us_per_request']} us in the gateway)"
        row(f"{label}: CPU per request", cpu)
        if n == 1 and sqlite and sqlite["rps"]:
            ratio = r["rps"] / sqlite["rps"]
            row("ingest on PostgreSQL (1 gateway) / on SQLite",
                f"{ratio:.1%} ({fmt_int(r['rps'])} / {fmt_int(sqlite['rps'])} req/s)",
                f">= {TARGET_PG_INGEST_RATIO:.0%}", verdict(ratio >= TARGET_PG_INGEST_RATIO),
                err or errors_of(sqlite))


def markdown_table(rows) -> str:
    lines = ["| figure | measured | target | |", "|---|---|---|---|"]
    for name, value, target, met in rows:
        lines.append(f"| {name} | {value} | {target} | {met} |")
    return "\n".join(lines)


def fsync_ms(directory: str, rounds: int = 100) -> float:
    """Mean time of a 4 KiB append + fsync in `directory`: the least a durable commit costs."""
    path = os.path.join(directory, "fsync-probe.tmp")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        start = time.perf_counter()
        for _ in range(rounds):
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        return (time.perf_counter() - start) / rounds * 1000.0
    finally:
        os.close(fd)
        os.remove(path)


def machine() -> dict:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        with open("/proc/meminfo") as f:
            mem_gb = int(f.readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    commit = ""
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        if commit and dirty:
            commit += " (with uncommitted changes)"
    except (OSError, subprocess.SubprocessError):
        pass
    wrk_version = ""
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
        wrk_version = (out.stdout + out.stderr).split("\n")[0].split(" Copyright")[0].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"cores": len(os.sched_getaffinity(0)), "model": model, "mem_gb": mem_gb,
            "load_before": os.getloadavg()[0],
            "kernel": os.uname().release, "commit": commit, "wrk": wrk_version,
            "fsync_ms": fsync_ms(RUN_DIR)}


PLACEHOLDER_CHANGES = """<!-- The performance work fills this in: one row per change, with the figures before and after,
taken with `make bench` on the same machine (compare the fsync times too). bench/run.py keeps
this section when it rewrites the file. -->

| change | ingest req/s (p99) | end to end msg/s, upstream 0 / 20 / 200 ms | media MB/s | idle RSS | fsync | status webhooks applied/s at 0 ms (x delivered msg/s) |
|---|---|---|---|---|---|---|"""


def postgres_paragraph(info: dict) -> str:
    """The paragraph on the PostgreSQL server of the pg-* rows, when they ran ("" otherwise)."""
    pg = info.get("postgres")
    if not pg:
        return ""
    version = pg.get("server_version", "15").split(" ")[0]
    text = (f"The PostgreSQL rows run a throwaway PostgreSQL {version} cluster "
            f"(`scripts/test-postgres`: a fresh temporary directory, loopback TCP) on the same "
            f"{info['cores']}-core machine, with fsync {pg.get('fsync', 'on')}, "
            f"`synchronous_commit = {pg.get('synchronous_commit', 'on')}` (wal_sync_method "
            f"{pg.get('wal_sync_method', 'n/a')}, shared_buffers "
            f"{pg.get('shared_buffers', 'n/a')}): each accepted message is committed on the "
            f"server's disk before the answer, as with SQLite. The server shares the cores with "
            f"the gateway(s), wrk and fake-graph, so those rows pay for the database's CPU too; "
            f"a database on its own machine would leave the gateways theirs.")
    return "\n" + textwrap.fill(text, width=95, break_on_hyphens=False) + "\n"


def write_markdown(path: str, args, rows, info: dict, command: str, started: str) -> None:
    settings = (f"wrk {args.threads} threads, {args.connections} connections, keep-alive, "
                f"{args.duration:g} s per load; end to end {args.e2e_messages:,} messages, "
                f"upstream {args.e2e_latencies} ms, then {args.e2e_single_messages:,} to one number "
                f"at 200 ms, at most {args.e2e_timeout} s each"
                f"{webhooks_part.settings(args.only)}{callbacks_part.settings(args.only)}"
                f"{templates_part.settings(args.only)}{numbers_part.settings(args.only)}"
                f"{kannel_part.settings(args.only)}"
                f"{million_part.settings(args)}; media "
                f"{args.media_connections} connections; gateway log level {args.log_level}")
    inside = GATEWAY.startswith(ROOT + os.sep)
    gateway_shown = os.path.relpath(GATEWAY, ROOT) if inside else GATEWAY
    build_line = args.label or (f"`{gateway_shown}` (the release preset, RelWithDebInfo), "
                                f"working tree at commit {info['commit'] or 'unknown'}")
    changes = PLACEHOLDER_CHANGES
    try:
        # The section the performance work fills in survives a rerun.
        with open(path) as f:
            m = re.search(r"^## What each change bought\n(.*?)(?=^## )", f.read(), re.M | re.S)
            if m and m.group(1).strip():
                changes = m.group(1).strip()
    except OSError:
        pass
    postgres = postgres_paragraph(info)
    text = f"""# Benchmarks

Written by `bench/run.py` (`make bench`; bench/README.md); rerun it to replace the figures
(the section "What each change bought" is kept). How each figure is measured is at the end.
Targets are reported, never asserted in tests.

- date: {started}
- command: `{command}`
- machine: {info['cores']} cores (`nproc`), {info['model']}, {info['mem_gb']:.0f} GiB RAM, Linux {info['kernel']}
- build: {build_line}
- load generator: {info['wrk'] or 'wrk'}; {settings}
- other load: 1-minute load average {info['load_before']:.2f} before the run, {info.get('load_after', 0):.2f} after it (the benchmark's own processes included); a busy machine gives low figures
- disk: a 4 KiB append + fsync in `build/bench-run/` took {info['fsync_ms']:.2f} ms before the run and {info.get('fsync_after_ms', 0):.2f} ms after it, so a writer that commits each message on its own stops near {1000 / info['fsync_ms']:,.0f} messages/s (fsync times on shared or virtual disks vary a lot between runs: compare them too)
- configuration: `bench/gateway.toml` (ack = "stored"; SQLite WAL, synchronous=FULL: every accepted message is committed with fsync before the answer)

wrk, the gateway, fake-graph, beast_ceiling and Kannel share this machine's cores, so every
figure includes the load generator's own CPU use; compare figures taken on the same machine only.
{postgres}
{markdown_table(rows)}

## What each change bought

{changes}

## How it is measured

- **ingest**: a fresh gateway (`bench/gateway.toml`, a new database under `build/bench-run/`)
  gets the seed's example request with Basic auth from wrk (`bench/post.lua`) for the whole
  run; each answer is 202 `queued` only once the message is committed. Requests/s and the
  p50/p99 latency are wrk's (`--latency`). One request is sent before the load, so the
  argon2id check of the credentials is cached as in steady use. Any non-2xx answer or socket
  error marks the row FAILED. The seed repeats one (business number, customer) pair, so
  Meta's pair limit holds those messages in the outbox; the dispatcher claims and reschedules
  them while the load runs.
- **Beast ceiling**: `bench/beast_ceiling` (Beast + C++20 coroutines like `src/http`, 2 I/O
  threads) answers every request with the gateway's fixed 202 envelope, under the same wrk
  load: what our HTTP stack alone costs. The ratio is ingest requests/s over the ceiling's.
- **end to end**: a fresh gateway whose twenty meta numbers (1000 msg/s each: 20,000 msg/s in
  all, so no number's limit caps the run below that) point at a fresh
  `tools/fake-graph`; for 20 and 200 ms a fault rule `{{"action":"slow","delay_ms":N}}` delays
  every answer. wrk (`bench/e2e.lua`) submits exactly the given number of messages round-robin
  over the twenty numbers, each to another customer. Delivered msg/s = messages / (time from the
  start of submission to the last answer fake-graph gave). Submitted req/s is the ingest rate
  during the same run. The per-number rate is counted from fake-graph's records (arrival time
  and phone-number id of every send): the most sends of one number in any 1-second window,
  against its `messages_per_second`. Arrival is the kernel's receive time of the request
  (`SO_TIMESTAMPNS`), i.e. when the gateway sent it; "as handled" counts by when fake-graph's
  handler ran instead, which adds the fake's own waits for a core on the shared machine. "Sustained" is a number's sends over the time from its
  first to its last. A run is cut at its time bound and reported as not finished. The
  gateway's CPU per delivered message is its user + system time (`/proc/PID/stat`) from the
  start of submission until every message was seen delivered, over the messages delivered
  (per thread in the log and in `build/bench-run/results.json`).
{webhooks_part.HOW_MEASURED}{callbacks_part.HOW_MEASURED}{templates_part.HOW_MEASURED}{numbers_part.HOW_MEASURED}{kannel_part.HOW_MEASURED}{million_part.HOW_MEASURED}- **media**: the seed request with a header `{{"type":"image",...}}` holding a PNG (a valid
  signature and IHDR, random IDAT) just under WhatsApp's 5 MB image limit, base64 in the JSON
  body; MB/s = requests/s x request-body bytes (10^6 bytes per MB). Bytes in flight =
  connections x body size.
- **PostgreSQL** (`pg-ingest`, `pg-e2e`): the same loads against gateways started with
  `--storage postgresql://...`, on a fresh database of one throwaway cluster per run
  (`scripts/test-postgres`, via `bench/pg_cluster.py`). Ingest: one gateway, then two on one
  database, each loaded by its own wrk with half the connections and half the threads, both
  at once: requests/s summed, the worse p50/p99 of the two, errors summed; CPU per request is
  the gateways' and the PostgreSQL server's processes' (postmaster and its children) over the
  requests wrk completed. The ratio is one gateway's requests/s on PostgreSQL over the SQLite
  ingest row's, when both ran in the same run. End to end: the 0 ms run with one gateway, then
  two on one database, each sent half the messages (consecutive message numbers, so no
  (number, customer) pair repeats) by its own wrk with half the connections and threads.
  Delivered msg/s and the per-number 1-second windows come from fake-graph's records as above,
  whichever gateway sent. With two gateways, both runs wait (at most {PG_SPLIT_TIMEOUT_S} s)
  before the load until the gateways have divided the business numbers between them
  (`number_leases`), so they measure the steady state rather than the first gateway holding
  every number until its next renewal; a gateway sends for the numbers it holds only, and
  finds the messages another gateway stored when it next polls the database
  (`dispatch.poll_interval_ms`).
- **memory**: VmRSS of the gateway one second after start (idle), and the peak during a load:
  VmHWM after resetting it (`/proc/PID/clear_refs`) when the load starts, checked against
  VmRSS sampled every 50 ms. MB = 10^6 bytes throughout.
"""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# --------------------------------------------------------------------------------------------


def stop_cluster(cluster: pg_cluster.PgCluster) -> None:
    if os.path.isdir(cluster.state_dir):
        which = "the" if cluster.admin_url else "a leftover"  # of a run killed before its end
        log(f"bench: stopping {which} PostgreSQL cluster (scripts/test-postgres stop "
            f"{os.path.relpath(cluster.state_dir, ROOT)})")
    try:
        cluster.stop()
    except pg_cluster.PgError as e:
        log(f"bench: WARNING: {e}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(PARTS),
                        help="parts to run, comma-separated: " + ", ".join(PARTS) + " (memory "
                             "comes from ingest and e2e; the pg-* parts start a throwaway "
                             "PostgreSQL cluster)")
    parser.add_argument("--duration", type=float, default=DEFAULTS["duration"],
                        help="seconds of each wrk load (ingest, ceiling, kannel, media)")
    parser.add_argument("--threads", type=int, default=DEFAULTS["threads"], help="wrk threads")
    parser.add_argument("--connections", type=int, default=DEFAULTS["connections"],
                        help="wrk connections (ingest, ceiling, e2e, kannel; split between "
                             "the gateways in the pg-* parts)")
    parser.add_argument("--e2e-messages", type=int, default=DEFAULTS["e2e_messages"])
    parser.add_argument("--e2e-latencies", default=DEFAULTS["e2e_latencies"],
                        help="fake-graph answer delays in ms, comma-separated")
    parser.add_argument("--e2e-single-messages", type=int,
                        default=DEFAULTS["e2e_single_messages"],
                        help="messages to one number at 200 ms, for the held-rate figure "
                             "(0: skip)")
    parser.add_argument("--e2e-timeout", type=int, default=DEFAULTS["e2e_timeout"],
                        help="time bound of each end-to-end run, and of Kannel's delivery "
                             "after its load, in seconds")
    parser.add_argument("--media-connections", type=int, default=DEFAULTS["media_connections"])
    parser.add_argument("--media-bytes", type=int, default=DEFAULTS["media_bytes"],
                        help="size of the PNG (WhatsApp's image limit is 5 MB)")
    parser.add_argument("--million-messages", type=int, default=DEFAULTS["million_messages"],
                        help="messages the million part stores and delivers (a quick check: "
                             "50000)")
    parser.add_argument("--log-level", default="info", help="the gateway's --log-level")
    parser.add_argument("--gateway", default=GATEWAY,
                        help="the socialgate binary (default build/release/src/socialgate), e.g. "
                             "another commit's build to compare")
    parser.add_argument("--fake-graph", default=FAKE_GRAPH,
                        help="the fake-graph binary (default "
                             "build/release/tools/fake-graph/fake-graph)")
    parser.add_argument("--label",
                        help="what the gateway binary is, for the markdown's build line (with "
                             "--gateway: e.g. 'commit abc1234, built in /tmp/x')")
    parser.add_argument("--config", default=TEMPLATE,
                        help="the gateway configuration template (default bench/gateway.toml)")
    parser.add_argument("--out", help="where to write the markdown (default: docs/benchmarks.md "
                                      "for a full default run, else build/bench-run/benchmarks.md)")
    parser.add_argument("--keep-db", action="store_true",
                        help="keep the gateways' SQLite databases in build/bench-run/ (the "
                             "PostgreSQL cluster is always removed)")
    args = parser.parse_args()

    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    parts = ["ingest" if p == "memory" else p for p in parts]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        parser.error(f"--only: unknown part(s) {', '.join(unknown)}; use {', '.join(PARTS)}")
    if args.duration < 1 or args.threads < 1 or args.connections < args.threads:
        parser.error("--duration must be >= 1 and --connections >= --threads >= 1")
    if args.media_connections < args.threads or args.e2e_messages < args.threads:
        parser.error("--media-connections and --e2e-messages must be >= --threads")
    if "million" in parts and args.million_messages < args.threads:
        parser.error("--million-messages must be >= --threads")
    pg_parts = [p for p in parts if p in PG_PARTS]
    if pg_parts and (args.connections < 2 or args.e2e_messages // 2 < wrk_threads(args, 2)):
        parser.error("the pg-* parts split the load between two gateways: they need "
                     "--connections >= 2 and --e2e-messages >= 2 x max(1, --threads / 2)")

    full = (sorted(parts) == sorted(PARTS) and args.config == TEMPLATE
            and args.gateway == GATEWAY and args.fake_graph == FAKE_GRAPH
            and all(getattr(args, k) == v for k, v in DEFAULTS.items()))
    set_template(args.config)
    set_gateway(args.gateway)
    set_fake_graph(args.fake_graph)
    missing = [p for p in (GATEWAY, FAKE_GRAPH, CEILING) if not os.access(p, os.X_OK)]
    if missing:
        log("bench: build first (make bench does): cmake --build build/release --target "
            "socialgate fake-graph beast_ceiling\n  missing: " + ", ".join(missing))
        return 2
    if shutil.which("wrk") is None:
        log("bench: wrk is not installed (scripts/install-deps installs it)")
        return 2
    if pg_parts and pg_cluster.missing():
        log("bench: the pg-* parts need PostgreSQL 15 and psql (scripts/install-deps installs "
            "them; or leave those parts out: --only ingest,e2e,e2e-webhooks,kannel,media)\n  missing: "
            + ", ".join(pg_cluster.missing()))
        return 2
    if "kannel" in parts and kannel_part.missing():
        log("bench: the kannel part needs Kannel (scripts/install-bench-tools installs it, as "
            "make bench does; or leave it out with --only)\n  missing: "
            + ", ".join(kannel_part.missing()))
        return 2
    out_path = args.out or (DOCS if full else os.path.join(RUN_DIR, "benchmarks.md"))

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    # One run at a time: a second one would clear the first's run directory and share its cores.
    os.makedirs(os.path.dirname(RUN_DIR), exist_ok=True)
    lock = open(RUN_DIR + ".lock", "a+")  # held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        log(f"bench: another bench/run.py is running ({RUN_DIR}.lock); try again when it is done")
        return 2
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    os.makedirs(RUN_DIR)
    config = load_template()
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "make bench" if os.environ.get("MAKELEVEL") and len(sys.argv) == 1 else \
        shlex.join(["python3", os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)]
                   + sys.argv[1:])
    info = machine()
    if info["load_before"] > 0.5 * info["cores"]:
        log(f"bench: WARNING: the machine is busy (load average {info['load_before']:.1f} on "
            f"{info['cores']} cores): the figures will be low and noisy")
    log(f"bench: {info['cores']} cores, {info['model']}; 4 KiB append + fsync "
        f"{info['fsync_ms']:.2f} ms; run directory {RUN_DIR}")

    results: dict = {}
    # Started by the first pg-* part (once), stopped below whatever happens; stopping also
    # removes a cluster a killed run left in PG_STATE.
    cluster = pg_cluster.PgCluster(PG_STATE)
    # SQLite and PostgreSQL ingest one after the other, so their ratio compares like with like.
    order = (("ingest", run_ingest), ("pg-ingest", functools.partial(run_pg_ingest, cluster)),
             ("templates", run_templates), ("numbers", run_numbers),
             ("e2e", run_e2e), ("kannel", run_kannel), ("e2e-webhooks", run_e2e_webhooks),
             ("callbacks", run_callbacks),
             ("pg-e2e", functools.partial(run_pg_e2e, cluster)),
             ("media", run_media), ("million", run_million))
    try:
        for part, fn in order:
            if part not in parts:
                continue
            try:
                fn(args, RUN_DIR, config, results)
            except (BenchError, pg_cluster.PgError) as e:
                log(f"  FAILED: {e}")
                results[part + "_error"] = str(e)
    except KeyboardInterrupt:
        log("bench: interrupted; stopping what was started")
        return 130
    finally:
        Child.stop_all()
        stop_cluster(cluster)

    info["postgres"] = results.get("postgres")
    info["load_after"] = os.getloadavg()[0]
    info["fsync_after_ms"] = fsync_ms(RUN_DIR)
    rows = build_rows(results)
    table = markdown_table(rows)
    print()
    print(f"socialgate benchmarks, {started}, {info['cores']} cores ({info['model']}), "
          f"fsync {info['fsync_ms']:.2f} ms before, {info['fsync_after_ms']:.2f} ms after")
    print(table)
    write_markdown(out_path, args, rows, info, command, started)
    with open(os.path.join(RUN_DIR, "results.json"), "w") as f:
        json.dump({"started": started, "command": command, "machine": info, "results": results,
                   "rows": rows}, f, indent=1, default=str)
    print(f"\nwritten to {os.path.relpath(out_path, ROOT)}; "
          f"logs in {os.path.relpath(RUN_DIR, ROOT)}/")
    failed = [r for r in rows if r[3].startswith("FAILED")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
