"""One exception hierarchy for everything a user can cause.

Raised deep inside the engine; translated to one line on stderr and exit code 2 only in `cli/`.
"""


class PuzzleError(Exception):
    """Base of every error a user can cause (bad name, bad parameter, bad claim, ...)."""


class LimitExceeded(PuzzleError):
    """Input within the rules but beyond a bound on time or on the size of numbers; the message
    names the bound (engine.exact.bounded raises it for exact evaluation)."""


# An error line quotes at most this many characters of what the user typed.
QUOTE_WIDTH = 80


def clip(text, width: int = QUOTE_WIDTH) -> str:
    """`text` cut to `width` characters with an ellipsis: error lines never echo unbounded input."""
    text = str(text)
    return text if len(text) <= width else text[: width - 3] + "..."


class UnknownPuzzle(PuzzleError, LookupError):
    pass


class InvalidParameter(PuzzleError, ValueError):
    pass


class InvalidOption(PuzzleError, ValueError):
    """An engine option out of range: trials, threads, alpha, seed, ..."""


class InvalidClaim(PuzzleError, ValueError):
    pass


class InvalidPuzzleSpec(PuzzleError):
    """A puzzle module that does not describe a valid puzzle; names the file and what to fix."""
