"""Honest output (issue 15): error lines quote at most 80 characters of what the user typed,
unknown names come with the closest names, options are named as typed, options that do nothing
say so, and numbers print with the digits that tell them apart."""

from __future__ import annotations

import gc
import re
import sys

import pytest

from puzzles.cli.main import main

LONG = "q" * 3000


@pytest.fixture
def cli(capsys, monkeypatch):
    """The `puzzles` command as a user runs it (main(): its own boundary for every error)."""
    monkeypatch.setattr(gc, "freeze", lambda: None)

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["puzzles", *map(str, args)])
        with pytest.raises(SystemExit) as stop:
            main()
        out, err = capsys.readouterr()
        return stop.value.code, out, err

    return run


def one_line(code, out, err):
    assert "Traceback" not in out + err, err[-3000:]
    assert code == 2, (code, out[-2000:], err[-2000:])
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[-2000:]
    return lines[0]


def longest_run(text: str, char: str = "q") -> int:
    return max((len(m) for m in re.findall(f"{char}+", text)), default=0)


# --------------------------------------------------------------------------- 1. quotes are short

LONG_INPUTS = [
    ("verify", LONG),
    ("show", LONG),
    ("calibrate", LONG),
    ("verify", "handshakes", "-p", f"{LONG}=1"),
    ("verify", "handshakes", "-p", f"a={LONG}"),
    ("verify", "handshakes", "-p", "a=1", "-p", LONG),
    ("check", "handshakes", f"{LONG}=1"),
    ("check", "handshakes", f"mean={LONG}"),
    ("check", "handshakes", f"mean=1+{LONG}"),
    ("check", "handshakes", f"mean={LONG}(a)"),
    ("check", "handshakes", f"E[{LONG}]=1"),
    ("check", "handshakes", f"P({LONG})=1"),
    ("check", "handshakes", "mean=1", "--against", LONG),
    ("verify", "handshakes", "--also", LONG),
    ("verify", "handshakes", "-n", LONG),
    ("verify", "handshakes", "--max-trials", LONG),
    ("verify", "handshakes", f"--{LONG}"),
    ("verify", "handshakes", "--scheduler", LONG),
    # file names: a name too long for the file system was an OSError traceback (after the run)
    ("verify", "handshakes", "--plot", f"{LONG}.png"),
    ("verify", "handshakes", "--plot", f"/tmp/{LONG}/x.png"),
    ("sweep", "handshakes", "-p", "a=2..3", "--out", f"{LONG}.csv"),
    ("sweep", "handshakes", "-p", f"a=1..{LONG}"),
    ("sweep", "handshakes", "-p", f"{LONG}=1..3"),
    ("new", LONG),
    ("new", "dice-sum", "--from", LONG),
    ("new", "dice-sum", "--dir", f"/tmp/{LONG}"),
]


@pytest.mark.parametrize("args", LONG_INPUTS, ids=[" ".join(a)[:60] for a in LONG_INPUTS])
def test_an_error_line_quotes_at_most_80_characters(cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    line = one_line(*cli(*args))
    assert longest_run(line) <= 80, line[:400]
    assert len(line) <= 400, len(line)


def test_the_python_api_quotes_at_most_80_characters_too():
    import puzzles

    for call in (lambda: puzzles.verify(LONG), lambda: puzzles.check("handshakes", [f"mean={LONG}"]),
                 lambda: puzzles.verify("handshakes", params={LONG: 1})):
        with pytest.raises(puzzles.PuzzleError) as caught:
            call()
        assert longest_run(str(caught.value)) <= 80, str(caught.value)[:400]


# --------------------------------------------------------------------------- 2. closest names

@pytest.mark.parametrize("args,hint", [
    (("verify", "handshake"), "did you mean handshakes"),
    (("verify", "handshakes", "-p", "aa=3"), "did you mean a"),
    (("sweep", "handshakes", "-p", "bb=1..3"), "did you mean b"),
    (("check", "handshakes", "meen=1"), "did you mean mean"),
    (("check", "handshakes", "varience=1"), "did you mean variance"),
    (("check", "handshakes", "mean=flor(a)"), "did you mean floor"),
    (("check", "handshakes", "mean=binomal(a, 2)"), "did you mean binomial"),
    (("check", "handshakes", "mean=pie*a"), "did you mean pi"),
    (("new", "x-y", "--from", "coupon-colector"), "did you mean coupon-collector"),
    (("verify", "handshakes", "--alph", "0.1"), "--alpha"),
])
def test_an_unknown_name_suggests_the_closest(cli, tmp_path, monkeypatch, args, hint):
    monkeypatch.chdir(tmp_path)
    line = one_line(*cli(*args))
    assert hint in line, line
    # a few names, not the whole list of functions
    assert "stirling1" not in line and "uppergamma" not in line, line
    assert len(line) < 240, line


# --------------------------------------------------------------------------- 3. options as typed

@pytest.mark.parametrize("args,typed", [
    (("verify", "handshakes", "--alpha", "2"), "--alpha 2 "),
    (("verify", "handshakes", "--rtol", "2"), "--rtol 2 "),
    (("verify", "handshakes", "--atol", "-1"), "--atol -1 "),
    (("verify", "handshakes", "--threads", "0"), "--threads 0 "),
    (("verify", "handshakes", "--seed", "-4"), "--seed -4 "),
    (("verify", "handshakes", "--max-seconds", "0"), "--max-seconds 0 "),
    (("check", "handshakes", "mean=1", "--alpha", "0"), "--alpha 0 "),
    (("sweep", "handshakes", "-p", "a=2..3", "--alpha", "1.5"), "--alpha 1.5 "),
    (("calibrate", "handshakes", "--runs", "1"), "--runs 1 "),
    (("calibrate", "handshakes", "--threads", "0"), "--threads 0 "),
    (("verify", "handshakes", "--scheduler", "local", "--timeout", "0"), "--timeout 0 "),
])
def test_the_command_line_names_options_as_typed(cli, args, typed):
    line = one_line(*cli(*args))
    assert typed in line, line
    assert not re.search(r"\b(alpha|rtol|atol|threads|seed|max_seconds|runs|timeout)=", line), line


def test_the_python_api_names_options_as_keywords():
    import puzzles

    with pytest.raises(puzzles.PuzzleError, match=r"alpha=2 must"):
        puzzles.verify("handshakes", alpha=2)
    with pytest.raises(puzzles.PuzzleError, match=r"max_seconds=0 must"):
        puzzles.verify("handshakes", max_seconds=0)


# --------------------------------------------------------------------------- 5. new --dir

def test_new_refuses_a_missing_folder_as_plot_does(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "no" / "such"
    line = one_line(*cli("new", "dice-sum", "--dir", missing))
    assert "does not exist" in line and str(missing) in line, line
    assert not (tmp_path / "no").exists()  # nothing made
    plot = one_line(*cli("verify", "handshakes", "--plot", missing / "x.png"))
    assert "does not exist" in plot
