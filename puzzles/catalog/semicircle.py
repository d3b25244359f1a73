"""n random points on a circle, all in one semicircle (Wendel's problem in the plane).

Derivation. Label the points 1..n. The events A_i = "every other point lies within the half-turn
clockwise from point i" each have probability (1/2)^(n-1), and for n >= 2 at most one of them
happens (two would put each point in the other's half-turn, which has probability zero). All
points lie in a semicircle exactly when some A_i happens, so P = n / 2^(n-1).
"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Probability, Puzzle
from puzzles.catalog._draws import draw_sorted_uniforms

n = symbols("n", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    turns = np.empty(n)  # positions as fractions of a full turn, kept sorted
    in_semicircle = np.empty(trials)
    for t in range(trials):
        draw_sorted_uniforms(rng, turns)
        # some semicircle holds every point iff the empty arc between two neighbours
        # (going round, the last back to the first) is at least half a turn
        widest_gap = 1.0 - turns[n - 1] + turns[0]
        for i in range(1, n):
            widest_gap = max(widest_gap, turns[i] - turns[i - 1])
        in_semicircle[t] = 1.0 if widest_gap >= 0.5 else 0.0
    return in_semicircle


PUZZLE = Puzzle(
    name="semicircle",
    title="Random points on a circle, all in one semicircle",
    statement=(
        "n points are placed independently and uniformly at random on a circle. What is the "
        "probability that all of them lie in some semicircle?"
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 4, "number of points", min=2),
    ],
    quantities=[
        Probability(n / 2 ** (n - 1)),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one position per point
    bounds=(0, 1),
    examples=[{"n": 2}, {"n": 3}, {"n": 8}],
)
