"""Defects of the catalog's second part found in issue 18: pmfs that were not 0 outside their
supports (first-ace, sock-pairs), amoeba's colony size overflowing int64, and a
knockout-runner-up simulator that placed only the two strongest players instead of playing the
tournament."""

import math

import numpy as np
import pytest
import scipy.stats
import sympy

from puzzles import check, verify
from puzzles.engine import get_puzzle
from puzzles.engine.errors import PuzzleError
from helpers import exact_at, run_kernel


# --------------------------------------------------------------------------- pmfs outside support


@pytest.mark.parametrize("name,params,outside", [
    ("first-ace", {}, [-3, -1, 0, 50, 51, 52, 53, 60, 200]),
    ("first-ace", {"n": 5, "a": 2}, [0, 5, 6, 7, 12]),
    ("first-ace", {"n": 1, "a": 1}, [0, 2, 3]),
    ("sock-pairs", {}, [-2, -1, 0, 1, 12, 20, 21, 22, 40]),
    ("sock-pairs", {"n": 1}, [0, 1, 3, 4]),
])
def test_pmf_is_zero_outside_its_support(name, params, outside):
    for x in outside:
        value = exact_at(name, "pmf", params, x)
        assert value == 0, (name, params, x, value)


@pytest.mark.parametrize("name,x", [("first-ace", 0), ("first-ace", 53), ("first-ace", 60),
                                    ("sock-pairs", 1), ("sock-pairs", 21), ("sock-pairs", 25)])
def test_check_outside_the_support(name, x):
    outcome = get_puzzle(name).outcomes[0]
    assert check(name, [f"P({outcome} = {x}) = 0"]).verdict == "correct"
    wrong = check(name, [f"P({outcome} = {x}) = 1/100"])
    assert wrong.verdict == "wrong"


def test_check_of_the_closed_form_text_in_its_own_variable():
    # the law's own text, compared for every k: right inside the support, and outside it
    assert check("first-ace", ["P(X = k) = binomial(n - k, a - 1)/binomial(n, a)"]
                 ).verdict in ("correct",)
    assert check("sock-pairs", ["P(T = k) = 2^(k-1) C(n, k-1)/C(2n, k-1) * (k-1)/(2n-k+1)"]
                 ).verdict == "correct"


# --------------------------------------------------------------------------- amoeba


def test_amoeba_refuses_colonies_too_large_for_int64():
    # Z <= 3^t, and 3^40 > 2^63 - 1: with p3 > 0 at most 39 minutes, with p3 = 0 (Z <= 2^t) 62
    assert 3 ** 39 < 2 ** 63 - 1 < 3 ** 40
    puzzle = get_puzzle("amoeba")
    with pytest.raises(PuzzleError):
        puzzle.resolve({"p0": 0, "p2": 0, "p3": 1, "t": 40})
    with pytest.raises(PuzzleError):
        puzzle.resolve({"p0": 0, "p2": 1, "p3": 0, "t": 63})
    puzzle.resolve({"p0": 0, "p2": 0, "p3": 1, "t": 39})
    puzzle.resolve({"p0": 0, "p2": 1, "p3": 0, "t": 62})


@pytest.mark.parametrize("params,size", [({"p0": 0, "p2": 0, "p3": 1, "t": 39}, 3 ** 39),
                                         ({"p0": 0, "p2": 1, "p3": 0, "t": 62}, 2 ** 62)])
def test_amoeba_at_the_largest_colonies_counts_exactly(params, size):
    z = run_kernel("amoeba", params, trials=50)[:, 0]
    assert np.all(z == float(size))


def test_amoeba_large_deterministic_colony_agrees():
    report = verify("amoeba", {"p0": 0, "p2": 0, "p3": 1, "t": 39}, trials=65_536, rtol=0.01,
                    threads=2, seed=1)
    assert report.verdict == "agree", report.format()


# --------------------------------------------------------------------------- knockout-runner-up


def test_knockout_plays_every_match_of_the_draw():
    # A literal tournament shuffles all 2^r players (2^r - 1 draws, Fisher-Yates) and plays
    # 2^r - 1 matches; the old kernel placed only the two strongest (a few draws a trial).
    puzzle = get_puzzle("knockout-runner-up")
    for r in (1, 3, 6):
        rng = np.random.default_rng(11)
        puzzle.simulate(rng, 1, r)
        again = np.random.default_rng(11)
        again.random(2 ** r - 1)
        assert rng.bit_generator.state == again.bit_generator.state, r


@pytest.mark.parametrize("r", [1, 2, 3, 5, 8])
def test_knockout_kernel_matches_the_closed_form_pmf(r):
    trials = 200_000 if r < 8 else 50_000
    out = run_kernel("knockout-runner-up", {"r": r}, trials=trials, seed=r)
    wins = out[:, 1].astype(int)
    assert np.array_equal(out[:, 0], wins == r - 1)
    counts = np.bincount(wins, minlength=r)
    assert len(counts) == r
    probs = np.array([float(exact_at("knockout-runner-up", "pmf", {"r": r}, x))
                      for x in range(r)])
    assert abs(probs.sum() - 1) < 1e-12
    if r == 1:
        assert counts[0] == trials
        return
    assert scipy.stats.chisquare(counts, probs * trials).pvalue > 1e-4


def test_knockout_rounds_are_bounded():
    puzzle = get_puzzle("knockout-runner-up")
    puzzle.resolve({"r": 20})
    with pytest.raises(PuzzleError):
        puzzle.resolve({"r": 21})
