"""Return to the origin of a simple symmetric random walk after n steps.

Derivation. S_n = 0 iff exactly n/2 of the n steps go up; each of the 2^n step sequences is
equally likely and C(n, n/2) of them have n/2 up-steps, so P(S_n = 0) = C(n, n/2) / 2^n
(about sqrt(2/(pi n)) for large n).
"""

import numba
import numpy as np
from sympy import binomial, symbols

from puzzles import Integer, Probability, Puzzle

n = symbols("n", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    back_at_zero = np.empty(trials)
    for t in range(trials):
        position = 0
        for _ in range(n):
            position += 1 if rng.random() < 0.5 else -1
        back_at_zero[t] = position == 0
    return back_at_zero


PUZZLE = Puzzle(
    name="random-walk-return",
    title="A simple random walk back at the origin after n steps",
    statement=(
        "A walker starts at 0 on the integers and takes n steps, each +1 or -1 with probability "
        "1/2, independently. What is the probability that the walker is back at 0 after the "
        "n-th step?"
    ),
    outcomes=["X"],
    parameters=[Integer(n, 20, "number of steps", min=2, even=True)],
    quantities=[Probability(binomial(n, n / 2) / 2 ** n)],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per step
    bounds=(0, 1),
    examples=[{"n": 2}, {"n": 4}, {"n": 200}],
)
