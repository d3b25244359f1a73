"""What a puzzle's closed forms say about any statistic of an outcome, at one parameter point.

A statistic (claims.Statistic: E[f(X)], E[f | A], Var, SD, P(A), P(A | B), median, quantile)
is determined exactly by the closed forms when

- the outcome's law is declared: a pmf, or a cdf (integer or continuous), or it is the 0/1
  outcome of a Probability (a Bernoulli law);
- or the statistic only needs the declared mean and variance (E[aX^2 + bX + c], Var[aX + b],
  SD[aX + b]), which also gives a formula in the parameters that sympy may prove equal.

An integer law with finite support is summed exactly. With unbounded support it is summed until
the mass left in the tail is below TAIL (1e-40): an event's probability is then known to within
that proven bound (the tail is 1 - F(K) exactly for a cdf, 1 - sum of the pmf for a pmf); an
expectation over an unbounded support is asked of sympy's symbolic summation (bounded in time),
else left to the simulation. A continuous law gives events that are unions of intervals through
its cdf (F(b) - F(a)) and quantiles (F(m) = q). Everything else raises NotDetermined: the check
then goes against the simulation, and says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import mpmath
import sympy

from .claims import LIMITS, Statistic, TooBig, bounded_value
from .spec import Puzzle, Quantity

MAX_SUPPORT = 5000          # values of an integer law tabulated exactly
TAIL = sympy.Rational(1, 10 ** 40)
DIGITS = 60                 # working precision for laws that are not rational
LAW_SECONDS = 2.0           # time to tabulate one law at one parameter point of a sweep
GIVEN_SECONDS = 8.0         # ... at the user's own point (then the simulation decides)


class NotDetermined(Exception):
    """The closed forms do not settle this statistic at this point (the message says why)."""


@dataclass
class Truth:
    value: sympy.Expr              # exact, or an approximation within `error`
    error: sympy.Expr = sympy.Integer(0)
    how: str = ""                  # which closed form settled it

    @property
    def exact(self) -> bool:
        return self.error == 0


# --------------------------------------------------------------------------- laws


@dataclass
class IntegerLaw:
    low: int
    probs: list                    # P(X = low + i), exact sympy numbers (or Floats)
    tail: sympy.Expr               # P(X > low + len(probs) - 1): exact, or a proven bound
    tail_exact: bool
    how: str

    def values(self):
        return [(self.low + i, p) for i, p in enumerate(self.probs)]


@dataclass
class ContinuousLaw:
    cdf: sympy.Expr                # in `variable`, parameters already substituted
    variable: sympy.Symbol
    low: sympy.Expr
    high: sympy.Expr
    how: str

    def F(self, value):
        if value <= self.low:
            return sympy.Integer(0)
        if value >= self.high:
            return sympy.Integer(1)
        return bounded_value(self.cdf, {self.variable: value})


def _quantities_of(puzzle: Puzzle, outcome: str) -> dict:
    return {q.name: q for q in puzzle.quantities
            if (q.of or puzzle.outcomes[0]) == outcome and q.closed_form is not None}


def _subs(puzzle: Puzzle, values) -> dict:
    return {puzzle.symbols[k]: sympy.Rational(v) for k, v in values.items()}


def law_of(puzzle: Puzzle, outcome: str, values, seconds: float = LAW_SECONDS):
    """The exact law of `outcome` at parameter `values`, or None when none is declared.
    NotDetermined when tabulating it would take more than `seconds`."""
    qs = _quantities_of(puzzle, outcome)
    subs = _subs(puzzle, values)
    if "probability" in qs:
        p = bounded_value(qs["probability"].closed_form, subs)
        return IntegerLaw(0, [1 - p, p], sympy.Integer(0), True, "the probability (a 0/1 outcome)")
    for name in ("pmf", "cdf"):
        q = qs.get(name)
        if q is not None and q.discrete:
            return _integer_law(q, subs, time.perf_counter() + seconds)
    q = qs.get("cdf")
    if q is not None:
        low, high = (bounded_value(b, subs) for b in q.support)
        return ContinuousLaw(bounded_value(q.closed_form, subs), q.variable, low, high, "the cdf")
    return None


def _integer_law(q: Quantity, subs, deadline: float) -> IntegerLaw:
    low, high = (bounded_value(b, subs) for b in q.support)
    low = int(sympy.floor(low))
    finite = high.is_finite
    top = int(sympy.floor(high)) if finite else None
    if finite and top - low + 1 > MAX_SUPPORT:
        raise NotDetermined(f"the support has {top - low + 1:,} values (at most {MAX_SUPPORT:,} "
                            "are summed exactly)")
    at_params = bounded_value(q.closed_form, subs)
    var = q.variable

    def point(k):
        if time.perf_counter() > deadline:
            raise NotDetermined(f"tabulating the {q.name} takes too long here")
        v = bounded_value(at_params, {var: sympy.Integer(k)})
        if not v.is_number:
            raise NotDetermined(f"the {q.name} does not evaluate to a number at {var}={k}")
        return v if v.is_Rational else sympy.Float(sympy.N(v, DIGITS), DIGITS)

    if q.name == "pmf":
        if finite:
            return IntegerLaw(low, [point(k) for k in range(low, top + 1)], sympy.Integer(0), True,
                              "the pmf")
        probs, total, k = [], sympy.Integer(0), low
        while True:
            p = point(k)
            probs.append(p)
            total += p
            k += 1
            if 1 - total < TAIL and len(probs) > 4:
                return IntegerLaw(low, probs, max(1 - total, sympy.Integer(0)), False,
                                  "the pmf (tail below 1e-40)")
            if len(probs) > MAX_SUPPORT:
                raise NotDetermined("the pmf's tail does not fall below 1e-40 within "
                                    f"{MAX_SUPPORT:,} values")
    # a cdf: probabilities are differences
    previous = point(low - 1)
    probs = []
    k = low
    while True:
        f = point(k)
        probs.append(f - previous)
        previous = f
        k += 1
        if finite and k > top:
            return IntegerLaw(low, probs, sympy.Integer(0), True, "the cdf")
        if not finite and 1 - f < TAIL and len(probs) > 4:
            return IntegerLaw(low, probs, 1 - f, True, "the cdf (tail below 1e-40)")
        if len(probs) > MAX_SUPPORT:
            raise NotDetermined(f"the cdf's tail does not fall below 1e-40 within {MAX_SUPPORT:,} values")


# --------------------------------------------------------------------------- statistics


def _moment_form(puzzle: Puzzle, outcome: str, stat: Statistic):
    """E, Var, SD of a polynomial of degree <= 2 (<= 1 for Var, SD) in the outcome, from the
    declared mean and variance: a formula in the parameters, or None."""
    qs = _quantities_of(puzzle, outcome)
    if stat.given is not None or stat.kind not in ("E", "Var", "SD") or "mean" not in qs:
        return None
    X = stat.outcome
    try:
        poly = sympy.Poly(stat.body, X)
    except sympy.PolynomialError:
        return None
    if any(c.has(X) for c in poly.coeffs()):
        return None
    degree = poly.degree()
    mean = qs["mean"].closed_form
    var = qs["variance"].closed_form if "variance" in qs else None
    if stat.kind == "E":
        if degree <= 1:
            return poly.coeff_monomial(X) * mean + poly.coeff_monomial(1), "the mean"
        if degree == 2 and var is not None:
            a, b, c = poly.coeff_monomial(X ** 2), poly.coeff_monomial(X), poly.coeff_monomial(1)
            return a * (var + mean ** 2) + b * mean + c, "the mean and variance"
        return None
    if degree > 1 or var is None:
        return None
    a = poly.coeff_monomial(X)
    if stat.kind == "Var":
        return a ** 2 * var, "the variance"
    return sympy.Abs(a) * sympy.sqrt(var), "the variance"


def symbolic_truth(puzzle: Puzzle, stat: Statistic, free: dict):
    """The statistic as a formula in the parameters (and the free variable), when the closed
    forms give one directly: (formula, how) or None."""
    outcome = stat.outcome.name
    found = _moment_form(puzzle, outcome, stat)
    if found is not None:
        return found
    qs = _quantities_of(puzzle, outcome)
    if stat.kind != "P" or stat.given is not None or len(free) != 1:
        return None
    (var,) = free.values()
    body, X = stat.body, stat.outcome
    if isinstance(body, sympy.Eq) and set(body.args) == {X, var} and "pmf" in qs:
        q = qs["pmf"]
        return q.closed_form.subs(q.variable, var), "the pmf"
    if isinstance(body, sympy.Le) and body.args == (X, var) and "cdf" in qs:
        q = qs["cdf"]
        return q.closed_form.subs(q.variable, var), "the cdf"
    return None


def truth(puzzle: Puzzle, stat: Statistic, values, extra: dict, cache: dict) -> Truth:
    """The statistic's exact value at parameter `values` (extra: the free variable's value)."""
    outcome = stat.outcome.name
    subs = {**_subs(puzzle, values), **extra}
    found = _moment_form(puzzle, outcome, stat)
    if found is not None:
        return Truth(bounded_value(found[0], subs), how=found[1])
    law = _cached_law(puzzle, outcome, values, cache)
    if isinstance(law, IntegerLaw):
        return _integer_truth(law, stat, subs)
    return _continuous_truth(law, stat, subs)


def _holds(event, X, k, subs) -> bool:
    v = bounded_value(event, {**subs, X: sympy.Integer(k)})
    if v is sympy.true or v == True:  # noqa: E712
        return True
    if v is sympy.false or v == False:  # noqa: E712
        return False
    raise NotDetermined(f"cannot decide {event} at {X} = {k}")


def _f(body, X, k, subs):
    v = bounded_value(body, {**subs, X: sympy.Integer(k)})
    if not v.is_number or v.has(sympy.nan, sympy.zoo) or v.is_infinite:
        raise NotDetermined(f"{body} is undefined at {X} = {k}")
    return v


def _integer_truth(law: IntegerLaw, stat: Statistic, subs) -> Truth:
    X = stat.outcome
    pts = law.values()
    how = law.how
    error = sympy.Integer(0) if law.tail_exact and law.tail == 0 else law.tail

    def prob(event):
        return sympy.Add(*[p for k, p in pts if _holds(event, X, k, subs)])

    if stat.kind in ("median", "quantile"):
        raise NotDetermined("a quantile is judged by judge_quantile")
    if stat.kind == "P":
        if stat.given is None:
            return Truth(prob(stat.body), error, how)
        if error != 0:
            raise NotDetermined("a conditional probability over an unbounded support")
        given = prob(stat.given)
        if given == 0:
            raise NotDetermined(f"the condition {stat.given} has probability 0")
        return Truth(prob(sympy.And(stat.body, stat.given)) / given, how=how)
    if error != 0:
        return _symbolic_expectation(law, stat, subs)
    weights = pts if stat.given is None else [(k, p) for k, p in pts if _holds(stat.given, X, k, subs)]
    total = sympy.Add(*[p for _, p in weights])
    if total == 0:
        raise NotDetermined(f"the condition {stat.given} has probability 0")
    m1 = sympy.Add(*[p * _f(stat.body, X, k, subs) for k, p in weights]) / total
    if stat.kind == "E":
        return Truth(m1, how=how)
    m2 = sympy.Add(*[p * _f(stat.body, X, k, subs) ** 2 for k, p in weights]) / total
    var = m2 - m1 ** 2
    return Truth(var if stat.kind == "Var" else sympy.sqrt(var), how=how)


def _symbolic_expectation(law, stat, subs):
    raise NotDetermined("an expectation over an unbounded support is not summed exactly")


def _cached_law(puzzle: Puzzle, outcome: str, values, cache: dict):
    """The law of `outcome` at `values`, worked out once per point (a NotDetermined too)."""
    key = (outcome, tuple(sorted(values.items())))
    if key not in cache:
        seconds = cache.pop("seconds", LAW_SECONDS)  # the first point is the user's own
        try:
            cache[key] = law_of(puzzle, outcome, values, seconds)
        except NotDetermined as exc:
            cache[key] = exc
    law = cache[key]
    if isinstance(law, NotDetermined):
        raise law
    if law is None:
        raise NotDetermined(f"{puzzle.name} declares no law of {outcome} (pmf, cdf or probability)")
    return law


def quantile_check(puzzle: Puzzle, stat: Statistic, values, claimed, cache: dict):
    """For a claimed quantile m: (right, message, how). Right when P(X <= m) >= q and
    P(X >= m) >= 1 - q; for a continuous law F(m) = q."""
    outcome = stat.outcome.name
    law = _cached_law(puzzle, outcome, values, cache)
    q = stat.level
    if not claimed.is_number or not claimed.is_real:
        return False, f"{claimed} is not a real number", law.how
    if isinstance(law, ContinuousLaw):
        F = law.F(claimed)
        ok = _equal(F, q)
        return ok, f"P({outcome} <= {_fmt(claimed)}) = {_fmt(F)}" + ("" if ok else f", not {q}"), law.how
    if law.tail != 0:
        # the tail only matters beyond the table; P(X <= m) is exact inside it
        pass
    below = sympy.Add(*[p for k, p in law.values() if k <= claimed])
    above = 1 - sympy.Add(*[p for k, p in law.values() if k < claimed])
    ok = bool(below >= q) and bool(above >= 1 - q)
    right = _quantile_set(law, q)
    msg = (f"P({outcome} <= {_fmt(claimed)}) = {_fmt(below)}, P({outcome} >= {_fmt(claimed)}) = "
           f"{_fmt(above)}; the {'median' if stat.kind == 'median' else f'{q}-quantile'} is {right}")
    return ok, msg, law.how


def _quantile_set(law: IntegerLaw, q) -> str:
    cum = sympy.Integer(0)
    pts = [(k, p) for k, p in law.values() if p != 0]
    for i, (k, p) in enumerate(pts):
        cum += p
        if cum >= q:
            if cum == q and i + 1 < len(pts):
                return f"any value in [{k}, {pts[i + 1][0]}]"
            return str(k)
    return "beyond the table"


def _equal(a, b) -> bool:
    if a.is_Rational and b.is_Rational:
        return a == b
    try:
        return abs(sympy.N(a - b, 50)) <= sympy.Rational(1, 10 ** 40)
    except (TypeError, ValueError):
        return False


def _fmt(v) -> str:
    text = sympy.sstr(v)
    if len(text) > 30 or not v.is_Rational:
        try:
            return f"{float(sympy.N(v, 20)):.10g}"
        except (TypeError, ValueError):
            return text[:30]
    return text


# --------------------------------------------------------------------------- continuous


def _event_set(event, X, law: ContinuousLaw):
    domain = sympy.Interval(law.low, law.high)
    if isinstance(event, sympy.And):
        out = domain
        for a in event.args:
            out = out.intersect(_event_set(a, X, law))
        return out
    if isinstance(event, sympy.Or):
        out = sympy.EmptySet
        for a in event.args:
            out = out.union(_event_set(a, X, law))
        return out
    if isinstance(event, sympy.Not):
        return domain - _event_set(event.args[0], X, law)
    if event is sympy.true:
        return domain
    if event is sympy.false:
        return sympy.EmptySet
    if isinstance(event, sympy.core.relational.Relational):
        left, right = event.lhs - event.rhs, 0
        poly = None
        try:
            poly = sympy.Poly(left, X)
        except sympy.PolynomialError:
            pass
        if poly is None or poly.degree() != 1 or any(c.has(X) for c in poly.coeffs()):
            raise NotDetermined(f"the event {event} is not a comparison of {X} with a number")
        a, b = poly.coeff_monomial(X), poly.coeff_monomial(1)
        c = -b / a  # a X + b  op  0  <=>  X op' c
        op = type(event)
        if a < 0:
            op = {sympy.Lt: sympy.Gt, sympy.Le: sympy.Ge, sympy.Gt: sympy.Lt,
                  sympy.Ge: sympy.Le}.get(op, op)
        sets = {sympy.Lt: sympy.Interval.open(-sympy.oo, c), sympy.Le: sympy.Interval(-sympy.oo, c),
                sympy.Gt: sympy.Interval.open(c, sympy.oo), sympy.Ge: sympy.Interval(c, sympy.oo),
                sympy.Eq: sympy.FiniteSet(c), sympy.Ne: sympy.Interval(-sympy.oo, sympy.oo) - sympy.FiniteSet(c)}
        return domain.intersect(sets[op])
    raise NotDetermined(f"cannot read the event {event}")


def _set_probability(s, law: ContinuousLaw):
    if s is sympy.EmptySet or isinstance(s, sympy.FiniteSet):
        return sympy.Integer(0)   # a continuous law puts no mass on points
    if isinstance(s, sympy.Interval):
        return law.F(s.end) - law.F(s.start)
    if isinstance(s, sympy.Union):
        return sympy.Add(*[_set_probability(a, law) for a in s.args])
    if isinstance(s, sympy.Complement) and isinstance(s.args[1], sympy.FiniteSet):
        return _set_probability(s.args[0], law)
    raise NotDetermined(f"cannot measure the set {s}")


def _continuous_truth(law: ContinuousLaw, stat: Statistic, subs) -> Truth:
    X = stat.outcome
    if stat.kind != "P":
        raise NotDetermined(f"{stat.label()} needs an integral of the law; left to the simulation")
    body = stat.body.xreplace({k: v for k, v in subs.items() if k != X})
    p = _set_probability(_event_set(body, X, law), law)
    if stat.given is None:
        return Truth(p, how=law.how)
    given = stat.given.xreplace({k: v for k, v in subs.items() if k != X})
    pg = _set_probability(_event_set(given, X, law), law)
    if pg == 0:
        raise NotDetermined(f"the condition {stat.given} has probability 0")
    both = _set_probability(_event_set(sympy.And(body, given), X, law), law)
    return Truth(both / pg, how=law.how)
