"""Writing a puzzle of your own (issue 17): reproducibility, hints for the usual traps,
simulator-only puzzles that are estimated, the template, `new --from`, `verify --examples`."""

import json
import os
import textwrap

import numpy as np
import pytest

from puzzles.cli.main import app
from puzzles.engine import verify
from puzzles.engine.templates import render_puzzle

HEADER = '''
import math
import random
import numba
import numpy as np
from sympy import Rational, symbols
from puzzles import Cdf, Integer, Mean, Pmf, Probability, Puzzle, Real, Variance

s, x = symbols("s x", integer=True)
'''


def kernel(body, signature="rng, trials, s", out="np.empty(trials)"):
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8)
    return (f"@numba.njit(cache=True, nogil=True)\ndef _k({signature}):\n    out = {out}\n"
            f"    for t in range(trials):\n{body}\n    return out\n")


def puzzle_file(folder, name, body, quantities="Probability(Rational(1, 4))",
                parameters='[Integer(s, 4, "faces", min=2)]', signature="rng, trials, s",
                extra="", out="np.empty(trials)"):
    text = (HEADER + extra + "\n" + kernel(body, signature, out) +
            f'\nPUZZLE = Puzzle(name="{name}", title="A test puzzle", statement="A fair die with s '
            f'faces is rolled.",\n    parameters={parameters},\n    quantities=[{quantities}],'
            f'\n    simulate=_k)\n')
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name.replace("-", "_") + ".py")
    path.write_text(text)
    return path


def run(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code, out, err):
    assert code == 2, (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err
    return err


@pytest.fixture
def folder(tmp_path, monkeypatch):
    f = tmp_path / "mine"
    f.mkdir()
    monkeypatch.setenv("PUZZLES_PATH", str(f))
    return f


# --------------------------------------------------------------------------- reproducible or refused


@pytest.mark.parametrize("draw", ["np.random.random()", "random.random()"])
def test_a_simulator_not_drawing_from_rng_is_refused_naming_rng(runner, folder, draw):
    puzzle_file(folder, "stray-draws", f"out[t] = {draw} < 0.25")
    err = one_line_error(*run(runner, "verify", "stray-draws", "-n", "1e4"))
    assert "rng" in err and "same seed" in err


def test_a_simulator_drawing_from_rng_passes_the_same_seed_check(runner, folder):
    puzzle_file(folder, "fair", "out[t] = rng.integers(0, s) == 0")
    code, out, err = run(runner, "verify", "fair", "-n", "2e5", "--rtol", "0.05")
    assert code == 0, out + err


def test_the_same_seed_check_costs_little():
    import time

    from puzzles.engine import get_puzzle
    from puzzles.engine.preflight import check_reproducible

    puzzle = get_puzzle("laplace-succession")  # the slowest built-in per trial
    args = puzzle.kernel_args(puzzle.resolve())
    check_reproducible(puzzle, args)  # compiled
    start = time.perf_counter()
    check_reproducible(puzzle, args)
    assert time.perf_counter() - start < 0.05  # a few ms on a quiet machine; generous here


# --------------------------------------------------------------------------- hints for the usual traps


@pytest.mark.parametrize("body, hint", [
    ("out[t] = math.comb(s, 2)", "math.comb"),
    ("out[t] = rng.choice(s)", "rng.integers"),
])
def test_numba_traps_get_a_hint_with_the_fix(runner, folder, body, hint):
    puzzle_file(folder, "trap", body)
    err = one_line_error(*run(runner, "verify", "trap", "-n", "1e4"))
    assert "hint:" in err and hint in err, err


@pytest.mark.parametrize("ret", ["None", "[1.0 for _ in range(trials)]"])
def test_a_simulator_that_returns_no_array_gets_a_hint(runner, folder, ret):
    path = puzzle_file(folder, "no-array", "out[t] = 1")
    path.write_text(path.read_text().replace("    return out\n", f"    return {ret}\n"))
    err = one_line_error(*run(runner, "verify", "no-array", "-n", "1e4"))
    assert "np.empty(trials)" in err, err


def test_a_sympy_function_that_needs_numbers_gets_a_hint(runner, folder):
    puzzle_file(folder, "needs-numbers", "out[t] = 1",
                extra="from sympy.functions.combinatorial.numbers import stirling\n",
                quantities="Pmf(stirling(s, x), x, support=(1, s))")
    err = one_line_error(*run(runner, "verify", "needs-numbers", "-n", "1e4"))
    assert "stirling" in err and "Function" in err, err


def test_a_float_closed_form_is_refused_at_load(runner, folder):
    puzzle_file(folder, "floaty", "out[t] = rng.integers(0, 4) == 0", quantities="Probability(1/4)")
    err = one_line_error(*run(runner, "verify", "floaty", "-n", "1e4"))
    assert "Rational(1, 4)" in err, err
