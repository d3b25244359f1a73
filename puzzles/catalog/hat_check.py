"""The hat-check problem (matches of a random permutation).

Derivation. Person i gets their own hat with probability 1/n, so E[X] = 1. Two given people
both do with probability 1/(n(n-1)); over the n(n-1) ordered pairs E[X(X-1)] = 1, so
Var[X] = 1 + 1 - 1 = 1 for every n >= 2. For the law: the x people who match can be chosen in
C(n, x) ways and the other n-x must all miss, in !(n-x) ways (derangements, the subfactorial),
so P(X = x) = !(n-x) / (x! (n-x)!), and P(X = 0) = !n / n!.
"""

import numba
import numpy as np
from sympy import factorial, subfactorial, symbols

from puzzles import Integer, Mean, Pmf, Probability, Puzzle, Variance

n = symbols("n", integer=True, positive=True)
x = symbols("x", integer=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    hats = np.arange(n)  # hats[i] = owner of the hat handed to person i
    outcome = np.empty((trials, 2))
    for t in range(trials):
        # Fisher-Yates by hand: int(u * m) is a uniform pick of m, and numba's rng.shuffle is
        # several times slower. Person i's hat is final once position i is swapped.
        own_hats = 0
        for person in range(n - 1, -1, -1):
            j = int(rng.random() * (person + 1))
            hats[person], hats[j] = hats[j], hats[person]
            own_hats += hats[person] == person
        outcome[t, 0] = own_hats
        outcome[t, 1] = own_hats == 0
    return outcome


PUZZLE = Puzzle(
    name="hat-check",
    title="Hats handed back at random",
    statement=(
        "n people check their hats at a party; on leaving, the hats are handed back in a "
        "uniformly random order. Let X be the number of people who get their own hat back."
    ),
    outcomes=["X", "nobody"],
    parameters=[Integer(n, 10, "number of people", min=2)],
    quantities=[
        Mean(1),
        Variance(1),
        Probability(subfactorial(n) / factorial(n), of="nobody"),
        Pmf(subfactorial(n - x) / (factorial(x) * factorial(n - x)), x, support=(0, n)),
    ],
    simulate=_simulate_kernel,
    naive_draws=n - 1,  # a Fisher-Yates shuffle of the hats
    bounds={"X": (0, n), "nobody": (0, 1)},
    examples=[{"n": 2}, {"n": 3}, {"n": 4}, {"n": 40}],
)
