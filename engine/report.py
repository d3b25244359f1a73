"""The result of a verification: one row per quantity, and the verdict."""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .exact import is_plain_number
from .table import seconds_text

EXIT_DISAGREE = 1
EXIT_INCONCLUSIVE = 3


@dataclass
class QuantityResult:
    name: str
    test: str                      # the band's rule: 'clopper-pearson', 'dkw', 'normal', ...
    verdict: str                   # agree / disagree / inconclusive / no closed form
    p_value: float | None
    level: float                   # confidence level of this quantity's band / test
    exact: float | None = None
    exact_str: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    stderr: float | None = None
    statistic: float | None = None  # chi-square statistic for pmf / cdf
    dof: int | None = None
    bins: int | None = None
    values: int | None = None       # support points compared (pmf / discrete cdf)
    max_deviation: float | None = None
    deviation_band: float | None = None  # upper confidence bound on the largest deviation
    impossible: int | None = None
    tolerance: float | None = None  # how far from exact the band may reach and still agree
    trials_needed: int | None = None  # rough trials to settle an inconclusive quantity
    # A quantity with no closed form is 'estimated' (engine/estimate.py): `precise` says whether
    # its band is within the tolerance, `hint` may offer an exact value the band is consistent
    # with (never asserted), and a pmf or cdf is a table of {x, estimate, ci_low, ci_high}.
    precise: bool | None = None
    hint: str | None = None
    table: list | None = None
    band: str | None = None         # 'exact' (non-asymptotic) or 'asymptotic'
    # the relative tolerance within which the band settled (agree, or an estimate within it):
    # the rtol asked for, or, with none given, the rung of the precision ladder reached
    precision: float | None = None
    problem: str | None = None      # an exact check that failed, e.g. a pmf not summing to 1
    # Arrays for pictures (running estimates, frequencies); not part of to_dict().
    data: dict = field(default_factory=dict, repr=False)

    @property
    def agree(self) -> bool | None:
        """True agree, False disagree, None inconclusive or nothing to compare with."""
        return {"agree": True, "disagree": False}.get(self.verdict)

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("data", "table")}
        out["agree"] = self.agree
        out = {k: _plain(v) for k, v in out.items()}
        out["table"] = None if self.table is None else [
            {k: _plain(v) for k, v in row.items()} for row in self.table]
        return out


@dataclass
class Report:
    puzzle: str
    params: dict
    seed: int
    trials: int
    seconds: float
    threads: int
    alpha: float
    quantities: list
    rtol: float = 0.0
    atol: float = 0.0
    mode: str = "fixed"            # fixed trials, or auto (stop when decided)
    looks: int = 1
    stopped: str = "trials"        # decided / max-trials / max-seconds (fixed: trials / max-seconds)
    notes: list = field(default_factory=list)  # what the user should know: a budget hit, a cap
    given: dict | None = None      # the parameters as the user wrote them (z=1.96), for headings

    @property
    def verdict(self) -> str:
        verdicts = {q.verdict for q in self.quantities} - {"estimated"}
        for worst in ("disagree", "inconclusive", "agree"):
            if worst in verdicts:
                return worst
        return "estimated"  # nothing to judge: every quantity was estimated

    @property
    def agree(self) -> bool:
        return self.verdict == "agree"

    @property
    def precision(self) -> float | None:
        """The loosest precision within which a quantity agreed (rtol, or the rung of the
        precision ladder reached when none was given); None unless the verdict is agree."""
        reached = [q.precision for q in self.quantities if q.verdict != "estimated"
                   and q.precision is not None]
        return max(reached) if self.verdict == "agree" and reached else None

    @property
    def trials_needed(self) -> int | None:
        needed = [q.trials_needed for q in self.quantities if q.trials_needed]
        return max(needed) if needed else None

    @property
    def trials_per_second(self) -> float:
        return self.trials / self.seconds if self.seconds > 0 else float("inf")

    @property
    def exit_code(self) -> int:
        return {"disagree": EXIT_DISAGREE, "inconclusive": EXIT_INCONCLUSIVE}.get(self.verdict, 0)

    def to_dict(self) -> dict:
        return {
            "puzzle": self.puzzle,
            "params": {k: _plain(v) for k, v in self.params.items()},
            "seed": self.seed,
            "trials": self.trials,
            "seconds": round(self.seconds, 6),
            "trials_per_second": _plain(self.trials_per_second),
            "threads": self.threads,
            "alpha": self.alpha,
            "rtol": self.rtol,
            "atol": self.atol,
            "mode": self.mode,
            "looks": self.looks,
            "stopped": self.stopped,
            "notes": list(self.notes),
            "verdict": self.verdict,
            "precision": self.precision,
            "trials_needed": self.trials_needed,
            "quantities": [q.to_dict() for q in self.quantities],
        }

    @property
    def precise(self) -> bool:
        """Every estimated quantity's band is within the tolerance (True if none is estimated)."""
        return all(q.precise is not False for q in self.quantities)

    def to_frame(self):
        """A pandas DataFrame, one row per quantity (index: name); counts are nullable
        integers (Int64), `agree` a nullable boolean (<NA> when inconclusive)."""
        return quantities_frame([q.to_dict() for q in self.quantities], QuantityResult)

    def table(self, name: str):
        """The estimated pmf or cdf `name` as a DataFrame: x, estimate, ci_low, ci_high (the
        bands hold for all rows at once, at the quantity's level)."""
        import pandas as pd

        for q in self.quantities:
            if q.name == name and q.table is not None:
                return pd.DataFrame(q.table, columns=["x", "estimate", "ci_low", "ci_high"])
        raise KeyError(f"{self.puzzle} has no estimated table called {name!r}")

    def format(self) -> str:
        return format_report(self)

    def summary_table(self):
        """The table the CLI prints, as data (engine.table.Table): rendered by format() as
        text and by _repr_html_ as HTML."""
        return report_table(self)

    def __str__(self) -> str:
        return self.format()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """Jupyter: the table with coloured verdicts, and the picture where matplotlib is."""
        from .plot import report_png

        return self.summary_table().html(report_png(self),
                                         alt=f"{self.puzzle}: verdict {self.verdict}")

    def plot(self, path=None):
        """Draw the report: into `path` (a .png), or, with no path, return the matplotlib
        Figure (a notebook shows it)."""
        from .plot import plot_report

        return plot_report(self, path)


# dtypes of to_frame() columns, from the dataclass's annotations: counts stay integers when
# some rows have none (pandas would make them floats), and agree stays a boolean
_FRAME_DTYPES = {"int | None": "Int64", "bool | None": "boolean", "bool": "boolean",
                 "int": "Int64", "float | None": "float64", "float": "float64"}


def quantities_frame(rows: list, row_type, index: str = "name"):
    """A DataFrame of `rows` (dicts) with dtypes from `row_type`'s annotations."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    annotations = {}
    for klass in reversed(row_type.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    annotations.setdefault("agree", "bool | None")
    for column in frame.columns:
        dtype = _FRAME_DTYPES.get(str(annotations.get(column)))
        if dtype is not None:
            frame[column] = frame[column].astype(dtype)
    return frame.set_index(index) if index in frame.columns else frame


def _plain(v: Any):
    """JSON-safe values: numpy numbers become Python numbers, exact fractions stay strings."""
    if v is None or isinstance(v, (bool, str, int)):
        return v
    if isinstance(v, numbers.Integral):  # numpy and sympy integers
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    if getattr(v, "is_Integer", False):
        return int(v)
    return str(v)


def _num(x: float | None, digits: int = 6) -> str:
    """x to `digits` significant digits -- unless rounding makes it a whole number it is not
    (0.99999995 as '1', a band [0.9999995, 1] as '[1, 1]'): then the whole number and the
    difference, '1 - 5e-08', so the reader sees what is compared. Differences of a few units
    in the last place (float noise) are not shown."""
    if x is None:
        return "-"
    text = f"{x:.{digits}g}"
    if not math.isfinite(x):
        return text
    rounded = float(text)
    gap = float(x) - rounded
    if gap == 0 or not rounded.is_integer() or abs(gap) <= 4 * 2.3e-16 * abs(float(x)):
        return text
    return f"{text} {'+' if gap > 0 else '-'} {abs(gap):.2g}"


def format_params(params: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def quantity_row(q: QuantityResult) -> tuple:
    """(quantity, exact, estimate, band, verdict): one row of the report's table, as text."""
    if q.verdict == "estimated":
        return _estimated_row(q)
    if q.name in ("pmf", "cdf"):
        exact = (f"{q.values} value{'s' * (q.values != 1)}" if q.values else f"{q.bins} bins")
        estimate = "-" if q.max_deviation is None else f"max dev {q.max_deviation:.2g}"
        band = _distribution_band(q)
    else:
        exact = "-" if q.exact_str is None else (
            q.exact_str if is_plain_number(q.exact_str)
            else f"{q.exact_str} = {_num(q.exact)}" if len(q.exact_str) <= 24
            else f"{_num(q.exact, 9)}...")
        estimate = _num(q.estimate)
        band = f"[{_num(q.ci_low)}, {_num(q.ci_high)}]"
    # an --also statistic is named as typed: at most 40 characters of it in the table
    name = q.name if len(q.name) <= 40 else q.name[:37] + "..."
    return (name, exact, estimate, band, q.verdict)


def _distribution_band(q: QuantityResult) -> str:
    """What decided a pmf or cdf, in the band column: how far its bands reach from the exact
    law against the tolerance it was held to (agree / inconclusive), or what excluded the law
    (disagree). No p-value: an auto run's bands are confidence sequences, whose p-value is 1
    whenever the data fit, which says nothing."""
    if q.problem:
        return "failed an exact check (below)"
    if q.impossible:
        return f"{q.impossible:,} impossible outcome{'s' * (q.impossible != 1)}"
    if q.deviation_band is None:
        return "-"
    tol = "-" if q.tolerance is None else f"{q.tolerance:.2g}"
    if q.verdict == "disagree":
        outside = _first_outside(q)
        if outside is not None:
            return f"P(X = {outside:g}) outside its band"
        dkw = q.data.get("dkw")
        if dkw is None and q.data.get("cumulative") and len(q.data.get("half_width", ())):
            dkw = float(np.max(q.data["half_width"]))  # a discrete cdf: DKW at every value
        if isinstance(dkw, (float, np.floating)):
            return f"max dev > DKW band {dkw:.2g}"
        return "exact law outside the band"
    sign = "<=" if q.tolerance is not None and q.deviation_band <= q.tolerance else ">"
    return f"reach {q.deviation_band:.2g} {sign} tol {tol}"


def _first_outside(q: QuantityResult):
    """The value of a pmf whose exact probability lies outside its band, if any."""
    d = q.data
    if q.name != "pmf" or "ci_low" not in d:
        return None
    exact, low, high = (np.asarray(d[k], dtype=float) for k in ("exact", "ci_low", "ci_high"))
    bad = np.flatnonzero((exact > 0) & ((exact < low) | (exact > high)))
    return float(d["x"][bad[np.argmax(np.maximum(low - exact, exact - high)[bad])]]) \
        if len(bad) else None


def format_report(report: Report) -> str:
    return report_table(report).text()


def report_table(report: Report):
    """The report as a Table: the head line, one row per quantity, the verdict line."""
    from .table import Table

    rate = report.trials_per_second
    rate_text = f"{rate / 1e6:.1f} M trials/s" if rate >= 1e5 else f"{rate:,.0f} trials/s"
    mode = f" (auto, {report.looks} look{'s' * (report.looks != 1)})" if report.mode == "auto" else ""
    head = (f"{report.puzzle}  {format_params(report.given or report.params)}   "
            f"{report.trials:,} trials{mode}  "
            f"seed {report.seed}  {seconds_text(report.seconds)}  ({rate_text})")
    level = 100 * (1 - report.alpha)
    columns = ("quantity", "exact", "estimate", f"{level:g}% band (joint)", "band", "verdict")
    rows = []
    for q in report.quantities:
        name, exact, estimate, band, verdict = quantity_row(q)
        if verdict == "agree" and q.precision is not None and q.precision > report.rtol:
            verdict = f"agree within {100 * q.precision:g}%"  # a rung of the precision ladder
        rows.append((name, exact, estimate, band, q.band or "-", verdict))
    note = ""
    if report.verdict == "inconclusive":
        tol = f"rtol {report.rtol:g}" + (f", atol {report.atol:g}" if report.atol else "")
        more = (f"; about {report.trials_needed:,} trials would settle it"
                if report.trials_needed else "")
        note = (f" (no band excludes the exact value, but not every band is within {tol} "
                f"of it{more})")
    elif report.verdict == "estimated":
        tol = f"rtol {report.rtol:g}" + (f", atol {report.atol:g}" if report.atol else "")
        if report.precise:
            note = f" (no closed form to judge; every band is within {tol})"
        else:
            more = (f"; about {report.trials_needed:,} trials would narrow them"
                    if report.trials_needed else "")
            note = f" (no closed form to judge; not every band is within {tol}{more})"
    elif report.precision is not None and report.precision > report.rtol:
        note = f" (within {100 * report.precision:g}%, see the note)"  # a rung of the ladder
    elif report.mode == "auto" and report.stopped != "decided":
        note = f" (stopped at {report.stopped})"
    problems = [f"{q.name}: {q.problem}" for q in report.quantities if q.problem]
    return Table(head, columns, rows, [q.verdict for q in report.quantities], report.verdict,
                 note, problems + [f"note: {n}" for n in report.notes]
                 + _estimated_lines(report))


# Rows of an estimated pmf or cdf shown in the text report (all of them are in to_dict()).
MAX_TABLE_ROWS = 30


def _estimated_row(q) -> tuple:
    if q.table is not None:
        band = f"half-width <= {q.deviation_band:.2g}"
        estimate = f"{q.values} value{'s' * (q.values != 1)}" if q.name == "pmf" else f"{q.values} point{'s' * (q.values != 1)}"
    else:
        band, estimate = f"[{_num(q.ci_low)}, {_num(q.ci_high)}]", _num(q.estimate)
    verdict = "estimated" + ("" if q.precise else " (band wider than rtol)")
    name = q.name if len(q.name) <= 40 else q.name[:37] + "..."
    return (name, "-", estimate, band, verdict)


def _estimated_lines(report) -> list[str]:
    lines = []
    for q in report.quantities:
        if q.verdict != "estimated":
            continue
        if q.hint:
            lines.append(f"hint: {q.name} is {q.hint}; a hint, not a proof")
        if q.table is None:
            continue
        outcome = q.data.get("outcome", "X")
        what = f"P({outcome} = x)" if q.name == "pmf" else f"P({outcome} <= x)"
        lines.append(f"{q.name}, estimated: {what}, with bands that hold for all x at once "
                     f"({100 * (1 - report.alpha):g}% jointly with the bands above)")
        table = q.table
        if q.name == "pmf":  # the far tails of a bounded support where nothing was seen
            seen = [i for i, r in enumerate(table) if r["estimate"] > 0]
            if seen:
                table = table[seen[0]: seen[-1] + 1]
        shown = table[:MAX_TABLE_ROWS]
        rows = [("x", "estimate", "band")] + [
            (_num(r["x"]), _num(r["estimate"]), f"[{_num(r['ci_low'])}, {_num(r['ci_high'])}]")
            for r in shown]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines += ["  " + "  ".join(c.rjust(w) if i < 2 else c for i, (c, w) in
                                   enumerate(zip(r, widths))).rstrip() for r in rows]
        if len(table) > len(shown):
            lines.append(f"  ... {len(table) - len(shown)} more rows in --json / report.table({q.name!r})")
    return lines

