"""Independent checks of the closed forms of compound-poisson, wilcoxon-null, wald-coverage,
monty-hall, bertrand-chord and random-walk-return.

Each closed form is compared with something that knows nothing of its derivation: a library that
knows the answer (scipy's exact Wilcoxon null distribution, sympy.stats' gamma moments, sympy's
solveset on the chord lengths themselves), or an exact enumeration in fractions of every way the
story can go (sign patterns, step sequences, doors, binomial outcomes tested against the interval
as written). Then: a slipped closed form must be caught by verify, and each simulator must return
outcomes of the right shape and kind.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats
import sympy
import sympy.stats

from puzzles.engine import Pmf, Probability, Variance, get_puzzle
from puzzles.engine import exact as ex
from helpers import as_fraction, assert_caught, exact_at, run_kernel, with_quantity


# --------------------------------------------------------------------------- compound-poisson


def test_compound_poisson_matches_gamma_moments_mixed_over_poisson():
    # given N = c claims, S is a sum of c Exp(mu): Gamma(c, 1/mu), whose moments sympy.stats
    # knows; then average them over N ~ Poisson(lam), again with sympy.stats
    lam, mu = get_puzzle("compound-poisson").symbols.values()
    c = sympy.symbols("c", integer=True, positive=True)
    given_c = sympy.stats.Gamma("G", c, 1 / mu)
    claims = sympy.stats.Poisson("N", lam)
    first, second = (sympy.stats.E(sympy.stats.E(given_c ** k).subs(c, claims)) for k in (1, 2))
    variance = second - first ** 2
    for lam_v, mu_v in [(3, 2), ("1/4", "1/3"), (25, "7/2"), ("7/10", 50)]:
        at = {lam: sympy.Rational(lam_v), mu: sympy.Rational(mu_v)}
        params = {"lam": lam_v, "mu": mu_v}
        assert exact_at("compound-poisson", "mean", params) == sympy.simplify(first.subs(at))
        assert exact_at("compound-poisson", "variance", params) == sympy.simplify(variance.subs(at))


def test_compound_poisson_forgetting_the_random_count_is_caught():
    lam, mu = get_puzzle("compound-poisson").symbols.values()
    # the slip: Var[S] = E[N] Var[Y], as if the number of claims were fixed at its mean
    assert_caught(with_quantity("compound-poisson", Variance(lam / mu ** 2)))


def test_compound_poisson_simulator_outcomes():
    s = run_kernel("compound-poisson", {"lam": "1/2", "mu": 4}, trials=20_000)
    assert s.shape == (20_000,) and s.dtype == np.float64
    assert np.all(s >= 0)
    # S = 0 exactly when there are no claims: probability e^(-1/2) ~ 0.61
    assert abs(np.mean(s == 0) - math.exp(-0.5)) < 0.02


# --------------------------------------------------------------------------- wilcoxon-null


def wilcoxon_by_enumeration(n):
    """Exact law of W over the 2^n equally likely sign patterns of the ranks 1..n."""
    law = [Fraction(0)] * (n * (n + 1) // 2 + 1)
    for signs in itertools.product((0, 1), repeat=n):
        w = sum(rank for rank, positive in zip(range(1, n + 1), signs) if positive)
        law[w] += Fraction(1, 2 ** n)
    return law


@pytest.mark.parametrize("n", [1, 2, 3, 6, 10])
def test_wilcoxon_matches_enumeration_of_signs(n):
    law = wilcoxon_by_enumeration(n)
    mean = sum(w * pw for w, pw in enumerate(law))
    variance = sum(w * w * pw for w, pw in enumerate(law)) - mean ** 2
    assert as_fraction(exact_at("wilcoxon-null", "mean", {"n": n})) == mean
    assert as_fraction(exact_at("wilcoxon-null", "variance", {"n": n})) == variance
    for w, pw in enumerate(law):
        assert as_fraction(exact_at("wilcoxon-null", "pmf", {"n": n}, x=w)) == pw


def scipy_wilcoxon_pmf(n):
    """P(W = w) from scipy's exact signed-rank test: the one-sided p-value is P(W >= w)."""
    def data_with_statistic(w):
        signs = -np.ones(n)
        for rank in range(n, 0, -1):  # greedily pick positive ranks summing to w
            if rank <= w:
                signs[rank - 1], w = 1, w - rank
        return signs * np.arange(1, n + 1)

    top = n * (n + 1) // 2
    at_least = [scipy.stats.wilcoxon(data_with_statistic(w), alternative="greater",
                                     method="exact").pvalue for w in range(top + 1)]
    return -np.diff(at_least + [0.0])


@pytest.mark.parametrize("n", [4, 12, 20])
def test_wilcoxon_matches_scipy_exact_distribution(n):
    support = range(n * (n + 1) // 2 + 1)
    ours = [float(exact_at("wilcoxon-null", "pmf", {"n": n}, x=w)) for w in support]
    np.testing.assert_allclose(ours, scipy_wilcoxon_pmf(n), rtol=1e-9, atol=1e-15)


def test_wilcoxon_float_path_for_long_pmfs_matches_exact_values():
    # past ex.MAX_EXACT_POINTS support points the engine lambdifies the pmf
    puzzle = get_puzzle("wilcoxon-null")
    low, probs, tail, exact = ex.integer_distribution(puzzle, puzzle.quantity("pmf"),
                                                      puzzle.resolve({"n": 100}))
    assert exact is None and low == 0 and len(probs) == 5051 and tail == 0
    assert probs.sum() == pytest.approx(1, abs=1e-12)
    for w in (0, 7, 2525, 5050):
        assert probs[w] == pytest.approx(float(exact_at("wilcoxon-null", "pmf", {"n": 100}, x=w)),
                                         rel=1e-12)


def test_wilcoxon_shifted_pmf_is_caught():
    puzzle = get_puzzle("wilcoxon-null")
    (n,) = puzzle.symbols.values()
    pmf = puzzle.quantity("pmf")
    x = pmf.variable
    # move a little mass from the centre to its neighbour: still sums to one
    bump = sympy.Piecewise((-sympy.Rational(1, 200), sympy.Eq(x, 27)),
                           (sympy.Rational(1, 200), sympy.Eq(x, 28)), (0, True))
    wrong = Pmf(pmf.closed_form + bump, x, support=pmf.support)
    assert_caught(with_quantity("wilcoxon-null", wrong))


def test_wilcoxon_simulator_outcomes():
    w = run_kernel("wilcoxon-null", {"n": 6})
    assert w.shape == (2000,) and w.dtype == np.float64
    assert np.all(w == np.round(w)) and w.min() >= 0 and w.max() <= 21
    assert set(np.unique(run_kernel("wilcoxon-null", {"n": 1}))) == {0.0, 1.0}


# --------------------------------------------------------------------------- wald-coverage


def wald_by_enumeration(n, p, z):
    """Sum the binomial law over the X whose interval, as written in the statement, holds p."""
    p, z = sympy.Rational(p), sympy.Rational(z)
    total = Fraction(0)
    for x in range(n + 1):
        p_hat = sympy.Rational(x, n)
        covers = sympy.Abs(p_hat - p) <= z * sympy.sqrt(p_hat * (1 - p_hat) / n)  # exact
        if covers:
            total += math.comb(n, x) * Fraction(p.p, p.q) ** x * (1 - Fraction(p.p, p.q)) ** (n - x)
    return total


# (12, 1/2, 2) and (25, 3/25, 1) put an endpoint exactly on p; (1, ...) never covers
@pytest.mark.parametrize("n,p,z", [(30, "1/10", "49/25"), (1, "1/2", "49/25"), (12, "1/2", 2),
                                   (25, "3/25", 1), (40, "99/100", "322/125"), (4, "1/4", 1),
                                   (18, "1/3", 3), (7, "2/5", "1/2"), (60, "1/2", "49/25")])
def test_wald_coverage_matches_enumeration(n, p, z):
    want = wald_by_enumeration(n, p, z)
    assert as_fraction(exact_at("wald-coverage", "probability", {"n": n, "p": p, "z": z})) == want


def test_wald_coverage_matches_scipy_binomial_at_the_defaults():
    n, p, z = 30, 0.1, 1.96
    x = np.arange(n + 1)
    p_hat = x / n
    covers = np.abs(p_hat - p) <= z * np.sqrt(p_hat * (1 - p_hat) / n)
    want = scipy.stats.binom.pmf(x[covers], n, p).sum()
    assert float(exact_at("wald-coverage", "probability")) == pytest.approx(want, rel=1e-12)


def test_wald_coverage_endpoint_excluded_is_caught():
    puzzle = get_puzzle("wald-coverage")
    term, (j, from_, to) = puzzle.quantity("probability").closed_form.args
    lowest, highest = from_.args[0], to.args[0]  # inside ceiling() and floor()
    # the slip: an endpoint equal to p does not count (strict inequalities)
    strict = sympy.Sum(term, (j, sympy.floor(lowest) + 1, sympy.ceiling(highest) - 1))
    assert_caught(with_quantity("wald-coverage", Probability(strict)),
                  {"n": 12, "p": "1/2", "z": 2})


def test_wald_coverage_simulator_outcomes():
    covered = run_kernel("wald-coverage", {"n": 12, "p": "1/2", "z": 2})
    assert covered.shape == (2000,) and covered.dtype == np.float64
    assert set(np.unique(covered)) == {0.0, 1.0}
    assert not run_kernel("wald-coverage", {"n": 1, "p": "1/2"}).any()  # zero-width intervals


# --------------------------------------------------------------------------- monty-hall


def monty_hall_by_enumeration(n, k):
    """Every car door, pick, set of opened goat doors and switch, each with its probability."""
    win = Fraction(0)
    for car, pick in itertools.product(range(n), repeat=2):
        goats = [d for d in range(n) if d not in (car, pick)]
        openings = list(itertools.combinations(goats, k))
        for opened in openings:
            others = [d for d in range(n) if d != pick and d not in opened]
            win += Fraction(1, n * n) * Fraction(1, len(openings)) * Fraction(others.count(car),
                                                                                len(others))
    return win


@pytest.mark.parametrize("n,k", [(n, k) for n in range(3, 8) for k in range(1, n - 1)])
def test_monty_hall_matches_enumeration(n, k):
    assert as_fraction(exact_at("monty-hall", "probability", {"n": n, "k": k})) == \
        monty_hall_by_enumeration(n, k)


def test_monty_hall_fifty_fifty_fallacy_is_caught():
    n, k = get_puzzle("monty-hall").symbols.values()
    # the slip: the car is equally likely behind any door still closed
    assert_caught(with_quantity("monty-hall", Probability(1 / (n - k))))


def test_monty_hall_simulator_outcomes():
    wins = run_kernel("monty-hall", {"n": 5, "k": 3})
    assert wins.shape == (2000,) and wins.dtype == np.float64
    assert set(np.unique(wins)) == {0.0, 1.0}
    # k = n - 2 leaves one door to switch to: you win exactly when the first pick was wrong
    assert abs(wins.mean() - 0.8) < 0.04


# --------------------------------------------------------------------------- bertrand-chord


def _squared_distance(a, b):
    return (sympy.cos(a) - sympy.cos(b)) ** 2 + (sympy.sin(a) - sympy.sin(b)) ** 2


@pytest.mark.parametrize("m", [2, 3, 4, 6])
def test_bertrand_chord_matches_solveset_on_chord_lengths(m):
    # one endpoint at angle 0 (rotation), the other at phi uniform on [0, 2 pi)
    phi = sympy.symbols("phi", real=True)
    side = _squared_distance(0, 2 * sympy.pi / m)  # between neighbouring vertices of the m-gon
    longer = sympy.solveset(_squared_distance(0, phi) > side, phi, sympy.Interval(0, 2 * sympy.pi))
    assert exact_at("bertrand-chord", "probability", {"m": m}) == longer.measure / (2 * sympy.pi)


@pytest.mark.parametrize("m", [5, 7, 360])
def test_bertrand_chord_matches_a_fine_grid_of_second_endpoints(m):
    grid = 1_000_003  # prime, so no grid point sits exactly on a vertex of the m-gon
    phi = 2 * np.pi * (np.arange(grid) + 0.5) / grid
    chord = np.hypot(np.cos(phi) - 1, np.sin(phi))
    side = math.hypot(math.cos(2 * math.pi / m) - 1, math.sin(2 * math.pi / m))
    want = float(exact_at("bertrand-chord", "probability", {"m": m}))
    assert abs(np.mean(chord > side) - want) <= 2 / grid


def test_bertrand_chord_random_radius_answer_is_caught():
    (m,) = get_puzzle("bertrand-chord").symbols.values()
    # the 'random midpoint on a random radius' answer to a different chord experiment
    assert_caught(with_quantity("bertrand-chord", Probability(1 - sympy.cos(sympy.pi / m))))


def test_bertrand_chord_simulator_outcomes():
    longer = run_kernel("bertrand-chord", {"m": 3})
    assert longer.shape == (2000,) and longer.dtype == np.float64
    assert set(np.unique(longer)) == {0.0, 1.0}
    assert not run_kernel("bertrand-chord", {"m": 2}, trials=100_000).any()  # beats a diameter


# --------------------------------------------------------------------------- random-walk-return


@pytest.mark.parametrize("n", [2, 4, 6, 10, 14])
def test_random_walk_return_matches_enumeration_of_steps(n):
    back = sum(sum(steps) == 0 for steps in itertools.product((1, -1), repeat=n))
    assert as_fraction(exact_at("random-walk-return", "probability", {"n": n})) == \
        Fraction(back, 2 ** n)


def test_random_walk_return_matches_scipy_binomial():
    for n in (20, 200, 1000):
        assert float(exact_at("random-walk-return", "probability", {"n": n})) == \
            pytest.approx(scipy.stats.binom.pmf(n // 2, n, 0.5), rel=1e-12)


def test_random_walk_first_return_is_caught():
    (n,) = get_puzzle("random-walk-return").symbols.values()
    # the slip: the probability of returning for the FIRST time at step n
    first = sympy.binomial(n, n / 2) / ((n - 1) * 2 ** n)
    assert_caught(with_quantity("random-walk-return", Probability(first)))


def test_random_walk_return_simulator_outcomes():
    back = run_kernel("random-walk-return", {"n": 2}, trials=20_000)
    assert back.shape == (20_000,) and back.dtype == np.float64
    assert set(np.unique(back)) == {0.0, 1.0}
    assert abs(back.mean() - 0.5) < 0.02
