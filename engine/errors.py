"""One exception hierarchy for everything a user can cause.

Raised deep inside the engine; translated to one line on stderr and exit code 2 only in `cli/`.
"""


class PuzzleError(Exception):
    """Base of every error a user can cause (bad name, bad parameter, bad claim, ...)."""


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
