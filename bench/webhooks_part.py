"""The e2e-webhooks part of bench/run.py: status webhooks applied while the end-to-end load runs.

Meta sends about three status callbacks per message (sent, delivered, read). This part runs the
end-to-end load of the e2e part at 0 ms (the same messages, numbers and wrk) with
tools/fake-graph posting a signed status webhook for each of them to the gateway's
[webhooks.meta] endpoint: `sent`, `delivered` and `read` 50, 100 and 200 ms after each send's
answer, so they arrive while the load runs. The gateway stores each event durably, answers 200,
and applies it after, on its own thread (sg-webhooks): the message's status moves and its
history gets an event with source "meta".

Figures (docs/benchmarks.md, "How it is measured"):
  - status webhooks answered 2xx per second during the load window, from fake-graph's
    GET /_fake/webhooks counters sampled at the window's start and end;
  - statuses applied per second during the window: the message_events with source 'meta' in the
    gateway's SQLite database, counted (read-only) at the window's start and end; over the
    delivered rate (target: at least 3, i.e. every status applied as it comes: met when
    KEEPS_UP of the statuses fake-graph had due in the window were applied in it);
  - the drain: how long after the last send's answer the last event was applied
    (webhook_events.applied_at), waiting at most DRAIN_TIMEOUT_S;
  - the messages that did not reach `read` by then, and fake-graph's refused, unanswered,
    retried, failed and dropped counters (any non-zero value is a finding).

The harness's own helpers stay in run.py, which calls this module at the points of its
end-to-end run (run_e2e_one) where the webhooks differ. Standard library only.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request

WEBHOOK_PATH = "/webhooks/meta"  # the gateway's default [webhooks.meta] path
SECRET_ENV = "SG_BENCH_WEBHOOK_APP_SECRET"  # fake-graph's --webhook-app-secret-env
WEBHOOK_MAX_IN_FLIGHT = 2048  # fake-graph's webhook POSTs out at once
# When fake-graph posts each status, in ms after the send's answer: within the load.
DELAYS_MS = {"sent": 50, "delivered": 100, "read": 200}
STATUSES_PER_MESSAGE = len(DELAYS_MS)
# How long the statuses still on their way when the load ends get to be applied.
DRAIN_TIMEOUT_S = 60
SETTLE_TIMEOUT_S = 10  # for the warm-up message's statuses, before the load
POLL_S = 0.25
SAMPLE_S = 0.5  # fake-graph's webhooks out and waiting, the gateway's events not applied
TARGET_RATIO = 3.0  # statuses applied/s over messages delivered/s (issue 17)
KEEPS_UP = 0.99  # ...met when this share of the statuses due in the window was applied in it
# fake-graph's counters of statuses that did not get through at once (GET /_fake/webhooks).
PROBLEMS = ("refused", "unanswered", "retried", "failed", "dropped")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def settings(only: str) -> str:
    """The part's settings for the markdown's load generator line ("" when it did not run)."""
    if "e2e-webhooks" not in [p.strip() for p in only.split(",")]:
        return ""
    return ("; the 0 ms run again with status webhooks (sent / delivered / read "
            + " / ".join(str(v) for v in DELAYS_MS.values()) + " ms after each answer)")


# The part's paragraph of the markdown's "How it is measured".
HOW_MEASURED = textwrap.fill(
    f"**end to end with status webhooks** (`e2e-webhooks`): the end-to-end run at 0 ms again "
    f"(the same messages, numbers and wrk), with fake-graph (`--webhook-url`) posting a signed "
    f"status webhook (`X-Hub-Signature-256` under an app secret that the gateway's "
    f"`[webhooks.meta]` reads from a file of the run directory) for each accepted send: `sent`, "
    f"`delivered` and `read` {DELAYS_MS['sent']}, {DELAYS_MS['delivered']} and "
    f"{DELAYS_MS['read']} ms after its answer, one status per POST. The gateway answers 200 "
    f"once the event is committed and applies it after, on its own thread. The load window "
    f"runs from the start of submission until every message was seen delivered. Answered "
    f"2xx/s: fake-graph's `answered_2xx` (`GET /_fake/webhooks`) at the window's end less at "
    f"its start, over the window. Applied/s: the `message_events` with source `meta` (a status "
    f"that moved a message or joined its history), counted read-only in the gateway's SQLite "
    f"database at the window's start and end, over the window; then over the run's delivered "
    f"msg/s (target: at least 3: every status applied as it comes, met when "
    f"{KEEPS_UP:.0%} of the statuses fake-graph had due by the window's end were applied in "
    f"it; those of the last {DELAYS_MS['read']} ms of sends fall after it, so a gateway that "
    f"keeps up shows a little under 3). fake-graph keeps up to {WEBHOOK_MAX_IN_FLIGHT} webhook "
    f"POSTs out (`--webhook-max-in-flight`). The last status applied: the latest "
    f"`webhook_events.applied_at`, after the last send's answer (whose `read` is posted "
    f"{DELAYS_MS['read']} ms after it), once fake-graph has nothing left to post and the "
    f"gateway nothing left to apply (at most {DRAIN_TIMEOUT_S} s); then the messages not "
    f"`read`. fake-graph's `refused` (answered, not 2xx: 503 when the gateway could not store "
    f"the event), `unanswered`, `retried`, `failed` and `dropped` should all be 0. The "
    f"gateway's CPU per delivered message is over the load window (and until the last status "
    f"was applied), beside the plain 0 ms run's of the same run.",
    width=95, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False,
    break_long_words=False) + "\n"


class WebhookBenchError(Exception):
    """A webhook measurement that could not be made."""


def _get_json(url: str, timeout: float = 10) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise WebhookBenchError(f"GET {url}: {e}") from e


def free_port() -> int:
    """A port of 127.0.0.1 free now. fake-graph needs the gateway's webhook URL when it starts,
    and the gateway fake-graph's URL in its configuration, so the gateway's port is chosen
    first (a bind failure then fails the run: another process took the port meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(db_path: str, sql: str) -> list[tuple]:
    """`sql` on the gateway's SQLite database, read-only (WAL: the gateway's writes go on)."""
    try:
        con = sqlite3.connect(f"file:{urllib.request.pathname2url(db_path)}?mode=ro", uri=True,
                              timeout=10)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    except sqlite3.Error as e:
        raise WebhookBenchError(f"{db_path}: {sql}: {e}") from e


def count(db_path: str, sql: str) -> int:
    return int(query(db_path, sql)[0][0] or 0)


META_EVENTS = "SELECT count(*) FROM message_events WHERE source = 'meta'"
UNAPPLIED = "SELECT count(*) FROM webhook_events WHERE applied_at IS NULL"


class StatusWebhooks:
    """The webhook side of one end-to-end run: fake-graph's flags, the gateway's [webhooks.meta],
    the samples at the load's start and end, the drain, and the figures."""

    def __init__(self, run_dir: str, name: str = "e2e-webhooks-0ms"):
        self.name = name
        self.app_secret_file = os.path.join(run_dir, name + ".app-secret")
        self.verify_token_file = os.path.join(run_dir, name + ".verify-token")
        self._app_secret = secrets.token_hex(32)
        for path, value in ((self.app_secret_file, self._app_secret),
                            (self.verify_token_file, secrets.token_hex(16))):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(value + "\n")
        port = free_port()
        self.listen = f"127.0.0.1:{port}"
        self.url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        self.db_path = ""
        self.start: dict = {}
        self.end: dict = {}
        self.drained: dict = {}
        self.final: dict = {}
        self.series: list[tuple[float, int, int, int]] = []  # (t, in_flight, pending, unapplied)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def describe(self) -> str:
        delays = ", ".join(f"{k} {v}" for k, v in DELAYS_MS.items())
        return f"fake-graph posting signed status webhooks to {self.url} ({delays} ms)"

    def fake_graph_argv(self) -> list[str]:
        return ["--webhook-url", self.url, "--webhook-app-secret-env", SECRET_ENV,
                "--webhook-sent-ms", str(DELAYS_MS["sent"]),
                "--webhook-delivered-ms", str(DELAYS_MS["delivered"]),
                "--webhook-read-ms", str(DELAYS_MS["read"]),
                # Meta posts callbacks with far more concurrency than fake-graph's default 256:
                # at 256 the fake, not the gateway, set the offered rate (256 / answer time).
                "--webhook-max-in-flight", str(WEBHOOK_MAX_IN_FLIGHT)]

    def fake_graph_env(self) -> dict:
        return {SECRET_ENV: self._app_secret}

    def config_text(self) -> str:
        """The gateway's [webhooks.meta], appended to its per-run configuration."""
        return (f"\n# bench/run.py, part e2e-webhooks: fake-graph's status webhooks.\n"
                f"[webhooks.meta]\n"
                f"path = \"{WEBHOOK_PATH}\"\n"
                f"verify_token_file = \"{self.verify_token_file}\"\n"
                f"app_secret_file = \"{self.app_secret_file}\"\n")

    def _sample(self, fake_url: str) -> dict:
        counters = _get_json(fake_url + "/_fake/webhooks")
        at_fake = time.time()
        events = count(self.db_path, META_EVENTS)
        return {"fake": counters, "fake_at": at_fake, "applied": events, "applied_at": time.time()}

    def before_load(self, fake_url: str, db_path: str) -> None:
        """After the warm-up: waits (bounded) until its message's statuses are applied, then
        samples fake-graph's counters and the statuses applied so far."""
        self.db_path = db_path
        if not _get_json(fake_url + "/_fake/webhooks").get("enabled"):
            raise WebhookBenchError("fake-graph does not post webhooks (GET /_fake/webhooks: "
                                    "enabled is false)")
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            w = _get_json(fake_url + "/_fake/webhooks")
            settled = w["pending"] == 0 and w["in_flight"] == 0 \
                and count(db_path, UNAPPLIED) == 0
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.start = self._sample(fake_url)
        if not settled:
            log(f"  WARNING: the warm-up message's statuses were not all applied within "
                f"{SETTLE_TIMEOUT_S} s: {self.start['fake']}")

    def start_sampling(self, fake_url: str, t0: float) -> None:
        """Every SAMPLE_S during the load: fake-graph's POSTs out (at most WEBHOOK_MAX_IN_FLIGHT) and statuses
        waiting, and the gateway's stored events not applied yet (a partial index), to see
        which side the statuses wait on. Started after the load's children (see run.py's
        _die_with_parent)."""

        def run():
            while not self._stop.wait(SAMPLE_S):
                try:
                    w = _get_json(fake_url + "/_fake/webhooks", timeout=5)
                    unapplied = count(self.db_path, UNAPPLIED)
                except WebhookBenchError:
                    continue
                self.series.append((round(time.time() - t0, 2), w["in_flight"], w["pending"],
                                    unapplied))

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop_sampling(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def at_load_end(self, fake_url: str, at: float) -> None:
        """When every message has been delivered: the same samples."""
        self.stop_sampling()
        self.end = self._sample(fake_url)
        self.end["load_seen_done"] = at

    def drain(self, fake_url: str, check_running) -> None:
        """Waits (at most DRAIN_TIMEOUT_S) until fake-graph has no status left to post and the
        gateway no stored event left to apply."""
        started = time.monotonic()
        deadline = started + DRAIN_TIMEOUT_S
        while True:
            check_running()
            w = _get_json(fake_url + "/_fake/webhooks")
            unapplied = count(self.db_path, UNAPPLIED)
            done = w["pending"] == 0 and w["in_flight"] == 0 and unapplied == 0
            if done or time.monotonic() > deadline:
                break
            time.sleep(POLL_S)
        self.drained = {"done": done, "waited_s": round(time.monotonic() - started, 1),
                        "fake": w, "unapplied": unapplied}
        if not done:
            log(f"  WARNING: statuses still on their way {DRAIN_TIMEOUT_S} s after the load: "
                f"fake-graph {w}, {unapplied} events stored and not applied")

    def read_db(self) -> None:
        """Once the gateway has stopped: what became of the messages and the events."""
        statuses = dict(query(self.db_path, "SELECT status, count(*) FROM messages GROUP BY 1"))
        (events, unapplied, last_applied), = query(
            self.db_path, "SELECT count(*), count(*) - count(applied_at), max(applied_at) "
                          "FROM webhook_events WHERE source = 'meta'")
        self.final = {
            "statuses": statuses,
            "messages": sum(statuses.values()),
            "applied": count(self.db_path, META_EVENTS),
            "events": events, "unapplied": unapplied,
            "last_applied_ms": last_applied,
            "held": count(self.db_path, "SELECT count(*) FROM held_statuses"),
        }

    def figures(self, e: dict, answers_ms: list[int]) -> dict:
        """The part's figures, from the samples and the end-to-end run's result `e`;
        answers_ms: when fake-graph answered each accepted send (Unix ms)."""
        s, n, d, f = self.start, self.end, self.drained, self.final
        fake_s = max(n["fake_at"] - e["t0"], 1e-3)
        applied_s = max(n["applied_at"] - e["t0"], 1e-3)
        answered = n["fake"]["answered_2xx"] - s["fake"]["answered_2xx"]
        applied = n["applied"] - s["applied"]
        # The statuses fake-graph had due by the end sample: each send's, at its delays.
        end_ms = n["applied_at"] * 1000
        due = sum(1 for a in answers_ms for delay in DELAYS_MS.values() if a + delay <= end_ms)
        applied_rate = applied / applied_s
        out = {
            "webhook_delays_ms": dict(DELAYS_MS),
            "webhooks_answered": answered, "webhooks_answered_seconds": round(fake_s, 2),
            "webhooks_answered_rate": answered / fake_s,
            "statuses_applied": applied, "statuses_applied_seconds": round(applied_s, 2),
            "statuses_applied_rate": applied_rate,
            "statuses_due": due,
            "applied_ratio": applied_rate / e["rate"] if e["rate"] else 0.0,
            "applied_of_due": applied / due if due else 0.0,
            "drain_done": d.get("done", False), "drain_waited_s": d.get("waited_s"),
            "fake_webhooks": d.get("fake", {}),
            "fake_problems": {k: d.get("fake", {}).get(k, 0) for k in PROBLEMS
                              if d.get("fake", {}).get(k, 0)},
            "messages_in_db": f.get("messages", 0),
            "message_statuses": f.get("statuses", {}),
            "not_read": f.get("messages", 0) - f.get("statuses", {}).get("read", 0),
            "statuses_applied_total": f.get("applied", 0),
            "webhook_events": f.get("events", 0), "events_unapplied": f.get("unapplied", 0),
            "held_left": f.get("held", 0),
            "samples": self.series,
        }
        if self.series:
            column = list(zip(*self.series))
            out["in_flight_mean"] = round(sum(column[1]) / len(self.series), 1)
            out["in_flight_max"] = max(column[1])
            out["pending_max"] = max(column[2])
            out["unapplied_mean"] = round(sum(column[3]) / len(self.series), 1)
            out["unapplied_max"] = max(column[3])
        if f.get("last_applied_ms"):
            # After the last answer fake-graph gave to a send; its read came 200 ms after it.
            out["drain_s"] = round(f["last_applied_ms"] / 1000.0 - e["load_end"], 2)
        log(f"  status webhooks: {answered:,} answered 2xx in {fake_s:.1f} s = "
            f"{out['webhooks_answered_rate']:,.0f}/s; {applied:,} statuses applied in "
            f"{applied_s:.1f} s = {applied_rate:,.0f}/s = {out['applied_ratio']:.2f} x the "
            f"delivered {e['rate']:,.0f} msg/s ({out['applied_of_due']:.1%} of the {due:,} due "
            f"by then); the last applied {out.get('drain_s', 'n/a')} s after the last send's "
            f"answer; not read: {out['not_read']:,} of {out['messages_in_db']:,} "
            f"({out['message_statuses']}); applied in all {out['statuses_applied_total']:,} of "
            f"{STATUSES_PER_MESSAGE * out['messages_in_db']:,}; held left {out['held_left']}; "
            f"fake-graph {out['fake_webhooks']}")
        if self.series:
            log(f"  during the load, every {SAMPLE_S} s: fake-graph's webhook POSTs out "
                f"{out['in_flight_mean']:.0f} on average, {out['in_flight_max']} at most (it "
                f"keeps up to {WEBHOOK_MAX_IN_FLIGHT} out), statuses waiting at most {out['pending_max']:,}; the "
                f"gateway's events stored and not applied {out['unapplied_mean']:.0f} on average, "
                f"{out['unapplied_max']:,} at most")
        return out


def rows(row, results: dict, e2e_rows) -> None:
    """The part's table rows: run.py's end-to-end rows (e2e_rows) with the gateway's CPU per
    message beside the plain e2e run's at 0 ms, then the webhook figures."""
    e = results.get("e2e_webhooks")
    if e is None:
        return
    label = "end to end with status webhooks, upstream 0 ms"
    note = ""
    if "cpu_us_per_message_drained" in e:
        note += f"; {e['cpu_us_per_message_drained']:,.0f} us until the last status was applied"
    plain = [p for p in results.get("e2e", [])
             if p.get("latency_ms") == 0 and "cpu_us_per_message" in p]
    if plain:
        note += (f"; without webhooks (end to end, upstream 0 ms, same run): "
                 f"{plain[0]['cpu_us_per_message']:,.0f} us")
    e2e_rows(row, label, e, None, note)
    if "error" in e:
        return
    delays = " / ".join(str(v) for v in e["webhook_delays_ms"].values())
    row(f"{label}: status webhooks answered 2xx/s (during the load)",
        f"{e['webhooks_answered_rate']:,.0f}/s ({e['webhooks_answered']:,} in "
        f"{e['webhooks_answered_seconds']:.1f} s; sent / delivered / read posted {delays} ms "
        f"after each answer)")
    row(f"{label}: statuses applied/s (during the load)",
        f"{e['statuses_applied_rate']:,.0f}/s ({e['statuses_applied']:,} in "
        f"{e['statuses_applied_seconds']:.1f} s; {e['applied_of_due']:.1%} of the "
        f"{e['statuses_due']:,} due by then)")
    # fake-graph posts 3 statuses per message, so the ratio is at most 3, less the statuses of
    # the last sends that fall after the window: the gateway meets the target when it applies
    # them as fast as they come, i.e. (nearly) every status due in the window.
    ratio = e["applied_ratio"]
    row(f"{label}: statuses applied/s / delivered msg/s",
        f"{ratio:.2f} ({e['applied_of_due']:.1%} of the statuses due applied in the window; "
        f"{TARGET_RATIO:.0f} per message is the most there is)",
        f">= {TARGET_RATIO:.0f}: every status applied as it comes (>= {KEEPS_UP:.0%} of those due)",
        "met" if e["applied_of_due"] >= KEEPS_UP else "not met")
    if "drain_s" in e:
        drain = f"{e['drain_s']:.2f} s after the last send's answer"
        if not e["drain_done"]:
            drain += f" (statuses still on their way after {DRAIN_TIMEOUT_S} s)"
    else:
        drain = "n/a (no event applied)"
    row(f"{label}: the last status applied", drain)
    not_read = e["not_read"]
    others = ", ".join(f"{k} {v:,}" for k, v in sorted(e["message_statuses"].items())
                       if k != "read")
    row(f"{label}: messages not read once the statuses drained (at most {DRAIN_TIMEOUT_S} s)",
        f"{not_read:,} of {e['messages_in_db']:,}" + (f" ({others})" if not_read else ""),
        "0", "met" if not_read == 0 else "not met")
    problems = ", ".join(f"{k} {v:,}" for k, v in e["fake_problems"].items())
    row(f"{label}: fake-graph's webhooks refused / unanswered / retried / failed / dropped",
        problems or "none", "none", "met" if not problems else "not met")
