"""How trustworthy is the verdict? Measured for every built-in puzzle (run by hand, not a test).

    python benchmarks/calibration.py [--runs 200] [--trials 20000] [--power-runs 20]
                                     [--auto-runs 20] [--only NAME ...] [--skip-power]
    python benchmarks/calibration.py --stress [--stress-runs 3000] [--case NAME ...]
    python benchmarks/calibration.py --agree-curve [--curve-runs 40]
    python benchmarks/calibration.py --verdict-trials [--only NAME ...]

Prints markdown tables (the README's "Calibration" section is runs of this):
1. false alarms: `calibrate` on each puzzle at its defaults (fixed-size runs), with the
   Clopper-Pearson interval, the false alarms of each quantity and the smallest KS p-value;
2. power: how often `check NAME "mean=1.01*truth" --against simulation` at the puzzle's default
   trial count says disagree (the mean, or the probability for puzzles without a mean), and the
   median trials an auto run (--trials auto) needs to reach the same disagree;
3. early stopping: false alarms of auto runs (anytime-valid bands) on a few puzzles;
4. --stress: hard cases, each with independent seeds and thousands of runs, auto runs at the
   default rtol and fixed runs: a rare event, heavy skew, a mean far from zero (false alarms:
   at most alpha within the Clopper-Pearson interval), and a pmf with a forgotten factor, a
   cdf wrong between the old bin edges, a cdf on an unbounded support (power: every one caught);
5. --agree-curve: P(agree) of an auto run against the size of a claim's error, at rtol 0.1%;
6. --verdict-trials: trials (and looks) that `verify NAME` needs at the defaults.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import sympy


def calibration_table(names, runs, trials) -> None:
    from puzzles.engine.calibrate import calibrate

    print(f"\n### False alarms: {runs} runs of {trials:,} trials each, alpha = 0.01\n")
    print("| puzzle | false alarms | rate | 95% CI | consistent | per quantity (band) | "
          "smallest KS p (quantity) |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        report = calibrate(name, runs=runs, trials=trials, alpha=0.01, seed=1, threads=2)
        worst = min(report.quantities, key=lambda q: q.ks_p_value)
        each = ", ".join(f"{q.name} {q.rejections} ({q.band})" for q in report.quantities)
        print(f"| {name} | {report.false_alarms}/{runs} | {report.rate:.3f} | "
              f"[{report.ci_low:.3f}, {report.ci_high:.3f}] | "
              f"{'yes' if report.consistent else 'NO'} | {each} | "
              f"{worst.ks_p_value:.3g} ({worst.name}) |", flush=True)


def _power_target(puzzle):
    for name in ("mean", "probability"):
        try:
            q = puzzle.quantity(name)
        except KeyError:
            continue
        if q.closed_form is not None:
            return q
    return None


def power_table(names, runs) -> None:
    from puzzles.engine import check, get_puzzle
    from puzzles.engine import exact as ex
    from puzzles.engine.calibrate import run_seed

    print(f"\n### Power: a claim 1% off the truth, {runs} seeded runs at the default trials\n")
    print("| puzzle | quantity | truth | default trials | caught (fixed) | rate | "
          "median trials to disagree (auto) |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        puzzle = get_puzzle(name)
        q = _power_target(puzzle)
        if q is None:
            continue
        truth = ex.exact_value(q.closed_form, ex.substitutions(puzzle, puzzle.resolve()))
        if truth == 0:
            continue
        wrong = sympy.sstr(truth * sympy.Rational(101, 100))
        caught, auto_trials = 0, []
        for i in range(runs):
            fixed = check(puzzle, {q.name: wrong}, against="simulation", seed=run_seed(7, i),
                          trials=puzzle.default_trials, threads=2)
            caught += fixed.verdict == "wrong"
            auto = check(puzzle, {q.name: wrong}, against="simulation", trials="auto",
                         seed=run_seed(8, i), threads=2)
            auto_trials.append(auto.simulation.trials)
        print(f"| {name} | {q.name} | {float(truth):.6g} | {puzzle.default_trials:,} | "
              f"{caught}/{runs} | {caught / runs:.2f} | {statistics.median(auto_trials):,.0f} |",
              flush=True)


def auto_table(names, runs) -> None:
    from puzzles.engine.calibrate import calibrate

    print(f"\n### Early stopping: {runs} auto runs (rtol 0.01, anytime-valid bands), alpha 0.01\n")
    print("| puzzle | false alarms | 95% CI | median trials |")
    print("|---|---|---|---|")
    for name in names:
        report = calibrate(name, runs=runs, trials="auto", alpha=0.01, rtol=0.01, seed=2,
                           threads=2, max_trials=50_000_000)
        print(f"| {name} | {report.false_alarms}/{runs} | [{report.ci_low:.3f}, "
              f"{report.ci_high:.3f}] | {report.median_trials:,.0f} |", flush=True)


# --------------------------------------------------------------------------- stress suite


def _offset_normal():
    """X = m + Z with Z standard normal, m = 1e5: mean/sd = 1e5 (a variance claimed alone has
    no exact mean to shift the power sums by)."""
    import numba
    import numpy as np

    from puzzles.engine import Mean, Puzzle, Real, Variance

    @numba.njit(nogil=True)
    def kernel(rng, trials, m):
        out = np.empty(trials)
        for i in range(trials):
            out[i] = m + rng.standard_normal()
        return out

    m = sympy.Symbol("m", positive=True)
    return Puzzle(name="offset-normal", title="A normal far from zero",
                  statement="X is m plus a standard normal.",
                  parameters=[Real(m, 100000, "offset", above=0)],
                  quantities=[Mean(m), Variance(1)], simulate=kernel)


def _exponential(claimed_rate_factor):
    """An exponential waiting time, its cdf declared on (0, oo); the claim's rate is the true
    rate times claimed_rate_factor (1: right)."""
    import math

    import numba
    import numpy as np

    from puzzles.engine import Cdf, Puzzle, Real

    @numba.njit(nogil=True)
    def kernel(rng, trials, rate):
        out = np.empty(trials)
        for i in range(trials):
            out[i] = -math.log(1.0 - rng.random()) / rate
        return out

    rate, r = sympy.Symbol("rate", positive=True), sympy.Symbol("r", positive=True)
    return Puzzle(name="exponential-wait", title="An exponential waiting time",
                  statement="X is exponential with the given rate.",
                  parameters=[Real(rate, 1, "rate", above=0)],
                  quantities=[Cdf(1 - sympy.exp(-rate * claimed_rate_factor * r), r,
                                  support=(0, sympy.oo))],
                  simulate=kernel)


POLYA_HALF = "binomial(x+r-1, x)*binomial(n-x+b-1, n-x)/binomial(n+r+b-1, n)/2"
WIGGLE = "x + 3*sin(100*pi*x)/1000"   # right at every 1/100, off by 0.003 = 1.5 tol between


def stress_cases():
    """(name, kind, mode, description, run(seed) -> (event, trials)). kind 'false alarm':
    the closed form is right, the event is a disagreement; kind 'power': it is wrong, the
    event is catching it."""
    from puzzles.engine import check, verify

    offset = _offset_normal()
    exp_right, exp_wrong = _exponential(1), _exponential(sympy.Rational(1, 2))

    def v(name, params=None, **kw):
        def run(seed):
            r = verify(name, params=params, seed=seed, threads=1, **kw)
            return r.verdict == "disagree", r.trials
        return run

    def c(name, claims, params=None, event="wrong", **kw):
        def run(seed):
            r = check(name, claims, params, against="simulation", seed=seed, threads=1, **kw)
            return (r.verdict == event if event == "wrong" else
                    r.verdict not in ("correct", "agree"), r.simulation.trials)
        return run

    rare = {"n": 2, "d": 902000}             # p = 1.1e-6
    skew = {"k": 1, "n": 100, "p": "1/2"}    # mean 99 bets, sd ~ 570
    return [
        ("rare event", "false alarm", "auto", "birthday n=2 d=902000 (p = 1.1e-6), max 2^18",
         v("birthday", rare, max_trials=2 ** 18)),
        ("rare event", "false alarm", "fixed", "birthday n=2 d=902000, 2^20 trials",
         v("birthday", rare, trials=2 ** 20)),
        ("heavy skew", "false alarm", "auto", "gamblers-ruin k=1 n=100 p=1/2, max 2^17",
         v("gamblers-ruin", skew, max_trials=2 ** 17)),
        ("heavy skew", "false alarm", "fixed", "gamblers-ruin k=1 n=100 p=1/2, 20,000 trials",
         v("gamblers-ruin", skew, trials=20_000)),
        ("mean far from zero", "false alarm", "auto",
         "check offset-normal variance=1 (mean/sd 1e5), max 2^18",
         c(offset, {"variance": "1"}, max_trials=2 ** 18)),
        ("mean far from zero", "false alarm", "fixed",
         "check offset-normal variance=1, 100,000 trials",
         c(offset, {"variance": "1"}, trials=100_000)),
        ("unbounded cdf support", "false alarm", "auto",
         "exponential cdf on (0, oo), right, rtol 0.02, max 2^21",
         v(exp_right, rtol=0.02, max_trials=2 ** 21)),
        ("cdf between edges", "false alarm", "auto",
         "check order-statistic n=1 k=1 cdf=x, rtol 0.01, max 2^20",
         c("order-statistic", {"cdf": "x"}, {"n": 1, "k": 1}, rtol=0.01, max_trials=2 ** 20)),
        ("pmf forgotten factor", "power", "auto", "check polya-urn pmf=<right>/2",
         c("polya-urn", {"pmf": POLYA_HALF}, max_trials=2 ** 20)),
        ("pmf forgotten factor", "power", "fixed", "check polya-urn pmf=<right>/2, 65,536 trials",
         c("polya-urn", {"pmf": POLYA_HALF}, trials=65_536)),
        ("cdf between edges", "power", "auto",
         f"check order-statistic n=1 k=1 cdf={WIGGLE}, rtol 0.002 (not called correct), max 2^22",
         c("order-statistic", {"cdf": WIGGLE}, {"n": 1, "k": 1}, event="not correct",
           rtol=0.002, max_trials=2 ** 22)),
        ("unbounded cdf support", "power", "fixed",
         "exponential cdf on (0, oo), claimed rate halved, 65,536 trials",
         v(exp_wrong, trials=65_536)),
    ]


def stress_table(runs: int, only=None, seed: int = 14, progress_every: int = 500,
                 first_run: int = 0) -> None:
    from scipy import stats as sst

    from puzzles.engine.calibrate import run_seed

    print(f"\n### Stress: {runs} runs per case, independent seeds, alpha = 0.01, default rtol "
          f"0.1% unless said\n")
    print("| case | kind | mode | what | events | rate | 95% CI | median trials | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    for i, (name, kind, mode, what, run) in enumerate(stress_cases()):
        if only and not any(o == f"{name}/{mode}/{kind}" or o == name for o in only):
            continue
        start = time.perf_counter()
        events, trials = 0, []
        for r in range(first_run, first_run + runs):
            event, n = run(run_seed(seed + i, r))
            if progress_every and (r + 1 - first_run) % progress_every == 0:
                print(f"  {name} {mode}: {r + 1 - first_run} runs, {events + bool(event)} events",
                      file=sys.stderr, flush=True)
            events += bool(event)
            trials.append(n)
        ci = sst.binomtest(events, runs).proportion_ci(confidence_level=0.95, method="exact")
        ok = (ci.low <= 0.01) if kind == "false alarm" else (events == runs)
        verdict = ("calibrated" if ok else "ABOVE alpha") if kind == "false alarm" else (
            "all caught" if ok else f"missed {runs - events}")
        print(f"| {name} | {kind} | {mode} | {what} | {events}/{runs} | {events / runs:.4f} | "
              f"[{ci.low:.4f}, {ci.high:.4f}] | {statistics.median(trials):,.0f} | {verdict} |",
              flush=True)
        print(f"  ({name}, {mode}: {time.perf_counter() - start:.0f} s)", file=sys.stderr)


def agree_curve(runs: int) -> None:
    """P(correct) of `check handshakes "mean=(1+e)*truth" --against simulation` (auto, rtol
    0.1%) against the error e: what 'correct' means in practice."""
    from puzzles.engine import check
    from puzzles.engine.calibrate import run_seed

    truth = sympy.Rational(160, 17)
    print(f"\n### P(agree) against the size of the error: handshakes mean, auto, rtol 0.1%, "
          f"{runs} runs each\n")
    print("| claim off by | correct | wrong | inconclusive | median trials |")
    print("|---|---|---|---|---|")
    for e in ("0", "0.00025", "0.0005", "0.00075", "0.001", "0.0015", "0.002"):
        claim = sympy.sstr(truth * (1 + sympy.Rational(e)))
        counts = {"correct": 0, "agree": 0, "wrong": 0, "inconclusive": 0}
        trials = []
        for r in range(runs):
            rep = check("handshakes", {"mean": claim}, against="simulation",
                        seed=run_seed(99, r), threads=2)
            counts["correct" if rep.verdict == "agree" else rep.verdict] += 1
            trials.append(rep.simulation.trials)
        print(f"| {float(e) * 100:g}% | {counts['correct']}/{runs} | {counts['wrong']}/{runs} | "
              f"{counts['inconclusive']}/{runs} | {statistics.median(trials):,.0f} |", flush=True)


def verdict_trials(names) -> None:
    from puzzles.engine import verify

    print("\n### Trials to a verdict: `puzzles verify NAME` at the defaults (seed 20261124)\n")
    print("| puzzle | verdict | trials | looks | seconds simulating |")
    print("|---|---|---:|---:|---:|")
    for name in names:
        r = verify(name, threads=2)
        print(f"| {name} | {r.verdict} | {r.trials:,} | {r.looks} | {r.seconds:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--trials", type=int, default=20_000)
    parser.add_argument("--power-runs", type=int, default=20)
    parser.add_argument("--auto-runs", type=int, default=20)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--skip-power", action="store_true")
    parser.add_argument("--stress", action="store_true")
    parser.add_argument("--stress-runs", type=int, default=3000)
    parser.add_argument("--case", nargs="*")
    parser.add_argument("--first-run", type=int, default=0,
                        help="run numbers from here (to split a case over processes)")
    parser.add_argument("--agree-curve", action="store_true")
    parser.add_argument("--curve-runs", type=int, default=40)
    parser.add_argument("--verdict-trials", action="store_true")
    args = parser.parse_args()

    from puzzles.engine import all_puzzles

    names = args.only or list(all_puzzles())
    start = time.perf_counter()
    if args.stress or args.agree_curve or args.verdict_trials:
        if args.stress:
            stress_table(args.stress_runs, args.case, first_run=args.first_run)
        if args.agree_curve:
            agree_curve(args.curve_runs)
        if args.verdict_trials:
            verdict_trials(names)
        print(f"\n(took {time.perf_counter() - start:.0f} s)", file=sys.stderr)
        return
    calibration_table(names, args.runs, args.trials)
    if not args.skip_power:
        power_table(names, args.power_runs)
    auto_table([n for n in ("handshakes", "ball-min-distance", "hat-check", "birthday")
                if n in names] or names[:2], args.auto_runs)
    print(f"\n(took {time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
