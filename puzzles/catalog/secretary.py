"""The secretary problem with a cutoff k.

Derivation. Let the best candidate stand at position i (uniform on 1..n). If i <= k she is
rejected outright. If i > k she is hired exactly when nobody at positions k+1..i-1 was hired,
i.e. when the best of the first i-1 candidates is among the first k: probability k/(i-1). So for
k >= 1, P = (1/n) sum_{i=k+1}^{n} k/(i-1) = (k/n)(H_{n-1} - H_{k-1}). With k = 0 the first
candidate beats everyone seen before (nobody) and is hired: P = 1/n. ("Stuck with the last" never
matters: if nobody after the cutoff beats all before, the best is among the rejected.)
"""

import numba
import numpy as np
from sympy import Eq, Piecewise, harmonic, symbols

from puzzles import Integer, Probability, Puzzle

n, k = symbols("n k", integer=True, nonnegative=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    ranks = np.arange(n)  # n - 1 is the best candidate
    hired_best = np.empty(trials)
    for t in range(trials):
        # The order is drawn as the interviews go (Fisher-Yates, front to back), so a trial
        # stops at the hire instead of shuffling everyone; int(u * m) is a uniform pick of m,
        # several times faster than rng.integers in numba.
        best_seen = -1
        hired = -1
        for i in range(n):
            j = i + int(rng.random() * (n - i))
            ranks[i], ranks[j] = ranks[j], ranks[i]
            if i >= k and (ranks[i] > best_seen or i == n - 1):  # the last one if nobody else
                hired = ranks[i]
                break
            best_seen = max(best_seen, ranks[i])
        hired_best[t] = hired == n - 1
    return hired_best


PUZZLE = Puzzle(
    name="secretary",
    title="The secretary problem: reject k candidates, then hire the first record",
    statement=(
        "n candidates with distinct ranks are interviewed one at a time in a uniformly random "
        "order. After each interview you learn only how the candidate ranks among those seen so "
        "far, and must hire or reject on the spot. You reject the first k candidates outright, "
        "then hire the first one who beats everyone seen before (if nobody does, you are stuck "
        "with the last). What is the probability that you hire the single best candidate?"
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 20, "number of candidates", min=1),
        Integer(k, 7, "number of candidates rejected outright", min=0, max=n - 1),
    ],
    quantities=[
        Probability(Piecewise((1 / n, Eq(k, 0)),
                              (k / n * (harmonic(n - 1) - harmonic(k - 1)), True))),
    ],
    simulate=_simulate_kernel,
    naive_draws=n - 1,  # a Fisher-Yates shuffle of the candidates, then the interviews
    bounds=(0, 1),
    examples=[{"n": 1, "k": 0}, {"n": 6, "k": 0}, {"n": 6, "k": 5}, {"n": 100, "k": 37}],
)
