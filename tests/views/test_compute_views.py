"""compute_views: every view on a small synthetic corpus, the notes of skipped views, input checks, CSV names."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from topics.results import ScienceViews
from topics.views import ViewInputs, ViewSettings, compute_views

PERIODS = tuple(str(2010 + i) for i in range(8))


def _inputs(periods: list[str] | None = None, with_topics: bool = True) -> ViewInputs:
    rng = np.random.default_rng(1)
    n, n_terms = 240, 40
    counts = rng.poisson(0.15, size=(n, n_terms))
    themes = np.zeros((n, 3), dtype=bool)
    for k in range(3):
        members = rng.choice(n, size=60, replace=False)
        themes[members, k] = True
        counts[np.ix_(members, range(5 * k, 5 * k + 5))] += rng.integers(0, 3, size=(60, 5))
    papers_periods = periods if periods is not None else [PERIODS[i % 8] for i in range(n)]
    counts[[i for i in range(n) if papers_periods[i] in ("2015", "2016")], 30] += 2  # a burst of t30
    return ViewInputs(
        doc_term=sparse.csr_matrix(counts), terms=[f"t{j}" for j in range(n_terms)], periods=papers_periods,
        period_order=PERIODS, theme_ids=("x", "y", "z"), theme_labels=("X", "Y", "Z"), theme_assigned=themes,
        topic_ids=("0", "1") if with_topics else (), topic_labels=("zero", "one") if with_topics else (),
        topic_dominant=rng.integers(0, 2, size=n) if with_topics else None,
    )


def test_every_view_is_computed_and_named_for_csv() -> None:
    views = compute_views(_inputs())
    assert views.notes == ()
    assert views.thematic_map is not None
    assert set(views.thematic_map.frame["kind"]) == {"theme", "topic"}
    assert views.bursts is not None
    top = views.bursts.frame.iloc[0]
    assert (top["id"], top["start"], top["end"]) == ("t30", "2015", "2016")
    assert views.coword is not None and views.evolution is not None
    assert set(views.csv_frames()) == {
        "thematic_map.csv", "thematic_evolution_nodes.csv", "thematic_evolution_links.csv", "bursts.csv",
        "coword_nodes.csv", "coword_edges.csv",
    }


def test_without_periods_there_is_no_evolution_and_no_burst_and_the_notes_say_why() -> None:
    views = compute_views(_inputs(periods=[""] * 240, with_topics=False))
    assert views.evolution is None and views.bursts is None
    assert views.thematic_map is not None and views.coword is not None
    assert any("evolution" in note for note in views.notes)
    assert any("burst" in note.lower() for note in views.notes)
    assert set(views.csv_frames()) == {"thematic_map.csv", "coword_nodes.csv", "coword_edges.csv"}


def test_an_empty_result_has_no_csv() -> None:
    assert ScienceViews().csv_frames() == {}


def test_inputs_and_settings_are_checked() -> None:
    good = _inputs()
    with pytest.raises(ValueError, match="terms"):
        ViewInputs(good.doc_term, good.terms[:-1], good.periods, PERIODS, good.theme_ids, good.theme_labels,
                   good.theme_assigned)
    with pytest.raises(ValueError, match="period_order"):
        ViewInputs(good.doc_term, good.terms, ["1999"] * 240, PERIODS, good.theme_ids, good.theme_labels,
                   good.theme_assigned)
    with pytest.raises(ValueError, match="burst_s"):
        ViewSettings(burst_s=1.0)
    with pytest.raises(ValueError, match="map_terms"):
        ViewSettings(map_terms=0)
