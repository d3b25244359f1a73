"""Quantities with no closed form yet: estimated, not judged.

A puzzle may declare Mean(), Variance(), Probability(), Pmf(None, x, support=...) or
Cdf(None, x, support=...) before anyone knows the answer. Such a quantity gets the verdict
'estimated': an estimate and a confidence band (a table of them, with simultaneous bands, for a
pmf or cdf), and `precise` tells whether the band's half-width is within the tolerance (verify's
rtol * |estimate| + atol; rtol + atol for probabilities of a pmf or cdf). An auto run goes on
until every estimate is precise.

No new statistics here: the bands are the stats module's (normal / confidence sequence for a
mean and variance, Wilson for a probability, Dvoretzky-Kiefer-Wolfowitz for a cdf); a pmf's
values share the false-alarm budget by a union bound (alpha / K each over K support values, or
alpha * 6 / (pi^2 k^2) for the k-th value of an unbounded support), so the bands of the whole
table hold at once.

`simplest_rational` offers an exact value a band is consistent with (never asserted).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from . import stats
from .report import QuantityResult

ESTIMATED = "estimated"
# A pilot of this many trials places the bins of a continuous cdf with an unbounded support.
PILOT_TRIALS = 4096
CDF_BINS = 100
# A hint is offered only when a band this narrow would contain so simple a rational by chance
# rarely: about 0.3 q^2 rationals of denominator <= q lie in a unit interval, so a random band of
# width w holds one with probability about 0.3 q^2 w; offered when that is below 1%.
HINT_CHANCE = 0.01
HINT_MAX_DENOMINATOR = 10_000


# --------------------------------------------------------------------------- scalars


def estimate_scalar(name: str, moments, conf: stats.Confidence, tolerance) -> QuantityResult:
    """Mean, variance or probability of the outcome that `moments` (a Moments collector) saw."""
    n, s1, s2, s3, s4 = moments.total
    mean, m2, _m3, m4 = stats.central_moments(n, s1, s2, s3, s4, moments.shift)
    sequential = " sequence" if conf.sequential else ""
    if name == "mean":
        band, test = stats.mean_band(mean, m2, n, mean, conf), "normal" + sequential
    elif name == "variance":
        s2_hat = m2 * n / (n - 1) if n > 1 else 0.0
        band = stats.variance_band(m2, m4, n, s2_hat, conf)
        test = "normal (4th moment)" + sequential
    else:
        successes = int(round(s1 + n * moments.shift))
        # the target only sets the band's p-value, which an estimate does not use
        band = stats.probability_band(successes, int(n), 0.5, conf)
        test = "normal sequence" if conf.sequential else "wilson"
    half = max(band.estimate - band.ci_low, band.ci_high - band.estimate)
    tol = tolerance.scalar(band.estimate)
    precise = bool(half <= tol)
    hint = None
    if math.isfinite(band.ci_low) and math.isfinite(band.ci_high):
        simple = simplest_rational(band.ci_low, band.ci_high)
        if simple is not None:
            hint = f"consistent with {_fraction_text(simple)} (the simplest rational in the band)"
    return QuantityResult(
        name, test, ESTIMATED, None, conf.level, estimate=band.estimate, ci_low=band.ci_low,
        ci_high=band.ci_high, stderr=band.stderr, tolerance=tol,
        trials_needed=None if precise else stats.trials_to_settle(n, half, tol),
        precise=precise, hint=hint,
        data={"running": moments.running(), "shift": moments.shift, "confidence": conf})


def simplest_rational(low: float, high: float, chance: float = HINT_CHANCE) -> Fraction | None:
    """The rational with the smallest denominator in [low, high] (the smallest numerator among
    those), if the band is narrow enough that a band of its width would hold a rational that
    simple by chance only rarely (see HINT_CHANCE); else None."""
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        return None
    width = high - low
    for q in range(1, HINT_MAX_DENOMINATOR + 1):
        if 0.3 * q * q * width > chance:
            return None
        p = math.ceil(low * q)
        if p <= high * q:
            candidates = [c for c in range(p, math.floor(high * q) + 1)]
            best = min(candidates, key=abs)
            return Fraction(best, q)
    return None


def _fraction_text(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


# --------------------------------------------------------------------------- distributions


def pmf_alphas(low: int, high: float, count: int, alpha: float) -> np.ndarray:
    """Each value's share of alpha: alpha / K over a support of K values, or, for an unbounded
    support, alpha * 6 / (pi^2 k^2) for the k-th value (k = 1, 2, ...): a union bound either way,
    so the bands of all values hold together with probability at least 1 - alpha."""
    if math.isfinite(high):
        return np.full(count, alpha / max(int(high) - low + 1, 1))
    return np.array([stats.sequential_alpha(alpha, k + 1) for k in range(count)])


def estimate_pmf(q, counts, alpha: float, tolerance, high: float) -> QuantityResult:
    """A table of P(X = x) with simultaneous Wilson bands, from an IntegerCounts collector."""
    observed = np.asarray(counts.counts, dtype=float)
    n = float(observed.sum() + counts.bad)
    size = len(observed)
    if math.isfinite(high):
        size = max(size, int(high) - counts.low + 1)
        observed = np.concatenate([observed, np.zeros(size - len(observed))])
    alphas = pmf_alphas(counts.low, high, size, alpha)
    rows, halves = [], []
    for i in range(size):
        band = stats.probability_band(int(observed[i]), int(n), 0.5, stats.Confidence(alphas[i]))
        rows.append({"x": counts.low + i, "estimate": band.estimate, "ci_low": band.ci_low,
                     "ci_high": band.ci_high})
        halves.append(max(band.estimate - band.ci_low, band.ci_high - band.estimate))
    return _distribution_result(q, "wilson (simultaneous)", rows, halves, alpha, n, tolerance,
                                outside=int(counts.bad), cumulative=False)


def estimate_discrete_cdf(q, counts, alpha: float, tolerance, high: float) -> QuantityResult:
    """A table of P(X <= x) with the DKW band, from an IntegerCounts collector."""
    observed = np.asarray(counts.counts, dtype=float)
    n = float(observed.sum() + counts.bad)
    if math.isfinite(high):
        observed = np.concatenate([observed, np.zeros(max(int(high) - counts.low + 1 - len(observed), 0))])
    xs = counts.low + np.arange(len(observed))
    return _cdf_rows(q, xs, np.cumsum(observed) / max(n, 1), n, alpha, tolerance,
                     int(counts.bad))


def estimate_continuous_cdf(q, binned, alpha: float, tolerance) -> QuantityResult:
    """P(X <= e) at each bin edge e with the DKW band, from a BinnedCounts collector."""
    counts = np.asarray(binned.counts, dtype=float)
    n = float(counts.sum())
    return _cdf_rows(q, np.asarray(binned.edges, dtype=float), np.cumsum(counts)[:-1] / max(n, 1),
                     n, alpha, tolerance, 0)


def _cdf_rows(q, xs, empirical, n, alpha, tolerance, outside) -> QuantityResult:
    eps = stats.dkw_epsilon(max(n, 1), alpha)
    rows = [{"x": _plain_x(x), "estimate": float(f), "ci_low": max(0.0, float(f) - eps),
             "ci_high": min(1.0, float(f) + eps)} for x, f in zip(xs, empirical)]
    return _distribution_result(q, "dkw (simultaneous)", rows, [eps] * len(rows), alpha, n,
                                tolerance, outside=outside, cumulative=True)


def _plain_x(x):
    return int(x) if float(x).is_integer() else float(x)


def _distribution_result(q, test, rows, halves, alpha, n, tolerance, outside, cumulative):
    tol = tolerance.probabilities
    widest = float(max(halves)) if halves else 0.0
    precise = bool(widest <= tol) and not outside
    return QuantityResult(
        q.name, test, ESTIMATED, None, 1 - alpha, values=len(rows), tolerance=tol,
        deviation_band=widest, impossible=outside or None,
        trials_needed=None if precise else stats.trials_to_settle(n, widest, tol),
        precise=precise, table=rows,
        data={"table": rows, "trials": n, "cumulative": cumulative, "support": q.support})


# --------------------------------------------------------------------------- bins of a cdf


def cdf_edges(puzzle, kernel_args: tuple, column: int, low: float, high: float,
              seed: int) -> np.ndarray:
    """Interior bin edges for the estimated cdf of a continuous outcome: equal widths over a
    finite support, else the 1%..99% quantiles of a seeded pilot (the DKW band holds at every
    point at once, so edges chosen from data keep it valid)."""
    if math.isfinite(low) and math.isfinite(high) and high > low:
        return np.linspace(low, high, CDF_BINS + 1)[1:-1]
    out = np.asarray(puzzle.simulate(np.random.default_rng(seed), PILOT_TRIALS, *kernel_args),
                     dtype=float)
    values = out.reshape(PILOT_TRIALS, -1)[:, column]
    values = values[np.isfinite(values)]
    edges = np.unique(np.quantile(values, np.arange(1, CDF_BINS) / CDF_BINS)) if values.size \
        else np.array([0.0])
    return edges
