"""Trend, two-period comparison and venue profile figures (reports.figures.trends, .snapshot, .profiles): traces checked as data on ``fig.to_dict()``, escaping on
``fig.to_json()``. Every result object is built by hand here (the theme share figures, on the same objects, are
tested in test_trends_shares_figures.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from reports.escape import escape_text
from reports.figures.profiles import venue_profile_heatmap
from reports.figures.snapshot import snapshot_change_figure
from reports.figures.trends import topic_period_heatmap, trend_effects_figure
from reports.style import TREND_COLORS
from topics.results import (
    DECLINING,
    EMERGING,
    NORMALIZED,
    RAW,
    STABLE,
    UNASSIGNED,
    SnapshotComparison,
    ThemeDefinition,
    ThemeProfiles,
    ThemeTable,
    TrendTable,
    TrendWindow,
)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PERIODS = ("2019", "2020", "2021")
THEME_IDS = ("rl", "gen", "neuro")
THEME_LABELS = ("Reinforcement learning", SCRIPT, IMG)
PAPERS = {"2019": 10, "2020": 20, "2021": 40}
# counts per theme (THEME_IDS order, then unassigned) per period
COUNTS = {"2019": (5, 2, 1, 3), "2020": (8, 6, 2, 6), "2021": (10, 16, 6, 12)}
# normalised shares: the raw share shifted by a fixed amount per theme, so the panels differ visibly
NORMALISED_SHIFT = (0.05, -0.02, 0.01, 0.0)
WINDOW = "2019-2021"


def _theme_frame() -> pd.DataFrame:
    rows = []
    for period in PERIODS:
        papers = PAPERS[period]
        for theme_id, count, shift in zip((*THEME_IDS, UNASSIGNED), COUNTS[period], NORMALISED_SHIFT):
            share = count / papers
            rows.append(
                {
                    "period": period, "theme": theme_id, "papers": papers, "count": count, "share": share,
                    "share_low": share * 0.8, "share_high": min(share * 1.2, 1.0),
                    "share_normalized": share + shift,
                    "share_normalized_low": share + shift - 0.03, "share_normalized_high": share + shift + 0.04,
                }
            )
    return pd.DataFrame(rows).iloc[::-1].reset_index(drop=True)  # reversed: figures must order by period


def _topic_frame() -> pd.DataFrame:
    labels = {0: "RL · policy, reward", 1: SCRIPT, 2: IMG + " very long label " + "x" * 60}
    counts = {"2019": (6, 3, 1), "2020": (9, 7, 4), "2021": (12, 20, 8)}
    rows = []
    for period in PERIODS:
        papers = PAPERS[period]
        for topic, count in zip((0, 1, 2), counts[period]):
            share = count / papers
            rows.append(
                {
                    "period": period, "topic": topic, "label": labels[topic], "papers": papers, "count": count,
                    "share": share, "share_low": share / 2, "share_high": share * 1.5, "weight": share * 0.9,
                }
            )
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0).reset_index(drop=True)  # shuffled


def _tests_frame() -> pd.DataFrame:
    # kind, id, label, slope, low, high, trend
    specs = [
        ("theme", "gen", SCRIPT, 0.031, 0.012, 0.050, EMERGING),
        ("theme", "rl", "Reinforcement learning", -0.042, -0.070, -0.015, DECLINING),
        ("theme", "neuro", IMG, 0.004, -0.010, 0.018, STABLE),
        ("topic", "1", "diffusion, image", 0.050, 0.020, 0.080, EMERGING),
        ("topic", "0", "RL · policy, reward", -0.002, -0.020, 0.016, STABLE),
    ]
    rows = []
    for basis, factor in ((RAW, 1.0), (NORMALIZED, 0.5)):
        for i, (kind, ident, label, slope, low, high, trend) in enumerate(specs):
            rows.append(
                {
                    "window": WINDOW, "basis": basis, "kind": kind, "id": ident, "label": label,
                    "start": "2019", "end": "2021", "periods": 3, "count": 20 + i, "papers": 70,
                    "share_start": 0.2, "share_end": 0.2 + 2 * slope * factor,
                    "slope": slope * factor, "slope_low": low * factor, "slope_high": high * factor,
                    "odds_ratio": 1.1, "p_value": 0.001 * (i + 1), "q_value": 0.002 * (i + 1), "trend": trend,
                }
            )
    # another window whose rows must not appear
    rows.append({**rows[0], "window": "last 2 periods", "label": "Other window", "slope": 0.5})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1).reset_index(drop=True)


def _comparison() -> SnapshotComparison:
    # kind, id, label, share_before, share_after, status
    specs = [
        ("theme", "rl", "Reinforcement learning", 0.40, 0.25, "shrank"),
        ("theme", "gen", SCRIPT, 0.10, 0.40, "grew"),
        ("topic", "2", IMG, 0.00, 0.15, "new"),
        ("theme", "neuro", "Neuroscience", 0.20, 0.21, "stable"),
    ]
    rows = []
    for kind, ident, label, before, after, status in specs:
        change = after - before
        rows.append(
            {
                "kind": kind, "id": ident, "label": label,
                "count_before": round(before * 20), "papers_before": 20, "share_before": before,
                "count_after": round(after * 40), "papers_after": 40, "share_after": after,
                "change": change, "change_low": change - 0.1, "change_high": change + 0.1,
                "p_value": 0.03, "q_value": 0.06, "status": status,
            }
        )
    return SnapshotComparison(before="2020", after=SCRIPT, frame=pd.DataFrame(rows), authors=pd.DataFrame())


def _profiles() -> ThemeProfiles:
    venue_papers = {"NeurIPS": 30, IMG: 50, "ICML": 10}
    shares = {"NeurIPS": (0.5, 0.3, 0.1), IMG: (0.2, 0.6, 0.0), "ICML": (0.1, 0.1, 0.9)}
    rows = [
        {"venue": venue, "theme": theme_id, "papers": papers, "count": round(share * papers), "share": share}
        for venue, papers in venue_papers.items()
        for theme_id, share in zip(THEME_IDS, shares[venue])
    ]
    return ThemeProfiles(authors=pd.DataFrame(), venues=pd.DataFrame(rows))


def theme_table() -> ThemeTable:
    """The fixture's three themes (labels with markup injections)."""
    definitions = tuple(ThemeDefinition(id=i, label=label) for i, label in zip(THEME_IDS, THEME_LABELS))
    n = 4
    return ThemeTable(
        themes=definitions,
        doc_ids=tuple(f"p{i}" for i in range(n)),
        scores=np.zeros((n, len(THEME_IDS))),
        assigned=np.zeros((n, len(THEME_IDS)), dtype=bool),
        evidence=tuple(tuple(() for _ in THEME_IDS) for _ in range(n)),
    )


def trend_table() -> TrendTable:
    """Shares, topic shares, tests, comparison and profiles over PERIODS, normalised by venue."""
    return TrendTable(
        frame=_theme_frame(),
        periods=PERIODS,
        topic_frame=_topic_frame(),
        tests=_tests_frame(),
        windows=(TrendWindow(WINDOW, PERIODS),),
        time_unit="year",
        normalize_by="venue",
        comparison=_comparison(),
        profiles=_profiles(),
    )


@pytest.fixture
def themes() -> ThemeTable:
    return theme_table()


@pytest.fixture
def trends() -> TrendTable:
    return trend_table()


def _data(fig) -> list[dict]:
    return fig.to_dict()["data"]


def _layout(fig) -> dict:
    return fig.to_dict()["layout"]


def _expected(column: str, theme_id: str) -> list[float]:
    frame = _theme_frame()
    rows = frame[frame["theme"] == theme_id].set_index("period").loc[list(PERIODS)]
    return rows[column].tolist()


def _assert_close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float))


def _assert_no_raw_markup(fig) -> None:
    text = fig.to_json()
    assert "<script" not in text and "<img" not in text
    assert escape_text(SCRIPT) in text or escape_text(IMG) in text


def test_forest_plot_says_no_clear_trend_and_fitted(trends: TrendTable) -> None:
    fig = trend_effects_figure(trends, WINDOW)
    names = [t["name"] for t in _data(fig)]
    assert "No clear trend" in names and not any("stable" in n.lower() for n in names)
    assert all("fitted share" in t["hovertemplate"] for t in _data(fig))


# --- topics -------------------------------------------------------------------------------------------------


def test_topic_period_heatmap_matches_topic_frame(trends: TrendTable) -> None:
    fig = topic_period_heatmap(trends)
    (trace,) = _data(fig)
    assert trace["type"] == "heatmap"
    assert trace["x"] == list(PERIODS)
    frame = trends.topic_frame
    for row, topic in enumerate((0, 1, 2)):
        expected = frame[frame["topic"] == topic].set_index("period").loc[list(PERIODS)]
        assert trace["z"][row] == expected["share"].tolist()  # exact
        assert [cell[:2] for cell in trace["customdata"][row]] == expected[["count", "papers"]].values.tolist()
        _assert_close([cell[2:] for cell in trace["customdata"][row]], expected[["share_low", "share_high"]].values)
    assert trace["y"][0] == "0 · RL · policy, reward"
    assert trace["y"][1] == escape_text(f"1 · {SCRIPT}")
    assert len(trace["y"][2]) < len(escape_text("2 · " + IMG + " very long label " + "x" * 60))  # shortened
    assert trace["y"][2].endswith("\u2026")
    assert _layout(fig)["yaxis"]["autorange"] == "reversed"
    _assert_no_raw_markup(fig)


def test_topic_period_heatmap_needs_topics(trends: TrendTable) -> None:
    with pytest.raises(ValueError, match="topic_frame is None"):
        topic_period_heatmap(dataclasses.replace(trends, topic_frame=None))


# --- trend tests --------------------------------------------------------------------------------------------


def _forest_points(fig) -> list[tuple[str, float, float, float, str]]:
    """(label, x, plus, minus, colour) of every point, in the axis order (top first)."""
    points = {}
    for trace in _data(fig):
        for y, x, plus, minus in zip(trace["y"], trace["x"], trace["error_x"]["array"], trace["error_x"]["arrayminus"]):
            points[y] = (y, x, plus, minus, trace["marker"]["color"])
    order = _layout(fig)["yaxis"]["categoryarray"]
    assert sorted(order) == sorted(points)
    return [points[label] for label in order]


def test_trend_effects_forest_plot_sorted_with_error_bars(trends: TrendTable) -> None:
    fig = trend_effects_figure(trends, WINDOW)
    points = _forest_points(fig)
    assert [p[0] for p in points] == [
        "Topic 1: diffusion, image",
        escape_text(f"Theme: {SCRIPT}"),
        escape_text(f"Theme: {IMG}"),
        "Topic 0: RL · policy, reward",
        "Theme: Reinforcement learning",
    ]
    assert [p[1] for p in points] == pytest.approx([5.0, 3.1, 0.4, -0.2, -4.2])
    assert [p[2] for p in points] == pytest.approx([3.0, 1.9, 1.4, 1.8, 2.7])  # high - slope
    assert [p[3] for p in points] == pytest.approx([3.0, 1.9, 1.4, 1.8, 2.8])  # slope - low
    assert [p[4] for p in points] == [
        TREND_COLORS[EMERGING], TREND_COLORS[EMERGING], TREND_COLORS[STABLE], TREND_COLORS[STABLE],
        TREND_COLORS[DECLINING],
    ]
    layout = _layout(fig)
    assert layout["yaxis"]["autorange"] == "reversed"
    assert layout["xaxis"]["title"]["text"] == "Change in share (points per year)"
    (zero_line,) = layout["shapes"]
    assert zero_line["x0"] == zero_line["x1"] == 0
    _assert_no_raw_markup(fig)


def test_trend_effects_filters_basis_and_kind(trends: TrendTable) -> None:
    points = _forest_points(trend_effects_figure(trends, WINDOW, basis=NORMALIZED, kind="theme"))
    assert [p[0] for p in points] == [
        escape_text(f"Theme: {SCRIPT}"), escape_text(f"Theme: {IMG}"), "Theme: Reinforcement learning",
    ]
    assert [p[1] for p in points] == pytest.approx([1.55, 0.2, -2.1])
    hover = trend_effects_figure(trends, WINDOW, kind="topic")
    first = _data(hover)[0]
    assert first["y"] == ["Topic 1: diffusion, image"]
    start, end, start_period, end_period = first["customdata"][0][:4]
    assert (start, end) == pytest.approx((0.2, 0.3)) and (start_period, end_period) == ("2019", "2021")
    assert first["customdata"][0][6:8] == pytest.approx([0.004, 0.008])  # p, q


def test_trend_effects_errors(trends: TrendTable) -> None:
    with pytest.raises(ValueError, match="no trend tests for window 'nope'"):
        trend_effects_figure(trends, "nope")
    with pytest.raises(ValueError, match="trends.tests is empty"):
        trend_effects_figure(dataclasses.replace(trends, tests=None), WINDOW)


# --- two-period comparison ----------------------------------------------------------------------------------


def test_snapshot_dumbbell_sorted_by_change(trends: TrendTable) -> None:
    fig = snapshot_change_figure(trends.comparison)
    connector, before, after = _data(fig)
    labels = [escape_text(f"Theme: {SCRIPT}"), escape_text(f"Topic 2: {IMG}"), "Theme: Neuroscience",
              "Theme: Reinforcement learning"]
    assert _layout(fig)["yaxis"]["categoryarray"] == labels
    assert before["y"] == after["y"] == labels
    assert before["x"] == pytest.approx([0.10, 0.00, 0.20, 0.40])
    assert after["x"] == pytest.approx([0.40, 0.15, 0.21, 0.25])
    assert before["name"] == "2020" and after["name"] == escape_text(SCRIPT)
    assert connector["showlegend"] is False and connector["hoverinfo"] == "skip"
    assert connector["x"][:2] == pytest.approx([0.10, 0.40]) and connector["x"][2] is None
    assert connector["y"][:2] == [labels[0], labels[0]] and connector["y"][2] is None
    changes = [row[:3] for row in after["customdata"]]
    _assert_close(changes, [[30, 20, 40], [15, 5, 25], [1, -9, 11], [-15, -25, -5]])
    assert [row[3] for row in after["customdata"]] == ["grew", "new", "stable", "shrank"]
    _assert_no_raw_markup(fig)


def test_snapshot_needs_rows(trends: TrendTable) -> None:
    empty = dataclasses.replace(trends.comparison, frame=trends.comparison.frame.iloc[0:0])
    with pytest.raises(ValueError, match="comparison.frame is empty"):
        snapshot_change_figure(empty)


# --- venues -------------------------------------------------------------------------------------------------


def test_venue_profile_heatmap_shares(trends: TrendTable, themes: ThemeTable) -> None:
    fig = venue_profile_heatmap(trends.profiles, themes)
    (trace,) = _data(fig)
    assert trace["type"] == "heatmap"
    assert trace["x"] == ["Reinforcement learning", escape_text(SCRIPT), escape_text(IMG)]
    assert trace["y"] == [escape_text(IMG), "NeurIPS", "ICML"]  # most papers first (on top)
    assert trace["z"] == [[0.2, 0.6, 0.0], [0.5, 0.3, 0.1], [0.1, 0.1, 0.9]]
    assert trace["text"][1] == ["50%", "30%", "10%"]
    assert trace["customdata"][0][1] == [30, 50]
    _assert_no_raw_markup(fig)


def test_venue_profile_needs_venues(themes: ThemeTable) -> None:
    with pytest.raises(ValueError, match="profiles.venues is empty"):
        venue_profile_heatmap(ThemeProfiles(authors=pd.DataFrame(), venues=pd.DataFrame()), themes)


# --- heights ------------------------------------------------------------------------------------------------


def test_heights_grow_with_rows(trends: TrendTable) -> None:
    small = _layout(topic_period_heatmap(trends))["height"]
    many = pd.concat(
        [trends.topic_frame.assign(topic=trends.topic_frame["topic"] + 10 * k) for k in range(10)], ignore_index=True
    )
    big = _layout(topic_period_heatmap(dataclasses.replace(trends, topic_frame=many)))["height"]
    assert big > small
    tests = pd.concat([trends.tests.assign(id=trends.tests["id"] + f"-{k}") for k in range(6)], ignore_index=True)
    assert _layout(trend_effects_figure(dataclasses.replace(trends, tests=tests), WINDOW))["height"] > _layout(
        trend_effects_figure(trends, WINDOW)
    )["height"]
