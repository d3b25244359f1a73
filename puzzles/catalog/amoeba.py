"""A branching amoeba colony (a Galton-Watson process with 0 to 3 offspring).

Derivation. One amoeba leaves xi amoebas a minute later, with generating function
f(s) = p0 + p1 s + p2 s^2 + p3 s^3 (p1 = 1 - p0 - p2 - p3), mean mu = f'(1) = 1 - p0 + p2 + 2 p3
and variance sigma^2 = f''(1) + mu - mu^2 = (1 - p0 + 3 p2 + 8 p3) - mu^2.
Extinction: the colony dies out iff each of the first minute's amoebas' colonies does, so the
probability q solves q = f(q); it is the smallest root in [0, 1] (Harris 1963, ch. I.6). Since
f(s) - s = (s - 1)(p3 s^2 + (p2 + p3) s - p0), the roots other than 1 are those of the quadratic,
whose only root >= 0 is (-(p2 + p3) + sqrt((p2 + p3)^2 + 4 p0 p3)) / (2 p3), written without the
division by p3 (so that p3 = 0 gives p0/p2) as
    r = 2 p0 / (p2 + p3 + sqrt((p2 + p3)^2 + 4 p0 p3)),
and q = min(1, r) (r >= 1 exactly when mu <= 1: extinction is then certain).
Moments of Z_t, the colony after t minutes: its generating function is f iterated t times, so
E[Z_t] = mu^t and, differentiating twice, Var[Z_t] = sigma^2 mu^(t-1) (mu^t - 1)/(mu - 1) for
mu != 1 and t sigma^2 for mu = 1 (both 0 at t = 0).

The simulator plays every amoeba's minute; once the colony is large, the numbers of amoebas
that die, stay single, split in two and split in three are drawn as the binomial splits of
those independent choices, which is the same law at a cost independent of the colony's size.
'Eventually dies out' cannot be watched for ever: the simulator watches until the colony is
dead, or holds K amoebas, or has lived 10^9 minutes. When mu <= 1, K = 2^40. Otherwise a colony
of K amoebas dies out with probability q^K, and K is set from the colony's own
extinction-by-minute-g probabilities (s_(g+1) = f(s_g), s_0 = 0, increasing to q; computed once
before the trials) so that s^K < 1e-14, with 1 <= K <= 2^40 (K = 37 at the defaults: the watch
stops as soon as the colony is that safe, not later). Near criticality the watch can
miss a few deaths: of colonies living past 10^9 minutes (about 2/(sigma^2 10^9) of them) or
reaching 2^40 amoebas. The colony is counted in 64-bit integers, so t is at most 39 minutes
(3^39 < 2^63 - 1 < 3^40), or 62 when p3 = 0 (Z <= 2^t).
"""

import math

import numba
import numpy as np
from sympy import Eq, Min, Piecewise, Rational, Sum, sqrt, symbols

from puzzles import Integer, Mean, Probability, Puzzle, Real, Variance

p0, p2, p3 = symbols("p0 p2 p3", nonnegative=True)
t = symbols("t", integer=True, nonnegative=True)
g = symbols("g", integer=True)

_MU = 1 - p0 + p2 + 2 * p3
_SIGMA2 = 1 - p0 + 3 * p2 + 8 * p3 - _MU ** 2

_AMOEBA_BY_AMOEBA = 64  # colonies up to this size play each amoeba's minute with its own draw
_LARGEST_WATCH = 2.0 ** 40
_LONGEST_WATCH = 10 ** 9  # minutes
_MISSED = 1e-14  # the chance that a colony of K amoebas dies out after all


@numba.njit(cache=True, nogil=True)
def _minute(rng, z, p0, p2, p3):
    """The colony a minute after it held z amoebas."""
    if z <= _AMOEBA_BY_AMOEBA:
        after = 0
        for _ in range(z):
            u = rng.random()
            # 0, 1, 2 or 3 amoebas with probabilities p0, p1, p2, p3, without an if
            after += (u >= p0) + (u >= 1.0 - p2 - p3) + (u >= 1.0 - p3)
        return after
    dead = rng.binomial(z, p0)
    rest = z - dead
    single = rng.binomial(rest, (1.0 - p0 - p2 - p3) / (1.0 - p0))
    rest -= single
    two = rng.binomial(rest, p2 / (p2 + p3))
    return single + 2 * two + 3 * (rest - two)


@numba.njit(cache=True, nogil=True)
def _watch_size(p0, p2, p3):
    """K: a colony of K amoebas dies out with probability below _MISSED (see the docstring)."""
    if p2 + 2.0 * p3 <= p0:  # at most one child on average: the watch runs to its end
        return _LARGEST_WATCH
    p1 = 1.0 - p0 - p2 - p3
    s = 0.0
    for _ in range(1_000_000):
        after = p0 + s * (p1 + s * (p2 + s * p3))
        if after - s < 1e-16:
            s = after
            break
        s = after
    if s >= 1.0:
        return _LARGEST_WATCH
    if s <= 0.0:  # nobody ever dies: a colony of one amoeba is safe
        return 1.0
    return min(_LARGEST_WATCH, max(1.0, math.ceil(math.log(_MISSED) / math.log(s))))


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, p0, p2, p3, t):
    watch = _watch_size(p0, p2, p3)
    outcome = np.empty((trials, 2))
    for trial in range(trials):
        z = 1
        minute = 0
        while minute < t:
            z = _minute(rng, z, p0, p2, p3)
            minute += 1
        outcome[trial, 0] = z
        while 0 < z < watch and minute < _LONGEST_WATCH:
            z = _minute(rng, z, p0, p2, p3)
            minute += 1
        outcome[trial, 1] = z == 0
    return outcome


PUZZLE = Puzzle(
    name="amoeba",
    title="An amoeba colony: extinction and size after t minutes",
    statement=(
        "A colony starts with a single amoeba. Every minute, each living amoeba, independently "
        "of the others and of the past, dies with probability p0, stays a single amoeba with "
        "probability p1 = 1 - p0 - p2 - p3, splits into two amoebas with probability p2, or "
        "splits into three with probability p3. Let Z be the number of amoebas after t minutes."
    ),
    outcomes=["Z", "dies_out"],
    parameters=[
        Real(p0, Rational(1, 4), "probability of dying", min=0),
        Real(p2, Rational(1, 4), "probability of splitting into two", min=0),
        Real(p3, Rational(1, 4), "probability of splitting into three", min=0),
        Integer(t, 5, "number of minutes", min=0, max=62),
    ],
    # the colony is counted in int64: Z <= 3^t, and 3^39 < 2^63 - 1 < 3^40 (Z <= 2^t if p3 = 0):
    # t <= 39 unless p3 = 0
    constraints=[p0 + p2 + p3 <= 1, p2 + p3 > 0, p3 * (t - 39) <= 0],
    quantities=[
        Probability(Min(1, 2 * p0 / (p2 + p3 + sqrt((p2 + p3) ** 2 + 4 * p0 * p3))),
                    of="dies_out"),
        Mean(_MU ** t),
        Variance(Piecewise((t * _SIGMA2, Eq(_MU, 1)),
                           (_SIGMA2 * _MU ** (t - 1) * (_MU ** t - 1) / (_MU - 1), True))),
    ],
    simulate=_simulate_kernel,
    bounds={"Z": (0, 3 ** t), "dies_out": (0, 1)},
    examples=[
        {"p0": "1/2", "p2": "1/4", "p3": 0, "t": 3},      # subcritical: dies out surely
        {"p0": "1/10", "p2": "1/2", "p3": 0, "t": 4},     # p3 = 0: q = p0/p2
        {"p0": 0, "p2": "1/5", "p3": "1/5", "t": 2},      # nobody dies
        {"p0": "1/3", "p2": 0, "p3": "1/3", "t": 6},      # p2 = 0
    ],
    naive_draws=Sum(_MU ** g, (g, 0, t)),  # one draw per amoeba and minute, up to minute t
)
