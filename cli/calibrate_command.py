"""`puzzles calibrate NAME`: measure verify's false-alarm rate on a puzzle (see engine.calibrate)."""

from __future__ import annotations

import json
from typing import List, Optional

import typer


def calibrate_puzzle(
    name: str = typer.Argument(..., help="puzzle name, e.g. handshakes"),
    runs: int = typer.Option(200, "--runs", help="independent verify runs"),
    trials: Optional[str] = typer.Option("20000", "--trials", "-n", help="trials per run, or 'auto' (early stopping)"),
    alpha: float = typer.Option(0.01, "--alpha", help="family-wise false-alarm rate to check"),
    param: Optional[List[str]] = typer.Option(None, "--param", "-p", help="NAME=VALUE"),
    seed: Optional[int] = typer.Option(None, "--seed", help="seed the runs' seeds are drawn from"),
    threads: int = typer.Option(1, "--threads", help="threads per run"),
    rtol: Optional[float] = typer.Option(None, "--rtol", help="tolerance of each run, as in verify"),
    max_trials: Optional[str] = typer.Option(None, "--max-trials", help="with --trials auto: per run"),
    plot: Optional[str] = typer.Option(None, "--plot", help="draw p-value histograms and QQ plots into FILE.png"),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON, nothing else"),
) -> None:
    """Run verify many times with independent seeds: is the false-alarm rate really <= alpha?"""
    from puzzles.cli.main import (_plot_target, _Progress, _write_plot, parse_count, parse_params,
                                  parse_trials, unused_budget, user_errors)
    from puzzles.engine.calibrate import calibrate

    params = parse_params(param)
    n = parse_trials(trials)
    budget = parse_count(max_trials, "--max-trials")
    target = _plot_target(plot)
    with user_errors():
        from puzzles.engine.options import check_options, check_tolerances

        check_options(None if n == "auto" else n, seed, threads, alpha)
        check_tolerances(rtol, 0.0, budget, None)
        unused_budget(n, budget)
        from puzzles.cli.sweep_command import _useful_threads

        _useful_threads(threads, None, n)  # threads past the cores only wait their turn
        with _Progress(runs, enabled=not as_json, label="runs") as progress:
            report = calibrate(name, runs=runs, trials=n, alpha=alpha, params=params, seed=seed,
                               threads=threads, rtol=rtol, max_trials=budget, progress=progress)
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())
    _write_plot(report, plot, target)
    raise typer.Exit(report.exit_code)
