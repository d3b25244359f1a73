"""Nearest of n uniform points in the d-dimensional unit ball (statistics.md, 'Deriving the
Distribution of a Random Variable').

Derivation. One point lies within r of the centre with probability r^d (volume ratio), so
P(D > r) = (1 - r^d)^n and F(r) = 1 - (1 - r^d)^n. With u = r^d,
E[D^k] = k * int_0^1 r^(k-1) (1 - r^d)^n dr = (k/d) B(k/d, n+1), which gives the mean (k=1) and
the variance (k=2 minus the squared mean).
"""

import math

import numba
import numpy as np
from sympy import gamma, pi, symbols

from puzzles import Cdf, Integer, Mean, Puzzle, Variance

n, d = symbols("n d", integer=True, positive=True)
r = symbols("r", nonnegative=True)


def _beta(p, q):
    return gamma(p) * gamma(q) / gamma(p + q)


# Rejection from the cube [-1, 1]^d accepts a fraction pi^(d/2) / (2^d Gamma(d/2 + 1)) of
# draws: 52% at d=3, 0.25% at d=10. Past this dimension the kernel uses the (d+2)-Gaussian
# method instead (Voelker et al. 2017): the first d coordinates of a uniform point on the sphere
# S^(d+1) are uniform in the d-ball. Both make a point from its coordinates, not from the law
# of its radius, which is what the puzzle asks about.
_MAX_REJECTION_DIMENSION = 6


@numba.njit(cache=True, nogil=True)
def _nearest_squared_norm_by_rejection(rng, n, d):
    """The smallest squared norm of n points uniform in the d-ball, each point the first try
    inside the ball of uniform tries in the cube [-1, 1]^d."""
    # One stream of tries, whose first n inside the ball are the points: the same draws and the
    # same points as a retry loop per point, but nothing branches on whether a try landed
    # inside -- a coin flip at d = 3, which the processor guesses wrong half the time, and its
    # wrong guesses cost more than the draws.
    best = 1.0
    accepted = 0
    while accepted < n:
        s = 0.0
        for _ in range(d):
            c = 2.0 * rng.random() - 1.0
            s += c * c
        inside = s <= 1.0
        accepted += inside
        best = min(best, s if inside else 1.0)
    return best


@numba.njit(cache=True, nogil=True)
def _squared_norm_by_gaussians(rng, d):
    inner = 0.0
    total = 0.0
    for i in range(d + 2):
        g = rng.standard_normal()
        total += g * g
        if i < d:
            inner += g * g
    return inner / total


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, d):
    nearest = np.empty(trials)
    for t in range(trials):
        if d <= _MAX_REJECTION_DIMENSION:
            best = _nearest_squared_norm_by_rejection(rng, n, d)
        else:
            best = math.inf
            for _ in range(n):
                best = min(best, _squared_norm_by_gaussians(rng, d))
        nearest[t] = math.sqrt(best)
    return nearest


PUZZLE = Puzzle(
    name="ball-min-distance",
    title="Distance from the centre to the nearest of n points in a d-ball",
    statement=(
        "n points are dropped independently and uniformly at random in the d-dimensional unit "
        "ball. Let D be the distance from the centre of the ball to the nearest of the n points."
    ),
    outcomes=["D"],
    parameters=[
        Integer(n, 10, "number of points", min=1),
        Integer(d, 3, "dimension", min=1),
    ],
    quantities=[
        Mean(_beta(1 / d, n + 1) / d),
        Variance(2 * _beta(2 / d, n + 1) / d - (_beta(1 / d, n + 1) / d) ** 2),
        Cdf(1 - (1 - r ** d) ** n, r, support=(0, 1)),
    ],
    simulate=_simulate_kernel,
    # n points, each by rejection from the cube [-1, 1]^d: d draws per try, 1/acceptance tries
    naive_draws=n * d * 2 ** d * gamma(d / 2 + 1) / pi ** (d / 2),
    bounds=(0, 1),
    examples=[{"n": 1, "d": 1}, {"n": 3, "d": 2}, {"n": 5, "d": 8}],
)
