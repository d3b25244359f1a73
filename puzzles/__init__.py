"""puzzles: a Monte Carlo verification engine for probability puzzles.

    import puzzles
    report = puzzles.verify("handshakes")     # simulate and compare with the closed forms
    report.verdict                            # 'agree', 'disagree' or 'inconclusive'
    puzzles.check("handshakes", "mean=2*a*b/(a+b-1)")

Puzzle files import their building blocks from here too:

    from puzzles import Integer, Mean, Pmf, Puzzle, Variance

The engine is `puzzles.engine`, the command line `puzzles.cli`, the built-in catalog
`puzzles.catalog`. Names are loaded on first use, so `import puzzles` is cheap.
"""

from __future__ import annotations

import os as _os

# In a source checkout the engine and the CLI are the folders engine/ and cli/ beside this
# one; an installed copy has them inside the package (pyproject.toml maps them there).
_here = _os.path.dirname(_os.path.abspath(__file__))
if not _os.path.isdir(_os.path.join(_here, "engine")):
    _root = _os.path.dirname(_here)
    if _os.path.isfile(_os.path.join(_root, "engine", "spec.py")):
        __path__.append(_root)  # noqa: F821 -- the package's own search path

# name -> the module of puzzles.engine that defines it
_API = {
    "verify": "verify", "DEFAULT_SEED": "verify",
    "check": "judge",
    "get_puzzle": "registry", "all_puzzles": "registry",
    "Puzzle": "spec", "Integer": "spec", "Real": "spec", "Mean": "spec", "Variance": "spec",
    "Probability": "spec", "Pmf": "spec", "Cdf": "spec",
    "PuzzleError": "errors", "UnknownPuzzle": "errors", "InvalidParameter": "errors",
    "InvalidOption": "errors", "InvalidClaim": "errors", "InvalidPuzzleSpec": "errors",
    "LimitExceeded": "errors",
}

# submodules reachable as attributes once `puzzles` is imported (puzzles.testing.assert_verifies)
_SUBMODULES = ("catalog", "cli", "engine", "testing")

__all__ = sorted(_API) + ["__version__"]


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("puzzle-verifier")
    except metadata.PackageNotFoundError:  # a source checkout that was never installed
        return "0+unknown"


def __getattr__(name: str):
    if name == "__version__":
        value = _version()
    elif name in _API:
        from importlib import import_module

        value = getattr(import_module(f"puzzles.engine.{_API[name]}"), name)
    elif name in _SUBMODULES:
        from importlib import import_module

        value = import_module(f"puzzles.{name}")
    else:
        raise AttributeError(f"module 'puzzles' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
