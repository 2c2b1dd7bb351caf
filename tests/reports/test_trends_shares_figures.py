"""Theme share figures (reports.figures.trends_shares): small multiples with bands, raw beside normalised shares
with a selector, the stacked composition; traces checked as data on ``fig.to_dict()``. The hand-built result
objects and helpers are those of test_trends_figures.py."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from reports.escape import escape_text
from reports.figures.trends import topic_period_heatmap
from reports.figures.trends_shares import raw_vs_normalized_figure, theme_area_figure, theme_share_bands_figure
from reports.style import BAND_OPACITY, UNASSIGNED_COLOR, VISIBLE_SERIES, theme_colors, translucent
from tests.reports.test_trends_figures import (
    COUNTS,
    IMG,
    PAPERS,
    PERIODS,
    SCRIPT,
    THEME_IDS,
    _assert_close,
    _assert_no_raw_markup,
    _data,
    _expected,
    _layout,
    theme_table,
    trend_table,
)
from topics.results import NORMALIZED, UNASSIGNED, ThemeDefinition, ThemeTable, TrendTable


@pytest.fixture
def themes() -> ThemeTable:
    return theme_table()


@pytest.fixture
def trends() -> TrendTable:
    return trend_table()


def test_share_bands_one_panel_per_theme_with_its_band(trends: TrendTable, themes: ThemeTable) -> None:
    """Small multiples: per theme (theme order, unassigned last) a panel of its own holding its lower band, its
    upper band filled to it and its line, in the theme's colour; the panel titles name the themes."""
    fig = theme_share_bands_figure(trends, themes)
    traces = _data(fig)
    assert len(traces) == 4 * 3  # lower, upper, line per theme incl. unassigned
    colors = theme_colors(THEME_IDS)
    for j, theme_id in enumerate((*THEME_IDS, UNASSIGNED)):
        lower, upper, line = traces[3 * j : 3 * j + 3]
        axis = "x" if j == 0 else f"x{j + 1}"
        assert lower.get("xaxis", "x") == upper.get("xaxis", "x") == line.get("xaxis", "x") == axis  # its own panel
        assert line["x"] == lower["x"] == upper["x"] == [int(p) for p in PERIODS]  # years: a numeric axis
        assert line["y"] == pytest.approx(_expected("share", theme_id))
        assert lower["y"] == pytest.approx(_expected("share_low", theme_id))
        assert upper["y"] == pytest.approx(_expected("share_high", theme_id))
        assert upper["fill"] == "tonexty" and lower.get("fill", "none") == "none"
        assert upper["fillcolor"] == translucent(colors[theme_id], BAND_OPACITY)
        assert line["line"]["color"] == colors[theme_id]
        assert all(t.get("visible", True) is True for t in (lower, upper, line))
        for band in (lower, upper):
            assert band["showlegend"] is False and band["hoverinfo"] == "skip"
        assert [row[2:] for row in line["customdata"]] == [[COUNTS[p][j], PAPERS[p]] for p in PERIODS]
        _assert_close(
            [row[:2] for row in line["customdata"]],
            [[lo, hi] for lo, hi in zip(_expected("share_low", theme_id), _expected("share_high", theme_id))],
        )
        assert "fitted" not in line["hovertemplate"]  # observed shares
    assert traces[11]["line"]["color"] == UNASSIGNED_COLOR
    layout = _layout(fig)
    assert [a["text"] for a in layout["annotations"]] == [
        "Reinforcement learning", escape_text(SCRIPT), escape_text(IMG), "Unassigned (own scale)",
    ]
    assert layout["showlegend"] is False
    assert all(layout[f"xaxis{k}"]["matches"] == "x4" for k in ("", "2", "3"))  # one period axis
    assert layout["yaxis2"]["matches"] == layout["yaxis3"]["matches"] == "y"  # the themes share one scale...
    assert "matches" not in layout["yaxis"] and "matches" not in layout["yaxis4"]  # ...unassigned has its own
    assert layout["yaxis"]["tickformat"] == ".0%"
    assert layout["xaxis"]["type"] == "linear" and layout["xaxis"]["dtick"] == 1
    _assert_no_raw_markup(fig)


def test_share_bands_of_snapshot_periods_use_a_category_axis(trends: TrendTable, themes: ThemeTable) -> None:
    snapshots = dataclasses.replace(trends, time_unit="period")
    fig = theme_share_bands_figure(snapshots, themes)
    assert _data(fig)[2]["x"] == list(PERIODS)
    layout = _layout(fig)
    assert layout["xaxis"]["type"] == "category" and layout["xaxis"]["categoryarray"] == list(PERIODS)
    assert layout["xaxis"]["tickvals"] == list(PERIODS)


def _many_themes(n_themes: int, years: range) -> tuple[TrendTable, ThemeTable]:
    """``n_themes`` themes (and unassigned) over ``years``, theme ``ti`` with ``10 * (i + 1)`` papers in all."""
    ids = tuple(f"t{i}" for i in range(n_themes))
    table = ThemeTable(
        themes=tuple(ThemeDefinition(id=t, label=f"Theme {t}") for t in ids), doc_ids=("a",),
        scores=np.zeros((1, n_themes)), assigned=np.zeros((1, n_themes), dtype=bool), evidence=((),),
    )
    rows = [
        {"period": str(year), "theme": theme_id, "papers": 100, "count": 10 * (i + 1) // len(years) + 1,
         "share": 0.1, "share_low": 0.05, "share_high": 0.2, "share_normalized": 0.11,
         "share_normalized_low": 0.06, "share_normalized_high": 0.21}
        for year in years for i, theme_id in enumerate((*ids, UNASSIGNED))
    ]
    frame = pd.DataFrame(rows)
    periods = tuple(str(year) for year in years)
    return TrendTable(frame=frame, periods=periods, time_unit="year", normalize_by="venue"), table


def test_share_bands_small_multiples_of_fifteen_themes_over_39_years() -> None:
    """One line per panel (never overlapping lines), 15 themes + unassigned in a 4-column grid, and each panel's
    period axis labelled at most every ten years (1990, 2000, 2010, 2020)."""
    trends, table = _many_themes(15, range(1987, 2026))
    fig = theme_share_bands_figure(trends, table)
    lines = [t for t in _data(fig) if t["mode"] == "lines+markers"]
    panels = [t.get("xaxis", "x") for t in lines]
    assert len(lines) == 16 and len(set(panels)) == 16  # one panel per theme, one line in each
    layout = _layout(fig)
    assert len(layout["annotations"]) == 16
    assert layout["xaxis"]["dtick"] == 10 and layout["xaxis"]["tick0"] == 0
    assert len(range(1990, 2026, layout["xaxis"]["dtick"])) <= 5
    columns = {tuple(layout[f"xaxis{'' if k == 1 else k}"]["domain"]) for k in range(1, 17)}
    assert len(columns) == 4
    # tick labels under the bottom panel of each column only
    shown = [k for k in range(1, 17) if layout[f"xaxis{'' if k == 1 else k}"].get("showticklabels", True)]
    assert shown == [13, 14, 15, 16]


def test_raw_vs_normalised_selector_draws_at_most_five_themes(themes: ThemeTable) -> None:
    """With many themes, a dropdown shows the most frequent in groups of VISIBLE_SERIES, or one theme alone; no
    view draws more than VISIBLE_SERIES themes, and the first view is drawn at first."""
    trends, table = _many_themes(12, range(2010, 2022))
    fig = raw_vs_normalized_figure(trends, table)
    traces = _data(fig)
    (menu,) = _layout(fig)["updatemenus"]
    labels = [b["label"] for b in menu["buttons"]]
    assert labels[:3] == ["Top 5 themes", "Themes 6-10", "Themes 11-12"]
    assert labels[3:] == [f"Theme t{i}" for i in range(12)] + ["Unassigned"]
    lines = [k for k, t in enumerate(traces) if t["mode"] == "lines+markers"]
    for button in menu["buttons"]:
        (visible,) = button["args"][0].values()
        assert len(visible) == len(traces)
        drawn = {traces[k]["name"] for k in lines if visible[k] is True}
        assert 1 <= len(drawn) <= VISIBLE_SERIES
        assert all(v in (True, "legendonly") for v in visible)
    initially = {t["name"] for t in traces if t["mode"] == "lines+markers" and t.get("visible", True) is True}
    assert initially == {f"Theme t{i}" for i in range(11, 6, -1)}  # the five with the most papers
    first = menu["buttons"][0]["args"][0]["visible"]
    assert [t.get("visible", True) for t in traces] == first


def test_share_bands_normalised_basis_uses_normalised_columns(trends: TrendTable, themes: ThemeTable) -> None:
    traces = _data(theme_share_bands_figure(trends, themes, basis=NORMALIZED))
    lower, upper, line = traces[:3]
    assert line["y"] == pytest.approx(_expected("share_normalized", "rl"))
    assert lower["y"] == pytest.approx(_expected("share_normalized_low", "rl"))
    assert upper["y"] == pytest.approx(_expected("share_normalized_high", "rl"))


def test_share_bands_errors(trends: TrendTable, themes: ThemeTable) -> None:
    with pytest.raises(ValueError, match="normalize_by is None"):
        theme_share_bands_figure(dataclasses.replace(trends, normalize_by=None), themes, basis=NORMALIZED)
    with pytest.raises(ValueError, match="unknown basis"):
        theme_share_bands_figure(trends, themes, basis="weird")


def test_raw_vs_normalised_two_panels_one_legend_entry(trends: TrendTable, themes: ThemeTable) -> None:
    fig = raw_vs_normalized_figure(trends, themes)
    traces = _data(fig)
    assert len(traces) == 2 * 4 * 3
    left, right = traces[:12], traces[12:]
    assert all(t.get("xaxis", "x") == "x" for t in left) and all(t["xaxis"] == "x2" for t in right)
    for j, theme_id in enumerate((*THEME_IDS, UNASSIGNED)):
        assert left[3 * j + 2]["y"] == pytest.approx(_expected("share", theme_id))
        assert right[3 * j + 2]["y"] == pytest.approx(_expected("share_normalized", theme_id))
        assert right[3 * j]["y"] == pytest.approx(_expected("share_normalized_low", theme_id))
        assert right[3 * j + 1]["y"] == pytest.approx(_expected("share_normalized_high", theme_id))
        assert left[3 * j + 2]["legendgroup"] == right[3 * j + 2]["legendgroup"]
    assert [t["showlegend"] for t in left[2::3]] == [True] * 4
    assert [t["showlegend"] for t in right[2::3]] == [False] * 4
    layout = _layout(fig)
    assert [a["text"] for a in layout["annotations"]] == ["Raw share", "Normalised by venue"]
    assert layout["yaxis2"]["matches"] == "y"
    _assert_no_raw_markup(fig)


def test_raw_vs_normalised_needs_normalize_by(trends: TrendTable, themes: ThemeTable) -> None:
    with pytest.raises(ValueError, match="normalize_by is None"):
        raw_vs_normalized_figure(dataclasses.replace(trends, normalize_by=None), themes)


def test_theme_area_stacks_counts_to_percent(trends: TrendTable, themes: ThemeTable) -> None:
    fig = theme_area_figure(trends, themes)
    traces = _data(fig)
    assert len(traces) == 4
    assert {t["stackgroup"] for t in traces} == {"themes"}
    assert traces[0]["groupnorm"] == "percent"
    for j, trace in enumerate(traces):
        assert trace["x"] == list(PERIODS)
        assert trace["y"] == [COUNTS[p][j] for p in PERIODS]
    assert traces[-1]["name"] == "Unassigned" and traces[-1]["fillcolor"] == UNASSIGNED_COLOR
    # hover percentages: each period's parts sum to 100%
    for i, period in enumerate(PERIODS):
        total = sum(COUNTS[period])
        assert [t["customdata"][i][0] for t in traces] == pytest.approx([c / total for c in COUNTS[period]])
        assert sum(t["customdata"][i][0] for t in traces) == pytest.approx(1.0)
    assert _layout(fig)["yaxis"]["title"]["text"] == "% of theme assignments"
    _assert_no_raw_markup(fig)


def _long_topic_trends(trends: TrendTable, years: range) -> TrendTable:
    """``trends`` stretched over ``years``: the fixture's theme and topic rows repeated for every year."""
    periods = [str(y) for y in years]
    frame = pd.concat([trends.frame[trends.frame["period"] == "2019"].assign(period=p) for p in periods])
    topics = pd.concat([trends.topic_frame[trends.topic_frame["period"] == "2019"].assign(period=p) for p in periods])
    return dataclasses.replace(trends, frame=frame, topic_frame=topics, periods=tuple(periods))


def test_period_axes_of_39_years_label_at_most_twelve(trends: TrendTable, themes: ThemeTable) -> None:
    """The stacked area and the topic heatmap (category axes) label every fifth year of 1987-2025: 8 labels."""
    long = _long_topic_trends(trends, range(1987, 2026))
    for fig in (theme_area_figure(long, themes), topic_period_heatmap(long)):
        axis = _layout(fig)["xaxis"]
        assert axis["tickmode"] == "array" and axis["tickvals"] == axis["ticktext"]
        assert axis["tickvals"] == [str(y) for y in range(1990, 2026, 5)]
        assert len(axis["tickvals"]) <= 12
        assert len(axis["categoryarray"]) == 39  # every period is still drawn
        assert len(_data(fig)[0]["x"]) == 39


