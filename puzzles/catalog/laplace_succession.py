"""Laplace's rule of succession.

Derivation. Given p, the k observed heads in n flips have likelihood p^k (1-p)^(n-k), so with a
uniform prior the posterior of p is Beta(k+1, n-k+1), and the next flip is heads with the
posterior mean of p: B(k+2, n-k+1)/B(k+1, n-k+1) = (k+1)/(n+2).
"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Probability, Puzzle

n, k = symbols("n k", integer=True, nonnegative=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    next_is_heads = np.empty(trials)
    for t in range(trials):
        # conditioning by rejection: replay coin and flips until the flips show k heads
        # (each try succeeds with probability 1/(n+1), whatever k)
        while True:
            p = rng.random()
            heads = 0
            for flip in range(n):
                if rng.random() < p:
                    heads += 1
                if heads > k or heads + (n - 1 - flip) < k:
                    break  # this try can no longer show k heads: skip its remaining flips
            if heads == k:
                break
        next_is_heads[t] = 1.0 if rng.random() < p else 0.0
    return next_is_heads


PUZZLE = Puzzle(
    name="laplace-succession",
    title="Laplace's rule of succession",
    statement=(
        "A coin has an unknown probability of heads, uniform on [0, 1] a priori. It is flipped "
        "n times and shows k heads. What is the probability that the next flip is heads?"
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 10, "number of flips observed", min=0),
        Integer(k, 7, "number of heads observed", min=0, max=n),
    ],
    quantities=[
        Probability((k + 1) / (n + 2)),
    ],
    simulate=_simulate_kernel,
    # rejection: a coin (p) and n flips per try, n + 1 tries expected, then the next flip
    naive_draws=(n + 1) ** 2 + 1,
    # about n + 1 tries of up to n flips per trial: slower than most, so fewer trials
    default_trials=5_000_000,
    bounds=(0, 1),
    examples=[{"n": 0, "k": 0}, {"n": 1, "k": 1}, {"n": 12, "k": 0}],
)
