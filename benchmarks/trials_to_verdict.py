"""Trials an auto run needs to reach its verdict at an explicit tolerance, for every built-in,
this checkout beside an older one (run by hand, not a test).

    python benchmarks/trials_to_verdict.py --before /tmp/old            # every built-in
    python benchmarks/trials_to_verdict.py --before /tmp/old --only handshakes --seeds 20

An explicit --rtol (0.001 unless --rtol says otherwise) makes a run's trials depend only on the
seed and the code, not on the clock or the load (without one, a run settles on the precision
ladder after 3 s of simulation): so the two checkouts can be compared on a busy machine. Each
checkout runs in its own process (PYTHONPATH first, from its folder), one puzzle after another,
at the default seed and, with --seeds K, at seeds 1..K too (then the table gives the default
seed's trials and the median over the K seeds). Runs are capped at --max-trials.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, sys
import puzzles
from puzzles.engine import all_puzzles
names, seeds, rtol, cap, seconds = json.loads(sys.argv[1])
names = names or sorted(all_puzzles())
for name in names:
    for seed in seeds:
        r = puzzles.verify(name, seed=seed, rtol=rtol, max_trials=cap, max_seconds=seconds,
                           threads=2)
        print(json.dumps({"name": name, "seed": seed, "trials": r.trials, "looks": r.looks,
                          "verdict": r.verdict, "stopped": r.stopped}), flush=True)
"""


def measure(tree: str, names, seeds, rtol, cap, seconds) -> dict:
    env = dict(os.environ, PYTHONPATH=tree)
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([names, seeds, rtol, cap, seconds])],
                         env=env, cwd=tree, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{tree}: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}")
    rows: dict = {}
    for line in out.stdout.splitlines():
        row = json.loads(line)
        rows.setdefault(row["name"], {})[row["seed"]] = row
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="an older checkout")
    ap.add_argument("--only", nargs="*", default=[], help="only these built-ins")
    ap.add_argument("--seeds", type=int, default=0, help="also seeds 1..K (a median)")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--max-trials", type=float, default=2e8)
    ap.add_argument("--max-seconds", type=float, default=20.0,
                    help="a run stopped by the clock is marked and left out of the ratios")
    args = ap.parse_args()
    default_seed = 20261124
    seeds = [default_seed] + list(range(1, args.seeds + 1))
    cap = int(args.max_trials)
    before = measure(os.path.abspath(args.before), args.only, seeds, args.rtol, cap, args.max_seconds)
    after = measure(HERE, args.only, seeds, args.rtol, cap, args.max_seconds)
    print(f"rtol {args.rtol:g}, at most {cap:,} trials or {args.max_seconds:g} s a run; "
          f"default seed {default_seed}"
          + (f", and the median over seeds 1..{args.seeds}" if args.seeds else "") + "\n")
    head = "| puzzle | before: trials (looks), verdict | after: trials (looks), verdict | after / before |"
    if args.seeds:
        head += " median before | median after | after / before |"
    print(head)
    print("|---|---:|---:|---:|" + ("---:|---:|---:|" if args.seeds else ""))
    ratios, median_ratios = [], []
    for name in sorted(after):
        if name not in before:
            continue
        b, a = before[name][default_seed], after[name][default_seed]
        ratio = a["trials"] / b["trials"]
        clock = "max-seconds" in (a["stopped"], b["stopped"])
        if not clock:
            ratios.append(ratio)

        def cell(r):
            return (f"{r['trials']:,} ({r['looks']}), {r['verdict']}"
                    + (" (clock)" if r["stopped"] == "max-seconds" else ""))
        line = f"| {name} | {cell(b)} | {cell(a)} | {'—' if clock else f'{ratio:.2f}'} |"
        if args.seeds:
            mb = statistics.median(before[name][s]["trials"] for s in seeds[1:])
            ma = statistics.median(after[name][s]["trials"] for s in seeds[1:])
            if not any(r[s]["stopped"] == "max-seconds" for r in (before[name], after[name])
                       for s in seeds[1:]):
                median_ratios.append(ma / mb)
            line += f" {mb:,.0f} | {ma:,.0f} | {ma / mb:.2f} |"
        print(line)
    if ratios:
        print(f"\nafter / before at the default seed: median {statistics.median(ratios):.2f}, "
              f"range {min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} puzzles not stopped by "
              "the clock"
              + (f"; median over seeds: {statistics.median(median_ratios):.2f}" if median_ratios else ""))


if __name__ == "__main__":
    main()
