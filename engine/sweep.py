"""sweep(): verify one puzzle at every point of a grid of parameter values.

The grid is the cartesian product of one list of values per parameter ("1..12", "0..1:1/4",
"3,5,8", or a fixed "5"); parameters left out keep their defaults. A point outside the puzzle's
ranges (say a+b >= 3 broken) is reported as 'invalid' with the reason, not run. The false-alarm
rate `alpha` is for the whole sweep: each of the m valid points is verified at alpha/m, so a
sweep of 144 points does not 'disagree' somewhere by chance alone.

With a scheduler, one cluster serves the whole sweep and several points run at once (the
natural job for a cluster: many small verifications); rows still come back in grid order.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping

from .errors import InvalidOption, InvalidParameter, clip, quote
from .options import check_name_length
from .registry import get_puzzle
from .simulate import _ordered_bounded_map
from .options import as_trials
from .spec import parse_number
from .verify import DEFAULT_SEED, check_options, verify

MAX_POINTS = 100_000
OUTPUT_FORMATS = (".csv", ".parquet")
# Points verified at once on a cluster, per worker thread (bounded, like chunks in flight).
POINTS_IN_FLIGHT_PER_THREAD = 2
MAX_POINTS_IN_FLIGHT = 32

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:/\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*(?::\s*({_NUMBER}))?\s*$")


# --------------------------------------------------------------------------- the grid


def parse_values(name: str, spec: Any) -> list:
    """The values of one axis: 'LOW..HIGH' (step 1), 'LOW..HIGH:STEP', 'V1,V2,...', a single
    value, or (from Python) any iterable of values."""
    if isinstance(spec, str):
        text = spec.strip()
        match = _RANGE.match(text)
        if match:
            return _range_values(name, text, *match.groups())
        if ".." in text:
            raise InvalidOption(f"{name}={clip(spec, 40)} is not a range: write LOW..HIGH or "
                                f"LOW..HIGH:STEP, e.g. {name}=1..12 or {name}=0..1:1/4")
        values = [_number(name, part) for part in text.split(",")]
        return values
    if isinstance(spec, Iterable):
        values = list(spec)
        if not values:
            raise InvalidOption(f"{name} has no values")
        return values
    return [spec]


def _number(name: str, text: str):
    # spec's parser: exact, and bounded in digits (1e999999999 is refused, not expanded)
    return _plain(parse_number(name, text))


def _range_values(name: str, text: str, low: str, high: str, step: str | None) -> list:
    lo, hi, by = (parse_number(name, v) for v in (low, high, step or "1"))
    if by <= 0:
        raise InvalidOption(f"{name}={clip(text, 40)}: the step must be > 0")
    if hi < lo:
        raise InvalidOption(f"{name}={clip(text, 40)}: the range is empty ({clip(high, 30)} < {clip(low, 30)})")
    count = math.floor((hi - lo) / by) + 1
    if count > MAX_POINTS:
        raise InvalidOption(f"{name}={clip(text, 40)} has {count:,} values; at most {MAX_POINTS:,}")
    return [_plain(lo + k * by) for k in range(count)]


def _plain(x: Fraction):
    """An int when whole, else the exact Fraction (puzzle.resolve takes both exactly)."""
    return int(x) if x.denominator == 1 else x


def grid_points(puzzle, grid: Mapping[str, Any]) -> tuple[list[str], list[dict]]:
    """(the grid's parameter names, every point as {name: value}), first name outermost."""
    known = puzzle.symbols
    for key in grid:
        if key not in known:
            from .index import unknown_parameter

            raise InvalidParameter(unknown_parameter(puzzle.name, key, known))
    axes = {key: parse_values(key, spec) for key, spec in grid.items()}
    total = math.prod(len(v) for v in axes.values())
    if total > MAX_POINTS:
        raise InvalidOption(f"the grid has {total:,} points; at most {MAX_POINTS:,}")
    names = list(axes)
    return names, [dict(zip(names, combo)) for combo in itertools.product(*axes.values())]


# --------------------------------------------------------------------------- output


def check_output(path) -> str:
    """The output format ('.csv' or '.parquet') if a table can be written to `path`; checked
    before a long sweep runs, not after."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in OUTPUT_FORMATS:
        raise InvalidOption(f"output {quote(path)} must end in .csv or .parquet")
    check_name_length(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InvalidOption(f"output {quote(path)} is a folder")
    if not os.path.isdir(folder):
        raise InvalidOption(f"cannot write {quote(path)}: folder {clip(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (
            os.path.exists(path) and not os.access(path, os.W_OK)):
        raise InvalidOption(f"cannot write {quote(path)}: permission denied")
    if ext == ".parquet":
        import importlib.util

        if not (importlib.util.find_spec("pyarrow") or importlib.util.find_spec("fastparquet")):
            raise InvalidOption("writing .parquet needs pyarrow: pip install -e '.[dask]' "
                                "(or write .csv)")
    return ext


def write_table(frame, path) -> None:
    """Write to a temporary file beside `path`, then rename: an interrupted or failed write
    (Ctrl-C, a full disk) never leaves a half-written table."""
    from .files import write_atomically

    ext = check_output(path)
    if ext == ".csv":
        write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
    else:
        write_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))


# --------------------------------------------------------------------------- the sweep


def sweep(name, grid: Mapping[str, Any], trials: int | None = None, seed: int | None = None,
          threads: int | None = None, alpha: float = 0.01, scheduler=None,
          timeout: float = 10.0, on_row: Callable | None = None, **verify_options):
    """Verify puzzle `name` at every point of `grid`; a pandas DataFrame, one row per point.

    grid: {parameter: values}, values as parse_values() takes them. Columns: every parameter
    of the puzzle, then verdict ('agree', 'disagree', ... or 'invalid'), worst_p (the smallest
    p-value of the point), precision (the loosest rtol a quantity agreed within: the rtol given,
    or a rung of the precision ladder when none was; see verify), p_<quantity> for each quantity, trials, seconds, trials_per_s, alpha
    (the point's share of the sweep's alpha) and note (why a point is invalid).
    `on_row(row, report)` is called for each point in grid order as soon as it is known
    (report is None for an invalid point). scheduler, timeout: as for verify().
    """
    import pandas as pd

    trials = None if trials is None else as_trials(trials, "trials=")  # 1e6, "1e6", "auto"
    check_options(None if trials == "auto" else trials, seed, threads, alpha)
    puzzle = get_puzzle(name)
    names, points = grid_points(puzzle, grid)
    invalid = {}
    for i, point in enumerate(points):
        try:
            puzzle.resolve(point)
        except InvalidParameter as exc:
            invalid[i] = str(exc)
    valid = [i for i in range(len(points)) if i not in invalid]
    if not valid:
        first = next(iter(invalid.values()))
        raise InvalidParameter(f"no point of the grid is valid; the first one: {first}")
    point_alpha = alpha / len(valid)
    options = dict(trials=trials, seed=seed, alpha=point_alpha, **verify_options)
    quantity_columns = [f"p_{q.name}" for q in puzzle.quantities]

    def run_all(run_point: Callable, in_flight: int) -> list[dict]:
        rows: list[dict] = []
        reports = iter(_ordered(run_point, [points[i] for i in valid], in_flight))
        for i, point in enumerate(points):
            if i in invalid:
                row, report = _invalid_row(puzzle, point, invalid[i], quantity_columns), None
            else:
                report = next(reports)
                row = _row(puzzle, report, point_alpha, quantity_columns)
            rows.append(row)
            if on_row is not None:
                on_row(row, report)
        return rows

    if scheduler is None:
        rows = run_all(lambda p: verify(puzzle, p, threads=threads, **options), 1)
    else:
        from .cluster import session

        with session(scheduler, timeout, workers=threads) as chunk_map:
            workers = chunk_map.threads
            in_flight = max(1, min(MAX_POINTS_IN_FLIGHT, POINTS_IN_FLIGHT_PER_THREAD * workers))
            rows = run_all(lambda p: verify(puzzle, p, threads=workers, map_chunks=chunk_map,
                                            **options), in_flight)
    frame = pd.DataFrame(rows)
    frame.attrs.update(puzzle=puzzle.name, swept=names, alpha=alpha, point_alpha=point_alpha,
                       seed=DEFAULT_SEED if seed is None else int(seed))
    return frame


def _ordered(fn: Callable, items: list, in_flight: int):
    if in_flight <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        yield from _ordered_bounded_map(pool, fn, items, in_flight)


def _number_of(value):
    """A resolved parameter as a plain number for the table: int when whole, else float."""
    try:
        if getattr(value, "is_Integer", False) or (isinstance(value, (int, Fraction))
                                                   and Fraction(value).denominator == 1):
            return int(value)
        return float(value)
    except (TypeError, ValueError):
        return value


def _params_row(puzzle, point: Mapping[str, Any], resolved: Mapping[str, Any] | None) -> dict:
    row = {}
    for p in puzzle.parameters:
        if resolved is not None:
            row[p.name] = _number_of(resolved[p.name])
        else:
            row[p.name] = _number_of(point.get(p.name, p.default))
    return row


def _row(puzzle, report, point_alpha: float, quantity_columns: list[str]) -> dict:
    p_values = {f"p_{q.name}": q.p_value for q in report.quantities}
    judged = [p for p in p_values.values() if p is not None]
    row = _params_row(puzzle, report.params, report.params)
    row.update(verdict=report.verdict, worst_p=min(judged) if judged else None,
               precision=report.precision)
    row.update({c: p_values.get(c) for c in quantity_columns})
    row.update(trials=report.trials, seconds=report.seconds,
               trials_per_s=report.trials_per_second, alpha=point_alpha, note="")
    return row


def _invalid_row(puzzle, point, reason: str, quantity_columns: list[str]) -> dict:
    row = _params_row(puzzle, point, None)
    row.update(verdict="invalid", worst_p=None, precision=None)
    row.update({c: None for c in quantity_columns})
    row.update(trials=0, seconds=None, trials_per_s=None, alpha=None, note=reason)
    return row
