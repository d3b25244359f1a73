import subprocess
import sys


def test_importing_check_first_keeps_verify_a_function():
    # engine.judge imports the submodule engine/verify.py; the package attribute `verify` must
    # stay the function (it was the module when check was imported first)
    code = ("from puzzles.engine import check\n"
            "from puzzles.engine import verify\n"
            "import puzzles\n"
            "assert callable(verify) and not isinstance(verify, type(puzzles)), verify\n"
            "assert callable(puzzles.verify)\n"
            "from puzzles.engine.verify import DEFAULT_SEED\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
