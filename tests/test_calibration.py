"""The verdict's guarantees, measured: false alarms, the confidence sequence's time-uniform
coverage, and calibrate() catching an interval that is too narrow."""

import numpy as np
import pytest

from puzzles.cli.main import app
from puzzles.engine import stats
from puzzles.engine.calibrate import calibrate, run_seed


def _time_uniform_misses(streams: np.ndarray, true_mean: float, conf, start: int = 30) -> float:
    """Fraction of streams whose band EVER excludes the true mean (checked after every draw)."""
    n = np.arange(1, streams.shape[1] + 1)
    mean = np.cumsum(streams, axis=1) / n
    var = np.maximum(np.cumsum(streams ** 2, axis=1) / n - mean ** 2, 1e-12) * n / np.maximum(n - 1, 1)
    z = np.array([conf.z(k) for k in n])
    half = z * np.sqrt(var / n)
    outside = np.abs(mean - true_mean) > half
    return float(outside[:, start:].any(axis=1).mean())


@pytest.mark.parametrize("kind", ["gaussian", "bernoulli"])
def test_confidence_sequence_covers_uniformly_in_time(kind):
    # Waudby-Smith et al. (2024), Thm 2.2: miss probability over ALL times <= alpha (asymptotically)
    rng = np.random.default_rng(11)
    streams = (rng.standard_normal((1500, 4000)) if kind == "gaussian"
               else (rng.random((1500, 4000)) < 0.3).astype(float))
    true_mean = 0.0 if kind == "gaussian" else 0.3
    alpha = 0.05
    sequence = stats.Confidence(alpha, sequential=True, target_n=1000)
    fixed = stats.Confidence(alpha)
    misses_cs = _time_uniform_misses(streams, true_mean, sequence)
    misses_fixed = _time_uniform_misses(streams, true_mean, fixed)
    assert misses_cs <= alpha + 0.015          # 3 standard errors of slack at 1500 streams
    # the reason the sequence exists: a fixed-size interval, looked at every time, fails often
    assert misses_fixed > 3 * alpha


def test_sequential_spending_sums_to_alpha():
    spent = sum(stats.sequential_alpha(0.01, k) for k in range(1, 100_000))
    assert 0.0099 < spent <= 0.01


def test_decide_three_ways():
    assert stats.decide(0.9, 1.1, 2.0, 5.0) == "disagree"
    assert stats.decide(0.99, 1.01, 1.0, 0.02) == "agree"
    assert stats.decide(0.9, 1.1, 1.0, 0.02) == "inconclusive"


def test_run_seeds_are_distinct_and_reproducible():
    seeds = [run_seed(5, i) for i in range(1000)]
    assert len(set(seeds)) == 1000 and seeds == [run_seed(5, i) for i in range(1000)]


def test_calibrate_finds_a_correct_puzzle_calibrated():
    report = calibrate("handshakes", runs=60, trials=5000, alpha=0.05, seed=3)
    assert report.consistent and report.exit_code == 0
    assert report.rate <= 0.15
    assert {q.name for q in report.quantities} == {"mean", "variance", "pmf"}


def test_calibrate_detects_a_too_narrow_interval(monkeypatch):
    # halve every asymptotic band (compound-poisson's outcome is unbounded): the false-alarm
    # rate jumps far above alpha, and calibrate must say so
    real_z = stats.Confidence.z
    monkeypatch.setattr(stats.Confidence, "z", lambda self, n: real_z(self, n) / 2)
    report = calibrate("compound-poisson", runs=60, trials=5000, alpha=0.05, seed=3)
    assert not report.consistent and report.exit_code == 1
    assert report.ci_low > 0.05


def test_calibrate_auto_mode_has_no_false_alarms_to_speak_of():
    report = calibrate("birthday", runs=20, trials="auto", alpha=0.05, rtol=0.05, seed=4,
                       max_trials=2_000_000)
    assert report.consistent


def test_calibrate_cli(runner, tmp_path):
    out = tmp_path / "cal.png"
    result = runner.invoke(app, ["calibrate", "hat-check", "--runs", "20", "--trials", "5000",
                                 "--alpha", "0.05", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert "false alarms:" in result.stdout and "verdict: calibrated" in result.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(app, ["calibrate", "hat-check", "--runs", "1"])
    assert bad.exit_code == 2 and "--runs 1" in bad.stderr
