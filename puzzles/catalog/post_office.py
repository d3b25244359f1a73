"""Three customers and two clerks at a post office.

Derivation. The first of A and B to finish does so after Exp(s) time, s = lam1 + lam2, and it is
clerk 1's customer with probability lam1/s. Then C starts at that clerk and, by memorylessness,
the other customer's remaining service is a fresh exponential at the other clerk's rate. So
C is last iff his service outlasts it: P = (lam1/s)(lam2/s) + (lam2/s)(lam1/s) = 2 lam1 lam2/s^2.
Either way the two then in service take independent Exp(lam1) and Exp(lam2) times (C at the
freed clerk, the other customer at his own), so T = E1 + max(X1, X2) with E1 ~ Exp(s),
X1 ~ Exp(lam1), X2 ~ Exp(lam2) independent. Split the max again: max(X1, X2) = E2 + R with
E2 = min(X1, X2) ~ Exp(s) and R the remainder of the other one, Exp(lam2) when X1 ends first
(probability lam1/s) and Exp(lam1) otherwise, independent of E2. So T = G + R, G = E1 + E2 a
Gamma(2, s) (Erlang) time independent of R, and
E[T] = 2/s + lam1/(s lam2) + lam2/(s lam1) = 1/lam1 + 1/lam2,
Var[T] = 2/s^2 + Var[R], E[R^2] = 2 lam1/(s lam2^2) + 2 lam2/(s lam1^2).
The cdf: for mu < s (both rates are), with d = s - mu,
P(G + Exp(mu) <= x) = P(G <= x) - e^(-mu x) int_0^x s^2 g e^(-d g) dg
= 1 - e^(-s x)(1 + s x) - (s^2/d^2) e^(-mu x) + s^2 e^(-s x)(1/d^2 + x/d);
mixing mu = lam2 (d = lam1) and mu = lam1 (d = lam2) with weights lam1/s and lam2/s and
collecting terms,
P(T <= x) = 1 - s (e^(-lam2 x)/lam1 + e^(-lam1 x)/lam2) + (s^2/(lam1 lam2) - 1 + s x) e^(-s x).
Nothing divides by lam1 - lam2, so the same expression holds when the rates are equal.
"""

import numba
import numpy as np
from sympy import exp, oo, symbols

from puzzles import Cdf, Mean, Probability, Puzzle, Real, Variance

lam1, lam2 = symbols("lam1 lam2", positive=True)
x = symbols("x", nonnegative=True)
s = lam1 + lam2

_REMAINDER_MEAN = lam1 / (s * lam2) + lam2 / (s * lam1)
_REMAINDER_SECOND = 2 * lam1 / (s * lam2 ** 2) + 2 * lam2 / (s * lam1 ** 2)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, lam1, lam2):
    # exponential times from numpy's ziggurat (-log1p(-u) is many times slower in numba)
    out = np.empty((trials, 2))  # columns: C leaves last (1/0), T
    for t in range(trials):
        a = rng.standard_exponential() / lam1  # A's service at clerk 1
        b = rng.standard_exponential() / lam2  # B's service at clerk 2
        free_at = min(a, b)
        rate = lam1 if a <= b else lam2  # C goes to the clerk who is free first
        c_leaves = free_at + rng.standard_exponential() / rate
        other_leaves = max(a, b)
        out[t, 0] = c_leaves > other_leaves
        out[t, 1] = max(c_leaves, other_leaves)
    return out


PUZZLE = Puzzle(
    name="post-office",
    title="Two clerks, three customers: who leaves last, and when",
    statement=(
        "A post office has two clerks. When customer C walks in, customer A has just started "
        "being served by clerk 1 and customer B has just started being served by clerk 2; C "
        "will be served by whichever clerk becomes free first. All service times are "
        "independent and exponentially distributed: clerk 1 serves at rate lam1 and clerk 2 at "
        "rate lam2 (mean service times 1/lam1 and 1/lam2), whoever the customer. Let T be the "
        "time from C's arrival until all three customers have left."
    ),
    outcomes=["C_last", "T"],
    parameters=[
        Real(lam1, 1, "service rate of clerk 1", above=0),
        Real(lam2, 2, "service rate of clerk 2", above=0),
    ],
    quantities=[
        Probability(2 * lam1 * lam2 / s ** 2, of="C_last"),
        Mean(1 / lam1 + 1 / lam2, of="T"),
        Variance(2 / s ** 2 + _REMAINDER_SECOND - _REMAINDER_MEAN ** 2, of="T"),
        Cdf(1 - s * (exp(-lam2 * x) / lam1 + exp(-lam1 * x) / lam2)
            + (s ** 2 / (lam1 * lam2) - 1 + s * x) * exp(-s * x), x, support=(0, oo), of="T"),
    ],
    simulate=_simulate_kernel,
    naive_draws=3,  # three service times
    bounds={"C_last": (0, 1), "T": (0, oo)},
    examples=[{"lam1": 1, "lam2": 1}, {"lam1": "1/10", "lam2": 3}, {"lam1": 5, "lam2": "7/2"}],
)
