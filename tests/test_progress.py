"""Long runs say where they are: plain lines on a non-terminal stderr, and an estimate first
when a run will take over a minute. The clock is faked: nothing here depends on speed."""

import io
import os
import subprocess
import sys

import pytest

from puzzles.cli import progress as pg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(pg.time, "monotonic", c)
    monkeypatch.setenv(pg.INTERVAL_VARIABLE, "5")
    return c


def test_fixed_run_lines_every_few_seconds_with_rate_and_time_left(clock):
    out = io.StringIO()
    with pg.Progress(10_000_000, True, stream=out) as progress:
        progress(65_536)                  # the clock starts at the first chunk
        for _ in range(10):
            clock.now += 1.0
            progress(1_000_000)           # 1 M trials/s
    lines = out.getvalue().splitlines()
    assert lines == ["simulating: 5,065,536 trials, 1 M trials/s, about 5 s to go",
                     "simulating: 10,065,536 trials, 1 M trials/s, about 0 s to go"]


def test_a_run_over_a_minute_is_announced_once(clock):
    out = io.StringIO()
    with pg.Progress(200_000_000, True, stream=out) as progress:
        progress(65_536)
        for _ in range(3):
            clock.now += 1.0
            progress(1_000_000)
    lines = out.getvalue().splitlines()
    assert lines == ["this run: 200,000,000 trials, about 3 min at 1 M trials/s"]


def test_an_auto_run_estimates_the_time_to_a_verdict(clock):
    out = io.StringIO()
    with pg.Progress(None, True, stream=out) as progress:
        progress(65_536)
        progress.expect(524_288, 30_000_000, 10**9)
        for _ in range(6):
            clock.now += 1.0
            progress(1_000_000)
    assert out.getvalue().splitlines() == [
        "simulating: 5,065,536 trials, 1 M trials/s, about 25 s to a verdict"]
    out = io.StringIO()
    with pg.Progress(None, True, stream=out) as progress:
        progress(65_536)
        progress.expect(524_288, 5 * 10**9, 10**9)   # more than --max-trials can give
        clock.now += 1.0
        progress(1_000_000)
    assert out.getvalue().splitlines() == [
        "a verdict needs more than --max-trials 1,000,000,000: about 17 min to reach it at "
        "1 M trials/s (a larger --rtol settles sooner)"]


def test_disabled_gives_the_engine_nothing(clock):
    with pg.Progress(10, False, stream=io.StringIO()) as progress:
        assert progress is None


def test_the_command_prints_progress_lines_when_stderr_is_not_a_terminal(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT, **{pg.INTERVAL_VARIABLE: "0"})
    proc = subprocess.run([sys.executable, "-m", "puzzles.cli", "verify", "handshakes", "-n",
                           "262144", "--rtol", "0.5"], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode in (0, 3), proc.stderr
    lines = proc.stderr.splitlines()
    assert lines and all(ln.startswith("simulating: ") and "trials" in ln for ln in lines), lines
    assert lines[-1].startswith("simulating: 262,144 trials")
    assert proc.stdout.startswith("handshakes")
    # --json stays pure, and stderr quiet
    proc = subprocess.run([sys.executable, "-m", "puzzles.cli", "verify", "handshakes", "-n",
                           "131072", "--rtol", "0.5", "--json"], env=env, capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert proc.stderr == "" and proc.stdout.lstrip().startswith("{")


def test_a_time_budget_that_stops_the_run_first_is_what_the_estimate_names(clock):
    # `verify --trials 1e13 --max-seconds 3` announced "about 41.3 h": the budget ends it in 3 s
    out = io.StringIO()
    with pg.Progress(10 ** 13, True, stream=out) as progress:
        progress.limit(30.0, given=True)
        progress(65_536)
        for _ in range(6):
            clock.now += 1.0
            progress(1_000_000)
    lines = out.getvalue().splitlines()
    assert lines == ["simulating: 5,065,536 trials, 1 M trials/s, about 25 s to --max-seconds"]


def test_a_long_budget_is_announced_with_what_the_run_would_need(clock):
    out = io.StringIO()
    with pg.Progress(None, True, stream=out) as progress:
        progress.limit(300.0, given=False)  # an auto run's default budget
        progress(65_536)
        progress.expect(524_288, 10 ** 9, 10 ** 10)
        for _ in range(2):
            clock.now += 1.0
            progress(1_000_000)
    lines = out.getvalue().splitlines()
    assert lines == ["a verdict needs about 1,000,000,000 trials: about 17 min at 1 M trials/s; "
                     "the time budget (300 s, --max-seconds) stops the run after 5 min"]


def test_a_budget_that_comes_after_the_verdict_changes_nothing(clock):
    out = io.StringIO()
    with pg.Progress(10_000_000, True, stream=out) as progress:
        progress.limit(3600.0, given=True)
        progress(65_536)
        for _ in range(10):
            clock.now += 1.0
            progress(1_000_000)
    assert out.getvalue().splitlines()[0] == \
        "simulating: 5,065,536 trials, 1 M trials/s, about 5 s to go"
