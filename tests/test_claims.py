"""Claims about any statistic of the outcome, written as people write maths (issue 16):
every form right and wrong, against the closed forms and against the simulation."""

import time

import pytest
import sympy

from puzzles.cli.main import app
from puzzles.engine import InvalidClaim, check, verify
from puzzles.engine.claims import TooBig, parse_expression, parse_left

a, b, n, k = sympy.symbols("a b n k", integer=True, positive=True)
X = sympy.Symbol("X", real=True)
NAMES = {"a": a, "b": b, "n": n, "k": k}


def verdict(name, claim, **kw):
    return check(name, [claim], **kw).verdict


# --------------------------------------------------------------------------- written like people write


@pytest.mark.parametrize("text,expected", [
    ("2ab/(a+b-1)", 2 * a * b / (a + b - 1)),
    ("2(n-1)", 2 * n - 2),
    ("(a+b)(a-b)", (a + b) * (a - b)),
    ("a(b+1)", a * (b + 1)),
    ("n!", sympy.factorial(n)),
    ("(n-k)!", sympy.factorial(n - k)),
    ("C(n, k)", sympy.binomial(n, k)),
    ("binom(n,k)", sympy.binomial(n, k)),
    ("2·a×b − 1", 2 * a * b - 1),
    ("n²", n ** 2),
    ("π", sympy.pi),
    ("√n", sympy.sqrt(n)),
    ("√(a+b)", sympy.sqrt(a + b)),
    ("2^-1", sympy.Rational(1, 2)),
    ("-n^2", -n ** 2),
    ("2^3^2", 2 ** 9),
    ("e^(-n)", sympy.exp(-n)),
    ("H_n", sympy.harmonic(n)),
    ("|a-b|", sympy.Abs(a - b)),
    ("0.808521361569475139078602202349", sympy.Rational(808521361569475139078602202349, 10 ** 30)),
    ("1e-3", sympy.Rational(1, 1000)),
    (r"\frac{2ab}{a+b-1}", 2 * a * b / (a + b - 1)),
    (r"\binom{n}{k}", sympy.binomial(n, k)),
    (r"{n \choose k}", sympy.binomial(n, k)),
    (r"\sqrt{n}", sympy.sqrt(n)),
    (r"\sqrt[3]{n}", n ** sympy.Rational(1, 3)),
    (r"2 \cdot n", 2 * n),
    (r"2 \times n", 2 * n),
    (r"e^{-n}", sympy.exp(-n)),
    (r"\mathrm{e}^{a}", sympy.exp(a)),
    (r"\left(a+b\right)^2", (a + b) ** 2),
    (r"\frac{n}{2}\left(n+1\right)", n * (n + 1) / 2),
    (r"\binom{n}{k}a^k(1-a)^{n-k}", sympy.binomial(n, k) * a ** k * (1 - a) ** (n - k)),
    (r"\pi a^2", sympy.pi * a ** 2),
    (r"\ln 2", sympy.log(2)),
    (r"\lfloor n/2 \rfloor", sympy.floor(n / 2)),
    (r"H_{n}", sympy.harmonic(n)),
    (r"\dfrac12", sympy.Rational(1, 2)),
])
def test_forms_people_write(text, expected):
    assert sympy.simplify(parse_expression(text, NAMES) - expected) == 0


def test_sums_and_products():
    j = sympy.Symbol("j", integer=True)
    assert parse_expression(r"\sum_{j=1}^{n} \frac{1}{j}", NAMES).subs(n, 4).doit() == sympy.Rational(25, 12)
    assert parse_expression(r"\sum_{j=1}^{n} j + 1", NAMES).subs(n, 3).doit() == 7  # the sum, then + 1
    assert parse_expression("sum(1/j, j, 1, n)", NAMES).subs(n, 4).doit() == sympy.Rational(25, 12)
    assert parse_expression("Sum(1/j, (j, 1, n))", NAMES).subs(n, 4).doit() == sympy.Rational(25, 12)
    assert parse_expression(r"\prod_{j=1}^{n} j", NAMES).subs(n, 5).doit() == 120
    assert j not in parse_expression("sum(j, j, 1, n)", NAMES).free_symbols


def test_stirling_numbers_by_name():
    assert parse_expression("stirling(5, 2)", NAMES) == 15
    assert parse_expression("stirling2(5, 2)", NAMES) == 15
    assert parse_expression("stirling1(5, 2)", NAMES) == 50  # unsigned, first kind
    x = sympy.Symbol("x")
    expr = parse_expression("stirling(x, n)", {**NAMES, "x": x})
    assert expr.subs({x: 6, n: 3}) == 90


@pytest.mark.parametrize("text,kind,shown", [
    ("E[X^3]", "E", "E[X^3]"), ("E(X)", "E", "E[X]"), ("𝔼[X²]", "E", "E[X^2]"),
    (r"\mathbb{E}[X^2]", "E", "E[X^2]"), ("E[X*(X-1)]", "E", "E[X*(X - 1)]"),
    ("E[exp(-X)]", "E", "E[exp(-X)]"), ("E[max(X-3, 0)]", "E", "E[Max(0, X - 3)]"),
    ("E[X | X > 0]", "E", "E[X | X > 0]"), ("E[|X-3| | X > 0]", "E", "E[Abs(X - 3) | X > 0]"),
    ("Var[X]", "Var", "Var[X]"), ("Var(X)", "Var", "Var[X]"), ("SD(X)", "SD", "SD[X]"),
    ("P(X>=3)", "P", "P(X >= 3)"), ("P[X=0]", "P", "P(X = 0)"), ("ℙ(X ≥ 3)", "P", "P(X >= 3)"),
    ("P(2 <= X <= 4)", "P", "P(2 <= X and X <= 4)"),
    ("P(X > 1/2 and X < 3/4)", "P", "P(X > 1/2 and X < 3/4)"),
    ("P(X=0 or X=2)", "P", "P(X = 0 or X = 2)"), ("P(not X = 0)", "P", "P(X != 0)"),
    ("P(X >= 3 | X > 0)", "P", "P(X >= 3 | X > 0)"),
    (r"\Pr(X \geq 3 \mid X > 0)", "P", "P(X >= 3 | X > 0)"),
    ("median", "median", "median"), ("quantile(0.9)", "quantile", "quantile(9/10)"),
    ("quantile(X, 0.9)", "quantile", "quantile(9/10)"),
])
def test_statistics_on_the_left(text, kind, shown):
    stat, free = parse_left(text, NAMES, {"X": X})
    assert stat.kind == kind and stat.label() == shown and not free


def test_a_law_claim_has_one_free_variable():
    stat, free = parse_left("P(X = j)", NAMES, {"X": X})
    assert list(free) == ["j"]
    with pytest.raises(InvalidClaim, match="one free variable"):
        parse_left("P(X = j and X < i)", NAMES, {"X": X})


@pytest.mark.parametrize("text,limit", [
    ("factorial(10**9)", "factorial(20,000)"), ("9**9**9**9", "131,072 bits"),
    ("binomial(10**10, 5*10**9)", "131,072 bits"), ("sum(j, j, 1, 10**12)", "2,000 terms"),
    ("(10**100000)!", "131,072 bits"), ("stirling(10**6, 3)", "bits"), ("harmonic(10**7)", "harmonic(2,000)"),
    # a power of a product multiplies out its numbers: (2a)^(10^9) is 2^(10^9) a^(10^9)
    ("(2*a)^(10^9)", "131,072 bits"), ("(a/1.5)^(1e3^3)", "131,072 bits"),
    ("(sqrt(2)*a)^(10^9)", "131,072 bits"), ("sqrt(3)^(10^9)", "131,072 bits"),
])
def test_too_big_is_refused_quickly_naming_the_limit(text, limit):
    start = time.perf_counter()
    with pytest.raises(TooBig, match=limit.replace("(", r"\(").replace(")", r"\)")):
        parse_expression(text, NAMES)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("claim", [
    "mean=factorial(10**9)", "mean=9**9**9**9", "mean=binomial(10**10, 5*10**9)",
    "mean=sum(k, k, 1, 10**12)", "mean=" + "(" * 10000 + "a" + ")" * 10000, "mean=" + "x" * 1_000_000,
    "P(X >= 10**9!) = 1", "mean=(2*a)^(10^9)",
])
def test_bad_input_one_line_exit_2_within_5_seconds(runner, claim):
    start = time.perf_counter()
    result = runner.invoke(app, ["check", "handshakes", claim])
    assert time.perf_counter() - start < 5
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_implicit_product_is_noted_and_an_unknown_letter_suggested(runner):
    report = check("handshakes", ["mean=2ab/(a+b-1)"])
    assert report.verdict == "correct" and "read 'ab' as a*b" in report.claims[0].notes
    result = runner.invoke(app, ["check", "handshakes", "mean=2ac/(a+b-1)"])
    assert result.exit_code == 2 and "'c'" in result.stderr and "not a parameter" in result.stderr


# --------------------------------------------------------------------------- against the closed forms


@pytest.mark.parametrize("name,params,right,wrong", [
    # handshakes a=3, b=4: the law enumerated over the 35 seatings: P(2)=1/5, P(4)=3/5, P(6)=1/5
    ("handshakes", {"a": 3, "b": 4}, "P(X = 4)=3/5", "P(X = 4)=1/2"),
    ("handshakes", {"a": 3, "b": 4}, "P(X >= 3)=4/5", "P(X >= 3)=1"),
    ("handshakes", {"a": 3, "b": 4}, "P(2 < X <= 6)=4/5", "P(2 < X <= 6)=1"),
    ("handshakes", {"a": 3, "b": 4}, "E[X^3]=416/5", "E[X^3]=417/5"),
    ("handshakes", {"a": 3, "b": 4}, "E[X(X-1)]=68/5", "E[X(X-1)]=69/5"),
    ("handshakes", {"a": 3, "b": 4}, "E[X | X > 2]=9/2", "E[X | X > 2]=4"),
    ("handshakes", {"a": 3, "b": 4}, "P(X = 6 | X > 2)=1/4", "P(X = 6 | X > 2)=1/5"),
    ("handshakes", {"a": 3, "b": 4}, "Var(X)=8/5", "Var(X)=1"),
    ("handshakes", {"a": 3, "b": 4}, "E[max(X-4, 0)]=2/5", "E[max(X-4, 0)]=0"),
    ("handshakes", {"a": 3, "b": 4}, "median=4", "median=6"),
    ("handshakes", {"a": 3, "b": 4}, "quantile(0.9)=6", "quantile(0.9)=4"),
    ("handshakes", {}, "SD[X]=sqrt(1260/289)", "SD[X]=2"),
    ("hat-check", {}, "E[X]=1", "E[X]=1/2"),
    ("hat-check", {}, "P(X = n) = 1/n!", "P(X = n) = 1/n"),
    ("hat-check", {}, "P(nobody = 1) = subfactorial(n)/n!", "P(nobody = 1) = exp(-1)"),
    ("hat-check", {"n": 5}, "E[X^2]=2", "E[X^2]=1"),
    ("records", {}, "E[X] = H_n", "E[X] = log(n)"),
    ("records", {}, "P(X = k) = stirling1(n, k)/n!", "P(X = k) = stirling1(n, k)/n^n"),
    ("wilcoxon-null", {}, r"Var[W] = \frac{n(n+1)(2n+1)}{24}", r"Var[W] = \frac{n(n+1)(2n+1)}{12}"),
    ("coupon-collector", {}, "P(T <= x) = n! stirling(x, n)/n^x", "P(T <= x) = stirling(x, n)/n^x"),
    ("coupon-collector", {"n": 4}, "median=7", "median=9"),
    ("sum-exceeds", {}, "E[N^2] = (2t+1)e^t", "E[N^2] = (2t+1)e^(2t)"),
    ("sum-exceeds", {}, "P(N > 2) = t^2/2", "P(N > 2) = t^2"),
    ("ball-min-distance", {}, "P(D <= r) = 1 - (1 - r^d)^n", "P(D <= r) = 1 - (1 - r^d)^(n-1)"),
    ("ball-min-distance", {"n": 10, "d": 3}, "P(D > 1/2) = (7/8)^10", "P(D > 1/2) = (7/8)^9"),
    ("ball-min-distance", {"n": 1, "d": 1}, "median = 1/2", "median = 1/3"),
    ("ballot", {}, "P(X = 1) = (a-b)/(a+b)", "P(X = 1) = (a-b)/(a+b+1)"),
    ("random-walk-return", {}, r"probability = \binom{n}{n/2} 2^{-n}", "probability = C(n, n/2)/2^(n+1)"),
    ("wald-coverage", {}, "probability=0.808521361569475139078602202349",
     "probability=0.808521361569475139078602202348"),
])
def test_right_and_wrong_against_the_closed_forms(name, params, right, wrong):
    good = check(name, [right], params=params)
    assert good.verdict == "correct", good.format()
    assert good.claims[0].against == "exact" and good.claims[0].source
    bad = check(name, [wrong], params=params)
    assert bad.verdict == "wrong", bad.format()
    assert bad.exit_code == 1


def test_a_wrong_30_digit_decimal_shows_the_digits_that_differ():
    report = check("wald-coverage", ["probability=0.808521361569475139078602202348"])
    assert "0.808521361569475139078602202348" in report.claims[0].message
    assert "0.808521361569475139078602202349" in report.claims[0].message


def test_undeclared_quantities_are_statistics():
    assert verdict("compound-poisson", "variance=2*lam/mu^2") == "correct"  # declared
    # not declared: read as P(X <= x) and P(X = x)
    assert verdict("handshakes", "cdf=1", params={"a": 3, "b": 4}) == "wrong"
    assert verdict("handshakes", "cdf=1", params={"a": 1, "b": 2}) == "correct"  # X is always 2


def test_several_claims_for_one_quantity_each_judged():
    report = check("handshakes", ["mean=2*a*b/(a+b-1)", "mean=2ab/(a+b)", "E[X]=160/17"])
    assert [c.status for c in report.claims] == ["correct", "WRONG", "correct"]


def test_a_parameter_given_fixes_a_sub_family():
    claim = "probability = 1 - ff(365, n)/365^n"
    assert verdict("birthday", claim) == "wrong"                              # other d
    report = check("birthday", [claim], params={"d": 365})
    assert report.verdict == "correct" and report.claims[0].points > 5         # every n, d = 365


def test_large_parameter_values_are_tried():
    c = check("coupon-collector", ["E[T] = n*harmonic(n) + floor(n/52)"]).claims[0]
    assert not c.correct and c.counterexample["params"]["n"] >= 52


def test_the_report_says_what_judged_each_claim():
    report = check("handshakes", ["mean=160/17", "P(X >= 3)=2430/2431", "E[X^2]=160/17+ (160/17)^2 + 1260/289"])
    sources = [c.source for c in report.claims]
    assert "mean" in sources[0] and "pmf" in sources[1] and "mean and variance" in sources[2]
    assert "judged by" in report.format()


# --------------------------------------------------------------------------- against the simulation


@pytest.mark.slow
def test_statistics_against_the_simulation():
    # compound-poisson declares no law, only the mean and variance: E[S^2] = Var + mean^2 = 15/4
    # is exact; E[S^3] = k3 + 3 k2 k1 + k1^3 from the cumulants k_j = lam E[Y^j] = 3 j!/2^j:
    # 9/4 + 27/4 + 27/8 = 99/8; P(S = 0) = P(no claims) = e^-3
    report = check("compound-poisson", ["E[S^2]=15/4", "E[S^3]=99/8", "P(S = 0) = exp(-3)",
                                        "E[S^3]=12", "P(S = 0) = exp(-2)", "median = 1"],
                   trials=1_000_000, rtol=0.05)
    status = [c.status for c in report.claims]
    assert status == ["correct", "agree", "agree", "disagree", "disagree", "disagree"], report.format()
    assert [c.against for c in report.claims] == ["exact"] + ["simulation"] * 5


@pytest.mark.slow
def test_every_kind_against_the_simulation_right_and_wrong():
    right = ["E[X^3]=416/5", "P(X >= 3)=4/5", "E[X | X > 2]=9/2", "P(X = 6 | X > 2)=1/4",
             "Var[X]=8/5", "SD[X]=sqrt(8/5)", "median=4",
             "P(X = k) = 2*(a+b)/k*binomial(a-1, k/2-1)*binomial(b-1, k/2-1)/binomial(a+b, a)*(1+(-1)^k)/2"]
    wrong = ["E[X^3]=70", "P(X >= 3)=1/2", "E[X | X > 2]=4", "P(X = 6 | X > 2)=1/2",
             "Var[X]=2", "SD[X]=2", "median=6", "P(X = k) = 1/3"]
    params = {"a": 3, "b": 4}
    good = check("handshakes", right, params=params, against="simulation", trials=400_000, rtol=0.05)
    assert [c.status for c in good.claims] == ["agree"] * len(right), good.format()
    bad = check("handshakes", wrong, params=params, against="simulation", trials=400_000, rtol=0.05)
    assert [c.status for c in bad.claims] == ["disagree"] * len(wrong), bad.format()


@pytest.mark.slow
def test_verify_also_measures_statistics(runner):
    report = verify("handshakes", params={"a": 3, "b": 4}, trials=400_000, rtol=0.05,
                    also=["P(X>=3)", "E[X^3]", "E[X | X > 2]"])
    rows = {q.name: q for q in report.quantities}
    assert rows["P(X >= 3)"].exact_str == "4/5" and rows["P(X >= 3)"].verdict == "agree"
    assert rows["E[X^3]"].exact_str == "416/5" and rows["E[X^3]"].verdict == "agree"
    assert rows["E[X | X > 2]"].verdict == "agree"
    # the picture draws a statistic's running estimate with its own kind of band
    assert rows["P(X >= 3)"].data["kind"] == "probability" and rows["E[X^3]"].data["kind"] == "mean"
    result = runner.invoke(app, ["verify", "compound-poisson", "-n", "2e5", "--rtol", "0.05",
                                 "--also", "E[S^3]"])
    assert result.exit_code == 0 and "E[S^3]" in result.stdout and "no closed form" in result.stdout
