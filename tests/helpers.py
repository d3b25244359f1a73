"""Shared helpers: verify a puzzle at a fixed seed with a modest number of trials."""

from engine import verify

TEST_TRIALS = 200_000
TEST_SEED = 12345
# "agree" in a test means: the band contains the exact value and lies within 2% of it (the CLI's
# default is 0.1%). An auto run stops as soon as that is settled, which takes a few hundred
# thousand trials for most points and a few million for small probabilities.
TEST_RTOL = 0.02
TEST_MAX_TRIALS = 8_000_000


def points(puzzle):
    """The defaults, then each example parameter point declared on the spec."""
    return [{}] + [dict(e) for e in puzzle.examples]


def assert_agrees(name, params=None, trials="auto", seed=TEST_SEED, rtol=TEST_RTOL):
    report = verify(name, params=params, trials=trials, seed=seed, threads=2, rtol=rtol,
                    max_trials=TEST_MAX_TRIALS)
    assert report.verdict == "agree", report.format()
    return report
