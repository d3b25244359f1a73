"""`puzzles new NAME`: start a puzzle of your own from a template that already verifies."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import typer


def new_puzzle(
    name: str = typer.Argument(..., help="puzzle name: lowercase words joined by hyphens, e.g. dice-sum"),
    directory: Path = typer.Option(Path("."), "--dir", help="folder to write NAME.py into (default: here)"),
    force: bool = typer.Option(False, "--force", help="overwrite the file if it exists"),
    start: str = typer.Option(None, "--from", help="start from a copy of this built-in puzzle instead of two dice"),
) -> None:
    """Write DIR/NAME.py, a working puzzle (two fair dice, or a built-in's copy) to edit into
    yours, and its pytest file DIR/test_NAME.py."""
    # imported here, not at the top: cli.main imports this module while it is still loading
    from puzzles.cli.main import fail, user_errors
    from puzzles.engine.index import PATH_VARIABLE, index, search_path  # names, no imports
    from puzzles.engine.options import check_name_length
    from puzzles.engine.templates import (check_puzzle_name, module_file_name, test_file_name,
                                          write_puzzle, write_test)

    with user_errors():
        check_puzzle_name(name)
        target = (directory.expanduser() / module_file_name(name)).absolute()
        test_target = target.with_name(test_file_name(name))
        check_name_length(str(test_target), "cannot write")  # the longer of the two names
        for existing in (target, test_target):
            if existing.exists() and not force:
                fail(f"{existing} already exists; pass --force to overwrite it")
        taken = index().sources.get(name)
        if taken and os.path.realpath(taken) != os.path.realpath(target):
            # the new file would clash with it as soon as its folder is on the search path
            fail(f"a puzzle called {name!r} already exists ({taken}); choose another name")
        path = write_puzzle(name, directory, force=force, start=start).absolute()
        test_path = write_test(name, directory, force=force).absolute()

    folder = str(path.parent)
    what = f"a copy of {start}" if start else "two fair dice for now"
    typer.echo(f"wrote {path}: puzzle {name!r}, {what} -- it verifies as it is")
    typer.echo(f"wrote {test_path}: its test, for pytest")
    typer.echo("next:")
    on_path = os.path.realpath(folder) in map(os.path.realpath, search_path())
    if not on_path:
        current = os.environ.get(PATH_VARIABLE)
        value = shlex.quote(folder) + (f'{os.pathsep}"${PATH_VARIABLE}"' if current else "")
        typer.echo(f"  export {PATH_VARIABLE}={value}")
    typer.echo(f"  puzzles verify {name} --rtol 0.01    # agree, within 1%, in seconds")
    typer.echo(f"  edit {path}")
    typer.echo("      # statement, parameters, closed forms, simulator"
               + ("" if start else ": the numbered comments"))
    typer.echo(f"  puzzles show {name} && puzzles verify {name}")
    typer.echo(f"  pytest {shlex.quote(str(test_path))}     # the same check, in your CI")
