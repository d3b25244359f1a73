"""--max-seconds is kept even when one chunk (one call of the simulator) takes longer.

A chunk is never cut or sized by the clock (that is what gives the same numbers on any number
of threads); a chunk still running at the deadline is abandoned, and the run is the chunks
finished before it, in order. These kernels sleep instead of computing, so a test that leaves
one behind costs the machine nothing.
"""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from puzzles.engine.errors import InvalidOption
from puzzles.engine.simulate import CHUNK_TRIALS, Moments, chunk_generator, run_chunks

SLEEPY = '''
import ctypes

import numba
import numpy as np
from sympy import Rational, symbols

from puzzles import Integer, Mean, Puzzle

c = symbols("c", integer=True, positive=True)
_usleep = ctypes.CDLL(None).usleep
_usleep.argtypes = [ctypes.c_uint]
_usleep.restype = ctypes.c_int


@numba.njit(nogil=True)
def _simulate_kernel(rng, trials, c):
    out = np.empty(trials)
    for i in range(trials):
        _usleep(c)  # c microseconds a trial, asleep
        out[i] = rng.random()
    return out


PUZZLE = Puzzle(
    name="sleepy", title="A slow uniform", statement="A uniform number, drawn slowly. X is it.",
    outcomes=["X"], parameters=[Integer(c, 1, "microseconds a trial", min=1)],
    quantities=[Mean(Rational(1, 2) + 0 * c)], simulate=_simulate_kernel, naive_draws=1,
    bounds=(0, 1),
)
'''

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="usleep is POSIX")


@pytest.fixture
def sleepy_folder(tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "sleepy.py").write_text(SLEEPY)
    return folder


@pytest.fixture
def sleepy(sleepy_folder):
    import importlib.util

    spec = importlib.util.spec_from_file_location("sleepy_for_test", sleepy_folder / "sleepy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PUZZLE


def test_no_chunk_within_the_budget_is_one_clear_error_at_the_budget(sleepy):
    from puzzles.engine import verify

    started = time.monotonic()
    with pytest.raises(InvalidOption) as caught:  # a chunk takes 65 s: it is not waited for
        verify(sleepy, params={"c": 1000}, max_seconds=1, seed=1)
    assert time.monotonic() - started < 30
    assert caught.value.option == "max_seconds"
    assert "ran out (the default" not in str(caught.value)
    assert "before the first chunk of 65,536 trials finished" in str(caught.value)
    assert caught.value.as_typed().startswith("--max-seconds 1 ran out")


def test_the_command_line_does_not_wait_for_an_abandoned_chunk(sleepy_folder, tmp_path):
    env = {"PUZZLES_PATH": str(sleepy_folder), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    import os

    for key in ("NUMBA_CACHE_DIR", "SYSTEMROOT"):
        if key in os.environ:
            env[key] = os.environ[key]
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "puzzles.cli", "verify", "sleepy", "-p",
                           "c=1000", "--max-seconds", "1"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 40  # not the 65 s a chunk sleeps
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: --max-seconds 1 ran out before the first chunk")
    assert "Traceback" not in done.stderr


def _slow_after_the_first(seed):
    first = chunk_generator(seed, 0).bit_generator.state

    def kernel(rng, trials):
        if rng.bit_generator.state != first:
            time.sleep(60)  # every chunk but the first: far past the deadline
        return rng.random(trials)
    return kernel


@pytest.mark.parametrize("threads", [1, 2])
def test_the_run_is_the_chunks_finished_in_order_before_the_deadline(threads):
    seed = 11
    moments = Moments(0, 0.0)
    started = time.monotonic()
    run = run_chunks(_slow_after_the_first(seed), (), 1, [moments], 3 * CHUNK_TRIALS, seed,
                     threads, deadline=time.monotonic() + 1.0)
    assert time.monotonic() - started < 30
    assert (run.trials, run.chunks, run.stopped_early) == (CHUNK_TRIALS, 1, True)
    alone = Moments(0, 0.0)  # the same numbers as a run of one chunk
    run_chunks(lambda rng, n: rng.random(n), (), 1, [alone], CHUNK_TRIALS, seed, 1)
    assert np.array_equal(moments.total, alone.total)


def test_a_deadline_that_is_not_reached_changes_no_number():
    seed = 5
    with_deadline, without = Moments(0, 0.0), Moments(0, 0.0)
    for collector, deadline in ((with_deadline, time.monotonic() + 600), (without, None)):
        run = run_chunks(lambda rng, n: rng.random(n), (), 1, [collector], 5 * CHUNK_TRIALS + 7,
                         seed, 2, deadline=deadline)
        assert run.trials == 5 * CHUNK_TRIALS + 7 and not run.stopped_early
    assert np.array_equal(with_deadline.total, without.total)
