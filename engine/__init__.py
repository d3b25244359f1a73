"""The puzzles engine: puzzle specs, discovery, parallel simulation, statistics and verdicts.

    from puzzles.engine import verify, check
    report = verify("handshakes", trials=10**6)
    print(report.format())
"""

from .errors import (InvalidClaim, InvalidOption, InvalidParameter, InvalidPuzzleSpec,
                     PuzzleError, UnknownPuzzle)
from .registry import all_puzzles, get_puzzle
from .spec import Cdf, Integer, Mean, Pmf, Probability, Puzzle, Real, Variance
from .verify import DEFAULT_SEED, verify

__all__ = [
    "verify", "check", "get_puzzle", "all_puzzles", "DEFAULT_SEED",
    "Puzzle", "Integer", "Real", "Mean", "Variance", "Probability", "Pmf", "Cdf",
    "PuzzleError", "UnknownPuzzle", "InvalidParameter", "InvalidOption", "InvalidClaim",
    "InvalidPuzzleSpec",
]


def __getattr__(name):
    # check() pulls in the claim parser (engine.judge); load it only when asked for
    if name == "check":
        from .judge import check

        return check
    raise AttributeError(name)
