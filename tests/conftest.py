import os

import pytest

# Tests run the real CLI in-process; keep them off any user's own puzzle folders.
os.environ.pop("PUZZLES_PATH", None)
# ... and off the user's cache of puzzle names (engine/index.py): one fresh cache per session
if "PUZZLES_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["PUZZLES_CACHE_DIR"] = tempfile.mkdtemp(prefix="puzzles-test-cache-")
# Progress lines on a non-terminal stderr come every few seconds: on a loaded machine a test's
# run may take that long, and its stderr must not depend on the clock (test_startup sets it).
os.environ.setdefault("PUZZLES_PROGRESS_SECONDS", "100000")


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()
