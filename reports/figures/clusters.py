"""TF-IDF + KMeans cluster figures: cluster sizes, and (through :mod:`reports.figures.topics`) top terms and
the cluster distance map, which share the topics' shape."""

from __future__ import annotations

import plotly.graph_objects as go

from reports.escape import escape_text, shorten
from reports.figures.topics import display_label, intertopic_map_figure, top_terms_figure, topic_color
from reports.style import apply_style, bar_height
from topics.results import TopicResult

#: How clusters are named in figures.
NOUN = "Cluster"
#: Characters of a cluster label kept on the axis.
LABEL_CHARS = 45


def cluster_sizes_figure(clusters: TopicResult) -> go.Figure:
    """Horizontal bar chart: one bar per cluster (cluster 0 on top), length = papers in the cluster
    (``TopicResult.sizes``); the axis label is the cluster index and its label."""
    sizes = [int(size) for size in clusters.sizes]
    n_docs = max(sum(sizes), 1)
    order = list(range(clusters.n_topics))[::-1]  # plotly draws the first category at the bottom
    fig = go.Figure(
        go.Bar(
            x=[sizes[k] for k in order],
            y=[
                escape_text(f"{NOUN} {clusters.topic_id(k)}: {shorten(display_label(clusters, k), LABEL_CHARS)}")
                for k in order
            ],
            orientation="h",
            marker_color=[topic_color(k) for k in order],
            customdata=[sizes[k] / n_docs for k in order],
            text=[sizes[k] for k in order],
            textposition="auto",
            hovertemplate="%{y}<br>%{x} papers (%{customdata:.1%})<extra></extra>",
        )
    )
    fig.update_layout(title="Papers per TF-IDF cluster", xaxis={"title": "Papers"}, yaxis={"type": "category"})
    return apply_style(fig, height=bar_height(clusters.n_topics), show_legend=False)


def cluster_terms_figure(clusters: TopicResult) -> go.Figure:
    """Top-term grid of the clusters (see :func:`reports.figures.topics.top_terms_figure`)."""
    return top_terms_figure(clusters, noun=NOUN)


def cluster_map_figure(clusters: TopicResult) -> go.Figure:
    """Distance map of the clusters (see :func:`reports.figures.topics.intertopic_map_figure`)."""
    return intertopic_map_figure(clusters, noun=NOUN)
