"""Trends: per period, each theme's and LDA topic's count and share with an interval; over windows of periods,
a trend test per theme and topic (binomial GLM slope, Benjamini-Hochberg across them); optionally the same
normalised for the corpus's mix of venues or sources; two periods compared; top authors and venues per theme.

The statistics live in :mod:`topics.trends.stats`; this module shapes the corpus into counts and the results
into the frames of :class:`~topics.results.TrendTable`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from preprocessing.errors import UserError
from topics.config import TrendsConfig, TrendWindowConfig
from topics.results import (
    NORMALIZED,
    RAW,
    UNASSIGNED,
    MixChange,
    SnapshotComparison,
    ThemeProfiles,
    ThemeTable,
    TopicResult,
    TopicTermsOverTime,
    TrendTable,
    TrendWindow,
)
from topics.trends.mix_check import check_calls, mix_change
from topics.trends.stats import benjamini_hochberg, classify_trend, fit_trend, standardized_shares, wilson_interval

#: Columns of ``TrendTable.tests``.
TEST_COLUMNS = (
    "window", "basis", "kind", "id", "label", "start", "end", "periods", "count", "papers", "share_start",
    "share_end", "slope", "slope_low", "slope_high", "odds_ratio", "p_value", "q_value", "trend",
)
#: Columns the venue-mix check adds to ``TrendTable.tests`` (topics.trends.mix_check.check_calls).
MIX_COLUMNS = ("raw_trend", "mix_check", "mix_trend", "mix_slope")
#: Group of papers whose ``normalize_by`` field is empty.
NO_GROUP = "(none)"
_YEAR = re.compile(r"^\d{4}$")


def period_sort_key(period: str) -> tuple[tuple[int, int | str], ...]:
    """Order periods naturally: ``"2023-24" < "2025" < "2025b"``, numbers before words."""
    parts = re.findall(r"\d+|\D+", period)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def order_periods(periods: Iterable[str]) -> tuple[str, ...]:
    """Distinct periods in chronological (natural) order."""
    return tuple(sorted(set(periods), key=period_sort_key))


def period_times(periods: Sequence[str]) -> tuple[np.ndarray, str]:
    """The time axis of trend tests: the years themselves when every period is a year (so gaps count), else
    0, 1, 2, ... in chronological order. Returns ``(times, unit)`` with unit ``"year"`` or ``"period"``."""
    if periods and all(_YEAR.match(p) for p in periods):
        return np.array([int(p) for p in periods], dtype=float), "year"
    return np.arange(len(periods), dtype=float), "period"


# ------------------------------------------------------------------------------------------------- windows


def resolve_windows(
    periods: Sequence[str], windows: Sequence[TrendWindowConfig], warn: Callable[[str], None]
) -> tuple[TrendWindow, ...]:
    """The configured windows over the corpus's chronological ``periods``; a window holding fewer than two
    periods is left out with a warning (passed to ``warn``) naming its config key. Raises :class:`UserError` when
    a window's start comes after its end."""
    resolved: list[TrendWindow] = []
    for i, window in enumerate(windows):
        key = f"trends -> windows -> {i}"
        if window.last is not None:
            members = tuple(periods[-window.last:])
            default = f"last {window.last} periods"  # not "years": years without papers are no periods
        else:
            if (
                window.start is not None
                and window.end is not None
                and period_sort_key(window.start) > period_sort_key(window.end)
            ):
                raise UserError(f"{key}: start ({window.start}) comes after end ({window.end}); swap them")
            low = period_sort_key(window.start) if window.start is not None else None
            high = period_sort_key(window.end) if window.end is not None else None
            members = tuple(
                p for p in periods
                if (low is None or period_sort_key(p) >= low) and (high is None or period_sort_key(p) <= high)
            )
            default = (
                f"{window.start or periods[0] if periods else '?'}–"
                f"{window.end or (periods[-1] if periods else '?')}"
            )
        if len(members) < 2:
            if len(periods) >= 2 or window.last is None:
                warn(
                    f"{key} ({window.name or default}) holds {len(members)} period(s) of the corpus; a trend needs at "
                    "least 2, so it was left out"
                )
            continue
        resolved.append(TrendWindow(name=window.name or default, periods=members))
    return tuple(resolved)


# ------------------------------------------------------------------------------------------ counts per period


@dataclass(frozen=True)
class PeriodCounts:
    """Counts of one family of series (themes, or topics) per period, and per (period, group).

    ``counts`` has shape ``(n_periods, n_series)``, ``totals`` ``(n_periods,)`` papers per period;
    ``cell_counts`` ``(n_periods, n_groups, n_series)`` and ``cell_totals`` ``(n_periods, n_groups)`` split them
    by the ``normalize_by`` group (``None`` without one); ``group_weights`` ``(n_groups,)`` is each group's
    share of the corpus.
    """

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    counts: np.ndarray
    totals: np.ndarray
    cell_counts: np.ndarray | None = None
    cell_totals: np.ndarray | None = None
    group_weights: np.ndarray | None = None


def count_by_period(
    members: np.ndarray,
    ids: Sequence[str],
    labels: Sequence[str],
    period_index: np.ndarray,
    n_periods: int,
    group_index: np.ndarray | None = None,
    n_groups: int = 0,
) -> PeriodCounts:
    """Counts of a ``(n_docs, n_series)`` bool membership matrix per period (``period_index`` ints in
    ``[0, n_periods)`` per paper), and per (period, group) when ``group_index`` is given."""
    members = np.asarray(members, dtype=np.int64)
    counts = np.zeros((n_periods, members.shape[1]), dtype=np.int64)
    np.add.at(counts, period_index, members)
    totals = np.bincount(period_index, minlength=n_periods).astype(np.int64)
    cell_counts = cell_totals = weights = None
    if group_index is not None:
        cell_counts = np.zeros((n_periods, n_groups, members.shape[1]), dtype=np.int64)
        np.add.at(cell_counts, (period_index, group_index), members)
        cell_totals = np.zeros((n_periods, n_groups), dtype=np.int64)
        np.add.at(cell_totals, (period_index, group_index), 1)
        weights = np.bincount(group_index, minlength=n_groups) / max(len(group_index), 1)
    return PeriodCounts(tuple(ids), tuple(labels), counts, totals, cell_counts, cell_totals, weights)


def share_frame(counts: PeriodCounts, periods: Sequence[str], id_column: str, confidence: float) -> pd.DataFrame:
    """Long frame of ``period, <id_column>, papers, count, share, share_low, share_high`` (+ the normalised
    share and interval when the counts carry groups), periods in order, series in order within each."""
    n_periods, n_series = counts.counts.shape
    totals = np.repeat(counts.totals[:, None], n_series, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, counts.counts / np.maximum(totals, 1), 0.0)
    low, high = wilson_interval(counts.counts, totals, confidence)
    data: dict[str, object] = {
        "period": np.repeat(np.asarray(periods, dtype=object), n_series),
        id_column: np.tile(np.asarray(counts.ids, dtype=object), n_periods),
        "papers": totals.ravel(),
        "count": counts.counts.ravel(),
        "share": np.round(share.ravel(), 6),
        "share_low": np.round(np.nan_to_num(np.asarray(low, dtype=float).ravel(), nan=0.0), 6),
        "share_high": np.round(np.nan_to_num(np.asarray(high, dtype=float).ravel(), nan=0.0), 6),
    }
    if counts.cell_counts is not None and counts.cell_totals is not None and counts.group_weights is not None:
        normalized = np.zeros((n_periods, n_series))
        norm_low = np.zeros((n_periods, n_series))
        norm_high = np.zeros((n_periods, n_series))
        for s in range(n_series):
            normalized[:, s], norm_low[:, s], norm_high[:, s] = standardized_shares(
                counts.cell_counts[:, :, s], counts.cell_totals, counts.group_weights, confidence
            )
        data["share_normalized"] = np.round(normalized.ravel(), 6)
        data["share_normalized_low"] = np.round(norm_low.ravel(), 6)
        data["share_normalized_high"] = np.round(norm_high.ravel(), 6)
    return pd.DataFrame(data)


# --------------------------------------------------------------------------------------------- trend tests


def _test_rows(
    counts: PeriodCounts, kind: str, window: TrendWindow, period_pos: dict[str, int], times: np.ndarray,
    basis: str, confidence: float,
) -> list[dict[str, object]]:
    rows_idx = np.array([period_pos[p] for p in window.periods])
    window_times = times[rows_idx]
    out: list[dict[str, object]] = []
    for s, (series_id, label) in enumerate(zip(counts.ids, counts.labels)):
        if counts.counts[rows_idx, s].sum() == 0:
            continue  # a theme with no paper in the window has no trend to test (and would dilute the correction)
        if basis == NORMALIZED:
            assert counts.cell_counts is not None and counts.cell_totals is not None
            n_groups = counts.cell_totals.shape[1]
            fit = fit_trend(
                counts.cell_counts[rows_idx, :, s].ravel(),
                counts.cell_totals[rows_idx].ravel(),
                np.repeat(window_times, n_groups),
                groups=np.tile(np.arange(n_groups), len(rows_idx)),
                confidence=confidence,
            )
        else:
            fit = fit_trend(counts.counts[rows_idx, s], counts.totals[rows_idx], window_times, confidence=confidence)
        out.append({
            "window": window.name, "basis": basis, "kind": kind, "id": series_id, "label": label,
            "start": window.periods[0], "end": window.periods[-1], "periods": len(window.periods),
            "count": int(counts.counts[rows_idx, s].sum()), "papers": int(counts.totals[rows_idx].sum()),
            "share_start": fit.share_start, "share_end": fit.share_end, "slope": fit.slope,
            "slope_low": fit.slope_low, "slope_high": fit.slope_high, "odds_ratio": fit.odds_ratio,
            "p_value": fit.p_value,
        })
    return out


def trend_tests(
    families: Sequence[tuple[str, PeriodCounts]],
    periods: Sequence[str],
    windows: Sequence[TrendWindow],
    confidence: float,
    alpha: float,
    normalized: bool,
    bases: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """One test per window, basis, and series of every family (``("theme", counts)``, ``("topic", counts)``)
    that has at least one paper in the window; q-values are Benjamini-Hochberg over all the series of a window
    and basis, so many themes and topics do not inflate the number of false discoveries. ``bases`` limits the
    bases tested (default: raw, and normalised when ``normalized``). Columns: :data:`TEST_COLUMNS`."""
    times, _ = period_times(periods)
    period_pos = {p: i for i, p in enumerate(periods)}
    bases = bases or ((RAW, NORMALIZED) if normalized else (RAW,))
    frames = []
    for window in windows:
        for basis in bases:
            rows: list[dict[str, object]] = []
            for kind, counts in families:
                rows.extend(_test_rows(counts, kind, window, period_pos, times, basis, confidence))
            if not rows:
                continue
            frame = pd.DataFrame(rows)
            frame["q_value"] = benjamini_hochberg(frame["p_value"].to_numpy(dtype=float))
            frame["trend"] = [classify_trend(s, q, alpha) for s, q in zip(frame["slope"], frame["q_value"])]
            frames.append(frame.sort_values("slope", ascending=False, kind="stable"))
    if not frames:
        return pd.DataFrame(columns=list(TEST_COLUMNS))
    tests = pd.concat(frames, ignore_index=True)[list(TEST_COLUMNS)]
    for column in ("share_start", "share_end", "slope", "slope_low", "slope_high", "odds_ratio"):
        tests[column] = tests[column].astype(float).round(6)
    for column in ("p_value", "q_value"):
        tests[column] = tests[column].astype(float).map(lambda v: float(f"{v:.4g}") if np.isfinite(v) else v)
    return tests


# ------------------------------------------------------------------------------------------------ assembly


@dataclass(frozen=True)
class TrendInputs:
    """What trends are computed from, aligned with the corpus's papers: ``periods`` (one label per paper),
    ``groups`` (the ``normalize_by`` field per paper, or ``None``), ``mix`` (the venue, or source, per paper
    whose mix the calls are checked against: :mod:`topics.trends.mix_check`)."""

    periods: tuple[str, ...]
    groups: tuple[str, ...] | None = None
    #: the field whose mix is checked (``"venue"``, ``"source"``) and its value per paper, or ``None``
    mix_field: str = ""
    mix: tuple[str, ...] | None = None


def period_theme_counts(
    table: ThemeTable, period_index: np.ndarray, n_periods: int, group_index: np.ndarray | None, n_groups: int
) -> PeriodCounts:
    """Counts of every theme and of unassigned papers (last) per period."""
    unassigned = ~table.assigned.any(axis=1)
    members = np.column_stack([table.assigned, unassigned])
    labels = (*[t.label for t in table.themes], "Unassigned")
    return count_by_period(
        members, (*table.theme_ids, UNASSIGNED), labels, period_index, n_periods, group_index, n_groups
    )


def topic_counts(
    lda: TopicResult, period_index: np.ndarray, n_periods: int, group_index: np.ndarray | None, n_groups: int
) -> PeriodCounts:
    """Counts of papers per dominant LDA topic and period; ids are the topics' user-facing ids as text."""
    members = np.zeros((len(lda.doc_ids), lda.n_topics), dtype=bool)
    members[np.arange(len(lda.doc_ids)), lda.assignments] = True
    ids = tuple(str(lda.topic_id(k)) for k in range(lda.n_topics))
    labels = tuple(lda.labels) if lda.labels else tuple(f"Topic {i}" for i in ids)
    return count_by_period(members, ids, labels, period_index, n_periods, group_index, n_groups)


def _without_unassigned(counts: PeriodCounts) -> PeriodCounts:
    keep = [i for i, series in enumerate(counts.ids) if series != UNASSIGNED]
    return PeriodCounts(
        tuple(counts.ids[i] for i in keep), tuple(counts.labels[i] for i in keep), counts.counts[:, keep],
        counts.totals,
        None if counts.cell_counts is None else counts.cell_counts[:, :, keep],
        counts.cell_totals, counts.group_weights,
    )


def build_trends(
    inputs: TrendInputs,
    table: ThemeTable,
    lda: TopicResult | None,
    config: TrendsConfig,
    warn: Callable[[str], None],
    comparison: SnapshotComparison | None = None,
    topic_terms: TopicTermsOverTime | None = None,
    profiles: ThemeProfiles | None = None,
) -> TrendTable:
    """Shares with intervals per period for themes (and LDA topics), and the trend tests of every window;
    ``warn`` receives the user-facing warnings (a window left out)."""
    periods = order_periods(inputs.periods)
    position = {p: i for i, p in enumerate(periods)}
    period_index = np.array([position[p] for p in inputs.periods], dtype=np.int64)
    group_index = None
    n_groups = 0
    if inputs.groups is not None:
        names = sorted({g or NO_GROUP for g in inputs.groups})
        lookup = {g: i for i, g in enumerate(names)}
        group_index = np.array([lookup[g or NO_GROUP] for g in inputs.groups], dtype=np.int64)
        n_groups = len(names)
    themes = period_theme_counts(table, period_index, len(periods), group_index, n_groups)
    frame = share_frame(themes, periods, "theme", config.confidence)
    families: list[tuple[str, PeriodCounts]] = [("theme", _without_unassigned(themes))]
    topic_frame = None
    if lda is not None:
        grouped = topic_counts(lda, period_index, len(periods), group_index, n_groups)
        topics = replace(grouped, cell_counts=None, cell_totals=None, group_weights=None)  # raw shares only
        topic_frame = share_frame(topics, periods, "topic", config.confidence)
        topic_frame.insert(2, "label", np.tile(np.asarray(topics.labels, dtype=object), len(periods)))
        weights = np.zeros((len(periods), lda.n_topics))
        np.add.at(weights, period_index, lda.doc_topic)
        weights /= np.maximum(themes.totals, 1)[:, None]
        topic_frame["weight"] = np.round(weights.ravel(), 6)
        families.append(("topic", grouped))
    windows = resolve_windows(periods, config.windows, warn)
    tests = trend_tests(families, periods, windows, config.confidence, config.fdr, inputs.groups is not None)
    tests, changes = _checked_against_mix(inputs, table, lda, tests, periods, period_index, windows, config)
    _, unit = period_times(periods)
    return TrendTable(
        frame=frame,
        periods=periods,
        topic_frame=topic_frame,
        tests=tests,
        windows=windows,
        time_unit=unit,
        confidence=config.confidence,
        alpha=config.fdr,
        normalize_by=config.normalize_by if inputs.groups is not None else None,
        comparison=comparison,
        topic_terms=topic_terms,
        profiles=profiles,
        mix_changes=changes,
    )


def _checked_against_mix(
    inputs: TrendInputs, table: ThemeTable, lda: TopicResult | None, tests: pd.DataFrame, periods: tuple[str, ...],
    period_index: np.ndarray, windows: Sequence[TrendWindow], config: TrendsConfig,
) -> tuple[pd.DataFrame, tuple[MixChange, ...]]:
    """``tests`` with :data:`MIX_COLUMNS` (its raw rows checked within the mix groups, the others unchecked)
    and the mix change of each window; unchanged (empty columns, no changes) without two or more groups."""
    if inputs.mix is None or len({m for m in inputs.mix if m}) < 2 or not len(tests):
        return tests.assign(raw_trend=tests["trend"], mix_check="", mix_trend="", mix_slope=np.nan), ()
    names = tuple(sorted({m or NO_GROUP for m in inputs.mix}))
    lookup = {g: i for i, g in enumerate(names)}
    group_index = np.array([lookup[m or NO_GROUP] for m in inputs.mix], dtype=np.int64)
    themes = _without_unassigned(period_theme_counts(table, period_index, len(periods), group_index, len(names)))
    families: list[tuple[str, PeriodCounts]] = [("theme", themes)]
    if lda is not None:
        families.append(("topic", topic_counts(lda, period_index, len(periods), group_index, len(names))))
    if inputs.groups == inputs.mix:  # normalize_by is the mix field: its normalised tests are the check
        within = tests[tests["basis"] == NORMALIZED]
    else:
        within = trend_tests(families, periods, windows, config.confidence, config.fdr, True, bases=(NORMALIZED,))
    position = {p: i for i, p in enumerate(periods)}
    assert themes.cell_totals is not None
    changes = tuple(
        mix_change(themes.cell_totals, names, w, np.array([position[p] for p in w.periods]), inputs.mix_field)
        for w in windows
    )
    raw = check_calls(tests[tests["basis"] == RAW], within, {c.window: c for c in changes})
    rest = tests[tests["basis"] != RAW].assign(raw_trend=lambda f: f["trend"], mix_check="", mix_trend="",
                                               mix_slope=np.nan)
    return pd.concat([raw, rest]).sort_index(kind="stable"), changes


def comparison_periods(periods: Sequence[str], config: TrendsConfig) -> tuple[str, str] | None:
    """The two periods to compare: ``trends.compare`` (checked against the corpus: :class:`UserError` naming
    the key when a period is absent), else the two periods of a two-period corpus, else ``None``."""
    ordered = order_periods(periods)
    if config.compare is not None:
        for period in config.compare:
            if period not in ordered:
                shown = ", ".join(ordered[:10]) + (", ..." if len(ordered) > 10 else "")
                raise UserError(f"trends -> compare: period {period!r} is not in the corpus (its periods: {shown})")
        return config.compare[0], config.compare[1]
    if len(ordered) == 2:
        return ordered[0], ordered[1]
    return None
