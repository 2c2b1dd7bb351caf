"""Documents map: (a sample of) the papers in 2-D, coloured by primary theme, drawn with WebGL."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from preprocessing.records import Corpus
from reports.escape import PLOTLY_BREAK, escape_text, escape_wrapped
from reports.figures.themes import theme_labels
from reports.style import (
    DOC_MARKER_OPACITY,
    HOVER_WIDTH,
    MAP_HEIGHT,
    apply_style,
    doc_marker_size,
    theme_colors,
)
from topics.results import UNASSIGNED, DocumentMap, ThemeTable

#: Display names of projection methods; others are shown as given.
METHOD_NAMES = {"tsne": "t-SNE", "umap": "UMAP", "pca": "PCA", "svd": "SVD", "mds": "MDS"}


def primary_themes(doc_map: DocumentMap, corpus: Corpus, themes: ThemeTable) -> list[str]:
    """Primary theme id (``ThemeTable.primary_theme``) of each map point, ``UNASSIGNED`` for papers the theme
    table does not list; length ``n_points``."""
    rows = {doc_id: row for row, doc_id in enumerate(themes.doc_ids)}
    result = []
    for index in doc_map.indices:
        row = rows.get(corpus.papers[int(index)].id)
        result.append(UNASSIGNED if row is None else themes.primary_theme(row))
    return result


def method_name(method: str) -> str:
    """Display name of a projection method (``"tsne"`` -> ``"t-SNE"``); raw text."""
    return METHOD_NAMES.get(method.lower(), method)


def map_title(doc_map: DocumentMap) -> str:
    """Title of the map (escaped), noting the sample when only part of the corpus is shown."""
    title = f"Documents map ({escape_text(method_name(doc_map.method))}), coloured by primary theme"
    if doc_map.sampled:
        title += f" \u2014 {len(doc_map.indices):,} of {doc_map.total:,} papers shown"
    return title


def document_map_figure(doc_map: DocumentMap, corpus: Corpus, themes: ThemeTable) -> go.Figure:
    """WebGL scatter of ``doc_map.coords`` (shape ``(n_points, 2)``, unitless), one ``Scattergl`` trace per
    primary theme present (theme order, unassigned last); hover shows the escaped paper title and period."""
    primary = np.asarray(primary_themes(doc_map, corpus, themes), dtype=object)
    labels = theme_labels(themes)
    colors = theme_colors(themes.theme_ids)
    size = doc_marker_size(len(doc_map.indices))
    fig = go.Figure()
    for theme_id in (*themes.theme_ids, UNASSIGNED):
        points = np.flatnonzero(primary == theme_id)
        if not len(points):
            continue
        papers = [corpus.papers[int(doc_map.indices[i])] for i in points]
        name = escape_text(labels[theme_id])
        fig.add_trace(
            go.Scattergl(
                x=[float(v) for v in doc_map.coords[points, 0]],
                y=[float(v) for v in doc_map.coords[points, 1]],
                mode="markers",
                name=name,
                customdata=[
                    escape_wrapped(paper.title, width=HOVER_WIDTH) + PLOTLY_BREAK + escape_text(paper.period)
                    for paper in papers
                ],
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
                marker={"size": size, "color": colors[theme_id], "opacity": DOC_MARKER_OPACITY},
            )
        )
    fig.update_layout(
        title=map_title(doc_map),
        xaxis={"showticklabels": False, "zeroline": False, "showgrid": False},
        yaxis={"showticklabels": False, "zeroline": False, "showgrid": False},
        legend={"title": "Primary theme", "itemsizing": "constant"},
    )
    return apply_style(fig, height=MAP_HEIGHT, show_legend=True)
