"""Built-in puzzles: every module here that defines PUZZLE = Puzzle(...) is registered."""
