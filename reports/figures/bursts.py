"""Burst timeline (as CiteSpace draws it): one row per term or theme, a bar over the periods of each of its
Kleinberg bursts, coloured by the burst's strength."""

from __future__ import annotations

import plotly.graph_objects as go

from reports.escape import escape_text, shorten
from reports.figures import cells
from reports.style import BURST_COLORSCALE, GRID_COLOR, apply_style, bar_height, period_ticks
from topics.results import THEME, Bursts

#: Bursts drawn (the strongest); bursts.csv has them all.
MAX_BURSTS = 40
#: Characters of a row label.
LABEL_CHARS = 50


def burst_timeline_figure(bursts: Bursts, max_bursts: int = MAX_BURSTS) -> go.Figure:
    """Horizontal bars, one per burst of the ``max_bursts`` strongest: x = periods (``bursts.periods`` in
    order; a bar covers its first to last period), y = the term or ``"Theme: label"`` (an item with several
    bursts keeps one row), rows ordered by their strongest burst, the strongest on top; colour = strength
    (nats). Hover gives the periods, strength and papers in the burst.

    Raises:
        ValueError: when there is no burst.
    """
    frame = bursts.frame.sort_values("strength", ascending=False, kind="mergesort").head(max_bursts)
    if not len(frame):
        raise ValueError("no burst to draw")
    position = {period: i for i, period in enumerate(bursts.periods)}
    labels: dict[tuple[str, str], str] = {}
    for kind, ident, label in zip(frame["kind"].astype(str), frame["id"].astype(str), frame["label"]):
        labels.setdefault((kind, ident), cells.text(label) or ident)
    keys = list(labels)
    names = dict(zip(keys, cells.unique([_row_name(kind, label) for (kind, _), label in labels.items()])))
    start = [position[str(p)] for p in frame["start"]]
    end = [position[str(p)] for p in frame["end"]]
    y = [names[(str(k), str(i))] for k, i in zip(frame["kind"], frame["id"])]
    fig = go.Figure(go.Bar(
        orientation="h",
        y=y,
        base=[a - 0.5 for a in start],
        x=[b - a + 1 for a, b in zip(start, end)],
        marker={"color": [float(v) for v in frame["strength"]], "colorscale": [list(c) for c in BURST_COLORSCALE],
                "colorbar": {"title": "Strength"}, "line": {"width": 0}},
        customdata=[[escape_text(r.start), escape_text(r.end), float(r.strength), int(r.papers_in_burst)]
                    for r in frame.itertuples(index=False)],
        hovertemplate="%{y}<br>burst %{customdata[0]} to %{customdata[1]}<br>strength %{customdata[2]:.2f}, "
        "%{customdata[3]} papers<extra></extra>",
    ))
    ticks = _ticks(bursts.periods)
    fig.update_layout(
        title=f"Strongest bursts (Kleinberg, s = {bursts.s:g}, γ = {bursts.gamma:g})",
        xaxis={"title": "Period", "range": [-0.5, len(bursts.periods) - 0.5], "tickvals": ticks,
               "ticktext": [escape_text(bursts.periods[i]) for i in ticks], "showgrid": True, "gridcolor": GRID_COLOR},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": list(names.values()),
               "autorange": "reversed"},
        bargap=0.35,
    )
    return apply_style(fig, height=bar_height(len(keys)), show_legend=False)


def _row_name(kind: str, label: str) -> str:
    """Escaped row label of an item: the term, or ``"Theme: label"``."""
    return escape_text(shorten(f"Theme: {label}" if kind == THEME else label, LABEL_CHARS))


def _ticks(periods: tuple[str, ...]) -> list[int]:
    """Positions of the period ticks: the periods :func:`reports.style.period_ticks` labels (at most 12, years on
    round numbers), so the labels never collide."""
    labels = [escape_text(p) for p in periods]
    tickvals = period_ticks(labels).get("tickvals", labels)
    shown = set(tickvals) if isinstance(tickvals, list) else set(labels)
    return [i for i, label in enumerate(labels) if label in shown]
