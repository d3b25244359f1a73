"""`puzzles sweep NAME --param a=1..12 --param b=1..12`: verify a puzzle over a grid of points."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

PARAM_HELP = ("NAME=LOW..HIGH[:STEP], NAME=V1,V2,... or NAME=VALUE; repeat for several: the grid "
              "is every combination")
SCHEDULER_HELP = ("run on Dask: 'local' (a cluster of one process per core, for this sweep) or "
                  "tcp://HOST:PORT of a running `dask scheduler`")


def sweep_puzzle(
    name: str = typer.Argument(..., help="puzzle name, e.g. handshakes"),
    param: Optional[List[str]] = typer.Option(None, "--param", "-p", help=PARAM_HELP),
    trials: Optional[str] = typer.Option(None, "--trials", "-n", help="trials per point (default: the puzzle's), or auto"),
    seed: Optional[int] = typer.Option(None, "--seed", help="random seed, the same at every point (default 20261124)"),
    threads: Optional[int] = typer.Option(None, "--threads", help="worker threads (with --scheduler local: worker processes)"),
    alpha: float = typer.Option(0.01, "--alpha", help="false-alarm rate of the whole sweep (split over its points)"),
    rtol: Optional[float] = typer.Option(None, "--rtol", help="relative tolerance, as in verify"),
    atol: float = typer.Option(0.0, "--atol", help="absolute tolerance, as in verify"),
    max_trials: Optional[str] = typer.Option(None, "--max-trials", help="with --trials auto: per point, stop here at the latest"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    timeout: float = typer.Option(10.0, "--timeout", help="seconds to reach the --scheduler"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="write the table to a .csv or .parquet file"),
) -> None:
    """Verify a puzzle at every point of a grid of parameters; one row per point."""
    # imported here, not at the top: cli.main imports this module while it is still loading
    from puzzles.cli.main import (EXIT_DISAGREE, parse_count, parse_params, parse_trials,
                                  unused_budget, unused_timeout, user_errors)
    from puzzles.engine.registry import get_puzzle
    from puzzles.engine.sweep import check_output, grid_points, sweep, write_table
    from puzzles.engine.verify import DEFAULT_RTOL
    from puzzles.engine.options import check_options

    grid = parse_params(param)
    n = parse_trials(trials)
    budget = parse_count(max_trials, "--max-trials")
    with user_errors():
        check_options(None if n == "auto" else n, seed, threads, alpha)
        unused_budget(n, budget)
        unused_timeout(scheduler, timeout)
        _useful_threads(threads, scheduler, n)
        if out is not None:
            check_output(out)
        puzzle = get_puzzle(name)
        names, points = grid_points(puzzle, grid)
        table = _Table(names, points, DEFAULT_RTOL if rtol is None else rtol,
                       auto=n is None or n == "auto")
        codes: list[int] = []

        def on_row(row: dict, report) -> None:
            if not codes:  # not before the sweep has checked that some point is valid
                typer.echo(table.header())
            codes.append(0 if report is None else report.exit_code)
            typer.echo(table.line(row))

        frame = sweep(puzzle, grid, trials=n, seed=seed, threads=threads, alpha=alpha,
                      scheduler=scheduler, timeout=timeout, on_row=on_row, rtol=rtol, atol=atol,
                      max_trials=budget)
        if out is not None:
            write_table(frame, out)
    counts = frame["verdict"].value_counts()
    summary = ", ".join(f"{counts[v]} {v}" for v in counts.index)
    wrote = f"; wrote {out}" if out is not None else ""
    typer.echo(f"{len(frame)} points: {summary} (alpha {alpha:g} over the sweep, "
               f"{frame.attrs['point_alpha']:.2g} per point){wrote}")
    if (frame["verdict"] == "disagree").any():
        raise typer.Exit(EXIT_DISAGREE)
    raise typer.Exit(max(codes, default=0))


def _useful_threads(threads, scheduler, trials=None) -> None:
    """Threads past the cores only wait their turn, and a fixed run of c chunks keeps at most
    c busy: the runs use what helps, and say so (verify's own note, for many runs at once)."""
    from puzzles.cli.main import note
    from puzzles.engine.simulate import CHUNK_TRIALS, chunk_count, default_threads

    if threads is None or (scheduler is not None and scheduler.strip() != "local"):
        return
    cores = default_threads()
    used = min(threads, cores)
    why = "the cores here"
    if scheduler is None and isinstance(trials, int) and chunk_count(trials) < used:
        used = chunk_count(trials)
        why = (f"{trials:,} trials make {used} chunk{'s' * (used != 1)} of at most "
               f"{CHUNK_TRIALS:,}, one thread each")
    if threads > used:
        what = ("worker process" + "es" * (used != 1)) if scheduler is not None else (
            "thread" + "s" * (used != 1))
        note(f"--threads {threads:,} asked, {used} {what} used ({why})")


class _Table:
    """Rows printed as the points finish, in columns sized from the whole grid up front.

    A run of fixed size shows each point's smallest p-value; an auto run shows the trials each
    point took instead: its anytime bands' p-values stay at 1 until the evidence is strong
    (the DataFrame and --out still carry them, as worst_p)."""

    def __init__(self, names: list[str], points: list[dict], rtol: float, auto: bool = False):
        self.names = names
        self.auto = auto
        self.rtol = rtol  # a point that agrees only within a looser rung says so
        self.points = iter(points)
        self.widths = [max(len(name), *(len(_show(p[name])) for p in points)) for name in names]

    def header(self) -> str:
        cells = [n.ljust(w) for n, w in zip(self.names, self.widths)]
        middle = "trials".ljust(13) if self.auto else "worst p".ljust(9)
        return "  ".join(cells + ["verdict".ljust(12), middle, "trials/s"]).rstrip()

    def line(self, row: dict) -> str:
        # the values as the grid wrote them (1/3, not 0.333...): rows come in grid order
        point = next(self.points)
        cells = [_show(point[n]).ljust(w) for n, w in zip(self.names, self.widths)]
        if row["verdict"] == "invalid":
            return "  ".join(cells + ["invalid".ljust(12), row["note"]])
        if self.auto:
            middle = f"{row['trials']:,}".ljust(13)
        else:
            middle = ("-" if row["worst_p"] is None else f"{row['worst_p']:.3g}").ljust(9)
        verdict = row["verdict"]
        if verdict == "agree" and (row.get("precision") or 0) > self.rtol:
            verdict = f"agree {100 * row['precision']:g}%"  # within that rtol
        rate = row["trials_per_s"]
        rate_text = f"{rate / 1e6:.2f} M" if rate >= 1e5 else f"{rate:,.0f}"
        return "  ".join(cells + [verdict.ljust(12), middle, rate_text]).rstrip()


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
