"""calibrate(): measure how often verify() cries wolf on a puzzle whose closed forms are right.

verify() promises a family-wise false-alarm rate of at most alpha. calibrate() runs it many times
with independent seeds and reports the observed rate with a Clopper-Pearson interval, and the
distribution of each quantity's p-values, which should be no smaller than uniform: exact tests
(Clopper-Pearson, DKW, the mixture sequences) are conservative by design and their p-values are
discrete, so only p-values that are too SMALL count against them (a one-sided KS test). A wrong
interval -- too narrow, or blind to skew or heavy tails -- shows up here as a rate clearly above
alpha.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
from scipy import stats

from .options import as_trials
from .errors import InvalidOption
from .registry import get_puzzle
from .table import seconds_text
from .verify import DEFAULT_SEED, verify

DEFAULT_RUNS = 200
DEFAULT_TRIALS = 20_000


def run_seed(seed: int, run: int) -> int:
    """An independent seed for run number `run` (a SeedSequence hash of both)."""
    return int(np.random.SeedSequence([seed, run]).generate_state(1, dtype=np.uint64)[0] >> 1)


@dataclass
class QuantityCalibration:
    name: str
    p_values: list = field(repr=False)
    rejections: int           # runs in which this quantity said disagree
    ks_statistic: float
    ks_p_value: float         # H0: the p-values are not stochastically below uniform
    test: str
    band: str = ""            # 'exact' or 'asymptotic'

    def to_dict(self) -> dict:
        return {"name": self.name, "rejections": self.rejections, "ks_statistic": self.ks_statistic,
                "ks_p_value": self.ks_p_value, "test": self.test, "band": self.band,
                "mean_p_value": float(np.mean(self.p_values)) if self.p_values else None}


@dataclass
class CalibrationReport:
    puzzle: str
    params: dict
    runs: int
    trials: Any
    alpha: float
    false_alarms: int
    inconclusive: int
    ci_low: float
    ci_high: float
    quantities: list
    median_trials: float
    seconds: float
    given: dict | None = None  # the parameters as the user wrote them (z=1.96), for the heading

    @property
    def rate(self) -> float:
        return self.false_alarms / self.runs

    @property
    def consistent(self) -> bool:
        """False only when the rate is clearly above alpha: its whole interval lies above."""
        return self.ci_low <= self.alpha

    @property
    def exit_code(self) -> int:
        return 0 if self.consistent else 1

    def to_dict(self) -> dict:
        return {"puzzle": self.puzzle, "params": {k: str(v) for k, v in self.params.items()},
                "runs": self.runs, "trials": self.trials, "alpha": self.alpha,
                "false_alarms": self.false_alarms, "false_alarm_rate": self.rate,
                "ci_low": self.ci_low, "ci_high": self.ci_high, "consistent": self.consistent,
                "inconclusive": self.inconclusive, "median_trials": self.median_trials,
                "seconds": self.seconds, "quantities": [q.to_dict() for q in self.quantities]}

    def format(self) -> str:
        params = " ".join(f"{k}={v}" for k, v in (self.given or self.params).items())
        trials = (f"auto trials (median {self.median_trials:,.0f})" if self.trials == "auto"
                  else f"{self.trials} trials")
        lines = [f"{self.puzzle}  {params}   {self.runs} runs of {trials}  "
                 f"alpha {self.alpha:g}  {seconds_text(self.seconds)}",
                 f"false alarms: {self.false_alarms} of {self.runs} = {self.rate:.3f}  "
                 f"(95% Clopper-Pearson [{self.ci_low:.3f}, {self.ci_high:.3f}])  "
                 + ("consistent with alpha" if self.consistent else "CLEARLY ABOVE alpha"),
                 "quantity    rejections  p-values: KS vs uniform"]
        for q in self.quantities:
            lines.append(f"{q.name.ljust(11)} {str(q.rejections).ljust(11)} "
                         f"D = {q.ks_statistic:.3f}, p = {q.ks_p_value:.3g}  ({q.band} band)")
        if self.inconclusive:
            lines.append(f"({self.inconclusive} runs were inconclusive: not false alarms)")
        lines.append("verdict: " + ("calibrated" if self.consistent else "miscalibrated"))
        return "\n".join(lines)

    def plot(self, path=None):
        """Draw the p-value histograms and QQ plots: into `path` (a .png), or, with no path,
        return the matplotlib Figure."""
        fig = calibration_figure(self)
        if path is None:
            return fig
        from .plot import check_plot_path, write_figure

        write_figure(fig, check_plot_path(path))
        return None


def calibrate(name, runs: int = DEFAULT_RUNS, trials: int | str = DEFAULT_TRIALS,
              alpha: float = 0.01, params: Mapping[str, Any] | None = None,
              seed: int | None = None, threads: int | None = 1, progress=None,
              **verify_options) -> CalibrationReport:
    """Run verify() `runs` times with independent seeds and measure its false alarms."""
    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 2:
        raise InvalidOption(option="runs", value=runs, rule="must be a whole number >= 2")
    trials = as_trials(trials, "trials=")  # 1e6, "1e6", "auto"
    puzzle = get_puzzle(name)
    seed = DEFAULT_SEED if seed is None else seed
    false_alarms = inconclusive = 0
    p_values: dict[str, list] = {}
    rejections: dict[str, int] = {}
    tests: dict[str, str] = {}
    bands: dict[str, str] = {}
    used_trials, seconds, params_used = [], 0.0, {}
    for i in range(runs):
        report = verify(puzzle, params=params, trials=trials, seed=run_seed(seed, i),
                        threads=threads, alpha=alpha, **verify_options)
        params_used = report.params
        seconds += report.seconds
        used_trials.append(report.trials)
        false_alarms += report.verdict == "disagree"
        inconclusive += report.verdict == "inconclusive"
        for q in report.quantities:
            if q.p_value is None:
                continue
            p_values.setdefault(q.name, []).append(q.p_value)
            rejections[q.name] = rejections.get(q.name, 0) + (q.verdict == "disagree")
            tests[q.name] = q.test
            bands[q.name] = q.band or ""
        if progress is not None:
            progress(1)
    quantities = []
    for qname, ps in p_values.items():
        # exact and anytime p-values are conservative by design: only p-values that are too
        # SMALL matter (the empirical cdf of the p-values lying above the uniform one)
        ks = stats.kstest(ps, "uniform", alternative="greater")
        quantities.append(QuantityCalibration(qname, ps, rejections[qname], float(ks.statistic),
                                              float(ks.pvalue), tests[qname], bands[qname]))
    ci = stats.binomtest(false_alarms, runs).proportion_ci(confidence_level=0.95, method="exact")
    return CalibrationReport(puzzle.name, dict(params_used), runs, trials, alpha, false_alarms,
                             inconclusive, float(ci.low), float(ci.high), quantities,
                             float(np.median(used_trials)), seconds,
                             given=puzzle.as_given(params))


def calibration_figure(report: CalibrationReport):
    """Per quantity: a histogram of its p-values over the runs (each bar a whole number of
    runs) against the count a uniform law expects, and a QQ plot. A bare Figure on an Agg
    canvas (engine/plot.py): no pyplot, no global matplotlib state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import MaxNLocator

    from .plot import figure_class

    m = max(len(report.quantities), 1)
    fig = figure_class()(figsize=(max(11, 4 * m), 7.4), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, m, squeeze=False)
    bins = 20
    for j, q in enumerate(report.quantities):
        ps = np.sort(np.asarray(q.p_values, dtype=float))
        hist, qq = axes[0, j], axes[1, j]
        hist.set_label(f"{q.name} p-values")
        qq.set_label(f"{q.name} QQ")
        counts, edges = np.histogram(ps, bins=bins, range=(0, 1))
        hist.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#4c72b0",
                 edgecolor="white")
        expected_runs = len(ps) / bins
        hist.axhline(expected_runs, color="black", linestyle="--",
                     label=f"uniform: {expected_runs:.3g} run{'s' * (expected_runs != 1)} a bar")
        hist.set(title=f"{q.name}: p-values of {len(ps)} runs", xlabel="p-value",
                 ylabel="runs", xlim=(0, 1))
        hist.yaxis.set_major_locator(MaxNLocator(integer=True))  # runs are whole
        hist.set_ylim(0, max(int(counts.max(initial=0)), 1) * 1.25)
        hist.legend(loc="upper left", fontsize=9)
        expected = (np.arange(1, len(ps) + 1) - 0.5) / max(len(ps), 1)
        qq.plot(expected, ps, ".", color="#4c72b0", label="observed")
        qq.plot([0, 1], [0, 1], "k--", label="uniform")
        qq.set(title=f"{q.name}: QQ (KS p = {q.ks_p_value:.2g})",
               xlabel="uniform quantile", ylabel="p-value quantile")
        qq.legend(loc="lower right", fontsize=9)
    if not report.quantities:
        fig.text(0.5, 0.5, "no p-values recorded", ha="center", va="center")
    state = "calibrated" if report.consistent else "MISCALIBRATED"
    fig.suptitle(f"{report.puzzle}: {report.false_alarms} of {report.runs} runs false alarms "
                 f"(alpha {report.alpha:g}, 95% CI [{report.ci_low:.3f}, {report.ci_high:.3f}]), "
                 f"{seconds_text(report.seconds)} simulating - {state}")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.9, wspace=0.3, hspace=0.42)
    return fig
