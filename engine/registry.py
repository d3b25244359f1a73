"""Finding puzzles by name.

Built-ins are every module of the `puzzles` package that defines `PUZZLE`. A module that fails to
load is recorded with its reason instead of breaking the listing of the others.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache

from .errors import InvalidPuzzleSpec, PuzzleError, UnknownPuzzle
from .spec import Puzzle

BUILTIN_PACKAGE = "puzzles"


@dataclass(frozen=True)
class BrokenPuzzle:
    source: str
    reason: str


@dataclass(frozen=True)
class Registry:
    puzzles: dict  # name -> Puzzle
    broken: tuple  # BrokenPuzzle, one per file that failed to load


def _load_module(module_name: str, source: str):
    try:
        module = importlib.import_module(module_name)
    except PuzzleError as exc:
        return None, BrokenPuzzle(source, str(exc))
    except Exception as exc:  # any error in a puzzle file is that file's problem, not ours
        return None, BrokenPuzzle(source, f"{type(exc).__name__}: {exc}")
    puzzle = getattr(module, "PUZZLE", None)
    if not isinstance(puzzle, Puzzle):
        return None, BrokenPuzzle(source, "defines no PUZZLE = Puzzle(...)")
    return puzzle, None


@lru_cache(maxsize=1)
def registry() -> Registry:
    found: dict[str, Puzzle] = {}
    sources: dict[str, str] = {}
    broken: list[BrokenPuzzle] = []
    package = importlib.import_module(BUILTIN_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module_name = f"{BUILTIN_PACKAGE}.{info.name}"
        puzzle, error = _load_module(module_name, module_name)
        if error:
            broken.append(error)
            continue
        if puzzle.name in found:
            broken.append(BrokenPuzzle(module_name, f"puzzle {puzzle.name!r} is already defined "
                                                    f"by {sources[puzzle.name]}"))
            continue
        found[puzzle.name] = puzzle
        sources[puzzle.name] = module_name
    return Registry(dict(sorted(found.items())), tuple(broken))


def all_puzzles() -> dict[str, Puzzle]:
    return registry().puzzles


def get_puzzle(name) -> Puzzle:
    """The puzzle called `name` (a Puzzle object is returned as it is)."""
    if isinstance(name, Puzzle):
        return name
    reg = registry()
    if name in reg.puzzles:
        return reg.puzzles[name]
    for bad in reg.broken:
        if bad.source.rsplit(".", 1)[-1].replace("_", "-") == name:
            raise InvalidPuzzleSpec(f"puzzle {name!r} failed to load from {bad.source}: {bad.reason}")
    close = difflib.get_close_matches(name, list(reg.puzzles), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; run 'puzzles list' to see them"
    raise UnknownPuzzle(f"unknown puzzle {name!r}{hint}")
