"""Thematic evolution: balanced slices, inclusion-index links on a toy, unlinked nodes kept."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from topics.views import ViewInputs, ViewSettings, compute_views
from topics.views.evolution import time_slices


def test_slices_hold_about_equal_papers_and_never_split_a_period() -> None:
    periods = ("a", "b", "c", "d", "e", "f")
    assert time_slices(periods, [10] * 6, 3) == [("a", "b"), ("c", "d"), ("e", "f")]
    assert time_slices(periods, [100, 1, 1, 1, 1, 100], 3) == [("a",), ("b", "c", "d", "e"), ("f",)]
    # a period without papers joins the slice before it; fewer slices than asked when few periods have papers
    assert time_slices(periods, [0, 5, 0, 0, 5, 0], 3) == [("a", "b", "c", "d"), ("e", "f")]
    assert time_slices(periods, [0] * 6, 3) == []


def _toy() -> ViewInputs:
    """Two periods; theme A keeps t0, t1 and swaps t2, t3 for t4, t5; theme B changes all its terms."""
    terms = [f"t{i}" for i in range(10)] + ["bg0", "bg1"]
    rows, periods, themes = [], [], []
    plan = {("2020", "A"): [0, 1, 2, 3], ("2021", "A"): [0, 1, 4, 5], ("2020", "B"): [6, 7], ("2021", "B"): [8, 9]}
    for (period, theme), columns in plan.items():
        for _ in range(3):
            row = np.zeros(len(terms))
            row[columns] = 1
            rows.append(row)
            periods.append(period)
            themes.append([theme == "A", theme == "B"])
    for period in ("2020", "2021"):
        for k in range(6):
            row = np.zeros(len(terms))
            row[10 + k % 2] = 1
            rows.append(row)
            periods.append(period)
            themes.append([False, False])
    return ViewInputs(
        doc_term=sparse.csr_matrix(np.array(rows)), terms=terms, periods=periods, period_order=("2020", "2021"),
        theme_ids=("a", "b"), theme_labels=("A", "B"), theme_assigned=np.array(themes),
    )


def test_links_carry_the_inclusion_index_and_unlinked_nodes_are_kept() -> None:
    views = compute_views(_toy(), ViewSettings(map_terms=4))
    evolution = views.evolution
    assert evolution is not None
    assert evolution.slices == ("2020", "2021")
    nodes = evolution.nodes.set_index("node")
    assert list(nodes.index) == ["0:theme:a", "0:theme:b", "1:theme:a", "1:theme:b"]
    assert nodes.loc["0:theme:a", "terms"] == "t0; t1; t2; t3"
    assert nodes.loc["1:theme:a", "terms"] == "t0; t1; t4; t5"
    links = evolution.links
    assert len(links) == 1
    link = links.iloc[0]
    assert (link["source"], link["target"]) == ("0:theme:a", "1:theme:a")
    assert link["inclusion"] == 0.5  # 2 shared of min(4, 4)
    assert link["shared_terms"] == "t0; t1"
    assert nodes["linked"].to_dict() == {"0:theme:a": True, "0:theme:b": False, "1:theme:a": True, "1:theme:b": False}


def test_the_floor_drops_weak_links() -> None:
    views = compute_views(_toy(), ViewSettings(map_terms=4, min_inclusion=0.6))
    assert views.evolution is not None
    assert views.evolution.links.empty
    assert not views.evolution.nodes["linked"].any()
