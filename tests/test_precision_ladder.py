"""The default precision (issue 18): with no tolerance given, an auto run aims at rtol 1e-3 but,
once it has simulated for SOFT_SECONDS, settles at the first look where every band is within a
rung of PRECISION_LADDER (2e-3, 5e-3, 1e-2) and says so; an explicit rtol behaves as before.

SOFT_SECONDS is set to 0 here, so the ladder is in play from the first look on and the runs are
deterministic for a seed (no clock decides anything)."""

import json

import numpy as np
import pytest
from sympy import Rational

from puzzles import Mean, Pmf, Probability, check, verify
from puzzles.cli.main import app
import importlib

verify_module = importlib.import_module("puzzles.engine.verify")
from puzzles.engine.registry import get_puzzle

from helpers import with_quantity

LADDER = verify_module.PRECISION_LADDER


@pytest.fixture
def no_soft_budget(monkeypatch):
    monkeypatch.setattr(verify_module, "SOFT_SECONDS", 0.0)


def _same_run(a, b):
    assert (a.verdict, a.trials, a.looks) == (b.verdict, b.trials, b.looks)
    for x, y in zip(a.quantities, b.quantities):
        assert (x.verdict, x.estimate, x.ci_low, x.ci_high, x.deviation_band) == \
            (y.verdict, y.estimate, y.ci_low, y.ci_high, y.deviation_band)


def test_the_ladder_is_what_the_brief_says():
    assert LADDER == (2e-3, 5e-3, 1e-2)
    assert verify_module.DEFAULT_RTOL == 1e-3
    assert 1 <= verify_module.SOFT_SECONDS <= 5


def test_default_settles_on_a_rung_and_says_which(no_soft_budget):
    # P(all correct) = 1/70 needs about 1e9 trials for 0.1%: beyond any default budget
    report = verify("lady-tasting-tea", seed=5, threads=2)
    assert report.verdict == "agree", report.format()
    assert report.trials < 200_000_000
    by_name = {q.name: q for q in report.quantities}
    prob = by_name["probability"]
    assert prob.precision in LADDER and prob.verdict == "agree"
    # the band the verdict rests on lies within that rung, and not within 0.1%
    reach = max(prob.exact - prob.ci_low, prob.ci_high - prob.exact)
    assert reach <= prob.precision * prob.exact
    assert reach > 1e-3 * prob.exact
    assert prob.tolerance == pytest.approx(prob.precision * prob.exact)
    assert report.precision == max(q.precision for q in report.quantities)
    assert all(q.precision in (1e-3,) + LADDER for q in report.quantities)
    # the table, the JSON and the frame say it
    text = report.format()
    pct = f"{100 * prob.precision:g}%"
    assert f"agree within {pct}" in text
    assert "pass --rtol 0.001 to insist" in text
    assert "would need about" in text
    data = report.to_dict()
    assert data["precision"] == report.precision
    assert {q["name"]: q["precision"] for q in data["quantities"]}["probability"] == prob.precision
    json.dumps(data)
    frame = report.to_frame()
    assert frame.loc["probability", "precision"] == prob.precision
    assert frame["precision"].dtype == np.float64


def test_explicit_rtol_is_todays_behaviour(no_soft_budget):
    # an explicit 1e-3 never settles for a rung: inconclusive at the budget, as before
    explicit = verify("lady-tasting-tea", seed=5, threads=2, rtol=1e-3, max_trials=4_000_000)
    assert explicit.verdict == "inconclusive"
    assert explicit.precision is None
    # ... and identical, look by look, to a default run that never reaches its soft budget
    verify_module.SOFT_SECONDS = 1e9
    default = verify("lady-tasting-tea", seed=5, threads=2, max_trials=4_000_000)
    _same_run(explicit, default)
    # an explicit loose rtol agrees at that rtol, every quantity's precision is it
    loose = verify("lady-tasting-tea", seed=5, threads=2, rtol=0.02)
    assert loose.verdict == "agree" and loose.precision == 0.02
    assert "would need" not in loose.format()


def test_fixed_runs_are_unchanged(no_soft_budget):
    a = verify("lady-tasting-tea", trials=300_000, seed=3, threads=2)
    b = verify("lady-tasting-tea", trials=300_000, seed=3, threads=2, rtol=1e-3)
    _same_run(a, b)
    assert a.verdict == "inconclusive"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_closed_form_three_percent_off_is_caught_under_the_default(no_soft_budget, seed):
    wrong = with_quantity("lady-tasting-tea",
                          Probability(Rational(103, 100) / 70, of="all_correct"))
    report = verify(wrong, seed=seed, threads=2)
    assert report.verdict == "disagree", report.format()
    assert report.precision is None


def test_a_wrong_mean_is_caught_under_the_default(no_soft_budget):
    N, m = get_puzzle("lady-tasting-tea").symbols["N"], get_puzzle("lady-tasting-tea").symbols["m"]
    wrong = with_quantity("lady-tasting-tea", Mean(Rational(103, 100) * m ** 2 / N))
    assert verify(wrong, seed=4, threads=2).verdict == "disagree"


def test_a_wrong_pmf_is_caught_under_the_default(no_soft_budget):
    # 3% of the probability moved from x=2 to x=1: the ladder loosens the tolerance on
    # probabilities to at most 0.01, and a band must still contain the exact value
    puzzle = get_puzzle("lady-tasting-tea")
    q = puzzle.quantity("pmf")
    x = q.variable
    from sympy import Piecewise, Eq

    shifted = q.closed_form + Piecewise((Rational(3, 100), Eq(x, 1)),
                                        (-Rational(3, 100), Eq(x, 2)), (0, True))
    wrong = with_quantity("lady-tasting-tea", Pmf(shifted, x, support=q.support))
    report = verify(wrong, seed=6, threads=2)
    assert report.verdict == "disagree", report.format()


def test_check_against_simulation_states_the_precision(no_soft_budget):
    report = check("lady-tasting-tea", ["P(X=4)=1/70"], against="simulation", seed=5,
                   threads=2)
    assert report.verdict == "agree"
    (claim,) = report.claims
    assert "agrees within" in claim.message and "% with the simulation" in claim.message
    wrong = check("lady-tasting-tea", ["P(X=4)=1.03/70"], against="simulation", seed=5,
                  threads=2)
    assert wrong.verdict == "wrong"


def test_cli_rtol_defaults_to_none(runner, no_soft_budget):
    result = runner.invoke(app, ["verify", "lady-tasting-tea", "--json", "--seed", "5"])
    assert result.exit_code == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["verdict"] == "agree" and data["precision"] in LADDER
    assert data["rtol"] == 1e-3
    result = runner.invoke(app, ["verify", "lady-tasting-tea", "--json", "--seed", "5",
                                 "--rtol", "1e-3", "--max-trials", "2e6"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["precision"] is None
    result = runner.invoke(app, ["verify", "lady-tasting-tea", "--rtol", "2"])
    assert result.exit_code == 2


def test_estimates_settle_on_the_ladder_too(no_soft_budget):
    # a quantity with no closed form: its band must be within a rung of the estimate
    puzzle = with_quantity("lady-tasting-tea", Probability(None, of="all_correct"))
    report = verify(puzzle, seed=7, threads=2)
    prob = next(q for q in report.quantities if q.name == "probability")
    assert prob.verdict == "estimated" and prob.precise
    assert prob.precision in LADDER
    half = max(prob.estimate - prob.ci_low, prob.ci_high - prob.estimate)
    assert half <= prob.precision * prob.estimate


def test_sweep_states_the_precision(no_soft_budget, runner):
    from puzzles.engine.sweep import sweep

    frame = sweep("lady-tasting-tea", {"N": "8", "m": "4"}, seed=5, threads=2)
    assert frame["precision"].iloc[0] in LADDER and frame["verdict"].iloc[0] == "agree"
    result = runner.invoke(app, ["sweep", "lady-tasting-tea", "-p", "N=8", "-p", "m=4",
                                 "--seed", "5"])
    assert result.exit_code == 0
    assert f"agree {100 * frame['precision'].iloc[0]:g}%" in result.stdout


@pytest.mark.parametrize("name,quantity", [("longest-piece", "cdf"), ("handshakes", "pmf"),
                                           ("dice-range", "cdf")])
def test_pmf_and_cdf_settle_on_the_ladder_of_probabilities(no_soft_budget, name, quantity):
    # the tolerance on probabilities is loosened the same way: within the rung, absolutely
    report = verify(name, seed=3, threads=2)
    assert report.verdict == "agree", report.format()
    q = next(q for q in report.quantities if q.name == quantity)
    assert q.precision in (1e-3,) + LADDER
    assert q.deviation_band <= q.precision
    assert q.tolerance == pytest.approx(q.precision)
    assert report.trials < 50_000_000  # not the trials 0.1% would need


def test_a_budget_shorter_than_the_soft_one_still_settles_on_the_ladder(monkeypatch):
    # max_trials (or max_seconds) ends the run before SOFT_SECONDS: its last look may settle
    monkeypatch.setattr(verify_module, "SOFT_SECONDS", 1e9)
    report = verify("lady-tasting-tea", seed=5, threads=2, max_trials=20_000_000)
    assert report.verdict == "agree" and report.precision in LADDER, report.format()
    assert report.trials <= 20_000_000
    short = verify("lady-tasting-tea", seed=5, threads=2, max_trials=300_000)
    assert short.verdict == "inconclusive"  # not even within 1%
    explicit = verify("lady-tasting-tea", seed=5, threads=2, max_trials=20_000_000, rtol=1e-3)
    assert explicit.verdict == "inconclusive"
