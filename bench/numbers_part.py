"""The numbers part of bench/run.py: what the phone number check costs.

Every request's customer and business numbers are checked by core::NormalizePhoneNumber
(src/core/phone_number.cpp): a number its thread has not seen lately against libphonenumber's
numbering plans matched with RE2 (src/core/numbering_plans.hpp), and by libphonenumber itself
only when that check does not find it valid. The check is a microsecond or less, too little
for the gateway's CPU per request under a wrk load to resolve, so this part times it in a loop:
bench/number_check_bench, for mobile numbers of eight regions that libphonenumber finds valid,
in ns per number: a number never seen (a new customer), libphonenumber's own check of the same
numbers (what every new number cost before the numbering plans), and one number seen again (a
business number, a customer who writes again).

The harness's helpers are run.py's, handed in as the module `h` (as bench/kannel_part.py does).
Standard library only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
MICRO_BENCH = os.path.join(ROOT, "build", "release", "bench", "number_check_bench")
NUMBERS = 20_000  # per region: several times the 4,096 a thread remembers
ROUNDS = 5
TIMEOUT_S = 120


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def settings(only: str) -> str:
    if "numbers" not in [p.strip() for p in only.split(",")]:
        return ""
    return (f"; the phone number check in a loop, {NUMBERS:,} valid mobile numbers of each of "
            f"eight regions")


HOW_MEASURED = textwrap.fill(
    f"**phone number check** (`numbers`): `bench/number_check_bench` builds {NUMBERS:,} "
    f"distinct mobile numbers for each of IT, GB, US, DE, BR, IN, NG and ID (the region's "
    f"example mobile number from libphonenumber with its last five digits drawn at random, kept "
    f"when libphonenumber finds it valid; each must also pass the gateway's check unchanged) and "
    f"times, on one thread: `core::NormalizePhoneNumber` on the numbers in turn (more than the "
    f"4,096 a thread remembers, so each is one it has not seen: a new customer); "
    f"libphonenumber's `Parse(\"+\" digits, \"ZZ\")` + `IsValidNumber` + `Format(E164)` on "
    f"the same numbers (what each new number cost before `core/numbering_plans.hpp`); and "
    f"`NormalizePhoneNumber` on one number again and again (a business number, a customer who "
    f"writes again). Each the best of {ROUNDS} rounds of 0.2 s, in ns per number.",
    width=95, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False,
    break_long_words=False) + "\n"


def run(h, args, run_dir: str, config: dict, results: dict) -> None:
    """The part; its figures into results["numbers"]."""
    log("== numbers: the phone number check in a loop (bench/number_check_bench)")
    if not os.access(MICRO_BENCH, os.X_OK):
        raise h.BenchError(f"{os.path.relpath(MICRO_BENCH, ROOT)} is not built (cmake --build "
                           f"build/release --target number_check_bench)")
    argv = [MICRO_BENCH, "--numbers", str(NUMBERS), "--rounds", str(ROUNDS)]
    log(f"  $ {' '.join(argv)}")
    try:
        out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise h.BenchError(f"number_check_bench did not finish in {TIMEOUT_S} s")
    if out.returncode != 0:
        raise h.BenchError(f"number_check_bench: {out.stderr.strip()[:300]}")
    r = json.loads(out.stdout)
    for region, f in r["regions"].items():
        log(f"  {region}: new {f['new_ns']:.0f} ns, libphonenumber {f['library_ns']:.0f} ns, "
            f"remembered {f['remembered_ns']:.0f} ns")
    results["numbers"] = r


def rows(row, results: dict) -> None:
    if "numbers_error" in results:
        row("phone number check", "n/a", "", error=results["numbers_error"])
    r = results.get("numbers")
    if r is None:
        return
    regions = r["regions"]
    new = [f["new_ns"] for f in regions.values()]
    library = [f["library_ns"] for f in regions.values()]
    remembered = [f["remembered_ns"] for f in regions.values()]
    each = ", ".join(f"{name} {f['new_ns'] / 1000:.2f} / {f['library_ns'] / 1000:.1f}"
                     for name, f in regions.items())
    row("phone number check, a number not seen before, per number (in a loop, "
        "bench/number_check_bench)",
        f"{min(new) / 1000:.2f}-{max(new) / 1000:.2f} us (libphonenumber's own check of the "
        f"same numbers: {min(library) / 1000:.1f}-{max(library) / 1000:.1f} us; by region, "
        f"ours / libphonenumber's: {each})")
    row("phone number check, a number seen again (a business number), per number",
        f"{min(remembered):.0f}-{max(remembered):.0f} ns")
