"""verify(): simulate a puzzle and compare every quantity with its closed form."""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from . import exact as ex
from . import estimate, preflight
from . import stats
from .options import as_count, as_trials
from .errors import InvalidOption
from .options import _is_int, check_options, check_tolerances  # noqa: F401 (re-exported)
from .registry import get_puzzle
from .report import QuantityResult, Report
from .simulate import (CHUNK_TRIALS, BinnedCounts, IntegerCounts, Moments, default_threads,
                       run_chunks)
from .spec import Puzzle, Quantity

DEFAULT_SEED = 20261124
DEFAULT_RTOL = 1e-3
# An auto run stops here at the latest (or at max_seconds) even if still inconclusive.
DEFAULT_MAX_TRIALS = 1_000_000_000
# ... and after this many seconds (max_seconds overrides it): a slow puzzle's 1e9 trials could
# take days. The report names the budget when it is what stopped the run.
DEFAULT_MAX_SECONDS = 300.0
# A continuous cdf is compared on this many bins of equal exact probability (fewer for few trials).
MAX_CDF_BINS = 100


@dataclass
class _Plan:
    """How one quantity is measured: which collector feeds it and what it is compared with."""

    quantity: Quantity
    collector: Any
    exact: Any = None          # exact sympy value (scalars)
    cdf: Any = None            # float cdf function for a continuous cdf


def _plan(puzzle: Puzzle, values, trials: int, kernel_args: tuple = (), seed: int = 0
          ) -> list[_Plan]:
    subs = ex.substitutions(puzzle, values)
    exact_means = {}
    for q in puzzle.quantities:
        if q.name == "mean" and q.closed_form is not None:
            exact_means[puzzle.outcome_index(q)] = ex.exact_value(q.closed_form, subs)
    plans: list[_Plan] = []
    moments_by_column: dict[int, Moments] = {}
    for q in puzzle.quantities:
        column = puzzle.outcome_index(q)
        exact = ex.exact_value(q.closed_form, subs) if (
            q.closed_form is not None and not q.is_distribution) else None
        if q.name in ("mean", "variance", "probability"):
            # one Moments collector per outcome serves its mean, variance and probability
            if column not in moments_by_column:
                shift = float(ex.to_float(exact_means[column])) if column in exact_means else 0.0
                moments_by_column[column] = Moments(column, shift)
            plans.append(_Plan(q, moments_by_column[column], exact))
        elif q.discrete:
            low, _high = ex.integer_bounds(puzzle, q, values)
            plans.append(_Plan(q, IntegerCounts(column, low)))
        elif q.closed_form is None:  # estimated: bins from the support, or from a pilot
            low, high = (float(ex.to_float(b.subs(subs))) for b in q.support)
            edges = estimate.cdf_edges(puzzle, kernel_args, column, low, high, seed)
            plans.append(_Plan(q, BinnedCounts(column, edges)))
        else:
            cdf = ex.cdf_function(puzzle, q, values)
            low, high = (float(ex.to_float(b.subs(subs))) for b in q.support)
            bins = int(min(MAX_CDF_BINS, max(2, trials // 50)))
            edges = _equal_probability_edges(cdf, low, high, bins)
            plans.append(_Plan(q, BinnedCounts(column, edges), cdf=cdf))
    return plans


def _equal_probability_edges(cdf, low: float, high: float, bins: int) -> np.ndarray:
    """Interior edges e_1 < ... < e_{bins-1} with cdf(e_j) ~ j/bins, found by bisection.

    An infinite end of the support is first replaced by a finite one beyond every target
    (found by doubling the distance), since bisection from an infinite end never moves."""
    targets = np.arange(1, bins) / bins
    if not np.isfinite(high):
        anchor = low if np.isfinite(low) else 0.0
        step = 1.0
        while cdf(np.array([anchor + step]))[0] < targets[-1] and step < 1e300:
            step *= 2
        high = anchor + step
    if not np.isfinite(low):
        step = 1.0
        while cdf(np.array([high - step]))[0] > targets[0] and step < 1e300:
            step *= 2
        low = high - step
    lo = np.full(targets.shape, low)
    hi = np.full(targets.shape, high)
    for _ in range(60):
        mid = (lo + hi) / 2
        below = cdf(mid) < targets
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    edges = np.unique(hi)
    return edges[(edges > low) & (edges < high)] if len(edges) > 1 else edges


def verify(name: str, params: Mapping[str, Any] | None = None, trials: int | str | None = None,
           seed: int | None = None, threads: int | None = None, alpha: float = 0.01,
           rtol: float = DEFAULT_RTOL, atol: float = 0.0, max_trials: int | None = None,
           max_seconds: float | None = None, progress=None, map_chunks=None,
           scheduler=None, timeout: float = 10.0, also=(), derived=()) -> Report:
    """Simulate puzzle `name` and compare each quantity with its closed form.

    Each quantity gets a verdict: 'disagree' when its band excludes the exact value, 'agree' when
    the band contains it and lies within the tolerance (rtol * |exact| + atol; for a pmf or cdf,
    rtol + atol on probabilities), else 'inconclusive'. Bands are simultaneous: with m compared
    quantities each gets alpha/m, so the chance of a false 'disagree' is at most alpha.

    trials: a number for a run of fixed size (10**6, 1e6 and "1e6" alike), or "auto" (the default): simulate in growing
    batches and stop as soon as no quantity is inconclusive (or one disagrees), or at max_trials
    (default 1e9) / max_seconds (default 300 s for auto runs). Auto runs use anytime-valid
    bands, so looking after every batch keeps the guarantee. max_seconds also cuts a fixed run
    short; the clock is read after every chunk, so it is kept to within a chunk's time.
    `progress(n)` is called after each chunk of trials.

    scheduler: None (threads here), "local" (a Dask LocalCluster for this run), an address
    "tcp://HOST:PORT" (reached within `timeout` seconds) or a distributed.Client; the estimates
    are bit-identical to a threaded run with the same seed. See engine.cluster.

    also: statistics of the outcome to measure too ("P(X>=3)", "E[X^3]"), each compared with its
    exact value where the closed forms determine it; derived: the same, already built
    (engine.per_trial.Derived, as check() makes them).
    """
    trials = "auto" if trials is None else as_trials(trials, "trials=")  # 1e6, "1e6", "auto"
    max_trials = as_count(max_trials, "max_trials=")
    if scheduler is not None:  # the same call again, with the cluster's map of chunks
        from .cluster import verify_on_cluster

        return verify_on_cluster(verify, locals())
    auto = trials == "auto"
    started = time.monotonic()
    check_options(None if auto else trials, seed, threads, alpha)
    check_tolerances(rtol, atol, max_trials, max_seconds)
    puzzle = get_puzzle(name)
    values = puzzle.resolve(params)
    seed = DEFAULT_SEED if seed is None else int(seed)
    notes: list[str] = []
    cores = default_threads()
    if threads is not None and map_chunks is None and int(threads) > cores:
        # simulation is bound by the processor: threads past the cores only wait their turn
        notes.append(f"threads: {int(threads):,} asked, {cores} used (the cores here)")
        threads = cores
    threads = int(threads or cores)
    time_budget = max_seconds if max_seconds is not None else (
        DEFAULT_MAX_SECONDS if auto else None)
    deadline = None if time_budget is None else started + time_budget
    budget = int(max_trials or (DEFAULT_MAX_TRIALS if auto else puzzle.default_trials))
    fixed_trials = None if auto else int(trials)

    kernel_args = puzzle.kernel_args(values)
    # compile (or load from numba's cache) before the clock starts: trials/s measures
    # simulation; and refuse a kernel that does not give the same outcomes for the same seed
    preflight.first_trial(puzzle, kernel_args)
    preflight.check_reproducible(puzzle, kernel_args)
    plans = _plan(puzzle, values, fixed_trials or puzzle.default_trials, kernel_args, seed)
    derived = list(derived) + _also(puzzle, values, also)
    collectors = list({id(p.collector): p.collector for p in plans}.values())
    collectors += [c for d in derived for c in d.collectors]

    # every quantity's band shares alpha, estimated ones too: the report's bands hold jointly
    compared = max(len(puzzle.quantities) + len(derived), 1)
    per_quantity = alpha / compared
    tolerance = Tolerance(rtol, atol)

    def simulate(n: int, first_chunk: int):
        return run_chunks(puzzle.simulate, kernel_args, len(puzzle.outcomes), collectors, n, seed,
                          threads, progress=progress, map_chunks=map_chunks,
                          first_chunk=first_chunk, deadline=deadline)

    def budget_note(done: int) -> str:
        default = "" if max_seconds is not None else " (the default for auto runs; set max_seconds)"
        return f"stopped at the time budget: {time_budget:g} s{default}, after {done:,} trials"

    if not auto:
        run = simulate(fixed_trials, 0)
        scalar = stats.Confidence(per_quantity)
        results = [_judge(puzzle, values, p, scalar, per_quantity, tolerance) for p in plans]
        results += [d.judge(scalar, tolerance) for d in derived]
        stopped = "trials"
        if run.stopped_early:  # the clock is independent of the data: the band holds at run.trials
            stopped = "max-seconds"
            notes.append(budget_note(run.trials) + f" of {fixed_trials:,}")
        return Report(puzzle.name, dict(values), seed, run.trials, run.seconds, threads, alpha,
                      results, rtol=rtol, atol=atol, stopped=stopped, notes=notes)

    scalar = stats.Confidence(per_quantity, sequential=True, target_n=puzzle.default_trials)
    done = chunks = look = 0
    seconds = 0.0
    batch = CHUNK_TRIALS
    while True:
        look += 1
        n = min(batch, budget - done)
        run = simulate(n, chunks)
        seconds += run.seconds
        done += run.trials
        chunks += run.chunks
        dist_alpha = stats.sequential_alpha(per_quantity, look)
        results = [_judge(puzzle, values, p, scalar, dist_alpha, tolerance) for p in plans]
        results += [d.judge(scalar, tolerance) for d in derived]
        verdicts = {r.verdict for r in results}
        # an estimate is settled when its band is within the tolerance (estimate.py)
        unsettled = "inconclusive" in verdicts or any(r.precise is False for r in results)
        if "disagree" in verdicts or not unsettled:
            stop = "decided"
        elif done >= budget:
            stop = "max-trials"
        elif run.stopped_early or (deadline is not None and time.monotonic() >= deadline):
            stop = "max-seconds"
            notes.append(budget_note(done))
        else:
            # grow towards what the widest band says it needs: at least double (the looks stay
            # few, about log2 of the trials), at most 8x (that estimate is rough)
            # (trials_needed is padded by 1.3^2 for the estimate's own error: aim a little lower
            # and let one more look finish the job, rather than overshoot by 70%)
            needed = max((r.trials_needed or 0) for r in results) / 1.3 ** 2 * 1.15
            batch = int(min(max(needed - done, done), 7 * done))
            batch = -(-batch // CHUNK_TRIALS) * CHUNK_TRIALS  # whole chunks
            if hasattr(progress, "expect"):  # the command line's estimate of time to a verdict
                progress.expect(done + batch, min(needed, budget), budget)
            continue
        return Report(puzzle.name, dict(values), seed, done, seconds, threads, alpha, results,
                      rtol=rtol, atol=atol, mode="auto", looks=look, stopped=stop, notes=notes)


def _also(puzzle: Puzzle, values, texts) -> list:
    """`--also` statistics as quantities measured on each trial (engine.judge parses them)."""
    if not texts:
        return []
    from .judge import also_derived

    return also_derived(puzzle, values, list(texts))


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def scalar(self, exact: float) -> float:
        return self.rtol * abs(exact) + self.atol

    @property
    def probabilities(self) -> float:
        # pmf and cdf values live on [0, 1]: rtol is taken relative to 1
        return self.rtol + self.atol


def _judge(puzzle: Puzzle, values, plan: _Plan, scalar: stats.Confidence, dist_alpha: float,
           tolerance: Tolerance) -> QuantityResult:
    q = plan.quantity
    c = plan.collector
    if q.closed_form is None:
        return _estimate(puzzle, values, plan, scalar, dist_alpha, tolerance)
    if q.name in ("mean", "variance", "probability"):
        return _judge_scalar(plan, scalar, tolerance)
    if isinstance(c, IntegerCounts):
        return _judge_integer(puzzle, values, plan, dist_alpha, tolerance)
    return _judge_continuous_cdf(plan, dist_alpha, tolerance)


def _estimate(puzzle: Puzzle, values, plan: _Plan, scalar: stats.Confidence, dist_alpha: float,
              tolerance: Tolerance) -> QuantityResult:
    """A quantity with no closed form: an estimate and its band, not a verdict (estimate.py)."""
    q, c = plan.quantity, plan.collector
    if q.name in ("mean", "variance", "probability"):
        result = estimate.estimate_scalar(q.name, c, scalar, tolerance)
    elif isinstance(c, IntegerCounts):
        _low, high = ex.integer_bounds(puzzle, q, values)
        if q.name == "pmf":
            result = estimate.estimate_pmf(q, c, dist_alpha, tolerance, high)
        else:
            result = estimate.estimate_discrete_cdf(q, c, dist_alpha, tolerance, high)
    else:
        result = estimate.estimate_continuous_cdf(q, c, dist_alpha, tolerance)
    from .describe import outcome_label  # the outcome's name as the statement gives it

    result.data["outcome"] = outcome_label(puzzle, q.of or puzzle.outcomes[0])
    return result


def _judge_scalar(plan: _Plan, conf: stats.Confidence, tolerance: Tolerance) -> QuantityResult:
    q, c = plan.quantity, plan.collector
    n, s1, s2, s3, s4 = c.total
    mean, m2, _m3, m4 = stats.central_moments(n, s1, s2, s3, s4, c.shift)
    known = plan.exact is not None
    exact = ex.to_float(plan.exact) if known else None
    target = exact if known else mean
    sequential = " sequence" if conf.sequential else ""
    if q.name == "mean":
        band, test = stats.mean_band(mean, m2, n, target, conf), "normal" + sequential
    elif q.name == "variance":
        band, test = stats.variance_band(m2, m4, n, target, conf), "normal (4th moment)" + sequential
    else:
        band = stats.probability_band(int(round(s1 + n * c.shift)), int(n), target, conf)
        test = "normal sequence" if conf.sequential else "wilson"
    verdict, tol, needed = "no closed form", None, None
    if known:
        tol = tolerance.scalar(exact)
        verdict = stats.decide(band.ci_low, band.ci_high, exact, tol)
        if verdict == "inconclusive":
            needed = stats.trials_to_settle(n, (band.ci_high - band.ci_low) / 2, tol)
    return QuantityResult(
        q.name, test, verdict, band.p_value if known else None, conf.level,
        exact=exact, exact_str=ex.exact_str(plan.exact) if known else None,
        estimate=band.estimate, ci_low=band.ci_low, ci_high=band.ci_high, stderr=band.stderr,
        tolerance=tol, trials_needed=needed,
        # the band rule too, so a picture can draw the running band exactly as judged here
        data={"running": c.running(), "shift": c.shift, "confidence": conf})


def _distribution_verdict(fit: stats.Fit, deviation_band: float, tol: float, n: float,
                          half_width: float):
    if fit.rejected:
        return "disagree", None
    if deviation_band <= tol:
        return "agree", None
    return "inconclusive", stats.trials_to_settle(n, half_width, tol)


def _judge_integer(puzzle, values, plan: _Plan, alpha: float, tolerance: Tolerance) -> QuantityResult:
    q, c = plan.quantity, plan.collector
    observed_top = c.low + len(c.counts) - 1
    low, probs, tail, _exact = ex.integer_distribution(puzzle, q, values, seen_max=observed_top)
    size = max(len(probs), len(c.counts))
    p_all = np.zeros(size + 1)
    p_all[: len(probs)] = np.clip(probs, 0.0, 1.0)
    p_all[size] = tail  # everything beyond the table
    observed = np.zeros(size + 1)
    observed[: len(c.counts)] = c.counts
    n = observed.sum() + c.bad
    freq = observed[:size] / max(n, 1)
    if q.name == "cdf":
        # largest deviation of the cdf, and the DKW band around the empirical one
        gap = np.abs(np.cumsum(freq) - np.cumsum(p_all[:size]))
        half = np.full(size, stats.dkw_epsilon(n, alpha))
    else:
        # each probability gets its own normal band; Bonferroni over the possible values
        possible = max(int(np.count_nonzero(p_all > stats.IMPOSSIBLE)), 1)
        z = stats.Confidence(alpha / possible).z(n)
        gap = np.abs(freq - p_all[:size])
        half = z * np.sqrt(p_all[:size] * (1 - p_all[:size]) / max(n, 1))
    deviation = float(gap.max()) if size else 0.0
    deviation_band = float((gap + half).max()) if size else 0.0
    fit = stats.chi_square_fit(p_all, observed, alpha, deviation)
    if c.bad:
        fit.impossible += c.bad
        fit.p_value, fit.rejected = 0.0, True
    tol = tolerance.probabilities
    verdict, needed = _distribution_verdict(fit, deviation_band, tol, n, float(half.max()) if size else 0.0)
    xs = np.arange(low, low + size)
    return QuantityResult(
        q.name, "chi-square", verdict, fit.p_value, 1 - alpha, statistic=fit.statistic,
        dof=fit.dof, bins=fit.bins, values=int(np.count_nonzero(probs > stats.IMPOSSIBLE)),
        max_deviation=fit.max_deviation, deviation_band=deviation_band, impossible=fit.impossible,
        tolerance=tol, trials_needed=needed,
        data={"x": xs, "exact": p_all[:size], "observed": observed[:size], "trials": n,
              "cumulative": q.name == "cdf", "half_width": half})


def _judge_continuous_cdf(plan: _Plan, alpha: float, tolerance: Tolerance) -> QuantityResult:
    q, c = plan.quantity, plan.collector
    edges = c.edges
    cdf_at_edges = plan.cdf(edges)
    probs = np.diff(np.concatenate([[0.0], cdf_at_edges, [1.0]]))
    n = c.counts.sum()
    empirical = np.cumsum(c.counts)[:-1] / n
    deviation = float(np.max(np.abs(empirical - cdf_at_edges))) if len(edges) else 0.0
    epsilon = stats.dkw_epsilon(n, alpha)
    fit = stats.chi_square_fit(probs, c.counts.astype(float), alpha, deviation)
    tol = tolerance.probabilities
    point_mass = bool(np.all((cdf_at_edges == 0.0) | (cdf_at_edges == 1.0)))
    if point_mass and deviation == 0.0 and not fit.rejected:
        # the law is a single value and every trial gave it: settled, as for a zero variance
        epsilon = 0.0
    verdict, needed = _distribution_verdict(fit, deviation + epsilon, tol, n, epsilon)
    return QuantityResult(
        q.name, "chi-square", verdict, fit.p_value, 1 - alpha, statistic=fit.statistic,
        dof=fit.dof, bins=fit.bins, max_deviation=fit.max_deviation,
        deviation_band=deviation + epsilon, impossible=fit.impossible, tolerance=tol,
        trials_needed=needed,
        data={"edges": edges, "exact": cdf_at_edges, "empirical": empirical, "trials": n,
              "cdf": plan.cdf, "support": q.support, "dkw": epsilon})
