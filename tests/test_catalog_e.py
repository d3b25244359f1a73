"""Independent checks of the closed forms of the catalog's second part (first half): runs-test,
empty-boxes, first-ace, sock-pairs, banach-matchbox, success-run, isolated-vertices,
prisoners-boxes, longest-run, circle-triangle-area, amoeba and cycle-cover.

Each closed form is compared, exactly where the answer is rational, with a computation that
does not share its derivation: enumeration in fractions of every way the story can go at small
parameters (arrangements, throws, decks, graphs, permutations, coin sequences), exact dynamic
programming over the story's states, exact linear solves of a Markov chain, or scipy where it
knows the law. Then a plausible wrong closed form must be caught by verify, and each simulator
must return outcomes of the right shape and kind. (That every puzzle agrees with its simulator
at its defaults and examples is tests/test_verify.py's job.)
"""

import itertools
import math
import signal
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest
import sympy

from puzzles.engine import Mean, Pmf, Probability, Variance, get_puzzle
from puzzles.engine import exact as ex
from helpers import as_fraction, assert_caught, exact_at, run_kernel, with_quantity


def moments(law: dict) -> tuple[Fraction, Fraction]:
    """Mean and variance of a law {value: probability} in fractions."""
    mean = sum(v * p for v, p in law.items())
    return mean, sum((v - mean) ** 2 * p for v, p in law.items())


def assert_law(name, params, law: dict, support):
    """The puzzle's mean, variance and pmf at `params` equal those of `law`, exactly."""
    mean, variance = moments(law)
    assert as_fraction(exact_at(name, "mean", params)) == mean
    assert as_fraction(exact_at(name, "variance", params)) == variance
    for x in support:
        assert as_fraction(exact_at(name, "pmf", params, x)) == law.get(x, 0), x


@contextmanager
def at_most(seconds):
    """Fail (rather than hang) when the block takes longer than `seconds`."""
    def expire(*_):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- the engine


def test_a_pmf_whose_sum_runs_to_x_is_tabulated_term_by_term():
    # empty-boxes' pmf is a Sum up to m - x: sympy's own doit() tries to sum it symbolically in
    # x first, for minutes; the table must add each point's terms instead
    puzzle = get_puzzle("empty-boxes")
    with at_most(120):
        low, probs, tail, exact = ex.integer_distribution(
            puzzle, puzzle.quantity("pmf"), puzzle.resolve({"n": 100, "m": 40}))
    assert low == 0 and len(probs) == 41 and tail == 0
    assert sum(exact) == 1


# --------------------------------------------------------------------------- runs-test


def _runs(row) -> int:
    return 1 + sum(row[i] != row[i + 1] for i in range(len(row) - 1))


@pytest.mark.parametrize("a,b", [(1, 1), (1, 4), (2, 2), (3, 2), (3, 5), (4, 4), (6, 3)])
def test_runs_test_matches_enumeration_of_every_arrangement(a, b):
    n = a + b
    law: dict = {}
    rows = list(itertools.combinations(range(n), a))  # the positions of the ones
    for ones in rows:
        r = _runs([int(i in ones) for i in range(n)])
        law[r] = law.get(r, 0) + Fraction(1, len(rows))
    assert_law("runs-test", {"a": a, "b": b}, law, range(0, n + 2))


def test_runs_test_forgetting_the_finite_population_is_caught():
    a, b = get_puzzle("runs-test").symbols.values()
    # the slip: runs as if each symbol were an independent coin of bias a/(a+b)
    n = a + b
    assert_caught(with_quantity("runs-test", Variance(2 * a * b * (2 * a * b - n) / n ** 3)))


def test_runs_test_simulator_outcomes():
    r = run_kernel("runs-test", {"a": 3, "b": 3}, trials=20_000)
    assert r.shape == (20_000,) and r.dtype == np.float64
    assert set(np.unique(r)) == {2.0, 3.0, 4.0, 5.0, 6.0}
    assert set(np.unique(run_kernel("runs-test", {"a": 1, "b": 1}))) == {2.0}


# --------------------------------------------------------------------------- empty-boxes


@pytest.mark.parametrize("n,m", [(1, 1), (3, 1), (1, 3), (2, 2), (3, 4), (5, 3), (6, 4), (4, 6)])
def test_empty_boxes_matches_enumeration_of_every_throw(n, m):
    law: dict = {}
    for throw in itertools.product(range(m), repeat=n):
        e = m - len(set(throw))
        law[e] = law.get(e, 0) + Fraction(1, m ** n)
    assert_law("empty-boxes", {"n": n, "m": m}, law, range(0, m + 1))


def test_empty_boxes_matches_the_occupancy_markov_chain_at_the_defaults():
    # the number of filled boxes after each ball: a chain, stepped exactly in fractions
    n, m = 20, 10
    filled = {0: Fraction(1)}
    for _ in range(n):
        nxt: dict = {}
        for f, p in filled.items():
            nxt[f] = nxt.get(f, 0) + p * Fraction(f, m)
            nxt[f + 1] = nxt.get(f + 1, 0) + p * Fraction(m - f, m)
        filled = nxt
    assert_law("empty-boxes", {}, {m - f: p for f, p in filled.items()}, range(0, m + 1))


def test_empty_boxes_treating_boxes_as_independent_is_caught():
    n, m = get_puzzle("empty-boxes").symbols.values()
    mean = m * (1 - 1 / m) ** n
    assert_caught(with_quantity("empty-boxes", Variance(mean * (1 - (1 - 1 / m) ** n))))


def test_empty_boxes_simulator_outcomes():
    x = run_kernel("empty-boxes", {"n": 3, "m": 4}, trials=20_000)
    assert x.shape == (20_000,) and set(np.unique(x)) == {1.0, 2.0, 3.0}
    assert set(np.unique(run_kernel("empty-boxes", {"n": 5, "m": 1}))) == {0.0}


# --------------------------------------------------------------------------- first-ace


@pytest.mark.parametrize("n,a", [(1, 1), (2, 1), (5, 1), (5, 2), (6, 3), (7, 7), (9, 4)])
def test_first_ace_matches_enumeration_of_every_deck(n, a):
    decks = list(itertools.combinations(range(1, n + 1), a))  # the positions of the aces
    law: dict = {}
    for aces in decks:
        law[aces[0]] = law.get(aces[0], 0) + Fraction(1, len(decks))
    assert_law("first-ace", {"n": n, "a": a}, law, range(1, n - a + 2))


def test_first_ace_at_the_defaults_matches_scipy_hypergeometric_waiting():
    # X > x iff the top x cards hold no ace: the hypergeometric probability of zero aces
    from scipy.stats import hypergeom

    for x in (1, 10, 30, 48):
        survival = hypergeom(52, 4, x).pmf(0)
        cdf = sum(float(exact_at("first-ace", "pmf", {}, k)) for k in range(1, x + 1))
        assert abs((1 - cdf) - survival) < 1e-12


def test_first_ace_as_a_geometric_wait_is_caught():
    n, a = get_puzzle("first-ace").symbols.values()
    # the slip: cards drawn with replacement, a geometric wait with success a/n
    assert_caught(with_quantity("first-ace", Variance((1 - a / n) / (a / n) ** 2)))


def test_first_ace_simulator_outcomes():
    x = run_kernel("first-ace", {"n": 5, "a": 2}, trials=20_000)
    assert x.shape == (20_000,) and set(np.unique(x)) == {1.0, 2.0, 3.0, 4.0}
    assert set(np.unique(run_kernel("first-ace", {"n": 6, "a": 6}))) == {1.0}


# --------------------------------------------------------------------------- sock-pairs


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_sock_pairs_matches_enumeration_of_every_drawing_order(n):
    law: dict = {}
    orders = list(itertools.permutations([s // 2 for s in range(2 * n)]))
    for order in orders:
        seen = set()
        for i, pair in enumerate(order, start=1):
            if pair in seen:
                law[i] = law.get(i, 0) + Fraction(1, len(orders))
                break
            seen.add(pair)
    assert_law("sock-pairs", {"n": n}, law, range(2, n + 2))


def test_sock_pairs_matches_a_draw_by_draw_recursion_at_larger_n():
    # state: k socks drawn, all from different pairs; the next completes a pair w.p. k/(2n-k)
    for n in (10, 37):
        law, alive = {}, Fraction(1)
        for k in range(n + 1):
            hit = alive * Fraction(k, 2 * n - k)
            if hit:
                law[k + 1] = hit
            alive -= hit
        assert_law("sock-pairs", {"n": n}, law, [2, 3, n, n + 1])


def test_sock_pairs_birthday_style_slip_is_caught():
    (n,) = get_puzzle("sock-pairs").symbols.values()
    # the slip: socks drawn with replacement of the pair (a birthday problem with n days)
    x = get_puzzle("sock-pairs").quantity("pmf").variable
    wrong = Pmf(sympy.ff(n, x - 1) / n ** (x - 1) * (x - 1) / n, x, support=(2, n + 1))
    assert_caught(with_quantity("sock-pairs", wrong))


def test_sock_pairs_simulator_outcomes():
    t = run_kernel("sock-pairs", {"n": 3}, trials=20_000)
    assert t.shape == (20_000,) and set(np.unique(t)) == {2.0, 3.0, 4.0}
    assert set(np.unique(run_kernel("sock-pairs", {"n": 1}))) == {2.0}


# --------------------------------------------------------------------------- banach-matchbox


def _banach_law(N) -> dict:
    """The law of X by stepping the pair (matches left, matches right) pick by pick, exactly."""
    law: dict = {}
    states = {(N, N): Fraction(1)}
    half = Fraction(1, 2)
    while states:
        nxt: dict = {}
        for (left, right), p in states.items():
            for mine, other, flip in ((left, right, False), (right, left, True)):
                if mine == 0:
                    law[other] = law.get(other, 0) + p * half
                else:
                    key = (other, mine - 1) if flip else (mine - 1, other)
                    nxt[key] = nxt.get(key, 0) + p * half
        states = nxt
    return law


@pytest.mark.parametrize("N", [1, 2, 3, 6, 50])
def test_banach_matchbox_matches_the_pick_by_pick_chain(N):
    assert_law("banach-matchbox", {"N": N}, _banach_law(N), range(0, N + 1))


def test_banach_matchbox_noticing_the_last_match_is_caught():
    (N,) = get_puzzle("banach-matchbox").symbols.values()
    x = get_puzzle("banach-matchbox").quantity("pmf").variable
    # the slip: he notices a box is empty as he takes its last match (Feller's variant)
    wrong = Pmf(sympy.binomial(2 * N - x - 1, N - 1) / 2 ** (2 * N - x - 1), x, support=(0, N))
    assert_caught(with_quantity("banach-matchbox", wrong))


def test_banach_matchbox_simulator_outcomes():
    x = run_kernel("banach-matchbox", {"N": 2}, trials=20_000)
    assert x.shape == (20_000,) and set(np.unique(x)) == {0.0, 1.0, 2.0}
    assert abs(np.mean(x == 2) - 0.25) < 0.02  # the same box picked twice, then again


# --------------------------------------------------------------------------- success-run


def _run_wait_moments(p: Fraction, k: int) -> tuple[Fraction, Fraction]:
    """E[T] and Var[T] by solving the chain on the current run length exactly (sympy Matrix)."""
    p = sympy.Rational(p)
    e = sympy.symbols(f"e0:{k}")
    s = sympy.symbols(f"s0:{k}")  # second moments
    nxt = lambda v, j: v[j + 1] if j + 1 < k else 0  # noqa: E731
    eqs = [sympy.Eq(e[j], 1 + p * nxt(e, j) + (1 - p) * e[0]) for j in range(k)]
    sol = sympy.solve(eqs, e)
    ev = [sol[v] for v in e]
    nxt_e = lambda j: ev[j + 1] if j + 1 < k else 0  # noqa: E731
    eqs2 = [sympy.Eq(s[j], 1 + 2 * (p * nxt_e(j) + (1 - p) * ev[0]) + p * nxt(s, j) + (1 - p) * s[0])
            for j in range(k)]
    sol2 = sympy.solve(eqs2, s)
    return Fraction(str(ev[0])), Fraction(str(sol2[s[0]] - ev[0] ** 2))


@pytest.mark.parametrize("p,k", [("1/6", 2), ("1/2", 1), ("1/2", 3), ("2/3", 5), ("1/10", 4),
                                 ("9/10", 7)])
def test_success_run_matches_the_run_length_chain(p, k):
    mean, variance = _run_wait_moments(Fraction(p), k)
    params = {"p": p, "k": k}
    assert as_fraction(exact_at("success-run", "mean", params)) == mean
    assert as_fraction(exact_at("success-run", "variance", params)) == variance


def test_success_run_classic_value():
    assert exact_at("success-run", "mean") == 42  # two sixes in a row


def test_success_run_as_a_negative_binomial_is_caught():
    p, k = get_puzzle("success-run").symbols.values()
    # the slip: k successes in all, not in a row
    assert_caught(with_quantity("success-run", Variance(k * (1 - p) / p ** 2)))


def test_success_run_simulator_outcomes():
    t = run_kernel("success-run", {"p": "1/2", "k": 3}, trials=20_000)
    assert t.shape == (20_000,) and t.min() == 3 and np.all(t == np.round(t))
    assert abs(np.mean(t == 3) - 1 / 8) < 0.01
    assert abs(np.mean(t == 4) - 1 / 16) < 0.01  # a failure, then three successes


# --------------------------------------------------------------------------- isolated-vertices


def _isolated_law(n, p: Fraction) -> dict:
    """The law of X over every graph on n vertices, each weighted by p^edges (1-p)^non-edges."""
    pairs = list(itertools.combinations(range(n), 2))
    law: dict = {}
    for present in itertools.product((0, 1), repeat=len(pairs)):
        weight = Fraction(1)
        degree = [0] * n
        for (u, v), e in zip(pairs, present):
            weight *= p if e else 1 - p
            degree[u] += e
            degree[v] += e
        if weight:
            x = degree.count(0)
            law[x] = law.get(x, 0) + weight
    return law


@pytest.mark.parametrize("n,p", [(2, "1/2"), (3, "1/3"), (4, "1/5"), (5, "2/7"), (5, "0"),
                                 (4, "1"), (5, "9/10")])
def test_isolated_vertices_matches_enumeration_of_every_graph(n, p):
    law = _isolated_law(n, Fraction(p))
    params = {"n": n, "p": p}
    assert_law("isolated-vertices", params, law, range(0, n + 1))
    assert as_fraction(exact_at("isolated-vertices", "probability", params)) == law.get(0, 0)


def test_isolated_vertices_at_the_defaults_matches_a_vertex_by_vertex_recursion():
    # P(no isolated vertex in G(m, p)) = sum over the number j of isolated vertices of
    # P(exactly those j) -- a different recursion: N_m = 1 - sum_{j>=1} C(m,j) q^(C(j,2)+j(m-j)) N_{m-j}
    q = 1 - Fraction(1, 5)
    none = {0: Fraction(1)}
    for m in range(1, 11):
        none[m] = 1 - sum(math.comb(m, j) * q ** (j * (j - 1) // 2 + j * (m - j)) * none[m - j]
                          for j in range(1, m + 1))
    assert as_fraction(exact_at("isolated-vertices", "probability")) == none[10]
    for x in range(0, 11):
        expected = math.comb(10, x) * q ** (x * (x - 1) // 2 + x * (10 - x)) * none[10 - x]
        assert as_fraction(exact_at("isolated-vertices", "pmf", {}, x)) == expected


def test_isolated_vertices_treating_vertices_as_independent_is_caught():
    n, p = get_puzzle("isolated-vertices").symbols.values()
    single = (1 - p) ** (n - 1)
    assert_caught(with_quantity("isolated-vertices", Variance(n * single * (1 - single))))


def test_isolated_vertices_simulator_outcomes():
    out = run_kernel("isolated-vertices", {"n": 4, "p": "1/3"}, trials=20_000)
    assert out.shape == (20_000, 2)
    assert set(np.unique(out[:, 0])) == {0.0, 1.0, 2.0, 4.0}  # 3 isolated of 4 is impossible
    assert np.array_equal(out[:, 1], (out[:, 0] == 0).astype(float))
    assert set(np.unique(run_kernel("isolated-vertices", {"n": 5, "p": 0})[:, 0])) == {5.0}
    assert set(np.unique(run_kernel("isolated-vertices", {"n": 5, "p": 1})[:, 0])) == {0.0}


# --------------------------------------------------------------------------- prisoners-boxes


def _prisoners_law(n, m) -> dict:
    """The law of X over every filling of the boxes, each prisoner walking his boxes literally."""
    law: dict = {}
    fillings = list(itertools.permutations(range(n)))
    for box in fillings:
        failed = 0
        for prisoner in range(n):
            b, found = prisoner, False
            for _ in range(m):
                if box[b] == prisoner:
                    found = True
                    break
                b = box[b]
            failed += not found
        law[failed] = law.get(failed, 0) + Fraction(1, len(fillings))
    return law


@pytest.mark.parametrize("n,m", [(1, 1), (2, 1), (2, 2), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4),
                                 (7, 7)])
def test_prisoners_boxes_matches_every_filling_walked_box_by_box(n, m):
    law = _prisoners_law(n, m)
    mean, variance = moments(law)
    params = {"n": n, "m": m}
    assert as_fraction(exact_at("prisoners-boxes", "mean", params)) == mean
    assert as_fraction(exact_at("prisoners-boxes", "variance", params)) == variance
    assert as_fraction(exact_at("prisoners-boxes", "probability", params)) == law.get(0, 0)


def test_prisoners_boxes_classic_value():
    # 100 prisoners, 50 boxes each: about 31.18%
    assert abs(float(exact_at("prisoners-boxes", "probability")) - 0.3118278207) < 1e-10


def test_prisoners_boxes_random_guessing_is_caught():
    n, m = get_puzzle("prisoners-boxes").symbols.values()
    # the slip: each prisoner succeeds with probability m/n, independently of the others
    assert_caught(with_quantity("prisoners-boxes", Variance(n * (m / n) * (1 - m / n))))


def test_prisoners_boxes_simulator_outcomes():
    out = run_kernel("prisoners-boxes", {"n": 5, "m": 3}, trials=20_000)
    assert out.shape == (20_000, 2)
    assert set(np.unique(out[:, 0])) == {0.0, 4.0, 5.0}
    assert np.array_equal(out[:, 1], (out[:, 0] == 0).astype(float))
    assert set(np.unique(run_kernel("prisoners-boxes", {"n": 4, "m": 4})[:, 0])) == {0.0}


def test_nested_finite_sums_are_all_added_up_term_by_term():
    # longest-run's moments sum, over x, a Sum whose upper limit depends on x: once the outer
    # sum is added up, the inner ones have numbers for limits and must be added up too, not be
    # left to sympy's doit() (which tries symbolic summation first past 100 terms)
    i, j = sympy.symbols("i j", integer=True)
    nested = sympy.Sum(sympy.Sum(sympy.binomial(j, i) * sympy.Rational(1, 3) ** i, (i, 0, j)),
                       (j, 0, 30))
    added = ex._add_up_finite_sums(nested)
    assert not added.has(sympy.Sum)
    assert added == sum(Fraction(4, 3) ** k for k in range(31))


# --------------------------------------------------------------------------- longest-run


def _longest_run_law(n, p: Fraction) -> dict:
    """The law of L by stepping (current run, longest run so far) flip by flip, exactly."""
    states = {(0, 0): Fraction(1)}
    for _ in range(n):
        nxt: dict = {}
        for (run, best), w in states.items():
            heads = (run + 1, max(best, run + 1))
            nxt[heads] = nxt.get(heads, 0) + w * p
            nxt[(0, best)] = nxt.get((0, best), 0) + w * (1 - p)
        states = nxt
    law: dict = {}
    for (_, best), w in states.items():
        law[best] = law.get(best, 0) + w
    return law


@pytest.mark.parametrize("n,p", [(1, "1/2"), (2, "1/3"), (5, "1/2"), (8, "3/4"), (12, "1/10"),
                                 (20, "1/2")])
def test_longest_run_matches_the_flip_by_flip_chain(n, p):
    law = _longest_run_law(n, Fraction(p))
    mean, variance = moments(law)
    params = {"n": n, "p": p}
    assert as_fraction(exact_at("longest-run", "mean", params)) == mean
    assert as_fraction(exact_at("longest-run", "variance", params)) == variance
    cdf = Fraction(0)
    for x in range(0, n + 2):
        cdf += law.get(x, 0)
        assert as_fraction(exact_at("longest-run", "cdf", params, x)) == cdf, x


def test_longest_run_matches_enumeration_of_every_sequence():
    n, p = 9, Fraction(2, 5)
    law: dict = {}
    for flips in itertools.product((0, 1), repeat=n):
        best = max((len(block) for block in "".join(map(str, flips)).split("0")), default=0)
        law[best] = law.get(best, 0) + p ** sum(flips) * (1 - p) ** (n - sum(flips))
    mean, _ = moments(law)
    assert as_fraction(exact_at("longest-run", "mean", {"n": n, "p": "2/5"})) == mean


def test_longest_run_log2_rule_of_thumb_is_caught():
    n, p = get_puzzle("longest-run").symbols.values()
    # the slip: E[L] ~ log_{1/p}(n (1 - p)), Schilling's asymptotic, taken as exact
    assert_caught(with_quantity("longest-run", Mean(sympy.log(n * (1 - p)) / sympy.log(1 / p))))


def test_longest_run_simulator_outcomes():
    out = run_kernel("longest-run", {"n": 4, "p": "1/3"}, trials=20_000)
    assert out.shape == (20_000,) and set(np.unique(out)) == {0.0, 1.0, 2.0, 3.0, 4.0}
    assert abs(np.mean(out == 0) - (2 / 3) ** 4) < 0.015


# --------------------------------------------------------------------------- circle-triangle-area


def test_circle_triangle_area_matches_numerical_integration_of_the_shoelace():
    # by rotation, fix the first point at angle 0; integrate the shoelace area (and its square)
    # of the triangle over the other two angles, numerically
    from scipy import integrate

    def area(b, c):
        ax, ay, bx, by, cx, cy = 1.0, 0.0, math.cos(b), math.sin(b), math.cos(c), math.sin(c)
        return 0.5 * abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay))

    two_pi = 2 * math.pi
    opts = {"epsabs": 1e-12, "epsrel": 1e-12}
    # the absolute value has a kink where b = c: split the square of angles along it
    first = sum(integrate.dblquad(area, 0, two_pi, lo, hi, **opts)[0]
                for lo, hi in ((0, lambda c: c), (lambda c: c, two_pi))) / two_pi ** 2
    second = sum(integrate.dblquad(lambda b, c: area(b, c) ** 2, 0, two_pi, lo, hi, **opts)[0]
                 for lo, hi in ((0, lambda c: c), (lambda c: c, two_pi))) / two_pi ** 2
    for r in (1, 2, "1/3"):
        scale = float(sympy.Rational(r))
        mean = float(exact_at("circle-triangle-area", "mean", {"R": r}))
        variance = float(exact_at("circle-triangle-area", "variance", {"R": r}))
        assert abs(mean - first * scale ** 2) < 1e-9 * scale ** 2
        assert abs(variance - (second - first ** 2) * scale ** 4) < 1e-9 * scale ** 4


def test_circle_triangle_area_with_uniform_points_in_the_disk_is_caught():
    (r,) = get_puzzle("circle-triangle-area").symbols.values()
    # the slip: the classic for three points inside the disk, 35 R^2 / (48 pi)
    assert_caught(with_quantity("circle-triangle-area", Mean(35 * r ** 2 / (48 * sympy.pi))))


def test_circle_triangle_area_simulator_outcomes():
    a = run_kernel("circle-triangle-area", {"R": 2}, trials=20_000)
    assert a.shape == (20_000,) and np.all(a >= 0)
    assert a.max() <= 3 * math.sqrt(3) / 4 * 4 + 1e-12


# --------------------------------------------------------------------------- cycle-cover


def _solve(matrix, rhs):
    """Solve matrix x = rhs exactly (Gauss-Jordan in fractions)."""
    size = len(rhs)
    rows = [list(matrix[i]) + [rhs[i]] for i in range(size)]
    for col in range(size):
        pivot = next(r for r in range(col, size) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        inv = 1 / rows[col][col]
        rows[col] = [v * inv for v in rows[col]]
        for r in range(size):
            if r != col and rows[r][col] != 0:
                f = rows[r][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[col])]
    return [rows[i][size] for i in range(size)]


def _cover_chain(n):
    """For the walk started at 0 on the n-cycle: (E[C], E[C^2], P(last vertex = k) for each k),
    solved exactly over the states (visited set, position), the fullest sets first."""
    full = (1 << n) - 1
    first, second, last = {}, {}, {}  # by (mask, position)

    def after(mask, pos):
        for nxt in ((pos + 1) % n, (pos - 1) % n):
            yield mask | (1 << nxt), nxt

    masks = sorted(range(1, full), key=lambda m: -bin(m).count("1"))
    for mask in masks:
        if not mask & 1:
            continue
        positions = [v for v in range(n) if mask >> v & 1]
        index = {v: i for i, v in enumerate(positions)}
        size = len(positions)
        matrix = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
        rhs1, rhs_last = [Fraction(1)] * size, [[Fraction(0)] * size for _ in range(n)]
        for v in positions:
            for m2, w in after(mask, v):
                if m2 == mask:
                    matrix[index[v]][index[w]] -= Fraction(1, 2)
                elif m2 == full:
                    rhs_last[w][index[v]] += Fraction(1, 2)
                else:
                    rhs1[index[v]] += first[m2, w] / 2
                    for k in range(n):
                        rhs_last[k][index[v]] += last[m2, w][k] / 2
        e1 = _solve(matrix, rhs1)
        lasts = [_solve(matrix, rhs_last[k]) for k in range(n)]
        for v in positions:
            first[mask, v] = e1[index[v]]
            last[mask, v] = [lasts[k][index[v]] for k in range(n)]
        # E[C^2 | s] = 1 + 2 sum p E[C | s'] + sum p E[C^2 | s'] (E[C | full] = 0)
        rhs2 = []
        for v in positions:
            total = Fraction(1)
            for m2, w in after(mask, v):
                if m2 != full:
                    total += first[m2, w]  # 2 * (1/2) * E[C | s']
                    if m2 != mask:
                        total += second[m2, w] / 2
            rhs2.append(total)
        e2 = _solve(matrix, rhs2)
        for v in positions:
            second[mask, v] = e2[index[v]]
    return first[1, 0], second[1, 0], last[1, 0]


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_cycle_cover_matches_the_exact_chain_on_visited_sets(n):
    mean, second, last = _cover_chain(n)
    params = {"n": n, "k": 1}
    assert as_fraction(exact_at("cycle-cover", "mean", params)) == mean
    assert as_fraction(exact_at("cycle-cover", "variance", params)) == second - mean ** 2
    assert last[0] == 0
    for k in range(1, n):
        assert as_fraction(exact_at("cycle-cover", "probability", {"n": n, "k": k})) == last[k]


def test_cycle_cover_start_counted_among_the_candidates_is_caught():
    n, k = get_puzzle("cycle-cover").symbols.values()
    # the slip: the last vertex uniform over all n vertices, the start included
    assert_caught(with_quantity("cycle-cover", Probability(1 / n, of="last_is_k")))


def test_cycle_cover_simulator_outcomes():
    out = run_kernel("cycle-cover", {"n": 4, "k": 2}, trials=20_000)
    assert out.shape == (20_000, 2)
    assert out[:, 0].min() == 3 and np.all(out[:, 0] == np.round(out[:, 0]))
    assert set(np.unique(out[:, 1])) == {0.0, 1.0}
    assert abs(out[:, 1].mean() - 1 / 3) < 0.02


# --------------------------------------------------------------------------- amoeba


def _colony_law(p0, p2, p3, t) -> dict:
    """The law of Z_t by composing the offspring generating function t times, exactly."""
    s = sympy.symbols("s")
    p0, p2, p3 = map(sympy.Rational, (p0, p2, p3))
    f = p0 + (1 - p0 - p2 - p3) * s + p2 * s ** 2 + p3 * s ** 3
    g = s
    for _ in range(t):
        g = sympy.expand(g.subs(s, f))
    poly = sympy.Poly(g, s)
    return {int(m[0]): Fraction(str(c)) for m, c in zip(poly.monoms(), poly.coeffs())}


@pytest.mark.parametrize("p0,p2,p3,t", [("1/4", "1/4", "1/4", 0), ("1/4", "1/4", "1/4", 3),
                                        ("1/2", "1/4", "0", 4), ("1/10", "1/2", "0", 3),
                                        ("0", "1/5", "1/5", 2), ("1/3", "0", "1/3", 3),
                                        ("1/4", "1/4", "0", 5), ("1/3", "1/3", "0", 4)])
def test_amoeba_moments_match_the_composed_generating_function(p0, p2, p3, t):
    mean, variance = moments(_colony_law(p0, p2, p3, t))
    params = {"p0": p0, "p2": p2, "p3": p3, "t": t}
    assert as_fraction(exact_at("amoeba", "mean", params)) == mean
    assert as_fraction(exact_at("amoeba", "variance", params)) == variance


@pytest.mark.parametrize("p0,p2,p3", [("1/4", "1/4", "1/4"), ("1/2", "1/4", "0"),
                                      ("1/10", "1/2", "0"), ("0", "1/5", "1/5"),
                                      ("1/3", "0", "1/3"), ("1/4", "1/4", "0"),
                                      ("1/5", "1/5", "3/5"), ("2/5", "0", "1/5")])
def test_amoeba_extinction_is_the_smallest_fixed_point_in_the_unit_interval(p0, p2, p3):
    # sympy finds the real roots of f(s) = s exactly; and the extinction-by-minute-g
    # probabilities (f iterated from 0) climb to the same number
    s = sympy.symbols("s")
    a, b, c = map(sympy.Rational, (p0, p2, p3))
    f = a + (1 - a - b - c) * s + b * s ** 2 + c * s ** 3
    roots = [r for r in sympy.real_roots(sympy.Poly(f - s, s)) if 0 <= r <= 1]
    smallest = min(roots, key=lambda r: float(r))
    value = exact_at("amoeba", "probability", {"p0": p0, "p2": p2, "p3": p3})
    assert abs(sympy.N(value - smallest, 50)) < sympy.Float("1e-40")
    by_minute = 0.0
    fa, fb, fc = float(a), float(b), float(c)
    for _ in range(20_000):
        by_minute = fa + by_minute * (1 - fa - fb - fc + by_minute * (fb + by_minute * fc))
    if float(value) < 1:  # from 0 the iteration converges geometrically below criticality only
        assert abs(by_minute - float(value)) < 1e-12


def test_amoeba_largest_root_is_caught():
    p0, p2, p3, _ = get_puzzle("amoeba").symbols.values()
    # the slip: the other root of the quadratic, or 1 -- taking the largest fixed point
    assert_caught(with_quantity("amoeba", Probability(sympy.Integer(1), of="dies_out")))


def test_amoeba_forgetting_the_growth_in_the_variance_is_caught():
    p0, p2, p3, t = get_puzzle("amoeba").symbols.values()
    mu = 1 - p0 + p2 + 2 * p3
    sigma2 = 1 - p0 + 3 * p2 + 8 * p3 - mu ** 2
    assert_caught(with_quantity("amoeba", Variance(t * sigma2 * mu ** (2 * t - 2))))


def test_amoeba_simulator_outcomes():
    out = run_kernel("amoeba", {"p0": "1/2", "p2": "1/4", "p3": 0, "t": 2}, trials=20_000)
    assert out.shape == (20_000, 2)
    assert set(np.unique(out[:, 1])) == {1.0}  # subcritical: every colony dies out
    assert out[:, 0].max() <= 4
    immortal = run_kernel("amoeba", {"p0": 0, "p2": "1/5", "p3": "1/5", "t": 3}, trials=5_000)
    assert set(np.unique(immortal[:, 1])) == {0.0} and immortal[:, 0].min() >= 1
    # a colony large enough for the binomial shortcut: Z_8 at mean 3/2 per minute
    big = run_kernel("amoeba", {"t": 12}, trials=5_000)
    assert abs(big[:, 0].mean() / 1.5 ** 12 - 1) < 0.1
