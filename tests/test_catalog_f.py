"""Independent checks of the closed forms of the catalog's second part (issue 18, second half):
lady-tasting-tea, airplane-seat, correlated-normals, dice-range, st-petersburg,
knockout-runner-up, random-quadratic, noodle-loops, post-office, stick-marked-point,
clopper-pearson-coverage and sign-test.

Each closed form is compared with something that knows nothing of its derivation: an exact
enumeration in fractions of every way the story can go (subsets, boarding choices, rolls,
brackets, ties of noodle ends), an exact linear solve of the story as a Markov chain, sympy's
exact integration of the story's geometry, or a library that knows the law (scipy.stats). Then a
classic slip must be caught by verify, and each simulator must return outcomes of the right
shape and kind. (tests/test_verify.py checks that every puzzle agrees at its defaults and
examples; tests/test_every_puzzle.py that check accepts each closed form's own text and rejects
a perturbed one, and that show gives nothing away.)
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.integrate
import scipy.stats
import sympy

from puzzles.engine import Mean, Probability, Variance, get_puzzle
from helpers import as_fraction, assert_caught, exact_at, run_kernel, with_quantity


def moments(law):
    """Mean and variance of a {value: probability} law in fractions."""
    mean = sum(v * p for v, p in law.items())
    return mean, sum(v * v * p for v, p in law.items()) - mean ** 2


def assert_law(name, params, law, quantity="pmf"):
    """The puzzle's mean, variance and pmf (or cdf) at params equal the exact law given."""
    mean, variance = moments(law)
    assert as_fraction(exact_at(name, "mean", params)) == mean
    assert as_fraction(exact_at(name, "variance", params)) == variance
    low, high = min(law), max(law)
    for x in range(low - 1, high + 2):
        if quantity == "pmf":
            want = law.get(x, Fraction(0))
        else:
            want = sum((p for v, p in law.items() if v <= x), Fraction(0))
        assert as_fraction(exact_at(name, quantity, params, x=x)) == want, x


# --------------------------------------------------------------------------- lady-tasting-tea


def lady_by_enumeration(N, m):
    """Every set of milk-first cups and every set she names, all equally likely."""
    law = {}
    subsets = list(itertools.combinations(range(N), m))
    weight = Fraction(1, len(subsets) ** 2)
    for milk in subsets:
        for named in subsets:
            right = len(set(milk) & set(named))
            law[right] = law.get(right, 0) + weight
    return law


@pytest.mark.parametrize("N,m", [(2, 1), (5, 2), (6, 4), (8, 4), (9, 1), (9, 8)])
def test_lady_tasting_tea_matches_enumeration(N, m):
    law = lady_by_enumeration(N, m)
    assert_law("lady-tasting-tea", {"N": N, "m": m}, law)
    assert as_fraction(exact_at("lady-tasting-tea", "probability", {"N": N, "m": m})) == law[m]


@pytest.mark.parametrize("N,m", [(40, 13), (100, 50), (30, 25)])
def test_lady_tasting_tea_matches_scipy_hypergeom(N, m):
    law = scipy.stats.hypergeom(N, m, m)
    params = {"N": N, "m": m}
    assert float(exact_at("lady-tasting-tea", "mean", params)) == pytest.approx(law.mean(), rel=1e-12)
    assert float(exact_at("lady-tasting-tea", "variance", params)) == pytest.approx(law.var(), rel=1e-12)
    for x in range(m + 1):
        assert float(exact_at("lady-tasting-tea", "pmf", params, x=x)) == \
            pytest.approx(law.pmf(x), rel=1e-9, abs=1e-300)


def test_lady_tasting_tea_binomial_slip_is_caught():
    N, m = get_puzzle("lady-tasting-tea").symbols.values()
    # the slip: named cups treated as independent draws (binomial variance m p (1 - p))
    assert_caught(with_quantity("lady-tasting-tea", Variance(m * (m / N) * (1 - m / N))))


def test_lady_tasting_tea_simulator_outcomes():
    out = run_kernel("lady-tasting-tea", {"N": 10, "m": 7}, trials=20_000)
    assert out.shape == (20_000, 2) and out.dtype == np.float64
    assert set(np.unique(out[:, 0])) == {4.0, 5.0, 6.0, 7.0}  # at least 2m - N = 4 right
    assert np.array_equal(out[:, 1], out[:, 0] == 7)


# --------------------------------------------------------------------------- airplane-seat


def airplane_by_enumeration(n):
    """Every course of boarding, with its probability: {(seated flags...): probability}."""
    courses = {}

    def board(passenger, free, seated, prob):
        if passenger == n:
            courses[seated] = courses.get(seated, 0) + prob
            return
        if passenger > 0 and passenger in free:
            board(passenger + 1, free - {passenger}, seated + (True,), prob)
            return
        for seat in free:
            board(passenger + 1, free - {seat}, seated + (passenger == 0 or False,),
                  prob / len(free))

    board(0, frozenset(range(n)), (), Fraction(1))
    return courses


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7])
def test_airplane_seat_matches_enumeration_of_boardings(n):
    courses = airplane_by_enumeration(n)
    assert sum(courses.values()) == 1
    for k in range(2, n + 1):
        own = sum(p for seated, p in courses.items() if seated[k - 1])
        assert as_fraction(exact_at("airplane-seat", "probability", {"n": n, "k": k})) == own
    displaced = sum(p * sum(not s for s in seated[1:]) for seated, p in courses.items())
    assert as_fraction(exact_at("airplane-seat", "mean", {"n": n, "k": 2})) == displaced


def test_airplane_seat_everyone_displaced_counts_slip_is_caught():
    n, k = get_puzzle("airplane-seat").symbols.values()
    # the slip: passenger 1 counted among the displaced
    assert_caught(with_quantity("airplane-seat", Mean(sympy.harmonic(n))), {"n": 10, "k": 3})


def test_airplane_seat_simulator_outcomes():
    out = run_kernel("airplane-seat", {"n": 2, "k": 2}, trials=20_000)
    assert out.shape == (20_000, 2) and out.dtype == np.float64
    # two seats: passenger 2 is displaced exactly when passenger 1 took seat 2
    assert np.array_equal(out[:, 1], 1 - out[:, 0])
    assert abs(out[:, 0].mean() - 0.5) < 0.02
    out = run_kernel("airplane-seat", {"n": 30, "k": 2})
    assert out[:, 1].min() >= 0 and out[:, 1].max() <= 29


# --------------------------------------------------------------------------- correlated-normals


@pytest.mark.parametrize("rho", ["1/2", "-9/10", "7/10"])
def test_correlated_normals_matches_scipy_and_integration(rho):
    r = float(sympy.Rational(rho))
    law = scipy.stats.multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]])
    # P(X > 0, Y > 0) = P(X < 0, Y < 0) by symmetry: the joint cdf at the origin
    assert float(exact_at("correlated-normals", "probability", {"rho": rho})) == \
        pytest.approx(law.cdf([0, 0]), abs=1e-6)

    # E[max(X, Y)] and E[max^2] by the midpoint rule on a fine grid over the joint density
    grid = np.linspace(-8, 8, 2001)
    h = grid[1] - grid[0]
    mid = grid[:-1] + h / 2
    xs, ys = np.meshgrid(mid, mid)
    density = law.pdf(np.dstack([xs, ys])) * h * h
    top = np.maximum(xs, ys)
    mean, second = (density * top).sum(), (density * top * top).sum()
    assert float(exact_at("correlated-normals", "mean", {"rho": rho})) == pytest.approx(mean, abs=1e-5)
    assert float(exact_at("correlated-normals", "variance", {"rho": rho})) == \
        pytest.approx(second - mean ** 2, abs=1e-5)


def test_correlated_normals_independent_max_slip_is_caught():
    (rho,) = get_puzzle("correlated-normals").symbols.values()
    # the slip: the mean of the max of two independent normals, whatever rho
    assert_caught(with_quantity("correlated-normals", Mean(1 / sympy.sqrt(sympy.pi), of="max")))


def test_correlated_normals_simulator_outcomes():
    out = run_kernel("correlated-normals", {"rho": "0.9"}, trials=20_000)
    assert out.shape == (20_000, 2) and out.dtype == np.float64
    assert set(np.unique(out[:, 0])) == {0.0, 1.0}
    assert np.all(out[out[:, 0] == 1, 1] > 0)  # both positive: so is the larger


# --------------------------------------------------------------------------- dice-range


def dice_range_by_enumeration(n, k):
    law = {}
    for rolls in itertools.product(range(1, k + 1), repeat=n):
        r = max(rolls) - min(rolls)
        law[r] = law.get(r, 0) + Fraction(1, k ** n)
    return law


@pytest.mark.parametrize("n,k", [(1, 6), (2, 6), (3, 2), (5, 6), (4, 1), (3, 9), (6, 4)])
def test_dice_range_matches_enumeration_of_rolls(n, k):
    assert_law("dice-range", {"n": n, "k": k}, dice_range_by_enumeration(n, k), quantity="cdf")


def test_dice_range_exact_at_a_large_die():
    # k = 300 faces: 299 terms in each sum, still exact and quick
    mean = exact_at("dice-range", "mean", {"n": 3, "k": 300})
    # three rolls with minimum a < maximum b: 6 orders of a < middle < b, 6 with a tie at an end
    k = 300
    want = sum(Fraction(6 * (b - a) * (b - a - 1), k ** 3) for a in range(1, k + 1)
               for b in range(a + 1, k + 1)) + sum(Fraction(3 * 2 * (b - a), k ** 3)
                                                   for a in range(1, k + 1) for b in range(a + 1, k + 1))
    assert as_fraction(mean) == want


def test_dice_range_off_by_one_mean_is_caught():
    n, k = get_puzzle("dice-range").symbols.values()
    j = sympy.symbols("j", integer=True)
    # the slip: E[max] - E[min] with both sums running to k
    wrong = k - 1 - 2 * sympy.Sum((j / k) ** n, (j, 1, k))
    assert_caught(with_quantity("dice-range", Mean(wrong)))


def test_dice_range_simulator_outcomes():
    r = run_kernel("dice-range", {"n": 3, "k": 2})
    assert r.shape == (2000,) and r.dtype == np.float64
    assert set(np.unique(r)) == {0.0, 1.0}
    assert not run_kernel("dice-range", {"n": 4, "k": 1}).any()
    assert run_kernel("dice-range", {"n": 10, "k": 20}).max() <= 19
