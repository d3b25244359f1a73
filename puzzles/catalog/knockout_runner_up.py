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


_DIGIT = 52  # bits of a position drawn at a time: int(rng.random() * 2^52) is exactly uniform


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, r):
    # Only the two strongest players' places matter: each beats every other player, so where
    # the others sit changes no match either of them plays. A uniformly random draw puts the
    # strongest at a uniform position and the second-strongest at a uniform other one. Positions
    # are r-bit numbers (from 0); in round j a player meets someone from the other half of his
    # block of 2^j positions, so the two strongest meet in round j when their positions agree
    # above bit j-1 and differ at it. The positions are drawn in digits of 52 bits from the
    # top, the strongest's kept in `best`, until the two differ (an equal position is drawn
    # again, so the second-strongest's is uniform among the others); the bits below where they
    # first differ decide no match of theirs and are not drawn.
    digits = (r + _DIGIT - 1) // _DIGIT
    top_width = r - _DIGIT * (digits - 1)  # bits in the top digit
    best = np.empty(digits, dtype=np.int64)
    out = np.empty((trials, 2))  # columns: the runner-up reaches the final (1/0), matches he wins
    for t in range(trials):
        drawn = 0
        while True:
            differ_at = -1
            for d in range(digits):
                size = 2.0 ** (top_width if d == 0 else _DIGIT)
                if d == drawn:
                    best[d] = np.int64(rng.random() * size)
                    drawn += 1
                second = np.int64(rng.random() * size)
                if second != best[d]:
                    differ_at = d
                    break
            if differ_at >= 0:
                break
        # the highest bit where they differ, counted from the bottom of the whole position
        below = r - top_width - _DIGIT * differ_at  # bits under this digit
        diff = second ^ best[differ_at]
        high = 0
        while diff > 1:
            diff >>= 1
            high += 1
        meet = below + high + 1  # the round in which he meets the strongest and loses
        wins = meet - 1          # he won every match before it
        out[t, 0] = meet == r    # that round is the final
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
    parameters=[Integer(r, 5, "number of rounds (2^r players)", min=1)],
    quantities=[
        Probability(2 ** (r - 1) / (_PLAYERS - 1), of="final"),
        Mean(_MEAN, of="W"),
        Variance(((r ** 2 - 4 * r + 6) * 2 ** r - 6) / (_PLAYERS - 1) - _MEAN ** 2, of="W"),
        Pmf(2 ** x / (_PLAYERS - 1), x, support=(0, r - 1), of="W"),
    ],
    simulate=_simulate_kernel,
    naive_draws=_PLAYERS - 1,  # a Fisher-Yates shuffle of the draw (the kernel places only two)
    bounds={"final": (0, 1), "W": (0, r - 1)},
    examples=[{"r": 1}, {"r": 2}, {"r": 3}, {"r": 8}],
)
