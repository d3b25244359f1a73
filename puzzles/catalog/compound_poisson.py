"""Total claims of an insurer: a compound Poisson sum of exponential claims.

Derivation. S = Y_1 + ... + Y_N with N ~ Poisson(lam) independent of the claims Y_i ~ Exp(mu),
so E[Y] = 1/mu and E[Y^2] = 2/mu^2. Conditioning on N (Wald's identity): E[S] = E[N] E[Y] =
lam/mu. By the law of total variance, Var[S] = E[N] Var[Y] + Var[N] E[Y]^2 = lam E[Y^2] =
2 lam/mu^2 (for a Poisson count the mean and variance are both lam).
"""

import numba
import numpy as np
from sympy import oo, symbols

from puzzles import Mean, Puzzle, Real, Variance

lam, mu = symbols("lam mu", positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, lam, mu):
    total_claimed = np.empty(trials)
    for t in range(trials):
        claims = rng.poisson(lam)
        total = 0.0
        for _ in range(claims):
            total += rng.exponential(1.0 / mu)  # numpy's exponential takes the mean, 1/rate
        total_claimed[t] = total
    return total_claimed


PUZZLE = Puzzle(
    name="compound-poisson",
    title="Total claims from a Poisson number of exponential claims",
    statement=(
        "An insurer receives a Poisson(lam) number of claims in a year. Claim sizes are "
        "independent of each other and of the number of claims, each exponentially distributed "
        "with rate mu (mean 1/mu). Let S be the total amount claimed in the year (S = 0 if "
        "there are no claims)."
    ),
    outcomes=["S"],
    parameters=[
        Real(lam, 3, "mean number of claims", above=0),
        Real(mu, 2, "rate of each exponential claim size", above=0),
    ],
    quantities=[
        Mean(lam / mu),
        Variance(2 * lam / mu ** 2),
    ],
    simulate=_simulate_kernel,
    # claims as a Poisson process over the year (lam + 1 exponential gaps, by inversion, until
    # the year is over), then one draw per claim size (inversion): lam + 1 + lam
    naive_draws=2 * lam + 1,
    bounds=(0, oo),
    examples=[{"lam": "1/4", "mu": "1/3"}, {"lam": "25", "mu": "7/2"}, {"lam": "0.7", "mu": 50}],
)
