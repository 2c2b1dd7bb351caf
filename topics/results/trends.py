"""Result types of the trends: shares per period, trend tests, topic terms over time and two-period comparisons."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from topics.results.themes import ThemeProfiles

#: Directions a trend test gives a theme or topic.
EMERGING, DECLINING, STABLE = "emerging", "declining", "no clear trend"

#: Bases of shares and trend tests: the raw share, and the share normalised for the corpus's mix of groups
#: (``trends.normalize_by``).
RAW, NORMALIZED = "raw", "normalized"

THEME, TOPIC = "theme", "topic"

#: A theme whose share moved by at least this much (a fraction: 5 percentage points) is named as changed even
#: when the difference is not significant (small listings).
NOTABLE_CHANGE = 0.05

#: Verdicts of the venue-mix check of a trend call (topics.trends.mix_check): the call stands, is withheld
#: because the within-venue test makes another, or is withheld because venue and period cannot be separated.
AGREES, DISAGREES, NOT_SEPARABLE = "agrees", "disagrees", "not separable"


@dataclass(frozen=True)
class MixChange:
    """How much the mix of ``field`` (``"venue"``/``"source"``) changes over one window's periods.

    ``dissimilarity`` in ``[0, 1]``: the share of a period's papers that would have to move to another group for
    the period to have the window's mix, averaged over the periods weighted by papers; ``venues`` the groups whose
    share moved most, each as ``(name, share in the first third of the window's papers, share in the last
    third)``; ``checked`` whether the calls of this window were checked within groups.
    """

    window: str
    field: str
    dissimilarity: float
    venues: tuple[tuple[str, float, float], ...]
    checked: bool

    def describe(self) -> str:
        """One sentence: ``"the venue mix changes across 2016-2025 (dissimilarity 0.62; CVPR 30% -> 0%, ...)"``."""
        moved = ", ".join(f"{name} {start:.0%} → {end:.0%}" for name, start, end in self.venues)
        return f"the {self.field} mix changes across {self.window} (dissimilarity {self.dissimilarity:.2f}; {moved})"


@dataclass(frozen=True)
class TrendWindow:
    """The periods one trend test spans: ``name`` (e.g. ``"last 10 periods"`` or ``"2013-2019"``) and its
    periods in chronological order."""

    name: str
    periods: tuple[str, ...]

@dataclass(frozen=True)
class SnapshotComparison:
    """Two periods compared (e.g. two listings of an institute's publication page).

    Attributes:
        before, after: the two period labels.
        frame: one row per theme and LDA topic: ``kind`` (``"theme"``/``"topic"``), ``id`` (theme id or topic
            id as text), ``label``, ``count_before``, ``papers_before``, ``share_before``, ``count_after``,
            ``papers_after``, ``share_after``, ``change`` (``share_after - share_before``, a fraction),
            ``change_low``/``change_high`` (Newcombe interval of the difference), ``p_value`` (two-sided Fisher
            exact test), ``q_value`` (Benjamini-Hochberg over the rows), ``status`` (``"new"``, ``"gone"``,
            ``"grew"``, ``"shrank"`` or ``"stable"``); sorted by ``change``, largest rise first.
        authors: the most productive authors of each theme in each period: ``theme``, ``period``, ``rank``
            (1-based), ``author``, ``papers`` (papers with the theme), ``status`` (``"new"`` when the author has
            no paper with the theme in ``before``, ``"left"`` when none in ``after``, else ``"both"``).
    """

    before: str
    after: str
    frame: pd.DataFrame
    authors: pd.DataFrame

    def changed_rows(self, kind: str = THEME, min_change: float = NOTABLE_CHANGE) -> pd.DataFrame:
        """The rows of ``kind`` that changed between the two periods: new, gone, grew or shrank (significant), or
        moved by at least ``min_change`` in share; largest absolute change first. ``significant`` says whether
        the status comes from the test (grew/shrank)."""
        frame = self.frame
        rows = frame[frame["kind"] == kind]
        notable = rows[(rows["status"] != "stable") | (rows["change"].abs() >= min_change)]
        notable = notable.assign(significant=notable["status"].isin(["grew", "shrank"]))
        return notable.reindex(notable["change"].abs().sort_values(ascending=False, kind="mergesort").index)

@dataclass(frozen=True)
class TopicTermsOverTime:
    """Per-period top terms of each LDA topic, from the fitted model's per-paper topic weights (no refit).

    ``frame`` has one row per (topic, bin, rank): ``topic`` (topic id), ``label``, ``bin`` (a period or a range
    of consecutive periods such as ``"1987-1995"``), ``rank`` (1-based), ``term``, ``weight`` (expected count
    of the term's occurrences attributed to the topic in the bin) and ``lift`` (the term's share of the topic's
    words in the bin over its share in the whole topic). ``bins`` lists the bins in chronological order.
    """

    frame: pd.DataFrame
    bins: tuple[str, ...]

@dataclass(frozen=True)
class TrendTable:
    """Shares per period with intervals, and trend tests over windows of periods.

    Attributes:
        frame: one row per (period, theme) with ``period`` (str), ``theme`` (theme id, including
            :data:`UNASSIGNED`), ``papers`` (papers in the period), ``count`` (papers carrying the theme),
            ``share`` (``count / papers``, in ``[0, 1]``), ``share_low``/``share_high`` (Wilson interval at
            ``confidence``); with ``normalize_by`` also ``share_normalized`` and its ``share_normalized_low`` /
            ``share_normalized_high``.
        periods: the periods in chronological order.
        topic_frame: the same per (period, LDA topic): ``period``, ``topic`` (topic id), ``label``, ``papers``,
            ``count`` (papers whose dominant topic it is), ``share``, ``share_low``, ``share_high``, ``weight``
            (mean topic weight of the period's papers); ``None`` when LDA did not run.
        tests: one row per (window, basis, kind, id): ``window`` (name), ``basis`` (:data:`RAW` or
            :data:`NORMALIZED`), ``kind`` (``"theme"``/``"topic"``), ``id``, ``label``, ``start``/``end``
            (first and last period), ``periods``, ``count``, ``papers``, ``share_start``/``share_end`` (the
            fitted share at the window's ends), ``slope`` (change in share per ``time_unit`` at the window's
            mean share, a fraction: 0.004 is +0.4 points a year), ``slope_low``/``slope_high`` (its interval),
            ``odds_ratio`` (per ``time_unit``), ``p_value``, ``q_value`` (Benjamini-Hochberg within the window
            and basis), ``trend`` (:data:`EMERGING`, :data:`DECLINING` or :data:`STABLE` at ``alpha``, withheld to
            :data:`STABLE` where the venue-mix check disagrees), ``raw_trend`` (the call before the check),
            ``mix_check`` (:data:`AGREES`, :data:`DISAGREES`, :data:`NOT_SEPARABLE`, or ``""`` when the window's
            mix was not checked), ``mix_trend``/``mix_slope`` (the within-venue call and slope).
            Sorted by window, basis, then slope (largest rise first).
        windows: the windows tested.
        time_unit: ``"year"`` when every period is a year (slopes are per year, gaps count), else ``"period"``.
        confidence: of every interval (0.95).
        alpha: the false discovery rate below which a trend is called emerging or declining.
        normalize_by: the paper field shares were normalised within (``"venue"``, ``"source"``), or ``None``.
        comparison: two periods compared, when the corpus has two (or ``trends.compare`` names two).
        topic_terms: per-period top terms of each LDA topic, ``None`` when LDA did not run.
        profiles: top authors per theme, and venues' theme profiles.
        mix_changes: per window, how much the venue (or source) mix changes across its periods and whether its
            calls were checked within venues (see ``tests``' ``mix_check``); empty with a single venue.
    """

    frame: pd.DataFrame
    periods: tuple[str, ...]
    topic_frame: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None
    windows: tuple[TrendWindow, ...] = ()
    time_unit: str = "period"
    confidence: float = 0.95
    alpha: float = 0.05
    normalize_by: str | None = None
    comparison: SnapshotComparison | None = None
    topic_terms: TopicTermsOverTime | None = None
    profiles: ThemeProfiles | None = None
    mix_changes: tuple[MixChange, ...] = ()

    def withheld_calls(self, window: str) -> pd.DataFrame:
        """The raw tests of ``window`` whose emerging/declining call the venue-mix check withheld (``trend`` is
        :data:`STABLE`, ``raw_trend`` the call before the check), in ``tests`` order; empty when none."""
        tests = self.tests
        if tests is None or "raw_trend" not in tests:
            return pd.DataFrame()
        rows = tests[(tests["window"] == window) & (tests["basis"] == RAW)]
        return rows[(rows["raw_trend"] != STABLE) & (rows["trend"] == STABLE) & (rows["mix_check"] != "")]

    def checked_mix(self, window: str) -> MixChange | None:
        """The mix change of ``window`` when its calls were checked against the venue (or source) mix."""
        return next((c for c in self.mix_changes if c.window == window and c.checked), None)
