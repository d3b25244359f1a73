"""Statistics of an outcome measured during a simulation: f(X) or 1{event} on every trial.

A claim's statistic (claims.Statistic: E[f(X)], Var, SD, P(A), E[f | A], P(B | A), quantiles)
is turned into a `Derived` quantity of a verification run. Its function or event, a sympy tree
already held to the claim parser's allow-list, is compiled here into numpy operations by walking
the tree node by node (no code is generated or executed from text), and a `TrialFunction`
collector applies it to each chunk's outcomes and keeps the power sums of the result, exactly as
the Moments collector does for the outcome itself. The bands are verify's (engine.stats):

- E[f(X)]: the mean band of f(X); Var[f(X)]: the variance band; SD: the variance band against
  the claimed SD squared; P(A): the probability band of 1{A}.
- E[f | A] = c and P(B | A) = c: the claim says E[(f - c) 1{A}] = 0 (with f = 1{B} for P), a
  mean whose band is tested against 0, so a false alarm stays at most alpha; the tolerance is
  rtol * |c| * P(A), the claim's tolerance carried over to that mean (P(A) estimated from the
  same trials), and the row shows c + mean / P(A) as the estimate of E[f | A].
- quantile q = m: for a continuous outcome P(X <= m) = q (a probability band); otherwise the
  claim is right when P(X <= m) >= q and P(X >= m) >= 1 - q, two one-sided tests, each at half
  the quantity's alpha: disagree when a band lies wholly below its bound, agree when both lie at
  or above it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import sympy

from . import stats
from .errors import InvalidClaim
from .report import QuantityResult
from .simulate import Moments
from .spec import Quantity

try:  # scipy is a dependency (numba imports it too); only special functions are used
    from scipy import special as _special
except ImportError:  # pragma: no cover
    _special = None


# --------------------------------------------------------------------------- compiling


def _np_min(*xs):
    out = xs[0]
    for x in xs[1:]:
        out = np.minimum(out, x)
    return out


def _np_max(*xs):
    out = xs[0]
    for x in xs[1:]:
        out = np.maximum(out, x)
    return out


def _harmonic(n, m=None):
    if m is None or m == 1:
        return _special.digamma(np.asarray(n, dtype=float) + 1) + np.euler_gamma
    return _special.zeta(m) - _special.zeta(m, np.asarray(n, dtype=float) + 1)


_FUNCTIONS = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
    "tanh": np.tanh, "Abs": np.abs, "floor": np.floor, "ceiling": np.ceil, "sign": np.sign,
    "Min": _np_min, "Max": _np_max, "Mod": np.mod,
    "factorial": lambda x: _special.gamma(np.asarray(x, dtype=float) + 1),
    "gamma": lambda x: _special.gamma(x), "binomial": lambda n, k: _special.binom(n, k),
    "harmonic": _harmonic, "erf": lambda x: _special.erf(x), "erfc": lambda x: _special.erfc(x),
    "beta": lambda a, b: _special.beta(a, b),
    "Heaviside": lambda x, h=0.5: np.heaviside(x, h),
    "FallingFactorial": lambda x, k: _special.poch(np.asarray(x, dtype=float) - k + 1, k),
    "RisingFactorial": lambda x, k: _special.poch(x, k),
}
_RELATIONS = {sympy.Lt: np.less, sympy.Le: np.less_equal, sympy.Gt: np.greater,
              sympy.Ge: np.greater_equal, sympy.Eq: np.equal, sympy.Ne: np.not_equal}


def numpy_function(expr, outcome: sympy.Symbol):
    """f(x) for a numpy array x of outcomes: expr (parameters already put in) walked node by
    node into numpy operations. Raises InvalidClaim for a node numpy cannot compute."""
    if _special is None:  # pragma: no cover
        raise InvalidClaim("simulating a function of the outcome needs scipy")
    expr = sympy.sympify(expr)
    _check_numeric(expr, outcome)

    def walk(e, x):
        if e == outcome:
            return x
        if e is sympy.true or e is sympy.false:
            return np.full(x.shape, bool(e))
        if e.is_number and not isinstance(e, (sympy.logic.boolalg.Boolean,)):
            value = complex(sympy.N(e, 20))
            if value.imag:
                raise InvalidClaim(f"{e} is not a real number")
            return value.real
        if isinstance(e, sympy.Add):
            out = walk(e.args[0], x)
            for a in e.args[1:]:
                out = out + walk(a, x)
            return out
        if isinstance(e, sympy.Mul):
            out = walk(e.args[0], x)
            for a in e.args[1:]:
                out = out * walk(a, x)
            return out
        if isinstance(e, sympy.Pow):
            base, exp = walk(e.args[0], x), walk(e.args[1], x)
            if isinstance(exp, float) and exp == 0.5:
                return np.sqrt(base)
            return np.power(np.asarray(base, dtype=float), exp)
        if type(e) in _RELATIONS:
            return _RELATIONS[type(e)](walk(e.lhs, x), walk(e.rhs, x))
        if isinstance(e, sympy.And):
            return np.logical_and.reduce([np.broadcast_to(walk(a, x), x.shape) for a in e.args])
        if isinstance(e, sympy.Or):
            return np.logical_or.reduce([np.broadcast_to(walk(a, x), x.shape) for a in e.args])
        if isinstance(e, sympy.Not):
            return np.logical_not(walk(e.args[0], x))
        if isinstance(e, sympy.Piecewise):
            conds = [np.broadcast_to(walk(c, x), x.shape) for _, c in e.args]
            vals = [np.broadcast_to(np.asarray(walk(v, x), dtype=float), x.shape) for v, _ in e.args]
            return np.select(conds, vals, default=np.nan)
        name = type(e).__name__
        if name in _FUNCTIONS:
            return _FUNCTIONS[name](*[walk(a, x) for a in e.args])
        raise InvalidClaim(f"{name}(...) cannot be computed on simulated outcomes; "
                           "write the claim without it or check it against the closed form")

    def f(x):
        with np.errstate(all="ignore"):
            out = walk(expr, x)
        return np.broadcast_to(np.asarray(out, dtype=np.float64), x.shape)

    f(np.array([0.0, 1.0]))  # fails now (InvalidClaim) rather than in a worker
    return f


def _check_numeric(expr, outcome):
    extra = expr.free_symbols - {outcome}
    if extra:
        raise InvalidClaim(f"{', '.join(sorted(map(str, extra)))} must have a value to simulate "
                           f"{expr}")


# --------------------------------------------------------------------------- the collector


@dataclass
class TrialFunction(Moments):
    """Power sums of f(outcome) per chunk (f compiled from `expr` in each process)."""

    expr: object = None
    outcome: object = None
    all_integer: bool = True
    _fn: object = field(default=None, repr=False, compare=False)

    def chunk(self, x):
        if self._fn is None:
            self._fn = numpy_function(self.expr, self.outcome)
        values = np.ascontiguousarray(self._fn(x), dtype=np.float64)
        sums = super().chunk(values)
        integral = bool(np.all(np.floor(x) == x)) if len(x) else True
        return np.append(np.asarray(sums, dtype=float)[:5], 1.0 if integral else 0.0)

    def add(self, part):
        self.all_integer = self.all_integer and bool(part[5])
        super().add(np.asarray(part[:5]))

    def __getstate__(self):  # travels to cluster workers without the compiled function
        state = dict(self.__dict__)
        state["_fn"] = None
        return state


# --------------------------------------------------------------------------- derived quantities


@dataclass
class Derived:
    """One statistic measured in a verification run.

    kind: 'mean', 'variance', 'sd', 'probability', 'conditional', 'quantile'.
    exact: the value it is compared with (a sympy number: the claim, or the exact value from
    the closed forms), or None for an estimate only."""

    label: str
    kind: str
    exact: object
    collectors: list
    source: str = ""
    level: object = None          # a quantile's q
    continuous: bool = False

    def judge(self, conf: stats.Confidence, tolerance) -> QuantityResult:
        from .verify import _judge_scalar, _Plan

        if self.kind in ("mean", "variance", "probability", "sd"):
            name = {"sd": "variance"}.get(self.kind, self.kind)
            exact = self.exact
            if self.kind == "sd" and exact is not None:
                exact = exact ** 2
            row = _judge_scalar(_Plan(Quantity(name, exact), self.collectors[0], exact), conf,
                                tolerance)
            row.data["kind"] = name  # for the picture: which band the running estimate has
            if self.kind == "sd":
                row = _sd_row(row, self.exact, tolerance)
                row.data = {}  # the running variance is not the SD claimed: nothing to draw
        elif self.kind == "conditional":
            row = self._judge_conditional(conf, tolerance)
        else:
            row = self._judge_quantile(conf, tolerance)
        row.name = self.label
        return row

    def _judge_conditional(self, conf, tolerance) -> QuantityResult:
        g, a = self.collectors
        n, s1, s2, s3, s4 = g.total
        mean, m2, _m3, _m4 = stats.central_moments(n, s1, s2, s3, s4, g.shift)
        pa = (a.total[1] + n * a.shift) / max(n, 1)
        band = stats.mean_band(mean, m2, n, 0.0, conf)
        c = float(sympy.N(self.exact, 20))
        tol = tolerance.scalar(c) * pa
        verdict = stats.decide(band.ci_low, band.ci_high, 0.0, tol) if pa > 0 else "inconclusive"
        needed = None
        if verdict == "inconclusive" and pa > 0 and tol > 0:
            needed = stats.trials_to_settle(n, (band.ci_high - band.ci_low) / 2, tol)
        scale = 1 / pa if pa > 0 else math.nan
        test = "normal" + (" sequence" if conf.sequential else "") + " (ratio)"
        return QuantityResult(
            self.label, test, verdict, band.p_value, conf.level, exact=c,
            exact_str=_exact_str(self.exact), estimate=c + mean * scale,
            ci_low=c + band.ci_low * scale, ci_high=c + band.ci_high * scale,
            stderr=band.stderr * scale, tolerance=tolerance.scalar(c), trials_needed=needed)

    def _judge_quantile(self, conf, tolerance) -> QuantityResult:
        below, above = self.collectors
        q = float(self.level)
        n = below.total[0]
        kb = int(round(below.total[1] + n * below.shift))
        ka = int(round(above.total[1] + n * above.shift))
        m = float(sympy.N(self.exact, 20))
        if self.continuous or not (below.all_integer and above.all_integer):
            band = stats.probability_band(kb, int(n), q, conf)
            verdict = stats.decide(band.ci_low, band.ci_high, q, tolerance.probabilities)
            return QuantityResult(self.label, "P(X <= m) = q", verdict, band.p_value, conf.level,
                                  exact=m, exact_str=_exact_str(self.exact),
                                  estimate=band.estimate, ci_low=band.ci_low,
                                  ci_high=band.ci_high, stderr=band.stderr,
                                  tolerance=tolerance.probabilities)
        half = dataclasses.replace(conf, alpha=conf.alpha / 2)
        b1 = stats.probability_band(kb, int(n), q, half)
        b2 = stats.probability_band(ka, int(n), 1 - q, half)
        if b1.ci_high < q or b2.ci_high < 1 - q:
            verdict = "disagree"
        elif b1.ci_low >= q and b2.ci_low >= 1 - q:
            verdict = "agree"
        else:
            verdict = "inconclusive"
        return QuantityResult(self.label, "P(X <= m) >= q, P(X >= m) >= 1-q", verdict, None,
                              conf.level, exact=m, exact_str=_exact_str(self.exact),
                              estimate=b1.estimate, ci_low=b1.ci_low, ci_high=b1.ci_high,
                              stderr=b1.stderr)


def _sd_row(row: QuantityResult, sd, tolerance) -> QuantityResult:
    """A variance row read as a standard deviation: square roots of the band's ends."""
    def root(v):
        return math.sqrt(v) if v is not None and v >= 0 else (0.0 if v is not None else None)

    row.exact = float(sympy.N(sd, 20)) if sd is not None else None
    row.exact_str = _exact_str(sd) if sd is not None else None
    row.estimate, row.ci_low, row.ci_high = root(row.estimate), root(row.ci_low), root(row.ci_high)
    return row


def _exact_str(v) -> str:
    from .exact import exact_str

    return exact_str(sympy.sympify(v))


def trial_collector(expr, outcome, column: int, shift: float = 0.0) -> TrialFunction:
    return TrialFunction(column=column, shift=shift, expr=expr, outcome=outcome)
