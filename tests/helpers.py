"""Shared helpers: verify a puzzle at a fixed seed with a modest number of trials, evaluate a
closed form exactly, swap in a wrong closed form, and run a puzzle's simulator directly."""

import dataclasses
from fractions import Fraction

import numpy as np
import sympy

from puzzles.engine import get_puzzle, verify
from puzzles.engine import exact as ex

TEST_TRIALS = 200_000
TEST_SEED = 12345
# "agree" in a test means: the band contains the exact value and lies within 2% of it (the CLI's
# default is 0.1%). An auto run stops as soon as that is settled, which takes a few hundred
# thousand trials for most points and a few million for small probabilities; st-petersburg's
# heavy-tailed variance (payments up to W = 1000) needs about 16 million.
TEST_RTOL = 0.02
TEST_MAX_TRIALS = 32_000_000


def points(puzzle):
    """The defaults, then each example parameter point declared on the spec."""
    return [{}] + [dict(e) for e in puzzle.examples]


def assert_agrees(name, params=None, trials="auto", seed=TEST_SEED, rtol=TEST_RTOL):
    report = verify(name, params=params, trials=trials, seed=seed, threads=2, rtol=rtol,
                    max_trials=TEST_MAX_TRIALS)
    assert report.verdict == "agree", report.format()
    return report


def exact_at(name, quantity, params=None, x=None):
    """The closed form of `quantity` at `params` (and at its pmf/cdf variable `x`, an int or a
    rational such as 3 or "1/2"), as the engine evaluates it: an exact sympy number."""
    puzzle = get_puzzle(name)
    q = puzzle.quantity(quantity)
    subs = ex.substitutions(puzzle, puzzle.resolve(params))
    if x is not None:
        subs[q.variable] = sympy.Rational(x)
    return ex.exact_value(q.closed_form, subs)


def as_fraction(value) -> Fraction:
    """An exact sympy rational as a Fraction; fails the test if `value` is not rational."""
    assert value.is_Rational, f"{value} is not an exact rational"
    return Fraction(int(value.p), int(value.q))


def with_quantity(name, replacement):
    """The puzzle `name` with its quantity of the same name replaced by `replacement`."""
    puzzle = get_puzzle(name)
    quantities = [replacement if q.name == replacement.name else q for q in puzzle.quantities]
    return dataclasses.replace(puzzle, quantities=quantities)


def assert_caught(wrong_puzzle, params=None, trials=200_000):
    """Verify a puzzle with a slipped closed form (seed 2024, fixed trials): it must disagree."""
    report = verify(wrong_puzzle, params=params, trials=trials, seed=2024, threads=2)
    assert report.verdict == "disagree", report.format()


def run_kernel(name, params=None, trials=2000, seed=3):
    """The raw outcomes of the puzzle's simulator at `params`, `trials` rows, from `seed`."""
    puzzle = get_puzzle(name)
    args = puzzle.kernel_args(puzzle.resolve(params))
    return np.asarray(puzzle.simulate(np.random.default_rng(seed), trials, *args))


def verdict_of(report, quantity):
    """The verdict on one quantity (by name) of a verify report."""
    return next(q.verdict for q in report.quantities if q.name == quantity)
