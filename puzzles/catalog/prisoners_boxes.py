"""The 100 prisoners problem, with the loop strategy.

Derivation. Prisoner i opening box i, then the box named by the number found, and so on, walks
the cycle of the random permutation that contains i, and finds his own number after exactly as
many boxes as that cycle is long. So he fails iff his cycle is longer than m, and X is the
number of elements in cycles longer than m. Since m >= n/2, at most one cycle is that long.
A random permutation of n has a cycle of length l > n/2 with probability 1/l (choose its l
elements and their cyclic order: C(n, l)(l-1)!(n-l)!/n! = 1/l), so
P(every prisoner succeeds) = 1 - sum_{l=m+1}^{n} 1/l = 1 - (H_n - H_m),
E[X] = sum_{l>m} l (1/l) = n - m, E[X^2] = sum_{l>m} l^2 (1/l) = (n(n+1) - m(m+1))/2 and
Var[X] = (n(n+1) - m(m+1))/2 - (n - m)^2.
"""

import numba
import numpy as np
from sympy import harmonic, symbols

from puzzles import Integer, Mean, Probability, Puzzle, Variance

n, m = symbols("n m", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, m):
    outcome = np.empty((trials, 2))
    for t in range(trials):
        # The boxes are filled as they are opened (the principle of deferred decisions): a box
        # that nobody has opened yet holds a number uniform among the `hidden` numbers nobody
        # has found yet. The first prisoner whose number is still hidden walks his loop: each
        # box he opens holds his own number with probability 1/hidden -- he has found it, and
        # the loop is closed -- and otherwise another hidden number, whose box he opens next.
        # Every prisoner whose number he found walks the same loop from another box and opens
        # as many boxes as the loop is long, so all of them fail if it is longer than m.
        hidden = n
        failed = 0
        while hidden > 0:
            opened = 1
            while rng.random() * hidden >= 1.0:  # not his own number
                hidden -= 1
                opened += 1
            hidden -= 1
            failed += opened if opened > m else 0
        outcome[t, 0] = failed
        outcome[t, 1] = failed == 0
    return outcome


PUZZLE = Puzzle(
    name="prisoners-boxes",
    title="The 100 prisoners and the loop strategy",
    statement=(
        "n prisoners are numbered 1 to n. In a room stand n boxes labelled 1 to n; the numbers "
        "1 to n have been put into the boxes in a uniformly random order, one number per box. "
        "Each prisoner in turn enters the room alone (the room is restored after every visit) "
        "and may open at most m boxes. Every prisoner follows the loop strategy: he first opens "
        "the box labelled with his own number; whenever the box he has just opened holds a "
        "number other than his own, he next opens the box labelled with that number; he stops "
        "as soon as he finds his own number, or after m boxes. A prisoner succeeds if he finds "
        "his own number. Let X be the number of prisoners who fail."
    ),
    outcomes=["X", "all_succeed"],
    parameters=[
        Integer(n, 100, "number of prisoners (and of boxes)", min=1),
        Integer(m, 50, "number of boxes each prisoner may open", min=n / 2, max=n),
    ],
    quantities=[
        Probability(1 - (harmonic(n) - harmonic(m)), of="all_succeed"),
        Mean(n - m),
        Variance((n * (n + 1) - m * (m + 1)) / 2 - (n - m) ** 2),
    ],
    simulate=_simulate_kernel,
    bounds={"X": (0, n), "all_succeed": (0, 1)},
    examples=[{"n": 1, "m": 1}, {"n": 3, "m": 2}, {"n": 7, "m": 4}, {"n": 1000, "m": 600}],
    naive_draws=n,  # one draw per box opened along the loops
)
