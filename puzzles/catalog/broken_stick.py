"""Breaking a stick into the sides of a polygon.

Derivation. n lengths summing to 1 close up into a non-degenerate polygon iff each is shorter
than the sum of the others, i.e. every piece is < 1/2. The pieces (spacings of n-1 uniform
points) are uniform on the simplex, and a given piece is >= 1/2 with probability (1/2)^(n-1)
(scale the rest of the simplex by 1/2). At most one piece can be >= 1/2 (up to a null set), so
these n events are disjoint and P = 1 - n / 2^(n-1).
"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Probability, Puzzle
from puzzles.catalog._draws import draw_sorted_uniforms

n = symbols("n", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    cuts = np.empty(n - 1)
    forms_polygon = np.empty(trials)
    for t in range(trials):
        draw_sorted_uniforms(rng, cuts)
        longest = max(cuts[0], 1.0 - cuts[n - 2])
        for i in range(1, n - 1):
            longest = max(longest, cuts[i] - cuts[i - 1])
        # only the longest piece can fail to be shorter than the sum of the others
        forms_polygon[t] = longest < 1.0 - longest
    return forms_polygon


PUZZLE = Puzzle(
    name="broken-stick",
    title="Can the pieces of a broken stick form a polygon?",
    statement=(
        "A stick of unit length is broken at n-1 points chosen independently and uniformly "
        "along it, giving n pieces. What is the probability that the pieces can be put together "
        "as the sides of a non-degenerate n-sided polygon (for n = 3: a triangle)?"
    ),
    outcomes=["X"],
    parameters=[Integer(n, 3, "number of pieces", min=3)],
    quantities=[Probability(1 - n / 2 ** (n - 1))],
    simulate=_simulate_kernel,
    naive_draws=n - 1,  # one draw per break point
    bounds=(0, 1),
    examples=[{"n": 4}, {"n": 5}, {"n": 12}],
)
