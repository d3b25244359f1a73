"""How many uniforms until the running sum exceeds t (t <= 1).

Derivation. N > k exactly when U_1 + ... + U_k <= t, and for t <= 1 that corner of the unit
cube is a simplex of volume t^k / k!. So P(N = x) = t^(x-1)/(x-1)! - t^x/x! for x >= 1,
E[N] = sum_{k>=0} P(N > k) = e^t, and E[N^2] = sum_{k>=0} (2k+1) P(N > k) = (2t + 1) e^t,
so Var[N] = (2t + 1) e^t - e^(2t). At t = 1: E[N] = e.
"""

import numba
import numpy as np
from sympy import exp, factorial, oo, symbols

from puzzles import Mean, Pmf, Puzzle, Real, Variance

t = symbols("t", positive=True)
x = symbols("x", integer=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, t):
    draws_needed = np.empty(trials)
    for i in range(trials):
        running_sum = 0.0
        draws = 0
        while running_sum <= t:
            running_sum += rng.random()
            draws += 1
        draws_needed[i] = draws
    return draws_needed


PUZZLE = Puzzle(
    name="sum-exceeds",
    title="Uniform draws until the sum exceeds t",
    statement=(
        "Draw independent Uniform(0,1) numbers one at a time until their running sum first "
        "exceeds t. Let N be the number of draws needed."
    ),
    outcomes=["N"],
    parameters=[Real(t, 1, "threshold", above=0, max=1)],
    quantities=[
        Mean(exp(t)),
        Variance((2 * t + 1) * exp(t) - exp(2 * t)),
        Pmf(t ** (x - 1) / factorial(x - 1) - t ** x / factorial(x), x, support=(1, oo)),
    ],
    simulate=_simulate_kernel,
    naive_draws=exp(t),  # the draws themselves: E[N] = e^t
    bounds=(1, oo),
    examples=[{"t": "1/2"}, {"t": "1/20"}, {"t": "0.999"}],
)
