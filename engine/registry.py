"""Finding puzzles by name.

Three sources, in this order:

- built-ins: every module of the `puzzles` package that defines `PUZZLE`;
- user folders: every `*.py` file not starting with `_` in each folder of the environment
  variable PUZZLES_PATH (os.pathsep-separated), loaded from its path; pytest's files
  (test_*.py, *_test.py, conftest.py) are not puzzles and are skipped;
- puzzle packs: installed distributions that declare entry points in the group `puzzles`, each
  loading to a Puzzle or to a module that defines `PUZZLE`.

Whatever fails to load (a syntax error, a missing import, a spec that fails validation, a name
that is already taken) is recorded with its reason instead of breaking the others; asking for
that puzzle by name raises the reason.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import sys
import traceback
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from .errors import InvalidPuzzleSpec, PuzzleError
# the sources and their names are listed by the index, which imports nothing heavy
from .index import (BUILTIN_PACKAGE, ENTRY_POINT_GROUP, PATH_VARIABLE,  # noqa: F401 (re-exported)
                    BrokenPuzzle, all_sources, assemble, entry_point_source, pick,
                    plugin_entry_points, search_path)
from .index import index as _index
from .index import puzzle_files as _puzzle_files
from .spec import Puzzle

# Longest reason shown for a foreign exception; numba's typing errors run to pages.
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class Registry:
    puzzles: dict  # name -> Puzzle
    broken: tuple  # BrokenPuzzle, one per source that failed to load
    sources: dict  # name -> the file or entry point it came from


# --------------------------------------------------------------------------- reasons


def exception_summary(exc: BaseException, path: str | None = None) -> str:
    """One line about `exc`, with the line of `path` where it was raised when there is one."""
    if isinstance(exc, PuzzleError):
        return _one_line(str(exc))
    if isinstance(exc, SyntaxError):
        where = f" at line {exc.lineno}" if exc.lineno else ""
        return f"SyntaxError{where}: {exc.msg}"
    line = None
    if path is not None:
        target = os.path.realpath(path)
        for frame in traceback.extract_tb(exc.__traceback__):
            if os.path.realpath(frame.filename) == target:
                line = frame.lineno  # the deepest frame in the author's file is the one to fix
    where = f" at line {line}" if line else ""
    from .preflight import hint_for, load_hint, shorten  # the usual traps, and their fixes

    hint = hint_for(_ANSI_ESCAPE.sub("", str(exc))) or load_hint(exc, path)
    summary = f"{type(exc).__name__}{where}: {_one_line(shorten(str(exc)))}"
    return summary + (f"; hint: {hint}" if hint else "")


_NUMBA_BOILERPLATE = ("Failed in nopython mode pipeline", "Failed in object mode pipeline",
                      "During:", "^", "This error may have been caused",
                      "- Resolution failure", "Enable logging at debug level")


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_NUMBA_LOCATION = re.compile(r'File "[^"]*", line (\d+)')


def _one_line(text: str) -> str:
    """The first line that says something, and the line number numba reports, if any."""
    lines = [ln.strip() for ln in _ANSI_ESCAPE.sub("", text).splitlines() if ln.strip()]
    kept = [ln for ln in lines if not ln.startswith(_NUMBA_BOILERPLATE)] or lines or [""]
    first = kept[0]
    location = next((m for m in map(_NUMBA_LOCATION.match, kept[1:]) if m), None)
    if location:
        first += f" (line {location.group(1)})"
    if len(first) > MAX_REASON_CHARS:
        first = first[:MAX_REASON_CHARS - 3].rstrip() + "..."
    return first


def _puzzle_of(obj, what: str) -> Puzzle:
    """The Puzzle that `obj` (a Puzzle, or a module defining PUZZLE) stands for."""
    if isinstance(obj, Puzzle):
        return obj
    if isinstance(obj, ModuleType):
        puzzle = getattr(obj, "PUZZLE", None)
        if isinstance(puzzle, Puzzle):
            return puzzle
        if puzzle is None:
            raise InvalidPuzzleSpec(f"{what} defines no PUZZLE: end it with PUZZLE = Puzzle(...)")
        raise InvalidPuzzleSpec(f"{what} defines PUZZLE as a {type(puzzle).__name__}, "
                                f"not a Puzzle(...)")
    raise InvalidPuzzleSpec(f"{what} is a {type(obj).__name__}, not a Puzzle or a module "
                            f"that defines PUZZLE")


def _with_source(puzzle: Puzzle, source: str) -> Puzzle:
    # `source` is outside the puzzle's identity (compare=False); record where it came from
    # without re-running validation through dataclasses.replace
    if not puzzle.source:
        object.__setattr__(puzzle, "source", source)
    return puzzle


# --------------------------------------------------------------------------- built-ins


def load_builtin(module_name: str, path: str) -> Puzzle:
    """The PUZZLE of a built-in module; every failure is an InvalidPuzzleSpec naming the file."""
    try:
        module = importlib.import_module(module_name)
        path = getattr(module, "__file__", None) or path
        return _with_source(_puzzle_of(module, "the module"), path)
    except Exception as exc:  # any error in a puzzle file is that file's problem, not ours
        raise InvalidPuzzleSpec(f"{path}: {exception_summary(exc, path)}") from exc


# --------------------------------------------------------------------------- user folders


def _module_name_for(path: str) -> str:
    # unique per file, so two folders may each hold a dice_sum.py, and stable, so that
    # reloading a changed file replaces its old module
    digest = hashlib.sha1(os.path.realpath(path).encode()).hexdigest()[:10]
    stem = "".join(c if c.isalnum() else "_" for c in os.path.splitext(os.path.basename(path))[0])
    return f"_puzzles_path_{stem}_{digest}"


def load_puzzle_file(path: str) -> Puzzle:
    """The PUZZLE defined by the file at `path`; every failure is an InvalidPuzzleSpec naming it."""
    path = os.path.abspath(path)
    module_name = _module_name_for(path)
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise InvalidPuzzleSpec("is not a Python file")
        module = importlib.util.module_from_spec(spec)
        # numba and pickle look kernels' modules up in sys.modules
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        return _with_source(_puzzle_of(module, "the file"), path)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # anything a user file does wrong, a sys.exit() in it included
        raise InvalidPuzzleSpec(f"{path}: {exception_summary(exc, path)}") from exc


def _fingerprint(folders: list[str]) -> tuple:
    """What the user folders hold: names, sizes and times, so an edited file is reloaded."""
    out = []
    for folder in folders:
        files = []
        for path in _puzzle_files(folder):
            try:
                st = os.stat(path)
                files.append((path, st.st_mtime_ns, st.st_size))
            except OSError:
                continue
        out.append((folder, tuple(files)))
    return tuple(out)


# --------------------------------------------------------------------------- entry points


def load_entry_point(entry_point) -> Puzzle:
    """The Puzzle an entry point loads to; every failure is an InvalidPuzzleSpec naming it."""
    source = entry_point_source(entry_point)
    try:
        return _with_source(_puzzle_of(entry_point.load(), "it"), source)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        raise InvalidPuzzleSpec(f"{source}: {exception_summary(exc)}") from exc


# --------------------------------------------------------------------------- the registry


def registry() -> Registry:
    """Every puzzle, from all three sources; rebuilt when PUZZLES_PATH or its files change."""
    folders = list(dict.fromkeys(search_path()))
    entry_point_keys = tuple((ep.name, ep.value) for ep in plugin_entry_points())
    return _build(tuple(folders), _fingerprint(folders), entry_point_keys)


def _load_source(src):
    """(source, presumed name, Puzzle or None, reason) for one source of index.all_sources()."""
    if src.kind == "missing":
        return (src.source, src.presumed, None, src.reason)
    try:
        if src.kind == "builtin":
            puzzle = load_builtin(src.target, src.source)
        elif src.kind == "file":
            puzzle = load_puzzle_file(src.source)
        else:
            puzzle = load_entry_point(src.target)
        return (src.source, src.presumed, puzzle, "")
    except InvalidPuzzleSpec as exc:
        reason = str(exc)
        if reason.startswith(src.source + ": "):
            reason = reason[len(src.source) + 2:]
        return (src.source, src.presumed, None, reason)


@lru_cache(maxsize=8)
def _build(folders: tuple, files_key: tuple, entry_point_keys: tuple) -> Registry:
    # the last two only key the cache: a new or edited file in a user folder, or a newly
    # installed puzzle pack, means a rebuild
    entries = [_load_source(src) for src in all_sources(list(folders), plugin_entry_points())]
    found, broken, sources = assemble(entries)
    return Registry(found, broken, sources)


def all_puzzles() -> dict[str, Puzzle]:
    return registry().puzzles


def get_puzzle(name) -> Puzzle:
    """The puzzle called `name` (a Puzzle object is returned as it is).

    A built-in is imported alone: the index (engine/index.py) knows every source's names
    without importing them, so the other modules need not be loaded to rule out a duplicate.
    """
    if isinstance(name, Puzzle):
        return name
    try:
        idx = _index()
        entry = idx.lookup(name)
        if idx.kinds.get(name) == "builtin":
            puzzle = load_builtin(idx.targets[name], entry.source)
            if puzzle.name == name:
                return puzzle
    except Exception:  # noqa: BLE001 -- a stale or unreadable index: ask the full registry
        pass
    reg = registry()
    return pick(name, reg.puzzles, reg.broken)
