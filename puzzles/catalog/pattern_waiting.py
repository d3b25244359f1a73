"""Waiting for heads-tails-heads.

Derivation (Conway's leading numbers, or a fair casino of gamblers). Before each flip a new
gambler bets on the pattern H T H, letting her winnings ride; fair odds pay 1/p on H and 1/q on T
(q = 1 - p). The casino's net gain is a martingale, so at the stopping time T its expected
takings E[T] equal the expected payout, which is fixed: the gambler who started three flips
before the end holds 1/(p^2 q), the one who started on the last flip holds 1/p (a lone H is both
a prefix and a suffix of H T H), everyone else has lost. So E[T] = 1/(p^2 q) + 1/p.
"""

import numba
import numpy as np
from sympy import oo, Rational, symbols

from puzzles import Mean, Puzzle, Real

p = symbols("p", positive=True)
_EXPECTED_FLIPS = 1 / (p ** 2 * (1 - p)) + 1 / p


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, p):
    flips_needed = np.empty(trials)
    for t in range(trials):
        last_three = 0  # the last three flips as bits, 1 = heads, newest lowest
        flips = 0
        while flips < 3 or last_three != 0b101:
            heads = rng.random() < p
            last_three = ((last_three << 1) | heads) & 0b111
            flips += 1
        flips_needed[t] = flips
    return flips_needed


PUZZLE = Puzzle(
    name="pattern-waiting",
    title="Waiting for heads-tails-heads",
    statement=(
        "A coin lands heads with probability p. It is flipped repeatedly until the pattern "
        "heads-tails-heads (H T H) first appears in consecutive flips. Let T be the number of "
        "flips made."
    ),
    outcomes=["T"],
    parameters=[Real(p, Rational(1, 2), "probability of heads", above=0, below=1)],
    quantities=[Mean(_EXPECTED_FLIPS)],
    simulate=_simulate_kernel,
    naive_draws=_EXPECTED_FLIPS,  # one draw per flip
    bounds=(3, oo),
    examples=[{"p": "1/5"}, {"p": "19/20"}, {"p": "2/3"}],
)
