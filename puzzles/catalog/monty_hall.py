"""Monty Hall with n doors, k of them opened by the host, and a switch to a random other door.

Derivation. Switching wins only if the first pick was a goat (probability (n-1)/n). Then the
car is behind one of the n-1 doors you did not pick, and the host never opens it, so it is
among the n-1-k doors left to switch to; by symmetry the uniform switch finds it with
probability 1/(n-1-k). So P(win) = (n-1) / (n (n-1-k)); 2/3 for the classic n=3, k=1.
"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Probability, Puzzle

n, k = symbols("n k", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    goats_to_open = np.empty(n, dtype=np.int64)
    still_closed = np.empty(n, dtype=np.int64)
    opened = np.zeros(n, dtype=np.bool_)
    wins = np.empty(trials)
    for t in range(trials):
        # int(u * m) is a uniform pick of m (up to 2^-53), three times faster than
        # rng.integers in numba
        car = int(rng.random() * n)
        pick = int(rng.random() * n)
        # the host opens k doors drawn without replacement from the goats you did not pick
        goats = 0
        for door in range(n):
            opened[door] = False
            if door != car and door != pick:
                goats_to_open[goats] = door
                goats += 1
        for i in range(k):
            chosen = i + int(rng.random() * (goats - i))
            goats_to_open[i], goats_to_open[chosen] = goats_to_open[chosen], goats_to_open[i]
            opened[goats_to_open[i]] = True
        closed = 0
        for door in range(n):
            if door != pick and not opened[door]:
                still_closed[closed] = door
                closed += 1
        wins[t] = still_closed[int(rng.random() * closed)] == car
    return wins


PUZZLE = Puzzle(
    name="monty-hall",
    title="Monty Hall with n doors: switching to a random unopened door",
    statement=(
        "A game show has n doors: a car behind one, goats behind the rest. You pick a door. The "
        "host, who knows where the car is, opens k of the other doors, choosing uniformly among "
        "those that hide goats. You then switch to one of the remaining unopened doors (not "
        "your original pick), chosen uniformly at random. What is the probability that you win "
        "the car?"
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 3, "number of doors", min=3),
        Integer(k, 1, "number of goat doors the host opens", min=1, max=n - 2),
    ],
    quantities=[Probability((n - 1) / (n * (n - 1 - k)))],
    simulate=_simulate_kernel,
    naive_draws=k + 3,  # the car, your pick, the k doors the host opens, the door you switch to
    bounds=(0, 1),
    examples=[{"n": 4, "k": 2}, {"n": 10, "k": 1}, {"n": 7, "k": 3}],
)
