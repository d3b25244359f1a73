"""Starting points for new puzzles: `puzzles new NAME` fills puzzle.py.tmpl with NAME.

The template is a real puzzle module (two fair dice) kept as a text file, so that it reads,
diffs and is edited like the module it becomes.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from string import Template

from ..errors import InvalidOption, PuzzleError
from ..spec import NAME_RE

TEMPLATE_FILE = "puzzle.py.tmpl"


def module_file_name(name: str) -> str:
    """'dice-sum' -> 'dice_sum.py': the CLI name with hyphens, the module with underscores."""
    return name.replace("-", "_") + ".py"


def check_puzzle_name(name: str) -> None:
    if not NAME_RE.match(name):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", name.lower()))
        hint = (f", e.g. {suggestion!r}" if suggestion and NAME_RE.match(suggestion)
                else ", e.g. 'dice-sum'")
        raise InvalidOption(f"{name!r} is not a puzzle name: use lowercase letters and digits "
                            f"in words joined by hyphens, starting with a letter{hint}")


def render_puzzle(name: str) -> str:
    """The text of a new puzzle module called `name`."""
    check_puzzle_name(name)
    text = resources.files(__package__).joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
    return Template(text).substitute(name=name)


def write_puzzle(name: str, folder: str | os.PathLike = ".", force: bool = False) -> Path:
    """Write folder/<name with underscores>.py from the template; refuse to overwrite unless
    `force`. Returns the path written."""
    check_puzzle_name(name)
    folder = Path(folder).expanduser()
    path = folder / module_file_name(name)
    if folder.exists() and not folder.is_dir():
        raise InvalidOption(f"--dir {str(folder)!r} is a file, not a folder")
    if path.exists() and not force:
        raise PuzzleError(f"{path} already exists; pass --force to overwrite it")
    text = render_puzzle(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PuzzleError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
