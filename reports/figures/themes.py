"""Theme figures: papers per theme overall and theme shares per period."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from reports.escape import escape_text
from reports.style import apply_style, bar_height, theme_colors
from topics.results import UNASSIGNED, ThemeTable

#: Display label of :data:`UNASSIGNED`.
UNASSIGNED_LABEL = "Unassigned"


def theme_labels(themes: ThemeTable) -> dict[str, str]:
    """Display label of each theme id (the definition's label, else its id), plus ``UNASSIGNED``; raw text."""
    labels = {theme.id: theme.label or theme.id for theme in themes.themes}
    labels[UNASSIGNED] = UNASSIGNED_LABEL
    return labels


def papers_per_theme(themes: ThemeTable) -> dict[str, int]:
    """Papers carrying each theme (theme order), then ``UNASSIGNED``: papers with no theme at all."""
    assigned = np.asarray(themes.assigned, dtype=bool)
    counts = {theme_id: int(assigned[:, j].sum()) for j, theme_id in enumerate(themes.theme_ids)}
    counts[UNASSIGNED] = int((~assigned.any(axis=1)).sum()) if assigned.size else len(themes.doc_ids)
    return counts


def theme_shares_figure(themes: ThemeTable) -> go.Figure:
    """Horizontal bar chart: one bar per theme (and unassigned), length = papers carrying it.

    Bars keep theme order top to bottom with unassigned last; hover shows the share of all papers (a paper
    may carry several themes, so shares need not sum to 1).
    """
    counts = papers_per_theme(themes)
    labels = theme_labels(themes)
    colors = theme_colors(themes.theme_ids)
    n_docs = max(len(themes.doc_ids), 1)
    ids = list(counts)[::-1]  # plotly draws the first category at the bottom
    shares = [counts[theme_id] / n_docs for theme_id in ids]
    fig = go.Figure(
        go.Bar(
            x=[counts[theme_id] for theme_id in ids],
            y=[escape_text(labels[theme_id]) for theme_id in ids],
            orientation="h",
            marker_color=[colors[theme_id] for theme_id in ids],
            customdata=shares,
            text=[f"{share:.0%}" for share in shares],
            textposition="auto",
            hovertemplate="%{y}: %{x} papers (%{customdata:.1%})<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Papers per theme ({len(themes.doc_ids):,} papers)",
        xaxis={"title": "Papers"},
        yaxis={"type": "category"},
    )
    return apply_style(fig, height=bar_height(len(ids)), show_legend=False)
