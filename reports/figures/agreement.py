"""LDA-versus-clusters agreement figure."""

from __future__ import annotations

import plotly.graph_objects as go

from reports.escape import escape_text, shorten
from reports.figures.topics import display_label
from reports.style import MARGIN, apply_style, count_heatmap
from topics.results import Agreement, TopicResult

#: Characters of a topic or cluster label kept on the axes.
LABEL_CHARS = 30
#: Pixels per heatmap row, and the floor of the figure height.
ROW_HEIGHT = 34
MIN_HEIGHT = 360


def axis_labels(result: TopicResult | None, noun: str, n: int) -> list[str]:
    """Escaped axis labels ``"<noun> k: label"`` for ``n`` topics/models/clusters (``"<noun> k"`` without result).

    The index prefix keeps labels unique, so Plotly never merges two rows with the same label.
    """
    if result is None or result.n_topics != n:
        return [escape_text(f"{noun} {k}") for k in range(n)]
    return [
        escape_text(f"{noun} {result.topic_id(k)}: {shorten(display_label(result, k), LABEL_CHARS)}") for k in range(n)
    ]


def agreement_heatmap(
    agreement: Agreement, lda: TopicResult | None = None, clusters: TopicResult | None = None
) -> go.Figure:
    """Heatmap of ``agreement.contingency`` (shape ``(n_topics, n_clusters)``, paper counts): rows = LDA
    dominant topics (topic 0 on top), columns = TF-IDF clusters, cell text = count; ARI and NMI in the title."""
    table = agreement.contingency
    n_topics, n_clusters = table.shape
    fig = go.Figure(
        count_heatmap(
            table,
            axis_labels(clusters, "Cluster", n_clusters),
            axis_labels(lda, "Topic", n_topics),
            "%{y}<br>%{x}<br>%{z} papers<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"LDA topics vs TF-IDF clusters (ARI {agreement.ari:.3f}, NMI {agreement.nmi:.3f})",
        xaxis={"title": "TF-IDF cluster", "type": "category", "tickangle": -30},
        yaxis={"title": "LDA topic", "type": "category", "autorange": "reversed"},
    )
    height = max(MIN_HEIGHT, MARGIN["t"] + MARGIN["b"] + 120 + ROW_HEIGHT * n_topics)
    return apply_style(fig, height=height, show_legend=False)
