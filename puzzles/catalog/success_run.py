"""Waiting for a run of k successes (two sixes in a row, in general).

Derivation. Let e_j be the expected number of further trials when the current run of successes
has length j. Then e_j = 1 + p e_(j+1) + (1-p) e_0 for j < k, e_k = 0. Unrolling from j = 0,
e_0 = (1 + p + ... + p^(k-1)) + (1 - p^k) e_0, so
E[T] = (1 - p^k) / ((1 - p) p^k) = 1/p + 1/p^2 + ... + 1/p^k (42 for two sixes).
For the variance the generating function: T = (the failed attempts) + k, where each attempt
fails after j + 1 trials (j successes, then a failure) with probability p^j (1 - p), j < k.
Differentiating G(s) = p^k s^k (1 - ps) / (1 - s + (1-p) p^k s^(k+1)) twice at s = 1 gives
Var[T] = (1 - (2k + 1)(1 - p) p^k - p^(2k+1)) / ((1 - p)^2 p^(2k))
(for k = 1: the geometric variance (1 - p)/p^2).
"""

import numba
import numpy as np
from sympy import Rational, oo, symbols

from puzzles import Integer, Mean, Puzzle, Real, Variance

p = symbols("p", positive=True)
k = symbols("k", integer=True, positive=True)

_MEAN = (1 - p ** k) / ((1 - p) * p ** k)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, p, k):
    waited = np.empty(trials)
    for t in range(trials):
        made = 0
        run = 0
        while run < k:
            made += 1
            # the run grows on a success and starts again on a failure, without an if
            run = (run + 1) * (rng.random() < p)
        waited[t] = made
    return waited


PUZZLE = Puzzle(
    name="success-run",
    title="Trials until k successes in a row",
    statement=(
        "A fair die is rolled until two sixes come up in a row. In general: independent trials, "
        "each a success with probability p, are made until k consecutive successes have "
        "occurred. Let T be the number of trials made (the last success of the run included)."
    ),
    outcomes=["T"],
    parameters=[
        Real(p, Rational(1, 6), "probability of success in one trial", above=0, below=1),
        Integer(k, 2, "length of the run of successes wanted", min=1),
    ],
    quantities=[
        Mean(_MEAN),
        Variance((1 - (2 * k + 1) * (1 - p) * p ** k - p ** (2 * k + 1))
                 / ((1 - p) ** 2 * p ** (2 * k))),
    ],
    simulate=_simulate_kernel,
    bounds=(k, oo),
    examples=[{"p": "1/2", "k": 1}, {"p": "1/2", "k": 3}, {"p": "0.9", "k": 10},
              {"p": "1/3", "k": 4}],
    naive_draws=_MEAN,  # one draw per trial made
)
