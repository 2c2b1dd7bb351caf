"""Tests of topics.trends.snapshot.compare_snapshots on small hand-built corpora."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from topics.trends.snapshot import AUTHOR_COLUMNS, FRAME_COLUMNS, compare_snapshots
from topics.trends.stats import difference_interval

THEMES = ("rl", "nlp", "vision", "graphs")
LABELS = ("Reinforcement learning", "Language", "Vision", "Graphs")
# papers 0-4 in 2019, 5-10 in 2024, 11 in 2021 (in neither period compared)
PERIODS = ["2019"] * 5 + ["2024"] * 6 + ["2021"]
THEME_PAPERS = {
    "rl": [0, 1, 5, 6, 7, 8, 9, 11],
    "nlp": [2, 3],
    "vision": [10],
    "graphs": [0, 5],
}
DOMINANT_TOPIC = np.array([0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0])  # indices into TOPIC_IDS
TOPIC_IDS = (7, 3)
TOPIC_LABELS = ("topic seven", "topic three")
AUTHORS = [
    ["Ada Lovelace", "Alan Turing"],
    [" ada  lovelace ", "Grace Hopper"],
    ["Claude Shannon"],
    ["Claude Shannon", "Alan Turing"],
    ["Edsger Dijkstra"],
    ["ADA LOVELACE", "Barbara Liskov"],
    ["Barbara Liskov"],
    ["Barbara Liskov", "alan turing"],
    ["Donald Knuth"],
    ["Donald Knuth", "Donald  Knuth"],  # listed twice on one paper: counts once
    ["Fei-Fei Li"],
    ["Ada Lovelace", "Someone Else"],
]


def assigned_matrix() -> np.ndarray:
    assigned = np.zeros((len(PERIODS), len(THEMES)), dtype=bool)
    for j, theme in enumerate(THEMES):
        assigned[THEME_PAPERS[theme], j] = True
    return assigned


def compare(**overrides: object):  # noqa: ANN201 - the SnapshotComparison
    arguments: dict[str, object] = dict(
        before="2019", after="2024", periods=PERIODS, theme_ids=THEMES, theme_labels=LABELS,
        assigned=assigned_matrix(), topic_ids=TOPIC_IDS, topic_labels=TOPIC_LABELS, dominant_topic=DOMINANT_TOPIC,
        authors=AUTHORS, top_authors=3,
    )
    arguments.update(overrides)
    return compare_snapshots(**arguments)  # type: ignore[arg-type]


def test_frame_counts_shares_order_and_status() -> None:
    comparison = compare()
    frame = comparison.frame
    assert (comparison.before, comparison.after) == ("2019", "2024")
    assert tuple(frame.columns) == FRAME_COLUMNS
    assert list(zip(frame["kind"], frame["id"])) == [
        ("theme", "rl"), ("theme", "vision"), ("topic", "3"), ("theme", "graphs"), ("topic", "7"), ("theme", "nlp"),
    ]
    by_id = frame.set_index("id")
    expected_counts = {"rl": (2, 5), "vision": (0, 1), "3": (2, 3), "graphs": (1, 1), "7": (3, 3), "nlp": (2, 0)}
    for row_id, (before, after) in expected_counts.items():
        row = by_id.loc[row_id]
        assert (row["count_before"], row["count_after"]) == (before, after)
        assert (row["papers_before"], row["papers_after"]) == (5, 6)
        # shares and changes are rounded to 6 decimals, p- and q-values to 4 significant digits
        assert row["share_before"] == round(before / 5, 6)
        assert row["share_after"] == round(after / 6, 6)
        assert row["change"] == pytest.approx(after / 6 - before / 5, abs=1e-6)
    assert by_id.loc["rl", "label"] == "Reinforcement learning" and by_id.loc["3", "label"] == "topic three"
    assert by_id["status"].to_dict() == {
        "rl": "stable", "vision": "new", "3": "stable", "graphs": "stable", "7": "stable", "nlp": "gone",
    }


def test_frame_tests_and_intervals() -> None:
    frame = compare().frame
    expected_p = [
        stats.fisher_exact([[b, 5 - b], [a, 6 - a]]).pvalue
        for b, a in zip(frame["count_before"], frame["count_after"])
    ]
    np.testing.assert_allclose(frame["p_value"], expected_p, rtol=1e-3)
    np.testing.assert_allclose(frame["q_value"], multipletests(expected_p, method="fdr_bh")[1], rtol=1e-3)
    _, low, high = difference_interval(frame["count_before"], 5, frame["count_after"], 6)
    np.testing.assert_allclose(frame["change_low"], low, atol=1e-6)
    np.testing.assert_allclose(frame["change_high"], high, atol=1e-6)
    assert (frame["change_low"] <= frame["change"]).all() and (frame["change"] <= frame["change_high"]).all()


def test_authors_ranked_with_status() -> None:
    authors = compare().authors
    assert tuple(authors.columns) == AUTHOR_COLUMNS
    rl = authors[authors["theme"] == "rl"]
    assert rl[["period", "rank", "author", "papers", "status"]].values.tolist() == [
        ["2019", 1, "Ada Lovelace", 2, "both"],
        ["2019", 2, "Alan Turing", 1, "both"],  # "alan turing" in 2024 is the same author
        ["2019", 3, "Grace Hopper", 1, "left"],
        ["2024", 1, "Barbara Liskov", 3, "new"],
        ["2024", 2, "Donald Knuth", 2, "new"],
        ["2024", 3, "Ada Lovelace", 1, "both"],  # ties with Alan Turing at 1 paper, "ada" < "alan"
    ]
    nlp = authors[authors["theme"] == "nlp"]
    assert nlp[["period", "rank", "author", "papers", "status"]].values.tolist() == [
        ["2019", 1, "Claude Shannon", 2, "left"],
        ["2019", 2, "Alan Turing", 1, "left"],
    ]
    vision = authors[authors["theme"] == "vision"]
    assert vision[["period", "author", "status"]].values.tolist() == [["2024", "Fei-Fei Li", "new"]]
    assert "Someone Else" not in set(authors["author"])  # only in 2021


def test_authors_respect_top_authors() -> None:
    authors = compare(top_authors=10).authors
    rl_after = authors[(authors["theme"] == "rl") & (authors["period"] == "2024")]
    assert rl_after["author"].tolist() == ["Barbara Liskov", "Donald Knuth", "Ada Lovelace", "Alan Turing"]
    assert compare(top_authors=0).authors.empty


def test_without_topics_only_themes() -> None:
    frame = compare(topic_ids=None, topic_labels=None, dominant_topic=None).frame
    assert set(frame["kind"]) == {"theme"} and len(frame) == len(THEMES)


def test_topic_labels_default_to_ids() -> None:
    for labels in (None, ()):
        frame = compare(topic_labels=labels).frame
        assert frame.set_index("id").loc["7", "label"] == "7"


def test_significant_changes_grow_and_shrink() -> None:
    n = 100
    periods = ["A"] * n + ["B"] * n
    assigned = np.zeros((2 * n, 3), dtype=bool)
    assigned[:10, 0] = True  # 10% -> 50%
    assigned[n : n + 50, 0] = True
    assigned[:40, 1] = True  # 40% -> 5%
    assigned[n : n + 5, 1] = True
    assigned[:20, 2] = True  # 20% -> 22%
    assigned[n : n + 22, 2] = True
    comparison = compare_snapshots(
        "A", "B", periods, ["up", "down", "flat"], ["Up", "Down", "Flat"], assigned, None, None, None,
        [[f"author {i % 7}"] for i in range(2 * n)],
    )
    status = comparison.frame.set_index("id")["status"].to_dict()
    assert status == {"up": "grew", "down": "shrank", "flat": "stable"}
    assert comparison.frame["id"].tolist() == ["up", "flat", "down"]


def test_unknown_period_raises() -> None:
    with pytest.raises(ValueError, match="2030"):
        compare(after="2030")
    with pytest.raises(ValueError, match="assigned"):
        compare(assigned=assigned_matrix()[:, :2])


def test_frames_are_dataframes_even_when_empty() -> None:
    comparison = compare_snapshots(
        "x", "y", ["x", "y"], [], [], np.zeros((2, 0), dtype=bool), None, None, None, [[], []]
    )
    assert isinstance(comparison.frame, pd.DataFrame) and comparison.frame.empty
    assert tuple(comparison.frame.columns) == FRAME_COLUMNS
    assert tuple(comparison.authors.columns) == AUTHOR_COLUMNS
