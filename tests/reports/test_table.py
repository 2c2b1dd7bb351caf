"""The paper table's data (reports.table): columns, cells as the page shows them, the compact JSON the page
decodes, the themes cell with scores and evidence, and the abstract cap of large corpora."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from preprocessing.records import Corpus
from reports import render_report
from reports.table import (
    CSV_FILE_NAME,
    MIN_ABSTRACT_CHARS,
    PaperTable,
    PaperTheme,
    abstract_cap,
    build_paper_table,
    cut_abstract,
    hundredths,
    themes_text,
)
from tests.reports.conftest import INJECTION_AUTHOR, INJECTION_TITLE, THEME_IDS
from topics.results import UNASSIGNED, RunResult

ABSTRACT = "Agents learn a policy from <script>alert(4)</script> reward signals."


@pytest.fixture
def rich_run(run_result: RunResult) -> RunResult:
    """The fixture run with venues, years, abstracts and evidence terms (the fixture has none of them)."""
    papers = tuple(
        dataclasses.replace(paper, venue="NeurIPS" if i % 2 else "ICML", year=2023 + i % 3,
                            abstract="" if i == 7 else f"Abstract {i}. " + ABSTRACT)
        for i, paper in enumerate(run_result.corpus.papers)
    )
    rl, neuro = THEME_IDS.index("reinforcement-learning"), THEME_IDS.index("neuroscience")
    evidence = [[() for _ in THEME_IDS] for _ in papers]
    evidence[3][rl] = ("policy gradient", "reward")
    evidence[3][neuro] = ("dopamine",)
    evidence[1][rl] = ("reward",)
    themes = dataclasses.replace(run_result.themes, evidence=tuple(tuple(row) for row in evidence))
    return dataclasses.replace(run_result, corpus=Corpus(papers=papers), themes=themes)


def _row(table: PaperTable, index: int) -> dict[str, Any]:
    return dict(zip((c.key for c in table.columns), table.rows[index]))


def decode(data: dict[str, Any]) -> list[list[Any]]:
    """The rows the page's script rebuilds from ``to_json_data`` (the Python twin of its decodeRows)."""
    columns = [c["key"] for c in data["columns"]]
    rows = []
    for row in data["rows"]:
        cells = []
        for key, cell in zip(columns, row):
            if key == "themes":
                parts = []
                for theme, score, terms in cell:
                    text = f"{data['themes'][theme]['label']} {score / 100:.2f}"
                    parts.append(f"{text} ({', '.join(data['terms'][k] for k in terms)})" if terms else text)
                cells.append("; ".join(parts))
            elif key in data["values"]:
                cells.append("" if cell is None else data["values"][key][cell])
            else:
                cells.append(cell)
        rows.append(cells)
    return rows


def test_columns_and_a_full_row(rich_run: RunResult) -> None:
    table = build_paper_table(rich_run)
    assert [c.key for c in table.columns] == [
        "id", "title", "authors", "year", "period", "venue", "themes", "topic", "cluster", "abstract",
    ]
    assert [c.key for c in table.shown_columns] == ["id", "title", "authors", "period", "venue", "themes", "topic", "cluster"]
    assert [c.key for c in table.columns if c.searchable] == ["title", "authors", "venue", "themes"]
    # Raw text: the browser writes cells with textContent, so nothing is HTML-escaped here.
    assert _row(table, 3) == {
        "id": "p4",
        "title": INJECTION_TITLE,
        "authors": f"{INJECTION_AUTHOR}; Rishav",
        "year": 2023,
        "period": "2023-24",
        "venue": "NeurIPS",
        "themes": "Reinforcement learning 0.60 (policy gradient, reward); Neuroscience 0.35 (dopamine)",
        "topic": "0: policy, reward, agent",
        "cluster": "0: reward, policy, learning",
        "abstract": "Abstract 3. " + ABSTRACT,
    }
    assert table.paper_themes[3] == (
        PaperTheme("reinforcement-learning", 0.60, ("policy gradient", "reward")),
        PaperTheme("neuroscience", 0.35, ("dopamine",)),
    )
    assert _row(table, 1)["themes"] == "Reinforcement learning 0.82 (reward); Optimization 0.41"
    assert table.abstract_cap is None and "cut" not in table.note


def test_row_themes_feed_the_theme_filter(rich_run: RunResult) -> None:
    table = build_paper_table(rich_run)
    assert table.row_themes[3] == ("reinforcement-learning", "neuroscience")
    assert table.row_themes[7] == (UNASSIGNED,) and table.paper_themes[7] == ()
    assert _row(table, 7)["themes"] == "" and _row(table, 7)["abstract"] == ""
    assert [theme_id for theme_id, _ in table.themes] == [*THEME_IDS, UNASSIGNED]


def test_the_page_data_decodes_to_the_rows(rich_run: RunResult) -> None:
    table = build_paper_table(rich_run)
    data = json.loads(json.dumps(table.to_json_data()))
    assert decode(data) == [list(row) for row in table.rows]
    assert data["values"]["venue"] == ["ICML", "NeurIPS"] and data["values"]["period"] == ["2023-24", "2025"]
    assert data["terms"] == ["reward", "policy gradient", "dopamine"]
    themes_cell = data["rows"][3][[c["key"] for c in data["columns"]].index("themes")]
    assert themes_cell == [[0, 60, [1, 0]], [2, 35, [2]]]
    assert data["unassigned"] == UNASSIGNED and data["fileName"] == CSV_FILE_NAME == "papers-filtered.csv"
    assert [c["shown"] for c in data["columns"]].count(False) == 2  # year and abstract


def test_without_models_or_venues_topic_and_cluster_are_empty_and_venue_hidden(minimal_run: RunResult) -> None:
    table = build_paper_table(minimal_run)
    assert set(table.column("topic")) == {""} and set(table.column("cluster")) == {""}
    assert set(table.column("venue")) == {""}
    assert "venue" not in [c.key for c in table.shown_columns]  # no paper has one: not drawn, still in the CSV
    assert decode(table.to_json_data()) == [list(row) for row in table.rows]


def test_a_paper_the_theme_table_does_not_list_has_no_theme(rich_run: RunResult) -> None:
    themes = dataclasses.replace(rich_run.themes, doc_ids=("other", *rich_run.themes.doc_ids[1:]))
    table = build_paper_table(dataclasses.replace(rich_run, themes=themes))
    assert table.paper_themes[0] == () and _row(table, 0)["themes"] == ""


def test_themes_text_format() -> None:
    labels = {"rl": "Reinforcement learning", "neuro": "Neuro; science (brain)"}
    themes = (PaperTheme("rl", 0.934, ("policy gradient", "reward")), PaperTheme("neuro", 0.405), PaperTheme("x", 1.0))
    assert themes_text(themes, labels) == "Reinforcement learning 0.93 (policy gradient, reward); Neuro; science (brain) 0.41; x 1.00"
    assert themes_text((), labels) == ""


@pytest.mark.parametrize("score", [0.0, 0.005, 0.125, 0.145, 0.5, 0.994, 0.995, 0.999, 1.0])
def test_hundredths_match_the_two_decimals_shown(score: float) -> None:
    assert f"{hundredths(score) / 100:.2f}" == f"{score:.2f}"


def test_abstract_cap_keeps_short_abstracts_whole_and_fits_the_budget() -> None:
    assert abstract_cap([500, 500], budget=1000) is None
    lengths = [50] * 10 + [2000] * 10  # 20,500 characters
    cap = abstract_cap(lengths, budget=10_000)
    assert cap == 950  # the 10 short ones whole (500), the rest share 9,500
    assert sum(min(n, cap) for n in lengths) <= 10_000
    assert abstract_cap([5000] * 1000, budget=1000) == MIN_ABSTRACT_CHARS  # never shorter than the floor
    assert abstract_cap([], budget=0) is None


def test_cut_abstract_cuts_at_a_word_with_an_ellipsis() -> None:
    text = "Deep reinforcement learning agents learn policies from rewards in simulated environments."
    assert cut_abstract(f"  {text}\n", None) == text
    assert cut_abstract(text, len(text)) == text
    cut = cut_abstract(text, 40)
    assert cut == "Deep reinforcement learning agents\u2026" and len(cut) <= 40
    assert cut_abstract("x" * 100, 10) == "x" * 9 + "\u2026"  # no space to cut at: cut inside the word


def test_large_corpora_get_cut_abstracts_and_the_note_says_so(rich_run: RunResult) -> None:
    long_text = "word " * 400  # 2,000 characters
    papers = tuple(dataclasses.replace(p, abstract=long_text) for p in rich_run.corpus.papers)
    run = dataclasses.replace(rich_run, corpus=Corpus(papers=papers))
    table = build_paper_table(run, abstract_budget=8 * 500)
    assert table.abstract_cap == 500
    assert all(len(text) <= 500 and text.endswith("\u2026") for text in table.column("abstract"))
    assert "abstracts are cut to 500 characters here (8 of 8 papers' abstracts are cut" in table.note
    assert "papers.csv holds them in full" in table.note
    assert build_paper_table(run).abstract_cap is None  # 16,000 characters are far within the default budget


def test_page_renders_the_shown_columns_the_note_and_the_download_button(rich_run: RunResult) -> None:
    page = render_report(rich_run)
    headers = re.findall(r'<th scope="col" data-key="([a-z]+)"', page)
    assert headers == ["id", "title", "authors", "period", "venue", "themes", "topic", "cluster"]
    assert '<button type="button" id="paper-csv"' in page
    assert '<p class="table-note">Each theme is shown with its score' in page
    assert "alert(4)" in page and "<script>alert(4)" not in page  # the abstract is in the data, script-escaped
