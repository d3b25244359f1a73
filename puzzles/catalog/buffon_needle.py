"""Buffon's needle (short needle, l <= t).

Derivation. Let y in [0, t) be the height of the centre above the line below it and theta in
[0, pi) the needle's angle to the lines; the needle reaches (l/2) sin(theta) above and below its
centre, which is at most t/2, so it crosses the line below when y <= (l/2) sin(theta) and the one
above when y >= t - (l/2) sin(theta), never both. Given theta that is probability l sin(theta)/t,
and the average of sin over [0, pi) is 2/pi: P = 2 l / (pi t).
"""

import math

import numba
import numpy as np
from sympy import pi, symbols

from puzzles import Probability, Puzzle, Real

l, t = symbols("l t", positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, l, t):
    crosses = np.empty(trials)
    for i in range(trials):
        centre_height = rng.random() * t  # above the nearest line below the centre
        angle = rng.random() * math.pi
        reach = 0.5 * l * math.sin(angle)  # how far the needle extends above and below its centre
        crosses[i] = centre_height <= reach or centre_height + reach >= t
    return crosses


PUZZLE = Puzzle(
    name="buffon-needle",
    title="Buffon's needle",
    statement=(
        "A floor is ruled with parallel lines t apart. A needle of length l (no longer than t) "
        "is dropped at random: the position of its centre and its angle to the lines are "
        "independent and uniform. What is the probability that the needle crosses a line?"
    ),
    outcomes=["X"],
    parameters=[
        Real(l, 1, "needle length", above=0, max=t),
        Real(t, 2, "distance between lines", above=0),
    ],
    quantities=[Probability(2 * l / (pi * t))],
    simulate=_simulate_kernel,
    naive_draws=2,  # the centre's height and the angle
    bounds=(0, 1),
    examples=[{"l": 1, "t": 1}, {"l": "1/10", "t": 2}, {"l": "2.5", "t": "2.75"}],
)
