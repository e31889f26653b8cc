"""The templates part of bench/run.py: what the template check costs per send.

A template send from a number whose catalog is synchronised is checked against it before it is
stored (src/templates/send_check.*, api::SendPipeline::CheckTemplate; docs/templates.md); the
domain's `templates` policy switches the check ("strict", the default for a number with a
catalog, or "off"). This part measures the check two ways:

  - under load: the ingest part's wrk load (the seed request, ack = "stored", --threads,
    --connections, --duration) sent from the first meta number of bench/gateway.toml, given
    `waba_id` so that its catalog is the one tools/fake-graph serves
    (--templates-file config/demo-templates.json: the seed's template shipping_confirmation and
    four others), synchronised at start as from Meta. The same gateway configuration with the
    domain's `templates = "strict"` and then "off", ROUNDS times each, alternating, each on a
    fresh gateway and database: requests/s, p99 and the gateway's CPU per request (/proc), and
    the difference of the CPU per request, strict less off, in us per send. The check is well
    under a microsecond, so that difference is mostly the machine's noise; it bounds the cost,
    it does not measure it;
  - in a loop: bench/template_check_bench (built from src/templates and src/api) times
    templates::CheckTemplateSend and SendPipeline::CheckTemplate on the same request, catalog
    and configuration, in ns per call: the check's own cost.

The harness's helpers are run.py's, handed in as the module `h` (as bench/kannel_part.py does).
Standard library only.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
CATALOG_FILE = "config/demo-templates.json"  # fake-graph's listing, relative to ROOT
WABA_ID = "102290129340398"  # fake-graph's default --waba-id
MICRO_BENCH = os.path.join(ROOT, "build", "release", "bench", "template_check_bench")
POLICIES = ("off", "strict")
ROUNDS = 2  # of each policy, alternating
SYNC_TIMEOUT_S = 15
MICRO_TIMEOUT_S = 60
# Sent once per gateway before the load: refused (422) when the check is on, accepted when off.
UNKNOWN_TEMPLATE = "bench_no_such_template"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def settings(only: str) -> str:
    if "templates" not in [p.strip() for p in only.split(",")]:
        return ""
    return (f"; the ingest load from a number with a synchronised catalog, template check "
            f"strict and off, {ROUNDS} rounds each")


HOW_MEASURED = textwrap.fill(
    f"**template check** (`templates`): the ingest load (the seed request, `bench/post.lua`, "
    f"the same threads, connections and duration) sent from the first meta number, given "
    f"`waba_id = \"{WABA_ID}\"` so that its catalog is the listing fake-graph serves "
    f"(`--templates-file {CATALOG_FILE}`: the seed's `shipping_confirmation` and four others), "
    f"synchronised by the gateway at start as from Meta (the load starts once `GET "
    f"/livechat/default/templates` shows it synchronised). The same configuration with the "
    f"domain's `templates = \"strict\"` (checked) and `\"off\"` (not checked), {ROUNDS} rounds "
    f"of each, alternating, each on a fresh gateway and database; before each load one send "
    f"of an unknown template must be refused (422) under strict and accepted under off. "
    f"Requests/s and p99 are wrk's, CPU per request the gateway's user + system time "
    f"(`/proc/PID/stat`) over the requests wrk completed, each the mean of the rounds; the "
    f"difference is strict's CPU per request less off's. The check costs well under a "
    f"microsecond, so that difference is within the noise of a shared machine (compare it with "
    f"the spread of the rounds): it bounds the cost. The cost itself is timed in a loop by "
    f"`bench/template_check_bench` on the same request, catalog and configuration: "
    f"`templates::CheckTemplateSend` alone, `api::SendPipeline::CheckTemplate` as a send runs "
    f"it (the number, its policy and account, the domain's other accounts, the check) under "
    f"strict and under off, and the catalog snapshot each send takes either way, each the best "
    f"of 7 rounds of 0.2 s (the median beside it).",
    width=95, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False,
    break_long_words=False) + "\n"


def config_file(h, run_dir: str, fake_url: str, meta_count: int, first_meta_id: str,
                policy: str) -> str:
    """The per-run configuration: the end-to-end one (numbers pointing at fake-graph) with the
    first meta number's waba_id and the domain's policy; its path."""
    name = f"templates-{policy}"
    path = h.e2e_config_file(run_dir, name, fake_url, meta_count)
    with open(path) as f:
        text = f.read()
    id_line = f'phone_number_id = "{first_meta_id}"'
    ack_line = 'ack = "stored"'
    starts = [line.strip() for line in text.split("\n")]
    if sum(x.startswith(id_line) for x in starts) != 1 \
            or sum(x.startswith(ack_line) for x in starts) != 1:
        raise h.BenchError(f"{h.TEMPLATE}: the templates part needs one `{id_line}` and one "
                           f"`{ack_line}` (it adds waba_id and the policy after them)")
    lines = text.split("\n")
    out = []
    for line in lines:  # each added after the whole line (which may end in a comment)
        out.append(line)
        if line.strip().startswith(id_line):
            out.append(f'  waba_id = "{WABA_ID}"  # bench/run.py, part templates')
        elif line.strip().startswith(ack_line):
            out.append(f'templates = "{policy}"  # bench/run.py, part templates')
    text = "\n".join(out)
    with open(path, "w") as f:
        f.write(text)
    return path


def wait_synced(h, base: str, auth: str, gateway) -> None:
    """Until the gateway shows the account's catalog synchronised (bounded)."""
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    while True:
        status, data = h.http("GET", base + "/livechat/default/templates",
                              headers={"Authorization": auth}, timeout=10)
        if status == 200:
            catalogs = {c["account"]: c for c in json.loads(data).get("catalogs", [])}
            c = catalogs.get(WABA_ID)
            if c and c.get("synchronisedAt") and c.get("templates", 0) > 0:
                return
        if not gateway.running():
            raise h.BenchError(f"{gateway.name} exited: {gateway.stderr_tail()}")
        if time.monotonic() > deadline:
            raise h.BenchError(f"{gateway.name}: the catalog of {WABA_ID} was not synchronised "
                               f"within {SYNC_TIMEOUT_S} s (GET /livechat/default/templates: "
                               f"{status} {data[:300]!r})")
        time.sleep(0.1)


def check_switch(h, base: str, auth: str, number: str, policy: str) -> None:
    """One send of an unknown template: refused under strict, accepted under off."""
    body = json.loads(h.seed_body(number=number, customer="393400000001"))
    body["templateName"] = UNKNOWN_TEMPLATE
    status, data = h.http("POST", base + h.SEND_PATH, json.dumps(body).encode(),
                          {"Content-Type": "application/json", "Authorization": auth})
    want = 422 if policy == "strict" else 202
    if status != want:
        raise h.BenchError(f"templates = \"{policy}\": a send of an unknown template was "
                           f"answered {status}, not {want}: {data[:300]!r}")


def one_load(h, args, run_dir: str, config_path: str, policy: str, round_no: int, auth: str,
             number: str, body_path: str) -> dict:
    name = f"gateway-templates-{policy}-{round_no}"
    gateway, base = h.start_gateway(args, name, run_dir, config_path)
    try:
        wait_synced(h, base, auth, gateway)
        check_switch(h, base, auth, number, policy)
        h.send_one(base, auth, h.seed_body(number=number), name)
        argv = h.wrk_argv(args, os.path.join(BENCH, "post.lua"), base + h.SEND_PATH, auth,
                          args.duration, args.connections, 5, [body_path])
        r = h.run_wrk(args, f"wrk-templates-{policy}-{round_no}", run_dir, argv, args.duration,
                      sample_pid=gateway.pid)
        if not gateway.running():
            raise h.BenchError(f"{name} exited during the load: {gateway.stderr_tail()}")
    finally:
        gateway.stop()
        h.remove_db(run_dir, name, args.keep_db)
    log(f"  templates = \"{policy}\" (round {round_no}): {r['rps']:.0f} req/s, p50 "
        f"{r['p50_ms']} ms, p99 {r['p99_ms']} ms, CPU {r.get('cpu_us_per_request')} us/request, "
        f"non-2xx {r['non2xx']}")
    return r


def micro(h, run_dir: str, config_path: str, number: str) -> dict:
    """bench/template_check_bench on the strict configuration; {} when it is not built."""
    if not os.access(MICRO_BENCH, os.X_OK):
        log(f"  {os.path.relpath(MICRO_BENCH, ROOT)} is not built (cmake --build build/release "
            f"--target template_check_bench): no loop timing")
        return {"micro_error": "template_check_bench is not built"}
    argv = [MICRO_BENCH, "--config", config_path, "--templates",
            os.path.join(ROOT, CATALOG_FILE), "--account", WABA_ID, "--phone", number]
    log(f"  $ {' '.join(argv)}")
    try:
        out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                             timeout=MICRO_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"micro_error": f"template_check_bench did not finish in {MICRO_TIMEOUT_S} s"}
    if out.returncode != 0:
        return {"micro_error": f"template_check_bench: {out.stderr.strip()[:300]}"}
    return json.loads(out.stdout)


def mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def run(h, args, run_dir: str, config: dict, results: dict) -> None:
    """The part; its figures into results["templates"]."""
    log("== templates: the ingest load from a number with a synchronised catalog, the check "
        "strict and off")
    numbers = h.meta_numbers(config)
    if not numbers:
        raise h.BenchError("bench/gateway.toml has no provider = \"meta\" numbers")
    first = numbers[0]
    number = first["phone"]
    auth = h.basic_auth(config)
    with open(os.path.join(ROOT, first["meta"]["access_token_file"])) as f:
        token = f.readline().strip()
    body_path = os.path.join(run_dir, "templates-seed.json")
    with open(body_path, "wb") as f:
        f.write(h.seed_body(number=number))
    fake, fake_url = h.start_fake_graph(args, "fake-graph-templates", run_dir, token,
                                        ["--templates-file", os.path.join(ROOT, CATALOG_FILE),
                                         "--waba-id", WABA_ID])
    runs: dict[str, list[dict]] = {p: [] for p in POLICIES}
    try:
        paths = {p: config_file(h, run_dir, fake_url, len(numbers),
                                first["meta"]["phone_number_id"], p) for p in POLICIES}
        for round_no in range(1, ROUNDS + 1):
            for policy in POLICIES:
                runs[policy].append(one_load(h, args, run_dir, paths[policy], policy, round_no,
                                             auth, number, body_path))
        loop = micro(h, run_dir, paths["strict"], number)
    finally:
        fake.stop()
    out: dict = {"rounds": ROUNDS, "runs": runs, "micro": loop}
    for policy in POLICIES:
        rs = runs[policy]
        out[policy] = {
            "rps": mean([r["rps"] for r in rs]),
            "p99_ms": mean([r["p99_ms"] for r in rs]),
            "cpu_us_per_request": mean([r.get("cpu_us_per_request") for r in rs]),
            "cpu_each": [r.get("cpu_us_per_request") for r in rs],
            "non2xx": sum(r["non2xx"] for r in rs),
            "socket_errors": sum(r["socket_errors"] for r in rs),
            "socket_detail": "; ".join(r["socket_detail"] for r in rs if r["socket_errors"]),
        }
    on, off = out["strict"]["cpu_us_per_request"], out["off"]["cpu_us_per_request"]
    if on is not None and off is not None:
        out["cpu_diff_us"] = round(on - off, 2)
    log(f"  strict - off: {out.get('cpu_diff_us', 'n/a')} us of the gateway's CPU per request "
        f"(strict {out['strict']['cpu_each']}, off {out['off']['cpu_each']}); in a loop: {loop}")
    results["templates"] = out


def rows(row, results: dict, errors_of) -> None:
    if "templates_error" in results:
        row("template check", "n/a", "", error=results["templates_error"])
    t = results.get("templates")
    if t is None:
        return
    label = "template check"
    for policy, what in (("strict", "on (strict)"), ("off", "off")):
        r = t[policy]
        each = " / ".join(f"{x:.1f}" for x in r["cpu_each"] if x is not None)
        row(f"{label} {what}: ingest requests/s (p99), CPU per request",
            f"{r['rps']:,.0f} ({r['p99_ms']:.2f} ms), {r['cpu_us_per_request']:.1f} us "
            f"(rounds: {each})", "", "", errors_of(r))
    if "cpu_diff_us" in t:
        # How far apart the rounds of one policy were: the noise the difference sits in.
        spread = max((max(e) - min(e) for e in (
            [x for x in t[p]["cpu_each"] if x is not None] for p in POLICIES) if e), default=0.0)
        within = abs(t["cpu_diff_us"]) <= spread
        row(f"{label}: CPU per send, on less off (under load)",
            f"{t['cpu_diff_us']:+.1f} us ("
            + (f"within the {spread:.1f} us between rounds of one policy: noise, a bound on the "
               f"cost, not a measurement of it)" if within else
               f"more than the {spread:.1f} us between rounds of one policy)"))
    m = t.get("micro", {})
    if "micro_error" in m:
        row(f"{label}: its own cost per send (in a loop)", "n/a", "", error=m["micro_error"])
    elif m:
        row(f"{label}: its own cost per send (in a loop, bench/template_check_bench)",
            f"{m['pipeline_check_ns'] - m['pipeline_off_ns']:.0f} ns (SendPipeline::CheckTemplate"
            f" {m['pipeline_check_ns']:.0f} ns strict, {m['pipeline_off_ns']:.0f} ns off; of it "
            f"CheckTemplateSend {m['send_check_ns']:.0f} ns; the catalog snapshot every send "
            f"takes {m['current_ns']:.0f} ns; {m['templates']} templates, "
            f"{m['numbers_in_domain']} numbers in the domain)")
