"""The unit of the report's page: a section with its figure, caption, tables and parts."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from reports.table import PaperTable, TableData


@dataclass(frozen=True)
class Section:
    """One section (or one part of a section) of the report.

    Attributes:
        id: HTML id, unique in the page (letters, digits, dashes).
        title: heading text (plain text; escaped by the template).
        figure: the chart, or ``None``.
        caption: plain-text explanation shown under the heading.
        table: a small static table, or ``None``.
        notes: plain-text bullet points (e.g. run warnings).
        paper_table: the interactive paper table (only the papers section has one).
        parts: sub-sections shown inside this one, each with its own figure, caption and table.
    """

    id: str
    title: str
    figure: go.Figure | None = None
    caption: str = ""
    table: TableData | None = None
    notes: tuple[str, ...] = ()
    paper_table: PaperTable | None = None
    parts: tuple[Section, ...] = ()
