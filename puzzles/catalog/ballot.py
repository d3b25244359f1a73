"""Bertrand's ballot problem.

Derivation. Write a ballot for A as +1 and one for B as -1. By the cycle lemma (Dvoretzky and
Motzkin), exactly a - b of the a + b cyclic rotations of any such sequence have every partial
sum positive. Rotating a uniformly random order by an independent uniform amount leaves it
uniform, so P = (a - b)/(a + b).
"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Probability, Puzzle

a, b = symbols("a b", integer=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, a, b):
    always_ahead = np.empty(trials)
    for t in range(trials):
        # ballots come out of the box one at a time, each uniform among those left: a
        # uniformly random counting order, drawn only as far as the count needs to go
        left_a, left_b = a, b
        lead = 0
        while left_a + left_b > 0:
            if rng.random() * (left_a + left_b) < left_a:
                left_a -= 1
                lead += 1
            else:
                left_b -= 1
                lead -= 1
            if lead <= 0:
                break
        always_ahead[t] = 1.0 if lead > 0 else 0.0
    return always_ahead


PUZZLE = Puzzle(
    name="ballot",
    title="A stays ahead for the whole count",
    statement=(
        "In an election candidate A gets a votes and candidate B gets b votes, with a > b. The "
        "ballots are counted one at a time in a uniformly random order. What is the probability "
        "that A is strictly ahead of B after every ballot counted?"
    ),
    outcomes=["X"],
    parameters=[
        Integer(a, 6, "votes for A", above=b),
        Integer(b, 4, "votes for B", min=0, below=a),
    ],
    quantities=[
        Probability((a - b) / (a + b)),
    ],
    simulate=_simulate_kernel,
    naive_draws=a + b - 1,  # a Fisher-Yates shuffle of every ballot, then the count
    bounds=(0, 1),
    examples=[{"a": 1, "b": 0}, {"a": 2, "b": 1}, {"a": 11, "b": 10}],
)
