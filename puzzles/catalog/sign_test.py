"""Power (or actual size) of the two-sided exact sign test.

Derivation. S ~ Bin(n, theta), and the p-value is a function of S alone:
pv(s) = min(1, 2 min(P(B >= s), P(B <= s))) with B ~ Bin(n, 1/2), whose tails are exact
rationals with denominator 2^n. B is symmetric, so P(B >= s) = P(B <= n - s) and the smaller
tail is P(B <= min(s, n - s)); as alpha < 1, pv(s) <= alpha iff 2 P(B <= min(s, n - s)) <= alpha.
So P(reject) = sum_{s=0}^{n} C(n, s) theta^s (1 - theta)^(n - s) [2 F(min(s, n - s)) <= alpha],
with F = binomial_cdf the exact cdf of B; a p-value equal to alpha rejects. At theta = 1/2 this
is the size of the test, at most alpha and usually well below it, since pv takes only a few
values.
"""

import math

import numba
import numpy as np
from sympy import Min, Piecewise, Rational, Sum, binomial, symbols

from puzzles import Integer, Probability, Puzzle, Real
from puzzles.catalog._binomial import binomial_cdf
from puzzles.catalog._bits import ones

n = symbols("n", integer=True, positive=True)
alpha, theta = symbols("alpha theta", positive=True)
j = symbols("j", integer=True)  # the number of positive differences, summed over

_HALF = Rational(1, 2)
_PMF = binomial(n, j) * theta ** j * (1 - theta) ** (n - j)
# B is symmetric, P(B >= j) = P(B <= n - j), so the smaller tail is P(B <= min(j, n - j)); and
# min(1, 2 * that) <= alpha < 1 iff 2 * that <= alpha
_REJECTS = Piecewise((_PMF, 2 * binomial_cdf(n, _HALF, Min(j, n - j)) <= alpha), (0, True))

# Tails of Bin(n, 1/2) are sums of multiples of 2^-n, exact in floating point up to n ~ 50;
# beyond, a p-value equal to alpha might land a rounding error above it, and it must reject.
_ROUNDING = 1e-10


_TWO_TO_53 = 2.0 ** 53


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, alpha, theta):
    # Under the null hypothesis B ~ Bin(n, 1/2): its pmf C(n, i)/2^n, then both tails for every
    # possible statistic. Up to n = 1000 by the ratios C(n, i+1)/C(n, i) = (n - i)/(i + 1) from
    # 2^-n (exact up to n ~ 50); beyond, 2^-n underflows, so from logarithms.
    pmf = np.empty(n + 1)
    if n <= 1000:
        pmf[0] = 0.5 ** n
        for i in range(n):
            pmf[i + 1] = pmf[i] * (n - i) / (i + 1)
    else:
        for i in range(n + 1):
            pmf[i] = math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                              - n * math.log(2.0))
    at_most = np.cumsum(pmf)
    at_least = np.cumsum(pmf[::-1])[::-1].copy()
    rejected = np.empty(trials)
    # theta = 1/2: each difference's sign is a fair coin, and rng.random() is k / 2^53 with k
    # uniform on 53 bits, i.e. 53 fair coins: the positive differences among the next n coins
    # are the 1 bits among the next n bits of k (counted in one step; about 40x faster)
    fair = theta == 0.5
    bits = 0
    unread = 0
    for t in range(trials):
        positive = 0
        if fair:
            need = n
            while need > 0:
                if unread == 0:
                    bits = np.int64(rng.random() * _TWO_TO_53)
                    unread = 53
                take = min(need, unread)
                positive += ones(bits & ((np.int64(1) << take) - 1))
                bits >>= take
                unread -= take
                need -= take
        else:
            for _ in range(n):
                positive += rng.random() < theta  # one paired difference
        p_value = min(1.0, 2.0 * min(at_least[positive], at_most[positive]))
        rejected[t] = p_value <= alpha * (1.0 + _ROUNDING)
    return rejected


PUZZLE = Puzzle(
    name="sign-test",
    title="How often the two-sided exact sign test rejects",
    statement=(
        "n pairs of measurements are compared; each paired difference is positive with "
        "probability theta and negative otherwise, independently (there are no ties). Let S be "
        "the number of positive differences. The two-sided exact sign test of \"the median "
        "difference is 0\" has p-value min(1, 2·min(P(B >= S), P(B <= S))), where "
        "B ~ Binomial(n, 1/2), and rejects when the p-value is at most alpha. What is the "
        "probability that the test rejects? (With theta = 1/2 the null hypothesis holds, and "
        "this is the test's actual size.)"
    ),
    parameters=[
        Integer(n, 20, "number of pairs", min=1),
        Real(alpha, Rational(1, 20), "significance level", above=0, below=1),
        Real(theta, Rational(1, 2), "probability that a difference is positive", above=0, below=1),
    ],
    quantities=[
        Probability(Sum(_REJECTS, (j, 0, n))),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per paired difference
    bounds=(0, 1),
    examples=[
        {"n": 10, "alpha": "11/512", "theta": "1/2"},
        {"n": 20, "alpha": "0.05", "theta": "0.8"},
        {"n": 1, "alpha": "0.99", "theta": "0.3"},
        {"n": 60, "alpha": "0.01", "theta": "0.65"},
    ],
)
