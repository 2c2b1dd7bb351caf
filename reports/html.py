"""Rendering of the sections into one self-contained, offline HTML page.

plotly.js is inlined once in ``<head>``; every figure and the paper table travel as JSON inside
``<script type="application/json">`` blocks, escaped so that no scraped string can close the block; the page
makes no request of any kind (its Content-Security-Policy forbids them). Every figure is drawn with
:data:`reports.style.FIGURE_CONFIG`, embedded once, which turns off plotly.js's cloud upload ("Share chart"), its
logo link and editing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from reports.page import Section
from reports.sections import build_sections
from reports.style import FIGURE_CONFIG, OFFLINE_TRACE_TYPES
from topics.results import RunResult

#: Characters that must not appear raw in JSON embedded in a ``<script>`` block, and their JSON escapes.
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")
)


def script_safe_json(text: str) -> str:
    r"""JSON text made safe inside ``<script>``: ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\uXXXX``
    escapes (these characters only occur inside JSON strings, where the escapes mean the same)."""
    for char, escape in _SCRIPT_ESCAPES:  # str.replace runs in C; a translate table goes char by char
        if char in text:
            text = text.replace(char, escape)
    return text


def figure_json(fig: go.Figure) -> str:
    """``fig`` as script-safe Plotly JSON (``{"data": [...], "layout": {...}}``).

    Raises ``ValueError`` for a trace type that could load something when drawn (map tiles, topojson): the report
    never fetches anything, so such a figure is a bug in the figure code, caught before any file is written.
    """
    for trace in fig.data:
        if trace.type not in OFFLINE_TRACE_TYPES:
            raise ValueError(
                f"figure trace type {trace.type!r} is not allowed in the offline report "
                f"(allowed: {', '.join(sorted(OFFLINE_TRACE_TYPES))})"
            )
    return script_safe_json(pio.to_json(fig, validate=False, pretty=False, engine="json"))


def data_json(data: Any) -> str:
    """``data`` (JSON-ready) as script-safe, compact JSON."""
    return script_safe_json(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle shipped with the plotly package, ready to inline in a ``<script>`` block."""
    source = plotly.offline.get_plotlyjs()
    # A literal "</script" would end the block early; the bundle has none, but never trust a bundle blindly.
    return source.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def header_counts(run: RunResult) -> list[str]:
    """Short facts for the page header, e.g. ``["1,234 papers", "2 periods", "12 themes", "20 LDA topics"]``."""
    facts = [f"{len(run.corpus):,} papers"]
    if run.trends.periods:
        facts.append(f"{len(run.trends.periods)} periods")
    facts.append(f"{len(run.themes.themes)} themes")
    if run.lda is not None:
        facts.append(f"{run.lda.n_topics} LDA topics")
    if run.clusters is not None:
        facts.append(f"{run.clusters.n_topics} TF-IDF clusters")
    if run.corpus.skipped:
        facts.append(f"{len(run.corpus.skipped):,} records skipped")
    return facts


def render_sections(title: str, facts: list[str], sections: list[Section]) -> str:
    """The full HTML page for ``sections`` under ``title``, with ``facts`` in the header."""
    figures: dict[str, Markup] = {}
    tables: dict[str, Markup] = {}
    for section in walk_sections(sections):
        if section.figure is not None:
            figures[section.id] = Markup(figure_json(section.figure))
        if section.paper_table is not None:
            tables[section.id] = Markup(data_json(section.paper_table.to_json_data()))
    return _environment().get_template("report.html.j2").render(
        title=title,
        facts=facts,
        sections=sections,
        figures=figures,
        tables=tables,
        plotly_js=Markup(plotly_js()),
        figure_config=Markup(data_json(FIGURE_CONFIG)),
    )


def render_report(run: RunResult) -> str:
    """The complete, self-contained HTML report of ``run`` (the caller writes it to a file)."""
    return render_sections(run.title, header_counts(run), build_sections(run))


def walk_sections(sections: list[Section] | tuple[Section, ...]) -> list[Section]:
    """Every section and part, depth first."""
    result: list[Section] = []
    for section in sections:
        result.append(section)
        result.extend(walk_sections(section.parts))
    return result
