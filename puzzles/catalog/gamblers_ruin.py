"""Gambler's ruin with a biased coin.

Derivation. Let h_j = P(reach n | fortune j): h_j = p h_{j+1} + q h_{j-1}, h_0 = 0, h_n = 1 with
q = 1 - p. With rho = q/p the differences grow geometrically, h_{j+1} - h_j = rho^j h_1, so
h_k = (1 - rho^k) / (1 - rho^n); for p = 1/2 (rho = 1) they are equal and h_k = k/n.
The expected number of bets m_j solves m_j = 1 + p m_{j+1} + q m_{j-1}, m_0 = m_n = 0.
Since fortune - (p - q) * bets is a martingale (optional stopping), n h_k - k = (p - q) m_k,
so m_k = (k - n h_k) / (q - p); for p = 1/2, fortune^2 - bets is one and m_k = k (n - k).
"""

import numba
import numpy as np
from sympy import Eq, oo, Piecewise, Rational, symbols

from puzzles import Integer, Mean, Probability, Puzzle, Real

k, n = symbols("k n", integer=True, positive=True)
p = symbols("p", positive=True)
q = 1 - p
rho = q / p
_REACH = (1 - rho ** k) / (1 - rho ** n)
_FAIR = Eq(p, Rational(1, 2))
_EXPECTED_BETS = Piecewise((k * (n - k), _FAIR), ((k - n * _REACH) / (q - p), True))


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, k, n, p):
    out = np.empty((trials, 2))  # columns: reached n (1/0), number of bets
    for t in range(trials):
        fortune = k
        bets = 0
        while 0 < fortune < n:
            fortune += 1 if rng.random() < p else -1
            bets += 1
        out[t, 0] = fortune == n
        out[t, 1] = bets
    return out


PUZZLE = Puzzle(
    name="gamblers-ruin",
    title="Gambler's ruin: reaching a target before going broke",
    statement=(
        "A gambler starts with k dollars and bets one dollar at a time, winning each bet "
        "independently with probability p, until she either reaches n dollars or goes broke."
    ),
    outcomes=["reached", "bets"],
    parameters=[
        Integer(k, 3, "starting fortune", above=0, below=n),
        Integer(n, 10, "target fortune", min=2),
        Real(p, Rational(9, 20), "probability of winning a single bet", above=0, below=1),
    ],
    quantities=[
        Probability(Piecewise((k / n, _FAIR), (_REACH, True)), of="reached"),
        Mean(_EXPECTED_BETS, of="bets"),
    ],
    simulate=_simulate_kernel,
    naive_draws=_EXPECTED_BETS,  # one draw per bet
    bounds={"reached": (0, 1), "bets": (1, oo)},
    examples=[
        {"k": 1, "n": 2, "p": "3/10"},
        {"k": 9, "n": 10, "p": "1/2"},
        {"k": 1, "n": 6, "p": "19/20"},
        {"k": 15, "n": 30, "p": "1/2"},
    ],
)
