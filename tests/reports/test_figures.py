"""Figures: trace types and data values, asserted on ``fig.to_dict()``."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from preprocessing.records import Corpus, Paper
from reports import figures
from reports.escape import escape_text, escape_wrapped
from reports.figures.evolution import node_colors
from reports.figures.topics import topic_color
from reports.style import PALETTE, UNASSIGNED_COLOR, theme_colors
from tests.reports.conftest import INJECTION_TITLE, LDA_TERMS, LDA_WEIGHTS
from topics.results import THEME, TOPIC, UNASSIGNED, RunResult


def _traces(fig) -> list[dict]:
    return fig.to_dict()["data"]


def _layout(fig) -> dict:
    return fig.to_dict()["layout"]


# --- escaping and style -------------------------------------------------------------------------------------


def test_escape_text_neutralises_markup_and_keeps_quotes_readable() -> None:
    escaped = escape_text('<a href="javascript:alert(3)">Eve</a> & \'x\'')
    assert "<" not in escaped and ">" not in escaped
    assert escaped == "&lt;a href=&#34;javascript:alert(3)&#34;&gt;Eve&lt;/a&gt; &amp; &#39;x&#39;"


def test_escape_wrapped_escapes_each_line_and_joins_with_breaks() -> None:
    wrapped = escape_wrapped(INJECTION_TITLE, width=20, max_lines=5)
    assert "<br>" in wrapped
    assert "<script" not in wrapped and "<img" not in wrapped
    assert wrapped.replace("<br>", " ").startswith("&lt;script&gt;")


def test_theme_colors_fixed_by_order_with_grey_unassigned() -> None:
    colors = theme_colors(("a", "b", "c"))
    assert colors == {"a": PALETTE[0], "b": PALETTE[1], "c": PALETTE[2], UNASSIGNED: UNASSIGNED_COLOR}


# --- overview -----------------------------------------------------------------------------------------------


def test_papers_per_period_is_stacked_bar_per_source(run_result: RunResult) -> None:
    """The fixture's papers name no venue: the bars are split by input source."""
    fig = figures.papers_per_period_figure(run_result.corpus, run_result.trends.periods)
    traces = _traces(fig)
    assert [t["type"] for t in traces] == ["bar", "bar"]
    assert [t["name"] for t in traces] == ["2023-24.txt", "2025.txt"]
    assert all(t["x"] == ["2023-24", "2025"] for t in traces)
    assert [t["y"] for t in traces] == [[4, 0], [0, 4]]
    layout = _layout(fig)
    assert layout["barmode"] == "stack" and layout["legend"]["title"]["text"] == "Source"
    assert layout["title"]["text"].startswith("Papers per period and source")
    assert layout["xaxis"]["tickvals"] == ["2023-24", "2025"]


def _venue_corpus(n_venues: int, years: range) -> Corpus:
    """Papers over ``years`` in ``n_venues`` venues: venue ``V{i}`` has ``n_venues - i`` papers a year; plus
    one paper a year without a venue."""
    papers = []
    for year in years:
        for i in range(n_venues):
            for j in range(n_venues - i):
                papers.append(Paper(id=f"{year}-{i}-{j}", title="t", period=str(year), venue=f"V{i}", source="s.csv"))
        papers.append(Paper(id=f"{year}-none", title="t", period=str(year), source="s.csv"))
    return Corpus(papers=tuple(papers))


def test_papers_per_period_stacks_the_top_ten_venues_then_other() -> None:
    """12 venues over 39 years: one bar trace per top-10 venue (largest first, at the bottom of the stack), one
    for the two smallest together and one for papers without a venue; at most 12 period labels."""
    years = range(1987, 2026)
    corpus = _venue_corpus(12, years)
    fig = figures.papers_per_period_figure(corpus, [str(y) for y in years])
    traces = _traces(fig)
    assert [t["name"] for t in traces] == [f"V{i}" for i in range(10)] + ["Other venues", "(no venue)"]
    assert {t["type"] for t in traces} == {"bar"}
    assert traces[0]["y"] == [12] * 39 and traces[9]["y"] == [3] * 39
    assert traces[10]["y"] == [2 + 1] * 39 and traces[11]["y"] == [1] * 39
    assert sum(sum(t["y"]) for t in traces) == len(corpus)
    colors = [t["marker"]["color"] for t in traces]
    assert colors[:10] == list(PALETTE[:10]) and len(set(colors)) == 12  # no colour twice
    layout = _layout(fig)
    assert layout["barmode"] == "stack" and layout["legend"]["title"]["text"] == "Venue"
    assert layout["title"]["text"].startswith("Papers per period and venue")
    assert layout["xaxis"]["tickvals"] == [str(y) for y in range(1990, 2026, 5)]


def test_papers_per_period_with_one_venue_splits_by_source() -> None:
    papers = (
        Paper(id="a", title="t", period="2020", venue="NeurIPS", source="a.csv"),
        Paper(id="b", title="t", period="2021", venue="NeurIPS", source="b.csv"),
    )
    traces = _traces(figures.papers_per_period_figure(Corpus(papers=papers)))
    assert [t["name"] for t in traces] == ["a.csv", "b.csv"]


def test_a_theme_keeps_its_colour_in_every_figure(run_result: RunResult) -> None:
    """Papers per theme, the documents map, the share panels and the stacked area colour a theme alike."""
    colors = theme_colors(run_result.themes.theme_ids)
    label_of = {t.label: t.id for t in run_result.themes.themes} | {"Unassigned": UNASSIGNED}
    seen: dict[str, set[str]] = {}
    (bars,) = _traces(figures.theme_shares_figure(run_result.themes))
    for label, color in zip(bars["y"], bars["marker"]["color"]):
        seen.setdefault(label_of[label], set()).add(color)
    doc_map = figures.document_map_figure(run_result.doc_map, run_result.corpus, run_result.themes)
    for trace in _traces(doc_map):
        seen.setdefault(label_of[trace["name"]], set()).add(trace["marker"]["color"])
    for trace in _traces(figures.theme_area_figure(run_result.trends, run_result.themes)):
        seen.setdefault(label_of[trace["name"]], set()).add(trace["fillcolor"])
    for trace in _traces(figures.theme_share_bands_figure(run_result.trends, run_result.themes)):
        if trace["mode"] == "lines+markers":
            seen.setdefault(label_of[trace["name"]], set()).add(trace["line"]["color"])
    assert set(seen) == {*run_result.themes.theme_ids, UNASSIGNED}
    assert seen == {theme_id: {colors[theme_id]} for theme_id in seen}


def test_skipped_reasons_counts(run_result: RunResult) -> None:
    (trace,) = _traces(figures.skipped_reasons_figure(run_result.corpus))
    assert trace["type"] == "bar" and trace["orientation"] == "h"
    assert trace["y"] == ["no title", "duplicate title"]
    assert trace["x"] == [1, 2]


# --- themes -------------------------------------------------------------------------------------------------


def test_theme_shares_counts_papers_per_theme_and_unassigned(run_result: RunResult) -> None:
    (trace,) = _traces(figures.theme_shares_figure(run_result.themes))
    assert trace["type"] == "bar" and trace["orientation"] == "h"
    # Bottom to top: unassigned last in theme order, so first on the axis.
    assert trace["y"] == ["Unassigned", "Optimization", "Neuroscience", "Generative models", "Reinforcement learning"]
    assert trace["x"] == [1, 1, 3, 2, 4]
    assert trace["customdata"] == pytest.approx([1 / 8, 1 / 8, 3 / 8, 2 / 8, 4 / 8])
    assert trace["marker"]["color"][0] == UNASSIGNED_COLOR
    assert trace["marker"]["color"][-1] == PALETTE[0]


# --- topics and clusters ------------------------------------------------------------------------------------


def test_top_terms_grid_has_one_bar_chart_per_topic(run_result: RunResult) -> None:
    fig = figures.top_terms_figure(run_result.lda)
    traces = _traces(fig)
    assert [t["type"] for t in traces] == ["bar"] * 3
    for k, trace in enumerate(traces):
        assert trace["y"] == list(LDA_TERMS[k][::-1])  # heaviest on top
        assert trace["x"] == pytest.approx(list(LDA_WEIGHTS[::-1]))
    assert [t.get("xaxis", "x") for t in traces] == ["x", "x2", "x3"]
    titles = [a["text"] for a in _layout(fig)["annotations"]]
    assert titles[0] == "Topic 0: policy, reward, agent (NPMI 0.12)"
    assert "NPMI -0.02" in titles[2]


def test_top_terms_limited_to_ten_and_escaped(run_result: RunResult) -> None:
    many = tuple((f"term{i}", 1.0 / (i + 1)) for i in range(15))
    injected = (('<a href="u">t</a>', 0.5),)
    lda = dataclasses.replace(run_result.lda, topic_terms=(many, many[:3], injected))
    traces = _traces(figures.top_terms_figure(lda))
    assert traces[0]["y"] == [f"term{i}" for i in range(9, -1, -1)]
    assert traces[2]["y"] == ["&lt;a href=&#34;u&#34;&gt;t&lt;/a&gt;"]


def test_intertopic_map_bubbles_sized_by_prevalence(run_result: RunResult) -> None:
    lda = run_result.lda
    (trace,) = _traces(figures.intertopic_map_figure(lda))
    assert trace["type"] == "scatter"
    assert trace["x"] == pytest.approx(lda.coords[:, 0].tolist())
    assert trace["y"] == pytest.approx(lda.coords[:, 1].tolist())
    assert trace["marker"]["size"] == pytest.approx(lda.prevalence.tolist())
    assert trace["marker"]["sizemode"] == "area"
    assert trace["text"] == ["0", "1", "2"]
    assert "policy, reward, agent, q-learning" in trace["customdata"][0]


def test_cluster_sizes_and_terms(run_result: RunResult) -> None:
    (sizes,) = _traces(figures.cluster_sizes_figure(run_result.clusters))
    assert sizes["type"] == "bar"
    assert sizes["x"] == [3, 5]  # cluster 1 at the bottom, cluster 0 on top
    assert sizes["y"] == ["Cluster 1: model, image, diffusion", "Cluster 0: reward, policy, learning"]
    terms = figures.cluster_terms_figure(run_result.clusters)
    assert [t["type"] for t in _traces(terms)] == ["bar", "bar"]
    assert _traces(terms)[0]["y"][-1] == "reward"
    assert _layout(terms)["annotations"][0]["text"].startswith("Cluster 0:")
    (bubbles,) = _traces(figures.cluster_map_figure(run_result.clusters))
    assert bubbles["marker"]["size"] == pytest.approx([5 / 8, 3 / 8])


# --- agreement ----------------------------------------------------------------------------------------------


def test_agreement_heatmap_shows_contingency_and_scores(run_result: RunResult) -> None:
    fig = figures.agreement_heatmap(run_result.agreement, run_result.lda, run_result.clusters)
    (trace,) = _traces(fig)
    assert trace["type"] == "heatmap"
    assert trace["z"] == [[3, 1], [0, 2], [2, 0]]
    assert trace["y"][0] == "Topic 0: policy, reward, agent"
    assert trace["x"] == ["Cluster 0: reward, policy, learning", "Cluster 1: model, image, diffusion"]
    title = _layout(fig)["title"]["text"]
    assert "ARI 0.213" in title and "NMI 0.456" in title


def test_agreement_heatmap_without_labels_uses_indices(run_result: RunResult) -> None:
    (trace,) = _traces(figures.agreement_heatmap(run_result.agreement))
    assert trace["y"] == ["Topic 0", "Topic 1", "Topic 2"]
    assert trace["x"] == ["Cluster 0", "Cluster 1"]


# --- documents map ------------------------------------------------------------------------------------------


def test_document_map_one_webgl_trace_per_primary_theme(run_result: RunResult) -> None:
    fig = figures.document_map_figure(run_result.doc_map, run_result.corpus, run_result.themes)
    traces = _traces(fig)
    assert {t["type"] for t in traces} == {"scattergl"}
    # Optimization is nobody's primary theme, so it has no trace.
    assert [t["name"] for t in traces] == ["Reinforcement learning", "Generative models", "Neuroscience", "Unassigned"]
    assert [len(t["x"]) for t in traces] == [3, 2, 2, 1]
    coords = run_result.doc_map.coords
    assert traces[0]["x"] == pytest.approx(coords[[0, 1, 3], 0].tolist())
    assert traces[3]["y"] == pytest.approx([coords[7, 1]])
    assert traces[3]["marker"]["color"] == UNASSIGNED_COLOR
    assert "sampled" not in _layout(fig)["title"]["text"] and "shown" not in _layout(fig)["title"]["text"]


def test_document_map_hover_titles_are_escaped(run_result: RunResult) -> None:
    fig = figures.document_map_figure(run_result.doc_map, run_result.corpus, run_result.themes)
    hovers = [text for trace in _traces(fig) for text in trace["customdata"]]
    injected = [text for text in hovers if "alert(1)" in text]
    assert injected == [escape_text(INJECTION_TITLE) + "<br>2023-24"]
    assert injected[0].startswith("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x")


def test_document_map_notes_the_sample(run_result: RunResult) -> None:
    sampled = dataclasses.replace(
        run_result.doc_map, indices=np.arange(5), coords=run_result.doc_map.coords[:5], total=47_509
    )
    fig = figures.document_map_figure(sampled, run_result.corpus, run_result.themes)
    assert "5 of 47,509 papers shown" in _layout(fig)["title"]["text"]
    assert sum(len(t["x"]) for t in _traces(fig)) == 5


def test_evolution_colours_themes_as_every_other_figure() -> None:
    """A theme missing from the first slice does not shift the others' colours."""
    nodes = pd.DataFrame({"slice_index": [0, 0, 1, 1, 1, 2], "id": ["a", "c", "a", "b", "c", "d"]})
    assert node_colors(nodes, THEME) == theme_colors(["a", "b", "c", "d"])
    assert node_colors(nodes, THEME, ["x", "a", "b", "c", "d"]) == theme_colors(["x", "a", "b", "c", "d"])
    topics = pd.DataFrame({"slice_index": [0, 1], "id": [3, 1]})
    assert node_colors(topics, TOPIC) == {"3": topic_color(3), "1": topic_color(1)}
