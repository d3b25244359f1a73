"""The number of runs in a random arrangement of a ones and b zeros (Wald-Wolfowitz).

Derivation. With N = a + b, each of the N - 1 neighbouring pairs differs with probability
2ab/(N(N-1)) and R = 1 + (number of differing pairs), so E[R] = 1 + 2ab/N. Two pairs sharing a
position both differ only as 101 or 010: probability ab(a+b-2)/(N(N-1)(N-2)); two disjoint pairs
both differ with probability 4ab(a-1)(b-1)/(N(N-1)(N-2)(N-3)). Adding up the ordered pairs gives
the textbook Var[R] = 2ab(2ab - N)/(N^2 (N-1)).
The law: R = 2k means k runs of ones and k of zeros, alternating, either symbol first: the ones
are cut into k non-empty runs in C(a-1, k-1) ways and the zeros likewise, so
P(R = 2k) = 2 C(a-1, k-1) C(b-1, k-1) / C(N, a); R = 2k+1 means k+1 runs of one symbol and k of
the other: P(R = 2k+1) = (C(a-1, k) C(b-1, k-1) + C(a-1, k-1) C(b-1, k)) / C(N, a).
"""

import numba
import numpy as np
from sympy import Eq, Min, Mod, Piecewise, binomial, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

a, b = symbols("a b", integer=True, positive=True)
x = symbols("x", integer=True)
N = a + b
_k = x / 2  # R = 2k
_j = (x - 1) / 2  # R = 2j + 1


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, a, b):
    n = a + b
    runs = np.empty(trials)
    for t in range(trials):
        # The row is filled from the left: each position holds a one with probability
        # (ones left)/(positions left), which makes every arrangement equally likely.
        ones_left = a
        previous = -1
        count = 0
        for s in range(n):
            symbol = rng.random() * (n - s) < ones_left
            ones_left -= symbol
            count += symbol != previous
            previous = symbol
        runs[t] = count
    return runs


PUZZLE = Puzzle(
    name="runs-test",
    title="Number of runs in a random arrangement of ones and zeros",
    statement=(
        "a ones and b zeros are arranged in a row in a uniformly random order (all C(a+b, a) "
        "arrangements equally likely). A run is a maximal block of consecutive equal symbols; "
        "for example 1 1 0 1 0 0 has four runs. Let R be the number of runs (the statistic of "
        "the Wald-Wolfowitz runs test under its null hypothesis)."
    ),
    outcomes=["R"],
    parameters=[
        Integer(a, 10, "number of ones", min=1),
        Integer(b, 15, "number of zeros", min=1),
    ],
    quantities=[
        Mean(1 + 2 * a * b / N),
        Variance(2 * a * b * (2 * a * b - N) / (N ** 2 * (N - 1))),
        Pmf(Piecewise(
            (2 * binomial(a - 1, _k - 1) * binomial(b - 1, _k - 1) / binomial(N, a),
             Eq(Mod(x, 2), 0)),
            ((binomial(a - 1, _j) * binomial(b - 1, _j - 1)
              + binomial(a - 1, _j - 1) * binomial(b - 1, _j)) / binomial(N, a), True)),
            x, support=(2, 2 * Min(a, b) + 1)),
    ],
    simulate=_simulate_kernel,
    bounds=(2, 2 * Min(a, b) + 1),
    examples=[{"a": 1, "b": 1}, {"a": 3, "b": 3}, {"a": 2, "b": 7}, {"a": 30, "b": 40}],
    naive_draws=N - 1,  # a Fisher-Yates shuffle of the row
)
