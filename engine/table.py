"""One table, two renderers: the text the CLI prints (and str() / repr()) and the HTML a
notebook shows (_repr_html_).

A report builds a Table once (engine.report.report_table, CheckReport.table); text() lays it
out in padded columns, html() as an HTML table with inline CSS (no stylesheet to ship) and the
verdicts coloured as in the pictures. Imports nothing heavy.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

# the colours of the pictures (engine.plot uses these too)
VERDICT_COLORS = {"agree": "#1a7f37", "disagree": "#cf222e", "inconclusive": "#b35900",
                  "no closed form": "#57606a", "estimated": "#57606a",
                  # check(): a claim is correct or WRONG, a check correct or wrong
                  "correct": "#1a7f37", "WRONG": "#cf222e", "wrong": "#cf222e"}


@dataclass
class Table:
    title: str                     # the first line: puzzle, parameters, trials, seed, time
    columns: tuple                 # column headings
    rows: list                     # tuples of cell texts
    statuses: list                 # per row: the verdict word its last cell starts with
    verdict: str                   # the overall verdict word
    note: str = ""                 # what follows the verdict word on its line
    after: list = field(default_factory=list)  # lines after the verdict (hints, estimated tables)

    @property
    def footer(self) -> str:
        return f"verdict: {self.verdict}{self.note}"

    def text(self) -> str:
        grid = [tuple(self.columns)] + [tuple(r) for r in self.rows]
        widths = [max(len(r[i]) for r in grid) for i in range(len(self.columns))]
        lines = [self.title]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in grid]
        lines.append(self.footer)
        lines += self.after
        return "\n".join(lines)

    def html(self, png: bytes | None = None, alt: str = "") -> str:
        """An HTML fragment: the title, the table, the verdict and (given) a PNG inline."""
        head = "".join(f"<th style='{_CELL}pre'>{_e(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td style='{_CELL}pre'>{_e(c)}</td>" for c in row[:-1])
            + f"<td style='{_CELL}pre-wrap'>{_status_cell(row[-1], status)}</td></tr>"
            for row, status in zip(self.rows, self.statuses))
        parts = [f"<div class='puzzles-report' style='{_BOX}'>",
                 f"<div style='font-weight:bold;margin-bottom:0.3em'>{_e(self.title)}</div>",
                 f"<table style='{_TABLE}'><thead><tr>{head}</tr></thead>"
                 f"<tbody>{body}</tbody></table>",
                 f"<div style='margin-top:0.4em'>verdict: {_badge(self.verdict)}{_e(self.note)}"
                 "</div>"]
        if self.after:  # laid out in columns as text: kept as they are
            parts.append(f"<pre style='margin:0.4em 0 0 0;font-family:inherit'>"
                         f"{_e(chr(10).join(self.after))}</pre>")
        if png is not None:
            data = base64.b64encode(png).decode("ascii")
            parts.append(f"<img src='data:image/png;base64,{data}' alt='{_e(alt)}' "
                         "style='max-width:100%;margin-top:0.6em'/>")
        parts.append("</div>")
        return "".join(parts)


_BOX = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px"
_TABLE = "border-collapse:collapse;margin:0"
_CELL = "text-align:left;padding:0.15em 1em 0.15em 0;vertical-align:top;white-space:"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _badge(word: str) -> str:
    color = VERDICT_COLORS.get(word)
    if color is None:
        return _e(word)
    return (f"<span style='color:white;background:{color};padding:0 0.35em;"
            f"border-radius:3px;font-weight:bold'>{_e(word)}</span>")


def _status_cell(text: str, status: str) -> str:
    """The last cell, its leading verdict word coloured."""
    if status and text.startswith(status):
        return _badge(status) + _e(text[len(status):])
    return _e(text)


def seconds_text(seconds: float) -> str:
    """2.3 s, 35 ms, 0.4 ms: never '0.0 s' for a run that took time."""
    if seconds >= 0.1:
        return f"{seconds:.1f} s"
    ms = seconds * 1000
    return f"{ms:.0f} ms" if ms >= 1 or ms == 0 else f"{ms:.1g} ms"


def duration_text(seconds: float, digits: int = 0) -> str:
    """A rough time in the unit a person reads: '46 s', '3 min', '1.5 h'. With digits, that many
    significant digits instead of whole seconds or minutes ('0.56 s', '2.5 min')."""
    def shown(value: float, whole: str) -> str:
        return f"{value:.{digits}g}" if digits else whole

    if seconds < 90:
        return shown(seconds, f"{seconds:.0f}") + " s"
    if seconds < 5400:
        return shown(seconds / 60, f"{seconds / 60:.0f}") + " min"
    return shown(seconds / 3600, f"{seconds / 3600:.1f}") + " h"
