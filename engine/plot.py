"""One PNG per report: a panel per quantity, the simulation drawn over the closed form.

matplotlib is imported inside report_figure only: the command line pays for it only with --plot.
The figure is built on a bare Figure + Agg canvas (no pyplot), so it needs no display and
touches no global matplotlib state.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from . import stats
from .exact import is_plain_number
from .files import write_atomically
from .options import check_plot_path  # noqa: F401 (re-exported; checked before numpy loads)
from .table import VERDICT_COLORS, seconds_text  # noqa: F401 (re-exported)

DPI = 100
PANEL_WIDTH = 5.4      # inches per panel column
PANEL_HEIGHT = 4.6     # inches per panel row
MIN_WIDTH = 10.5       # inches: at DPI 100 every picture is at least 1050 px wide

COLORS = VERDICT_COLORS  # the verdict colours of the tables (engine.table) and the pictures
EXACT = "#0b5cad"      # closed form (or claim)
SIM = "#d9730d"        # simulation
BAND = "#f2b36b"


# --------------------------------------------------------------------------- the path


def write_figure(fig, target) -> None:
    """The PNG whole or not at all (engine/files.py): never a half-written picture."""
    # zlib level 1: a third of level 6's time for a file about a third bigger
    write_atomically(target, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI,
                                                     pil_kwargs={"compress_level": 1}), "plot ")


# --------------------------------------------------------------------------- the figure


def plot_report(report, path=None, reference: str = "exact", verdict: str | None = None):
    """Draw `report` (an engine Report), a panel per quantity: into the PNG file `path`, or,
    with no path, return the matplotlib Figure.

    reference names what the simulation is drawn against: "exact" for closed forms, "claim"
    when the closed forms are a user's claims (puzzles check --against simulation).
    verdict: the badge, when the caller's vocabulary differs from the simulation's (check says
    'wrong' where verify says 'disagree'); the report's own verdict by default.
    """
    if path is None:
        return report_figure(report, reference, verdict)
    target = check_plot_path(path)
    write_figure(report_figure(report, reference, verdict), target)
    return None


def report_png(report, reference: str = "exact", verdict: str | None = None) -> bytes | None:
    """The picture as PNG bytes (for a notebook), or None without matplotlib."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    return report_figure(report, reference, verdict)._repr_png_()


def report_figure(report, reference: str = "exact", verdict: str | None = None):
    """The Figure of plot_report: a bare Figure on an Agg canvas, no pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    quantities = list(report.quantities)
    count = max(len(quantities), 1)
    cols = {1: 1, 2: 2, 4: 2}.get(count, 3)
    rows = math.ceil(count / cols)
    width = max(MIN_WIDTH, cols * PANEL_WIDTH)
    title_lines, sub_lines = _header_lines(report, width, reference)
    header = _header_height(title_lines, sub_lines)
    height = rows * PANEL_HEIGHT + header
    fig = figure_class()(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(rows, cols, **_margins(width, height, header, rows, cols))
    for i, q in enumerate(quantities):
        cell = grid[i // cols, i % cols]
        _panel(fig, cell, q, reference, report.params)
    if not quantities:
        fig.text(0.5, 0.5, "no quantities", ha="center", va="center")
    _header(fig, title_lines, sub_lines, verdict or report.verdict)
    return fig


_FIGURE_CLASS = None


def figure_class():
    """matplotlib's Figure with a _repr_png_, so a notebook shows it even where pyplot (and
    with it the inline backend's display hook) was never loaded."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        import io

        from matplotlib.figure import Figure

        class ReportFigure(Figure):
            def _repr_png_(self) -> bytes:
                buffer = io.BytesIO()
                self.savefig(buffer, format="png", dpi=DPI)
                return buffer.getvalue()

        _FIGURE_CLASS = ReportFigure
    return _FIGURE_CLASS


# Margins around and between the panels, in inches: room for tick labels, axis labels and
# panel titles. Fixed, not measured: matplotlib's constrained layout measures every label by
# drawing the whole figure once more, which was a third of the cost of a picture.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_TOP = 0.85, 0.25, 0.6, 0.45
GAP_WIDE, GAP_HIGH = 1.0, 1.0


def _margins(width: float, height: float, header: float, rows: int, cols: int) -> dict:
    """gridspec margins (figure fractions) and gaps (fractions of a panel) from inches."""
    panel_w = (width - MARGIN_LEFT - MARGIN_RIGHT - (cols - 1) * GAP_WIDE) / cols
    panel_h = (height - header - MARGIN_TOP - MARGIN_BOTTOM - (rows - 1) * GAP_HIGH) / rows
    return dict(left=MARGIN_LEFT / width, right=1 - MARGIN_RIGHT / width,
                bottom=MARGIN_BOTTOM / height, top=1 - (header + MARGIN_TOP) / height,
                wspace=GAP_WIDE / panel_w, hspace=GAP_HIGH / panel_h)


def _header_lines(report, width: float, reference: str):
    """Title and subtitle, wrapped to the figure's width (the title leaves room for the
    verdict): a long parameter list wraps onto more lines instead of running off the edge."""
    from .report import format_params

    params = format_params(report.params)
    title = f"{report.puzzle}   {params}" if params else report.puzzle
    # about 8 characters an inch in bold 14 pt, 12 in 10.5 pt; the verdict takes ~2.8 inches
    title_lines = textwrap.wrap(title, max(int((width - 2.8) * 8), 20)) or [title]
    joint = 100 * (1 - report.alpha)
    # each band's own level: one for all (a fixed run), else each quantity's in panel order (an
    # auto run shares alpha unequally)
    levels = [(q.name, q.level) for q in report.quantities]
    if len({lv for _, lv in levels}) == 1:
        each = f"{100 * levels[0][1]:.4g}% each"
    else:
        each = ", ".join(f"{name} {100 * lv:.4g}%" for name, lv in levels)
    against = "claims against simulation" if reference == "claim" else \
        "closed forms against simulation"
    if all(q.verdict == "estimated" for q in report.quantities):
        against = "no closed forms: estimates only"
    trials = f"{report.trials:,} trials"
    if getattr(report, "mode", "fixed") == "auto":
        trials += f" (auto: {report.looks} look{'s' * (report.looks != 1)}, stopped: {report.stopped})"
    parts = [trials, f"seed {report.seed}", seconds_text(report.seconds), against,
             f"bands {joint:g}% jointly" + (f" ({each})" if levels else "")]
    sub_lines, line = [], ""
    for part in parts:  # wrap between parts, never inside one
        candidate = f"{line}   {part}" if line else part
        if line and len(candidate) > int((width - 0.3) * 12):
            sub_lines.append(line)
            candidate = part
        line = candidate
    sub_lines.append(line)
    return title_lines, sub_lines


def _header_height(title_lines, sub_lines) -> float:
    return 0.2 + 0.28 * len(title_lines) + 0.2 * len(sub_lines) + 0.17


def _header(fig, title_lines, sub_lines, verdict: str) -> None:
    height = fig.get_figheight()
    top = 1 - 0.16 / height
    first = fig.text(0.012, top, title_lines[0], ha="left", va="top", fontsize=14,
                     fontweight="bold")
    renderer = fig.canvas.get_renderer()
    box = first.get_window_extent(renderer).transformed(fig.transFigure.inverted())
    fig.text(box.x1 + 0.012, box.y1, f"verdict: {verdict}", ha="left", va="top", fontsize=14,
             fontweight="bold", color="white",
             bbox=dict(boxstyle="round,pad=0.25", facecolor=COLORS.get(verdict, "#57606a"),
                       edgecolor="none"))
    below = box.y0
    if len(title_lines) > 1:
        rest = fig.text(0.012, below, "\n".join(title_lines[1:]), ha="left", va="top",
                        fontsize=14, fontweight="bold")
        below = rest.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0
    fig.text(0.012, below - 0.06 / height, "\n".join(sub_lines), ha="left", va="top",
             fontsize=10.5, color="#333333")


def _panel(fig, cell, q, reference: str, params: dict) -> None:
    data = q.data or {}
    if "table" in data:
        _estimated_distribution(fig, cell, q, data)
    elif q.name in ("pmf", "cdf") and "edges" in data:
        _continuous_cdf(fig, cell, q, data, reference, params)
    elif q.name in ("pmf", "cdf") and "x" in data:
        if data.get("cumulative"):
            _discrete_cdf(fig, cell, q, data, reference)
        else:
            _pmf(fig, cell, q, data, reference)
    elif "running" in data:
        _convergence(fig, cell, q, data, reference)
    else:
        ax = fig.add_subplot(cell, label=q.name)
        _title(ax, q)
        ax.text(0.5, 0.5, "nothing recorded to draw", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()


def _title(ax, q) -> None:
    """Verdict on the left in its colour, the test's numbers on the right: one line each side
    keeps a long detail (impossible outcomes) from running past a narrow panel."""
    verdict = q.verdict
    detail = ""
    # p = 1 (an anytime mixture's saturates there) says nothing: the table prints none either
    if q.p_value is not None and q.p_value < 1:
        p = "≈ 0" if q.p_value < 1e-300 else f"= {q.p_value:.3g}"
        detail = ("χ² p " if q.test == "chi-square" else "p ") + p
    if q.impossible:
        detail += f", {q.impossible:,} impossible"
    if verdict == "estimated":
        detail = "no closed form" + ("" if q.precise else ", band wider than rtol")
    said = verdict
    if verdict == "agree" and q.data.get("ladder") and q.precision:  # a rung of the default
        said = f"agree within {100 * q.precision:g}%"
    # y given: matplotlib then skips measuring every axis to lift the title over it (a tenth
    # of a picture's cost; nothing is drawn above a panel here)
    ax.set_title(f"{q.name}: {said}", color=COLORS.get(verdict, "#57606a"), fontsize=12,
                 fontweight="bold", loc="left", y=1.0, pad=6)
    if detail:
        ax.set_title(detail, color="#444444", fontsize=10, loc="right", y=1.0, pad=6)


def _pct(level: float) -> str:
    return f"{100 * level:.4g}%"


def _reference_label(q, reference: str) -> str:
    if q.exact is None:
        return reference
    shown = q.exact_str
    value = f"{q.exact:.6g}"
    # a long exact form (a fraction of 16-digit numbers) says nothing at a glance
    if shown is None or len(shown) > 16 or shown == value or is_plain_number(shown):
        return f"{reference} = {value}"
    return f"{reference} = {shown} = {value}"



def _two_axes(fig, cell, name: str):
    """A main axes over a short residual axes sharing x, labelled '<name>' and
    '<name> residuals' (Axes.get_label: what a test looks a panel up by)."""
    sub = cell.subgridspec(2, 1, height_ratios=[2.6, 1], hspace=0.12)
    main = fig.add_subplot(sub[0], label=name)
    resid = fig.add_subplot(sub[1], sharex=main, label=f"{name} residuals")
    main.tick_params(labelbottom=False)
    resid.axhline(0.0, color=EXACT, lw=1.2)
    resid.grid(True, alpha=0.3)
    main.grid(True, alpha=0.3)
    return main, resid


def _tolerance_lines(ax, q) -> None:
    """Dotted at +-tolerance: 'agree' needs the deviations and their band inside (verify
    --rtol / --atol). Drawn only where the residual scale shows them, never setting it; said
    in a corner unless the decision's legend entry names it."""
    tol = getattr(q, "tolerance", None)
    if not tol or tol >= ax.get_ylim()[1]:
        return
    for sign in (-1, 1):
        ax.axhline(sign * tol, color=EXACT, lw=1.0, ls=":", zorder=1.5)
    if _reach_of(q):
        return
    ax.text(0.995, 0.96, f"tolerance ±{tol:.2g} (dotted)", transform=ax.transAxes, ha="right",
            va="top", fontsize=8, color=EXACT)


# --------------------------------------------------------------------------- what decided
# A distribution's verdict is one number against another: the largest deviation against the
# test's band (disagree), or the certified reach of the deviations against the tolerance
# (agree / inconclusive), or an exact check that failed (a cdf that does not reach 1). The
# picture draws that comparison (gid 'decision') and says it in the legend.

DECISION_MARK = dict(marker="o", ms=13, mfc="none", mew=2.2, ls="none", zorder=6)


def _problem_note(ax, q, where=(0.03, 0.95), ha="left", va="top") -> None:
    """An exact check decided (a pmf that does not sum to 1, a cdf that does not reach 1):
    say it in the panel, in the verdict's colour."""
    text = "\n".join(textwrap.wrap(f"disagree: {q.problem}", 44))
    ax.text(*where, text, transform=ax.transAxes, ha=ha, va=va, fontsize=9.5,
            color=COLORS["disagree"], fontweight="bold", gid="decision", zorder=7,
            bbox=dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor=COLORS["disagree"],
                      alpha=0.95))


def _reach_lines(resid, q, reference: str):
    """agree / inconclusive: every deviation lies within +-reach (the deviation plus its
    band, what the table prints after 'max dev'); agree needs the reach within the
    tolerance. Returns the legend handle."""
    reach, tol = q.deviation_band, q.tolerance
    if reach is None or not math.isfinite(reach):
        return None
    colour = COLORS.get(q.verdict, "#57606a")
    inside = tol is not None and reach <= tol
    label = f"|sim − {reference}| ≤ {reach:.2g} (certified, dashed)"
    if tol is not None:
        label += f"\n{'≤' if inside else '>'} tolerance {tol:.2g} (dotted): {q.verdict}"
    handle = None
    for sign in (-1, 1):
        line = resid.axhline(sign * reach, color=colour, lw=1.4, ls="--", gid="decision",
                             zorder=4)
        handle = handle or line
    handle.set_label(label)
    return handle


def _worst_mark(resid, x, y, label: str):
    (mark,) = resid.plot([x], [y], mec=COLORS["disagree"], gid="decision", label=label,
                         **DECISION_MARK)
    return mark


def _legend(main, extra=(), **kw) -> None:
    """The main axes' legend, with the decision drawn on the residual axes as its last entry."""
    handles, labels = main.get_legend_handles_labels()
    for h in extra:
        if h is not None:
            handles.append(h)
            labels.append(h.get_label())
    main.legend(handles, labels, fontsize=8.5, framealpha=0.9, **kw)


def _symmetric_ylim(ax, values) -> None:
    values = np.asarray([v for v in np.ravel(values) if np.isfinite(v)])
    top = float(np.max(np.abs(values))) if values.size else 1.0
    top = top * 1.15 if top > 0 else 1.0
    ax.set_ylim(-top, top)


# --------------------------------------------------------------------------- scalar panels


def _convergence(fig, cell, q, data, reference: str) -> None:
    ax = fig.add_subplot(cell, label=q.name)
    _title(ax, q)
    running = np.asarray(data["running"], dtype=float)
    if running.ndim != 2 or not len(running):
        ax.text(0.5, 0.5, "nothing recorded to draw", ha="center", va="center",
                transform=ax.transAxes)
        return
    running = _thinned(running)
    n = running[:, 0]
    est, low, high = _running_bands(q, {**data, "running": running})
    has_band = np.isfinite(low).any()
    sequence = getattr(data.get("confidence"), "sequential", False)
    band_label = f"{_pct(q.level)} " + ("confidence sequence" if sequence else "band")
    ylabel = {"mean": "running mean", "variance": "running variance",
              "probability": "running frequency"}.get(q.name, q.name)
    if len(n) == 1:  # one look: no history to draw, the band and the estimate at that look
        ylabel = {"mean": "mean", "variance": "variance", "probability": "frequency"}.get(
            q.name, q.name)
        # the point on the left fifth, the legend on the right: neither hides the other
        if has_band:
            ax.errorbar([-0.8], est, yerr=[est - low, high - est], fmt="none", ecolor=SIM, lw=2.5,
                        capsize=12, capthick=2, label=band_label + f" [{low[0]:.6g}, {high[0]:.6g}]")
        ax.plot([-0.8], est, "o", color=SIM, ms=8, label=f"simulated {q.name} = {est[0]:.6g}")
        ax.set_xlim(-1.2, 1.2)
        ax.set_xticks([-0.8], [f"{int(n[0]):,} trials"])
        ax.set_xlabel("one look: no run history to draw")
    else:
        if has_band:
            ax.fill_between(n, low, high, color=BAND, alpha=0.45, lw=0, label=band_label)
        ax.plot(n, est, color=SIM, lw=1.8, marker="o" if len(n) <= 25 else None, ms=4,
                label=f"simulated {q.name} (final {est[-1]:.6g})")
        _trials_axis(ax, n)
    if q.exact is not None:
        ax.axhline(q.exact, color=EXACT, lw=1.8, ls="--", label=_reference_label(q, reference),
                   zorder=3)
    ax.set_ylabel(ylabel)
    values = [v for v in np.concatenate([low, high, est]) if np.isfinite(v)]
    if q.exact is not None:
        values.append(q.exact)
    lo_v, hi_v = min(values), max(values)
    pad = (hi_v - lo_v) * 0.12 or abs(hi_v) * 0.05 or 0.05
    ax.set_ylim(lo_v - pad, hi_v + pad)
    tol = getattr(q, "tolerance", None)
    if q.exact is not None and tol and math.isfinite(tol):
        # 'agree' needs the band inside this zone (verify --rtol / --atol): a light zone under
        # the exact line, which dotted lines over it hid; wider than the view, it fills it
        wider = q.exact - tol <= lo_v - pad and q.exact + tol >= hi_v + pad
        ax.axhspan(q.exact - tol, q.exact + tol, color=EXACT, alpha=0.13, lw=0, zorder=1,
                   gid="tolerance", label=f"tolerance ±{tol:.3g} (agree: band inside)"
                   + ("\n(wider than the view)" if wider else ""))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="center right" if len(n) == 1 else "best", fontsize=9, framealpha=0.9)


MAX_RUNNING_POINTS = 8


def _thinned(running: np.ndarray) -> np.ndarray:
    """At most MAX_RUNNING_POINTS rows, spread evenly in log(trials), the last one always: a
    band per row costs (an anytime band is a search), and a log axis shows no more."""
    if len(running) <= MAX_RUNNING_POINTS:
        return running
    logs = np.log(running[:, 0])
    targets = np.linspace(logs[0], logs[-1], MAX_RUNNING_POINTS)
    keep = np.unique(np.searchsorted(logs, targets).clip(0, len(running) - 1))
    keep = np.union1d(keep, [len(running) - 1])
    return running[keep]


def _trials_axis(ax, n: np.ndarray) -> None:
    from matplotlib.ticker import (FixedLocator, FuncFormatter, LogLocator, NullFormatter,
                                   NullLocator)

    ax.set_xscale("log")
    if n[-1] < 4 * n[0]:  # under a factor 4 the 1-2-5 ticks miss the few points there are
        ax.xaxis.set_major_locator(FixedLocator(_spaced(n)))
    else:  # runs span a decade or two: powers of ten alone would leave two ticks
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _count(v)))
    # no minor ticks: the 1-2-5 grid is enough, and each tick is an object to build and draw
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("trials (log scale)")


def _spaced(n: np.ndarray, gap: float = 0.08) -> list:
    """Ticks at the looks, the last always, none within `gap` decades of a kept one: 196,608
    and 200,000 printed on top of each other."""
    kept = [float(n[-1])]
    for v in n[-2::-1]:
        if math.log10(kept[-1] / v) >= gap:
            kept.append(float(v))
    return kept[::-1]


def _count(v: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:g}"


def _running_bands(q, data: dict):
    """Estimate and band after each chunk, from the recorded power sums (never re-simulating).

    With the run's own band rule (data["confidence"]) each band is the one the verdict would
    have used after that many trials: a fixed-size interval, or an anytime-valid confidence
    sequence for --trials auto. Without it: normal / 4th-moment normal / Wilson at q.level.
    """
    running = np.asarray(data["running"], dtype=float)
    shift = float(data.get("shift", 0.0))
    conf = data.get("confidence")
    n = running[:, 0]
    kind = data.get("kind", q.name)  # a statistic's row (P(X >= 3)) says which band it has
    if conf is not None and hasattr(conf, "z"):
        rows = [_engine_band(q, row, shift, conf, kind) for row in running]
        est, low, high = (np.array(v, dtype=float) for v in zip(*rows))
        # a degenerate run (every trial equal) has an unbounded band: leave it undrawn
        low[~np.isfinite(low)] = np.nan
        high[~np.isfinite(high)] = np.nan
        return est, low, high
    if kind == "probability":
        successes = running[:, 1] + n * shift  # s1 is a sum about the shift
        low, high = _wilson(successes, n, q.level)
        return successes / n, low, high
    est, se = [], []
    for row in running:
        e, s = _estimate_and_stderr(kind, row, shift)
        est.append(e)
        se.append(s)
    est, se = np.array(est), np.array(se)
    z = _z(q.level)
    return est, est - z * se, est + z * se


def _engine_band(q, row, shift: float, conf, kind=None):
    kind = kind or q.name
    n, s1, s2, s3, s4 = (float(v) for v in row[:5])
    mean, m2, _m3, m4 = stats.central_moments(n, s1, s2, s3, s4, shift)
    if kind == "probability":
        successes = int(round(s1 + n * shift))  # s1 is a sum about the shift
        band = stats.probability_band(successes, int(n), _target(q, successes / n), conf)
    elif kind == "mean":
        band = stats.mean_band(mean, m2, n, _target(q, mean), conf, shift=shift, s1=s1, s2=s2)
    else:
        s2_unbiased = m2 * n / (n - 1) if n > 1 else 0.0
        band = stats.variance_band(m2, m4, n, _target(q, s2_unbiased), conf,
                                   sums=(n, s1, s2, s3, s4, shift))
    return band.estimate, band.ci_low, band.ci_high


def _target(q, estimate: float) -> float:
    """What a band is tested against; the band itself does not depend on it."""
    return q.exact if q.exact is not None else estimate


def _estimate_and_stderr(name: str, row, shift: float):
    n = float(row[0])
    s1, s2 = float(row[1]), float(row[2])
    if len(row) >= 5:
        mean, m2, _m3, m4 = stats.central_moments(n, s1, s2, float(row[3]), float(row[4]), shift)
    else:  # rows without 3rd / 4th power sums: a variance has no band then
        d = s1 / n
        mean, m2, m4 = shift + d, max(s2 / n - d * d, 0.0), None
    s2_unbiased = m2 * n / (n - 1) if n > 1 else 0.0
    if name == "mean":
        return mean, math.sqrt(s2_unbiased / n) if n > 1 else math.nan
    if m4 is None or n <= 1:
        return s2_unbiased, math.nan
    var_s2 = (m4 - s2_unbiased ** 2 * (n - 3) / (n - 1)) / n
    return s2_unbiased, math.sqrt(max(var_s2, 0.0))


def _z(level: float) -> float:
    # scipy.special's ndtri is norm.ppf without importing scipy.stats (seconds on a busy machine)
    from scipy.special import ndtri

    return float(ndtri(0.5 + level / 2))


# --------------------------------------------------------------------------- pmf


def _wilson(successes: np.ndarray, n: float, level: float):
    """Per-value Wilson intervals (the same interval the probability test uses)."""
    z = _z(level)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _visible(xs, exact, observed):
    """Drop the far tails where the law is negligible and nothing was seen."""
    peak = float(np.max(exact)) if len(exact) else 0.0
    keep = (observed > 0) | (exact > 1e-4 * peak)
    if not keep.any():
        return slice(0, len(xs))
    idx = np.flatnonzero(keep)
    return slice(int(idx[0]), int(idx[-1]) + 1)


def _pmf(fig, cell, q, data, reference: str) -> None:
    xs = np.asarray(data["x"])
    exact = np.asarray(data["exact"], dtype=float)
    observed = np.asarray(data["observed"], dtype=float)
    n = float(data["trials"])
    view = _visible(xs, exact, observed)
    xs, exact, observed = xs[view], exact[view], observed[view]
    freq = observed / n
    if "ci_low" in data:  # the bands the verdict used (exact, per value)
        low = np.asarray(data["ci_low"], dtype=float)[view]
        high = np.asarray(data["ci_high"], dtype=float)[view]
    else:
        low, high = _wilson(observed, n, q.level)
    main, resid = _two_axes(fig, cell, q.name)
    _title(main, q)
    many = len(xs) > 40
    main.bar(xs, exact, width=0.8, color=EXACT, alpha=0.35, edgecolor=EXACT, lw=0.6,
             label=f"{reference} pmf")
    shown = (exact > stats.IMPOSSIBLE) | (observed > 0)
    impossible = (exact <= stats.IMPOSSIBLE) & (observed > 0)
    ok = shown & ~impossible
    if ok.any():
        main.errorbar(xs[ok], freq[ok], yerr=[freq[ok] - low[ok], high[ok] - freq[ok]], fmt="o",
                      color=SIM, ms=3 if many else 5, capsize=0 if many else 3, lw=1.2,
                      label=f"simulated, {_pct(q.level)} bars")
    rdiff = freq - exact
    resid.errorbar(xs[ok], rdiff[ok], yerr=[freq[ok] - low[ok], high[ok] - freq[ok]], fmt="o",
                   color=SIM, ms=3 if many else 4, capsize=0 if many else 3, lw=1.2)
    if impossible.any():
        for ax, ys in ((main, freq), (resid, rdiff)):
            ax.plot(xs[impossible], ys[impossible], "x", color=COLORS["disagree"], ms=8, mew=2,
                    label=f"seen, impossible by the {reference}" if ax is main else None,
                    gid="decision" if ax is resid else None)
    extra = []
    if q.problem:
        _problem_note(main, q, where=(0.5, 0.62), ha="center", va="center")
    elif q.verdict == "disagree" and not impossible.any():
        # the exact per-value bands: a value whose band misses the exact probability
        missed = ok & ((low > exact) | (high < exact))
        if missed.any():
            i = int(np.flatnonzero(missed)[np.argmax(np.abs(rdiff[missed]))])
            more = int(missed.sum()) - 1
            extra.append(_worst_mark(resid, float(xs[i]), float(rdiff[i]),
                                     f"x = {xs[i]:g}: its band misses the {reference} value"
                                     + (f" ({more} more x do)" if more > 1 else
                                        " (1 more x does)" if more == 1 else "")))
    elif q.verdict in ("agree", "inconclusive"):
        extra.append(_reach_lines(resid, q, reference))
    main.set_ylabel("probability")
    peak = max(float(np.max(high, initial=0)), float(np.max(exact, initial=0)), 1e-12)
    # headroom for the legend, put over the lower half of the bars so it never hides a peak
    main.set_ylim(0, peak * (1.6 if extra else 1.45))
    half = len(xs) // 2
    left = max(float(np.max(exact[:half], initial=0)), float(np.max(freq[:half], initial=0)))
    right = max(float(np.max(exact[half:], initial=0)), float(np.max(freq[half:], initial=0)))
    handles, labels = main.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: "impossible" in labels[i])  # odd one last
    handles = [handles[i] for i in order] + [h for h in extra if h is not None]
    main.legend(handles, [h.get_label() for h in handles],
                loc="upper left" if left <= right else "upper right", fontsize=9, framealpha=0.9)
    resid.set_ylabel("sim − " + reference, fontsize=9)
    resid.set_xlabel("x")
    _symmetric_ylim(resid, np.concatenate([(high - exact)[ok], (low - exact)[ok],
                                           rdiff[impossible], _reach_of(q)]))
    _tolerance_lines(resid, q)
    _integer_ticks(resid)


def _rising(exact: np.ndarray, empirical: np.ndarray) -> slice:
    """Where either cdf is still climbing: the flat stretches near 0 and 1 say nothing."""
    low = np.maximum(exact, empirical) > 1e-3
    high = np.minimum(exact, empirical) < 1 - 1e-3
    start = int(np.argmax(low)) if low.any() else 0
    stop = int(np.flatnonzero(high)[-1]) + 2 if high.any() else len(exact)
    start = max(start - 1, 0)
    return slice(start, max(min(stop, len(exact)), start + 1))


def _estimated_distribution(fig, cell, q, data) -> None:
    """An estimated pmf (points with their simultaneous bars) or cdf (steps in the DKW band):
    no closed form to draw them against (engine/estimate.py)."""
    rows = data["table"]
    xs = np.array([r["x"] for r in rows], dtype=float)
    est = np.array([r["estimate"] for r in rows], dtype=float)
    low = np.array([r["ci_low"] for r in rows], dtype=float)
    high = np.array([r["ci_high"] for r in rows], dtype=float)
    ax = fig.add_subplot(cell, label=q.name)
    _title(ax, q)
    ax.grid(True, alpha=0.3)
    label = f"{_pct(q.level)} bands, all x at once"
    if not data.get("cumulative"):
        seen = np.flatnonzero(est > 0)
        view = slice(int(seen[0]), int(seen[-1]) + 1) if seen.size else slice(0, len(xs))
        xs, est, low, high = xs[view], est[view], low[view], high[view]
        many = len(xs) > 40
        ax.bar(xs, est, width=0.8, color=SIM, alpha=0.3, edgecolor=SIM, lw=0.6,
               label=f"simulated pmf ({_count(data['trials'])} trials)")
        ax.errorbar(xs, est, yerr=[est - low, high - est], fmt="o", color=SIM,
                    ms=3 if many else 5, capsize=0 if many else 3, lw=1.2, label=label)
        ax.set_ylim(0, max(float(np.max(high, initial=0)), 1e-12) * 1.3)
        ax.set_ylabel(f"P({data.get('outcome', 'X')} = x)")
        _integer_ticks(ax)
    else:
        where = "post"
        ax.fill_between(xs, low, high, step=where, color=BAND, alpha=0.45, lw=0,
                        label=f"DKW {label}")
        ax.step(xs, est, where=where, color=SIM, lw=1.6,
                label=f"empirical cdf ({_count(data['trials'])} trials)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel(f"P({data.get('outcome', 'X')} ≤ x)")
    ax.set_xlabel("x")
    ax.legend(loc="best", fontsize=9, framealpha=0.9)


def _integer_ticks(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))


# --------------------------------------------------------------------------- cdf


def _dkw(n: float, level: float) -> float:
    """Dvoretzky-Kiefer-Wolfowitz: sup |F_n - F| <= eps with probability >= level."""
    return math.sqrt(math.log(2 / (1 - level)) / (2 * n)) if n > 0 else 1.0


def _test_band(n: float, q, data) -> float:
    """The DKW half-width the cdf's test used (recorded by verify), else DKW at q.level."""
    eps = data.get("dkw")
    return float(eps) if eps is not None and math.isfinite(eps) else _dkw(n, q.level)


def _discrete_cdf(fig, cell, q, data, reference: str) -> None:
    xs = np.asarray(data["x"])
    exact_pmf = np.asarray(data["exact"], dtype=float)
    observed = np.asarray(data["observed"], dtype=float)
    n = float(data["trials"])
    exact = np.cumsum(exact_pmf)
    empirical = np.cumsum(observed) / n
    diff_all = empirical - exact
    worst = int(np.argmax(np.abs(diff_all))) if len(diff_all) else 0
    view = _rising(exact, empirical)
    view = slice(min(view.start, worst), max(view.stop, worst + 1))  # the worst x is in view
    xs, exact, empirical = xs[view], exact[view], empirical[view]
    eps = _test_band(n, q, data)
    main, resid = _two_axes(fig, cell, q.name)
    _title(main, q)
    main.fill_between(xs, np.clip(empirical - eps, 0, 1), np.clip(empirical + eps, 0, 1),
                      step="post", color=BAND, alpha=0.45, lw=0,
                      label=f"DKW {_pct(q.level)} band ±{eps:.2g}")
    main.step(xs, exact, where="post", color=EXACT, lw=2.2, label=f"{reference} cdf")
    main.step(xs, empirical, where="post", color=SIM, lw=1.3, ls="--", label="empirical cdf")
    main.set_ylim(-0.02, 1.02)
    main.set_ylabel("P(X ≤ x)")
    diff = empirical - exact
    resid.fill_between(xs, -eps, eps, step="post", color=BAND, alpha=0.45, lw=0, gid="test band")
    resid.step(xs, diff, where="post", color=SIM, lw=1.3)
    resid.set_ylabel("emp − " + reference, fontsize=9)
    resid.set_xlabel("x")
    extra = _cdf_decision(main, resid, q, reference, float(data["x"][worst]) if len(diff_all)
                          else 0.0, float(diff_all[worst]) if len(diff_all) else 0.0, eps)
    _symmetric_ylim(resid, np.concatenate([diff, [eps], _reach_of(q)]))
    _tolerance_lines(resid, q)
    _integer_ticks(resid)
    _legend(main, extra, loc="lower right")  # a cdf leaves it empty


def _continuous_cdf(fig, cell, q, data, reference: str, params: dict) -> None:
    edges = np.asarray(data["edges"], dtype=float)
    exact = np.asarray(data["exact"], dtype=float)
    empirical = np.asarray(data["empirical"], dtype=float)
    n = float(data["trials"])
    eps = _test_band(n, q, data)
    main, resid = _two_axes(fig, cell, q.name)
    _title(main, q)
    compared = not q.problem  # a cdf failing an exact check was not compared at the edges
    lo, hi = _cdf_range(edges, data.get("support"), params) if compared else \
        _climb(data.get("cdf"), _numeric_support(data.get("support"), params))
    grid = np.linspace(lo, hi, 600)
    curve = None
    if data.get("cdf") is not None:
        try:
            with np.errstate(all="ignore"):
                curve = np.asarray(data["cdf"](grid), dtype=float)
        except Exception:  # a cdf that cannot take the whole grid: fall back to the edges
            curve = None
    if compared:
        main.fill_between(edges, np.clip(empirical - eps, 0, 1), np.clip(empirical + eps, 0, 1),
                          color=BAND, alpha=0.45, lw=0,
                          label=f"DKW {_pct(q.level)} band ±{eps:.2g}")
    # the exact curve over the empirical points (thousands of edges hid it): the points a
    # few hundred at most up there, every one in the residuals below
    if curve is not None and curve.shape == grid.shape and np.isfinite(curve).any():
        main.plot(grid, curve, color=EXACT, lw=1.8, label=f"{reference} cdf", zorder=3)
    elif compared:
        main.plot(edges, exact, color=EXACT, lw=1.8, label=f"{reference} cdf", zorder=3)
    if compared:
        step = max(1, len(edges) // 300)
        main.plot(edges[::step], empirical[::step], "o", color=SIM, ms=3, zorder=2.5,
                  label="empirical cdf")
    main.set_ylim(-0.02, 1.02)
    main.set_xlim(lo, hi)
    main.set_ylabel("P(X ≤ x)")
    if not compared:
        _problem_note(main, q)
        for line in list(resid.lines):  # no zero line through the note
            line.remove()
        resid.text(0.5, 0.5, "not compared with the simulation", transform=resid.transAxes,
                   ha="center", va="center", fontsize=9, color="#444444")
        resid.set_yticks([])
        resid.set_ylim(-1, 1)
        resid.set_xlabel("x")
        _legend(main, loc="lower right")
        return
    diff = empirical - exact
    resid.fill_between([lo, hi], -eps, eps, color=BAND, alpha=0.45, lw=0, gid="test band")
    resid.plot(edges, diff, "o-", color=SIM, ms=2.5, lw=0.8)
    resid.set_ylabel("emp − " + reference, fontsize=9)
    resid.set_xlabel(f"x   (empirical cdf at {len(edges)} bin edges)")
    worst = int(np.argmax(np.abs(diff))) if len(diff) else 0
    extra = _cdf_decision(main, resid, q, reference, float(edges[worst]) if len(diff) else lo,
                          float(diff[worst]) if len(diff) else 0.0, eps)
    _symmetric_ylim(resid, np.concatenate([diff, [eps], _reach_of(q)]))
    _tolerance_lines(resid, q)
    _legend(main, extra, loc="lower right")  # a cdf leaves it empty


def _reach_of(q) -> list:
    """The certified reach, drawn (and kept in view) for agree / inconclusive only; with it
    the tolerance it is held to, unless that is so wide it would flatten the residuals."""
    reach = q.deviation_band
    if q.verdict in ("agree", "inconclusive") and reach is not None and math.isfinite(reach):
        tol = q.tolerance
        return [reach] + ([tol] if tol and tol <= 5 * reach else [])
    return []


def _cdf_decision(main, resid, q, reference: str, x: float, y: float, eps: float) -> list:
    """What decided a cdf: an exact check, the largest deviation outside the DKW band, or the
    certified reach against the tolerance. Returns the legend handles it adds."""
    if q.problem:
        _problem_note(main, q)
        return []
    if q.verdict == "disagree":
        return [_worst_mark(resid, x, y, f"largest |emp − {reference}| = {abs(y):.2g} > "
                                         f"DKW {eps:.2g}: disagree")]
    return [_reach_lines(resid, q, reference)]


def _cdf_range(edges: np.ndarray, support, params: dict):
    """The x range to draw: where the mass is (the edges cut it into equal-probability bins,
    the outer ones hold 1% each), a margin past them, but never outside the support."""
    span = float(edges[-1] - edges[0]) if len(edges) > 1 else 1.0
    lo, hi = float(edges[0]) - 0.15 * span, float(edges[-1]) + 0.15 * span
    bounds = _numeric_support(support, params)
    if bounds is not None:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return lo, hi


def _climb(cdf, bounds) -> tuple[float, float]:
    """Where a cdf climbs, for a cdf that was not compared (no bin edges to go by): its support
    where that is finite, else out by doubling steps to where it is within 1% of its lowest and
    highest values."""
    lo, hi = bounds if bounds is not None else (-math.inf, math.inf)
    if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
        return lo, hi
    base = lo if math.isfinite(lo) else (hi if math.isfinite(hi) else 0.0)
    steps = 2.0 ** np.arange(-8, 64)
    try:
        with np.errstate(all="ignore"):
            up = base + steps
            down = base - steps
            f_up = np.asarray(cdf(up), dtype=float) if not math.isfinite(hi) else None
            f_down = np.asarray(cdf(down), dtype=float) if not math.isfinite(lo) else None
    except Exception:
        return base, base + 1.0
    seen = [f for f in (f_up, f_down) if f is not None and np.isfinite(f).any()]
    if not seen:
        return base, base + 1.0
    top = max(float(np.nanmax(f)) for f in seen)
    bottom = min(float(np.nanmin(f)) for f in seen)
    span = max(top - bottom, 1e-12)
    if f_up is not None:
        near = np.flatnonzero(f_up >= top - 0.01 * span)
        hi = float(up[near[0]]) if near.size else float(up[-1])
    if f_down is not None:
        near = np.flatnonzero(f_down <= bottom + 0.01 * span)
        lo = float(down[near[0]]) if near.size else float(down[-1])
    return lo, hi if hi > lo else lo + 1.0


def _numeric_support(support, params: dict):
    """Support bounds as floats; they may be sympy expressions of the parameters."""
    if support is None:
        return None
    try:
        import sympy

        out = []
        for bound in support:
            expr = sympy.sympify(bound)
            # match symbols by name: the puzzle's symbols carry assumptions a bare name lacks
            expr = expr.subs({s: params[s.name] for s in expr.free_symbols if s.name in params})
            out.append(float(expr))
        return tuple(out)
    except (TypeError, ValueError, sympy.SympifyError):
        return None  # not numeric after all: the edges decide the range
