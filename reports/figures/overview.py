"""Corpus overview figures: papers per period by venue (or input source), skipped records per reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import plotly.graph_objects as go

from preprocessing.records import Corpus, Paper
from reports.escape import escape_text
from reports.style import (
    ACCENT_COLOR,
    MISSING_COLOR,
    OTHER_COLOR,
    apply_style,
    bar_height,
    period_ticks,
    series_colors,
)

#: Label of papers whose ``source`` is empty.
UNKNOWN_SOURCE = "(unknown source)"
#: Labels of papers whose ``venue`` is empty and of the venues past the :data:`TOP_VENUES` largest.
NO_VENUE = "(no venue)"
OTHER_VENUES = "Other venues"
#: Venues drawn as their own bars; the smaller ones are stacked as one "other" bar.
TOP_VENUES = 10


def ordered_periods(corpus: Corpus, periods: Sequence[str] = ()) -> list[str]:
    """The periods of ``corpus``: those in ``periods`` first (chronological order, as given), then any other
    period found in the papers, sorted."""
    present = {paper.period for paper in corpus.papers}
    ordered = [period for period in periods if period in present]
    return ordered + sorted(present - set(ordered))


def stack_groups(corpus: Corpus, top: int = TOP_VENUES) -> tuple[str, list[str], list[str]]:
    """What the papers-per-period bars are split by: ``("venue", group of each paper, groups in stack order)``
    when at least two venues are named (the ``top`` largest, then :data:`OTHER_VENUES`, then :data:`NO_VENUE`),
    else ``("source", ...)`` by input source (sorted). Raw text."""
    venues = Counter(paper.venue.strip() for paper in corpus.papers if paper.venue.strip())
    if len(venues) < 2:
        groups = [paper.source or UNKNOWN_SOURCE for paper in corpus.papers]
        return "source", groups, sorted(set(groups))
    ranked = sorted(venues, key=lambda venue: (-venues[venue], venue))
    kept = set(ranked[:top])
    groups = [_venue_group(paper, kept) for paper in corpus.papers]
    order = ranked[:top] + [name for name in (OTHER_VENUES, NO_VENUE) if name in groups]
    return "venue", groups, order


def _venue_group(paper: Paper, kept: set[str]) -> str:
    venue = paper.venue.strip()
    if not venue:
        return NO_VENUE
    return venue if venue in kept else OTHER_VENUES


def papers_per_period_figure(corpus: Corpus, periods: Sequence[str] = ()) -> go.Figure:
    """Stacked bar chart: x = period, y = number of papers, one trace per venue (the :data:`TOP_VENUES` largest,
    largest at the bottom, then one for the other venues and one for papers without a venue) when the papers
    name at least two venues, else one trace per input source.

    ``periods`` gives the chronological order (``TrendTable.periods``); periods missing from it are appended
    in sorted order. At most about a dozen period labels are shown (:func:`reports.style.period_ticks`).
    """
    order = ordered_periods(corpus, periods)
    field, groups, stack = stack_groups(corpus)
    counts = Counter((paper.period, group) for paper, group in zip(corpus.papers, groups))
    colors = series_colors([group for group in stack if group not in (OTHER_VENUES, NO_VENUE)])
    colors.update({OTHER_VENUES: OTHER_COLOR, NO_VENUE: MISSING_COLOR})
    x_labels = [escape_text(period) for period in order]
    fig = go.Figure()
    for group in stack:
        name = escape_text(group)
        fig.add_trace(
            go.Bar(
                x=x_labels,
                y=[counts.get((period, group), 0) for period in order],
                name=name,
                marker_color=colors[group],
                hovertemplate=f"{name}<br>%{{x}}: %{{y}} papers<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        bargap=0.15,
        title=f"Papers per period and {field} ({len(corpus):,} papers)",
        xaxis={"title": "Period", "type": "category", "categoryorder": "array", "categoryarray": x_labels,
               **period_ticks(x_labels)},
        yaxis={"title": "Papers"},
        legend={"title": field.capitalize(), "traceorder": "reversed"},
    )
    return apply_style(fig, show_legend=True)


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
