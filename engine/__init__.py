"""The puzzles engine: puzzle specs, discovery, parallel simulation, statistics and verdicts.

    from puzzles.engine import verify, check
    report = verify("handshakes", trials=10**6)
    print(report.format())

Names are loaded on first use: `from puzzles.engine.errors import PuzzleError` (what the
command line needs to report a typo) must not cost sympy and numba.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType

# name -> the module of this package that defines it
_API = {
    "verify": "verify", "DEFAULT_SEED": "verify", "check": "judge",
    "get_puzzle": "registry", "all_puzzles": "registry",
    "Puzzle": "spec", "Integer": "spec", "Real": "spec", "Mean": "spec", "Variance": "spec",
    "Probability": "spec", "Pmf": "spec", "Cdf": "spec",
    "PuzzleError": "errors", "UnknownPuzzle": "errors", "InvalidParameter": "errors",
    "InvalidOption": "errors", "InvalidClaim": "errors", "InvalidPuzzleSpec": "errors",
    "LimitExceeded": "errors",
}

__all__ = [
    "verify", "check", "get_puzzle", "all_puzzles", "DEFAULT_SEED",
    "Puzzle", "Integer", "Real", "Mean", "Variance", "Probability", "Pmf", "Cdf",
    "PuzzleError", "UnknownPuzzle", "InvalidParameter", "InvalidOption", "InvalidClaim",
    "InvalidPuzzleSpec", "LimitExceeded",
]


class _Engine(ModuleType):
    """`verify` is both a module of this package and its main function. Importing the module
    (as judge, sweep and puzzles.verify do) makes Python bind `puzzles.engine.verify` to the
    module, and `from puzzles.engine import verify` would then give a module, not the function.
    Such a binding is dropped here, so the name always means the function (from __getattr__);
    the module stays in sys.modules (`from puzzles.engine.verify import ...` works as ever)."""

    def __setattr__(self, name, value):
        if isinstance(value, ModuleType) and _API.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Engine


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'puzzles.engine' has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_API[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Engine(type(import_module(__name__))):
    """`puzzles.engine.verify` is the function, whichever is imported first: importing the
    submodule engine/verify.py (judge.py does, with `from .verify import ...`) sets the
    package's attribute `verify` to the module, and a lazy __getattr__ is then never asked, so
    `from puzzles.engine import verify` gave a module that is not callable."""

    @property
    def verify(self):
        return import_module(f"{__name__}.verify").verify

    @verify.setter
    def verify(self, _module) -> None:  # the import system recording the submodule: keep the function
        pass


import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _Engine
