"""Empty boxes when n balls are thrown into m boxes (the classical occupancy problem).

Derivation. A given box stays empty with probability (1 - 1/m)^n and two given boxes both do
with probability (1 - 2/m)^n, so E[X] = m (1 - 1/m)^n and
E[X(X-1)] = m(m-1)(1 - 2/m)^n, Var[X] = E[X(X-1)] + E[X] - E[X]^2.
The law: choose the x empty boxes (C(m, x) ways); the n balls must then fill the other m - x
boxes onto, which by inclusion-exclusion over the boxes left empty happens in
sum_j (-1)^j C(m-x, j) (m-x-j)^n of the m^n throws. So
P(X = x) = C(m, x) sum_{j=0}^{m-x} (-1)^j C(m-x, j) ((m-x-j)/m)^n.
"""

import numba
import numpy as np
from sympy import Sum, binomial, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

n, m = symbols("n m", integer=True, positive=True)
x, j = symbols("x j", integer=True)

_MEAN = m * (1 - 1 / m) ** n


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, m):
    # A box holds the number of the last trial that put a ball in it, so it never needs clearing.
    last_filled = np.full(m, -1, dtype=np.int64)
    empty = np.empty(trials)
    for t in range(trials):
        filled = 0
        for _ in range(n):
            box = int(rng.random() * m)  # uniform box; much faster than rng.integers in numba
            filled += last_filled[box] != t
            last_filled[box] = t
        empty[t] = m - filled
    return empty


PUZZLE = Puzzle(
    name="empty-boxes",
    title="Boxes left empty when n balls are thrown into m boxes",
    statement=(
        "n balls are thrown into m boxes; each ball lands in a box chosen uniformly at random, "
        "independently of the other balls. Let X be the number of boxes left empty."
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 20, "number of balls", min=1),
        Integer(m, 10, "number of boxes", min=1),
    ],
    quantities=[
        Mean(_MEAN),
        Variance(m * (m - 1) * (1 - 2 / m) ** n + _MEAN - _MEAN ** 2),
        Pmf(binomial(m, x) * Sum((-1) ** j * binomial(m - x, j) * ((m - x - j) / m) ** n,
                                 (j, 0, m - x)), x, support=(0, m)),
    ],
    simulate=_simulate_kernel,
    bounds=(0, m - 1),
    examples=[{"n": 1, "m": 1}, {"n": 3, "m": 4}, {"n": 7, "m": 3}, {"n": 100, "m": 40}],
    naive_draws=n,  # one draw per ball
)
