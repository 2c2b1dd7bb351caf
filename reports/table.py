"""Table data of the report: the interactive paper table and small static tables.

Cells hold raw text (never HTML): the static tables are autoescaped by Jinja2 and the paper table's cells are
written by the browser with ``textContent``, so scraped strings are shown, never interpreted.

The paper table is embedded in the page as compact JSON (:meth:`PaperTable.to_json_data`): cells that repeat
(venue, period, topic, cluster) are stored once and referenced by index, and each paper's themes as
``[theme index, score in hundredths, [evidence term indices]]``; the page's script rebuilds the text of
:attr:`PaperTable.rows` from them (:func:`themes_text` is the Python side of that format).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from preprocessing.records import Paper
from reports.figures.themes import theme_labels
from reports.figures.topics import display_label
from topics.results import UNASSIGNED, RunResult, ThemeTable, TopicResult

#: A cell value: text or a number (numbers sort numerically in the browser).
Cell = str | int | float | None

#: Characters of abstract text the page holds at most, over all papers; beyond it every abstract is cut to the
#: same length (see :func:`abstract_cap`). An abstract averages ~1,000 characters: ~7,000 papers fit whole.
ABSTRACT_BUDGET = 7_000_000
#: Abstracts are never cut shorter than this, whatever the corpus size.
MIN_ABSTRACT_CHARS = 100
#: Name of the file the page's "Download CSV" button saves.
CSV_FILE_NAME = "papers-filtered.csv"
#: Key of the column whose cells the page builds from :attr:`PaperTable.paper_themes`.
THEMES_KEY = "themes"


@dataclass(frozen=True)
class TableData:
    """A small static table: ``columns`` are header labels, each row has one cell per column."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Column:
    """One column of the paper table: ``key`` names it in the DOM (``th[data-key]``) and heads it in the CSV
    download, ``label`` is shown, ``searchable`` columns are matched by the search box. ``shown=False`` columns
    are not drawn (the abstract opens under its row; the year is in the CSV only). ``shared`` columns repeat a
    few values, stored once in the page."""

    key: str
    label: str
    searchable: bool = False
    shown: bool = True
    shared: bool = False


@dataclass(frozen=True)
class PaperTheme:
    """One theme assigned to a paper: its id, score in [0, 1] and evidence terms (strongest first)."""

    theme: str
    score: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaperTable:
    """One row per paper, in corpus order.

    ``rows[i]`` has one cell per column, as the page shows it (the themes cell as :func:`themes_text`, the
    abstract as cut to ``abstract_cap``); ``paper_themes[i]`` lists the assigned themes of paper ``i``, highest
    score first; ``themes`` lists ``(theme id, label)`` filter options, unassigned last. ``abstract_cap`` is the
    number of characters the page keeps of each abstract (``None``: whole), ``note`` says what the table shows.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    paper_themes: tuple[tuple[PaperTheme, ...], ...]
    themes: tuple[tuple[str, str], ...]
    abstract_cap: int | None = None
    note: str = ""

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        """The columns the page draws, in order."""
        return tuple(column for column in self.columns if column.shown)

    @property
    def row_themes(self) -> tuple[tuple[str, ...], ...]:
        """Theme ids of each paper for the theme filter (``(UNASSIGNED,)`` when it has none)."""
        return tuple(tuple(t.theme for t in themes) or (UNASSIGNED,) for themes in self.paper_themes)

    def column(self, key: str) -> list[Cell]:
        """Every row's cell of column ``key``."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def to_json_data(self) -> dict[str, Any]:
        """The table as JSON-ready data for the page's script: ``columns``; ``rows`` (shared columns' cells as
        indices into ``values[key]``, ``null`` when empty; the themes cell as ``[theme index into themes, score
        in hundredths, [indices into terms]]`` triples); ``values``; ``terms``; ``themes`` (``id``, ``label``);
        ``unassigned`` (the filter's id for papers without a theme); ``fileName`` of the CSV download."""
        lookups: dict[str, dict[str, int]] = {c.key: {} for c in self.columns if c.shared}
        terms: dict[str, int] = {}
        theme_index = {theme_id: i for i, (theme_id, _) in enumerate(self.themes)}

        def themes_cell(themes: tuple[PaperTheme, ...]) -> list[Any]:
            return [[theme_index[t.theme], hundredths(t.score), [_index(terms, e) for e in t.evidence]] for t in themes]

        def cell_data(column: Column, cell: Cell) -> Any:
            if not column.shared:
                return cell
            return None if cell is None or cell == "" else _index(lookups[column.key], str(cell))

        rows = [
            [themes_cell(themes) if c.key == THEMES_KEY else cell_data(c, cell) for c, cell in zip(self.columns, row)]
            for row, themes in zip(self.rows, self.paper_themes)
        ]
        return {
            "columns": [
                {"key": c.key, "label": c.label, "searchable": c.searchable, "shown": c.shown} for c in self.columns
            ],
            "rows": rows,
            "values": {key: list(lookup) for key, lookup in lookups.items()},
            "terms": list(terms),
            "themes": [{"id": theme_id, "label": label} for theme_id, label in self.themes],
            "unassigned": UNASSIGNED,
            "fileName": CSV_FILE_NAME,
        }


def _index(lookup: dict[str, int], value: str) -> int:
    """``value``'s index in ``lookup``, added at the end when new (insertion order = the values list)."""
    return lookup.setdefault(value, len(lookup))


def hundredths(score: float) -> int:
    """``score`` in hundredths, exactly as ``f"{score:.2f}"`` shows it (the page prints ``(n / 100).toFixed(2)``)."""
    return int(f"{score:.2f}".replace(".", ""))


def themes_text(themes: Iterable[PaperTheme], labels: Mapping[str, str]) -> str:
    """The themes cell: ``"Reinforcement learning 0.93 (policy gradient, reward); Neuroscience 0.41"`` (label,
    score with 2 decimals, evidence terms in brackets when there are any), highest score first. The page's
    script writes the same text from the JSON data."""
    parts = []
    for theme in themes:
        text = f"{labels.get(theme.theme, theme.theme)} {theme.score:.2f}"
        parts.append(f"{text} ({', '.join(theme.evidence)})" if theme.evidence else text)
    return "; ".join(parts)


def abstract_cap(lengths: Sequence[int], budget: int = ABSTRACT_BUDGET) -> int | None:
    """Characters kept of each abstract so that all of them together hold at most ``budget`` characters
    (abstracts shorter than the cap stay whole, leaving room for the others); ``None`` when every abstract fits
    whole. Rounded down to a multiple of 10, never below :data:`MIN_ABSTRACT_CHARS`."""
    sizes = np.asarray(lengths, dtype=np.int64)
    if int(sizes.sum()) <= budget:
        return None
    low, high = 0, int(sizes.max())
    while low < high:  # the largest cap whose total fits: the total grows with the cap
        middle = (low + high + 1) // 2
        if int(np.minimum(sizes, middle).sum()) <= budget:
            low = middle
        else:
            high = middle - 1
    return max(low // 10 * 10, MIN_ABSTRACT_CHARS)


def cut_abstract(text: str, cap: int | None) -> str:
    """``text`` (stripped) when it fits in ``cap`` characters, else its first words within ``cap - 1``
    characters and an ellipsis."""
    text = text.strip()
    if cap is None or len(text) <= cap:
        return text
    head = text[: cap - 1]
    space = head.rfind(" ")
    if space > cap // 2:
        head = head[:space]
    return head.rstrip() + "\u2026"


def paper_columns(papers: Sequence[Paper]) -> tuple[Column, ...]:
    """The paper table's columns: the venue column is drawn only when some paper has a venue (the CSV download
    always has it)."""
    return (
        Column("id", "ID"),
        Column("title", "Title", searchable=True),
        Column("authors", "Authors", searchable=True),
        Column("year", "Year", shown=False),
        Column("period", "Period", shared=True),
        Column("venue", "Venue", searchable=True, shown=any(p.venue for p in papers), shared=True),
        Column(THEMES_KEY, "Themes (score, evidence)", searchable=True),
        Column("topic", "LDA topic", shared=True),
        Column("cluster", "Cluster", shared=True),
        Column("abstract", "Abstract", shown=False),
    )


def build_paper_table(run: RunResult, abstract_budget: int = ABSTRACT_BUDGET) -> PaperTable:
    """The paper table of ``run``: id, title, authors (``"; "``-joined), year, period, venue, assigned themes
    with scores and evidence (:func:`themes_text`), dominant LDA topic and TF-IDF cluster (``"3: policy, reward,
    agent"``; empty when that model did not run or does not list the paper) and the abstract (cut to
    :func:`abstract_cap` characters when all abstracts together exceed ``abstract_budget`` characters)."""
    papers = run.corpus.papers
    all_themes = assigned_themes(run.themes, [paper.id for paper in papers])
    labels = theme_labels(run.themes)
    topics = _assignment_names(run.lda)
    clusters = _assignment_names(run.clusters)
    cap = abstract_cap([len(paper.abstract.strip()) for paper in papers], abstract_budget)
    rows = tuple(
        (
            paper.id,
            paper.title,
            "; ".join(paper.authors),
            paper.year,
            paper.period,
            paper.venue,
            themes_text(themes, labels),
            topics.get(paper.id, ""),
            clusters.get(paper.id, ""),
            cut_abstract(paper.abstract, cap),
        )
        for paper, themes in zip(papers, all_themes)
    )
    options = tuple((theme_id, labels[theme_id]) for theme_id in (*run.themes.theme_ids, UNASSIGNED))
    note = table_note(papers, cap)
    return PaperTable(paper_columns(papers), rows, all_themes, options, abstract_cap=cap, note=note)


def assigned_themes(table: ThemeTable, ids: Sequence[str]) -> tuple[tuple[PaperTheme, ...], ...]:
    """The assigned themes of each paper ``ids[i]`` with score and evidence, highest score first (none for a
    paper the theme table does not list)."""
    rows = {doc_id: row for row, doc_id in enumerate(table.doc_ids)}
    columns = {theme_id: col for col, theme_id in enumerate(table.theme_ids)}
    result = []
    for doc_id in ids:
        row = rows.get(doc_id)
        pairs = table.paper_themes(row) if row is not None else []
        evidence = table.evidence[row] if row is not None else ()
        result.append(tuple(PaperTheme(theme, score, tuple(evidence[columns[theme]])) for theme, score in pairs))
    return tuple(result)


def table_note(papers: Sequence[Paper], cap: int | None) -> str:
    """What the table's cells hold and what the download saves; names the abstract cap when there is one."""
    note = (
        "Each theme is shown with its score and, in brackets, the terms that drove it. The \u25B8 before a title "
        "opens the paper's abstract. \u201cDownload CSV\u201d saves the rows the search and theme filter "
        f"select, in the order shown ({CSV_FILE_NAME}, UTF-8; a cell that begins with =, +, - or @ gets a leading "
        "apostrophe so that spreadsheets do not run it as a formula)."
    )
    if cap is None:
        return note
    cut = sum(len(paper.abstract.strip()) > cap for paper in papers)
    return note + (
        f" To keep this page small, abstracts are cut to {cap:,} characters here ({cut:,} of {len(papers):,} "
        "papers' abstracts are cut, in the page and in its CSV download); papers.csv holds them in full."
    )


def _assignment_names(result: TopicResult | None) -> dict[str, str]:
    """Paper id -> ``"k: label"`` of its dominant topic/cluster; empty without a result."""
    if result is None:
        return {}
    names = [f"{result.topic_id(k)}: {display_label(result, k)}" for k in range(result.n_topics)]
    return {doc_id: names[k] for doc_id, k in zip(result.doc_ids, result.assignments)}
