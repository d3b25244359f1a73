"""An auto run's bands are tuned before the data -- which bets a mixture makes, how the budget
alpha is shared among the quantities, how often the run looks -- so that a correct answer
settles in fewer trials. Tuning may change how soon a band narrows, never its guarantee: the
tests here hold the guarantee's pieces (weights summing to at most 1, shares to at most alpha,
every bet a valid one) and the power to catch a wrong answer."""

import importlib
import math
from math import comb

import numpy as np
import pytest
import sympy

from puzzles.engine import Variance, get_puzzle, verify
from puzzles.engine import stats
from helpers import with_quantity

verify_module = importlib.import_module("puzzles.engine.verify")


# --------------------------------------------------------------------------- the bets


def test_psi_e_keeps_its_digits_for_tiny_bets():
    # -log(1 - l) - l cancels to noise below 1e-8; the series does not
    for lam in (1e-15, 1e-12, 1e-9, 1e-6):
        want = lam * lam / 2 + lam ** 3 / 3 + lam ** 4 / 4
        assert float(stats.psi_e(lam)) == pytest.approx(want, rel=1e-9)
    # the two formulas meet where the code switches
    assert float(stats.psi_e(1e-4 * (1 - 1e-9))) == pytest.approx(float(stats.psi_e(1e-4 * (1 + 1e-9))),
                                                                 rel=1e-6)
    assert float(stats.psi_e(0.5)) == pytest.approx(-math.log(0.5) - 0.5, rel=1e-15)


def test_a_bet_too_big_for_its_scale_is_capped_not_dropped():
    # An outcome in [0, 10^6], every trial 0. The candidate mean 10^5 is absurd, yet every bet
    # of the mixture tuned for a fine tolerance has theta * (high - m) far above 1: dropping
    # those bets (as once done) left nothing to reject it with, and the band ran to the bound.
    rule = stats.BoundedMean(0.0, 1e6, theta=1.0, sd_octaves=stats.EXACT_SD_OCTAVES)
    n = 1000.0
    m = np.array([1e5])
    log_m = rule.log_m(n, np.array([-1e5 * n]), np.array([1e10 * n]), m)[0]
    assert math.isfinite(log_m) and log_m > math.log(1 / 1e-6)
    # a mean of 10^4 could still hide in an event of 10^6 one time in 100 unseen in 1000
    # trials; the band stops about there, not at the bound
    low, high = rule.band(n, 0.0, 0.0, 0.0, 0.01, 0.0)
    assert low == 0.0 and 5e3 < high < 2e4


def test_a_far_candidate_meets_a_small_enough_bet_however_narrow_the_tuning():
    # Z = (X - c)^2 of an outcome in [1, 100] with mean 3.3 (noodle-loops at n = 100): Z lies in
    # [0, 9354] but is almost always below 20. With the bets spread 0.75 octave about the tuned
    # one, none was small enough to reject Z's mean near the top (a bet theta on a deviation D
    # a trial gains only if theta < 2 / D): the variance's band reached 9353.92.
    rng = np.random.default_rng(5)
    x = 1.0 + rng.geometric(0.45, 3_000_000)
    z = (x - 3.3) ** 2
    n, s1, s2 = float(len(z)), float(z.sum()), float((z * z).sum())
    sd = float(z.std())
    high = (100 - 3.3) ** 2
    rule = stats.bounded_mean_rule(0.0, high, 0.02 * z.mean(), sd, None, 0.002, sd_exact=True)
    assert rule.sd_octaves == stats.EXACT_SD_OCTAVES
    low_end, high_end = rule.band(n, s1, s2, 0.0, 0.002, s1 / n)
    assert low_end < z.mean() < high_end < z.mean() * 1.05


def test_the_mixture_weights_sum_to_one_whatever_the_tuning():
    for spread in (stats.EXACT_SD_OCTAVES, stats.GUESSED_SD_OCTAVES, stats.UNKNOWN_SD_OCTAVES):
        thetas, weights = stats.BoundedMean(0.0, 1.0, 0.3, spread)._grid()
        assert weights.sum() == pytest.approx(1.0, abs=1e-12) and np.all(weights >= 0)
        # the wide share reaches 8 octaves either side of the tuned bet
        assert thetas.min() <= 0.3 / 2 ** 8 * 1.0001 and thetas.max() >= 0.3 * 2 ** 8 * 0.9999


# --------------------------------------------------------------------------- the design


def test_the_variance_is_tuned_by_the_fourth_moment_of_the_exact_pmf():
    puzzle = get_puzzle("handshakes")
    a, b = 8, 10
    n = a + b
    pmf = {2 * r: sympy.Rational(n, r) * comb(a - 1, r - 1) * comb(b - 1, r - 1) / comb(n, a)
           for r in range(1, min(a, b) + 1)}
    mean = sum(x * p for x, p in pmf.items())
    m4 = float(sum((x - mean) ** 4 * p for x, p in pmf.items()))
    values = puzzle.resolve({})
    tolerance = verify_module.Tolerance(1e-3, 0.0)
    plans = verify_module._plan(puzzle, values, 10 ** 6, tolerance, 0.01 / 3, 10 ** 9)
    variance = next(p for p in plans if p.quantity.name == "variance")
    assert variance.design_m4 == pytest.approx(m4, rel=1e-12)
    var = float(sum((x - mean) ** 2 * p for x, p in pmf.items()))
    assert stats.variance_design_sd(math.sqrt(var), m4) == pytest.approx(math.sqrt(m4 - var * var))
    # without a fourth moment: a normal outcome's sqrt(2) sigma^2
    assert stats.variance_design_sd(2.0, None) == pytest.approx(math.sqrt(2) * 4)
    # a fourth moment that cannot be one (below sigma^4) is ignored
    assert stats.variance_design_sd(2.0, 10.0) == pytest.approx(math.sqrt(2) * 4)


def test_alpha_is_shared_towards_the_quantity_that_settles_last():
    puzzle = get_puzzle("handshakes")
    values = puzzle.resolve({})
    tolerance = verify_module.Tolerance(1e-3, 0.0)
    per = 0.01 / 3
    plans = verify_module._plan(puzzle, values, 10 ** 6, tolerance, per, 10 ** 9)
    shares = dict(zip((p.quantity.name for p in plans),
                      verify_module._budget_shares(puzzle, values, plans, per, tolerance)))
    assert sum(shares.values()) == pytest.approx(0.01, rel=1e-12)
    assert shares["variance"] > 2 * per and shares["mean"] < per and shares["pmf"] < per
    # every quantity keeps at least its part of the equal share
    assert min(shares.values()) >= per * verify_module.EQUAL_SHARE / 1.0000001


def test_quantities_without_a_design_keep_alpha_over_m():
    puzzle = get_puzzle("ball-min-distance")  # a continuous cdf: no design size
    values = puzzle.resolve({})
    tolerance = verify_module.Tolerance(1e-3, 0.0)
    per = 0.01 / len(puzzle.quantities)
    plans = verify_module._plan(puzzle, values, 10 ** 5, tolerance, per, 10 ** 9)
    shares = verify_module._budget_shares(puzzle, values, plans, per, tolerance)
    assert sum(shares) <= 0.01 * (1 + 1e-12)
    for plan, share in zip(plans, shares):
        if verify_module._design_size(puzzle, values, plan, tolerance) is None:
            assert share == per


# --------------------------------------------------------------------------- still caught


@pytest.mark.parametrize("factor", [1.03, 0.97])
def test_a_variance_three_percent_off_is_still_caught(factor):
    a, b = get_puzzle("handshakes").symbols.values()
    true = get_puzzle("handshakes").quantity("variance").closed_form
    wrong = with_quantity("handshakes", Variance(true * sympy.Rational(factor).limit_denominator(100)))
    report = verify(wrong, seed=7, rtol=1e-3, threads=2)
    assert report.verdict == "disagree", report.format()
    assert report.trials < 5_000_000  # caught long before a correct one settles
