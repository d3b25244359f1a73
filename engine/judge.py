"""check(): judge a user's own formulas against the closed forms (or the simulation).

A claim that mentions parameters is a claim for every valid parameter value: it is compared
exactly with the closed form at the defaults, at edge values, small values and seeded random
values, and the first point where they differ is the counterexample. sympy is also asked to
simplify claim - truth to zero, which upgrades "correct at every point tried" to "proved".
A claim that is a plain number is a claim at the given parameter values only.
"""

from __future__ import annotations

import dataclasses
import random
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import sympy

from . import exact as ex
from .claims import parse_expression, split_claim
from .options import as_count, as_trials
from .errors import InvalidClaim, InvalidOption, InvalidParameter
from .registry import get_puzzle
from .spec import Puzzle, Quantity
from .verify import DEFAULT_RTOL, DEFAULT_SEED, check_options, verify

SWEEP_POINTS = 40          # parameter points for a scalar claim
DISTRIBUTION_POINTS = 12   # parameter points for a pmf / cdf claim (each a grid of x)
GRID_SIZE = 24             # values of x (or r) per parameter point
SYMBOLIC_SECONDS = 3.0     # budget for sympy to prove claim == truth
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

        head = f"{self.puzzle}  " + " ".join(f"{k}={v}" for k, v in self.params.items())
        rows = [(c.quantity, _clip(c.parsed, 40), f"{c.status}: {c.message}") for c in self.claims]
        count = f"{self.wrong} of {len(self.claims)} claims" if self.wrong else \
            f"{len(self.claims)} claim{'s' * (len(self.claims) != 1)}"
        if self.verdict == "agree":
            where = " ".join(f"{k}={v}" for k, v in self.params.items())
            count += (f"; with the simulation{' at ' + where if where else ''}, not a proof for "
                      f"other parameters" if where else "; with the simulation")
        return Table(head, ("claim", "expression", "result"), rows,
                     [c.status for c in self.claims], self.verdict, f" ({count})")

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

            png = report_png(self.simulation, reference="claim")
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
                         "proved": c.proved, "points": c.points, "at": at,
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

        return plot_report(self.simulation, path, reference="claim")


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


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------------- parsing claims


def parse_claims(puzzle: Puzzle, claims) -> list[tuple[Quantity, str, sympy.Expr]]:
    """Claims as {'mean': '2*a'} or ['mean=2*a', ...] -> (quantity, text, expression)."""
    items = list(claims.items()) if isinstance(claims, Mapping) else [split_claim(c) for c in claims]
    if not items:
        raise InvalidClaim("no claims given: write QUANTITY=EXPRESSION, e.g. mean=2*a*b/(a+b-1)")
    known = [q.name for q in puzzle.quantities]
    seen = set()
    parsed = []
    for name, text in items:
        if name not in known:
            raise InvalidClaim(f"unknown quantity {name!r} for {puzzle.name} (its quantities: "
                               f"{', '.join(known)})")
        if name in seen:
            raise InvalidClaim(f"two claims for {name}; give one")
        seen.add(name)
        q = puzzle.quantity(name)
        names = dict(puzzle.symbols)
        if q.variable is not None:
            names[q.variable.name] = q.variable
        if not str(text).strip():
            raise InvalidClaim(f"the claim for {name} is empty: write {name}=EXPRESSION")
        try:
            expr = parse_expression(str(text), names, puzzle_functions(puzzle))
        except InvalidClaim as exc:
            raise InvalidClaim(f"claim {name}={text}: {exc}") from None
        parsed.append((q, str(text), expr))
    return parsed


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


def sweep_points(puzzle: Puzzle, given: dict, seed: int, count: int) -> list[dict]:
    """Valid parameter points, simplest first: defaults, the given point, edges, small, random."""
    rng = random.Random(seed)
    candidates: list[dict] = [dict(puzzle.defaults), dict(given)]
    candidates += [dict(e) for e in puzzle.examples]
    for style in ("low", "low+1", "high", "small") * 3 + ("random",) * (4 * count):
        candidates.append(_candidate(puzzle, style, rng))
    points, seen = [], set()
    for cand in candidates:
        try:
            values = puzzle.resolve({**puzzle.defaults, **cand})
        except InvalidParameter:
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


def _same(claim_value: sympy.Expr, truth: sympy.Expr) -> bool:
    if claim_value.is_Rational and truth.is_Rational:
        return claim_value == truth
    if claim_value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return False
    try:
        c, t = complex(sympy.N(claim_value, 40)), complex(sympy.N(truth, 40))
    except (TypeError, ValueError):
        return False
    return abs(c - t) <= 1e-25 * max(1.0, abs(t))


def _show_value(value: sympy.Expr) -> str:
    if value.has(sympy.nan, sympy.zoo) or value.is_infinite:
        return "undefined (division by zero?)"
    text = ex.exact_str(value)
    try:
        f = ex.to_float(value)
    except (TypeError, ValueError):
        return text
    return text if text == f"{f:g}" or ex.is_plain_number(text) else f"{text} = {f:.6g}"



def _grid(puzzle: Puzzle, q: Quantity, values) -> list:
    subs = ex.substitutions(puzzle, values)
    low, high = (sympy.sympify(b).subs(subs) for b in q.support)
    if q.discrete:
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


def _evaluate(expr: sympy.Expr, subs: dict, simplify: bool = False) -> sympy.Expr:
    """Exact; not rewritten for display unless asked (_same compares rationals exactly and
    anything else to 40 digits, and simplifying hundreds of points costs seconds)."""
    try:
        return ex.exact_value(expr, subs, simplify=simplify)
    except (ZeroDivisionError, ValueError, TypeError):
        return sympy.nan


def _symbolic_zero(difference: sympy.Expr) -> bool:
    """True when sympy proves the difference is 0 within SYMBOLIC_SECONDS (never False-positive)."""
    def attempt():
        return sympy.simplify(difference) == 0

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        return False  # no way to bound sympy's time here; the numeric sweep still decides

    def timeout(_signum, _frame):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, SYMBOLIC_SECONDS)
    try:
        return attempt()
    except Exception:  # TimeoutError, or sympy giving up: not proved
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _judge_exact(puzzle: Puzzle, q: Quantity, text: str, claim: sympy.Expr, given: dict,
                 seed: int) -> ClaimResult:
    param_symbols = set(puzzle.symbols.values())
    general = bool(claim.free_symbols & param_symbols)
    truth = q.closed_form
    if general:
        count = DISTRIBUTION_POINTS if q.is_distribution else SWEEP_POINTS
        points = sweep_points(puzzle, given, seed, count)
    else:
        points = [given]
    result = ClaimResult(q.name, text, sympy.sstr(claim), "exact", True, points=len(points))
    for values in points:
        subs = ex.substitutions(puzzle, values)
        grid = _grid(puzzle, q, values) if q.is_distribution else [None]
        for point in grid:
            at = dict(subs) if point is None else {**subs, q.variable: point}
            t, c = _evaluate(truth, at), _evaluate(claim, at)
            if not _same(c, t):
                # the two values as shown: simplified (once, here), as everywhere else
                t, c = _evaluate(truth, at, simplify=True), _evaluate(claim, at, simplify=True)
                where = ", ".join(f"{k}={v}" for k, v in values.items())
                if point is not None:
                    where += f", {q.variable}={point}"
                result.correct = False
                result.counterexample = {
                    "params": {k: _plain(v) for k, v in values.items()},
                    "variable": None if point is None else {str(q.variable): str(point)},
                    "claimed": _float_or_none(c), "claimed_str": ex.exact_str(c),
                    "truth": _float_or_none(t), "truth_str": ex.exact_str(t)}
                at = f"at {where} " if where else ""  # a puzzle may have no parameters
                result.message = f"{at}it gives {_show_value(c)}, the truth is {_show_value(t)}"
                return result
    names = ", ".join(puzzle.symbols)
    if general:
        result.proved = _symbolic_zero(claim - truth)
        result.message = (f"equals the closed form for all {names}" if result.proved else
                          f"equals the closed form at all {len(points)} parameter points tried "
                          f"(sympy could not prove it in general)")
    else:
        where = " ".join(f"{k}={v}" for k, v in given.items())
        result.message = f"equals the exact value at {where}" if where else "equals the exact value"
    return result


def _float_or_none(v):
    try:
        return ex.to_float(v)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- check()


def check(name, claims, params: Mapping[str, Any] | None = None, against: str | None = "exact",
          seed: int | None = None, trials: int | str | None = None, threads: int | None = None,
          alpha: float = 0.01, rtol: float = DEFAULT_RTOL, atol: float = 0.0,
          max_trials: int | None = None, max_seconds: float | None = None,
          progress=None, scheduler=None, timeout: float = 10.0) -> CheckReport:
    """Judge each claim (QUANTITY -> EXPRESSION) against the closed form or the simulation.

    against: 'exact' (default where a closed form exists) or 'simulation' (the default for a
    quantity whose closed form is unknown). Returns a CheckReport; exit_code 1 if any is wrong.
    scheduler, timeout: where the simulation runs, as for verify().
    """
    if against not in (None, "exact", "simulation"):
        raise InvalidOption(f"against={against!r} must be 'exact' or 'simulation'")
    trials = None if trials is None else as_trials(trials, "trials=")
    max_trials = as_count(max_trials, "max_trials=")
    check_options(None if trials == "auto" else trials, seed, threads, alpha)
    puzzle = get_puzzle(name)
    given = puzzle.resolve(params)
    seed = DEFAULT_SEED if seed is None else int(seed)
    parsed = parse_claims(puzzle, claims)

    results: dict[str, ClaimResult] = {}
    by_simulation = []
    for q, text, expr in parsed:
        if against == "simulation" or q.closed_form is None:
            by_simulation.append((q, text, expr))
        else:
            results[q.name] = _judge_exact(puzzle, q, text, expr, given, seed)

    sim_report = None
    if by_simulation:
        sim_report = _judge_by_simulation(
            puzzle, by_simulation, given, results,
            dict(seed=seed, trials=trials, threads=threads, alpha=alpha, rtol=rtol, atol=atol,
                 max_trials=max_trials, max_seconds=max_seconds, progress=progress,
                 scheduler=scheduler, timeout=timeout))
    ordered = [results[q.name] for q, _, _ in parsed]
    return CheckReport(puzzle.name, dict(given), seed, ordered, sim_report)


def _judge_by_simulation(puzzle, claims, given, results, options):
    """Verify a copy of the puzzle whose closed forms are the claims (only the claimed
    quantities, so the joint bands cover just them)."""
    claimed = []
    for q, _text, expr in claims:
        if q.variable is None and expr.free_symbols - set(puzzle.symbols.values()):
            raise InvalidClaim(f"claim for {q.name} uses names that are not parameters")
        claimed.append(dataclasses.replace(q, closed_form=expr))
    as_claimed = dataclasses.replace(puzzle, quantities=claimed, examples=())
    report = verify(as_claimed, params=given, **options)
    for (q, text, expr), row in zip(claims, report.quantities):
        r = ClaimResult(q.name, text, sympy.sstr(expr), "simulation", row.agree, points=1,
                        simulation=row.to_dict())
        where = " ".join(f"{k}={v}" for k, v in given.items())
        if row.test == "chi-square":
            r.message = f"chi-square p = {row.p_value:.3g} over {report.trials:,} trials"
            if row.verdict == "agree":
                r.message = (f"agrees with the simulation{' at ' + where if where else ''} "
                             f"({_trials_text(report.trials)}): chi-square p = {row.p_value:.3g}")
        else:
            r.message = (f"claim {row.exact:.6g}, simulation {row.estimate:.6g} in "
                         f"[{row.ci_low:.6g}, {row.ci_high:.6g}] ({report.trials:,} trials)")
            if row.verdict == "agree":
                r.message = (f"agrees with the simulation{' at ' + where if where else ''} "
                             f"({_trials_text(report.trials)}): claim {row.exact:.6g}, "
                             f"simulation {row.estimate:.6g} in [{row.ci_low:.6g}, "
                             f"{row.ci_high:.6g}]")
            elif row.verdict == "disagree":
                r.message = "outside the band: " + r.message
            elif row.verdict == "inconclusive":
                r.message += (f"; band wider than the tolerance, ~{row.trials_needed:,} trials "
                              "would settle it" if row.trials_needed else "")
        results[q.name] = r
    return report
