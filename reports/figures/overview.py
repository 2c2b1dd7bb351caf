"""Corpus overview figures: papers per period and source, skipped records per reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import plotly.graph_objects as go

from preprocessing.records import Corpus
from reports.escape import escape_text
from reports.style import ACCENT_COLOR, apply_style, bar_height, series_colors

#: Label of papers whose ``source`` is empty.
UNKNOWN_SOURCE = "(unknown source)"


def ordered_periods(corpus: Corpus, periods: Sequence[str] = ()) -> list[str]:
    """The periods of ``corpus``: those in ``periods`` first (chronological order, as given), then any other
    period found in the papers, sorted."""
    present = {paper.period for paper in corpus.papers}
    ordered = [period for period in periods if period in present]
    return ordered + sorted(present - set(ordered))


def papers_per_period_figure(corpus: Corpus, periods: Sequence[str] = ()) -> go.Figure:
    """Stacked bar chart: x = period, y = number of papers, one trace per input source.

    ``periods`` gives the chronological order (``TrendTable.periods``); periods missing from it are appended
    in sorted order.
    """
    order = ordered_periods(corpus, periods)
    counts = Counter((paper.period, paper.source or UNKNOWN_SOURCE) for paper in corpus.papers)
    sources = sorted({source for _, source in counts})
    colors = series_colors(sources)
    x_labels = [escape_text(period) for period in order]
    fig = go.Figure()
    for source in sources:
        name = escape_text(source)
        fig.add_trace(
            go.Bar(
                x=x_labels,
                y=[counts.get((period, source), 0) for period in order],
                name=name,
                marker_color=colors[source],
                hovertemplate=f"{name}<br>%{{x}}: %{{y}} papers<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title=f"Papers per period and source ({len(corpus):,} papers)",
        xaxis={"title": "Period", "type": "category"},
        yaxis={"title": "Papers"},
        legend={"title": "Source", "traceorder": "normal"},
    )
    return apply_style(fig)


def skipped_reasons_figure(corpus: Corpus) -> go.Figure:
    """Horizontal bar chart: one bar per skip reason (``Corpus.skipped_counts``), length = records skipped."""
    counts = corpus.skipped_counts()
    reasons = sorted(counts, key=lambda reason: (counts[reason], reason))  # largest bar on top
    fig = go.Figure(
        go.Bar(
            x=[counts[reason] for reason in reasons],
            y=[escape_text(reason) for reason in reasons],
            orientation="h",
            marker_color=ACCENT_COLOR,
            text=[counts[reason] for reason in reasons],
            textposition="auto",
            hovertemplate="%{y}: %{x} records<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Records skipped while reading ({len(corpus.skipped):,})",
        xaxis={"title": "Records"},
        yaxis={"type": "category"},
    )
    return apply_style(fig, height=bar_height(len(reasons)), show_legend=False)
