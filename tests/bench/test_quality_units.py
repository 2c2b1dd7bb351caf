"""The quality benchmark's pure parts: topic diversity, class scores and its Markdown table."""

from __future__ import annotations

import numpy as np
import pytest

from bench.quality import diversity, scores, table


def test_diversity_is_the_share_of_distinct_top_words() -> None:
    assert diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert diversity([["a", "b"], ["a", "c"]]) == pytest.approx(3 / 4)
    assert diversity([["a", "b", "c"], ["a", "b", "c"]], top=2) == pytest.approx(2 / 4)  # only the first two count
    assert diversity([]) == 0.0


def test_scores_against_classes() -> None:
    perfect = scores(np.array([0, 0, 1, 1]), ["x", "x", "y", "y"])
    assert perfect == {"nmi": pytest.approx(1.0), "ari": pytest.approx(1.0)}
    assert scores(np.array([0, 1, 0, 1]), ["x", "x", "y", "y"])["nmi"] == pytest.approx(0.0)
    assert scores(np.array([0, 1]), None) == {"nmi": None, "ari": None}


def test_table_means_over_seeds_and_shows_missing_as_a_dash() -> None:
    rows = [
        {"corpus": "BBC", "seed": 42, "model": "ours: LDA", "papers": 2095, "k": 5, "nmi": 0.6, "ari": 0.5,
         "npmi": 0.05, "diversity": 0.8, "largest_share": 0.3, "seconds": 2.0},
        {"corpus": "BBC", "seed": 43, "model": "ours: LDA", "papers": 2095, "k": 5, "nmi": 0.8, "ari": 0.7,
         "npmi": 0.07, "diversity": 0.9, "largest_share": 0.5, "seconds": 4.0},
        {"corpus": "listings", "seed": 42, "model": "ours: LDA", "papers": 23, "k": 11, "nmi": None, "ari": None,
         "npmi": -0.1, "diversity": 0.5, "largest_share": 0.2, "seconds": 0.1},
    ]
    lines = table(rows).splitlines()
    assert lines[0] == "Mean over seeds 42, 43."
    assert lines[4] == "| BBC | ours: LDA | 2,095 | 5 | 0.700 | 0.600 | 0.0600 | 0.85 | 0.40 | 3.00 |"
    assert lines[5] == "| listings | ours: LDA | 23 | 11 | – | – | -0.1000 | 0.50 | 0.20 | 0.10 |"
