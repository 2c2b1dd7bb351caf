"""Topic figures (LDA, and TF-IDF clusters through :mod:`reports.figures.clusters`): top-term grids and the
intertopic distance map."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.escape import PLOTLY_BREAK, escape_text, shorten
from reports.style import GRID_COLUMNS, MAP_HEIGHT, MAX_BUBBLE_SIZE, PALETTE, apply_style, grid_height
from topics.results import TopicResult

#: Top terms shown per topic.
N_TERMS = 10
#: Characters of a topic label kept in subplot titles.
LABEL_CHARS = 30


def display_label(result: TopicResult, k: int) -> str:
    """Raw (unescaped) label of topic ``k``: its given label, else its three heaviest terms joined."""
    if k < len(result.labels) and result.labels[k]:
        return result.labels[k]
    return ", ".join(term for term, _ in _terms(result, k)[:3])


def topic_names(result: TopicResult, noun: str = "Topic") -> list[str]:
    """Raw name of every topic of ``result``: ``"<noun> id: label"`` with the topic's user-facing id."""
    return [f"{noun} {result.topic_id(k)}: {display_label(result, k)}" for k in range(result.n_topics)]


def topic_color(k: int) -> str:
    """Colour of topic (or cluster) ``k``, the same in the term grid and the distance map."""
    return PALETTE[k % len(PALETTE)]


def top_terms_figure(result: TopicResult, noun: str = "Topic", n_terms: int = N_TERMS) -> go.Figure:
    """Grid of horizontal bar charts, one panel per topic: its ``n_terms`` heaviest terms (heaviest on top),
    bar length = term weight (p(term | topic) for LDA, centroid TF-IDF weight for clusters).

    Panel titles show the topic index, its label and, when known, its NPMI coherence.
    """
    n_topics = result.n_topics
    n_cols = min(GRID_COLUMNS, max(n_topics, 1))
    n_rows = max(math.ceil(n_topics / n_cols), 1)
    titles = []
    for k in range(n_topics):
        title = f"{noun} {result.topic_id(k)}: {shorten(display_label(result, k), LABEL_CHARS)}"
        if k < len(result.topic_coherence):
            title += f" (NPMI {result.topic_coherence[k]:.2f})"
        titles.append(escape_text(title))
    fig = make_subplots(
        rows=n_rows,
        cols=n_cols,
        subplot_titles=titles or None,
        horizontal_spacing=0.16,
        vertical_spacing=min(0.35 / n_rows, 0.12),
    )
    for k in range(n_topics):
        terms = _terms(result, k)[:n_terms][::-1]  # heaviest on top
        labels = [escape_text(term) for term, _ in terms]
        fig.add_trace(
            go.Bar(
                x=[float(weight) for _, weight in terms],
                y=labels,
                orientation="h",
                name=escape_text(f"{noun} {k}"),
                marker_color=topic_color(k),
                hovertemplate="%{y}: %{x:.4f}<extra>" + escape_text(f"{noun} {k}") + "</extra>",
            ),
            row=k // n_cols + 1,
            col=k % n_cols + 1,
        )
    fig.update_yaxes(type="category", tickfont={"size": 11})
    fig.update_xaxes(tickfont={"size": 10}, nticks=4)
    fig.update_annotations(font={"size": 11})
    weight_name = "p(term | topic)" if result.backend == "lda" else "centroid TF-IDF weight"
    fig.update_layout(title=f"Top {n_terms} terms per {noun.lower()} (bar length: {weight_name})")
    return apply_style(fig, height=grid_height(n_rows), show_legend=False)


def intertopic_map_figure(result: TopicResult, noun: str = "Topic") -> go.Figure:
    """Bubble chart of ``result.coords`` (shape ``(n_topics, 2)``, unitless MDS of Jensen-Shannon distances):
    one bubble per topic, area proportional to its prevalence (mean topic weight over papers); hover shows
    the label, prevalence and top terms."""
    coords = result.coords
    prevalence = [float(p) for p in result.prevalence]
    largest = max(prevalence, default=0.0) or 1.0
    hover = []
    for k in range(result.n_topics):
        terms = ", ".join(term for term, _ in _terms(result, k)[:N_TERMS])
        hover.append(
            PLOTLY_BREAK.join(
                (
                    f"<b>{escape_text(f'{noun} {result.topic_id(k)}')}</b>: {escape_text(display_label(result, k))}",
                    f"prevalence {prevalence[k]:.1%}",
                    escape_text(shorten(terms, 120)),
                )
            )
        )
    fig = go.Figure(
        go.Scatter(
            x=[float(v) for v in coords[:, 0]] if len(coords) else [],
            y=[float(v) for v in coords[:, 1]] if len(coords) else [],
            mode="markers+text",
            text=[str(result.topic_id(k)) for k in range(result.n_topics)],
            textposition="middle center",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            marker={
                "size": prevalence,
                "sizemode": "area",
                "sizeref": 2.0 * largest / MAX_BUBBLE_SIZE**2,
                "sizemin": 6,
                "color": [topic_color(k) for k in range(result.n_topics)],
                "opacity": 0.7,
                "line": {"width": 1, "color": "white"},
            },
        )
    )
    fig.update_layout(
        title=f"{'Intertopic' if noun == 'Topic' else noun} distance map (bubble area: prevalence)",
        xaxis={"title": "MDS 1", "showticklabels": False, "zeroline": False},
        yaxis={"title": "MDS 2", "showticklabels": False, "zeroline": False, "scaleanchor": "x"},
    )
    return apply_style(fig, height=MAP_HEIGHT, show_legend=False)


def _terms(result: TopicResult, k: int) -> tuple[tuple[str, float], ...]:
    """Top ``(term, weight)`` pairs of topic ``k``, empty when the result lists none."""
    return result.topic_terms[k] if k < len(result.topic_terms) else ()
