"""`puzzles verify NAME --examples`: the defaults and every declared example point, one table.

Each point is an ordinary verify() run (same seed, same options); this only collects them.
The verdict is the worst of the points': disagree, then inconclusive, then agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from .registry import get_puzzle
from .table import seconds_text
from .report import EXIT_DISAGREE, EXIT_INCONCLUSIVE, Report, format_params, quantity_row
from .verify import verify


@dataclass
class ExamplesReport:
    puzzle: str
    reports: list  # one Report per point: the defaults first, then each example

    @property
    def verdict(self) -> str:
        verdicts = {r.verdict for r in self.reports}
        for worst in ("disagree", "inconclusive", "agree"):
            if worst in verdicts:
                return worst
        return "estimated"

    @property
    def exit_code(self) -> int:
        return {"disagree": EXIT_DISAGREE, "inconclusive": EXIT_INCONCLUSIVE}.get(self.verdict, 0)

    def to_dict(self) -> dict:
        return {"puzzle": self.puzzle, "verdict": self.verdict,
                "points": [r.to_dict() for r in self.reports]}

    def summary_table(self):
        """The table the CLI prints, as data (engine.table.Table): one row per quantity per
        point, the point and its trials on its first row."""
        from .table import Table

        first: Report = self.reports[0]
        seconds = sum(r.seconds for r in self.reports)
        head = (f"{self.puzzle}  {len(self.reports)} points (defaults and examples)  "
                f"seed {first.seed}  {seconds_text(seconds)}")
        level = 100 * (1 - first.alpha)
        columns = ("point", "trials", "quantity", "exact", "estimate", f"{level:g}% band (joint)",
                   "verdict")
        rows, statuses = [], []
        for r in self.reports:
            point = format_params(r.given or r.params) or "(no parameters)"  # as declared
            for i, q in enumerate(r.quantities):
                name, exact, estimate, band, verdict = quantity_row(q)
                rows.append((point if i == 0 else "", f"{r.trials:,}" if i == 0 else "", name,
                             exact, estimate, band, verdict))
                statuses.append(q.verdict)
        counts = {v: sum(r.verdict == v for r in self.reports) for v in
                  ("agree", "disagree", "inconclusive", "estimated")}
        detail = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        # the points' notes (threads capped, a time budget hit), each once
        notes = [f"note: {n}" for n in dict.fromkeys(n for r in self.reports for n in r.notes)]
        return Table(head, columns, rows, statuses, self.verdict,
                     f" ({detail} of {len(self.reports)} points)", notes)

    def format(self) -> str:
        return self.summary_table().text()

    def __str__(self) -> str:
        return self.format()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """Jupyter: the table with coloured verdicts (report.reports[i] shows each point's
        picture)."""
        return self.summary_table().html()

    def to_frame(self):
        """A pandas DataFrame, one row per quantity per point: the point's parameters, then
        the columns of Report.to_frame()."""
        import pandas as pd

        from .sweep import _number_of  # a parameter as the sweep's table has it: int or float

        frames = []
        for r in self.reports:
            frame = r.to_frame().reset_index()
            for k, v in reversed(list(r.params.items())):
                frame.insert(0, k, _number_of(v))
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)


def example_points(name, first=None) -> list[dict]:
    """The defaults (or the point `first`), then each example declared on the puzzle (a point
    listed twice is verified once)."""
    puzzle = get_puzzle(name)
    points, seen = [], set()
    for given in [dict(first or {})] + [dict(e) for e in puzzle.examples]:
        key = tuple(sorted((k, str(v)) for k, v in puzzle.resolve(given).items()))
        if key not in seen:
            seen.add(key)
            points.append(given)
    return points


def verify_examples(name, **options) -> ExamplesReport:
    """verify() at the defaults and at every declared example point, with the same options."""
    puzzle = get_puzzle(name)
    reports = [verify(puzzle.name, params=point, **options) for point in example_points(puzzle)]
    return ExamplesReport(puzzle.name, reports)
