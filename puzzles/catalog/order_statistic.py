"""The k-th smallest of n uniform numbers.

Derivation. X <= x exactly when at least k of the n draws fall in [0, x], and the count there is
Binomial(n, x): F(x) = sum_{j=k}^{n} C(n, j) x^j (1-x)^(n-j). Its derivative telescopes to the
density n!/((k-1)!(n-k)!) x^(k-1) (1-x)^(n-k): X is Beta(k, n-k+1), so E[X] = k/(n+1) and
Var[X] = k(n-k+1) / ((n+1)^2 (n+2)).
Limit: the engine turns the cdf into a float function with sympy's lambdify, which writes C(n, j)
with n! as an integer literal; past n = 170 that overflows a float and verify fails. (As the
regularized incomplete beta I_x(k, n-k+1) it would not, but `puzzles check` cannot read that.)
"""

import numba
import numpy as np
from sympy import Sum, binomial, symbols

from puzzles import Cdf, Integer, Mean, Puzzle, Variance

n, k = symbols("n k", integer=True, positive=True)
x = symbols("x", nonnegative=True)
j = symbols("j", integer=True)


# Hoare's quickselect, in place: expected O(n), and several times faster than numba's
# draws.sort() or np.partition (which copies).
@numba.njit(cache=True, nogil=True)
def _kth_smallest(values, k):
    """The k-th smallest (k = 1 is the minimum); reorders `values`."""
    target = k - 1
    lo, hi = 0, len(values) - 1
    while lo < hi:
        pivot = values[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            break
    return values[target]


# Up to this many draws, counting for each draw how many lie below it beats quickselect (twice
# as fast at n = 5): n^2 comparisons, but none of them a branch, whereas quickselect branches on
# comparisons of random numbers and the processor guesses half of them wrong.
_COUNTING_LIMIT = 64


@numba.njit(cache=True, nogil=True)
def _kth_smallest_by_counting(values, k):
    """The k-th smallest (k = 1 is the minimum): the value with fewer than k values below it
    and at least k not above it (so equal values, should two draws coincide, still give it)."""
    found = values[0]
    for i in range(values.shape[0]):
        below = 0
        not_above = 0
        for j in range(values.shape[0]):
            below += values[j] < values[i]
            not_above += values[j] <= values[i]
        found = values[i] if below < k <= not_above else found
    return found


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    draws = np.empty(n)
    kth_smallest = np.empty(trials)
    for t in range(trials):
        for i in range(n):
            draws[i] = rng.random()
        if n <= _COUNTING_LIMIT:
            kth_smallest[t] = _kth_smallest_by_counting(draws, k)
        else:
            kth_smallest[t] = _kth_smallest(draws, k)
    return kth_smallest


PUZZLE = Puzzle(
    name="order-statistic",
    title="The k-th smallest of n uniform numbers",
    statement=(
        "n numbers are drawn independently and uniformly from [0, 1]. Let X be the k-th "
        "smallest of them."
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 5, "number of draws", min=1),
        Integer(k, 2, "rank (1 = minimum)", min=1, max=n),
    ],
    quantities=[
        Mean(k / (n + 1)),
        Variance(k * (n - k + 1) / ((n + 1) ** 2 * (n + 2))),
        Cdf(Sum(binomial(n, j) * x ** j * (1 - x) ** (n - j), (j, k, n)), x, support=(0, 1)),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per number
    bounds=(0, 1),
    examples=[{"n": 1, "k": 1}, {"n": 7, "k": 7}, {"n": 40, "k": 13}],
)
