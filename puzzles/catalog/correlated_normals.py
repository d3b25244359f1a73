"""Two correlated standard normals: both positive, and the larger of the two.

Derivation. Write X = Z1 and Y = rho Z1 + sqrt(1 - rho^2) Z2 with Z1, Z2 independent standard
normals, i.e. (X, Y) = (<e1, Z>, <v, Z>) for the unit vectors e1 and v at angle
theta = acos(rho). Z's direction is uniform on the circle, and X > 0, Y > 0 are two half-planes
whose intersection is a wedge of angle pi - theta: P = (pi - acos(rho))/(2 pi)
= 1/4 + asin(rho)/(2 pi) (Sheppard's formula).
max(X, Y) = (X + Y)/2 + |X - Y|/2, and X - Y ~ N(0, 2(1 - rho)), whose absolute value has mean
sqrt(2(1 - rho)) sqrt(2/pi): E[max] = sqrt((1 - rho)/pi). Since (X, Y) and (-X, -Y) have the
same law, max(X, Y)^2 and min(X, Y)^2 = max(-X, -Y)^2 do too, and they add up to X^2 + Y^2,
so E[max^2] = 1 and Var[max] = 1 - (1 - rho)/pi.
"""

import math

import numba
import numpy as np
from sympy import Rational, asin, pi, sqrt, symbols

from puzzles import Mean, Probability, Puzzle, Real, Variance

rho = symbols("rho", real=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, rho):
    spread = math.sqrt(1.0 - rho * rho)
    out = np.empty((trials, 2))  # columns: X > 0 and Y > 0 (1/0), max(X, Y)
    for t in range(trials):
        z1 = rng.standard_normal()
        z2 = rng.standard_normal()
        x = z1
        y = rho * z1 + spread * z2  # a standard normal with correlation rho with x
        out[t, 0] = x > 0.0 and y > 0.0
        out[t, 1] = max(x, y)
    return out


PUZZLE = Puzzle(
    name="correlated-normals",
    title="Two correlated standard normals: both positive, and the larger one",
    statement=(
        "X and Y are standard normal random variables with correlation rho, jointly normal "
        "(a bivariate normal pair)."
    ),
    outcomes=["both_positive", "max"],
    parameters=[
        Real(rho, Rational(1, 2), "correlation of X and Y", above=-1, below=1),
    ],
    quantities=[
        Probability(Rational(1, 4) + asin(rho) / (2 * pi), of="both_positive"),
        Mean(sqrt((1 - rho) / pi), of="max"),
        Variance(1 - (1 - rho) / pi, of="max"),
    ],
    simulate=_simulate_kernel,
    naive_draws=2,  # two independent normals
    bounds={"both_positive": (0, 1)},
    examples=[{"rho": 0}, {"rho": "-9/10"}, {"rho": "0.9"}],
)
