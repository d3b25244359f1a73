"""Coverage probability of the Clopper-Pearson ("exact") interval for a binomial proportion.

Derivation. Let F_x(p) = P(Bin(n, p) <= x) and S_x(p) = P(Bin(n, p) >= x). The Beta-binomial
identity P(Beta(x, n - x + 1) <= p) = P(Bin(n, p) >= x) (the x-th smallest of n uniforms is
<= p iff at least x of them are) turns the quantiles into tails: the lower end, the alpha/2
quantile of Beta(x, n - x + 1), is <= p iff that Beta's cdf at p is >= alpha/2, i.e. iff
S_x(p) >= alpha/2 (and the lower end 0 at x = 0 agrees: S_0 = 1). Likewise the upper end, the
1 - alpha/2 quantile of Beta(x + 1, n - x), is >= p iff P(Bin(n, p) >= x + 1) <= 1 - alpha/2,
i.e. iff F_x(p) >= alpha/2 (and the upper end 1 at x = n agrees: F_n = 1). The cdfs are
continuous and strictly increasing on (0, 1), so an endpoint equal to p is the case of equality,
which counts as covering. So the interval covers p iff min(F_x(p), S_x(p)) >= alpha/2: it
misses p iff F_x(p) < alpha/2 or S_x(p) < alpha/2 -- never both, since
F_x + S_x = 1 + P(X = x) > 1 > alpha -- and
P(cover) = 1 - sum_x P(X = x) [F_x(p) < alpha/2] - sum_x P(X = x) [1 - F_{x-1}(p) < alpha/2],
with F_x(p) the exact binomial cdf (binomial_cdf below, an exact rational at rational p).
Clopper & Pearson, "The use of confidence or fiducial limits illustrated in the case of the
binomial", Biometrika 26 (1934) 404-413.
"""

import math

import numba
import numpy as np
from sympy import Piecewise, Rational, Sum, binomial, symbols

from puzzles import Integer, Probability, Puzzle, Real
from puzzles.catalog._binomial import binomial_cdf

n = symbols("n", integer=True, positive=True)
p, alpha = symbols("p alpha", positive=True)
j = symbols("j", integer=True)  # the number of successes, summed over

_PMF = binomial(n, j) * p ** j * (1 - p) ** (n - j)
# misses: the upper end is below p (P(Bin(n, p) <= j) < alpha/2) or the lower end is above p
# (P(Bin(n, p) >= j) < alpha/2); never both, as the two tails add up to more than 1 > alpha
_UPPER_END_BELOW = Piecewise((_PMF, 2 * binomial_cdf(n, p, j) < alpha), (0, True))
_LOWER_END_ABOVE = Piecewise((_PMF, 2 * (1 - binomial_cdf(n, p, j - 1)) < alpha), (0, True))

# p and alpha arrive as floats of exact rationals and the tails are sums of floats, so a tail
# exactly equal to alpha/2 (an endpoint exactly at p: n=2, p=1/2, alpha=1/2, X=0) may land a
# rounding error below it; it must count as covering.
_ROUNDING = 1e-10


@numba.njit(cache=True, nogil=True)
def _binomial_tails(n, p):
    """P(Bin(n, p) <= x) and P(Bin(n, p) >= x) for x = 0..n, in floating point."""
    pmf = np.empty(n + 1)
    for x in range(n + 1):
        pmf[x] = math.exp(math.lgamma(n + 1) - math.lgamma(x + 1) - math.lgamma(n - x + 1)
                          + x * math.log(p) + (n - x) * math.log1p(-p))
    at_most = np.cumsum(pmf)
    at_least = np.cumsum(pmf[::-1])[::-1].copy()
    return at_most, at_least


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, p, alpha):
    # The interval for each possible count x, decided once. Its lower end, the alpha/2 quantile
    # of Beta(x, n-x+1), is <= p iff that Beta's cdf at p reaches alpha/2; for whole-number
    # parameters the Beta cdf at p is a binomial tail, P(Bin(n, p) >= x). Its upper end, the
    # 1 - alpha/2 quantile of Beta(x+1, n-x), is >= p iff that cdf at p, P(Bin(n, p) >= x+1),
    # is at most 1 - alpha/2, i.e. iff P(Bin(n, p) <= x) >= alpha/2. (x = 0 and x = n, with
    # ends 0 and 1, pass their test: the tail is 1.)
    at_most, at_least = _binomial_tails(n, p)
    cut = alpha / 2 * (1.0 - _ROUNDING)
    covers = np.empty(n + 1, dtype=np.bool_)
    for x in range(n + 1):
        covers[x] = at_least[x] >= cut and at_most[x] >= cut
    covered = np.empty(trials)
    for t in range(trials):
        successes = 0
        for _ in range(n):
            successes += rng.random() < p
        covered[t] = covers[successes]
    return covered


PUZZLE = Puzzle(
    name="clopper-pearson-coverage",
    title="Coverage probability of the Clopper-Pearson interval for a binomial proportion",
    statement=(
        "X ~ Binomial(n, p). The Clopper–Pearson (\"exact\") confidence interval at level "
        "1 - alpha runs from the alpha/2 quantile of the Beta(X, n - X + 1) distribution (from 0 "
        "when X = 0) to the 1 - alpha/2 quantile of the Beta(X + 1, n - X) distribution (to 1 "
        "when X = n). What is the probability that the interval contains the true p (an "
        "endpoint equal to p counts as covering)?"
    ),
    parameters=[
        Integer(n, 20, "number of trials", min=1),
        Real(p, Rational(1, 4), "true success probability", above=0, below=1),
        Real(alpha, Rational(1, 20), "one minus the nominal confidence level", above=0, below=1),
    ],
    quantities=[
        Probability(1 - Sum(_UPPER_END_BELOW, (j, 0, n)) - Sum(_LOWER_END_ABOVE, (j, 0, n))),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per Bernoulli trial
    bounds=(0, 1),
    examples=[
        {"n": 2, "p": "1/2", "alpha": "1/2"},
        {"n": 10, "p": "1/2", "alpha": "11/512"},
        {"n": 50, "p": "0.03", "alpha": "0.1"},
        {"n": 1, "p": "0.9", "alpha": "0.5"},
    ],
)
