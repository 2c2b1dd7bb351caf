"""Trend figures: topic shares per period (heatmap) and trend tests (forest plot). Theme shares over periods
(small multiples, raw against normalised, composition) are in :mod:`reports.figures.trends_shares`, re-exported
here; the two-period comparison is in :mod:`reports.figures.snapshot`, venues' theme profiles in
:mod:`reports.figures.profiles`.

Shares are fractions in ``[0, 1]`` shown as percentages; changes and slopes are shown in percentage points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reports.escape import escape_text, shorten
from reports.figures import cells
from reports.figures.cells import LABEL_CHARS
from reports.figures.trends_shares import raw_vs_normalized_figure, theme_area_figure, theme_share_bands_figure
from reports.style import (
    HEATMAP_TEXT_MAX_COLUMNS,
    REFERENCE_LINE,
    TREND_COLORS,
    apply_style,
    bar_height,
    heatmap_height,
    period_ticks,
    share_heatmap,
)
from topics.results import DECLINING, EMERGING, NORMALIZED, RAW, STABLE, TrendTable

__all__ = [
    "raw_vs_normalized_figure",
    "theme_area_figure",
    "theme_share_bands_figure",
    "topic_period_heatmap",
    "trend_effects_figure",
]

#: Order in which trend directions appear in the forest plot's legend.
TREND_ORDER = (EMERGING, STABLE, DECLINING)


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
    periods = cells.period_labels(trends.periods)
    topics = _topic_order(frame)
    z, customdata, names = [], [], []
    for topic in topics:
        rows = cells.period_rows(frame, "topic", topic, periods)
        label = _first_text(frame.loc[frame["topic"].astype(str) == topic, "label"]) if "label" in frame else ""
        names.append(escape_text(shorten(f"{topic} · {label}" if label else f"Topic {topic}", LABEL_CHARS)))
        z.append([cells.number(v) for v in rows["share"]])
        bounds = zip(cells.column(rows, "share_low"), cells.column(rows, "share_high"))
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
        xaxis={"title": "Period", "type": "category", "categoryorder": "array", "categoryarray": x, **period_ticks(x)},
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


def _topic_order(frame: pd.DataFrame) -> list[str]:
    """Topic ids of ``frame`` as text, numerically ordered when they are numbers."""
    ids = list(dict.fromkeys(frame["topic"].astype(str)))

    def key(value: str) -> tuple[int, float | str]:
        try:
            return (0, float(value))
        except ValueError:
            return (1, value)

    return sorted(ids, key=key)


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

