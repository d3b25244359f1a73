"""Independent checks of the closed forms of birthday, coupon-collector, hat-check, broken-stick,
buffon-needle and sum-exceeds.

Each closed form is compared, EXACTLY where the answer is rational, with a computation that
does not share its derivation: enumeration of every outcome at small parameters, a Markov
chain, the Irwin-Hall law (and scipy's copy of it), numerical integration. Then a plausible
wrong closed form must be caught by verify, and each simulator must return outcomes of the
right shape and kind.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from scipy import integrate, stats

from puzzles.engine import Cdf, Mean, Pmf, Probability, Variance, get_puzzle, verify
from puzzles.engine.errors import InvalidParameter
from helpers import as_fraction, exact_at, run_kernel, verdict_of, with_quantity

CHECK_TRIALS = 200_000


def irwin_hall_cdf(k, s) -> Fraction:
    """P(U_1 + ... + U_k <= s) for k iid Uniform(0, 1), s a Fraction (textbook formula)."""
    if k == 0:
        return Fraction(1 if s >= 0 else 0)
    return sum(Fraction((-1) ** j * math.comb(k, j)) * (s - j) ** k
               for j in range(math.floor(s) + 1)) / math.factorial(k)


# --------------------------------------------------------------------------- birthday


@pytest.mark.parametrize("n,d", [(1, 1), (2, 1), (1, 3), (2, 3), (3, 3), (4, 3), (3, 5),
                                 (5, 4), (4, 6), (6, 5)])
def test_birthday_matches_enumeration_of_every_calendar(n, d):
    shared = sum(len(set(days)) < n for days in itertools.product(range(d), repeat=n))
    assert (as_fraction(exact_at("birthday", "probability", {"n": n, "d": d}))
            == Fraction(shared, d ** n))


def test_birthday_classic_value():
    # 23 people, 365 days: the first n with a better-than-even chance
    assert 0.5072972 < float(exact_at("birthday", "probability")) < 0.5072973
    assert float(exact_at("birthday", "probability", {"n": 22})) < 0.5


def test_birthday_wrong_form_is_caught():
    n, d = get_puzzle("birthday").symbols.values()
    # the 'pairs are independent' approximation
    wrong = with_quantity("birthday", Probability(1 - ((d - 1) / d) ** (n * (n - 1) / 2)))
    assert verify(wrong, trials=CHECK_TRIALS).verdict == "disagree"


def test_birthday_simulator_outcomes_are_events():
    out = run_kernel("birthday", seed=1)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert set(np.unique(run_kernel("birthday", {"n": 4, "d": 3}, seed=1))) == {1.0}  # pigeonhole
    assert set(np.unique(run_kernel("birthday", {"n": 1, "d": 1}, seed=1))) == {0.0}


# --------------------------------------------------------------------------- coupon-collector


def _coverage_by_markov_chain(n, boxes) -> list[Fraction]:
    """P(all n types seen after x boxes) for x = 0..boxes, stepping the number of types seen."""
    seen = [Fraction(0)] * (n + 1)
    seen[0] = Fraction(1)
    out = [seen[n]]
    for _ in range(boxes):
        seen = [seen[k] * Fraction(k, n) + (seen[k - 1] * Fraction(n - k + 1, n) if k else 0)
                for k in range(n + 1)]
        out.append(seen[n])
    return out


@pytest.mark.parametrize("n", [1, 2, 3, 6, 9])
def test_coupon_cdf_matches_markov_chain(n):
    chain = _coverage_by_markov_chain(n, 40)
    for x in range(n, 41):
        assert as_fraction(exact_at("coupon-collector", "cdf", {"n": n}, x=x)) == chain[x]


@pytest.mark.parametrize("n,boxes", [(2, 5), (3, 6), (4, 7)])
def test_coupon_cdf_matches_enumeration_of_box_sequences(n, boxes):
    for x in range(n, boxes + 1):
        full = sum(len(set(s)) == n for s in itertools.product(range(n), repeat=x))
        assert (as_fraction(exact_at("coupon-collector", "cdf", {"n": n}, x=x))
                == Fraction(full, n ** x))


@pytest.mark.parametrize("n", [1, 2, 3, 6, 10, 25])
def test_coupon_mean_and_variance_match_sums_of_geometric_waits(n):
    waits = [Fraction(n, n - k) for k in range(n)]  # mean wait for a new type with k in hand
    assert as_fraction(exact_at("coupon-collector", "mean", {"n": n})) == sum(waits)
    assert (as_fraction(exact_at("coupon-collector", "variance", {"n": n}))
            == sum(w * w - w for w in waits))
    harmonic = sympy.harmonic(n)
    assert (as_fraction(exact_at("coupon-collector", "mean", {"n": n}))
            == Fraction(str(n * harmonic)))


def test_coupon_wrong_cdf_is_caught():
    puzzle = get_puzzle("coupon-collector")
    (n,) = puzzle.symbols.values()
    x = puzzle.quantity("cdf").variable
    # treating the n types as if each were collected independently of the others
    wrong = with_quantity("coupon-collector",
                          Cdf((1 - (1 - 1 / n) ** x) ** n, x, support=(n, sympy.oo), discrete=True))
    report = verify(wrong, trials=CHECK_TRIALS)
    assert verdict_of(report, "cdf") == "disagree"


def test_coupon_simulator_counts_boxes():
    out = run_kernel("coupon-collector", seed=1)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert np.all(out >= 6) and np.all(out == np.round(out))
    assert set(np.unique(run_kernel("coupon-collector", {"n": 1}, seed=1))) == {1.0}


# --------------------------------------------------------------------------- hat-check


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7])
def test_hat_check_matches_enumeration_of_permutations(n):
    matches = [sum(p[i] == i for i in range(n)) for p in itertools.permutations(range(n))]
    total = len(matches)
    mean = Fraction(sum(matches), total)
    assert as_fraction(exact_at("hat-check", "mean", {"n": n})) == mean
    assert (as_fraction(exact_at("hat-check", "variance", {"n": n}))
            == Fraction(sum(m * m for m in matches), total) - mean ** 2)
    assert (as_fraction(exact_at("hat-check", "probability", {"n": n}))
            == Fraction(matches.count(0), total))
    for x in range(n + 1):
        assert (as_fraction(exact_at("hat-check", "pmf", {"n": n}, x=x))
                == Fraction(matches.count(x), total))


def test_hat_check_pmf_sums_to_one_at_larger_n():
    assert sum(as_fraction(exact_at("hat-check", "pmf", {"n": 30}, x=x)) for x in range(31)) == 1


def test_hat_check_wrong_forms_are_caught():
    puzzle = get_puzzle("hat-check")
    (n,) = puzzle.symbols.values()
    x = puzzle.quantity("pmf").variable
    # the 'each person matches independently with probability 1/n' slip
    binomial_variance = with_quantity("hat-check", Variance((n - 1) / n))
    assert verdict_of(verify(binomial_variance, trials=CHECK_TRIALS), "variance") == "disagree"
    binomial_pmf = with_quantity("hat-check", Pmf(
        sympy.binomial(n, x) * (1 / n) ** x * (1 - 1 / n) ** (n - x), x, support=(0, n)))
    assert verdict_of(verify(binomial_pmf, trials=CHECK_TRIALS), "pmf") == "disagree"


def test_hat_check_simulator_outcomes():
    out = run_kernel("hat-check", seed=1)
    assert out.shape == (2000, 2) and out.dtype == np.float64
    matches, nobody = out[:, 0], out[:, 1]
    assert np.all((matches >= 0) & (matches <= 10) & (matches != 9))  # 9 matches force the 10th
    assert np.array_equal(nobody, (matches == 0).astype(float))


# --------------------------------------------------------------------------- broken-stick


@pytest.mark.parametrize("n", [3, 4, 5, 6, 8, 12])
def test_broken_stick_matches_irwin_hall_volume(n):
    # The first n-1 pieces y are uniform (density (n-1)!) on {y >= 0, sum y <= 1}; all n pieces
    # are < 1/2 iff y lies in the cube [0, 1/2)^(n-1) with 1/2 < sum y <= 1. Scaling the cube
    # to [0, 1)^(n-1) turns that into P(1 < U_1 + ... + U_(n-1) <= 2).
    k = n - 1
    inside = irwin_hall_cdf(k, Fraction(2)) - irwin_hall_cdf(k, Fraction(1))
    expected = math.factorial(k) * inside / 2 ** k
    assert as_fraction(exact_at("broken-stick", "probability", {"n": n})) == expected
    by_scipy = stats.irwinhall(k).cdf(2) - stats.irwinhall(k).cdf(1)
    assert math.isclose(float(math.factorial(k) * by_scipy / 2 ** k), float(expected),
                        rel_tol=1e-9)


def test_broken_stick_triangle_by_integration():
    # n = 3: cuts u < v (density 2); a triangle iff u < 1/2 < v < u + 1/2
    u, v = sympy.symbols("u v")
    area = sympy.integrate(sympy.integrate(2, (v, sympy.Rational(1, 2), u + sympy.Rational(1, 2))),
                           (u, 0, sympy.Rational(1, 2)))
    assert as_fraction(exact_at("broken-stick", "probability", {"n": 3})) == Fraction(str(area))


def test_broken_stick_wrong_form_is_caught():
    (n,) = get_puzzle("broken-stick").symbols.values()
    wrong = with_quantity("broken-stick", Probability(1 - n / 2 ** n))
    assert verify(wrong, trials=CHECK_TRIALS).verdict == "disagree"


def test_broken_stick_simulator_outcomes_are_events():
    for n in (3, 7):
        out = run_kernel("broken-stick", {"n": n}, seed=1)
        assert out.shape == (2000,) and out.dtype == np.float64
        assert set(np.unique(out)) == {0.0, 1.0}


# --------------------------------------------------------------------------- buffon-needle


@pytest.mark.parametrize("l,t", [(1, 2), (1, 1), ("1/100", 3), ("5/2", "11/4"), ("3/7", "1/2")])
def test_buffon_matches_integral_over_the_angle(l, t):
    l_, t_ = Fraction(l), Fraction(t)
    # given the angle, the centre height (uniform on [0, t)) must fall in a band of width
    # l |sin| out of t; average that over the angle
    crossing, _err = integrate.quad(lambda a: float(l_) * abs(math.sin(a)) / float(t_), 0, math.pi)
    exact = exact_at("buffon-needle", "probability", {"l": l, "t": t})
    assert math.isclose(float(exact), crossing / math.pi, rel_tol=1e-12)
    # and exactly: the answer is a rational multiple of 1/pi
    assert sympy.simplify(exact * sympy.pi) == sympy.Rational(2) * sympy.Rational(l_) / t_


def test_buffon_needle_longer_than_the_gap_is_refused():
    with pytest.raises(InvalidParameter):
        get_puzzle("buffon-needle").resolve({"l": 3, "t": 2})


def test_buffon_wrong_form_is_caught():
    l, t = get_puzzle("buffon-needle").symbols.values()
    wrong = with_quantity("buffon-needle", Probability(l / (sympy.pi * t)))
    assert verify(wrong, trials=CHECK_TRIALS).verdict == "disagree"


def test_buffon_simulator_outcomes_are_events():
    out = run_kernel("buffon-needle", seed=1)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert set(np.unique(out)) == {0.0, 1.0}


# --------------------------------------------------------------------------- sum-exceeds


@pytest.mark.parametrize("t", ["1", "1/2", "1/20", "999/1000", "3/7"])
def test_sum_exceeds_pmf_matches_irwin_hall(t):
    # N > k exactly when the first k draws sum to at most t
    s = Fraction(t)
    for x in range(1, 12):
        expected = irwin_hall_cdf(x - 1, s) - irwin_hall_cdf(x, s)
        assert as_fraction(exact_at("sum-exceeds", "pmf", {"t": t}, x=x)) == expected
        if x >= 2:
            by_scipy = stats.irwinhall(x - 1).cdf(float(s)) - stats.irwinhall(x).cdf(float(s))
            assert math.isclose(by_scipy, float(expected), rel_tol=1e-9, abs_tol=1e-15)


@pytest.mark.parametrize("t", ["1", "1/2", "1/20"])
def test_sum_exceeds_moments_match_the_pmf(t):
    s = Fraction(t)
    pmf = {x: irwin_hall_cdf(x - 1, s) - irwin_hall_cdf(x, s) for x in range(1, 40)}
    mean = sum(x * p for x, p in pmf.items())
    second = sum(x * x * p for x, p in pmf.items())
    assert math.isclose(float(exact_at("sum-exceeds", "mean", {"t": t})), float(mean),
                        rel_tol=1e-14)
    assert math.isclose(float(exact_at("sum-exceeds", "variance", {"t": t})),
                        float(second - mean ** 2), rel_tol=1e-12)
    assert exact_at("sum-exceeds", "mean") == sympy.E


def test_sum_exceeds_wrong_pmf_is_caught():
    puzzle = get_puzzle("sum-exceeds")
    (t,) = puzzle.symbols.values()
    x = puzzle.quantity("pmf").variable
    # the slip 'N - 1 is Poisson(t)'
    wrong = with_quantity("sum-exceeds", Pmf(t ** (x - 1) / sympy.factorial(x - 1) * sympy.exp(-t),
                                             x, support=(1, sympy.oo)))
    assert verdict_of(verify(wrong, trials=CHECK_TRIALS), "pmf") == "disagree"


def test_sum_exceeds_wrong_variance_is_caught():
    (t,) = get_puzzle("sum-exceeds").symbols.values()
    wrong = with_quantity("sum-exceeds", Variance(sympy.exp(t) * (sympy.exp(t) - 1)))
    assert verdict_of(verify(wrong, trials=CHECK_TRIALS), "variance") == "disagree"


def test_sum_exceeds_simulator_counts_draws():
    out = run_kernel("sum-exceeds", seed=1)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert np.all(out >= 2) and np.all(out == np.round(out))  # t = 1: one draw never exceeds it
    assert np.all(run_kernel("sum-exceeds", {"t": "1/2"}, seed=1) >= 1)
