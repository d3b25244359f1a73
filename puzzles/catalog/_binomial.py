"""The binomial cdf as a sympy function that evaluates exactly, for the closed forms of
clopper-pearson-coverage and sign-test.

Their answers add the binomial law over the outcomes where a test or an interval, which is itself
decided by binomial tails, says yes. Written as a Sum inside a Sum, sympy would try to sum the
inner one symbolically (slow, and wrong past 100 terms at the time of writing); this function
returns P(Bin(n, p) <= k) as an exact rational as soon as n, p and k are numbers, from a table of
partial sums built once per (n, p).
"""

from fractions import Fraction
from functools import lru_cache
from math import comb

import sympy
from sympy import Function


@lru_cache(maxsize=64)
def _partial_sums(n: int, p: Fraction) -> tuple:
    """P(Bin(n, p) <= k) for k = 0..n, exactly."""
    q = 1 - p
    total, out = Fraction(0), []
    for k in range(n + 1):
        total += comb(n, k) * p ** k * q ** (n - k)
        out.append(total)
    return tuple(out)


class binomial_cdf(Function):
    """P(Bin(n, p) <= k) = sum_{i=0}^{k} C(n, i) p^i (1 - p)^(n - i); 0 for k < 0, 1 for k >= n."""

    @classmethod
    def eval(cls, n, p, k):
        if not (n.is_Integer and k.is_Integer and p.is_Rational) or n < 0:
            return None
        if k < 0:
            return sympy.Integer(0)
        if k >= n:
            return sympy.Integer(1)
        value = _partial_sums(int(n), Fraction(int(p.p), int(p.q)))[int(k)]
        return sympy.Rational(value.numerator, value.denominator)
