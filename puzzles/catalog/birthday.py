"""The birthday problem.

Derivation. All n birthdays differ with probability d(d-1)...(d-n+1) / d^n: the k-th person
must avoid the k-1 days already taken. That falling factorial ff(d, n) hits the factor 0 once
n > d, so P(some two share) = 1 - ff(d, n)/d^n holds for every n (pigeonhole gives 1).
"""

import numba
import numpy as np
from sympy import ff, symbols

from puzzles import Integer, Probability, Puzzle

n, d = symbols("n d", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, d):
    # The calendar marks a day with the trial that took it, so it never needs clearing.
    taken_in_trial = np.full(d, -1, dtype=np.int64)
    shared = np.zeros(trials)
    for t in range(trials):
        for _ in range(n):
            day = int(rng.random() * d)  # uniform day; much faster than rng.integers in numba
            if taken_in_trial[day] == t:
                shared[t] = 1.0
                break  # a shared birthday is found: the remaining people cannot undo it
            taken_in_trial[day] = t
    return shared


PUZZLE = Puzzle(
    name="birthday",
    title="Two people with the same birthday",
    statement=(
        "n people are in a room; each birthday is independent and uniform over d equally likely "
        "days (ignore leap years). What is the probability that at least two of them share a "
        "birthday?"
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 23, "number of people", min=1),
        Integer(d, 365, "number of days in the year", min=1),
    ],
    quantities=[Probability(1 - ff(d, n) / d ** n)],
    simulate=_simulate_kernel,
    naive_draws=n,  # one birthday per person
    bounds=(0, 1),
    examples=[{"n": 1, "d": 1}, {"n": 4, "d": 3}, {"n": 3, "d": 3}, {"n": 60, "d": 365}],
)
