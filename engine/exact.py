"""Exact evaluation of closed forms at given parameter values, bounded in time and size.

Rationals stay rationals (`160/17`), and constants stay symbolic (`1/pi`) so that a report can
show the exact value next to its float.

Every evaluation is bounded (see `bounded`): before any exact arithmetic, the size of every
intermediate number is estimated from the expression tree and the values (365**(10**20) would
be 10^21 bits); past MAX_BITS, or past the time limit, the value is computed with mpmath
instead, at two precisions whose agreement bounds the error, and returned as a sympy Float.
What even that cannot evaluate ends in LimitExceeded, which names the bound.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import threading
import time
from functools import lru_cache
from typing import Mapping

import mpmath
import numpy as np
import sympy

from .errors import LimitExceeded
from .spec import Puzzle, Quantity

# Exact arithmetic is attempted only when no intermediate number has more bits than this
# (about 60,000 digits: 1000! has 8,530 bits, 365**365 has 3,107).
MAX_BITS = 200_000
# Seconds for exact work on one value (sympy is pure Python: the limit interrupts it), then
# for simplifying it, then for the numeric fallback.
EXACT_SECONDS = 2.0
SIMPLIFY_SECONDS = 1.0
NUMERIC_SECONDS = 2.0
# The numeric fallback: evaluated at these working precisions (bits) until two successive ones
# agree to RESULT_BITS; the value is then returned with RESULT_DIGITS significant digits.
PRECISIONS = (128, 256, 512, 1024)
RESULT_BITS = 100
RESULT_DIGITS = 30
# A sum of more terms than this is not added up (exactly or numerically).
MAX_SUM_TERMS = 1_000_000

# Past this many support points a pmf is evaluated in floating point only.
MAX_EXACT_POINTS = 5000
# A distribution with unbounded support is tabulated until this much mass is left in the tail.
TAIL_MASS = 1e-12


def substitutions(puzzle: Puzzle, values: Mapping[str, sympy.Rational]) -> dict:
    return {puzzle.symbols[k]: sympy.Rational(v) for k, v in values.items()}


def exact_value(expr: sympy.Expr, subs: Mapping, simplify: bool = True) -> sympy.Expr:
    """The closed form at the given values, as a simplified exact sympy number -- or, where
    exact work would be too big or too slow, a sympy Float with RESULT_DIGITS checked digits
    (see `bounded`).

    simplify=False skips the rewriting for display (0.3 s for a sum of a few exponentials): the
    value is as exact, for comparing numbers (check compares hundreds of points)."""
    return bounded(expr, subs, simplify=simplify)


def bounded(expr, subs: Mapping | None = None, *, seconds: float = EXACT_SECONDS,
            max_bits: int = MAX_BITS, simplify: bool = True) -> sympy.Expr:
    """`expr` with `subs` substituted, evaluated within bounds on time and on number size.

    1. The size of every exact intermediate (powers, factorials, binomials, ...) is estimated
       from the tree and the values, without computing it; past `max_bits`, skip to 3.
    2. Exact evaluation with sympy, interrupted after `seconds`; then gammasimp / simplify
       within SIMPLIFY_SECONDS (past that, the unsimplified exact value is kept).
    3. Numerically with mpmath at increasing precision until two precisions agree to
       RESULT_BITS bits: a sympy Float whose digits are all correct (the difference of the two
       evaluations bounds the error). Within NUMERIC_SECONDS.

    Raises LimitExceeded (a PuzzleError: one line, exit code 2) naming the limit when no step
    gives a value: a sum of more than MAX_SUM_TERMS terms, a value past mpmath's range, or out
    of time. An expression that is undefined at these values (1/0) gives sympy's zoo / nan.
    Safe to call from any thread.
    """
    subs = {k: sympy.sympify(v) for k, v in (subs or {}).items()}
    if not isinstance(expr, sympy.Basic):
        expr = sympy.sympify(expr)
    env = subs
    try:
        bits = _bits(expr, env)
    except _Undefined:
        bits = 0  # sympy says what it is (zoo, nan) exactly and cheaply
    except _Expired:
        bits = math.inf
    if bits <= max_bits:
        try:
            with time_limit(seconds):
                value = _exact(expr, subs)
        except _Expired:
            value = None
        if value is not None:
            if not simplify or value.is_Rational or not value.is_number:
                return value
            try:
                with time_limit(SIMPLIFY_SECONDS):
                    return _simplified(value)
            except _Expired:
                return value
    if expr.free_symbols - set(subs):
        # a variable is left (a pmf's x): no number to compute yet; the values are put in
        # without evaluating, and each point is bounded when it is evaluated
        with sympy.evaluate(False):
            return expr.xreplace(subs)
    return _numeric(expr, env, why="exact arithmetic" if bits <= max_bits else
                    f"numbers of more than {max_bits:,} bits")


def _exact(expr, subs):
    value = _add_up_finite_sums(expr.subs(subs) if subs else expr)
    return value.doit() if hasattr(value, "doit") else value


# gammasimp and simplify factor the integers they meet, with primality tests whose every step
# is one long C call on numbers this big: past this size the value is kept as it is.
SIMPLIFY_MAX_BITS = 1024


def _simplified(value):
    if any(_bits_of_rational(n) > SIMPLIFY_MAX_BITS for n in value.atoms(sympy.Rational)):
        return value
    try:
        simpler = sympy.gammasimp(value)
        if simpler.is_Rational:
            return simpler
        # simplify is an exact rewriting (nsimplify would not be: it guesses a nearby closed form)
        return sympy.simplify(simpler) if simpler.count_ops() < 200 else simpler
    except Exception:  # sympy may fail on exotic forms; the unsimplified value is still exact
        return value


# --------------------------------------------------------------------------- time limits


class _Expired(BaseException):
    """Raised inside a thread whose time limit passed. A BaseException, so that sympy's own
    `except Exception` clauses do not swallow it."""


_deadlines: dict[int, float] = {}   # thread id -> deadline (time.monotonic())
_fired: set[int] = set()
_deadline_lock = threading.Lock()
_watchdog: threading.Thread | None = None
_WATCH_INTERVAL = 0.02


def _watch() -> None:
    while True:
        time.sleep(_WATCH_INTERVAL)
        now = time.monotonic()
        with _deadline_lock:
            for tid, deadline in list(_deadlines.items()):
                if now >= deadline:
                    del _deadlines[tid]
                    _fired.add(tid)
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid),
                                                               ctypes.py_object(_Expired))


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise _Expired in this thread once `seconds` have passed inside the block (nested
    limits keep the earliest deadline). Pure-Python work is interrupted between bytecodes; a
    single C call (a huge integer power) is not, which is why sizes are checked first."""
    global _watchdog
    tid = threading.get_ident()
    with _deadline_lock:
        if _watchdog is None:
            _watchdog = threading.Thread(target=_watch, name="puzzles-time-limit", daemon=True)
            _watchdog.start()
        outer = _deadlines.get(tid)
        deadline = time.monotonic() + seconds
        _deadlines[tid] = deadline if outer is None else min(outer, deadline)
    fired = False
    try:
        yield
    finally:
        with _deadline_lock:
            _deadlines.pop(tid, None)
            if tid in _fired:
                fired = True
                _fired.discard(tid)
                # clear the exception if it has not been delivered yet
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), None)
            if outer is not None:
                _deadlines[tid] = outer
    if fired:  # fired but cleared before delivery: the block finished late, still expired
        raise _Expired


# --------------------------------------------------------------------------- sizes


class _Undefined(Exception):
    pass


def _log2(x) -> float:
    """log2 |x| for an mpmath number (any exponent), 0 for 0."""
    x = abs(x)
    if not x:
        return 0.0
    if x == mpmath.inf:
        return math.inf
    return float(mpmath.log(x, 2))


def _bits_of_rational(v) -> float:
    return float(abs(int(v.p)).bit_length() + int(v.q).bit_length())


def _bits(node, env) -> float:
    """An estimate (an upper bound where it matters) of the bits of the numerator plus the
    denominator of `node`'s exact value at `env`, or of the integers computed on the way."""
    if node.is_Rational:
        return _bits_of_rational(node)
    if node.is_Symbol:
        v = env.get(node)
        return _bits_of_rational(sympy.Rational(v)) if v is not None and v.is_Rational else 64.0
    if node.is_Number or node.is_NumberSymbol or not node.args:
        return 64.0
    if isinstance(node, sympy.Sum):
        return _sum_bits(node, env)
    args = node.args
    if isinstance(node, sympy.Pow):
        base, exp = args
        base_bits = _bits(base, env)
        e = _mp(exp, env, 53)
        if isinstance(e, mpmath.mpc):
            return base_bits + _bits(exp, env)
        if not mpmath.isfinite(e):
            return math.inf
        if mpmath.isint(e):  # (never int(e): 9**9**9 has 370 million digits)
            return base_bits * max(abs(float(e)), 1.0)
        if exp.is_Rational or (exp.is_number and exp.is_rational):
            return base_bits * abs(float(sympy.Rational(exp).p)) if exp.is_Rational else base_bits
        return base_bits + _bits(exp, env)
    child = sum(_bits(a, env) for a in args) if isinstance(node, sympy.Mul) else (
        max(_bits(a, env) for a in args) + math.log2(len(args)) if isinstance(node, sympy.Add)
        else sum(_bits(a, env) for a in args))
    if isinstance(node, sympy.Function) and not isinstance(node, _BENIGN):
        # factorial, gamma, binomial, ff, harmonic, ...: the value's own size, plus for a
        # rational result the denominators it gathers (harmonic(n): about 1.44 n bits)
        try:
            value = _mp(node, env, 53)
        except _Undefined:
            return child
        size = _log2(value) if not isinstance(value, mpmath.mpc) else _log2(abs(value))
        if isinstance(node, sympy.harmonic):  # the lcm of 1..n as its denominator, times m
            size += 1.5 * float(abs(_mp(args[0], env, 53))) * (
                float(abs(_mp(args[1], env, 53))) if len(args) > 1 else 1.0)
        if isinstance(node, (sympy.gamma, sympy.factorial, sympy.RisingFactorial,
                             sympy.FallingFactorial, sympy.binomial)):
            # the loop that computes it runs over its (last) argument
            steps = abs(_mp(args[-1], env, 53))
            if isinstance(node, sympy.binomial):
                steps = min(steps, abs(_mp(args[0], env, 53) - _mp(args[1], env, 53)))
            size = max(size, float(steps))
        return child + abs(size)
    return child


def _sum_bits(node, env) -> float:
    term, (var, low, high) = node.function, node.limits[0]
    lo, hi = _mp(low, env, 53), _mp(high, env, 53)
    count = float(hi - lo + 1)
    if count > MAX_SUM_TERMS:
        raise LimitExceeded(f"a sum of {count:.3g} terms: the limit is {MAX_SUM_TERMS:,} terms")
    if count <= 0:
        return 1.0
    ends = [_bits(term, {**env, var: sympy.Integer(int(k))}) for k in {int(lo), int(hi)}]
    # terms with a common denominator (the usual case: p^j (1-p)^(n-j)) add up to about the
    # largest term's size; the time limit covers sums whose denominators multiply up
    return max(ends) + math.log2(count) + 64


# Functions whose value is no bigger than their arguments (as exact numbers).
_BENIGN = (sympy.floor, sympy.ceiling, sympy.Abs, sympy.sign, sympy.Min, sympy.Max,
           sympy.Piecewise, sympy.Mod, sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan,
           sympy.asin, sympy.acos, sympy.atan, sympy.sinh, sympy.cosh, sympy.tanh, sympy.erf,
           sympy.erfc, sympy.atan2)


# --------------------------------------------------------------------------- numerics


def _numeric(expr, env, why: str) -> sympy.Expr:
    """mpmath at increasing precision until two agree to RESULT_BITS: a sympy Float."""
    previous = None
    try:
        with time_limit(NUMERIC_SECONDS):
            for prec in PRECISIONS:
                value = _mp(expr, env, prec)
                if previous is not None and _agree(previous, value):
                    return _to_sympy(value)
                previous = value
    except _Expired:
        raise LimitExceeded(f"the value is too large for exact evaluation ({why}) and could "
                            f"not be computed to {RESULT_DIGITS} digits within "
                            f"{NUMERIC_SECONDS:g} s") from None
    except _Undefined:
        return sympy.nan
    except (ValueError, ZeroDivisionError, OverflowError, TypeError) as exc:
        raise LimitExceeded(f"the value is too large for exact evaluation ({why}) and mpmath "
                            f"cannot compute it ({type(exc).__name__})") from None
    raise LimitExceeded(f"the value is too large for exact evaluation ({why}) and its "
                        f"digits do not settle at {PRECISIONS[-1]} bits of precision")


def _agree(a, b) -> bool:
    if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
        a, b = mpmath.mpc(a), mpmath.mpc(b)
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return False
    scale = max(abs(a), abs(b))
    return abs(a - b) <= scale * mpmath.mpf(2) ** -RESULT_BITS


def _to_sympy(value) -> sympy.Expr:
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > abs(value) * mpmath.mpf(2) ** -RESULT_BITS:
            return (sympy.Float(value.real, RESULT_DIGITS)
                    + sympy.I * sympy.Float(value.imag, RESULT_DIGITS))
        value = value.real
    return sympy.Float(value, RESULT_DIGITS)


def _mp(node, env, prec: int):
    """`node` at `env` as an mpmath number at `prec` bits (mpmath's exponents are unbounded:
    365**(10**20) is a number like any other). _Undefined where it has no value."""
    with mpmath.workprec(prec):
        return _mp_eval(node, env)


def _mpf_of_rational(v):
    return mpmath.mpf(int(v.p)) / int(v.q) if v.q != 1 else mpmath.mpf(int(v.p))


def _mp_eval(node, env):
    if node.is_Rational:
        return _mpf_of_rational(node)
    if node.is_Symbol:
        if node not in env:
            raise _Undefined
        v = sympy.sympify(env[node])
        return _mpf_of_rational(v) if v.is_Rational else _mp_eval(v, {})
    if node.is_Float:
        return mpmath.mpf(node._mpf_)
    if node in (sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise _Undefined
    if node is sympy.pi:
        return +mpmath.pi
    if node is sympy.E:
        return +mpmath.e
    if node is sympy.EulerGamma:
        return +mpmath.euler
    if node is sympy.I:
        return mpmath.mpc(0, 1)
    if node is sympy.true:
        return True
    if node is sympy.false:
        return False
    if isinstance(node, sympy.Sum):
        term, (var, low, high) = node.function, node.limits[0]
        lo, hi = int(_mp_eval(low, env)), int(_mp_eval(high, env))
        if hi - lo + 1 > MAX_SUM_TERMS:
            raise LimitExceeded(f"a sum of {hi - lo + 1:.3g} terms: the limit is "
                                f"{MAX_SUM_TERMS:,} terms")
        return mpmath.fsum(_mp_eval(term, {**env, var: sympy.Integer(k)})
                           for k in range(lo, hi + 1))
    if isinstance(node, sympy.Piecewise):
        for value, cond in node.args:
            if _truth(_mp_eval(cond, env)):
                return _mp_eval(value, env)
        raise _Undefined
    args = node.args
    if isinstance(node, sympy.Add):
        return mpmath.fsum(_mp_eval(a, env) for a in args)
    if isinstance(node, sympy.Mul):
        out = mpmath.mpf(1)
        for a in args:
            out *= _mp_eval(a, env)
        return out
    if isinstance(node, sympy.Pow):
        base, exp = _mp_eval(args[0], env), _mp_eval(args[1], env)
        if base == 0 and exp < 0:
            raise _Undefined
        return mpmath.power(base, exp)
    values = [_mp_eval(a, env) for a in args]
    if isinstance(node, sympy.core.relational.Relational):
        a, b = values
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
                ">=": a >= b}[node.rel_op]
    if isinstance(node, sympy.And):
        return all(_truth(v) for v in values)
    if isinstance(node, sympy.Or):
        return any(_truth(v) for v in values)
    if isinstance(node, sympy.Not):
        return not _truth(values[0])
    function = _MPMATH.get(type(node)) or _MPMATH.get(node.func)
    if function is None:
        for cls, f in _MPMATH.items():
            if isinstance(node, cls):
                function = f
                break
    if function is not None:
        try:
            return function(*values)
        except (ZeroDivisionError, ValueError):
            raise _Undefined from None
        except TypeError:  # another form than mpmath's (a second argument): sympy's evalf
            pass
    if True:  # a function mpmath does not know: sympy's own evalf on the numbers
        digits = int(mpmath.mp.prec * 0.30103) + 5
        def as_sympy(v):
            if isinstance(v, bool):
                return sympy.true if v else sympy.false
            if isinstance(v, mpmath.mpf) and mpmath.isint(v) and abs(v) < 2**64:
                return sympy.Integer(int(v))  # stirling(10, 6) is an integer function
            return sympy.Float(v, digits) if isinstance(v, mpmath.mpf) else sympy.sympify(v)

        try:
            out = node.func(*map(as_sympy, values)).evalf(digits)
            if not out.is_number or out.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                raise _Undefined
            return out._to_mpmath(mpmath.mp.prec)
        except (ValueError, TypeError, NotImplementedError, AttributeError):
            raise _Undefined from None


def _truth(v) -> bool:
    if isinstance(v, bool):
        return v
    return bool(v)


def _mod(a, b):
    if b == 0:
        raise _Undefined
    return a - b * mpmath.floor(a / b)


def _gamma(x):
    if x <= 0 and x == int(x):
        raise _Undefined
    return mpmath.gamma(x)


def _harmonic(n, m=1):
    return mpmath.harmonic(n) if m == 1 else mpmath.zeta(m) - mpmath.zeta(m, n + 1)


def _factorial(x):
    if x < 0:
        raise _Undefined
    return mpmath.factorial(x)


_MPMATH = {
    sympy.factorial: _factorial, sympy.gamma: _gamma, sympy.binomial: mpmath.binomial,
    sympy.FallingFactorial: mpmath.ff, sympy.RisingFactorial: mpmath.rf,
    sympy.harmonic: _harmonic, sympy.beta: mpmath.beta, sympy.loggamma: mpmath.loggamma,
    sympy.exp: mpmath.exp, sympy.log: lambda x, *b: mpmath.log(x, *b),
    sympy.sin: mpmath.sin, sympy.cos: mpmath.cos, sympy.tan: mpmath.tan,
    sympy.asin: mpmath.asin, sympy.acos: mpmath.acos, sympy.atan: mpmath.atan,
    sympy.atan2: mpmath.atan2, sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh, sympy.erf: mpmath.erf, sympy.erfc: mpmath.erfc,
    sympy.Abs: abs, sympy.sign: mpmath.sign, sympy.floor: mpmath.floor,
    sympy.ceiling: mpmath.ceil, sympy.Min: min, sympy.Max: max, sympy.Mod: _mod,
    sympy.zeta: mpmath.zeta,
}


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
    """True for text that is already a decimal number ('0.25', '1e-06', or approx_str's
    '1.0 - 1.455e-157'): nothing to add to it."""
    head, sep, tail = text.partition(" - ") if " - " in text else text.partition(" + ")
    try:
        float(head)
        if sep:
            float(tail)
        return True
    except ValueError:
        return False


def approx_str(value: sympy.Expr, digits: int = 10) -> str:
    """`value` to `digits` significant digits, at any size: 6.689502913e+198, never inf."""
    if value.has(sympy.nan, sympy.zoo) or value.is_infinite:
        return str(value)
    try:
        number = sympy.N(value, digits)
        if not number.is_Float:
            return sympy.sstr(number)
        text = mpmath.nstr(number._to_mpmath(int(digits * 3.33) + 8), digits)
    except (TypeError, ValueError):
        return sympy.sstr(value)
    if value.is_Rational:
        # digits that read as another number (1 - 1.5e-157 printed as 1.0) get the difference
        shown = sympy.Rational(text) if "e" not in text else sympy.Rational(sympy.Float(text, 30))
        if shown != value and shown != 0:
            gap = value - shown
            if abs(gap) < abs(shown) * sympy.Rational(1, 10**(digits + 1)):
                sign = "+" if gap > 0 else "-"
                return f"{text} {sign} {approx_str(abs(gap), 4)}"
    return text


def exact_str(value: sympy.Expr) -> str:
    if value.is_Float:  # a checked numeric value (see bounded): its digits, not 30 zeros
        return approx_str(value, 15)
    if value.is_Rational and max(abs(value.p), value.q).bit_length() > 200:
        return approx_str(value)  # a fraction of hundreds of digits helps nobody
    try:
        text = sympy.sstr(value)
    except ValueError:  # Python's limit on int-to-str digits
        return approx_str(value)
    return text if len(text) <= 60 else approx_str(value)


def _key(subs):
    # sympy objects are hashable, so the substitutions themselves key the cache
    return tuple(sorted(subs.items(), key=lambda kv: str(kv[0])))


class _Table:
    """Exact values of one closed form at fixed parameters, for x = low, low+1, ...; grows on
    demand and never recomputes a point (a pmf with unbounded support is extended by doubling)."""

    def __init__(self, expr: sympy.Expr, variable: sympy.Symbol, subs: dict):
        if expr.has(sympy.Sum) or _needs_the_variable(expr, variable):
            # never evaluate a sum, product or integer function of the variable while it is
            # still a symbol: sympy then tries a symbolic sum (minutes, and 0 for a sum bounded
            # by x). The values are only put in; point by point, after substituting x, it is a
            # plain finite sum, and each point is evaluated within the bounds
            with sympy.evaluate(False):
                self.at_params = expr.xreplace({k: sympy.sympify(v) for k, v in subs.items()})
        else:
            # substitute and expand the parameters once, not once per point (bounded: past the
            # bounds they are only put in, and every point is evaluated within the bounds)
            self.at_params = bounded(expr, subs, simplify=False)
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
            with np.errstate(all="ignore"):  # far out, a wrong cdf may overflow: no warnings
                values = np.asarray(precise(r), dtype=float)
        out = np.broadcast_to(values, r.shape)
        return np.clip(out, 0.0, 1.0)

    return cdf
