"""The venue-mix check of trend calls: a theme that lives in a venue joining the corpus late is not called
emerging (the warning names the venue and the call withheld), a theme that really rises within every venue keeps
its call, and venue and period that cannot be told apart withhold the call."""

from __future__ import annotations

import numpy as np

from tests.topics.test_trends import YEARS, theme_table
from topics.config import TrendsConfig, TrendWindowConfig
from topics.results import AGREES, DISAGREES, EMERGING, NOT_SEPARABLE, RAW, STABLE
from topics.trends.mix_check import mix_warning
from topics.trends.table import TrendInputs, build_trends

CONFIG = TrendsConfig(windows=(TrendWindowConfig(start="2010", end="2019"),))


def venue_corpus(seed: int = 0) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Ten years of 300 papers. Venue "Main" every year; venue "Vision" joins in 2015 with 200 papers a year.
    'vision' is 60% of Vision's papers and 5% of Main's, every year (no trend within either venue);
    'rising' goes from 5% to 25% within both venues; 'flat' is 10% everywhere."""
    rng = np.random.default_rng(seed)
    periods: list[str] = []
    venues: list[str] = []
    rows = []
    for i, year in enumerate(YEARS):
        t = i / (len(YEARS) - 1)
        plan = [("Main", 300)] + ([("Vision", 200)] if int(year) >= 2015 else [])
        for venue, n in plan:
            for _ in range(n):
                periods.append(year)
                venues.append(venue)
                vision = 0.60 if venue == "Vision" else 0.05
                rows.append([rng.random() < vision, rng.random() < 0.05 + 0.20 * t, rng.random() < 0.10])
    return tuple(periods), tuple(venues), np.array(rows)


def run_trends(periods: tuple[str, ...], venues: tuple[str, ...], assigned: np.ndarray) -> tuple:
    table = theme_table(assigned, ("vision", "rising", "flat"))
    warnings: list[str] = []
    trends = build_trends(TrendInputs(periods, None, "venue", venues), table, None, CONFIG, warnings.append)
    assert trends.tests is not None
    rows = trends.tests[trends.tests["basis"] == RAW].set_index("id")
    return trends, rows


def test_a_venue_joining_late_does_not_make_its_theme_emerging() -> None:
    periods, venues, assigned = venue_corpus()
    trends, rows = run_trends(periods, venues, assigned)
    (change,) = trends.mix_changes
    assert change.checked and change.field == "venue" and change.dissimilarity > 0.15
    assert change.venues[0][0] in {"Main", "Vision"}
    vision = rows.loc["vision"]
    assert vision["raw_trend"] == EMERGING  # overall, its share jumps when Vision joins
    assert (vision["trend"], vision["mix_check"], vision["mix_trend"]) == (STABLE, DISAGREES, STABLE)
    rising = rows.loc["rising"]
    assert (rising["trend"], rising["mix_check"], rising["mix_trend"]) == (EMERGING, AGREES, EMERGING)
    assert rows.loc["flat", "trend"] == STABLE
    message = mix_warning(change, trends)
    assert message.startswith("trends: the venue mix changes across 2010–2019 (dissimilarity ")
    assert "Vision 0% → " in message
    assert "1 call(s) withheld: Vision (emerging overall, no clear trend within venues)" in message


def test_venue_and_period_that_cannot_be_told_apart_withhold_the_call() -> None:
    """Each year is one venue (as a sample whose 2020 is all ICML, 2021 all ICLR, 2023 all NeurIPS): no venue is
    seen in two years, so nothing separates a venue's effect from time's, and no call can be made about time."""
    rng = np.random.default_rng(1)
    years = {"2014": "AAAI", "2015": "IJCAI", "2016": "KDD", "2017": "ICML", "2018": "ICLR", "2019": "NeurIPS"}
    periods = tuple(year for year in years for _ in range(400))
    venues = tuple(years[year] for year in periods)
    share = dict(zip(years.values(), (0.05, 0.08, 0.12, 0.17, 0.23, 0.30)))
    assigned = np.array([[rng.random() < share[v], rng.random() < 0.1, rng.random() < 0.1] for v in venues])
    trends, rows = run_trends(periods, venues, assigned)
    assert rows.loc["vision", "raw_trend"] == EMERGING
    assert (rows.loc["vision", "trend"], rows.loc["vision", "mix_check"]) == (STABLE, NOT_SEPARABLE)


def test_one_venue_is_not_checked() -> None:
    periods, _, assigned = venue_corpus()
    trends, rows = run_trends(periods, ("Main",) * len(periods), assigned)
    assert trends.mix_changes == ()
    assert set(rows["mix_check"]) == {""}
    assert (rows["trend"] == rows["raw_trend"]).all()


def test_the_run_summary_counts_papers_per_theme_and_names_the_calls() -> None:
    from topics.trends.summary import run_summary

    periods, venues, assigned = venue_corpus()
    trends, _ = run_trends(periods, venues, assigned)
    counts = {"vision": int(assigned[:, 0].sum()), "rising": int(assigned[:, 1].sum()), "flat": 0}
    lines = run_summary(trends, {"vision": "Vision", "rising": "Rising", "flat": "Flat"}, counts, len(periods))
    vision, rising = counts["vision"], counts["rising"]
    first = f"Vision {vision:,} ({vision / len(periods):.0%})" if vision > rising else f"Rising {rising:,}"
    assert lines[0].startswith(f"themes: {first}") and "Flat" not in lines[0]
    assert lines[1].startswith("emerging over 2010–2019: Rising +") and "Vision" not in lines[1]
    assert lines[2] == "declining over 2010–2019: none"
    assert lines[3] == "  1 call(s) withheld: the venue mix could make them; see the warning"
