"""The kannel part of bench/run.py: Kannel, the open-source SMS gateway, as the peer anchor.

Kannel 1.4.5 (Debian 12's kannel package; `make bench` installs it with
scripts/install-bench-tools) takes messages on smsbox's sendsms HTTP interface and bearerbox
forwards each one through a generic HTTP SMSC to a fixed-answer upstream: bench/beast_ceiling
--answer Sent, which counts what it is sent. Its configuration is bench/kannel.conf.in, rendered
into a scratch directory under /tmp (the message store file and the boxes' logs) with ports of
127.0.0.1 picked free just before. The load is the ingest part's (wrk, --threads,
--connections, --duration, keep-alive), as GETs on /cgi-bin/sendsms from bench/sendsms.lua,
each to another customer.

Figures (docs/benchmarks.md, "How it is measured"):
  - requests/s, p50 and p99 of the sendsms load (wrk);
  - delivered messages/s: the messages the upstream received from the start of the load until
    bearerbox's store was empty (bounded by --e2e-timeout after the load), over the time from
    the start of the load to the last of them, as the e2e part counts the gateway's;
  - CPU per delivered message: bearerbox's and smsbox's user + system time (/proc/PID/stat)
    over the same span, over the messages the upstream received;
  - socialgate's ingest requests/s, end-to-end delivered msg/s at 0 ms and CPU per delivered
    message from the same run, as ratios to Kannel's, against issue 21's targets.

The harness's helpers (Child, run_wrk, cpu_seconds, http, BenchError) are run.py's, handed in as
the module `h`, so the children started here are stopped with the others whatever happens.
Standard library only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import string
import tempfile
import textwrap
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
CONFIG_TEMPLATE = os.path.join(BENCH, "kannel.conf.in")
LOAD_SCRIPT = os.path.join(BENCH, "sendsms.lua")
SENDSMS_PATH = "/cgi-bin/sendsms"
UPSTREAM_PATH = "/sms/send"
UPSTREAM_ANSWER = "Sent"  # what the SMSC's status-success-regex wants
STATS_PATH = "/_ceiling/stats"  # beast_ceiling's request count
MAX_PENDING = 10  # the SMSC's max-pending-submits: Kannel's default
STATUS_URL = "/status.txt?password=bench"
READY_TIMEOUT_S = 20
STOP_TIMEOUT_S = 15
POLL_S = 0.2
WRK_TIMEOUT_S = 5  # wrk's --timeout, as for the ingest part
# The warm-up message: from the seed's business number to a customer no load message goes to.
WARM_UP_QUERY = ("?username=bench&password=bench&from=3902124122690&to=393400000000"
                 "&text=warm%20up")

# Issue 21's targets: socialgate's figure over Kannel's in one run (reported, never asserted).
TARGET_INGEST_RATIO = 4.0
TARGET_DELIVERED_RATIO = 1.5
TARGET_CPU_RATIO = 0.5

# bearerbox's status.txt: "SMS: received R (Q queued), sent S (Q queued), store size N".
SMS_STATUS = re.compile(r"SMS: received (\d+) \((\d+) queued\), sent (\d+) \((\d+) queued\), "
                        r"store size (-?\d+)")
VERSION = re.compile(r"Kannel bearerbox version `([^']+)'")


def missing() -> list[str]:
    """The Kannel programs this part needs and the machine lacks."""
    return [p for p in (BEARERBOX, SMSBOX) if not os.access(p, os.X_OK)]


def settings(only: str) -> str:
    """The part's settings for the markdown's load generator line ("" when it did not run)."""
    if "kannel" not in [p.strip() for p in only.split(",")]:
        return ""
    return (f"; Kannel under the ingest load (GETs on sendsms), its HTTP SMSC with "
            f"max-pending-submits {MAX_PENDING} to a 0 ms upstream")


# The part's paragraph of the markdown's "How it is measured".
HOW_MEASURED = textwrap.fill(
    f"**Kannel** (`kannel`, the peer anchor): Kannel 1.4.5 from Debian 12's `kannel` package "
    f"(installed by `make bench` through `scripts/install-bench-tools`, whose own service is "
    f"kept from running), bearerbox with a store file (each message appended as it comes, "
    f"never fsync'ed) and smsbox, configured from `bench/kannel.conf.in` in a scratch directory "
    f"under /tmp, every listener on 127.0.0.1. wrk loads smsbox's sendsms interface with the "
    f"ingest part's load (the same threads, connections and duration; keep-alive GETs of "
    f"`bench/sendsms.lua`, each message to another customer); Kannel answers 202 once bearerbox "
    f"has stored the message. A generic HTTP SMSC (Kannel's default max-pending-submits, "
    f"{MAX_PENDING}; no throughput cap) forwards each message to `bench/beast_ceiling --answer "
    f"Sent`, which answers at once and counts. Delivered msg/s = the messages the upstream "
    f"received from the start of the load until bearerbox's store was empty (waiting at most "
    f"--e2e-timeout after the load), over the time from the start of the load to the last of "
    f"them. CPU per delivered message = bearerbox's and smsbox's user + system time "
    f"(`/proc/PID/stat`) over the same span, over those messages; the upstream's is not "
    f"counted, as fake-graph's is not in the gateway's. The ratios divide socialgate's ingest "
    f"requests/s, its end-to-end delivered msg/s at 0 ms and its CPU per delivered message "
    f"(plain, and with status webhooks when that part ran) by Kannel's from the same run, "
    f"against issue 21's targets.",
    width=95, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False,
    break_long_words=False) + "\n"


# --------------------------------------------------------------------------------------------
# Kannel's processes


def free_ports(count: int) -> list[int]:
    """`count` different ports of 127.0.0.1 free now (Kannel cannot be told to pick its own and
    say which): all bound at once, so none is picked twice, then released for Kannel."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def render_config(scratch: str, upstream: str) -> tuple[str, dict]:
    """bench/kannel.conf.in filled in for a run in `scratch`: its path, and the ports."""
    ports = dict(zip(("admin_port", "box_port", "sendsms_port"), free_ports(3)))
    with open(CONFIG_TEMPLATE) as f:
        text = string.Template(f.read()).substitute(
            dir=scratch, upstream=upstream + UPSTREAM_PATH, max_pending=MAX_PENDING, **ports)
    path = os.path.join(scratch, "kannel.conf")
    with open(path, "w") as f:
        f.write(text)
    return path, ports


def box_status(h, admin: str) -> dict | None:
    """bearerbox's SMS counters (status.txt), or None when it does not answer them yet."""
    try:
        status, body = h.http("GET", admin + STATUS_URL, timeout=5)
    except OSError:
        return None
    m = SMS_STATUS.search(body.decode(errors="replace")) if status == 200 else None
    if not m:
        return None
    version = VERSION.search(body.decode(errors="replace"))
    keys = ("received", "received_queued", "sent", "sent_queued", "store_size")
    return dict(zip(keys, map(int, m.groups())), version=version.group(1) if version else "")


def upstream_stats(h, upstream: str) -> dict:
    """beast_ceiling's count: "requests", "first_unix_us", "last_unix_us"."""
    try:
        status, body = h.http("GET", upstream + STATS_PATH, timeout=10)
        if status == 200:
            return json.loads(body)
    except (OSError, ValueError) as e:
        raise h.BenchError(f"the upstream's {STATS_PATH}: {e}") from e
    raise h.BenchError(f"the upstream's {STATS_PATH} answered {status}")


def wait_until(h, what: str, check, children: list, timeout: float = READY_TIMEOUT_S):
    """Polls check() until it returns something true, at most `timeout` seconds: its value.
    Fails at once when one of `children` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        for child in children:
            if not child.running():
                raise h.BenchError(f"{child.name} exited (status {child.proc.returncode}) "
                                   f"before {what}: {child.stderr_tail() or '(no output)'}")
        time.sleep(POLL_S)
    raise h.BenchError(f"Kannel: no {what} within {timeout:.0f} s")


def send_warm_up(h, sendsms: str, last: list) -> bool:
    """Sends the warm-up message through sendsms: whether smsbox accepted it (202). Its other
    answers go to last[0], for the error should it never accept it."""
    try:
        status, body = h.http("GET", sendsms + WARM_UP_QUERY, timeout=5)
    except OSError as e:
        last[0] = str(e)
        return False
    last[0] = f"{status} {body.decode(errors='replace').strip()!r}"
    return status == 202


def start_kannel(h, run_dir: str, config: str, ports: dict, upstream: str) -> tuple:
    """bearerbox, then smsbox once bearerbox answers; one message through the whole path.
    (bearerbox, smsbox, admin URL, sendsms URL). What it started is stopped should it fail."""
    admin = f"http://127.0.0.1:{ports['admin_port']}"
    sendsms = f"http://127.0.0.1:{ports['sendsms_port']}{SENDSMS_PATH}"
    boxes = []
    try:
        # -v 2: warnings and worse on stderr (the default, debug, would log every message).
        boxes.append(h.Child("kannel-bearerbox", [BEARERBOX, "-v", "2", config], run_dir))
        wait_until(h, "answer on bearerbox's admin port", lambda: box_status(h, admin), boxes)
        boxes.append(h.Child("kannel-smsbox", [SMSBOX, "-v", "2", config], run_dir))
        last = ["nothing"]
        try:
            wait_until(h, "202 from sendsms", lambda: send_warm_up(h, sendsms, last), boxes)
        except h.BenchError as e:
            raise h.BenchError(f"{e} (its last answer: {last[0]})") from e
        wait_until(h, "warm-up message at the upstream",
                   lambda: upstream_stats(h, upstream)["requests"] >= 1, boxes)
    except BaseException:
        stop_kannel(list(reversed(boxes)))
        raise
    return boxes[0], boxes[1], admin, sendsms


def stop_kannel(children: list) -> None:
    """smsbox first, then bearerbox (SIGTERM: a clean shutdown), then the upstream; each is
    killed when it has not stopped in time."""
    for child in children:
        if child is not None:
            child.stop(timeout=STOP_TIMEOUT_S)


def keep_files(scratch: str, run_dir: str) -> None:
    """The rendered configuration and Kannel's own logs into run_dir/kannel/."""
    target = os.path.join(run_dir, "kannel")
    os.makedirs(target, exist_ok=True)
    for name in ("kannel.conf", "bearerbox.log", "smsbox.log"):
        path = os.path.join(scratch, name)
        if os.path.exists(path):
            shutil.copy(path, target)


# --------------------------------------------------------------------------------------------
# The run


def wait_drained(h, args, admin: str, upstream: str, accepted: int, children: list) -> bool:
    """Waits (at most --e2e-timeout) until bearerbox's store and queue are empty and the
    upstream has at least the messages wrk saw accepted; whether they were."""
    deadline = time.monotonic() + args.e2e_timeout
    while time.monotonic() < deadline:
        status = box_status(h, admin)
        if (status and status["store_size"] == 0 and status["sent_queued"] == 0
                and upstream_stats(h, upstream)["requests"] >= accepted):
            return True
        for child in children:
            if not child.running():
                raise h.BenchError(f"{child.name} exited during the run: {child.stderr_tail()}")
        time.sleep(POLL_S)
    return False


def run(h, args, run_dir: str, results: dict) -> None:
    """The part: Kannel under the ingest load; its figures into results["kannel"]."""
    h.log("== kannel: Kannel's sendsms under the ingest load, an HTTP SMSC to a 0 ms upstream")
    scratch = tempfile.mkdtemp(prefix="sg-kannel-", dir="/tmp")
    upstream_child = bearerbox = smsbox = None
    try:
        upstream_child, upstream = h.start_ceiling(run_dir, "kannel-upstream",
                                                   ["--answer", UPSTREAM_ANSWER])
        config, ports = render_config(scratch, upstream)
        bearerbox, smsbox, admin, sendsms = start_kannel(h, run_dir, config, ports, upstream)
        version = (box_status(h, admin) or {}).get("version", "")
        h.log(f"  Kannel {version} in {scratch}: sendsms {sendsms}, admin {admin}, "
              f"upstream {upstream}")
        boxes = [bearerbox, smsbox]
        pids = [child.pid for child in boxes]
        before = upstream_stats(h, upstream)["requests"]
        cpu_before = [h.cpu_seconds(pid) for pid in pids]
        argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}",
                f"-d{int(round(args.duration))}s", "--timeout", f"{WRK_TIMEOUT_S}s", "--latency",
                "-s", LOAD_SCRIPT, sendsms]
        t0 = time.time()
        load = h.run_wrk(args, "wrk-kannel", run_dir, argv, args.duration)
        accepted = load["requests"] - load["non2xx"]
        drained = wait_drained(h, args, admin, upstream, before + accepted, boxes)
        cpu_after = [h.cpu_seconds(pid) for pid in pids]
        stats = upstream_stats(h, upstream)
        status = box_status(h, admin) or {}
    finally:
        stop_kannel([smsbox, bearerbox, upstream_child])
        keep_files(scratch, run_dir)
        shutil.rmtree(scratch, ignore_errors=True)
    results["kannel"] = figures(load, stats, before, t0, drained, cpu_before, cpu_after,
                                status, version)
    log_figures(h, results["kannel"])


def figures(load: dict, stats: dict, before: int, t0: float, drained: bool,
            cpu_before: list[float], cpu_after: list[float], status: dict, version: str) -> dict:
    """The part's result: wrk's figures, the delivered rate, the CPU per message."""
    delivered = stats["requests"] - before
    seconds = max(stats["last_unix_us"] / 1e6 - t0, 1e-3) if delivered > 0 else 0.0
    spent = [after - b for b, after in zip(cpu_before, cpu_after)]
    out = dict(load, load_seconds=load["seconds"])
    out.update(version=version, accepted=load["requests"] - load["non2xx"],
               delivered=delivered, finished=drained, seconds=seconds,
               rate=delivered / seconds if seconds else 0.0,
               store_size=status.get("store_size"), max_pending=MAX_PENDING)
    if delivered > 0:
        out["cpu_us_per_message"] = round(sum(spent) * 1e6 / delivered, 1)
        out["bearerbox_us_per_message"] = round(spent[0] * 1e6 / delivered, 1)
        out["smsbox_us_per_message"] = round(spent[1] * 1e6 / delivered, 1)
    return out


def log_figures(h, k: dict) -> None:
    h.log(f"  sendsms: {k['rps']:.0f} req/s, p50 {k['p50_ms']} ms, p99 {k['p99_ms']} ms, "
          f"non-2xx {k['non2xx']}, socket errors {k['socket_errors']}")
    h.log(f"  {'drained' if k['finished'] else 'NOT drained'}: delivered {k['delivered']} "
          f"(wrk saw {k['accepted']} accepted) in {k['seconds']:.1f} s = {k['rate']:.0f} msg/s; "
          f"CPU per delivered message {k.get('cpu_us_per_message')} us (bearerbox "
          f"{k.get('bearerbox_us_per_message')}, smsbox {k.get('smsbox_us_per_message')})")


# --------------------------------------------------------------------------------------------
# The table


def fmt_ms(x) -> str:
    return "n/a" if x is None else (f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms")


def ratio_value(ours: float, theirs: float, unit: str) -> str:
    return f"{ours / theirs:.2f}x ({ours:,.0f} / {theirs:,.0f} {unit})"


def rows(row, results: dict, errors_of) -> None:
    """Kannel's rows, then socialgate's figures of the same run as ratios to Kannel's."""
    if "kannel_error" in results:
        row("Kannel (the peer anchor)", "n/a", "", error=results["kannel_error"])
    k = results.get("kannel")
    if k is None:
        return
    err = errors_of(k)
    name = f"Kannel {k['version']}".strip()
    row(f"{name}: sendsms requests/s (p50 / p99)",
        f"{k['rps']:,.0f} ({fmt_ms(k['p50_ms'])} / {fmt_ms(k['p99_ms'])})", "", "", err)
    if k["finished"]:
        value = f"{k['rate']:,.0f} msg/s ({k['delivered']:,} in {k['seconds']:.1f} s)"
    else:
        value = (f"not drained: {k['delivered']:,} in {k['seconds']:.0f} s "
                 f"({k['rate']:,.0f} msg/s; store size {k['store_size']})")
    row(f"{name}: delivered msg/s (HTTP SMSC, upstream 0 ms)", value, "", "", err)
    if "cpu_us_per_message" not in k:
        return
    row(f"{name}: CPU per delivered message (bearerbox + smsbox)",
        f"{k['cpu_us_per_message']:,.0f} us ({k['bearerbox_us_per_message']:,.0f} + "
        f"{k['smsbox_us_per_message']:,.0f})")
    ingest = results.get("ingest")
    if ingest and k["rps"]:
        ratio = ingest["rps"] / k["rps"]
        row("socialgate / Kannel: ingest requests/s", ratio_value(ingest["rps"], k["rps"], "req/s"),
            f">= {TARGET_INGEST_RATIO:g}x", "met" if ratio >= TARGET_INGEST_RATIO else "not met")
    plain = next((e for e in results.get("e2e", [])
                  if e.get("latency_ms") == 0 and "error" not in e), None)
    if plain and k["rate"]:
        ratio = plain["rate"] / k["rate"]
        ok = plain["finished"] and k["finished"] and ratio >= TARGET_DELIVERED_RATIO
        row("socialgate / Kannel: end to end at 0 ms, delivered msg/s",
            ratio_value(plain["rate"], k["rate"], "msg/s"), f">= {TARGET_DELIVERED_RATIO:g}x",
            "met" if ok else "not met")
    cpu_rows(row, results, k, plain)


def cpu_rows(row, results: dict, k: dict, plain: dict | None) -> None:
    """The gateway's CPU per delivered message over Kannel's: the plain 0 ms run's, and with
    status webhooks (until the last status was applied) when that part ran."""
    runs = []
    if plain and "cpu_us_per_message" in plain:
        runs.append(("end to end at 0 ms", plain["cpu_us_per_message"]))
    hooks = results.get("e2e_webhooks") or {}
    hooks_cpu = hooks.get("cpu_us_per_message_drained", hooks.get("cpu_us_per_message"))
    if hooks_cpu is not None:
        runs.append(("with 3 status webhooks per message", hooks_cpu))
    for label, cpu in runs:
        ratio = cpu / k["cpu_us_per_message"]
        row(f"socialgate / Kannel: CPU per delivered message, {label}",
            f"{ratio:.2f}x (the gateway {cpu:,.0f} us / Kannel {k['cpu_us_per_message']:,.0f} us)",
            f"<= {TARGET_CPU_RATIO:g}x", "met" if ratio <= TARGET_CPU_RATIO else "not met")
