"""The coupon collector.

Derivation. Once k types are in hand, a box brings a new one with probability (n-k)/n, so the
wait is geometric with mean n/(n-k) and variance n k/(n-k)^2. Summing over k = 0..n-1:
E[T] = n H_n and Var[T] = n^2 H_n^(2) - n H_n (H^(2) the second-order harmonic number).
The cdf: T <= x iff the first x boxes show every type, i.e. they are an onto map from x boxes to
n types; there are n! S(x, n) of those among n^x (S a Stirling number of the second kind).
S(x, n) = (1/n!) sum_j (-1)^(n-j) C(n, j) j^x; as a sympy Sum that costs ~40 ms a point over the
hundreds of points the tail needs, so StirlingS2 below does the sum in Python integers. The engine
tabulates the cdf until P(T > x) < 1e-12 (x ~ n ln n + 28 n): about 0.5 s at n = 6, 2 s at
n = 20, 8 s at n = 40.
"""

from math import comb, factorial as int_factorial

import numba
import numpy as np
import sympy
from sympy import Function, factorial, harmonic, oo, symbols

from puzzles import Cdf, Integer, Mean, Puzzle, Variance

n = symbols("n", integer=True, positive=True)
x = symbols("x", integer=True)


class StirlingS2(Function):
    """S(m, k): the ways to split m labelled items into k non-empty unlabelled groups."""

    @classmethod
    def eval(cls, m, k):
        if m.is_Integer and k.is_Integer and m >= 0 and k >= 0:
            m, k = int(m), int(k)
            onto_maps = sum((-1) ** (k - j) * comb(k, j) * j ** m for j in range(k + 1))
            return sympy.Integer(onto_maps // int_factorial(k))


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n):
    # The album marks a type with the trial that found it, so it never needs clearing.
    found_in_trial = np.full(n, -1, dtype=np.int64)
    boxes_bought = np.empty(trials)
    for t in range(trials):
        boxes = 0
        types = 0
        while types < n:
            coupon = int(rng.random() * n)  # uniform type; much faster than rng.integers in numba
            boxes += 1
            # counted without an if: whether a box holds a new type is as good as random to
            # the processor, which would guess it wrong often, at a cost greater than a box's
            types += found_in_trial[coupon] != t
            found_in_trial[coupon] = t
        boxes_bought[t] = boxes
    return boxes_bought


PUZZLE = Puzzle(
    name="coupon-collector",
    title="Collecting all n coupon types",
    statement=(
        "Each cereal box holds one of n coupon types, each type equally likely and independent "
        "from box to box (n = 6: roll a fair die until every face has appeared). Let T be the "
        "number of boxes bought until all n types have been collected."
    ),
    outcomes=["T"],
    parameters=[Integer(n, 6, "number of coupon types", min=1)],
    quantities=[
        Mean(n * harmonic(n)),
        Variance(n ** 2 * harmonic(n, 2) - n * harmonic(n)),
        Cdf(factorial(n) * StirlingS2(x, n) / n ** x, x, support=(n, oo), discrete=True),
    ],
    simulate=_simulate_kernel,
    naive_draws=n * harmonic(n),  # one draw per box bought: the expected number of boxes
    bounds=(n, oo),
    examples=[{"n": 1}, {"n": 2}, {"n": 3}],
)
