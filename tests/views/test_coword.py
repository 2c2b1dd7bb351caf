"""Co-word network: planted term groups become communities, the layout is seeded, keywords join the terms."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from topics.views.coword import coword_frames, with_keywords
from topics.views.terms import incidence

GROUP_A = ["alpha", "beta", "gamma", "delta", "epsilon"]
GROUP_B = ["one", "two", "three", "four", "five"]
TERMS = GROUP_A + GROUP_B


def _planted(seed: int = 0) -> sparse.csr_matrix:
    """60 papers on group A's terms, 60 on group B's (3 terms each), 4 papers mixing both."""
    rng = np.random.default_rng(seed)
    rows = []
    for offset in (0, 5):
        for _ in range(60):
            row = np.zeros(10)
            row[offset + rng.choice(5, size=3, replace=False)] = 1
            rows.append(row)
    for k in range(4):
        row = np.zeros(10)
        row[[k, 5 + k]] = 1
        rows.append(row)
    return incidence(sparse.csr_matrix(np.array(rows)))


def test_communities_recover_the_two_planted_groups() -> None:
    nodes, edges = coword_frames(_planted(), TERMS, n_terms=10, min_cooccurrences=2, min_strength=1.0)
    community = dict(zip(nodes["term"], nodes["community"]))
    assert len({community[t] for t in GROUP_A}) == 1
    assert len({community[t] for t in GROUP_B}) == 1
    assert community["alpha"] != community["one"]
    # association strength above chance inside the groups only
    assert not edges.empty
    cross = edges[edges["source"].isin(GROUP_A) != edges["target"].isin(GROUP_A)]
    assert cross.empty
    assert set(nodes.columns) == {"term", "papers", "community", "x", "y", "degree"}
    assert (nodes["degree"] > 0).all()


def test_the_same_seed_gives_the_same_layout() -> None:
    first = coword_frames(_planted(), TERMS, n_terms=10, seed=7)
    second = coword_frames(_planted(), TERMS, n_terms=10, seed=7)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_edges_per_node_caps_the_edges() -> None:
    _, edges = coword_frames(_planted(), TERMS, n_terms=10, min_strength=0.0, edges_per_node=1)
    # each node keeps its strongest edge; an edge stays when either end keeps it
    assert len(edges) <= 10
    ends = pd.concat([edges["source"], edges["target"]])
    assert set(ends) == set(TERMS)


def test_keywords_join_the_terms_lower_cased() -> None:
    binary = incidence(sparse.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]])))
    widened, names = with_keywords(binary, ["alpha", "beta"], [("Alpha", "Graph Neural  Networks"), (), ("BETA",)])
    assert names == ["alpha", "beta", "graph neural networks"]
    assert widened.toarray().tolist() == [[1, 0, 1], [0, 1, 0], [1, 1, 0]]
