"""The two-period comparison figure: the change in share of each theme and LDA topic between two periods."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from reports.escape import escape_text, shorten
from reports.figures import cells
from reports.figures.cells import LABEL_CHARS
from reports.style import CONNECTOR_COLOR, SNAPSHOT_AFTER_COLOR, SNAPSHOT_BEFORE_COLOR, apply_style, bar_height
from topics.results import SnapshotComparison

#: Hover text after a marker's share and counts: the change with its interval, the status, p and q.
CHANGE_HOVER = (
    "<br>change %{customdata[0]:+.1f} points (%{customdata[1]:+.1f} to %{customdata[2]:+.1f}), "
    "%{customdata[3]}<br>p = %{customdata[4]:.3g}, q = %{customdata[5]:.3g}<extra>%{fullData.name}</extra>"
)


def snapshot_change_figure(comparison: SnapshotComparison) -> go.Figure:
    """Dumbbell chart comparing two periods: one row per theme and LDA topic (``"Theme: label"``,
    ``"Topic N: label"``), sorted by change with the largest rise on top; x = share of the period's papers in
    ``[0, 1]`` (shown as %), one marker per period (``comparison.before`` and ``comparison.after`` in the legend)
    joined by a line. Hover gives the change in points with its interval, the p and q values and the status.

    Raises:
        ValueError: when the comparison has no rows.
    """
    frame = comparison.frame
    if frame is None or frame.empty:
        raise ValueError("snapshot_change_figure needs rows to compare, but comparison.frame is empty")
    rows = frame.assign(_change=frame["change"].astype(float)).sort_values("_change", ascending=False, kind="stable")
    rows = rows.reset_index(drop=True)
    labels = cells.unique([escape_text(shorten(cells.row_label(r), LABEL_CHARS)) for r in rows.itertuples(index=False)])
    before = [cells.number(v) for v in rows["share_before"]]
    after = [cells.number(v) for v in rows["share_after"]]
    customdata = _hover_data(rows)
    fig = go.Figure()
    fig.add_trace(_connector_trace(labels, before, after))
    for name, values, color, counts in (
        (comparison.before, before, SNAPSHOT_BEFORE_COLOR, "%{customdata[6]} of %{customdata[7]}"),
        (comparison.after, after, SNAPSHOT_AFTER_COLOR, "%{customdata[8]} of %{customdata[9]}"),
    ):
        fig.add_trace(
            go.Scatter(
                x=values,
                y=labels,
                mode="markers",
                name=escape_text(name),
                marker={"color": color, "size": 11, "line": {"color": "white", "width": 1}},
                customdata=customdata,
                hovertemplate="%{y}<br>%{x:.1%} of papers (" + counts + ")" + CHANGE_HOVER,
            )
        )
    fig.update_layout(
        title=f"{escape_text(comparison.before)} vs {escape_text(comparison.after)}: change in share",
        xaxis={"title": "Share of the period's papers", "tickformat": ".0%", "rangemode": "tozero"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "autorange": "reversed"},
        legend={"title": "Period"},
    )
    return apply_style(fig, height=bar_height(len(rows)), show_legend=True)


def _hover_data(rows: pd.DataFrame) -> list[list[object]]:
    """Per row: change, its interval's ends (points), status, p, q, then count and papers before and after."""
    return [
        [
            cells.percentage_points(r.change),
            cells.percentage_points(r.change_low),
            cells.percentage_points(r.change_high),
            escape_text(r.status), cells.number(r.p_value), cells.number(r.q_value),
            cells.whole(r.count_before), cells.whole(r.papers_before),
            cells.whole(r.count_after), cells.whole(r.papers_after),
        ]
        for r in rows.itertuples(index=False)
    ]


def _connector_trace(
    labels: Sequence[str], before: Sequence[float | None], after: Sequence[float | None]
) -> go.Scatter:
    """The lines joining each row's two markers: one segment per row, separated by gaps (``None``)."""
    line_x: list[float | None] = []
    line_y: list[str | None] = []
    for label, b, a in zip(labels, before, after):
        line_x += [b, a, None]
        line_y += [label, label, None]
    return go.Scatter(
        x=line_x,
        y=line_y,
        mode="lines",
        line={"color": CONNECTOR_COLOR, "width": 3},
        showlegend=False,
        hoverinfo="skip",
        name="change",
    )
