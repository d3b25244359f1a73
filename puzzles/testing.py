"""Testing puzzles with pytest: one line a puzzle, or none at all.

    import puzzles.testing

    def test_dice_sum():
        puzzles.testing.assert_verifies("dice-sum")    # defaults and the declared examples

or `pytest --puzzles`: every puzzle of the installed packs (entry points of the group
`puzzles`) and of the PUZZLES_PATH folders, at its defaults and at each declared example.
(The pytest plugin, puzzles.pytest_plugin, only adds the option; the work is here.)

How often does a correct puzzle fail? Each point is verified with an auto run (simulate until
every closed form is settled) at a fixed seed. A test fails a correct puzzle only through a false
'disagree', whose probability is at most the engine's alpha (default 0.01) for the whole test:
assert_verifies splits alpha over its points (Bonferroni). The seed is fixed, so the outcome is
the same on every run and machine (any thread count): a test is never flaky, and a false alarm,
if the seed happens to give one, shows on the first run and stays until the seed or the puzzle
changes. 'inconclusive' -- a band still wider than the tolerance when the budget
(max_trials) runs out -- also fails, with the report saying how many trials would settle it:
it is never passed silently.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

DEFAULT_SEED = 20261124       # the engine's default seed
DEFAULT_ALPHA = 0.01          # the engine's default: a correct test fails with at most this chance
# A test settles each closed form to 1% (the CLI's default is 0.1%: 100 times the trials).
DEFAULT_RTOL = 0.01
DEFAULT_MAX_TRIALS = 100_000_000


class PuzzleTestFailure(AssertionError):
    """A puzzle disagreed, was inconclusive within the budget, or could not be verified."""


def assert_verifies(name, params: Mapping[str, Any] | None = None, examples: bool = True, *,
                    seed: int = DEFAULT_SEED, alpha: float = DEFAULT_ALPHA,
                    rtol: float = DEFAULT_RTOL, atol: float = 0.0,
                    max_trials: int | float | str = DEFAULT_MAX_TRIALS,
                    threads: int | None = None) -> list:
    """Verify puzzle `name` and fail (PuzzleTestFailure, an AssertionError) unless it agrees.

    name: a puzzle name, a Puzzle, or the path of a puzzle file (a str or Path ending in .py).
    Points: `params` (default: the puzzle's defaults) and, with examples=True, every example
    point its spec declares. Each is verified with an auto run at `seed`, at alpha / (number of
    points), so the whole call fails a correct puzzle with probability at most `alpha`.
    Returns the reports (one per point).
    """
    __tracebackhide__ = True  # pytest: the failure points at the test's own line
    from puzzles.engine.verify import verify

    puzzle = _puzzle(name)
    points = verification_points(puzzle, params, examples)
    reports, failures = [], []
    for point in points:
        report = verify(puzzle, params=point, trials="auto", seed=seed,
                        alpha=alpha / len(points), rtol=rtol, atol=atol,
                        max_trials=max_trials, threads=threads)
        reports.append(report)
        if report.verdict != "agree":
            failures.append(report)
    if failures:
        raise PuzzleTestFailure(failure_message(puzzle.name, failures, len(points), alpha))
    return reports


def verification_points(puzzle, params=None, examples: bool = True) -> list[dict]:
    """`params` (or the defaults, {}) then, with examples, each declared example point not
    already listed: the points of `puzzles verify --examples`."""
    from puzzles.engine.examples import example_points

    return example_points(puzzle, first=params) if examples else [dict(params or {})]


def failure_message(name: str, failures: list, points: int, alpha: float) -> str:
    """What a failing test prints: why it failed, then each failing point's whole report."""
    parts = []
    for report in failures:
        where = " ".join(f"{k}={v}" for k, v in report.params.items())
        if report.verdict == "disagree":
            why = (f"puzzle {name!r} disagrees at {where}: a closed form is outside its "
                   f"confidence band (a correct puzzle fails so with probability at most "
                   f"alpha = {alpha:g})")
        elif report.verdict == "inconclusive":
            why = (f"puzzle {name!r} is inconclusive at {where} after {report.trials:,} "
                   f"trials (the budget, max_trials): no band excludes the exact value, but "
                   f"not every band is within rtol = {report.rtol:g}; raise max_trials "
                   f"(--puzzles-max-trials) or rtol (--puzzles-rtol)")
        else:
            why = (f"puzzle {name!r} at {where}: verdict {report.verdict!r} -- no quantity "
                   f"has a closed form to compare with")
        parts.append(f"{why}\n\n{report.format()}")
    head = f"{len(failures)} of {points} parameter points failed\n\n" if points > 1 else ""
    return head + "\n\n".join(parts)


def _puzzle(name):
    """A Puzzle from its name, a Puzzle, or the path of its file."""
    from puzzles.engine.registry import get_puzzle, load_puzzle_file

    if isinstance(name, os.PathLike) or (isinstance(name, str) and name.endswith(".py")):
        return load_puzzle_file(os.fspath(name))
    return get_puzzle(name)


def pack_puzzles() -> tuple[list, list]:
    """(puzzles, broken) that packs register: installed entry points and PUZZLES_PATH folders,
    not the built-in catalog. `broken` holds (source, name, reason) of those that fail to load."""
    from puzzles.engine.registry import BUILTIN_PACKAGE, registry

    reg = registry()
    builtin = os.path.dirname(__import__(BUILTIN_PACKAGE, fromlist=["_"]).__file__)

    def is_builtin(source: str) -> bool:
        return os.path.dirname(os.path.realpath(source)) == os.path.realpath(builtin)

    puzzles = [p for name, p in reg.puzzles.items() if not is_builtin(reg.sources[name])]
    broken = [(b.source, b.name, b.reason) for b in reg.broken if not is_builtin(b.source)]
    return puzzles, broken
