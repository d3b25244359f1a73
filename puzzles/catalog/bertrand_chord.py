"""Bertrand's chord, by two uniform endpoints, against the side of an inscribed regular m-gon.

Derivation. Rotate the circle so one endpoint sits at angle 0; the other is uniform, so the
central angle theta subtended by the chord (the shorter arc, in [0, pi]) is uniform on [0, pi].
A chord subtending theta has length 2 sin(theta/2), increasing on [0, pi], and the m-gon's side
subtends 2 pi/m, so the chord is longer iff theta > 2 pi/m: P = (pi - 2 pi/m)/pi = (m - 2)/m
(1/3 for the triangle; 0 for m = 2, whose 'side' is a diameter).
"""

import math

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Probability, Puzzle

m = symbols("m", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, m):
    # the side joins two neighbouring vertices of the inscribed m-gon, (1, 0) and the next one
    side = math.hypot(math.cos(2 * math.pi / m) - 1.0, math.sin(2 * math.pi / m))
    longer = np.empty(trials)
    for t in range(trials):
        a = 2 * math.pi * rng.random()
        b = 2 * math.pi * rng.random()
        chord = math.hypot(math.cos(a) - math.cos(b), math.sin(a) - math.sin(b))
        longer[t] = chord > side
    return longer


PUZZLE = Puzzle(
    name="bertrand-chord",
    title="Bertrand's paradox: a chord with uniform endpoints against an inscribed polygon",
    statement=(
        "A chord of a circle is drawn by choosing its two endpoints independently and uniformly "
        "on the circle. What is the probability that the chord is longer than a side of the "
        "regular m-gon inscribed in the circle (m = 3: the inscribed equilateral triangle)?"
    ),
    outcomes=["X"],
    parameters=[Integer(m, 3, "number of sides of the inscribed regular polygon", min=2)],
    quantities=[Probability((m - 2) / m)],
    simulate=_simulate_kernel,
    naive_draws=2,  # two endpoints, one angle each
    bounds=(0, 1),
    examples=[{"m": 2}, {"m": 4}, {"m": 360}],
)
