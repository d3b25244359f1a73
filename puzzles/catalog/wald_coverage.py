"""Coverage of the Wald interval for a binomial proportion.

Derivation. The interval covers p iff |X/n - p| <= z sqrt(X(n - X))/n^(3/2), i.e. iff
n(X - np)^2 <= z^2 X(n - X): a quadratic in X with leading coefficient n + z^2 > 0, so the
covering X fill [x-, x+] with
    x+- = n (2np + z^2 +- z sqrt(z^2 + 4np(1 - p))) / (2 (n + z^2)).
(X = 0 and X = n give a zero-width interval at 0 or 1, which never covers: 0 < x- <= x+ < n.)
So P(cover) = sum over ceil(x-) <= x <= floor(x+) of C(n, x) p^x (1 - p)^(n - x); when x+- is
an integer the endpoint equals p, and it counts, as the statement asks.
sympy adds up to 100 terms directly but tries a symbolic sum first beyond that, which takes
minutes: about 2 z sqrt(np(1 - p)) terms, so n up to ~2500 at p = 1/2, z = 1.96.
"""

import math

import numba
import numpy as np
from sympy import Rational, Sum, binomial, ceiling, floor, sqrt, symbols

from puzzles import Integer, Probability, Puzzle, Real

n = symbols("n", integer=True, positive=True)
p, z = symbols("p z", positive=True)
j = symbols("j", integer=True)  # the number of successes, summed over

_SPREAD = z * sqrt(z ** 2 + 4 * n * p * (1 - p))
_LOWEST = n * (2 * n * p + z ** 2 - _SPREAD) / (2 * (n + z ** 2))
_HIGHEST = n * (2 * n * p + z ** 2 + _SPREAD) / (2 * (n + z ** 2))

# p and z arrive as floats of exact rationals, so an endpoint that equals p exactly may land a
# rounding error either side of it (n=25, p=3/25, z=1, X=5 lands outside); it must count.
# The slack is relative: a zero-width interval (X = 0 or n) still never covers.
_ROUNDING = 1e-12


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, p, z):
    covered = np.empty(trials)
    for t in range(trials):
        successes = 0
        for _ in range(n):
            successes += rng.random() < p
        p_hat = successes / n
        half_width = z * math.sqrt(p_hat * (1.0 - p_hat) / n)
        covered[t] = abs(p_hat - p) <= half_width * (1.0 + _ROUNDING)
    return covered


PUZZLE = Puzzle(
    name="wald-coverage",
    title="Coverage probability of the Wald interval for a binomial proportion",
    statement=(
        "X ~ Binomial(n, p) and p-hat = X/n. The Wald interval is "
        "p-hat ± z·sqrt(p-hat(1 - p-hat)/n) (z = 1.96 for a nominal 95% interval). What is the "
        "probability that the interval contains the true p (an endpoint equal to p counts as "
        "covering)?"
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 30, "number of trials", min=1),
        Real(p, Rational(1, 10), "true success probability", above=0, below=1),
        Real(z, "1.96", "normal quantile", above=0),
    ],
    quantities=[
        Probability(Sum(binomial(n, j) * p ** j * (1 - p) ** (n - j),
                        (j, ceiling(_LOWEST), floor(_HIGHEST)))),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per Bernoulli trial
    bounds=(0, 1),
    examples=[
        {"n": 1, "p": "1/2"},
        {"n": 12, "p": "1/2", "z": 2},
        {"n": 25, "p": "3/25", "z": 1},
        {"n": 40, "p": "0.99", "z": "2.576"},
    ],
)
