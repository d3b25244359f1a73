"""Running a verification's chunks on a Dask cluster.

Imported only when a scheduler is asked for, and it imports dask only inside its functions: the
threaded engine never pays for dask, and a machine without it gets one line saying how to install
it. What crosses the wire is a `ChunkTask` by name (engine.simulate): the puzzle's name, its
kernel arguments, the seed, the chunk indices and the collectors' configuration. Each worker
process finds the simulator in its own registry (built-ins, its PUZZLES_PATH, installed packs),
which keeps the compiled kernel for every later task. Chunks go out in batches of consecutive
indices, a bounded number in flight, and come back in chunk order, so the reduction -- and
therefore every estimate -- is bit-identical to a threaded run with the same seed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import itertools
import logging
import re
import socket
import time
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable, Iterable, Iterator

from .errors import InvalidOption, PuzzleError, UnknownPuzzle, clip, did_you_mean, quote
from .simulate import ChunkTask, default_threads, simulator

DEFAULT_TIMEOUT = 10.0
INSTALL_HINT = "pip install -e '.[dask]'"
# A run is cut into about this many batches per worker thread: enough for the threads to share
# the work evenly to the end, few enough that the scheduler's cost per task (milliseconds) stays
# small against a batch's simulation.
BATCHES_PER_THREAD = 4
MAX_BATCH_CHUNKS = 64
# Batches in flight per worker thread: one running, one queued, so no thread waits for the
# client; the bound keeps 10^5 chunks from flooding the scheduler and the client's memory.
IN_FLIGHT_PER_THREAD = 2
# How often a waiting client checks that the cluster still has workers.
POLL_SECONDS = 1.0

_TIMEOUTS = (TimeoutError, asyncio.TimeoutError, concurrent.futures.TimeoutError)
_ADDRESS = re.compile(r"^(tcp|tls|ws|wss|inproc|ucx)://\S+$")
_HOST_PORT = re.compile(r"^[\w.\-]+:\d+$")


class ClusterError(PuzzleError):
    """The cluster cannot be reached, has no workers, or cannot run the puzzle."""


def distributed_module():
    """`distributed`, or a ClusterError saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(f"running on a Dask cluster needs dask[distributed], which is not "
                           f"installed: {INSTALL_HINT}") from exc
    return distributed


def check_timeout(timeout) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise InvalidOption(option="timeout", value=timeout, rule="must be a number of seconds > 0")
    return float(timeout)


def scheduler_address(scheduler: str) -> str:
    text = scheduler.strip()
    if _ADDRESS.match(text):
        return text
    if _HOST_PORT.match(text):
        return "tcp://" + text
    hint = did_you_mean(text, ["local"])
    raise InvalidOption(option="scheduler", value=quote(scheduler),
                        rule=f"must be 'local' or an address like tcp://HOST:PORT{hint}")


# --------------------------------------------------------------------------- sessions


@contextmanager
def session(scheduler, timeout: float = DEFAULT_TIMEOUT,
            workers: int | None = None) -> Iterator["ClusterMap"]:
    """An ordered chunk map over a cluster, for the duration of the `with` block.

    scheduler: "local" (a LocalCluster of `workers` processes, default one per core, closed
    afterwards), an address "tcp://HOST:PORT", or a `distributed.Client` (left open).
    """
    timeout = check_timeout(timeout)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers <= 0):
        raise InvalidOption(option="threads", value=workers, rule="must be a whole number > 0")
    distributed = distributed_module()
    if isinstance(scheduler, distributed.Client):
        _no_workers_option(workers, "an existing Client")
        wait_for_workers(scheduler, timeout)
        yield ClusterMap(scheduler, timeout)
        return
    if not isinstance(scheduler, str):
        raise InvalidOption(f"scheduler={quote(scheduler)} must be 'local', an address like "
                            f"tcp://HOST:PORT, or a distributed.Client")
    with quiet_dask_logs():
        if scheduler.strip() == "local":
            cluster, client = _start_local(distributed, workers)
            try:
                yield ClusterMap(client, timeout)
            finally:
                client.close()
                cluster.close()
            return
        address = scheduler_address(scheduler)
        _no_workers_option(workers, address)
        client = connect(address, timeout)
        try:
            yield ClusterMap(client, timeout)
        finally:
            client.close()


@contextmanager
def quiet_dask_logs():
    """Dask's own loggers silenced while a client of ours runs: a lost connection is logged by
    the client's thread with a traceback, and then reported once, as one line, by us. (A Client
    passed in is the caller's, and so are its logs.)"""
    loggers = [logging.getLogger(name) for name in ["distributed", *logging.root.manager.loggerDict]
               if name == "distributed" or name.startswith("distributed.")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _no_workers_option(workers, what: str) -> None:
    if workers is not None:
        raise InvalidOption(option="threads", value=workers,
                            rule=f"applies to local runs and to the workers of scheduler "
                                 f"'local'; the workers of {clip(what, 60)} have their own threads")


def local_workers(workers: int | None) -> tuple[int, str | None]:
    """The worker processes of scheduler 'local' for `workers` asked: one per core at most
    (a process past the cores only waits its turn, and costs its start-up and memory), and the
    note that says so when fewer than asked."""
    cores = default_threads()
    if workers is None or workers <= cores:
        return int(workers or cores), None
    return cores, f"threads: {workers:,} asked, {cores} worker processes used (the cores here)"


def _start_local(distributed, workers: int | None):
    n, _note = local_workers(workers)
    try:
        # one single-threaded process per core: the simulators release the GIL anyway, and
        # processes are what a real cluster has. Any free port for its web page: 8787 may be taken.
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=":0",
                                           silence_logs=logging.ERROR)
    except Exception as exc:
        raise ClusterError(f"cannot start a local Dask cluster: {type(exc).__name__}: "
                           f"{_first_line(exc)}") from exc
    return cluster, distributed.Client(cluster, set_as_default=False)


def connect(address: str, timeout: float = DEFAULT_TIMEOUT):
    """A Client of the scheduler at `address` that has at least one worker, or a ClusterError
    within about `timeout` seconds."""
    distributed = distributed_module()
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, *_TIMEOUTS) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s: "
                           f"is `dask scheduler` running there?") from exc
    except ValueError as exc:
        raise InvalidOption(option="scheduler", value=quote(address),
                            rule=f"is not a valid address: {clip(_first_line(exc))}") from exc
    try:
        wait_for_workers(client, timeout)
    except BaseException:
        client.close()
        raise
    return client


def wait_for_workers(client, timeout: float) -> None:
    address = getattr(client.scheduler, "address", None) or "the scheduler"
    try:
        client.wait_for_workers(1, timeout=timeout)
    except _TIMEOUTS as exc:
        raise ClusterError(f"the Dask scheduler at {address} has no workers (none joined within "
                           f"{timeout:g} s): start some with `dask worker {address}`") from exc


# --------------------------------------------------------------------------- the ordered map


def batch_chunks(items: int | None, threads: int) -> int:
    """Chunks per task: about BATCHES_PER_THREAD batches per worker thread, at most
    MAX_BATCH_CHUNKS."""
    if items is None:
        return 1
    return max(1, min(MAX_BATCH_CHUNKS, -(-items // (BATCHES_PER_THREAD * max(threads, 1)))))


class ClusterMap:
    """`map_chunks` for engine.simulate.run_chunks: runs `fn(item)` for every item on the
    cluster, in batches of consecutive items, and yields the results in item order.

    A worker that dies costs its batches a rerun elsewhere (the scheduler reschedules the tasks
    of a lost worker); since a chunk's numbers depend only on (seed, index), the rerun gives the
    same statistics, and the in-order reduction the same estimates.
    """

    def __init__(self, client, timeout: float = DEFAULT_TIMEOUT):
        self.client = client
        self.timeout = timeout
        self._prepared: set = set()

    def prepare(self, task) -> None:
        """Load the puzzle and compile its kernels on every worker, before run_chunks starts its
        clock; a worker that joins later does so on its first batch."""
        task = for_workers(task)
        if not isinstance(task, ChunkTask):
            return
        # numba compiles per argument types, not values: one preparation serves a sweep
        key = (task.puzzle, tuple(map(type, task.kernel_args)),
               tuple(s[0] for s in task.statistics))
        if key in self._prepared:
            return
        one_trial = replace(task, trials=1, first_chunk=0)
        # as tasks, not client.run: a long first compilation must not block a worker's event
        # loop (its heartbeats); a worker that dies meanwhile leaves its task to another
        futures = [self.client.submit(run_batch, one_trial, [0], workers=[worker],
                                      allow_other_workers=True,
                                      key=f"puzzles-prepare-{uuid.uuid4().hex[:12]}")
                   for worker in self.client.nthreads()]
        for future in futures:
            self._result(future, distributed_module())
        self._prepared.add(key)

    @property
    def address(self) -> str:
        return getattr(self.client.scheduler, "address", None) or "the scheduler"

    @property
    def threads(self) -> int:
        return sum(self.client.nthreads().values())

    def __call__(self, fn: Callable, items: Iterable) -> Iterator:
        distributed = distributed_module()
        threads = max(self.threads, 1)
        size = batch_chunks(len(items) if hasattr(items, "__len__") else None, threads)
        window = max(2, IN_FLIGHT_PER_THREAD * threads)
        fn = for_workers(fn)
        prefix = f"puzzles-{getattr(fn, 'puzzle', '') or 'chunks'}-{uuid.uuid4().hex[:8]}"
        remaining = iter(items)
        numbers = itertools.count()
        pending: deque = deque()
        try:
            while True:
                while len(pending) < window:
                    batch = list(itertools.islice(remaining, size))
                    if not batch:
                        break
                    # an explicit key per batch: readable on the dashboard, and never merged
                    # with an identical batch of another run
                    key = f"{prefix}-{next(numbers)}"
                    pending.append(self.client.submit(run_batch, fn, batch, key=key))
                if not pending:
                    return
                yield from self._result(pending.popleft(), distributed)
        finally:
            if pending:
                self.client.cancel(list(pending))

    def _result(self, future, distributed):
        """The future's result; waits through worker deaths, not through a cluster left with no
        workers or a lost scheduler."""
        alone_since = None
        while True:
            try:
                return future.result(timeout=POLL_SECONDS)
            except _TIMEOUTS:
                pass
            except PuzzleError:
                raise
            except distributed.KilledWorker as exc:
                raise ClusterError(f"a batch of chunks was running on every worker that died "
                                   f"({_first_line(exc)}); workers may be running out of "
                                   f"memory") from exc
            except concurrent.futures.CancelledError as exc:
                raise ClusterError(f"lost the Dask scheduler at {self.address} during the "
                                   f"run") from exc
            except OSError as exc:  # a connection of ours, or an error raised on a worker?
                if self.client.status == "running":
                    raise _worker_failure(exc) from exc
                raise ClusterError(f"lost the Dask scheduler at {self.address} during the "
                                   f"run") from exc
            except Exception as exc:  # raised on a worker, so about the workers' setup
                raise _worker_failure(exc) from exc
            try:
                workers = self.client.nthreads()
            except (OSError, *_TIMEOUTS) as exc:
                raise ClusterError(f"lost the Dask scheduler at {self.address} during the "
                                   f"run") from exc
            now = time.monotonic()
            if workers:
                alone_since = None
            elif alone_since is None:
                alone_since = now
            elif now - alone_since > self.timeout:
                raise ClusterError(f"the Dask cluster at {self.address} has had no workers for "
                                   f"{self.timeout:g} s: start some with `dask worker "
                                   f"{self.address}`")


def for_workers(fn):
    """A ChunkTask that names its puzzle instead of carrying the simulator, when the registry
    here has a puzzle with that very simulator (the workers are then expected to have it too).
    Anything else travels as it is, pickled."""
    if not isinstance(fn, ChunkTask) or fn.simulate is None:
        return fn
    from .registry import all_puzzles

    name = fn.puzzle if fn.puzzle and _simulator_or_none(fn.puzzle) is fn.simulate else next(
        (n for n, p in all_puzzles().items() if p.simulate is fn.simulate), None)
    if name is None:
        return fn
    return replace(fn, puzzle=name, simulate=None)


def _simulator_or_none(name: str):
    try:
        return simulator(name)
    except PuzzleError:
        return None


def run_batch(fn: Callable, items: list) -> list:
    """On a worker: the results of `fn` for a batch of items."""
    if isinstance(fn, ChunkTask) and fn.simulate is None:
        try:
            simulator(fn.puzzle)
        except PuzzleError as exc:
            reason = "it does not know it" if isinstance(exc, UnknownPuzzle) else str(exc)
            raise ClusterError(f"the Dask worker on {socket.gethostname()} cannot load puzzle "
                               f"{fn.puzzle!r} ({reason}): start the workers with the same "
                               f"PUZZLES_PATH (and puzzle packs) as the client") from None
    return [fn(item) for item in items]


def _worker_failure(exc: Exception) -> ClusterError:
    return ClusterError(f"a Dask worker failed: {type(exc).__name__}: {_first_line(exc)} (are "
                        f"this project and the puzzle installed on the workers?)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def verify_on_cluster(verify: Callable, arguments: dict):
    """`verify(**arguments)` with its chunks on the cluster named by arguments["scheduler"]."""
    # only the parameters: `arguments` is the caller's locals()
    args = {k: arguments[k] for k in inspect.signature(verify).parameters if k in arguments}
    scheduler, timeout = args.pop("scheduler"), args.pop("timeout")
    if args.get("map_chunks") is not None:
        raise InvalidOption("give either scheduler or map_chunks, not both")
    note = None
    if isinstance(scheduler, str) and scheduler.strip() == "local" and isinstance(
            args.get("threads"), int):
        _workers, note = local_workers(args["threads"])
    with session(scheduler, timeout, workers=args.get("threads")) as chunk_map:
        report = verify(**{**args, "threads": chunk_map.threads, "map_chunks": chunk_map})
    if note:
        report.notes.append(note)
    return report
