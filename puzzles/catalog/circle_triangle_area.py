"""Area of a triangle with three uniform random vertices on a circle.

Derivation. The three points cut the circle into arcs theta_1 + theta_2 + theta_3 = 2 pi, a
uniform point of that simplex. The triangle is the sum of the three (signed) triangles between
the centre and each side: A = (R^2/2)(sin theta_1 + sin theta_2 + sin theta_3), which is >= 0
(it equals 2 R^2 sin(theta_1/2) sin(theta_2/2) sin(theta_3/2)). One arc has density
(1/pi)(1 - theta/(2 pi)) on [0, 2 pi], and int sin(theta)(1/pi)(1 - theta/(2 pi)) = 1/pi, so
E[A] = (3 R^2/2)(1/pi) = 3 R^2/(2 pi). For the second moment, integrate
(sin theta_1 + sin theta_2 + sin theta_3)^2 against the uniform density 2/(2 pi)^2 on the
simplex: E[sin^2 theta_1] = 1/2 and E[sin theta_1 sin theta_2] = 0, in all 3/2, so
E[A^2] = (R^4/4)(3/2) = 3 R^4/8 and Var[A] = R^4 (3/8 - 9/(4 pi^2)).
"""

import math

import numba
import numpy as np
from sympy import Rational, pi, sqrt, symbols

from puzzles import Mean, Puzzle, Real, Variance

R = symbols("R", positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, R):
    area = np.empty(trials)
    for t in range(trials):
        a = 2.0 * math.pi * rng.random()
        b = 2.0 * math.pi * rng.random()
        c = 2.0 * math.pi * rng.random()
        ax, ay = R * math.cos(a), R * math.sin(a)
        bx, by = R * math.cos(b), R * math.sin(b)
        cx, cy = R * math.cos(c), R * math.sin(c)
        area[t] = 0.5 * abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay))  # the shoelace
    return area


PUZZLE = Puzzle(
    name="circle-triangle-area",
    title="Area of a random triangle inscribed in a circle",
    statement=(
        "Three points are chosen independently and uniformly at random on a circle of radius R. "
        "Let A be the area of the triangle they form."
    ),
    outcomes=["A"],
    parameters=[Real(R, 1, "radius of the circle", above=0)],
    quantities=[
        Mean(3 * R ** 2 / (2 * pi)),
        Variance(R ** 4 * (Rational(3, 8) - 9 / (4 * pi ** 2))),
    ],
    simulate=_simulate_kernel,
    bounds=(0, 3 * sqrt(3) * R ** 2 / 4),  # the equilateral triangle is the largest
    examples=[{"R": 2}, {"R": "1/3"}, {"R": "10.5"}],
    naive_draws=3,  # one angle per point
)
