"""Theme shares over periods: small multiples of each theme's share with its interval band, raw beside normalised
shares (with a selector of the themes drawn), and the composition of theme assignments as a stacked area.

Shares are fractions in ``[0, 1]`` shown as percentages. Period axes label at most about a dozen periods
(:func:`reports.style.period_ticks`, :func:`reports.style.year_ticks`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.escape import escape_text, shorten
from reports.figures import cells
from reports.figures.themes import theme_labels
from reports.style import (
    BAND_OPACITY,
    MAX_PERIOD_TICKS,
    PANEL_PAIR_HEIGHT,
    PANEL_PAIR_MARGIN_B,
    PANEL_PERIOD_TICKS,
    PANEL_ROW_HEIGHT,
    PANEL_TITLE_CHARS,
    PLOT_WIDTH,
    TREND_HEIGHT,
    UNASSIGNED_COLOR,
    VISIBLE_SERIES,
    apply_style,
    panel_columns,
    panels_height,
    period_ticks,
    theme_colors,
    translucent,
    year_ticks,
)
from topics.results import NORMALIZED, RAW, UNASSIGNED, ThemeTable, TrendTable

#: Vertical gap in pixels between rows of panels (room for a panel's title and, above an empty cell, its ticks).
PANEL_GAP_PX = 62


# --- small multiples ----------------------------------------------------------------------------------------


def theme_share_bands_figure(trends: TrendTable, themes: ThemeTable, basis: str = RAW) -> go.Figure:
    """Small multiples, one panel per theme (theme order, unassigned last, ``PANEL_TITLE_CHARS`` of its label as
    the panel title), all on the same axes: x = period (a linear axis of years when ``trends.time_unit`` is
    ``"year"``, else categories in ``trends.periods`` order), y = share of the period's papers carrying the theme
    in ``[0, 1]`` (shown as %; with ``basis == NORMALIZED`` the share normalised for ``trends.normalize_by``).

    Each panel holds the theme's line with markers and its ``trends.confidence`` interval band (a lower and an
    upper trace, the upper filled to the lower), in the theme's colour; no legend (the panel titles name them).
    The themes' panels share one y scale; the unassigned papers' panel (often the largest share) has its own.
    """
    columns = _share_columns(trends, basis)
    order = cells.theme_order(trends.frame, themes)
    n_cols = panel_columns(len(order))
    n_rows = max(math.ceil(len(order) / n_cols), 1)
    labels, colors = theme_labels(themes), theme_colors(themes.theme_ids)
    fig = make_subplots(
        rows=n_rows,
        cols=n_cols,
        specs=[[{} if r * n_cols + c < max(len(order), 1) else None for c in range(n_cols)] for r in range(n_rows)],
        shared_xaxes="all",
        subplot_titles=[_panel_title(labels.get(t, t), t) for t in order] or None,
        horizontal_spacing=0.045,
        vertical_spacing=min(PANEL_GAP_PX / (PANEL_ROW_HEIGHT * n_rows), 0.3),
    )
    hover = _share_hover(trends, "")
    for k, theme_id in enumerate(order):
        line = _theme_line(theme_id, labels, colors, visible=True)
        for trace in _theme_traces(trends, theme_id, columns, line, hover):
            fig.add_trace(trace, row=k // n_cols + 1, col=k % n_cols + 1)
    _panel_axes(fig, trends, order, n_cols)
    if basis == NORMALIZED:
        y_title = f"Share normalised by {escape_text(trends.normalize_by)}"
        title = f"Theme share per period, normalised by {escape_text(trends.normalize_by)}"
    else:
        y_title, title = "Share of the period's papers", "Theme share per period"
    fig.update_yaxes(title=y_title, row=(n_rows + 1) // 2, col=1)
    fig.update_annotations(font={"size": 12})
    fig.update_layout(title=f"{title}, one panel per theme ({trends.confidence:.0%} intervals)", hovermode="closest")
    return apply_style(fig, height=panels_height(n_rows), show_legend=False)


def _panel_title(label: str, theme_id: str) -> str:
    """A panel's title (escaped): the theme's label, shortened; the unassigned panel notes its own scale."""
    title = escape_text(shorten(label, PANEL_TITLE_CHARS))
    return f"{title} (own scale)" if theme_id == UNASSIGNED else title


def _panel_axes(fig: go.Figure, trends: TrendTable, order: Sequence[str], n_cols: int) -> None:
    """Axes of small multiples over the panels of ``order``: thinned period ticks for a panel's width, tick labels
    under every panel with no panel below it; y as percentages from zero, one scale for the themes (labelled in
    the first column) and its own for unassigned papers."""
    width = PLOT_WIDTH // max(n_cols, 1) - 20
    fig.update_xaxes(**_period_axis(trends, PANEL_PERIOD_TICKS, width))
    fig.update_xaxes(title=None)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    themed = [k for k, theme_id in enumerate(order) if theme_id != UNASSIGNED]
    first = f"y{themed[0] + 1}" if themed and themed[0] else "y"
    for k, theme_id in enumerate(order):
        row, col = k // n_cols + 1, k % n_cols + 1
        if k + n_cols >= len(order):
            fig.update_xaxes(showticklabels=True, row=row, col=col)
        if theme_id == UNASSIGNED:
            fig.update_yaxes(showticklabels=True, row=row, col=col)
        else:
            fig.update_yaxes(matches=None if k == themed[0] else first, showticklabels=col == 1, row=row, col=col)


# --- raw beside normalised ----------------------------------------------------------------------------------


def raw_vs_normalized_figure(trends: TrendTable, themes: ThemeTable) -> go.Figure:
    """Two panels side by side sharing the y axis: left the raw share of the period's papers carrying each
    theme, right the share normalised for ``trends.normalize_by``; x = period, y = share in ``[0, 1]`` (shown as
    %), with ``trends.confidence`` interval bands. One legend entry per theme toggles it in both panels.

    At most ``VISIBLE_SERIES`` themes are drawn at once: a selector (Plotly ``updatemenus``, running inside the
    page) shows the most frequent themes in groups of ``VISIBLE_SERIES`` ("Top 5 themes", "Themes 6-10", ...) or
    one theme alone; the first group is drawn at first, the others wait in the legend.

    Raises:
        ValueError: when ``trends.normalize_by`` is None (no normalised shares).
    """
    if trends.normalize_by is None:
        raise ValueError("raw_vs_normalized_figure needs normalised shares, but trends.normalize_by is None")
    by = escape_text(trends.normalize_by)
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, subplot_titles=["Raw share", f"Normalised by {by}"], horizontal_spacing=0.05
    )
    order = cells.theme_order(trends.frame, themes)
    views = _theme_views(trends, themes, order)
    labels, colors = theme_labels(themes), theme_colors(themes.theme_ids)
    owners: list[str] = []  # the theme of each trace, in trace order
    for col, basis in ((1, RAW), (2, NORMALIZED)):
        hover = _share_hover(trends, "raw" if basis == RAW else f"normalised by {by}")
        for theme_id in order:
            line = _theme_line(theme_id, labels, colors, visible=theme_id in views[0][1])
            for trace in _theme_traces(trends, theme_id, _share_columns(trends, basis), line, hover, col == 1):
                fig.add_trace(trace, row=1, col=col)
                owners.append(theme_id)
    fig.update_xaxes(**_period_axis(trends, MAX_PERIOD_TICKS, PLOT_WIDTH // 2))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title="Share of the period's papers", row=1, col=1)
    fig.update_annotations(font={"size": 13})
    fig.update_layout(
        title=f"Theme share per period: raw and normalised by {by} ({trends.confidence:.0%} intervals)",
        legend={"title": "Theme", "orientation": "h", "yanchor": "top", "y": -0.3, "x": 0.0},
        margin={"b": PANEL_PAIR_MARGIN_B, "t": 110},
        hovermode="closest",
        updatemenus=[_view_menu(views, owners)],
    )
    return apply_style(fig, height=PANEL_PAIR_HEIGHT, show_legend=True)


def _theme_views(trends: TrendTable, themes: ThemeTable, order: Sequence[str]) -> list[tuple[str, set[str]]]:
    """The selector's views, ``(label (escaped), theme ids drawn)``: the themes by papers (most first, unassigned
    never in a group) in groups of ``VISIBLE_SERIES``, then each theme of ``order`` alone."""
    frame = trends.frame
    totals = frame.groupby(frame["theme"].astype(str))["count"].sum()
    ranked = [t for t in totals.sort_values(ascending=False, kind="mergesort").index if t != UNASSIGNED and t in order]
    views: list[tuple[str, set[str]]] = []
    for start in range(0, len(ranked), VISIBLE_SERIES):
        group = ranked[start : start + VISIBLE_SERIES]
        if start == 0:
            name = f"Top {len(group)} themes" if len(ranked) > VISIBLE_SERIES else "All themes"
        else:
            name = f"Themes {start + 1}-{start + len(group)}" if len(group) > 1 else f"Theme {start + 1}"
        views.append((name, set(group)))
    labels = theme_labels(themes)
    views += [(escape_text(shorten(labels.get(t, t), PANEL_TITLE_CHARS)), {t}) for t in order]
    return views or [("All themes", set(order))]


def _view_menu(views: Sequence[tuple[str, set[str]]], owners: Sequence[str]) -> dict[str, object]:
    """A dropdown of ``views``: each sets every trace (of theme ``owners[i]``) drawn or waiting in the legend."""
    buttons = [
        {
            "label": name,
            "method": "restyle",
            "args": [{"visible": [True if owner in shown else "legendonly" for owner in owners]}],
        }
        for name, shown in views
    ]
    return {
        "type": "dropdown", "buttons": buttons, "active": 0, "showactive": True,
        "x": 1.0, "xanchor": "right", "y": 1.13, "yanchor": "bottom", "pad": {"r": 0, "t": 0},
    }


# --- composition --------------------------------------------------------------------------------------------


def theme_area_figure(trends: TrendTable, themes: ThemeTable) -> go.Figure:
    """Stacked areas normalised to 100% per period (``groupnorm="percent"``): x = period (category), y = the
    theme's count of papers as a percentage of all theme assignments of the period (a paper counts once per
    theme it carries, and once as unassigned when it has none). Themes in theme order, unassigned last."""
    frame = trends.frame
    x = cells.period_labels(trends.periods)
    labels, colors = theme_labels(themes), theme_colors(themes.theme_ids)
    order = cells.theme_order(frame, themes)
    table = {theme_id: cells.period_rows(frame, "theme", theme_id, x) for theme_id in order}
    counts = {theme_id: [cells.number(v) for v in rows["count"]] for theme_id, rows in table.items()}
    totals = [sum(c[i] or 0 for c in counts.values()) for i in range(len(x))]
    fig = go.Figure()
    for theme_id in order:
        color = colors.get(theme_id, UNASSIGNED_COLOR)
        percent = [None if c is None or not t else c / t for c, t in zip(counts[theme_id], totals)]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[cells.whole(v) for v in counts[theme_id]],
                name=escape_text(labels.get(theme_id, theme_id)),
                mode="lines",
                stackgroup="themes",
                groupnorm="percent",
                line={"color": color, "width": 0.5},
                fillcolor=color,
                customdata=[
                    [pct, cells.whole(papers), total]
                    for pct, papers, total in zip(percent, table[theme_id]["papers"], totals)
                ],
                hovertemplate="%{fullData.name}<br>%{x}: %{customdata[0]:.1%} of %{customdata[2]} theme "
                "assignments<br>%{y} of %{customdata[1]} papers<extra></extra>",
            )
        )
    fig.update_layout(
        title="Composition of theme assignments per period",
        xaxis={"title": "Period", "type": "category", "categoryorder": "array", "categoryarray": x, **period_ticks(x)},
        yaxis={"title": "% of theme assignments", "range": [0, 100], "ticksuffix": "%"},
        legend={"title": "Theme", "traceorder": "reversed"},
        hovermode="closest",
    )
    return apply_style(fig, height=TREND_HEIGHT, show_legend=True)


# --- helpers ------------------------------------------------------------------------------------------------


def _x_values(trends: TrendTable) -> list[str] | list[int]:
    """X of the share lines: the years as numbers when every period is a year (so missing years show as
    gaps on the axis), else the escaped period labels."""
    if trends.time_unit == "year":
        return [int(p) for p in trends.periods]
    return cells.period_labels(trends.periods)


def _period_axis(trends: TrendTable, most: int, width: int) -> dict[str, object]:
    """The x axis of the share lines: linear over years, else categories in period order; at most ``most`` tick
    labels, fewer when a plot ``width`` pixels wide holds fewer."""
    if trends.time_unit == "year":
        return {"title": "Year", "type": "linear", **year_ticks([int(p) for p in trends.periods], most, width)}
    periods = cells.period_labels(trends.periods)
    return {
        "title": "Period", "type": "category", "categoryorder": "array", "categoryarray": periods,
        **period_ticks(periods, most, width),
    }


def _share_columns(trends: TrendTable, basis: str) -> tuple[str, str, str]:
    """The frame's (share, low, high) columns of ``basis``; ValueError when they are not there."""
    if basis == RAW:
        return "share", "share_low", "share_high"
    if basis == NORMALIZED:
        if trends.normalize_by is None or "share_normalized" not in trends.frame:
            raise ValueError("normalised shares requested, but trends.normalize_by is None")
        return "share_normalized", "share_normalized_low", "share_normalized_high"
    raise ValueError(f"unknown basis {basis!r}; expected {RAW!r} or {NORMALIZED!r}")


def _share_hover(trends: TrendTable, basis_note: str) -> str:
    """Hover template of a share line (observed shares, not fitted ones): the theme (and ``basis_note``, escaped),
    the period's share with its interval, the count of papers."""
    note = f" ({basis_note})" if basis_note else ""
    return (
        "%{fullData.name}" + note + "<br>%{x}: %{y:.1%} ("
        + f"{trends.confidence:.0%} CI"
        + " %{customdata[0]:.1%} to %{customdata[1]:.1%})<br>%{customdata[2]} of %{customdata[3]} papers"
        "<extra></extra>"
    )


@dataclass(frozen=True)
class _ThemeLine:
    """What a theme's line and its band share: legend name (escaped), colour, legend group and visibility
    (``True`` or ``"legendonly"``)."""

    name: str
    color: str
    group: str
    visible: bool | str


def _theme_line(theme_id: str, labels: dict[str, str], colors: dict[str, str], visible: bool) -> _ThemeLine:
    return _ThemeLine(
        name=escape_text(labels.get(theme_id, theme_id)),
        color=colors.get(theme_id, UNASSIGNED_COLOR),
        group=f"theme-{escape_text(theme_id)}",
        visible=True if visible else "legendonly",
    )


def _theme_traces(
    trends: TrendTable,
    theme_id: str,
    columns: tuple[str, str, str],
    line: _ThemeLine,
    hover: str,
    show_legend: bool = False,
) -> list[go.Scatter]:
    """One theme's lower band, upper band filled to it (when the frame has bounds), then its line."""
    share_col, low_col, high_col = columns
    x = _x_values(trends)
    rows = cells.period_rows(trends.frame, "theme", theme_id, cells.period_labels(trends.periods))
    share = [cells.number(v) for v in rows[share_col]]
    low = [cells.number(v) for v in cells.column(rows, low_col)]
    high = [cells.number(v) for v in cells.column(rows, high_col)]
    traces = _band_traces(line, x, low, high) if any(v is not None for v in low + high) else []
    customdata = [
        [lo, hi, cells.whole(c), cells.whole(p)] for lo, hi, c, p in zip(low, high, rows["count"], rows["papers"])
    ]
    traces.append(
        go.Scatter(
            x=x, y=share, name=line.name, mode="lines+markers", line={"color": line.color, "width": 2},
            marker={"size": 5}, legendgroup=line.group, showlegend=show_legend, visible=line.visible,
            customdata=customdata, hovertemplate=hover,
        )
    )
    return traces


def _band_traces(
    line: _ThemeLine, x: Sequence[str] | Sequence[int], low: list[float | None], high: list[float | None]
) -> list[go.Scatter]:
    """The interval band of a theme's line: the lower bound, then the upper bound filled down to it."""
    return [
        go.Scatter(
            x=x,
            y=bound,
            mode="lines",
            line={"color": line.color, "width": 0},
            fill=fill,
            fillcolor=translucent(line.color, BAND_OPACITY),
            name=line.name,
            legendgroup=line.group,
            showlegend=False,
            hoverinfo="skip",
            visible=line.visible,
            connectgaps=False,
        )
        for bound, fill in ((low, "none"), (high, "tonexty"))
    ]
