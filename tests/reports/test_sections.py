"""Sections: which are built, which are dropped, what their captions and tables say; the paper table rows."""

from __future__ import annotations

import dataclasses

import plotly.graph_objects as go

from preprocessing.records import Corpus
from reports import Section, build_sections
from topics.results import UNASSIGNED, RunResult


def _ids(sections: list[Section]) -> list[str]:
    return [section.id for section in sections]


def _by_id(sections: list[Section]) -> dict[str, Section]:
    return {section.id: section for section in sections}


def test_full_run_has_every_section_in_order(run_result: RunResult) -> None:
    sections = build_sections(run_result)
    assert _ids(sections) == ["overview", "themes", "trends", "lda", "clusters", "agreement", "docmap", "papers", "notes"]
    parts = {section.id: _ids(list(section.parts)) for section in sections}
    assert parts["overview"] == ["overview-skipped"]
    assert parts["themes"] == ["themes-overall"]
    # two periods: the two are compared; there is no trend chart or trend test to show
    assert parts["trends"] == ["trends-comparison", "trends-comparison-authors", "trends-authors"]
    assert parts["lda"] == ["lda-terms", "lda-map"]
    assert parts["clusters"] == ["clusters-terms", "clusters-map"]
    assert parts["notes"] == ["notes-counts", "notes-timings", "notes-versions"]


def test_section_ids_are_unique(run_result: RunResult) -> None:
    sections = build_sections(run_result)
    ids = _ids(sections) + [part.id for section in sections for part in section.parts]
    assert len(ids) == len(set(ids))


def test_figures_are_plotly_figures(run_result: RunResult) -> None:
    sections = _by_id(build_sections(run_result))
    for section_id in ("overview", "clusters", "agreement", "docmap"):
        assert isinstance(sections[section_id].figure, go.Figure)
    for part in sections["lda"].parts:
        assert isinstance(part.figure, go.Figure)
    assert sections["docmap"].figure.data[0].type == "scattergl"


def test_minimal_run_drops_empty_sections(minimal_run: RunResult) -> None:
    sections = build_sections(minimal_run)
    assert _ids(sections) == ["overview", "themes", "trends", "papers"]
    overview = _by_id(sections)["overview"]
    assert overview.parts == ()  # no skipped records
    assert "No input record was skipped" in overview.caption


def test_each_missing_input_drops_only_its_section(run_result: RunResult) -> None:
    for field, dropped in (
        ("lda", "lda"),
        ("clusters", "clusters"),
        ("agreement", "agreement"),
        ("doc_map", "docmap"),
    ):
        ids = _ids(build_sections(dataclasses.replace(run_result, **{field: None})))
        assert dropped not in ids
        assert len(ids) == 8


def test_notes_dropped_without_warnings_or_manifest(run_result: RunResult) -> None:
    ids = _ids(build_sections(dataclasses.replace(run_result, warnings=(), manifest={})))
    assert "notes" not in ids
    notes = _by_id(build_sections(dataclasses.replace(run_result, manifest={})))["notes"]
    assert notes.notes == ("corpus smaller than num_topics; using K=3",)
    assert notes.parts == ()


def test_overview_reports_what_was_skipped(run_result: RunResult) -> None:
    overview = _by_id(build_sections(run_result))["overview"]
    assert "8 papers from 2 sources over 2 periods" in overview.caption
    assert "3 records" in overview.caption
    (skipped,) = overview.parts
    assert skipped.table.columns[:2] == ("Reason", "Records")
    assert [row[:2] for row in skipped.table.rows] == [("duplicate title", 2), ("no title", 1)]
    assert skipped.table.rows[0][2] == "2023-24.txt:40: Deep Q-learning for Atari games"


def test_model_captions_carry_metrics_and_coherence(run_result: RunResult) -> None:
    sections = _by_id(build_sections(run_result))
    assert "NPMI coherence (mean over topics): 0.071" in sections["lda"].caption
    assert sections["lda"].table.columns == ("Topic", "Label", "Papers", "Prevalence", "NPMI", "Closest theme")
    assert sections["lda"].table.rows[0] == (
        0, "policy, reward, agent", 4, "38.1%", "0.120", "Reinforcement learning (0.90)",
    )
    assert [row[4] for row in sections["lda"].table.rows] == ["0.120", "0.050", "-0.020"]
    assert "silhouette (cosine): 0.034" in sections["clusters"].caption
    assert [row[2] for row in sections["clusters"].table.rows] == [5, 3]
    assert "0.213" in sections["agreement"].caption and "0.456" in sections["agreement"].caption
    assert "t-SNE" in sections["docmap"].caption


def test_theme_table_counts(run_result: RunResult) -> None:
    overall = _by_id(build_sections(run_result))["themes"].parts[0]
    assert [(row[1], row[2], row[3]) for row in overall.table.rows] == [
        ("reinforcement-learning", 4, "50.0%"),
        ("generative-models", 2, "25.0%"),
        ("neuroscience", 3, "37.5%"),
        ("optimization", 1, "12.5%"),
        (UNASSIGNED, 1, "12.5%"),
    ]


def test_papers_section_holds_the_paper_table(run_result: RunResult) -> None:
    papers = _by_id(build_sections(run_result))["papers"]
    assert papers.paper_table is not None and papers.figure is None
    assert len(papers.paper_table.rows) == 8


def test_empty_corpus_still_builds(minimal_run: RunResult) -> None:
    empty = dataclasses.replace(minimal_run, corpus=Corpus(papers=()))
    sections = build_sections(empty)
    assert _ids(sections) == ["overview", "themes", "trends", "papers"]
    assert _by_id(sections)["papers"].paper_table.rows == ()


# --- trends -------------------------------------------------------------------------------------------------


def test_trends_comparison_names_the_themes_that_changed(run_result: RunResult) -> None:
    trends = _by_id(build_sections(run_result))["trends"]
    comparison = _by_id(list(trends.parts))["trends-comparison"]
    # fixture: RL 3 of 4 -> 1 of 4, optimization 1 -> 0 (gone), neuroscience 1 -> 2; generative 1 -> 1 unchanged
    assert "Themes that changed: Reinforcement learning -50.00 points (3 → 1 papers, not significant)" in comparison.caption
    assert "Optimization gone, -25.00 points (1 → 0 papers)" in comparison.caption
    assert "Neuroscience +25.00 points (1 → 2 papers, not significant)" in comparison.caption
    assert "Generative models" not in comparison.caption.split("Grew or shrank")[0]
    statuses = {row[1]: row[2] for row in comparison.table.rows}
    assert statuses["Optimization"] == "gone" and statuses["Reinforcement learning"] == "stable"


def test_trends_with_venue_normalisation_show_both_bases(run_result: RunResult) -> None:
    from topics.config import TrendsConfig
    from topics.trends.table import TrendInputs, build_trends

    papers = run_result.corpus.papers
    venues = tuple("A" if i % 2 else "B" for i in range(len(papers)))
    trends = build_trends(
        TrendInputs(tuple(p.period for p in papers), venues), run_result.themes, run_result.lda,
        TrendsConfig(normalize_by="venue"), [].append,
    )
    parts = _by_id(list(_by_id(build_sections(dataclasses.replace(run_result, trends=trends)))["trends"].parts))
    shares = parts["trends-shares"]
    assert shares.title == "Theme shares over time: raw and normalised"
    panels = {axis for trace in shares.figure.data for axis in [trace.xaxis]}
    assert panels == {"x", "x2"}  # raw left, normalised right
    window = parts["trends-window-0"]
    assert window.table.columns[-3:] == ("Slope normalised by venue", "Interval (normalised)", "Trend (normalised)")
    assert all(row[-1] in {"emerging", "declining", "no clear trend"} for row in window.table.rows)


def test_a_small_corpus_says_what_it_can_and_cannot_show(run_result: RunResult) -> None:
    from reports.sections import small_corpus_notes

    overview = _by_id(build_sections(run_result))["overview"]
    assert len(overview.notes) == 3  # the fixture's 8 papers
    assert overview.notes[0].startswith("A small corpus (8 papers): each paper's themes are scored on its own text")
    assert "Shares move by 25 points or more for a single paper in a period (about 4 papers a period)" in (
        overview.notes[2]
    )
    assert small_corpus_notes(50, 5) == ()
