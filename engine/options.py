"""Checks of the options a user gives (trials, seed, threads, alpha, tolerances, --plot path),
and counts of trials as people write them (1e6, "1e6", "10,000,000": as_count, as_trials).

Kept apart from verify.py and plot.py, which load numpy, scipy and sympy: the command line runs
these checks first, so a mistyped option is reported at once.
"""

from __future__ import annotations

import errno
import math
import numbers
import os
import re
import tempfile
from pathlib import Path

from .errors import InvalidOption, clip, quote


# The most trials one run may ask for: about two days at 50 M trials/s on one machine. Counts
# stay exact in the float64 power sums far beyond this (2^53 = 9e15).
MAX_TRIALS = 10**13


def count_text(n) -> str:
    """A trial count for a message: 1e+30, 65,536."""
    return f"{n:,}" if n < 10**9 else f"{float(n):.3g}"


def trials_limit(option: str, n) -> str | None:
    """The complaint about a count past MAX_TRIALS, naming the option as the caller spells it
    ('--trials' on the command line, 'trials=' in Python)."""
    if n > MAX_TRIALS:
        space = "" if option.endswith("=") else " "
        return (f"{option}{space}{count_text(n)} is more than one run simulates: at most "
                f"{count_text(MAX_TRIALS)} (about 2 days at 50 M trials/s)")
    return None


def check_options(trials, seed, threads, alpha) -> None:
    if trials is not None and (not _is_int(trials) or trials <= 0):
        raise InvalidOption(option="trials", value=trials, rule="must be a whole number > 0")
    if trials is not None and trials_limit("trials=", trials):
        raise InvalidOption(trials_limit("trials=", trials))
    if seed is not None and (not _is_int(seed) or seed < 0):
        raise InvalidOption(option="seed", value=seed, rule="must be a whole number >= 0")
    if threads is not None and (not _is_int(threads) or threads <= 0):
        raise InvalidOption(option="threads", value=threads, rule="must be a whole number > 0")
    if not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise InvalidOption(option="alpha", value=alpha, rule="must be between 0 and 1 (exclusive)")


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def check_tolerances(rtol, atol, max_trials, max_seconds) -> None:
    if rtol is not None and (not isinstance(rtol, numbers.Real) or not 0 <= rtol < 1):
        raise InvalidOption(option="rtol", value=rtol, rule="must be a number with 0 <= rtol < 1")
    if not isinstance(atol, numbers.Real) or atol < 0:
        raise InvalidOption(option="atol", value=atol, rule="must be a number >= 0")
    if max_trials is not None and (not _is_int(max_trials) or max_trials <= 0):
        raise InvalidOption(option="max_trials", value=max_trials, rule="must be a whole number > 0")
    if max_trials is not None and trials_limit("max_trials=", max_trials):
        raise InvalidOption(trials_limit("max_trials=", max_trials))
    if max_seconds is not None and (not isinstance(max_seconds, numbers.Real) or max_seconds <= 0):
        raise InvalidOption(option="max_seconds", value=max_seconds, rule="must be a number > 0")


# A file is written as a temporary file beside it, ".NAME.XXXXXXXX.tmp", then renamed: its name
# may be this much shorter than the file system allows.
TEMPORARY_EXTRA = 14


def check_name_length(text: str, what: str = "cannot write") -> None:
    """InvalidOption (one line) for a path whose names the file system cannot hold, before
    anything is run (the OSError would come after a whole run, as a traceback)."""
    path = Path(text).expanduser()
    try:
        limit = os.pathconf(path.parent if os.path.isdir(path.parent) else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    if len(os.fsencode(str(path.absolute()))) >= 4096:
        raise InvalidOption(f"{what} {quote(text)}: the path is too long "
                            f"({len(str(path.absolute())):,} characters; at most 4,095)")
    for part in path.parts[:-1]:
        if len(os.fsencode(part)) > limit:
            raise InvalidOption(f"{what} {quote(text)}: a folder name is too long "
                                f"({len(part):,} characters; at most {limit})")
    if len(os.fsencode(path.name)) + TEMPORARY_EXTRA > limit:
        raise InvalidOption(f"{what} {quote(text)}: the file name is too long "
                            f"({len(path.name):,} characters; at most {limit - TEMPORARY_EXTRA})")


def check_plot_path(path) -> Path:
    """The path as a Path if a PNG can be written there, else InvalidOption (one line).

    Called before simulating, so a typo does not cost a whole run.
    """
    text = os.fspath(path)
    target = Path(text).expanduser()
    if target.suffix.lower() != ".png":
        raise InvalidOption(f"plot file {quote(text)} must end in .png")
    check_name_length(text, "cannot write plot")
    text = clip(text)
    folder = target.parent
    if not folder.exists():
        raise InvalidOption(f"cannot write plot {text!r}: folder {clip(folder)!r} does not exist")
    if not folder.is_dir():
        raise InvalidOption(f"cannot write plot {text!r}: {clip(folder)!r} is not a folder")
    if target.is_dir():
        raise InvalidOption(f"cannot write plot {text!r}: it is a folder")
    # os.access is not enough (root, read-only mounts): try what the real write will do
    try:
        fd, probe = tempfile.mkstemp(prefix=".puzzles-plot-", suffix=".tmp", dir=folder)
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        why = f" ({exc.strerror.lower()})" if exc.errno in (errno.EROFS, errno.ENOSPC) else ""
        raise InvalidOption(f"cannot write plot {text!r}: folder {clip(folder)!r} is not "
                            f"writable{why}") from None
    if target.exists() and not os.access(target, os.W_OK):
        raise InvalidOption(f"cannot write plot {text!r}: the file is read-only")
    return target


# --------------------------------------------------------------------------- counts of trials
# One definition for the command line (--trials, --max-trials) and the Python API (verify(...,
# trials=1e6)), so both accept the same spellings.

_DIGITS = re.compile(r"\d+")
_SCIENTIFIC = re.compile(r"\d+(\.\d*)?[eE]\+?\d+")


def as_count(value, label: str):
    """`value` as a whole number > 0, or None for None.

    Accepted: an int, a float that is a whole number (1e6), a string of digits with optional
    '_' or ',' separators, or scientific notation that is a whole number ("1e6", "2.5e3").
    `label` names the option in the message, e.g. "trials=" or "--trials ".
    """
    if value is None:
        return None
    if isinstance(value, bool):
        count = None
    elif isinstance(value, numbers.Integral):
        count = int(value)
    elif isinstance(value, numbers.Real):
        f = float(value)
        count = int(f) if math.isfinite(f) and f.is_integer() else None
    elif isinstance(value, str):
        count = _from_text(value)
    else:
        count = None
    if count is None or count <= 0:
        example = " (e.g. 1000000 or 1e6)" if count is None else ""
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise InvalidOption(f"{label}{shown} must be a whole number > 0{example}")
    if trials_limit(label.strip(), count):
        message = trials_limit(label.strip(), count)
        if count >= 10**40 and isinstance(value, str):  # as typed, not the 1e+40 it stands for
            typed = value.strip() if len(value.strip()) <= 20 else value.strip()[:17] + "..."
            message = message.replace(count_text(count), typed, 1)
        raise InvalidOption(message)
    return count


def as_trials(value, label: str):
    """A count as as_count, or "auto" (any case); None stays None."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    return as_count(value, label)


def _from_text(text: str):
    clean = text.strip().replace("_", "").replace(",", "")
    if len(clean) > 40 and _DIGITS.fullmatch(clean):  # past any count (and int()'s 4300 digits)
        return 10**40
    if _DIGITS.fullmatch(clean):
        return int(clean)
    if _SCIENTIFIC.fullmatch(clean):
        try:
            f = float(clean)
        except OverflowError:  # pragma: no cover - float() gives inf rather than raising
            return None
        if math.isfinite(f) and f.is_integer():
            return int(f)
    return None
