"""How trustworthy is the verdict? Measured for every built-in puzzle (run by hand, not a test).

    python benchmarks/calibration.py [--runs 200] [--trials 20000] [--power-runs 20]
                                     [--auto-runs 20] [--only NAME ...] [--skip-power]

Prints three markdown tables (the README's "Calibration" section is one run of this):
1. false alarms: `calibrate` on each puzzle at its defaults (fixed-size runs), with the
   Clopper-Pearson interval and the smallest KS p-value of any quantity's p-values;
2. power: how often `check NAME "mean=1.01*truth" --against simulation` at the puzzle's default
   trial count says disagree (the mean, or the probability for puzzles without a mean), and the
   median trials an auto run (--trials auto) needs to reach the same disagree;
3. early stopping: false alarms of auto runs (anytime-valid bands) on a few puzzles.
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
    print("| puzzle | false alarms | rate | 95% CI | consistent | smallest KS p (quantity) |")
    print("|---|---|---|---|---|---|")
    for name in names:
        report = calibrate(name, runs=runs, trials=trials, alpha=0.01, seed=1, threads=2)
        worst = min(report.quantities, key=lambda q: q.ks_p_value)
        print(f"| {name} | {report.false_alarms}/{runs} | {report.rate:.3f} | "
              f"[{report.ci_low:.3f}, {report.ci_high:.3f}] | "
              f"{'yes' if report.consistent else 'NO'} | {worst.ks_p_value:.3g} ({worst.name}) |",
              flush=True)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--trials", type=int, default=20_000)
    parser.add_argument("--power-runs", type=int, default=20)
    parser.add_argument("--auto-runs", type=int, default=20)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--skip-power", action="store_true")
    args = parser.parse_args()

    from puzzles.engine import all_puzzles

    names = args.only or list(all_puzzles())
    start = time.perf_counter()
    calibration_table(names, args.runs, args.trials)
    if not args.skip_power:
        power_table(names, args.power_runs)
    auto_table([n for n in ("handshakes", "ball-min-distance", "hat-check", "birthday")
                if n in names] or names[:2], args.auto_runs)
    print(f"\n(took {time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
