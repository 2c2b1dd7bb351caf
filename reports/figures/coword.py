"""The co-word network (as VOSviewer draws it): terms as bubbles sized by their papers and coloured by
community, edges as lines whose width grows with association strength."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reports.escape import PLOTLY_BREAK, escape_text, shorten
from reports.figures.labels import non_overlapping
from reports.style import EDGE_COLOR, EDGE_WIDTHS, MAX_BUBBLE_SIZE, NETWORK_HEIGHT, PALETTE, apply_style
from topics.results import CowordNetwork

#: Characters of a term written beside its node.
LABEL_CHARS = 24
#: Top terms named in a community's legend entry.
LEGEND_TERMS = 3


def coword_network_figure(network: CowordNetwork) -> go.Figure:
    """The network at its layout's coordinates: edges first (one line trace per strength class, the weakest
    third thinnest, see ``EDGE_WIDTHS``), then one bubble trace per community (the largest first; legend names
    its most frequent terms), bubble area proportional to the term's papers. Hover shows a term's papers,
    community and degree.

    Raises:
        ValueError: when the network has no node.
    """
    nodes = network.nodes
    if not len(nodes):
        raise ValueError("the co-word network has no node")
    where = {str(t): (float(x), float(y)) for t, x, y in zip(nodes["term"], nodes["x"], nodes["y"])}
    fig = go.Figure(_edge_traces(network.edges, where))
    largest = float(nodes["papers"].max()) or 1.0
    shown = dict(zip(nodes["term"].astype(str), _shown_labels(nodes, largest)))
    for community, members in nodes.groupby("community", sort=True):
        fig.add_trace(_community_trace(members, int(community), largest, shown))
    fig.update_layout(
        title="Co-word network (bubble area: papers; colour: community; line width: association strength)",
        xaxis={"visible": False, "zeroline": False},
        yaxis={"visible": False, "zeroline": False, "scaleanchor": "x"},
        legend={"title": "Community", "itemsizing": "constant"},
        hovermode="closest",
    )
    return apply_style(fig, height=NETWORK_HEIGHT, show_legend=True)


def _edge_traces(edges: pd.DataFrame, where: dict[str, tuple[float, float]]) -> list[go.Scatter]:
    """Line traces of the edges, split into ``len(EDGE_WIDTHS)`` classes by strength quantile (fewer when
    there are few edges); no hover."""
    if not len(edges):
        return []
    strength = edges["strength"].to_numpy(dtype=np.float64)
    n_classes = min(len(EDGE_WIDTHS), len(edges))
    bounds = np.quantile(strength, np.linspace(0, 1, n_classes + 1)[1:-1]) if n_classes > 1 else np.array([])
    classes = np.searchsorted(bounds, strength, side="right")
    traces = []
    for c in range(n_classes):
        part = edges[classes == c]
        if not len(part):
            continue
        x: list[float | None] = []
        y: list[float | None] = []
        for source, target in zip(part["source"].astype(str), part["target"].astype(str)):
            (x0, y0), (x1, y1) = where[source], where[target]
            x += [x0, x1, None]
            y += [y0, y1, None]
        width = EDGE_WIDTHS[c + len(EDGE_WIDTHS) - n_classes]
        traces.append(go.Scatter(x=x, y=y, mode="lines", line={"color": EDGE_COLOR, "width": width},
                                 hoverinfo="skip", showlegend=False, name=f"edges {c + 1}"))
    return traces


def _shown_labels(nodes: pd.DataFrame, largest: float) -> list[bool]:
    """Per node, whether its term is written beside it: the most frequent first, none over another (the layout's
    square plot area in approximate pixels); hover names every term."""
    side = NETWORK_HEIGHT - 160
    xs, ys = [float(v) for v in nodes["x"]], [float(v) for v in nodes["y"]]
    low = min(min(xs), min(ys))
    span = (max(max(xs), max(ys)) - low) or 1.0
    papers = [float(v) for v in nodes["papers"]]
    return non_overlapping(
        [(x - low) / span * side for x in xs], [(y - low) / span * side for y in ys],
        [0.5 * MAX_BUBBLE_SIZE * 0.6 * (p / largest) ** 0.5 for p in papers],
        [shorten(str(t), LABEL_CHARS) for t in nodes["term"]], papers,
    )


def _community_trace(members: pd.DataFrame, community: int, largest: float, shown: dict[str, bool]) -> go.Scatter:
    """Bubbles of one community's terms, labelled with the terms (where ``shown``)."""
    terms = [str(t) for t in members["term"]]
    color = PALETTE[community % len(PALETTE)]
    head = ", ".join(shorten(t, LABEL_CHARS) for t in terms[:LEGEND_TERMS])
    return go.Scatter(
        x=[float(v) for v in members["x"]],
        y=[float(v) for v in members["y"]],
        mode="markers+text",
        name=escape_text(f"{community + 1}: {head}"),
        text=[escape_text(shorten(t, LABEL_CHARS)) if shown.get(t, True) else "" for t in terms],
        textposition="top center",
        textfont={"size": 11},
        customdata=[
            PLOTLY_BREAK.join((f"<b>{escape_text(t)}</b>", f"{int(p)} papers",
                               f"community {community + 1}, {int(d)} links"))
            for t, p, d in zip(terms, members["papers"], members["degree"])
        ],
        hovertemplate="%{customdata}<extra></extra>",
        marker={"size": [float(v) for v in members["papers"]], "sizemode": "area",
                "sizeref": 2.0 * largest / (MAX_BUBBLE_SIZE * 0.6) ** 2, "sizemin": 5, "color": color,
                "opacity": 0.8, "line": {"width": 1, "color": "white"}},
    )
