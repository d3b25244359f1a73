"""Drawing socks until the first matching pair.

Derivation. T > k means the first k socks come from k different pairs: choose the pairs
(C(n, k)) and one sock of each (2^k), among C(2n, k) equally likely sets of k socks, so
P(T > k) = 2^k C(n, k) / C(2n, k), and T <= n + 1 (pigeonhole). Given that the first x - 1 socks
are all from different pairs, the next sock completes a pair when it is one of the x - 1 partners
among the 2n - x + 1 socks left: P(T = x) = P(T > x-1) (x - 1)/(2n - x + 1).
The moments: with s_k = P(T > k), E[T] = sum_k s_k and E[T^2] = sum_k (2k + 1) s_k. Consecutive
terms satisfy (2n - k) s_(k+1) = 2(n - k) s_k; summing over k = 0..n gives
(2n + 1)(E[T] - 1) - sum_k k s_k = 2n E[T] - 2 sum_k k s_k, i.e. E[T^2] = 4n + 2 - E[T]. And
E[T] = sum_k 2^k C(n, k)/C(2n, k) = 4^n / C(2n, n) (induction on n), so
Var[T] = 4n + 2 - E[T] - E[T]^2.
"""

import numba
import numpy as np
from sympy import Piecewise, binomial, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

n = symbols("n", integer=True, positive=True)
x = symbols("x", integer=True)

_MEAN = 4 ** n / binomial(2 * n, n)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    # socks[i] = the pair of the sock at position i of the drawer; socks[:left] are still in it.
    # Drawing moves the drawn sock past the end; the drawer is a fair shuffle again next trial
    # whatever order it is left in, since each draw is uniform over the socks still inside.
    socks = np.arange(2 * n) // 2
    seen_in_trial = np.full(n, -1, dtype=np.int64)  # the last trial that drew a sock of the pair
    drawn = np.empty(trials)
    for t in range(trials):
        left = 2 * n
        while True:
            i = int(rng.random() * left)
            pair = socks[i]
            left -= 1
            socks[i], socks[left] = socks[left], pair
            if seen_in_trial[pair] == t:
                break
            seen_in_trial[pair] = t
        drawn[t] = 2 * n - left
    return drawn


PUZZLE = Puzzle(
    name="sock-pairs",
    title="Socks drawn until the first matching pair",
    statement=(
        "A drawer holds n pairs of socks, no two pairs alike (2n socks in all). Socks are drawn "
        "one at a time, uniformly at random without replacement, until both socks of some pair "
        "have been drawn. Let T be the number of socks drawn."
    ),
    outcomes=["T"],
    parameters=[Integer(n, 10, "number of pairs", min=1)],
    quantities=[
        Mean(_MEAN),
        Variance(4 * n + 2 - _MEAN - _MEAN ** 2),
        # 0 outside the support (the formula divides by 0 at x = 2n + 1, and 0/0 beyond)
        Pmf(Piecewise((2 ** (x - 1) * binomial(n, x - 1) / binomial(2 * n, x - 1) * (x - 1)
                       / (2 * n - x + 1), (x >= 2) & (x <= n + 1)), (0, True)),
            x, support=(2, n + 1)),
    ],
    simulate=_simulate_kernel,
    bounds=(2, n + 1),
    examples=[{"n": 1}, {"n": 2}, {"n": 5}, {"n": 365}],
    naive_draws=_MEAN,  # one draw per sock drawn
)
