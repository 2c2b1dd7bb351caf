"""The trends section of the report: shares over time with intervals, trend tests per window, topics over
time, who writes on each theme, and the two-period comparison. Built from ``RunResult.trends`` only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import pandas as pd

from reports import figures
from reports.escape import shorten
from reports.figures.themes import theme_labels
from reports.page import Section
from reports.table import Cell, TableData
from topics.results import (
    DECLINING,
    EMERGING,
    NORMALIZED,
    NOT_SEPARABLE,
    RAW,
    STABLE,
    MixChange,
    RunResult,
    SnapshotComparison,
    TrendTable,
    TrendWindow,
)

#: Characters of a label kept in trend tables.
LABEL_CHARS = 60
#: Rows of the emerging/declining table per window (the CSV keeps every row).
MAX_TEST_ROWS = 40


def trends_section(run: RunResult) -> Section | None:
    """Every trend part that has data; ``None`` for a corpus without periods."""
    trends = run.trends
    if not trends.periods or not len(trends.frame):
        return None
    if len(trends.periods) == 2 and trends.comparison is not None:
        parts = [*comparison_parts(run), *profile_parts(run)]  # two periods: a comparison, not a trend chart
    else:
        parts = [
            *share_parts(run),
            *test_parts(trends),
            *topic_parts(trends),
            *comparison_parts(run),
            *profile_parts(run),
        ]
    n = len(trends.periods)
    caption = (
        f"{n} period{'s' if n != 1 else ''} ({trends.periods[0]} to {trends.periods[-1]}). Shares are of each "
        f"period's papers, with {trends.confidence:.0%} Wilson intervals: a period with few papers shows a wide "
        "band, not a confident jump."
    )
    if len(trends.periods) == 2 and trends.comparison is not None:
        caption += " With two periods there is no trend to fit: the two are compared below."
    elif trends.windows:
        caption += (
            f" Trends are tested over {_join(w.name for w in trends.windows)} with a binomial GLM "
            f"(quasi-binomial when the shares vary more than binomial noise), and "
            f"{0 if trends.tests is None else len(trends.tests)} tests are "
            f"corrected together for false discoveries (Benjamini-Hochberg, q < {trends.alpha:g})."
        )
    return Section(id="trends", title="Trends", caption=caption, parts=tuple(parts))


def share_parts(run: RunResult) -> tuple[Section, ...]:
    """Theme shares per period with bands (raw beside normalised when ``normalize_by`` is set), and the
    composition of theme assignments as a stacked area."""
    trends, themes = run.trends, run.themes
    if trends.normalize_by is not None and "share_normalized" in trends.frame.columns:
        shares = Section(
            id="trends-shares",
            title="Theme shares over time: raw and normalised",
            figure=figures.raw_vs_normalized_figure(trends, themes),
            caption=(
                f"Left: each period's share of papers carrying the theme. Right: the same share computed within each "
                f"{trends.normalize_by} and combined with fixed weights "
                f"(each {trends.normalize_by}'s share of the whole "
                f"corpus, over the {trends.normalize_by}s present in the period), so a change in the corpus's mix of "
                f"{trends.normalize_by}s does not move it. Where the two panels disagree, the raw movement is a "
                f"composition effect. The menu picks which themes are drawn (five at a time, or one)."
            ),
        )
    else:
        shares = Section(
            id="trends-shares",
            title="Theme shares over time",
            figure=figures.theme_share_bands_figure(trends, themes),
            caption=f"Share of each period's papers carrying the theme (observed), with its {trends.confidence:.0%} "
            "interval: one panel per theme on shared axes, so a wide band marks a period with few papers; "
            "unassigned papers on their own scale.",
        )
    area = Section(
        id="trends-composition",
        title="Composition of theme assignments",
        figure=figures.theme_area_figure(trends, themes),
        caption="Each period's theme assignments (a paper with two themes counts twice; unassigned papers once) "
        "stacked to 100%: how the mix of themes shifts.",
    )
    return (shares, area)


def test_parts(trends: TrendTable) -> tuple[Section, ...]:
    """Per window: a forest plot of the slopes and the emerging/declining table."""
    tests = trends.tests
    if tests is None or not len(tests):
        return ()
    parts = []
    for i, window in enumerate(trends.windows):
        rows = tests[(tests["window"] == window.name) & (tests["basis"] == RAW)]
        if not len(rows):
            continue
        n_emerging = int((rows["trend"] == EMERGING).sum())
        n_declining = int((rows["trend"] == DECLINING).sum())
        change = trends.checked_mix(window.name)
        parts.append(
            Section(
                id=f"trends-window-{i}",
                title=f"Emerging and declining: {window.name}",
                figure=figures.trend_effects_figure(trends, window.name, RAW),
                caption=_window_caption(trends, window, n_emerging, n_declining, len(rows)),
                table=test_table(trends, window),
                notes=(_mix_note(change, trends.withheld_calls(window.name)),) if change is not None else (),
            )
        )
    return tuple(parts)


def _window_caption(trends: TrendTable, window: TrendWindow, emerging: int, declining: int, total: int) -> str:
    unit = trends.time_unit
    text = (
        f"{window.periods[0]} to {window.periods[-1]} ({len(window.periods)} periods): {emerging} emerging, "
        f"{declining} declining, {total - emerging - declining} with no clear trend, of {total} themes and topics. "
        "The slope is "
        f"the change in share in percentage points per {unit} at the window's mean share, from a logistic "
        f"regression of each period's count on time with the period's papers as exposure; bars are "
        f"{trends.confidence:.0%} intervals. A trend is called emerging or declining when its Benjamini-Hochberg "
        f"q-value is below {trends.alpha:g}, so among all the trends called, about {trends.alpha:.0%} are expected to "
        "be false."
    )
    if trends.normalize_by is not None:
        text += (
            f" The table gives the slope normalised by {trends.normalize_by} beside the raw one (a GLM with one "
            f"intercept per {trends.normalize_by})."
        )
    if total > MAX_TEST_ROWS:
        text += f" The table lists the {MAX_TEST_ROWS} strongest; trend_tests.csv has every row."
    return text


def _mix_note(change: MixChange, withheld: pd.DataFrame) -> str:
    """The venue-mix warning of a checked window, naming the calls it withheld."""
    field = change.field
    text = (
        f"Warning: {change.describe()}. A theme that lives in a {field} entering or leaving the corpus rises or "
        f"falls with it, so every call was tested again within {field}s (one intercept per {field}) and kept only "
        f"when that test makes the same call."
    )
    if len(withheld):
        names = _join(shorten(str(r.label), LABEL_CHARS) + f" ({r.raw_trend} overall)" for r in withheld.itertuples())
        text += f" Withheld: {names}; the table shows them as no clear trend, with the call within {field}s."
    else:
        text += " Every call held."
    return text


def _trend_words(row: Any, field: str) -> str:
    """The table's trend cell: the call, or "No clear trend", with the withheld call and why."""
    if row.trend != STABLE:
        return str(row.trend)
    if getattr(row, "raw_trend", STABLE) != STABLE and getattr(row, "mix_check", ""):
        why = f"{field} and period cannot be separated" if row.mix_check == NOT_SEPARABLE else (
            f"not so within {field}s"
        )
        return f"No clear trend ({row.raw_trend} overall, withheld: {why})"
    return "No clear trend"


def test_table(trends: TrendTable, window: TrendWindow) -> TableData:
    """Rows of one window: emerging (largest rise first), declining (largest fall first), then stable (largest
    slope first); raw slope with
    its interval, fitted shares at the window's ends, p and q; normalised slope and trend beside them when set."""
    tests = trends.tests if trends.tests is not None else pd.DataFrame()
    raw = tests[(tests["window"] == window.name) & (tests["basis"] == RAW)]
    normalized = tests[(tests["window"] == window.name) & (tests["basis"] == NORMALIZED)].set_index(["kind", "id"])
    raw = pd.concat([
        raw[raw["trend"] == EMERGING].sort_values("slope", ascending=False),
        raw[raw["trend"] == DECLINING].sort_values("slope"),
        raw[~raw["trend"].isin([EMERGING, DECLINING])].assign(_size=-raw["slope"].abs()).sort_values("_size"),
    ]).head(MAX_TEST_ROWS)
    columns = ["Kind", "Theme or topic", "Trend", "Slope (points)", "Interval", f"Fitted share {window.periods[0]}",
               f"Fitted share {window.periods[-1]}", "p", "q"]
    with_norm = len(normalized) > 0
    if with_norm:
        columns += [f"Slope normalised by {trends.normalize_by}", "Interval (normalised)", "Trend (normalised)"]
    change = trends.checked_mix(window.name)
    if change is not None:
        columns += [f"Slope within {change.field}s", f"Trend within {change.field}s"]
    rows: list[tuple[Cell, ...]] = []
    for row in raw.itertuples(index=False):
        label = row.label if row.kind == "theme" else f"Topic {row.id}: {row.label}"
        cells: list[Cell] = [
            row.kind, shorten(str(label), LABEL_CHARS), _trend_words(row, change.field if change else "venue"),
            _points(row.slope),
            f"[{_points(row.slope_low)}, {_points(row.slope_high)}]", f"{row.share_start:.1%}", f"{row.share_end:.1%}",
            _p(row.p_value), _p(row.q_value),
        ]
        if with_norm:
            key = (row.kind, row.id)
            if key in normalized.index:
                other = normalized.loc[key]
                cells += [
                    _points(other["slope"]), f"[{_points(other['slope_low'])}, {_points(other['slope_high'])}]",
                    other["trend"],
                ]
            else:
                cells += ["", "", ""]
        if change is not None:
            separable = row.mix_check not in ("", NOT_SEPARABLE)
            cells += [
                _points(row.mix_slope) if separable else "",
                (str(row.mix_trend) if row.mix_trend != STABLE else "No clear trend") if separable
                else ("not separable" if row.mix_check == NOT_SEPARABLE else ""),
            ]
        rows.append(tuple(cells))
    return TableData(tuple(columns), tuple(rows))


def topic_parts(trends: TrendTable) -> tuple[Section, ...]:
    """The topic-by-period heatmap and each topic's top terms per period bin."""
    parts = []
    if trends.topic_frame is not None and len(trends.topic_frame):
        parts.append(
            Section(
                id="trends-topics",
                title="LDA topics over time",
                figure=figures.topic_period_heatmap(trends),
                caption="Share of each period's papers whose dominant LDA topic is the row's topic; hover for "
                "counts and intervals.",
            )
        )
    drift = trends.topic_terms
    if drift is not None and len(drift.frame):
        frame = drift.frame
        rows: list[tuple[Cell, ...]] = []
        for topic, group in frame.groupby("topic", sort=False):
            label = str(group["label"].iloc[0])
            cells: list[Cell] = [f"{topic}: {shorten(label, 40)}"]
            for bin_label in drift.bins:
                terms = group[group["bin"] == bin_label].sort_values("rank")["term"].head(5)
                cells.append(", ".join(terms))
            rows.append(tuple(cells))
        parts.append(
            Section(
                id="trends-topic-terms",
                title="Topic vocabulary over time",
                caption="Each topic's five heaviest terms per period bin, from the fitted model: every word of a "
                "paper is attributed to the topics in proportion to the paper's topic weights and the topics' "
                "term probabilities, and summed over the bin's papers (no refit per period). Consecutive periods "
                "are merged into bins of similar size; topics_over_time.csv has more terms and their lift.",
                table=TableData(("Topic", *drift.bins), tuple(rows)),
            )
        )
    return tuple(parts)


def comparison_parts(run: RunResult) -> tuple[Section, ...]:
    """The two-period comparison: changes with intervals, what is new or gone, and authors per theme."""
    comparison = run.trends.comparison
    if comparison is None:
        return ()
    before, after = comparison.before, comparison.after
    absent = comparison.frame[(comparison.frame["count_before"] == 0) & (comparison.frame["count_after"] == 0)]
    frame = comparison.frame.drop(index=absent.index)
    shown = replace(comparison, frame=frame)
    parts = [
        Section(
            id="trends-comparison",
            title=f"{before} against {after}",
            figure=figures.snapshot_change_figure(shown),
            caption=_comparison_caption(shown, run.trends.alpha, len(absent)),
            table=TableData(
                ("Kind", "Theme or topic", "Change", before, after, "Difference (points)", "Interval", "q"),
                _comparison_rows(frame),
            ),
        )
    ]
    if len(comparison.authors):
        parts.append(_comparison_author_part(run, comparison))
    return tuple(parts)


def _comparison_caption(shown: SnapshotComparison, alpha: float, n_absent: int) -> str:
    """The comparison's caption: papers per period, the themes and topics that changed, and how many rows with
    no paper in either period (``n_absent``) are left out of ``shown``."""
    before, after, frame = shown.before, shown.after, shown.frame
    named = "; ".join(
        f"{shorten(str(r.label), 40)} {_status_words(r.status)}{_points(r.change)} points "
        f"({r.count_before} → {r.count_after} papers"
        f"{'' if r.significant or r.status in ('new', 'gone') else ', not significant'})"
        for r in shown.changed_rows().itertuples(index=False)
    )
    return (
        f"Each theme's and topic's share of the papers in {before} ({int(frame['papers_before'].iloc[0]):,} "
        f"papers) and in {after} ({int(frame['papers_after'].iloc[0]):,}). Themes that changed: "
        f"{named or 'none'}. Grew or shrank: the difference is significant after Benjamini-Hochberg "
        f"correction (Fisher's exact test, q < {alpha:g}); new: no paper in {before}; gone: none "
        f"in {after}. Intervals are Newcombe's for a difference of two proportions."
        + (f" Not shown: {n_absent} with no paper in either period." if n_absent else "")
    )


def _comparison_rows(frame: pd.DataFrame) -> tuple[tuple[Cell, ...], ...]:
    """One row per theme or topic of the comparison: kind, label, status, counts and shares in both periods,
    the difference in points with its interval, and q."""
    rows: list[tuple[Cell, ...]] = []
    for r in frame.itertuples(index=False):
        label = r.label if r.kind == "theme" else f"Topic {r.id}: {r.label}"
        rows.append((
            r.kind, shorten(str(label), LABEL_CHARS), r.status,
            f"{r.count_before} of {r.papers_before} ({r.share_before:.1%})",
            f"{r.count_after} of {r.papers_after} ({r.share_after:.1%})", _points(r.change),
            f"[{_points(r.change_low)}, {_points(r.change_high)}]", _p(r.q_value),
        ))
    return tuple(rows)


def _comparison_author_part(run: RunResult, comparison: SnapshotComparison) -> Section:
    """The most productive authors of each theme in each of the two periods, new authors marked."""
    before, after = comparison.before, comparison.after
    authors = comparison.authors
    labels = theme_labels(run.themes)
    author_rows: list[tuple[Cell, ...]] = []
    for theme in run.themes.theme_ids:
        subset = authors[authors["theme"] == theme]
        if not len(subset):
            continue
        cells: list[Cell] = [labels.get(theme, theme)]
        for period in (before, after):
            names = subset[subset["period"] == period].sort_values("rank")
            cells.append("; ".join(
                f"{a.author} ({a.papers}{', new' if a.status == 'new' else ''})"
                for a in names.itertuples(index=False)
            ) or "(none)")
        author_rows.append(tuple(cells))
    return Section(
        id="trends-comparison-authors",
        title=f"Authors per theme, {before} and {after}",
        caption=f"The most productive authors of each theme in each period, with their papers on the theme; "
        f"'new' marks an author with no paper on the theme in {before}.",
        table=TableData(("Theme", before, after), tuple(author_rows)),
    )


def profile_parts(run: RunResult) -> tuple[Section, ...]:
    """Top authors per theme over the whole corpus, and the venues' theme profiles."""
    profiles = run.trends.profiles
    if profiles is None:
        return ()
    labels = theme_labels(run.themes)
    parts = []
    authors = profiles.authors
    if len(authors):
        rows: list[tuple[Cell, ...]] = []
        for theme in run.themes.theme_ids:
            subset = authors[authors["theme"] == theme].sort_values("rank")
            if len(subset):
                rows.append((
                    labels.get(theme, theme),
                    "; ".join(f"{a.author} ({a.papers} of {a.author_papers})" for a in subset.itertuples(index=False)),
                ))
        parts.append(
            Section(
                id="trends-authors",
                title="Top authors per theme",
                caption="Authors with the most papers carrying each theme, with their papers on the theme out of "
                "all their papers in the corpus (theme_authors.csv has the table).",
                table=TableData(("Theme", "Authors (papers on the theme of all their papers)"), tuple(rows)),
            )
        )
    if len(profiles.venues):
        parts.append(
            Section(
                id="trends-venues",
                title="Theme profiles of venues",
                figure=figures.venue_profile_heatmap(profiles, run.themes),
                caption="Share of each venue's papers carrying each theme (theme_venues.csv has the counts).",
            )
        )
    return tuple(parts)


def _join(names: Iterable[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    items = list(names)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _status_words(status: str) -> str:
    """``"new, "`` / ``"gone, "`` before a change; nothing for the others (the sign says it)."""
    return f"{status}, " if status in ("new", "gone") else ""


def _points(value: float) -> str:
    """A share difference (a fraction) as signed percentage points, 2 decimals."""
    return "" if pd.isna(value) else f"{100 * float(value):+.2f}"


def _p(value: float) -> str:
    """A p- or q-value in 2 significant digits (``<0.0001`` below that)."""
    if pd.isna(value):
        return ""
    return "<0.0001" if value < 1e-4 else f"{value:.2g}"
