"""Time to a verdict of `puzzles verify NAME` at the defaults, for every built-in (or --only ...).

    python benchmarks/default_times.py                 # every built-in, a markdown table
    python benchmarks/default_times.py --only amoeba   # some of them

Each puzzle runs once untimed (`-n 65536`: numba compiles or loads its cache), then once at the
defaults with --json as a fresh process, the way a user types it; the wall time is from fork to
exit (start-up included), the engine's seconds are the simulation's. The load average is printed
first: on a shared machine wall times drift with it, trials do not.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(args):
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "puzzles.cli", *args], capture_output=True,
                         text=True, env=env, cwd=HERE)
    return time.monotonic() - start, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    ns = parser.parse_args()
    sys.path.insert(0, HERE)
    from puzzles.engine.registry import all_puzzles

    names = ns.only or sorted(all_puzzles())
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    print("| puzzle | wall s | engine s | trials | M trials/s | looks | verdict | precision |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name in names:
        run(["verify", name, "-n", "65536"])
        wall, out = run(["verify", name, "--json"])
        try:
            data = json.loads(out.stdout)
        except ValueError:
            print(f"| {name} | {wall:.1f} | - | - | - | - | error: {out.stderr.strip()[:80]} | |")
            continue
        precision = data.get("precision")
        reached = "" if precision is None else f"{precision:g}"
        rate = data["trials"] / data["seconds"] / 1e6 if data["seconds"] else float("nan")
        print(f"| {name} | {wall:.1f} | {data['seconds']:.1f} | {data['trials']:,} | {rate:.1f} | "
              f"{data.get('looks') or ''} | {data['verdict']} | {reached} |", flush=True)
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
