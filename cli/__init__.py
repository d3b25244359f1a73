"""The `puzzles` command: a thin typer shell over the engine's Python API."""
