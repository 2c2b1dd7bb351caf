"""The "Science maps" section of the report: the strategic diagram, thematic evolution, bursts and the co-word
network (the views analysts know from bibliometrix, CiteSpace and VOSviewer). Built from
:class:`~topics.results.ScienceViews` only; each part names the CSV file that holds its data."""

from __future__ import annotations

from reports import figures
from reports.escape import shorten
from reports.figures.bursts import MAX_BURSTS
from reports.page import Section
from reports.table import Cell, TableData
from topics.results import (
    QUADRANTS,
    THEME,
    TOPIC,
    Bursts,
    CowordNetwork,
    ScienceViews,
    ThematicEvolution,
    ThematicMap,
)

#: Characters of a label and of a term list kept in the section's tables.
LABEL_CHARS = 50
TERMS_CHARS = 110
NOUNS = {THEME: "themes", TOPIC: "LDA topics"}


def views_section(views: ScienceViews | None) -> Section | None:
    """One part per computed view, with the notes on the views that could not be computed; ``None`` when no
    view was computed."""
    if views is None:
        return None
    parts: list[Section] = []
    if views.thematic_map is not None and len(views.thematic_map.frame):
        parts.append(thematic_map_part(views.thematic_map))
    if views.evolution is not None:
        parts += evolution_parts(views.evolution)
    if views.bursts is not None:
        parts.append(bursts_part(views.bursts))
    if views.coword is not None and len(views.coword.nodes):
        parts.append(coword_part(views.coword))
    if not parts:
        return None
    return Section(
        id="science-maps",
        title="Science maps",
        caption="The views of bibliometric mapping tools (bibliometrix, VOSviewer, CiteSpace), computed from the "
        "papers' terms: where each theme and topic stands, how their vocabularies carry over time, which terms "
        "and themes burst, and which terms occur together.",
        notes=views.notes,
        parts=tuple(parts),
    )


def thematic_map_part(thematic_map: ThematicMap) -> Section:
    """The strategic diagram with its reading rule and a table of the groups by quadrant."""
    frame = thematic_map.frame
    order = {q: i for i, q in enumerate(QUADRANTS)}
    rows: list[tuple[Cell, ...]] = [
        (r.kind, shorten(str(r.label), LABEL_CHARS), r.quadrant, int(r.papers), round(float(r.centrality), 2),
         round(float(r.density), 2), shorten(str(r.terms), TERMS_CHARS))
        for r in frame.assign(_q=frame["quadrant"].map(order)).sort_values(["kind", "_q", "centrality_rank"])
        .itertuples(index=False)
    ]
    caption = (
        f"Each theme and LDA topic is described by its top {thematic_map.n_terms} terms (frequent among its papers "
        "and over-represented there) and placed by how those terms co-occur across all the papers, measured by "
        "the equivalence index c_ij² / (c_i c_j). Centrality (x, Callon's) is 10 × the summed index of the links "
        "from its terms to other groups' terms: how much it connects to the rest. Density (y) is 100 × the summed "
        "index of the links among its own terms, per term: how developed and cohesive it is. The dashed lines are "
        "the medians (themes and topics each have their own), and a value at the median counts as high: motor "
        "themes (high centrality and density) are developed and central; basic themes (central, not dense) are "
        "transversal and general; niche themes (dense, not central) are well developed but isolated; emerging or "
        "declining themes (low on both) are marginal. Bubble area: papers; a label that would overlap another "
        "is left out (hover the bubble, or see the table). Data: thematic_map.csv."
    )
    return Section(
        id="science-maps-thematic-map",
        title="Thematic map",
        figure=figures.thematic_map_figure(thematic_map),
        caption=caption,
        table=TableData(("Kind", "Theme or topic", "Quadrant", "Papers", "Centrality", "Density", "Top terms"),
                        tuple(rows)),
    )


def evolution_parts(evolution: ThematicEvolution) -> list[Section]:
    """One Sankey per kind (themes, then LDA topics) that has nodes."""
    parts = []
    slices = "; ".join(f"{name} ({len(periods)} period{'s' if len(periods) != 1 else ''})"
                       for name, periods in zip(evolution.slices, evolution.slice_periods))
    for kind in (THEME, TOPIC):
        nodes = evolution.nodes[evolution.nodes["kind"] == kind]
        if not len(nodes):
            continue
        n_links = int((evolution.links["kind"] == kind).sum())
        n_unlinked = int((~nodes["linked"].astype(bool)).sum())
        parts.append(Section(
            id=f"science-maps-evolution-{kind}",
            title=f"Thematic evolution of the {NOUNS[kind]}",
            figure=figures.evolution_figure(evolution, kind),
            caption=(
                f"The periods are cut into {len(evolution.slices)} slices of about equal numbers of papers: {slices}. "
                f"In each slice, every one of the {NOUNS[kind]} with at least {evolution.min_papers} papers is a "
                f"node described by its top {evolution.n_terms} terms within that slice. A link joins nodes of "
                "consecutive slices whose term sets A and B overlap, with width the inclusion index "
                f"|A ∩ B| / min(|A|, |B|) (1: the smaller set is contained in the larger); links below "
                f"{evolution.min_inclusion:g} are dropped. {len(nodes)} nodes, {n_links} links; "
                + (f"{n_unlinked} nodes without a link are shown as markers under the diagram, in their slice's "
                   "column. " if n_unlinked else "every node has a link. ")
                +
                "Hover a link for the shared terms. Data: thematic_evolution_nodes.csv, "
                "thematic_evolution_links.csv."
            ),
        ))
    return parts


def bursts_part(bursts: Bursts) -> Section:
    """The burst timeline, or a caption saying no burst was found."""
    n = len(bursts.frame)
    caption = (
        f"Kleinberg's burst detection (2002), as CiteSpace uses it, on the {bursts.n_terms} most frequent terms and "
        f"every theme, over {len(bursts.periods)} periods: in each period an item is either at its base rate (its "
        f"share of all papers) or bursting at s = {bursts.s:g} times that rate, entering a burst costs "
        f"γ · ln(periods) with γ = {bursts.gamma:g}, and the cheapest sequence of states is found by Viterbi. A "
        "bar spans a burst's first to last period; its strength (colour) is how much better the burst rate "
        "explains those periods' counts than the base rate (summed log-likelihood gain, in nats). "
    )
    if not n:
        return Section(id="science-maps-bursts", title="Bursts", caption=caption + "No burst was found.")
    shown = min(n, MAX_BURSTS)
    caption += f"The {shown} strongest of {n} bursts are drawn. Data: bursts.csv."
    return Section(id="science-maps-bursts", title="Bursts", figure=figures.burst_timeline_figure(bursts),
                   caption=caption)


def coword_part(network: CowordNetwork) -> Section:
    """The co-word network with how its edges and communities were made."""
    n_communities = int(network.nodes["community"].nunique())
    caption = (
        f"The {len(network.nodes)} most frequent terms (author keywords included when the input has them), joined "
        "when they occur together in papers. An edge's strength is VOSviewer's association strength: the papers "
        "holding both terms over the number expected if the terms were independent (1 = chance); edges at least "
        f"{network.min_strength:g} are kept, then each term's {network.edges_per_node} strongest. Colours are "
        f"the {n_communities} Louvain communities of the weighted network; positions come from a force-directed "
        f"layout (seed {network.seed}), so nearby terms are strongly linked, but distances are not exact. Bubble "
        f"area: papers; {len(network.edges)} edges. Data: coword_nodes.csv, coword_edges.csv."
    )
    return Section(id="science-maps-coword", title="Co-word network", figure=figures.coword_network_figure(network),
                   caption=caption)
