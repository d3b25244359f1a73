"""Banach's matchbox problem.

Derivation. Say the smoker first finds the left box empty while the right box holds x matches.
Then he has taken N matches from the left box and N - x from the right, in some order, and then
picks the left box once more: of his first 2N - x picks exactly N are 'left' (C(2N - x, N)
orders), and the next is 'left' too. Each sequence of 2N - x + 1 picks has probability
2^-(2N - x + 1); the right box running out first is the mirror image, so
P(X = x) = C(2N - x, N) / 2^(2N - x), 0 <= x <= N.
The moments: consecutive terms satisfy (2N - x) P(X = x+1) = 2(N - x) P(X = x), 0 <= x <= N.
Summing over x gives (2N + 1)(1 - c) - E[X] = 2N - 2E[X], with c = P(X = 0) = C(2N, N)/4^N,
so E[X] = (2N + 1) c - 1. Multiplying by x + 1 before summing gives
(2N + 1) E[X] - E[X^2] = 2(N E[X] - E[X^2] + N - E[X]), so E[X^2] = 2N - 3 E[X] and
Var[X] = 2N + 3 - 3(2N + 1) c - ((2N + 1) c - 1)^2.
"""

import numba
import numpy as np
from sympy import binomial, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

N = symbols("N", integer=True, positive=True)
x = symbols("x", integer=True)

_C = binomial(2 * N, N) / 4 ** N
_MEAN = (2 * N + 1) * _C - 1


_TWO_TO_53 = 2.0 ** 53


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, N):
    left_over = np.empty(trials)
    # Which pocket is a fair coin flip. rng.random() is k / 2^53 with k uniform on 53 bits, so
    # one draw gives 53 independent flips, read from the lowest bit up.
    bits = 0
    unread = 0
    for t in range(trials):
        left = N  # matches in each box
        right = N
        # A box he picks when it holds no match drops to -1: that is the moment he finds it
        # empty. Which box he picks is a coin flip, so it takes a match by arithmetic, not by a
        # branch the processor would guess wrong half the time (4x faster).
        while left >= 0 and right >= 0:
            if unread == 0:
                bits = np.int64(rng.random() * _TWO_TO_53)
                unread = 53
            pick_left = bits & 1
            bits >>= 1
            unread -= 1
            left -= pick_left
            right -= 1 - pick_left
        left_over[t] = right if left < 0 else left
    return left_over


PUZZLE = Puzzle(
    name="banach-matchbox",
    title="Banach's matchbox problem",
    statement=(
        "A smoker carries two matchboxes, each holding N matches at the start. Whenever he "
        "needs a match he picks one of the two boxes at random, each with probability 1/2 "
        "independently of the past, and takes a match from it. He notices that a box is empty "
        "only when he picks it and finds no match in it. Let X be the number of matches left "
        "in the other box at the moment he first picks an empty box."
    ),
    outcomes=["X"],
    parameters=[Integer(N, 50, "number of matches in each box at the start", min=1)],
    quantities=[
        Mean(_MEAN),
        Variance(2 * N + 3 - 3 * (2 * N + 1) * _C - _MEAN ** 2),
        Pmf(binomial(2 * N - x, N) / 2 ** (2 * N - x), x, support=(0, N)),
    ],
    simulate=_simulate_kernel,
    bounds=(0, N),
    examples=[{"N": 1}, {"N": 2}, {"N": 7}, {"N": 400}],
    naive_draws=2 * N + 1 - _MEAN,  # one draw per pick: 2N - X + 1 picks
)
