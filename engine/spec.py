"""What a puzzle is: a statement, parameters, quantities with closed forms, and a simulator.

A puzzle module builds one `Puzzle` from these pieces and names it `PUZZLE`. Everything
generic (validation, exact evaluation, simulation, statistics) lives in the engine; the
pieces here only hold data and check that the data makes sense.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import sympy

from .errors import InvalidParameter, InvalidPuzzleSpec

from .index import NAME_RE, unknown_parameter  # noqa: F401 -- beside the index: no sympy
from .values import (MAX_PARAMETER_DIGITS, NUMBER_RE, TooBig, check_exponent,  # noqa: F401
                     not_a_number, number_from_text, show_number, sized, too_many_digits)

# Outcome of one trial is named X unless a puzzle reports several random variables.
DEFAULT_OUTCOME = "X"


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Parameter:
    """One parameter. Bounds may be numbers or sympy expressions of other parameters.

    `min`/`max` are inclusive, `above`/`below` exclusive (`0 < p < 1` is above=0, below=1).
    """

    symbol: sympy.Symbol
    default: Any
    meaning: str = ""
    min: Any = None
    max: Any = None
    above: Any = None
    below: Any = None
    kind: str = "integer"
    even: bool = False

    @property
    def name(self) -> str:
        return self.symbol.name

    # -- describing the range -------------------------------------------------------------
    def range_text(self) -> str:
        """e.g. 'integer, 0 < k < n' or 'real, p > 0'."""
        name = self.name
        low = (f"{_show(self.min)} <= " if self.min is not None
               else f"{_show(self.above)} < " if self.above is not None else "")
        high = (f" <= {_show(self.max)}" if self.max is not None
                else f" < {_show(self.below)}" if self.below is not None else "")
        kind = f"even {self.kind}" if self.even else self.kind
        if low and high:
            return f"{kind}, {low}{name}{high}"
        if low:  # 'n >= 1' reads better than '1 <= n'
            op = ">=" if self.min is not None else ">"
            bound = self.min if self.min is not None else self.above
            return f"{kind}, {name} {op} {_show(bound)}"
        if high:
            return f"{kind}, {name}{high}"
        return kind

    # -- parsing and checking values ------------------------------------------------------
    def parse(self, raw: Any) -> sympy.Rational:
        """Turn a user's value (str, int, float, Fraction, sympy number) into an exact number.

        A value's numerator and denominator have at most MAX_PARAMETER_DIGITS digits: checked on
        the text before any big number is built (`1e999999999` would otherwise expand into a
        billion digits), and on numbers given in Python.
        """
        text = _number_text(raw)
        try:
            if isinstance(raw, (int, sympy.Integer)) and not isinstance(raw, bool):
                value = _sized(Fraction(int(raw)))
            elif isinstance(raw, float):
                if raw != raw or raw in (float("inf"), float("-inf")):
                    raise ValueError
                value = _sized(Fraction(repr(raw)))
            elif isinstance(raw, (Fraction, sympy.Rational)):
                value = _sized(Fraction(int(sympy.Rational(raw).p), int(sympy.Rational(raw).q)))
            else:  # text: the same reading as the index's check before any import
                value = _sized(number_from_text(str(raw)))
        except _TooBig:
            raise InvalidParameter(too_many_digits(self.name, text)) from None
        except (ValueError, ZeroDivisionError, TypeError):
            raise InvalidParameter(not_a_number(self.name, text, self.range_text())) from None
        if self.kind == "integer" and not value.is_Integer:
            raise InvalidParameter(f"{self.name}={text} must be {self.range_text()}")
        return value

    def check(self, value: sympy.Rational, values: Mapping[sympy.Symbol, Any]) -> None:
        """Raise InvalidParameter if `value` breaks this parameter's range (given the others)."""
        def bound(b):
            return sympy.nsimplify(sympy.sympify(b).subs(values))

        ok = True
        if self.min is not None and not value >= bound(self.min):
            ok = False
        if self.max is not None and not value <= bound(self.max):
            ok = False
        if self.above is not None and not value > bound(self.above):
            ok = False
        if self.below is not None and not value < bound(self.below):
            ok = False
        if self.even and value % 2 != 0:
            ok = False
        if not ok:
            others = _context(self, values)
            raise InvalidParameter(
                f"{self.name}={_show(value)} is out of range: {self.name} must be "
                f"{self.range_text()}{others}"
            )

    def bound_symbols(self) -> set:
        out = set()
        for b in (self.min, self.max, self.above, self.below):
            if b is not None:
                out |= sympy.sympify(b).free_symbols
        return out


# How a value's text is read (and how big it may be) lives in engine/values.py, without sympy:
# the index checks a value typed on the command line with it before importing anything.
_NUMBER_RE = NUMBER_RE
_TooBig = TooBig
_check_exponent = check_exponent


def _number_text(raw) -> str:
    """The value as the user gave it, for a message: clipped, large integers as 1e20."""
    from .errors import clip

    if isinstance(raw, (int, sympy.Integer)) and not isinstance(raw, bool):
        bits = abs(int(raw)).bit_length()
        return _show(int(raw)) if bits < 4000 else f"(an integer of {int(bits * 0.30103) + 1} digits)"
    return clip(str(raw).strip(), 40)


def parse_number(name: str, text: str) -> Fraction:
    """A decimal or fraction as the user typed it ('0.45', '1e6', '3/4'), exactly, within
    MAX_PARAMETER_DIGITS: InvalidParameter (one line) for anything else."""
    try:
        value = number_from_text(text)
    except _TooBig:
        raise InvalidParameter(too_many_digits(name, _number_text(text))) from None
    except (ValueError, ZeroDivisionError):
        raise InvalidParameter(not_a_number(name, _number_text(text) or "(empty)")) from None
    return value


def _sized(value: Fraction) -> sympy.Rational:
    value = sized(value)
    return sympy.Rational(value.numerator, value.denominator)


def Integer(symbol, default, meaning="", *, min=None, max=None, above=None, below=None,
            even=False) -> Parameter:
    return Parameter(symbol, default, meaning, min, max, above, below, "integer", even)


def Real(symbol, default, meaning="", *, min=None, max=None, above=None, below=None) -> Parameter:
    return Parameter(symbol, default, meaning, min, max, above, below, "real")


def _show(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, sympy.Integer)) and not isinstance(value, bool):
        return show_number(int(value))  # 10**20 reads as 1e20
    return str(value).replace("**", "^")


def _context(param: Parameter, values) -> str:
    used = sorted(param.bound_symbols(), key=str)
    if not used:
        return ""
    return " (" + ", ".join(f"{s}={_show(values[s])}" for s in used if s in values) + ")"


# --------------------------------------------------------------------------- quantities


@dataclass(frozen=True)
class Quantity:
    """A quantity of the puzzle and its closed form (None when nobody knows it yet).

    `of` names the simulator's outcome this quantity is about (see Puzzle.outcomes).
    """

    name: str
    closed_form: Any = None
    of: str | None = None
    variable: sympy.Symbol | None = None
    support: tuple | None = None
    discrete: bool = True

    @property
    def is_distribution(self) -> bool:
        return self.name in ("pmf", "cdf")


def Mean(closed_form=None, *, of=None) -> Quantity:
    return Quantity("mean", _sym(closed_form), of)


def Variance(closed_form=None, *, of=None) -> Quantity:
    return Quantity("variance", _sym(closed_form), of)


def Probability(closed_form=None, *, of=None) -> Quantity:
    """P(event); the simulator's outcome for it is 1 when the event happens, else 0."""
    return Quantity("probability", _sym(closed_form), of)


def Pmf(closed_form=None, variable=None, *, support=None, of=None) -> Quantity:
    """P(X = variable) for integer variable in support = (low, high); high may be sympy.oo.
    With no closed form yet: Pmf(None, x, support=(low, high)), estimated, not judged."""
    _need_variable_and_support("Pmf", variable, support)
    return Quantity("pmf", _sym(closed_form), of, variable, tuple(map(sympy.sympify, support)), True)


def Cdf(closed_form=None, variable=None, *, support=None, discrete=False, of=None) -> Quantity:
    """P(X <= variable) on support = (low, high); `discrete` for an integer-valued X.
    With no closed form yet: Cdf(None, x, support=(low, high)), estimated, not judged."""
    _need_variable_and_support("Cdf", variable, support)
    return Quantity("cdf", _sym(closed_form), of, variable, tuple(map(sympy.sympify, support)),
                    discrete)


def _need_variable_and_support(kind: str, variable, support) -> None:
    if not isinstance(variable, sympy.Symbol) or support is None or len(tuple(support)) != 2:
        raise InvalidPuzzleSpec(
            f"{kind} needs its variable and support even without a closed form: "
            f"{kind}(None, x, support=(low, high)), x a sympy symbol such as "
            f"symbols('x', integer=True)")


def _sym(expr):
    return None if expr is None else sympy.sympify(expr)


QUANTITY_NAMES = ("mean", "variance", "probability", "pmf", "cdf")


# --------------------------------------------------------------------------- the puzzle


@dataclass(frozen=True)
class Puzzle:
    name: str
    title: str
    statement: str
    parameters: Sequence[Parameter]
    quantities: Sequence[Quantity]
    simulate: Callable
    outcomes: Sequence[str] = (DEFAULT_OUTCOME,)
    constraints: Sequence[Any] = ()
    examples: Sequence[Mapping[str, Any]] = ()
    default_trials: int = 10_000_000
    # Expected uniform draws per trial of a naive literal simulator (a sympy expression of the
    # parameters): the random-number floor that benchmarks/throughput.py measures against.
    naive_draws: Any = None
    # Where each outcome can lie, when that is known: (low, high) for a puzzle with one outcome,
    # or {outcome: (low, high)}; sympy expressions of the parameters, oo for no bound. Bounded
    # outcomes get exact (non-asymptotic) confidence bands.
    bounds: Any = None
    source: str = field(default="", compare=False)

    def __post_init__(self):
        object.__setattr__(self, "parameters", tuple(self.parameters))
        object.__setattr__(self, "quantities", tuple(self.quantities))
        object.__setattr__(self, "outcomes", tuple(self.outcomes))
        object.__setattr__(self, "constraints", tuple(sympy.sympify(c) for c in self.constraints))
        object.__setattr__(self, "examples", tuple(dict(e) for e in self.examples))
        object.__setattr__(self, "bounds", _outcome_bounds(self.bounds, self.outcomes))
        self.validate()

    # -- lookup ---------------------------------------------------------------------------
    @property
    def module_name(self) -> str:
        return self.name.replace("-", "_")

    @property
    def symbols(self) -> dict[str, sympy.Symbol]:
        return {p.name: p.symbol for p in self.parameters}

    def quantity(self, name: str) -> Quantity:
        for q in self.quantities:
            if q.name == name:
                return q
        raise KeyError(name)

    def outcome_index(self, quantity: Quantity) -> int:
        return self.outcomes.index(quantity.of or self.outcomes[0])

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}

    def range_lines(self) -> list[str]:
        extra = ", ".join(_show(c) for c in self.constraints)
        return [p.range_text() + (f", {extra}" if extra and p.symbol in _free(self.constraints)
                                  else "") for p in self.parameters]

    # -- values ---------------------------------------------------------------------------
    def resolve(self, given: Mapping[str, Any] | None = None) -> dict[str, sympy.Rational]:
        """Defaults overlaid with `given`, parsed and range-checked: name -> exact number."""
        given = dict(given or {})
        known = self.symbols
        for key in given:
            if key not in known:
                raise InvalidParameter(unknown_parameter(self.name, key, known))
        exact: dict[sympy.Symbol, sympy.Rational] = {}
        for p in self.parameters:
            exact[p.symbol] = p.parse(given.get(p.name, p.default))
        # fixed bounds first, so that t=0 is blamed on t, not on l <= t
        for p in sorted(self.parameters, key=lambda p: len(p.bound_symbols())):
            p.check(exact[p.symbol], exact)
        for c in self.constraints:
            if not bool(c.subs(exact)):
                shown = ", ".join(f"{s}={_show(exact[s])}" for s in sorted(c.free_symbols, key=str))
                raise InvalidParameter(f"{shown} is out of range: need {_show(c)}")
        return {p.name: exact[p.symbol] for p in self.parameters}

    def as_given(self, given: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Each parameter's value for a message or a heading, as the user wrote it (z=1.96, not
        the 49/25 it is computed with): the text given, else the default as declared."""
        given = dict(given or {})
        return {p.name: _number_text(given[p.name]) if p.name in given else _show(p.default)
                for p in self.parameters}

    def kernel_args(self, values: Mapping[str, sympy.Rational]) -> tuple:
        """Parameter values as the simulator takes them: int for integers, float for reals.

        A compiled simulator takes 64-bit integers: a larger value (fine for the closed forms)
        is refused here, with one line, not left to overflow inside the kernel.
        """
        out = []
        for p in self.parameters:
            value = values[p.name]
            if p.kind == "integer":
                if not -2**63 <= int(value) < 2**63:
                    raise InvalidParameter(
                        f"{p.name}={_show(value)} is too large to simulate: the simulator takes "
                        f"integers below 2^63 (about 9.2e18); `puzzles show {self.name} --answer` "
                        f"still gives the exact answers")
                out.append(int(value))
            else:
                out.append(float(value))
        return tuple(out)

    # -- validation -----------------------------------------------------------------------
    def validate(self) -> None:
        def fail(msg):
            raise InvalidPuzzleSpec(f"puzzle {self.name!r}: {msg}")

        if not isinstance(self.name, str) or not NAME_RE.match(self.name):
            fail("name must be lowercase words joined by hyphens, like 'dice-sum'")
        if not self.title or not self.statement:
            fail("needs a one-line title and a statement")
        if not self.quantities:
            fail("declares no quantities: add at least one of Mean, Variance, Probability, Pmf, Cdf")
        # types first: every later check reads attributes that only these types have
        for p in self.parameters:
            if not isinstance(p, Parameter):
                fail(f"{p!r} is not a parameter: use Integer(...) or Real(...)")
            if not isinstance(p.symbol, sympy.Symbol):
                fail(f"parameter {p.symbol!r} must be a sympy symbol, "
                     f"e.g. {p.symbol} = sympy.symbols({str(p.symbol)!r}, integer=True)")
        for q in self.quantities:
            if not isinstance(q, Quantity) or q.name not in QUANTITY_NAMES:
                fail(f"{q!r} is not a quantity: use Mean, Variance, Probability, Pmf or Cdf")
        for p in self.parameters:
            _check_assumptions(p, fail)
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            fail(f"parameter names repeat: {names}")
        if len(set(q.name for q in self.quantities)) != len(self.quantities):
            fail("each quantity may appear once")
        if not self.outcomes or len(set(self.outcomes)) != len(self.outcomes):
            fail("outcomes must be distinct names")
        declared = {p.symbol for p in self.parameters}
        for p in self.parameters:
            if p.bound_symbols() - declared:
                fail(f"the range of {p.name} uses undeclared names "
                     f"{sorted(map(str, p.bound_symbols() - declared))}")
        for c in self.constraints:
            if c.free_symbols - declared:
                fail(f"constraint {c} uses undeclared names {sorted(map(str, c.free_symbols - declared))}")
        for outcome, (low, high) in self.bounds.items():
            extra = (low.free_symbols | high.free_symbols) - declared
            if extra:
                fail(f"the bounds of {outcome} use undeclared names {sorted(map(str, extra))}; "
                     f"bounds may use only the parameters")
        for q in self.quantities:
            if (q.of or self.outcomes[0]) not in self.outcomes:
                fail(f"{q.name} is of {q.of!r}, which is not one of the outcomes {list(self.outcomes)}")
            allowed = declared | ({q.variable} if q.variable is not None else set())
            if q.closed_form is not None:
                _refuse_floats(q, fail)
                extra = q.closed_form.free_symbols - allowed
                if extra:
                    fail(f"the closed form of {q.name} uses undeclared names "
                         f"{sorted(map(str, extra))}; declare them as parameters")
            for bound in q.support or ():
                extra = bound.free_symbols - declared
                if extra:
                    fail(f"the support of {q.name} uses undeclared names "
                         f"{sorted(map(str, extra))}; bounds may use only the parameters")
        try:
            self.resolve()
        except InvalidParameter as exc:
            fail(f"a default is invalid: {exc}")
        for ex in self.examples:
            try:
                self.resolve(ex)
            except InvalidParameter as exc:
                fail(f"example {ex} is invalid: {exc}")
        self._validate_simulator(fail)

    def _validate_simulator(self, fail) -> None:
        sim = self.simulate
        if not hasattr(sim, "py_func") or not hasattr(sim, "targetoptions"):
            fail("simulate must be a numba-jitted kernel: decorate it with "
                 "@numba.njit(cache=True, nogil=True)")
        import inspect

        try:
            sig = inspect.signature(sim.py_func)
        except (TypeError, ValueError):
            fail("cannot read the simulator's signature")
        wanted = ["rng", "trials"] + [p.name for p in self.parameters]
        got = list(sig.parameters)
        if got != wanted:
            fail(f"simulate must take ({', '.join(wanted)}): rng, trials, then the parameters "
                 f"in the order they are declared; it takes ({', '.join(got)})")


def _check_assumptions(p: Parameter, fail) -> None:
    """A symbol declared positive (or nonnegative) lets sympy simplify with that in mind --
    0**n becomes 0 for a positive n -- so a range that allows n=0 (or a negative n) would give
    wrong exact values there. Refused, saying which value breaks the declaration."""
    sym = p.symbol
    wanted = ("positive", lambda v: v > 0) if sym.is_positive else \
        ("nonnegative", lambda v: v >= 0) if sym.is_nonnegative else None
    if wanted is None:
        return
    word, ok = wanted
    low = p.min if p.min is not None else None
    try:
        low = sympy.sympify(low) if low is not None else None
    except (TypeError, ValueError, sympy.SympifyError):
        low = None
    bad = None
    if low is not None and low.is_number and not ok(low):
        bad = low
    elif p.min is None and p.above is None:
        bad = "any value"
    if bad is not None:
        shown = (f"{p.name}={_show(bad)}" if bad != "any value" else
                 "values <= 0" if word == "positive" else "negative values")
        fail(f"{p.name} is declared {word}=True, but its range allows {shown}: sympy simplifies "
             f"with {p.name} {'> 0' if word == 'positive' else '>= 0'} in mind (0**{p.name} "
             f"becomes 0), so exact values there would be wrong; drop {word}=True from its "
             f"symbols(...) or narrow the range")


def _refuse_floats(q: Quantity, fail) -> None:
    """A float in a closed form (1/4 in Python is 0.25) is inexact: the exact answer would be
    judged against a rounded one. Refused, with the exact spelling to use instead."""
    floats = sorted(q.closed_form.atoms(sympy.Float), key=float)
    if floats:
        f = floats[0]
        r = sympy.nsimplify(f, rational=True)
        exact = f"Rational({r.p}, {r.q})" if r.q != 1 else f"Integer({r.p})"
        fail(f"the closed form of {q.name} contains the float {float(f):g}, which is inexact: "
             f"write {exact} (in Python 1/4 is the float 0.25; Rational(1, 4) is exact)")


def _outcome_bounds(bounds, outcomes) -> dict:
    """{outcome: (low, high)} as sympy expressions, from a pair or a mapping (None: no bounds)."""
    if bounds is None:
        return {}
    if not isinstance(bounds, Mapping):
        if len(outcomes) != 1:
            raise InvalidPuzzleSpec(f"bounds=(low, high) is for one outcome; with outcomes "
                                    f"{list(outcomes)} give {{outcome: (low, high)}}")
        bounds = {outcomes[0]: bounds}
    out = {}
    for outcome, pair in bounds.items():
        if outcome not in outcomes:
            raise InvalidPuzzleSpec(f"bounds name {outcome!r}, which is not one of the outcomes "
                                    f"{list(outcomes)}")
        try:
            low, high = (sympy.sympify(v) for v in pair)
        except (TypeError, ValueError, sympy.SympifyError):
            raise InvalidPuzzleSpec(f"bounds of {outcome} must be a pair (low, high)") from None
        out[outcome] = (low, high)
    return out


def _free(exprs) -> set:
    out = set()
    for e in exprs:
        out |= e.free_symbols
    return out
