"""Trends assembled from themes and topics: windows, time axis, shares with intervals, tests per window with
false discovery control, normalisation by venue, and trends.csv's trend columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from preprocessing.errors import UserError
from topics.config import TrendsConfig, TrendWindowConfig
from topics.pipeline.outputs import TREND_COLUMNS, trends_frame
from topics.results import NORMALIZED, RAW, UNASSIGNED, ThemeDefinition, ThemeTable, TopicResult
from topics.trends.table import (
    TrendInputs,
    build_trends,
    comparison_periods,
    period_times,
    resolve_windows,
)

YEARS = tuple(str(y) for y in range(2010, 2020))


def theme_table(assigned: np.ndarray, ids: tuple[str, ...]) -> ThemeTable:
    return ThemeTable(
        themes=tuple(ThemeDefinition(id=t, label=t.title()) for t in ids),
        doc_ids=tuple(f"p{i}" for i in range(len(assigned))),
        scores=assigned.astype(float),
        assigned=assigned,
        evidence=tuple(tuple(() for _ in ids) for _ in assigned),
    )


def planted_corpus(seed: int = 0, papers_per_year: int = 400) -> tuple[tuple[str, ...], ThemeTable]:
    """Ten years of papers: 'rising' goes from 5% to 15%, 'falling' from 20% to 8%, 'flat' stays at 10%."""
    rng = np.random.default_rng(seed)
    periods: list[str] = []
    rows = []
    for i, year in enumerate(YEARS):
        t = i / (len(YEARS) - 1)
        shares = (0.05 + 0.10 * t, 0.20 - 0.12 * t, 0.10)
        for _ in range(papers_per_year):
            periods.append(year)
            rows.append([rng.random() < s for s in shares])
    return tuple(periods), theme_table(np.array(rows), ("rising", "falling", "flat"))


def test_time_axis_is_years_when_every_period_is_a_year() -> None:
    times, unit = period_times(("1990", "1995", "2019"))
    assert unit == "year" and times.tolist() == [1990.0, 1995.0, 2019.0]  # gaps count
    times, unit = period_times(("2023-24", "2025"))
    assert unit == "period" and times.tolist() == [0.0, 1.0]


def test_windows_resolve_against_the_corpus_periods() -> None:
    periods = ("1988", "1990", "1999", "2013", "2019", "2022")
    warnings: list[str] = []
    windows = resolve_windows(
        periods,
        [TrendWindowConfig(last=3), TrendWindowConfig(start="1990", end="2019"), TrendWindowConfig(start="2013", name="deep"),
         TrendWindowConfig(start="2020", end="2021")],
        warnings.append,
    )
    assert [(w.name, w.periods) for w in windows] == [
        ("last 3 periods", ("2013", "2019", "2022")),
        ("1990–2019", ("1990", "1999", "2013", "2019")),
        ("deep", ("2013", "2019", "2022")),
    ]
    assert warnings == [
        "trends -> windows -> 3 (2020–2021) holds 0 period(s) of the corpus; a trend needs at least 2, so it was left out"
    ]


def test_window_with_start_after_end_is_an_error() -> None:
    with pytest.raises(UserError, match=r"trends -> windows -> 0: start \(2019\) comes after end \(2013\); swap them"):
        resolve_windows(("2013", "2019"), [TrendWindowConfig(start="2019", end="2013")], [].append)


def test_one_period_corpus_has_no_window_and_no_warning() -> None:
    warnings: list[str] = []
    assert resolve_windows(("2025",), [TrendWindowConfig(last=10)], warnings.append) == ()
    assert warnings == []


def test_planted_trends_are_found_and_flat_is_stable() -> None:
    periods, table = planted_corpus()
    trends = build_trends(TrendInputs(periods), table, None, TrendsConfig(), [].append)
    assert trends.time_unit == "year" and trends.periods == YEARS
    tests = trends.tests.set_index("id")
    assert tests.loc["rising", "trend"] == "emerging"
    assert tests.loc["falling", "trend"] == "declining"
    assert tests.loc["flat", "trend"] == "no clear trend"
    # planted slopes: +10 points over 9 years = +0.0111 a year; -12 over 9 = -0.0133
    assert tests.loc["rising", "slope"] == pytest.approx(0.0111, rel=0.3)
    assert tests.loc["falling", "slope"] == pytest.approx(-0.0133, rel=0.3)
    assert (tests["slope_low"] <= tests["slope"]).all() and (tests["slope"] <= tests["slope_high"]).all()
    assert UNASSIGNED not in tests.index  # unassigned papers are shown but not tested
    assert (tests["q_value"] >= tests["p_value"]).all()
    # shares and their Wilson intervals per period
    frame = trends.frame
    assert list(frame.columns) == ["period", "theme", "papers", "count", "share", "share_low", "share_high"]
    assert ((frame["share_low"] <= frame["share"]) & (frame["share"] <= frame["share_high"])).all()
    assert set(frame["papers"]) == {400}


def test_tests_cover_topics_and_are_corrected_together() -> None:
    periods, table = planted_corpus(papers_per_year=100)
    rng = np.random.default_rng(1)
    doc_topic = rng.dirichlet(np.ones(3), size=len(periods))
    lda = TopicResult(
        backend="lda", topic_terms=((("a", 1.0),),) * 3, doc_topic=doc_topic, doc_ids=table.doc_ids,
        coords=np.zeros((3, 2)), labels=("t0", "t1", "t2"), ids=(5, 6, 7),
    )
    trends = build_trends(TrendInputs(periods), table, lda, TrendsConfig(), [].append)
    tests = trends.tests
    assert sorted(tests["kind"].unique()) == ["theme", "topic"]
    assert sorted(tests.loc[tests["kind"] == "topic", "id"]) == ["5", "6", "7"]  # the topics' own ids
    # Benjamini-Hochberg over all six: the largest p keeps its value, the rest are at least their p
    ordered = tests.sort_values("p_value")
    assert ordered["q_value"].iloc[-1] == pytest.approx(ordered["p_value"].iloc[-1])
    topic_frame = trends.topic_frame
    assert list(topic_frame.columns) == [
        "period", "topic", "label", "papers", "count", "share", "share_low", "share_high", "weight",
    ]
    first_year = topic_frame[topic_frame["period"] == YEARS[0]]
    in_year = np.array([p == YEARS[0] for p in periods])
    dominant = doc_topic[in_year].argmax(axis=1)
    assert first_year["count"].tolist() == [int((dominant == k).sum()) for k in range(3)]
    assert first_year["weight"].tolist() == pytest.approx(doc_topic[in_year].mean(axis=0), abs=1e-6)


def test_normalising_by_venue_removes_a_composition_effect() -> None:
    """Venue A writes on the theme 30% of the time, venue B 5%, every year; B grows from 10% to 90% of the
    corpus. The raw share falls, the share within venues does not."""
    rng = np.random.default_rng(3)
    periods, venues, rows = [], [], []
    for i, year in enumerate(YEARS):
        b_share = 0.1 + 0.8 * i / (len(YEARS) - 1)
        for _ in range(500):
            venue = "B" if rng.random() < b_share else "A"
            periods.append(year)
            venues.append(venue)
            rows.append([rng.random() < (0.05 if venue == "B" else 0.30)])
    table = theme_table(np.array(rows), ("theme",))
    trends = build_trends(
        TrendInputs(tuple(periods), tuple(venues)), table, None, TrendsConfig(normalize_by="venue"), [].append
    )
    assert trends.normalize_by == "venue"
    tests = trends.tests.set_index(["basis", "id"])
    assert tests.loc[(RAW, "theme"), "trend"] == "declining"
    assert tests.loc[(NORMALIZED, "theme"), "trend"] == "no clear trend"
    theme_rows = trends.frame[trends.frame["theme"] == "theme"]
    raw, normalized = theme_rows["share"].to_numpy(), theme_rows["share_normalized"].to_numpy()
    assert raw[0] - raw[-1] > 0.15  # the raw share falls by about 20 points
    assert abs(normalized[0] - normalized[-1]) < 0.06  # the normalised one stays about flat
    assert (theme_rows["share_normalized_low"] <= theme_rows["share_normalized"]).all()


def test_trends_csv_carries_the_first_window_trend_of_each_theme() -> None:
    periods, table = planted_corpus()
    config = TrendsConfig(windows=(TrendWindowConfig(start="2012", end="2019", name="main"), TrendWindowConfig(last=3)))
    trends = build_trends(TrendInputs(periods), table, None, config, [].append)
    frame = trends_frame(trends)
    assert list(frame.columns[-len(TREND_COLUMNS):]) == list(TREND_COLUMNS)
    main = trends.tests[(trends.tests["window"] == "main")].set_index("id")
    for theme in ("rising", "falling", "flat"):
        rows = frame[frame["theme"] == theme]
        assert set(rows["trend"]) == {main.loc[theme, "trend"]}
        assert set(rows["slope"]) == {main.loc[theme, "slope"]}
        assert set(rows["trend_window"]) == {"main"}
    assert set(frame.loc[frame["theme"] == UNASSIGNED, "trend"]) == {""}


def test_comparison_periods() -> None:
    assert comparison_periods(["2025", "2023-24", "2025"], TrendsConfig()) == ("2023-24", "2025")
    assert comparison_periods(["2019", "2020", "2021"], TrendsConfig()) is None
    assert comparison_periods(["2019", "2020", "2021"], TrendsConfig(compare=("2019", "2021"))) == ("2019", "2021")
    with pytest.raises(UserError, match=r"trends -> compare: period '2018' is not in the corpus \(its periods: 2019, 2020\)"):
        comparison_periods(["2019", "2020"], TrendsConfig(compare=("2018", "2020")))


def test_flat_themes_are_rarely_called_trends() -> None:
    """200 flat themes over 10 years: Benjamini-Hochberg keeps the calls (q < 0.05) at about none."""
    rng = np.random.default_rng(11)
    shares = rng.uniform(0.02, 0.3, size=200)
    periods = np.repeat(np.array(YEARS), 300)
    assigned = rng.random((len(periods), 200)) < shares
    table = theme_table(assigned, tuple(f"t{i}" for i in range(200)))
    trends = build_trends(TrendInputs(tuple(periods)), table, None, TrendsConfig(), [].append)
    raw_rate = float((trends.tests["p_value"] < 0.05).mean())
    called = float((trends.tests["trend"] != "no clear trend").mean())
    print(f"flat themes: {raw_rate:.1%} with p < 0.05, {called:.1%} called emerging or declining (BH q < 0.05)")
    assert raw_rate <= 0.10
    assert called <= 0.02
    assert isinstance(trends.tests, pd.DataFrame)
