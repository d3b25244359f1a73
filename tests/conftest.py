import os

import pytest

# Tests run the real CLI in-process; keep them off any user's own puzzle folders.
os.environ.pop("PUZZLES_PATH", None)
# ... and off the user's cache of puzzle names (engine/index.py): one fresh cache per session
if "PUZZLES_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["PUZZLES_CACHE_DIR"] = tempfile.mkdtemp(prefix="puzzles-test-cache-")


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()
