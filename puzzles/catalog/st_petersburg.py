"""The St Petersburg game against a casino with a finite fortune.

Derivation. K is geometric: P(K = j) = 2^-j for j >= 1. With m = floor(log2 W), 2^K <= W
exactly when K <= m, so Y = 2^K for K <= m and Y = W for K > m (probability 2^-m):
E[Y] = sum_{j=1}^{m} 2^j 2^-j + W 2^-m = m + W/2^m,
E[Y^2] = sum_{j=1}^{m} 4^j 2^-j + W^2 2^-m = 2^(m+1) - 2 + W^2/2^m.
(W = 1: m = 0 and Y = 1 always.) The fair price of the game grows only like log2 W.
"""

import math

import numba
import numpy as np
from sympy import Min, floor, log, symbols

from puzzles import Integer, Mean, Puzzle, Variance

W = symbols("W", integer=True, positive=True)
m = floor(log(W, 2))  # sympy decides this exactly, powers of two included

_MEAN = m + W / 2 ** m


_BITS = 53  # rng.random() is k / 2^53 with k uniform: 53 fair coin tosses


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, W):
    paid = np.empty(trials)
    for t in range(trials):
        # Each bit of a uniform 53-bit number is a fair toss, 0 = tails, read from the lowest:
        # K is the place of the lowest 1 bit, and bits & -bits = 2^(K-1). 53 tails in a row
        # (probability 2^-53) toss a new number.
        tails = 0
        while True:
            bits = np.int64(rng.random() * 2.0 ** _BITS)
            if bits != 0:
                break
            tails += _BITS
        owed_half = bits & -bits
        if tails == 0:
            paid[t] = min(2 * owed_half, W)
        else:  # K > 53: 2^K may be past the integers, so in floating point
            paid[t] = min(2.0 ** (tails + 1 + math.log2(owed_half)), W)
    return paid


PUZZLE = Puzzle(
    name="st-petersburg",
    title="The St Petersburg game against a casino with W dollars",
    statement=(
        "A fair coin is tossed until it first lands heads. If that happens on toss K, the "
        "casino owes the player 2^K dollars; but the casino has only W dollars, so it pays "
        "min(2^K, W). Let Y be the amount paid."
    ),
    outcomes=["Y"],
    parameters=[Integer(W, 1000, "the casino's fortune (dollars)", min=1)],
    quantities=[
        Mean(_MEAN),
        Variance(2 ** (m + 1) - 2 + W ** 2 / 2 ** m - _MEAN ** 2),
    ],
    simulate=_simulate_kernel,
    naive_draws=2,  # one draw per toss: two tosses on average (the kernel tosses 53 per draw)
    bounds=(Min(2, W), W),
    examples=[{"W": 1}, {"W": 2}, {"W": 64}, {"W": 100}],
)
