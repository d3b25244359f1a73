"""The text of `puzzles show`: the puzzle as a student would read it, answers only on request."""

from __future__ import annotations

import textwrap

from . import exact as ex
from .registry import get_puzzle
from .spec import Puzzle, Quantity


def quantity_meaning(puzzle: Puzzle, q: Quantity) -> str:
    outcome = q.of or puzzle.outcomes[0]
    var = q.variable
    return {
        "mean": f"E[{outcome}]",
        "variance": f"Var[{outcome}]",
        "probability": f"P({outcome})" if outcome != "X" else "the probability asked for",
        "pmf": f"P({outcome} = {var}) for integer {var}",
        "cdf": f"P({outcome} <= {var})",
    }[q.name]


def describe(name: str, answer: bool = False, params=None) -> str:
    puzzle = get_puzzle(name)
    values = puzzle.resolve(params)
    lines = [f"{puzzle.name}: {puzzle.title}", ""]
    lines += textwrap.wrap(puzzle.statement, 88)
    lines += ["", "parameters:"]
    width = max((len(p.name) for p in puzzle.parameters), default=0)
    for p, rng in zip(puzzle.parameters, puzzle.range_lines()):
        lines.append(f"  {p.name.ljust(width)}  {p.meaning}; default {p.default}; {rng}")
    if not puzzle.parameters:
        lines.append("  (none)")
    lines += ["", "quantities:"]
    for q in puzzle.quantities:
        lines.append(f"  {q.name.ljust(11)} {quantity_meaning(puzzle, q)}")
    if answer:
        lines += ["", f"answers at {' '.join(f'{k}={v}' for k, v in values.items()) or 'the defaults'}:"]
        subs = ex.substitutions(puzzle, values)
        for q in puzzle.quantities:
            if q.closed_form is None:
                lines.append(f"  {q.name}: no closed form known")
                continue
            lines.append(f"  {q.name} = {q.closed_form}")
            if not q.is_distribution:
                value = ex.exact_value(q.closed_form, subs)
                shown, approx = ex.exact_str(value), f"{ex.to_float(value):.10g}"
                lines.append(f"      = {shown}" + (f" = {approx}" if shown != approx else ""))
    return "\n".join(lines)


def catalog_table(puzzles) -> str:
    """A markdown table of puzzles: name, title, parameters with defaults, quantities."""
    lines = ["| puzzle | title | parameters (defaults) | quantities |", "|---|---|---|---|"]
    for p in puzzles:
        params = ", ".join(f"{q.name}={q.default}" for q in p.parameters) or "-"
        quantities = ", ".join(q.name for q in p.quantities)
        lines.append(f"| `{p.name}` | {p.title} | {params} | {quantities} |")
    return "\n".join(lines)
