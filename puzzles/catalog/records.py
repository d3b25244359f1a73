"""Records in a random permutation (left-to-right maxima).

Derivation. The k-th value is a record iff it is the largest of the first k, which has
probability 1/k; and whether it is does not depend on the relative order of the first k-1, so
the indicators I_1..I_n are independent Bernoulli(1/k). Hence E[X] = H_n and
Var[X] = sum (1/k - 1/k^2) = H_n - H_n^(2). The generating function of X is
prod_k (t + k - 1)/k = t(t+1)...(t+n-1)/n!, whose t^x coefficient is the unsigned Stirling number
of the first kind [n, x] over n!: P(X = x) = [n, x]/n!.
sympy's `stirling` refuses a symbolic n and would redo its recursion for every x, so the wrapper
below builds the row [n, 0..n] once per n (all of the pmf in well under a second up to n ~ 500).
"""

from functools import lru_cache

import numba
import numpy as np
import sympy
from sympy import Function, factorial, harmonic, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

n = symbols("n", integer=True, positive=True)
x = symbols("x", integer=True)


@lru_cache(maxsize=16)
def _cycle_counts(n: int) -> tuple:
    """[n, 0], ..., [n, n]: the coefficients of t(t+1)...(t+n-1)."""
    row = [1]
    for m in range(n):  # multiply by (t + m)
        row = [m * c + (row[k - 1] if k else 0) for k, c in enumerate(row)] + [row[-1]]
    return tuple(row)


class unsigned_stirling1(Function):
    """[n, k]: the number of permutations of n items with k cycles."""

    @classmethod
    def eval(cls, n, k):
        if n.is_Integer and k.is_Integer:
            return sympy.Integer(_cycle_counts(int(n))[int(k)] if 0 <= k <= n else 0)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    records = np.empty(trials)
    for t in range(trials):
        # independent uniform draws: distinct (ties have probability ~n^2 2^-53) and, being
        # exchangeable, revealed in a uniformly random order of their ranks
        best = rng.random()
        count = 1
        for _ in range(1, n):
            value = rng.random()
            if value > best:
                best = value
                count += 1
        records[t] = count
    return records


PUZZLE = Puzzle(
    name="records",
    title="Number of records in a random sequence",
    statement=(
        "n distinct numbers (say independent draws from a continuous distribution) are revealed "
        "one at a time in a uniformly random order. A value is a record if it is larger than "
        "every value before it; the first value always counts. Let X be the number of records."
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 20, "number of values", min=1),
    ],
    quantities=[
        Mean(harmonic(n)),
        Variance(harmonic(n) - harmonic(n, 2)),
        Pmf(unsigned_stirling1(n, x) / factorial(n), x, support=(1, n)),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per value
    bounds=(1, n),
    examples=[{"n": 1}, {"n": 2}, {"n": 6}],
)
