"""The venue profile figure: the share of each venue's papers carrying each theme."""

from __future__ import annotations

import plotly.graph_objects as go

from reports.escape import escape_text, shorten
from reports.figures import cells
from reports.figures.cells import LABEL_CHARS, SLANTED_LABELS_HEIGHT
from reports.figures.themes import theme_labels
from reports.style import apply_style, heatmap_height, share_heatmap
from topics.results import ThemeProfiles, ThemeTable


def venue_profile_heatmap(profiles: ThemeProfiles, themes: ThemeTable) -> go.Figure:
    """Heatmap: rows = venues (most papers on top), columns = themes (theme order), z = share of the venue's
    papers carrying the theme in ``[0, 1]``, cell text = that share as a percentage; hover adds the counts.

    Raises:
        ValueError: when ``profiles.venues`` is empty (fewer than two venues).
    """
    venues = profiles.venues
    if venues is None or venues.empty:
        raise ValueError("venue_profile_heatmap needs venue profiles, but profiles.venues is empty")
    venues = venues.assign(venue=venues["venue"].astype(str), theme=venues["theme"].astype(str))
    sizes = venues.groupby("venue", sort=False)["papers"].max().astype(float)
    venue_order = sorted(sizes.index, key=lambda v: (-sizes[v], v))
    theme_order = cells.theme_order(venues, themes)
    labels = theme_labels(themes)
    by_cell = venues.drop_duplicates(["venue", "theme"]).set_index(["venue", "theme"])
    z, customdata = [], []
    for venue in venue_order:
        z_row, data_row = [], []
        for theme_id in theme_order:
            if (venue, theme_id) in by_cell.index:
                cell = by_cell.loc[(venue, theme_id)]
                z_row.append(cells.number(cell["share"]))
                data_row.append([cells.whole(cell["count"]), cells.whole(cell["papers"])])
            else:
                z_row.append(None)
                data_row.append([None, cells.whole(sizes[venue])])
        z.append(z_row)
        customdata.append(data_row)
    x = cells.unique([escape_text(shorten(labels.get(t, t), LABEL_CHARS)) for t in theme_order])
    y = cells.unique([escape_text(shorten(v, LABEL_CHARS)) for v in venue_order])
    fig = go.Figure(
        share_heatmap(
            z,
            x,
            y,
            "%{y}<br>%{x}: %{z:.1%} of the venue's papers (%{customdata[0]} of %{customdata[1]})<extra></extra>",
            customdata=customdata,
            show_text=True,
        )
    )
    slanted = len(x) > 4
    fig.update_layout(
        title="Theme profile of each venue (share of the venue's papers carrying each theme)",
        xaxis={"type": "category", "tickangle": -30 if slanted else 0},  # columns are themes: no axis title
        yaxis={"title": "Venue", "type": "category", "autorange": "reversed"},
    )
    return apply_style(fig, height=heatmap_height(len(y), SLANTED_LABELS_HEIGHT if slanted else 0), show_legend=False)
