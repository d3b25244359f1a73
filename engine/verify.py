"""verify(): simulate a puzzle and compare every quantity with its closed form."""

from __future__ import annotations

import math
import dataclasses
import numbers
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import sympy

from . import exact as ex
from . import estimate, preflight
from . import stats
from .options import as_count, as_trials
from .errors import InvalidOption
from .options import _is_int, check_options, check_tolerances  # noqa: F401 (re-exported)
from .registry import get_puzzle
from .report import QuantityResult, Report
from .simulate import (CHUNK_TRIALS, BinnedCounts, IntegerCounts, Moments, chunk_count,
                       default_threads, run_chunks)
from .spec import Puzzle, Quantity
from .table import duration_text

DEFAULT_SEED = 20261124
DEFAULT_RTOL = 1e-3
# When no tolerance is given (rtol=None), an auto run aims at DEFAULT_RTOL; once it has
# simulated for SOFT_SECONDS it stops at the first look where every quantity's band is within
# a rung of PRECISION_LADDER, and says which (see verify's docstring for why that is honest).
SOFT_SECONDS = 3.0
PRECISION_LADDER = (2e-3, 5e-3, 1e-2)
# An auto run stops here at the latest (or at max_seconds) even if still inconclusive.
DEFAULT_MAX_TRIALS = 1_000_000_000
# ... and after this many seconds (max_seconds overrides it): a slow puzzle's 1e9 trials could
# take days. The report names the budget when it is what stopped the run.
DEFAULT_MAX_SECONDS = 300.0
# A continuous cdf is compared on this many bins of equal exact probability (fewer for few trials).
MAX_CDF_BINS = 100


@dataclass
class _Plan:
    """How one quantity is measured: which collector feeds it, what it is compared with, and
    the band rule (fixed before any data) that judges it."""

    quantity: Quantity
    collector: Any
    exact: Any = None          # exact sympy value (scalars)
    cdf: Any = None            # float cdf function for a continuous cdf
    bounds: tuple | None = None  # (low, high) floats: the outcome is bounded, bands are exact
    design_sd: float | None = None  # the outcome's sd from its exact variance, when known
    design_m4: float | None = None  # its fourth central moment from its exact pmf, when known
    shift_from_data: bool = False   # the collector's shift is the first chunk's mean
    problem: str | None = None      # an exact check that failed (a pmf that does not sum to 1)
    centre: float | None = None     # grid look where a DKW test is expected to settle
    target_n: float | None = None   # asymptotic bands: where they are tuned to be tightest


def _outcome_bounds(puzzle: Puzzle, column: int, subs) -> tuple | None:
    """The declared (low, high) of an outcome at these parameters, if both are finite."""
    pair = puzzle.bounds.get(puzzle.outcomes[column])
    if pair is None:
        return None
    try:
        low, high = (float(ex.to_float(sympy.sympify(b).subs(subs))) for b in pair)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return None
    return low, high


def _fourth_moment(puzzle: Puzzle, values, column: int, mean: float) -> float | None:
    """E (X - mean)^4 from the outcome's exact pmf (or discrete cdf) on a finite support, to
    tune its variance's band before the data; None without one, or when it cannot be had."""
    for q in puzzle.quantities:
        if (q.name in ("pmf", "cdf") and q.discrete and q.closed_form is not None
                and puzzle.outcome_index(q) == column):
            try:
                low, probs, tail, _exact = ex.integer_distribution(puzzle, q, values)
            except Exception:  # a law that does not evaluate is reported by its own row
                return None
            if tail > 0 or not len(probs) or not np.all(np.isfinite(probs)):
                return None
            xs = np.arange(low, low + len(probs), dtype=float)
            m4 = float(np.sum(np.clip(probs, 0.0, 1.0) * (xs - mean) ** 4))
            return m4 if math.isfinite(m4) and m4 > 0 else None
    return None


def _plan(puzzle: Puzzle, values, trials: int, tolerance: "Tolerance", alpha: float,
          budget: int, kernel_args: tuple = (), seed: int = 0) -> list[_Plan]:
    subs = ex.substitutions(puzzle, values)
    exact_means, exact_vars = {}, {}
    for q in puzzle.quantities:
        if q.name in ("mean", "variance") and q.closed_form is not None:
            store = exact_means if q.name == "mean" else exact_vars
            store[puzzle.outcome_index(q)] = ex.exact_value(q.closed_form, subs)
    plans: list[_Plan] = []
    moments_by_column: dict[int, Moments] = {}
    for q in puzzle.quantities:
        column = puzzle.outcome_index(q)
        exact = ex.exact_value(q.closed_form, subs) if (
            q.closed_form is not None and not q.is_distribution) else None
        if q.name in ("mean", "variance", "probability"):
            # one Moments collector per outcome serves its mean, variance and probability
            if column not in moments_by_column:
                if column in exact_means:
                    shift, from_data = float(ex.to_float(exact_means[column])), False
                elif q.name == "probability" and exact is not None:
                    shift, from_data = float(ex.to_float(exact)), False
                else:
                    shift, from_data = 0.0, True  # set from the first chunk (see verify)
                moments_by_column[column] = (Moments(column, shift), from_data)
            collector, from_data = moments_by_column[column]
            bounds = (0.0, 1.0) if q.name == "probability" else _outcome_bounds(puzzle, column, subs)
            sd = m4 = None
            if q.name == "probability" and exact is not None:
                p = float(ex.to_float(exact))
                sd = math.sqrt(max(p * (1 - p), 0.0)) or None
            elif column in exact_vars:
                v = float(ex.to_float(exact_vars[column]))
                sd = math.sqrt(v) if v > 0 else None
                if q.name == "variance" and sd and bounds and not from_data:
                    m4 = _fourth_moment(puzzle, values, column, collector.shift)
            plans.append(_Plan(q, collector, exact, bounds=bounds, design_sd=sd, design_m4=m4,
                               shift_from_data=from_data))
        elif q.discrete:
            low, _high = ex.integer_bounds(puzzle, q, values)
            plan = _Plan(q, IntegerCounts(column, low), bounds=(0.0, 1.0))
            if q.name == "cdf":
                plan.centre = _dkw_centre(tolerance.probabilities, alpha, budget, 0.0)
            plans.append(plan)
        elif q.closed_form is None:  # estimated: bins from the support, or from a pilot
            low, high = (float(ex.to_float(b.subs(subs))) for b in q.support)
            edges = estimate.cdf_edges(puzzle, kernel_args, column, low, high, seed)
            plans.append(_Plan(q, BinnedCounts(column, edges), bounds=(0.0, 1.0)))
        else:
            cdf = ex.cdf_function(puzzle, q, values)
            low, high = (float(ex.to_float(sympy.sympify(b).subs(subs))) for b in q.support)
            bins = cdf_bins(tolerance.probabilities)
            problem = None
            try:
                low, high = _finite_brackets(cdf, low, high)
            except ValueError as exc:
                problem = str(exc)
            edges = _equal_probability_edges(cdf, low, high, bins) if problem is None else \
                np.array([0.0])
            plan = _Plan(q, BinnedCounts(column, edges), cdf=cdf, bounds=(0.0, 1.0),
                         problem=problem)
            plan.centre = _dkw_centre(tolerance.probabilities, alpha, budget, 1.0 / bins)
            plans.append(plan)
    return plans


# A continuous cdf is compared on bins of equal exact probability, narrow enough (an eighth of
# the tolerance) that agreement at the edges certifies agreement everywhere between them.
MIN_CDF_BINS = 100
MAX_CDF_BINS = 20_000
# An unbounded support is cut where the cdf is within this much of 0 or 1.
CDF_TAIL = 1e-12


def cdf_bins(tolerance: float) -> int:
    if tolerance <= 0:
        return MIN_CDF_BINS
    return int(min(MAX_CDF_BINS, max(MIN_CDF_BINS, math.ceil(8 / tolerance))))


def _finite_brackets(cdf, low: float, high: float) -> tuple[float, float]:
    """Finite (low, high) with cdf(low) <= CDF_TAIL and cdf(high) >= 1 - CDF_TAIL: an infinite
    end of the support is pushed out by doubling until the cdf is that close to 0 or 1."""
    def expand(start, direction, done):
        step = max(1.0, abs(start))
        for _ in range(1100):
            x = start + direction * step
            if not math.isfinite(x):
                break
            if done(float(cdf(np.array([x]))[0])):
                return x
            step *= 2
        raise ValueError("the cdf does not reach " + ("1" if direction > 0 else "0") +
                         " at the " + ("top" if direction > 0 else "bottom") + " of its support")

    if not math.isfinite(high):
        base = low if math.isfinite(low) else 0.0
        high = expand(base, +1, lambda v: v >= 1 - CDF_TAIL)
    if not math.isfinite(low):
        base = min(high, 0.0)
        low = expand(base, -1, lambda v: v <= CDF_TAIL)
    if high <= low:
        raise ValueError("the support of the cdf is empty")
    top, bottom = float(cdf(np.array([high]))[0]), float(cdf(np.array([low]))[0])
    if abs(top - 1) > 1e-9:
        raise ValueError(f"the cdf is {top:.6g} at the top of its support, not 1")
    if abs(bottom) > 1e-9:
        raise ValueError(f"the cdf is {bottom:.6g} at the bottom of its support, not 0")
    return low, high


def _dkw_centre(tolerance: float, alpha: float, budget: int, bin_width: float) -> float:
    """Grid index where a DKW band is expected to get within the tolerance (the room left
    after the bins' width, three quarters of it for the band): the budget is spent mostly
    around there (stats.spending)."""
    room = 0.75 * (tolerance - bin_width)
    if room <= 0:
        return float(len(stats.look_grid(CHUNK_TRIALS, budget)))
    n = math.log(2 / (alpha * 0.05)) / (2 * room * room)
    grid = stats.look_grid(CHUNK_TRIALS, max(int(min(n, budget)), 1))
    return float(len(grid))


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
           rtol: float | None = None, atol: float = 0.0, max_trials: int | None = None,
           max_seconds: float | None = None, progress=None, map_chunks=None,
           scheduler=None, timeout: float = 10.0, also=(), derived=()) -> Report:
    """Simulate puzzle `name` and compare each quantity with its closed form.

    Each quantity gets a verdict: 'disagree' when its band excludes the exact value, 'agree' when
    the band contains it and lies within the tolerance (rtol * |exact| + atol; for a pmf or cdf,
    rtol + atol on probabilities), else 'inconclusive'. Bands are simultaneous: with m compared
    quantities each gets alpha/m (an auto run shares alpha unequally, fixed before the data, see
    _budget_shares), so the chance of a false 'disagree' is at most alpha.

    rtol: the relative tolerance. Given (1e-3, 0.01, ...), every quantity must get within it
    to agree. Not given (None, the default), a fixed run uses DEFAULT_RTOL (1e-3), and an auto
    run aims at DEFAULT_RTOL too, but after SOFT_SECONDS of simulation it settles for less: it
    stops at the first look on the fixed look grid where every quantity's band contains the
    exact value and lies within a looser rung of PRECISION_LADDER (2e-3, 5e-3, 1e-2; never
    looser than 1e-2), and says agree with the precision reached, per quantity (`precision`,
    also report.precision, the loosest) and in a note ("agree within 0.5% (0.1% would need
    about N trials; ...)"). The last look, at max_trials or max_seconds, may settle on a rung
    too, if those come first. If even 1e-2 is not reached it runs on to max_trials/max_seconds
    and is inconclusive as with a given rtol; a band excluding the exact value at any look is a
    disagreement as always. For a pmf or cdf the ladder loosens the tolerance on probabilities.
    Why the guarantee holds: the bands of an auto run are confidence sequences, tuned before
    the run (to DEFAULT_RTOL) and valid uniformly over every look of the grid at once. So with
    probability at least 1 - alpha every band covers its true value at every look, whatever
    rule -- the clock, the data, the rung reached -- picks the look where the run stops and the
    rung it reports. On that event no correct closed form is called disagree (the false-alarm
    rate stays <= alpha), and every agree within p is true: the closed form is within p of the
    truth (plus the band's own width). The reported precision is the size of error a wrong
    closed form must exceed to be sure of being caught: an error of 3% is caught at any rung,
    one of 0.3% may be called agree within 0.5%. Pass an rtol to insist on one.

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
    ladder = auto and rtol is None  # no tolerance given: settle for a rung after SOFT_SECONDS
    rtol = DEFAULT_RTOL if rtol is None else rtol
    check_tolerances(rtol, atol, max_trials, max_seconds)
    puzzle = get_puzzle(name)
    values = puzzle.resolve(params)
    seed = DEFAULT_SEED if seed is None else int(seed)
    notes: list[str] = []
    cores = default_threads()
    if threads is not None and map_chunks is None:
        threads = _useful_threads(int(threads), cores, None if auto else int(trials), notes)
    threads = int(threads or cores)
    time_budget = max_seconds if max_seconds is not None else (
        DEFAULT_MAX_SECONDS if auto else None)
    deadline = None if time_budget is None else started + time_budget
    if time_budget is not None and hasattr(progress, "limit"):  # its estimates name the budget
        progress.limit(time_budget, given=max_seconds is not None)
    budget = int(max_trials or (DEFAULT_MAX_TRIALS if auto else puzzle.default_trials))
    fixed_trials = None if auto else int(trials)

    kernel_args = puzzle.kernel_args(values)
    # compile (or load from numba's cache) before the clock starts: trials/s measures
    # simulation; and refuse a kernel that does not give the same outcomes for the same seed
    preflight.first_trial(puzzle, kernel_args)
    per_trial = preflight.check_reproducible(puzzle, kernel_args)
    if time_budget is not None:
        notes += _slow_chunk_note(per_trial, time_budget, map_chunks is None)
        if notes and hasattr(progress, "warn") and notes[-1].startswith("a chunk of"):
            progress.warn(notes[-1])  # before the run, not only in its report
    derived = list(derived) + _also(puzzle, values, also)
    # every quantity's band shares alpha, estimated ones too: the report's bands hold jointly
    compared = max(len(puzzle.quantities) + len(derived), 1)
    per_quantity = alpha / compared
    tolerance = Tolerance(rtol, atol)
    plans = _plan(puzzle, values, fixed_trials or puzzle.default_trials, tolerance, per_quantity,
                  budget, kernel_args, seed)
    # an auto run spends more of alpha where it decides the run's length (see _budget_shares)
    shares = _budget_shares(puzzle, values, plans, per_quantity, tolerance) if auto else \
        [per_quantity] * len(plans)
    collectors = list({id(p.collector): p.collector for p in plans}.values())
    collectors += [c for d in derived for c in d.collectors]

    def simulate(n: int, first_chunk: int, to=None):
        run = run_chunks(puzzle.simulate, kernel_args, len(puzzle.outcomes),
                         collectors if to is None else to, n, seed, threads,
                         progress=progress if to is None else None, map_chunks=map_chunks,
                         first_chunk=first_chunk, deadline=deadline)
        if run.trials == 0 and first_chunk == 0 and to is None:
            raise _nothing_in_time(time_budget, max_seconds, per_trial, min(n, CHUNK_TRIALS))
        return run

    def budget_note(done: int) -> str:
        default = "" if max_seconds is not None else " (the default for auto runs; set max_seconds)"
        return f"stopped at the time budget: {time_budget:g} s{default}, after {done:,} trials"

    seconds = _shift_from_first_chunk(plans, simulate, fixed_trials or CHUNK_TRIALS)

    def ladder_look(done: int) -> tuple | None:
        """Without a given tolerance: (the trials that fit in what is left of SOFT_SECONDS at
        the rate so far, the factor by which the loosest rung cuts the trials still needed
        once it is spent), so the look grid is not overshot far past the soft budget."""
        if not ladder or seconds <= 0:
            return None
        if seconds < SOFT_SECONDS:
            return (done + (SOFT_SECONDS - seconds) * done / seconds, 1.0)
        return (None, (rtol / PRECISION_LADDER[-1]) ** 2)
    if not auto:
        run = simulate(fixed_trials, 0)
        seconds += run.seconds
        results = [_judge(puzzle, values, p, _confidence(p, per_quantity, tolerance, False,
                                                         fixed_trials), tolerance)
                   for p in plans]
        results += [d.judge(stats.Confidence(per_quantity), tolerance) for d in derived]
        _mark_precision(results, rtol)
        stopped = "trials"
        if run.stopped_early:  # the clock is independent of the data: the band holds at run.trials
            stopped = "max-seconds"
            notes.append(budget_note(run.trials) + f" of {fixed_trials:,}")
        return Report(puzzle.name, dict(values), seed, run.trials, seconds, threads, alpha,
                      results, rtol=rtol, atol=atol, stopped=stopped, notes=notes,
                      given=puzzle.as_given(params))

    grid = stats.look_grid(CHUNK_TRIALS, budget, stats.LOOK_RATIO if any(
        _spends_over_grid(p) for p in plans) else stats.FINE_LOOK_RATIO)
    done = chunks = look = 0
    index = 0  # position on the grid of the next look
    while True:
        look += 1
        target = min(grid[index], budget)
        n = target - done
        run = simulate(n, chunks)
        seconds += run.seconds
        done += run.trials
        chunks += run.chunks
        confs = [_confidence(p, share, tolerance, True, budget, look=index + 1)
                 for p, share in zip(plans, shares)]
        derived_conf = stats.Confidence(per_quantity, sequential=True,
                                        target_n=puzzle.default_trials)

        def judge_all(tol: Tolerance) -> list:
            return ([_judge(puzzle, values, p, conf, tol) for p, conf in zip(plans, confs)]
                    + [d.judge(derived_conf, tol) for d in derived])

        results = judge_all(tolerance)
        _mark_precision(results, rtol)
        verdicts = {r.verdict for r in results}
        # an estimate is settled when its band is within the tolerance (estimate.py)
        unsettled = "inconclusive" in verdicts or any(r.precise is False for r in results)
        settled = None
        out_of_budget = done >= budget or run.stopped_early or (
            deadline is not None and time.monotonic() >= deadline)
        if ladder and unsettled and "disagree" not in verdicts and (
                seconds >= SOFT_SECONDS or out_of_budget):  # the last look may settle too
            settled = _settle_on_ladder(results, judge_all, tolerance)
        if "disagree" in verdicts or not unsettled:
            stop = "decided"
        elif settled is not None:
            results = settled
            stop = "decided"
            notes.append(_ladder_note(results, rtol))
        elif done >= budget:
            stop = "max-trials"
        elif run.stopped_early or (deadline is not None and time.monotonic() >= deadline):
            stop = "max-seconds"
            notes.append(budget_note(done))
        else:
            index = _next_look(grid, index, done, results, ladder_look(done))
            if hasattr(progress, "expect"):  # the command line's estimate of time to a verdict
                needed = max((r.trials_needed or 0) for r in results)
                if ladder and seconds > 0:  # it may settle on the loosest rung after the soft budget
                    soft = done * SOFT_SECONDS / seconds
                    needed = int(min(needed, max(soft, needed * (rtol / PRECISION_LADDER[-1]) ** 2)))
                progress.expect(min(grid[index], budget), min(needed, budget), budget)
            continue
        return Report(puzzle.name, dict(values), seed, done, seconds, threads, alpha, results,
                      rtol=rtol, atol=atol, mode="auto", looks=look, stopped=stop, notes=notes,
                      given=puzzle.as_given(params))


# share of the budget of the quantities with a design size split equally among them; the rest
# goes in proportion to the design sizes
EQUAL_SHARE = 0.25


def _design_size(puzzle: Puzzle, values, plan: _Plan, tolerance: Tolerance) -> float | None:
    """How many trials a quantity's band needs to settle, up to a factor common to all, from
    its exact values alone (no data): (sd / tolerance)^2, with the sd of what its band averages
    -- the outcome for a mean, (X - mean)^2 for a variance, the indicator for a probability or
    the most uncertain value of a pmf. None when the exact values do not give it."""
    q = plan.quantity
    if q.closed_form is None:
        return None
    if q.name in ("mean", "variance", "probability"):
        if plan.exact is None or not plan.design_sd:
            return None
        tol = tolerance.design_scalar(float(ex.to_float(plan.exact)))
        sd = plan.design_sd if q.name != "variance" else \
            stats.variance_design_sd(plan.design_sd, plan.design_m4)
    elif q.name == "pmf" and q.discrete:
        try:
            _low, probs, _tail, _exact = ex.integer_distribution(puzzle, q, values)
        except Exception:  # its own row reports a law that does not evaluate
            return None
        p = np.clip(probs, 0.0, 1.0)
        sd = math.sqrt(float(np.max(p * (1 - p)))) if len(p) else 0.0
        tol = tolerance.design_probabilities
    else:
        return None
    if not (sd and tol and math.isfinite(sd) and tol > 0):
        return None
    return (sd / tol) ** 2


def _budget_shares(puzzle: Puzzle, values, plans, per_quantity: float,
                   tolerance: Tolerance) -> list[float]:
    """alpha of each plan in an auto run. Bonferroni with weights fixed before the data: the
    union bound needs only that the shares sum to at most alpha, not that they be equal. A run
    lasts until its slowest quantity settles, and a band's width grows with log(1/share), so the
    quantities that will settle late get more: those with a design size (_design_size) pool
    their equal shares and split the pool, EQUAL_SHARE of it equally and the rest in proportion
    to the design sizes. The others (and the derived claims) keep alpha/m. At handshakes' defaults
    the variance gets 0.0074 instead of 0.0033 and settles about 10% sooner."""
    sizes = [_design_size(puzzle, values, p, tolerance) for p in plans]
    known = [s for s in sizes if s is not None]
    if len(known) < 2:
        return [per_quantity] * len(plans)
    pool, total = per_quantity * len(known), sum(known)
    return [per_quantity if s is None else
            pool * (EQUAL_SHARE / len(known) + (1 - EQUAL_SHARE) * s / total) for s in sizes]


def _slow_chunk_note(per_trial: float, budget: float, here: bool = True) -> list[str]:
    """A chunk's trials come from one generator stream, in one call of the simulator (that is
    what makes the same seed give the same numbers on any number of threads), so a chunk is
    never cut. Run here, a chunk still running at the deadline is dropped: the run keeps its
    time budget but counts only whole chunks. On a cluster the clock is read between chunks,
    and a chunk can carry the run past the budget. A chunk over a tenth of the budget is said
    at once, from the preflight's timing."""
    chunk = per_trial * CHUNK_TRIALS
    if chunk <= 0.1 * budget:
        return []
    timed = (f"a chunk of {CHUNK_TRIALS:,} trials takes about {duration_text(chunk, 2)} here (timed on "
             f"{preflight.REPRODUCIBLE_TRIALS})")
    if here:
        return [f"{timed}: only whole chunks count, and one still running at the time budget "
                f"({budget:g} s) is dropped"]
    return [f"{timed}, and the time budget ({budget:g} s) is checked between chunks: the run "
            f"may go on up to that long past it"]


def _nothing_in_time(budget: float, max_seconds, per_trial: float, size: int) -> InvalidOption:
    """No chunk finished within the time budget: there is no run to judge."""
    default = "" if max_seconds is not None else " (the default for auto runs)"
    return InvalidOption(
        option="max_seconds", value=budget,
        rule=f"ran out{default} before the first chunk of {size:,} trials finished (one takes "
             f"about {duration_text(per_trial * size, 2)} here): give more seconds")



def _useful_threads(asked: int, cores: int, trials: int | None, notes: list) -> int:
    """The threads that help, with a note when fewer than asked: simulation is bound by the
    processor (threads past the cores only wait their turn), and a chunk runs on one thread
    (a fixed run of c chunks keeps at most c busy)."""
    chunks = chunk_count(trials) if trials is not None else None
    used = min(asked, cores, chunks or asked)
    if used < asked:
        why = (f"the cores here" if used == cores else
               f"{trials:,} trials make {chunks} chunk{'s' * (chunks != 1)} of at most "
               f"{CHUNK_TRIALS:,}, one thread each")
        notes.append(f"threads: {asked:,} asked, {used} used ({why})")
    return used


def _also(puzzle: Puzzle, values, texts) -> list:
    """`--also` statistics as quantities measured on each trial (engine.judge parses them)."""
    if not texts:
        return []
    from .judge import also_derived

    return also_derived(puzzle, values, list(texts))


def _next_look(grid: list[int], index: int, done: int, results, ladder=None) -> int:
    """The next look: the first grid size at which the widest band should fit (the bands'
    own estimate, aimed a quarter low: a look costs little, overshooting costs trials), at least
    the next grid size and at most about 8x the trials so far. Looks are only ever made at grid
    sizes fixed before the run, so the union bound over looks holds whatever is skipped.
    ladder (no tolerance given): (a size not to pass before the soft budget is spent, or None;
    a factor on the trials needed, the loosest rung's once it is spent)."""
    cap, factor = ladder if ladder is not None else (None, 1.0)
    needed = max((r.trials_needed or 0) for r in results) * 0.75 * factor
    k = index + 1
    while (k + 1 < len(grid) and grid[k] < needed and grid[k + 1] <= 8 * done
           and (cap is None or grid[k + 1] <= cap)):
        k += 1
    return min(k, len(grid) - 1)


def _mark_precision(results, rtol: float) -> None:
    """Every quantity that agrees (or an estimate within the tolerance) agrees within rtol."""
    for r in results:
        if r.precision is None and (r.verdict == "agree" or r.precise):
            r.precision = rtol


def _settle_on_ladder(results, judge_all, tolerance: Tolerance):
    """The same bands judged against each rung of PRECISION_LADDER in turn: each quantity's
    row from the first rung at which it agrees (an estimate: within the rung), or None when
    some quantity reaches no rung. A disagreement was dealt with before: no rung can change
    whether a band contains the exact value."""
    best = list(results)
    for rung in PRECISION_LADDER:
        if all(r.precision is not None for r in best):
            break
        loose = judge_all(tolerance.loosened(rung))
        for i, (mine, row) in enumerate(zip(best, loose)):
            if mine.precision is None and (row.verdict == "agree" or row.precise):
                row.precision = rung
                row.trials_needed = mine.trials_needed  # to reach the rtol aimed at
                row.data["ladder"] = True  # settled on a rung: pictures say so
                best[i] = row
    if any(r.precision is None for r in best):
        return None
    return best


def _ladder_note(results, rtol: float) -> str:
    """'agree within 0.5% (0.1% would need about N trials; pass --rtol 1e-3 to insist)'."""
    reached = max(r.precision for r in results)
    needed = max((r.trials_needed or 0) for r in results)
    more = f"about {needed:,} trials" if needed else "more trials"
    loose = sorted((r for r in results if r.precision > rtol), key=lambda r: -r.precision)
    within = f"within {_pct(reached)}"
    if len(loose) < len(results):
        rungs = sorted({r.precision for r in loose}, reverse=True)
        within = (", ".join(f"within {_pct(p)} for "
                            + " and ".join(r.name for r in loose if r.precision == p)
                            for p in rungs) + f", within {_pct(rtol)} for the rest")
    return f"agree {within} ({_pct(rtol)} would need {more}; pass --rtol {rtol:g} to insist)"


def _pct(r: float) -> str:
    return f"{100 * r:g}%"


def _shift_from_first_chunk(plans, simulate, trials: int) -> float:
    """Power sums are kept about a shift near the mean, or a variance loses its digits (at
    mean/sd = 1e5 the fourth moment cancels to 0). Without an exact mean the shift is the first
    chunk's mean: that chunk is simulated once here (about 0), and again in the run with the
    same numbers. Exact bands then leave that chunk out (see _judge_scalar)."""
    pending = {id(p.collector): p.collector for p in plans if p.shift_from_data}
    if not pending:
        return 0.0
    pilots = {key: Moments(c.column, 0.0) for key, c in pending.items()}
    seconds = simulate(min(trials, CHUNK_TRIALS), 0, to=list(pilots.values())).seconds
    for key, collector in pending.items():
        n, s1 = pilots[key].total[:2]
        shift = float(s1 / n) if n else 0.0
        collector.shift = shift if math.isfinite(shift) else 0.0
    return seconds


def _spends_over_grid(plan: _Plan) -> bool:
    """A DKW test (a cdf) or an estimated law: not a confidence sequence, so its budget is
    spent over the indices of the look grid, which must then be the coarse one it was tuned
    for (stats.spending); every other band is valid at any size."""
    q = plan.quantity
    return q.is_distribution and (q.name == "cdf" or q.closed_form is None)


def _confidence(plan: _Plan, alpha: float, tolerance: "Tolerance", sequential: bool,
                size: int, look: int = 1) -> stats.Confidence:
    """The band rule of one quantity, fixed before the data it judges: its budget, the
    tolerance it aims at, bounds (exact bands) and the design sd that tunes them. A DKW test
    of an auto run spends its budget over the look grid (stats.spending)."""
    q = plan.quantity
    if q.is_distribution:
        # DKW tests and an estimate's table are not sequences: their budget is spent over the
        # grid (a pmf with a closed form has anytime-valid mixture bands instead)
        if sequential and _spends_over_grid(plan):
            alpha = alpha * stats.spending(look, plan.centre)
        return stats.Confidence(alpha, sequential, target=tolerance.probabilities,
                                bounds=plan.bounds, target_n=size,
                                fixed_n=None if sequential else size)
    exact = float(ex.to_float(plan.exact)) if plan.exact is not None else None
    target = tolerance.scalar(exact) if exact is not None else None
    return stats.Confidence(alpha, sequential, target_n=plan.target_n or size, target=target,
                            design_sd=plan.design_sd, design_m4=plan.design_m4,
                            bounds=plan.bounds,
                            fixed_n=None if sequential else size)


@dataclass(frozen=True)
class Tolerance:
    """How close a band must come to agree: rtol * |exact| + atol (rtol + atol on the
    probabilities of a pmf or cdf). `design` is the rtol the bands were tuned for before the
    run, when a looser rung of the precision ladder judges the same bands (see verify)."""

    rtol: float
    atol: float
    design: float | None = None

    def scalar(self, exact: float) -> float:
        return self.rtol * abs(exact) + self.atol

    @property
    def probabilities(self) -> float:
        # pmf and cdf values live on [0, 1]: rtol is taken relative to 1
        return self.rtol + self.atol

    def design_scalar(self, exact: float) -> float:
        """The tolerance a scalar's band was tuned for (its bets, its sweet spot)."""
        return (self.rtol if self.design is None else self.design) * abs(exact) + self.atol

    @property
    def design_probabilities(self) -> float:
        return (self.rtol if self.design is None else self.design) + self.atol

    def loosened(self, rtol: float) -> "Tolerance":
        """The same bands judged against a looser rtol."""
        return Tolerance(rtol, self.atol, self.rtol if self.design is None else self.design)


def _judge(puzzle: Puzzle, values, plan: _Plan, conf: stats.Confidence,
           tolerance: Tolerance) -> QuantityResult:
    q = plan.quantity
    c = plan.collector
    if q.closed_form is None:
        # an estimate's band (estimate.py): the asymptotic rule, tuned as before
        scalar = stats.Confidence(conf.alpha, conf.sequential, target_n=1e7, free=True)
        return _estimate(puzzle, values, plan, scalar, conf.alpha, tolerance)
    if q.name in ("mean", "variance", "probability"):
        return _judge_scalar(plan, conf, tolerance)
    if isinstance(c, IntegerCounts):
        return _judge_integer(puzzle, values, plan, conf, tolerance)
    return _judge_continuous_cdf(plan, conf, tolerance)


def _asymptotic_target_n(plan: _Plan, conf: stats.Confidence, n, m2, m4, tol) -> float:
    """Where an asymptotic confidence sequence should be tightest: where its band would reach
    the tolerance, from the sd at the first look (set once, then kept for the run)."""
    if plan.target_n is None:
        if plan.quantity.name == "variance":
            sd = math.sqrt(max(m4 - m2 * m2, 2 * m2 * m2, 0.0))
        else:
            sd = plan.design_sd or math.sqrt(m2)
        if tol and sd > 0 and math.isfinite(sd):
            z = stats.Confidence(conf.alpha, True, target_n=1.0).z(1 / stats.Confidence(
                conf.alpha, True, target_n=1.0)._rho2())
            plan.target_n = float(min(max(((z + 0.8) * sd / tol) ** 2, n), 1e12))
        else:
            plan.target_n = float(max(n, 1e7))
    return plan.target_n


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
    total = np.asarray(c.total, dtype=float)
    n, s1, s2, s3, s4 = total[:5]
    mean, m2, _m3, m4 = stats.central_moments(n, s1, s2, s3, s4, c.shift)
    known = plan.exact is not None
    exact = ex.to_float(plan.exact) if known else None
    target = exact if known else mean
    tol = tolerance.scalar(exact) if known else None
    design = tolerance.design_scalar(exact) if known else None  # the band's tuning, fixed
    if conf.sequential and conf.bounds is None:
        target_n = _asymptotic_target_n(plan, conf, n, m2, m4, design)
        conf = dataclasses.replace(conf, target_n=target_n)
    # an exact band about a shift taken from the first chunk leaves that chunk out
    sums = total
    if plan.shift_from_data and conf.bounds is not None and c.chunks > 1:
        sums = total - np.asarray(c.rows[0], dtype=float)
    sn, t1, t2, t3, t4 = sums[:5]
    if q.name == "mean":
        band = stats.mean_band(mean, m2, n, target, conf, shift=c.shift, s1=t1, s2=t2,
                               tolerance=design)
        test = "bounded-mean mixture" if conf.bounds else "normal"
    elif q.name == "variance":
        band = stats.variance_band(m2, m4, n, target, conf, sums=(sn, t1, t2, t3, t4, c.shift),
                                   tolerance=design)
        test = "bounded-variance mixture" if conf.bounds else "normal (4th moment)"
    else:
        band = stats.probability_band(int(round(s1 + n * c.shift)), int(n), target, conf,
                                      tolerance=design, certain=known and plan.exact in (0, 1))
        test = "beta-binomial mixture" if conf.sequential else "clopper-pearson"
    if conf.sequential and not conf.bounds:
        test += " sequence"
    verdict, needed = "no closed form", None
    if known:
        verdict = stats.decide(band.ci_low, band.ci_high, exact, tol)
        if verdict == "inconclusive":
            reach = max(exact - band.ci_low, band.ci_high - exact)
            needed = stats.trials_to_settle(n, reach, tol, error=1e-300)
    return QuantityResult(
        q.name, test, verdict, band.p_value if known else None, conf.level,
        exact=exact, exact_str=ex.exact_str(plan.exact) if known else None,
        estimate=band.estimate, ci_low=band.ci_low, ci_high=band.ci_high, stderr=band.stderr,
        tolerance=tol, trials_needed=needed, band=band.kind,
        # the band rule too, so a picture can draw the running band exactly as judged here:
        # tuned for `design`, as every band above was (a check's claim has no target of its own)
        data={"running": c.running(), "shift": c.shift,
              "confidence": conf if design is None else dataclasses.replace(conf, target=design)})


def _distribution_verdict(rejected: bool, deviation_band: float, tol: float, n: float,
                          reach: float, room: float | None = None):
    if rejected:
        return "disagree", None
    if deviation_band <= tol:
        return "agree", None
    return "inconclusive", stats.trials_to_settle(n, reach, tol if room is None else room,
                                                  error=1e-300)


def _pmf_total(puzzle, values, q, exact, probs, high) -> str | None:
    """A pmf must add up to 1 over its support: checked exactly (sympy) when the support is
    finite and the values exact, in floating point otherwise (and then only that it does not
    exceed 1, since an unbounded support's table stops where the tail is negligible)."""
    if q.name != "pmf":
        return None
    where = ", ".join(f"{k}={v}" for k, v in values.items())
    where = f" at {where}" if where else ""
    if np.any(np.asarray(probs) < -1e-12):
        return f"the pmf is negative somewhere{where}"
    if high != float("inf"):
        if exact is not None:
            total = sympy.Add(*exact)  # exact rationals add up exactly
            if total.is_Rational and total != 1:
                return f"the pmf sums to {ex.exact_str(total)}{where}, not 1"
            if not total.is_Rational and abs(ex.to_float(total) - 1) > 1e-12:
                return f"the pmf sums to {ex.to_float(total):.10g}{where}, not 1"
            return None
        total = float(np.sum(probs))
        if abs(total - 1) > 1e-9:
            return f"the pmf sums to {total:.10g}{where}, not 1"
        return None
    total = float(np.sum(probs))
    if total > 1 + 1e-9:
        return f"the pmf sums to more than 1 ({total:.10g}){where}"
    return None


def _judge_integer(puzzle, values, plan: _Plan, conf: stats.Confidence,
                   tolerance: Tolerance) -> QuantityResult:
    """pmf: exact per-value bands (stats.pmf_bands) with a union over the values the law gives
    positive probability, plus a tail bin; an outcome the law calls impossible (probability
    exactly 0) is an outright disagreement, and so is a pmf whose exact total is not 1.
    Discrete cdf: DKW at its (spent) budget over every value of the table."""
    q, c = plan.quantity, plan.collector
    # the table does not depend on the data (its length would change the union bound)
    low, probs, tail, exact_values = ex.integer_distribution(puzzle, q, values)
    _low, high = ex.integer_bounds(puzzle, q, values)
    size = len(probs)
    counts = np.zeros(size + 1)
    m = min(len(c.counts), size)
    counts[:m] = c.counts[:m]
    counts[size] = c.counts[size:].sum() if len(c.counts) > size else 0.0
    p_all = np.zeros(size + 1)
    p_all[:size] = probs
    p_all[size] = tail
    n = float(counts.sum() + c.bad)
    freq = counts / max(n, 1)
    tol = tolerance.probabilities
    problem = _pmf_total(puzzle, values, q, exact_values, probs, high)
    if q.name == "cdf" and high != float("inf") and exact_values is not None:
        top = exact_values[-1]
        if top != 1 and abs(float(ex.to_float(top)) - 1) > 1e-12:
            problem = f"the cdf is {ex.exact_str(top)} at the top of its support, not 1"
    clean = np.clip(p_all, 0.0, 1.0)
    impossible = int(counts[clean <= 0].sum() + c.bad)
    if q.name == "cdf":
        gap = np.abs(np.cumsum(freq[:size]) - np.cumsum(clean[:size]))
        eps = stats.dkw_epsilon(n, conf.alpha) if n else math.inf
        deviation = float(gap.max()) if size else 0.0
        p_value = stats.dkw_p_value(n, deviation) * (conf.alpha and 1.0)
        rejected = deviation > eps
        half = np.full(size, eps)
        deviation_band = deviation + eps
        test = "dkw"
        reach = deviation_band
        ci_low = ci_high = None
    else:
        possible = clean > 0
        lo_b, hi_b, p_value = stats.pmf_bands(counts[possible], int(n), clean[possible],
                                              conf.alpha, conf.sequential,
                                              tolerance.design_probabilities, conf.target_n)
        gap = np.abs(freq - clean)
        deviation = float(gap[:size].max()) if size else 0.0
        reach_each = np.maximum(clean[possible] - lo_b, hi_b - clean[possible])
        deviation_band = float(reach_each.max()) if len(reach_each) else 0.0
        rejected = bool(np.any((lo_b > clean[possible]) | (hi_b < clean[possible])))
        half = np.zeros(size + 1)
        half[possible] = (hi_b - lo_b) / 2
        half = half[:size]
        ci_low, ci_high = freq.copy(), freq.copy()
        ci_low[possible], ci_high[possible] = lo_b, hi_b
        test = "beta-binomial mixture" if conf.sequential else "clopper-pearson"
        reach = deviation_band
    if impossible:
        rejected, p_value = True, 0.0
    if problem:
        rejected, p_value = True, 0.0
    verdict, needed = _distribution_verdict(rejected, deviation_band, tol, n, reach)
    xs = np.arange(low, low + size)
    fit = stats.chi_square_fit(p_all, counts, conf.alpha, deviation)
    return QuantityResult(
        q.name, test, verdict, p_value, 1 - conf.alpha, statistic=fit.statistic,
        dof=fit.dof, bins=fit.bins, values=int(np.count_nonzero(probs > stats.IMPOSSIBLE)),
        max_deviation=deviation, deviation_band=deviation_band, impossible=impossible,
        tolerance=tol, trials_needed=needed, band="exact", problem=problem,
        data={"x": xs, "exact": clean[:size], "observed": counts[:size], "trials": n,
              "cumulative": q.name == "cdf", "half_width": half,
              # the DKW band the cdf's test used, for the picture
              **({"dkw": eps} if q.name == "cdf" else {}),
              # the pmf's own per-value bands, for the picture
              **({} if ci_low is None else {"ci_low": ci_low[:size], "ci_high": ci_high[:size]})})


def _judge_continuous_cdf(plan: _Plan, conf: stats.Confidence,
                          tolerance: Tolerance) -> QuantityResult:
    """DKW on bins of equal exact probability, certified between the edges: both cdfs are
    non-decreasing, so on a bin (e_j, e_{j+1}] the true F lies in [F(e_j), F(e_{j+1})] and the
    claimed G in [G(e_j), G(e_{j+1})]; sup |F - G| over the bin is at most
    max(U_{j+1} - G(e_j), G(e_{j+1}) - L_j) with [L, U] the DKW band at the edges. The bins
    are narrow (an eighth of the tolerance), so an `agree` holds for every x, not only at the
    edges. Never an agree from fewer than two bins."""
    q, c = plan.quantity, plan.collector
    edges = c.edges
    tol = tolerance.probabilities
    n = float(c.counts.sum())
    if plan.problem:
        return QuantityResult(
            q.name, "dkw", "disagree", 0.0, 1 - conf.alpha, bins=0, max_deviation=None,
            deviation_band=None, impossible=0, tolerance=tol, band="exact",
            problem=plan.problem,
            data={"edges": edges, "exact": np.zeros(len(edges)), "empirical": np.zeros(len(edges)),
                  "trials": n, "cdf": plan.cdf, "support": q.support, "dkw": math.inf})
    cdf_at_edges = plan.cdf(edges)
    empirical = np.cumsum(c.counts)[:-1] / n
    deviation = float(np.max(np.abs(empirical - cdf_at_edges))) if len(edges) else 0.0
    epsilon = stats.dkw_epsilon(n, conf.alpha)
    point_mass = bool(np.all((cdf_at_edges == 0.0) | (cdf_at_edges == 1.0)))
    if point_mass and deviation == 0.0:
        # the law is a single value and every trial gave it: settled, as for a zero variance
        epsilon = 0.0
    lower = np.clip(empirical - epsilon, 0.0, 1.0)
    upper = np.clip(empirical + epsilon, 0.0, 1.0)
    # bins: (-inf, e_0], (e_0, e_1], ..., (e_last, inf); G and the band at both ends of each
    g_lo = np.concatenate([[0.0], cdf_at_edges])
    g_hi = np.concatenate([cdf_at_edges, [1.0]])
    f_lo = np.concatenate([[0.0], lower])
    f_hi = np.concatenate([upper, [1.0]])
    between = float(np.max(np.maximum(f_hi - g_lo, g_hi - f_lo))) if len(edges) else 1.0
    if point_mass and deviation == 0.0:
        between = 0.0  # one atom, every trial on it: nothing lies between
    rejected = deviation > epsilon
    p_value = stats.dkw_p_value(n, deviation) if n else 1.0
    deviation_band = max(between, deviation + epsilon)
    if len(edges) + 1 < 2 and not point_mass:
        deviation_band = max(deviation_band, 1.0)  # one bin certifies nothing
    width = 1 / max(len(edges) + 1, 1)  # what the bins' own width takes of the tolerance
    verdict, needed = _distribution_verdict(rejected, deviation_band, tol, n,
                                            max(deviation_band - width, 1e-300), tol - width)
    probs = np.diff(np.concatenate([[0.0], cdf_at_edges, [1.0]]))
    fit = stats.chi_square_fit(probs, c.counts.astype(float), conf.alpha, deviation)
    return QuantityResult(
        q.name, "dkw", verdict, p_value, 1 - conf.alpha, statistic=fit.statistic,
        dof=fit.dof, bins=len(edges) + 1, max_deviation=deviation,
        deviation_band=deviation_band, impossible=0, tolerance=tol, trials_needed=needed,
        band="exact",
        data={"edges": edges, "exact": cdf_at_edges, "empirical": empirical, "trials": n,
              "cdf": plan.cdf, "support": q.support, "dkw": epsilon})
