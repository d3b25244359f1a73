"""benchmarks/throughput.py measures every built-in puzzle against the random-number floor of
its naive simulator, so each must say how many uniform draws that simulator makes per trial."""

import math
import os

import pytest
import sympy

import puzzles.catalog as builtin_package
from puzzles.engine import all_puzzles
from puzzles.engine import exact as ex

PACKAGE = os.path.realpath(os.path.dirname(builtin_package.__file__))
BUILTINS = [p for p in all_puzzles().values()
            if os.path.dirname(os.path.realpath(p.source)) == PACKAGE]


def naive_draws_at(puzzle, point) -> float:
    subs = ex.substitutions(puzzle, puzzle.resolve(point))
    return float(sympy.sympify(puzzle.naive_draws).subs(subs))


@pytest.mark.parametrize("puzzle", BUILTINS, ids=[p.name for p in BUILTINS])
def test_naive_draws_is_a_number_at_the_defaults_and_every_example(puzzle):
    assert puzzle.naive_draws is not None, "add naive_draws=... (see puzzles/handshakes.py)"
    assert naive_draws_at(puzzle, {}) >= 1
    for point in puzzle.examples:  # a table of one seat, say, may need no draw at all
        draws = naive_draws_at(puzzle, point)
        assert math.isfinite(draws) and draws >= 0, (point, draws)


def test_every_builtin_is_checked():
    assert len(BUILTINS) == len([f for f in os.listdir(PACKAGE)
                                 if f.endswith(".py") and not f.startswith("_")])
