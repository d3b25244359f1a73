"""Finding puzzles by name.

Three sources, in this order:

- built-ins: every module of the `puzzles` package that defines `PUZZLE`;
- user folders: every `*.py` file not starting with `_` in each folder of the environment
  variable PUZZLES_PATH (os.pathsep-separated), loaded from its path;
- puzzle packs: installed distributions that declare entry points in the group `puzzles`, each
  loading to a Puzzle or to a module that defines `PUZZLE`.

Whatever fails to load (a syntax error, a missing import, a spec that fails validation, a name
that is already taken) is recorded with its reason instead of breaking the others; asking for
that puzzle by name raises the reason.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import pkgutil
import re
import sys
import traceback
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from .errors import InvalidPuzzleSpec, PuzzleError, UnknownPuzzle
from .spec import Puzzle

BUILTIN_PACKAGE = "puzzles.catalog"
PATH_VARIABLE = "PUZZLES_PATH"
ENTRY_POINT_GROUP = "puzzles"
# Longest reason shown for a foreign exception; numba's typing errors run to pages.
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class BrokenPuzzle:
    source: str       # the file (or entry point) that failed
    reason: str       # what is wrong, in words its author can act on
    name: str = ""    # the puzzle name it provides, or presumably would (from its file name)
    clashes_with: str = ""  # for a duplicate name: the source that defined the name first


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


def _builtin_entries() -> list[tuple[str, str, Puzzle | None, str]]:
    """(file, presumed name, puzzle or None, reason) for each module of the built-in package."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    out = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module_name = f"{BUILTIN_PACKAGE}.{info.name}"
        path = os.path.join(getattr(info.module_finder, "path", ""), info.name + ".py")
        presumed = info.name.replace("_", "-")
        try:
            module = importlib.import_module(module_name)
            path = getattr(module, "__file__", None) or path
            out.append((path, presumed, _with_source(_puzzle_of(module, "the module"), path), ""))
        except Exception as exc:  # any error in a puzzle file is that file's problem, not ours
            out.append((path, presumed, None, exception_summary(exc, path)))
    return out


# --------------------------------------------------------------------------- user folders


def search_path(value: str | None = None) -> list[str]:
    """The folders named by PUZZLES_PATH (or by `value`), in order, empty entries dropped."""
    if value is None:
        value = os.environ.get(PATH_VARIABLE, "")
    return [os.path.abspath(os.path.expanduser(p)) for p in value.split(os.pathsep) if p.strip()]


def _puzzle_files(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names
            if n.endswith(".py") and not n.startswith(("_", "."))
            and os.path.isfile(os.path.join(folder, n))]


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


def _folder_entries(folder: str):
    if not os.path.exists(folder):
        return [(folder, "", None, f"{PATH_VARIABLE} names a folder that does not exist")]
    if not os.path.isdir(folder):
        return [(folder, "", None, f"{PATH_VARIABLE} names a file; it must name folders")]
    out = []
    for path in _puzzle_files(folder):
        presumed = os.path.splitext(os.path.basename(path))[0].replace("_", "-")
        try:
            out.append((path, presumed, load_puzzle_file(path), ""))
        except InvalidPuzzleSpec as exc:
            reason = str(exc)
            out.append((path, presumed, None, reason[len(path) + 2:]
                        if reason.startswith(path + ": ") else reason))
    return out


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


@lru_cache(maxsize=1)
def plugin_entry_points() -> tuple:
    """Installed entry points of the group `puzzles` (read once; cache_clear() to re-read)."""
    return tuple(sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
                        key=lambda ep: (ep.name, ep.value)))


def entry_point_source(entry_point) -> str:
    dist = getattr(entry_point, "dist", None)
    package = f" of {dist.name}" if getattr(dist, "name", None) else ""
    return f"entry point '{entry_point.name} = {entry_point.value}'{package}"


def load_entry_point(entry_point) -> Puzzle:
    """The Puzzle an entry point loads to; every failure is an InvalidPuzzleSpec naming it."""
    source = entry_point_source(entry_point)
    try:
        return _with_source(_puzzle_of(entry_point.load(), "it"), source)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        raise InvalidPuzzleSpec(f"{source}: {exception_summary(exc)}") from exc


def _entry_point_entries(entry_points):
    out = []
    for ep in entry_points:
        source = entry_point_source(ep)
        try:
            out.append((source, ep.name, load_entry_point(ep), ""))
        except InvalidPuzzleSpec as exc:
            out.append((source, ep.name, None, str(exc)[len(source) + 2:]))
    return out


# --------------------------------------------------------------------------- the registry


def registry() -> Registry:
    """Every puzzle, from all three sources; rebuilt when PUZZLES_PATH or its files change."""
    folders = list(dict.fromkeys(search_path()))
    entry_point_keys = tuple((ep.name, ep.value) for ep in plugin_entry_points())
    return _build(tuple(folders), _fingerprint(folders), entry_point_keys)


@lru_cache(maxsize=8)
def _build(folders: tuple, files_key: tuple, entry_point_keys: tuple) -> Registry:
    # the last two only key the cache: a new or edited file in a user folder, or a newly
    # installed puzzle pack, means a rebuild
    entries = _builtin_entries()
    seen_files = {os.path.realpath(e[0]) for e in entries}
    for folder in folders:
        for entry in _folder_entries(folder):
            real = os.path.realpath(entry[0])
            if real in seen_files:  # the same file reached twice (say, puzzles/ on the path)
                continue
            seen_files.add(real)
            entries.append(entry)
    entries += _entry_point_entries(plugin_entry_points())

    found: dict[str, Puzzle] = {}
    sources: dict[str, str] = {}
    broken: list[BrokenPuzzle] = []
    for source, presumed, puzzle, reason in entries:
        if puzzle is None:
            broken.append(BrokenPuzzle(source, reason, presumed))
        elif puzzle.name in found:
            first = sources[puzzle.name]
            broken.append(BrokenPuzzle(
                source, f"puzzle {puzzle.name!r} is already defined in {first}; rename one of "
                        f"them (the name= of its PUZZLE)", puzzle.name, first))
        else:
            found[puzzle.name] = puzzle
            sources[puzzle.name] = source
    return Registry(dict(sorted(found.items())), tuple(broken), sources)


def all_puzzles() -> dict[str, Puzzle]:
    return registry().puzzles


def get_puzzle(name) -> Puzzle:
    """The puzzle called `name` (a Puzzle object is returned as it is)."""
    if isinstance(name, Puzzle):
        return name
    reg = registry()
    for bad in reg.broken:
        if bad.clashes_with and bad.name == name:
            raise InvalidPuzzleSpec(
                f"puzzle {name!r} is defined twice, in {bad.clashes_with} and in {bad.source}; "
                f"rename one of them (the name= of its PUZZLE)")
    if name in reg.puzzles:
        return reg.puzzles[name]
    for bad in reg.broken:
        # P_Bad.py is the file a user means by P_Bad, P-Bad or p-bad
        if bad.name and _plain_name(bad.name) == _plain_name(str(name)):
            reason = bad.reason.removeprefix(f"puzzle {bad.name!r}: ")
            raise InvalidPuzzleSpec(f"puzzle {name!r} cannot be loaded from {bad.source}: {reason}")
    close = difflib.get_close_matches(name, list(reg.puzzles), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; run 'puzzles list' to see them"
    files = [b for b in reg.broken if not b.clashes_with]
    if files:
        hint += (f" ({len(files)} puzzle file{'s' * (len(files) != 1)} could not be loaded: "
                 f"'puzzles list' says why)")
    raise UnknownPuzzle(f"unknown puzzle {name!r}{hint}")


def _plain_name(name: str) -> str:
    return name.strip().lower().replace("_", "-").removesuffix(".py")
