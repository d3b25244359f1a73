"""Starting points for new puzzles: `puzzles new NAME` fills puzzle.py.tmpl with NAME, and
test_puzzle.py.tmpl with the test beside it (test_NAME.py, run by pytest).

The templates are real modules (a puzzle of two fair dice, its pytest file) kept as text
files, so that they read, diff and are edited like the modules they become.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from string import Template

from ..errors import InvalidOption, PuzzleError, clip, quote
from ..index import NAME_RE, is_test_file

TEMPLATE_FILE = "puzzle.py.tmpl"
TEST_TEMPLATE_FILE = "test_puzzle.py.tmpl"


def module_file_name(name: str) -> str:
    """'dice-sum' -> 'dice_sum.py': the CLI name with hyphens, the module with underscores."""
    return name.replace("-", "_") + ".py"


def check_puzzle_name(name: str) -> None:
    if not NAME_RE.match(name):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", name.lower()))
        hint = (f", e.g. {quote(suggestion)}" if suggestion and NAME_RE.match(suggestion)
                else ", e.g. 'dice-sum'")
        raise InvalidOption(f"{quote(name)} is not a puzzle name: use lowercase letters and digits "
                            f"in words joined by hyphens, starting with a letter{hint}")
    if is_test_file(module_file_name(name)):
        # its file would look like a test to pytest, and PUZZLES_PATH skips test files
        raise InvalidOption(f"{quote(name)} would be written to {module_file_name(name)}, a name "
                            f"pytest and PUZZLES_PATH keep for tests: choose a name that does "
                            f"not start with 'test-' or end in '-test'")


def render_puzzle(name: str) -> str:
    """The text of a new puzzle module called `name`."""
    check_puzzle_name(name)
    text = resources.files(__package__).joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
    return Template(text).substitute(name=name)


def render_copy(name: str, builtin: str) -> str:
    """The text of a new puzzle module called `name`: a copy of the built-in puzzle `builtin`'s
    module, renamed (puzzles new NAME --from BUILTIN)."""
    from ..errors import UnknownPuzzle
    from ..registry import BUILTIN_PACKAGE, registry

    check_puzzle_name(name)
    import importlib

    catalog = os.path.realpath(os.path.dirname(importlib.import_module(BUILTIN_PACKAGE).__file__))
    reg = registry()

    def built_in(n):
        src = reg.sources.get(n, "")
        return os.path.isfile(src) and os.path.dirname(os.path.realpath(src)) == catalog

    if not built_in(builtin):
        from ..errors import did_you_mean

        names = [n for n in reg.puzzles if built_in(n)]
        hint = did_you_mean(builtin, names) or "; 'puzzles list' shows them"
        raise UnknownPuzzle(f"--from {quote(builtin)} is not a built-in puzzle{hint}")
    source = reg.sources[builtin]
    text = Path(source).read_text(encoding="utf-8")
    renamed, count = re.subn(rf'name=(["\']){re.escape(builtin)}\1', f'name="{name}"', text, count=1)
    if not count:
        raise PuzzleError(f"cannot find name={builtin!r} in {source} to rename it")
    note = (f"# Started from the built-in puzzle {builtin!r} by `puzzles new {name} --from "
            f"{builtin}`.\n")
    return note + renamed


def write_puzzle(name: str, folder: str | os.PathLike = ".", force: bool = False,
                 start: str | None = None) -> Path:
    """Write folder/<name with underscores>.py from the template (or from a copy of the
    built-in puzzle `start`); refuse to overwrite unless `force`. Returns the path written."""
    check_puzzle_name(name)
    folder = _existing_folder(folder)
    path = folder / module_file_name(name)
    if path.exists() and not force:
        raise PuzzleError(f"{path} already exists; pass --force to overwrite it")
    text = render_copy(name, start) if start else render_puzzle(name)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PuzzleError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _existing_folder(folder) -> Path:
    """The folder to write into; it must exist, as for --plot and --out: a typo in --dir
    (/hmoe/me) is refused, not made into a tree of new folders."""
    text = os.fspath(folder)
    folder = Path(text).expanduser()
    if os.path.isdir(folder):
        return folder
    what = "is a file, not a folder" if os.path.exists(folder) else (
        f"does not exist (create it first: mkdir -p {clip(text)})")
    raise InvalidOption(f"--dir {quote(text)} {what}")


def test_file_name(name: str) -> str:
    """'dice-sum' -> 'test_dice_sum.py': the pytest file beside the puzzle."""
    return "test_" + module_file_name(name)


def render_test(name: str) -> str:
    """The text of the pytest file for the new puzzle `name`."""
    check_puzzle_name(name)
    text = resources.files(__package__).joinpath(TEST_TEMPLATE_FILE).read_text(encoding="utf-8")
    return Template(text).substitute(name=name, module=name.replace("-", "_"))


def write_test(name: str, folder: str | os.PathLike = ".", force: bool = False) -> Path:
    """Write folder/test_<name with underscores>.py, the puzzle's pytest file; refuse to
    overwrite unless `force`. Returns the path written."""
    folder = _existing_folder(folder)
    path = folder / test_file_name(name)
    if path.exists() and not force:
        raise PuzzleError(f"{path} already exists; pass --force to overwrite it")
    try:
        path.write_text(render_test(name), encoding="utf-8")
    except OSError as exc:
        raise PuzzleError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
