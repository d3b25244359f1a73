"""The piece of a randomly broken stick that carries a marked point.

Derivation. Let R be the distance from the mark to the nearest break on its right (or to the
end, 1 - u, if there is none) and Q the same on its left (at most u); L = Q + R. There is no break
in an interval of length a with probability (1 - a)^(n-1), so
P(R > a) = (1 - a)^(n-1) for a < 1 - u, P(Q > b) = (1 - b)^(n-1) for b < u, and
P(R > a, Q > b) = (1 - a - b)^(n-1) (no break in an interval of length a + b). Hence
E[R] = int_0^(1-u) (1 - a)^(n-1) da = (1 - u^n)/n, E[Q] = (1 - (1 - u)^n)/n,
E[R^2] = int_0^(1-u) 2a (1 - a)^(n-1) da = 2((1 - u^n)/n - (1 - u^(n+1))/(n + 1)), likewise
E[Q^2] with u -> 1 - u, and
E[RQ] = int_0^(1-u) int_0^u (1 - a - b)^(n-1) db da = (1 - u^(n+1) - (1 - u)^(n+1))/(n(n + 1)).
So E[L] = (2 - u^n - (1 - u)^n)/n (n = 1: the whole stick), and
Var[L] = E[R^2] + E[Q^2] + 2 E[RQ] - E[L]^2. At u = 1/2 and large n, E[L] ~ 2/n: the marked
piece is twice the average piece (the inspection paradox).
"""

import numba
import numpy as np
from sympy import Rational, symbols

from puzzles import Integer, Mean, Puzzle, Real, Variance

n = symbols("n", integer=True, positive=True)
u = symbols("u", nonnegative=True)


def _squared_reach(w):
    """E[R^2] for the reach R from the mark towards the end that is w away from the other end
    (w = u for the right-hand reach, 1 - u for the left-hand one)."""
    return 2 * ((1 - w ** n) / n - (1 - w ** (n + 1)) / (n + 1))


_MEAN = (2 - u ** n - (1 - u) ** n) / n
_SECOND = (_squared_reach(u) + _squared_reach(1 - u)
           + 2 * (1 - u ** (n + 1) - (1 - u) ** (n + 1)) / (n * (n + 1)))


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, u):
    piece = np.empty(trials)
    for t in range(trials):
        left = 0.0   # the nearest break at or left of the mark (or the stick's left end)
        right = 1.0  # the nearest break right of the mark (or the stick's right end)
        for _ in range(n - 1):
            b = rng.random()
            # without branches: which side a break falls is a coin flip to the processor
            left = max(left, b if b <= u else 0.0)
            right = min(right, b if b > u else 1.0)
        piece[t] = right - left
    return piece


PUZZLE = Puzzle(
    name="stick-marked-point",
    title="The piece of a broken stick that carries a mark",
    statement=(
        "A stick of unit length carries a mark at distance u from its left end. It is broken at "
        "n-1 points chosen independently and uniformly along it, giving n pieces. Let L be the "
        "length of the piece that carries the mark."
    ),
    outcomes=["L"],
    parameters=[
        Integer(n, 3, "number of pieces", min=1),
        Real(u, Rational(1, 2), "distance of the mark from the left end", min=0, max=1),
    ],
    quantities=[
        Mean(_MEAN),
        Variance(_SECOND - _MEAN ** 2),
    ],
    simulate=_simulate_kernel,
    naive_draws=n - 1,  # one draw per break
    bounds=(0, 1),
    examples=[{"n": 1, "u": "1/3"}, {"n": 2, "u": 0}, {"n": 10, "u": "1/5"}],
)
