"""Shared helpers: verify a puzzle at a fixed seed with a modest number of trials."""

from engine import get_puzzle, verify

TEST_TRIALS = 200_000
TEST_SEED = 12345


def points(puzzle):
    """The defaults, then each example parameter point declared on the spec."""
    return [{}] + [dict(e) for e in puzzle.examples]


def assert_agrees(name, params=None, trials=None, seed=TEST_SEED):
    puzzle = get_puzzle(name)
    report = verify(name, params=params, trials=trials or min(TEST_TRIALS, puzzle.default_trials),
                    seed=seed, threads=2)
    assert report.verdict == "agree", report.format()
    return report
