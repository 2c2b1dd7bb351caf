"""Theme profiles: top authors per theme and venues' theme mixes, against hand-computed tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.trends.profiles import AUTHOR_COLUMNS, VENUE_COLUMNS, author_incidence, theme_profiles

THEMES = ("rl", "vision")
#: six papers; columns: rl, vision
ASSIGNED = np.array(
    [
        [True, False],   # 0
        [True, True],    # 1
        [True, False],   # 2
        [False, True],   # 3
        [False, False],  # 4
        [True, False],   # 5
    ]
)
AUTHORS = [
    ["Ann Lee", "bob"],          # 0
    ["ann  lee", "Cara"],        # 1: Ann Lee again (case, spacing)
    ["Bob", "", "  "],           # 2: empty names ignored
    ["Cara", "Dan"],             # 3
    ["Dan", "ANN LEE"],          # 4: no theme
    [],                          # 5: no authors
]
VENUES = ["ICML", "ICML", "CVPR", "CVPR", " ICML ", ""]


def test_authors_ranked_with_ties_by_name_and_merged_case_insensitively() -> None:
    authors = theme_profiles(THEMES, ASSIGNED, AUTHORS, VENUES).authors
    assert list(authors.columns) == AUTHOR_COLUMNS
    expected = pd.DataFrame(
        [
            # rl: Ann Lee 2 of 3 papers, bob 2 of 2, Cara 1 of 2; Ann and bob tie on 2, "ann lee" < "bob"
            ("rl", 1, "Ann Lee", 2, 3, 0.6667),
            ("rl", 2, "bob", 2, 2, 1.0),
            ("rl", 3, "Cara", 1, 2, 0.5),
            # vision: Cara 2 of 2, then Ann Lee and Dan tie on 1
            ("vision", 1, "Cara", 2, 2, 1.0),
            ("vision", 2, "Ann Lee", 1, 3, 0.3333),
            ("vision", 3, "Dan", 1, 2, 0.5),
        ],
        columns=AUTHOR_COLUMNS,
    )
    pd.testing.assert_frame_equal(authors, expected, check_dtype=False)


def test_top_authors_limits_each_theme() -> None:
    authors = theme_profiles(THEMES, ASSIGNED, AUTHORS, VENUES, top_authors=1).authors
    assert list(zip(authors["theme"], authors["author"])) == [("rl", "Ann Lee"), ("vision", "Cara")]


def test_author_incidence_counts_an_author_once_per_paper() -> None:
    names, matrix = author_incidence([["X", "x ", "Y"], ["y"]])
    assert names == ["X", "Y"]
    np.testing.assert_array_equal(matrix.toarray(), [[1, 0], [1, 1]])


def test_venues_table_exact() -> None:
    venues = theme_profiles(THEMES, ASSIGNED, AUTHORS, VENUES).venues
    assert list(venues.columns) == VENUE_COLUMNS
    expected = pd.DataFrame(
        [
            # ICML: papers 0, 1, 4 (" ICML " stripped); CVPR: papers 2, 3; paper 5 has no venue
            ("ICML", "rl", 3, 2, 0.666667),
            ("ICML", "vision", 3, 1, 0.333333),
            ("CVPR", "rl", 2, 1, 0.5),
            ("CVPR", "vision", 2, 1, 0.5),
        ],
        columns=VENUE_COLUMNS,
    )
    pd.testing.assert_frame_equal(venues, expected, check_dtype=False)


def test_venues_empty_with_fewer_than_two_venues() -> None:
    venues = theme_profiles(THEMES, ASSIGNED, AUTHORS, ["ICML", "ICML", "", "icml ", "ICML", ""]).venues
    # "icml" differs from "ICML" in case: two venues; a single one gives an empty table
    assert len(venues) == 4
    single = theme_profiles(THEMES, ASSIGNED, AUTHORS, ["ICML", "", " ICML", "ICML", "", ""]).venues
    assert single.empty and list(single.columns) == VENUE_COLUMNS
    none = theme_profiles(THEMES, ASSIGNED, AUTHORS, [""] * 6).venues
    assert none.empty and list(none.columns) == VENUE_COLUMNS


def test_no_authors_at_all() -> None:
    authors = theme_profiles(THEMES, ASSIGNED, [[]] * 6, VENUES).authors
    assert authors.empty and list(authors.columns) == AUTHOR_COLUMNS


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        theme_profiles(THEMES, ASSIGNED[:, :1], AUTHORS, VENUES)
    with pytest.raises(ValueError):
        theme_profiles(THEMES, ASSIGNED, AUTHORS[:3], VENUES)
