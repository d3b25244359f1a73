"""Reports at home in Python: str()/repr() print the CLI's table, _repr_html_ shows it in a
notebook with coloured verdicts and the picture, to_frame() has proper dtypes, and counts of
trials are read the same way by the API and the CLI (1e6, "1e6")."""

import base64
import re
import sys

import pytest

import puzzles
from puzzles.cli.main import app
from puzzles.engine.errors import InvalidOption
from puzzles.engine.table import VERDICT_COLORS

PNG = b"\x89PNG\r\n\x1a\n"
TRIALS = 131_072


@pytest.fixture(scope="module")
def report():
    return puzzles.verify("handshakes", trials=TRIALS, seed=7, threads=2)


@pytest.fixture(scope="module")
def claims():
    return puzzles.check("handshakes", {"mean": "2*a*b/(a+b-1)", "variance": "2*a*b/(a+b)"})


def _without_timing(text):
    # the head line's seconds and trials/s differ from run to run
    return re.sub(r"[\d.]+ m?s  \(.*trials/s\)", "T", text)  # 2.3 s, 35 ms


def test_str_and_repr_are_the_cli_table(report, runner):
    assert str(report) == report.format() == repr(report)
    assert "np.float64" not in repr(report) and "QuantityResult" not in repr(report)
    result = runner.invoke(app, ["verify", "handshakes", "-n", str(TRIALS), "--seed", "7",
                                 "--threads", "2"])
    assert _without_timing(result.output.strip()) == _without_timing(str(report))


def test_check_str_and_repr_are_the_cli_table(claims, runner):
    assert str(claims) == claims.format() == repr(claims)
    result = runner.invoke(app, ["check", "handshakes", "mean=2*a*b/(a+b-1)",
                                 "variance=2*a*b/(a+b)"])
    assert result.exit_code == 1
    assert result.output.strip() == str(claims)


def _badges(html):
    """(word, colour) of every coloured verdict, in order."""
    return [(word, colour) for colour, word in
            re.findall(r"<span style='[^']*background:(#[0-9a-f]{6})[^']*'>([^<]*)</span>", html)]


def _cells(html):
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def test_repr_html_is_the_same_table_with_coloured_verdicts_and_the_picture(report):
    page = report._repr_html_()
    table = report.summary_table()
    # every cell of the text table, HTML-escaped (a pmf's band reads "max dev ... <= ...")
    import html as html_lib

    cells = [html_lib.unescape(c) for c in _cells(page)]
    assert cells == [c for row in table.rows for c in row]
    assert _badges(page) == [(q.verdict, VERDICT_COLORS[q.verdict]) for q in report.quantities] + [
        (report.verdict, VERDICT_COLORS[report.verdict])]
    assert html_lib.escape(table.title) in page
    png = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert png, "no picture"
    assert base64.b64decode(png.group(1)).startswith(PNG)


def test_repr_html_escapes_what_it_shows(report):
    page = report._repr_html_()
    pmf_band = next(r[3] for r in report.summary_table().rows if r[0] == "pmf")
    assert "<=" in pmf_band or ">" in pmf_band  # "reach ... <= tol ..." or "... > tol ..."
    escaped = pmf_band.replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in page and pmf_band not in page


def test_repr_html_without_matplotlib_is_the_table_alone(report, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    page = report._repr_html_()
    assert "<table" in page and "<img" not in page


def test_check_repr_html(claims):
    page = claims._repr_html_()
    assert _badges(page) == [("correct", VERDICT_COLORS["correct"]),
                             ("WRONG", VERDICT_COLORS["WRONG"]), ("wrong", VERDICT_COLORS["wrong"])]
    assert "<img" not in page  # judged against closed forms: nothing simulated to draw
    simulated = puzzles.check("handshakes", {"mean": "2*a*b/(a+b)"}, against="simulation",
                              trials=65_536, seed=3, threads=2)
    assert "data:image/png;base64," in simulated._repr_html_()


def test_plot_without_a_path_returns_the_figure(report, tmp_path):
    from matplotlib.figure import Figure

    fig = report.plot()
    assert isinstance(fig, Figure)
    assert len(fig.axes) >= 3
    assert fig._repr_png_().startswith(PNG)  # a notebook shows it even without pyplot
    assert report.plot(tmp_path / "r.png") is None
    assert (tmp_path / "r.png").read_bytes().startswith(PNG)


def test_to_frame_dtypes(report):
    frame = report.to_frame()
    assert list(frame.index) == ["mean", "variance", "pmf"]
    for column in ("dof", "bins", "values", "impossible", "trials_needed"):
        assert str(frame[column].dtype) == "Int64", column
    assert str(frame["agree"].dtype) == "boolean"
    for column in ("p_value", "estimate", "ci_low", "ci_high", "exact"):
        assert str(frame[column].dtype) == "float64", column
    assert frame.loc["pmf", "values"] == 8 and frame["values"].isna().sum() == 2
    for q in report.quantities:
        assert str(frame.loc[q.name, "agree"]) == str(q.agree).replace("None", "<NA>")


def test_check_to_frame(claims):
    import pandas as pd

    frame = claims.to_frame()
    assert list(frame.index) == ["mean", "variance"]
    assert str(frame["correct"].dtype) == "boolean"
    assert str(frame["proved"].dtype) == "boolean"
    assert str(frame["points"].dtype) == "Int64"
    assert frame.loc["mean", "correct"] == True  # noqa: E712 (a numpy/pandas boolean)
    assert frame.loc["variance", "correct"] == False  # noqa: E712
    assert frame.loc["variance", "at"] == "a=8, b=10"
    assert frame.loc["variance", "claimed"] == pytest.approx(80 / 9)
    assert frame.loc["variance", "truth"] == pytest.approx(1260 / 289)
    assert pd.isna(frame.loc["mean", "at"])
    simulated = puzzles.check("handshakes", {"mean": "2*a*b/(a+b)"}, against="simulation",
                              trials=65_536, seed=3, threads=2).to_frame()
    assert simulated.loc["mean", "status"] == "disagree"
    assert simulated.loc["mean", "claimed"] == pytest.approx(80 / 9)
    assert simulated.loc["mean", "estimate"] == pytest.approx(160 / 17, rel=0.01)
    assert simulated.loc["mean", "ci_low"] < simulated.loc["mean", "estimate"] < \
        simulated.loc["mean", "ci_high"]


@pytest.mark.parametrize("trials", [65_536, 65536.0, 6.5536e4, "65536", "65_536", "65,536",
                                    "6.5536e4"])
def test_trials_as_the_cli_accepts_them(trials):
    report = puzzles.verify("birthday", trials=trials, seed=1, threads=1)
    assert report.trials == 65_536 and isinstance(report.trials, int)


def test_one_e_six_and_max_trials_strings():
    a = puzzles.verify("birthday", trials=1e5, seed=2, threads=1)
    b = puzzles.verify("birthday", trials="1e5", seed=2, threads=1)
    assert a.trials == b.trials == 100_000
    assert a.quantities[0].estimate == b.quantities[0].estimate
    auto = puzzles.verify("birthday", trials="AUTO", max_trials="6.5536e4", seed=2, threads=1,
                          rtol=1e-6)
    assert auto.mode == "auto" and auto.trials == 65_536
    assert puzzles.check("birthday", {"probability": "1/2"}, against="simulation",
                         trials="1e5", seed=2, threads=1).simulation.trials == 100_000


@pytest.mark.parametrize("bad", [1.5, "1e6.5", "1.5e0", "abc", 0, -3, "0", True, float("inf"),
                                 float("nan"), "auto-ish", [10]])
def test_trials_that_are_not_counts_are_refused(bad):
    with pytest.raises(InvalidOption, match=r"trials=.* must be a whole number > 0"):
        puzzles.verify("birthday", trials=bad)
    with pytest.raises(InvalidOption, match=r"max_trials=.* must be a whole number > 0"):
        puzzles.verify("birthday", max_trials=bad)


def test_sweep_and_calibrate_read_counts_the_same_way():
    from puzzles.engine.calibrate import calibrate
    from puzzles.engine.sweep import sweep

    frame = sweep("birthday", {"n": "22..23"}, trials=6.5536e4, seed=1, threads=1)
    assert list(frame["trials"]) == [65_536, 65_536]
    cal = calibrate("birthday", runs=2, trials="6.5536e4", seed=1)
    assert cal.trials == 65_536


def test_cli_counts_unchanged(runner):
    ok = runner.invoke(app, ["verify", "birthday", "-n", "6.5536e4", "--threads", "1"])
    assert ok.exit_code in (0, 3) and "65,536 trials" in ok.output
    bad = runner.invoke(app, ["verify", "birthday", "-n", "1e6.5"])
    assert bad.exit_code == 2
    assert bad.output.strip() == "error: --trials '1e6.5' must be a whole number > 0 (e.g. 1000000 or 1e6)"


def test_lines_after_the_verdict_show_in_html_too():
    # an estimated pmf (no closed form) prints its table after the verdict line: the notebook
    # shows those lines as well, escaped, in the same order
    import dataclasses
    import html as html_lib

    from puzzles.engine import get_puzzle

    puzzle = get_puzzle("handshakes")
    estimated = dataclasses.replace(puzzle, quantities=[
        dataclasses.replace(q, closed_form=None) if q.name == "pmf" else q
        for q in puzzle.quantities])
    report = puzzles.verify(estimated, trials=65_536, seed=1, threads=1, rtol=0.05)
    after = report.summary_table().after
    assert after and after[0].startswith("pmf, estimated")
    assert str(report).endswith("\n".join(after))
    page = report._repr_html_()
    (pre,) = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    assert html_lib.unescape(pre) == "\n".join(after)
    assert ("estimated", VERDICT_COLORS["estimated"]) in _badges(page)


def test_examples_report_is_at_home_too():
    # verify --examples' report: the same three renderings and a frame with one row per
    # quantity per point
    from puzzles.engine.examples import verify_examples

    report = verify_examples("gamblers-ruin", trials=65_536, seed=1, threads=1, rtol=0.05)
    assert str(report) == repr(report) == report.format()
    assert report.format().splitlines()[-1].startswith("verdict: ")
    page = report._repr_html_()
    statuses = [q.verdict for r in report.reports for q in r.quantities]
    assert _badges(page) == [(v, VERDICT_COLORS[v]) for v in statuses + [report.verdict]]
    frame = report.to_frame()
    assert len(frame) == len(statuses)
    assert str(frame["k"].dtype) == "int64" and str(frame["p"].dtype) == "float64"
    assert str(frame["agree"].dtype) == "boolean"
    points = [tuple(r.params.values()) for r in report.reports]
    assert len(set(points)) == len(points) >= 2
