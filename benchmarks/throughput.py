"""Trials per second of every built-in puzzle against the random-number floor and plain numpy
(run by hand, not a test; a few minutes).

    python benchmarks/throughput.py [--only NAME ...] [--trials N] [--seconds S] [--repeats R]
                                    [--scaling-trials N] [--scaling NAME ...]
                                    [--cli-trials N|auto] [--cli-repeats R] [--skip-cli]
                                    [--memory-trials N]

Prints markdown tables (the README's "Performance" section is one run of this):

1. every puzzle at its defaults: the engine's trials/s with 1 thread and with all threads
   (`engine.verify(name, trials=N, threads=T).trials_per_second`: the simulation and the
   per-chunk statistics, after a warm-up so compilation is excluded; the exact values and the
   verdicts are computed outside that clock), the parallel speed-up; the random-number floor (a
   bare numba kernel that only draws ceil(naive_draws) uniform doubles per trial and sums them,
   chunk by chunk from the engine's own generators) and engine / floor at 1 thread; a plain
   vectorised numpy simulation of the same story, where one is written below, and
   engine / numpy at 1 thread;
2. parallel scaling, 1 against all threads, on runs of --scaling-trials (default 1e7);
3. `puzzles verify handshakes` as a separate process (`python -m cli`), cold (numba's cache in
   a fresh empty folder: NUMBA_CACHE_DIR) and warm (the same folder again), at --cli-trials
   (default: none given, the command's own default), with the warm run's peak RSS;
4. with --memory-trials N: the peak RSS of `puzzles verify handshakes --trials N` against that
   of one chunk (slow: 1e9 trials take a minute or more).

The machine may be shared: every measurement is repeated --repeats times, the repeats of all
configurations are interleaved (a burst of load hits them all alike) and medians are reported.
Ratios measured side by side mean more than the absolute numbers.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable

import numba
import numpy as np
import sympy

from puzzles.engine.simulate import CHUNK_TRIALS, chunk_generator, default_threads

SEED = 1


# --------------------------------------------------------------------------- the floor


@numba.njit(cache=True, nogil=True)
def _draw_uniforms(rng, trials, draws_per_trial):
    # Each trial's draws go to a buffer and are summed after (so the compiler cannot drop them):
    # a running sum across the draws would be kept in memory across each call into the
    # generator, and that round trip, not the generator, would set the pace (twice as slow).
    draws = np.empty(draws_per_trial)
    total = 0.0
    for _ in range(trials):
        for i in range(draws_per_trial):
            draws[i] = rng.random()
        total += draws.sum()
    return total


def floor_rate(draws_per_trial: int, trials: int) -> float:
    """Trials/s of drawing `draws_per_trial` doubles per trial, one generator per chunk."""
    start = time.perf_counter()
    done = index = 0
    while done < trials:
        n = min(CHUNK_TRIALS, trials - done)
        _draw_uniforms(chunk_generator(SEED, index), n, draws_per_trial)
        done += n
        index += 1
    return trials / (time.perf_counter() - start)


# --------------------------------------------------------------------------- plain numpy
#
# The same random experiments, written the way one would in numpy without numba: whole chunks of
# trials as arrays, one row per trial. Each returns the first outcome of every trial.


def numpy_handshakes(rng, m, a, b):
    n = a + b
    first_school = np.arange(n) < a
    seats = rng.permuted(np.broadcast_to(first_school, (m, n)), axis=1)  # a random seating
    return (seats != np.roll(seats, 1, axis=1)).sum(axis=1)


def numpy_ball_min_distance(rng, m, n, d):
    # each point by rejection from the cube, redrawing only the points that fell outside
    squared = np.full(m * n, np.inf)
    outside = np.arange(m * n)
    while outside.size:
        points = 2.0 * rng.random((outside.size, d)) - 1.0
        squared[outside] = np.einsum("ij,ij->i", points, points)
        outside = outside[squared[outside] > 1.0]
    return np.sqrt(squared.reshape(m, n).min(axis=1))


def numpy_birthday(rng, m, n, d):
    days = np.sort((rng.random((m, n)) * d).astype(np.int64), axis=1)
    return (np.diff(days, axis=1) == 0).any(axis=1)


def numpy_hat_check(rng, m, n):
    owners = np.arange(n)
    hats = rng.permuted(np.broadcast_to(owners, (m, n)), axis=1)
    return (hats == owners).sum(axis=1)


def _pieces(rng, m, n):
    cuts = np.sort(rng.random((m, n - 1)), axis=1)
    ends = np.concatenate([np.zeros((m, 1)), cuts, np.ones((m, 1))], axis=1)
    return np.diff(ends, axis=1)


def numpy_broken_stick(rng, m, n):
    return _pieces(rng, m, n).max(axis=1) < 0.5


def numpy_longest_piece(rng, m, n):
    return _pieces(rng, m, n).max(axis=1)


def numpy_semicircle(rng, m, n):
    turns = np.sort(rng.random((m, n)), axis=1)
    widest = np.maximum(np.diff(turns, axis=1).max(axis=1, initial=0.0),
                        1.0 - turns[:, -1] + turns[:, 0])
    return widest >= 0.5


def numpy_order_statistic(rng, m, n, k):
    return np.partition(rng.random((m, n)), k - 1, axis=1)[:, k - 1]


def numpy_records(rng, m, n):
    values = rng.random((m, n))
    return (values == np.maximum.accumulate(values, axis=1)).sum(axis=1)


def numpy_random_walk_return(rng, m, n):
    ups = (rng.random((m, n)) < 0.5).sum(axis=1)
    return 2 * ups == n


def numpy_wald_coverage(rng, m, n, p, z):
    p_hat = (rng.random((m, n)) < p).sum(axis=1) / n
    return np.abs(p_hat - p) <= z * np.sqrt(p_hat * (1.0 - p_hat) / n) * (1.0 + 1e-12)


def numpy_square_distance(rng, m, s):
    u = s * rng.random((m, 4))
    return np.hypot(u[:, 0] - u[:, 1], u[:, 2] - u[:, 3])


def numpy_buffon_needle(rng, m, l, t):
    height = rng.random(m) * t
    reach = 0.5 * l * np.sin(rng.random(m) * np.pi)
    return (height <= reach) | (height + reach >= t)


def numpy_meeting(rng, m, t, w):
    arrivals = t * rng.random((m, 2))
    return np.abs(arrivals[:, 0] - arrivals[:, 1]) <= w


def numpy_bertrand_chord(rng, m, sides):
    side = math.hypot(math.cos(2 * math.pi / sides) - 1.0, math.sin(2 * math.pi / sides))
    angles = 2 * np.pi * rng.random((m, 2))
    chord = np.hypot(np.cos(angles[:, 0]) - np.cos(angles[:, 1]),
                     np.sin(angles[:, 0]) - np.sin(angles[:, 1]))
    return chord > side


NUMPY = {
    "handshakes": numpy_handshakes, "ball-min-distance": numpy_ball_min_distance,
    "birthday": numpy_birthday, "hat-check": numpy_hat_check,
    "broken-stick": numpy_broken_stick, "longest-piece": numpy_longest_piece,
    "semicircle": numpy_semicircle, "order-statistic": numpy_order_statistic,
    "records": numpy_records, "random-walk-return": numpy_random_walk_return,
    "wald-coverage": numpy_wald_coverage, "square-distance": numpy_square_distance,
    "buffon-needle": numpy_buffon_needle, "meeting": numpy_meeting,
    "bertrand-chord": numpy_bertrand_chord,
}


def numpy_run(simulate: Callable, args: tuple, trials: int) -> tuple[float, float, float]:
    """(trials/s, mean, standard error) of the numpy simulation, chunk by chunk like the engine."""
    start = time.perf_counter()
    s1 = s2 = 0.0
    done = index = 0
    while done < trials:
        n = min(CHUNK_TRIALS, trials - done)
        x = np.asarray(simulate(chunk_generator(SEED, index), n, *args), dtype=np.float64)
        s1 += x.sum()
        s2 += x @ x
        done += n
        index += 1
    seconds = time.perf_counter() - start
    mean = s1 / trials
    return trials / seconds, mean, math.sqrt(max(s2 / trials - mean * mean, 0.0) / trials)


# --------------------------------------------------------------------------- the engine


def engine_run(name: str, trials: int, threads: int):
    from puzzles.engine import verify

    report = verify(name, trials=trials, threads=threads, seed=SEED)
    return report.trials_per_second, report


def first_outcome_mean(report) -> float | None:
    """The engine's estimate of the first outcome's mean, to check the numpy simulation."""
    for q in report.quantities:
        if q.name in ("mean", "probability") and q.estimate is not None:
            return q.estimate
    return None


def whole_chunks(trials: float, least: int = 4, most: int = 512) -> int:
    return int(min(max(round(trials / CHUNK_TRIALS), least), most)) * CHUNK_TRIALS


def mrate(rate: float) -> str:
    return f"{rate / 1e6:.3g}"


def main_table(puzzles, args, threads: int) -> None:
    from puzzles.engine import exact as ex

    rows = {}
    for p in puzzles:  # warm-up (compiles), and a pilot run to size each measurement
        values = p.resolve()
        draws = math.ceil(float(sympy.sympify(p.naive_draws).subs(ex.substitutions(p, values))))
        engine_run(p.name, CHUNK_TRIALS, 1)
        engine_run(p.name, 2 * CHUNK_TRIALS, threads)
        pilot, _ = engine_run(p.name, 4 * CHUNK_TRIALS, 1)
        floor_rate(draws, CHUNK_TRIALS)
        floor_pilot = floor_rate(draws, 4 * CHUNK_TRIALS)
        row = dict(puzzle=p, draws=draws, args=p.kernel_args(values),
                   trials=args.trials or whole_chunks(pilot * args.seconds, least=16),
                   floor_trials=whole_chunks(floor_pilot * args.seconds),
                   one=[], all=[], floor=[], numpy=[])
        if p.name in NUMPY:
            numpy_pilot, _, _ = numpy_run(NUMPY[p.name], row["args"], 2 * CHUNK_TRIALS)
            row["numpy_trials"] = whole_chunks(numpy_pilot * args.seconds, least=2)
        rows[p.name] = row
        print(f"  warmed up {p.name}", file=sys.stderr, flush=True)

    for repeat in range(args.repeats):
        for row in rows.values():
            name = row["puzzle"].name
            measures = [
                lambda: row["one"].append(engine_run(name, row["trials"], 1)),
                lambda: row["all"].append(engine_run(name, row["trials"], threads)),
                lambda: row["floor"].append(floor_rate(row["draws"], row["floor_trials"])),
            ]
            if name in NUMPY:
                measures.append(lambda: row["numpy"].append(
                    numpy_run(NUMPY[name], row["args"], row["numpy_trials"])))
            k = repeat % len(measures)  # rotate the order, so none always runs first
            for measure in measures[k:] + measures[:k]:
                measure()
        print(f"  repeat {repeat + 1}/{args.repeats} done", file=sys.stderr, flush=True)

    print(f"\n### Trials per second (millions), median of {args.repeats} interleaved repeats\n")
    print(f"| puzzle | naive draws | trials | engine, 1 thread | engine, {threads} threads | "
          f"speed-up | floor, 1 thread | engine / floor | numpy, 1 thread | engine / numpy |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        one = statistics.median(r for r, _ in row["one"])
        every = statistics.median(r for r, _ in row["all"])
        floor = statistics.median(row["floor"])
        cells = [name, str(row["draws"]), f"{row['trials']:,}", mrate(one), mrate(every),
                 f"{every / one:.2f}x", mrate(floor), f"{one / floor:.2f}"]
        if row["numpy"]:
            fast = statistics.median(r for r, _, _ in row["numpy"])
            cells += [mrate(fast), f"{one / fast:.1f}x"]
            _check_numpy(name, row)
        else:
            cells += ["—", "—"]
        print("| " + " | ".join(cells) + " |", flush=True)


def _check_numpy(name: str, row) -> None:
    """A numpy simulation that measures another experiment would make its ratio meaningless."""
    engine_mean = first_outcome_mean(row["one"][0][1])
    _, mean, stderr = row["numpy"][0]
    if engine_mean is not None and abs(mean - engine_mean) > 6 * stderr + 1e-12:
        print(f"  WARNING: numpy {name} mean {mean:.6g} != engine {engine_mean:.6g} "
              f"(stderr {stderr:.2g})", file=sys.stderr)


def _floor_in_threads(draws: int, trials: int, threads: int) -> float:
    """Trials/s of the bare floor kernel run chunk by chunk in `threads` threads: what the
    machine gives a perfectly parallel nogil kernel right now."""
    from concurrent.futures import ThreadPoolExecutor

    chunks = -(-trials // CHUNK_TRIALS)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda i: _draw_uniforms(chunk_generator(SEED, i), CHUNK_TRIALS, draws),
                      range(chunks)))
    return chunks * CHUNK_TRIALS / (time.perf_counter() - start)


def scaling_table(names, trials: int, threads: int, repeats: int) -> None:
    print(f"\n### Parallel scaling: {trials:,} trials per run, median of {repeats}\n")
    print("The control is the floor kernel alone (17 draws a trial, no engine) in the same "
          "threads, measured between the engine's runs: a perfectly parallel kernel's speed-up "
          "on this machine at that moment.\n")
    print(f"| puzzle | 1 thread | {threads} threads | speed-up | control speed-up |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        engine_run(name, 2 * CHUNK_TRIALS, threads)
        one, every, control_one, control_every = [], [], [], []
        for repeat in range(repeats):
            pairs = [(one, lambda: engine_run(name, trials, 1)[0]),
                     (every, lambda: engine_run(name, trials, threads)[0]),
                     (control_one, lambda: _floor_in_threads(17, trials // 4, 1)),
                     (control_every, lambda: _floor_in_threads(17, trials // 4, threads))]
            for results, measure in pairs if repeat % 2 == 0 else pairs[::-1]:
                results.append(measure())
        a, b = statistics.median(one), statistics.median(every)
        control = statistics.median(control_every) / statistics.median(control_one)
        print(f"| {name} | {mrate(a)} | {mrate(b)} | {b / a:.2f}x | {control:.2f}x |", flush=True)


# --------------------------------------------------------------------------- the command


# Runs a command and reports its own peak RSS: RUSAGE_CHILDREN of this process holds only it.
_PEAK_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
sys.stderr.write("peak-rss-kb %d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


def run_command(argv: list[str], cache_dir: str) -> tuple[float, dict, int]:
    """(wall seconds, the --json report, peak RSS in KiB) of one `puzzles ...` process, run as
    `python -m cli` (what the `puzzles` script runs) with NUMBA_CACHE_DIR=cache_dir."""
    import json

    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    command = [sys.executable, "-c", _PEAK_WRAPPER, sys.executable, "-m", "cli"] + argv + ["--json"]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 3):  # 3: inconclusive, fine for timing
        raise RuntimeError(f"{argv} failed ({done.returncode}): {done.stderr.strip()}")
    peak = int(done.stderr.rsplit("peak-rss-kb", 1)[1].split()[0])
    return wall, json.loads(done.stdout), peak


def cli_table(trials: str, repeats: int) -> None:
    argv = ["verify", "handshakes"] + ([] if trials == "default" else ["--trials", trials])
    cold, warm, simulated, counts, peaks = [], [], [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
            seconds, report, _ = run_command(argv, cache)
            cold.append(seconds)
            seconds, report, peak = run_command(argv, cache)
            warm.append(seconds)
            simulated.append(report["seconds"])
            counts.append(report["trials"])
            peaks.append(peak)
    shown = " ".join(["puzzles"] + argv)
    print(f"\n### `{shown}` as a separate process, median of {repeats}\n")
    print("| numba cache | wall time | of which simulating | trials | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    print(f"| cold (empty NUMBA_CACHE_DIR) | {statistics.median(cold):.2f} s | | | |")
    print(f"| warm (the same folder again) | {statistics.median(warm):.2f} s | "
          f"{statistics.median(simulated):.2f} s | {statistics.median(counts):,.0f} | "
          f"{statistics.median(peaks) / 1024:.0f} MiB |", flush=True)


def memory_figure(trials: int) -> None:
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        for _ in range(2):  # the first fills the cache: compiling has a peak of its own
            _, _, small = run_command(["verify", "handshakes", "--trials", str(CHUNK_TRIALS)],
                                      cache)
        wall, report, peak = run_command(["verify", "handshakes", "--trials", str(trials)], cache)
    print(f"\n### Memory: `puzzles verify handshakes --trials {trials:,}`\n")
    print(f"peak RSS {peak / 1024:.1f} MiB ({peak:,} KiB), against {small / 1024:.1f} MiB for "
          f"{CHUNK_TRIALS:,} trials; {report['trials']:,} trials in {wall:.0f} s "
          f"({report['trials_per_second'] / 1e6:.3g} M trials/s)", flush=True)


# --------------------------------------------------------------------------- main


def machine() -> str:
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{os.cpu_count()} CPUs ({model}), {default_threads()} usable; load average {load}; "
            f"numpy {np.__version__}, numba {numba.__version__}, Python {sys.version.split()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="puzzle names (default: every built-in)")
    parser.add_argument("--trials", type=lambda s: int(float(s)),
                        help="trials per engine run (default: whole chunks for --seconds)")
    parser.add_argument("--seconds", type=float, default=0.25,
                        help="aim each measurement at about this long at 1 thread")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scaling-trials", type=lambda s: int(float(s)), default=10_000_000)
    parser.add_argument("--scaling", nargs="*",
                        default=["handshakes", "ball-min-distance", "birthday", "square-distance"])
    parser.add_argument("--cli-trials", default="default",
                        help="--trials of the `puzzles verify handshakes` runs (default: none)")
    parser.add_argument("--cli-repeats", type=int, default=3)
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--memory-trials", type=lambda s: int(float(s)),
                        help="also measure the peak RSS of this many trials of handshakes")
    args = parser.parse_args()

    import puzzles.catalog as package
    from puzzles.engine import all_puzzles

    here = os.path.realpath(os.path.dirname(package.__file__))
    builtins = [p for p in all_puzzles().values()
                if os.path.dirname(os.path.realpath(p.source)) == here]
    chosen = [p for p in builtins if not args.only or p.name in args.only]
    threads = default_threads()

    start = time.perf_counter()
    print(f"machine: {machine()}")
    main_table(chosen, args, threads)
    scaling = [n for n in args.scaling if any(p.name == n for p in chosen)]
    if scaling and args.scaling_trials:
        scaling_table(scaling, args.scaling_trials, threads, max(args.repeats, 3))
    if not args.skip_cli:
        cli_table(args.cli_trials, args.cli_repeats)
    if args.memory_trials:
        memory_figure(args.memory_trials)
    print(f"\nmachine at the end: {machine()}; took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
