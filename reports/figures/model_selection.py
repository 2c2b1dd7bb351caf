"""Model selection and topic quality figures: the K sweep behind ``num_topics: auto``, and per-topic NPMI
coherence, stability and diversity."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.escape import PLOTLY_BREAK, escape_text, shorten
from reports.style import GRID_COLOR, PALETTE, TEXT_COLOR, apply_style, bar_height
from topics.k_selection import KSweep

#: Colour of each measure, the same in both figures.
MEASURE_COLORS = {"coherence": PALETTE[0], "stability": PALETTE[1], "diversity": PALETTE[2], "score": TEXT_COLOR}
#: Characters of a topic label kept on the axis of the topic quality figure.
LABEL_CHARS = 40


def k_sweep_figure(sweep: KSweep) -> go.Figure:
    """Line chart over the candidate K (x): stability, diversity and the combined score on the left axis
    (``[0, 1]``), mean NPMI coherence on the right axis (``[-1, 1]`` scale); the chosen K is marked by a
    dotted vertical line and a ringed marker on the score line. The rule is shown under the title."""
    ks = [int(k) for k in sweep.candidates]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    series = [
        ("stability", "Stability (mean matched similarity)", sweep.stability, False),
        ("diversity", "Topic diversity (unique top-25 terms)", sweep.diversity, False),
        ("coherence", "NPMI coherence (right axis)", sweep.coherence, True),
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
                line={"color": MEASURE_COLORS[key], "width": 2},
                hovertemplate="K=%{x}<br>" + escape_text(name) + ": %{y:.3f}<extra></extra>",
            ),
            secondary_y=secondary,
        )
    fig.add_trace(
        go.Scatter(
            x=ks,
            y=[float(v) for v in sweep.score],
            mode="lines+markers",
            name="Score (selection criterion)",
            line={"color": MEASURE_COLORS["score"], "width": 2, "dash": "dash"},
            hovertemplate="K=%{x}<br>score: %{y:.3f}<extra></extra>",
        ),
        secondary_y=False,
    )
    chosen_score = float(sweep.score[ks.index(sweep.chosen)]) if sweep.chosen in ks else None
    if chosen_score is not None:
        fig.add_trace(
            go.Scatter(
                x=[int(sweep.chosen)],
                y=[chosen_score],
                mode="markers",
                name=f"Chosen K = {int(sweep.chosen)}",
                marker={"size": 16, "symbol": "circle-open", "color": MEASURE_COLORS["score"], "line": {"width": 3}},
                hovertemplate=f"chosen K={int(sweep.chosen)}<br>score: %{{y:.3f}}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_vline(x=int(sweep.chosen), line={"color": MEASURE_COLORS["score"], "dash": "dot", "width": 1})
    fig.update_xaxes(title="Number of topics K", tickmode="array", tickvals=ks, gridcolor=GRID_COLOR)
    fig.update_yaxes(title="Stability, diversity, score", range=[0, 1.05], secondary_y=False)
    fig.update_yaxes(title="NPMI coherence", showgrid=False, secondary_y=True)
    fig.update_layout(
        title={
            "text": f"Choosing the number of topics: K = {int(sweep.chosen)}"
            + PLOTLY_BREAK
            + f"<sup>{escape_text(sweep.rule)}</sup>"
        },
        legend={"orientation": "h", "y": -0.2, "x": 0.0},
        hovermode="closest",
    )
    return apply_style(fig, show_legend=True)


def topic_quality_figure(
    labels: Sequence[str],
    coherence: Sequence[float],
    stability: Sequence[float] | None,
    diversity: Sequence[float],
) -> go.Figure:
    """Per topic (one row each, the first on top), side-by-side horizontal bars of its NPMI coherence
    (``[-1, 1]``), stability (``[0, 1]``, panel left out when ``stability`` is None) and diversity (share of its
    top-25 terms in no other topic's, ``[0, 1]``).

    ``labels`` are raw topic names (e.g. from :func:`reports.figures.topics.topic_names`); they are escaped and
    shortened here, and made unique if two coincide.
    """
    n = len(labels)
    names = _unique([shorten(str(label), LABEL_CHARS) for label in labels])
    order = list(range(n))[::-1]  # plotly draws the first category at the bottom
    panels = [("coherence", "NPMI coherence", coherence, [-1.0, 1.0])]
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
    fig.update_layout(title="Topic quality: coherence, stability and diversity per topic")
    return apply_style(fig, height=bar_height(n), show_legend=False)


def _unique(labels: Sequence[str]) -> list[str]:
    """``labels`` with repeats told apart by a ``" (i)"`` suffix (``i`` the position), so that plotly does
    not merge their categories."""
    seen = {label: labels.count(label) for label in labels}
    return [f"{label} ({i})" if seen[label] > 1 else label for i, label in enumerate(labels)]
