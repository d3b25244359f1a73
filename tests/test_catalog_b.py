"""Independent checks of the closed forms of square-distance, gamblers-ruin, polya-urn,
secretary, pattern-waiting and order-statistic.

Each closed form is compared EXACTLY (Fraction against sympy Rational) with a brute force that
knows nothing of the derivation: enumeration of all draw sequences or orders, or a Markov chain
solved in fractions. Where only floats are available (square-distance involves log(1 + sqrt 2))
a high-precision quadrature stands in. Then: a slipped closed form must be caught by verify, and
each simulator must return outcomes of the right shape and kind.
"""

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.stats
import sympy

from puzzles.engine import Cdf, Mean, Pmf, Probability, get_puzzle
from puzzles.engine import exact as ex
from helpers import as_fraction, assert_caught, exact_at, run_kernel, with_quantity


def solve_fractions(matrix, rhs):
    """Gauss-Jordan elimination in exact fractions (the systems here are tiny)."""
    size = len(rhs)
    rows = [list(map(Fraction, row)) + [Fraction(b)] for row, b in zip(matrix, rhs)]
    for col in range(size):
        pivot = next(r for r in range(col, size) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [v / rows[col][col] for v in rows[col]]
        for r in range(size):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [v - factor * w for v, w in zip(rows[r], rows[col])]
    return [row[size] for row in rows]


# --------------------------------------------------------------------------- square-distance


def test_square_distance_matches_quadrature():
    mpmath.mp.dps = 30
    # U = X1 - X2 has density 1 - |u| on [-1, 1]; fold the four quadrants into one
    first = 4 * mpmath.quad(lambda u, v: mpmath.sqrt(u * u + v * v) * (1 - u) * (1 - v),
                            [0, 1], [0, 1])
    second = 4 * mpmath.quad(lambda u, v: (u * u + v * v) * (1 - u) * (1 - v), [0, 1], [0, 1])
    puzzle = get_puzzle("square-distance")
    side = puzzle.symbols["s"]
    for s in (sympy.Integer(1), sympy.Rational(7, 3), sympy.Rational(1, 1000)):
        # the closed forms themselves, not exact_value's rewriting of them (see the lookalike test below)
        mean, variance = (puzzle.quantity(name).closed_form.subs(side, s)
                          for name in ("mean", "variance"))
        s_mp = mpmath.mpf(s.p) / s.q
        assert abs(sympy.N(mean, 30) - sympy.Float(s_mp * first, 30)) < 1e-20 * s
        want_var = s_mp ** 2 * (second - first ** 2)
        assert abs(sympy.N(variance, 30) - sympy.Float(want_var, 30)) < 1e-20 * s ** 2


def test_square_distance_mean_square_is_exactly_a_third():
    # E[D^2] by exact integration of a polynomial: no square roots involved
    x1, x2, y1, y2 = sympy.symbols("x1 x2 y1 y2")
    second = sympy.integrate((x1 - x2) ** 2 + (y1 - y2) ** 2, (x1, 0, 1), (x2, 0, 1),
                             (y1, 0, 1), (y2, 0, 1))
    puzzle = get_puzzle("square-distance")
    s = puzzle.symbols["s"]
    mean, variance = (puzzle.quantity(n).closed_form for n in ("mean", "variance"))
    assert sympy.simplify(variance + mean ** 2 - second * s ** 2) == 0


def test_square_distance_exact_value_is_not_replaced_by_a_numerical_lookalike():
    value = exact_at("square-distance", "variance", {"s": sympy.Rational(7, 3)})
    s = get_puzzle("square-distance").symbols["s"]
    true = get_puzzle("square-distance").quantity("variance").closed_form.subs(s, sympy.Rational(7, 3))
    assert abs(sympy.N(value - true, 60)) < sympy.Float("1e-50")


def test_square_distance_jensen_slip_is_caught():
    s = get_puzzle("square-distance").symbols["s"]
    assert_caught(with_quantity("square-distance", Mean(s / sympy.sqrt(3))))  # sqrt(E[D^2])


def test_square_distance_simulator_outcomes():
    d = run_kernel("square-distance", {"s": 3})
    assert d.shape == (2000,) and d.dtype == np.float64
    assert np.all((d >= 0) & (d <= 3 * math.sqrt(2)))


# --------------------------------------------------------------------------- gamblers-ruin


def ruin_by_linear_algebra(k, n, p):
    """h_j = P(reach n) and m_j = E[bets] from their one-step equations, solved exactly."""
    p = Fraction(p)
    q = 1 - p
    inner = range(1, n)  # fortunes 1..n-1; 0 and n are absorbing
    matrix = [[(1 if j == i else 0) - (p if j == i + 1 else 0) - (q if j == i - 1 else 0)
               for j in inner] for i in inner]
    reach = solve_fractions(matrix, [p if i == n - 1 else 0 for i in inner])
    bets = solve_fractions(matrix, [1 for _ in inner])
    return reach[k - 1], bets[k - 1]


@pytest.mark.parametrize("k,n,p", [(3, 10, "9/20"), (1, 2, "3/10"), (9, 10, "1/2"), (1, 6, "19/20"),
                                   (2, 5, "1/2"), (4, 7, "2/3"), (1, 3, "1/100")])
def test_gamblers_ruin_matches_linear_algebra(k, n, p):
    params = {"k": k, "n": n, "p": p}
    reach, bets = ruin_by_linear_algebra(k, n, p)
    assert as_fraction(exact_at("gamblers-ruin", "probability", params)) == reach
    assert as_fraction(exact_at("gamblers-ruin", "mean", params)) == bets


def test_gamblers_ruin_inverted_odds_are_caught():
    k, n, p = get_puzzle("gamblers-ruin").symbols.values()
    rho = p / (1 - p)  # the slip: p/q instead of q/p
    wrong = Probability((1 - rho ** k) / (1 - rho ** n), of="reached")
    assert_caught(with_quantity("gamblers-ruin", wrong))


def test_gamblers_ruin_simulator_outcomes():
    out = run_kernel("gamblers-ruin", {"k": 3, "n": 8, "p": "0.4"})
    assert out.shape == (2000, 2)
    reached, bets = out[:, 0], out[:, 1]
    assert set(np.unique(reached)) <= {0.0, 1.0}
    # the walk ends at n or 0, so the number of bets has the parity of the distance walked
    assert np.all(np.where(reached == 1, (bets - 5) % 2, (bets - 3) % 2) == 0)
    assert np.all(bets >= np.where(reached == 1, 5, 3))


# --------------------------------------------------------------------------- polya-urn


def polya_by_enumeration(n, r, b):
    """Exact law of the number of reds: play every colour sequence with its probability."""
    law = [Fraction(0)] * (n + 1)
    for colours in itertools.product((True, False), repeat=n):
        red, blue, prob = r, b, Fraction(1)
        for is_red in colours:
            prob *= Fraction(red if is_red else blue, red + blue)
            red, blue = red + is_red, blue + (not is_red)
        law[sum(colours)] += prob
    return law


@pytest.mark.parametrize("n,r,b", [(1, 1, 1), (4, 1, 1), (5, 7, 2), (6, 2, 3), (3, 1, 4)])
def test_polya_urn_matches_enumeration(n, r, b):
    params = {"n": n, "r": r, "b": b}
    law = polya_by_enumeration(n, r, b)
    mean = sum(x * px for x, px in enumerate(law))
    variance = sum(x * x * px for x, px in enumerate(law)) - mean ** 2
    assert as_fraction(exact_at("polya-urn", "mean", params)) == mean
    assert as_fraction(exact_at("polya-urn", "variance", params)) == variance
    for x, px in enumerate(law):
        assert as_fraction(exact_at("polya-urn", "pmf", params, x=x)) == px


def test_polya_urn_matches_scipy_betabinom():
    n, r, b = 30, 2, 5
    law = scipy.stats.betabinom(n, r, b)
    params = {"n": n, "r": r, "b": b}
    assert float(exact_at("polya-urn", "mean", params)) == pytest.approx(law.mean(), rel=1e-12)
    assert float(exact_at("polya-urn", "variance", params)) == pytest.approx(law.var(), rel=1e-12)
    for x in range(n + 1):
        assert float(exact_at("polya-urn", "pmf", params, x=x)) == pytest.approx(law.pmf(x),
                                                                                 rel=1e-9)


def test_polya_urn_without_reinforcement_is_caught():
    puzzle = get_puzzle("polya-urn")
    n, r, b = puzzle.symbols.values()
    x = puzzle.quantity("pmf").variable
    binomial_law = sympy.binomial(n, x) * (r / (r + b)) ** x * (b / (r + b)) ** (n - x)
    assert_caught(with_quantity("polya-urn", Pmf(binomial_law, x, support=(0, n))))


def test_polya_urn_simulator_outcomes():
    reds = run_kernel("polya-urn", {"n": 6, "r": 2, "b": 3})
    assert reds.shape == (2000,)
    assert np.all((reds >= 0) & (reds <= 6) & (reds == np.round(reds)))


# --------------------------------------------------------------------------- secretary


def secretary_by_enumeration(n, k):
    """Play the cutoff rule on every order of the candidates (rank n-1 is the best)."""
    wins = 0
    for order in itertools.permutations(range(n)):
        best_seen = max(order[:k], default=-1)
        hired = next((c for c in order[k:] if c > best_seen), order[-1])
        wins += hired == n - 1
    return Fraction(wins, math.factorial(n))


@pytest.mark.parametrize("n", range(1, 8))
def test_secretary_matches_enumeration(n):
    for k in range(n):
        got = as_fraction(exact_at("secretary", "probability", {"n": n, "k": k}))
        assert got == secretary_by_enumeration(n, k), (n, k)


def test_secretary_off_by_one_is_caught():
    n, k = get_puzzle("secretary").symbols.values()
    slipped = k / n * (sympy.harmonic(n) - sympy.harmonic(k))
    assert_caught(with_quantity("secretary", Probability(slipped)))


def test_secretary_simulator_outcomes():
    hired_best = run_kernel("secretary", {"n": 8, "k": 3})
    assert hired_best.shape == (2000,)
    assert set(np.unique(hired_best)) == {0.0, 1.0}
    assert np.all(run_kernel("secretary", {"n": 1, "k": 0}) == 1.0)


# --------------------------------------------------------------------------- pattern-waiting


def hth_wait_by_markov_chain(p):
    """E[T] from states 'no progress', 'H', 'HT', solved exactly."""
    p = Fraction(p)
    q = 1 - p
    # e_s = 1 + sum_t P(s -> t) e_t; H T H itself is absorbing
    matrix = [[1 - q, -p, 0],   # nothing: T keeps us here, H moves to 'H'
              [0, 1 - p, -q],   # 'H': H stays at 'H', T moves to 'HT'
              [-q, 0, 1]]       # 'HT': T falls back to nothing, H finishes
    return solve_fractions(matrix, [1, 1, 1])[0]


@pytest.mark.parametrize("p", ["1/2", "1/5", "19/20", "2/3", "1/3", "1/1000"])
def test_pattern_waiting_matches_markov_chain(p):
    got = as_fraction(exact_at("pattern-waiting", "mean", {"p": p}))
    assert got == hth_wait_by_markov_chain(p)


def test_pattern_waiting_missing_overlap_is_caught():
    (p,) = get_puzzle("pattern-waiting").symbols.values()
    assert_caught(with_quantity("pattern-waiting", Mean(1 / (p ** 2 * (1 - p)))))


def test_pattern_waiting_simulator_outcomes():
    flips = run_kernel("pattern-waiting", {"p": "0.3"})
    assert flips.shape == (2000,)
    assert np.all((flips >= 3) & (flips == np.round(flips)))


# --------------------------------------------------------------------------- order-statistic


def order_statistic_cdf_polynomial(n, k):
    """F(x) = P(at least k of n draws <= x) as exact coefficients in x, one subset at a time."""
    coefficients = [Fraction(0)] * (n + 1)
    for below in itertools.product((True, False), repeat=n):
        if sum(below) < k:
            continue
        term = [Fraction(1)]  # multiply x for each draw below, (1 - x) for each above
        for is_below in below:
            factor = (0, 1) if is_below else (1, -1)
            term = [sum(term[i - j] * factor[j] for j in range(2) if 0 <= i - j < len(term))
                    for i in range(len(term) + 1)]
        coefficients = [c + t for c, t in zip(coefficients, term)]
    return coefficients


@pytest.mark.parametrize("n,k", [(1, 1), (3, 1), (3, 3), (5, 2), (6, 4)])
def test_order_statistic_matches_enumeration(n, k):
    params = {"n": n, "k": k}
    F = order_statistic_cdf_polynomial(n, k)
    # E[X] = int_0^1 (1 - F), E[X^2] = int_0^1 2x (1 - F)
    mean = 1 - sum(c / (i + 1) for i, c in enumerate(F))
    second = 1 - sum(2 * c / (i + 2) for i, c in enumerate(F))
    assert as_fraction(exact_at("order-statistic", "mean", params)) == mean
    assert as_fraction(exact_at("order-statistic", "variance", params)) == second - mean ** 2
    puzzle = get_puzzle("order-statistic")
    cdf = puzzle.quantity("cdf")
    at_params = cdf.closed_form.subs(ex.substitutions(puzzle, puzzle.resolve(params)))
    for x in (Fraction(1, 3), Fraction(7, 10)):
        value = ex.exact_value(at_params, {cdf.variable: sympy.Rational(x.numerator, x.denominator)})
        assert as_fraction(value) == sum(c * x ** i for i, c in enumerate(F))


def test_order_statistic_cdf_matches_scipy_beta():
    puzzle = get_puzzle("order-statistic")
    xs = np.linspace(0, 1, 41)
    # up to n = 170: past it the engine's float cdf overflows (see the module docstring)
    for n, k in ((5, 2), (40, 13), (170, 1), (170, 85)):
        values = puzzle.resolve({"n": n, "k": k})
        cdf = ex.cdf_function(puzzle, puzzle.quantity("cdf"), values)
        np.testing.assert_allclose(cdf(xs), scipy.stats.beta(k, n - k + 1).cdf(xs), atol=1e-12)


def test_order_statistic_off_by_one_rank_is_caught():
    puzzle = get_puzzle("order-statistic")
    n, k = puzzle.symbols.values()
    x = puzzle.quantity("cdf").variable
    j = sympy.Symbol("j", integer=True)
    # the slip: at least k - 1 draws below x, i.e. the (k-1)-th smallest
    wrong = Cdf(sympy.Sum(sympy.binomial(n, j) * x ** j * (1 - x) ** (n - j), (j, k - 1, n)), x,
                support=(0, 1))
    assert_caught(with_quantity("order-statistic", wrong), params={"n": 5, "k": 3})


def test_order_statistic_simulator_outcomes():
    from puzzles.catalog.order_statistic import _kth_smallest

    kth = run_kernel("order-statistic", {"n": 6, "k": 6})
    assert kth.shape == (2000,) and np.all((kth >= 0) & (kth <= 1))
    rng = np.random.default_rng(8)
    for _ in range(300):
        values = rng.integers(0, 4, size=rng.integers(1, 12)).astype(float)  # with ties
        k = int(rng.integers(1, len(values) + 1))
        assert _kth_smallest(values.copy(), k) == np.sort(values)[k - 1]
