"""Result types of the science-mapping views (as bibliometrix, VOSviewer and CiteSpace draw them): the
strategic diagram, thematic evolution, bursts and the co-word network. Built by :func:`topics.views.compute_views`.

Every frame is plain (one row per item, text and numbers only) so that it can be written as CSV as it is;
:meth:`ScienceViews.csv_frames` names the files.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Quadrants of the strategic diagram (Callon et al. 1991), named as bibliometrix names them.
MOTOR, NICHE, EMERGING_OR_DECLINING, BASIC = "motor", "niche", "emerging or declining", "basic"
QUADRANTS: tuple[str, ...] = (MOTOR, NICHE, EMERGING_OR_DECLINING, BASIC)

#: Kinds of a burst's item.
TERM = "term"

THEMATIC_MAP_COLUMNS = (
    "kind", "id", "label", "papers", "centrality", "density", "centrality_rank", "density_rank", "quadrant", "terms",
)
EVOLUTION_NODE_COLUMNS = ("node", "kind", "slice", "slice_index", "id", "label", "papers", "terms", "linked")
EVOLUTION_LINK_COLUMNS = (
    "kind", "source", "target", "source_slice", "target_slice", "source_label", "target_label", "inclusion",
    "n_shared", "shared_terms",
)
BURST_COLUMNS = ("kind", "id", "label", "start", "end", "strength", "papers_in_burst")
COWORD_NODE_COLUMNS = ("term", "papers", "community", "x", "y", "degree")
COWORD_EDGE_COLUMNS = ("source", "target", "cooccurrences", "strength")
#: The views' output files and their columns, in the order they are written.
VIEW_COLUMNS: dict[str, tuple[str, ...]] = {
    "thematic_map.csv": THEMATIC_MAP_COLUMNS,
    "thematic_evolution_nodes.csv": EVOLUTION_NODE_COLUMNS,
    "thematic_evolution_links.csv": EVOLUTION_LINK_COLUMNS,
    "bursts.csv": BURST_COLUMNS,
    "coword_nodes.csv": COWORD_NODE_COLUMNS,
    "coword_edges.csv": COWORD_EDGE_COLUMNS,
}


@dataclass(frozen=True)
class ThematicMap:
    """The strategic diagram of the themes and LDA topics.

    Attributes:
        frame: one row per theme or topic with enough papers: ``kind`` (``"theme"``/``"topic"``), ``id``,
            ``label``, ``papers`` (papers of the group), ``centrality`` (Callon centrality: 10 × the summed
            equivalence index of the links from the group's terms to other groups' terms), ``density`` (100 ×
            the summed equivalence index of the links among the group's terms / the number of its terms),
            ``centrality_rank``/``density_rank`` (1 = highest, within the kind), ``quadrant`` (one of
            :data:`QUADRANTS`, split at the kind's medians; at the median counts as high) and ``terms`` (the
            group's top terms, ``"; "``-joined, best first). Themes first, then topics.
        n_terms: top terms taken per group.
    """

    frame: pd.DataFrame
    n_terms: int


@dataclass(frozen=True)
class ThematicEvolution:
    """Themes and topics per time slice, linked across consecutive slices by the overlap of their terms.

    Attributes:
        nodes: one row per (slice, group) with at least ``min_papers`` papers in the slice: ``node`` (key
            ``"<slice_index>:<kind>:<id>"``), ``kind``, ``slice`` (label such as ``"1987-1995"``),
            ``slice_index`` (0-based, chronological), ``id``, ``label``, ``papers`` (in the slice), ``terms``
            (slice-specific top terms, ``"; "``-joined) and ``linked`` (whether any link touches the node).
        links: one row per pair of nodes of the same kind in consecutive slices whose inclusion index is at
            least ``min_inclusion``: ``kind``, ``source``/``target`` (node keys, earlier slice first),
            ``source_slice``/``target_slice``, ``source_label``/``target_label``, ``inclusion``
            (``|A ∩ B| / min(|A|, |B|)`` of the two term sets, in ``(0, 1]``), ``n_shared`` and ``shared_terms``
            (``"; "``-joined).
        slices: slice labels in chronological order.
        slice_periods: the periods of each slice.
        min_papers, min_inclusion, n_terms: the settings the view was built with.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    slices: tuple[str, ...]
    slice_periods: tuple[tuple[str, ...], ...]
    min_papers: int
    min_inclusion: float
    n_terms: int


@dataclass(frozen=True)
class Bursts:
    """Bursts of terms and themes (Kleinberg 2002, the two-state batched automaton).

    Attributes:
        frame: one row per burst: ``kind`` (``"term"``/``"theme"``), ``id`` (the term, or the theme id),
            ``label``, ``start``/``end`` (first and last period of the burst, labels from ``periods``),
            ``strength`` (the burst's weight: the summed cost saving of the burst state over its periods, in
            nats) and ``papers_in_burst`` (papers with the term or theme in those periods); strongest first.
        periods: every period in chronological order (the automaton's time steps).
        s: ratio of the burst state's rate to the base rate.
        gamma: cost of entering the burst state, in units of ``ln(number of periods)``.
        n_terms: terms tested (the most frequent by document frequency).
    """

    frame: pd.DataFrame
    periods: tuple[str, ...]
    s: float
    gamma: float
    n_terms: int


@dataclass(frozen=True)
class CowordNetwork:
    """The co-word network of the most frequent terms.

    Attributes:
        nodes: one row per term: ``term``, ``papers`` (document frequency), ``community`` (0-based, the largest
            first), ``x``/``y`` (layout coordinates, unitless, within about ``[-1, 1]``) and ``degree`` (edges
            kept); most frequent first.
        edges: one row per kept edge: ``source``/``target`` (terms, the more frequent first),
            ``cooccurrences`` (papers with both) and ``strength`` (association strength: observed
            co-occurrences over those expected if the two terms were independent; 1 = chance).
        min_strength, edges_per_node: the edge filter (strength at least ``min_strength``, then each node's
            ``edges_per_node`` strongest edges).
        seed: the seed of the community detection and the layout.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    min_strength: float
    edges_per_node: int
    seed: int


@dataclass(frozen=True)
class ScienceViews:
    """The four science-mapping views of a run; each is ``None`` when it could not be computed, and
    ``notes`` says why (short plain sentences)."""

    thematic_map: ThematicMap | None = None
    evolution: ThematicEvolution | None = None
    bursts: Bursts | None = None
    coword: CowordNetwork | None = None
    notes: tuple[str, ...] = ()

    def csv_frames(self) -> dict[str, pd.DataFrame]:
        """Output file name → frame, for the views that were computed: ``thematic_map.csv``,
        ``thematic_evolution_nodes.csv``, ``thematic_evolution_links.csv``, ``bursts.csv``,
        ``coword_nodes.csv``, ``coword_edges.csv``."""
        frames: dict[str, pd.DataFrame] = {}
        if self.thematic_map is not None:
            frames["thematic_map.csv"] = self.thematic_map.frame
        if self.evolution is not None:
            frames["thematic_evolution_nodes.csv"] = self.evolution.nodes
            frames["thematic_evolution_links.csv"] = self.evolution.links
        if self.bursts is not None:
            frames["bursts.csv"] = self.bursts.frame
        if self.coword is not None:
            frames["coword_nodes.csv"] = self.coword.nodes
            frames["coword_edges.csv"] = self.coword.edges
        return frames
