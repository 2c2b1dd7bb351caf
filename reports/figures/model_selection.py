"""Model selection and topic quality figures: the K sweep behind ``num_topics: auto``, and per-topic NPMI
coherence, stability and diversity."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.escape import escape_text, shorten
from reports.style import PALETTE, TEXT_COLOR, apply_style, bar_height
from topics.results import KSweep

#: Colour of each measure, the same in both figures.
MEASURE_COLORS = {"coherence": PALETTE[0], "stability": PALETTE[1], "diversity": PALETTE[2], "score": TEXT_COLOR}
#: Trace names of the K sweep.
STABILITY_NAME = "Stability (closest match in another seed's fit)"
DIVERSITY_NAME = "Topic diversity (unique top-25 terms)"
COHERENCE_NAME = "NPMI coherence (right axis)"
SCORE_NAME = "Selection score (scaled coherence; 0 below the floor)"
#: Height in pixels of the K sweep chart (room for the legend under the plot).
SWEEP_HEIGHT = 480
#: Characters of a topic label kept on the axis of the topic quality figure.
LABEL_CHARS = 40


def k_sweep_figure(sweep: KSweep) -> go.Figure:
    """Line chart over the candidate K (x): stability, diversity and the selection score on the left axis
    (``[0, 1]``), mean NPMI coherence on the right axis. The chosen K is marked by a dotted vertical line and a
    ringed marker on the score line; the stability floor, when it applied, by a dashed horizontal line, and
    candidates below it by crosses on the stability line (the rule itself is ``sweep.rule``, for the caption)."""
    ks = [int(k) for k in sweep.candidates]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    _add_sweep_lines(fig, sweep, ks)
    if sweep.chosen in ks:
        fig.add_trace(_chosen_marker(sweep, ks), secondary_y=False)
    fig.add_vline(x=int(sweep.chosen), line={"color": MEASURE_COLORS["score"], "dash": "dot", "width": 1})
    if sweep.stability_floor > 0:
        fig.add_hline(
            y=float(sweep.stability_floor),
            line={"color": MEASURE_COLORS["stability"], "dash": "dash", "width": 1},
            annotation_text="stability floor",
            annotation_position="bottom right",
            annotation_font={"color": MEASURE_COLORS["stability"], "size": 11},
        )
    fig.update_xaxes(title="Number of topics K", tickmode="array", tickvals=ks)
    fig.update_yaxes(title="Stability, diversity, score", range=[0, 1.05], secondary_y=False)
    fig.update_yaxes(title="NPMI coherence", showgrid=False, secondary_y=True)
    fig.update_layout(
        title=f"Choosing the number of topics: K = {int(sweep.chosen)}"
        + (f" ({len(sweep.seeds)} seeds per K)" if len(sweep.seeds) > 1 else ""),
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0.0},
        margin={"b": 110},
    )
    return apply_style(fig, height=SWEEP_HEIGHT, show_legend=True)


def _add_sweep_lines(fig: go.Figure, sweep: KSweep, ks: Sequence[int]) -> None:
    """Add one line per measure of the sweep (stability, diversity, coherence on the secondary axis, score) to
    ``fig``, leaving out a measure without one value per candidate; candidates below the stability floor are
    crosses on the stability line."""
    eligible = list(sweep.eligible) if len(sweep.eligible) == len(ks) else [True] * len(ks)
    status = ["eligible" if ok else "below the stability floor" for ok in eligible]
    series = [
        ("stability", STABILITY_NAME, sweep.stability, False),
        ("diversity", DIVERSITY_NAME, sweep.diversity, False),
        ("coherence", COHERENCE_NAME, sweep.coherence, True),
        ("score", SCORE_NAME, sweep.score, False),
    ]
    for key, name, values, secondary in series:
        if len(values) != len(ks):
            continue  # e.g. no stability when the sweep ran with a single seed
        fig.add_trace(
            go.Scatter(
                x=ks,
                y=[float(v) for v in values],
                mode="lines+markers",
                name=name,
                line={"color": MEASURE_COLORS[key], "width": 2, "dash": "dash" if key == "score" else "solid"},
                marker={
                    "symbol": ["circle" if ok else "x" for ok in eligible] if key == "stability" else "circle",
                    "size": 8,
                },
                customdata=status,
                hovertemplate="K=%{x} (%{customdata})<br>" + escape_text(name) + ": %{y:.3f}<extra></extra>",
            ),
            secondary_y=secondary,
        )


def _chosen_marker(sweep: KSweep, ks: Sequence[int]) -> go.Scatter:
    """The ringed marker of the chosen K on the score line (``sweep.chosen`` must be one of ``ks``)."""
    return go.Scatter(
        x=[int(sweep.chosen)],
        y=[float(sweep.score[ks.index(sweep.chosen)])],
        mode="markers",
        name=f"Chosen K = {int(sweep.chosen)}",
        marker={"size": 18, "symbol": "circle-open", "color": MEASURE_COLORS["score"], "line": {"width": 3}},
        hovertemplate=f"chosen K={int(sweep.chosen)}<extra></extra>",
    )


def topic_quality_figure(
    labels: Sequence[str],
    coherence: Sequence[float],
    stability: Sequence[float] | None,
    diversity: Sequence[float],
) -> go.Figure:
    """Per topic (one row each, the first on top), side-by-side horizontal bars of its NPMI coherence
    (``[-1, 1]``; the axis spans the values and 0), stability (``[0, 1]``; panel left out when ``stability`` is
    None) and diversity (share of its top-25 terms in no other topic's, ``[0, 1]``).

    ``labels`` are raw topic names (e.g. from :func:`reports.figures.topics.topic_names`); they are escaped and
    shortened here, and made unique if two coincide.
    """
    n = len(labels)
    names = _unique([shorten(str(label), LABEL_CHARS) for label in labels])
    order = list(range(n))[::-1]  # plotly draws the first category at the bottom
    panels = [("coherence", "NPMI coherence", coherence, _npmi_range(coherence))]
    if stability is not None:
        panels.append(("stability", "Stability", stability, [0.0, 1.0]))
    panels.append(("diversity", "Diversity", diversity, [0.0, 1.0]))
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        shared_yaxes=True,
        subplot_titles=[title for _, title, _, _ in panels],
        horizontal_spacing=0.04,
    )
    for col, (key, title, values, value_range) in enumerate(panels, start=1):
        if len(values) != n:
            raise ValueError(f"{len(values)} {key} values for {n} topics")
        fig.add_trace(
            go.Bar(
                x=[float(values[k]) for k in order],
                y=[escape_text(names[k]) for k in order],
                orientation="h",
                name=title,
                marker_color=MEASURE_COLORS[key],
                text=[f"{float(values[k]):.2f}" for k in order],
                textposition="auto",
                hovertemplate="%{y}<br>" + escape_text(title) + ": %{x:.3f}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(range=value_range, nticks=5, row=1, col=col)
    fig.update_yaxes(type="category", row=1, col=1)
    fig.update_annotations(font={"size": 12})
    measures = ", ".join(title.split()[-1].lower() for _, title, _, _ in panels[:-1])
    fig.update_layout(title=f"Quality per topic: {measures} and diversity")
    return apply_style(fig, height=bar_height(n), show_legend=False)


def _npmi_range(values: Sequence[float]) -> list[float]:
    """X range of the NPMI panel: the values and 0 with a 15% margin, at least ``[0, 0.1]``, within ``[-1, 1]``."""
    low = min([0.0, *(float(v) for v in values)])
    high = max([0.1 if low == 0.0 else 0.0, *(float(v) for v in values)])
    pad = 0.15 * (high - low)
    return [max(-1.0, low - pad) if low < 0 else 0.0, min(1.0, high + pad)]


def _unique(labels: Sequence[str]) -> list[str]:
    """``labels`` with repeats told apart by a ``" (i)"`` suffix (``i`` the position), so that plotly does
    not merge their categories."""
    seen = {label: labels.count(label) for label in labels}
    return [f"{label} ({i})" if seen[label] > 1 else label for i, label in enumerate(labels)]

