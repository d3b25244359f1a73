"""`puzzles` command line. Every command here only parses, calls the engine, and prints.

Errors a user can cause (engine.PuzzleError, bad option values) end as one line on stderr and
exit code 2; a 'disagree' verdict is exit code 1.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
from typing import Annotated, List, Optional

import typer

from ._plain_values import install as _plain_option_values

_plain_option_values()  # plain option values without pydantic (a quarter of a second)

try:  # typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_errors

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Verify probability puzzles: exact closed forms against Monte Carlo simulation.",
)

EXIT_DISAGREE = 1
EXIT_BAD_INPUT = 2
SCHEDULER_HELP = ("run on Dask: 'local' (a cluster of one process per core, for this run) or "
                  "tcp://HOST:PORT of a running `dask scheduler`")


def _show_version(value: bool) -> None:
    if value:
        import puzzles

        typer.echo(f"puzzles {puzzles.__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="print the version and exit"),
) -> None:
    """Verify probability puzzles: exact closed forms against Monte Carlo simulation."""


def clip(text, width: int = 80) -> str:
    """What the user typed, cut to `width` characters with an ellipsis (see engine.errors)."""
    text = str(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _clip_middle(text: str, width: int = 400) -> str:
    """A last guard on an error line's length; keeps both ends (the end says what is wrong)."""
    half = (width - 5) // 2
    return text if len(text) <= width else f"{text[:half]} ... {text[-half:]}"


def _clip_arguments(message: str) -> str:
    """Every long word of the command line that the message quotes whole, cut to 80 characters:
    a last guard for messages worded elsewhere (click's 'No such option: --...')."""
    for word in sorted(set(sys.argv[1:]), key=len, reverse=True):
        if len(word) > 80 and word in message:
            message = message.replace(word, clip(word))
    return message


def error_line(message: str) -> str:
    """The one line a user error prints: what the user typed quoted at most 80 characters at a
    time (the whole line at most 400 characters), on one line."""
    return f"error: {_clip_middle(' '.join(_clip_arguments(str(message)).split()))}"


def fail(message: str) -> None:
    typer.echo(error_line(message), err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def as_typed(exc) -> str:
    """An engine error's message with option names as typed here: --alpha 2, not alpha=2;
    -p a=0 (or --param a=0, as typed), not a=0, for a parameter the user gave."""
    from puzzles.engine.errors import InvalidOption, InvalidParameter

    if isinstance(exc, InvalidOption):
        return exc.as_typed()
    message = str(exc)
    if isinstance(exc, InvalidParameter):
        given = re.match(r"([A-Za-z_]\w*)=\S+ (is|has|must)\b", message)
        flag = _param_flag(given.group(1)) if given else None
        if flag:
            return f"{flag} {message}"
    return message


def _param_flag(name: str) -> str | None:
    """How the user spelt the option that gave parameter `name`: '-p' or '--param' (None if
    it was not given on this command line, e.g. a default)."""
    args = sys.argv[1:]
    for i, word in enumerate(args):
        for flag in ("--param", "-p"):
            if word == flag and i + 1 < len(args) and args[i + 1].strip().startswith(name + "="):
                return flag
            if word.startswith(flag + "=" if flag == "--param" else flag) and \
                    word[len(flag):].lstrip("=").strip().startswith(name + "="):
                return flag
    return None


@contextlib.contextmanager
def user_errors():
    """Turn the engine's user errors into one line on stderr and exit code 2."""
    from puzzles.engine.errors import PuzzleError

    try:
        yield
    except PuzzleError as exc:
        fail(as_typed(exc))


def known_puzzle(name: str, params: Optional[dict] = None):
    """The index's entry for `name` (engine/index.py), or the user error a typo in the name,
    in a parameter's name or a value out of its range deserves, before anything heavy is
    imported (the engine checks the values again, constraints between them included)."""
    from puzzles.engine.index import index

    entry = index().lookup(name)
    entry.check_parameter_values(params or {})
    return entry


def parse_params(items: Optional[List[str]]) -> dict:
    """-p NAME=VALUE options as {NAME: VALUE}. A parameter given twice is refused (exit 2):
    which of two values was meant is the user's to say, not the last one's to win."""
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            fail(f"--param {clip(item)!r} must look like NAME=VALUE, e.g. --param a=3")
        key, value = key.strip(), value.strip()
        if key in params:
            fail(f"{_param_flag(key) or '--param'} {clip(key, 40)} is given twice ({clip(key, 40)}={clip(params[key], 40)} "
                 f"and {clip(key, 40)}={clip(value, 40)}): give each parameter once")
        params[key] = value
    return params


def note(message: str) -> None:
    """An option that does nothing here, or less than asked: one line on stderr; the run goes on."""
    typer.echo(f"note: {message}", err=True)


def unused_budget(n, budget) -> None:
    """--max-trials caps auto runs only: with a fixed --trials it does nothing, and says so."""
    if budget is not None and isinstance(n, int):
        note("--max-trials caps auto runs (--trials auto) only; with a fixed --trials it does "
             "nothing")


def unused_timeout(scheduler, timeout) -> None:
    if scheduler is None and timeout != DEFAULT_TIMEOUT:
        note("--timeout is the time to reach a --scheduler; without --scheduler it does nothing")


def parse_count(text: Optional[str], option: str) -> Optional[int]:
    """'10000000', '10_000_000', '10,000,000' or '1e7' -> 10000000 (as the Python API reads them)."""
    from puzzles.engine.options import as_count

    with user_errors():
        return as_count(text, f"{option} ")


def parse_trials(text: Optional[str]):
    """A count, or 'auto'."""
    if text is not None and text.strip().lower() == "auto":
        return "auto"
    return parse_count(text, "--trials")


from .progress import Progress as _Progress  # noqa: E402 (a bar on a terminal, else lines)


def _plot_target(plot: Optional[str]):
    """The --plot path, checked (folder exists and is writable, name ends in .png), or None."""
    if plot is None:
        return None
    from puzzles.engine.options import check_plot_path  # nothing heavy: that waits for the drawing

    with user_errors():
        return check_plot_path(plot)


def _write_plot(report, plot: Optional[str], target) -> None:
    if target is None:
        return
    with user_errors():
        report.plot(target)
    typer.echo(f"wrote {plot}", err=True)  # stderr: --json output stays pure


# --------------------------------------------------------------------------- commands


@app.command("list")
def list_puzzles(
    markdown: bool = typer.Option(False, "--markdown", help="a markdown table (the README's catalog)"),
) -> None:
    """List the puzzles: name and one-line title."""
    from puzzles.engine.index import CATALOG_HEADER, index  # names without importing puzzles

    reg = index()
    if markdown:
        typer.echo("\n".join([*CATALOG_HEADER, *(p.row for p in reg.puzzles.values())]))
    else:
        width = max((len(n) for n in reg.puzzles), default=0)
        for name, puzzle in reg.puzzles.items():
            typer.echo(f"{name.ljust(width)}  {puzzle.title}")
    for bad in reg.broken:
        typer.echo(f"warning: skipped {bad.source}: {bad.reason}", err=True)


from .new_command import new_puzzle  # noqa: E402  (its own module; registered in order here)

app.command("new")(new_puzzle)


@app.command()
def show(
    name: str = typer.Argument(..., help="puzzle name, e.g. handshakes"),
    answer: bool = typer.Option(False, "--answer", help="also show the closed forms and values"),
    param: Optional[List[str]] = typer.Option(None, "--param", "-p", help="NAME=VALUE (with --answer)"),
) -> None:
    """State a puzzle: statement, parameters, quantities. No answers unless --answer."""
    params = parse_params(param)
    with user_errors():
        entry = known_puzzle(name, params)
        if not answer and not params:  # the text at the defaults is in the index
            typer.echo(entry.show)
            return
        from puzzles.engine.describe import describe

        text = describe(name, answer=answer, params=params)  # checks the values too
        if params and not answer:
            note("--param sets the point of --answer's values; without --answer the statement "
                 "is the same at every point")
        typer.echo(text)


# Options that verify, check, sweep and calibrate share: one definition each.
Params = Annotated[Optional[List[str]], typer.Option("--param", "-p", help="NAME=VALUE; repeat for several")]
Trials = Annotated[Optional[str], typer.Option(
    "--trials", "-n", help="number of trials, or 'auto' (the default): simulate until every verdict is settled")]
Seed = Annotated[Optional[int], typer.Option("--seed", help="random seed (default 20261124)")]
Threads = Annotated[Optional[int], typer.Option("--threads", help="worker threads (default: all cores)")]
Alpha = Annotated[float, typer.Option("--alpha", help="family-wise false-alarm rate")]
Rtol = Annotated[Optional[float], typer.Option(
    "--rtol", help="agree only if every band is within rtol*|exact| (+atol) of the exact value "
    "(default: aim at 1e-3; an auto run settles for 2e-3, 5e-3 or 1e-2 after 3 s and says so)")]
Atol = Annotated[float, typer.Option("--atol", help="absolute tolerance, added to rtol*|exact|")]
MaxTrials = Annotated[Optional[str], typer.Option(
    "--max-trials", help="with --trials auto: stop here at the latest (default 1e9)")]
MaxSeconds = Annotated[Optional[float], typer.Option(
    "--max-seconds", help="with --trials auto: stop after this long")]
AsJson = Annotated[bool, typer.Option("--json", help="print the result as JSON, nothing else")]
Scheduler = Annotated[Optional[str], typer.Option("--scheduler", help=SCHEDULER_HELP)]
DEFAULT_TIMEOUT = 10.0
Timeout = Annotated[float, typer.Option("--timeout", help="seconds to reach the --scheduler")]


def simulation_options(trials, seed, threads, alpha, rtol, atol, max_trials, max_seconds) -> dict:
    """The shared simulation options, parsed and checked, as keyword arguments for the engine."""
    from puzzles.engine.options import check_options, check_tolerances  # no numpy yet

    n = parse_trials(trials)
    budget = parse_count(max_trials, "--max-trials")
    with user_errors():
        check_options(None if n == "auto" else n, seed, threads, alpha)
        check_tolerances(rtol, atol, budget, max_seconds)
    unused_budget(n, budget)
    return dict(trials=n, seed=seed, threads=threads, alpha=alpha, rtol=rtol, atol=atol,
                max_trials=budget, max_seconds=max_seconds)


def finish(report, as_json: bool, plot: Optional[str], target) -> None:
    """Print the report (table or JSON), draw it if asked, and exit with its verdict's code."""
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())
    _write_plot(report, plot, target)
    raise typer.Exit(report.exit_code)


@app.command()
def verify(
    name: str = typer.Argument(..., help="puzzle name, e.g. handshakes"),
    param: Params = None, trials: Trials = None, seed: Seed = None, threads: Threads = None,
    alpha: Alpha = 0.01, rtol: Rtol = None, atol: Atol = 0.0, max_trials: MaxTrials = None,
    max_seconds: MaxSeconds = None, as_json: AsJson = False,
    plot: Optional[str] = typer.Option(None, "--plot", help="also draw the report into FILE.png"),
    scheduler: Scheduler = None, timeout: Timeout = DEFAULT_TIMEOUT,
    examples: bool = typer.Option(False, "--examples", help="verify the defaults and every example point the puzzle declares: one table"),
    also: Optional[List[str]] = typer.Option(None, "--also", help='a statistic to measure too, e.g. "P(X>=3)" or "E[X^3]" (its exact value where the closed forms give it); repeat for several'),
) -> None:
    """Simulate a puzzle and compare each quantity with its closed form."""
    params = parse_params(param)
    options = simulation_options(trials, seed, threads, alpha, rtol, atol, max_trials, max_seconds)
    unused_timeout(scheduler, timeout)
    if examples:
        if also:
            fail("--also measures at one point: drop --examples, or give the point with --param")
        if params:
            fail("--examples verifies the defaults and the puzzle's example points: drop --param")
        if plot is not None:
            fail("--plot draws one point: drop --examples, or plot a point with --param")
        with user_errors():
            known_puzzle(name)
            from puzzles.engine.examples import verify_examples

            report = verify_examples(name, scheduler=scheduler, timeout=timeout, **options)
        finish(report, as_json, None, None)
    target = _plot_target(plot)  # before simulating: a typo must not cost a whole run
    with user_errors():
        known_puzzle(name, params)
        from puzzles.engine import get_puzzle, verify as run_verify

        get_puzzle(name).resolve(params)
        loaded()
        total = options["trials"] if isinstance(options["trials"], int) else None
        with _Progress(total, enabled=not as_json) as progress:
            report = run_verify(name, params=params, progress=progress, scheduler=scheduler,
                                timeout=timeout, also=tuple(also or ()), **options)
    finish(report, as_json, plot, target)


@app.command()
def check(
    name: str = typer.Argument(..., help="puzzle name, e.g. handshakes"),
    claims: List[str] = typer.Argument(..., help='QUANTITY=EXPRESSION, e.g. "mean=2*a*b/(a+b-1)"'),
    param: Params = None,
    against: Optional[str] = typer.Option(None, "--against", help="exact (default) or simulation"),
    trials: Trials = None, seed: Seed = None, threads: Threads = None, alpha: Alpha = 0.01,
    rtol: Rtol = None, atol: Atol = 0.0, max_trials: MaxTrials = None,
    max_seconds: MaxSeconds = None, as_json: AsJson = False,
    plot: Optional[str] = typer.Option(None, "--plot", help="draw the claims beside the simulation into FILE.png (with --against simulation)"),
    scheduler: Scheduler = None, timeout: Timeout = DEFAULT_TIMEOUT,
) -> None:
    """Judge your own formulas: correct for all parameters, or a counterexample.

    The simulation options (--trials, --rtol, ...) apply with --against simulation."""
    params = parse_params(param)
    options = simulation_options(trials, seed, threads, alpha, rtol, atol, max_trials, max_seconds)
    unused_timeout(scheduler, timeout)
    if against not in (None, "exact", "simulation"):
        from puzzles.engine.errors import did_you_mean

        fail(f"--against {clip(against)!r} must be 'exact' or 'simulation'"
             f"{did_you_mean(against, ['exact', 'simulation'])}")
    if plot is not None and against != "simulation":
        fail("--plot draws claims beside a simulation: add --against simulation")
    target = _plot_target(plot)
    total = options["trials"] if isinstance(options["trials"], int) else None
    with user_errors():
        entry = known_puzzle(name, params)
        if entry.check_parameter_values(params):  # valid values: the claims are read next
            from puzzles.engine.claim_text import precheck_claims  # a claim's syntax, no sympy

            precheck_claims(claims, entry.name, entry.quantities, entry.parameters, entry.outcomes)
        from puzzles.engine import check as run_check

        loaded()

        with _Progress(total, enabled=not as_json and against == "simulation") as progress:
            report = run_check(name, claims, params=params, against=against or "exact",
                               progress=progress, scheduler=scheduler, timeout=timeout, **options)
    if report.simulation is None:  # every claim was judged exactly: nothing was simulated
        unused = [flag for flag, value, default in (
            ("--trials", trials, None), ("--seed", seed, None), ("--threads", threads, None),
            ("--alpha", alpha, 0.01), ("--rtol", rtol, None), ("--atol", atol, 0.0),
            ("--max-trials", max_trials, None), ("--max-seconds", max_seconds, None),
            ("--scheduler", scheduler, None)) if value != default]
        if unused:
            note(f"{', '.join(unused)} set{'s' * (len(unused) == 1)} the simulation; every claim "
                 f"here was judged exactly, so {'it does' if len(unused) == 1 else 'they do'} "
                 f"nothing (--against simulation uses {'it' if len(unused) == 1 else 'them'})")
    finish(report, as_json, plot, target)


from .sweep_command import sweep_puzzle  # noqa: E402  (its own module; registered in order here)

app.command("sweep")(sweep_puzzle)


from .calibrate_command import calibrate_puzzle  # noqa: E402  (its own module)

app.command("calibrate")(calibrate_puzzle)


def _one_line(exc: BaseException) -> int:
    """An error that escaped the commands' own handling, if a user can cause it: one line and
    exit code 2. Anything else is a bug, and its traceback is what a bug report needs."""
    from puzzles.engine.errors import PuzzleError

    if isinstance(exc, PuzzleError):
        message = as_typed(exc)
    elif isinstance(exc, MemoryError):
        message = "out of memory: the input asks for more than this machine has"
    elif isinstance(exc, RecursionError):
        message = "the input is nested too deeply"
    elif isinstance(exc, OSError) and exc.filename is not None:
        # a file or folder the user named that cannot be read or written
        message = f"cannot use {clip(os.fsdecode(exc.filename))!r}: {exc.strerror or exc}"
    else:
        raise exc
    typer.echo(error_line(message), err=True)
    return EXIT_BAD_INPUT


# The cyclic garbage collector while a command loads (Python's thresholds are 700, 10, 10).
# Loading sympy, numba and scipy makes about 160,000 long-lived objects, and at the default
# thresholds the collector scans them again and again while they load: 400 collections, a
# tenth to a fifth of a second of `verify`. Every 50,000 new objects it runs 5 times instead.
LOADING_GC_THRESHOLDS = (50_000, 20, 100)


def loaded() -> None:
    """What a run needs is loaded: keep those objects out of every later collection
    (gc.freeze) and collect at Python's own pace again, so that the few cycles a long run's
    chunks leave behind (numpy's ctypes views of their generators) go as they come."""
    gc.freeze()
    gc.set_threshold(*DEFAULT_GC_THRESHOLDS)


DEFAULT_GC_THRESHOLDS = gc.get_threshold()


def main() -> None:
    """Console entry point: click's own usage errors also end in one line and exit code 2."""
    gc.set_threshold(*LOADING_GC_THRESHOLDS)  # until loaded()
    try:
        code = app(standalone_mode=False)
        if code == 130:
            # Ctrl-C: typer (standalone_mode=False) returns 130 in silence; files are written
            # atomically, so nothing half-written is left behind
            typer.echo("aborted", err=True)
    except (typer.Exit, getattr(click_errors, "Exit", typer.Exit)) as exc:
        code = exc.exit_code
        if code == 130 and isinstance(exc.__context__, KeyboardInterrupt):
            # typer turns Ctrl-C into a silent Exit(130); files are written atomically, so
            # nothing half-written is left behind
            typer.echo("aborted", err=True)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        code = 130
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.format_message() if hasattr(exc, "format_message") else str(exc), err=True)
        code = EXIT_BAD_INPUT
    except click_errors.ClickException as exc:
        typer.echo(error_line(exc.format_message()), err=True)
        code = EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 -- the boundary: what a user can cause, in one line
        code = _one_line(exc)
    # A command loads sympy, scipy and numba: 160,000 long-lived objects, which the cyclic
    # garbage collector would scan once more at exit (half a second to a second). Leave them
    # to the operating system.
    gc.freeze()
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
