"""All visual styling of the report's figures: palette, fonts, layout defaults, margins and heights.

Figures build their traces and call :func:`apply_style` once; colours come from :func:`theme_colors` (one
fixed colour per theme id, in theme order, grey for :data:`~topics.results.UNASSIGNED`) or
:func:`series_colors` (any other categorical series, e.g. input sources).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from topics.results import DECLINING, EMERGING, STABLE, UNASSIGNED

#: Qualitative palette of 20 distinct colours, so no chart of up to 20 series repeats a colour. The first seven are
#: Okabe and Ito's colour-blind-safe set (the most frequent themes come first); the other thirteen were chosen
#: greedily from sRGB colours of CIELAB lightness 38-80 and chroma 30-75, each the farthest (CIEDE2000) from those
#: before it, from the grey of unassigned papers and from white, in normal vision and (weighted 2.5x) under
#: simulated deuteranopia and protanopia. Any two differ by a CIEDE2000 distance of at least 16.
PALETTE: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7",
    "#56b4e9", "#f0e442", "#a62c2c", "#a61685", "#ffa690",
    "#907af4", "#90904e", "#00d3d3", "#85c859", "#436437",
    "#379000", "#906f43", "#008585", "#2cdea6", "#374ec8",
)
#: Colour of papers that carry no theme.
UNASSIGNED_COLOR = "#b0b0b0"
#: Colour of the "other" bar of a series cut to its largest members (e.g. venues), and of "no venue".
OTHER_COLOR = "#8c8c8c"
MISSING_COLOR = "#d0d0d0"
#: Single-series colour (bars that are not split by theme).
ACCENT_COLOR = PALETTE[0]
#: Sequential colour scale for counts (heatmaps), white to the accent colour.
COUNT_COLORSCALE: tuple[tuple[float, str], ...] = ((0.0, "#f7fbff"), (0.5, "#9ecae1"), (1.0, "#08519c"))


#: The plotly.js config of every figure in the report (``Plotly.newPlot(div, data, layout, FIGURE_CONFIG)``). The
#: report is private and offline, so every feature that could send a chart or its data anywhere is off: no "Share
#: chart" (Plotly Cloud upload) button, no server URL to upload to, no Plotly logo link, no editing, no MathJax.
#: The toolbar keeps what works inside the file: PNG download, zoom, pan, box/lasso select, autoscale and reset.
FIGURE_CONFIG: dict[str, object] = {
    "responsive": True,
    "displaylogo": False,
    "showSendToCloud": False,
    "plotlyServerURL": "",
    # resetSankeyGroup (the Sankey's "Reset view"): plotly.js throws on it when a Sankey shares its figure with
    # other traces (the evolution's unlinked nodes are a scatter beside it); a dragged node goes back on reload
    "modeBarButtonsToRemove": ["sendChartToCloud", "resetSankeyGroup"],
    "editable": False,
    "typesetMath": False,
    "showTips": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
#: Trace types whose drawing loads nothing (no map tiles, no topojson): the only ones a report figure may use.
OFFLINE_TRACE_TYPES: frozenset[str] = frozenset(
    {"bar", "heatmap", "scatter", "scattergl", "histogram", "box", "violin", "pie", "table", "contour", "sankey"}
)


def count_heatmap(
    counts: Sequence[Sequence[int]] | np.ndarray, x: Sequence[str], y: Sequence[str], hovertemplate: str
) -> go.Heatmap:
    """A heatmap of paper counts (rows ``y``, columns ``x``; labels already escaped) in the house count style,
    each cell showing its count."""
    return go.Heatmap(
        z=[[int(v) for v in row] for row in counts],
        x=list(x),
        y=list(y),
        colorscale=[list(stop) for stop in COUNT_COLORSCALE],
        texttemplate="%{z}",
        hovertemplate=hovertemplate,
        colorbar={"title": "Papers"},
        xgap=1,
        ygap=1,
    )

#: System font stack: no web font is ever fetched.
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
FONT_SIZE = 13
TITLE_FONT_SIZE = 16
TEXT_COLOR = "#222222"
GRID_COLOR = "#e6e6e6"

#: Margins in pixels.
MARGIN = {"l": 60, "r": 30, "t": 70, "b": 50}
#: Default figure height in pixels.
DEFAULT_HEIGHT = 420
#: Height in pixels per category row of a horizontal bar chart, and the floor of such charts.
BAR_ROW_HEIGHT = 28
MIN_BAR_HEIGHT = 260
#: Height in pixels of one row of small multiples (top-term grids) and the number of panels per row.
GRID_ROW_HEIGHT = 300
GRID_COLUMNS = 3
#: Height in pixels of the documents map and the intertopic map.
MAP_HEIGHT = 620
#: Marker sizes (pixels) of a document: ``(at most this many points, size)``, first match wins.
DOC_MARKER_SIZES: tuple[tuple[int, int], ...] = ((500, 9), (5_000, 6), (20_000, 4))
DOC_MARKER_MIN_SIZE = 3
DOC_MARKER_OPACITY = 0.75
#: Diameter (pixels) of the largest bubble of an intertopic map.
MAX_BUBBLE_SIZE = 70
#: Characters per line of wrapped hover text.
HOVER_WIDTH = 70

#: Opacity of the filled band of a confidence interval around a line (in the line's colour).
BAND_OPACITY = 0.15
#: Colour of each trend direction (a colour-blind-safe blue/red pair, grey for no clear trend).
TREND_COLORS: dict[str, str] = {EMERGING: "#2166ac", DECLINING: "#b2182b", STABLE: "#9a9a9a"}
#: Marker colours of the earlier and the later period of a two-period comparison, and of the line joining them.
SNAPSHOT_BEFORE_COLOR = "#9ecae1"
SNAPSHOT_AFTER_COLOR = "#08519c"
CONNECTOR_COLOR = "#c8c8c8"
#: Reference lines (e.g. zero change): colour, width in pixels, dash.
REFERENCE_LINE: dict[str, object] = {"color": "#666666", "width": 1, "dash": "dash"}
#: Sequential colour scale for shares in ``[0, 1]`` (heatmaps), white to dark green.
SHARE_COLORSCALE: tuple[tuple[float, str], ...] = ((0.0, "#f7fcf5"), (0.5, "#74c476"), (1.0, "#00441b"))
#: Height in pixels per row of a heatmap, its floor, and the room for the column labels and colour bar.
HEATMAP_ROW_HEIGHT = 30
MIN_HEATMAP_HEIGHT = 340
HEATMAP_EXTRA_HEIGHT = 110
#: Heatmaps with more columns than this show no text in their cells (it would not fit).
HEATMAP_TEXT_MAX_COLUMNS = 16
#: Height in pixels of line and area charts over periods, and of the two-panel raw-vs-normalised chart (its
#: legend sits under the panels, in a bottom margin of ``PANEL_PAIR_MARGIN_B`` pixels).
TREND_HEIGHT = 460
#: Lines drawn at once in a many-series chart (a selector shows the most frequent themes in groups of this many).
VISIBLE_SERIES = 5
PANEL_PAIR_HEIGHT = 620
PANEL_PAIR_MARGIN_B = 150
#: Small multiples over periods (one panel per theme): height in pixels of a row of panels, and the panels per row
#: (``SMALL_COLUMNS``, or ``WIDE_COLUMNS`` past ``SMALL_MAX_PANELS`` panels).
PANEL_ROW_HEIGHT = 190
SMALL_COLUMNS = 3
WIDE_COLUMNS = 4
SMALL_MAX_PANELS = 9
#: Characters of a theme label kept in a panel title.
PANEL_TITLE_CHARS = 36
#: Period axes label at most ``MAX_PERIOD_TICKS`` periods (``PANEL_PERIOD_TICKS`` on a panel of small multiples):
#: every k-th period, k the first of ``PERIOD_TICK_STEPS`` that is enough (of ``YEAR_TICK_STEPS`` for years, which
#: are labelled on the multiples of k: 1990, 1995, ...). Long
#: labels get fewer ticks: a label takes ``TICK_CHAR_PX`` pixels per character plus ``TICK_GAP_PX``, on a plot
#: ``PLOT_WIDTH`` (or ``PANEL_WIDTH``) pixels wide.
MAX_PERIOD_TICKS = 12
PANEL_PERIOD_TICKS = 5
PERIOD_TICK_STEPS: tuple[int, ...] = (1, 2, 3, 4, 5, 10, 20, 25, 50, 100)
YEAR_TICK_STEPS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100)
TICK_CHAR_PX = 7
TICK_GAP_PX = 16
PLOT_WIDTH = 1000
PANEL_WIDTH = 230

#: Science maps: height in pixels of the strategic diagram, the evolution Sankey (its rows of unlinked nodes under
#: it take ``EVOLUTION_ROW_SHARE`` of the figure's height each, at most ``EVOLUTION_MAX_ROWS_SHARE`` in all) and
#: the co-word network.
THEMATIC_MAP_HEIGHT = 560
EVOLUTION_HEIGHT = 620
EVOLUTION_ROW_SHARE = 0.05
EVOLUTION_MAX_ROWS_SHARE = 0.4
NETWORK_HEIGHT = 680
#: Marker symbols that tell themes from LDA topics in one chart.
KIND_SYMBOLS: dict[str, str] = {"theme": "circle", "topic": "diamond"}
#: Co-word network edges: colour, and line widths in pixels of the weakest to the strongest third of the edges.
EDGE_COLOR = "rgba(120, 120, 120, 0.35)"
EDGE_WIDTHS: tuple[float, ...] = (0.6, 1.4, 2.6)
#: Opacity of an evolution link (drawn in its earlier node's colour).
FLOW_OPACITY = 0.3
#: Sequential colour scale of burst strength, light to dark orange-red.
BURST_COLORSCALE: tuple[tuple[float, str], ...] = ((0.0, "#fdd49e"), (0.5, "#fc8d59"), (1.0, "#b30000"))

_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT_COLOR},
        title={"font": {"size": TITLE_FONT_SIZE}, "x": 0.0, "xanchor": "left", "xref": "paper"},
        colorway=list(PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=MARGIN,
        hoverlabel={"font": {"family": FONT_FAMILY, "size": FONT_SIZE}, "align": "left"},
        legend={"bgcolor": "rgba(255,255,255,0.8)", "borderwidth": 0},
        xaxis={"gridcolor": GRID_COLOR, "zerolinecolor": GRID_COLOR, "automargin": True},
        yaxis={"gridcolor": GRID_COLOR, "zerolinecolor": GRID_COLOR, "automargin": True},
    )
)


def theme_colors(theme_ids: Sequence[str]) -> dict[str, str]:
    """Colour of each theme id: ``PALETTE`` in theme order, grey for ``UNASSIGNED``; past 20 themes the palette
    starts again (a chart of at most 20 themes never repeats a colour).

    Pass the full theme list (``ThemeTable.theme_ids``) so a theme has the same colour in every figure.
    """
    colors = {theme_id: PALETTE[i % len(PALETTE)] for i, theme_id in enumerate(theme_ids)}
    colors[UNASSIGNED] = UNASSIGNED_COLOR
    return colors


def series_colors(names: Sequence[str]) -> dict[str, str]:
    """Colour of each name of a categorical series (e.g. input sources), ``PALETTE`` in order."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def period_ticks(labels: Sequence[str], most: int = MAX_PERIOD_TICKS, width: int = PLOT_WIDTH) -> dict[str, object]:
    """Tick settings of a category axis over periods (``labels``: the axis categories, escaped, in order): every
    period when at most ``most`` fit in ``width`` pixels, else every k-th (years: the multiples of k), so the labels
    never collide. Spread into the axis dict: ``xaxis={..., **period_ticks(x)}``."""
    labels = list(labels)
    most = _fitting(max((len(label) for label in labels), default=0), most, width)
    years = _years(labels)
    if years is not None:
        step = _tick_step(max(years) - min(years) + 1, most, YEAR_TICK_STEPS)
        shown = [label for label, year in zip(labels, years) if year % step == 0]
        if 0 < len(shown) <= most:
            return {"tickmode": "array", "tickvals": shown, "ticktext": shown}
    step = _tick_step(len(labels), most)
    shown = labels[::step]
    return {"tickmode": "array", "tickvals": shown, "ticktext": shown}


def year_ticks(years: Sequence[int], most: int = MAX_PERIOD_TICKS, width: int = PLOT_WIDTH) -> dict[str, object]:
    """Tick settings of a linear year axis over ``years``: a tick every k years on the multiples of k, at most
    ``most`` ticks (fewer when ``width`` pixels hold fewer)."""
    span = max(years) - min(years) + 1 if len(years) else 1
    step = _tick_step(span, _fitting(4, most, width), YEAR_TICK_STEPS)
    return {"tickmode": "linear", "tick0": 0, "dtick": step, "tickformat": "d"}


def _fitting(longest: int, most: int, width: int) -> int:
    """How many tick labels of ``longest`` characters fit in ``width`` pixels, at most ``most`` (at least 2)."""
    return max(2, min(most, width // (TICK_CHAR_PX * max(longest, 1) + TICK_GAP_PX)))


def _tick_step(count: int, most: int, steps: Sequence[int] = PERIOD_TICK_STEPS) -> int:
    """The first of ``steps`` that labels ``count`` periods with at most ``most`` ticks."""
    for step in steps:
        if -(-count // step) <= most:
            return step
    return -(-count // most)


def _years(labels: Sequence[str]) -> list[int] | None:
    """``labels`` as years when every label is a number of four digits, else ``None``."""
    if not labels or not all(len(label) == 4 and label.isdigit() for label in labels):
        return None
    return [int(label) for label in labels]


def panel_columns(n_panels: int) -> int:
    """Panels per row of small multiples with ``n_panels`` panels."""
    return max(1, min(n_panels, SMALL_COLUMNS if n_panels <= SMALL_MAX_PANELS else WIDE_COLUMNS))


def panels_height(n_rows: int) -> int:
    """Height in pixels of small multiples over periods with ``n_rows`` rows of panels."""
    return MARGIN["t"] + MARGIN["b"] + 30 + PANEL_ROW_HEIGHT * max(n_rows, 1)


def bar_height(n_bars: int) -> int:
    """Height in pixels of a horizontal bar chart with ``n_bars`` categories."""
    return max(MIN_BAR_HEIGHT, MARGIN["t"] + MARGIN["b"] + BAR_ROW_HEIGHT * n_bars)


def grid_height(n_rows: int) -> int:
    """Height in pixels of a small-multiples grid with ``n_rows`` rows."""
    return MARGIN["t"] + MARGIN["b"] + GRID_ROW_HEIGHT * max(n_rows, 1)


def heatmap_height(n_rows: int, extra: int = 0) -> int:
    """Height in pixels of a heatmap with ``n_rows`` rows, plus ``extra`` pixels (e.g. for slanted column
    labels)."""
    rows = HEATMAP_EXTRA_HEIGHT + HEATMAP_ROW_HEIGHT * n_rows
    return max(MIN_HEATMAP_HEIGHT, MARGIN["t"] + MARGIN["b"] + rows) + extra


def translucent(color: str, opacity: float = BAND_OPACITY) -> str:
    """``color`` (``"#rrggbb"``) as an ``"rgba(r, g, b, opacity)"`` string, e.g. for interval bands."""
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {opacity:g})"


def share_heatmap(
    shares: Sequence[Sequence[float | None]],
    x: Sequence[str],
    y: Sequence[str],
    hovertemplate: str,
    customdata: Sequence[Sequence[object]] | None = None,
    show_text: bool = True,
) -> go.Heatmap:
    """A heatmap of shares in ``[0, 1]`` (rows ``y``, columns ``x``; labels already escaped; ``None`` for an
    empty cell) in the house share style, each cell showing its percentage when ``show_text``."""
    z = [[None if v is None else float(v) for v in row] for row in shares]
    return go.Heatmap(
        z=z,
        x=list(x),
        y=list(y),
        zmin=0.0,
        zmax=max([0.0, *(v for row in z for v in row if v is not None)]) or 1.0,
        colorscale=[list(stop) for stop in SHARE_COLORSCALE],
        text=[["" if v is None else f"{v:.0%}" for v in row] for row in z] if show_text else None,
        texttemplate="%{text}" if show_text else None,
        customdata=[list(row) for row in customdata] if customdata is not None else None,
        hovertemplate=hovertemplate,
        colorbar={"title": "Share", "tickformat": ".0%"},
        xgap=1,
        ygap=1,
    )


def doc_marker_size(n_points: int) -> int:
    """Marker size in pixels for a documents map of ``n_points`` points: smaller as the map gets denser."""
    for limit, size in DOC_MARKER_SIZES:
        if n_points <= limit:
            return size
    return DOC_MARKER_MIN_SIZE


def apply_style(fig: go.Figure, height: int = DEFAULT_HEIGHT, show_legend: bool | None = None) -> go.Figure:
    """Apply the report's template, height (pixels) and legend setting to ``fig`` in place; returns ``fig``."""
    fig.update_layout(template=_TEMPLATE, height=height, autosize=True)
    if show_legend is not None:
        fig.update_layout(showlegend=show_legend)
    return fig
