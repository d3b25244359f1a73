"""Trials/s of the threaded engine (1 and 2 threads) against a local Dask cluster (1 and 2
single-threaded worker processes), on the same puzzle, seed and trials.

    python benchmarks/cluster_throughput.py [PUZZLE] [TRIALS] [ROUNDS]

Configurations are measured in interleaved rounds (so a burst of load on a shared machine hits
them all alike) and the median per configuration is reported; every run also checks that its
estimates are bit-identical to the first threaded run. Clusters are started before, and warmed
up by, a first untimed run: the table is about throughput, not start-up.
"""

import logging
import statistics
import sys
import time


def main() -> None:
    from distributed import Client, LocalCluster

    from puzzles.engine import verify

    name = sys.argv[1] if len(sys.argv) > 1 else "handshakes"
    trials = int(float(sys.argv[2])) if len(sys.argv) > 2 else 10_000_000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    seed = 1

    clusters = {}
    for workers in (1, 2):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0",
                               silence_logs=logging.ERROR)
        clusters[workers] = (cluster, Client(cluster, set_as_default=False))
    configs = {"threads, 1": dict(threads=1), "threads, 2": dict(threads=2),
               "dask, 1 worker": dict(scheduler=clusters[1][1]),
               "dask, 2 workers": dict(scheduler=clusters[2][1])}
    try:
        reference = None
        for options in configs.values():  # warm-up: compile here and on the workers
            verify(name, trials=100_000, seed=seed, **options)
        rates = {label: [] for label in configs}
        for _ in range(rounds):
            for label, options in configs.items():
                report = verify(name, trials=trials, seed=seed, **options)
                numbers = [(q.estimate, q.p_value) for q in report.quantities]
                reference = reference or numbers
                assert numbers == reference, f"{label}: not bit-identical"
                rates[label].append(report.trials_per_second)
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()

    base = statistics.median(rates["threads, 1"])
    print(f"{name}, {trials:,} trials, median of {rounds} rounds "
          f"({time.strftime('%Y-%m-%d %H:%M')})")
    print("| engine | trials/s (median) | vs 1 thread |")
    print("|---|---|---|")
    for label, values in rates.items():
        median = statistics.median(values)
        print(f"| {label} | {median / 1e6:.2f} M | {median / base:.2f}x |")


if __name__ == "__main__":  # the workers are spawned processes: guard the entry point
    main()
