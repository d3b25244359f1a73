"""Parameter values as people type them ('3', '0.45', '1e6', '3/4'), read exactly without sympy.

engine/spec.py parses a value with these functions (and then makes a sympy number of it); the
index of puzzles (engine/index.py) uses them to refuse a value out of range before the puzzle,
sympy or numba is imported. Both give the same messages because both use this code.

This module imports nothing heavy.
"""

from __future__ import annotations

import re
from fractions import Fraction

# The largest parameter value, in digits of its numerator and of its denominator. Far past any
# sensible parameter, and far below where exact arithmetic on it gets slow.
MAX_PARAMETER_DIGITS = 100
NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE]([+-]?\d+))?(/\d+)?")


class TooBig(ValueError):
    """A value with more than MAX_PARAMETER_DIGITS digits above or below its fraction bar."""


def check_exponent(match) -> None:
    """Refuse 1e999999999 before Fraction() writes its exponent out digit by digit."""
    exponent = match.group(4)
    if exponent is not None and len(exponent.lstrip("+-").lstrip("0")) > 5:
        raise TooBig
    digits = len(re.sub(r"\D", "", match.group(1))) + len(match.group(5) or "")
    if digits > 4 * MAX_PARAMETER_DIGITS or (exponent is not None and
                                             abs(int(exponent)) > 4 * MAX_PARAMETER_DIGITS):
        raise TooBig


def sized(value: Fraction) -> Fraction:
    """`value`, or TooBig past MAX_PARAMETER_DIGITS digits above or below the fraction bar."""
    limit = 10 ** MAX_PARAMETER_DIGITS
    if abs(value.numerator) >= limit or value.denominator >= limit:
        raise TooBig
    return value


def too_many_digits(name: str, text: str) -> str:
    """What a parameter value past MAX_PARAMETER_DIGITS is told, in the index's check before
    any import and in spec's Parameter.parse and parse_number alike."""
    return (f"{name}={text} has too many digits: a parameter has at most {MAX_PARAMETER_DIGITS} "
            f"digits above and below its fraction bar, exponents written out")


def not_a_number(name: str, text: str, rule: str | None = None) -> str:
    """What a parameter value that does not read as a number is told (with its range, if any)."""
    return f"{name}={text} is not a number" + (f"; {name} must be {rule}" if rule else "")


def number_from_text(text: str) -> Fraction:
    """'0.45' -> 9/20, exactly; ValueError if it is not a number, TooBig if it is too long."""
    text = str(text).strip()
    match = NUMBER_RE.fullmatch(text)
    if not match:
        raise ValueError(text)
    check_exponent(match)
    return sized(Fraction(text))


def show_number(value) -> str:
    """An exact number as messages print it: 3, -3/4, and 10**20 as 1e20 (spec._show)."""
    if isinstance(value, Fraction):
        if value.denominator != 1:
            return str(value)
        value = value.numerator
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(abs(value))
        zeros = len(digits) - len(digits.rstrip("0"))
        if len(digits) > 15 and zeros >= 6:  # 10**20 reads as 1e20
            return ("-" if value < 0 else "") + f"{digits[:len(digits) - zeros]}e{zeros}"
    return str(value).replace("**", "^")
