"""Independent checks of the closed forms of semicircle, records, ballot, meeting,
longest-piece and laplace-succession.

Each closed form is compared EXACTLY (Fraction against sympy Rational) with a brute force that
does not use its derivation: enumeration of permutations, counting orders or half-turn patterns,
exact areas of clipped polygons, exact integrals of polynomials. scipy stands in where it knows
the law (the triangular law of a difference of uniforms, the Beta posterior, the maximum of
exponentials). Then: a slipped closed form must be caught by verify, and each simulator must
return outcomes of the right shape and kind.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.integrate
import scipy.stats
import sympy

from puzzles.engine import Cdf, Mean, Probability, Variance, get_puzzle, verify
from puzzles.engine import exact as ex
from helpers import as_fraction, exact_at, run_kernel, verdict_of, with_quantity

TRIALS = 200_000


def mean_and_variance(pmf: dict):
    mean = sum(x * p for x, p in pmf.items())
    return mean, sum((x - mean) ** 2 * p for x, p in pmf.items())


# --------------------------------------------------------------------------- semicircle


def widest_gap(turns):
    turns = sorted(turns)
    return max([1 - turns[-1] + turns[0]] + [b - a for a, b in zip(turns, turns[1:])])


def semicircle_by_half_turns(n: int) -> Fraction:
    """A uniform point is (uniform residue in [0, 1/2)) + (a fair half-turn bit), independently.
    Whether the points share a semicircle depends only on the order of the residues and on the
    bits, and the residues' order is independent of the bits; so fix distinct residues and count
    the bit patterns whose points leave an empty arc of at least half a turn."""
    residues = [Fraction(2 * i + 1, 4 * n) for i in range(n)]
    good = sum(widest_gap([r + Fraction(bit, 2) for r, bit in zip(residues, bits)]) >= Fraction(1, 2)
               for bits in itertools.product((0, 1), repeat=n))
    return Fraction(good, 2 ** n)


@pytest.mark.parametrize("n", range(2, 11))
def test_semicircle_matches_half_turn_enumeration_and_wendel(n):
    exact = as_fraction(exact_at("semicircle", "probability", {"n": n}))
    assert exact == semicircle_by_half_turns(n)
    # Wendel (1962): n points on the sphere S^(d-1) share a hemisphere with probability
    # 2^-(n-1) sum_{k<d} C(n-1, k); the circle is d = 2
    assert exact == Fraction(sum(math.comb(n - 1, k) for k in range(2)), 2 ** (n - 1))


def test_semicircle_wrong_closed_form_is_caught():
    n = get_puzzle("semicircle").symbols["n"]
    wrong = with_quantity("semicircle", Probability((n - 1) / 2 ** (n - 1)))
    assert verdict_of(verify(wrong, trials=TRIALS), "probability") == "disagree"


def test_semicircle_simulator_outcomes():
    out = run_kernel("semicircle", {"n": 5}, seed=7)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert set(np.unique(out)) == {0.0, 1.0}
    # two points always share a semicircle
    assert np.all(run_kernel("semicircle", {"n": 2}, seed=7) == 1.0)


# --------------------------------------------------------------------------- records


def records_by_permutations(n: int) -> dict:
    counts = {}
    for order in itertools.permutations(range(n)):
        records = sum(order[i] > max(order[:i], default=-1) for i in range(n))
        counts[records] = counts.get(records, 0) + 1
    return {x: Fraction(c, math.factorial(n)) for x, c in counts.items()}


@pytest.mark.parametrize("n", range(1, 8))
def test_records_match_all_permutations(n):
    pmf = records_by_permutations(n)
    mean, variance = mean_and_variance(pmf)
    assert as_fraction(exact_at("records", "mean", {"n": n})) == mean
    assert as_fraction(exact_at("records", "variance", {"n": n})) == variance
    for x in range(1, n + 1):
        assert as_fraction(exact_at("records", "pmf", {"n": n}, x=x)) == pmf.get(x, 0)


@pytest.mark.parametrize("n", [20, 60])
def test_records_moments_are_harmonic_sums_and_pmf_sums_to_one(n):
    harmonic = sum(Fraction(1, k) for k in range(1, n + 1))
    harmonic2 = sum(Fraction(1, k * k) for k in range(1, n + 1))
    assert as_fraction(exact_at("records", "mean", {"n": n})) == harmonic
    assert as_fraction(exact_at("records", "variance", {"n": n})) == harmonic - harmonic2
    pmf = [as_fraction(exact_at("records", "pmf", {"n": n}, x=x)) for x in range(1, n + 1)]
    assert sum(pmf) == 1
    assert pmf[-1] == Fraction(1, math.factorial(n))  # only the increasing order has n records


def test_records_wrong_variance_is_caught():
    n = get_puzzle("records").symbols["n"]
    # a Poisson-minded slip: variance equal to the mean
    wrong = with_quantity("records", Variance(sympy.harmonic(n)))
    report = verify(wrong, trials=TRIALS)
    assert verdict_of(report, "variance") == "disagree"
    assert verdict_of(report, "mean") != "disagree"


def test_records_simulator_outcomes():
    out = run_kernel("records", {"n": 6}, seed=7)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert np.all(out == np.round(out)) and out.min() >= 1 and out.max() <= 6
    assert np.all(run_kernel("records", {"n": 1}, seed=7) == 1.0)


# --------------------------------------------------------------------------- ballot


def ballot_by_orders(a: int, b: int) -> Fraction:
    """Every placement of B's ballots among the a + b counting positions is equally likely."""
    good = total = 0
    for b_positions in itertools.combinations(range(a + b), b):
        lead, ahead = 0, True
        for i in range(a + b):
            lead += -1 if i in b_positions else 1
            ahead = ahead and lead > 0
        good += ahead
        total += 1
    return Fraction(good, total)


@pytest.mark.parametrize("a,b", [(a, b) for a in range(1, 9) for b in range(0, a)])
def test_ballot_matches_all_counting_orders(a, b):
    exact = as_fraction(exact_at("ballot", "probability", {"a": a, "b": b}))
    assert exact == ballot_by_orders(a, b)


def test_ballot_wrong_closed_form_is_caught():
    a, b = get_puzzle("ballot").symbols.values()
    wrong = with_quantity("ballot", Probability((a - b) / (a + b + 1)))
    assert verdict_of(verify(wrong, trials=TRIALS), "probability") == "disagree"


def test_ballot_simulator_outcomes():
    out = run_kernel("ballot", {"a": 5, "b": 3}, seed=7)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert set(np.unique(out)) == {0.0, 1.0}
    assert np.all(run_kernel("ballot", {"a": 3, "b": 0}, seed=7) == 1.0)


# --------------------------------------------------------------------------- meeting


def meeting_by_integration(t: Fraction, w: Fraction) -> Fraction:
    """P = (1/t^2) * integral over the first arrival u in [0, t] of the length of the second
    arrival's window [u - w, u + w] inside [0, t]. The integrand is linear between its kinks,
    so the trapezoid rule on those pieces is exact."""
    def window(u):
        return min(u + w, t) - max(u - w, Fraction(0))

    kinks = sorted({Fraction(0), t} | {k for k in (w, t - w) if 0 < k < t})
    area = sum((hi - lo) * (window(lo) + window(hi)) / 2 for lo, hi in zip(kinks, kinks[1:]))
    return area / t ** 2


MEETING_POINTS = [(60, 15), (60, 0), (60, 60), (1, Fraction(1, 3)), (Fraction(5, 2), Fraction(7, 4)),
                  (10, 5), (Fraction(1, 7), Fraction(1, 11))]


@pytest.mark.parametrize("t,w", MEETING_POINTS)
def test_meeting_matches_exact_integral_and_triangular_law(t, w):
    t, w = Fraction(t), Fraction(w)
    exact = as_fraction(exact_at("meeting", "probability", {"t": t, "w": w}))
    assert exact == meeting_by_integration(t, w)
    # the difference of the two arrival times has the triangular law on [-t, t]
    difference = scipy.stats.triang(c=0.5, loc=-float(t), scale=2 * float(t))
    assert float(exact) == pytest.approx(difference.cdf(float(w)) - difference.cdf(-float(w)),
                                         abs=1e-12)


def test_meeting_accepts_decimal_parameters_exactly():
    assert exact_at("meeting", "probability", {"t": "1.5", "w": "0.3"}) == sympy.Rational(9, 25)


def test_meeting_wrong_closed_form_is_caught():
    t, w = get_puzzle("meeting").symbols.values()
    wrong = with_quantity("meeting", Probability(1 - (t - w) ** 2 / (2 * t ** 2)))  # one corner only
    assert verdict_of(verify(wrong, trials=TRIALS), "probability") == "disagree"


def test_meeting_simulator_outcomes():
    out = run_kernel("meeting", {"t": 60, "w": 15}, seed=7)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert set(np.unique(out)) == {0.0, 1.0}
    assert np.all(run_kernel("meeting", {"t": 2, "w": 0}, seed=7) == 0.0)
    assert np.all(run_kernel("meeting", {"t": 2, "w": 2}, seed=7) == 1.0)


# --------------------------------------------------------------------------- longest-piece


def clip(polygon, a, b, c):
    """Sutherland-Hodgman: the part of a convex polygon where a*s1 + b*s2 <= c."""
    out = []
    for p, q in zip(polygon, polygon[1:] + polygon[:1]):
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if fp * fq < 0:
            s = fp / (fp - fq)
            out.append((p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])))
    return out


def area(polygon):
    return abs(sum(p[0] * q[1] - q[0] * p[1]
                   for p, q in zip(polygon, polygon[1:] + polygon[:1]))) / 2 if polygon else 0


def three_pieces_cdf(x: Fraction) -> Fraction:
    """The first two pieces (s1, s2) are uniform on the triangle s1, s2 >= 0, s1 + s2 <= 1 (area
    1/2); P(L <= x) is the part of it where s1 <= x, s2 <= x and 1 - s1 - s2 <= x."""
    triangle = [(Fraction(0), Fraction(0)), (Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))]
    kept = clip(clip(clip(triangle, 1, 0, x), 0, 1, x), -1, -1, x - 1)
    return 2 * area(kept)


X_GRID = [Fraction(k, 30) for k in range(0, 31)]


def test_longest_piece_cdf_matches_geometry_for_two_and_three_pieces():
    puzzle = get_puzzle("longest-piece")
    q = puzzle.quantity("cdf")
    for n, law in ((1, lambda x: Fraction(x >= 1)),
                   (2, lambda x: max(Fraction(0), 2 * x - 1)),  # L = max(U, 1 - U)
                   (3, three_pieces_cdf)):
        cdf_float = ex.cdf_function(puzzle, q, puzzle.resolve({"n": n}))
        for x in X_GRID:
            exact = as_fraction(exact_at("longest-piece", "cdf", {"n": n}, x=x))
            assert exact == law(x), (n, x)
            # the float form the engine bins with says the same
            assert float(cdf_float(float(x))) == pytest.approx(float(exact), abs=1e-12)


def test_longest_piece_mean_of_three_pieces_by_exact_integration():
    # E[L] = integral of P(L > x); the geometric cdf is quadratic between its kinks 1/3 and 1/2,
    # so Simpson's rule on [1/3, 1/2] and [1/2, 1] is exact
    def survival(x):
        return 1 - three_pieces_cdf(x)

    mean = Fraction(1, 3)  # L >= 1/3 always
    for lo, hi in ((Fraction(1, 3), Fraction(1, 2)), (Fraction(1, 2), Fraction(1))):
        mean += (hi - lo) / 6 * (survival(lo) + 4 * survival((lo + hi) / 2) + survival(hi))
    assert as_fraction(exact_at("longest-piece", "mean", {"n": 3})) == mean
    assert as_fraction(exact_at("longest-piece", "mean", {"n": 1})) == 1
    assert as_fraction(exact_at("longest-piece", "mean", {"n": 2})) == Fraction(3, 4)


@pytest.mark.parametrize("n", [4, 6, 9, 25])
def test_longest_piece_mean_from_maximum_of_exponentials(n):
    # pieces are E_i / sum E_j with E_i iid Exp(1), the sum independent of the ratios, so
    # n E[L] = E[max E_i]; scipy integrates the survival function of the maximum
    expected_max, _ = scipy.integrate.quad(lambda s: 1 - scipy.stats.expon.cdf(s) ** n, 0, np.inf,
                                           epsabs=1e-13, epsrel=1e-13)
    exact = exact_at("longest-piece", "mean", {"n": n})
    assert exact.is_Rational
    assert float(exact) == pytest.approx(expected_max / n, rel=1e-10)


def longest_piece_cdf_by_fractions(n: int, x: Fraction) -> Fraction:
    return sum((-1) ** j * math.comb(n, j) * max(Fraction(0), 1 - j * x) ** (n - 1)
               for j in range(n + 1))


def test_longest_piece_float_cdf_is_a_cdf():
    puzzle = get_puzzle("longest-piece")
    for n in (4, 9, 20):
        cdf = ex.cdf_function(puzzle, puzzle.quantity("cdf"), puzzle.resolve({"n": n}))
        values = cdf(np.linspace(0, 1, 2001))
        assert values[0] == 0 and values[-1] == 1
        assert np.all(np.diff(values) >= -1e-9)
        # some piece is at least 1/n long (up to rounding in the alternating sum)
        assert np.all(np.abs(cdf(np.linspace(0, 1 / n, 50)[:-1])) <= 1e-9)


@pytest.mark.parametrize("n", [40, 170])
def test_longest_piece_float_cdf_is_accurate_above_two_over_n(n):
    # the alternating sum cancels catastrophically for x well below 2/n at large n; verify's
    # bins start at the 1% quantile, far above that, where the floats must be right
    puzzle = get_puzzle("longest-piece")
    cdf = ex.cdf_function(puzzle, puzzle.quantity("cdf"), puzzle.resolve({"n": n}))
    for x in (Fraction(m, 4 * n) for m in range(8, 4 * n + 1, n // 5)):
        assert float(cdf(float(x))) == pytest.approx(float(longest_piece_cdf_by_fractions(n, x)),
                                                     abs=1e-6)


def test_longest_piece_wrong_cdf_is_caught():
    puzzle = get_puzzle("longest-piece")
    n = puzzle.symbols["n"]
    x = puzzle.quantity("cdf").variable
    j = sympy.Symbol("j", integer=True, nonnegative=True)
    # exponent n instead of n - 1: the volume of a simplex of the wrong dimension
    slipped = sympy.Piecewise(
        (1, x >= 1),
        (sympy.Sum((-1) ** j * sympy.binomial(n, j) * sympy.Max(0, 1 - j * x) ** n, (j, 0, n)), True))
    wrong = with_quantity("longest-piece", Cdf(slipped, x, support=(0, 1)))
    report = verify(wrong, trials=TRIALS)
    assert verdict_of(report, "cdf") == "disagree"
    assert verdict_of(report, "mean") != "disagree"


def test_longest_piece_wrong_mean_is_caught():
    n = get_puzzle("longest-piece").symbols["n"]
    wrong = with_quantity("longest-piece", Mean(sympy.harmonic(n) / (n + 1)))
    assert verdict_of(verify(wrong, trials=TRIALS), "mean") == "disagree"


def test_longest_piece_simulator_outcomes():
    out = run_kernel("longest-piece", {"n": 5}, seed=7)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert np.all((out >= 1 / 5) & (out <= 1))
    assert np.all(run_kernel("longest-piece", {"n": 1}, seed=7) == 1.0)


# --------------------------------------------------------------------------- laplace-succession


def beta_integral(a: int, b: int) -> Fraction:
    """Integral over [0, 1] of p^a (1 - p)^b, expanding (1 - p)^b binomially."""
    return sum(Fraction((-1) ** i * math.comb(b, i), a + i + 1) for i in range(b + 1))


@pytest.mark.parametrize("n,k", [(n, k) for n in range(0, 9) for k in range(0, n + 1)])
def test_laplace_matches_bayes_by_polynomial_integrals(n, k):
    # P(next heads | data) = P(data and next heads) / P(data); the C(n, k) factors cancel
    bayes = beta_integral(k + 1, n - k) / beta_integral(k, n - k)
    exact = as_fraction(exact_at("laplace-succession", "probability", {"n": n, "k": k}))
    assert exact == bayes
    # the posterior of p is Beta(k + 1, n - k + 1); the next flip is heads with its mean
    assert float(exact) == pytest.approx(scipy.stats.beta(k + 1, n - k + 1).mean(), rel=1e-14)


def test_laplace_wrong_closed_form_is_caught():
    n, k = get_puzzle("laplace-succession").symbols.values()
    wrong = with_quantity("laplace-succession", Probability(k / n))  # the frequentist's k/n
    assert verdict_of(verify(wrong, trials=TRIALS), "probability") == "disagree"


def test_laplace_simulator_outcomes():
    out = run_kernel("laplace-succession", {"n": 4, "k": 1}, seed=7)
    assert out.shape == (2000,) and out.dtype == np.float64
    assert set(np.unique(out)) == {0.0, 1.0}
    assert set(np.unique(run_kernel("laplace-succession", {"n": 0, "k": 0}, seed=7))) == {0.0, 1.0}
