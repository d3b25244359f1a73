"""The range of n rolls of a k-sided die.

Derivation. Count the k^n sequences of rolls whose range is at most r (0 <= r <= k - 1) by their
minimum a: the rolls lie in [a, min(a + r, k)], a window of w values, and at least one equals a:
w^n - (w - 1)^n sequences. For a <= k - r the window is full (w = r + 1); for the r values of a
above k - r, w runs over 1..r and the differences telescope to r^n. So
P(R <= r) = ((k - r)(r + 1)^n - (k - r - 1) r^n) / k^n, which is 1 at r = k - 1.
E[R] = E[max] - E[min] with E[max] = sum_a P(max >= a) = k - sum_{j<k} (j/k)^n and
E[min] = sum_a P(min >= a) = sum_{j<=k} (j/k)^n: E[R] = k - 1 - 2 sum_{j=1}^{k-1} (j/k)^n.
E[R^2] = sum_{r>=0} (2r + 1) P(R > r), a sum of k - 1 terms (the engine adds them one by one).
"""

import numba
import numpy as np
from sympy import Piecewise, Sum, symbols

from puzzles import Cdf, Integer, Mean, Puzzle, Variance

n, k = symbols("n k", integer=True, positive=True)
x = symbols("x", integer=True)
j = symbols("j", integer=True)


def _at_most(r):
    """P(R <= r) for 0 <= r <= k - 1."""
    return ((k - r) * (r + 1) ** n - (k - r - 1) * r ** n) / k ** n


_MEAN = k - 1 - 2 * Sum((j / k) ** n, (j, 1, k - 1))
_SECOND_MOMENT = Sum((2 * j + 1) * (1 - _at_most(j)), (j, 0, k - 2))


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    ranges = np.empty(trials)
    for t in range(trials):
        low = k
        high = 1
        for _ in range(n):
            face = 1 + int(rng.random() * k)  # uniform on 1..k; faster than rng.integers
            low = min(low, face)
            high = max(high, face)
        ranges[t] = high - low
    return ranges


PUZZLE = Puzzle(
    name="dice-range",
    title="The range of n rolls of a die",
    statement=(
        "A fair die with k faces numbered 1 to k is rolled n times. Let R be the range of the "
        "rolls: the largest number rolled minus the smallest."
    ),
    outcomes=["R"],
    parameters=[
        Integer(n, 5, "number of rolls", min=1),
        Integer(k, 6, "number of faces", min=1),
    ],
    quantities=[
        Mean(_MEAN),
        Variance(_SECOND_MOMENT - _MEAN ** 2),
        Cdf(Piecewise((0, x < 0), (1, x >= k - 1), (_at_most(x), True)), x,
            support=(0, k - 1), discrete=True),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per roll
    bounds=(0, k - 1),
    examples=[{"n": 1, "k": 6}, {"n": 3, "k": 2}, {"n": 10, "k": 20}, {"n": 4, "k": 1}],
)
