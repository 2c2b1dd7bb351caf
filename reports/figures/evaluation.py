"""Evaluation figures: the labeller's precision, recall and F1 per theme against the keyword baseline, and
the confusion table of labelled versus given themes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from reports.escape import escape_text
from reports.style import MARGIN, UNASSIGNED_COLOR, apply_style, count_heatmap, series_colors
from topics.evaluation import NONE, OTHER, Evaluation, ThemeScore

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
