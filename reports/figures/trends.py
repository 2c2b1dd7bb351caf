"""Trend figures: theme shares per period with intervals, raw against normalised shares, the composition of
theme assignments, topic shares per period and trend tests (forest plot). The two-period comparison is in
:mod:`reports.figures.snapshot`, venues' theme profiles in :mod:`reports.figures.profiles`.

Shares are fractions in ``[0, 1]`` shown as percentages; changes and slopes are shown in percentage points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.escape import escape_text, shorten
from reports.figures import cells
from reports.figures.cells import LABEL_CHARS
from reports.figures.themes import theme_labels
from reports.style import (
    HEATMAP_TEXT_MAX_COLUMNS,
    PANEL_PAIR_HEIGHT,
    PANEL_PAIR_MARGIN_B,
    REFERENCE_LINE,
    TREND_COLORS,
    TREND_HEIGHT,
    UNASSIGNED_COLOR,
    VISIBLE_SERIES,
    apply_style,
    bar_height,
    heatmap_height,
    share_heatmap,
    theme_colors,
    translucent,
)
from topics.results import (
    DECLINING,
    EMERGING,
    NORMALIZED,
    RAW,
    STABLE,
    UNASSIGNED,
    ThemeTable,
    TrendTable,
)

#: Order in which trend directions appear in the forest plot's legend.
TREND_ORDER = (EMERGING, STABLE, DECLINING)


# --- themes over periods ------------------------------------------------------------------------------------


def theme_share_bands_figure(trends: TrendTable, themes: ThemeTable, basis: str = RAW) -> go.Figure:
    """Lines with markers and interval bands: x = period (category axis, ``trends.periods`` order), y = share
    of the period's papers carrying the theme in ``[0, 1]`` (shown as %; with ``basis == NORMALIZED`` the
    share normalised for ``trends.normalize_by``), the band its ``trends.confidence`` interval.

    One line per theme in theme order, unassigned last and hidden until picked in the legend. Each line's band
    is a lower and an upper trace (the upper filled to the lower) in the same legend group.
    """
    columns = _share_columns(trends, basis)
    fig = go.Figure()
    for trace in _theme_line_traces(trends, themes, columns, show_legend=True):
        fig.add_trace(trace)
    if basis == NORMALIZED:
        y_title = f"Share normalised by {escape_text(trends.normalize_by)}"
        title = f"Theme share per period, normalised by {escape_text(trends.normalize_by)}"
    else:
        y_title, title = "Share of the period's papers", "Theme share per period"
    fig.update_layout(
        title=f"{title} ({trends.confidence:.0%} intervals)",
        xaxis=_period_axis(trends),
        yaxis={"title": y_title, "tickformat": ".0%", "rangemode": "tozero"},
        legend={"title": "Theme"},
        hovermode="closest",
    )
    return apply_style(fig, height=TREND_HEIGHT, show_legend=True)


def raw_vs_normalized_figure(trends: TrendTable, themes: ThemeTable) -> go.Figure:
    """Two panels side by side sharing the y axis: left the raw share of the period's papers carrying each
    theme, right the share normalised for ``trends.normalize_by``; x = period (category), y = share in
    ``[0, 1]`` (shown as %), with ``trends.confidence`` interval bands. One legend entry per theme toggles it in
    both panels.

    Raises:
        ValueError: when ``trends.normalize_by`` is None (no normalised shares).
    """
    if trends.normalize_by is None:
        raise ValueError("raw_vs_normalized_figure needs normalised shares, but trends.normalize_by is None")
    by = escape_text(trends.normalize_by)
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        subplot_titles=["Raw share", f"Normalised by {by}"],
        horizontal_spacing=0.05,
    )
    for col, basis in ((1, RAW), (2, NORMALIZED)):
        for trace in _theme_line_traces(trends, themes, _share_columns(trends, basis), show_legend=col == 1):
            fig.add_trace(trace, row=1, col=col)
    fig.update_xaxes(**_period_axis(trends))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title="Share of the period's papers", row=1, col=1)
    fig.update_annotations(font={"size": 13})
    fig.update_layout(
        title=f"Theme share per period: raw and normalised by {by} ({trends.confidence:.0%} intervals)",
        legend={"title": "Theme", "orientation": "h", "yanchor": "top", "y": -0.3, "x": 0.0},
        margin={"b": PANEL_PAIR_MARGIN_B},
        hovermode="closest",
    )
    return apply_style(fig, height=PANEL_PAIR_HEIGHT, show_legend=True)


def theme_area_figure(trends: TrendTable, themes: ThemeTable) -> go.Figure:
    """Stacked areas normalised to 100% per period (``groupnorm="percent"``): x = period (category), y = the
    theme's count of papers as a percentage of all theme assignments of the period (a paper counts once per
    theme it carries, and once as unassigned when it has none). Themes in theme order, unassigned last."""
    frame = trends.frame
    periods = _periods(trends)
    x = [escape_text(p) for p in periods]
    labels = theme_labels(themes)
    colors = theme_colors(themes.theme_ids)
    order = cells.theme_order(frame, themes)
    table = {theme_id: _rows(frame, "theme", theme_id, periods) for theme_id in order}
    counts = {theme_id: [cells.number(v) for v in rows["count"]] for theme_id, rows in table.items()}
    totals = [sum(c[i] or 0 for c in counts.values()) for i in range(len(periods))]
    fig = go.Figure()
    for theme_id in order:
        rows = table[theme_id]
        color = colors.get(theme_id, UNASSIGNED_COLOR)
        name = escape_text(labels.get(theme_id, theme_id))
        y = [cells.whole(v) for v in counts[theme_id]]
        percent = [None if c is None or not t else c / t for c, t in zip(counts[theme_id], totals)]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=name,
                mode="lines",
                stackgroup="themes",
                groupnorm="percent",
                line={"color": color, "width": 0.5},
                fillcolor=color,
                customdata=[
                    [pct, cells.whole(papers), total]
                    for pct, papers, total in zip(percent, rows["papers"], totals)
                ],
                hovertemplate="%{fullData.name}<br>%{x}: %{customdata[0]:.1%} of %{customdata[2]} theme "
                "assignments<br>%{y} of %{customdata[1]} papers<extra></extra>",
            )
        )
    fig.update_layout(
        title="Composition of theme assignments per period",
        xaxis={"title": "Period", "type": "category", "categoryorder": "array", "categoryarray": x},
        yaxis={"title": "% of theme assignments", "range": [0, 100], "ticksuffix": "%"},
        legend={"title": "Theme", "traceorder": "reversed"},
        hovermode="closest",
    )
    return apply_style(fig, height=TREND_HEIGHT, show_legend=True)


# --- topics over periods ------------------------------------------------------------------------------------


def topic_period_heatmap(trends: TrendTable) -> go.Figure:
    """Heatmap: rows = LDA topics (``"id · label"``, ordered by id, the first on top), columns = periods
    (``trends.periods`` order), z = share of the period's papers whose dominant topic it is, in ``[0, 1]``
    (shown as %); hover adds the count of papers and the ``trends.confidence`` interval.

    Raises:
        ValueError: when ``trends.topic_frame`` is None (LDA did not run).
    """
    if trends.topic_frame is None:
        raise ValueError("topic_period_heatmap needs per-topic shares, but trends.topic_frame is None (no LDA)")
    frame = trends.topic_frame
    periods = _periods(trends)
    topics = _topic_order(frame)
    z, customdata, names = [], [], []
    for topic in topics:
        rows = _rows(frame, "topic", topic, periods)
        label = _first_text(frame.loc[frame["topic"].astype(str) == topic, "label"]) if "label" in frame else ""
        names.append(escape_text(shorten(f"{topic} · {label}" if label else f"Topic {topic}", LABEL_CHARS)))
        z.append([cells.number(v) for v in rows["share"]])
        bounds = zip(_col(rows, "share_low"), _col(rows, "share_high"))
        customdata.append(
            [
                [cells.whole(c), cells.whole(p), cells.number(lo), cells.number(hi)]
                for c, p, (lo, hi) in zip(rows["count"], rows["papers"], bounds)
            ]
        )
    x = [escape_text(p) for p in periods]
    ci = f"{trends.confidence:.0%} CI"
    fig = go.Figure(
        share_heatmap(
            z,
            x,
            cells.unique(names),
            "%{y}<br>%{x}: %{z:.1%} of papers (%{customdata[0]} of %{customdata[1]})<br>"
            + ci
            + " %{customdata[2]:.1%} to %{customdata[3]:.1%}<extra></extra>",
            customdata=customdata,
            show_text=len(periods) <= HEATMAP_TEXT_MAX_COLUMNS,
        )
    )
    fig.update_layout(
        title="Dominant LDA topic per period (share of the period's papers)",
        xaxis={"title": "Period", "type": "category", "categoryorder": "array", "categoryarray": x},
        yaxis={"title": "LDA topic", "type": "category", "autorange": "reversed"},
    )
    return apply_style(fig, height=heatmap_height(len(topics)), show_legend=False)


# --- trend tests ----------------------------------------------------------------------------------------------


def trend_effects_figure(trends: TrendTable, window: str, basis: str = RAW, kind: str | None = None) -> go.Figure:
    """Forest plot of the trend tests of one window and basis (and ``kind``, ``"theme"``/``"topic"``, if
    given): y = theme or topic (``"Theme: label"``, ``"Topic N: label"``), sorted by slope with the largest rise
    on top; x = slope in percentage points of share per ``trends.time_unit`` (``slope * 100``) with its
    interval as error bars; marker colour = trend direction (emerging, declining, stable at ``trends.alpha``).
    A dashed vertical line marks zero change.

    Raises:
        ValueError: when there are no tests, or none for this window, basis and kind.
    """
    rows = _effect_rows(trends, window, basis, kind)
    labels = cells.unique([escape_text(shorten(cells.row_label(r), LABEL_CHARS)) for r in rows.itertuples(index=False)])
    unit = escape_text(trends.time_unit)
    names = {
        EMERGING: f"Emerging (q &lt; {trends.alpha:g})",
        DECLINING: f"Declining (q &lt; {trends.alpha:g})",
        STABLE: "No clear trend",
    }
    trend = rows["trend"].astype(str)
    present = [t for t in TREND_ORDER if (trend == t).any()] + sorted(set(trend) - set(TREND_ORDER))
    hover = _effect_hover(trends, unit)
    fig = go.Figure()
    for direction in present:
        idx = np.flatnonzero((trend == direction).to_numpy())
        name = names.get(direction, escape_text(direction))
        fig.add_trace(_effect_trace(rows.iloc[idx], [labels[i] for i in idx], name, direction, hover))
    fig.add_vline(x=0, line=dict(REFERENCE_LINE))
    basis_note = f", normalised by {escape_text(trends.normalize_by)}" if basis == NORMALIZED else ""
    fig.update_layout(
        title=f"Trends over {escape_text(window)}{basis_note}",
        xaxis={"title": f"Change in share (points per {unit})", "zeroline": False},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "autorange": "reversed"},
        legend={"title": "Trend"},
    )
    return apply_style(fig, height=bar_height(len(rows)), show_legend=True)


def _effect_rows(trends: TrendTable, window: str, basis: str, kind: str | None) -> pd.DataFrame:
    """The trend tests of ``window`` and ``basis`` (and ``kind`` if given), largest slope first, renumbered
    from 0; ValueError when there are no tests, or none of these."""
    tests = trends.tests
    if tests is None or tests.empty:
        raise ValueError("trend_effects_figure needs trend tests, but trends.tests is empty")
    mask = (tests["window"].astype(str) == str(window)) & (tests["basis"].astype(str) == str(basis))
    if kind is not None:
        mask &= tests["kind"].astype(str) == str(kind)
    rows = tests[mask]
    if rows.empty:
        what = f"window {window!r}, basis {basis!r}" + (f", kind {kind!r}" if kind is not None else "")
        raise ValueError(f"no trend tests for {what}")
    rows = rows.assign(_slope=rows["slope"].astype(float)).sort_values("_slope", ascending=False, kind="stable")
    return rows.reset_index(drop=True)


def _effect_hover(trends: TrendTable, unit: str) -> str:
    """Hover template of a forest plot point: slope with its interval, fitted shares, p, q and counts."""
    return (
        "%{y}<br>%{x:+.2f} points per " + unit
        + f" ({trends.confidence:.0%} CI " + "%{customdata[4]:+.2f} to %{customdata[5]:+.2f})"
        "<br>fitted share %{customdata[0]:.1%} (%{customdata[2]}) → %{customdata[1]:.1%} (%{customdata[3]})"
        "<br>p = %{customdata[6]:.3g}, q = %{customdata[7]:.3g}"
        "<br>%{customdata[8]} of %{customdata[9]} papers<extra>%{fullData.name}</extra>"
    )


def _effect_trace(part: pd.DataFrame, labels: list[str], name: str, direction: str, hover: str) -> go.Scatter:
    """The forest plot points of one trend direction: the tests ``part`` at y = ``labels``, slopes in points
    with asymmetric error bars for their intervals."""
    slope = part["slope"].astype(float).to_numpy() * 100
    low = part["slope_low"].astype(float).to_numpy() * 100
    high = part["slope_high"].astype(float).to_numpy() * 100
    color = TREND_COLORS.get(direction, TREND_COLORS[STABLE])
    return go.Scatter(
        x=[cells.number(v) for v in slope],
        y=labels,
        mode="markers",
        name=name,
        marker={"color": color, "size": 10},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [_gap(h, s) for h, s in zip(high, slope)],
            "arrayminus": [_gap(s, lo) for s, lo in zip(slope, low)],
            "color": color,
            "thickness": 1.5,
            "width": 4,
        },
        customdata=[
            [
                cells.number(r.share_start), cells.number(r.share_end),
                escape_text(r.start), escape_text(r.end),
                cells.percentage_points(r.slope_low), cells.percentage_points(r.slope_high),
                cells.number(r.p_value), cells.number(r.q_value), cells.whole(r.count), cells.whole(r.papers),
            ]
            for r in part.itertuples(index=False)
        ],
        hovertemplate=hover,
    )


# --- helpers ------------------------------------------------------------------------------------------------


def _x_values(trends: TrendTable) -> list[str] | list[int]:
    """X of the share lines: the years as numbers when every period is a year (so missing years show as
    gaps on the axis), else the escaped period labels."""
    if trends.time_unit == "year":
        return [int(p) for p in trends.periods]
    return _periods(trends)


def _period_axis(trends: TrendTable) -> dict[str, object]:
    """The x axis of the share lines: linear over years, else categories in period order."""
    if trends.time_unit == "year":
        return {"title": "Year", "type": "linear", "tickformat": "d"}
    return {"title": "Period", "type": "category", "categoryorder": "array", "categoryarray": _periods(trends)}


def _periods(trends: TrendTable) -> list[str]:
    """The periods as escaped axis categories, in chronological order."""
    return [escape_text(p) for p in trends.periods]


def _share_columns(trends: TrendTable, basis: str) -> tuple[str, str, str]:
    """The frame's (share, low, high) columns of ``basis``; ValueError when they are not there."""
    if basis == RAW:
        return "share", "share_low", "share_high"
    if basis == NORMALIZED:
        if trends.normalize_by is None or "share_normalized" not in trends.frame:
            raise ValueError("normalised shares requested, but trends.normalize_by is None")
        return "share_normalized", "share_normalized_low", "share_normalized_high"
    raise ValueError(f"unknown basis {basis!r}; expected {RAW!r} or {NORMALIZED!r}")


def _topic_order(frame: pd.DataFrame) -> list[str]:
    """Topic ids of ``frame`` as text, numerically ordered when they are numbers."""
    ids = list(dict.fromkeys(frame["topic"].astype(str)))

    def key(value: str) -> tuple[int, float | str]:
        try:
            return (0, float(value))
        except ValueError:
            return (1, value)

    return sorted(ids, key=key)


def _rows(frame: pd.DataFrame, key: str, value: str, periods: Sequence[str]) -> pd.DataFrame:
    """``frame``'s rows with ``frame[key] == value``, one per period in ``periods`` order (NaN when missing).

    ``periods`` are escaped; the frame's periods are escaped the same way before matching.
    """
    rows = frame[frame[key].astype(str) == value]
    rows = rows.assign(period=[escape_text(p) for p in rows["period"].astype(str)])
    return rows.drop_duplicates("period").set_index("period").reindex(list(periods))


def _theme_line_traces(
    trends: TrendTable, themes: ThemeTable, columns: tuple[str, str, str], show_legend: bool
) -> list[go.Scatter]:
    """Per theme (theme order, unassigned last and hidden): lower band, upper band filled to it, then the line."""
    share_col, low_col, high_col = columns
    frame = trends.frame
    periods = _periods(trends)
    labels = theme_labels(themes)
    colors = theme_colors(themes.theme_ids)
    hover = (
        "%{fullData.name}<br>%{x}: %{y:.1%} ("
        + f"{trends.confidence:.0%} CI"
        + " %{customdata[0]:.1%} to %{customdata[1]:.1%})<br>%{customdata[2]} of %{customdata[3]} papers"
        "<extra></extra>"
    )
    x = _x_values(trends)
    totals = frame.groupby(frame["theme"].astype(str))["count"].sum()
    shown = [t for t in totals.sort_values(ascending=False, kind="mergesort").index if t != UNASSIGNED][:VISIBLE_SERIES]
    traces: list[go.Scatter] = []
    for theme_id in cells.theme_order(frame, themes):
        rows = _rows(frame, "theme", theme_id, periods)
        line = _ThemeLine(
            name=escape_text(labels.get(theme_id, theme_id)),
            color=colors.get(theme_id, UNASSIGNED_COLOR),
            group=f"theme-{escape_text(theme_id)}",
            visible=True if theme_id in shown else "legendonly",
        )
        share = [cells.number(v) for v in rows[share_col]]
        low = [cells.number(v) for v in _col(rows, low_col)]
        high = [cells.number(v) for v in _col(rows, high_col)]
        if any(v is not None for v in low + high):
            traces += _band_traces(line, x, low, high)
        customdata = [
            [lo, hi, cells.whole(c), cells.whole(p)] for lo, hi, c, p in zip(low, high, rows["count"], rows["papers"])
        ]
        traces.append(_share_line_trace(line, x, share, customdata, hover, show_legend))
    return traces


@dataclass(frozen=True)
class _ThemeLine:
    """What a theme's line and its band share: legend name (escaped), colour, legend group and visibility
    (``True`` or ``"legendonly"``)."""

    name: str
    color: str
    group: str
    visible: bool | str


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
            fillcolor=translucent(line.color),
            name=line.name,
            legendgroup=line.group,
            showlegend=False,
            hoverinfo="skip",
            visible=line.visible,
            connectgaps=False,
        )
        for bound, fill in ((low, "none"), (high, "tonexty"))
    ]


def _share_line_trace(
    line: _ThemeLine,
    x: Sequence[str] | Sequence[int],
    share: list[float | None],
    customdata: list[list[float | int | None]],
    hover: str,
    show_legend: bool,
) -> go.Scatter:
    """A theme's share line with markers; ``customdata`` rows are (low, high, count, papers)."""
    return go.Scatter(
        x=x,
        y=share,
        name=line.name,
        mode="lines+markers",
        line={"color": line.color, "width": 2},
        marker={"size": 7},
        legendgroup=line.group,
        showlegend=show_legend,
        visible=line.visible,
        customdata=customdata,
        hovertemplate=hover,
    )


def _col(rows: pd.DataFrame, column: str) -> pd.Series:
    """``rows[column]``, or NaNs when the frame lacks it."""
    return rows[column] if column in rows else pd.Series(np.nan, index=rows.index)


def _gap(upper: float, lower: float) -> float | None:
    """Length of an error bar from ``lower`` to ``upper`` (never negative), ``None`` when either is missing."""
    if np.isnan(upper) or np.isnan(lower):
        return None
    return max(float(upper - lower), 0.0)


def _first_text(values: pd.Series) -> str:
    """The first non-empty text of ``values``."""
    for value in values:
        text = cells.text(value)
        if text:
            return text
    return ""

