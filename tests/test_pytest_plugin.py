"""Puzzle packs tested by pytest: `puzzles new` writes the test beside the puzzle, the pack's
pytest run passes it when the puzzle is right and fails it -- with the report -- when a closed
form is wrong; `pytest --puzzles` does the same with no test file; inconclusive fails too."""

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from puzzles.cli.main import app
from puzzles.testing import PuzzleTestFailure, assert_verifies, verification_points

ROOT = Path(__file__).resolve().parents[1]


def _plugin_installed() -> bool:
    return any(ep.value == "puzzles.pytest_plugin"
               for ep in importlib.metadata.entry_points(group="pytest11"))


def pytest_in(folder, *args, puzzles_path=None):
    """pytest in `folder`, as a pack author runs it (with the plugin, however installed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PUZZLES_PATH", None)
    if puzzles_path is not None:
        env["PUZZLES_PATH"] = str(puzzles_path)
    plugin = [] if _plugin_installed() else ["-p", "puzzles.pytest_plugin"]
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin,
                           *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=900)


def new_pack(runner, folder, name="dice-sum"):
    result = runner.invoke(app, ["new", name, "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / (name.replace("-", "_") + ".py")


def test_new_writes_the_test_beside_the_puzzle(runner, tmp_path):
    path = new_pack(runner, tmp_path)
    test = tmp_path / "test_dice_sum.py"
    assert test.is_file()
    text = test.read_text()
    assert "assert_verifies(PUZZLE)" in text and 'with_name("dice_sum.py")' in text
    result = runner.invoke(app, ["new", "dice-sum", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "already exists" in result.stderr
    path.unlink()  # the puzzle is gone but its test is still there: still refused
    result = runner.invoke(app, ["new", "dice-sum", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and str(test) in result.stderr and "--force" in result.stderr
    assert runner.invoke(app, ["new", "dice-sum", "--dir", str(tmp_path), "--force"]).exit_code == 0


@pytest.mark.parametrize("name", ["test-dice", "dice-test"])
def test_new_refuses_names_that_pytest_takes_for_tests(runner, tmp_path, name):
    result = runner.invoke(app, ["new", name, "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "pytest" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_test_files_beside_puzzles_are_not_puzzles(runner, tmp_path, monkeypatch):
    new_pack(runner, tmp_path)
    (tmp_path / "conftest.py").write_text("")
    monkeypatch.setenv("PUZZLES_PATH", str(tmp_path))
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0 and "dice-sum" in result.stdout
    assert result.stderr == ""  # no "skipped test_dice_sum.py: defines no PUZZLE"


@pytest.mark.slow
def test_a_new_pack_passes_its_tests_and_pytest_puzzles(runner, tmp_path):
    new_pack(runner, tmp_path)
    run = pytest_in(tmp_path, "-v", "--puzzles", puzzles_path=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "test_dice_sum.py::test_dice_sum PASSED" in out
    # --puzzles: the defaults and the two example points the template declares
    for label in ("defaults", "s=4", "s=20"):
        assert f"puzzles::dice-sum[{label}] PASSED" in out, out
    assert "alpha = 0.01" in out  # the header states the false-failure rate
    assert "4 passed" in out


@pytest.mark.slow
def test_a_wrong_closed_form_fails_with_the_report(runner, tmp_path):
    path = new_pack(runner, tmp_path)
    text = path.read_text()
    assert "Mean(s + 1)," in text
    path.write_text(text.replace("Mean(s + 1),", "Mean((s + 1) * 102 / 100),"))
    run = pytest_in(tmp_path, "--puzzles", puzzles_path=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    out = run.stdout
    assert "FAILED test_dice_sum.py::test_dice_sum" in out
    assert "puzzle 'dice-sum' disagrees at s=6" in out
    assert "357/50" in out  # the wrong mean, (6 + 1) * 102/100, in the report's table
    assert out.count("verdict: disagree") >= 2  # the test file's and --puzzles' item's
    assert "4 failed" in out


def test_pytest_puzzles_with_no_pack_fails_and_says_why(tmp_path):
    (tmp_path / "test_nothing.py").write_text("def test_ok():\n    pass\n")
    run = pytest_in(tmp_path, "--puzzles")
    assert run.returncode == 1
    assert "found no puzzle to verify" in run.stdout
    plain = pytest_in(tmp_path)  # without --puzzles the plugin adds nothing
    assert plain.returncode == 0 and "1 passed" in plain.stdout


@pytest.fixture(scope="module")
def dice_file(tmp_path_factory):
    from puzzles.engine.templates import write_puzzle

    return write_puzzle("dice-sum", tmp_path_factory.mktemp("dice"))


def test_inconclusive_within_the_budget_fails_with_the_report(dice_file):
    with pytest.raises(PuzzleTestFailure) as failure:
        assert_verifies(dice_file, examples=False, rtol=1e-4, max_trials=65_536, threads=2)
    message = str(failure.value)
    assert "is inconclusive at s=6 after 65,536 trials" in message
    assert "max_trials" in message and "verdict: inconclusive" in message


def test_alpha_is_split_over_the_points(dice_file):
    reports = assert_verifies(dice_file, threads=2, rtol=0.05)
    assert [r.params["s"] for r in reports] == [6, 4, 20]
    assert all(r.alpha == pytest.approx(0.01 / 3) for r in reports)
    assert all(r.mode == "auto" and r.seed == 20261124 for r in reports)
    again = assert_verifies(dice_file, threads=1, rtol=0.05)  # fixed seed: the same numbers
    assert [r.quantities[0].estimate for r in again] == [r.quantities[0].estimate for r in reports]


def test_points(dice_file):
    from puzzles.engine.registry import load_puzzle_file

    puzzle = load_puzzle_file(str(dice_file))
    assert verification_points(puzzle) == [{}, {"s": 4}, {"s": 20}]
    assert verification_points(puzzle, {"s": 4}) == [{"s": 4}, {"s": 20}]
    assert verification_points(puzzle, {"s": 3}, examples=False) == [{"s": 3}]


def test_assert_verifies_takes_a_builtin_by_name():
    (report,) = assert_verifies("birthday", examples=False, rtol=0.05, threads=2)
    assert report.verdict == "agree"
