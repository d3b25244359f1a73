"""Counts of trials as people write them: 1000000, 10_000_000, "10,000,000", 1e6 or "1e6".

One definition for the command line (--trials, --max-trials) and the Python API (verify(...,
trials=1e6)), so both accept the same spellings. Imports nothing heavy: the CLI parses its
options before it loads the engine.
"""

from __future__ import annotations

import math
import numbers
import re

from .errors import InvalidOption

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
        raise InvalidOption(f"{label}{value!r} must be a whole number > 0{example}")
    return count


def as_trials(value, label: str):
    """A count as as_count, or "auto" (any case); None stays None."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    return as_count(value, label)


def _from_text(text: str):
    clean = text.strip().replace("_", "").replace(",", "")
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
