"""The co-word network (as VOSviewer draws it): the most frequent terms as nodes, their co-occurrence in papers
as edges weighted by association strength, Louvain communities and a seeded force-directed layout."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from topics.results.views import COWORD_EDGE_COLUMNS, COWORD_NODE_COLUMNS
from topics.views.terms import document_frequency, top_terms_by_frequency


def with_keywords(
    binary: sparse.csr_matrix, terms: Sequence[str], keywords: Sequence[Sequence[str]]
) -> tuple[sparse.csr_matrix, list[str]]:
    """The 0/1 paper-by-term matrix widened by the papers' author keywords (lower-cased, stripped): a keyword
    that equals a term marks that term's column, any other keyword gets a column of its own (after the terms).
    Returns the matrix (n_docs × (n_terms + new keywords)) and its column names."""
    names = list(terms)
    column = {term: j for j, term in enumerate(names)}
    rows, cols = [], []
    for i, paper_keywords in enumerate(keywords):
        for keyword in {" ".join(str(k).lower().split()) for k in paper_keywords} - {""}:
            if keyword not in column:
                column[keyword] = len(names)
                names.append(keyword)
            rows.append(i)
            cols.append(column[keyword])
    extra = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(binary.shape[0], len(names)))
    widened = sparse.hstack([binary, sparse.csr_matrix((binary.shape[0], len(names) - binary.shape[1]))]).tocsr()
    widened = widened + extra
    widened.data[:] = 1.0
    return widened.tocsr(), names


def association_edges(binary: sparse.csr_matrix, min_cooccurrences: int, min_strength: float) -> pd.DataFrame:
    """Candidate edges among the columns of a 0/1 paper-by-term matrix (n_docs × n): pairs ``i < j`` with at
    least ``min_cooccurrences`` papers holding both and association strength ``N c_ij / (c_i c_j)`` (N papers)
    of at least ``min_strength``. Columns ``i``, ``j``, ``cooccurrences``, ``strength``."""
    cooc = np.asarray((binary.T @ binary).todense(), dtype=np.float64)
    freq = np.diag(cooc).copy()
    i, j = np.triu_indices(len(freq), k=1)
    c = cooc[i, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        strength = np.where(freq[i] * freq[j] > 0, binary.shape[0] * c / (freq[i] * freq[j]), 0.0)
    keep = (c >= max(min_cooccurrences, 1)) & (strength >= min_strength)
    return pd.DataFrame({"i": i[keep], "j": j[keep], "cooccurrences": c[keep].astype(np.int64),
                         "strength": strength[keep]})


def strongest_per_node(edges: pd.DataFrame, per_node: int) -> pd.DataFrame:
    """The edges among the ``per_node`` strongest of at least one of their two end nodes (ties: more
    co-occurrences, then lower indices), in their original order."""
    if not len(edges) or per_node <= 0:
        return edges.iloc[:0]
    ends = pd.concat([edges.assign(node=edges["i"]), edges.assign(node=edges["j"])]).reset_index(names="edge")
    ends = ends.sort_values(["node", "strength", "cooccurrences", "edge"], ascending=[True, False, False, True])
    kept = ends.groupby("node", sort=False).head(per_node)["edge"].unique()
    return edges.loc[np.sort(kept)]


def _communities(graph: nx.Graph, order: Sequence[int], seed: int) -> dict[int, int]:
    """Louvain communities of ``graph`` (weights ``strength``, the given seed), numbered by size, the largest
    first (ties: the community holding the earliest node of ``order``)."""
    found = nx.community.louvain_communities(graph, weight="strength", seed=seed) if graph.number_of_nodes() else []
    rank = {node: k for k, node in enumerate(order)}
    found = sorted(found, key=lambda members: (-len(members), min(rank[n] for n in members)))
    return {node: c for c, members in enumerate(found) for node in members}


def coword_frames(
    binary: sparse.csr_matrix,
    terms: Sequence[str],
    n_terms: int = 60,
    min_cooccurrences: int = 2,
    min_strength: float = 1.0,
    edges_per_node: int = 10,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of the co-word network of the ``n_terms`` most frequent terms of ``binary`` (0/1,
    n_docs × len(terms)) (``COWORD_NODE_COLUMNS``, ``COWORD_EDGE_COLUMNS``; nodes most frequent first).

    Edges pass :func:`association_edges` and :func:`strongest_per_node`; communities are Louvain's on the
    strengths; the layout is networkx's spring layout with springs of strength/max strength, seeded, so the
    same inputs and seed give the same map. Terms without an edge stay in the network (a community of their
    own, placed by the layout at the rim).
    """
    df = document_frequency(binary)
    top = top_terms_by_frequency(df, n_terms)
    edges = strongest_per_node(association_edges(binary[:, top], min_cooccurrences, min_strength), edges_per_node)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(top)))
    peak = float(edges["strength"].max()) if len(edges) else 1.0
    for e in edges.itertuples(index=False):
        graph.add_edge(int(e.i), int(e.j), strength=float(e.strength), spring=float(e.strength) / peak)
    community = _communities(graph, list(range(len(top))), seed)
    layout = nx.spring_layout(graph, weight="spring", seed=seed) if len(top) else {}
    nodes = pd.DataFrame({
        "term": [terms[int(k)] for k in top], "papers": df[top].astype(np.int64),
        "community": [community[k] for k in range(len(top))],
        "x": [round(float(layout[k][0]), 6) for k in range(len(top))],
        "y": [round(float(layout[k][1]), 6) for k in range(len(top))],
        "degree": [int(graph.degree(k)) for k in range(len(top))],
    }, columns=list(COWORD_NODE_COLUMNS))
    edge_frame = pd.DataFrame({
        "source": [terms[int(top[i])] for i in edges["i"]], "target": [terms[int(top[j])] for j in edges["j"]],
        "cooccurrences": edges["cooccurrences"].astype(np.int64).to_numpy(),
        "strength": np.round(edges["strength"].to_numpy(dtype=np.float64), 6),
    }, columns=list(COWORD_EDGE_COLUMNS))
    return nodes, edge_frame
