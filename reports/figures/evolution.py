"""Thematic evolution as a Sankey diagram: one column per time slice, a node per theme (or topic) in the slice,
links between consecutive slices as wide as the inclusion index of their term sets.

Plotly's Sankey does not draw a node that no link touches, so the nodes without a link are drawn as markers in
rows under the diagram, each in its slice's column (the Sankey's node columns sit at fixed x positions, the
same as the markers').
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from reports.escape import PLOTLY_BREAK, escape_text, escape_wrapped, shorten
from reports.style import (
    EVOLUTION_HEIGHT,
    EVOLUTION_MAX_ROWS_SHARE,
    EVOLUTION_ROW_SHARE,
    FLOW_OPACITY,
    HOVER_WIDTH,
    KIND_SYMBOLS,
    PALETTE,
    apply_style,
    theme_colors,
    translucent,
)
from topics.results import THEME, TOPIC, ThematicEvolution

#: Characters of a node label.
LABEL_CHARS = 30
#: Room (fraction of the figure's height) between the Sankey and the row of unlinked nodes.
ROW_GAP = 0.06
NOUNS = {THEME: "themes", TOPIC: "LDA topics"}


def node_colors(nodes: pd.DataFrame, kind: str, theme_ids: Sequence[str] = ()) -> dict[str, str]:
    """Colour of each node id of ``nodes`` (one kind): themes as :func:`reports.style.theme_colors` over
    ``theme_ids`` when given, else over the ids in the order the slices list them (theme order, as long as every
    theme has a node somewhere); topics with numeric ids as :func:`reports.figures.topics.topic_color`."""
    ids = [str(v) for v in nodes["id"]]
    if kind == TOPIC and all(ident.isdigit() for ident in ids):
        return {ident: PALETTE[int(ident) % len(PALETTE)] for ident in ids}
    if kind == THEME and theme_ids:
        colors = theme_colors(theme_ids)
        if set(ids) <= set(colors):
            return colors
    order: list[str] = []
    for _, part in nodes.groupby("slice_index", sort=True):
        listed = [str(v) for v in part["id"]]
        for i, ident in enumerate(listed):
            if ident in order:
                continue
            known = [order.index(v) for v in listed[:i] if v in order]
            later = [order.index(v) for v in listed[i + 1 :] if v in order]
            order.insert(known[-1] + 1 if known else (later[0] if later else len(order)), ident)
    return theme_colors(order) if kind == THEME else {ident: PALETTE[i % len(PALETTE)] for i, ident in enumerate(order)}


def column_x(slice_index: int, n_slices: int) -> float:
    """Horizontal position (in ``(0, 1)`` of the figure's width) of a slice's column."""
    return 0.5 if n_slices <= 1 else 0.01 + 0.98 * slice_index / (n_slices - 1)


def evolution_figure(evolution: ThematicEvolution, kind: str = THEME, theme_ids: Sequence[str] = ()) -> go.Figure:
    """Sankey of the nodes of ``kind`` that have links (columns = slices, chronological; node colour = the
    theme or topic, the same in every slice; link width = inclusion index, link colour = the earlier node's)
    and, under it, rows of markers for the nodes without a link, in their slices' columns. Hover shows a node's
    papers and slice-specific terms, and a link's inclusion index and shared terms. Node colours are those of
    the other figures (:func:`node_colors`; pass the run's ``theme_ids`` to be sure for themes).

    Raises:
        ValueError: when the evolution has no node of ``kind``.
    """
    nodes = evolution.nodes[evolution.nodes["kind"] == kind].reset_index(drop=True)
    if not len(nodes):
        raise ValueError(f"the thematic evolution has no {kind!r} node")
    links = evolution.links[evolution.links["kind"] == kind]
    colors = node_colors(nodes, kind, theme_ids)
    linked = nodes[nodes["linked"].astype(bool)].reset_index(drop=True)
    unlinked = nodes[~nodes["linked"].astype(bool)]
    n_slices = len(evolution.slices)
    stack = int(unlinked.groupby("slice_index").size().max()) if len(unlinked) else 0
    row_share = min(EVOLUTION_MAX_ROWS_SHARE, EVOLUTION_ROW_SHARE * stack) if len(linked) else 1.0 - 2 * ROW_GAP
    fig = go.Figure()
    if len(linked):  # plotly.js throws on a Sankey without nodes ("Invalid array length")
        fig.add_trace(_sankey(linked, links, colors, n_slices, 1.0 - row_share - ROW_GAP if stack else 1.0))
    if stack:
        fig.add_trace(_unlinked_row(unlinked, colors, n_slices, kind))
        fig.add_annotation(x=0.0, y=row_share + ROW_GAP / 2, xref="paper", yref="paper", xanchor="left",
                           text="<i>Without a link:</i>" if len(linked) else "<i>No link between the slices:</i>",
                           showarrow=False, font={"size": 11})
    for s, name in enumerate(evolution.slices):
        fig.add_annotation(x=column_x(s, n_slices), y=1.0, xref="paper", yref="paper", yanchor="bottom",
                           text=f"<b>{escape_text(name)}</b>", showarrow=False)
    fig.update_layout(
        title=f"Thematic evolution of the {NOUNS.get(kind, escape_text(kind))} (link width: inclusion index)",
        xaxis={"range": [0, 1], "visible": False, "fixedrange": True},
        yaxis={"domain": [0, max(row_share, 0.01)], "range": [stack - 0.5, -0.5], "visible": False,
               "fixedrange": True},
        margin={"t": 100},
    )
    return apply_style(fig, height=EVOLUTION_HEIGHT, show_legend=False)


def _node_hover(row: Any) -> str:
    """Hover text of an evolution node (a row of ``nodes.itertuples()``): label, slice, papers and terms."""
    return PLOTLY_BREAK.join((
        f"<b>{escape_text(str(row.label))}</b>",
        f"{escape_text(str(row.slice))}: {int(row.papers)} papers",
        escape_wrapped(str(row.terms), HOVER_WIDTH, 3),
    ))


def _node_y(nodes: pd.DataFrame) -> list[float]:
    """Vertical position (in ``(0, 1)``, from the top) of each node: spread evenly within its slice, in the
    frame's order."""
    rank = nodes.groupby("slice_index").cumcount().to_numpy()
    size = nodes.groupby("slice_index")["node"].transform("size").to_numpy()
    return [float((r + 0.5) / n) for r, n in zip(rank, size)]


def _sankey(
    nodes: pd.DataFrame, links: pd.DataFrame, colors: dict[str, str], n_slices: int, top_share: float
) -> go.Sankey:
    """The Sankey of the linked ``nodes``, drawn in the top ``top_share`` of the figure."""
    index = {key: i for i, key in enumerate(nodes["node"])}
    source_id = dict(zip(nodes["node"], nodes["id"].astype(str)))
    links = links[links["source"].isin(index) & links["target"].isin(index)]
    link_hover = [
        PLOTLY_BREAK.join((
            f"{escape_text(shorten(str(r.source_label), LABEL_CHARS))} ({escape_text(r.source_slice)}) → "
            f"{escape_text(shorten(str(r.target_label), LABEL_CHARS))} ({escape_text(r.target_slice)})",
            f"inclusion {float(r.inclusion):.2f}: {int(r.n_shared)} shared terms",
            escape_wrapped(str(r.shared_terms), HOVER_WIDTH, 3),
        ))
        for r in links.itertuples(index=False)
    ]
    return go.Sankey(
        arrangement="snap",
        domain={"x": [0.0, 1.0], "y": [1.0 - top_share, 1.0]},
        node={
            "label": [escape_text(shorten(str(v), LABEL_CHARS)) for v in nodes["label"]],
            "color": [colors[str(v)] for v in nodes["id"]],
            "x": [column_x(int(s), n_slices) for s in nodes["slice_index"]],
            "y": _node_y(nodes),
            "pad": 12,
            "thickness": 16,
            "customdata": [_node_hover(r) for r in nodes.itertuples(index=False)],
            "hovertemplate": "%{customdata}<extra></extra>",
        },
        link={
            "source": [index[k] for k in links["source"]],
            "target": [index[k] for k in links["target"]],
            "value": [float(v) for v in links["inclusion"]],
            "color": [translucent(colors[source_id[k]], FLOW_OPACITY) for k in links["source"]],
            "customdata": link_hover,
            "hovertemplate": "%{customdata}<extra></extra>",
        },
    )


def _unlinked_row(nodes: pd.DataFrame, colors: dict[str, str], n_slices: int, kind: str) -> go.Scatter:
    """Markers of the nodes without a link, in their slices' columns, one row per node of a slice (y = its
    rank within the slice, 0 on top)."""
    rank = nodes.groupby("slice_index").cumcount().to_numpy()
    return go.Scatter(
        x=[column_x(int(s), n_slices) for s in nodes["slice_index"]],
        y=[int(r) for r in rank],
        mode="markers+text",
        name="without a link",
        text=[escape_text(shorten(str(v), LABEL_CHARS)) for v in nodes["label"]],
        textposition=["middle left" if int(s) == n_slices - 1 and n_slices > 1 else "middle right"
                      for s in nodes["slice_index"]],
        textfont={"size": 11},
        marker={"color": [colors[str(v)] for v in nodes["id"]], "size": 12, "symbol": KIND_SYMBOLS.get(kind, "circle"),
                "line": {"width": 1, "color": "white"}},
        customdata=[_node_hover(r) + PLOTLY_BREAK + "<i>no link above the floor</i>"
                    for r in nodes.itertuples(index=False)],
        hovertemplate="%{customdata}<extra></extra>",
        cliponaxis=False,
    )
