"""Two periods compared: how each theme's and topic's share changed, and who wrote on each theme.

Meant for two listings of the same publication page (e.g. an institute's 2019 and 2024 pages): every theme and
LDA topic gets its share in both periods, the change with Newcombe's interval, a two-sided Fisher exact test
and a Benjamini-Hochberg q-value over all rows, and a status (see :func:`change_status`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from topics.results import THEME, TOPIC, SnapshotComparison
from topics.trends.profiles import author_key
from topics.trends.stats import benjamini_hochberg, difference_interval, fisher_p_value

#: Columns of :attr:`SnapshotComparison.frame`, in order.
FRAME_COLUMNS = (
    "kind", "id", "label", "count_before", "papers_before", "share_before", "count_after", "papers_after",
    "share_after", "change", "change_low", "change_high", "p_value", "q_value", "status",
)
#: Columns of :attr:`SnapshotComparison.authors`, in order.
AUTHOR_COLUMNS = ("theme", "period", "rank", "author", "papers", "status")



NEW, GONE, GREW, SHRANK, STABLE = "new", "gone", "grew", "shrank", "stable"
AUTHOR_NEW, AUTHOR_LEFT, AUTHOR_BOTH = "new", "left", "both"


@dataclass(frozen=True)
class _Row:
    """One theme or topic to compare: ``members`` marks its papers, shape ``(n_docs,)`` bool."""

    kind: str
    id: str
    label: str
    members: np.ndarray


def compare_snapshots(
    before: str,
    after: str,
    periods: Sequence[str],
    theme_ids: Sequence[str],
    theme_labels: Sequence[str],
    assigned: np.ndarray,
    topic_ids: Sequence[int] | None,
    topic_labels: Sequence[str] | None,
    dominant_topic: np.ndarray | None,
    authors: Sequence[Sequence[str]],
    top_authors: int = 10,
    confidence: float = 0.95,
    alpha: float = 0.05,
) -> SnapshotComparison:
    """Compare the papers of period ``before`` with those of period ``after``.

    Args:
        before: the label of the period compared from; must occur in ``periods``.
        after: the label of the period compared to; must occur in ``periods``.
        periods: each paper's period, length ``n_docs``.
        theme_ids: the theme ids, one per column of ``assigned``.
        theme_labels: the theme labels, one per column of ``assigned``.
        assigned: shape ``(n_docs, n_themes)``, bool, the themes each paper carries.
        topic_ids: the LDA topics' ids (``None`` when LDA did not run).
        topic_labels: the LDA topics' labels (``None`` when LDA did not run); when ``None`` or empty, the ids.
        dominant_topic: shape ``(n_docs,)``, each paper's dominant topic as an index into ``topic_ids``.
        authors: each paper's author names.
        top_authors: how many authors to list per theme and period.
        confidence: of the change intervals.
        alpha: q-value below which a change counts as ``"grew"``/``"shrank"``.

    Returns:
        The comparison; see :class:`topics.results.SnapshotComparison` for the columns.
    """
    period_arr = np.asarray(list(periods), dtype=object)
    assigned_arr = np.asarray(assigned, dtype=bool)
    _check_inputs(before, after, period_arr, theme_ids, theme_labels, assigned_arr, authors)
    in_before, in_after = period_arr == before, period_arr == after
    rows = _theme_rows(theme_ids, theme_labels, assigned_arr) + _topic_rows(
        topic_ids, topic_labels, dominant_topic, period_arr.size
    )
    frame = _change_frame(rows, in_before, in_after, confidence, alpha)
    author_frame = _author_frame(theme_ids, assigned_arr, authors, before, after, in_before, in_after, top_authors)
    return SnapshotComparison(before=before, after=after, frame=frame, authors=author_frame)


def change_status(count_before: int, count_after: int, change: float, q_value: float, alpha: float) -> str:
    """``"new"`` (absent before, present after), ``"gone"`` (the reverse), ``"grew"``/``"shrank"`` when
    ``q_value < alpha`` (by the sign of ``change``), else ``"stable"``."""
    if count_before == 0 and count_after > 0:
        return NEW
    if count_after == 0 and count_before > 0:
        return GONE
    if q_value < alpha and change != 0:
        return GREW if change > 0 else SHRANK
    return STABLE


def _check_inputs(
    before: str,
    after: str,
    periods: np.ndarray,
    theme_ids: Sequence[str],
    theme_labels: Sequence[str],
    assigned: np.ndarray,
    authors: Sequence[Sequence[str]],
) -> None:
    present = set(periods.tolist())
    missing = [period for period in (before, after) if period not in present]
    if missing:
        raise ValueError(f"period(s) {', '.join(map(repr, missing))} not among the corpus's periods")
    if assigned.shape != (periods.size, len(theme_ids)) or len(theme_labels) != len(theme_ids):
        raise ValueError(
            f"assigned must have shape (n_docs, n_themes) = ({periods.size}, {len(theme_ids)}) with one label per "
            f"theme; got {assigned.shape} and {len(theme_labels)} labels"
        )
    if len(authors) != periods.size:
        raise ValueError(f"authors has {len(authors)} rows for {periods.size} papers")


def _theme_rows(theme_ids: Sequence[str], theme_labels: Sequence[str], assigned: np.ndarray) -> list[_Row]:
    pairs = enumerate(zip(theme_ids, theme_labels))
    return [_Row(THEME, str(tid), str(label), assigned[:, j]) for j, (tid, label) in pairs]


def _topic_rows(
    topic_ids: Sequence[int] | None, topic_labels: Sequence[str] | None, dominant_topic: np.ndarray | None, n_docs: int
) -> list[_Row]:
    if topic_ids is None or dominant_topic is None:
        return []
    dominant = np.asarray(dominant_topic, dtype=int).reshape(-1)
    if dominant.size != n_docs:
        raise ValueError(f"dominant_topic has {dominant.size} entries for {n_docs} papers")
    labels = list(topic_labels) if topic_labels else [str(t) for t in topic_ids]  # none or empty: the ids
    if len(labels) != len(topic_ids):
        raise ValueError(f"{len(labels)} topic labels for {len(topic_ids)} topics")
    return [_Row(TOPIC, str(tid), str(label), dominant == k) for k, (tid, label) in enumerate(zip(topic_ids, labels))]


def _change_frame(
    rows: list[_Row], in_before: np.ndarray, in_after: np.ndarray, confidence: float, alpha: float
) -> pd.DataFrame:
    """One row per theme/topic with counts, shares, change, interval, tests and status; largest rise first."""
    if not rows:
        return pd.DataFrame(columns=list(FRAME_COLUMNS))
    papers_before, papers_after = int(in_before.sum()), int(in_after.sum())
    count_before = np.array([int((row.members & in_before).sum()) for row in rows])
    count_after = np.array([int((row.members & in_after).sum()) for row in rows])
    change, low, high = difference_interval(count_before, papers_before, count_after, papers_after, confidence)
    p_values = np.array(
        [fisher_p_value(cb, papers_before, ca, papers_after) for cb, ca in zip(count_before, count_after)]
    )
    q_values = benjamini_hochberg(p_values)
    frame = pd.DataFrame(
        {
            "kind": [row.kind for row in rows],
            "id": [row.id for row in rows],
            "label": [row.label for row in rows],
            "count_before": count_before,
            "papers_before": papers_before,
            "share_before": count_before / papers_before,
            "count_after": count_after,
            "papers_after": papers_after,
            "share_after": count_after / papers_after,
            "change": change,
            "change_low": low,
            "change_high": high,
            "p_value": p_values,
            "q_value": q_values,
        }
    )
    frame["status"] = [
        change_status(cb, ca, d, q, alpha) for cb, ca, d, q in zip(count_before, count_after, change, q_values)
    ]
    for column in ("share_before", "share_after", "change", "change_low", "change_high"):
        frame[column] = frame[column].astype(float).round(6)
    for column in ("p_value", "q_value"):
        frame[column] = [float(f"{v:.4g}") for v in frame[column].astype(float)]
    ordered = frame.sort_values("change", ascending=False, kind="mergesort").reset_index(drop=True)
    return ordered.loc[:, list(FRAME_COLUMNS)]


def _author_frame(
    theme_ids: Sequence[str],
    assigned: np.ndarray,
    authors: Sequence[Sequence[str]],
    before: str,
    after: str,
    in_before: np.ndarray,
    in_after: np.ndarray,
    top_authors: int,
) -> pd.DataFrame:
    """The ``top_authors`` most productive authors of each theme in each period, with their status."""
    paper_keys, display = _author_keys(authors)
    records: list[dict[str, object]] = []
    for j, theme in enumerate(theme_ids):
        tally_before = _tally(paper_keys, assigned[:, j] & in_before)
        tally_after = _tally(paper_keys, assigned[:, j] & in_after)
        for period, tally in ((before, tally_before), (after, tally_after)):
            for rank, (key, papers) in enumerate(_ranked(tally, display, top_authors), start=1):
                records.append(
                    {"theme": str(theme), "period": period, "rank": rank, "author": display[key], "papers": papers,
                     "status": _author_status(key, tally_before, tally_after)}
                )
    return pd.DataFrame(records, columns=list(AUTHOR_COLUMNS))


def _author_keys(authors: Sequence[Sequence[str]]) -> tuple[list[set[str]], dict[str, str]]:
    """Each paper's distinct author keys, and each key's name as first written (outer whitespace stripped)."""
    display: dict[str, str] = {}
    paper_keys: list[set[str]] = []
    for names in authors:
        keys: set[str] = set()
        for name in names:
            key = author_key(str(name))
            if key:
                display.setdefault(key, str(name).strip())
                keys.add(key)
        paper_keys.append(keys)
    return paper_keys, display


def _tally(paper_keys: list[set[str]], selected: np.ndarray) -> dict[str, int]:
    """Papers per author key among the ``selected`` papers (shape ``(n_docs,)`` bool)."""
    tally: dict[str, int] = {}
    for row in np.flatnonzero(selected):
        for key in paper_keys[row]:
            tally[key] = tally.get(key, 0) + 1
    return tally


def _ranked(tally: dict[str, int], display: dict[str, str], limit: int) -> list[tuple[str, int]]:
    """The ``limit`` keys with most papers, ties broken by name."""
    ordered = sorted(tally.items(), key=lambda item: (-item[1], item[0], display[item[0]]))
    return ordered[: max(0, limit)]


def _author_status(key: str, tally_before: dict[str, int], tally_after: dict[str, int]) -> str:
    if key not in tally_before:
        return AUTHOR_NEW
    if key not in tally_after:
        return AUTHOR_LEFT
    return AUTHOR_BOTH




