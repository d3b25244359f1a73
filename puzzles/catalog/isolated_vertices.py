"""Isolated vertices of the Erdos-Renyi random graph G(n, p).

Derivation. With q = 1 - p, a vertex is isolated when its n - 1 possible edges are all missing:
probability q^(n-1), so E[X] = n q^(n-1). Two given vertices are both isolated when their
2n - 3 distinct possible edges are all missing, so E[X(X-1)] = n(n-1) q^(2n-3) and
Var[X] = n q^(n-1) + n(n-1) q^(2n-3) - n^2 q^(2n-2).
The law, by inclusion-exclusion: a given set of i vertices is all isolated when the
C(i, 2) + i(n - i) edges touching it are missing; with S_i = C(n, i) q^(C(i,2) + i(n-i)),
P(X = x) = sum_{i=x}^{n} (-1)^(i-x) C(i, x) S_i (the sieve for exactly x of the n events), and
P(X = 0) = sum_{i=0}^{n} (-1)^i S_i. (At p = 1, q^0 = 1 and only S_0 survives.)
"""

import numba
import numpy as np
from sympy import Rational, Sum, binomial, symbols

from puzzles import Integer, Mean, Pmf, Probability, Puzzle, Real, Variance

n = symbols("n", integer=True, positive=True)
p = symbols("p", nonnegative=True)
x, i = symbols("x i", integer=True)
q = 1 - p

_ALL_ISOLATED = binomial(n, i) * q ** (i * (i - 1) / 2 + i * (n - i))  # S_i


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, p):
    degree = np.empty(n, dtype=np.int64)
    outcome = np.empty((trials, 2))
    for t in range(trials):
        degree[:] = 0
        for u in range(n):
            for v in range(u + 1, n):
                edge = rng.random() < p  # counted without an if: a coin flip mispredicts
                degree[u] += edge
                degree[v] += edge
        isolated = 0
        for u in range(n):
            isolated += degree[u] == 0
        outcome[t, 0] = isolated
        outcome[t, 1] = isolated == 0
    return outcome


PUZZLE = Puzzle(
    name="isolated-vertices",
    title="Isolated vertices of a random graph G(n, p)",
    statement=(
        "A random graph on n labelled vertices contains each of the n(n-1)/2 possible edges "
        "independently with probability p (the Erdos-Renyi graph G(n, p)). Let X be the number "
        "of isolated vertices (vertices with no edge)."
    ),
    outcomes=["X", "none_isolated"],
    parameters=[
        Integer(n, 10, "number of vertices", min=2),
        Real(p, Rational(1, 5), "probability of each edge", min=0, max=1),
    ],
    quantities=[
        Mean(n * q ** (n - 1)),
        Variance(n * q ** (n - 1) + n * (n - 1) * q ** (2 * n - 3) - n ** 2 * q ** (2 * n - 2)),
        Probability(Sum((-1) ** i * _ALL_ISOLATED, (i, 0, n)), of="none_isolated"),
        Pmf(Sum((-1) ** (i - x) * binomial(i, x) * _ALL_ISOLATED, (i, x, n)), x, support=(0, n)),
    ],
    simulate=_simulate_kernel,
    bounds={"X": (0, n), "none_isolated": (0, 1)},
    examples=[{"n": 2, "p": "1/2"}, {"n": 4, "p": "1/3"}, {"n": 30, "p": "1/10"},
              {"n": 6, "p": 0}, {"n": 5, "p": 1}],
    naive_draws=n * (n - 1) / 2,  # one draw per possible edge
)
