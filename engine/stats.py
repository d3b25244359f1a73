"""Confidence bands, confidence sequences and goodness-of-fit tests.

Every band function takes a `Confidence`: the false-alarm budget of one quantity, either for a
run of fixed size (a normal z) or for a run that is looked at after every batch (an anytime-valid
confidence sequence, so looking often does not inflate false alarms). The p-value and the band
come from the same test, so `excludes == (p_value < alpha)` up to ties.

Verdicts are three-way (`decide`): *disagree* when the band excludes the exact value, *agree*
when it contains it and lies wholly within the tolerance of it, *inconclusive* otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
# scipy.special, not scipy.stats: the latter costs seconds to import, and only the Wilson
# interval (probability quantities) needs it -- it is imported there, when used
from scipy import special

# Chi-square needs expected counts of at least this much in every pooled bin.
MIN_EXPECTED = 5.0
# Outcomes that the exact law gives probability below this count as impossible.
IMPOSSIBLE = 1e-15


@dataclass(frozen=True)
class Confidence:
    """The false-alarm budget `alpha` of one quantity, and how it is spent.

    Fixed size: the usual normal quantile. Sequential: the two-sided asymptotic confidence
    sequence of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2024, "Time-uniform central limit
    theory and asymptotic confidence sequences", Thm 2.2; Robbins' normal mixture, as in Howard
    et al. 2021): with probability >= 1 - alpha (asymptotically) the mean lies in
        mean_n +- sd_n * sqrt(2 (n rho^2 + 1) / (n^2 rho^2) * log(sqrt(n rho^2 + 1) / alpha))
    for ALL n at once. rho tunes where it is tightest; `target_n` picks rho for that n.
    """

    alpha: float
    sequential: bool = False
    target_n: float = 1e7

    @property
    def level(self) -> float:
        return 1 - self.alpha

    def _rho2(self) -> float:
        la = -2 * math.log(self.alpha)
        return (la + math.log(la + 1)) / self.target_n

    def z(self, n: float) -> float:
        """Half-width of the band in standard errors (sd / sqrt(n)) after n observations."""
        if not self.sequential:
            return float(-special.ndtri(self.alpha / 2))
        v = n * self._rho2()
        return math.sqrt(2 * (v + 1) / v * math.log(math.sqrt(v + 1) / self.alpha))

    def p_value(self, z_obs: float, n: float) -> float:
        """Smallest alpha at which the band would exclude a value z_obs standard errors away."""
        if not self.sequential:
            return _two_sided(z_obs)
        v = n * self._rho2()
        return float(min(1.0, math.sqrt(v + 1) * math.exp(-z_obs * z_obs * v / (2 * (v + 1)))))


def _two_sided(z: float) -> float:
    """P(|Z| > |z|) for a standard normal Z."""
    return float(2 * special.ndtr(-abs(z)))


def sequential_alpha(alpha: float, look: int) -> float:
    """Budget of look k = 1, 2, ... when a test can only be repeated, not made a sequence:
    alpha * 6 / (pi^2 k^2) sums to alpha over all looks (a union bound), so stopping at any
    look keeps the overall false-alarm rate at most alpha."""
    return alpha * 6 / (math.pi ** 2 * look * look)


@dataclass
class Band:
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    stderr: float


def decide(band_low: float, band_high: float, exact: float, tolerance: float) -> str:
    """'disagree' if the band excludes exact; 'agree' if it lies within exact +- tolerance."""
    if not band_low <= exact <= band_high:
        return "disagree"
    if max(exact - band_low, band_high - exact) <= tolerance:
        return "agree"
    return "inconclusive"


def trials_to_settle(n: float, half_width: float, tolerance: float) -> int | None:
    """Rough number of trials after which the band should fit inside the tolerance: the band
    shrinks like 1/sqrt(n), and the estimate's own error takes about a third of the room."""
    if tolerance <= 0 or half_width <= 0 or not math.isfinite(half_width):
        return None
    needed = n * (1.3 * half_width / tolerance) ** 2
    if needed <= n:
        return int(n)
    step = 10 ** max(int(math.log10(needed)) - 1, 0)  # two significant digits, rounded up
    return int(math.ceil(needed / step) * step)


def _degenerate(estimate: float, exact: float) -> Band:
    same = math.isclose(estimate, exact, rel_tol=1e-12, abs_tol=1e-12)
    return Band(estimate, estimate, estimate, 1.0 if same else 0.0, 0.0)


def central_moments(n: float, s1: float, s2: float, s3: float, s4: float, shift: float):
    """Mean and central moments m2, m3, m4 (biased) from power sums about `shift`."""
    d = s1 / n
    e2, e3, e4 = s2 / n, s3 / n, s4 / n
    m2 = max(e2 - d * d, 0.0)
    m3 = e3 - 3 * d * e2 + 2 * d ** 3
    m4 = max(e4 - 4 * d * e3 + 6 * d * d * e2 - 3 * d ** 4, 0.0)
    return shift + d, m2, m3, m4


def _normal_band(estimate: float, se: float, n: float, exact: float, conf: Confidence) -> Band:
    if se == 0.0:
        # every trial gave the same value: that settles an exact match, but a value that differs
        # may just be rare (N=1 almost surely when t is tiny), so the band is then unbounded
        if math.isclose(estimate, exact, rel_tol=1e-12, abs_tol=1e-12):
            return _degenerate(estimate, exact)
        return Band(estimate, -math.inf, math.inf, 1.0, 0.0)
    half = conf.z(n) * se
    p = conf.p_value((estimate - exact) / se, n)
    return Band(estimate, estimate - half, estimate + half, p, se)


def mean_band(mean: float, m2: float, n: float, exact: float, conf: Confidence) -> Band:
    """Normal interval (or confidence sequence) from the sample variance."""
    s2 = m2 * n / (n - 1) if n > 1 else 0.0
    return _normal_band(mean, math.sqrt(s2 / n), n, exact, conf)


def variance_band(m2: float, m4: float, n: float, exact: float, conf: Confidence) -> Band:
    """Normal interval (or confidence sequence) for the unbiased sample variance, with the
    standard error from the fourth central moment: Var(s^2) = (mu4 - sigma^4 (n-3)/(n-1)) / n."""
    s2 = m2 * n / (n - 1) if n > 1 else 0.0
    var_s2 = (m4 - s2 * s2 * (n - 3) / (n - 1)) / n if n > 1 else 0.0
    # mu4 - sigma^4 can be ~0 (a fair 0/1 outcome): then the 2 sigma^4 / (n (n-1)) term, which
    # sampling noise in m4 would swamp, is what is left of Var(s^2)
    if n > 1:
        var_s2 = max(var_s2, 2 * s2 * s2 / (n * (n - 1)))
    return _normal_band(s2, math.sqrt(max(var_s2, 0.0)), n, exact, conf)


def probability_band(successes: int, n: int, exact: float, conf: Confidence) -> Band:
    """Fixed size: the Wilson score interval (scipy) and the score test it inverts.
    Sequential: the confidence sequence with sd sqrt(p(1-p)) (floored at 1/n so that a run
    that has seen no success yet still has a band of positive width)."""
    phat = successes / n
    if exact in (0.0, 1.0) and phat == exact:
        # an event the closed form calls impossible (or certain) never (always) happened: like a
        # sample with no spread, judged exactly, as mean_band does for a zero sample variance
        return _degenerate(phat, exact)
    if conf.sequential:
        se = math.sqrt(max(phat * (1 - phat), 1.0 / n) / n)
        half = conf.z(n) * se
        low, high = max(0.0, phat - half), min(1.0, phat + half)
        z_obs = (phat - exact) / se
        return Band(phat, low, high, conf.p_value(z_obs, n), se)
    from scipy import stats

    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=conf.level, method="wilson")
    low, high = float(ci.low), float(ci.high)
    se_hat = math.sqrt(max(phat * (1 - phat), 0) / n)
    if exact <= 0.0 or exact >= 1.0:
        return Band(phat, low, high, 1.0 if phat == exact else 0.0, se_hat)
    se0 = math.sqrt(exact * (1 - exact) / n)
    return Band(phat, low, high, _two_sided((phat - exact) / se0), se_hat)


def dkw_epsilon(n: float, alpha: float) -> float:
    """Dvoretzky-Kiefer-Wolfowitz (Massart's constant): P(sup |F_n - F| > eps) <= alpha."""
    return math.sqrt(math.log(2 / alpha) / (2 * n))


@dataclass
class Fit:
    statistic: float
    dof: int
    p_value: float
    rejected: bool
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


def chi_square_fit(probs: np.ndarray, observed: np.ndarray, alpha: float,
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
        p = float(special.chdtrc(dof, stat))
    if impossible:
        p = 0.0
    return Fit(stat, dof, p, p < alpha or bool(impossible), len(exp_b), deviation, impossible)
