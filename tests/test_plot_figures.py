"""What the pictures say (issue 15, 'The picture explains the verdict'): the returned matplotlib
Figures are inspected -- titles, artists, texts, line data -- not pixels.

Each panel's axes carries a label (Axes.get_label()): the quantity's name for the main axes and
'<name> residuals' for the residual axes below a pmf or cdf. The artist that shows what decided
a distribution's verdict has gid 'decision'; the band the test used has gid 'test band'."""

import numpy as np
import pytest
import sympy

from helpers import with_quantity
from puzzles import Cdf, Pmf
from puzzles.engine import check, get_puzzle, verify


def axes_labelled(fig, label):
    found = [ax for ax in fig.axes if ax.get_label() == label]
    assert found, [ax.get_label() for ax in fig.axes]
    return found[0]


def texts_of(fig) -> str:
    """Every piece of text drawn: figure texts, titles, labels, legends, annotations."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        out += [ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return "\n".join(out)


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def band_half_width(ax) -> float:
    """The residual band the test used, as drawn: its polygon's extent about 0."""
    (band,) = by_gid(ax, "test band")
    ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    return float(np.max(np.abs(ys)))


BALL = get_puzzle("ball-min-distance")
N, D = BALL.symbols["n"], BALL.symbols["d"]
R = BALL.quantity("cdf").variable
BALL_CDF = 1 - (1 - R ** D) ** N


def ball_with_cdf(cdf):
    return with_quantity("ball-min-distance", Cdf(cdf, R, support=(0, 1)))


# --------------------------------------------------------------------------- cdf: what decided


def test_cdf_disagree_by_dkw_marks_the_deviation_outside_the_tests_band():
    """A slightly wrong continuous cdf: DKW rejects. The residual panel draws the band the test
    used and marks the largest deviation, outside it, with the numbers that decided."""
    report = verify(ball_with_cdf(1 - (1 - R ** D) ** N * (1 - R / 60)), trials=200_000,
                    seed=7, threads=2)
    (q,) = [q for q in report.quantities if q.name == "cdf"]
    assert q.verdict == "disagree" and not q.problem
    fig = report.plot()
    resid = axes_labelled(fig, "cdf residuals")
    eps = q.data["dkw"]
    assert band_half_width(resid) == pytest.approx(eps, rel=1e-6)
    (mark,) = by_gid(resid, "decision")
    y = np.asarray(mark.get_ydata(), dtype=float)
    assert abs(y[0]) == pytest.approx(q.max_deviation, rel=1e-9)
    assert abs(y[0]) > eps  # the reader sees it outside the band
    said = "\n".join(legend_texts(axes_labelled(fig, "cdf")))
    assert f"{q.max_deviation:.2g}" in said and f"{eps:.2g}" in said


def test_cdf_not_reaching_one_says_so_in_the_panel():
    """The cdf is 0.9999 at the top of its support: disagree with every residual tiny. The
    panel must say what decided, not draw an empty cdf."""
    report = verify(ball_with_cdf(BALL_CDF * (1 - sympy.Rational(1, 10 ** 4))), trials=65_536,
                    seed=7, threads=2)
    (q,) = [q for q in report.quantities if q.name == "cdf"]
    assert q.verdict == "disagree" and q.problem
    fig = report.plot()
    main = axes_labelled(fig, "cdf")
    (note,) = by_gid(main, "decision")
    assert q.problem in " ".join(note.get_text().split())  # wrapped to the panel
    # the exact cdf is drawn over its support, no made-up empirical points
    assert not [line for line in main.lines if line.get_label() == "empirical cdf"]


@pytest.mark.filterwarnings("error::RuntimeWarning")  # far out a wrong cdf overflows: silently
def test_cdf_on_an_unbounded_support_not_reaching_one_draws_where_the_mass_is():
    """post-office's cdf runs to infinity: scaled by 0.999 it never reaches 1 (the engine finds
    no top). The picture draws a finite stretch of it, with the problem in words."""
    post = get_puzzle("post-office")
    cdf = post.quantity("cdf")
    wrong = with_quantity("post-office", Cdf(cdf.closed_form * sympy.Rational(999, 1000),
                                             cdf.variable, support=cdf.support))
    report = verify(wrong, trials=65_536, seed=7, threads=2)
    (q,) = [q for q in report.quantities if q.name == "cdf"]
    assert q.verdict == "disagree" and q.problem
    fig = report.plot()
    main = axes_labelled(fig, "cdf")
    low, high = main.get_xlim()
    assert np.isfinite([low, high]).all() and high > low
    (curve,) = [line for line in main.lines if line.get_label() == "exact cdf"]
    ys = np.asarray(curve.get_ydata(), dtype=float)
    assert ys[0] < 0.1 and ys[-1] > 0.9  # the climb is in view
    (note,) = by_gid(main, "decision")
    assert q.problem in " ".join(note.get_text().split())


def test_discrete_cdf_not_reaching_one_says_so():
    longest = get_puzzle("longest-run")
    cdf = longest.quantity("cdf")
    wrong = with_quantity("longest-run", Cdf(cdf.closed_form * (1 - sympy.Rational(1, 10 ** 4)),
                                             cdf.variable, support=cdf.support, discrete=True))
    report = verify(wrong, trials=65_536, seed=7, threads=2)
    (q,) = [q for q in report.quantities if q.name == "cdf"]
    assert q.verdict == "disagree" and q.problem
    fig = report.plot()
    texts = [a.get_text() for a in by_gid(axes_labelled(fig, "cdf"), "decision")]
    assert texts and q.problem in " ".join(texts[0].split())
    # the DKW band drawn is the test's own
    assert band_half_width(axes_labelled(fig, "cdf residuals")) == \
        pytest.approx(q.data["dkw"], rel=1e-6)


def test_inconclusive_cdf_draws_its_certified_reach_against_the_tolerance():
    """Inconclusive: the deviation plus its band (what the table prints after 'max dev') is
    wider than the tolerance. Both are drawn, the reach labelled with its number."""
    report = verify("ball-min-distance", trials=200_000, seed=7, threads=2)
    (q,) = [q for q in report.quantities if q.name == "cdf"]
    assert q.verdict == "inconclusive"
    fig = report.plot()
    resid = axes_labelled(fig, "cdf residuals")
    reach = by_gid(resid, "decision")
    assert reach, "no decision drawn"
    ys = sorted({round(float(v), 12) for line in reach for v in line.get_ydata()})
    assert ys == pytest.approx([-q.deviation_band, q.deviation_band], rel=1e-9)
    assert resid.get_ylim()[1] > q.deviation_band  # in view
    said = "\n".join(legend_texts(axes_labelled(fig, "cdf")))
    assert f"{q.deviation_band:.2g}" in said and f"{q.tolerance:.2g}" in said


def test_pmf_disagree_marks_a_value_whose_band_excludes_the_exact_one():
    """handshakes' pmf with 1.5% of P(X=6) moved to P(X=8): the exact per-value bands reject;
    the residual panel marks a value whose bar misses 0."""
    puzzle = get_puzzle("handshakes")
    pmf = puzzle.quantity("pmf")
    x = pmf.variable
    shifted = pmf.closed_form + sympy.Rational(3, 200) * (
        sympy.KroneckerDelta(x, 8) - sympy.KroneckerDelta(x, 6))
    wrong = with_quantity("handshakes", Pmf(shifted, x, support=pmf.support))
    report = verify(wrong, trials=200_000, seed=7, threads=2)
    (q,) = [q for q in report.quantities if q.name == "pmf"]
    assert q.verdict == "disagree" and not q.problem and not q.impossible
    fig = report.plot()
    resid = axes_labelled(fig, "pmf residuals")
    (mark,) = by_gid(resid, "decision")
    mx, my = float(mark.get_xdata()[0]), float(mark.get_ydata()[0])
    xs = list(q.data["x"])
    i = xs.index(int(round(mx)))
    exact = q.data["exact"][i]
    low, high = q.data["ci_low"][i], q.data["ci_high"][i]
    assert not (low <= exact <= high)  # the marked value's band misses the exact value
    assert my == pytest.approx(q.data["observed"][i] / q.data["trials"] - exact)
    said = "\n".join(legend_texts(axes_labelled(fig, "pmf")))
    assert f"x = {int(round(mx))}" in said
    lows, highs = np.asarray(q.data["ci_low"]), np.asarray(q.data["ci_high"])
    exacts = np.asarray(q.data["exact"])
    missed = int(np.sum((lows > exacts) | (highs < exacts)))
    assert missed == 2 and "1 more x does" in said  # x = 6 and x = 8: one marked, one counted


# --------------------------------------------------------------------------- the badge


def test_check_badge_says_wrong_as_the_table_does():
    report = check("handshakes", ["mean=2*a*b/(a+b)"], against="simulation", trials=65_536,
                   threads=2)
    assert report.verdict == "wrong"
    fig = report.plot()
    badges = [t.get_text() for t in fig.texts if t.get_text().startswith("verdict:")]
    assert badges == ["verdict: wrong"]
    # the panel says what the claim's row says
    row = report.claims[0].status
    assert axes_labelled(fig, "mean").get_title(loc="left") == f"mean: {row}"


# --------------------------------------------------------------------------- one look


@pytest.mark.parametrize("options", [dict(trials=50_000), dict(trials="auto", rtol=0.5)])
def test_a_one_look_run_is_not_a_lone_dot_on_a_log_axis(options):
    report = verify("handshakes", threads=2, **options)
    assert len(report.quantities[0].data["running"]) == 1
    fig = report.plot()
    said = texts_of(fig)
    assert "0.0 s" not in said
    for name in ("mean", "variance"):
        ax = axes_labelled(fig, name)
        assert ax.get_xscale() == "linear"
        q = report.quantity(name) if hasattr(report, "quantity") else \
            next(q for q in report.quantities if q.name == name)
        # the band and the estimate are drawn, labelled with the trials of the one look
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert any(f"{report.trials:,}" in t for t in labels), labels
        assert any(f"{q.estimate:.6g}" in t for t in legend_texts(ax))
    assert "one look" in said


def test_seconds_never_print_as_zero():
    from puzzles.engine.plot import seconds_text

    assert seconds_text(0.0351) == "35 ms"
    assert seconds_text(0.0004) == "0.4 ms"
    assert seconds_text(2.345) == "2.3 s"
    assert seconds_text(0.0) == "0 ms"


def test_trials_ticks_do_not_collide():
    """200,000 trials: chunks end at 65,536, 131,072, 196,608 and 200,000; '197k' and
    '200k' printed on top of each other."""
    report = verify("handshakes", trials=200_000, threads=2, rtol=0.5)
    fig = report.plot()
    ax = axes_labelled(fig, "mean")
    ticks = np.log10([t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]])
    assert len(ticks) >= 2 and np.min(np.diff(ticks)) > 0.06  # a tenth of a decade or so


# --------------------------------------------------------------------------- tolerance lines


def test_tolerance_lines_do_not_hide_the_exact_line():
    """The variance's tolerance (rtol 0.1% of 0.0198) is narrower than a line is thick: two
    dotted lines in the exact line's colour, drawn over it, hid it. A light zone under the
    exact line instead, one legend entry."""
    report = verify("ball-min-distance", trials=200_000, seed=7, threads=2)
    fig = report.plot()
    ax = axes_labelled(fig, "variance")
    q = next(q for q in report.quantities if q.name == "variance")
    exact = [line for line in ax.lines if line.get_label().startswith("exact")]
    assert len(exact) == 1
    assert not [line for line in ax.lines if "tolerance" in line.get_label()
                or line.get_gid() == "tolerance"]  # no lines over the exact one
    (zone,) = by_gid(ax, "tolerance")
    assert zone.get_y() == pytest.approx(q.exact - q.tolerance)
    assert zone.get_height() == pytest.approx(2 * q.tolerance)
    assert zone.get_zorder() < exact[0].get_zorder()
    assert sum("tolerance" in t for t in legend_texts(ax)) == 1


# --------------------------------------------------------------------------- calibration


def test_calibration_histograms_count_whole_runs():
    from puzzles.engine.calibrate import calibrate

    report = calibrate("handshakes", runs=20, trials=5000, alpha=0.05, seed=3)
    fig = report.plot()
    hists = [ax for ax in fig.axes if ax.get_label().endswith("p-values")]
    assert len(hists) == len(report.quantities)
    for ax, q in zip(hists, report.quantities):
        heights = [p.get_height() for p in ax.patches]
        assert all(float(h).is_integer() for h in heights)
        assert sum(heights) == len(q.p_values)
        assert "runs" in ax.get_ylabel()
        ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
        assert all(float(t).is_integer() for t in ticks), ticks


# --------------------------------------------------------------------------- cost (issue 19)


def test_a_long_run_draws_a_few_bands_not_one_per_chunk(monkeypatch):
    """An auto run of 67 M trials has 1,024 chunks; an anytime band per chunk (a search each)
    made --plot cost 20 s. A handful, spread over log(trials), the last the reported one."""
    from puzzles.engine import plot

    report = verify("handshakes", trials=48 * 65_536, threads=2, rtol=0.5)
    (mean,) = [q for q in report.quantities if q.name == "mean"]
    assert len(mean.data["running"]) == 48
    calls = []
    real = plot._engine_band

    def counting(q, row, *args, **kwargs):
        calls.append(float(row[0]))
        return real(q, row, *args, **kwargs)

    monkeypatch.setattr(plot, "_engine_band", counting)
    fig = report.plot()
    assert len(calls) <= 2 * plot.MAX_RUNNING_POINTS <= 24  # mean and variance
    assert calls.count(float(report.trials)) == 2  # each panel ends at the reported band
    line = next(ln for ln in axes_labelled(fig, "mean").lines if ln.get_label().startswith("simulated"))
    assert line.get_ydata()[-1] == pytest.approx(mean.estimate)


def test_no_panel_says_p_equals_1():
    """A band that carries no p-value (an anytime mixture saturates at 1) prints none in the
    table; the panels' titles say none either."""
    report = verify("handshakes", trials="auto", rtol=0.05, threads=2)
    fig = report.plot()
    rights = [ax.get_title(loc="right") for ax in fig.axes]
    assert not [t for t in rights if t.strip() in ("p = 1", "χ² p = 1")], rights


# --------------------------------------------------------------------------- the levels


def test_the_heading_names_each_band_level_when_they_differ():
    # an auto run shares alpha unequally: the heading says whose band is at which level, in
    # the order of the panels, not a sorted list of numbers nobody can match to a panel
    report = verify("handshakes", rtol=0.05, threads=2)
    levels = {q.name: q.level for q in report.quantities}
    assert len(set(levels.values())) == 3
    said = texts_of(report.plot())
    want = ", ".join(f"{name} {100 * lv:.4g}%" for name, lv in levels.items())
    assert f"bands 99% jointly ({want})" in said, said
    # a fixed run: one level for all, said once
    fixed = verify("handshakes", trials=65_536, threads=2)
    assert f"({100 * fixed.quantities[0].level:.4g}% each)" in texts_of(fixed.plot())


def test_a_claimed_probability_is_drawn_with_the_band_that_judged_it():
    # check's claims are tuned for the claim's own tolerance; the picture redrew the band of
    # P(X = 10) with another tuning: [0.353962, 0.372608] against the table's [0.353979, 0.37259]
    from puzzles.engine import plot as plot_module

    for trials in (65_536, "auto"):
        report = check("handshakes", ["P(X=10)=0.37", "mean=2*a*b/(a+b-1)"],
                       against="simulation", trials=trials, threads=2, rtol=0.01)
        for row in report.simulation.quantities:
            _est, low, high = plot_module._running_bands(row, row.data)
            assert (low[-1], high[-1]) == pytest.approx((row.ci_low, row.ci_high), rel=1e-9), \
                (trials, row.name)
    # and a one-look picture prints the band the table gives
    report = check("handshakes", ["P(X=10)=0.37"], against="simulation", trials=65_536, threads=2)
    row = report.simulation.quantities[0]
    said = "\n".join(legend_texts(axes_labelled(report.plot(), row.name)))
    assert f"[{row.ci_low:.6g}, {row.ci_high:.6g}]" in said, said
