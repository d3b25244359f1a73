import builtins
import json

import pytest
import sympy

from puzzles.cli.main import app
from puzzles.engine import InvalidClaim, check
from puzzles.engine.claims import parse_expression


def claims_of(report):
    return {c.quantity: c for c in report.claims}


def test_right_formulas_are_proved_correct():
    report = check("handshakes", {"mean": "2*a*b/(a+b-1)",
                                  "variance": "4*a*b/(a+b-1) + 4*a*b*(a-1)*(b-1)/((a+b-1)*(a+b-2)) - (2*a*b/(a+b-1))^2"})
    assert report.verdict == "correct" and report.exit_code == 0
    assert all(c.correct and c.proved for c in report.claims)


def test_wrong_everywhere_gives_counterexample_at_defaults():
    report = check("handshakes", ["variance=2*a*b/(a+b)"])
    c = claims_of(report)["variance"]
    assert not c.correct and report.exit_code == 1
    assert c.counterexample["params"] == {"a": 8, "b": 10}
    assert c.counterexample["truth_str"] == "1260/289"
    assert c.counterexample["claimed_str"] == "80/9"


def test_right_only_at_the_defaults_is_caught():
    c = claims_of(check("handshakes", ["mean=2*a*b/(a+b-1) + (a-8)*(b-10)/7"]))["mean"]
    assert not c.correct
    params = c.counterexample["params"]
    assert (params["a"], params["b"]) != (8, 10)
    # the counterexample is real: the truth there is 2ab/(a+b-1)
    a, b = params["a"], params["b"]
    assert sympy.Rational(c.counterexample["truth_str"]) == sympy.Rational(2 * a * b, a + b - 1)


def test_right_except_at_an_edge_is_caught():
    # floor(1/a) is 1 at a=1 and 0 for every other a
    c = claims_of(check("handshakes", ["mean=2*a*b/(a+b-1) + floor(1/a)"]))["mean"]
    assert not c.correct
    assert c.counterexample["params"]["a"] == 1


def test_number_claims_are_judged_at_the_given_point():
    assert check("handshakes", ["mean=160/17"]).verdict == "correct"
    assert check("handshakes", ["mean=30/7"], params={"a": 3, "b": 5}).verdict == "correct"
    report = check("handshakes", ["mean=30/7"])
    assert report.verdict == "wrong"
    assert "a=8, b=10" in report.claims[0].message


def test_decimal_claim_is_exact_not_float():
    assert check("handshakes", ["mean=9.41"]).verdict == "wrong"
    assert check("handshakes", ["mean=4"], params={"a": 2, "b": 2}).verdict == "wrong"  # 8/3


def test_cdf_claims():
    assert check("ball-min-distance", ["cdf=1-(1-r**d)**n"]).verdict == "correct"
    report = check("ball-min-distance", ["cdf=1-(1-r**d)**(n-1)"])
    assert report.verdict == "wrong"
    assert "r" in report.claims[0].counterexample["variable"]


def test_pmf_claim_over_its_support():
    right = "2*(a+b)/x*binomial(a-1, x/2-1)*binomial(b-1, x/2-1)/binomial(a+b, a)*(1+(-1)**x)/2"
    assert check("handshakes", [f"pmf={right}"]).verdict == "correct"
    assert check("handshakes", [f"pmf={right}*1.01"]).verdict == "wrong"


def test_against_simulation():
    report = check("handshakes", ["mean=160/17"], against="simulation", trials=200_000, rtol=0.01)
    assert report.claims[0].against == "simulation" and report.claims[0].correct
    assert check("handshakes", ["mean=9.6"], against="simulation", trials=200_000).verdict == "wrong"
    unsettled = check("handshakes", ["mean=160/17"], against="simulation", trials=70_000)
    assert unsettled.verdict == "inconclusive" and unsettled.exit_code == 3


def test_json(runner):
    result = runner.invoke(app, ["check", "handshakes", "mean=2*a*b/(a+b)", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["verdict"] == "wrong" and data["claims"][0]["status"] == "WRONG"


def test_cli_table(runner):
    result = runner.invoke(app, ["check", "handshakes", "mean=2*a*b/(a+b-1)", "variance=2*a*b/(a+b)"])
    assert result.exit_code == 1
    assert "correct: equals the closed form for all a, b" in result.stdout
    assert "WRONG: at a=8, b=10 it gives 80/9" in result.stdout
    assert "verdict: wrong (1 of 2 claims)" in result.stdout


@pytest.mark.parametrize("claim,needle", [
    ("mean=", "empty"),
    ("nosuchquantity=1", "unknown quantity 'nosuchquantity'"),
    ("mean", "QUANTITY=EXPRESSION"),
    ("mean=2*q", "unknown name 'q'"),
    ("mean=(a+b", "unbalanced brackets"),
    ("mean=a+b)", "unbalanced brackets"),
    ("mean=a +* b", "unexpected symbol"),
    ("mean=__import__('os').system('touch /tmp/puzzles-pwned')", "cannot read '.'"),
    ("mean=__import__", "unexpected symbol at column 1"),
    ("mean=a.__class__", "cannot read '.'"),
    ("mean=lambda: 1", "cannot read ':'"),
    ("mean='1'", "unexpected symbol"),
    ("mean=a if b else 1", "unknown name 'if'"),
    ("mean=foo(a)", "unknown function 'foo'"),
    ("mean=sqrt", "is a function"),
    ("mean=" + "(" * 100 + "a" + ")" * 100, "nested too deeply"),
    ("mean=" + "a+" * 2500 + "a", "too long"),
    ("mean=1==1", "comparison"),
    ("mean=(a, b)", "tuple"),
    ("mean=1/2a", "ambiguous"),
    ("mean=2abc", "'c'"),
    ("mean=E[X]", "belongs on the left"),
    ("E[Y]=1", "does not mention the outcome"),
    ("P(X >= 3 and 2)=1", "condition"),
    ("P(X=k)=k+j", "unknown name 'j'"),
    ("quantile(2)=1", "0 < q < 1"),
    ("mean=factorial(10**9)", "the limit is factorial(20,000)"),
    ("mean=9**9**9**9", "the limit is 131,072 bits"),
    ("mean=binomial(10**10, 5*10**9)", "the limit is 131,072 bits"),
    ("mean=sum(k, k, 1, 10**12)", "the limit is 2,000 terms"),
    ("mean=" + "(" * 10000 + "a" + ")" * 10000, "too long"),
    ("mean=" + "1" * 1_000_000, "too long"),
    ("mean=1e100000", "too big"),
    (r"mean=\frac{2ab}{a+b-1", "unbalanced brackets"),
    (r"mean=\foo{a}", "not supported"),
])
def test_bad_claims_exit_2_with_one_line(runner, claim, needle):
    result = runner.invoke(app, ["check", "handshakes", claim])
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_unknown_puzzle_and_parameter(runner):
    assert runner.invoke(app, ["check", "handshake", "mean=1"]).exit_code == 2
    result = runner.invoke(app, ["check", "handshakes", "mean=1", "--param", "z=1"])
    assert result.exit_code == 2 and "unknown parameter" in result.stderr


def test_nothing_user_written_is_executed(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called while parsing a claim")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    for attack in [f"__import__('os').system('touch {marker}')",
                   f"open('{marker}', 'w')", "a.__class__.__mro__", "(lambda: 1)()",
                   "[c for c in ().__class__.__base__.__subclasses__()]"]:
        with pytest.raises(InvalidClaim):
            parse_expression(attack, {"a": sympy.Symbol("a")})
    assert not marker.exists()
    # the parser still works with eval forbidden: it never needed it
    assert parse_expression("2*a^2 + sqrt(4)", {"a": sympy.Symbol("a")}) == 2 * sympy.Symbol("a") ** 2 + 2


def test_sum_binder():
    n = sympy.Symbol("n", integer=True)
    expr = parse_expression("sum((-1)**k/factorial(k), k, 0, n)", {"n": n})
    assert expr.subs(n, 3).doit() == sympy.Rational(1, 3)


def test_the_verdict_line_counts_claims_in_good_grammar():
    from puzzles import check as run_check

    one_wrong = run_check("handshakes", ["mean=1"]).format()
    assert "(1 of 1 claim)" in one_wrong, one_wrong
    one_right = run_check("handshakes", ["mean=2*a*b/(a+b-1)"]).format()
    assert "(1 claim)" in one_right, one_right
    two = run_check("handshakes", ["mean=1", "mean=2"]).format()
    assert "(2 of 2 claims)" in two, two
