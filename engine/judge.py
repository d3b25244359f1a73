"""check(): judge a user's own formulas against the closed forms (or the simulation).

A claim (engine.claims) is a declared quantity (`mean=2*a*b/(a+b-1)`) or any statistic of an
outcome (`E[X^3]=...`, `P(X >= 3 | X > 0)=...`, `P(X = k)=...`, `median=...`). Its truth comes
from the closed forms when they determine it (engine.law: the declared closed form itself, or the
outcome's law -- pmf, cdf, or the 0/1 law of a probability -- or the mean and variance), else
from the simulation (engine.per_trial measures the statistic on every trial); each result says
which.

A claim that mentions parameters is a claim for every valid parameter value (or, with some
parameters given, for the sub-family with those fixed): it is compared exactly with the truth at
the defaults, at edge values, small, large and seeded random values, and the first point where
they differ is the counterexample. sympy is also asked to simplify claim - truth to zero, which
upgrades "correct at every point tried" to "proved", when the truth has a formula. A claim that
is a plain number is a claim at the given parameter values only. Every evaluation is bounded
(claims.bounded_value): a point whose numbers would be too big to compute exactly is skipped.
"""

from __future__ import annotations

import contextvars
import dataclasses
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import sympy

from . import exact as ex
from . import law
from .claims import (LIMITS, Limits, Statistic, TooBig, bounded_value,
                     parse_expression, parse_left, split_claim)
from .claim_text import AS_STATISTIC, check_sides, in_claim, is_unknown_quantity, unknown_quantity
from .options import as_count, as_trials
from .errors import InvalidClaim, InvalidOption, InvalidParameter, clip, did_you_mean
from .registry import get_puzzle
from .spec import Puzzle, Quantity
from .verify import DEFAULT_RTOL, DEFAULT_SEED, check_options, verify

SWEEP_POINTS = 40          # parameter points for a scalar claim
DISTRIBUTION_POINTS = 12   # parameter points for a pmf / cdf claim (each a grid of x)
GRID_SIZE = 24             # values of x (or r) per parameter point
SYMBOLIC_SECONDS = 2.0     # budget for sympy to prove claim == truth
# away from the user's own point, a point whose sums need more terms than this is skipped
SWEEP_LIMITS = Limits(terms=1000)
SWEEP_SECONDS = 3.0        # budget for the parameter points (after the first five)
RANDOM_SPAN = 40           # random integer values are drawn within this distance of the lowest


@dataclass
class ClaimResult:
    quantity: str
    expression: str            # the claim as the user wrote it
    parsed: str                # as sympy reads it
    against: str               # 'exact' or 'simulation'
    correct: bool | None       # None: against simulation, not settled either way
    proved: bool = False       # sympy simplified claim - truth to 0
    points: int = 0            # parameter points compared
    message: str = ""
    counterexample: dict | None = None
    simulation: dict | None = None   # the verify row when against simulation
    source: str = ""                 # what judged it: a closed form, the law, the simulation
    notes: list = field(default_factory=list)   # how the claim was read ('ab' as a*b), ...

    @property
    def status(self) -> str:
        if self.against == "simulation":
            return {True: "agree", False: "disagree"}.get(self.correct, "inconclusive")
        return "correct" if self.correct else "WRONG"

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["status"] = self.status
        return out


@dataclass
class CheckReport:
    puzzle: str
    params: dict
    seed: int
    claims: list
    simulation: Any = None     # the verify Report when some claim went against simulation
    given: dict | None = None  # the parameters as the user wrote them (z=1.96), for headings

    @property
    def wrong(self) -> int:
        return sum(c.correct is False for c in self.claims)

    @property
    def verdict(self) -> str:
        if self.wrong:
            return "wrong"
        if any(c.correct is None for c in self.claims):
            return "inconclusive"
        # a simulation agreeing at these parameters is no proof for all of them: never "correct"
        return "agree" if any(c.against == "simulation" for c in self.claims) else "correct"

    @property
    def exit_code(self) -> int:
        return {"wrong": 1, "inconclusive": 3}.get(self.verdict, 0)

    def to_dict(self) -> dict:
        return {"puzzle": self.puzzle, "params": {k: _plain(v) for k, v in self.params.items()},
                "seed": self.seed, "verdict": self.verdict, "wrong": self.wrong,
                "claims": [c.to_dict() for c in self.claims]}

    def summary_table(self):
        """The table the CLI prints, as data (engine.table.Table)."""
        from .table import Table

        shown = self.given or self.params
        head = f"{self.puzzle}  " + " ".join(f"{k}={v}" for k, v in shown.items())
        rows = [(_clip(c.quantity, 40), _clip(c.parsed, 40), _clip(c.source.replace("exact: ", ""), 32),
                 f"{c.status}: {c.message}") for c in self.claims]
        notes = list(dict.fromkeys(f"note: {c.quantity}: {n}" for c in self.claims for n in c.notes))
        if self.simulation is not None:  # the run's own: a time budget hit, threads capped
            notes += [f"note: {n}" for n in self.simulation.notes]
        count = (f"{self.wrong} of {_plural(len(self.claims), 'claim')}" if self.wrong
                 else _plural(len(self.claims), 'claim'))
        if self.verdict == "agree":
            where = " ".join(f"{k}={v}" for k, v in shown.items())
            count += (f"; with the simulation{' at ' + where if where else ''}, not a proof for "
                      f"other parameters" if where else "; with the simulation")
        return Table(head, ("claim", "expression", "judged by", "result"), rows,
                     [c.status for c in self.claims], self.verdict, f" ({count})", notes)

    def format(self) -> str:
        return self.summary_table().text()

    def __str__(self) -> str:
        return self.format()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """Jupyter: the table with coloured results; the picture too when some claim was
        judged against simulation (and matplotlib is installed)."""
        png = None
        if self.simulation is not None:
            from .plot import report_png

            png = report_png(self.simulation, reference="claim", verdict=self.verdict)
        return self.summary_table().html(png, alt=f"{self.puzzle}: claims against simulation")

    def to_frame(self):
        """A pandas DataFrame, one row per claim (index: quantity): the claim, its status,
        `correct` (a nullable boolean: <NA> when not settled), the counterexample (`at`,
        `claimed`, `truth`) or, against simulation, the estimate and its band."""
        from .report import quantities_frame

        rows = []
        for c in self.claims:
            ce, sim = c.counterexample or {}, c.simulation or {}
            at = None
            if ce:
                where = {**ce.get("params", {}), **(ce.get("variable") or {})}
                at = ", ".join(f"{k}={v}" for k, v in where.items())
            rows.append({"quantity": c.quantity, "expression": c.expression, "parsed": c.parsed,
                         "against": c.against, "status": c.status, "correct": c.correct,
                         "proved": c.proved, "points": c.points, "at": at, "judged_by": c.source,
                         # the claim's value: at the counterexample, or as simulated against
                         "claimed": ce.get("claimed", sim.get("exact")), "truth": ce.get("truth"),
                         "estimate": sim.get("estimate"), "ci_low": sim.get("ci_low"),
                         "ci_high": sim.get("ci_high"), "p_value": sim.get("p_value"),
                         "message": c.message})
        return quantities_frame(rows, _ClaimRow, index="quantity")

    def plot(self, path=None):
        """Draw the claims beside the simulation: into `path` (a .png), or, with no path,
        return the matplotlib Figure."""
        if self.simulation is None:
            raise InvalidOption("a plot needs a claim judged against simulation (--against simulation)")
        from .plot import plot_report

        # the badge in check's words: 'wrong' where the table says so
        return plot_report(self.simulation, path, reference="claim", verdict=self.verdict)


class _ClaimRow:
    """The dtypes of CheckReport.to_frame()'s columns (see report.quantities_frame)."""

    correct: bool | None
    proved: bool
    points: int
    claimed: float | None
    truth: float | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


def _plain(v):
    return int(v) if getattr(v, "is_Integer", False) else str(v)


def _trials_text(n: int) -> str:
    """19,000,000 -> '19 M trials'."""
    return f"{n / 1e6:.3g} M trials" if n >= 1_000_000 else f"{n:,} trials"


def _sstr(expr, text: str | None = None) -> str:
    shown = sympy.sstr(expr).replace("**", "^")
    if text is not None and getattr(expr, "is_Rational", False) and len(shown) > len(text.strip()):
        return text.strip()  # 0.8085213615694751390786 as typed, not a fraction of 10^22
    return shown


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------------- parsing claims


@dataclass
class Claim:
    """One claim as parsed: an old-style quantity (`mean=...`) or a statistic (`E[X^3]=...`)."""

    label: str                        # what is claimed, as shown: 'mean', 'E[X^3]', 'P(X >= 3)'
    text: str                         # the right side as the user wrote it
    expr: sympy.Expr                  # the right side, parsed
    quantity: Quantity | None = None  # a declared quantity
    stat: Statistic | None = None     # or a statistic of an outcome
    free: dict = field(default_factory=dict)   # the law's variable: name -> symbol
    notes: list = field(default_factory=list)


def outcome_symbols(puzzle: Puzzle) -> dict:
    """name -> symbol of each outcome; X too for a puzzle with one outcome named otherwise."""
    out = {name: sympy.Symbol(name, real=True) for name in puzzle.outcomes}
    if len(puzzle.outcomes) == 1 and "X" not in out and "X" not in puzzle.symbols:
        out["X"] = out[puzzle.outcomes[0]]
    return out


# an undeclared quantity name is read as the statistic it stands for
_AS_STATISTIC = AS_STATISTIC  # (engine/claim_text.py: the CLI's precheck reads it too)


def parse_claims(puzzle: Puzzle, claims) -> list[Claim]:
    """Claims as {'mean': '2*a'} or ['mean=2*a', 'P(X>=3)=1/2', ...] -> Claim objects."""
    if isinstance(claims, str):
        claims = [claims]
    items = list(claims.items()) if isinstance(claims, Mapping) else [split_claim(c) for c in claims]
    if not items:
        raise InvalidClaim("no claims given: write QUANTITY=EXPRESSION, e.g. mean=2*a*b/(a+b-1)")
    declared = {q.name: q for q in puzzle.quantities}
    outcomes = outcome_symbols(puzzle)
    functions = puzzle_functions(puzzle)
    parsed = []
    for left, text in items:
        left = str(left).strip()
        check_sides(left, text)  # these errors are worded in engine/claim_text.py, for the CLI too
        try:
            if left in declared:
                q = declared[left]
                names = dict(puzzle.symbols)
                if q.variable is not None:
                    names[q.variable.name] = q.variable
                notes: list = []
                expr = parse_expression(str(text), names, functions, notes)
                parsed.append(Claim(left, str(text), expr, quantity=q, notes=notes))
                continue
            stat_text = left
            if left in _AS_STATISTIC:
                variable = "x" if "x" not in puzzle.symbols else "k"
                stat_text = _AS_STATISTIC[left].format(X=puzzle.outcomes[0], x=variable)
            elif is_unknown_quantity(left):
                raise unknown_quantity(left, puzzle.name, declared, puzzle.outcomes[0])
            stat, free = parse_left(stat_text, puzzle.symbols, outcomes, functions)
            stat.outcome = _outcome_of(puzzle, stat, outcomes)
            names = {**puzzle.symbols, **free}
            notes = []
            expr = parse_expression(str(text), names, functions, notes)
            parsed.append(Claim(stat.label() if left not in _AS_STATISTIC else left, str(text),
                                expr, stat=stat, free=free, notes=notes))
        except InvalidClaim as exc:
            raise in_claim(left, text, exc) from None
    return parsed


def _outcome_of(puzzle: Puzzle, stat: Statistic, outcomes: dict) -> sympy.Symbol:
    used = {s for s in stat.free_symbols() if s in set(outcomes.values())}
    if stat.outcome is not None:
        used.add(stat.outcome)
    if len(used) > 1:
        raise InvalidClaim(f"{stat.label()} involves {', '.join(sorted(map(str, used)))}: a claim "
                           "may be about one outcome at a time")
    if used:
        return used.pop()
    if stat.kind in ("E", "Var", "SD", "P"):
        names = ", ".join(dict.fromkeys(outcomes))
        raise InvalidClaim(f"{stat.label()} does not mention the outcome (of {puzzle.name}: "
                           f"{names})")
    events = {q.of or puzzle.outcomes[0] for q in puzzle.quantities if q.name == "probability"}
    plain = [o for o in puzzle.outcomes if o not in events]
    if len(plain) == 1:  # a median of the statement's variable, not of a 0/1 event
        return outcomes[plain[0]]
    if len(puzzle.outcomes) > 1:
        raise InvalidClaim(f"{puzzle.name} has outcomes {', '.join(puzzle.outcomes)}: name the "
                           f"one you mean, e.g. median({puzzle.outcomes[0]})")
    return outcomes[puzzle.outcomes[0]]


def puzzle_functions(puzzle: Puzzle) -> dict:
    """Sympy functions a puzzle defines for its own closed forms (trusted code, not user
    input), so that a closed form's printed text parses back."""
    found = {}
    for q in puzzle.quantities:
        if q.closed_form is not None:
            for f in q.closed_form.atoms(sympy.Function):
                cls = type(f)
                if cls.__module__ not in ("sympy",) and not cls.__module__.startswith("sympy."):
                    found[cls.__name__] = cls
    return found


# --------------------------------------------------------------------------- parameter sweep

# large values of an unbounded integer parameter, tried where exact evaluation stays cheap
LARGE_VALUES = (52, 64, 100, 257, 1000, 10 ** 4, 10 ** 6)


def sweep_points(puzzle: Puzzle, given: dict, seed: int, count: int,
                 fixed: Iterable[str] = ()) -> list[dict]:
    """Valid parameter points, simplest first: defaults, the given point, edges, small, large,
    random. Parameters named in `fixed` keep their given value (a claim about a sub-family)."""
    rng = random.Random(seed)
    fixed = {k: given[k] for k in fixed if k in given}
    candidates: list[dict] = [dict(puzzle.defaults), dict(given)]
    candidates += [dict(e) for e in puzzle.examples]
    styles = ("low", "low+1", "high", "small") * 3 + ("large",) * 6 + ("random",) * (4 * count)
    for style in styles:
        candidates.append(_candidate(puzzle, style, rng))
    points, seen = [], set()
    for cand in candidates:
        try:
            values = puzzle.resolve({**puzzle.defaults, **cand, **fixed})
        except (InvalidParameter, TypeError, ValueError):
            continue
        key = tuple(values.items())
        if key not in seen:
            seen.add(key)
            points.append(values)
        if len(points) >= count:
            break
    return points


def _candidate(puzzle: Puzzle, style: str, rng: random.Random) -> dict:
    """One proposal; parameters are drawn in order so later bounds can use earlier values."""
    values: dict[sympy.Symbol, Any] = {}
    large_one = None
    if style == "large":
        unbounded = [p for p in puzzle.parameters if p.kind == "integer" and p.max is None
                     and p.below is None]
        if unbounded:
            large_one = rng.choice(unbounded).name
    for p in puzzle.parameters:
        low = _bound(p.min, values, 0) if p.min is not None else _bound(p.above, values, 1)
        high = _bound(p.max, values, 0) if p.max is not None else _bound(p.below, values, -1)
        if p.kind == "integer":
            lo = int(sympy.ceiling(low)) if low is not None else -RANDOM_SPAN
            hi = int(sympy.floor(high)) if high is not None else lo + RANDOM_SPAN
            if hi < lo:
                hi = lo
            pick = {"low": lo, "low+1": lo + 1, "high": hi,
                    "small": rng.randint(lo, min(hi, lo + 4))}.get(style)
            if style == "large":
                if p.name == large_one:
                    pick = max(lo, rng.choice(LARGE_VALUES))
                elif high is None:
                    pick = rng.randint(lo, lo + 6)
                else:  # bounded by others (k < n): anywhere in its range
                    hi_all = int(sympy.floor(high)) if high is not None else lo
                    pick = rng.randint(lo, max(lo, hi_all))
            if pick is None:
                pick = rng.randint(lo, min(hi, lo + RANDOM_SPAN))
            if p.even and pick % 2:
                pick += 1
            value = sympy.Integer(pick)
        else:
            lo = sympy.Rational(low) if low is not None else sympy.Integer(-10)
            hi = sympy.Rational(high) if high is not None else lo + 10
            eps = (hi - lo) / 100
            pick = {"low": lo + eps, "low+1": lo + 2 * eps, "high": hi - eps,
                    "small": lo + (hi - lo) * sympy.Rational(rng.randint(1, 9), 10)}.get(style)
            if pick is None:
                pick = lo + (hi - lo) * sympy.Rational(rng.randint(1, 999), 1000)
            value = sympy.Rational(pick)
        values[p.symbol] = value
    return {s.name: v for s, v in values.items()}


def _bound(bound, values, nudge):
    """An inclusive numeric bound: exclusive integer bounds are nudged by one."""
    if bound is None:
        return None
    try:
        v = sympy.sympify(bound).subs(values)
    except (TypeError, ValueError):
        return None
    if not v.is_number:
        return None
    return v + nudge if v.is_Integer and nudge else v


# --------------------------------------------------------------------------- comparing


def _same(claim_value: sympy.Expr, truth: sympy.Expr, error=0) -> bool:
    if error == 0 and claim_value.is_Rational and truth.is_Rational:
        return claim_value == truth
    if claim_value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or truth.has(sympy.nan, sympy.zoo):
        return False
    try:
        c, t = complex(sympy.N(claim_value, 60)), complex(sympy.N(truth, 60))
        if error:
            diff = abs(sympy.N(claim_value - truth, 60))
            return bool(diff <= error * 2 + sympy.Rational(1, 10 ** 45))
        # irrational values: equal to 45 significant digits (far beyond any float)
        diff = abs(sympy.N(claim_value - truth, 60))
        return bool(diff <= sympy.Rational(1, 10 ** 45) * max(1, abs(t)))
    except (TypeError, ValueError):
        return False


def _decimal(value: sympy.Expr, digits: int) -> str:
    """value to `digits` significant digits, as mpmath prints it (no underflow to 0)."""
    import mpmath

    with mpmath.workdps(digits + 10):
        return mpmath.nstr(mpmath.mpf(sympy.N(value, digits + 10)), digits, min_fixed=-4,
                           max_fixed=digits + 1)


def _show_value(value: sympy.Expr, digits: int = 6) -> str:
    if value.has(sympy.nan, sympy.zoo) or value.is_infinite:
        return "undefined (division by zero?)"
    text = ex.exact_str(value)
    try:
        shown = _decimal(value, digits)
    except (TypeError, ValueError):
        return text
    if ex.is_plain_number(text) and not value.is_Rational:
        text = shown
    if text == shown or (ex.is_plain_number(text) and digits <= 6 and value.is_Integer):
        return text
    if ex.is_plain_number(text):
        return shown
    return f"{text} = {shown}" if len(text) <= 40 else shown


def _show_pair(c: sympy.Expr, t: sympy.Expr) -> tuple[str, str]:
    """The claimed and true values with enough digits to see that they differ."""
    for digits in (6, 10, 15, 20, 30, 40, 50):
        try:
            if _decimal(c, digits) != _decimal(t, digits):
                return _show_value(c, digits), _show_value(t, digits)
        except (TypeError, ValueError):
            break
    return _show_value(c, 50), _show_value(t, 50)


def _grid(puzzle: Puzzle, q: Quantity, values) -> list:
    subs = ex.substitutions(puzzle, values)
    low, high = (bounded_value(b, subs) for b in q.support)
    return _variable_grid(low, high, q.discrete)


def _variable_grid(low, high, discrete: bool) -> list:
    if discrete:
        low = int(sympy.floor(low))
        top = low + GRID_SIZE - 1 if not high.is_finite else min(int(sympy.floor(high)), low + 199)
        return [sympy.Integer(k) for k in range(low, top + 1)]
    if not (low.is_finite and high.is_finite):
        # an unbounded support (post-office's T on (0, oo)): points at doubling distances from
        # the finite end, 2^-4 .. 2^(GRID_SIZE-6), plus the end itself
        if not low.is_finite and not high.is_finite:
            low = sympy.Integer(0)
            return [low] + [sign * sympy.Integer(2) ** k for k in range(-4, GRID_SIZE // 2 - 4)
                            for sign in (1, -1)]
        end, sign = (low, 1) if low.is_finite else (high, -1)
        return [end] + [end + sign * sympy.Integer(2) ** k for k in range(-4, GRID_SIZE - 5)]
    steps = [sympy.Rational(i, GRID_SIZE - 1) for i in range(GRID_SIZE)]
    return [low + (high - low) * s for s in steps] + [low + (high - low) * sympy.Rational(1, 7)]


def _evaluate(expr: sympy.Expr, subs: dict, limits=None) -> sympy.Expr:
    """Bounded exact value (TooBig passes through); nan when undefined."""
    try:
        value = bounded_value(expr, subs, limits or LIMITS)
        if isinstance(value, sympy.Expr) and value.has(sympy.Sum, sympy.Product):
            value = value.doit()
        return value
    except TooBig:
        raise
    except (ZeroDivisionError, ValueError, TypeError, AttributeError, RecursionError):
        return sympy.nan


def _symbolic_zero(difference: sympy.Expr) -> bool:
    """True when sympy proves the difference is 0 within SYMBOLIC_SECONDS (never False-positive):
    first the cheap rational normal form, then simplify."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        return False  # no way to bound sympy's time here; the numeric sweep still decides

    def timeout(_signum, _frame):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, SYMBOLIC_SECONDS)
    try:
        if sympy.cancel(difference) == 0:
            return True
        return sympy.simplify(difference) == 0
    except Exception:  # TimeoutError, or sympy giving up: not proved
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# The parameters of the check being judged, as the user wrote them: name -> (exact value, text).
# A counterexample at the user's own point then reads z=1.96, as typed, not 49/25.
_AS_GIVEN: contextvars.ContextVar[dict] = contextvars.ContextVar("as_given", default={})


def _where(values: dict, extra: dict | None = None) -> str:
    given = _AS_GIVEN.get()
    parts = [f"{k}={given[k][1] if k in given and given[k][0] == v else v}"
             for k, v in values.items()]
    parts += [f"{k}={v}" for k, v in (extra or {}).items()]
    return ", ".join(parts)


def _params_mentioned(puzzle: Puzzle, claim: Claim) -> bool:
    return bool(claim.expr.free_symbols & set(puzzle.symbols.values()))


def _points(puzzle, claim, given, seed, fixed, distribution):
    if not _params_mentioned(puzzle, claim):
        return [given], False
    count = DISTRIBUTION_POINTS if distribution else SWEEP_POINTS
    points = sweep_points(puzzle, given, seed, count, fixed)
    if not points or points[0] != given:  # the user's own point comes first
        points = [given] + [p for p in points if p != given]
    return points, True


def _wrong(result: ClaimResult, values, extra, c, t, how=""):
    shown_c, shown_t = _show_pair(c, t)
    result.correct = False
    result.counterexample = {
        "params": {k: _plain(v) for k, v in values.items()},
        "variable": {str(k): str(v) for k, v in extra.items()} or None,
        "claimed": _float_or_none(c), "claimed_str": ex.exact_str(c),
        "truth": _float_or_none(t), "truth_str": ex.exact_str(t)}
    where = _where(values, extra)
    at = f"at {where} " if where else ""  # a puzzle may have no parameters
    result.message = f"{at}it gives {shown_c}, the truth is {shown_t}"
    return result


def _judge_exact(puzzle: Puzzle, claim: Claim, given: dict, seed: int,
                 fixed=()) -> ClaimResult:
    """A declared quantity's claim against its closed form, at every parameter point tried."""
    q = claim.quantity
    truth = q.closed_form
    points, general = _points(puzzle, claim, given, seed, fixed, q.is_distribution)
    result = ClaimResult(claim.label, claim.text, _sstr(claim.expr, claim.text), "exact", True,
                         source=f"the {q.name}'s closed form", notes=list(claim.notes))
    start = time.perf_counter()
    tried = skipped = 0
    for values in points:
        if tried + skipped >= 5 and time.perf_counter() - start > SWEEP_SECONDS:
            break
        subs = ex.substitutions(puzzle, values)
        try:
            grid = _grid(puzzle, q, values) if q.is_distribution else [None]
            for point in grid:
                at = dict(subs) if point is None else {**subs, q.variable: point}
                limits = None if values == given else SWEEP_LIMITS
                t = _evaluate(truth, at, limits)
                c = _evaluate(claim.expr, at, limits)
                if not _same(c, t):
                    extra = {} if point is None else {q.variable: point}
                    result.points = tried + 1
                    return _wrong(result, values, extra, c, t)
        except TooBig as exc:
            if values == given:
                raise _too_big(claim, exc) from None
            skipped += 1
            continue
        tried += 1
    result.points = tried
    return _finish_correct(puzzle, result, claim, given, general, tried, skipped,
                           lambda: claim.expr - truth, "the closed form")


def _too_big(claim: Claim, exc: TooBig) -> InvalidClaim:
    """The claim cannot be evaluated at the user's own point: one line naming the claim."""
    return InvalidClaim(f"claim {clip(claim.label, 30)}={_clip(claim.text, 40)}: {exc}")


def _finish_correct(puzzle, result, claim, given, general, tried, skipped, difference,
                    what="the truth"):
    names = ", ".join(n for n in puzzle.symbols)
    skip = (f"; {skipped} more skipped, too big or too slow to evaluate exactly" if skipped
            else "")
    if general:
        diff = difference() if difference is not None else None
        result.proved = diff is not None and _symbolic_zero(diff)
        result.message = (f"equals {what} for all {names}" if result.proved else
                          f"equals {what} at all {tried} parameter points tried{skip} "
                          f"(not proved in general)")
    else:
        where = " ".join(f"{k}={v}" for k, v in given.items())
        result.message = f"equals the exact value at {where}" if where else "equals the exact value"
    return result


def _float_or_none(v):
    try:
        return ex.to_float(v)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- statistics, exactly


def _stat_grid(puzzle: Puzzle, claim: Claim, values) -> list:
    """Values of the claim's free variable at one parameter point ([{}] when it has none)."""
    if not claim.free:
        return [{}]
    (var,) = claim.free.values()
    outcome = claim.stat.outcome.name
    qs = [q for q in puzzle.quantities if (q.of or puzzle.outcomes[0]) == outcome
          and q.support is not None]
    subs = ex.substitutions(puzzle, values)
    uses_threshold = claim.stat.kind == "P"
    if qs and uses_threshold:
        q = qs[0]
        low, high = (bounded_value(b, subs) for b in q.support)
        grid = _variable_grid(low, high, q.discrete)
    elif puzzle.bounds.get(outcome) and uses_threshold:
        low, high = (bounded_value(b, subs) for b in puzzle.bounds[outcome])
        grid = _variable_grid(low, high, False)
    else:
        grid = [sympy.Integer(k) for k in range(0, 7)]
    return [{var: g} for g in grid]


def _judge_statistic_exact(puzzle: Puzzle, claim: Claim, given: dict, seed: int,
                           fixed=()) -> ClaimResult | None:
    """A statistic's claim against what the closed forms say (None: they do not settle it at
    the given point, so the simulation must)."""
    stat = claim.stat
    points, general = _points(puzzle, claim, given, seed, fixed, bool(claim.free))
    result = ClaimResult(claim.label, claim.text, _sstr(claim.expr, claim.text), "exact", True,
                         notes=list(claim.notes))
    cache: dict = {"seconds": law.GIVEN_SECONDS}
    start = time.perf_counter()
    tried = skipped = 0
    sources = set()
    quantile_message = None
    symbolic = law.symbolic_truth(puzzle, stat, claim.free)
    for values in points:
        if tried + skipped >= 5 and time.perf_counter() - start > SWEEP_SECONDS:
            break
        subs = ex.substitutions(puzzle, values)
        try:
            for extra in _stat_grid(puzzle, claim, values):
                at = {**subs, **extra}
                c = _evaluate(claim.expr, at, None if values == given else SWEEP_LIMITS)
                if stat.kind in ("median", "quantile"):
                    ok, message, how = law.quantile_check(puzzle, stat, values, c, cache)
                    sources.add(how)
                    if values == given:
                        quantile_message = message
                    if not ok:
                        result.correct = False
                        result.points = tried + 1
                        result.counterexample = {"params": {k: _plain(v) for k, v in values.items()},
                                                 "claimed": _float_or_none(c),
                                                 "claimed_str": ex.exact_str(c)}
                        result.message = f"at {_where(values)}: {message}"
                        result.source = "exact: " + how
                        return result
                    continue
                if symbolic is not None:  # a formula: no need to tabulate the law
                    truth = law.Truth(bounded_value(symbolic[0], at), how=symbolic[1])
                else:
                    truth = law.truth(puzzle, stat, values, extra, cache)
                sources.add(truth.how)
                if not _same(c, truth.value, truth.error):
                    result.points = tried + 1
                    result.source = "exact: " + truth.how
                    _wrong(result, values, extra, c, truth.value)
                    if truth.error:
                        result.message += f" (to within {float(truth.error):.1g})"
                    return result
                if truth.error:
                    result.notes.append("exact to within 1e-40 (the tail of an unbounded law "
                                        "is bounded, not summed)")
        except law.NotDetermined as exc:
            if values == given:
                result.notes.append(str(exc))
                return None
            skipped += 1
            continue
        except TooBig as exc:
            if values == given:
                raise _too_big(claim, exc) from None
            skipped += 1
            continue
        tried += 1
    result.points = tried
    result.source = "exact: " + (", ".join(sorted(sources)) or "the closed forms")
    difference = (lambda: claim.expr - symbolic[0]) if symbolic is not None else None
    result.notes = list(dict.fromkeys(result.notes))
    if quantile_message and not general:
        result.message = quantile_message
        return result
    return _finish_correct(puzzle, result, claim, given, general or bool(claim.free) and general,
                           tried, skipped, difference)


# --------------------------------------------------------------------------- check()


def check(name, claims, params: Mapping[str, Any] | None = None, against: str | None = "exact",
          seed: int | None = None, trials: int | str | None = None, threads: int | None = None,
          alpha: float = 0.01, rtol: float | None = None, atol: float = 0.0,
          max_trials: int | None = None, max_seconds: float | None = None,
          progress=None, scheduler=None, timeout: float = 10.0) -> CheckReport:
    """Judge each claim (LEFT=RIGHT) against the closed forms, or else the simulation.

    A claim's left side is a declared quantity (mean, variance, probability, pmf, cdf) or a
    statistic of an outcome: E[f(X)], E[f(X) | A], Var[X], SD[X], P(A), P(A | B), median,
    quantile(q), P(X = k) (a pmf in k), P(X <= t) (a cdf in t). against: 'exact' (the default:
    the closed forms where they determine the truth, else the simulation) or 'simulation'.
    Parameters given in `params` stay fixed while the others are swept. Returns a CheckReport;
    exit_code 1 if any claim is wrong. scheduler, timeout: where the simulation runs.
    """
    if against not in (None, "exact", "simulation"):
        raise InvalidOption(option="against", value=repr(against),
                            rule="must be 'exact' or 'simulation'"
                                 + did_you_mean(against, ["exact", "simulation"]))
    trials = None if trials is None else as_trials(trials, "trials=")
    max_trials = as_count(max_trials, "max_trials=")
    check_options(None if trials == "auto" else trials, seed, threads, alpha)
    puzzle = get_puzzle(name)
    given = puzzle.resolve(params)
    _AS_GIVEN.set({k: (given[k], text) for k, text in puzzle.as_given(params).items()})
    fixed = tuple((params or {}).keys())
    seed = DEFAULT_SEED if seed is None else int(seed)
    parsed = parse_claims(puzzle, claims)

    results: dict[int, ClaimResult] = {}
    by_simulation = []
    for i, claim in enumerate(parsed):
        if against == "simulation":
            by_simulation.append((i, claim))
        elif claim.quantity is not None:
            if claim.quantity.closed_form is None:
                by_simulation.append((i, claim))
            else:
                results[i] = _judge_exact(puzzle, claim, given, seed, fixed)
        else:
            judged = _judge_statistic_exact(puzzle, claim, given, seed, fixed)
            if judged is None:
                by_simulation.append((i, claim))
            else:
                results[i] = judged

    sim_report = None
    if by_simulation:
        sim_report = _judge_by_simulation(
            puzzle, by_simulation, given, results,
            dict(seed=seed, trials=trials, threads=threads, alpha=alpha, rtol=rtol, atol=atol,
                 max_trials=max_trials, max_seconds=max_seconds, progress=progress,
                 scheduler=scheduler, timeout=timeout))
    ordered = [results[i] for i in range(len(parsed))]
    return CheckReport(puzzle.name, dict(given), seed, ordered, sim_report,
                       given=puzzle.as_given(params))


# --------------------------------------------------------------------------- by simulation


def _law_quantity(puzzle: Puzzle, claim: Claim):
    """A pmf claim P(X = k) = f(k) or a cdf claim P(X <= t) = g(t) as a Quantity with the claim
    for closed form, for the chi-square / DKW comparison with the simulation; else None."""
    stat = claim.stat
    if stat is None or stat.kind != "P" or stat.given is not None or len(claim.free) != 1:
        return None
    (var,) = claim.free.values()
    X = stat.outcome
    body = stat.body
    outcome = X.name if X.name in puzzle.outcomes else puzzle.outcomes[0]
    declared = [q for q in puzzle.quantities if (q.of or puzzle.outcomes[0]) == outcome
                and q.support is not None]
    support = declared[0].support if declared else puzzle.bounds.get(outcome)
    discrete = declared[0].discrete if declared else None
    x = sympy.Symbol(var.name, integer=True) if discrete is not False else sympy.Symbol(var.name, real=True)
    expr = claim.expr.xreplace({var: x})
    if isinstance(body, sympy.Eq) and set(body.args) == {X, var}:
        return Quantity("pmf", expr, outcome, x, tuple(support or (0, sympy.oo)), True)
    if isinstance(body, sympy.Le) and body.args == (X, var):
        if support is None:
            raise InvalidClaim(f"{clip(claim.label, 40)}: {puzzle.name} declares no range for {outcome}, "
                               "so a cdf claim cannot be compared with the simulation")
        return Quantity("cdf", expr, outcome, x, tuple(support), bool(discrete))
    return None


def _derived(puzzle: Puzzle, claim: Claim, given: dict, exact=None):
    """The statistic of a claim as a quantity measured on every simulated trial (per_trial)."""
    from .per_trial import Derived, trial_collector

    stat = claim.stat
    if claim.free:
        raise InvalidClaim(f"{clip(claim.label, 40)}: a claim in {', '.join(claim.free)} is compared with "
                           "the simulation only as P(X = k) (a pmf) or P(X <= t) (a cdf)")
    subs = ex.substitutions(puzzle, given)
    c = exact if exact is not None else _evaluate(claim.expr, subs)
    if c is not None and (not c.is_number or c.has(sympy.nan, sympy.zoo)):
        raise InvalidClaim(f"claim {clip(claim.label, 30)}={clip(claim.text, 50)} has no value at {_where(given)}")
    X = stat.outcome
    column = puzzle.outcomes.index(X.name) if X.name in puzzle.outcomes else 0
    body = stat.body.xreplace(subs) if stat.body is not None else None
    cond = stat.given.xreplace(subs) if stat.given is not None else None
    shift = float(sympy.N(c, 20)) if c is not None else 0.0

    def collect(expr, at=0.0):
        return trial_collector(expr, X, column, at)

    def indicator(event):
        return sympy.Piecewise((1, event), (0, True))

    label = claim.label
    if stat.kind in ("median", "quantile"):
        continuous = any(q.name == "cdf" and not q.discrete for q in puzzle.quantities
                         if (q.of or puzzle.outcomes[0]) == X.name)
        return Derived(label, "quantile", c, [collect(indicator(X <= c)), collect(indicator(X >= c))],
                       level=stat.level, continuous=continuous)
    if stat.kind == "P" and cond is None:
        return Derived(label, "probability", c, [collect(indicator(body))])
    if stat.kind == "P":
        g = sympy.Piecewise((1 - c, sympy.And(body, cond)), (-c, cond), (0, True))
        return Derived(label, "conditional", c, [collect(g), collect(indicator(cond))])
    if stat.kind == "E" and cond is None:
        return Derived(label, "mean", c, [collect(body, shift)])
    if stat.kind == "E":
        g = sympy.Piecewise((body - c, cond), (0, True))
        return Derived(label, "conditional", c, [collect(g), collect(indicator(cond))])
    kind = "variance" if stat.kind == "Var" else "sd"
    return Derived(label, kind, c, [collect(body)])


def _judge_by_simulation(puzzle, claims, given, results, options):
    """Verify a copy of the puzzle whose closed forms are the claims: a declared quantity's
    claim replaces its closed form; a statistic is measured on every trial (engine.per_trial)."""
    claimed, derived, order = [], [], []
    for i, claim in claims:
        q = claim.quantity if claim.quantity is not None else _law_quantity(puzzle, claim)
        if q is not None:
            if q.variable is None and claim.expr.free_symbols - set(puzzle.symbols.values()):
                raise InvalidClaim(f"claim for {clip(claim.label, 40)} uses names that are not parameters")
            closed = claim.expr if claim.quantity is not None else q.closed_form
            if any(c.name == q.name and (c.of or puzzle.outcomes[0]) == (q.of or puzzle.outcomes[0])
                   for c in claimed):
                raise InvalidClaim(f"two claims for the {q.name} against the simulation: give one "
                                   "per run")
            claimed.append(dataclasses.replace(q, closed_form=closed))
            order.append((i, claim, "quantity", len(claimed) - 1))
        else:
            derived.append(_derived(puzzle, claim, given))
            order.append((i, claim, "derived", len(derived) - 1))
    placeholder = not claimed
    quantities = claimed or [Quantity("mean", None, puzzle.outcomes[0])]
    as_claimed = dataclasses.replace(puzzle, quantities=quantities, examples=())
    report = verify(as_claimed, params=given, derived=derived, **options)
    rows = report.quantities
    plan_rows, derived_rows = rows[:len(quantities)], rows[len(quantities):]
    if placeholder:
        report.quantities = derived_rows
    for i, claim, kind, j in order:
        row = plan_rows[j] if kind == "quantity" else derived_rows[j]
        r = ClaimResult(claim.label, claim.text, _sstr(claim.expr, claim.text), "simulation", row.agree,
                        points=1, simulation=row.to_dict(), source="simulation",
                        notes=list(claim.notes))
        where = " ".join(f"{k}={v}" for k, v in given.items())
        agrees = "agrees with the simulation"
        if row.precision is not None and row.precision > report.rtol:  # a rung of the ladder
            agrees = f"agrees within {100 * row.precision:g}% with the simulation"
        if row.test.startswith("P(X <= m)"):
            o = claim.stat.outcome
            r.message = (f"{row.verdict}: P({o} <= {row.exact:.6g}) is {row.estimate:.6g} in "
                         f"[{row.ci_low:.6g}, {row.ci_high:.6g}] ({_trials_text(report.trials)}), "
                         f"{'needs' if 'q' in row.test else ''} q = {claim.stat.level}")
            r.message = r.message.split(": ", 1)[1]
        elif row.name in ("pmf", "cdf"):
            r.message = (row.problem if row.problem else
                         f"{row.test} p = {row.p_value:.3g} over {report.trials:,} trials")
            if row.verdict == "agree":
                r.message = (f"{agrees}{' at ' + where if where else ''} "
                             f"({_trials_text(report.trials)}): {row.test} p = {row.p_value:.3g}")
        else:
            r.message = (f"claim {row.exact:.6g}, simulation {row.estimate:.6g} in "
                         f"[{row.ci_low:.6g}, {row.ci_high:.6g}] ({report.trials:,} trials)")
            if row.verdict == "agree":
                r.message = (f"{agrees}{' at ' + where if where else ''} "
                             f"({_trials_text(report.trials)}): claim {row.exact:.6g}, "
                             f"simulation {row.estimate:.6g} in [{row.ci_low:.6g}, "
                             f"{row.ci_high:.6g}]")
            elif row.verdict == "disagree":
                r.message = "outside the band: " + r.message
            elif row.verdict == "inconclusive":
                r.message += (f"; band wider than the tolerance, ~{row.trials_needed:,} trials "
                              "would settle it" if row.trials_needed else "")
        results[i] = r
    return report


def also_derived(puzzle: Puzzle, values: dict, texts) -> list:
    """`verify --also "P(X>=3)"`: each statistic as a quantity measured in the run, with its
    exact value where the closed forms determine it (else an estimate only)."""
    outcomes = outcome_symbols(puzzle)
    out = []
    for text in texts:
        try:
            stat, free = parse_left(str(text), puzzle.symbols, outcomes, puzzle_functions(puzzle))
        except InvalidClaim as exc:
            raise InvalidClaim(f"--also {clip(text, 40)}: {exc}") from None
        if free:
            raise InvalidClaim(f"--also {clip(text, 60)}: {', '.join(free)} is not a parameter; give a number")
        stat.outcome = _outcome_of(puzzle, stat, outcomes)
        if stat.kind in ("median", "quantile"):
            raise InvalidClaim(f"--also {clip(text, 60)}: a quantile is checked with a claimed value: "
                               f"puzzles check {puzzle.name} \"{clip(text, 60)}=...\"")
        claim = Claim(stat.label(), "", sympy.Integer(0), stat=stat)
        exact = None
        try:
            exact = law.truth(puzzle, stat, values, {}, {})
            exact = exact.value if exact.exact else None
        except (law.NotDetermined, TooBig):
            exact = None
        if exact is None and stat.kind in ("P", "E") and stat.given is not None:
            raise InvalidClaim(f"--also {clip(text, 60)}: no exact value is known for this conditional "
                               f"statistic; check a claimed value with puzzles check")
        d = _derived(puzzle, claim, values, exact=exact if exact is not None else sympy.Integer(0))
        if exact is None:
            d.exact = None
        d.source = "exact" if exact is not None else ""
        out.append(d)
    return out


def _plural(count: int, noun: str) -> str:
    """'1 claim', '2 claims'."""
    return f"{count:,} {noun}{'s' * (count != 1)}"
