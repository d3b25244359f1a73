"""How far the second-best player gets in a knockout tournament with a random draw.

Derivation. The second-strongest player beats everyone but the strongest, and the strongest
beats everyone, so the two meet exactly when their paths cross: in round j when they sit in the
same block of 2^j consecutive positions but in different halves of it. Given the strongest's
position, the second-strongest is at one of the other 2^r - 1 positions, uniformly, and 2^(j-1)
of them are in the other half of the strongest's block of 2^j. So they meet in round j with
probability 2^(j-1)/(2^r - 1), and the second-strongest then has won j - 1 matches:
P(W = x) = 2^x/(2^r - 1) for x = 0, ..., r-1, and he reaches the final (j = r) with probability
2^(r-1)/(2^r - 1) (just over 1/2).
With sum_{x<r} x 2^x = (r - 2) 2^r + 2 and sum_{x<r} x^2 2^x = (r^2 - 4r + 6) 2^r - 6,
E[W] = ((r - 2) 2^r + 2)/(2^r - 1) and E[W^2] = ((r^2 - 4r + 6) 2^r - 6)/(2^r - 1).
"""

import numba
import numpy as np
from sympy import symbols

from puzzles import Integer, Mean, Pmf, Probability, Puzzle, Variance

r = symbols("r", integer=True, positive=True)
x = symbols("x", integer=True)

_PLAYERS = 2 ** r
_MEAN = ((r - 2) * 2 ** r + 2) / (2 ** r - 1)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, r):
    # Players are known by their rank: 0 the strongest, 1 the second-strongest, ...
    players = 2 ** r
    draw = np.arange(players)  # draw[i]: the player at position i (any start order will do)
    standing = np.empty(players, dtype=np.int64)  # the players still in, in bracket order
    out = np.empty((trials, 2))  # columns: the runner-up reaches the final (1/0), matches he wins
    for t in range(trials):
        # a uniformly random draw: a Fisher-Yates shuffle of all 2^r positions
        for i in range(players - 1, 0, -1):
            j = int(rng.random() * (i + 1))
            draw[i], draw[j] = draw[j], draw[i]
        standing[:] = draw
        wins = 0
        final = 0
        left = players
        for round_ in range(1, r + 1):  # every match of every round, consecutive pairs
            for match in range(left // 2):
                a = standing[2 * match]
                b = standing[2 * match + 1]
                winner = min(a, b)  # the stronger player always wins
                if a == 1 or b == 1:  # the runner-up plays this match
                    wins += winner == 1
                    final = round_ == r
                standing[match] = winner
            left //= 2
        out[t, 0] = final
        out[t, 1] = wins
    return out


PUZZLE = Puzzle(
    name="knockout-runner-up",
    title="The second-best player in a knockout tournament with a random draw",
    statement=(
        "2^r tennis players, no two of equal strength, play a knockout tournament in which the "
        "stronger player always wins. The players are placed in the draw in a uniformly random "
        "order at positions 1, ..., 2^r. In round 1, position 1 plays position 2, 3 plays 4, "
        "and so on; in every later round the winners of two consecutive matches of the "
        "previous round (matches 1 and 2, 3 and 4, ...) play each other, up to the final. Let W "
        "be the number of matches won by the second-strongest player."
    ),
    outcomes=["final", "W"],
    # a literal tournament holds all 2^r players: at most 2^20, about a million
    parameters=[Integer(r, 5, "number of rounds (2^r players)", min=1, max=20)],
    quantities=[
        Probability(2 ** (r - 1) / (_PLAYERS - 1), of="final"),
        Mean(_MEAN, of="W"),
        Variance(((r ** 2 - 4 * r + 6) * 2 ** r - 6) / (_PLAYERS - 1) - _MEAN ** 2, of="W"),
        Pmf(2 ** x / (_PLAYERS - 1), x, support=(0, r - 1), of="W"),
    ],
    simulate=_simulate_kernel,
    naive_draws=_PLAYERS - 1,  # a Fisher-Yates shuffle of the draw
    bounds={"final": (0, 1), "W": (0, r - 1)},
    examples=[{"r": 1}, {"r": 2}, {"r": 3}, {"r": 8}],
)
