"""The million part of bench/run.py: size and time to a million stored messages (issue 21, 4).

A gateway on SQLite (bench/gateway.toml, ack = "stored") with twenty meta numbers at 1,000/s
each (the template's ten and ten more like them, so Meta's per-number limit is not what caps the
run) delivering to tools/fake-graph answering at once. wrk (bench/e2e.lua) stores
--million-messages messages (1,000,000) through the HTTP API, each to another customer, while
the gateway delivers them. Figures (docs/benchmarks.md, "How it is measured"):
  - the time to store them all (the last answer wrk had) and to deliver them all (fake-graph's
    count of accepted sends reaching the gateway's count of accepted messages);
  - the database's size per message: the main file + WAL while the gateway runs, and the main
    file alone once it has stopped (its last connection checkpoints the WAL into it and
    removes it), with what the tables and indexes take (SQLite's dbstat);
  - the gateway's peak RSS while storing and delivering, its RSS afterwards, its CPU per message;
  - then, at that size, the message list (GET /livechat/{domain}/messages, a filtered page) and
    the status query (GET /livechat/{domain}/messages/{messageId}) under wrk (bench/paths.lua,
    requests chosen from rows sampled read-only from the database): p50 and p99.
The same is first done with 10,000 messages on a fresh gateway and database, so the table shows
what grows with the number of stored messages and what does not.

Every wait is bounded: storing and delivering by a floor rate (FLOOR_RATE messages/s; a run cut
by it is reported as not finished, with its counts), each query load by its duration. A failure
becomes a FAILED row. The harness's helpers (Child, start_gateway, E2eLoad, run_wrk, RssSampler,
BenchError, ...) are run.py's, handed in as the module `h`, so the children started here are
stopped with the others whatever happens. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import signal
import sqlite3
import textwrap
import time
import tomllib
import urllib.parse
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
PATHS_SCRIPT = os.path.join(BENCH, "paths.lua")

DEFAULT_MESSAGES = 1_000_000
SMALL_MESSAGES = 10_000  # the comparison: the same figures at this size
META_NUMBERS = 20        # the template's meta numbers and more like them, up to this many
NUMBER_RATE = 1000       # each added number's messages_per_second (Meta's top tier)
# Storing and delivering get 30 s + messages / FLOOR_RATE (1,000,000: 280 s): slower than that
# and the run is cut and reported as not finished.
FLOOR_RATE = 4000
BOUND_BASE_S = 30
POLL_S = 0.1
SAMPLE_ROWS = 2000       # messages sampled for the queries' ids, customers and times
PAGE_LIMIT = 50          # the list's page size in the queries
QUERY_CONNECTIONS = 8
QUERY_MAX_SECONDS = 5    # each query load: min(--duration, this)
QUERY_TIMEOUT_S = 10     # wrk's --timeout for the queries
DBSTAT_TIMEOUT_S = 30
# "Stays within its p99": p99 at the full size at most this many times its p99 at 10,000, or
# at most TARGET_P99_MS (issue 21's p99 bar for ingest), whichever is higher: a query of a
# millisecond or two has a p99 that moves several times over with the shared machine's load.
TARGET_P99_GROWTH = 2.0
TARGET_P99_MS = 10.0

# The queries, each a wrk load of its own, in this order: (key, label, the request paths' key,
# connections, the key of a query loaded at the same time or None). The status filter matching
# nothing (`failed`: the failed messages are read through their own partial index, migration
# 14; before it, such a page read every message of the domain) gets two
# connections, so its latency is the query's and not the wait for one of the gateway's workers.
# The last load measures the status query while such pages run: the SQLite engine's reads have
# read connections of their own (store/sqlite/reader_pool.hpp), and before them a page that
# scanned held up every other read and write behind the writer's mutex.
SCAN_CONNECTIONS = 2
QUERIES = (
    ("status", "status query, GET .../messages/{messageId} (a random stored message)",
     "status", QUERY_CONNECTIONS, None),
    ("by_number", f"list, a page of {PAGE_LIMIT} by business number (servicePhoneNumber)",
     "by_number", QUERY_CONNECTIONS, None),
    ("by_customer", f"list, a page of {PAGE_LIMIT} by customer (customerPhoneNumber)",
     "by_customer", QUERY_CONNECTIONS, None),
    ("by_time", f"list, a page of {PAGE_LIMIT} in a 1-second window (from, to)",
     "by_time", QUERY_CONNECTIONS, None),
    ("by_status_none", f"list, a page of {PAGE_LIMIT} by a status no message has "
                       f"(status=failed, {SCAN_CONNECTIONS} connections)",
     "by_status_none", SCAN_CONNECTIONS, None),
    ("status_during_scan", f"status query while the status=failed pages run "
                           f"({SCAN_CONNECTIONS} connections beside)",
     "status", QUERY_CONNECTIONS, "by_status_none"),
)


def settings(args) -> str:
    """The part's settings for the markdown's load generator line ("" when it did not run)."""
    if "million" not in [p.strip() for p in args.only.split(",")]:
        return ""
    return (f"; million: {args.million_messages:,} messages stored and delivered (and "
            f"{SMALL_MESSAGES:,} on a fresh gateway), {META_NUMBERS} meta numbers, queries with "
            f"{QUERY_CONNECTIONS} connections (2 for the full scan) for min(duration, "
            f"{QUERY_MAX_SECONDS} s) each")


# The part's paragraph of the markdown's "How it is measured".
HOW_MEASURED = textwrap.fill(
    f"**million** (issue 21, size and time to a million): a fresh gateway on SQLite "
    f"(`bench/gateway.toml`, ack = \"stored\", a new database under `build/bench-run/`) whose "
    f"meta numbers are the template's (more like them are added up to {META_NUMBERS}) at "
    f"{NUMBER_RATE:,}/s each, so the per-number limit is not what caps the run, all pointing at one "
    f"`tools/fake-graph` answering at once. wrk (`bench/e2e.lua`, the end-to-end load) stores "
    f"`--million-messages` messages (1,000,000) round-robin over the numbers, each to another "
    f"customer, while the gateway delivers them. Stored = the time from the first request to "
    f"wrk's last answer; delivered = the time from the first request until fake-graph had "
    f"accepted as many sends as the gateway accepted messages (polled every {POLL_S:g} s). "
    f"Both are bounded ({BOUND_BASE_S} s + messages / {FLOOR_RATE:,}) and reported as not "
    f"finished when cut. Database size per message: the main file + WAL while the gateway runs "
    f"(after delivery; its checkpointer copies the WAL back without stopping, so the WAL is "
    f"whatever it holds then), and the main file alone once the gateway has stopped (its last "
    f"connection checkpoints and removes the WAL), over the messages stored; the tables' and "
    f"indexes' shares come from SQLite's `dbstat`. RSS: the gateway's peak while storing and "
    f"delivering (VmHWM reset at the start, as for the memory rows) and its RSS after the "
    f"queries. CPU per message: the gateway's user + system time over storing and delivering, "
    f"per message delivered. Then, at that size and with nothing else running, each query gets "
    f"wrk (`bench/paths.lua`, {QUERY_CONNECTIONS} connections, {SCAN_CONNECTIONS} for the "
    f"status filter that matches nothing, min(`--duration`, {QUERY_MAX_SECONDS} s)) with requests built from {SAMPLE_ROWS:,} messages sampled at "
    f"random from the database (read-only): the status query of a random message; the list "
    f"filtered by one of the business numbers, by a customer, by a 1-second window of creation "
    f"times, and by a status no message has (`failed`: every message was accepted), pages of "
    f"{PAGE_LIMIT}; last, the status query again while the status filter's pages run beside "
    f"it (what a read waits for behind such pages). p50 and p99 are wrk's. The same is done first with {SMALL_MESSAGES:,} "
    f"messages on a fresh gateway and database; a query \"stays within its p99\" when its p99 "
    f"at the full size is at most {TARGET_P99_GROWTH:g} times its p99 at {SMALL_MESSAGES:,}, "
    f"or at most {TARGET_P99_MS:g} ms (issue 21's p99 bar; the p99 of a query of a millisecond "
    f"moves several times over with a shared machine's load). "
    f"What grows with the number of stored messages is what the last row's factors say: the "
    f"database (linearly: rows and index entries per message), and any query that reads the "
    f"domain's index until a page is full when few or no messages match (the status filter "
    f"matching none reads all of them, and everything waits behind it); the status query (a "
    f"primary-key lookup) and the pages that an index serves directly (customer, time window) "
    f"or that match often (a business number among {META_NUMBERS}) do not; the WAL is bounded "
    f"by the checkpointer, and the RSS grows only until SQLite's page caches are full.",
    width=95, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False,
    break_long_words=False) + "\n"


class MillionError(Exception):
    """A measurement of this part that could not be made."""


# --------------------------------------------------------------------------------------------
# The configuration


def extra_number(index: int, fake_url: str) -> str:
    """The TOML of the meta number `index` (10, 11, ...) beyond the template's."""
    return f"""
  [[domains.numbers]]
  phone = "39021241226{index:02d}"
  provider = "meta"
  messages_per_second = {NUMBER_RATE}
  [domains.numbers.meta]
  phone_number_id = "1000000000000{index:02d}"
  base_url = "{fake_url}"
  access_token_file = "{os.path.join(BENCH, 'fake-graph.token')}"
"""


def config_file(h, run_dir: str, fake_url: str, config: dict) -> tuple[str, dict]:
    """The end-to-end run's copy of the template (run.py's e2e_config_file) with meta numbers
    added up to META_NUMBERS, before its first table after the domains ([example]): its path
    and the configuration parsed."""
    template_meta = len(h.meta_numbers(config))
    path = h.e2e_config_file(run_dir, "million", fake_url, template_meta)
    with open(path) as f:
        text = f.read()
    m = re.search(r"^\[example\]", text, re.M)
    if not m:
        raise MillionError(f"{h.TEMPLATE}: no [example] table to add the meta numbers before")
    added = "".join(extra_number(i, fake_url) for i in range(template_meta, META_NUMBERS))
    text = text[:m.start()] + added.lstrip("\n") + "\n" + text[m.start():]
    with open(path, "w") as f:
        f.write(text)
    parsed = tomllib.loads(text)
    count = len(h.meta_numbers(parsed))
    if count < META_NUMBERS:
        raise MillionError(f"{path}: {count} meta numbers, not {META_NUMBERS}")
    return path, parsed


# --------------------------------------------------------------------------------------------
# The database, read-only


def connect(db_path: str, immutable: bool = False) -> sqlite3.Connection:
    """Read-only; `immutable` once the gateway has stopped (no locks, no WAL to read)."""
    mode = "immutable=1" if immutable else "mode=ro"
    return sqlite3.connect(f"file:{urllib.request.pathname2url(db_path)}?{mode}", uri=True,
                           timeout=10)


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def counts(db_path: str) -> dict:
    """How many messages (by status) and status events the database holds."""
    con = connect(db_path)
    try:
        statuses = dict(con.execute(
            "SELECT status, count(*) FROM messages GROUP BY status").fetchall())
        events = con.execute("SELECT count(*) FROM message_events").fetchone()[0]
    finally:
        con.close()
    return {"stored": sum(statuses.values()), "statuses": statuses, "events": events}


def sample_rows(db_path: str, rows: int) -> list[tuple[str, str, int]]:
    """(id, customer_phone, created_at ms) of up to `rows` messages chosen at random."""
    con = connect(db_path)
    try:
        top = con.execute("SELECT max(rowid) FROM messages").fetchone()[0] or 0
        chosen = random.Random(21).sample(range(1, top + 1), min(rows, top))
        out = []
        for i in range(0, len(chosen), 500):
            part = chosen[i:i + 500]
            out += con.execute(
                "SELECT id, customer_phone, created_at FROM messages WHERE rowid IN ("
                + ",".join("?" * len(part)) + ")", part).fetchall()
    finally:
        con.close()
    if not out:
        raise MillionError(f"{db_path}: no messages to query")
    return out


def breakdown(db_path: str) -> list[tuple[str, int]]:
    """(table or index, bytes) of the stopped gateway's database, the largest first (dbstat;
    [] when this SQLite lacks it or it takes longer than DBSTAT_TIMEOUT_S)."""
    deadline = time.monotonic() + DBSTAT_TIMEOUT_S
    try:
        con = connect(db_path, immutable=True)
        try:
            con.set_progress_handler(lambda: time.monotonic() > deadline, 100_000)
            return [(name, int(size)) for name, size in con.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")]
        finally:
            con.close()
    except sqlite3.Error:
        return []


# --------------------------------------------------------------------------------------------
# One gateway: store, deliver, measure, query


def store_and_deliver(h, args, run_dir: str, name: str, gateway, base: str, auth: str,
                      phones: list[str], fake_url: str, messages: int) -> dict:
    """wrk stores `messages` messages while the gateway delivers them, both bounded; the times,
    counts, peak RSS and CPU per message."""
    bound = BOUND_BASE_S + messages / FLOOR_RATE
    load_args = argparse.Namespace(**vars(args))
    load_args.e2e_timeout = int(bound) + 1  # e2e.lua's wrk -d: no longer than the whole bound
    cpu_before = h.cpu_seconds(gateway.pid)
    t0 = time.time()
    load = h.E2eLoad(load_args, run_dir, name, base, auth, phones, messages, 0, args.threads,
                     args.connections)
    sampler = None
    delivered_at = None
    delivered = 0
    try:
        sampler = h.RssSampler(gateway.pid)  # after the last child (see run.py _die_with_parent)
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            load.poll()
            delivered = h.http_json("GET", fake_url + "/_fake/stats",
                                    timeout=10)["messages_accepted"]
            if load.accepted is not None and delivered >= load.accepted:
                delivered_at = time.time()
                break
            if not gateway.running():
                raise MillionError(f"{gateway.name} exited during the run: "
                                   f"{gateway.stderr_tail()}")
            time.sleep(POLL_S)
        cpu = h.cpu_seconds(gateway.pid) - cpu_before
        peak = sampler.stop()
        wrk = load.finish()
    finally:
        if sampler is not None:
            sampler.stop()
        load.wrk.stop(timeout=10, sig=signal.SIGINT)
    stored_s = load.submitted_at - t0 if load.submitted_at is not None else None
    finished = (stored_s is not None and delivered_at is not None
                and wrk["accepted"] >= messages)
    out = {"messages": messages, "accepted": wrk["accepted"], "refused": wrk["refused"],
           "non2xx": wrk["non2xx"], "socket_errors": wrk["socket_errors"],
           "socket_detail": wrk["socket_detail"], "delivered": delivered,
           "finished": finished, "bound_s": round(bound),
           "stored_s": stored_s, "store_rate": wrk["accepted"] / stored_s if stored_s else None,
           "delivered_s": (delivered_at or time.time()) - t0, "peak_rss_mb": peak}
    out["deliver_rate"] = delivered / out["delivered_s"]
    if delivered > 0:
        out["cpu_us_per_message"] = round(cpu * 1e6 / delivered, 1)
    return out


def query_paths(domain: str, phones: list[str], rows: list[tuple[str, str, int]]) -> dict:
    """Each query's request paths, shuffled."""
    prefix = f"/livechat/{urllib.parse.quote(domain)}/messages"
    rng = random.Random(2026)

    def at(ms: int) -> str:
        return datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc) \
            .strftime("%Y-%m-%dT%H:%M:%SZ")

    limit = f"limit={PAGE_LIMIT}"
    paths = {
        "status": [f"{prefix}/{urllib.parse.quote(i)}" for i, _, _ in rows],
        "by_number": [f"{prefix}?servicePhoneNumber={p}&{limit}" for p in phones],
        "by_customer": [f"{prefix}?customerPhoneNumber={c}&{limit}" for _, c, _ in rows],
        "by_time": [f"{prefix}?from={at(ms)}&to={at(ms + 1000)}&{limit}" for _, _, ms in rows],
        "by_status_none": [f"{prefix}?status=failed&{limit}"],
    }
    for v in paths.values():
        rng.shuffle(v)
    return paths


def run_queries(h, args, run_dir: str, name: str, gateway, base: str, auth: str, paths: dict,
                failed: int) -> dict:
    """Each query under wrk, one after the other: its parsed figures, or {"error": ...}.
    `failed`: how many messages failed (the status filter's loads assume none)."""
    seconds = min(args.duration, QUERY_MAX_SECONDS)
    by_key = {q[0]: q for q in QUERIES}

    def wrk_load(key: str, what: str) -> tuple[str, list[str]]:
        _, _, paths_key, connections, _ = by_key[key]
        path_file = os.path.join(run_dir, f"{name}-{paths_key}.paths")
        with open(path_file, "w") as f:
            f.write("\n".join(paths[paths_key]) + "\n")
        return (f"wrk-{name}-{what}",
                h.wrk_argv(args, PATHS_SCRIPT, base + paths[paths_key][0], auth, seconds,
                           connections, QUERY_TIMEOUT_S, [path_file],
                           threads=min(args.threads, connections)))

    out = {}
    for key, _, _, _, beside in QUERIES:
        if failed and "by_status_none" in (key, beside):
            out[key] = {"error": f"{failed:,} messages failed: status=failed matches some"}
            continue
        loads = [wrk_load(key, key)] + ([wrk_load(beside, key + "-beside")] if beside else [])
        try:
            r = h.run_wrks(run_dir, loads, seconds, [])[0][0]
        except h.BenchError as e:
            r = {"error": str(e)}
        if not gateway.running():
            raise MillionError(f"{gateway.name} exited during the {key} query: "
                               f"{gateway.stderr_tail()}")
        out[key] = r
        if "error" in r:
            h.log(f"  {key}: FAILED: {r['error']}")
        else:
            h.log(f"  {key}: {r['rps']:.0f} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                  f"non-2xx {r['non2xx']}, socket errors {r['socket_errors']}")
    return out


def one_gateway(h, args, run_dir: str, name: str, messages: int, config_path: str,
                config: dict, fake_url: str) -> dict:
    """A fresh gateway and database: `messages` stored and delivered, then measured."""
    h.log(f"  -- {messages:,} messages on a fresh gateway ({name})")
    numbers = h.meta_numbers(config)
    phones = [n["phone"] for n in numbers]
    auth = h.basic_auth(config)
    domain = config["domains"][0]["name"]
    h.http_json("DELETE", fake_url + "/_fake/requests")  # counts from 0
    gateway, base = h.start_gateway(args, "gateway-" + name, run_dir, config_path)
    db = h.gateway_db(run_dir, gateway.name)
    try:
        time.sleep(1.0)
        idle = h.rss_mb(gateway.pid)
        h.warm_up([(gateway, base)], fake_url, auth, numbers, name)
        r = store_and_deliver(h, args, run_dir, name, gateway, base, auth, phones, fake_url,
                              messages)
        r["idle_rss_mb"] = idle
        h.log(f"  {'finished' if r['finished'] else 'NOT finished'}: stored "
              f"{r['accepted']:,} of {messages:,} in "
              f"{fmt_s(r['stored_s'])}, "
              f"delivered {r['delivered']:,} in {r['delivered_s']:.1f} s "
              f"({r['deliver_rate']:.0f} msg/s); refused {r['refused']}, non-2xx "
              f"{r['non2xx']}; peak RSS {r['peak_rss_mb']:.1f} MB; CPU "
              f"{r.get('cpu_us_per_message')} us/message")
        r.update(counts(db))
        r["main_bytes_running"] = file_size(db)
        r["wal_bytes_running"] = file_size(db + "-wal")
        h.log(f"  database while running: main {r['main_bytes_running'] / 1e6:.1f} MB + WAL "
              f"{r['wal_bytes_running'] / 1e6:.1f} MB for {r['stored']:,} messages "
              f"({r['events']:,} events; {r['statuses']})")
        paths = query_paths(domain, phones, sample_rows(db, SAMPLE_ROWS))
        r["queries"] = run_queries(h, args, run_dir, name, gateway, base, auth, paths,
                                   r["statuses"].get("failed", 0))
        r["rss_after_mb"] = h.rss_mb(gateway.pid)
        gateway.stop()
        r["main_bytes_stopped"] = file_size(db)
        r["wal_bytes_stopped"] = file_size(db + "-wal")
        r["breakdown"] = breakdown(db)
        h.log(f"  database once stopped: main {r['main_bytes_stopped'] / 1e6:.1f} MB + WAL "
              f"{r['wal_bytes_stopped'] / 1e6:.1f} MB; largest: "
              + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in r["breakdown"][:6]))
    finally:
        gateway.stop()
        h.remove_db(run_dir, gateway.name, args.keep_db)
    return r


def run(h, args, run_dir: str, results: dict) -> None:
    """The part: results["million"] ({"small": ..., "large": ...} as far as it got), and
    results["million_error"] when a measurement failed."""
    messages = args.million_messages
    h.log(f"== million: {messages:,} messages stored and delivered on SQLite ({META_NUMBERS} "
          f"meta numbers, fake-graph at 0 ms), then the list and status queries at that size"
          + (f" and at {SMALL_MESSAGES:,}" if messages > SMALL_MESSAGES else ""))
    out = results["million"] = {"messages": messages, "small_messages": SMALL_MESSAGES}
    fake = None
    try:
        config = h.load_template()
        token_file = h.meta_numbers(config)[0]["meta"]["access_token_file"]
        with open(os.path.join(h.ROOT, token_file)) as f:
            token = f.readline().strip()
        fake_args = argparse.Namespace(**vars(args))
        fake_args.e2e_messages = 0  # fake-graph keeps its default-sized record (200,000)
        fake, fake_url = h.start_fake_graph(fake_args, "fake-graph-million", run_dir, token)
        config_path, parsed = config_file(h, run_dir, fake_url, config)
        if messages > SMALL_MESSAGES:
            out["small"] = one_gateway(h, args, run_dir, "million-small", SMALL_MESSAGES,
                                       config_path, parsed, fake_url)
        out["large"] = one_gateway(h, args, run_dir, "million", messages, config_path, parsed,
                                   fake_url)
    except (h.BenchError, MillionError, sqlite3.Error, OSError, ValueError, KeyError,
            IndexError) as e:
        h.log(f"  FAILED: {e}")
        results["million_error"] = f"{type(e).__name__}: {e}" \
            if not isinstance(e, (h.BenchError, MillionError)) else str(e)
    finally:
        if fake is not None:
            fake.stop()


# --------------------------------------------------------------------------------------------
# The table


def fmt_ms(x) -> str:
    return "n/a" if x is None else (f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms")


def fmt_s(x) -> str:
    return "n/a" if x is None else f"{x:.1f} s"


def per_message(r: dict, key: str) -> float | None:
    return r[key] / r["stored"] if r.get("stored") and key in r else None


def rate(q: dict) -> str:
    """A query load's rate, and its count when small (the full scan's)."""
    if q["requests"] < 100:
        return f"{q['requests']:,} requests in {q['seconds']:.0f} s"
    return f"{q['rps']:,.0f} req/s"


def growth(large, small) -> str:
    return "n/a" if large is None or not small else f"x{large / small:.1f}"


def rows(row, results: dict, errors_of) -> None:
    """The part's rows: the full size's figures, each with the 10,000's beside it."""
    if "million_error" in results:
        row("million: size and time to a million", "n/a", "", error=results["million_error"])
    m = results.get("million")
    if not m or "large" not in m:
        return
    try:
        figure_rows(row, m, errors_of)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:  # a result incomplete
        row("million: the table", "n/a", "", error=f"incomplete results ({type(e).__name__}: {e})")


def figure_rows(row, m: dict, errors_of) -> None:
    big, small = m["large"], m.get("small")
    n = f"{big['messages']:,}"
    sn = f"{m['small_messages']:,}"
    at_n = f"{big['accepted']:,}"  # the queries' size: the messages stored, when cut short

    def beside(text) -> str:
        """`text()`, the 10,000's figure, after the full size's (only called when it ran)."""
        return f"; {sn}: {text()}" if small else ""

    err = errors_of(big)
    if big["refused"]:
        err = ", ".join(x for x in (err, f"{big['refused']:,} refused") if x)
    if big["finished"]:
        stored = f"{fmt_s(big['stored_s'])} ({big['store_rate']:,.0f} msg/s)"
        delivered = f"{fmt_s(big['delivered_s'])} ({big['deliver_rate']:,.0f} msg/s)"
    else:
        stored = (f"not finished: {big['accepted']:,} of {big['messages']:,} stored, "
                  f"{big['delivered']:,} delivered in {big['delivered_s']:.0f} s "
                  f"(bound {big['bound_s']} s)")
        delivered = f"not finished: {big['delivered']:,} ({big['deliver_rate']:,.0f} msg/s)"
    row(f"million: {n} messages stored through the API (wrk, while delivering)",
        stored + beside(lambda: fmt_s(small["stored_s"])), "", "", err)
    row(f"million: all {n} delivered ({META_NUMBERS} meta numbers at {NUMBER_RATE:,}/s, "
        f"fake-graph at 0 ms), from the first request",
        delivered + beside(lambda: f"{fmt_s(small['delivered_s'])} "
                                   f"({small['deliver_rate']:,.0f} msg/s)"), "", "",
        "" if big["finished"] else f"not finished within {big['bound_s']} s")
    size = per_message(big, "main_bytes_stopped")
    running = (big["main_bytes_running"] + big["wal_bytes_running"]) / big["stored"] \
        if big.get("stored") else None
    if size is not None:
        parts = ", ".join(f"{k} {v / big['stored']:.0f}" for k, v in big["breakdown"][:5])
        row(f"million: database size per message ({big['stored']:,} messages, "
            f"{big['events'] / big['stored']:.1f} status events each)",
            f"{size:,.0f} B checkpointed, gateway stopped ({big['main_bytes_stopped'] / 1e6:,.0f}"
            f" MB); {running:,.0f} B main + WAL while running "
            f"({big['main_bytes_running'] / 1e6:,.0f} + {big['wal_bytes_running'] / 1e6:,.0f} MB)"
            + (f"; largest, B/message: {parts}" if parts else "")
            + beside(lambda: f"{per_message(small, 'main_bytes_stopped'):,.0f} B checkpointed"))
    row("million: the gateway's RSS (peak while storing and delivering / after the queries)",
        f"{big['peak_rss_mb']:.0f} / {big['rss_after_mb']:.0f} MB"
        + beside(lambda: f"{small['peak_rss_mb']:.0f} / {small['rss_after_mb']:.0f} MB"))
    if "cpu_us_per_message" in big:
        row("million: the gateway's CPU per message, storing and delivering",
            f"{big['cpu_us_per_message']:,.0f} us"
            + beside(lambda: f"{small.get('cpu_us_per_message', 0):,.0f} us"))
    for key, label, _, _, _ in QUERIES:
        q = big.get("queries", {}).get(key)
        if q is None:
            continue
        sq = (small or {}).get("queries", {}).get(key)
        if "error" in q:
            row(f"million: {label}", "n/a", "", error=q["error"])
            continue
        value = f"at {at_n}: {fmt_ms(q['p50_ms'])} / {fmt_ms(q['p99_ms'])} ({rate(q)})"
        target, met = "", ""
        if sq and "error" not in sq:
            value += f"; at {sn}: {fmt_ms(sq['p50_ms'])} / {fmt_ms(sq['p99_ms'])} ({rate(sq)})"
            target = f"p99 at {at_n} <= {TARGET_P99_GROWTH:g}x at {sn}, or <= {TARGET_P99_MS:g} ms"
            if q["p99_ms"] is not None and sq["p99_ms"]:
                bar = max(TARGET_P99_GROWTH * sq["p99_ms"], TARGET_P99_MS)
                met = "met" if q["p99_ms"] <= bar else "not met"
        row(f"million: {label}: p50 / p99", value, target, met, errors_of(q))
    if small:
        grows = [f"messages x{big['stored'] / small['stored']:.0f}",
                 f"database {growth(big['main_bytes_stopped'], small['main_bytes_stopped'])}",
                 f"RSS after {growth(big['rss_after_mb'], small['rss_after_mb'])}",
                 "CPU per message "
                 + growth(big.get("cpu_us_per_message"), small.get("cpu_us_per_message"))]
        for key, *_ in QUERIES:
            q, sq = big.get("queries", {}).get(key, {}), small.get("queries", {}).get(key, {})
            grows.append(f"{key} p50 {growth(q.get('p50_ms'), sq.get('p50_ms'))}, "
                         f"p99 {growth(q.get('p99_ms'), sq.get('p99_ms'))}")
        row(f"million: what grows from {sn} to {at_n} stored messages", "; ".join(grows))
