"""The longest run of heads in n coin flips.

Derivation. L <= x iff the n flips hold no run of r = x + 1 heads. Cut the sequence after each
tail: it is a word in the blocks T, HT, HHT, ..., (H^j)T (j < r), possibly followed by a final
block of fewer than r heads. Counting these words by inclusion-exclusion over the forbidden
blocks (Uspensky 1937, ch. 5; Feller vol. I, XIII.7) gives, with q = 1 - p and
    B(m, r) = sum_{l=0}^{floor(m/(r+1))} (-1)^l C(m - l r, l) (q p^r)^l   (0 for m < 0),
P(L <= x) = B(n, x+1) - p^(x+1) B(n - x - 1, x + 1), for every integer x >= -1 (it is 0 at
x = -1 and 1 for x >= n). The moments come from the tail: L <= n, so
E[L] = sum_{x=0}^{n-1} P(L > x) and E[L^2] = sum_{x=0}^{n-1} (2x + 1) P(L > x).
"""

import numba
import numpy as np
from sympy import Rational, Sum, binomial, floor, symbols

from puzzles import Cdf, Integer, Mean, Puzzle, Real, Variance

n = symbols("n", integer=True, positive=True)
p = symbols("p", positive=True)
x, l, y = symbols("x l y", integer=True)
q = 1 - p


def _no_run(m, r):
    """B(m, r): the inclusion-exclusion sum over l forbidden blocks."""
    return Sum((-1) ** l * binomial(m - l * r, l) * (q * p ** r) ** l, (l, 0, floor(m / (r + 1))))


def _at_most(v):
    """P(L <= v)."""
    return _no_run(n, v + 1) - p ** (v + 1) * _no_run(n - v - 1, v + 1)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, p):
    longest = np.empty(trials)
    for t in range(trials):
        best = 0
        run = 0
        for _ in range(n):
            run = (run + 1) * (rng.random() < p)  # a head extends the run, a tail ends it
            best = max(best, run)
        longest[t] = best
    return longest


PUZZLE = Puzzle(
    name="longest-run",
    title="Longest run of heads in n coin flips",
    statement=(
        "A coin that lands heads with probability p is flipped n times. Let L be the length of "
        "the longest run of consecutive heads (L = 0 if no flip shows heads)."
    ),
    outcomes=["L"],
    parameters=[
        Integer(n, 20, "number of flips", min=1),
        Real(p, Rational(1, 2), "probability of heads", above=0, below=1),
    ],
    quantities=[
        Mean(Sum(1 - _at_most(y), (y, 0, n - 1))),
        Variance(Sum((2 * y + 1) * (1 - _at_most(y)), (y, 0, n - 1))
                 - Sum(1 - _at_most(y), (y, 0, n - 1)) ** 2),
        Cdf(_at_most(x), x, support=(0, n), discrete=True),
    ],
    simulate=_simulate_kernel,
    bounds=(0, n),
    examples=[{"n": 1, "p": "1/2"}, {"n": 4, "p": "1/3"}, {"n": 30, "p": "0.8"},
              {"n": 100, "p": "1/2"}],
    naive_draws=n,  # one draw per flip
)
