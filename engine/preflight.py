"""Before a run: the simulator compiles, returns one array, and is reproducible.

Everything here is about the *author* of a puzzle: a kernel that does not compile, returns
something other than a numpy array, or does not give the same outcomes for the same seed is
refused with one line that says what to do (an InvalidPuzzleSpec: exit code 2 in the CLI).
The usual traps of numba and sympy get a one-line hint with the fix (`hint_for`).
"""

from __future__ import annotations

import os
import re
import time
import traceback

import numpy as np

from .errors import InvalidPuzzleSpec, LimitExceeded

# Outcomes compared by the same-seed check: enough to see a stray generator, a few ms at most.
REPRODUCIBLE_TRIALS = 64
REPRODUCIBLE_SEED = 20261129


def _where(puzzle) -> str:
    return f" ({puzzle.source})" if puzzle.source else ""


def first_trial(puzzle, kernel_args: tuple) -> None:
    """Compile (or load from numba's cache) and run one trial; refuse what cannot work."""
    from .registry import exception_summary

    try:
        out = puzzle.simulate(np.random.default_rng(0), 1, *kernel_args)
    except MemoryError:  # the parameters, not the kernel: it allocates by them
        shown = ", ".join(f"{p.name}={v}" for p, v in zip(puzzle.parameters, kernel_args))
        raise LimitExceeded(f"the simulator of {puzzle.name!r} runs out of memory at {shown}: "
                            f"parameters this large are beyond what it can simulate") from None
    except Exception as exc:  # a kernel that does not compile or run is its author's to fix
        raise InvalidPuzzleSpec(f"the simulator of {puzzle.name!r}{_where(puzzle)} fails on one "
                                f"trial: {exception_summary(exc, puzzle.source or None)}") from exc
    _check_array(puzzle, out)


def _check_array(puzzle, out) -> None:
    if isinstance(out, np.ndarray) and out.dtype != object:
        return
    what = "None" if out is None else f"a {type(out).__name__}"
    raise InvalidPuzzleSpec(
        f"the simulator of {puzzle.name!r}{_where(puzzle)} returns {what}, not a numpy array; "
        f"hint: fill out = np.empty(trials) (np.empty((trials, k)) for k outcomes) one trial "
        f"at a time and end with return out")


def check_reproducible(puzzle, kernel_args: tuple, trials: int = REPRODUCIBLE_TRIALS) -> float:
    """Run a small batch twice from generators with the same seed: the outcomes must be
    identical, or the kernel draws from somewhere other than `rng` (np.random, random, a
    time-based seed) or keeps state between calls -- and then 'same seed, same numbers, any
    threads' would be false. Refused with one line naming rng. Returns the seconds a trial
    took (the faster of the two batches): a rough guide to the time of a chunk."""
    runs, seconds = [], []
    for _ in range(2):
        start = time.perf_counter()
        out = puzzle.simulate(np.random.default_rng(REPRODUCIBLE_SEED), trials, *kernel_args)
        seconds.append(time.perf_counter() - start)
        _check_array(puzzle, out)
        runs.append(np.array(out, copy=True))
    a, b = runs
    same = a.shape == b.shape and np.array_equal(a, b, equal_nan=np.issubdtype(a.dtype, np.inexact))
    if not same:
        raise InvalidPuzzleSpec(
            f"the simulator of {puzzle.name!r}{_where(puzzle)} gives different outcomes for the "
            f"same seed: draw only from rng (rng.random(), rng.integers(...)), never from "
            f"np.random, random or the clock, and keep no state between calls")
    return min(seconds) / trials


# --------------------------------------------------------------------------- hints

_MATH_ATTRIBUTE = re.compile(r"Unknown attribute '(\w+)' of type Module\(<module 'math'[^)]*\)")
_RNG_ATTRIBUTE = re.compile(r"Unknown attribute '(\w+)' of type NumPyRandomGeneratorType")
_MODULE_TEXT = re.compile(r"Module\(<module '(\w+)'[^)]*\)")

_MATH_FIXES = {
    "comb": "compute it in a loop: c = 1; for i in range(k): c = c * (n - i) // (i + 1)",
    "perm": "compute it in a loop: p = 1; for i in range(k): p *= n - i",
    "factorial": "compute it in a loop, or use math.gamma(n + 1)",
    "prod": "multiply in a loop",
    "dist": "use math.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2)",
}


def hint_for(text: str) -> str:
    """A one-line hint with the fix for a numba compile error (the error's text), or ''."""
    m = _MATH_ATTRIBUTE.search(text)
    if m:
        fix = _MATH_FIXES.get(m.group(1), "write it with the operations numba supports "
                                          "(+ - * / // **, math.sqrt, math.log, math.exp, ...)")
        return f"numba has no math.{m.group(1)}: {fix}"
    m = _RNG_ATTRIBUTE.search(text)
    if m:
        if m.group(1) == "choice":
            return ("numba's rng has no choice(): pick a[rng.integers(0, len(a))], or "
                    "rng.integers(0, n) for one of 0..n-1; rng.permutation(n) or rng.shuffle(a) "
                    "for several without replacement")
        return (f"numba's rng has no {m.group(1)}(): it has random, integers, normal, "
                f"exponential, binomial, poisson, geometric, shuffle, permutation and other "
                f"distributions of numpy's Generator")
    if "Cannot infer the type of variable" in text or "reflected list" in text:
        return "numba needs typed containers: use out = np.empty(trials) rather than a list"
    if "Untyped global name" in text:
        return ("a name the kernel uses is not a number, array or jitted function numba knows; "
                "pass values in as parameters, and decorate helpers with @numba.njit")
    return ""


def shorten(text: str) -> str:
    """numba's Module(<module 'math' from '/long/path.so'>) as Module(math)."""
    return _MODULE_TEXT.sub(lambda m: f"Module({m.group(1)})", text)


def load_hint(exc: BaseException, path: str | None) -> str:
    """A hint for an exception raised while loading a puzzle file: a sympy function that needs
    concrete numbers (stirling(n, x)) called on symbols when the closed forms are built."""
    if path is None or isinstance(exc, SyntaxError):
        return ""
    frames = traceback.extract_tb(exc.__traceback__)
    target = os.path.realpath(path)
    inside = [i for i, f in enumerate(frames) if os.path.realpath(f.filename) == target]
    if not inside or inside[-1] + 1 >= len(frames):
        return ""
    callee = frames[inside[-1] + 1]
    if f"{os.sep}sympy{os.sep}" not in callee.filename:
        return ""
    return (f"sympy's {callee.name} needs numbers, not symbols: wrap it in a sympy Function whose "
            f"eval computes it when its arguments are numbers (see StirlingS2 in "
            f"`puzzles new NAME --from coupon-collector`), or write it as a Sum(...)")
