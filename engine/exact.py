"""Exact evaluation of closed forms at given parameter values.

Rationals stay rationals (`160/17`), and constants stay symbolic (`1/pi`) so that a report can
show the exact value next to its float.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import numpy as np
import sympy

from .spec import Puzzle, Quantity

# Past this many support points a pmf is evaluated in floating point only.
MAX_EXACT_POINTS = 5000
# A distribution with unbounded support is tabulated until this much mass is left in the tail.
TAIL_MASS = 1e-12


def substitutions(puzzle: Puzzle, values: Mapping[str, sympy.Rational]) -> dict:
    return {puzzle.symbols[k]: sympy.Rational(v) for k, v in values.items()}


def exact_value(expr: sympy.Expr, subs: Mapping, simplify: bool = True) -> sympy.Expr:
    """The closed form at the given values, as a simplified exact sympy number.

    simplify=False skips the rewriting for display (0.3 s for a sum of a few exponentials): the
    value is as exact, for comparing numbers (check compares hundreds of points)."""
    value = _add_up_finite_sums(expr.subs(subs))
    value = value.doit() if hasattr(value, "doit") else value
    if value.is_Rational or value.is_Integer or not simplify:
        return value
    try:
        simpler = sympy.gammasimp(value)
        if simpler.is_Rational:
            return simpler
        # simplify is an exact rewriting (nsimplify would not be: it guesses a nearby closed form)
        value = sympy.simplify(simpler) if simpler.count_ops() < 200 else simpler
    except Exception:  # sympy may fail on exotic forms; the unsimplified value is still exact
        pass
    return value


# Past this many terms a sum with numeric bounds is left to sympy's own doit().
MAX_TERMS_ADDED = 200_000


def _add_up_finite_sums(expr):
    """Replace each Sum whose bounds are now integers by the plain sum of its terms.

    sympy adds up to 100 terms directly but beyond that first tries symbolic summation, which can
    take minutes (wald-coverage at n=2700); adding the terms one by one takes milliseconds.
    """
    def finite(e):  # the outermost limit of a Sum (its last) has numbers for bounds
        if not isinstance(e, sympy.Sum):
            return False
        _var, low, high = e.limits[-1]
        return low.is_Integer and high.is_Integer and 0 <= high - low < MAX_TERMS_ADDED

    def add_up(e):
        var, low, high = e.limits[-1]
        inner = sympy.Sum(e.function, *e.limits[:-1]) if len(e.limits) > 1 else e.function
        return sympy.Add(*[inner.subs(var, k) for k in range(int(low), int(high) + 1)])

    if not isinstance(expr, sympy.Basic) or not expr.has(sympy.Sum):
        return expr
    # a Sum inside a Sum gets numbers for limits only once the outer one is added up
    while any(finite(s) for s in expr.atoms(sympy.Sum)):
        expr = expr.replace(finite, add_up)
    return expr


def to_float(value: sympy.Expr) -> float:
    return float(sympy.N(value, 30))


def is_plain_number(text: str) -> bool:
    """True for text that is already a decimal number ('0.25', '1e-06'): nothing to add to it."""
    try:
        float(text)
        return True
    except ValueError:
        return False


def exact_str(value: sympy.Expr) -> str:
    if value.is_Rational and max(abs(value.p), value.q).bit_length() > 200:
        return f"{to_float(value):.10g}"  # a fraction of hundreds of digits helps nobody
    try:
        text = sympy.sstr(value)
    except ValueError:  # Python's limit on int-to-str digits
        return f"{to_float(value):.10g}"
    return text if len(text) <= 60 else f"{to_float(value):.10g}"


def _key(subs):
    # sympy objects are hashable, so the substitutions themselves key the cache
    return tuple(sorted(subs.items(), key=lambda kv: str(kv[0])))


class _Table:
    """Exact values of one closed form at fixed parameters, for x = low, low+1, ...; grows on
    demand and never recomputes a point (a pmf with unbounded support is extended by doubling)."""

    def __init__(self, expr: sympy.Expr, variable: sympy.Symbol, subs: dict):
        at_params = expr.subs(subs)
        # substitute and expand the parameters once, not once per point -- but never evaluate
        # a sum, product or integer function of the variable while it is still a symbol: sympy
        # then tries a symbolic sum (minutes, and 0 for a sum bounded by x); point by point,
        # after substituting x, it is a plain finite sum
        if hasattr(at_params, "doit") and not _needs_the_variable(at_params, variable):
            at_params = at_params.doit()
        self.at_params = at_params
        self.variable = variable
        self.low: int | None = None
        self.exact: list = []
        self.floats: list[float] = []

    def values(self, low: int, high: int):
        if self.low is None or low < self.low:
            self.low, self.exact, self.floats = low, [], []
        start = self.low + len(self.floats)
        fast = None
        if high - self.low + 1 > MAX_EXACT_POINTS:
            try:  # floats for a long table, where the closed form can be printed for numpy
                fast = sympy.lambdify(self.variable, self.at_params, modules=["scipy", "numpy"])
                float(fast(start))
            except Exception:  # a puzzle's own sympy function has no numeric twin: stay exact
                fast = None
        if fast is not None:
            for k in range(start, high + 1):
                self.exact.append(None)
                self.floats.append(float(fast(k)))
        else:
            for k in range(start, high + 1):
                value = exact_value(self.at_params, {self.variable: k})
                self.exact.append(value)
                self.floats.append(to_float(value))
        i, j = low - self.low, high - self.low + 1
        exact = self.exact[i:j]
        return (None if any(e is None for e in exact) else exact), np.array(self.floats[i:j])


def _needs_the_variable(expr, variable) -> bool:
    """True when a Sum or Product in expr depends on the variable (its terms or its limits)."""
    return any(variable in node.free_symbols for node in expr.atoms(sympy.Sum, sympy.Product))


@lru_cache(maxsize=256)
def _table(expr: sympy.Expr, variable: sympy.Symbol, subs_key) -> _Table:
    return _Table(expr, variable, dict(subs_key))


def _point_values(expr: sympy.Expr, variable: sympy.Symbol, subs_key, low: int, high: int):
    return _table(expr, variable, subs_key).values(low, high)


def integer_bounds(puzzle: Puzzle, quantity: Quantity, values) -> tuple[int, float]:
    subs = substitutions(puzzle, values)
    low, high = (sympy.sympify(b).subs(subs) for b in quantity.support)
    low_i = int(sympy.floor(low))
    high_v = float("inf") if high in (sympy.oo,) or not high.is_finite else int(sympy.floor(high))
    return low_i, high_v


def integer_distribution(puzzle: Puzzle, quantity: Quantity, values, seen_max: int | None = None):
    """The exact law of an integer outcome as (low, probabilities[low..K], tail P(X > K)).

    For a pmf the closed form is P(X = x); for a discrete cdf it is P(X <= x) and the
    probabilities are its differences. With unbounded support the table runs until the tail
    mass is below TAIL_MASS (and at least to `seen_max`, the largest simulated value).
    """
    subs = substitutions(puzzle, values)
    low, high = integer_bounds(puzzle, quantity, values)
    expr = quantity.closed_form
    var = quantity.variable
    if high != float("inf"):
        top = int(high)
    else:
        top = max(low + 64, seen_max or low)
    while True:
        exact, probs = _point_values(expr, var, _key(subs), low, top)
        if quantity.name == "cdf":
            cdf_before = _point_values(expr, var, _key(subs), low - 1, low - 1)[1][0]
            probs = np.diff(np.concatenate([[cdf_before], probs]))
            tail = 1.0 - float(_point_values(expr, var, _key(subs), top, top)[1][0])
        else:
            tail = max(0.0, 1.0 - float(probs.sum())) if high == float("inf") else 0.0
        if high != float("inf") or tail < TAIL_MASS or top - low > 100_000:
            return low, probs, max(tail, 0.0), exact
        top = low + 2 * (top - low)


def cdf_function(puzzle: Puzzle, quantity: Quantity, values):
    """The closed-form cdf at these parameters as a vectorised float function of its variable."""
    subs = substitutions(puzzle, values)
    at_params = quantity.closed_form.subs(subs)
    if hasattr(at_params, "doit"):
        at_params = at_params.doit()
    fast = sympy.lambdify(quantity.variable, at_params, modules=["scipy", "numpy"])
    # mpmath copes with what floats cannot (binomial(171, j) is past 1e308); slower, so a fallback
    precise = np.vectorize(lambda v: float(sympy.lambdify(quantity.variable, at_params, "mpmath")(v)))

    def cdf(r):
        r = np.asarray(r, dtype=float)
        try:
            with np.errstate(all="ignore"):
                values = np.asarray(fast(r), dtype=float)
            if not np.all(np.isfinite(values)):
                raise OverflowError
        except (OverflowError, ValueError, TypeError, ZeroDivisionError):
            values = np.asarray(precise(r), dtype=float)
        out = np.broadcast_to(values, r.shape)
        return np.clip(out, 0.0, 1.0)

    return cdf
