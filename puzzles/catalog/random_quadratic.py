"""Does a random quadratic A x^2 + B x + C have real roots?

Derivation. For fixed t >= 0, P(AC <= t) with A, C uniform on [0, 1] is 1 for t >= 1 and
t + int_t^1 (t/a) da = t - t ln t for 0 < t < 1. The roots are real iff AC <= B^2/4, and
B^2/4 < 1 iff B < 2. So for s <= 2, with B uniform on [0, s],
P = (1/s) int_0^s (b^2/4)(1 - ln(b^2/4)) db; using int_0^s b^2 ln b db = s^3 ln s/3 - s^3/9,
P = s^2 (5/36 + ln(2/s)/6) (s = 1: 5/36 + ln(2)/6 = 0.2544). For s > 2 the integral over
b in [0, 2] is 2 * 5/9 (the formula at s = 2 times s), and every b in [2, s] gives real roots:
P = (10/9 + s - 2)/s = 1 - 8/(9s). Both pieces give 5/9 at s = 2.
"""

import numba
import numpy as np
from sympy import Piecewise, Rational, log, symbols

from puzzles import Probability, Puzzle, Real

s = symbols("s", positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, s):
    real_roots = np.empty(trials)
    for t in range(trials):
        a = rng.random()
        b = s * rng.random()
        c = rng.random()
        real_roots[t] = b * b >= 4.0 * a * c
    return real_roots


PUZZLE = Puzzle(
    name="random-quadratic",
    title="A quadratic with random coefficients has real roots",
    statement=(
        "A, B and C are independent random numbers: A and C are uniform on [0, 1], and B is "
        "uniform on [0, s]. What is the probability that the equation A x^2 + B x + C = 0 has "
        "real roots?"
    ),
    parameters=[Real(s, 1, "upper end of the range of B", above=0)],
    quantities=[
        Probability(Piecewise((s ** 2 * (Rational(5, 36) + log(2 / s) / 6), s <= 2),
                              (1 - 8 / (9 * s), True))),
    ],
    simulate=_simulate_kernel,
    naive_draws=3,  # A, B and C
    bounds=(0, 1),
    examples=[{"s": 2}, {"s": "1/2"}, {"s": 5}],
)
