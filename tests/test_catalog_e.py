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
