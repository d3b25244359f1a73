"""Confidence bands, confidence sequences and tests behind every verdict.

Each quantity gets a false-alarm budget alpha (verify() gives each of m quantities alpha/m) and
one *band*: a set of values the truth lies in with probability >= 1 - alpha. The verdict is
three-way (`decide`): *disagree* when the band excludes the exact value, *agree* when it contains
it and lies wholly within the tolerance of it, *inconclusive* otherwise.

Every band says what kind it is:

- **exact**: the guarantee holds at every sample size, not in the limit. Outcomes with known
  bounds (a probability's 0/1 outcome, a pmf value's indicator, a puzzle's declared
  `bounds=(low, high)`) always get exact bands:
    * a probability or a pmf value: Clopper-Pearson (fixed runs) or the beta-binomial mixture
      confidence sequence (auto runs; Robbins 1970, "Statistical methods related to the law of
      the iterated logarithm"; Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform,
      nonparametric, nonasymptotic confidence sequences", Ann. Statist., Sec. 3);
    * the mean of a bounded outcome: a discrete mixture of the supermartingales
      exp(lambda S_n - psi_E(lambda) V_n), psi_E(l) = -log(1-l) - l, valid for increments
      bounded below by -1 (Fan, Grama & Liu 2015, "Exponential inequalities for martingales with
      applications", EJP, Prop. 4.1; Howard et al. 2021; the constant-bet special case of
      Waudby-Smith & Ramdas 2023, "Estimating means of bounded random variables by betting",
      JRSS-B). S_n and V_n are sums of (x - m) and (x - m)^2, so the per-chunk power sums the
      engine keeps are enough, and the band is valid at every look of an auto run;
    * the variance of a bounded outcome: the same for Z = (X - c)^2 (c fixed before the data it
      is applied to), less the square of the mean's distance from c;
    * a cdf: Dvoretzky-Kiefer-Wolfowitz with Massart's constant (fixed runs), spent over a fixed
      grid of looks (auto runs).
- **asymptotic**: unbounded outcomes (durations: gamblers-ruin, coupon-collector) keep the normal
  interval (fixed runs) or the asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha,
  Kennedy & Ramdas (2024, "Time-uniform central limit theory and asymptotic confidence
  sequences", Thm 2.2) for auto runs. Nothing non-asymptotic exists without a bound.

Auto runs look only at sizes on a grid fixed in advance (`look_grid`): the band rules above are
anytime-valid, and the cdf's DKW budget is spent over the grid's indices.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
# scipy.special, not scipy.stats: the latter costs seconds to import
from scipy import special

# Outcomes that the exact law gives probability below this count as impossible.
IMPOSSIBLE = 1e-15
# Chi-square needs expected counts of at least this much in every pooled bin.
MIN_EXPECTED = 5.0


# --------------------------------------------------------------------------- band bookkeeping


@dataclass(frozen=True)
class Confidence:
    """The false-alarm budget `alpha` of one quantity, and how it is spent.

    sequential False: a run of fixed size. sequential True: an auto run looked at on the fixed
    grid of sizes; every band is then a confidence sequence. `target` is the tolerance the run
    aims at (the band is tuned to be tight where it would reach it) and `design_sd` a guess of
    the outcome's standard deviation fixed before the data (an exact closed form, or None).

    For asymptotic bands (unbounded outcomes) `z(n)` is the half-width in standard errors of
    the asymptotic confidence sequence of Waudby-Smith et al. (2024, Thm 2.2; Robbins' normal
    mixture):  mean_n +- sd_n sqrt(2 (n rho^2 + 1) / (n^2 rho^2) log(sqrt(n rho^2 + 1) / alpha)),
    with rho chosen to be tightest at `target_n`.
    """

    alpha: float
    sequential: bool = False
    target_n: float = 1e7
    target: float | None = None        # the tolerance the verdict needs, if any
    design_sd: float | None = None     # a data-free guess of the outcome's sd
    design_m4: float | None = None     # its fourth central moment, from an exact law (or None)
    bounds: tuple | None = None        # (low, high): the outcome is bounded, bands are exact
    fixed_n: float | None = None       # a fixed run's size (tunes the exact mixture for it)
    free: bool = False                 # no exact value to centre a mixture on (an estimate)

    @property
    def level(self) -> float:
        return 1 - self.alpha

    @property
    def kind(self) -> str:
        return "exact" if self.bounds is not None else "asymptotic"

    def _rho2(self) -> float:
        la = -2 * math.log(self.alpha)
        return (la + math.log(la + 1)) / self.target_n

    def z(self, n: float) -> float:
        """Half-width of the asymptotic band in standard errors (sd / sqrt(n)) after n."""
        if not self.sequential:
            return float(-special.ndtri(self.alpha / 2))
        v = n * self._rho2()
        return math.sqrt(2 * (v + 1) / v * math.log(math.sqrt(v + 1) / self.alpha))

    def p_value(self, z_obs: float, n: float) -> float:
        """Smallest alpha at which the asymptotic band would exclude a value z_obs s.e. away."""
        if not self.sequential:
            return _two_sided(z_obs)
        v = n * self._rho2()
        return float(min(1.0, math.sqrt(v + 1) * math.exp(-z_obs * z_obs * v / (2 * (v + 1)))))


def _two_sided(z: float) -> float:
    """P(|Z| > |z|) for a standard normal Z."""
    return float(2 * special.ndtr(-abs(z)))


@dataclass
class Band:
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    stderr: float
    kind: str = "asymptotic"


def decide(band_low: float, band_high: float, exact: float, tolerance: float) -> str:
    """'disagree' if the band excludes exact; 'agree' if it lies within exact +- tolerance."""
    if not band_low <= exact <= band_high:
        return "disagree"
    if max(exact - band_low, band_high - exact) <= tolerance:
        return "agree"
    return "inconclusive"


def trials_to_settle(n: float, half_width: float, tolerance: float,
                     error: float = 0.0) -> int | None:
    """Rough number of trials after which the band should fit inside the tolerance: the band
    (and the estimate's own error) shrink like 1/sqrt(n). Without the error, a third of the
    room is set aside for it."""
    if tolerance <= 0 or half_width <= 0 or not math.isfinite(half_width):
        return None
    reach = half_width + error if error else 1.3 * half_width
    needed = n * (reach / tolerance) ** 2
    if needed <= n:
        return int(n)
    step = 10 ** max(int(math.log10(needed)) - 1, 0)  # two significant digits, rounded up
    return int(math.ceil(needed / step) * step)


# --------------------------------------------------------------------------- the look grid

# Auto runs look after 1, 2, 3, 4, 5, 6, 7, 9, ... chunks: each size about 2^(1/4) times the one
# before, in whole chunks. Fixed in advance, so a union bound over the grid is valid whatever
# the data say about where to look next (looks may be skipped, never moved).
LOOK_RATIO = 2 ** 0.25
# When no band spends a budget over the grid (every band is a confidence sequence, valid at
# every size), looking costs nothing but the judging: a finer grid stops closer to where the
# run settles.
FINE_LOOK_RATIO = 2 ** 0.125


def look_grid(chunk: int, limit: int, ratio: float = LOOK_RATIO) -> list[int]:
    """Look sizes (in trials) up to and including the first one >= limit."""
    sizes, chunks = [], 1
    while True:
        sizes.append(chunks * chunk)
        if chunks * chunk >= limit:
            return sizes
        chunks = max(chunks + 1, math.ceil(chunks * ratio))


def grid_index(grid: list[int], n: int) -> int:
    """1-based index of the first grid size >= n (the look that a size n is charged to)."""
    for k, size in enumerate(grid, 1):
        if size >= n:
            return k
    return len(grid)


def spending(k: int, centre: float | None = None, sd_octaves: float = 1.5) -> float:
    """Share of a budget spent at grid look k (summing to at most 1 over all k): half as
    6/(pi^2 k^2), half as a discretised normal in log2(size) around grid index `centre` (where
    the test is expected to settle), so that gross errors are still caught at the first looks
    and the settling looks get most of the budget."""
    share = 3 / (math.pi ** 2 * k * k)
    if centre is not None:
        per_octave = math.log2(LOOK_RATIO)
        u = (k - centre) * per_octave / sd_octaves
        share += 0.5 * per_octave / (sd_octaves * math.sqrt(2 * math.pi)) * math.exp(-u * u / 2) * 0.999
    return share


def sequential_alpha(alpha: float, look: int) -> float:
    """Budget of look k = 1, 2, ...: alpha * 6 / (pi^2 k^2), summing to alpha over all looks."""
    return alpha * 6 / (math.pi ** 2 * look * look)


# --------------------------------------------------------------------------- Bernoulli


def clopper_pearson(successes, n, alpha):
    """Exact (Clopper & Pearson 1934) two-sided interval for a binomial proportion; arrays ok."""
    s = np.asarray(successes, dtype=float)
    low = np.where(s > 0, special.betaincinv(np.maximum(s, 1e-300), n - s + 1, alpha / 2), 0.0)
    high = np.where(s < n, special.betaincinv(s + 1, np.maximum(n - s, 1e-300), 1 - alpha / 2), 1.0)
    return low, high


def binomial_p_value(successes, n, p):
    """The equal-tailed exact binomial test that Clopper-Pearson inverts:
    min(1, 2 min(P(S <= s), P(S >= s))), so the interval excludes p exactly when p < alpha."""
    s = np.asarray(successes, dtype=float)
    p = np.asarray(p, dtype=float)
    with np.errstate(all="ignore"):
        below = np.where(p >= 1, np.where(s >= n, 1.0, 0.0), special.bdtr(s, n, p))
        above = np.where(s <= 0, 1.0, np.where(p <= 0, 0.0, special.bdtrc(s - 1, n, p)))
    return np.minimum(1.0, 2 * np.minimum(below, above))


def mixture_strength(alpha: float, target_n: float) -> float:
    """Prior strength k (a Beta prior's a + b) of the beta-binomial mixture that makes its
    confidence sequence tightest after about target_n observations: the beta prior's variance
    p(1-p)/(k+1) matched to the normal mixture's optimal rho^2 = (la + log(1 + la)) / target_n,
    la = -2 log(alpha) (Howard et al. 2021, Sec. 3.5; Waudby-Smith et al. 2024, eq. (14))."""
    la = -2 * math.log(alpha)
    return max(target_n / (la + math.log(1 + la)) - 1.0, 1.0)


def _beta_mixture_log_m(s, n, p, a, b):
    """log of the beta-binomial mixture martingale against P(success) = p: the Beta(a, b)
    marginal likelihood of the data over its likelihood at p."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_lik = np.where(s > 0, s * np.log(np.where(p > 0, p, 1.0)), 0.0) \
            + np.where(n - s > 0, (n - s) * np.log1p(-np.where(p < 1, p, 0.0)), 0.0)
        log_lik = np.where(((p <= 0) & (s > 0)) | ((p >= 1) & (s < n)), -np.inf, log_lik)
    # b + (n - s), not b + n - s: with b tiny (a centre within 1e-16 of 1) and s = n, the
    # latter rounds to 0 and the martingale to infinity, a band of [1, 1]
    return special.betaln(a + s, b + (n - s)) - special.betaln(a, b) - log_lik


def beta_mixture_band(successes, n, centre, strength, alpha, iterations: int = 64):
    """Confidence sequence {p : M_n(p) < 1/alpha} of the beta-binomial mixture with the
    Beta(strength * centre, strength * (1 - centre)) prior, fixed before the data (centre is the
    exact value, strength from the target precision). M_n(p) is a martingale when p is the
    truth, so by Ville's inequality P(some n has M_n(p) >= 1/alpha) <= alpha: exact at every
    look. -log likelihood is convex in p, so the set is an interval around s/n; its ends are
    found by bisection. Arrays ok (one band per value of a pmf; `strength` a number or one per
    value). Returns (low, high, p-value function)."""
    s = np.asarray(successes, dtype=float)
    centre = np.clip(np.asarray(centre, dtype=float), 1e-300, 1 - 1e-16)
    strength = np.asarray(strength, dtype=float)  # one for all, or one per value
    a = np.maximum(strength * centre, 1e-300)
    b = np.maximum(strength * (1 - centre), 1e-300)
    bound = math.log(1 / alpha)
    phat = s / n

    def outside(p):
        return _beta_mixture_log_m(s, n, p, a, b) >= bound

    # low end: between 0 and phat (0 itself is inside when s == 0)
    lo, hi = np.zeros_like(phat), phat.copy()
    for _ in range(iterations):
        mid = (lo + hi) / 2
        out = outside(mid)
        lo, hi = np.where(out, mid, lo), np.where(out, hi, mid)
    low = np.where(outside(np.zeros_like(phat)) & (s > 0), hi, np.where(s > 0, hi, 0.0))
    lo, hi = phat.copy(), np.ones_like(phat)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        out = outside(mid)
        lo, hi = np.where(out, lo, mid), np.where(out, mid, hi)
    high = np.where(s < n, lo, 1.0)

    def p_value(p):
        return np.minimum(1.0, np.exp(-_beta_mixture_log_m(s, n, np.asarray(p, float), a, b)))

    return low, high, p_value


# --------------------------------------------------------------------------- bounded means


def _logsumexp_rows(a: np.ndarray) -> np.ndarray:
    top = np.max(a, axis=1)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.sum(np.exp(a - safe[:, None]), axis=1))


def psi_e(lam):
    """psi_E(l) = -log(1 - l) - l: for y >= -1 and 0 <= l < 1, exp(l y - psi_E(l) y^2) <= 1 + l y
    (Fan, Grama & Liu 2015, Prop. 4.1). Below 1e-4 by its series l^2/2 + l^3/3 + l^4/4 + ...
    (the difference of two nearly equal numbers loses the digits of a bet of 1e-14)."""
    lam = np.asarray(lam, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        direct = -np.log1p(-lam) - lam
    series = lam * lam * (0.5 + lam * (1 / 3 + lam * 0.25))
    return np.where(lam < 1e-4, series, direct)


# the largest bet (lambda) a component of BoundedMean's mixture makes
MAX_BET = 0.5


# bets per octave of the discrete mixture over lambda, and its reach either side of the guess
_BETS_PER_OCTAVE = 4
_REACH_SDS = 5.0
# a share of the weights spread this wide (octaves) whatever the tuning, reaching 4 of its sds:
# a candidate far out, or a design sd far off, still meets a bet small enough to reject it
_WIDE_OCTAVES = 2.0
_WIDE_SHARE = 0.1
_WIDE_REACH_SDS = 4.0
# and a share on the bet 1 / (high - low), when the grid stops above it: it gains on a
# candidate anywhere in [low, high] (a bound itself) that the data lie far from
_RANGE_SHARE = 0.01


@functools.lru_cache(maxsize=256)
def _bet_grid(low: float, high: float, theta: float, sd_octaves: float):
    """BoundedMean's bets (per unit of the outcome) and their weights; see its docstring."""
    reach = max(_REACH_SDS * sd_octaves, _WIDE_REACH_SDS * _WIDE_OCTAVES)
    half = int(math.ceil(reach * _BETS_PER_OCTAVE))
    octaves = np.arange(-half, half + 1) / _BETS_PER_OCTAVE
    thetas = theta * 2.0 ** octaves
    w = np.zeros(len(octaves))
    wide = _WIDE_SHARE
    floor = 1.0 / (high - low) if high > low else 0.0
    if 0 < floor < thetas[0]:
        thetas, w, wide = np.append(floor, thetas), np.append(_RANGE_SHARE, w), wide - _RANGE_SHARE
        octaves = np.append(np.nan, octaves)
    for spread, share in ((sd_octaves, 1 - _WIDE_SHARE), (_WIDE_OCTAVES, wide)):
        u = octaves / spread
        part = np.where(np.abs(u) <= _REACH_SDS, np.exp(-u * u / 2), 0.0)  # NaN: 0
        w += share * part / part.sum()
    thetas.flags.writeable = w.flags.writeable = False  # shared by every call
    return thetas, w


@dataclass(frozen=True)
class BoundedMean:
    """Exact confidence sequence (and, tuned for one n, an exact fixed-size band) for the mean
    of an outcome in [low, high], from the sums S = sum (x - m) and V = sum (x - m)^2 only.

    For a candidate mean m the increments y = (x - m) / (m - low) are >= -1, so for every
    0 <= l < 1 the process exp(l sum y - psi_E(l) sum y^2) is a nonnegative supermartingale
    when m is the mean (Fan et al. 2015; Howard et al. 2021, Thm 1 with the "psi_E" boundary);
    so is its mirror for (m - x) / (high - m), and so is any fixed mixture of them. The band is
    {m : M_n(m) < 1/alpha} with M the average of the two sides, each a discrete mixture over a
    geometric grid of bets theta = l / (m - low) (per unit of x), with normal weights in
    log2(theta) around theta* = tol / sd^2 -- the bet that rejects a mean off by the tolerance
    soonest -- spread `sd_octaves` (wider when the sd is only a guess), with a tenth of the weight
    spread 2 octaves whatever the tuning (a candidate many sds away needs a much smaller bet:
    one of deviation D per trial gains only when theta < 2 / D), and a hundredth on the bet
    1 / (high - low) when that is smaller still. Weights sum to at most 1, so
    the guarantee is exact at every sample size (Ville's inequality). A bet is capped at
    lambda = MAX_BET where theta * scale would pass it."""

    low: float
    high: float
    theta: float        # the central bet, per unit of the outcome
    sd_octaves: float = 2.0

    def _grid(self):
        return _bet_grid(self.low, self.high, self.theta, self.sd_octaves)

    def log_m(self, n: float, sum_d: np.ndarray, sum_d2: np.ndarray, m: np.ndarray) -> np.ndarray:
        """log M_n(m) for candidates m, given S(m) = sum (x - m) and V(m) = sum (x - m)^2."""
        thetas, weights = self._grid()
        m = np.atleast_1d(np.asarray(m, dtype=float))
        sum_d = np.atleast_1d(sum_d)
        sum_d2 = np.atleast_1d(sum_d2)
        sides = []
        for sign, scale in ((1.0, m - self.low), (-1.0, self.high - m)):
            # a candidate on a bound: a zero scale; the tiny floor keeps the arithmetic finite
            c = np.maximum(scale, 1e-300)[:, None]
            # a bet whose lambda would reach 1 (a candidate far from the bound it is scaled by)
            # is capped: for a fixed candidate every component is still one fixed bet in
            # [0, 1), so the mixture is still a supermartingale, and no component is lost
            lam = np.minimum(thetas[None, :] * c, MAX_BET)
            with np.errstate(divide="ignore", invalid="ignore"):
                expo = (lam * sign * sum_d[:, None] / c
                        - psi_e(lam) * sum_d2[:, None] / (c * c))
            # a side whose scale is 0 (the candidate on a bound) contributes nothing: dropping a
            # nonnegative term of the mixture keeps it a supermartingale
            expo = np.where((c > 0) & np.isfinite(expo), expo + np.log(weights)[None, :],
                            -np.inf)
            sides.append(_logsumexp_rows(expo))
        with np.errstate(invalid="ignore"):
            both = np.logaddexp(sides[0], sides[1]) - math.log(2)
        # a candidate on or outside the bounds: the data rule it out only if they leave it
        return both

    def band(self, n: float, s1: float, s2: float, shift: float, alpha: float,
             estimate: float, iterations: int = 60):
        """(low, high) of {m : M_n(m) < 1/alpha}, from sums of (x - shift) and (x - shift)^2."""
        bound = math.log(1 / alpha)

        def sums(m):
            d = shift - m
            return s1 + n * d, s2 + 2 * d * s1 + n * d * d

        def outside(m):
            m = np.asarray(m, dtype=float)
            sd, sd2 = sums(m)
            return self.log_m(n, sd, sd2, m) >= bound

        est = min(max(estimate, self.low), self.high)
        nudge = 1e-12 * (self.high - self.low)
        ends = []
        for edge, nudged in ((self.low, self.low + nudge), (self.high, self.high - nudge)):
            if not outside(np.array([nudged]))[0]:
                ends.append(edge)  # nothing rules out the bound itself
            else:
                ends.append(_boundary(outside, est, nudged))
        return ends[0], ends[1]

    def p_value(self, n, s1, s2, shift, m) -> float:
        d = shift - m
        lm = self.log_m(n, np.array([s1 + n * d]), np.array([s2 + 2 * d * s1 + n * d * d]),
                        np.array([m]))[0]
        return float(min(1.0, math.exp(-lm))) if lm > -700 else 1.0


def _boundary(outside, inner: float, outer: float, points: int = 32, rounds: int = 7) -> float:
    """The point between inner (inside the band) and outer (outside) where `outside` turns
    True, by a 32-way search (7 rounds: 32^7 = 3e10 steps of resolution), returning the
    outermost point found still inside... rounded outwards: the first point found outside."""
    for _ in range(rounds):
        ts = np.linspace(inner, outer, points + 1)[1:]
        out = outside(ts)
        first = int(np.argmax(out)) if out.any() else points - 1
        outer = ts[first]
        inner = ts[first - 1] if first > 0 else inner
    return float(outer)


# spread (octaves) of the bets about the tuned one: the sd from an exact law, a guess, no guess
EXACT_SD_OCTAVES = 0.75
GUESSED_SD_OCTAVES = 1.5
UNKNOWN_SD_OCTAVES = 3.0


def bounded_mean_rule(low: float, high: float, tolerance: float | None, sd: float | None,
                      n_hint: float | None, alpha: float, sd_exact: bool = False) -> BoundedMean:
    """Tune the bet of BoundedMean before the data: theta* = 0.8 tol / sd^2 rejects a mean that
    is off by most of the tolerance soonest (the estimate's own error takes the rest); a fixed
    run of size n instead aims at the sd / sqrt(n) scale. An unknown sd is taken from the
    bounds (Popoviciu: sd <= (high - low) / 2) with a wider spread of bets."""
    spread = (EXACT_SD_OCTAVES if sd_exact else GUESSED_SD_OCTAVES) if sd else UNKNOWN_SD_OCTAVES
    sd = sd if sd and sd > 0 else (high - low) / 2
    if n_hint:
        theta = math.sqrt(2 * math.log(2 / alpha) / n_hint) / sd
    elif tolerance and tolerance > 0:
        theta = 0.8 * tolerance / (sd * sd)
    else:
        theta = math.sqrt(2 * math.log(2 / alpha) / 1e7) / sd
    return BoundedMean(low, high, theta, spread)


# --------------------------------------------------------------------------- scalar bands


# float64's machine epsilon, and the rounding a sum of squares may carry, in units of it
EPSILON = 2.220446049250313e-16
NOISE_ULPS = 64


def central_moments(n: float, s1: float, s2: float, s3: float, s4: float, shift: float):
    """Mean and central moments m2, m3, m4 (biased) from power sums about `shift`."""
    d = s1 / n
    e2, e3, e4 = s2 / n, s3 / n, s4 / n
    m2 = max(e2 - d * d, 0.0)
    m3 = e3 - 3 * d * e2 + 2 * d ** 3
    m4 = max(e4 - 4 * d * e3 + 6 * d * d * e2 - 3 * d ** 4, 0.0)
    # When every outcome is the same value v, the outcomes about the shift are all v - shift
    # (not 0 when v is not the float of the exact mean: 0.1 + 0.2 against 3/10), and
    # e2 - d^2 is rounding noise, not a variance: a few units in the last place of e2, which
    # made a standard error of 1e-27 and a mean 5e-17 off 'disagree'. Below what rounding
    # leaves (the sums' relative error grows with log2 of the chunks summed; 64 ulp covers it)
    # there is nothing to measure, and the central moments are 0: an estimate cannot be told
    # from 0 there anyway (the shift is near the mean: an exact mean, or the first chunk's).
    if m2 <= NOISE_ULPS * EPSILON * (e2 + d * d):
        m2, m3, m4 = 0.0, 0.0, 0.0
    return shift + d, m2, m3, m4


def _degenerate(estimate: float, exact: float, kind: str = "asymptotic") -> Band:
    """Every trial gave the same value. Equal to the exact value up to rounding (0.1 + 0.2
    against 3/10), the band is the two of them, so that it contains the exact value."""
    same = math.isclose(estimate, exact, rel_tol=1e-12, abs_tol=1e-12)
    if same:
        return Band(estimate, min(estimate, exact), max(estimate, exact), 1.0, 0.0, kind)
    return Band(estimate, estimate, estimate, 0.0, 0.0, kind)


def _normal_band(estimate: float, se: float, n: float, exact: float, conf: Confidence,
                 tolerance: float | None = None) -> Band:
    if se == 0.0:
        if math.isclose(estimate, exact, rel_tol=1e-12, abs_tol=1e-12):
            return _degenerate(estimate, exact)
        # every trial gave the same value v. A mean off by a tiny amount may hide in a rare
        # event (sum-exceeds at t = 1e-6: N = 2 once in a million), but a mean more than the
        # tolerance away from a value seen in every one of n trials would need an event of
        # probability below log(1/alpha)/n carrying a shift of more than tol * n / log(1/alpha):
        # beyond what any normal band assumes. So: disagree then (asymptotic, like the band),
        # inconclusive within the tolerance.
        if tolerance is not None and abs(estimate - exact) > tolerance and n >= 1000:
            return Band(estimate, estimate, estimate, 0.0, 0.0)
        return Band(estimate, -math.inf, math.inf, 1.0, 0.0)
    half = conf.z(n) * se
    p = conf.p_value((estimate - exact) / se, n)
    return Band(estimate, estimate - half, estimate + half, p, se)


def mean_band(mean: float, m2: float, n: float, exact: float, conf: Confidence,
              shift: float | None = None, s1: float | None = None, s2: float | None = None,
              tolerance: float | None = None) -> Band:
    """Band for a mean. Bounded outcome (conf.bounds): the exact BoundedMean sequence (or, for
    a fixed run, the same supermartingale tuned for its size), from sums about `shift`
    (recomputed from mean and m2 when not given). Otherwise the asymptotic normal interval (or
    confidence sequence) from the sample variance."""
    s2u = m2 * n / (n - 1) if n > 1 else 0.0
    se = math.sqrt(s2u / n) if n > 0 else 0.0
    if conf.bounds is None:
        return _normal_band(mean, se, n, exact, conf, tolerance)
    if m2 == 0.0 and math.isclose(mean, exact, rel_tol=1e-12, abs_tol=1e-12):
        # every trial gave the exact value: judged exactly, like an impossible event unseen
        return _degenerate(mean, exact, "exact")
    if shift is None:
        shift, s1, s2 = mean, 0.0, n * m2
    rule = _mean_rule(conf, tolerance)
    low, high = rule.band(n, s1, s2, shift, conf.alpha, mean)
    return Band(mean, low, high, rule.p_value(n, s1, s2, shift, exact), se, "exact")


def _mean_rule(conf: Confidence, tolerance, sd_exact: bool = True) -> BoundedMean:
    lo, hi = conf.bounds
    return bounded_mean_rule(lo, hi, conf.target if tolerance is None else tolerance,
                             conf.design_sd, None if conf.sequential else conf.fixed_n,
                             conf.alpha, sd_exact)


def _exact_fourth_moment(sd: float | None, m4: float | None) -> bool:
    return bool(sd and m4 and math.isfinite(m4) and m4 > sd ** 4)


def variance_design_sd(sd: float | None, m4: float | None) -> float | None:
    """The sd of Z = (X - mu)^2, whose mean a variance's band estimates, before the data:
    sqrt(mu4 - sigma^4) from the exact law's fourth central moment when there is one, else a
    normal outcome's sqrt(2) sigma^2."""
    if _exact_fourth_moment(sd, m4):
        return math.sqrt(m4 - sd ** 4)
    return math.sqrt(2) * sd * sd if sd else None


# share of a bounded variance's budget spent on the band of its mean (the correction term)
VARIANCE_MEAN_SHARE = 0.1


def variance_band(m2: float, m4: float, n: float, exact: float, conf: Confidence,
                  sums: tuple | None = None, tolerance: float | None = None) -> Band:
    """Band for the variance.

    Bounded outcome: with Z = (X - c)^2 for the shift c (fixed before the data: the exact mean,
    or the first chunk's mean when the chunk is left out), E[Z] = sigma^2 + (mu - c)^2, so
    sigma^2 lies in [low_Z - max (mu - c)^2, high_Z] where the Z band is BoundedMean on
    [0, max (X - c)^2] at 0.9 alpha and mu's band is BoundedMean at 0.1 alpha: exact.
    `sums` = (n, s1, s2, s3, s4, shift) about c.

    Otherwise: the asymptotic normal interval (or confidence sequence) with the standard error
    from the fourth central moment, Var(s^2) = (mu4 - sigma^4 (n-3)/(n-1)) / n."""
    s2u = m2 * n / (n - 1) if n > 1 else 0.0
    var_s2 = (m4 - s2u * s2u * (n - 3) / (n - 1)) / n if n > 1 else 0.0
    if n > 1:
        # mu4 - sigma^4 can be ~0 (a fair 0/1 outcome): then the 2 sigma^4 / (n (n-1)) term,
        # which sampling noise in m4 would swamp, is what is left of Var(s^2)
        var_s2 = max(var_s2, 2 * s2u * s2u / (n * (n - 1)))
    se = math.sqrt(max(var_s2, 0.0))
    if conf.bounds is None or sums is None:
        return _normal_band(s2u, se, n, exact, conf, tolerance)
    if m2 == 0.0 and exact == 0.0:
        return _degenerate(s2u, exact, "exact")
    nn, s1, s2, _s3, s4, c = sums
    lo, hi = conf.bounds
    z_high = max((hi - c) ** 2, (c - lo) ** 2)
    tol = conf.target if tolerance is None else tolerance
    z_exact = _exact_fourth_moment(conf.design_sd, conf.design_m4)
    sd_z = variance_design_sd(conf.design_sd, conf.design_m4)
    z_conf = Confidence(conf.alpha * (1 - VARIANCE_MEAN_SHARE), conf.sequential,
                        bounds=(0.0, z_high), design_sd=sd_z, fixed_n=conf.fixed_n)
    z_rule = _mean_rule(z_conf, tol, z_exact)
    # Z's sums about 0 are s2 and s4; its estimate is s2 / n
    z_est = s2 / nn
    z_low, z_hi = z_rule.band(nn, s2, s4, 0.0, z_conf.alpha, z_est)
    mu_conf = Confidence(conf.alpha * VARIANCE_MEAN_SHARE, conf.sequential, bounds=conf.bounds,
                         design_sd=conf.design_sd, fixed_n=conf.fixed_n)
    mu_rule = _mean_rule(mu_conf, (tol / (2 * conf.design_sd)) if conf.design_sd and tol else None)
    mu_low, mu_high = mu_rule.band(nn, s1, s2, c, mu_conf.alpha, c + s1 / nn)
    worst = max((mu_low - c) ** 2, (mu_high - c) ** 2) if mu_low <= c <= mu_high else \
        max((mu_low - c) ** 2, (mu_high - c) ** 2)
    low = max(z_low - worst, 0.0)
    # p-value: the smaller evidence of the two tests that the band is made of
    p = min(1.0, z_rule.p_value(nn, s2, s4, 0.0, exact) / (1 - VARIANCE_MEAN_SHARE)) \
        if exact + 0.0 >= 0 else 0.0
    if not low <= exact <= z_hi:
        p = min(p, conf.alpha * 0.999)
    return Band(s2u, low, z_hi, p, se, "exact")


def probability_band(successes: int, n: int, exact: float, conf: Confidence,
                     tolerance: float | None = None, certain: bool | None = None) -> Band:
    """Exact band for a probability: Clopper-Pearson with the equal-tailed exact binomial test
    (fixed runs), or the beta-binomial mixture confidence sequence centred on the exact value
    (auto runs). certain=False: the exact value is not exactly 0 or 1 even if its float is
    (1 - 1.5e-157 at birthday n=365), so no trial count makes the band a point."""
    phat = successes / n
    se = math.sqrt(max(phat * (1 - phat), 0.0) / n)
    if exact in (0.0, 1.0) and phat == exact and certain is not False:
        # an event the closed form calls impossible (or certain) never (always) happened: like a
        # sample with no spread, judged exactly
        return _degenerate(phat, exact, "exact")
    if not conf.sequential:
        low, high = clopper_pearson(successes, n, conf.alpha)
        p = float(binomial_p_value(successes, n, exact))
        return Band(phat, float(low), float(high), p, se, "exact")
    if conf.free:
        # nothing to centre on: the Jeffreys prior Beta(1/2, 1/2), wide but never misplaced
        centre, strength = 0.5, 1.0
    else:
        centre = exact
        strength = mixture_strength(conf.alpha, probability_target_n(
            exact, conf.target if tolerance is None else tolerance, conf.alpha, conf.target_n))
    low, high, p_value = beta_mixture_band(np.array([successes]), n, np.array([centre]),
                                           strength, conf.alpha)
    return Band(phat, float(low[0]), float(high[0]), float(p_value(np.array([exact]))[0]), se,
                "exact")


def probability_target_n(p: float, tolerance: float | None, alpha: float, cap: float) -> float:
    """Where the band of a probability p would reach the tolerance (the mixture's sweet spot),
    at most `cap` (the run's trial budget)."""
    if not tolerance or tolerance <= 0:
        return cap
    la = -2 * math.log(alpha)
    v = la + math.log(1 + la)
    z = math.sqrt(2 * (v + 1) / v * math.log(math.sqrt(v + 1) / alpha))
    var = max(p * (1 - p), 1e-300)
    return float(min(max(((z + 0.8) ** 2) * var / tolerance ** 2, 1e3), cap))


# --------------------------------------------------------------------------- distributions


def dkw_epsilon(n: float, alpha: float) -> float:
    """Dvoretzky-Kiefer-Wolfowitz (Massart's constant): P(sup |F_n - F| > eps) <= alpha."""
    return math.sqrt(math.log(2 / alpha) / (2 * n))


def dkw_p_value(n: float, deviation: float) -> float:
    return float(min(1.0, 2 * math.exp(-2 * n * deviation * deviation)))


def pmf_bands(counts: np.ndarray, n: int, probs: np.ndarray, alpha: float, sequential: bool,
              tolerance: float | None, cap: float):
    """Exact per-value bands for the probabilities of a pmf (the last entry may be a tail
    bin), with a union bound over the values: Clopper-Pearson at alpha/V (fixed runs) or the
    beta-binomial mixture sequence at alpha/V centred on each exact probability (auto runs).
    Returns (low, high, p-value of the union: min(1, V * smallest per-value p))."""
    counts = np.asarray(counts, dtype=float)
    probs = np.clip(np.asarray(probs, dtype=float), 0.0, 1.0)
    values = max(len(probs), 1)
    a = alpha / values
    if not sequential:
        low, high = clopper_pearson(counts, n, a)
        ps = binomial_p_value(counts, n, probs)
    else:
        # each value's own strength (tuned to its target); one bisection serves them all
        strengths = np.array([mixture_strength(a, probability_target_n(p, tolerance, a, cap))
                              for p in probs])
        low, high, pv = beta_mixture_band(counts, n, probs, strengths, a)
        ps = pv(probs)
    certain = (probs >= 1.0) & (counts >= n)  # a value the law makes certain, always seen
    low, high = np.where(certain, 1.0, low), np.where(certain, 1.0, high)
    ps = np.where(certain, 1.0, ps)
    p_union = float(min(1.0, values * float(np.min(ps)))) if len(ps) else 1.0
    return np.asarray(low), np.asarray(high), p_union


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
    """Chi-square goodness of fit of counts to a law given by `probs` (asymptotic; kept as a
    diagnostic statistic, no longer part of any verdict). Expected counts use the
    probabilities as given -- never rescaled to sum to 1, which hid a pmf summing to 1/2."""
    n = observed.sum()
    probs = np.clip(probs, 0.0, None)
    impossible = int(observed[probs <= IMPOSSIBLE].sum())
    possible = probs > IMPOSSIBLE
    expected = probs[possible] * n
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
