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
import scipy.linalg
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
    # a pmf is asked for on its support only; a cdf also just below and above it
    for x in (range(low, high + 1) if quantity == "pmf" else range(low - 1, high + 2)):
        want = law.get(x, Fraction(0)) if quantity == "pmf" else \
            sum((p for v, p in law.items() if v <= x), Fraction(0))
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


# --------------------------------------------------------------------------- st-petersburg


def st_petersburg_law(W):
    """Y's law from the tosses: K = k with probability 2^-k; once 2^k >= W every later k pays W."""
    law, k = {}, 1
    while 2 ** k < W:
        law[2 ** k] = Fraction(1, 2 ** k)
        k += 1
    law[W] = law.get(W, 0) + Fraction(1, 2 ** (k - 1))  # P(K >= k)
    return law


@pytest.mark.parametrize("W", [1, 2, 3, 4, 5, 7, 8, 9, 1000, 1024, 1025, 2 ** 40 - 1, 10 ** 15])
def test_st_petersburg_matches_the_law_of_the_tosses(W):
    law = st_petersburg_law(W)
    assert sum(law.values()) == 1
    mean, variance = moments(law)
    assert as_fraction(exact_at("st-petersburg", "mean", {"W": W})) == mean
    assert as_fraction(exact_at("st-petersburg", "variance", {"W": W})) == variance


def test_st_petersburg_log_instead_of_floor_is_caught():
    (W,) = get_puzzle("st-petersburg").symbols.values()
    # the slip: an unlimited casino's sum cut at log2 W, forgetting the capped payments
    assert_caught(with_quantity("st-petersburg", Mean(sympy.floor(sympy.log(W, 2)))),
                  {"W": 64})


def test_st_petersburg_simulator_outcomes():
    y = run_kernel("st-petersburg", {"W": 1000}, trials=100_000)
    assert y.shape == (100_000,) and y.dtype == np.float64
    assert set(np.unique(y)) == {2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1000.0}
    assert abs(np.mean(y == 2) - 0.5) < 0.01
    assert np.all(run_kernel("st-petersburg", {"W": 1}) == 1)
    huge = run_kernel("st-petersburg", {"W": 2 ** 62}, trials=100_000)
    assert np.all(np.log2(huge) == np.round(np.log2(huge)))


# --------------------------------------------------------------------------- knockout-runner-up


def knockout_by_enumeration(r):
    """Every draw (ranks at positions, 0 the strongest), the bracket played out."""
    players = 2 ** r
    law, final, count = {}, Fraction(0), math.factorial(players)
    for draw in itertools.permutations(range(players)):
        alive, wins, reached = list(draw), 0, False
        while len(alive) > 1:
            reached = len(alive) == 2 and 1 in alive
            alive = [min(a, b) for a, b in zip(alive[::2], alive[1::2])]
            wins += 1 in alive
        law[wins] = law.get(wins, 0) + Fraction(1, count)
        final += Fraction(reached, count)
    return law, final


@pytest.mark.parametrize("r", [1, 2, 3])
def test_knockout_runner_up_matches_enumeration_of_draws(r):
    law, final = knockout_by_enumeration(r)
    assert_law("knockout-runner-up", {"r": r}, law)
    assert as_fraction(exact_at("knockout-runner-up", "probability", {"r": r})) == final


def test_knockout_runner_up_half_the_time_slip_is_caught():
    # the slip: "the strongest is in the other half with probability 1/2"
    assert_caught(with_quantity("knockout-runner-up",
                                Probability(sympy.Rational(1, 2), of="final")))


def test_knockout_runner_up_simulator_outcomes():
    out = run_kernel("knockout-runner-up", {"r": 3}, trials=20_000)
    assert out.shape == (20_000, 2) and out.dtype == np.float64
    assert set(np.unique(out[:, 1])) == {0.0, 1.0, 2.0}
    assert np.array_equal(out[:, 0], out[:, 1] == 2)  # in the final after winning r - 1
    assert np.all(run_kernel("knockout-runner-up", {"r": 1}) == [1.0, 0.0])


# --------------------------------------------------------------------------- random-quadratic


@pytest.mark.parametrize("s", ["1", "1/2", "2", "5", "3/2", "1/10", "100"])
def test_random_quadratic_matches_integration_over_a_and_b(s):
    top = float(sympy.Rational(s))
    # P(B^2 >= 4AC | A = a, B = b) = P(C <= b^2/(4a)) = min(1, b^2/(4a)); A, then B integrated
    # out numerically (the quadrature is told where the min has its kink)
    def given_b(b):
        kink = min(b * b / 4, 1.0)
        inner = lambda a: min(1.0, b * b / (4 * a)) if a > 0 else 1.0
        return scipy.integrate.quad(inner, 0, 1, points=[kink], epsabs=1e-13, epsrel=1e-13)[0]

    edges = [0.0, 2.0, top] if top > 2 else [0.0, top]
    want = sum(scipy.integrate.quad(given_b, lo, hi, epsabs=1e-13, epsrel=1e-13)[0]
               for lo, hi in zip(edges, edges[1:]))
    got = exact_at("random-quadratic", "probability", {"s": s})
    assert float(got) == pytest.approx(want / top, rel=1e-8)


def test_random_quadratic_exact_at_one():
    # by sympy's own integration of the region 4ac <= b^2 in the unit cube
    a, b, c = sympy.symbols("a b c", positive=True)
    # for b <= 1 and a given: c <= b^2/(4a) < 1 exactly when a > b^2/4
    small_a = b ** 2 / 4
    inside = sympy.integrate(sympy.integrate(1, (c, 0, b ** 2 / (4 * a))), (a, small_a, 1))
    want = sympy.integrate(small_a + inside, (b, 0, 1))
    assert sympy.simplify(exact_at("random-quadratic", "probability", {"s": 1}) - want) == 0


def test_random_quadratic_one_piece_for_every_s_is_caught():
    (s,) = get_puzzle("random-quadratic").symbols.values()
    # the slip: the s <= 2 formula used past s = 2
    wrong = s ** 2 * (sympy.Rational(5, 36) + sympy.log(2 / s) / 6)
    assert_caught(with_quantity("random-quadratic", Probability(wrong)), {"s": 3})


def test_random_quadratic_simulator_outcomes():
    roots = run_kernel("random-quadratic", {"s": 1})
    assert roots.shape == (2000,) and set(np.unique(roots)) == {0.0, 1.0}


# --------------------------------------------------------------------------- noodle-loops


def noodles_by_enumeration(n):
    """Every sequence of ties, each pair of free ends equally likely: the law of the loops."""
    law = {}

    def tie(far, loops, prob):  # far: free end -> the free end at the other end of its strand
        if not far:
            law[loops] = law.get(loops, 0) + prob
            return
        pairs = list(itertools.combinations(sorted(far), 2))
        for a, b in pairs:
            rest = dict(far)
            fa, fb = rest.pop(a), rest.pop(b)
            if fa == b:
                tie(rest, loops + 1, prob / len(pairs))
            else:
                rest[fa], rest[fb] = fb, fa
                tie(rest, loops, prob / len(pairs))

    tie({e: e ^ 1 for e in range(2 * n)}, 0, Fraction(1))
    return law


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_noodle_loops_matches_enumeration_of_ties(n):
    law = noodles_by_enumeration(n)
    assert_law("noodle-loops", {"n": n}, law)
    assert as_fraction(exact_at("noodle-loops", "probability", {"n": n})) == law[1]


@pytest.mark.parametrize("n", [12, 60])
def test_noodle_loops_pmf_mean_and_variance_agree_at_larger_n(n):
    pmf = {x: as_fraction(exact_at("noodle-loops", "pmf", {"n": n}, x=x)) for x in range(1, n + 1)}
    assert sum(pmf.values()) == 1
    mean, variance = moments(pmf)
    assert as_fraction(exact_at("noodle-loops", "mean", {"n": n})) == mean
    assert as_fraction(exact_at("noodle-loops", "variance", {"n": n})) == variance
    assert as_fraction(exact_at("noodle-loops", "probability", {"n": n})) == pmf[1]


def test_noodle_loops_harmonic_mean_slip_is_caught():
    (n,) = get_puzzle("noodle-loops").symbols.values()
    # the slip: closing probability 1/j (as for records) instead of 1/(2j - 1)
    assert_caught(with_quantity("noodle-loops", Mean(sympy.harmonic(n))), {"n": 5})


def test_noodle_loops_simulator_outcomes():
    out = run_kernel("noodle-loops", {"n": 5})
    assert out.shape == (2000, 2) and out.dtype == np.float64
    assert out[:, 0].min() >= 1 and out[:, 0].max() <= 5
    assert np.array_equal(out[:, 1], out[:, 0] == 1)
    assert np.all(run_kernel("noodle-loops", {"n": 1}) == [1.0, 1.0])


# --------------------------------------------------------------------------- post-office


def post_office_chain(l1, l2):
    """The story as a Markov chain: initial law, sub-generator of the states before everyone
    has left, and the states in which C is the one still being served.

    0: A at clerk 1, B at clerk 2, C waiting; 1: C at 1, B at 2; 2: A at 1, C at 2;
    3: B alone at 2; 4: C alone at 1; 5: C alone at 2; 6: A alone at 1."""
    moves = {0: {1: l1, 2: l2}, 1: {3: l1, 4: l2}, 2: {5: l1, 6: l2},
             3: {None: l2}, 4: {None: l1}, 5: {None: l2}, 6: {None: l1}}
    Q = sympy.zeros(7, 7)
    for state, out in moves.items():
        for target, rate in out.items():
            Q[state, state] -= rate
            if target is not None:
                Q[state, target] += rate
    start = sympy.Matrix([[1, 0, 0, 0, 0, 0, 0]])
    return start, Q, (4, 5)


@pytest.mark.parametrize("l1,l2", [(1, 2), (1, 1), ("1/10", 3), (5, "7/2"), ("2/3", "2/3")])
def test_post_office_matches_the_markov_chain(l1, l2):
    r1, r2 = sympy.Rational(l1), sympy.Rational(l2)
    start, Q, c_alone = post_office_chain(r1, r2)
    params = {"lam1": l1, "lam2": l2}
    ones = sympy.ones(7, 1)
    inverse = (-Q).inv()
    # time in each state before leaving, then moments of the absorption time (phase type)
    mean = (start * inverse * ones)[0]
    second = 2 * (start * inverse * inverse * ones)[0]
    assert exact_at("post-office", "mean", params) == mean
    assert sympy.simplify(exact_at("post-office", "variance", params) - (second - mean ** 2)) == 0
    # C is last iff the chain passes through a state where C is served alone
    visits = start * inverse * (-sympy.diag(*[Q[i, i] for i in range(7)]))
    c_last = sum(visits[i] for i in c_alone)
    assert exact_at("post-office", "probability", params) == c_last
    # P(T <= x) = 1 - start exp(Qx) 1, in floating point
    Qf = np.array(Q.tolist(), dtype=float)
    puzzle = get_puzzle("post-office")
    from puzzles.engine import exact as ex
    cdf = ex.cdf_function(puzzle, puzzle.quantity("cdf"), puzzle.resolve(params))
    for x in (0.0, 0.1, 0.5, 1.0, 2.5, 7.0, 30.0):
        want = 1 - scipy.linalg.expm(Qf * x)[0].sum()
        assert float(cdf(x)) == pytest.approx(want, abs=1e-12)


def test_post_office_equal_rates_are_exact():
    # lam1 = lam2: the cdf has no division by lam1 - lam2, and stays exact
    assert exact_at("post-office", "cdf", {"lam1": 3, "lam2": 3}, x=0) == 0
    value = exact_at("post-office", "cdf", {"lam1": 3, "lam2": 3}, x=1)
    assert value.is_real and 0 < float(value) < 1


def test_post_office_c_waits_for_both_slip_is_caught():
    lam1, lam2 = get_puzzle("post-office").symbols.values()
    # the slip: T = time to the first departure plus C's service at that clerk, forgetting the other
    assert_caught(with_quantity("post-office", Mean(1 / (lam1 + lam2) + 1 / (lam1 + lam2)
                                                     + 1 / lam1, of="T")))


def test_post_office_simulator_outcomes():
    out = run_kernel("post-office", {"lam1": 1, "lam2": 2}, trials=20_000)
    assert out.shape == (20_000, 2) and out.dtype == np.float64
    assert set(np.unique(out[:, 0])) == {0.0, 1.0}
    assert np.all(out[:, 1] > 0)


# --------------------------------------------------------------------------- stick-marked-point


def stick_moments_by_integration(n, u):
    """E[L] and E[L^2] by sympy's exact integration over the sorted breaks x1 < ... < x_{n-1}
    (density (n-1)!), one region for each gap the mark can fall in."""
    xs = sympy.symbols(f"x1:{n}", positive=True)
    total = [0, 0]
    for gap in range(n):  # the mark lies between x_gap and x_{gap+1} (x_0 = 0, x_n = 1)
        left, right = xs[:gap], xs[gap:]
        lo = left[-1] if left else 0
        hi = right[0] if right else 1
        limits = [(left[i], 0, left[i + 1] if i + 1 < len(left) else u) for i in range(len(left))]
        limits += [(right[i], right[i - 1] if i > 0 else u, 1) for i in range(len(right))][::-1]
        for power in (1, 2):
            term = (hi - lo) ** power
            total[power - 1] += sympy.integrate(term, *limits) if limits else term
    return [sympy.factorial(n - 1) * t for t in total]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_stick_marked_point_matches_integration_over_the_breaks(n):
    u = sympy.symbols("u", positive=True)
    first, second = stick_moments_by_integration(n, u)
    for value in ("0", "1/2", "1/5", "1", "7/9"):
        at = {u: sympy.Rational(value)}
        want_mean = sympy.Rational(first.subs(at))
        want_variance = sympy.Rational(second.subs(at)) - want_mean ** 2
        params = {"n": n, "u": value}
        assert as_fraction(exact_at("stick-marked-point", "mean", params)) == want_mean
        assert as_fraction(exact_at("stick-marked-point", "variance", params)) == want_variance


def test_stick_marked_point_average_piece_slip_is_caught():
    n, u = get_puzzle("stick-marked-point").symbols.values()
    # the slip: the marked piece is an average piece, 1/n (the inspection paradox forgotten)
    assert_caught(with_quantity("stick-marked-point", Mean(1 / n)))


def test_stick_marked_point_simulator_outcomes():
    pieces = run_kernel("stick-marked-point", {"n": 10, "u": "1/5"})
    assert pieces.shape == (2000,) and pieces.dtype == np.float64
    assert pieces.min() > 0 and pieces.max() <= 1
    assert np.all(run_kernel("stick-marked-point", {"n": 1, "u": "1/3"}) == 1)


# --------------------------------------------------------------------------- clopper-pearson


def clopper_pearson_by_beta_cdfs(n, p, alpha):
    """Sum the binomial law over the x whose interval holds p, each end decided from the
    definition of a quantile: the end is <= p iff the Beta cdf at p reaches its level, the Beta
    cdf integrated exactly from its (polynomial) density."""
    p, alpha = Fraction(p), Fraction(alpha)

    def beta_cdf(a, b):
        # int_0^p t^(a-1) (1 - t)^(b-1) dt / B(a, b), (1 - t)^(b-1) expanded term by term
        integral = sum(Fraction(math.comb(b - 1, i) * (-1) ** i, a + i) * p ** (a + i)
                       for i in range(b))
        return integral * Fraction(math.factorial(a + b - 1),
                                   math.factorial(a - 1) * math.factorial(b - 1))

    total = Fraction(0)
    for x in range(n + 1):
        low_ok = x == 0 or beta_cdf(x, n - x + 1) >= alpha / 2        # lower end <= p
        high_ok = x == n or beta_cdf(x + 1, n - x) <= 1 - alpha / 2   # upper end >= p
        if low_ok and high_ok:
            total += math.comb(n, x) * p ** x * (1 - p) ** (n - x)
    return total


# (2, 1/2, 1/2) and (10, 1/2, 11/512) put interval ends exactly on p
@pytest.mark.parametrize("n,p,alpha", [(20, "1/4", "1/20"), (2, "1/2", "1/2"), (10, "1/2", "11/512"),
                                       (1, "9/10", "1/2"), (7, "1/3", "1/10"), (12, "3/100", "1/5")])
def test_clopper_pearson_matches_exact_beta_quantiles(n, p, alpha):
    want = clopper_pearson_by_beta_cdfs(n, p, alpha)
    params = {"n": n, "p": p, "alpha": alpha}
    assert as_fraction(exact_at("clopper-pearson-coverage", "probability", params)) == want


@pytest.mark.parametrize("n,p,alpha", [(20, 0.25, 0.05), (50, 0.03, 0.1), (100, 0.5, 0.01),
                                       (300, 0.9, 0.05)])
def test_clopper_pearson_matches_scipy_beta_ppf(n, p, alpha):
    x = np.arange(n + 1)
    with np.errstate(all="ignore"):
        low = np.where(x == 0, 0.0, scipy.stats.beta.ppf(alpha / 2, x, n - x + 1))
        high = np.where(x == n, 1.0, scipy.stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    covers = (low <= p) & (p <= high)
    want = scipy.stats.binom.pmf(x[covers], n, p).sum()
    params = {"n": n, "p": str(p), "alpha": str(alpha)}
    assert float(exact_at("clopper-pearson-coverage", "probability", params)) == \
        pytest.approx(want, rel=1e-10)


def test_clopper_pearson_endpoint_on_p_excluded_is_caught():
    from puzzles.catalog._binomial import binomial_cdf

    n, p, alpha = get_puzzle("clopper-pearson-coverage").symbols.values()
    j = sympy.symbols("j", integer=True)
    pmf = sympy.binomial(n, j) * p ** j * (1 - p) ** (n - j)
    # the slip: an end equal to p counted as a miss (tails compared with <=, not <)
    upper_end_below = sympy.Piecewise((pmf, 2 * binomial_cdf(n, p, j) <= alpha), (0, True))
    lower_end_above = sympy.Piecewise((pmf, 2 * (1 - binomial_cdf(n, p, j - 1)) <= alpha), (0, True))
    wrong = 1 - sympy.Sum(upper_end_below, (j, 0, n)) - sympy.Sum(lower_end_above, (j, 0, n))
    assert_caught(with_quantity("clopper-pearson-coverage", Probability(wrong)),
                  {"n": 2, "p": "1/2", "alpha": "1/2"})


def test_clopper_pearson_simulator_outcomes():
    covered = run_kernel("clopper-pearson-coverage", {"n": 2, "p": "1/2", "alpha": "1/2"})
    assert covered.shape == (2000,) and covered.dtype == np.float64
    assert np.all(covered == 1)  # every interval holds 1/2, two of them at an end
    covered = run_kernel("clopper-pearson-coverage", {"n": 20}, trials=20_000)
    assert set(np.unique(covered)) == {0.0, 1.0}


# --------------------------------------------------------------------------- sign-test


def sign_test_by_enumeration(n, alpha, theta):
    """Every pattern of signs: the p-value from counting the patterns at least as extreme under
    the null, the rejection weighted by the pattern's probability under theta."""
    alpha, theta = Fraction(alpha), Fraction(theta)
    patterns = list(itertools.product((0, 1), repeat=n))
    positives = [sum(pattern) for pattern in patterns]
    reject = Fraction(0)
    for s in set(positives):
        at_least = Fraction(sum(c >= s for c in positives), 2 ** n)
        at_most = Fraction(sum(c <= s for c in positives), 2 ** n)
        if min(1, 2 * min(at_least, at_most)) <= alpha:
            reject += positives.count(s) * theta ** s * (1 - theta) ** (n - s)
    return reject


# (10, 11/512, .) has a p-value exactly alpha: it rejects
@pytest.mark.parametrize("n,alpha,theta", [(10, "11/512", "1/2"), (10, "1/10", "1/2"), (1, "99/100", "3/10"),
                                           (12, "1/20", "4/5"), (8, "1/128", "2/3"), (5, "1/2", "1/7")])
def test_sign_test_matches_enumeration_of_signs(n, alpha, theta):
    want = sign_test_by_enumeration(n, alpha, theta)
    params = {"n": n, "alpha": alpha, "theta": theta}
    assert as_fraction(exact_at("sign-test", "probability", params)) == want


@pytest.mark.parametrize("n,alpha,theta", [(20, 0.05, 0.5), (60, 0.01, 0.65), (150, 0.05, 0.55)])
def test_sign_test_matches_scipy_binomtest(n, alpha, theta):
    s = np.arange(n + 1)
    p_values = np.array([scipy.stats.binomtest(k, n, 0.5).pvalue for k in s])
    want = scipy.stats.binom.pmf(s[p_values <= alpha], n, theta).sum()
    params = {"n": n, "alpha": str(alpha), "theta": str(theta)}
    assert float(exact_at("sign-test", "probability", params)) == pytest.approx(want, rel=1e-10)


def test_sign_test_one_sided_p_value_slip_is_caught():
    puzzle = get_puzzle("sign-test")
    n, alpha, theta = puzzle.symbols.values()
    j = sympy.symbols("j", integer=True)
    from puzzles.catalog._binomial import binomial_cdf
    half = sympy.Rational(1, 2)
    # the slip: the smaller tail alone as the p-value, not doubled
    p_value = sympy.Min(1 - binomial_cdf(n, half, j - 1), binomial_cdf(n, half, j))
    wrong = sympy.Sum(sympy.binomial(n, j) * theta ** j * (1 - theta) ** (n - j)
                      * sympy.Piecewise((1, p_value <= alpha), (0, True)), (j, 0, n))
    assert_caught(with_quantity("sign-test", Probability(wrong)),
                  {"n": 10, "alpha": "1/10", "theta": "1/2"})


def test_sign_test_simulator_outcomes():
    rejected = run_kernel("sign-test", {"n": 10, "alpha": "11/512", "theta": "1/2"}, trials=200_000)
    assert rejected.shape == (200_000,) and rejected.dtype == np.float64
    # rejects exactly when S <= 1 or S >= 9: probability 22/1024
    assert abs(rejected.mean() - 22 / 1024) < 0.002
    assert not run_kernel("sign-test", {"n": 1, "alpha": "99/100", "theta": "3/10"}).any()


# --------------------------------------------------------------------------- engine: unbounded cdf


def test_equal_probability_edges_on_an_unbounded_support():
    # post-office's T has a continuous cdf on (0, oo): the bins of equal exact probability
    # must still be found (bisection from an infinite end never moved: no edges at all)
    from puzzles.engine.verify import _equal_probability_edges

    cdf = lambda r: 1 - np.exp(-np.clip(r, 0, None))
    edges = _equal_probability_edges(cdf, 0.0, math.inf, 10)
    np.testing.assert_allclose(cdf(edges), np.arange(1, 10) / 10, atol=1e-12)
    normal = scipy.stats.norm.cdf
    edges = _equal_probability_edges(normal, -math.inf, math.inf, 4)
    np.testing.assert_allclose(edges, scipy.stats.norm.ppf([0.25, 0.5, 0.75]), atol=1e-9)


def test_sign_test_simulator_at_thousands_of_pairs():
    # 2^-n underflows past n = 1074: the null law must still be there
    n, alpha = 2000, 0.05
    s = np.arange(n + 1)
    tails = np.minimum(scipy.stats.binom.sf(s - 1, n, 0.5), scipy.stats.binom.cdf(s, n, 0.5))
    size = scipy.stats.binom.pmf(s[2 * tails <= alpha], n, 0.5).sum()
    rejected = run_kernel("sign-test", {"n": n, "alpha": "0.05", "theta": "1/2"}, trials=20_000)
    assert abs(rejected.mean() - size) < 0.01


def test_knockout_runner_up_simulator_at_many_players():
    # 2^16 players, every match played: P(W = x) = 2^x/(2^16 - 1), W = 15 about half the time
    wins = run_kernel("knockout-runner-up", {"r": 16}, trials=4_000)[:, 1]
    assert wins.min() >= 0 and wins.max() <= 15
    assert abs(np.mean(wins == 15) - 0.5) < 0.04
