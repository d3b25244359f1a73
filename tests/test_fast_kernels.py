"""Kernels rewritten for speed (see their comments) must still run the same
random experiment: given the same generator they return exactly what the plain version, written
here in Python with an if per decision, returns."""

import math

import numpy as np
import pytest

from puzzles.catalog import ball_min_distance, coupon_collector, handshakes, monty_hall, order_statistic


def plain_handshakes(rng, trials, a, b):
    """Unrank a uniform index into the C(n, a) subsets seat by seat, with an if per seat."""
    n = a + b
    total = math.comb(n, a)
    out = []
    for _ in range(trials):
        if total <= handshakes._UNRANK_LIMIT:
            limit = 2 ** 53 // total * total
            while True:
                draw = int(rng.random() * 2.0 ** 53)
                if draw < limit:
                    break
            index, left, seats = draw % total, a, []
            for s in range(n):
                with_s = math.comb(n - s - 1, left - 1) if left > 0 else 0
                if index < with_s:
                    seats.append(1)
                    left -= 1
                else:
                    seats.append(0)
                    index -= with_s
        else:
            left, seats = a, []
            for s in range(n):
                if rng.random() * (n - s) < left:
                    seats.append(1)
                    left -= 1
                else:
                    seats.append(0)
        out.append(sum(seats[i] != seats[i - 1] for i in range(n)))
    return np.array(out, dtype=float)


def plain_ball_min_distance(rng, trials, n, d):
    """Each point by its own retry loop: tries in the cube until one lands inside the ball."""
    out = []
    for _ in range(trials):
        best = math.inf
        for _ in range(n):
            while True:
                s = 0.0
                for _ in range(d):
                    c = 2.0 * rng.random() - 1.0
                    s += c * c
                if s <= 1.0:
                    break
            best = min(best, s)
        out.append(math.sqrt(best))
    return np.array(out)


@pytest.mark.parametrize("a,b", [(8, 10), (3, 5), (1, 2), (12, 1), (25, 24)])
def test_handshakes_kernel_is_the_plain_unranking(a, b):
    if math.comb(a + b, a) > handshakes._UNRANK_LIMIT:
        assert (a, b) == (25, 24)  # this one checks the seat-by-seat path
    got = handshakes._simulate_kernel(np.random.default_rng(7), 3000, a, b)
    want = plain_handshakes(np.random.default_rng(7), 3000, a, b)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n,d", [(10, 3), (1, 1), (3, 2), (4, 6)])
def test_ball_min_distance_kernel_is_the_plain_retry_loop(n, d):
    got = ball_min_distance._simulate_kernel(np.random.default_rng(7), 3000, n, d)
    want = plain_ball_min_distance(np.random.default_rng(7), 3000, n, d)
    np.testing.assert_array_equal(got, want)


def plain_coupon_collector(rng, trials, n):
    out = []
    for _ in range(trials):
        seen, boxes = set(), 0
        while len(seen) < n:
            seen.add(int(rng.random() * n))
            boxes += 1
        out.append(boxes)
    return np.array(out, dtype=float)


def plain_order_statistic(rng, trials, n, k):
    return np.array([sorted(rng.random() for _ in range(n))[k - 1] for _ in range(trials)])


def plain_monty_hall(rng, trials, n, k):
    """The story with lists; every uniform pick of m is int(u * m), as in the kernel."""
    out = []
    for _ in range(trials):
        car, pick = int(rng.random() * n), int(rng.random() * n)
        goats = [door for door in range(n) if door != car and door != pick]
        for i in range(k):  # the host's doors, drawn without replacement
            j = i + int(rng.random() * (len(goats) - i))
            goats[i], goats[j] = goats[j], goats[i]
        opened = set(goats[:k])
        closed = [door for door in range(n) if door != pick and door not in opened]
        out.append(float(closed[int(rng.random() * len(closed))] == car))
    return np.array(out)


@pytest.mark.parametrize("n", [1, 2, 6, 30])
def test_coupon_collector_kernel_is_the_plain_story(n):
    got = coupon_collector._simulate_kernel(np.random.default_rng(7), 3000, n)
    np.testing.assert_array_equal(got, plain_coupon_collector(np.random.default_rng(7), 3000, n))


@pytest.mark.parametrize("n,k", [(5, 2), (1, 1), (7, 7), (64, 13), (65, 13), (90, 1)])
def test_order_statistic_kernel_is_the_sorted_draws(n, k):
    got = order_statistic._simulate_kernel(np.random.default_rng(7), 2000, n, k)
    want = plain_order_statistic(np.random.default_rng(7), 2000, n, k)
    np.testing.assert_array_equal(got, want)


def test_counting_finds_the_kth_smallest_among_equal_values():
    values = np.array([0.5, 0.1, 0.1, 0.3, 0.5])
    for k in range(1, 6):
        assert order_statistic._kth_smallest_by_counting(values, k) == sorted(values)[k - 1]


@pytest.mark.parametrize("n,k", [(3, 1), (4, 2), (10, 1), (7, 3)])
def test_monty_hall_kernel_is_the_plain_story(n, k):
    got = monty_hall._simulate_kernel(np.random.default_rng(7), 3000, n, k)
    np.testing.assert_array_equal(got, plain_monty_hall(np.random.default_rng(7), 3000, n, k))
