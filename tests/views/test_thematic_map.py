"""Strategic diagram: Callon centrality and density against a hand computation, and the quadrant rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from topics.views.terms import Group, group_top_terms
from topics.views.thematic_map import callon_scores, equivalence_index, quadrants, thematic_map_frame

TERMS = ["a", "b", "c", "d"]
# papers x terms a, b, c, d
PAPERS = np.array([
    [1, 1, 0, 0],  # d1
    [1, 1, 0, 0],  # d2
    [1, 0, 1, 0],  # d3
    [0, 0, 1, 1],  # d4
    [0, 0, 1, 1],  # d5
    [0, 1, 0, 1],  # d6
    [1, 1, 0, 0],  # d7
])
# by hand: c_a = c_b = 4, c_c = c_d = 3; c_ab = 3, c_ac = 1, c_bd = 1, c_cd = 2, c_ad = c_bc = 0
E_AB, E_AC, E_BD, E_CD = 9 / 16, 1 / 12, 1 / 12, 4 / 9


def test_equivalence_index_matches_the_hand_computation() -> None:
    e = equivalence_index(sparse.csr_matrix(PAPERS, dtype=float))
    expected = np.zeros((4, 4))
    for (i, j), value in {(0, 1): E_AB, (0, 2): E_AC, (1, 3): E_BD, (2, 3): E_CD}.items():
        expected[i, j] = expected[j, i] = value
    assert np.allclose(e, expected)


def test_callon_centrality_and_density_match_the_hand_computation() -> None:
    e = equivalence_index(sparse.csr_matrix(PAPERS, dtype=float))
    centrality, density = callon_scores(e, [np.array([0, 1]), np.array([2, 3])])
    # centrality: 10 x the links leaving the group (a-c and b-d for both groups)
    assert centrality == pytest.approx([10 * (E_AC + E_BD), 10 * (E_AC + E_BD)])
    # density: 100 x the links inside the group / its 2 terms
    assert density == pytest.approx([100 * E_AB / 2, 100 * E_CD / 2])


def test_the_frame_takes_each_groups_top_terms_and_scores_them() -> None:
    binary = sparse.csr_matrix(PAPERS, dtype=float)
    groups = [Group("theme", "ab", "A and B", np.array([0, 1, 6])), Group("theme", "cd", "C and D", np.array([3, 4]))]
    assert sorted(group_top_terms(binary, groups[0].members, 10)) == [0, 1]
    frame = thematic_map_frame(binary, TERMS, groups, n_terms=10)
    assert list(frame["terms"]) == ["a; b", "c; d"]
    assert list(frame["papers"]) == [3, 2]
    assert frame["density"].tolist() == pytest.approx([100 * E_AB / 2, 100 * E_CD / 2], abs=1e-5)
    assert frame["centrality"].tolist() == pytest.approx([10 * (E_AC + E_BD)] * 2, abs=1e-5)
    assert list(frame["density_rank"]) == [1, 2]
    assert list(frame["quadrant"]) == ["motor", "basic"]


def test_quadrants_split_at_the_medians() -> None:
    centrality = np.array([1.0, 2.0, 3.0, 4.0])
    density = np.array([4.0, 1.0, 3.0, 2.0])
    assert quadrants(centrality, density) == ["niche", "emerging or declining", "motor", "basic"]
    # a value at the median counts as high
    assert quadrants(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])) == ["niche", "motor", "motor"]


def test_a_group_without_distinctive_terms_is_left_out() -> None:
    binary = sparse.csr_matrix(PAPERS, dtype=float)
    everything = Group("theme", "all", "All", np.arange(7))  # lift 1 for every term
    frame = thematic_map_frame(binary, TERMS, [everything], n_terms=10)
    assert frame.empty
