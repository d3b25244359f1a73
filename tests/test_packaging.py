"""One importable name: what an install puts on sys.path is the package `puzzles` and nothing
else, and it works from a folder whose own engine.py or cli.py would have shadowed a generic
top-level package."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "sympy", "numba", "scipy", "pandas", "matplotlib", "puzzles.engine")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """What a wheel of this project holds: setuptools' build_py output (the wheel's files)
    and egg_info (its metadata: top_level.txt, entry_points.txt), built from a copy of the
    source so the checkout stays clean."""
    pytest.importorskip("setuptools")
    base = tmp_path_factory.mktemp("build")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("puzzles", "engine", "cli"):
        shutil.copytree(ROOT / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "egg_info", "--egg-base", str(base), "build_py", "--build-lib",
                    str(base / "lib")], cwd=src, check=True, capture_output=True, timeout=300)
    (info,) = base.glob("*.egg-info")
    return base / "lib", info


def test_only_puzzles_at_the_top_level(built):
    lib, info = built
    assert sorted(p.name for p in lib.iterdir()) == ["puzzles"]
    assert (info / "top_level.txt").read_text().split() == ["puzzles"]
    package = lib / "puzzles"
    for part in ("engine/verify.py", "cli/main.py", "catalog/handshakes.py", "testing.py",
                 "pytest_plugin.py", "engine/templates/puzzle.py.tmpl",
                 "engine/templates/test_puzzle.py.tmpl"):
        assert (package / part).is_file(), part


def test_entry_points(built):
    _lib, info = built
    text = (info / "entry_points.txt").read_text()
    assert "[console_scripts]\npuzzles = puzzles.cli.main:main" in text
    assert "[pytest11]\npuzzles = puzzles.pytest_plugin" in text


def _run(code, cwd, path):
    env = {**os.environ, "PYTHONPATH": str(path)}
    env.pop("PUZZLES_PATH", None)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_import_from_a_folder_with_an_engine_py(built, tmp_path):
    lib, _ = built
    (tmp_path / "engine.py").write_text("raise RuntimeError('the local engine.py was imported')\n")
    (tmp_path / "cli.py").write_text("raise RuntimeError('the local cli.py was imported')\n")
    out = _run("import puzzles, puzzles.engine, puzzles.cli.main\n"
               "print(puzzles.__file__); print(puzzles.engine.__file__)\n"
               "r = puzzles.verify('handshakes', trials=65536, rtol=0.05, seed=1)\n"
               "print(r.verdict)", tmp_path, lib)
    assert out.returncode == 0, out.stderr
    package_file, engine_file, verdict = out.stdout.split()
    assert Path(package_file).parent == lib / "puzzles"  # the installed copy, not a checkout
    assert Path(engine_file).parent == lib / "puzzles" / "engine"
    assert verdict == "agree"


def test_import_puzzles_is_light():
    # puzzle files, notebooks and every pytest run (the plugin) import `puzzles`: it must not
    # load sympy, numba or the engine until something is used
    out = _run("import sys, puzzles, puzzles.pytest_plugin\n"
               f"print([m for m in {HEAVY!r} if m in sys.modules])", ROOT, ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_submodules_are_attributes():
    out = _run("import puzzles\nprint(puzzles.testing.assert_verifies.__module__, "
               "puzzles.engine.__name__)", ROOT, ROOT)
    assert out.stdout.split() == ["puzzles.testing", "puzzles.engine"], out.stderr


def test_engine_verify_is_the_function_after_its_module_is_imported():
    # puzzles.verify(), check() and sweep() import the module puzzles.engine.verify; Python then
    # binds that name on the package, and `from puzzles.engine import verify` (the CLI's own
    # import) gave a module: "'module' object is not callable"
    out = _run("import puzzles\nimport puzzles.engine.judge\n"
               "from puzzles.engine.verify import DEFAULT_SEED\n"
               "from puzzles.engine import verify\nimport puzzles.engine as e\n"
               "print(callable(verify), callable(e.verify), verify is puzzles.verify)",
               ROOT, ROOT)
    assert out.stdout.split() == ["True", "True", "True"], out.stderr
