"""Writing a puzzle of your own (issue 17): reproducibility, hints for the usual traps,
simulator-only puzzles that are estimated, the template, `new --from`, `verify --examples`."""

import json
import os
import textwrap

import numpy as np
import pytest

from puzzles.cli.main import app
from puzzles.engine import verify
from puzzles.engine.templates import render_puzzle

HEADER = '''
import math
import random
import numba
import numpy as np
from sympy import Rational, symbols
from puzzles import Cdf, Integer, Mean, Pmf, Probability, Puzzle, Real, Variance

s, x = symbols("s x", integer=True)
'''


def kernel(body, signature="rng, trials, s", out="np.empty(trials)"):
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8)
    return (f"@numba.njit(cache=True, nogil=True)\ndef _k({signature}):\n    out = {out}\n"
            f"    for t in range(trials):\n{body}\n    return out\n")


def puzzle_file(folder, name, body, quantities="Probability(Rational(1, 4))",
                parameters='[Integer(s, 4, "faces", min=2)]', signature="rng, trials, s",
                extra="", out="np.empty(trials)"):
    text = (HEADER + extra + "\n" + kernel(body, signature, out) +
            f'\nPUZZLE = Puzzle(name="{name}", title="A test puzzle", statement="A fair die with s '
            f'faces is rolled.",\n    parameters={parameters},\n    quantities=[{quantities}],'
            f'\n    simulate=_k)\n')
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name.replace("-", "_") + ".py")
    path.write_text(text)
    return path


def run(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code, out, err):
    assert code == 2, (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err
    return err


@pytest.fixture
def folder(tmp_path, monkeypatch):
    f = tmp_path / "mine"
    f.mkdir()
    monkeypatch.setenv("PUZZLES_PATH", str(f))
    return f


# --------------------------------------------------------------------------- reproducible or refused


@pytest.mark.parametrize("draw", ["np.random.random()", "random.random()"])
def test_a_simulator_not_drawing_from_rng_is_refused_naming_rng(runner, folder, draw):
    puzzle_file(folder, "stray-draws", f"out[t] = {draw} < 0.25")
    err = one_line_error(*run(runner, "verify", "stray-draws", "-n", "1e4"))
    assert "rng" in err and "same seed" in err


def test_a_simulator_drawing_from_rng_passes_the_same_seed_check(runner, folder):
    puzzle_file(folder, "fair", "out[t] = rng.integers(0, s) == 0")
    code, out, err = run(runner, "verify", "fair", "-n", "2e5", "--rtol", "0.05")
    assert code == 0, out + err


def test_the_same_seed_check_costs_little():
    import time

    from puzzles.engine import get_puzzle
    from puzzles.engine.preflight import check_reproducible

    puzzle = get_puzzle("laplace-succession")  # the slowest built-in per trial
    args = puzzle.kernel_args(puzzle.resolve())
    check_reproducible(puzzle, args)  # compiled
    start = time.perf_counter()
    check_reproducible(puzzle, args)
    assert time.perf_counter() - start < 0.05  # a few ms on a quiet machine; generous here


# --------------------------------------------------------------------------- hints for the usual traps


@pytest.mark.parametrize("body, hint", [
    ("out[t] = math.comb(s, 2)", "math.comb"),
    ("out[t] = rng.choice(s)", "rng.integers"),
])
def test_numba_traps_get_a_hint_with_the_fix(runner, folder, body, hint):
    puzzle_file(folder, "trap", body)
    err = one_line_error(*run(runner, "verify", "trap", "-n", "1e4"))
    assert "hint:" in err and hint in err, err


@pytest.mark.parametrize("ret", ["None", "[1.0 for _ in range(trials)]"])
def test_a_simulator_that_returns_no_array_gets_a_hint(runner, folder, ret):
    path = puzzle_file(folder, "no-array", "out[t] = 1")
    path.write_text(path.read_text().replace("    return out\n", f"    return {ret}\n"))
    err = one_line_error(*run(runner, "verify", "no-array", "-n", "1e4"))
    assert "np.empty(trials)" in err, err


def test_a_sympy_function_that_needs_numbers_gets_a_hint(runner, folder):
    puzzle_file(folder, "needs-numbers", "out[t] = 1",
                extra="from sympy.functions.combinatorial.numbers import stirling\n",
                quantities="Pmf(stirling(s, x), x, support=(1, s))")
    err = one_line_error(*run(runner, "verify", "needs-numbers", "-n", "1e4"))
    assert "stirling" in err and "Function" in err, err


def test_a_float_closed_form_is_refused_at_load(runner, folder):
    puzzle_file(folder, "floaty", "out[t] = rng.integers(0, 4) == 0", quantities="Probability(1/4)")
    err = one_line_error(*run(runner, "verify", "floaty", "-n", "1e4"))
    assert "Rational(1, 4)" in err, err


# --------------------------------------------------------------------------- a simulator is enough

# rolls of a fair s-sided die until the running total exceeds s: for s = 2 the law is exact and
# small (N = 1 w.p. 0; 2 w.p. 1/2 + 1/4 + ... ), computed below by brute force
def _rolls_law(s):
    from fractions import Fraction
    law = {}

    def go(total, rolls, p):
        if total > s:
            law[rolls] = law.get(rolls, 0) + p
            return
        for face in range(1, s + 1):
            go(total + face, rolls + 1, p / s)

    go(0, 0, Fraction(1))
    return law


ROLLS = "total = 0\nrolls = 0\nwhile total <= s:\n    total += rng.integers(1, s + 1)\n    rolls += 1\nout[t] = rolls"


@pytest.fixture
def rolls(folder):
    puzzle_file(folder, "rolls", ROLLS,
                quantities="Mean(), Variance(), Probability(of='Two'), Pmf(None, x, support=(1, s + 1)), "
                           "Cdf(None, x, support=(1, s + 1), discrete=True)",
                parameters='[Integer(s, 3, "faces", min=1)]', out="np.empty((trials, 2))")
    path = folder / "rolls.py"
    text = path.read_text().replace("out[t] = rolls", "out[t, 0] = rolls\n        out[t, 1] = rolls == 2")
    text = text.replace("simulate=_k)", "simulate=_k, outcomes=['N', 'Two'])")
    text = text.replace("Mean(), Variance()", "Mean(of='N'), Variance(of='N')")
    text = text.replace("Pmf(None, x, support=(1, s + 1))", "Pmf(None, x, support=(1, s + 1), of='N')")
    text = text.replace("discrete=True)", "discrete=True, of='N')")
    path.write_text(text)
    return "rolls"


def test_a_simulator_only_puzzle_is_estimated_with_tables(rolls):
    from fractions import Fraction
    report = verify(rolls, trials=400_000, seed=5, threads=2)
    assert report.verdict == "estimated" and report.exit_code == 0
    law = _rolls_law(3)
    rows = {q.name: q for q in report.quantities}
    mean = float(sum(k * p for k, p in law.items()))
    var = float(sum(k * k * p for k, p in law.items())) - mean ** 2
    assert rows["mean"].ci_low <= mean <= rows["mean"].ci_high
    assert rows["variance"].ci_low <= var <= rows["variance"].ci_high
    assert rows["probability"].ci_low <= float(law[2]) <= rows["probability"].ci_high
    pmf = report.table("pmf")
    assert list(pmf.columns) == ["x", "estimate", "ci_low", "ci_high"]
    assert list(pmf.x) == [1, 2, 3, 4]
    for x, lo, hi in zip(pmf.x, pmf.ci_low, pmf.ci_high):
        assert lo <= float(law.get(x, Fraction(0))) <= hi
    cdf = report.table("cdf")
    running = 0
    for x, lo, hi in zip(cdf.x, cdf.ci_low, cdf.ci_high):
        running += law.get(x, 0)
        assert lo <= float(running) <= hi
    assert cdf.ci_high.iloc[-1] == 1.0
    # the same tables in to_dict (--json) and the DataFrame
    as_dict = report.to_dict()
    json.dumps(as_dict)
    table = next(q for q in as_dict["quantities"] if q["name"] == "pmf")["table"]
    assert [r["x"] for r in table] == [1, 2, 3, 4]
    assert report.to_frame().loc["pmf", "table"][1]["x"] == 2
    text = report.format()
    assert "pmf, estimated" in text and "verdict: estimated" in text


def test_estimated_cli_json_and_plot(runner, rolls, tmp_path):
    code, out, err = run(runner, "verify", rolls, "-n", "2e5", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["verdict"] == "estimated"
    assert any(q["table"] for q in data["quantities"])
    png = tmp_path / "rolls.png"
    code, out, err = run(runner, "verify", rolls, "-n", "2e5", "--plot", png)
    assert code == 0 and png.stat().st_size > 10_000, err


def test_auto_runs_until_the_band_is_within_rtol_of_the_estimate(rolls):
    loose = verify(rolls, seed=5, threads=2, rtol=0.05)
    tight = verify(rolls, seed=5, threads=2, rtol=0.003)
    assert tight.trials > loose.trials > 0
    for report, rtol in ((loose, 0.05), (tight, 0.003)):
        assert report.precise and report.stopped == "decided"
        mean = next(q for q in report.quantities if q.name == "mean")
        assert max(mean.estimate - mean.ci_low, mean.ci_high - mean.estimate) <= rtol * mean.estimate
        pmf = next(q for q in report.quantities if q.name == "pmf")
        assert pmf.deviation_band <= rtol


def test_an_estimate_offers_the_simplest_rational_in_a_narrow_band(folder):
    # flips of a fair coin until the first head: mean exactly 2, probability of one flip 1/2
    puzzle_file(folder, "first-head", "k = 1\nwhile rng.random() >= 0.5:\n    k += 1\nout[t] = k",
                quantities="Mean()", parameters="[]", signature="rng, trials")
    report = verify("first-head", seed=1, threads=2, rtol=0.002)
    mean = report.quantities[0]
    assert mean.hint == "consistent with 2 (the simplest rational in the band)"
    assert "hint: mean is consistent with 2" in report.format()
    wide = verify("first-head", trials=1000, seed=1, threads=1)
    assert wide.quantities[0].hint is None  # a wide band holds simple rationals by chance


def test_simplest_rational():
    from fractions import Fraction

    from puzzles.engine.estimate import simplest_rational
    assert simplest_rational(6.999, 7.001) == 7
    assert simplest_rational(0.33329, 0.33338) == Fraction(1, 3)
    assert simplest_rational(-0.25001, -0.24999) == Fraction(-1, 4)
    assert simplest_rational(0.2, 0.6) is None  # too wide to mean anything
    assert simplest_rational(0.1234561, 0.1234562) is None  # nothing simple inside


def test_check_against_the_simulation_says_what_it_saw(runner, rolls):
    from fractions import Fraction

    law = _rolls_law(3)  # the exact mean at s=3 is (1 + 1/3)^3 = 64/27
    assert sum(k * p for k, p in law.items()) == Fraction(64, 27)
    code, out, err = run(runner, "check", rolls, "mean=64/27", "-n", "4e5", "--rtol", "0.05")
    assert code == 0, out + err
    assert "agrees with the simulation at s=3" in out and "correct" not in out
    assert "not a proof" in out


def test_check_on_a_puzzle_without_parameters_has_no_empty_at(runner, folder):
    puzzle_file(folder, "no-params", "out[t] = rng.random() < 0.25", parameters="[]",
                signature="rng, trials")
    code, out, err = run(runner, "check", "no-params", "probability=1/3")
    assert code == 1, out + err
    assert "at  " not in out and "it gives 1/3" in out


# --------------------------------------------------------------------------- the template teaches


def test_the_template_shows_what_a_newcomer_needs():
    text = render_puzzle("my-dice")
    lower = text.lower()
    for lesson in ("Draw only from rng", "never np.random", "outcome is 1 when the event happens",
                   'outcomes=["X", "D"]', 'of="D"', "parameters=[]", "Rational(1, 6), not 1/6",
                   "naive_draws", "Optional", "Mean()", "Pmf(None, x", "--examples"):
        assert lesson.lower() in lower, lesson
    assert "-n 1e6" not in text


def test_the_template_agrees_at_the_command_new_prints(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PUZZLES_PATH", str(tmp_path))
    code, out, err = run(runner, "new", "my-dice", "--dir", tmp_path)
    assert code == 0, err
    assert "-n 1e6" not in out and "agrees out of the box" not in out
    command = next(line.split("#")[0].split() for line in out.splitlines()
                   if "puzzles verify my-dice" in line)
    code, out, err = run(runner, *command[1:], "--threads", "2")
    assert code == 0 and "verdict: agree" in out, out + err


def test_new_from_a_builtin_copies_and_renames_it(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PUZZLES_PATH", str(tmp_path))
    code, out, err = run(runner, "new", "my-coupons", "--from", "coupon-collector", "--dir", tmp_path)
    assert code == 0, err
    text = (tmp_path / "my_coupons.py").read_text()
    assert 'name="my-coupons"' in text and "StirlingS2" in text
    code, out, err = run(runner, "verify", "my-coupons", "-n", "2e5", "--rtol", "0.05")
    assert code == 0, out + err
    err = one_line_error(*run(runner, "new", "x-y", "--from", "coupon-colector", "--dir", tmp_path))
    assert "coupon-collector" in err and "not a built-in" in err
    err = one_line_error(*run(runner, "new", "x-z", "--from", "my-coupons", "--dir", tmp_path))
    assert "not a built-in" in err


def test_verify_examples_is_one_run_one_table(runner):
    code, out, err = run(runner, "verify", "hat-check", "--examples", "-n", "1e6", "--rtol", "0.05",
                         "--threads", "2")
    assert code == 0, out + err
    from puzzles.engine import get_puzzle
    points = 1 + len(get_puzzle("hat-check").examples)
    assert f"{points} points" in out
    for example in get_puzzle("hat-check").examples:
        assert f"n={example['n']}" in out
    assert out.count("verdict:") == 1 and f"({points} agree of {points} points)" in out
    code, out, err = run(runner, "verify", "hat-check", "--examples", "-n", "1e5", "--json")
    assert code in (0, 3) and len(json.loads(out)["points"]) == points
    one_line_error(*run(runner, "verify", "hat-check", "--examples", "-p", "n=3"))


def test_verify_examples_reports_the_worst_point():
    from puzzles.engine.examples import ExamplesReport
    from puzzles.engine.report import Report

    def report(verdict):
        from puzzles.engine.report import QuantityResult
        return Report("p", {}, 1, 10, 1.0, 1, 0.01, [QuantityResult("mean", "normal", verdict, None, 0.99)])

    assert ExamplesReport("p", [report("agree"), report("disagree")]).exit_code == 1
    assert ExamplesReport("p", [report("agree"), report("inconclusive")]).exit_code == 3


# --------------------------------------------------------------------------- small edges


def test_show_uses_the_outcome_named_in_the_statement(runner, folder):
    path = puzzle_file(folder, "named", "out[t] = rng.integers(1, s + 1)", quantities="Mean()")
    path.write_text(path.read_text().replace("A fair die with s faces is rolled.",
                                             "A fair die with s faces is rolled. Let N be the face shown."))
    code, out, err = run(runner, "show", "named")
    assert code == 0 and "E[N]" in out and "E[X]" not in out, out + err


def test_verify_a_broken_file_by_its_file_name_says_why(runner, folder):
    (folder / "P_Bad.py").write_text("import nothing_here\n")
    code, out, err = run(runner, "verify", "P_Bad")
    err = one_line_error(code, out, err)
    assert "P_Bad.py" in err and "nothing_here" in err
    err = one_line_error(*run(runner, "verify", "zzz-unknown"))
    assert "could not be loaded" in err


@pytest.mark.parametrize("support, body, truth", [
    ("(0, 1)", "out[t] = min(rng.random(), rng.random())", lambda r: 1 - (1 - r) ** 2),
    ("(0, oo)", "out[t] = rng.exponential(1.0)", lambda r: 1 - np.exp(-r)),
])
def test_an_estimated_continuous_cdf_holds_the_truth_in_its_band(folder, support, body, truth):
    puzzle_file(folder, "cont", body, parameters="[]", signature="rng, trials",
                extra="from sympy import oo\nr = symbols('r', positive=True)\n",
                quantities=f"Cdf(None, r, support={support})")
    report = verify("cont", trials=300_000, seed=3, threads=2)
    table = report.table("cdf")
    assert len(table) > 50
    assert np.all(table.ci_low <= truth(table.x)) and np.all(truth(table.x) <= table.ci_high)
    assert report.verdict == "estimated"


def test_an_unknown_name_whose_file_is_here_says_to_set_puzzles_path(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("PUZZLES_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(runner, "new", "here-dice")
    assert code == 0, err
    err = one_line_error(*run(runner, "verify", "here-dice"))
    assert "here_dice.py is in this folder" in err and "PUZZLES_PATH" in err


def test_an_estimated_table_names_the_statements_outcome(folder):
    path = puzzle_file(folder, "named-pmf", "out[t] = rng.integers(1, s + 1)",
                       quantities="Pmf(None, x, support=(1, s))")
    path.write_text(path.read_text().replace("is rolled.", "is rolled. Let F be the face shown."))
    text = verify("named-pmf", trials=100_000, seed=1, threads=1).format()
    assert "P(F = x)" in text


def test_a_symbol_declared_positive_with_a_range_allowing_zero_is_refused(runner, folder):
    # sympy simplifies 0**n to 0 for a positive n, so m*(1-1/m)**n at n=0, m=1 would be 0, not 1
    path = puzzle_file(folder, "assumed", "out[t] = 1", quantities="Mean(s ** 0)",
                       parameters='[Integer(s, 4, "faces", min=0)]')
    path.write_text(path.read_text().replace('symbols("s x", integer=True)',
                                             'symbols("s x", integer=True, positive=True)'))
    err = one_line_error(*run(runner, "verify", "assumed", "-n", "1e4"))
    assert "positive" in err and "s=0" in err, err


@pytest.mark.parametrize("quantity", ["Pmf()", "Cdf(None, x)", "Pmf(None, support=(1, s))"])
def test_a_pmf_or_cdf_without_variable_or_support_says_how_to_write_it(runner, folder, quantity):
    puzzle_file(folder, "bare", "out[t] = rng.integers(1, s + 1)", quantities=quantity)
    err = one_line_error(*run(runner, "verify", "bare", "-n", "1e4"))
    assert "(None, x, support=(low, high))" in err, err
