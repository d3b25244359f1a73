"""Distance between two uniform points in a square.

Derivation. Scale out s: D = s * D1 with D1 the distance in the unit square. Each coordinate
difference U = X1 - X2 has the triangular density 1 - |u| on [-1, 1], and the two differences
are independent, so E[D1] = 4 int_0^1 int_0^1 sqrt(u^2 + v^2) (1-u)(1-v) du dv; in polar
coordinates over the two halves of the square this is (2 + sqrt(2) + 5 log(1 + sqrt(2))) / 15.
E[D1^2] = 2 E[U^2] = 2 * 1/6 = 1/3, so Var[D] = s^2/3 - E[D]^2.
"""

import math

import numba
import numpy as np
from sympy import log, sqrt, symbols

from puzzles import Mean, Puzzle, Real, Variance

s = symbols("s", positive=True)
_UNIT_MEAN = (2 + sqrt(2) + 5 * log(1 + sqrt(2))) / 15


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, s):
    distance = np.empty(trials)
    for t in range(trials):
        dx = s * rng.random() - s * rng.random()
        dy = s * rng.random() - s * rng.random()
        distance[t] = math.sqrt(dx * dx + dy * dy)
    return distance


PUZZLE = Puzzle(
    name="square-distance",
    title="Distance between two random points in a square",
    statement=(
        "Two points are chosen independently and uniformly at random in a square of side s. "
        "Let D be the Euclidean distance between them."
    ),
    outcomes=["D"],
    parameters=[Real(s, 1, "side length of the square", above=0)],
    quantities=[
        Mean(s * _UNIT_MEAN),
        Variance(s ** 2 / 3 - (s * _UNIT_MEAN) ** 2),
    ],
    simulate=_simulate_kernel,
    naive_draws=4,  # two coordinates per point
    bounds=(0, s * sqrt(2)),
    examples=[{"s": "1/1000"}, {"s": "7/3"}, {"s": 250}],
)
