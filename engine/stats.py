"""Confidence bands and goodness-of-fit tests, each at a given confidence level.

Every function returns a `Band` or `Fit` that says whether the exact value is consistent with
the simulation at that level. The p-value and the band come from the same test, so
`agree == (p_value >= 1 - level)` up to ties.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

# Chi-square needs expected counts of at least this much in every pooled bin.
MIN_EXPECTED = 5.0
# Outcomes that the exact law gives probability below this count as impossible.
IMPOSSIBLE = 1e-15


@dataclass
class Band:
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    agree: bool
    stderr: float


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _two_sided(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def _degenerate(estimate: float, exact: float) -> Band:
    same = math.isclose(estimate, exact, rel_tol=1e-12, abs_tol=1e-12)
    return Band(estimate, estimate, estimate, 1.0 if same else 0.0, same, 0.0)


def central_moments(n: float, s1: float, s2: float, s3: float, s4: float, shift: float):
    """Mean and central moments m2, m3, m4 (biased) from power sums about `shift`."""
    d = s1 / n
    e2, e3, e4 = s2 / n, s3 / n, s4 / n
    m2 = max(e2 - d * d, 0.0)
    m3 = e3 - 3 * d * e2 + 2 * d ** 3
    m4 = max(e4 - 4 * d * e3 + 6 * d * d * e2 - 3 * d ** 4, 0.0)
    return shift + d, m2, m3, m4


def mean_band(mean: float, m2: float, n: float, exact: float, level: float) -> Band:
    """Normal interval from the sample variance."""
    s2 = m2 * n / (n - 1) if n > 1 else 0.0
    se = math.sqrt(s2 / n)
    if se == 0.0:
        return _degenerate(mean, exact)
    half = _z(level) * se
    p = _two_sided((mean - exact) / se)
    return Band(mean, mean - half, mean + half, p, mean - half <= exact <= mean + half, se)


def variance_band(m2: float, m4: float, n: float, exact: float, level: float) -> Band:
    """Normal interval for the unbiased sample variance, with the standard error taken from the
    fourth central moment: Var(s^2) = (mu4 - sigma^4 (n-3)/(n-1)) / n."""
    s2 = m2 * n / (n - 1) if n > 1 else 0.0
    var_s2 = (m4 - s2 * s2 * (n - 3) / (n - 1)) / n if n > 1 else 0.0
    se = math.sqrt(max(var_s2, 0.0))
    if se == 0.0:
        return _degenerate(s2, exact)
    half = _z(level) * se
    p = _two_sided((s2 - exact) / se)
    return Band(s2, s2 - half, s2 + half, p, s2 - half <= exact <= s2 + half, se)


def probability_band(successes: int, n: int, exact: float, level: float) -> Band:
    """Wilson score interval (scipy), and the score test it inverts for the p-value."""
    phat = successes / n
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=level, method="wilson")
    low, high = float(ci.low), float(ci.high)
    if exact <= 0.0 or exact >= 1.0:
        same = phat == exact
        return Band(phat, low, high, 1.0 if same else 0.0, same, 0.0)
    se0 = math.sqrt(exact * (1 - exact) / n)
    p = _two_sided((phat - exact) / se0)
    return Band(phat, low, high, p, low <= exact <= high, math.sqrt(max(phat * (1 - phat), 0) / n))


@dataclass
class Fit:
    statistic: float
    dof: int
    p_value: float
    agree: bool
    bins: int
    max_deviation: float  # largest |simulated - exact| over the support (pmf) or edges (cdf)
    impossible: int       # simulated outcomes the exact law says cannot happen


def pool_bins(expected: np.ndarray, observed: np.ndarray):
    """Merge adjacent bins (left to right) until every bin expects at least MIN_EXPECTED."""
    exp_out, obs_out = [], []
    e_acc = o_acc = 0.0
    for e, o in zip(expected, observed):
        e_acc += e
        o_acc += o
        if e_acc >= MIN_EXPECTED:
            exp_out.append(e_acc)
            obs_out.append(o_acc)
            e_acc = o_acc = 0.0
    if e_acc > 0 or o_acc > 0:
        if exp_out:
            exp_out[-1] += e_acc
            obs_out[-1] += o_acc
        else:
            exp_out.append(e_acc)
            obs_out.append(o_acc)
    return np.array(exp_out), np.array(obs_out)


def chi_square_fit(probs: np.ndarray, observed: np.ndarray, level: float,
                   deviation: float) -> Fit:
    """Chi-square goodness of fit of counts to a law given by `probs` (summing to 1).

    A count where the law has (numerically) zero probability is an impossible outcome:
    the fit is rejected outright, whatever the chi-square says.
    """
    n = observed.sum()
    probs = np.clip(probs, 0.0, None)
    impossible = int(observed[probs <= IMPOSSIBLE].sum())
    possible = probs > IMPOSSIBLE
    expected = probs[possible] / probs[possible].sum() * n
    exp_b, obs_b = pool_bins(expected, observed[possible])
    if len(exp_b) < 2:
        stat, dof, p = 0.0, 0, 1.0
    else:
        stat = float(((obs_b - exp_b) ** 2 / exp_b).sum())
        dof = len(exp_b) - 1
        p = float(stats.chi2.sf(stat, dof))
    if impossible:
        p = 0.0
    return Fit(stat, dof, p, p >= 1 - level and not impossible, len(exp_b), deviation, impossible)
