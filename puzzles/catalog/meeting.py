"""Two friends, one café, a window of t minutes, w minutes of patience.

Derivation. The arrival times are uniform on the square [0, t]^2; they meet iff they arrive at
most w apart. The two corner triangles where |X - Y| > w have legs t - w, so
P = 1 - (t - w)^2 / t^2.
"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Probability, Puzzle, Real

t = symbols("t", positive=True)
w = symbols("w", nonnegative=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, t, w):
    met = np.empty(trials)
    for i in range(trials):
        first = t * rng.random()
        second = t * rng.random()
        if second < first:
            first, second = second, first
        met[i] = 1.0 if second <= first + w else 0.0  # the first one is still waiting
    return met


PUZZLE = Puzzle(
    name="meeting",
    title="Two friends meeting at a café",
    statement=(
        "Two friends agree to meet at a café; each arrives at a time uniform over a window of t "
        "minutes, independently of the other. Whoever arrives first waits w minutes and then "
        "leaves. What is the probability that they meet?"
    ),
    outcomes=["X"],
    parameters=[
        Real(t, 60, "length of the arrival window (minutes)", above=0),
        Real(w, 15, "waiting time (minutes)", min=0, max=t),
    ],
    quantities=[
        Probability(1 - (t - w) ** 2 / t ** 2),
    ],
    simulate=_simulate_kernel,
    naive_draws=2,  # one arrival time per friend
    bounds=(0, 1),
    examples=[{"t": 1, "w": 0}, {"t": "2.5", "w": "2.5"}, {"t": 10, "w": "1/3"}],
)
