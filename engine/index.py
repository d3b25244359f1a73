"""What puzzles exist, read cheaply: names, titles and `show` texts without importing them.

Importing a puzzle module costs sympy and numba (about a second); `puzzles list`, `show NAME`
and the errors about a mistyped name need none of it. This index walks the same sources as the
registry (built-ins, PUZZLES_PATH folders, entry points) in the same order, and for each source
keeps what the cheap commands print, computed once by the real code (a real import, the real
`describe`) and stored in a cache file keyed by

- the source: its real path, modification time (ns), size and inode (an entry point: its name,
  value and distribution version, and the stat of its module's file when that can be found),
- the `_*.py` helper modules beside it (a built-in's simulator may import catalog/_draws.py),
- this engine's own files that shape the output (spec, describe, registry, index) and the
  Python, sympy and numba installations.

Any change to one of these means a miss: the source is imported again, as before. A source that
fails to load is cached only when its failure is a property of the file and the engine (a
SyntaxError, or a spec that fails validation); any other failure (a missing module, say) may
depend on the environment, so that source is tried again on every run.

The cache lives in PUZZLES_CACHE_DIR, else $XDG_CACHE_HOME/puzzles (~/.cache/puzzles); a
missing, unreadable, corrupt or read-only cache only costs the imports. Writers replace the file
atomically (a temporary file, then os.replace), so concurrent commands never see half a file; if
two write at once one's new entries may be lost, which costs that many imports next time.

This module imports nothing heavy: no sympy, numba or numpy.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from .errors import (InvalidParameter, InvalidPuzzleSpec, UnknownPuzzle, clip, did_you_mean,
                     quote, some_names)
from .values import TooBig, not_a_number, number_from_text, show_number, too_many_digits

BUILTIN_PACKAGE = "puzzles.catalog"
PATH_VARIABLE = "PUZZLES_PATH"
ENTRY_POINT_GROUP = "puzzles"
CACHE_VARIABLE = "PUZZLES_CACHE_DIR"
CACHE_FILE = "index-v1.json"
MAX_CACHED = 4000  # entries kept in the cache file; the oldest go first
# entries filed by another engine (an older version, another Python) kept beside this one's:
# after an upgrade the old ones are never read again, and every command reads the whole file
OTHER_ENTRIES_KEPT = 200

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CATALOG_HEADER = ("| puzzle | title | parameters (defaults) | quantities |", "|---|---|---|---|")


@dataclass(frozen=True)
class BrokenPuzzle:
    source: str       # the file (or entry point) that failed
    reason: str       # what is wrong, in words its author can act on
    name: str = ""    # the puzzle name it provides, or presumably would (from its file name)
    clashes_with: str = ""  # for a duplicate name: the source that defined the name first


@dataclass(frozen=True)
class Source:
    """One place a puzzle may come from, before anything is imported."""

    kind: str         # "builtin", "file", "entry point" or "missing" (a bad PUZZLES_PATH entry)
    source: str       # the file, or the entry point's description
    presumed: str     # the name it presumably provides
    target: object = field(default=None, compare=False)  # module name, path, or entry point
    reason: str = ""  # for "missing": what is wrong


# --------------------------------------------------------------------------- the sources


def search_path(value: str | None = None) -> list[str]:
    """The folders named by PUZZLES_PATH (or by `value`), in order, empty entries dropped."""
    if value is None:
        value = os.environ.get(PATH_VARIABLE, "")
    return [os.path.abspath(os.path.expanduser(p)) for p in value.split(os.pathsep) if p.strip()]


def is_test_file(file_name: str) -> bool:
    """pytest's files (test_*.py, *_test.py, conftest.py): they sit beside puzzles (`puzzles
    new` writes test_NAME.py) but are not puzzles."""
    return (file_name.startswith("test_") or file_name.endswith("_test.py")
            or file_name == "conftest.py")


def puzzle_files(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names
            if n.endswith(".py") and not n.startswith(("_", ".")) and not is_test_file(n)
            and os.path.isfile(os.path.join(folder, n))]


@lru_cache(maxsize=1)
def plugin_entry_points() -> tuple:
    """Installed entry points of the group `puzzles` (read once; cache_clear() to re-read)."""
    import importlib.metadata  # here, not at the top: it costs a few hundredths of a second

    return tuple(sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
                        key=lambda ep: (ep.name, ep.value)))


def entry_point_source(entry_point) -> str:
    dist = getattr(entry_point, "dist", None)
    package = f" of {dist.name}" if getattr(dist, "name", None) else ""
    return f"entry point '{entry_point.name} = {entry_point.value}'{package}"


def builtin_sources() -> list[Source]:
    package = importlib.import_module(BUILTIN_PACKAGE)  # its __init__ is a docstring
    out = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        path = os.path.join(getattr(info.module_finder, "path", ""), info.name + ".py")
        out.append(Source("builtin", path, info.name.replace("_", "-"),
                          f"{BUILTIN_PACKAGE}.{info.name}"))
    return out


def folder_sources(folder: str) -> list[Source]:
    if not os.path.exists(folder):
        return [Source("missing", folder, "", None,
                       f"{PATH_VARIABLE} names a folder that does not exist")]
    if not os.path.isdir(folder):
        return [Source("missing", folder, "", None,
                       f"{PATH_VARIABLE} names a file; it must name folders")]
    return [Source("file", path, os.path.splitext(os.path.basename(path))[0].replace("_", "-"),
                   path) for path in puzzle_files(folder)]


def all_sources(folders=None, entry_points=None) -> list[Source]:
    """Every source, in the registry's order, a file reached twice listed once."""
    folders = list(dict.fromkeys(search_path() if folders is None else folders))
    out = builtin_sources()
    seen = {os.path.realpath(s.source) for s in out}
    for folder in folders:
        for s in folder_sources(folder):
            if s.kind == "file":
                real = os.path.realpath(s.source)
                if real in seen:  # the same file reached twice (say, the catalog on the path)
                    continue
                seen.add(real)
            out.append(s)
    eps = plugin_entry_points() if entry_points is None else entry_points
    out += [Source("entry point", entry_point_source(ep), ep.name, ep) for ep in eps]
    return out


# --------------------------------------------------------------------------- names


def assemble(entries):
    """(source, presumed, thing or None, reason) in order -> (found, sources, broken).

    `thing` is anything with a .name (a Puzzle, or an index Entry); the first definition of a
    name wins and each later one is broken, naming the first."""
    found: dict = {}
    sources: dict[str, str] = {}
    broken: list[BrokenPuzzle] = []
    for source, presumed, thing, reason in entries:
        if thing is None:
            broken.append(BrokenPuzzle(source, reason, presumed))
        elif thing.name in found:
            first = sources[thing.name]
            broken.append(BrokenPuzzle(
                source, f"puzzle {thing.name!r} is already defined in {first}; rename one of "
                        f"them (the name= of its PUZZLE)", thing.name, first))
        else:
            found[thing.name] = thing
            sources[thing.name] = source
    return dict(sorted(found.items())), tuple(broken), sources


def pick(name: str, found: dict, broken) -> object:
    """found[name], or the error a user should see: a duplicate, a broken file, a typo."""
    for bad in broken:
        if bad.clashes_with and bad.name == name:
            raise InvalidPuzzleSpec(
                f"puzzle {name!r} is defined twice, in {bad.clashes_with} and in {bad.source}; "
                f"rename one of them (the name= of its PUZZLE)")
    if name in found:
        return found[name]
    for bad in broken:
        # P_Bad.py is the file a user means by P_Bad, P-Bad or p-bad
        if bad.name and _plain_name(bad.name) == _plain_name(str(name)):
            reason = bad.reason.removeprefix(f"puzzle {bad.name!r}: ")
            raise InvalidPuzzleSpec(f"puzzle {quote(name)} cannot be loaded from {bad.source}: {reason}")
    hint = did_you_mean(name, list(found)) or "; run 'puzzles list' to see them"
    here = str(name).replace("-", "_") + ".py"
    if os.path.isfile(here) and os.path.realpath(".") not in map(os.path.realpath, search_path()):
        hint += (f" ({here} is in this folder, which is not in {PATH_VARIABLE}: "
                 f"export {PATH_VARIABLE}=\"$PWD\")")
    files = [b for b in broken if not b.clashes_with]
    if files:
        hint += (f" ({len(files)} puzzle file{'s' * (len(files) != 1)} could not be loaded: "
                 f"'puzzles list' says why)")
    raise UnknownPuzzle(f"unknown puzzle {quote(name)}{hint}")


def _plain_name(name: str) -> str:
    return name.strip().lower().replace("_", "-").removesuffix(".py")


# --------------------------------------------------------------------------- the cache


def cache_dir() -> str:
    explicit = os.environ.get(CACHE_VARIABLE)
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "puzzles")


def _stat_key(path) -> list | None:
    try:
        st = os.stat(path)
    except (OSError, TypeError, ValueError):
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


_ENGINE_FILES = ("spec.py", "describe.py", "registry.py", "index.py", "errors.py", "values.py")


@lru_cache(maxsize=1)
def _engine_stamp() -> str:
    """What every cached entry also depends on: this engine, Python, sympy and numba."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = [sys.version, CACHE_FILE] + [_stat_key(os.path.join(here, f)) for f in _ENGINE_FILES]
    for package in ("sympy", "numba"):
        try:
            spec = importlib.util.find_spec(package)  # finds, does not import
            parts.append(_stat_key(spec.origin) if spec else None)
        except (ImportError, ValueError):
            parts.append(None)
    return hashlib.sha1(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def _helpers_stamp(folder: str) -> list:
    """The stat of the `_*.py` helper modules in `folder` (a puzzle there may import them)."""
    try:
        names = sorted(n for n in os.listdir(folder) if n.startswith("_") and n.endswith(".py"))
    except OSError:
        return []
    return [[n, _stat_key(os.path.join(folder, n))] for n in names]


def _module_origin(module: str) -> str | None:
    """The file of an entry point's module, if it can be found without importing it."""
    try:
        spec = importlib.util.find_spec(module.partition(":")[0].strip())
    except Exception:  # a parent package that fails to import: no file, no stat
        return None
    return getattr(spec, "origin", None) if spec else None


def cache_key(src: Source) -> str | None:
    """The key of a source's cached entry; None if it cannot be keyed (never cached)."""
    if src.kind in ("builtin", "file"):
        stat = _stat_key(src.source)
        if stat is None:
            return None
        parts = ["file", os.path.realpath(src.source), stat,
                 _helpers_stamp(os.path.dirname(src.source))]
    elif src.kind == "entry point":
        ep = src.target
        dist = getattr(ep, "dist", None)
        version = getattr(dist, "version", None) if dist is not None else None
        origin = _module_origin(ep.value)
        parts = ["entry point", ep.name, ep.value, getattr(dist, "name", None), version,
                 origin, _stat_key(origin) if origin else None,
                 _helpers_stamp(os.path.dirname(origin)) if origin else []]
    else:
        return None
    parts.append(_engine_stamp())
    return hashlib.sha1(json.dumps(parts, default=str).encode()).hexdigest()


class _Cache:
    """The cache file: {key: entry}. Read once per process; written only after a miss."""

    def __init__(self):
        self.entries: dict | None = None

    def path(self) -> str:
        return os.path.join(cache_dir(), CACHE_FILE)

    def _read(self) -> dict:
        try:
            with open(self.path(), encoding="utf-8") as f:
                data = json.load(f)
            entries = data.get("entries") if isinstance(data, dict) else None
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, UnicodeDecodeError):
            return {}

    def get(self, key: str):
        if self.entries is None:
            self.entries = self._read()
        entry = self.entries.get(key)
        return entry if isinstance(entry, dict) else None

    def put(self, new: dict) -> None:
        """Merge `new` into the file (re-read just before, to keep concurrent writers' entries),
        each entry marked with the engine that filed it; of other engines' entries only the
        newest OTHER_ENTRIES_KEPT stay."""
        if self.entries is None:
            self.entries = self._read()
        stamp = _engine_stamp()
        new = {key: dict(entry, engine=stamp) for key, entry in new.items()}
        self.entries.update(new)
        merged = self._read()
        merged.update(new)
        others = [key for key, entry in merged.items()
                  if not (isinstance(entry, dict) and entry.get("engine") == stamp)]
        for key in others[:max(len(others) - OTHER_ENTRIES_KEPT, 0)]:  # the oldest first
            del merged[key]
        if len(merged) > MAX_CACHED:
            merged = dict(list(merged.items())[-MAX_CACHED:])
        import tempfile

        try:
            folder = os.path.dirname(self.path())
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump({"entries": merged}, f)
                os.replace(tmp, self.path())
            except BaseException:
                try:
                    os.remove(tmp)
                except OSError:
                    pass
                raise
        except OSError:  # read-only, full, or no home: the cache is only a shortcut
            pass


_CACHE = _Cache()


def clear_memory() -> None:
    """Forget what this process read from the cache file (tests; a changed PUZZLES_CACHE_DIR)."""
    _CACHE.entries = None
    _engine_stamp.cache_clear()


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class Entry:
    """What the cheap commands need of one puzzle, as the real code printed it."""

    name: str
    title: str
    show: str         # `puzzles show NAME` at the defaults, without answers
    row: str          # its row of `puzzles list --markdown`
    parameters: tuple  # parameter names, in order
    source: str = ""
    # per parameter, what checking a typed value needs (see _parameter_entry): its kind,
    # default, range text and the bounds that do not depend on other parameters
    ranges: tuple = ()
    constraints: int = 0   # how many constraints between parameters (a + b >= 3) it declares
    quantities: tuple = ()  # (name, its law's variable or "") of each declared quantity
    outcomes: tuple = ()

    def check_parameter_names(self, given) -> None:
        for key in given:
            if key not in self.parameters:
                raise InvalidParameter(unknown_parameter(self.name, key, self.parameters))

    def check_parameter_values(self, given) -> bool:
        """Refuse typed values (text, as on the command line) the way Puzzle.resolve would,
        with its message, without importing the puzzle: every value is read (in the order
        the parameters are declared), then the ranges that are plain numbers are checked in
        resolve's order. True when resolve would accept `given`; False when only resolve can
        tell (a bound that names another parameter, a constraint such as a + b >= 3).
        No values given: True (the defaults are checked when a puzzle is loaded)."""
        self.check_parameter_names(given)
        if not given:
            return True
        if len(self.ranges) != len(self.parameters):
            return False
        values = {}
        for p in self.ranges:
            raw = given.get(p["name"])
            values[p["name"]] = (Fraction(p["default"]) if raw is None
                                 else _typed_value(p, raw))
        for p in sorted(self.ranges, key=lambda p: p["dependent"]):  # resolve's order
            if p["dependent"]:
                return False
            value = values[p["name"]]
            ok = True
            for side, bound in p["bounds"].items():
                if bound is None:
                    return False  # a number sympy must compare (pi, sqrt(2)): resolve decides
                if not _within(value, side, bound):
                    ok = False
            if p["even"] and value % 2 != 0:
                ok = False
            if not ok:
                raise InvalidParameter(f"{p['name']}={show_number(value)} is out of range: "
                                       f"{p['name']} must be {p['range']}")
        return not self.constraints


def _typed_value(p: dict, raw: str) -> Fraction:
    """Parameter.parse of a typed value, its messages included."""
    name, text = p["name"], clip(str(raw).strip(), 40)
    try:
        value = number_from_text(str(raw))
    except TooBig:
        raise InvalidParameter(too_many_digits(name, text)) from None
    except (ValueError, ZeroDivisionError, TypeError):
        raise InvalidParameter(not_a_number(name, text, p["range"])) from None
    if p["kind"] == "integer" and value.denominator != 1:
        raise InvalidParameter(f"{name}={text} must be {p['range']}")
    return value


def _within(value: Fraction, side: str, bound: str) -> bool:
    if bound in ("oo", "-oo"):
        high = bound == "oo"
        return high if side in ("max", "below") else not high
    b = Fraction(bound)
    return {"min": value >= b, "max": value <= b, "above": value > b, "below": value < b}[side]


def unknown_parameter(puzzle: str, key: str, names) -> str:
    names = list(names)
    return (f"unknown parameter {quote(key)} for {puzzle}{did_you_mean(key, names)} "
            f"(its parameters: {some_names(names) or 'none'})")


@dataclass(frozen=True)
class Index:
    puzzles: dict     # name -> Entry
    broken: tuple     # BrokenPuzzle
    sources: dict     # name -> source
    kinds: dict       # name -> "builtin", "file" or "entry point"
    targets: dict     # name -> module name, path or entry point

    def lookup(self, name: str) -> Entry:
        return pick(name, self.puzzles, self.broken)


def _entry_of(puzzle, source: str) -> dict:
    from .describe import catalog_row, describe_puzzle

    return {"name": puzzle.name, "title": puzzle.title, "show": describe_puzzle(puzzle),
            "row": catalog_row(puzzle), "parameters": [p.name for p in puzzle.parameters],
            "source": source, "ranges": [_parameter_entry(p) for p in puzzle.parameters],
            "constraints": len(puzzle.constraints),
            "quantities": [[q.name, q.variable.name if q.variable is not None else ""]
                           for q in puzzle.quantities],
            "outcomes": list(puzzle.outcomes)}


def _parameter_entry(p) -> dict:
    """One parameter as check_parameter_values needs it, from the real Parameter (sympy is
    loaded here): its default and its bounds as exact numbers in text ('3', '-1/2', 'oo'), a
    bound sympy alone can compare (pi) as None, and whether any bound names another parameter."""
    import sympy

    def exact(b):
        b = sympy.nsimplify(sympy.sympify(b))  # as Parameter.check reads a bound
        if b in (sympy.oo, -sympy.oo):
            return str(b)
        return str(b) if b.is_Rational else None

    dependent = bool(p.bound_symbols())
    bounds = {} if dependent else {side: exact(getattr(p, side))
                                   for side in ("min", "max", "above", "below")
                                   if getattr(p, side) is not None}
    return {"name": p.name, "kind": p.kind, "even": bool(p.even), "range": p.range_text(),
            "default": str(p.parse(p.default)), "dependent": dependent, "bounds": bounds}


def _load(src: Source) -> tuple[dict | None, str, bool]:
    """Import one source: (entry or None, reason, whether the outcome may be cached)."""
    from . import registry as reg

    try:
        if src.kind == "builtin":
            puzzle = reg.load_builtin(src.target, src.source)
        elif src.kind == "file":
            puzzle = reg.load_puzzle_file(src.source)
        else:
            puzzle = reg.load_entry_point(src.target)
        return _entry_of(puzzle, src.source), "", True
    except InvalidPuzzleSpec as exc:
        reason = str(exc)
        if reason.startswith(src.source + ": "):
            reason = reason[len(src.source) + 2:]
        # a broken file stays broken until it (or the engine) changes only if the file itself
        # is at fault; a failed import elsewhere may be mended by installing something
        cause = exc.__cause__
        stable = cause is None or isinstance(cause, (SyntaxError, InvalidPuzzleSpec))
        return None, reason, stable


def _entry_from(data, source: str) -> Entry | None:
    try:
        ranges = tuple(data["ranges"])
        if not all(isinstance(p, dict) and isinstance(p.get("bounds"), dict) for p in ranges):
            return None
        return Entry(str(data["name"]), str(data["title"]), str(data["show"]), str(data["row"]),
                     tuple(map(str, data["parameters"])), source, ranges,
                     int(data["constraints"]), tuple((str(n), str(v)) for n, v in data["quantities"]),
                     tuple(map(str, data["outcomes"])))
    except (KeyError, TypeError, ValueError):
        return None


def build_index(folders=None, entry_points=None) -> Index:
    """The index of every source, importing only those the cache does not know."""
    rows, kinds, targets, fresh = [], {}, {}, {}
    for src in all_sources(folders, entry_points):
        if src.kind == "missing":
            rows.append((src.source, src.presumed, None, src.reason))
            continue
        key = cache_key(src)
        cached = _CACHE.get(key) if key else None
        entry = reason = None
        if cached is not None:
            reason = cached.get("reason")
            entry = _entry_from(cached["entry"], src.source) if cached.get("entry") else None
            if not isinstance(reason, str) or (entry is None and not reason):
                entry = reason = None  # a damaged entry: load for real
        if entry is None and reason is None:
            data, reason, stable = _load(src)
            entry = _entry_from(data, src.source) if data else None
            if key and stable:
                fresh[key] = {"entry": data, "reason": reason}
        if entry is not None:
            kinds.setdefault(entry.name, src.kind)
            targets.setdefault(entry.name, src.target)
        rows.append((src.source, src.presumed, entry, reason or ""))
    if fresh:
        _CACHE.put(fresh)
    found, broken, sources = assemble(rows)
    return Index(found, broken, sources, kinds, targets)


def index() -> Index:
    """The index of every puzzle now on the search path (see build_index)."""
    return build_index()
