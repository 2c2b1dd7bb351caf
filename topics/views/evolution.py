"""Thematic evolution (bibliometrix ``thematicEvolution``): the periods cut into a few time slices, each
theme or topic described by its top terms within each slice, and groups of consecutive slices linked by the
inclusion index of their term sets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from topics.results.views import EVOLUTION_LINK_COLUMNS, EVOLUTION_NODE_COLUMNS
from topics.views.terms import Group, group_top_terms


def slice_label(periods: Sequence[str]) -> str:
    """Label of a slice: its period, or ``"first-last"``."""
    return periods[0] if len(periods) == 1 else f"{periods[0]}-{periods[-1]}"


def _balanced_cuts(sizes: np.ndarray, n_slices: int) -> list[int]:
    """End positions (exclusive) of ``n_slices`` consecutive non-empty runs of ``sizes`` whose sums are as
    close as possible to equal (least squares from the mean, by dynamic programming)."""
    n = len(sizes)
    prefix = np.concatenate([[0.0], np.cumsum(sizes, dtype=np.float64)])
    target = prefix[-1] / n_slices
    best = np.full((n_slices + 1, n + 1), np.inf)
    back = np.zeros((n_slices + 1, n + 1), dtype=np.int64)
    best[0, 0] = 0.0
    for j in range(1, n_slices + 1):
        for i in range(j, n + 1):
            starts = np.arange(j - 1, i)
            cost = best[j - 1, starts] + (prefix[i] - prefix[starts] - target) ** 2
            k = int(np.argmin(cost))
            best[j, i], back[j, i] = cost[k], starts[k]
    cuts, i = [], n
    for j in range(n_slices, 0, -1):
        cuts.append(i)
        i = int(back[j, i])
    return cuts[::-1]


def time_slices(period_order: Sequence[str], papers_per_period: Sequence[int], n_slices: int) -> list[tuple[str, ...]]:
    """``period_order`` (chronological) cut into at most ``n_slices`` runs of consecutive periods holding about
    equal numbers of papers; a period is never split. Only periods with papers decide the cuts (there are at
    most as many slices as such periods); a period without papers joins the slice before it (the first slice
    when it leads). Empty when no period has papers."""
    sizes = np.asarray(papers_per_period, dtype=np.int64)
    filled = np.flatnonzero(sizes > 0)
    if not len(filled):
        return []
    k = max(1, min(n_slices, len(filled)))
    ends = _balanced_cuts(sizes[filled], k)
    bounds = [0] + [int(filled[e]) for e in ends[:-1]] + [len(period_order)]
    return [tuple(period_order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


@dataclass(frozen=True)
class _Node:
    """A group within one slice: its key, slice, papers in the slice and slice-specific top terms."""

    key: str
    slice: str
    slice_index: int
    group: Group
    papers: int
    terms: tuple[str, ...]


def _slice_nodes(
    binary: sparse.csr_matrix,
    terms: Sequence[str],
    groups: Sequence[Group],
    rows: np.ndarray,
    where: tuple[int, str],
    settings: tuple[int, int, int],
) -> list[_Node]:
    """Nodes of slice ``where`` = (index, name) holding the papers ``rows``: each group with at least
    ``min_papers`` papers there and at least one slice-specific top term. ``settings`` = (n_terms, min_papers,
    min_term_papers)."""
    n_terms, min_papers, min_term_papers = settings
    index, name = where
    nodes: list[_Node] = []
    for group in groups:
        members = np.intersect1d(group.members, rows, assume_unique=True)
        if len(members) < min_papers:
            continue
        top = group_top_terms(binary, members, n_terms, min_term_papers, rows=rows)
        if len(top):
            key = f"{index}:{group.kind}:{group.id}"
            nodes.append(_Node(key, name, index, group, len(members), tuple(terms[int(i)] for i in top)))
    return nodes


def inclusion_links(earlier: Sequence[_Node], later: Sequence[_Node], floor: float) -> list[dict[str, object]]:
    """Links (rows of ``EVOLUTION_LINK_COLUMNS``) between the nodes of two consecutive slices, same kind only,
    whose term sets overlap with an inclusion index ``|A ∩ B| / min(|A|, |B|)`` of at least ``floor`` (and
    share at least one term); shared terms in the earlier node's order."""
    links: list[dict[str, object]] = []
    for a in earlier:
        for b in later:
            if a.group.kind != b.group.kind:
                continue
            later_terms = set(b.terms)
            shared = [t for t in a.terms if t in later_terms]
            inclusion = len(shared) / min(len(a.terms), len(b.terms))
            if shared and inclusion >= floor:
                links.append({
                    "kind": a.group.kind, "source": a.key, "target": b.key, "source_slice": a.slice,
                    "target_slice": b.slice, "source_label": a.group.label, "target_label": b.group.label,
                    "inclusion": round(inclusion, 6), "n_shared": len(shared), "shared_terms": "; ".join(shared),
                })
    return links


def thematic_evolution_frames(
    binary: sparse.csr_matrix,
    terms: Sequence[str],
    groups: Sequence[Group],
    slice_rows: Sequence[np.ndarray],
    slice_names: Sequence[str],
    n_terms: int = 10,
    min_papers: int = 3,
    min_inclusion: float = 0.1,
    min_term_papers: int = 2,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and links of the thematic evolution (``EVOLUTION_NODE_COLUMNS``, ``EVOLUTION_LINK_COLUMNS``).

    ``binary`` is the 0/1 paper-by-term matrix (n_docs × n_terms); ``slice_rows[s]`` holds the sorted paper
    indices of slice ``s`` (chronological), named ``slice_names[s]``; ``groups`` may mix kinds (links join
    groups of the same kind only). A node's top terms are those of its papers in the slice against all the
    slice's papers. Nodes without any link are kept (``linked=False``).
    """
    settings = (n_terms, min_papers, min_term_papers)
    per_slice = [
        _slice_nodes(binary, terms, groups, rows, (s, slice_names[s]), settings) for s, rows in enumerate(slice_rows)
    ]
    links = [link for s in range(len(per_slice) - 1)
             for link in inclusion_links(per_slice[s], per_slice[s + 1], min_inclusion)]
    touched = {link["source"] for link in links} | {link["target"] for link in links}
    node_rows = [
        {"node": n.key, "kind": n.group.kind, "slice": n.slice, "slice_index": n.slice_index, "id": n.group.id,
         "label": n.group.label, "papers": n.papers, "terms": "; ".join(n.terms), "linked": n.key in touched}
        for nodes in per_slice for n in nodes
    ]
    node_frame = pd.DataFrame(node_rows, columns=list(EVOLUTION_NODE_COLUMNS))
    link_frame = pd.DataFrame(links, columns=list(EVOLUTION_LINK_COLUMNS))
    return node_frame, link_frame
