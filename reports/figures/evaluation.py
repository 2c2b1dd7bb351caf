"""Evaluation figures: the labeller's precision, recall and F1 per theme against the keyword baseline, the
confusion table of labelled versus given themes, the precision/recall curves of the scores over thresholds,
and the reliability (calibration) diagram of the scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from reports.escape import escape_text
from reports.style import (
    ACCENT_COLOR,
    MARGIN,
    REFERENCE_LINE,
    TEXT_COLOR,
    UNASSIGNED_COLOR,
    apply_style,
    count_heatmap,
    series_colors,
    theme_colors,
)
from topics.results import NONE, OTHER, Evaluation, PrCurve, PrPoint, Reliability, ThemeScore

#: Name of the last group of the scores figure: unweighted means over the evaluated themes.
MACRO_LABEL = "Macro average"
#: Display labels of the confusion table's catch-all categories.
OTHER_LABEL = "Other (none of these)"
NONE_LABEL = "None of these"
#: Labeller series of the scores figure and the baseline's series name.
LABELLER_SERIES: tuple[str, ...] = ("Precision", "Recall", "F1")
BASELINE_SERIES = "Keyword baseline F1"
#: Pixels per confusion-table row, and the floor of the figure height.
ROW_HEIGHT = 44
MIN_HEIGHT = 340
#: Legend name of the precision/recall curve pooled over every (paper, theme) pair.
MICRO_LABEL = "All themes (micro)"
#: Marker symbols of the PR figure: the labeller as configured, and the keyword baseline.
OPERATING_SYMBOL = "star"
BASELINE_SYMBOL = "x"
#: Marker sizes (pixels) of the PR figure's curve points and highlighted points.
CURVE_MARKER_SIZE = 6
POINT_MARKER_SIZE = 14
#: Height (pixels) of the square-ish PR and reliability figures.
CURVE_HEIGHT = 520
#: Marker diameters (pixels) of the reliability bins: the smallest, and the one holding the most pairs.
MIN_BIN_SIZE = 8
MAX_BIN_SIZE = 30
#: Name of the diagonal of the reliability figure.
DIAGONAL_NAME = "Perfectly calibrated"


def _label(theme_id: str, labels: Mapping[str, str] | None) -> str:
    """Escaped display label of a theme id (``labels`` maps ids to raw labels; the id when absent)."""
    return escape_text((labels or {}).get(theme_id) or theme_id)


def _counts_hover(score: ThemeScore) -> str:
    return (
        f"TP {score.tp}, FP {score.fp}, FN {score.fn}<br>{score.support} labelled, {score.predicted} given"
    )


def evaluation_scores_figure(ev: Evaluation, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Grouped bars: x = evaluated themes (theme order) then :data:`MACRO_LABEL`; per group the labeller's
    precision, recall and F1 and the keyword baseline's F1 (when it ran), each in ``[0, 1]``.

    The macro group holds unweighted means over the themes. Hover shows the tp/fp/fn counts behind each bar;
    the title gives both macro-F1 values and the number of papers. ``labels`` maps theme ids to display labels.
    """
    x = [_label(t, labels) for t in ev.themes] + [MACRO_LABEL]
    colors = series_colors(LABELLER_SERIES)
    fig = go.Figure()
    for name, field in zip(LABELLER_SERIES, ("precision", "recall", "f1")):
        values = [float(getattr(s, field)) for s in ev.scores]
        fig.add_trace(_score_bars(name, x, values, ev.scores, colors[name]))
    if ev.baseline:
        values = [float(s.f1) for s in ev.baseline]
        fig.add_trace(_score_bars(BASELINE_SERIES, x, values, ev.baseline, UNASSIGNED_COLOR))
    title = f"Themes vs hand labels: macro-F1 {ev.macro_f1:.2f}"
    if ev.baseline_macro_f1 is not None:
        title += f" (keyword baseline {ev.baseline_macro_f1:.2f})"
    fig.update_layout(
        title=f"{title}, {ev.n_papers:,} papers",
        barmode="group",
        xaxis={"type": "category"},
        yaxis={"title": "Score", "range": [0, 1.08], "tickformat": ".1f"},
        legend={"orientation": "h", "y": -0.15},
    )
    return apply_style(fig, show_legend=True)


def _score_bars(name: str, x: list[str], values: list[float], scores: tuple[ThemeScore, ...], color: str) -> go.Bar:
    """One series of the scores figure: ``values`` per theme, then their mean for the macro group."""
    mean = float(np.mean(values)) if values else 0.0
    hover = [f"{name} {v:.3f}<br>{_counts_hover(s)}" for v, s in zip(values, scores)]
    hover.append(f"{name}: mean {mean:.3f} over {len(values)} themes")
    return go.Bar(
        x=x,
        y=[*values, mean],
        name=name,
        marker_color=color,
        text=[f"{v:.2f}" for v in (*values, mean)],
        textposition="outside",
        hovertext=hover,
        hovertemplate="%{x}<br>%{hovertext}<extra></extra>",
    )


def confusion_figure(ev: Evaluation, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Heatmap of ``ev.confusion``: rows = labelled category (themes, then "other"; first on top), columns =
    category the labeller gave (themes, then "none"), cell text = papers. A paper with several labelled or
    given themes counts once per (labelled, given) pair."""
    names = {OTHER: OTHER_LABEL, NONE: NONE_LABEL}
    y = [names[c] if c == OTHER else _label(c, labels) for c in ev.gold_categories]
    x = [names[c] if c == NONE else _label(c, labels) for c in ev.predicted_categories]
    fig = go.Figure(
        count_heatmap(ev.confusion, x, y, "Labelled: %{y}<br>Given: %{x}<br>%{z} papers<extra></extra>")
    )
    fig.update_layout(
        title=f"Labelled vs given themes ({ev.n_papers:,} papers)",
        xaxis={"title": "Given by the labeller", "type": "category", "side": "bottom"},
        yaxis={"title": "Labelled", "type": "category", "autorange": "reversed"},
    )
    height = max(MIN_HEIGHT, MARGIN["t"] + MARGIN["b"] + 120 + ROW_HEIGHT * len(y))
    return apply_style(fig, height=height, show_legend=False)


def pr_curve_figure(
    ev: Evaluation,
    labels: Mapping[str, str] | None = None,
    theme_ids: Sequence[str] | None = None,
    threshold: float | None = None,
) -> go.Figure:
    """Precision (y) against recall (x) of the labeller's scores at every threshold of ``ev.pr_curves``.

    Traces, per evaluated theme in theme order: its curve (lines and markers, hover giving the threshold,
    precision, recall, F1 and papers predicted; points where no paper reaches the threshold are left out, as
    their precision is undefined); the labeller as configured (``ev.scores``, a star); the keyword baseline
    (``ev.baseline``, a cross) when it ran. Then the curve pooled over every pair (``ev.pr_micro``, dashed).
    Colours follow :func:`theme_colors` over ``theme_ids`` (the run's full theme list; default ``ev.themes``);
    ``threshold`` is the configured threshold named in the hover (default ``ev.threshold``). Legend names carry
    each curve's average precision (AP). ``labels`` maps theme ids to display labels (escaped here).
    """
    colors = theme_colors(theme_ids or ev.themes)
    threshold = ev.threshold if threshold is None else threshold
    operating = {s.theme: s for s in ev.scores}
    baseline = {s.theme: s for s in ev.baseline}
    fig = go.Figure()
    for curve in ev.pr_curves:
        label = _label(curve.theme, labels)
        color = colors.get(curve.theme, ACCENT_COLOR)
        fig.add_trace(_curve_trace(curve, label, color))
        if curve.theme in operating:
            fig.add_trace(_point_trace(
                operating[curve.theme], label, color, OPERATING_SYMBOL, _operating_name(threshold),
            ))
        if curve.theme in baseline:
            fig.add_trace(_point_trace(baseline[curve.theme], label, color, BASELINE_SYMBOL, "keyword baseline"))
    if ev.pr_micro is not None:
        fig.add_trace(_curve_trace(ev.pr_micro, MICRO_LABEL, TEXT_COLOR, dash="dash"))
    fig.update_layout(
        title=f"Precision and recall at every score threshold ({ev.n_papers:,} papers)",
        xaxis={"title": "Recall (share of labelled papers found)", "range": [0, 1.03], "tickformat": ".1f"},
        yaxis={"title": "Precision (share of given papers that are right)", "range": [0, 1.05], "tickformat": ".1f"},
        legend={"title": {"text": "Theme (average precision)"}},
    )
    return apply_style(fig, height=CURVE_HEIGHT, show_legend=True)


def _curve_trace(curve: PrCurve, label: str, color: str, dash: str = "solid") -> go.Scatter:
    """One precision/recall curve; ``label`` already escaped."""
    points = [p for p in curve.points if p.predicted > 0]
    ap = "" if curve.average_precision is None else f" (AP {curve.average_precision:.2f})"
    return go.Scatter(
        x=[p.recall for p in points],
        y=[p.precision for p in points],
        mode="lines+markers",
        name=f"{label}{ap}",
        legendgroup=curve.theme,
        line={"color": color, "dash": dash, "width": 2},
        marker={"color": color, "size": CURVE_MARKER_SIZE},
        hovertext=[f"{label}<br>threshold {p.threshold:.2f}<br>{_point_hover(p)}" for p in points],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def _point_hover(point: PrPoint) -> str:
    return (
        f"precision {point.precision:.3f}, recall {point.recall:.3f}, F1 {point.f1:.3f}<br>"
        f"{point.predicted} given, {point.tp} right"
    )


def _operating_name(threshold: float | None) -> str:
    return "labeller as configured" + ("" if threshold is None else f" (threshold {threshold:.2f})")


def _point_trace(score: ThemeScore, label: str, color: str, symbol: str, what: str) -> go.Scatter:
    """One highlighted point (the labeller's decisions or the baseline's) of a theme; ``label`` escaped."""
    return go.Scatter(
        x=[score.recall],
        y=[score.precision],
        mode="markers",
        name=f"{label}: {what}",
        legendgroup=score.theme,
        showlegend=False,
        marker={"color": color, "symbol": symbol, "size": POINT_MARKER_SIZE, "line": {"color": "white", "width": 1}},
        hovertext=[
            f"{label}<br>{what}<br>precision {score.precision:.3f}, recall {score.recall:.3f}, F1 {score.f1:.3f}"
            f"<br>{_counts_hover(score)}"
        ],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def reliability_figure(ev: Evaluation) -> go.Figure:
    """Reliability diagram of ``ev.reliability``: per non-empty score bin, its mean score (x) against the
    observed fraction of positives (y) with its Wilson interval as error bars, marker area growing with the
    bin's count (and the count in the hover); the diagonal y = x (perfect calibration) as a dashed reference
    line. The title gives the expected calibration error, the Brier score and the number of pairs.
    An Evaluation without a reliability table gives an empty figure with only the diagonal."""
    table: Reliability | None = ev.reliability
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[0.0, 1.0], y=[0.0, 1.0], mode="lines", name=DIAGONAL_NAME, line=dict(REFERENCE_LINE), hoverinfo="skip",
    ))
    title = "Reliability of the theme scores"
    if table is not None:
        bins = [b for b in table.bins if b.count]
        largest = max(b.count for b in bins)
        fig.add_trace(go.Scatter(
            x=[b.mean_score for b in bins],
            y=[b.observed for b in bins],
            mode="lines+markers",
            name="Score bins",
            line={"color": ACCENT_COLOR, "width": 1},
            marker={
                "color": ACCENT_COLOR,
                "size": [_bin_size(b.count, largest) for b in bins],
                "line": {"color": "white", "width": 1},
            },
            error_y={
                "type": "data",
                "symmetric": False,
                # a bin with papers has its observed share and interval (None only in empty bins)
                "array": [float(b.observed_high or 0.0) - float(b.observed or 0.0) for b in bins],
                "arrayminus": [float(b.observed or 0.0) - float(b.observed_low or 0.0) for b in bins],
                "color": ACCENT_COLOR,
                "thickness": 1.5,
                "width": 4,
            },
            customdata=[[b.count] for b in bins],
            hovertext=[
                f"scores {b.low:.1f}-{b.high:.1f}: {b.count:,} pairs, {b.positives:,} labelled<br>"
                f"mean score {b.mean_score:.3f}, observed {b.observed:.3f} "
                f"(95% interval {b.observed_low:.3f}-{b.observed_high:.3f})"
                for b in bins
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
        title += f": ECE {table.ece:.3f}, Brier {table.brier:.3f} ({table.n_pairs:,} paper-theme pairs)"
    fig.update_layout(
        title=title,
        xaxis={"title": "Mean score in the bin", "range": [0, 1.02], "tickformat": ".1f", "dtick": 0.1},
        yaxis={"title": "Observed share labelled with the theme", "range": [0, 1.05], "tickformat": ".1f"},
        legend={"orientation": "h", "y": -0.18},
    )
    return apply_style(fig, height=CURVE_HEIGHT, show_legend=True)


def _bin_size(count: int, largest: int) -> float:
    """Marker diameter (pixels) of a bin of ``count`` pairs: area proportional to the count."""
    return round(MIN_BIN_SIZE + (MAX_BIN_SIZE - MIN_BIN_SIZE) * float(np.sqrt(count / largest)), 2)
