"""Verification on a Dask cluster (loopback only): the same numbers as threads, bit for bit,
even when a worker dies mid-run; clear errors for an unreachable scheduler or missing dask; and
`puzzles sweep`, locally and on the cluster."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import pandas as pd
import pytest

from puzzles.cli.main import app
from puzzles.engine import verify
from puzzles.engine.simulate import CHUNK_TRIALS

# a run that ends in a partial chunk, over several batches of chunks
TRIALS = 5 * CHUNK_TRIALS + 123
SEED = 4242


def run(runner, *args):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def numbers(report) -> list:
    """Everything a report says except how long it took and on how many threads."""
    data = report.to_dict()
    for key in ("seconds", "trials_per_second", "threads"):
        data.pop(key, None)
    return data


def json_numbers(text: str) -> dict:
    data = json.loads(text)
    for key in ("seconds", "trials_per_second", "threads"):
        data.pop(key, None)
    return data


def one_line_error(code, out, err):
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err
    return err


@pytest.fixture(scope="module")
def client():
    """Two single-threaded workers in this process, on a loopback tcp address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  protocol="tcp", host="127.0.0.1", dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster:
        with distributed.Client(cluster, set_as_default=False) as c:
            yield c


@pytest.mark.parametrize("name,params", [
    ("handshakes", {"a": 3, "b": 5}),  # moments and integer counts
    ("ball-min-distance", {}),         # a continuous cdf: binned counts
])
def test_cluster_gives_the_threaded_numbers_bit_for_bit(client, name, params):
    threaded = verify(name, params, trials=TRIALS, seed=SEED, threads=2)
    clustered = verify(name, params, trials=TRIALS, seed=SEED, scheduler=client)
    assert numbers(clustered) == numbers(threaded)
    assert clustered.threads == 2


def test_check_against_simulation_on_the_cluster(client):
    from puzzles.engine import check

    claims = ["mean=2*a*b/(a+b-1)"]
    threaded = check("handshakes", claims, against="simulation", trials=TRIALS, seed=SEED,
                     threads=1)
    clustered = check("handshakes", claims, against="simulation", trials=TRIALS, seed=SEED,
                      scheduler=client)
    assert clustered.to_dict()["claims"] == threaded.to_dict()["claims"]


def test_cli_verify_on_a_scheduler_address_matches_threads(runner, client):
    address = client.scheduler.address
    args = ["verify", "handshakes", "-n", str(TRIALS), "--seed", str(SEED), "--json"]
    code, out, err = run(runner, *args, "--scheduler", address)
    code_threads, out_threads, _ = run(runner, *args, "--threads", "2")
    assert code == code_threads, err
    assert json_numbers(out) == json_numbers(out_threads)


def test_local_scheduler_runs_a_user_puzzle_in_worker_processes(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from puzzles.engine.templates import write_puzzle

    # the worker processes inherit PUZZLES_PATH and find the puzzle by name, as remote workers
    # started with the same PUZZLES_PATH would
    write_puzzle("dice-sum", tmp_path)
    monkeypatch.setenv("PUZZLES_PATH", str(tmp_path))
    threaded = verify("dice-sum", trials=TRIALS, seed=SEED, threads=1)
    clustered = verify("dice-sum", trials=TRIALS, seed=SEED, scheduler="local", threads=1)
    assert numbers(clustered) == numbers(threaded)
    assert clustered.threads == 1


def test_a_worker_killed_mid_run_costs_a_retry_not_the_run():
    distributed = pytest.importorskip("distributed")
    trials = 24 * CHUNK_TRIALS
    expected = verify("handshakes", trials=trials, seed=SEED, threads=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster:
        with distributed.Client(cluster, set_as_default=False) as c:
            pids = c.run(os.getpid)
            seen = []

            def progress(n):
                seen.append(n)
                if len(seen) == 1:  # the first batch is in: kill a worker running another one
                    busy = [w for w, keys in c.processing().items()
                            if any(str(k).startswith("puzzles-handshakes") for k in keys)]
                    os.kill(pids[(busy or sorted(pids))[0]], signal.SIGKILL)

            report = verify("handshakes", trials=trials, seed=SEED, scheduler=c,
                            progress=progress)
            retried = c.run_on_scheduler(lambda dask_scheduler: [
                t[0] for t in dask_scheduler.transition_log
                if str(t[0]).startswith("puzzles-handshakes") and t[1] == "processing"
                and t[2] == "released"])
    assert sum(seen) == trials
    assert retried, "the killed worker was running no chunk: the test proves nothing"
    assert numbers(report) == numbers(expected)


def test_chunks_travel_by_puzzle_name_and_compute_the_same():
    import pickle

    from puzzles.engine import get_puzzle
    from puzzles.engine.cluster import for_workers
    from puzzles.engine.simulate import ChunkTask

    task = ChunkTask("", (8, 10), 1, (("power_sums", 0, 9.0), ("integer_counts", 0, 2)), SEED,
                     3 * CHUNK_TRIALS, simulate=get_puzzle("handshakes").simulate)
    named = for_workers(task)
    assert (named.puzzle, named.simulate) == ("handshakes", None)  # no kernel on the wire
    assert len(pickle.dumps(named)) < 1000
    again = pickle.loads(pickle.dumps(named))
    for mine, theirs in zip(task(2), again(2)):
        assert pickle.dumps(mine) == pickle.dumps(theirs)


class _FakeClient:
    """Just enough of distributed.Client to watch how many batches ClusterMap keeps in flight."""

    def __init__(self):
        from concurrent.futures import Future

        self.Future, self.in_flight, self.most = Future, 0, 0

    def nthreads(self):
        return {"tcp://a": 1, "tcp://b": 1}

    def submit(self, fn, *args, key=None, **kwargs):
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        future = self.Future()
        future.set_result(fn(*args))
        original = future.result

        def result(timeout=None):
            self.in_flight -= 1
            return original(timeout)

        future.result = result
        return future

    def cancel(self, futures):
        pass


def test_batches_in_flight_are_bounded_and_results_in_order():
    pytest.importorskip("distributed")
    from puzzles.engine.cluster import IN_FLIGHT_PER_THREAD, MAX_BATCH_CHUNKS, ClusterMap, batch_chunks

    client = _FakeClient()
    out = list(ClusterMap(client)(lambda i: i * i, range(100_000)))
    assert out == [i * i for i in range(100_000)]
    assert client.most <= IN_FLIGHT_PER_THREAD * 2
    assert batch_chunks(100_000, 2) == MAX_BATCH_CHUNKS
    assert batch_chunks(3, 2) == 1 and batch_chunks(80, 2) == 10


def test_unreachable_scheduler_exits_2_quickly(runner):
    pytest.importorskip("distributed")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    code, out, err = run(runner, "verify", "handshakes", "-n", "1000",
                         "--scheduler", f"tcp://127.0.0.1:{port}", "--timeout", "2")
    assert time.monotonic() - start < 15
    assert "cannot reach the Dask scheduler" in one_line_error(code, out, err)


@pytest.mark.parametrize("args,needle", [
    (["--scheduler", "nowhere"], "tcp://HOST:PORT"),
    (["--scheduler", "local", "--timeout", "0"], "--timeout 0"),
])
def test_bad_scheduler_options_exit_2(runner, args, needle):
    pytest.importorskip("distributed")
    assert needle in one_line_error(*run(runner, "verify", "handshakes", "-n", "1000", *args))


def test_without_dask_one_line_says_how_to_install_it(runner, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    err = one_line_error(*run(runner, "verify", "handshakes", "-n", "1000", "--scheduler", "local"))
    assert "pip install -e '.[dask]'" in err


def test_threaded_runs_never_import_dask():
    code = ("import sys, engine.sweep, cli.main; from puzzles.engine import verify; "
            "verify('handshakes', trials=1000, threads=1); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_sweep_writes_the_table_locally_and_on_the_cluster(runner, client, tmp_path):
    grid = ["handshakes", "-p", "a=1..2", "-p", "b=1,2", "-n", "20000", "--seed", str(SEED)]
    code, out, err = run(runner, "sweep", *grid, "--threads", "1",
                         "--out", str(tmp_path / "local.csv"))
    assert code in (0, 3), err  # 3: an inconclusive point, at these few trials
    lines = out.strip().splitlines()
    assert lines[0].split()[:3] == ["a", "b", "verdict"]
    assert "need a + b >= 3" in lines[1] and "invalid" in lines[1]
    assert "4 points" in lines[-1]

    code_c, out_c, err_c = run(runner, "sweep", *grid, "--scheduler", client.scheduler.address,
                               "--out", str(tmp_path / "cluster.parquet"))
    assert code_c == code, err_c
    local = pd.read_csv(tmp_path / "local.csv")
    clustered = pd.read_parquet(tmp_path / "cluster.parquet")
    assert list(local["verdict"]) == list(clustered["verdict"])
    assert local["verdict"][0] == "invalid"
    columns = ["a", "b", "worst_p", "p_mean", "p_variance", "p_pmf", "trials"]
    pd.testing.assert_frame_equal(local[columns], clustered[columns], check_dtype=False)


def test_sweep_frame_reports_a_disagreement():
    import dataclasses

    from puzzles.engine import Mean, get_puzzle
    from puzzles.engine.sweep import sweep

    puzzle = get_puzzle("handshakes")
    a, b = puzzle.symbols.values()
    wrong = dataclasses.replace(puzzle, quantities=[Mean(2 * a * b / (a + b))])
    frame = sweep(wrong, {"a": "3,8", "b": 10}, trials=200_000, seed=SEED, threads=1)
    assert list(frame["verdict"]) == ["disagree", "disagree"]
    assert frame.attrs["point_alpha"] == pytest.approx(0.005)


@pytest.mark.parametrize("out,needle", [
    ("results.txt", ".csv or .parquet"),
    ("no/such/folder/results.csv", "does not exist"),
])
def test_sweep_bad_output_exits_2_before_running(runner, tmp_path, out, needle):
    start = time.monotonic()
    err = one_line_error(*run(runner, "sweep", "handshakes", "-p", "a=1..3",
                              "--out", str(tmp_path / out)))
    assert needle in err
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("param,needle", [
    ("c=1..3", "unknown parameter 'c'"),
    ("a=3..1", "the range is empty"),
    ("a=1..x", "not a range"),
    ("a=1,x", "a=x is not a number"),
])
def test_sweep_bad_grid_exits_2(runner, param, needle):
    assert needle in one_line_error(*run(runner, "sweep", "handshakes", "-p", param))
