import json
from fractions import Fraction

import numpy as np
import pytest
import sympy

from puzzles.engine import Mean, all_puzzles, get_puzzle, verify
from puzzles.engine.simulate import CHUNK_TRIALS, chunk_generator
from helpers import assert_agrees, points, with_quantity

CASES = [(name, p) for name, puzzle in all_puzzles().items() for p in points(puzzle)]


@pytest.mark.slow
@pytest.mark.parametrize("name,params", CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_every_puzzle_agrees_at_defaults_and_examples(name, params):
    assert_agrees(name, params)


def test_handshakes_exact_values_at_3_5():
    report = verify("handshakes", {"a": 3, "b": 5}, trials=100_000, rtol=0.05)
    by_name = {q.name: q for q in report.quantities}
    assert by_name["mean"].exact_str == "30/7"
    assert by_name["variance"].exact_str == "80/49"
    assert report.verdict == "agree"


def test_handshakes_default_exact_values():
    report = verify("handshakes", trials=50_000)
    by_name = {q.name: q for q in report.quantities}
    assert by_name["mean"].exact_str == "160/17"
    assert Fraction(by_name["variance"].exact_str) == Fraction(1260, 289)


def test_wrong_mean_is_caught():
    a, b = get_puzzle("handshakes").symbols.values()
    wrong = with_quantity("handshakes", Mean(2 * a * b / (a + b)))  # a classic slip: N, not N-1
    report = verify(wrong, trials=200_000)
    assert report.verdict == "disagree"
    assert report.exit_code == 1
    mean = next(q for q in report.quantities if q.name == "mean")
    assert not mean.agree and mean.p_value < 1e-6


def test_wrong_cdf_is_caught():
    from puzzles.engine import Cdf

    puzzle = get_puzzle("ball-min-distance")
    n, d = puzzle.symbols.values()
    r = puzzle.quantity("cdf").variable
    wrong = with_quantity("ball-min-distance", Cdf(1 - (1 - r ** d) ** (n - 1), r, support=(0, 1)))
    assert verify(wrong, trials=100_000).verdict == "disagree"


def test_wrong_pmf_is_caught():
    from puzzles.engine import Pmf

    puzzle = get_puzzle("handshakes")
    a, b = puzzle.symbols.values()
    x = puzzle.quantity("pmf").variable
    true_pmf = puzzle.quantity("pmf").closed_form
    # move a little mass from x=2 to x=4: still sums to one
    bumped = true_pmf + sympy.Piecewise((-sympy.Rational(1, 200), sympy.Eq(x, 2)),
                                        (sympy.Rational(1, 200), sympy.Eq(x, 4)), (0, True))
    wrong = with_quantity("handshakes", Pmf(bumped, x, support=(2, 2 * sympy.Min(a, b))))
    report = verify(wrong, trials=500_000)
    pmf = next(q for q in report.quantities if q.name == "pmf")
    assert not pmf.agree


def test_same_seed_same_numbers_for_one_and_two_threads():
    trials = 3 * CHUNK_TRIALS + 123  # several chunks, and a short last one
    one = verify("ball-min-distance", trials=trials, seed=7, threads=1).to_dict()
    two = verify("ball-min-distance", trials=trials, seed=7, threads=2).to_dict()
    for q1, q2 in zip(one["quantities"], two["quantities"]):
        assert q1["estimate"] == q2["estimate"]
        assert q1["p_value"] == q2["p_value"]
        assert q1["ci_low"] == q2["ci_low"]


def test_different_seeds_differ():
    a = verify("handshakes", trials=10_000, seed=1).to_dict()["quantities"][0]["estimate"]
    b = verify("handshakes", trials=10_000, seed=2).to_dict()["quantities"][0]["estimate"]
    assert a != b


def test_chunk_streams_are_the_spawned_children():
    children = np.random.SeedSequence(99).spawn(3)
    for i, child in enumerate(children):
        expected = np.random.Generator(np.random.PCG64(child)).random(4)
        assert np.array_equal(chunk_generator(99, i).random(4), expected)


def test_report_dict_is_json_and_frame_has_one_row_per_quantity():
    report = verify("handshakes", trials=20_000)
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) >= {"puzzle", "params", "seed", "trials", "seconds", "trials_per_second",
                         "alpha", "verdict", "quantities"}
    assert data["params"] == {"a": 8, "b": 10}
    frame = report.to_frame()
    assert list(frame.index) == ["mean", "variance", "pmf"]
    for column in ("exact", "exact_str", "estimate", "ci_low", "ci_high", "p_value", "agree"):
        assert column in frame.columns


def test_bands_are_simultaneous():
    report = verify("handshakes", trials=20_000, alpha=0.03)
    assert all(abs(q.level - 0.99) < 1e-12 for q in report.quantities)


def test_degenerate_outcome_agrees_exactly():
    # one student among two others always shakes two hands: variance 0
    report = verify("handshakes", {"a": 1, "b": 2}, trials=10_000)  # exact: no spread at all
    assert report.verdict == "agree"
    assert next(q for q in report.quantities if q.name == "variance").estimate == 0
