"""Nothing a user types can hang the tool, crash it or eat the machine (issue 15).

Each case runs the real command (or a Python API call) in a child process with a memory limit
and a timeout, so a regression fails the case instead of hanging or swapping the suite. A user
error must end in exit code 2 with exactly one line on stderr and no traceback; inputs that are
large but valid must finish, in bounded time and memory, with a verdict.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

# the limits and the peak memory come from Linux (setrlimit, /proc/self/status)
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

ROOT = Path(__file__).resolve().parents[1]
# Address-space limit of each child (numba and LLVM alone reserve about 0.7 GB of it): a
# runaway allocation fails inside the child instead of eating the machine.
ADDRESS_SPACE = 3 * 2**30
# Peak resident memory a case may reach: a plain run peaks at about 220 MB.
MAX_RSS_MB = 700
# Generous: the machine running the suite may be loaded. A hang is what this catches.
TIMEOUT = 90

_WRAPPER = """
import atexit, os, resource, sys
limit = int(os.environ["HOSTILE_AS"])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
def _peak():
    # VmHWM, not getrusage's ru_maxrss: Linux carries the forking parent's peak (a pytest of
    # 700 MB) over into the child's ru_maxrss across exec; VmHWM is this process's own
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["HOSTILE_RSS"], "w") as f:
        f.write(kb)
atexit.register(_peak)
mode = sys.argv[1]
if mode == "cli":
    sys.argv = ["puzzles"] + sys.argv[2:]
    from puzzles.cli.main import main
    main()
else:
    exec(sys.argv[2])
"""


def run_child(tmp_path, mode, *args, env=None):
    rss_file = tmp_path / f"rss-{time.monotonic_ns()}"
    child_env = {**os.environ, "PYTHONPATH": str(ROOT), "HOSTILE_AS": str(ADDRESS_SPACE),
                 "HOSTILE_RSS": str(rss_file), **(env or {})}
    child_env.pop("PUZZLES_PATH", None)
    child_env.update(env or {})
    start = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", _WRAPPER, mode, *args], cwd=tmp_path,
                              env=child_env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: {mode} {' '.join(args)} ran past {TIMEOUT} s")
    seconds = time.monotonic() - start
    rss_mb = int(rss_file.read_text()) / 1024 if rss_file.exists() else float("nan")
    return done.returncode, done.stdout, done.stderr, seconds, rss_mb


def assert_bounded(rss_mb, what):
    # nan: the child did not get to report its peak (it was killed, or exited without atexit)
    assert rss_mb < MAX_RSS_MB, f"{what}: peak memory {rss_mb:.0f} MB"


def assert_one_line(code, out, err, what, expected=2):
    assert "Traceback" not in out + err, f"{what}:\n{err[-3000:]}"
    assert code == expected, f"{what}: exit {code}\n{out[-2000:]}\n{err[-2000:]}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"{what}: stderr has {len(lines)} lines:\n{err[-2000:]}"
    assert len(lines[0]) < 300, f"{what}: a {len(lines[0])}-character error line"
    return lines[0]


# --------------------------------------------------------------------------- user errors: exit 2

# (command line, a word the one error line must contain)
USER_ERRORS = [
    # trial counts past any bound: an OverflowError / MemoryError traceback before
    ("verify handshakes --trials 1e30", "trials"),
    ("verify handshakes --trials 1e14", "trials"),
    ("check handshakes mean=1 --against simulation --trials 1e30", "trials"),
    ("calibrate handshakes --trials 1e30", "trials"),
    ("verify handshakes --max-trials 1e30", "max-trials"),
    # parameters with thousands of digits: "Exceeds the limit (4300 digits)" before
    ("show handshakes --answer -p a=1e5000", "a=1e5000"),
    ("check handshakes mean=1 -p a=1e5000", "a=1e5000"),
    ("sweep handshakes -p a=1e5000", "a=1e5000"),
    ("verify handshakes -p a=" + "9" * 5000, "a=999"),
    # an exponent that Fraction() would expand into a billion digits: a hang before
    ("verify handshakes -p a=1e999999999", "a=1e999999999"),
    ("show handshakes --answer -p a=1e-999999999", "a=1e-999999999"),
    # parameters valid for the closed forms but too large for the simulator's integers
    ("verify birthday -p n=1e20", "n=1e20"),
]


@pytest.mark.parametrize("command,word", USER_ERRORS, ids=[c for c, _ in USER_ERRORS])
def test_a_user_error_is_one_line_and_exit_2(tmp_path, command, word):
    code, out, err, seconds, rss = run_child(tmp_path, "cli", *command.split())
    line = assert_one_line(code, out, err, command)
    assert line.startswith("error: ") and word in line, line
    assert_bounded(rss, f"{command} (exit {code}, {seconds:.1f} s, {err!r})")


# --------------------------------------------------------------------------- the Python API

API_ERRORS = [
    "puzzles.verify('handshakes', trials=10**30)",
    "puzzles.verify('handshakes', trials=10**14)",
    "puzzles.verify('handshakes', trials='auto', max_trials=10**30)",
    "puzzles.verify('handshakes', params={'a': '1e999999999'})",
    "puzzles.verify('handshakes', params={'a': 10**5000})",
    "puzzles.verify('handshakes', params={'a': 1e300})",
    "puzzles.check('handshakes', {'mean': '1'}, params={'a': '1e5000'})",
]


def test_the_python_api_raises_a_puzzle_error(tmp_path):
    # one child for all of them (each is refused before any work): what each raised, a line each
    script = "import puzzles\n" + "".join(
        f"try:\n    {call}\n    print('returned')\n"
        f"except puzzles.PuzzleError as exc:\n    print('PuzzleError', type(exc).__name__)\n"
        for call in API_ERRORS)
    code, out, err, seconds, rss = run_child(tmp_path, "python", script)
    assert code == 0, err[-3000:]
    for call, line in zip(API_ERRORS, out.splitlines()):
        assert line.startswith("PuzzleError"), (call, line)
    assert len(out.splitlines()) == len(API_ERRORS), out
    assert_bounded(rss, "the Python API")


# --------------------------------------------------------------------------- large but valid


def test_many_trials_keep_memory_flat(tmp_path):
    # 1e13 trials used to allocate a list of 150 million chunk sizes up front (2.6 GB in 25 s)
    command = "verify handshakes --trials 1e13 --max-seconds 3 --json".split()
    code, out, err, seconds, rss = run_child(tmp_path, "cli", *command)
    assert code in (0, 3), (code, out[-2000:], err[-2000:])
    assert "max-seconds" in out
    assert_bounded(rss, "1e13 trials")


def test_max_seconds_is_honoured(tmp_path):
    # never settled at rtol 1e-7: only the time budget stops it. Its looks grow 7x at a time,
    # so checking the clock only between looks overshot by 60-90%.
    script = ("import puzzles\nr = puzzles.verify('handshakes', rtol=1e-7, max_seconds=4, "
              "threads=1)\nprint(r.stopped, r.seconds)\n")
    code, out, err, seconds, rss = run_child(tmp_path, "python", script)
    assert code == 0, err[-3000:]
    stopped, spent = out.split()
    assert stopped == "max-seconds"
    assert float(spent) <= 4 * 1.1, spent


LARGE = [
    # sympy used to compute 365**(10**18) exactly; the answer is 1 to any precision
    "verify birthday -p n=1e18 -n 65536",
    "show birthday --answer -p n=1e18",
    # stuck in sympy's gammasimp before simulating
    "verify ball-min-distance -p n=1000 -n 65536",
    # the seating table grew as (a+b)^2: 3.3 GB at a=20000, a MemoryError blamed on the puzzle
    # at a=1000000
    "verify handshakes -p a=20000 -p b=10 -n 640",
    "verify handshakes -p a=1000000 -p b=10 -n 64",
]


@pytest.mark.parametrize("command", LARGE)
def test_large_valid_input_finishes_in_bounded_memory(tmp_path, command):
    code, out, err, seconds, rss = run_child(tmp_path, "cli", *command.split())
    assert "Traceback" not in out + err, err[-3000:]
    # a verdict, whichever it is (at a=1000000 every table has 20 handshakes but one in 5,000,
    # and a few dozen trials cannot tell: that is the statistics' business, not this test's)
    assert code in (0, 1, 3), (code, out[-2000:], err[-2000:])
    assert "verdict:" in out or command.startswith("show")
    assert_bounded(rss, command)


def test_a_distribution_without_closed_form_is_estimated_not_a_crash(tmp_path):
    from puzzles.engine.templates import render_puzzle

    text = render_puzzle("pmf-none")
    marker = "\n        Pmf("  # the quantity, not the docstring's mention of it
    start = text.index(marker) + len(marker)
    end = text.index(", x,", start)
    (tmp_path / "pmf_none.py").write_text(text[:start] + "None" + text[end:])
    code, out, err, seconds, rss = run_child(
        tmp_path, "cli", "verify", "pmf-none", "-n", "1e5", "--rtol", "0.05",
        env={"PUZZLES_PATH": str(tmp_path)})
    assert "Traceback" not in out + err, err[-3000:]
    assert code == 0, (code, out, err)
    assert "estimated" in out
