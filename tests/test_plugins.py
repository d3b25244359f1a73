"""Puzzles from outside the package: `puzzles new`, PUZZLES_PATH folders, entry points."""

import os
import sys
import types

import numpy as np
import pytest

from puzzles.cli.main import app
from puzzles.engine import InvalidPuzzleSpec, get_puzzle
from puzzles.engine.registry import (load_entry_point, load_puzzle_file, plugin_entry_points,
                             registry)
from puzzles.engine.templates import render_puzzle

TRIALS = "50000"
# a 50,000-trial band is about 1% wide: agree within 5% (the default tolerance is 0.1%)
LOOSE = ("--rtol", "0.05")


def run(runner, *args):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code, out, err):
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err
    return err


def write(folder, file_name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_text(text)
    return path


def on_path(monkeypatch, *folders):
    monkeypatch.setenv("PUZZLES_PATH", os.pathsep.join(map(str, folders)))


def edited(name, old, new):
    """The template for `name` with one edit, as a puzzle author's slip would make it."""
    text = render_puzzle(name)
    assert old in text, old
    return text.replace(old, new)


@pytest.fixture(scope="module")
def good_folder(tmp_path_factory):
    # shared, so the template's kernel is compiled once for the tests that verify it
    folder = tmp_path_factory.mktemp("good")
    write(folder, "dice_sum.py", render_puzzle("dice-sum"))
    return folder


# --------------------------------------------------------------------------- puzzles new


def test_round_trip_new_list_verify_agree(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("PUZZLES_PATH", raising=False)
    folder = tmp_path / "mine"
    folder.mkdir()  # new writes into a folder that exists, as --plot does
    code, out, err = run(runner, "new", "two-dice", "--dir", str(folder))
    assert code == 0, err
    path = folder / "two_dice.py"
    assert path.is_file()
    assert str(path) in out
    assert f"export PUZZLES_PATH={folder}" in out  # the next commands, as they are to be typed
    assert "puzzles verify two-dice" in out
    assert 'name="two-dice"' in path.read_text()

    on_path(monkeypatch, folder)
    code, out, err = run(runner, "list")
    assert code == 0 and err == ""
    assert "two-dice" in out and "Sum of two fair dice" in out and "handshakes" in out

    code, out, err = run(runner, "verify", "two-dice", "-n", TRIALS, "--threads", "2", *LOOSE)
    assert code == 0, out + err
    assert "verdict: agree" in out
    assert "35/6" in out and "11 values" in out
    code, out, err = run(runner, "verify", "two-dice", "-n", TRIALS, "-p", "s=4", *LOOSE)
    assert code == 0 and "verdict: agree" in out and "5/2" in out  # variance (16-1)/6


def test_new_writes_into_the_current_folder_by_default(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    on_path(monkeypatch, tmp_path)
    code, out, _ = run(runner, "new", "coin-run")
    assert code == 0
    assert (tmp_path / "coin_run.py").is_file()
    assert "export PUZZLES_PATH" not in out  # the folder is on the path already


@pytest.mark.parametrize("bad", ["Bad Name!", "dice_sum", "Dice", "2dice", "dice-", "a--b", ""])
def test_new_refuses_a_bad_name(runner, tmp_path, bad):
    err = one_line_error(*run(runner, "new", bad, "--dir", str(tmp_path)))
    assert "is not a puzzle name" in err and "hyphens" in err
    assert list(tmp_path.iterdir()) == []


def test_bad_name_suggests_one(runner, tmp_path):
    err = one_line_error(*run(runner, "new", "Bad Name!", "--dir", str(tmp_path)))
    assert "'bad-name'" in err


def test_new_refuses_an_existing_file_unless_forced(runner, tmp_path):
    path = write(tmp_path, "dice_sum.py", "# mine, keep it\n")
    err = one_line_error(*run(runner, "new", "dice-sum", "--dir", str(tmp_path)))
    assert str(path) in err and "--force" in err
    assert path.read_text() == "# mine, keep it\n"

    code, _, _ = run(runner, "new", "dice-sum", "--dir", str(tmp_path), "--force")
    assert code == 0
    assert path.read_text() == render_puzzle("dice-sum")


def test_new_refuses_the_name_of_a_builtin(runner, tmp_path):
    err = one_line_error(*run(runner, "new", "handshakes", "--dir", str(tmp_path)))
    assert "handshakes.py" in err
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_dir_that_is_a_file(runner, tmp_path):
    path = write(tmp_path, "notes.txt", "")
    err = one_line_error(*run(runner, "new", "dice-sum", "--dir", str(path)))
    assert "not a folder" in err


# --------------------------------------------------------------------------- broken files


@pytest.fixture
def broken_folder(tmp_path):
    folder = tmp_path / "broken"
    write(folder, "syntax_error.py", "def oops(:\n")
    write(folder, "import_error.py", "import numpy\nimport no_such_module_for_puzzles\n")
    write(folder, "bad_spec.py", edited("bad-spec", "Mean(s + 1)", "Mean(s + k)").replace(
        'symbols("s x", integer=True)', 'symbols("s x", integer=True)\nk = symbols("k")'))
    write(folder, "no_puzzle.py", "X = 1\n")
    write(folder, "handshakes.py", render_puzzle("handshakes"))  # the name of a built-in
    write(folder, "_helpers.py", "this is not python, and not a puzzle either\n")
    return folder


def test_list_survives_broken_files_and_names_them(runner, monkeypatch, good_folder,
                                                   broken_folder):
    on_path(monkeypatch, good_folder, broken_folder)
    code, out, err = run(runner, "list")
    assert code == 0
    assert "dice-sum" in out and "handshakes" in out and "ball-min-distance" in out
    prefix = "warning: skipped "
    warnings = {line[len(prefix):].split(": ", 1)[0]: line for line in err.strip().splitlines()}
    expected = {
        "syntax_error.py": "SyntaxError at line 1",
        "import_error.py": "ModuleNotFoundError at line 2: No module named "
                           "'no_such_module_for_puzzles'",
        "bad_spec.py": "the closed form of mean uses undeclared names ['k']",
        "no_puzzle.py": "defines no PUZZLE",
        "handshakes.py": "is already defined in",
    }
    for file_name, reason in expected.items():
        line = warnings[str(broken_folder / file_name)]
        assert line.startswith(prefix) and reason in line, line
    assert "_helpers" not in err
    assert len(warnings) == len(expected)


def test_verify_beside_broken_files(runner, monkeypatch, good_folder, broken_folder):
    on_path(monkeypatch, good_folder, broken_folder)
    code, out, err = run(runner, "verify", "dice-sum", "-n", TRIALS, *LOOSE)
    assert code == 0 and "verdict: agree" in out, out + err

    for name, reason in [("syntax-error", "SyntaxError at line 1"),
                         ("import-error", "No module named 'no_such_module_for_puzzles'"),
                         ("bad-spec", "declare them as parameters"),
                         ("no-puzzle", "PUZZLE = Puzzle(...)")]:
        err = one_line_error(*run(runner, "verify", name, "-n", TRIALS))
        assert str(broken_folder / name.replace("-", "_")) in err and reason in err, err


def test_a_user_puzzle_with_a_builtin_name_is_an_error_naming_both_files(runner, monkeypatch,
                                                                         broken_folder):
    on_path(monkeypatch, broken_folder)
    err = one_line_error(*run(runner, "verify", "handshakes", "-n", TRIALS))
    builtin = os.path.join("puzzles", "catalog", "handshakes.py")
    assert "defined twice" in err and builtin in err and str(broken_folder / "handshakes.py") in err


def test_two_user_folders_defining_one_name(monkeypatch, tmp_path):
    first = write(tmp_path / "a", "dice_sum.py", render_puzzle("dice-sum"))
    second = write(tmp_path / "b", "other_file.py", render_puzzle("dice-sum"))
    on_path(monkeypatch, first.parent, second.parent)
    with pytest.raises(InvalidPuzzleSpec) as info:
        get_puzzle("dice-sum")
    assert str(first) in str(info.value) and str(second) in str(info.value)


def test_a_missing_folder_on_the_path_is_named(runner, monkeypatch, tmp_path):
    on_path(monkeypatch, tmp_path / "nowhere")
    code, out, err = run(runner, "list")
    assert code == 0 and "handshakes" in out
    assert str(tmp_path / "nowhere") in err and "does not exist" in err


def test_registry_follows_puzzles_path_and_new_files(monkeypatch, tmp_path):
    one = write(tmp_path / "one", "first_dice.py", render_puzzle("first-dice")).parent
    two = write(tmp_path / "two", "second_dice.py", render_puzzle("second-dice")).parent
    on_path(monkeypatch, one)
    assert "first-dice" in registry().puzzles and "second-dice" not in registry().puzzles
    on_path(monkeypatch, two)
    assert "second-dice" in registry().puzzles and "first-dice" not in registry().puzzles
    write(two, "third_dice.py", render_puzzle("third-dice"))
    assert "third-dice" in registry().puzzles
    monkeypatch.delenv("PUZZLES_PATH")
    assert not {"first-dice", "second-dice", "third-dice"} & set(registry().puzzles)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("old,new,message", [
    ("Mean(s + 1),\n        Variance(Rational(1, 6) * (s**2 - 1)),\n        Pmf((s - Abs(x - (s + 1))) "
     "/ s**2, x, support=(2, 2 * s)),\n        Probability(1 / s, of=\"D\"),  # 1 / s is exact: s is a "
     "sympy symbol", "",
     "declares no quantities: add at least one of Mean, Variance, Probability, Pmf, Cdf"),
    ("Mean(s + 1)", "Mean(s + 1 + sympy_k)",
     "the closed form of mean uses undeclared names ['k']; declare them as parameters"),
    ('Integer(s, 6, "number of faces on each die", min=1)',
     'Integer(s, 0, "number of faces on each die", min=1)',
     "a default is invalid: s=0 is out of range: s must be integer, s >= 1"),
    ('examples=[{"s": 4}, {"s": 20}]', 'examples=[{"faces": 4}]',
     "example {'faces': 4} is invalid: unknown parameter 'faces'"),
    ("@numba.njit(cache=True, nogil=True)\n", "",
     "simulate must be a numba-jitted kernel: decorate it with @numba.njit(cache=True, nogil=True)"),
    ("def _simulate_kernel(rng, trials, s):", "def _simulate_kernel(rng, n, s):",
     "simulate must take (rng, trials, s): rng, trials, then the parameters in the order they "
     "are declared; it takes (rng, n, s)"),
    ("support=(2, 2 * s)", "support=(2, 2 * sympy_m)",
     "the support of pmf uses undeclared names ['m']"),
    ('Integer(s, 6,', 'Integer("s", 6,', "parameter 's' must be a sympy symbol"),
    ('name="spec-case"', 'name="Spec Case"', "name must be lowercase words joined by hyphens"),
])
def test_spec_errors_tell_the_author_what_to_fix(tmp_path, old, new, message):
    text = edited("spec-case", old, new)
    text = text.replace("from sympy import Abs, Rational, symbols",
                        "from sympy import Abs, Rational, symbols\nsympy_k, sympy_m = symbols('k m')")
    path = write(tmp_path, "spec_case.py", text)
    with pytest.raises(InvalidPuzzleSpec) as info:
        load_puzzle_file(str(path))
    text = str(info.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


def test_a_kernel_that_does_not_compile_is_one_line(runner, monkeypatch, tmp_path):
    write(tmp_path, "typo_dice.py", edited("typo-dice", "first + second", "first + secnd"))
    on_path(monkeypatch, tmp_path)
    err = one_line_error(*run(runner, "verify", "typo-dice", "-n", "1000"))
    assert str(tmp_path / "typo_dice.py") in err
    assert "fails on one trial" in err and "secnd" in err


@pytest.mark.parametrize("cache_dir", [None, "numba-cache"])
def test_numba_caches_a_user_kernel_beside_its_file(tmp_path, monkeypatch, cache_dir):
    # numba reads NUMBA_CACHE_DIR once, into numba.config.CACHE_DIR, and picks the cache's
    # place when a kernel is decorated: set it (or clear it) here, whatever the user's
    # environment says, so the test passes with and without NUMBA_CACHE_DIR set
    import numba

    cache = tmp_path / cache_dir if cache_dir else tmp_path / "__pycache__"
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(cache) if cache_dir else "")
    path = write(tmp_path / "src", "cached_dice.py", render_puzzle("cached-dice"))
    first = load_puzzle_file(str(path)).simulate
    first(np.random.default_rng(0), 1, 6)
    assert sum(first.stats.cache_misses.values()) == 1
    where = (tmp_path / "src" / "__pycache__") if not cache_dir else cache
    assert any(p.suffix == ".nbi" for p in where.rglob("*")), list(tmp_path.rglob("*"))
    if cache_dir:  # nothing beside the file when the cache is elsewhere
        assert not (tmp_path / "src" / "__pycache__").exists() or not any(
            p.suffix == ".nbi" for p in (tmp_path / "src" / "__pycache__").iterdir())
    # a fresh load is what a second run of the tool does: it must not compile again
    second = load_puzzle_file(str(path)).simulate
    assert second is not first
    second(np.random.default_rng(0), 1, 6)
    assert sum(second.stats.cache_hits.values()) == 1
    assert sum(second.stats.cache_misses.values()) == 0


# --------------------------------------------------------------------------- entry points


class FakeEntryPoint:
    def __init__(self, name, value, target):
        self.name, self.value, self.group = name, value, "puzzles"
        self._target = target

    def load(self):
        if isinstance(self._target, BaseException):
            raise self._target
        return self._target


def test_entry_point_to_a_puzzle_or_a_module(good_folder):
    puzzle = load_puzzle_file(str(good_folder / "dice_sum.py"))
    module = types.ModuleType("pack.dice_sum")
    module.PUZZLE = puzzle
    assert load_entry_point(FakeEntryPoint("dice-sum", "pack.dice_sum:PUZZLE", puzzle)) is puzzle
    assert load_entry_point(FakeEntryPoint("dice-sum", "pack.dice_sum", module)) is puzzle


@pytest.mark.parametrize("target,message", [
    (ImportError("No module named 'pack'"), "ImportError: No module named 'pack'"),
    (types.ModuleType("pack.empty"), "defines no PUZZLE"),
    (42, "is a int, not a Puzzle or a module that defines PUZZLE"),
])
def test_a_broken_entry_point_is_named(target, message):
    with pytest.raises(InvalidPuzzleSpec) as info:
        load_entry_point(FakeEntryPoint("dice-sum", "pack.dice_sum", target))
    assert str(info.value).startswith("entry point 'dice-sum = pack.dice_sum': ")
    assert message in str(info.value)


@pytest.fixture
def installed_pack(tmp_path, monkeypatch):
    """A puzzle pack 'dice-pack' installed the way pip leaves one: a module and a .dist-info."""
    site = tmp_path / "site"
    write(site, "dice_pack_puzzle.py", render_puzzle("packed-dice"))
    write(site, "broken_pack_puzzle.py", "import no_such_module_for_puzzles\n")
    info = site / "dice_pack-1.0.dist-info"
    write(info, "METADATA", "Metadata-Version: 2.1\nName: dice-pack\nVersion: 1.0\n")
    write(info, "entry_points.txt",
          "[puzzles]\npacked-dice = dice_pack_puzzle\nbroken-pack = broken_pack_puzzle\n")
    monkeypatch.syspath_prepend(str(site))
    for module in ("dice_pack_puzzle", "broken_pack_puzzle"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    plugin_entry_points.cache_clear()
    yield site
    monkeypatch.undo()
    plugin_entry_points.cache_clear()


def test_an_installed_pack_is_found_through_its_entry_points(runner, installed_pack):
    reg = registry()
    assert "packed-dice" in reg.puzzles
    assert reg.sources["packed-dice"] == "entry point 'packed-dice = dice_pack_puzzle' of dice-pack"
    code, out, err = run(runner, "list")
    assert code == 0 and "packed-dice" in out
    assert "entry point 'broken-pack = broken_pack_puzzle' of dice-pack" in err
    err = one_line_error(*run(runner, "verify", "broken-pack"))
    assert "No module named 'no_such_module_for_puzzles'" in err
