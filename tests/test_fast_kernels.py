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
        if n <= handshakes._UNRANK_MAX_SEATS and total <= handshakes._UNRANK_LIMIT:
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


@pytest.mark.parametrize("a,b", [(8, 10), (3, 5), (1, 2), (12, 1), (31, 31), (25, 24), (2, 100)])
def test_handshakes_kernel_is_the_plain_unranking(a, b):
    if math.comb(a + b, a) > handshakes._UNRANK_LIMIT or a + b > handshakes._UNRANK_MAX_SEATS:
        assert (a, b) in ((25, 24), (2, 100), (31, 31))  # these check the seat-by-seat path
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


# ----------------------------------------------------------------- issue 18: fewer draws a trial


class Coins:
    """Fair coin flips as the kernels read them: the 53 bits of int(rng.random() * 2^53), from
    the lowest up, a new draw when they are used up (kept across trials)."""

    def __init__(self, rng):
        self.rng, self.bits = rng, []

    def flip(self) -> int:
        if not self.bits:
            k = int(self.rng.random() * 2.0 ** 53)
            self.bits = [(k >> i) & 1 for i in range(53)]
            self.bits.reverse()
        return self.bits.pop()


def plain_cycle_cover(rng, trials, n, k):
    """The walk on the cycle itself, a set of visited vertices, an if per step."""
    coins, out = Coins(rng), []
    for _ in range(trials):
        vertex, visited, steps = 0, {0}, 0
        while len(visited) < n:
            vertex = (vertex + 1) % n if coins.flip() else (vertex - 1) % n
            visited.add(vertex)
            steps += 1
        out.append((steps, float(vertex == k)))
    return np.array(out, dtype=float)


def plain_banach_matchbox(rng, trials, N):
    """He picks a pocket by a coin; an empty box found ends it, the other box's matches count."""
    coins, out = Coins(rng), []
    for _ in range(trials):
        boxes = [N, N]
        while True:
            pocket = 0 if coins.flip() else 1
            if boxes[pocket] == 0:
                out.append(boxes[1 - pocket])
                break
            boxes[pocket] -= 1
    return np.array(out, dtype=float)


@pytest.mark.parametrize("n,k", [(10, 5), (3, 1), (4, 2), (30, 17)])
def test_cycle_cover_kernel_is_the_plain_walk(n, k):
    from puzzles.catalog import cycle_cover

    got = cycle_cover._simulate_kernel(np.random.default_rng(7), 2000, n, k)
    np.testing.assert_array_equal(got, plain_cycle_cover(np.random.default_rng(7), 2000, n, k))


@pytest.mark.parametrize("N", [50, 1, 2, 7])
def test_banach_matchbox_kernel_is_the_plain_story(N):
    from puzzles.catalog import banach_matchbox

    got = banach_matchbox._simulate_kernel(np.random.default_rng(7), 3000, N)
    np.testing.assert_array_equal(got, plain_banach_matchbox(np.random.default_rng(7), 3000, N))


def test_coins_are_the_bits_of_the_draws():
    rng, again = np.random.default_rng(3), np.random.default_rng(3)
    coins = Coins(rng)
    flips = [coins.flip() for _ in range(106)]
    for d in range(2):
        k = int(again.random() * 2.0 ** 53)
        assert flips[53 * d: 53 * (d + 1)] == [(k >> i) & 1 for i in range(53)]


def plain_noodle_loops(rng, trials, n):
    """Strands as a dict end -> far end; the two ends tied are an ordered pair of distinct
    free ends, one draw for the pair (as in the kernel), read off the list of free ends."""
    out = []
    free = list(range(2 * n))  # free[:left]; the order carries over from trial to trial
    for _ in range(trials):
        far = {e: e ^ 1 for e in range(2 * n)}
        loops = 0
        left = 2 * n
        while left:
            pair = int(rng.random() * (left * (left - 1)))
            i, k = pair // (left - 1), pair % (left - 1)
            k += k >= i
            a, b = free[i], free[k]
            if far[a] == b:
                loops += 1
            else:
                fa, fb = far[a], far[b]
                far[fa], far[fb] = fb, fa
            # the kernel's bookkeeping of free ends: the last two move into the freed places
            high, low = max(i, k), min(i, k)
            free[high], free[left - 1] = free[left - 1], free[high]
            free[low], free[left - 2] = free[left - 2], free[low]
            left -= 2
        out.append((loops, float(loops == 1)))
    return np.array(out, dtype=float)


@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_noodle_loops_kernel_is_the_plain_story(n):
    from puzzles.catalog import noodle_loops

    got = noodle_loops._simulate_kernel(np.random.default_rng(7), 2000, n)
    np.testing.assert_array_equal(got, plain_noodle_loops(np.random.default_rng(7), 2000, n))


def test_noodle_loops_pair_draw_is_uniform_over_pairs():
    # one draw for the ordered pair: every (i, k), i != k, equally often
    rng = np.random.default_rng(5)
    left, counts = 6, {}
    for _ in range(60_000):
        pair = int(rng.random() * (left * (left - 1)))
        i, k = pair // (left - 1), pair % (left - 1)
        k += k >= i
        assert i != k
        counts[(i, k)] = counts.get((i, k), 0) + 1
    assert len(counts) == 30
    assert max(counts.values()) < 2300 and min(counts.values()) > 1700


def test_amoeba_watch_stops_once_the_colony_is_safe():
    from puzzles.catalog import amoeba

    # defaults: q = 2 p0 / (p2 + p3 + sqrt((p2 + p3)^2 + 4 p0 p3)); q^K < 1e-14 <= q^(K-1)
    q = 0.5 / (0.5 + math.sqrt(0.5))
    size = amoeba._watch_size(0.25, 0.25, 0.25)
    assert size == 37 and q ** size < 1e-14 <= q ** (size - 1)
    assert amoeba._watch_size(0.0, 0.2, 0.2) == 1.0  # nobody dies
    assert amoeba._watch_size(0.5, 0.25, 0.0) == 2.0 ** 40  # subcritical: to the end


def plain_sign_test_positives(rng, trials, n, theta):
    """The number of positive differences, one coin per pair: at theta = 1/2 a fair coin read
    as the kernels read them (Coins), else rng.random() < theta."""
    coins, out = Coins(rng), []
    for _ in range(trials):
        if theta == 0.5:
            out.append(sum(coins.flip() for _ in range(n)))
        else:
            out.append(sum(rng.random() < theta for _ in range(n)))
    return out


@pytest.mark.parametrize("n,alpha,theta", [(20, 0.05, 0.5), (1, 0.99, 0.5), (60, 0.01, 0.5),
                                           (120, 0.05, 0.5), (20, 0.05, 0.8), (10, 0.3, 0.3)])
def test_sign_test_kernel_is_the_plain_story(n, alpha, theta):
    from scipy.stats import binom

    from puzzles.catalog import sign_test

    got = sign_test._simulate_kernel(np.random.default_rng(7), 3000, n, alpha, theta)
    positives = plain_sign_test_positives(np.random.default_rng(7), 3000, n, theta)
    tails = [min(1.0, 2 * min(binom.sf(s - 1, n, 0.5), binom.cdf(s, n, 0.5))) for s in range(n + 1)]
    want = np.array([float(tails[s] <= alpha * (1 + 1e-10)) for s in positives])
    np.testing.assert_array_equal(got, want)


def test_ones_counts_bits():
    from puzzles.catalog._bits import ones

    rng = np.random.default_rng(2)
    for x in [0, 1, 2 ** 53 - 1, 2 ** 62 - 1, 2 ** 63 - 1,
              *(int(v) for v in rng.integers(0, 2 ** 63 - 1, 200))]:
        assert ones(x) == bin(x).count("1")
