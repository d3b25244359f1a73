"""Chunked, seeded, parallel simulation that reduces per-chunk sufficient statistics.

Trials are cut into chunks of a fixed size (CHUNK_TRIALS). Chunk i draws from its own stream,
`SeedSequence(seed, spawn_key=(i,))` -- exactly the i-th child of `SeedSequence(seed).spawn()`
-- so a chunk's numbers depend only on (seed, i), never on which thread or machine runs it.
Statistics of each chunk are reduced in chunk order, so the same seed gives bit-identical
estimates with any number of threads, and memory stays flat in the number of trials.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np

from . import _kernels
from ._kernels import binned_counts, integer_counts, power_sums
from .errors import InvalidPuzzleSpec

CHUNK_TRIALS = 1 << 16


def chunk_count(trials: int, chunk: int = CHUNK_TRIALS) -> int:
    """Chunks of `chunk` trials (the last one shorter) in a run of `trials`: a number, never a
    list of sizes, so that memory does not grow with the trials."""
    return -(-trials // chunk)


def chunk_generator(seed: int, index: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))


# --------------------------------------------------------------------------- collectors


# A running estimate keeps at most this many rows (see Moments): a picture needs no more.
MAX_ROWS = 4096


@dataclass
class Moments:
    """Power sums of one outcome about a fixed shift; (n, s1, s2, s3, s4) rows of consecutive
    chunks are kept so a report can draw the running estimate and its band (a running
    variance's band needs the 4th moment).

    A row sums `stride` chunks. When MAX_ROWS rows are full, neighbouring rows are merged and
    the stride doubles: memory stays flat (160 KB) for any number of trials, and the rows still
    end on chunk boundaries spread evenly over the run.
    """

    column: int
    shift: float = 0.0
    total: np.ndarray = field(default_factory=lambda: np.zeros(5))
    rows: np.ndarray = field(default_factory=lambda: np.empty((64, 5)))
    filled: int = 0    # rows in use
    stride: int = 1    # chunks per row
    chunks: int = 0    # chunks added

    def chunk(self, x):
        return power_sums(x, self.shift)

    def add(self, part):
        self.total += part
        if self.chunks % self.stride == 0:  # this chunk starts a row
            if self.filled == len(self.rows):
                if len(self.rows) < MAX_ROWS:
                    self.rows = np.concatenate([self.rows, np.empty_like(self.rows)])
                else:  # every row is whole here: merge pairs
                    half = self.filled // 2
                    self.rows[:half] = self.rows[0:self.filled:2] + self.rows[1:self.filled:2]
                    self.filled, self.stride = half, 2 * self.stride
            self.rows[self.filled] = part[:5]
            self.filled += 1
        else:
            self.rows[self.filled - 1] += part[:5]
        self.chunks += 1

    def running(self) -> np.ndarray:
        """Cumulative (n, s1, s2, s3, s4) after each row (of `stride` chunks; the last row may
        hold fewer)."""
        return np.cumsum(self.rows[: self.filled], axis=0)


@dataclass
class IntegerCounts:
    column: int
    low: int
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bad: int = 0

    def chunk(self, x):
        return integer_counts(x, self.low)

    def add(self, part):
        counts, bad = part
        if len(counts) > len(self.counts):
            counts = counts.copy()
            counts[: len(self.counts)] += self.counts
            self.counts = counts
        else:
            self.counts[: len(counts)] += counts
        self.bad += int(bad)


@dataclass
class BinnedCounts:
    column: int
    edges: np.ndarray
    counts: np.ndarray = None

    def chunk(self, x):
        return binned_counts(x, self.edges)

    def add(self, part):
        self.counts = part.copy() if self.counts is None else self.counts + part


# --------------------------------------------------------------------------- running


def default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Late(Exception):
    """The chunk next in order was still running when the deadline passed."""


def _ordered_bounded_map(pool, fn: Callable, items: Iterable, window: int,
                         deadline: float | None = None):
    """pool.submit for each item, at most `window` in flight, results yielded in order. Closed
    early (a deadline, Ctrl-C), it cancels what has not started. With a deadline (a
    time.monotonic() value), waiting for the next result ends there: _Late is raised."""
    pending: deque = deque()

    def oldest():
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            result = pending[0].result(timeout=timeout)
        except FutureTimeout:
            raise _Late from None
        pending.popleft()
        return result

    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield oldest()
        while pending:
            yield oldest()
    finally:
        for future in pending:
            future.cancel()


class _DaemonPool:
    """Worker threads that never hold up the end of the process.

    A chunk is one call of the simulator, and a numba kernel cannot be interrupted: a chunk
    still running at the deadline is abandoned (its trials are not counted) and finishes in
    the background, or dies with the process (likewise a chunk running when another failed, or
    at Ctrl-C). concurrent.futures' own workers would make the interpreter wait for it at exit;
    these are daemon threads, and leave when shut down."""

    def __init__(self, workers: int):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._workers = workers
        for _ in range(workers):
            threading.Thread(target=self._work, daemon=True, name="puzzles-chunk").start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, item = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(item))
            except BaseException as exc:  # handed to whoever waits for the result
                future.set_exception(exc)

    def submit(self, fn: Callable, item) -> Future:
        future: Future = Future()
        self._jobs.put((future, fn, item))
        return future

    def shutdown(self) -> None:
        for _ in range(self._workers):
            self._jobs.put(None)


# --------------------------------------------------------------------------- the chunk task


def chunk_statistic(collector) -> tuple:
    """(kernel in engine._kernels, column, its argument): what a chunk computes for a collector,
    as plain data, so a worker on another machine can compute it without the collector."""
    if type(collector) is Moments:  # a subclass (engine.per_trial) computes its own part
        return ("power_sums", collector.column, collector.shift)
    if isinstance(collector, IntegerCounts):
        return ("integer_counts", collector.column, collector.low)
    if isinstance(collector, BinnedCounts):
        return ("binned_counts", collector.column, collector.edges)
    return ("chunk", collector.column, collector)  # any other collector computes its own part


_lookup_lock = threading.Lock()


def simulator(name: str) -> Callable:
    """The simulator of the registered puzzle `name`, as this process knows it.

    The registry caches the puzzle, so one numba dispatcher per process serves every task and
    compiles (or loads from numba's cache) once. The lock keeps two threads of one worker from
    loading a user's puzzle file twice, which would compile two dispatchers.
    """
    from .registry import get_puzzle

    with _lookup_lock:
        return get_puzzle(name).simulate


@dataclass(frozen=True)
class ChunkTask:
    """One run's chunks as a picklable callable: `task(i)` is the list of chunk i's statistics.

    Chunk i draws from `chunk_generator(seed, first_chunk + i)` whoever runs it, so any thread,
    process or machine computes the same numbers. With `simulate` None, the simulator is looked
    up by the puzzle's name in the registry of the process that runs it.
    """

    puzzle: str
    kernel_args: tuple
    outcomes: int
    statistics: tuple
    seed: int
    trials: int
    first_chunk: int = 0
    simulate: Callable | None = field(default=None, compare=False)

    @property
    def chunks(self) -> int:
        return -(-self.trials // CHUNK_TRIALS)

    def size(self, index: int) -> int:
        return min(CHUNK_TRIALS, self.trials - index * CHUNK_TRIALS)

    def kernel(self) -> Callable:
        return self.simulate if self.simulate is not None else simulator(self.puzzle)

    def __call__(self, index: int) -> list:
        n = self.size(index)
        rng = chunk_generator(self.seed, self.first_chunk + index)
        out = _as_columns(np.asarray(self.kernel()(rng, n, *self.kernel_args)), n, self.outcomes)
        parts = []
        for kind, column, argument in self.statistics:
            x = np.ascontiguousarray(out[:, column], dtype=np.float64)
            parts.append(argument.chunk(x) if kind == "chunk"
                         else getattr(_kernels, kind)(x, argument))
        return parts


@dataclass
class SimulationRun:
    trials: int
    seconds: float
    chunks: int
    stopped_early: bool = False   # the deadline came first: `trials` is what was done


def run_chunks(kernel, kernel_args: tuple, outcomes: int, collectors: Sequence, trials: int,
               seed: int, threads: int, progress: Callable[[int], None] | None = None,
               map_chunks=None, first_chunk: int = 0, deadline: float | None = None
               ) -> SimulationRun:
    """Simulate `trials` trials in chunks and feed every collector, in chunk order.

    Chunks are numbered from `first_chunk`, so a run can be continued where an earlier one
    stopped with exactly the numbers one long run would have drawn (first_chunk must then be the
    number of full chunks already run). `map_chunks(task, range(n))` may be given to run the
    chunks elsewhere (an ordered map of a picklable ChunkTask, e.g. engine.cluster's); by default
    a thread pool runs them.

    deadline: a time.monotonic() value. The run stops there: the chunks done so far, in order,
    are a valid run of their own (the same numbers as a run of that many trials). Run here
    (no map_chunks), a chunk still running at the deadline is abandoned, not waited for, so the
    deadline is kept whatever a chunk costs; through map_chunks the clock is read between
    chunks, and the overshoot is at most the chunks in flight.
    """
    count = chunk_count(trials)
    task = ChunkTask("", tuple(kernel_args), outcomes,
                     tuple(chunk_statistic(c) for c in collectors), seed, trials, first_chunk,
                     simulate=kernel)
    chunks = range(count)
    if hasattr(map_chunks, "prepare"):
        # a map that runs chunks elsewhere loads and compiles the simulator there first: like
        # the local compilation in verify(), that is not part of the simulation's trials/s
        map_chunks.prepare(task)

    start = time.perf_counter()
    if map_chunks is not None:
        done = _consume(map_chunks(task, chunks), collectors, task, progress, deadline)
    elif deadline is None and (threads == 1 or count == 1):
        done = _consume(map(task, chunks), collectors, task, progress, deadline)
    else:  # a deadline is waited for here, not inside a chunk: a late chunk is left behind
        pool = _DaemonPool(min(threads, count))
        try:
            done = _consume(_ordered_bounded_map(pool, task, chunks, 4 * threads, deadline),
                            collectors, task, progress, deadline)
        finally:
            pool.shutdown()
    ran = min(done * CHUNK_TRIALS, trials)  # only the last chunk may be short
    return SimulationRun(ran, time.perf_counter() - start, done, done < count)


def _consume(results, collectors, task, progress, deadline) -> int:
    """Feed each chunk's parts to the collectors in order; the number of chunks consumed."""
    done = 0
    try:
        for index, parts in enumerate(results):
            for collector, part in zip(collectors, parts):
                collector.add(part)
            done = index + 1
            if progress is not None:
                progress(task.size(index))
            if deadline is not None and time.monotonic() >= deadline:
                break
    except _Late:  # the next chunk was still running at the deadline: the run ends before it
        pass
    finally:
        close = getattr(results, "close", None)
        if close is not None:  # stop a generator's pending work (cancel its queued chunks)
            close()
    return done


def _as_columns(out: np.ndarray, n: int, outcomes: int) -> np.ndarray:
    if out.ndim == 1 and outcomes == 1 and out.shape[0] == n:
        return out.reshape(n, 1)
    if out.ndim == 2 and out.shape == (n, outcomes):
        return out
    raise InvalidPuzzleSpec(
        f"the simulator returned an array of shape {out.shape}; expected ({n},) or "
        f"({n}, {outcomes}): one row per trial, one column per outcome")
