"""Where a long run is: a progress bar on a terminal, plain lines anywhere else.

On a terminal (stderr is a tty) a rich progress bar. Otherwise -- a pipe, a log file, a CI job
-- one line every PUZZLES_PROGRESS_SECONDS (default 5) seconds:

    simulating: 134,217,728 trials, 48.1 M trials/s, about 12 s to a verdict

and in both cases, once, as soon as the rate and the size of the run are known: an estimate,
when the run will take over a minute. The size is the requested trials, or for an auto run the
trials the widest band asks for at the last look (the engine calls `expect`).
"""

from __future__ import annotations

import os
import sys
import time

from puzzles.engine.table import duration_text

INTERVAL_VARIABLE = "PUZZLES_PROGRESS_SECONDS"
LONG_RUN = 60.0  # seconds: a run expected to take longer is announced with its estimate


def _interval() -> float:
    try:
        return max(float(os.environ.get(INTERVAL_VARIABLE, "5")), 0.0)
    except ValueError:
        return 5.0


def _rate(per_second: float, unit: str) -> str:
    if per_second >= 1e6:
        return f"{per_second / 1e6:.3g} M {unit}/s"
    if per_second >= 1e3:
        return f"{per_second / 1e3:.3g} k {unit}/s"
    return f"{per_second:.3g} {unit}/s"


class Progress:
    """`with Progress(total, enabled) as progress:` gives the engine a progress callback (or
    None when disabled): progress(n) after each n trials, progress.expect(next_look, needed)
    after each look of an auto run."""

    def __init__(self, total: int | None, enabled: bool, label: str = "simulating",
                 unit: str | None = None, stream=None):
        self.total = total
        self.enabled = enabled
        self.label = label
        self.unit = unit or ("runs" if label == "runs" else "trials")
        self.stream = stream or sys.stderr
        self.bar = None
        self.done = 0
        self.needed = None
        self.start = None       # clock and count at the first report: compiling is not rate
        self.start_done = 0
        self.last_line = None
        self.announced = False
        self.capped = False     # an auto run that will reach --max-trials before a verdict
        self.seconds = None     # the run stops after this long at the latest (limit)
        self.seconds_given = True
        self.interval = _interval()
        if enabled and self.stream.isatty():
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)

            if total is None:  # an auto run: no end known in advance, so count and time it
                columns = (BarColumn(), TextColumn(f"{{task.completed:,.0f}} {self.unit}"),
                           TimeElapsedColumn())
            else:
                columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            self.console = Console(stderr=True)
            self.bar = Bar(label, *columns, console=self.console, transient=True)
            self.task = self.bar.add_task(self.unit, total=total)

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self if self.enabled else None

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()

    # -- what the engine calls ----------------------------------------------------------------
    def __call__(self, n: int) -> None:
        now = time.monotonic()
        self.done += n
        if self.start is None:  # the first chunk's trials came before the clock started
            self.start, self.start_done, self.last_line = now, self.done, now
        if self.bar:
            self.bar.advance(self.task, n)
        self._announce(now)
        if not self.bar and now - self.last_line >= self.interval:
            self.last_line = now
            self._write(self.line(now))

    def expect(self, next_look: int, needed: float | None = None,
               budget: int | None = None) -> None:
        """An auto run's plan after a look: its next look ends at `next_look` trials, the
        widest band asks for about `needed` in all, and the run stops at `budget` anyway."""
        needed = int(needed or 0)
        self.capped = budget is not None and needed >= budget
        self.needed = max(next_look, min(needed, budget) if budget is not None else needed)

    def limit(self, seconds: float, given: bool = True) -> None:
        """The run stops after `seconds` at the latest: --max-seconds (given) or an auto run's
        default time budget. An estimate past it names the budget instead."""
        self.seconds, self.seconds_given = float(seconds), given

    def warn(self, text: str) -> None:
        """Something the user should know before the run, not only after it (a chunk longer
        than the time budget allows): one line now."""
        self._write(f"note: {text}")

    # -- what it prints -------------------------------------------------------------------------
    def rate(self, now: float) -> float | None:
        elapsed = now - (self.start or now)
        if elapsed < 0.5 or self.done <= self.start_done:
            return None
        return (self.done - self.start_done) / elapsed

    def remaining(self, now: float) -> float | None:
        rate = self.rate(now)
        target = self.total if self.total is not None else self.needed
        if rate is None or not target:
            return None
        return max(target - self.done, 0) / rate

    def _cut(self, now: float, left: float) -> float | None:
        """Seconds until the time budget ends the run, when it comes before `left` does."""
        if self.seconds is None:
            return None
        elapsed = now - (self.start or now)
        return max(self.seconds - elapsed, 0.0) if elapsed + left > self.seconds else None

    def _budget(self) -> str:
        return ("--max-seconds" if self.seconds_given else
                f"the time budget ({self.seconds:g} s, --max-seconds)")

    def line(self, now: float) -> str:
        text = f"{self.label}: {self.done:,} {self.unit}"
        rate = self.rate(now)
        if rate is not None:
            text += f", {_rate(rate, self.unit)}"
        left = self.remaining(now)
        if left is not None:
            cut = self._cut(now, left)
            if cut is not None:
                goal = "to --max-seconds" if self.seconds_given else "to the time budget"
                left = cut
            else:
                goal = ("to go" if self.total is not None else
                        "to --max-trials" if self.capped else "to a verdict")
            text += f", about {duration_text(left)} {goal}"
        return text

    def _announce(self, now: float) -> None:
        if self.announced:
            return
        left = self.remaining(now)
        if left is None:
            return
        cut = self._cut(now, left)
        if (self.seconds if cut is not None else now - self.start + left) <= LONG_RUN:
            return  # over within a minute, whichever stops it
        self.announced = True
        target = self.total if self.total is not None else self.needed
        at = f"at {_rate(self.rate(now), self.unit)}"
        when = duration_text(now - self.start + left)
        stops = (f"; {self._budget()} stops the run after {duration_text(self.seconds)}"
                 if cut is not None else "")
        if self.total is not None:
            self._write(f"this run: {target:,} {self.unit}, about {when} {at}{stops}")
        elif self.capped:
            self._write(f"a verdict needs more than --max-trials {target:,}: about {when} to "
                        f"reach it {at}" + (stops or " (a larger --rtol settles sooner)"))
        else:
            self._write(f"a verdict needs about {target:,} {self.unit}: about {when} {at}"
                        + (stops or " (--max-seconds or a larger --rtol stops sooner)"))

    def _write(self, text: str) -> None:
        if self.bar:
            self.console.print(text)
        else:
            print(text, file=self.stream, flush=True)
