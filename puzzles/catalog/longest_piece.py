"""Longest of the n pieces of a randomly broken stick.

Derivation. The n piece lengths are uniform on the simplex {s_i >= 0, sum s_i = 1}, and the part
of it where given j pieces are all longer than x is a copy scaled by (1 - jx)_+, of volume
fraction (1 - jx)_+^(n-1). Inclusion-exclusion over the pieces longer than x gives
P(L <= x) = sum_j (-1)^j C(n, j) (1 - jx)_+^(n-1) for x < 1 (and 1 from x = 1 on: the sum's
0^0 = 1 would make it 0 there for n = 1). For the mean, the pieces are E_i / S with E_i iid
Exp(1) and S their sum, independent of the ratios; so E[max E_i] = n E[L], and
E[max E_i] = H_n (the gaps between exponential order statistics are Exp(k), k = n..1):
E[L] = H_n / n.
The alternating sum cancels badly in floating point only far in the lower tail (x below ~2/n),
which the verification's bins (from the 1% quantile up) do not reach: checked for n <= 400.
Past n = 170, binomial(n, j) overflows a float and the engine evaluates the cdf with mpmath:
correct, but a few seconds at n = 300.
"""

import numba
import numpy as np
from sympy import Max, Piecewise, Sum, binomial, harmonic, symbols

from puzzles import Cdf, Integer, Mean, Puzzle
from puzzles.catalog._draws import draw_sorted_uniforms

n = symbols("n", integer=True, positive=True)
j = symbols("j", integer=True, nonnegative=True)
x = symbols("x", nonnegative=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    breaks = np.empty(n + 1)  # 0, the n-1 break points in increasing order, 1
    breaks[0] = 0.0
    longest = np.empty(trials)
    for t in range(trials):
        draw_sorted_uniforms(rng, breaks[1:n])
        breaks[n] = 1.0
        piece = 0.0
        for i in range(n):
            piece = max(piece, breaks[i + 1] - breaks[i])
        longest[t] = piece
    return longest


PUZZLE = Puzzle(
    name="longest-piece",
    title="Longest piece of a randomly broken stick",
    statement=(
        "A stick of unit length is broken at n-1 points chosen independently and uniformly "
        "along it, giving n pieces. Let L be the length of the longest piece."
    ),
    outcomes=["L"],
    parameters=[
        Integer(n, 4, "number of pieces", min=1),
    ],
    quantities=[
        Mean(harmonic(n) / n),
        Cdf(Piecewise((1, x >= 1),
                      (Sum((-1) ** j * binomial(n, j) * Max(0, 1 - j * x) ** (n - 1), (j, 0, n)),
                       True)),
            x, support=(0, 1)),
    ],
    simulate=_simulate_kernel,
    naive_draws=n - 1,  # one draw per break point
    bounds=(0, 1),
    examples=[{"n": 1}, {"n": 2}, {"n": 9}],
)
