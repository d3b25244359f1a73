"""Noodles in a bowl: tying free ends at random until only loops are left.

Derivation. With j strands left there are 2j free ends, and C(2j, 2) = j(2j - 1) pairs of them;
j pairs are the two ends of one strand. So the tie closes a loop with probability 1/(2j - 1),
whatever happened before, and either way one strand fewer is left. Hence X is a sum of
independent Bernoulli(1/(2j - 1)), j = 1..n (j = 1 always closes the last loop):
E[X] = sum_j 1/(2j - 1), Var[X] = sum_j (2j - 2)/(2j - 1)^2,
P(X = 1) = prod_{j=2}^{n} (2j - 2)/(2j - 1) = 4^(n-1) ((n-1)!)^2 / (2n - 1)!.
The generating function prod_j (z + 2j - 2)/(2j - 1) = 2^n prod_{i<n} (z/2 + i) / (2n - 1)!!
has z^x coefficient 2^(n-x) [n, x] / (2n - 1)!!, [n, x] the unsigned Stirling numbers of the
first kind (the coefficients of t(t+1)...(t+n-1)); (2n - 1)!! = (2n)!/(2^n n!).
"""

import numba
import numpy as np
from sympy import Sum, factorial, symbols

from puzzles import Integer, Mean, Pmf, Probability, Puzzle, Variance
from puzzles.catalog.records import unsigned_stirling1

n = symbols("n", integer=True, positive=True)
x = symbols("x", integer=True)
j = symbols("j", integer=True)

_ODD_DOUBLE_FACTORIAL = factorial(2 * n) / (2 ** n * factorial(n))  # (2n - 1)!!


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    # Ends 2i and 2i+1 belong to noodle i at the start. free[:left] are the free ends (in no
    # particular order); other[e] is the free end at the far end of e's strand.
    ends = 2 * n
    free = np.arange(ends)
    other = np.empty(ends, dtype=np.int64)
    out = np.empty((trials, 2))  # columns: X, a single loop (1/0)
    for t in range(trials):
        for e in range(ends):
            other[e] = e ^ 1
        left = ends
        loops = 0
        while left > 0:
            # two distinct free ends, every pair equally likely: one draw picks one of the
            # left * (left - 1) ordered pairs, i the first end, k among the others
            pair = int(rng.random() * (left * (left - 1)))
            i = pair // (left - 1)
            k = pair % (left - 1)
            k += k >= i
            a = free[i]
            b = free[k]
            if other[a] == b:
                loops += 1  # the two ends of one strand: a loop
            else:  # two strands become one, whose ends are the far ends of the two
                far_a = other[a]
                far_b = other[b]
                other[far_a] = far_b
                other[far_b] = far_a
            # a and b are tied: move the last two free ends into their places, higher index first
            high = max(i, k)
            free[high], free[left - 1] = free[left - 1], free[high]
            low = min(i, k)
            free[low], free[left - 2] = free[left - 2], free[low]
            left -= 2
        out[t, 0] = loops
        out[t, 1] = loops == 1
    return out


PUZZLE = Puzzle(
    name="noodle-loops",
    title="Tying noodle ends at random: how many loops",
    statement=(
        "A bowl holds n noodles, so 2n free ends. Repeat until no free end is left: choose two "
        "of the free ends uniformly at random (every pair of free ends equally likely) and tie "
        "them together. Tying the two ends of one strand closes it into a loop; otherwise two "
        "strands become one longer strand. Let X be the number of loops at the end."
    ),
    outcomes=["X", "single_loop"],
    parameters=[Integer(n, 20, "number of noodles", min=1)],
    quantities=[
        Mean(Sum(1 / (2 * j - 1), (j, 1, n))),
        Variance(Sum((2 * j - 2) / (2 * j - 1) ** 2, (j, 1, n))),
        Probability(4 ** (n - 1) * factorial(n - 1) ** 2 / factorial(2 * n - 1), of="single_loop"),
        Pmf(2 ** (n - x) * unsigned_stirling1(n, x) / _ODD_DOUBLE_FACTORIAL, x, support=(1, n)),
    ],
    simulate=_simulate_kernel,
    naive_draws=2 * n,  # two ends chosen per tie (the kernel draws both at once)
    bounds={"X": (1, n), "single_loop": (0, 1)},
    examples=[{"n": 1}, {"n": 2}, {"n": 5}, {"n": 100}],
)
