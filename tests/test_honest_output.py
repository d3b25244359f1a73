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


def test_tables_quote_a_long_statistic_at_most_40_characters(cli):
    big = "7" * 399  # a number the claims accept (at most 400 digits)
    code, out, err = cli("check", "handshakes", f"P(X={big})=1")
    assert code == 1 and longest_run(out, "7") <= 40, out[:600]
    code, out, err = cli("verify", "handshakes", "--also", f"P(X={big})", "-n", "1e4", "--rtol", "0.5")
    assert longest_run(out, "7") <= 40, out[:600]


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
    (("verify", "handshakes", "--scheduler", "locl"), "did you mean local"),
    (("check", "handshakes", "mean=1", "--against", "simulaton"), "did you mean simulation"),
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


@pytest.mark.parametrize("args,typed", [
    (("verify", "handshakes", "-p", "a=0"), "error: -p a=0 is out of range"),
    (("verify", "handshakes", "--param", "a=abc"), "error: --param a=abc is not a number"),
    (("check", "handshakes", "mean=1", "-p", "a=2.5"), "error: -p a=2.5 must be integer"),
    (("sweep", "handshakes", "-p", "a=1e5000"), "error: -p a=1e5000 has too many digits"),
])
def test_a_parameter_is_named_as_typed(cli, args, typed):
    assert one_line(*cli(*args)).startswith(typed)


def test_the_python_api_names_options_as_keywords():
    import puzzles

    with pytest.raises(puzzles.PuzzleError, match=r"alpha=2 must"):
        puzzles.verify("handshakes", alpha=2)
    with pytest.raises(puzzles.PuzzleError, match=r"max_seconds=0 must"):
        puzzles.verify("handshakes", max_seconds=0)
    with pytest.raises(puzzles.PuzzleError, match=r"^a=0 is out of range"):
        puzzles.verify("handshakes", params={"a": 0})


# --------------------------------------------------------------------------- 5. new --dir

def test_new_refuses_a_missing_folder_as_plot_does(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "no" / "such"
    line = one_line(*cli("new", "dice-sum", "--dir", missing))
    assert "does not exist" in line and str(missing) in line, line
    assert not (tmp_path / "no").exists()  # nothing made
    plot = one_line(*cli("verify", "handshakes", "--plot", missing / "x.png"))
    assert "does not exist" in plot


# --------------------------------------------------------------------------- 4. options that do nothing

def test_show_param_without_answer_says_it_does_nothing(cli):
    code, out, err = cli("show", "handshakes", "-p", "a=3")
    assert code == 0 and "Handshakes" in out
    assert err.startswith("note: --param") and "--answer" in err and len(err.splitlines()) == 1
    # the value is still checked
    assert "out of range" in one_line(*cli("show", "handshakes", "-p", "a=0"))
    code, out, err = cli("show", "handshakes", "-p", "a=3", "--answer")
    assert code == 0 and err == ""


@pytest.mark.parametrize("command", [("verify", "handshakes"), ("show", "handshakes", "--answer"),
                                     ("check", "handshakes", "mean=1"),
                                     ("sweep", "handshakes")])
def test_a_parameter_given_twice_is_refused(cli, command):
    line = one_line(*cli(*command, "-p", "a=3", "-p", "a=4"))
    assert line.startswith("error: -p a is given twice"), line
    assert "a=3" in line and "a=4" in line, line


def test_max_trials_with_fixed_trials_says_it_does_nothing(cli):
    code, out, err = cli("verify", "handshakes", "-n", "1000", "--max-trials", "1e6", "--rtol", "0.5")
    assert code in (0, 3), err
    assert "note: --max-trials" in err and "fixed --trials" in err
    code, out, err = cli("calibrate", "handshakes", "--runs", "2", "-n", "1000", "--max-trials", "1e5")
    assert "note: --max-trials" in err
    code, out, err = cli("verify", "handshakes", "-n", "1000", "--rtol", "0.5")
    assert "note:" not in err


def test_simulation_options_of_an_exact_check_say_they_do_nothing(cli):
    code, out, err = cli("check", "handshakes", "mean=160/17", "--seed", "3", "-n", "1e6")
    assert code == 0 and "note: --trials, --seed set the simulation" in err, err
    code, out, err = cli("check", "handshakes", "mean=160/17")
    assert code == 0 and err == ""
    code, out, err = cli("check", "handshakes", "mean=160/17", "--against", "simulation",
                         "--seed", "3", "-n", "1e5", "--rtol", "0.05")
    assert "note:" not in err, err


def test_timeout_without_a_scheduler_says_it_does_nothing(cli):
    code, out, err = cli("verify", "handshakes", "-n", "1000", "--rtol", "0.5", "--timeout", "3")
    assert "note: --timeout" in err


def test_threads_are_capped_to_the_chunks_and_the_cores(cli):
    from puzzles.engine.simulate import default_threads

    # 1,000 trials are one chunk: one thread runs it, whatever was asked
    code, out, err = cli("verify", "handshakes", "-n", "1000", "--rtol", "0.5", "--threads", "1000")
    assert "threads: 1,000 asked, 1 used" in out, out
    cores = default_threads()
    code, out, err = cli("verify", "handshakes", "-n", "1e6", "--rtol", "0.5", "--threads", "1000")
    if cores <= 16:  # 1e6 trials are 16 chunks
        assert f"threads: 1,000 asked, {cores} used (the cores here)" in out, out
    else:
        assert "threads: 1,000 asked, 16 used (1,000,000 trials make 16 chunks" in out, out
    code, out, err = cli("verify", "buffon-needle", "--examples", "-n", "1e4", "--rtol", "0.5",
                         "--threads", "1000")
    assert out.strip().splitlines()[-1].startswith("note: threads: 1,000 asked, 1 used"), out


def test_sweep_and_calibrate_say_when_threads_are_capped(cli):
    code, out, err = cli("calibrate", "handshakes", "--runs", "2", "-n", "1000", "--threads", "100")
    assert err.startswith("note: --threads 100 asked, 1 thread used (1,000 trials make 1 chunk"), err
    code, out, err = cli("sweep", "handshakes", "-p", "a=2..3", "-n", "1000", "--rtol", "0.5",
                         "--threads", "100")
    assert err.startswith("note: --threads 100 asked, 1 thread used"), err


def test_a_local_cluster_starts_one_worker_per_core_at_most():
    from puzzles.engine.cluster import local_workers
    from puzzles.engine.simulate import default_threads

    cores = default_threads()
    assert local_workers(None) == (cores, None)
    assert local_workers(1) == (1, None)
    used, note = local_workers(1000)
    assert used == cores and "1,000 asked" in note


# --------------------------------------------------------------------------- 6. values as given

def test_show_answer_prints_parameters_as_given_and_computes_exactly(cli):
    code, out, err = cli("show", "wald-coverage", "--answer", "-p", "z=1.96", "-p", "p=1/10")
    assert code == 0, err
    head = next(line for line in out.splitlines() if line.startswith("answers at"))
    assert head == "answers at n=30 p=1/10 z=1.96:", head
    # the same value as the declared default z = 1.96 (computed with 49/25 exactly)
    assert "= 0.8085213616" in out
    code, out, err = cli("show", "wald-coverage", "--answer")
    assert "answers at n=30 p=1/10 z=1.96:" in out


def test_verify_and_check_headings_print_parameters_as_given(cli):
    code, out, err = cli("verify", "wald-coverage", "-p", "z=1.96", "-n", "1e4", "--rtol", "0.5")
    assert out.splitlines()[0].startswith("wald-coverage  n=30 p=1/10 z=1.96 "), out
    code, out, err = cli("check", "wald-coverage", "probability=0.8085213616", "-p", "z=1.960")
    assert out.splitlines()[0] == "wald-coverage  n=30 p=1/10 z=1.960", out
    code, out, err = cli("calibrate", "wald-coverage", "-p", "z=1.96", "--runs", "2", "-n", "1000")
    assert out.startswith("wald-coverage  n=30 p=1/10 z=1.96 "), out
    # example points as the puzzle declares them ("2.5", not 5/2)
    code, out, err = cli("verify", "buffon-needle", "--examples", "-n", "1e4", "--rtol", "0.5")
    assert "l=2.5 t=2.75" in out, out
    # a counterexample at the user's own point too
    code, out, err = cli("check", "wald-coverage", "probability=0.8", "-p", "z=1.96")
    assert "WRONG: at n=30, p=1/10, z=1.96 it gives" in out, out


# --------------------------------------------------------------------------- 7. enough digits

def test_a_number_that_is_not_whole_never_prints_as_one():
    from puzzles.engine.report import _num

    assert _num(1 - 5e-8) == "1 - 5e-08"
    assert _num(1.0) == "1" and _num(0.25) == "0.25" and _num(0.999947) == "0.999947"
    assert _num(0.1 + 0.2) == "0.3"  # float noise is not a difference worth printing
    assert _num(3 + 2e-9) == "3 + 2e-09"


@pytest.mark.parametrize("trials", ["1e5", "auto"])
def test_birthday_365_shows_a_band_that_is_not_a_point(cli, trials):
    # the truth is 1 - 1.5e-157: not exactly 1, so no number of trials makes its band [1, 1]
    code, out, err = cli("verify", "birthday", "-p", "n=365", "-n", trials)
    assert code == 0, out + err
    row = next(line for line in out.splitlines() if line.startswith("probability"))
    assert "1.0 - 1.455e-157" in row
    assert "[1, 1]" not in row and "[0.9999" in row, row


def test_a_mixture_band_centred_within_1e_16_of_one_is_not_a_point():
    import numpy as np

    from puzzles.engine import stats

    low, high, _ = stats.beta_mixture_band(np.array([65536.0]), 65536, np.array([1.0]), 1000.0, 0.01)
    assert 0.9998 < low[0] < 1 and high[0] == 1


# --------------------------------------------------------------------------- 8. what decided a pmf

def test_a_pmf_row_shows_its_tolerance_and_no_p_value(cli):
    code, out, err = cli("verify", "handshakes", "-n", "1e5")
    row = next(line for line in out.splitlines() if line.startswith("pmf"))
    assert "max dev" in row and "> tol 0.001" in row and "p =" not in row, row
    code, out, err = cli("verify", "handshakes", "--rtol", "0.02")
    row = next(line for line in out.splitlines() if line.startswith("pmf"))
    assert "<= tol 0.02" in row and "p =" not in row, row


def test_a_wrong_pmf_names_the_value_outside_its_band():
    import dataclasses

    import sympy

    from helpers import with_quantity
    from puzzles.engine import get_puzzle, verify
    from puzzles.engine.report import quantity_row

    pmf = next(q for q in get_puzzle("handshakes").quantities if q.name == "pmf")
    x = pmf.variable
    # a twentieth of P(X = 10) moved to X = 12: a pmf that still sums to 1, wrong at two values
    p10 = sympy.Rational(1, 20) * get_exact_p10()
    shifted = pmf.closed_form + sympy.Piecewise((-p10, sympy.Eq(x, 10)), (p10, sympy.Eq(x, 12)),
                                                (0, True))
    wrong = with_quantity("handshakes", dataclasses.replace(pmf, closed_form=shifted))
    report = verify(wrong, trials=10**6, rtol=0.01)
    q = next(q for q in report.quantities if q.name == "pmf")
    assert q.verdict == "disagree"
    assert quantity_row(q)[3] in ("P(X = 10) outside its band", "P(X = 12) outside its band")


def get_exact_p10():
    from helpers import exact_at

    return exact_at("handshakes", "pmf", x=10)


# --------------------------------------------------------------------------- 9. a constant outcome

CONSTANT_PUZZLE = '''
import numba
import numpy as np
from sympy import Rational, symbols

from puzzles import Integer, Mean, Puzzle, Variance

c = symbols("c", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, c):
    out = np.empty(trials)
    for i in range(trials):
        total = 0.0
        for _ in range(c):
            total += 0.1  # three tenths add up to 0.30000000000000004, not 3/10
        out[i] = total + 0.0 * rng.random()
    return out


PUZZLE = Puzzle(
    name="const-sum", title="A constant", statement="c tenths added up. X is their sum.",
    outcomes=["X"], parameters=[Integer(c, 3, "tenths", min=1)],
    quantities=[Mean(c * Rational(1, 10)), Variance(0 * c)],
    simulate=_simulate_kernel, naive_draws=1,
)
'''


@pytest.fixture
def constant_puzzle(tmp_path):
    import importlib.util

    path = tmp_path / "const_sum.py"
    path.write_text(CONSTANT_PUZZLE)
    spec = importlib.util.spec_from_file_location("const_sum_for_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PUZZLE


@pytest.mark.parametrize("c", [3, 1000])
@pytest.mark.parametrize("trials", [1_000_003, "auto"])
def test_an_outcome_that_never_varies_agrees(constant_puzzle, c, trials):
    # every trial gives the same float, a rounding away from the exact mean: the band is the
    # two of them, and the variance is 0, not the noise of e2 - d^2
    from puzzles.engine import verify

    report = verify(constant_puzzle, params={"c": c}, trials=trials, seed=5)
    assert report.verdict == "agree", report.format()
    assert [q.estimate for q in report.quantities if q.name == "variance"] == [0.0]


def test_the_central_moments_of_a_constant_are_zero_about_any_shift():
    import numpy as np

    from puzzles.engine import stats

    def moments(values, shift):
        x = np.asarray(values, dtype=float) - shift
        return stats.central_moments(len(x), *(float(np.sum(x ** k)) for k in (1, 2, 3, 4)),
                                     shift)

    # 0.7 about 0.69, a million times: e2 - d^2 is 6.8e-20 of rounding, not a variance
    assert moments(np.full(1_000_003, 0.7), 0.69)[1:] == (0.0, 0.0, 0.0)
    # a real spread of 1e-9 about the shift is kept
    spread = moments(np.tile([0.7, 0.7 + 1e-9], 500_000), 0.7)[1]
    assert spread == pytest.approx(0.25e-18, rel=1e-3)


# --------------------------------------------------------------------------- 10. a slow chunk

def test_a_chunk_longer_than_the_time_budget_is_said_before_the_run(constant_puzzle):
    # a chunk is one call of the simulator (for the same numbers on any threads) and is never
    # cut: a chunk far over the budget is said at once; one still running at the budget is
    # dropped, and with none finished there is no run to judge (tests/test_deadline.py)
    from puzzles.engine import verify
    from puzzles.engine.errors import InvalidOption

    said = []

    class Progress:
        def __call__(self, n):
            pass

        def warn(self, text):
            said.append(text)

    with pytest.raises(InvalidOption, match="ran out before the first chunk"):
        verify(constant_puzzle, params={"c": 20_000}, trials=65_536, max_seconds=0.01,
               progress=Progress(), threads=1)
    assert said and said[0].startswith("a chunk of 65,536 trials takes about")
    assert "is dropped" in said[0]
    quick = verify(constant_puzzle, params={"c": 1}, trials=65_536, max_seconds=60, threads=1)
    assert not any(n.startswith("a chunk of") for n in quick.notes)


# --------------------------------------------------------------------------- Ctrl-C

def test_ctrl_c_during_a_run_says_aborted_and_exits_130(tmp_path):
    import os
    import signal
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "PUZZLES_PROGRESS_SECONDS": "0.2"}
    env.pop("PUZZLES_PATH", None)
    child = subprocess.Popen([sys.executable, "-m", "puzzles.cli", "verify", "handshakes",
                              "--rtol", "1e-7", "--plot", str(tmp_path / "x.png")],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        for line in child.stderr:  # simulating: the interrupt lands in the run, not the imports
            if line.startswith("simulating"):
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, (out, err)
    assert err.strip().splitlines()[-1] == "aborted", err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no picture, no half-written file


@pytest.mark.parametrize("name", ["order-statistic", "dice-range"])  # continuous, discrete
def test_a_wrong_cdf_says_its_deviation_passed_the_dkw_band(name):
    import dataclasses

    import sympy

    from helpers import with_quantity
    from puzzles.engine import get_puzzle, verify
    from puzzles.engine.report import quantity_row

    cdf = next(q for q in get_puzzle(name).quantities if q.name == "cdf")
    x = cdf.variable
    # 3% low below x = 1/2 (order-statistic) or x = 5 (dice-range), right above
    cut = sympy.Rational(1, 2) if name == "order-statistic" else 5
    shifted = sympy.Piecewise((cdf.closed_form * sympy.Rational(97, 100), x < cut),
                              (cdf.closed_form, True))
    report = verify(with_quantity(name, dataclasses.replace(cdf, closed_form=shifted)),
                    trials=10**6, rtol=0.01)
    q = next(q for q in report.quantities if q.name == "cdf")
    assert q.verdict == "disagree"
    assert quantity_row(q)[3].startswith("max dev > DKW band "), quantity_row(q)


# --------------------------------------------------------------------------- sweep's p column

def test_an_auto_sweep_prints_the_trials_not_a_p_of_1():
    # an auto run's anytime bands give p = 1 until the evidence is strong: the printed table
    # shows what each point took instead; a fixed-size sweep keeps its smallest p-values
    from typer.testing import CliRunner

    from puzzles.cli.main import app

    runner = CliRunner()
    auto = runner.invoke(app, ["sweep", "handshakes", "-p", "a=2..3", "--rtol", "0.01",
                               "--threads", "1"])
    assert auto.exit_code == 0, auto.output
    lines = auto.stdout.splitlines()
    assert lines[0].split()[:3] == ["a", "verdict", "trials"]
    for line in lines[1:3]:
        cells = line.split()
        assert cells[1] == "agree" and cells[2].replace(",", "").isdigit()
        assert int(cells[2].replace(",", "")) % 65_536 == 0  # the trials of a look
    fixed = runner.invoke(app, ["sweep", "handshakes", "-p", "a=2..3", "-n", "1e5",
                                "--threads", "1"])
    assert fixed.stdout.splitlines()[0].split()[:3] == ["a", "verdict", "worst"]
