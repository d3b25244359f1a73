import os

import pytest

# Tests run the real CLI in-process; keep them off any user's own puzzle folders.
os.environ.pop("PUZZLES_PATH", None)


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()
