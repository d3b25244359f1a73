"""Roll a die until the running total passes m: how many rolls? (no closed form here yet)"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

m, x = symbols("m x", integer=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, m):
    out = np.empty(trials)
    for t in range(trials):
        total = 0
        rolls = 0
        while total <= m:
            total += rng.integers(1, 7)
            rolls += 1
        out[t] = rolls
    return out


PUZZLE = Puzzle(
    name="rolls-past",
    title="Rolls of a die until the running total passes m",
    statement="Roll a fair six-sided die until the running total exceeds m. "
              "Let N be the number of rolls.",
    parameters=[Integer(m, 10, "the total to pass", min=0)],
    quantities=[Mean(), Variance(), Pmf(None, x, support=(1, m + 1))],
    simulate=_simulate_kernel,
)
