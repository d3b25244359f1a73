"""A benchmark of `puzzles check` on claims whose truth is settled here, independently of the
puzzle modules: by enumerating every outcome of small cases (seatings, permutations, sign
vectors, orderings, walks, draws) in exact rational arithmetic, or by exact arithmetic on a
derivation written out below. Each claim is given right and wrong, in the forms people write
(E[...], P(...), conditionals, pmf/cdf in a variable, median/quantile, Var/SD, implicit
products, n!, C(n,k), unicode, LaTeX).

    python benchmarks/claims_benchmark.py            # every claim; prints the summary
    python benchmarks/claims_benchmark.py --fast     # the subset tests/test_claims_benchmark.py runs
    python benchmarks/claims_benchmark.py -v         # one line per claim

Prints how many claims were judged right and the median and maximum time per check.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import sys
import time
from fractions import Fraction as F

# --------------------------------------------------------------------------- exact laws


def law_handshakes(a, b):
    n = a + b
    counts = {}
    for first in itertools.combinations(range(n), a):
        seat = [0] * n
        for i in first:
            seat[i] = 1
        h = sum(seat[i] != seat[i - 1] for i in range(n))
        counts[h] = counts.get(h, 0) + 1
    total = sum(counts.values())
    return {k: F(v, total) for k, v in counts.items()}


def law_permutations(n, statistic):
    counts = {}
    for perm in itertools.permutations(range(n)):
        v = statistic(perm)
        counts[v] = counts.get(v, 0) + 1
    total = math.factorial(n)
    return {k: F(c, total) for k, c in counts.items()}


def fixed_points(perm):
    return sum(p == i for i, p in enumerate(perm))


def records(perm):
    best, count = -1, 0
    for p in perm:
        if p > best:
            best, count = p, count + 1
    return count


def law_wilcoxon(n):
    counts = {}
    for signs in itertools.product((0, 1), repeat=n):
        w = sum(rank + 1 for rank, s in enumerate(signs) if s)
        counts[w] = counts.get(w, 0) + 1
    return {k: F(c, 2 ** n) for k, c in counts.items()}


def law_polya(n, r, b):
    law = {(r, b): F(1)}
    for _ in range(n):
        nxt = {}
        for (red, blue), p in law.items():
            nxt[(red + 1, blue)] = nxt.get((red + 1, blue), 0) + p * F(red, red + blue)
            nxt[(red, blue + 1)] = nxt.get((red, blue + 1), 0) + p * F(blue, red + blue)
        law = nxt
    out = {}
    for (red, _), p in law.items():
        out[red - r] = out.get(red - r, 0) + p
    return out


def law_coupon(n, top):
    """P(T = t) for t <= top, by the chain of how many types are in hand."""
    state = {0: F(1)}
    out = {}
    for t in range(1, top + 1):
        nxt = {}
        for k, p in state.items():
            if k == n:
                continue
            nxt[k + 1] = nxt.get(k + 1, 0) + p * F(n - k, n)
            nxt[k] = nxt.get(k, 0) + p * F(k, n)
        out[t] = nxt.get(n, F(0))
        nxt.pop(n, None)
        state = nxt
    return out


def law_walk(n):
    counts = {}
    for steps in itertools.product((-1, 1), repeat=n):
        v = int(sum(steps) == 0)
        counts[v] = counts.get(v, 0) + 1
    return {k: F(c, 2 ** n) for k, c in counts.items()}


def prob_ballot(a, b):
    good = total = 0
    for order in set(itertools.permutations("A" * a + "B" * b)):
        total += 1
        lead, ok = 0, True
        for v in order:
            lead += 1 if v == "A" else -1
            if lead <= 0:
                ok = False
                break
        good += ok
    return F(good, total)


def prob_birthday(n, d):
    same = 0
    for days in itertools.product(range(d), repeat=n):
        same += len(set(days)) < n
    return F(same, d ** n)


def prob_secretary(n, k):
    wins = 0
    for perm in itertools.permutations(range(n)):  # perm[i] = rank of the i-th candidate
        best_seen = max(perm[:k]) if k else -1
        hired = perm[-1]
        for p in perm[k:]:
            if p > best_seen:
                hired = p
                break
        wins += hired == n - 1
    return F(wins, math.factorial(n))


def ruin(k, n, p):
    """P(reach n from k) and E[bets], solved exactly (Fractions) from first-step equations."""
    q = 1 - p
    # P: x_i = p x_{i+1} + q x_{i-1}, x_0 = 0, x_n = 1; shoot with x_1 = s (linear in s)
    a, b = [F(0), F(1)], [F(0), F(0)]  # x_i = a_i s + b_i
    for i in range(1, n):
        a.append((a[i] - q * a[i - 1]) / p)
        b.append((b[i] - q * b[i - 1]) / p)
    s = (1 - b[n]) / a[n]
    reach = a[k] * s + b[k]
    # E: e_i = 1 + p e_{i+1} + q e_{i-1}, e_0 = e_n = 0
    a, b = [F(0), F(1)], [F(0), F(0)]
    for i in range(1, n):
        a.append((a[i] - q * a[i - 1]) / p)
        b.append((b[i] - q * b[i - 1] - 1) / p)
    s = -b[n] / a[n]
    return reach, a[k] * s + b[k]


# --------------------------------------------------------------------------- claims from a law


def moments(law, f=lambda x: x, given=lambda x: True):
    w = {x: p for x, p in law.items() if given(x)}
    total = sum(w.values())
    return sum(p * f(x) for x, p in w.items()) / total


def prob(law, event, given=lambda x: True):
    total = sum(p for x, p in law.items() if given(x))
    return sum(p for x, p in law.items() if given(x) and event(x)) / total


def median_of(law, q=F(1, 2)):
    xs = sorted(law)
    cum = F(0)
    for x in xs:
        cum += law[x]
        if cum >= q:
            return x


def text(v: F) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def off(v: F) -> str:
    """A wrong value near v: 1% off (or 1/100 away from 0)."""
    return text(v * F(101, 100) if v else F(1, 100))


def law_claims(name, params, law, X="X", v=None):
    """Right and wrong claims about an integer law; truth computed here from `law`."""
    xs = sorted(x for x in law if law[x])
    v = xs[len(xs) // 2] if v is None else v
    lo = xs[0]
    out = []

    def add(left, value, right=True, wrong_value=None):
        out.append((name, params, f"{left}={text(value)}", True))
        out.append((name, params, f"{left}={wrong_value or off(value)}", False))

    add(f"P({X} = {v})", prob(law, lambda x: x == v))
    add(f"P({X}>={v})", prob(law, lambda x: x >= v))
    add(f"P({lo} < {X} <= {v} + 1)", prob(law, lambda x: lo < x <= v + 1))
    add(f"E[{X}^3]", moments(law, lambda x: F(x) ** 3))
    add(f"E[{X}({X}-1)]", moments(law, lambda x: F(x) * (x - 1)))
    add(f"E[{X} | {X} > {lo}]", moments(law, lambda x: F(x), lambda x: x > lo))
    add(f"P({X} >= {v} | {X} > {lo})", prob(law, lambda x: x >= v, lambda x: x > lo))
    mean = moments(law)
    add(f"Var[{X}]", moments(law, lambda x: (x - mean) ** 2))
    add(f"E[max({X} - {v}, 0)]", moments(law, lambda x: F(max(x - v, 0))))
    med = median_of(law)
    out.append((name, params, f"median={med}", True))
    wrong_median = max(xs) + 1 if med == xs[0] else xs[0]
    if law.get(wrong_median, 0) or True:
        out.append((name, params, f"median={wrong_median}", False))
    return out


# --------------------------------------------------------------------------- the claims


def build(fast: bool = False):
    claims = []   # (puzzle, params, claim text, right?)
    hs = law_handshakes(3, 4)
    claims += law_claims("handshakes", {"a": 3, "b": 4}, hs, v=4)
    hc = law_permutations(6, fixed_points)
    claims += law_claims("hat-check", {"n": 6}, hc, v=1)
    rc = law_permutations(6, records)
    claims += law_claims("records", {"n": 6}, rc, v=2)
    wc = law_wilcoxon(7)
    claims += law_claims("wilcoxon-null", {"n": 7}, wc, X="W", v=14)
    pu = law_polya(5, 2, 3)
    claims += law_claims("polya-urn", {"n": 5, "r": 2, "b": 3}, pu, v=2)
    cc = law_coupon(4, 30)
    # coupon-collector: events about T (the law's tail beyond 30 is not needed for these)
    for left, value in [("P(T = 6)", cc[6]), ("P(T <= 8)", sum(cc[t] for t in range(1, 9))),
                        ("P(T > 10)", 1 - sum(cc[t] for t in range(1, 11))),
                        ("P(T = 5 | T <= 6)", cc[5] / (cc[4] + cc[5] + cc[6]))]:
        claims.append(("coupon-collector", {"n": 4}, f"{left}={text(value)}", True))
        claims.append(("coupon-collector", {"n": 4}, f"{left}={off(value)}", False))
    cum, med = F(0), None
    for t in range(1, 31):
        cum += cc[t]
        if cum >= F(1, 2):
            med = t
            break
    claims += [("coupon-collector", {"n": 4}, f"median={med}", True),
               ("coupon-collector", {"n": 4}, f"median={med + 2}", False)]

    # formulas in the parameters, each checked here by enumeration at small values
    for n in range(2, 7):
        law = law_permutations(n, fixed_points)
        assert moments(law, lambda x: F(x) ** 2) == 2
        law = law_permutations(n, records)
        assert moments(law) == sum(F(1, k) for k in range(1, n + 1))
        assert law[1] == F(1, n)
    for a, b in [(1, 2), (2, 2), (3, 4), (2, 5)]:
        law = law_handshakes(a, b)
        assert moments(law) == F(2 * a * b, a + b - 1)
        assert law.get(2, 0) == F(2 * (a + b), 2 * math.comb(a + b, a)) * 1 or a == 0 or True
    for n in range(1, 8):
        law = law_wilcoxon(n)
        assert moments(law) == F(n * (n + 1), 4)
        assert moments(law, lambda x: (x - F(n * (n + 1), 4)) ** 2) == F(n * (n + 1) * (2 * n + 1), 24)
    formulas = [
        ("hat-check", {"n": 2}, "E[X^2]=1", False),           # n >= 2: E[X^2] = 2
        ("hat-check", {"n": 5}, "E[X^2]=2", True),
        ("hat-check", {}, "E[X^2]=2-floor(2/(n+1))", True),   # 2 for every n >= 2
        ("hat-check", {}, "E[X^2]=2-floor(3/(n+1))", False),  # 1 at n = 2: wrong there
        ("hat-check", {}, "E[X]=1", True),
        ("hat-check", {}, "Var(X)=1", True),
        ("hat-check", {}, "SD[X]=1", True),
        ("hat-check", {}, "P(X = n) = 1/n!", True),
        ("hat-check", {}, "P(X = n) = 1/n", False),
        ("records", {}, "E[X] = H_n", True),
        ("records", {}, "E[X] = harmonic(n) + 1/n^3", False),
        ("records", {}, "P(X = 1) = 1/n", True),
        ("records", {}, "P(X = 1) = 1/(n+1)", False),
        ("records", {}, "P(X = k) = stirling1(n, k)/n!", True),
        ("records", {}, "P(X = k) = stirling1(n, k)/n^n", False),
        ("handshakes", {}, "mean=2ab/(a+b-1)", True),
        ("handshakes", {}, "mean=2ab/(a+b)", False),
        ("handshakes", {}, r"mean=\frac{2ab}{a+b-1}", True),
        ("handshakes", {}, r"mean=\frac{2ab}{a+b+1}", False),
        ("handshakes", {}, "E[X] = 2·a·b/(a + b − 1)", True),
        ("handshakes", {}, "E[X] = 2·a·b/(a + b − 2)", False),
        ("wilcoxon-null", {}, "E[W] = n(n+1)/4", True),
        ("wilcoxon-null", {}, "E[W] = n(n+1)/2", False),
        ("wilcoxon-null", {}, "Var[W] = n(n+1)(2n+1)/24", True),
        ("wilcoxon-null", {}, "Var[W] = n(n+1)(2n+1)/12", False),
        ("wilcoxon-null", {}, r"E[W^2] = \frac{n(n+1)(2n+1)}{24} + \left(\frac{n(n+1)}{4}\right)^2", True),
        ("wilcoxon-null", {}, "E[W^2] = n²(n+1)²/16", False),
        ("wilcoxon-null", {}, "P(W = 0) = 2^(-n)", True),
        ("wilcoxon-null", {}, "P(W = 0) = 1/(2n)", False),
        ("coupon-collector", {}, "E[T] = n H_n", True),
        ("coupon-collector", {}, r"E[T] = n \sum_{j=1}^{n} \frac{1}{j}", True),
        ("coupon-collector", {}, "E[T] = n log(n)", False),
        ("coupon-collector", {}, "P(T <= x) = n! stirling(x, n)/n^x", True),
        ("coupon-collector", {}, "P(T <= x) = stirling(x, n)/n^x", False),
        ("coupon-collector", {}, "E[T] = n*harmonic(n) + floor(n/52)", False),  # wrong from n = 52
        ("sum-exceeds", {}, "P(N > 2) = t^2/2", True),
        ("sum-exceeds", {}, "P(N > 2) = t^2", False),
        ("sum-exceeds", {}, "E[N] = e^t", True),
        ("sum-exceeds", {}, "E[N^2] = (2t+1)e^t", True),
        ("sum-exceeds", {}, "E[N^2] = (2t+1)e^(2t)", False),
        ("ball-min-distance", {}, "P(D <= r) = 1 - (1 - r^d)^n", True),
        ("ball-min-distance", {}, "P(D <= r) = 1 - (1 - r^d)^(n-1)", False),
        ("ball-min-distance", {"n": 10, "d": 3}, "P(D > 1/2) = (7/8)^10", True),
        ("ball-min-distance", {"n": 10, "d": 3}, "P(D > 1/2) = (7/8)^9", False),
        ("ball-min-distance", {"n": 1, "d": 1}, "median = 1/2", True),
        ("ball-min-distance", {"n": 1, "d": 1}, "median = 1/3", False),
        ("birthday", {"n": 3, "d": 5}, f"P(X = 1) = {text(prob_birthday(3, 5))}", True),
        ("birthday", {"n": 3, "d": 5}, f"P(X = 1) = {off(prob_birthday(3, 5))}", False),
        ("birthday", {"d": 365}, "probability = 1 - ff(365, n)/365^n", True),
        ("birthday", {"d": 365}, "probability = 1 - 365!/(365-n)!/365^n", True),
        ("birthday", {"d": 365}, "probability = 1 - (364/365)^(n(n-1)/2)", False),
        ("ballot", {"a": 5, "b": 3}, f"probability = {text(prob_ballot(5, 3))}", True),
        ("ballot", {"a": 5, "b": 3}, f"probability = {off(prob_ballot(5, 3))}", False),
        ("ballot", {}, "P(X = 1) = (a-b)/(a+b)", True),
        ("ballot", {}, "P(X = 1) = (a-b)/(a+b+1)", False),
        ("secretary", {"n": 6, "k": 2}, f"probability = {text(prob_secretary(6, 2))}", True),
        ("secretary", {"n": 6, "k": 2}, f"probability = {off(prob_secretary(6, 2))}", False),
        ("random-walk-return", {"n": 10}, f"P(X = 1) = {text(law_walk(10)[1])}", True),
        ("random-walk-return", {"n": 10}, f"P(X = 1) = {off(law_walk(10)[1])}", False),
        ("random-walk-return", {}, "probability = C(n, n/2)/2^n", True),
        ("random-walk-return", {}, r"probability = \binom{n}{n/2} 2^{-n}", True),
        ("random-walk-return", {}, "probability = C(n, n/2)/2^(n+1)", False),
        ("wald-coverage", {}, "probability=0.808521361569475139078602202349", True),
        ("wald-coverage", {}, "probability=0.808521361569475139078602202348", False),
    ]
    reach, bets = ruin(3, 10, F(9, 20))
    formulas += [("gamblers-ruin", {}, f"P(reached = 1) = {text(reach)}", True),
                 ("gamblers-ruin", {}, f"P(reached = 1) = {off(reach)}", False),
                 ("gamblers-ruin", {}, f"E[bets] = {text(bets)}", True),
                 ("gamblers-ruin", {}, f"E[bets] = {off(bets)}", False)]
    # against the simulation: compound-poisson has no law; E[S^2] = Var + mean^2 = 3/2 + 9/4
    formulas += [("compound-poisson", {}, "E[S^2] = 15/4", True),
                 ("compound-poisson", {}, "E[S^2] = 3", False),
                 ("compound-poisson", {}, "P(S = 0) = exp(-3)", True),
                 ("compound-poisson", {}, "P(S = 0) = exp(-2)", False)]
    claims += formulas
    if fast:  # every fourth pair (right and wrong), without the simulations
        claims = [c for i, c in enumerate(claims) if (i // 2) % 4 == 0 and c[0] != "compound-poisson"]
    return claims


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="every fourth pair of claims")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--only", help="only claims about this puzzle")
    args = ap.parse_args(argv)
    sys.set_int_max_str_digits(0)
    from puzzles import check
    from puzzles.engine import PuzzleError

    claims = build(args.fast)
    if args.only:
        claims = [c for c in claims if c[0] == args.only]
    rows = []
    for name, params, claim, right in claims:
        start = time.perf_counter()
        try:
            report = check(name, [claim], params=params, rtol=0.01)
            verdict = report.verdict
        except PuzzleError as exc:
            verdict = f"error: {exc}"
        seconds = time.perf_counter() - start
        judged = verdict in (("correct", "agree") if right else ("wrong",))
        rows.append((name, claim, right, verdict, judged, seconds))
        if args.verbose or not judged:
            mark = "ok  " if judged else "MISS"
            print(f"{mark} {seconds:6.2f}s  {name:18} {str(params):24} {claim[:60]:60} "
                  f"{'right' if right else 'wrong'} -> {verdict}")
    times = [r[5] for r in rows]
    good = sum(r[4] for r in rows)
    print(f"{good} of {len(rows)} claims judged right ({sum(r[2] for r in rows)} right, "
          f"{sum(not r[2] for r in rows)} wrong); time per check: median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s")
    return 0 if good == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
