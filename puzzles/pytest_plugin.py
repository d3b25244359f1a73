"""pytest plugin (entry point `pytest11`): `pytest --puzzles` verifies every puzzle that the
installed packs and the PUZZLES_PATH folders register, at its defaults and at each declared
example point, one test item a point.

Hooks and options only; the work is in puzzles.testing (assert_verifies), imported when a
puzzle is tested. pytest loads this module in every run, so it imports nothing heavy.

A test fails a correct puzzle with probability at most alpha (the engine's false-alarm rate,
--puzzles-alpha, default 0.01), and the seed is fixed, so the outcome never flips between runs.
An inconclusive verdict within the budget fails too, with the report.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("puzzles", "verifying puzzles (puzzle-verifier)")
    group.addoption("--puzzles", action="store_true", default=False,
                    help="verify every puzzle of the installed packs and PUZZLES_PATH folders "
                         "(defaults and declared examples); a correct puzzle fails with "
                         "probability at most --puzzles-alpha")
    group.addoption("--puzzles-seed", type=int, default=None,
                    help="seed of every run (default 20261124): the same seed, the same result")
    group.addoption("--puzzles-alpha", type=float, default=None,
                    help="false-failure rate of each test (default 0.01)")
    group.addoption("--puzzles-rtol", type=float, default=None,
                    help="relative tolerance each closed form is settled to (default 0.01)")
    group.addoption("--puzzles-max-trials", default=None,
                    help="trials a point may use before it counts as inconclusive (default 1e8)")


def pytest_configure(config):
    config.addinivalue_line("markers", "puzzle: a puzzle verified by `pytest --puzzles`")


def pytest_report_header(config):
    if config.getoption("puzzles"):
        return (f"puzzles: every pack puzzle verified at seed {_options(config)['seed']}; "
                f"a correct puzzle fails with probability <= alpha = {_options(config)['alpha']:g}")
    return None


@pytest.hookimpl(tryfirst=True)  # before -k and -m select among the items
def pytest_collection_modifyitems(session, config, items):
    if not config.getoption("puzzles"):
        return
    collector = PackPuzzles.from_parent(session, name="puzzles", nodeid="puzzles")
    found = list(collector.collect())
    # reported as collected, so "collected N items" counts them
    config.hook.pytest_collectreport(
        report=pytest.CollectReport(collector.nodeid, "passed", None, found))
    items.extend(found)


def _options(config) -> dict:
    from puzzles import testing

    def given(name, default):
        value = config.getoption(name)
        return default if value is None else value

    return {"seed": given("puzzles_seed", testing.DEFAULT_SEED),
            "alpha": given("puzzles_alpha", testing.DEFAULT_ALPHA),
            "rtol": given("puzzles_rtol", testing.DEFAULT_RTOL),
            "max_trials": given("puzzles_max_trials", testing.DEFAULT_MAX_TRIALS)}


class PackPuzzles(pytest.Collector):
    """Every puzzle of the installed packs and PUZZLES_PATH folders: an item per point."""

    def collect(self):
        from puzzles.testing import pack_puzzles, verification_points

        puzzles, broken = pack_puzzles()
        items = []
        for puzzle in puzzles:
            try:
                points = verification_points(puzzle)
            except Exception as exc:  # an example point the spec itself refuses
                items.append(BrokenPuzzleItem.from_parent(self, name=puzzle.name,
                                                          reason=str(exc)))
                continue
            for point in points:
                label = ",".join(f"{k}={v}" for k, v in point.items()) or "defaults"
                items.append(PuzzleItem.from_parent(self, name=f"{puzzle.name}[{label}]",
                                                    puzzle=puzzle, point=point))
        for source, name, reason in broken:
            items.append(BrokenPuzzleItem.from_parent(self, name=name or source,
                                                      reason=f"{source}: {reason}"))
        if not items:
            items.append(BrokenPuzzleItem.from_parent(
                self, name="none",
                reason="--puzzles found no puzzle to verify: install the pack (pip install -e .) "
                       "or name its folder in PUZZLES_PATH"))
        for item in items:
            item.add_marker("puzzle")
        return items


class PuzzleItem(pytest.Item):
    def __init__(self, *, puzzle, point, **kwargs):
        super().__init__(**kwargs)
        self.puzzle = puzzle
        self.point = point

    def runtest(self):
        from puzzles.testing import assert_verifies

        assert_verifies(self.puzzle, self.point, examples=False, **_options(self.config))

    def repr_failure(self, excinfo):
        from puzzles.testing import PuzzleTestFailure

        if isinstance(excinfo.value, PuzzleTestFailure):
            return str(excinfo.value)  # the report, not a traceback into the engine
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.puzzle.source or self.puzzle.name, None, self.name


class BrokenPuzzleItem(pytest.Item):
    """A puzzle that cannot be loaded or verified: a failing test that says why."""

    def __init__(self, *, reason, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self):
        raise _Broken(self.reason)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, _Broken):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.name, None, self.name


class _Broken(Exception):
    pass
