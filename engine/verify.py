"""verify(): simulate a puzzle and compare every quantity with its closed form."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from . import exact as ex
from . import stats
from .errors import InvalidOption, InvalidPuzzleSpec
from .registry import exception_summary, get_puzzle
from .report import QuantityResult, Report
from .simulate import (BinnedCounts, IntegerCounts, Moments, default_threads, run_chunks)
from .spec import Puzzle, Quantity

DEFAULT_SEED = 20261124
# A continuous cdf is compared on this many bins of equal exact probability (fewer for few trials).
MAX_CDF_BINS = 100


def check_options(trials, seed, threads, alpha) -> None:
    if trials is not None and (not _is_int(trials) or trials <= 0):
        raise InvalidOption(f"trials={trials} must be a whole number > 0")
    if seed is not None and (not _is_int(seed) or seed < 0):
        raise InvalidOption(f"seed={seed} must be a whole number >= 0")
    if threads is not None and (not _is_int(threads) or threads <= 0):
        raise InvalidOption(f"threads={threads} must be a whole number > 0")
    if not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise InvalidOption(f"alpha={alpha} must be between 0 and 1 (exclusive)")


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


@dataclass
class _Plan:
    """How one quantity is measured: which collector feeds it and what it is compared with."""

    quantity: Quantity
    collector: Any
    exact: Any = None          # exact sympy value (scalars)
    law: tuple | None = None   # (low, probs, tail, exact values) for integer distributions
    cdf: Any = None            # float cdf function for a continuous cdf


def _plan(puzzle: Puzzle, values, trials: int) -> list[_Plan]:
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
        else:
            cdf = ex.cdf_function(puzzle, q, values)
            low, high = (float(ex.to_float(b.subs(subs))) for b in q.support)
            bins = int(min(MAX_CDF_BINS, max(2, trials // 50)))
            edges = _equal_probability_edges(cdf, low, high, bins)
            plans.append(_Plan(q, BinnedCounts(column, edges), cdf=cdf))
    return plans


def _equal_probability_edges(cdf, low: float, high: float, bins: int) -> np.ndarray:
    """Interior edges e_1 < ... < e_{bins-1} with cdf(e_j) ~ j/bins, found by bisection."""
    targets = np.arange(1, bins) / bins
    lo = np.full(targets.shape, low)
    hi = np.full(targets.shape, high)
    for _ in range(60):
        mid = (lo + hi) / 2
        below = cdf(mid) < targets
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    edges = np.unique(hi)
    return edges[(edges > low) & (edges < high)] if len(edges) > 1 else edges


def verify(name: str, params: Mapping[str, Any] | None = None, trials: int | None = None,
           seed: int | None = None, threads: int | None = None, alpha: float = 0.01,
           progress=None, map_chunks=None) -> Report:
    """Simulate puzzle `name` and compare each quantity with its closed form.

    Bands are simultaneous: with m compared quantities each is at level 1 - alpha/m, so the
    chance of a false 'disagree' is at most alpha. `progress(n)` is called after each chunk.
    """
    check_options(trials, seed, threads, alpha)
    puzzle = get_puzzle(name)
    values = puzzle.resolve(params)
    trials = int(trials or puzzle.default_trials)
    seed = DEFAULT_SEED if seed is None else int(seed)
    threads = int(threads or default_threads())

    plans = _plan(puzzle, values, trials)
    collectors = list({id(p.collector): p.collector for p in plans}.values())
    kernel_args = puzzle.kernel_args(values)
    # compile (or load from numba's cache) before the clock starts: trials/s measures simulation
    try:
        puzzle.simulate(np.random.default_rng(0), 1, *kernel_args)
    except Exception as exc:  # a kernel that does not compile or run is its author's to fix
        where = f" ({puzzle.source})" if puzzle.source else ""
        raise InvalidPuzzleSpec(f"the simulator of {puzzle.name!r}{where} fails on one trial: "
                                f"{exception_summary(exc, puzzle.source or None)}") from exc
    run = run_chunks(puzzle.simulate, kernel_args, len(puzzle.outcomes),
                     collectors, trials, seed, threads, progress=progress, map_chunks=map_chunks)

    compared = sum(q.closed_form is not None for q in puzzle.quantities)
    level = 1 - alpha / max(compared, 1)
    results = [_judge(puzzle, values, p, level) for p in plans]
    return Report(puzzle.name, dict(values), seed, trials, run.seconds, threads, alpha, results)


def _judge(puzzle: Puzzle, values, plan: _Plan, level: float) -> QuantityResult:
    q = plan.quantity
    c = plan.collector
    if q.name in ("mean", "variance", "probability"):
        n, s1, s2, s3, s4 = c.total
        mean, m2, _m3, m4 = stats.central_moments(n, s1, s2, s3, s4, c.shift)
        exact = None if plan.exact is None else ex.to_float(plan.exact)
        target = exact if exact is not None else mean
        if q.name == "mean":
            band, test = stats.mean_band(mean, m2, n, target, level), "normal"
        elif q.name == "variance":
            band, test = stats.variance_band(m2, m4, n, target, level), "normal (4th moment)"
        else:
            band, test = stats.probability_band(int(round(s1)), int(n), target, level), "wilson"
        known = exact is not None
        return QuantityResult(
            q.name, test, band.agree if known else None, band.p_value if known else None, level,
            exact=exact, exact_str=ex.exact_str(plan.exact) if known else None,
            estimate=band.estimate, ci_low=band.ci_low, ci_high=band.ci_high, stderr=band.stderr,
            data={"running": c.running(), "shift": c.shift})
    if isinstance(c, IntegerCounts):
        return _judge_integer(puzzle, values, plan, level)
    return _judge_continuous_cdf(plan, level)


def _judge_integer(puzzle, values, plan: _Plan, level: float) -> QuantityResult:
    q, c = plan.quantity, plan.collector
    observed_top = c.low + len(c.counts) - 1
    low, probs, tail, _exact = ex.integer_distribution(puzzle, q, values, seen_max=observed_top)
    size = max(len(probs), len(c.counts))
    p_all = np.zeros(size + 1)
    p_all[: len(probs)] = probs
    p_all[size] = tail  # everything beyond the table
    observed = np.zeros(size + 1)
    observed[: len(c.counts)] = c.counts
    n = observed.sum() + c.bad
    freq = observed[:size] / max(n, 1)
    deviation = float(np.max(np.abs(freq - p_all[:size]))) if size else 0.0
    fit = stats.chi_square_fit(p_all, observed, level, deviation)
    if c.bad:
        fit.impossible += c.bad
        fit.p_value, fit.agree = 0.0, False
    xs = np.arange(low, low + size)
    return QuantityResult(
        q.name, "chi-square", fit.agree, fit.p_value, level, statistic=fit.statistic,
        dof=fit.dof, bins=fit.bins, values=int(np.count_nonzero(probs > stats.IMPOSSIBLE)), max_deviation=fit.max_deviation,
        impossible=fit.impossible,
        data={"x": xs, "exact": p_all[:size], "observed": observed[:size], "trials": n,
              "cumulative": q.name == "cdf"})


def _judge_continuous_cdf(plan: _Plan, level: float) -> QuantityResult:
    q, c = plan.quantity, plan.collector
    edges = c.edges
    cdf_at_edges = plan.cdf(edges)
    probs = np.diff(np.concatenate([[0.0], cdf_at_edges, [1.0]]))
    n = c.counts.sum()
    empirical = np.cumsum(c.counts)[:-1] / n
    deviation = float(np.max(np.abs(empirical - cdf_at_edges))) if len(edges) else 0.0
    fit = stats.chi_square_fit(probs, c.counts.astype(float), level, deviation)
    return QuantityResult(
        q.name, "chi-square", fit.agree, fit.p_value, level, statistic=fit.statistic,
        dof=fit.dof, bins=fit.bins, max_deviation=fit.max_deviation, impossible=fit.impossible,
        data={"edges": edges, "exact": cdf_at_edges, "empirical": empirical, "trials": n,
              "cdf": plan.cdf, "support": q.support})
