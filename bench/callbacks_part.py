"""The callbacks part of bench/run.py: callbacks to the caller while the end-to-end load runs.

A domain with [domains.callbacks] gets every change of its messages' statuses POSTed to its URL,
signed per the Standard Webhooks specification (docs/webhooks.md, "Callbacks to your system"):
`accepted` when the send's outcome is recorded, then `sent`, `delivered` and `read` as Meta's
status webhooks report them. This part runs the e2e-webhooks run again (the end-to-end load at
0 ms, fake-graph posting the three signed statuses of each send; bench/webhooks_part.py) with
the domain's callbacks pointed at bench/beast_ceiling (`--answer ok`: 200 at once, counting the
requests it answers, GET /_ceiling/stats), so each message makes four callbacks and the
callback path runs at four times the delivered rate: the claim under a lease, the post, the
record of its outcome, and the ordering of one message's callbacks (the next one only once the
one before is delivered). Without the status webhooks a message makes one callback (accepted)
and that ordering never comes into play.

Figures (docs/benchmarks.md, "How it is measured"):
  - callbacks delivered per second during the load window (the receiver's count at the
    window's start and end), and over the delivered msg/s;
  - callbacks per message: the receiver's count once they drained, over the messages
    (4: accepted, sent, delivered, read; more would be repeats, fewer lost ones);
  - the drain: how long after the last send's answer (and after the last status was applied)
    the receiver got the last callback, waiting at most DRAIN_TIMEOUT_S;
  - retries and failures: the gateway's socialgate_callbacks_total{outcome} (GET /metrics)
    over the run, and its callbacks table (read-only) once it stopped;
  - the gateway's CPU per delivered message until the last callback was delivered, beside the
    plain 0 ms run's and the e2e-webhooks run's of the same run (when they ran).

The harness's helpers are run.py's, handed in as the module `h` (as bench/kannel_part.py does).
Standard library only.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import textwrap
import threading
import time
import urllib.request

import webhooks_part

RECEIVER_PATH = "/callbacks"
RECEIVER_ANSWER = "ok"  # beast_ceiling --answer: 200 text/plain
STATS_PATH = "/_ceiling/stats"
# accepted (the send's outcome), then sent, delivered and read from Meta's status webhooks.
CALLBACKS_PER_MESSAGE = 1 + webhooks_part.STATUSES_PER_MESSAGE
DRAIN_TIMEOUT_S = 60  # after the statuses drained
SETTLE_TIMEOUT_S = 10  # the warm-up message's callbacks, before the load
POLL_S = 0.25
SAMPLE_S = 0.5
OUTCOMES = ("delivered", "retry", "failed")
METRIC = re.compile(r'^socialgate_callbacks_total\{outcome="(\w+)"\}\s+([0-9.e+]+)\s*$', re.M)
PENDING = "SELECT count(*) FROM callbacks WHERE state = 'pending'"
DELIVERED = "SELECT count(*) FROM callbacks WHERE state = 'delivered'"


def log(message: str) -> None:
    webhooks_part.log(message)


def settings(only: str) -> str:
    """The part's settings for the markdown's load generator line ("" when it did not run)."""
    if "callbacks" not in [p.strip() for p in only.split(",")]:
        return ""
    return ("; the 0 ms run with status webhooks again, with the domain's callbacks to a "
            "receiver answering 200 at once")


# The part's paragraph of the markdown's "How it is measured".
HOW_MEASURED = textwrap.fill(
    f"**callbacks to the caller** (`callbacks`): the e2e-webhooks run again (the end-to-end "
    f"load at 0 ms with fake-graph's signed `sent`, `delivered` and `read` statuses), with the "
    f"domain's `[domains.callbacks]` pointed at `bench/beast_ceiling --answer "
    f"{RECEIVER_ANSWER}` (200 at once; it counts the requests it answers, `GET "
    f"{STATS_PATH}`) and a random `whsec_` secret in a file of the run directory: each message "
    f"makes {CALLBACKS_PER_MESSAGE} callbacks (`accepted`, then one per status), so the callback "
    f"path (claim under a lease, signed POST, outcome recorded, a message's next callback only "
    f"once the one before was delivered) runs at {CALLBACKS_PER_MESSAGE} times the delivered "
    f"rate. Without the statuses a message makes one callback and the ordering never comes "
    f"into play. Delivered/s: the receiver's count at the load window's end (every message "
    f"seen delivered) less at its start (after the warm-up message's callbacks), over the "
    f"window. Per message: the receiver's count once the callbacks drained, over the messages "
    f"({CALLBACKS_PER_MESSAGE} is right; more are repeats, fewer lost). The last callback: the "
    f"receiver's latest request after the last send's answer and after the last status was "
    f"applied, once the gateway's `callbacks` table has none pending (at most "
    f"{DRAIN_TIMEOUT_S} s after the statuses drained), and the rate of those received after "
    f"the window's end (the path once sends no longer compete for the database's writer). "
    f"Retries and failures: "
    f"`socialgate_callbacks_total` by outcome (`GET /metrics`) over the run, and the callbacks "
    f"left pending or failed in the table (read-only) once the gateway stopped. The gateway's "
    f"CPU per delivered message runs until the last callback was delivered, beside the plain "
    f"0 ms run's and the e2e-webhooks run's of the same run.",
    width=95, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False,
    break_long_words=False) + "\n"


class CallbackBenchError(webhooks_part.WebhookBenchError):
    """A callback measurement that could not be made."""


def receiver_stats(receiver: str) -> dict:
    """beast_ceiling's {"requests", "first_unix_us", "last_unix_us"}."""
    return webhooks_part._get_json(receiver + STATS_PATH)


def callback_metrics(gateway: str) -> dict[str, int]:
    """socialgate_callbacks_total by outcome, from the gateway's GET /metrics."""
    try:
        with urllib.request.urlopen(gateway + "/metrics", timeout=10) as response:
            text = response.read().decode(errors="replace")
    except OSError as e:
        raise CallbackBenchError(f"GET {gateway}/metrics: {e}") from e
    out = {k: 0 for k in OUTCOMES}
    for outcome, value in METRIC.findall(text):
        out[outcome] = int(float(value))
    return out


class CallbackRun(webhooks_part.StatusWebhooks):
    """The e2e-webhooks run with the domain's callbacks on: run.py's run_e2e_one drives it as
    it drives the status webhooks (the same hooks), and the callback figures join the run's."""

    def __init__(self, run_dir: str, receiver: str):
        super().__init__(run_dir, name="e2e-callbacks-0ms")
        self.receiver = receiver
        self.receiver_url = receiver + RECEIVER_PATH
        self.secret_file = os.path.join(run_dir, self.name + ".callback-secret")
        fd = os.open(self.secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        self.gateway = "http://" + self.listen
        self.cb_start: dict = {}
        self.cb_end: dict = {}
        self.cb_drained: dict = {}
        self.cb_final: dict = {}
        self.cb_series: list[tuple[float, int, int]] = []  # (t, received, pending)
        self._cb_stop = threading.Event()
        self._cb_thread: threading.Thread | None = None

    def describe(self) -> str:
        return super().describe() + f", the domain's callbacks to {self.receiver_url}"

    def config_text(self) -> str:
        # [domains.callbacks] after [webhooks.meta]: a sub-table of the last [[domains]].
        return (super().config_text()
                + f"\n# bench/run.py, part callbacks: the domain's callbacks to a receiver.\n"
                  f"[domains.callbacks]\n"
                  f"url = \"{self.receiver_url}\"\n"
                  f"secret_file = \"{self.secret_file}\"\n")

    def _cb_sample(self) -> dict:
        stats = receiver_stats(self.receiver)
        return {"received": stats["requests"], "last_unix_us": stats["last_unix_us"],
                "at": time.time(), "pending": webhooks_part.count(self.db_path, PENDING),
                "metrics": callback_metrics(self.gateway)}

    def before_load(self, fake_url: str, db_path: str) -> None:
        """The statuses' wait, then (bounded) until the warm-up message's callbacks are
        delivered; then the receiver's count and the gateway's counters."""
        super().before_load(fake_url, db_path)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            pending = webhooks_part.count(db_path, PENDING)
            if pending == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.cb_start = self._cb_sample()
        if pending:
            log(f"  WARNING: the warm-up message's callbacks were not all delivered within "
                f"{SETTLE_TIMEOUT_S} s: {pending} pending")

    def start_sampling(self, fake_url: str, t0: float) -> None:
        super().start_sampling(fake_url, t0)

        def run():
            while not self._cb_stop.wait(SAMPLE_S):
                try:
                    received = receiver_stats(self.receiver)["requests"]
                    pending = webhooks_part.count(self.db_path, PENDING)
                except webhooks_part.WebhookBenchError:
                    continue
                self.cb_series.append((round(time.time() - t0, 2), received, pending))

        self._cb_thread = threading.Thread(target=run, daemon=True)
        self._cb_thread.start()

    def stop_sampling(self) -> None:
        super().stop_sampling()
        self._cb_stop.set()
        if self._cb_thread is not None:
            self._cb_thread.join(timeout=10)

    def at_load_end(self, fake_url: str, at: float) -> None:
        super().at_load_end(fake_url, at)
        self.cb_end = self._cb_sample()

    def drain(self, fake_url: str, check_running) -> None:
        """The statuses' drain, then (at most DRAIN_TIMEOUT_S) until no callback is pending."""
        super().drain(fake_url, check_running)
        started = time.monotonic()
        deadline = started + DRAIN_TIMEOUT_S
        while True:
            check_running()
            pending = webhooks_part.count(self.db_path, PENDING)
            if pending == 0 or time.monotonic() > deadline:
                break
            time.sleep(POLL_S)
        self.cb_drained = dict(self._cb_sample(), done=pending == 0,
                               waited_s=round(time.monotonic() - started, 1))
        if pending:
            log(f"  WARNING: {pending} callbacks still pending {DRAIN_TIMEOUT_S} s after the "
                f"statuses drained")

    def read_db(self) -> None:
        super().read_db()
        states = dict(webhooks_part.query(self.db_path,
                                          "SELECT state, count(*) FROM callbacks GROUP BY 1"))
        (retried, most, attempts, last_finished), = webhooks_part.query(
            self.db_path, "SELECT count(*) FILTER (WHERE attempts > 1), max(attempts), "
                          "sum(attempts), max(finished_at) FROM callbacks")
        by_status = dict(webhooks_part.query(
            self.db_path, "SELECT status, count(*) FROM callbacks GROUP BY 1"))
        self.cb_final = {"states": states, "retried": retried or 0, "max_attempts": most or 0,
                         "attempts": attempts or 0, "last_finished_ms": last_finished,
                         "by_status": by_status}

    def figures(self, e: dict, answers_ms: list[int]) -> dict:
        out = super().figures(e, answers_ms)
        s, n, d, f = self.cb_start, self.cb_end, self.cb_drained, self.cb_final
        window = max(n["at"] - e["t0"], 1e-3)
        during = n["received"] - s["received"]
        total = d["received"] - s["received"]
        messages = e["delivered"]
        metrics = {k: d["metrics"][k] - s["metrics"][k] for k in OUTCOMES}
        cb = {
            "callbacks_during": during, "callbacks_seconds": round(window, 2),
            "callbacks_rate": during / window,
            "callbacks_ratio": during / window / e["rate"] if e["rate"] else 0.0,
            "callbacks_total": total,
            "callbacks_per_message": total / messages if messages else 0.0,
            "callbacks_pending_at_load_end": n["pending"],
            "callbacks_drain_done": d.get("done", False),
            "callbacks_pending_left": f["states"].get("pending", 0),
            "callbacks_failed": f["states"].get("failed", 0),
            "callbacks_states": f["states"], "callbacks_by_status": f["by_status"],
            "callbacks_retried": f["retried"], "callbacks_max_attempts": f["max_attempts"],
            "callbacks_attempts": f["attempts"],
            "callbacks_metrics": metrics,
            "callbacks_samples": self.cb_series,
        }
        if d["received"] > s["received"] and d["last_unix_us"]:
            last = d["last_unix_us"] / 1e6
            cb["callbacks_drain_s"] = round(last - e["load_end"], 2)
            # The rate of the callbacks still pending when the load ended, once it had: what
            # the path does when the sends no longer compete for the writer.
            after = d["received"] - n["received"]
            if after > 0 and last > n["at"]:
                cb["callbacks_after_load"] = after
                cb["callbacks_after_load_rate"] = after / (last - n["at"])
            if self.final.get("last_applied_ms"):
                cb["callbacks_after_statuses_s"] = round(
                    last - self.final["last_applied_ms"] / 1000.0, 2)
        if self.cb_series:
            cb["callbacks_pending_max"] = max(p for _, _, p in self.cb_series)
            cb["callbacks_pending_mean"] = round(
                sum(p for _, _, p in self.cb_series) / len(self.cb_series), 1)
        log(f"  callbacks: {during:,} delivered to the receiver in {window:.1f} s = "
            f"{cb['callbacks_rate']:,.0f}/s = {cb['callbacks_ratio']:.2f} x the delivered "
            f"{e['rate']:,.0f} msg/s; {total:,} in all = {cb['callbacks_per_message']:.2f} per "
            f"message (of {messages:,}); {n['pending']:,} pending at the load's end, at most "
            f"{cb.get('callbacks_pending_max', 'n/a')} during it; the last "
            f"{cb.get('callbacks_drain_s', 'n/a')} s after the last send's answer "
            f"({cb.get('callbacks_after_statuses_s', 'n/a')} s after the last status applied; "
            f"{cb.get('callbacks_after_load_rate', 0):,.0f}/s after the load's end); "
            f"metrics {metrics}; table {f['states']}, {f['retried']} retried, at most "
            f"{f['max_attempts']} attempts")
        out.update(cb)
        return out


def run(h, args, run_dir: str, config: dict, results: dict) -> None:
    """The part: the e2e-webhooks run with callbacks on; its figures into results["callbacks"]."""
    receiver = None
    try:
        receiver, base = h.start_ceiling(run_dir, "callbacks-receiver",
                                         ["--answer", RECEIVER_ANSWER])
        hooks = CallbackRun(run_dir, base)
        r = h.run_e2e_one(args, run_dir, config, 0, webhooks=hooks)
    except (h.BenchError, webhooks_part.WebhookBenchError) as e:
        log(f"  FAILED: {e}")
        r = {"latency_ms": 0, "error": str(e)}
    finally:
        if receiver is not None:
            receiver.stop()
    results["callbacks"] = r


def rows(row, results: dict, e2e_rows) -> None:
    """The part's rows: the run's end-to-end rows (CPU beside the plain and e2e-webhooks runs'),
    then the callback figures."""
    if "callbacks_error" in results:
        row("end to end with callbacks", "n/a", "", error=results["callbacks_error"])
    e = results.get("callbacks")
    if e is None:
        return
    label = "end to end with status webhooks and callbacks, upstream 0 ms"
    note = ""
    if "cpu_us_per_message_drained" in e:
        note += f"; {e['cpu_us_per_message_drained']:,.0f} us until the last callback"
    plain = [p for p in results.get("e2e", [])
             if p.get("latency_ms") == 0 and "cpu_us_per_message" in p]
    if plain:
        note += f"; plain end to end, same run: {plain[0]['cpu_us_per_message']:,.0f} us"
    hooks = results.get("e2e_webhooks") or {}
    if "cpu_us_per_message_drained" in hooks:
        note += (f"; with status webhooks and no callbacks, same run: "
                 f"{hooks['cpu_us_per_message']:,.0f} us ({hooks['cpu_us_per_message_drained']:,.0f}"
                 f" until the last status)")
    e2e_rows(row, label, e, None, note)
    if "error" in e:
        return
    row(f"{label}: callbacks delivered/s (during the load)",
        f"{e['callbacks_rate']:,.0f}/s ({e['callbacks_during']:,} in "
        f"{e['callbacks_seconds']:.1f} s) = {e['callbacks_ratio']:.2f} x delivered msg/s; "
        f"{e['callbacks_pending_at_load_end']:,} pending at the load's end"
        + (f", at most {e['callbacks_pending_max']:,} during it"
           if "callbacks_pending_max" in e else ""))
    per = e["callbacks_per_message"]
    row(f"{label}: callbacks per message (accepted, sent, delivered, read)",
        f"{per:.2f} ({e['callbacks_total']:,} for {e['delivered']:,} messages)",
        f"{CALLBACKS_PER_MESSAGE}", "met" if e["callbacks_total"] == CALLBACKS_PER_MESSAGE
        * e["delivered"] else "not met")
    if "callbacks_drain_s" in e:
        drain = f"{e['callbacks_drain_s']:.2f} s after the last send's answer"
        if "callbacks_after_statuses_s" in e:
            drain += f", {e['callbacks_after_statuses_s']:.2f} s after the last status applied"
        if "callbacks_after_load_rate" in e:
            drain += (f"; the {e['callbacks_after_load']:,} received after the load's end came "
                      f"at {e['callbacks_after_load_rate']:,.0f}/s")
        if not e["callbacks_drain_done"]:
            drain += f" (callbacks still pending after {DRAIN_TIMEOUT_S} s)"
    else:
        drain = "n/a (no callback received)"
    row(f"{label}: the last callback", drain)
    m = e["callbacks_metrics"]
    problems = {"retries": m.get("retry", 0), "given up": m.get("failed", 0),
                "pending left": e["callbacks_pending_left"],
                "failed in the table": e["callbacks_failed"]}
    shown = ", ".join(f"{k} {v:,}" for k, v in problems.items() if v)
    row(f"{label}: callback retries / given up / left pending",
        shown or "none", "none", "met" if not shown else "not met")
