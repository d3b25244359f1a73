"""Start-up and time-to-verdict of the `puzzles` command, beside `python -c "import numpy"`.

    python benchmarks/startup.py                       # this checkout, every command, 5 repeats
    python benchmarks/startup.py --before /tmp/before  # and an older checkout, side by side
    python benchmarks/startup.py --quick               # skip `verify NAME` for every built-in
    python benchmarks/startup.py --quick --rows "verify handshakes" "verify ball"   # --plot's cost

Each command runs as a fresh process (`python -m puzzles.cli ...` with the checkout first on
PYTHONPATH), the way a user types it; the wall time is from fork to exit. Every round runs the
yardstick, `python -c "import numpy"`, and then each command once (under each checkout, with
--before), so a loaded machine slows them alike; the tables give the median of the rounds and
the ratio of each median to the yardstick's median. Before the clock starts every command runs
once untimed, so numba's cache and the puzzle index are warm (as for a user's second run); the
row "list, cold index" empties the index cache (PUZZLES_CACHE_DIR) before each of its runs.

`verify NAME` runs at the defaults (trials auto) with --json, which also gives the trials and
the looks of the run; a verify row's time is the whole command, loading included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HANDSHAKES_VARIANCE = "4*a*b/(a+b-1) + 4*a*b*(a-1)*(b-1)/((a+b-1)*(a+b-2)) - (2*a*b/(a+b-1))**2"


def commands(tmp: str) -> list[tuple[str, list[str], set]]:
    """(label, arguments, accepted exit codes)."""
    return [
        ("--help", ["--help"], {0}),
        ("list", ["list"], {0}),
        ("list, cold index", ["list"], {0}),
        ("show handshakes", ["show", "handshakes"], {0}),
        ("new dice-sum", ["new", "dice-sum", "--dir", tmp, "--force"], {0}),
        ("error: unknown puzzle (did you mean)", ["verify", "handshake"], {2}),
        ("error: show unknown puzzle", ["show", "handshak"], {2}),
        ("error: bad option value (--seed abc)", ["verify", "handshakes", "--seed", "abc"], {2}),
        ("error: bad --trials", ["verify", "handshakes", "--trials", "0"], {2}),
        ("error: unknown option", ["verify", "handshakes", "--frobnicate"], {2}),
        ("error: unknown parameter", ["verify", "handshakes", "-p", "z=1"], {2}),
        ("error: parameter out of range", ["verify", "handshakes", "-p", "a=0"], {2}),
        ("error: parameter not a number", ["verify", "handshakes", "-p", "a=x"], {2}),
        ("error: --plot not .png", ["verify", "handshakes", "--plot", os.path.join(tmp, "x.txt")], {2}),
        ("error: check, claim does not parse", ["check", "handshakes", "mean=2*a*"], {2}),
        ("error: check, bracket never closed", ["check", "handshakes", "mean=2*a*b/(a+b-"], {2}),
        ("verify handshakes", ["verify", "handshakes"], {0}),
        ("verify handshakes --plot", ["verify", "handshakes", "--plot", os.path.join(tmp, "h.png")], {0}),
        # a cdf puzzle: thousands of bin edges to draw (a fixed run: at the defaults it takes
        # tens of millions of trials to settle 0.1% on a cdf)
        ("verify ball-min-distance -n 1e6", ["verify", "ball-min-distance", "-n", "1e6"], {0, 3}),
        ("verify ball-min-distance -n 1e6 --plot", ["verify", "ball-min-distance", "-n", "1e6",
                                                    "--plot", os.path.join(tmp, "b.png")], {0, 3}),
        ("check handshakes mean= variance=", ["check", "handshakes", "mean=2*a*b/(a+b-1)",
                                              f"variance={HANDSHAKES_VARIANCE}"], {0}),
    ]


CPU: dict = {}  # (label, tree) -> processor seconds (user + system) of each run


def run(argv: list[str], env: dict, ok: set | None = None, cpu_key=None) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # from the checkout's folder: `python -m` puts the current folder first on sys.path
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=env["PYTHONPATH"])
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu_key is not None:
        CPU.setdefault(cpu_key, []).append(after.ru_utime - before.ru_utime
                                           + after.ru_stime - before.ru_stime)
    if ok is not None and proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return wall, proc.stdout


def environment(tree: str, cache: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = tree
    env["PUZZLES_CACHE_DIR"] = cache
    env.pop("PUZZLES_PATH", None)
    return env


def builtin_names(tree: str, env: dict) -> list[str]:
    _, out = run([sys.executable, "-m", "puzzles.cli", "list"], env, {0})
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", help="an older checkout to measure beside this one")
    ap.add_argument("--repeats", type=int, default=5, help="rounds of the quick commands")
    ap.add_argument("--verify-repeats", type=int, default=3, help="rounds of verify NAME")
    ap.add_argument("--quick", action="store_true", help="skip verify NAME for every built-in")
    ap.add_argument("--only", nargs="*", help="only these built-ins for verify NAME")
    ap.add_argument("--verify-only", action="store_true", help="only verify NAME for the built-ins")
    ap.add_argument("--rows", nargs="*", help="only the commands whose label contains one of these")
    args = ap.parse_args()

    trees = {"after": HERE}
    if args.before:
        trees = {"before": os.path.abspath(args.before), "after": HERE}
    tmp = tempfile.mkdtemp(prefix="puzzles-startup-")
    caches = {k: os.path.join(tmp, f"cache-{k}") for k in trees}
    envs = {k: environment(t, caches[k]) for k, t in trees.items()}
    yard = [sys.executable, "-c", "import numpy"]
    cli = [sys.executable, "-m", "puzzles.cli"]
    cmds = [c for c in commands(tmp) if not args.rows or any(r in c[0] for r in args.rows)]
    load_at_start = os.getloadavg()
    try:
        # warm-up: numba's caches, the index, the OS's file cache
        run(yard, envs["after"])
        for k in trees:
            for _label, argv, ok in ([] if args.verify_only else cmds):
                run(cli + argv, envs[k], ok)
        times: dict = {}
        for _ in range(0 if args.verify_only else args.repeats):
            times.setdefault(("yardstick", ""), []).append(
                run(yard, envs["after"], cpu_key=("yardstick", ""))[0])
            for label, argv, ok in cmds:
                for k in trees:
                    if label.endswith("cold index"):
                        shutil.rmtree(caches[k], ignore_errors=True)
                    times.setdefault((label, k), []).append(
                        run(cli + argv, envs[k], ok, cpu_key=(label, k))[0])
                    if label.endswith("cold index"):
                        run(cli + ["list"], envs[k], {0})  # warm again for the next rows
        if args.verify_only:
            cmds = []
            times[("yardstick", "")] = [run(yard, envs["after"])[0]]
        yardstick = statistics.median(times[("yardstick", "")])
        yard_cpu = statistics.median(CPU.get(("yardstick", ""), [float("nan")]))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
              f"{' '.join(f'{x:.2f}' for x in load_at_start)} at the start, "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end; yardstick `python -c "
              f"\"import numpy\"` median {yardstick:.3f} s ({yard_cpu:.3f} s of processor time) "
              f"over {len(times[('yardstick', '')])} rounds\n")
        keys = list(trees)
        # wall time, and the processor time (user + system) of the command: on a loaded machine
        # the wall time waits for other jobs, the processor time much less
        head = "| command | " + " | ".join(f"{k} (s) | {k} / numpy | {k} cpu (s)" for k in keys) + " |"
        print(head)
        print("|---|" + "---:|---:|---:|" * len(keys))
        for label, _argv, _ok in cmds:
            cells = []
            for k in keys:
                m = statistics.median(times[(label, k)])
                cells += [f"{m:.3f}", f"{m / yardstick:.1f}x",
                          f"{statistics.median(CPU[(label, k)]):.2f}"]
            print(f"| `{label}` | " + " | ".join(cells) + " |")
        # what --plot costs: the same run with and without it, measured in the same rounds
        pairs = [(label, label[: -len(" --plot")]) for label, _a, _o in cmds
                 if label.endswith(" --plot") and any(c[0] == label[: -len(" --plot")] for c in cmds)]
        if pairs:  # wall medians, and CPU medians (steadier on a loaded machine)
            print("\n| --plot costs | " + " | ".join(
                f"{k}: wall with - without (s) | {k}: with / without | {k}: CPU with - without (s)"
                for k in keys) + " |")
            print("|---|" + "---:|---:|---:|" * len(keys))
            for with_plot, without in pairs:
                cells = []
                for k in keys:
                    a = statistics.median(times[(with_plot, k)])
                    b = statistics.median(times[(without, k)])
                    c = statistics.median(CPU[(with_plot, k)]) - statistics.median(CPU[(without, k)])
                    cells += [f"{a - b:+.3f}", f"{a / b:.2f}x", f"{c:+.3f}"]
                print(f"| `{without}` | " + " | ".join(cells) + " |")
        sys.stdout.flush()

        if args.quick:
            return
        known = {k: set(builtin_names(t, envs[k])) for k, t in trees.items()}
        names = args.only or sorted(known["after"])
        for name in names:  # warm-up: numba's cache of each simulator, in each checkout
            for k in trees:
                if name in known[k]:
                    run(cli + ["verify", name, "-n", "65536", "--json"], envs[k], {0, 1, 3})
        vt: dict = {}
        vy = []
        info: dict = {}
        for _ in range(args.verify_repeats):
            vy.append(run(yard, envs["after"])[0])
            for name in names:
                for k in trees:
                    if name not in known[k]:  # a puzzle the older checkout does not have
                        continue
                    wall, out = run(cli + ["verify", name, "--json"], envs[k], {0, 1, 3},
                                    cpu_key=(f"verify {name}", k))
                    vt.setdefault((name, k), []).append(wall)
                    try:
                        data = json.loads(out)
                        info[(name, k)] = (data["trials"], data.get("looks", 1), data["verdict"]
                                           if "verdict" in data else "?")
                    except (ValueError, KeyError):
                        info[(name, k)] = ("?", "?", "?")
        vyard = statistics.median(vy)
        print(f"\n`verify NAME --json` at the defaults (trials auto); median of "
              f"{args.verify_repeats} rounds; yardstick median {vyard:.3f} s\n")
        print("| puzzle | " + " | ".join(f"{k} wall (s) | {k} / numpy | {k} cpu (s) | {k} trials "
                                         f"| {k} looks" for k in keys) + " |")
        print("|---|" + "---:|---:|---:|---:|---:|" * len(keys))
        for name in names:
            cells = []
            for k in keys:
                if (name, k) not in vt:
                    cells += ["—"] * 5
                    continue
                m = statistics.median(vt[(name, k)])
                trials, looks, _verdict = info[(name, k)]
                cells += [f"{m:.2f}", f"{m / vyard:.1f}x",
                          f"{statistics.median(CPU[(f'verify {name}', k)]):.2f}",
                          f"{trials:,}" if isinstance(trials, int) else str(trials), str(looks)]
            print(f"| {name} | " + " | ".join(cells) + " |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
