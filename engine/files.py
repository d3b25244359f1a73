"""Writing a user's output file (a picture, a table) whole or not at all."""

from __future__ import annotations

import os
import tempfile
from typing import Callable

from .errors import InvalidOption, quote


def write_atomically(path, write: Callable[[str], None], what: str = "") -> None:
    """Call write(temporary path) on a file beside `path`, then rename it into place: an
    interrupted or failed write (Ctrl-C, a full disk) never leaves a half-written file, nor the
    temporary one. The file gets the permissions the umask gives (mkstemp makes 0600). An
    OSError becomes one line: "cannot write {what}'path': reason"."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise InvalidOption(f"cannot write {what}{quote(path)}: {exc.strerror or exc}") from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
