"""The strategic diagram (thematic map): each theme or LDA topic placed by the Callon centrality and density of
its top terms, with the quadrants split at the medians."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.escape import PLOTLY_BREAK, escape_text, escape_wrapped, shorten
from reports.figures.labels import non_overlapping
from reports.style import (
    HOVER_WIDTH,
    KIND_SYMBOLS,
    MAX_BUBBLE_SIZE,
    PALETTE,
    PLOT_WIDTH,
    REFERENCE_LINE,
    TEXT_COLOR,
    THEMATIC_MAP_HEIGHT,
    apply_style,
)
from topics.results import BASIC, EMERGING_OR_DECLINING, MOTOR, NICHE, THEME, TOPIC, ThematicMap

#: Characters of a label written beside its bubble.
LABEL_CHARS = 28
#: Share of the data's span added on each side of both axes.
PAD_SHARE = 0.15
#: Panel titles of the two kinds.
KIND_TITLES = {THEME: "Themes", TOPIC: "LDA topics"}
#: Where each quadrant's name is written: (x, y) in the panel's domain, and the text anchors.
QUADRANT_CORNERS = {
    MOTOR: (0.99, 0.99, "right", "top"),
    NICHE: (0.01, 0.99, "left", "top"),
    EMERGING_OR_DECLINING: (0.01, 0.01, "left", "bottom"),
    BASIC: (0.99, 0.01, "right", "bottom"),
}
QUADRANT_NAMES = {MOTOR: "Motor themes", NICHE: "Niche themes", EMERGING_OR_DECLINING: "Emerging or declining",
                  BASIC: "Basic themes"}


def thematic_map_figure(thematic_map: ThematicMap, kind: str | None = None) -> go.Figure:
    """Scatter of Callon centrality (x) against density (y), one panel per kind (themes, LDA topics; or only
    ``kind``), each with dashed lines at its medians and the quadrant names in its corners. Bubble area is
    proportional to the group's papers; themes are circles, topics diamonds; hover shows the top terms.

    Raises:
        ValueError: when the map has no row (of ``kind``).
    """
    frame = thematic_map.frame
    kinds = [k for k in (THEME, TOPIC) if (frame["kind"] == k).any() and kind in (None, k)]
    kinds += sorted({str(k) for k in frame["kind"]} - {THEME, TOPIC}) if kind is None else []
    if not kinds:
        raise ValueError(f"the thematic map has no {'row' if kind is None else repr(kind) + ' row'}")
    fig = make_subplots(rows=1, cols=len(kinds), subplot_titles=[escape_text(KIND_TITLES.get(k, k)) for k in kinds],
                        horizontal_spacing=0.08)
    largest = float(frame["papers"].max()) or 1.0
    for col, name in enumerate(kinds, start=1):
        rows = frame[frame["kind"] == name]
        shown = shown_labels(rows, _padded(rows["centrality"]), _padded(rows["density"]), len(kinds), largest)
        fig.add_trace(_bubbles(rows, name, PALETTE[(col - 1) % len(PALETTE)], largest, shown), row=1, col=col)
        _quadrant_guides(fig, rows, col)
        fig.update_xaxes(title_text="Centrality (relevance to other themes)", zeroline=False,
                         range=_padded(rows["centrality"]), row=1, col=col)
        fig.update_yaxes(title_text="Density (development)" if col == 1 else None, zeroline=False,
                         range=_padded(rows["density"]), row=1, col=col)
    fig.update_layout(title=f"Thematic map: centrality and density of each group's top {thematic_map.n_terms} terms")
    return apply_style(fig, height=THEMATIC_MAP_HEIGHT, show_legend=False)


def shown_labels(
    rows: pd.DataFrame, x_range: list[float], y_range: list[float], panels: int, largest: float
) -> list[bool]:
    """Per row, whether its label is drawn (:func:`reports.figures.labels.non_overlapping`, largest groups first,
    in approximate pixels of one of ``panels`` panels): no two labels collide; the hover and the table below the
    figure still name every group."""
    width = (PLOT_WIDTH - 160) / panels
    height = THEMATIC_MAP_HEIGHT - 170
    x_span = (x_range[1] - x_range[0]) or 1.0
    y_span = (y_range[1] - y_range[0]) or 1.0
    papers = [float(v) for v in rows["papers"]]
    return non_overlapping(
        [(float(v) - x_range[0]) / x_span * width for v in rows["centrality"]],
        [(float(v) - y_range[0]) / y_span * height for v in rows["density"]],
        [0.5 * MAX_BUBBLE_SIZE * (p / largest) ** 0.5 for p in papers],
        [shorten(str(label), LABEL_CHARS) for label in rows["label"]],
        papers,
    )


def _bubbles(rows: pd.DataFrame, kind: str, color: str, largest: float, shown: list[bool]) -> go.Scatter:
    """The bubbles of one kind, labelled (where ``shown``) with their shortened labels."""
    hover = [
        PLOTLY_BREAK.join((
            f"<b>{escape_text(_name(r))}</b>",
            f"{int(r.papers)} papers; {escape_text(QUADRANT_NAMES.get(r.quadrant, r.quadrant))}",
            f"centrality {float(r.centrality):.3g} (rank {int(r.centrality_rank)}), "
            f"density {float(r.density):.3g} (rank {int(r.density_rank)})",
            escape_wrapped(str(r.terms), HOVER_WIDTH, 3),
        ))
        for r in rows.itertuples(index=False)
    ]
    return go.Scatter(
        x=[float(v) for v in rows["centrality"]],
        y=[float(v) for v in rows["density"]],
        mode="markers+text",
        name=escape_text(KIND_TITLES.get(kind, kind)),
        text=[escape_text(shorten(str(label), LABEL_CHARS)) if keep else "" for label, keep in zip(rows["label"],
                                                                                                   shown)],
        textposition="top center",
        textfont={"size": 11},
        cliponaxis=False,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        marker={
            "size": [float(v) for v in rows["papers"]],
            "sizemode": "area",
            "sizeref": 2.0 * largest / MAX_BUBBLE_SIZE**2,
            "sizemin": 6,
            "color": color,
            "symbol": KIND_SYMBOLS.get(kind, "circle"),
            "opacity": 0.7,
            "line": {"width": 1, "color": "white"},
        },
    )


def _padded(values: pd.Series, share: float = PAD_SHARE) -> list[float]:
    """Axis range of ``values`` widened by ``share`` of their span on each side (room for labels and the
    quadrant names)."""
    low, high = float(values.min()), float(values.max())
    span = (high - low) or max(abs(high), 1.0)
    return [low - share * span, high + share * span]


def _quadrant_guides(fig: go.Figure, rows: pd.DataFrame, col: int) -> None:
    """Median lines and quadrant names of the panel in column ``col``."""
    axis = "" if col == 1 else str(col)
    fig.add_vline(x=float(np.median(rows["centrality"])), line=dict(REFERENCE_LINE), row=1, col=col)
    fig.add_hline(y=float(np.median(rows["density"])), line=dict(REFERENCE_LINE), row=1, col=col)
    for quadrant, (x, y, xanchor, yanchor) in QUADRANT_CORNERS.items():
        fig.add_annotation(
            x=x, y=y, xref=f"x{axis} domain", yref=f"y{axis} domain", xanchor=xanchor, yanchor=yanchor,
            text=f"<i>{QUADRANT_NAMES[quadrant]}</i>", showarrow=False, font={"size": 11, "color": TEXT_COLOR},
            opacity=0.6,
        )


def _name(row: Any) -> str:
    """Raw name of a map row (of ``frame.itertuples()``): the theme's label, or ``"Topic id: label"``."""
    return f"Topic {row.id}: {row.label}" if str(row.kind) == TOPIC else str(row.label)
