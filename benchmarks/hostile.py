"""Every hostile input of issue 15, run as a user would: a child process each, with a table of
exit code, wall time, peak memory and the first line of stderr.

    python benchmarks/hostile.py                 # all cases (a few minutes)
    python benchmarks/hostile.py --only check    # the cases whose command contains 'check'
    python benchmarks/hostile.py --markdown      # the table as markdown

Each case runs `python -m puzzles.cli ...` (or a Python snippet) from this checkout in a fresh
temporary folder, under an address-space limit (3 GiB: a runaway allocation fails inside the
child instead of eating the machine) and a timeout (120 s: a hang shows as 'timeout'). Peak
memory is the child's own VmHWM from /proc (Linux), read at exit; getrusage's ru_maxrss of the
children would also count what the forking parent had. The cases are the issue's list and
tests/test_hostile_input.py's, so the closing note of the issue can quote this table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDRESS_SPACE = 3 * 2**30
TIMEOUT = 120.0

sys.path.insert(0, str(ROOT))
# the child process's wrapper (address-space limit, its own peak memory), as the tests run it
from tests.test_hostile_input import _WRAPPER  # noqa: E402

NESTED = "mean=" + "(" * 10_000 + "a" + ")" * 10_000
TERMS = "mean=" + "+".join(["a"] * 60_000)
LONG_NAME = "q" * 5000


def _pmf_none_setup(folder: Path) -> dict:
    """A puzzle whose pmf has no closed form (Pmf(None, x, ...)): a traceback and exit 1 before."""
    sys.path.insert(0, str(ROOT))
    from puzzles.engine.templates import render_puzzle

    text = render_puzzle("pmf-none")
    marker = "\n        Pmf("
    start = text.index(marker) + len(marker)
    end = text.index(", x,", start)
    (folder / "pmf_none.py").write_text(text[:start] + "None" + text[end:])
    return {"PUZZLES_PATH": str(folder)}


def _sleepy_setup(folder: Path) -> dict:
    """A simulator whose one chunk of 65,536 trials takes 65 s (asleep, costing no processor):
    --max-seconds waited for it before; now the chunk is abandoned at the budget."""
    sys.path.insert(0, str(ROOT))
    from tests.test_deadline import SLEEPY

    (folder / "sleepy.py").write_text(SLEEPY)
    return {"PUZZLES_PATH": str(folder)}


# (label, mode, arguments, setup(folder) -> extra environment or None, seconds before Ctrl-C)
CASES = [
    # ---- claims that hung or ate memory
    ("check: factorial(10**9)", "cli", ["check", "handshakes", "mean=factorial(10**9)"]),
    ("check: 9**9**9", "cli", ["check", "handshakes", "mean=9**9**9"]),
    ("check: 9**9**9**9", "cli", ["check", "handshakes", "mean=9**9**9**9"]),
    ("check: binomial(10**10, 5*10**9)", "cli", ["check", "handshakes", "mean=binomial(10**10, 5*10**9)"]),
    ("check: sum(1/factorial(k)**a, k, 1, 10**12)", "cli",
     ["check", "handshakes", "mean=sum(1/factorial(k)**a, k, 1, 10**12)"]),
    ("check: a**(b**10)", "cli", ["check", "handshakes", "mean=a**(b**10)"]),
    ("check: factorial(factorial(a))", "cli", ["check", "handshakes", "mean=factorial(factorial(a))"]),
    ("check: 1/0", "cli", ["check", "handshakes", "mean=1/0"]),
    ("check: 9.41176 (digits)", "cli", ["check", "handshakes", "mean=9.41176"]),
    ("check: 10,000 nested brackets", "cli", ["check", "handshakes", NESTED]),
    ("check: 60,000 terms", "cli", ["check", "handshakes", TERMS]),
    ("check: 5,000-character unknown name", "cli", ["check", "handshakes", "mean=" + LONG_NAME]),
    ("check: misspelt function flor(a)", "cli", ["check", "handshakes", "mean=flor(a)"]),
    # ---- parameters
    ("verify -p a=1e999999999", "cli", ["verify", "handshakes", "-p", "a=1e999999999"]),
    ("verify -p a=99...9 (5,000 digits)", "cli", ["verify", "handshakes", "-p", "a=" + "9" * 5000]),
    ("show --answer -p a=1e-999999999", "cli", ["show", "handshakes", "--answer", "-p", "a=1e-999999999"]),
    ("verify birthday -p n=1e20", "cli", ["verify", "birthday", "-p", "n=1e20"]),
    ("verify birthday -p n=1e18 -n 65536", "cli", ["verify", "birthday", "-p", "n=1e18", "-n", "65536"]),
    ("show birthday --answer -p n=1e18", "cli", ["show", "birthday", "--answer", "-p", "n=1e18"]),
    ("verify ball-min-distance -p n=1000 -n 65536", "cli",
     ["verify", "ball-min-distance", "-p", "n=1000", "-n", "65536"]),
    ("verify handshakes a=20000 b=10 -n 640", "cli",
     ["verify", "handshakes", "-p", "a=20000", "-p", "b=10", "-n", "640"]),
    ("verify handshakes a=1000000 b=10 -n 64", "cli",
     ["verify", "handshakes", "-p", "a=1000000", "-p", "b=10", "-n", "64"]),
    ("verify handshakes a=1000000 b=1 -n 64 (X = 2 always)", "cli",
     ["verify", "handshakes", "-p", "a=1000000", "-p", "b=1", "-n", "64"]),
    ("show --answer -p a=1e5000", "cli", ["show", "handshakes", "--answer", "-p", "a=1e5000"]),
    ("check mean=1 -p a=1e5000", "cli", ["check", "handshakes", "mean=1", "-p", "a=1e5000"]),
    ("sweep -p a=1e5000", "cli", ["sweep", "handshakes", "-p", "a=1e5000"]),
    ("verify -p with a 5,000-character name", "cli", ["verify", "handshakes", "-p", LONG_NAME + "=1"]),
    # ---- trial counts and budgets
    ("verify --trials 1e30", "cli", ["verify", "handshakes", "--trials", "1e30"]),
    ("verify --trials 1e14", "cli", ["verify", "handshakes", "--trials", "1e14"]),
    ("check --against simulation --trials 1e30", "cli",
     ["check", "handshakes", "mean=1", "--against", "simulation", "--trials", "1e30"]),
    ("calibrate --trials 1e30", "cli", ["calibrate", "handshakes", "--trials", "1e30"]),
    ("verify --max-trials 1e30", "cli", ["verify", "handshakes", "--max-trials", "1e30"]),
    ("verify --trials 1e13 --max-seconds 3", "cli",
     ["verify", "handshakes", "--trials", "1e13", "--max-seconds", "3", "--json"]),
    ("verify --rtol 1e-7 --max-seconds 10 (within 10%)", "cli",
     ["verify", "handshakes", "--rtol", "1e-7", "--max-seconds", "10"]),
    ("Python: verify(trials=10**30)", "python",
     ["import puzzles\ntry:\n    puzzles.verify('handshakes', trials=10**30)\n"
      "except puzzles.PuzzleError as e:\n    print(type(e).__name__, e, file=__import__('sys').stderr)\n"
      "    raise SystemExit(2)"]),
    ("Python: verify(params={'a': 1e300})", "python",
     ["import puzzles\ntry:\n    puzzles.verify('handshakes', params={'a': 1e300})\n"
      "except puzzles.PuzzleError as e:\n    print(type(e).__name__, e, file=__import__('sys').stderr)\n"
      "    raise SystemExit(2)"]),
    # ---- a simulator with Pmf(None, ...)
    ("verify pmf-none (Pmf(None, x, ...))", "cli", ["verify", "pmf-none", "-n", "1e5", "--rtol", "0.05"],
     _pmf_none_setup),
    ("verify a 65-s chunk --max-seconds 3", "cli",
     ["verify", "sleepy", "-p", "c=1000", "--max-seconds", "3"], _sleepy_setup),
    # ---- honest output
    ("verify birthday -p n=365 (not [1, 1])", "cli", ["verify", "birthday", "-p", "n=365"]),
    ("verify handshakes (pmf row: reach <= tol)", "cli", ["verify", "handshakes", "--rtol", "0.01"]),
    ("verify ball-min-distance -n 1e6", "cli", ["verify", "ball-min-distance", "-n", "1e6"]),
    ("show -p a=3 without --answer", "cli", ["show", "handshakes", "-p", "a=3"]),
    ("verify -p a=3 -p a=4", "cli", ["verify", "handshakes", "-p", "a=3", "-p", "a=4"]),
    ("verify -n 1e5 --max-trials 1e6", "cli", ["verify", "handshakes", "-n", "1e5", "--max-trials", "1e6"]),
    ("verify --threads 1000 -n 1e5", "cli", ["verify", "handshakes", "--threads", "1000", "-n", "1e5"]),
    ("new --dir <missing folder>", "cli", ["new", "dice-sum", "--dir", "{tmp}/nonexistent/folder"]),
    ("verify --plot <missing folder>/x.png", "cli",
     ["verify", "handshakes", "-n", "1e5", "--plot", "{tmp}/nonexistent/x.png"]),
    ("verify --plot <5,000-character name>.png", "cli",
     ["verify", "handshakes", "--plot", LONG_NAME + ".png"]),
    ("show wald-coverage --answer -p z=1.96", "cli", ["show", "wald-coverage", "--answer", "-p", "z=1.96"]),
    ("verify --alpha 2", "cli", ["verify", "handshakes", "--alpha", "2"]),
    ("verify handshak (did you mean)", "cli", ["verify", "handshak"]),
    ("verify --5,000-character option", "cli", ["verify", "handshakes", "--" + LONG_NAME]),
    ("Ctrl-C after 3 s of verify --rtol 1e-7", "cli", ["verify", "handshakes", "--rtol", "1e-7"],
     None, 3.0),
]


def run_case(case, timeout: float) -> dict:
    label, mode, args = case[:3]
    setup = case[3] if len(case) > 3 else None
    interrupt = case[4] if len(case) > 4 else None
    folder = Path(tempfile.mkdtemp(prefix="hostile-"))
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOSTILE_AS": str(ADDRESS_SPACE),
               "HOSTILE_RSS": str(folder / ".rss")}
        env.pop("PUZZLES_PATH", None)
        if setup is not None:
            env.update(setup(folder))
        args = [a.replace("{tmp}", str(folder)) for a in args]
        start = time.monotonic()
        child = subprocess.Popen([sys.executable, "-c", _WRAPPER, mode, *args], cwd=folder,
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        try:
            if interrupt is not None:
                try:
                    out, err = child.communicate(timeout=interrupt)
                except subprocess.TimeoutExpired:
                    child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=timeout)
            code = child.returncode
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            code = "timeout"
        seconds = time.monotonic() - start
        rss = folder / ".rss"
        peak = f"{int(rss.read_text()) / 1024:.0f} MB" if rss.exists() else "-"
        leftovers = sorted(p.name for p in folder.iterdir() if p.name != ".rss"
                           and not p.name.endswith(".py") and p.name != "__pycache__")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    lines = err.strip().splitlines()
    # the first line of stderr; with nothing there, the last of stdout (a verdict, a note)
    first = lines[0] if lines else "stdout: " + (out.strip().splitlines() or [""])[-1]
    if interrupt is not None and lines:  # what Ctrl-C printed: the last line
        first = "(last) " + lines[-1]
    return {"case": label, "exit": code, "seconds": seconds, "peak": peak,
            "stderr lines": len(lines), "traceback": "Traceback" in out + err,
            "first": first, "leftovers": leftovers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose label contains this text")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per case")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    parser.add_argument("--width", type=int, default=110, help="characters of stderr shown")
    options = parser.parse_args()
    cases = [c for c in CASES if not options.only or options.only in c[0]]
    rows = []
    for case in cases:
        row = run_case(case, options.timeout)
        rows.append(row)
        if not options.markdown:
            print(f"{row['case'][:52]:<52}  {str(row['exit']):>7}  {row['seconds']:6.1f} s  "
                  f"{row['peak']:>7}  {row['first'][:options.width]}", flush=True)
    if options.markdown:
        print("| case | exit | wall | peak memory | first line of stderr (else stdout's last) |")
        print("|---|---:|---:|---:|---|")
        for r in rows:
            first = r["first"][:options.width].replace("|", "\\|")
            print(f"| {r['case']} | {r['exit']} | {r['seconds']:.1f} s | {r['peak']} | `{first}` |")
    bad = [r for r in rows if r["traceback"] or r["exit"] == "timeout"]
    for r in bad:
        print(f"PROBLEM: {r['case']}: {'traceback' if r['traceback'] else 'timeout'}",
              file=sys.stderr)
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
