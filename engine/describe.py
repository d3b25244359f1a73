"""The text of `puzzles show`: the puzzle as a student would read it, answers only on request."""

from __future__ import annotations

import re
import textwrap

from . import exact as ex
from .index import CATALOG_HEADER
from .registry import get_puzzle
from .spec import DEFAULT_OUTCOME, Puzzle, Quantity, _show


_LET = re.compile(r"\b[Ll]et ([A-Z][A-Za-z0-9_]*) (?:be|denote|count)\b")


def outcome_label(puzzle: Puzzle, outcome: str) -> str:
    """The outcome's name as the statement uses it: a puzzle with the one default outcome X
    whose statement says 'Let N be ...' (and never mentions X) is about N."""
    if outcome == DEFAULT_OUTCOME and puzzle.outcomes == (DEFAULT_OUTCOME,) and not re.search(
            rf"\b{DEFAULT_OUTCOME}\b", puzzle.statement):
        named = _LET.search(puzzle.statement)
        if named:
            return named.group(1)
    return outcome


def quantity_meaning(puzzle: Puzzle, q: Quantity) -> str:
    outcome = outcome_label(puzzle, q.of or puzzle.outcomes[0])
    var = q.variable
    unnamed = outcome == DEFAULT_OUTCOME  # an event the statement does not name
    return {
        "mean": f"E[{outcome}]",
        "variance": f"Var[{outcome}]",
        "probability": "the probability asked for" if unnamed else f"P({outcome})",
        "pmf": f"P({outcome} = {var}) for integer {var}",
        "cdf": f"P({outcome} <= {var})",
    }[q.name]


def outcome_meaning(puzzle: Puzzle, name: str) -> str:
    """What an outcome is: the statement's variable, or 1/0 for an event."""
    mine = [q for q in puzzle.quantities if (q.of or puzzle.outcomes[0]) == name]
    if any(q.name == "probability" for q in mine):
        return "1 when the event asked about happens, else 0"
    if any(q.discrete and q.name in ("pmf", "cdf") for q in mine):
        return "as the statement defines it (whole numbers)"
    return "as the statement defines it"


def describe(name: str, answer: bool = False, params=None) -> str:
    return describe_puzzle(get_puzzle(name), answer, params)


def describe_puzzle(puzzle: Puzzle, answer: bool = False, params=None) -> str:
    """The text of `puzzles show` (engine/index.py caches it at the defaults, without answers)."""
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
    lines += ["", "outcome" + "s" * (len(puzzle.outcomes) > 1) + ":"]
    width = max(len(o) for o in puzzle.outcomes)
    meanings = {name: outcome_meaning(puzzle, name) for name in puzzle.outcomes}
    for name in puzzle.outcomes:
        lines.append(f"  {name.ljust(width)}  {meanings[name]}")
    plain = [o for o in puzzle.outcomes if not meanings[o].startswith("1 when")]
    if plain:
        o = plain[0]
        lines.append(f"  claims may ask about it: E[{o}^2], Var[{o}], P({o} >= 3), P({o} = k), "
                     f"median({o}), ...")
    else:
        o = puzzle.outcomes[0]
        lines.append(f"  claims may ask about it: P({o} = 1), E[{o}]")
    if answer:
        # the values as given (z=1.96), computed with their exact rationals (49/25)
        shown = puzzle.as_given(params)
        lines += ["", f"answers at {' '.join(f'{k}={v}' for k, v in shown.items()) or 'the defaults'}:"]
        subs = ex.substitutions(puzzle, values)
        for q in puzzle.quantities:
            if q.closed_form is None:
                lines.append(f"  {q.name}: no closed form known")
                continue
            lines.append(f"  {q.name} = {q.closed_form}")
            if not q.is_distribution:
                value = ex.exact_value(q.closed_form, subs)
                shown, approx = ex.exact_str(value), f"{ex.to_float(value):.10g}"
                lines.append(f"      = {shown}" + (
                    f" = {approx}" if shown != approx and not ex.is_plain_number(shown) else ""))
    return "\n".join(lines)


def catalog_table(puzzles) -> str:
    """A markdown table of puzzles: name, title, parameters with defaults, quantities."""
    return "\n".join([*CATALOG_HEADER, *map(catalog_row, puzzles)])


def catalog_row(p: Puzzle) -> str:
    params = ", ".join(f"{q.name}={q.default}" for q in p.parameters) or "-"
    quantities = ", ".join(q.name for q in p.quantities)
    return f"| `{p.name}` | {p.title} | {params} | {quantities} |"
