"""The position of the first ace in a shuffled deck.

Derivation. The positions of the a aces are a uniformly random a-subset of {1, ..., n} and X is
its smallest element. X = x when position x holds an ace and the other a - 1 aces lie among the
n - x later positions: P(X = x) = C(n - x, a - 1) / C(n, a), for 1 <= x <= n - a + 1.
The a aces cut the n - a other cards into a + 1 gaps, all of the same law by symmetry, so the
first gap holds (n - a)/(a + 1) cards on average and E[X] = 1 + (n - a)/(a + 1) = (n + 1)/(a + 1).
For the variance, sum the pmf against x(x+1) with the hockey-stick identity:
E[X(X+1)] = 2 (n+1)(n+2)/((a+1)(a+2)), so Var[X] = a (n + 1)(n - a) / ((a + 1)^2 (a + 2)).
"""

import numba
import numpy as np
from sympy import Piecewise, binomial, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

n, a = symbols("n a", integer=True, positive=True)
x = symbols("x", integer=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, a):
    position = np.empty(trials)
    for t in range(trials):
        # Turning up the top card of a well-shuffled deck of `left` cards, `aces` of them aces,
        # shows an ace with probability aces/left; cards are turned until the first ace.
        left = n
        turned = 1
        while rng.random() * left >= a:
            left -= 1
            turned += 1
        position[t] = turned
    return position


PUZZLE = Puzzle(
    name="first-ace",
    title="Position of the first ace in a shuffled deck",
    statement=(
        "A well-shuffled deck of n cards (all orders equally likely) contains a aces. The cards "
        "are turned face up one at a time from the top. Let X be the position of the first "
        "ace: the number of cards turned up, up to and including the first ace."
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 52, "number of cards", min=a),
        Integer(a, 4, "number of aces", min=1, max=n),
    ],
    quantities=[
        Mean((n + 1) / (a + 1)),
        Variance(a * (n + 1) * (n - a) / ((a + 1) ** 2 * (a + 2))),
        # 0 outside the support (binomial(n - x, a - 1) is not, for x < 1 or x > n)
        Pmf(Piecewise((binomial(n - x, a - 1) / binomial(n, a), (x >= 1) & (x <= n - a + 1)),
                      (0, True)), x, support=(1, n - a + 1)),
    ],
    simulate=_simulate_kernel,
    bounds=(1, n - a + 1),
    examples=[{"n": 1, "a": 1}, {"n": 5, "a": 2}, {"n": 52, "a": 1}, {"n": 200, "a": 13}],
    naive_draws=(n + 1) / (a + 1),  # one draw per card turned up
)
