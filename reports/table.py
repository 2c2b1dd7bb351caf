"""Table data of the report: the interactive paper table and small static tables.

Cells hold raw text (never HTML): the static tables are autoescaped by Jinja2 and the paper table's cells are
written by the browser with ``textContent``, so scraped strings are shown, never interpreted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.figures.themes import theme_labels
from reports.figures.topics import display_label
from topics.results import UNASSIGNED, RunResult, TopicResult

#: A cell value: text or a number (numbers sort numerically in the browser).
Cell = str | int | float | None


@dataclass(frozen=True)
class TableData:
    """A small static table: ``columns`` are header labels, each row has one cell per column."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Column:
    """One column of the paper table: ``key`` names it in the DOM (``th[data-key]``), ``label`` is shown,
    ``searchable`` columns are matched by the search box."""

    key: str
    label: str
    searchable: bool = False


@dataclass(frozen=True)
class PaperTable:
    """One row per paper, in corpus order.

    ``rows[i]`` has one cell per column; ``row_themes[i]`` lists the theme ids of paper ``i`` (``UNASSIGNED``
    when none) for the theme filter; ``themes`` lists ``(theme id, label)`` filter options, unassigned last.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_themes: tuple[tuple[str, ...], ...]
    themes: tuple[tuple[str, str], ...]

    def to_json_data(self) -> dict[str, Any]:
        """The table as JSON-ready data for the page's script (keys ``columns``, ``rows``, ``rowThemes``,
        ``themes``)."""
        return {
            "columns": [{"key": c.key, "label": c.label, "searchable": c.searchable} for c in self.columns],
            "rows": [list(row) for row in self.rows],
            "rowThemes": [list(ids) for ids in self.row_themes],
            "themes": [{"id": theme_id, "label": label} for theme_id, label in self.themes],
        }


PAPER_COLUMNS: tuple[Column, ...] = (
    Column("id", "ID"),
    Column("title", "Title", searchable=True),
    Column("authors", "Authors", searchable=True),
    Column("period", "Period"),
    Column("themes", "Themes (score)", searchable=True),
    Column("topic", "LDA topic"),
    Column("cluster", "Cluster"),
)


def build_paper_table(run: RunResult) -> PaperTable:
    """The paper table of ``run``: id, title, authors (``"; "``-joined), period, assigned themes with scores
    (``"reinforcement-learning 0.82; neuroscience 0.41"``), dominant LDA topic and TF-IDF cluster
    (``"3: policy, reward, agent"``; empty when that model did not run or does not list the paper)."""
    theme_rows = {doc_id: row for row, doc_id in enumerate(run.themes.doc_ids)}
    topics = _assignment_names(run.lda)
    clusters = _assignment_names(run.clusters)
    rows: list[tuple[Cell, ...]] = []
    row_themes: list[tuple[str, ...]] = []
    for paper in run.corpus.papers:
        row = theme_rows.get(paper.id)
        pairs = run.themes.paper_themes(row) if row is not None else []
        rows.append(
            (
                paper.id,
                paper.title,
                "; ".join(paper.authors),
                paper.period,
                "; ".join(f"{theme_id} {score:.2f}" for theme_id, score in pairs),
                topics.get(paper.id, ""),
                clusters.get(paper.id, ""),
            )
        )
        row_themes.append(tuple(theme_id for theme_id, _ in pairs) or (UNASSIGNED,))
    labels = theme_labels(run.themes)
    options = tuple((theme_id, labels[theme_id]) for theme_id in (*run.themes.theme_ids, UNASSIGNED))
    return PaperTable(PAPER_COLUMNS, tuple(rows), tuple(row_themes), options)


def _assignment_names(result: TopicResult | None) -> dict[str, str]:
    """Paper id -> ``"k: label"`` of its dominant topic/cluster; empty without a result."""
    if result is None:
        return {}
    names = [f"{result.topic_id(k)}: {display_label(result, k)}" for k in range(result.n_topics)]
    return {doc_id: names[k] for doc_id, k in zip(result.doc_ids, result.assignments)}
