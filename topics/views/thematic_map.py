"""The strategic diagram (Callon, Courtial & Laville 1991; bibliometrix ``thematicMap``): each theme or topic
placed by the centrality and density of its top terms in the corpus's term co-occurrence network."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from topics.results.views import BASIC, EMERGING_OR_DECLINING, MOTOR, NICHE, THEMATIC_MAP_COLUMNS
from topics.views.terms import Group, group_top_terms, join_terms


def equivalence_index(binary: sparse.csr_matrix) -> np.ndarray:
    """Equivalence index ``e_ij = c_ij² / (c_i c_j)`` of the columns of a 0/1 paper-by-term matrix (n_docs ×
    n): ``c_ij`` papers with both terms, ``c_i`` papers with term i; a dense n × n array in ``[0, 1]`` with a
    zero diagonal (a term never links to itself)."""
    cooc = np.asarray((binary.T @ binary).todense(), dtype=np.float64)
    freq = np.diag(cooc).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(np.outer(freq, freq) > 0, cooc**2 / np.outer(freq, freq), 0.0)
    np.fill_diagonal(e, 0.0)
    return e


def callon_scores(e: np.ndarray, term_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Callon centrality and density of each group, from the equivalence indices ``e`` (n × n, zero diagonal)
    of the union of the groups' terms and each group's term positions in it.

    Centrality = 10 × the sum of ``e`` over the links from the group's terms to the terms of the union outside
    the group; density = 100 × the sum of ``e`` over the links among the group's terms (each pair once) / the
    number of the group's terms. Both are 0 for a group without terms.
    """
    centrality = np.zeros(len(term_sets))
    density = np.zeros(len(term_sets))
    for g, members in enumerate(term_sets):
        if not len(members):
            continue
        inside = np.zeros(e.shape[0], dtype=bool)
        inside[members] = True
        centrality[g] = 10.0 * e[np.ix_(inside, ~inside)].sum()
        density[g] = 100.0 * e[np.ix_(inside, inside)].sum() / 2.0 / inside.sum()
    return centrality, density


def quadrants(centrality: np.ndarray, density: np.ndarray) -> list[str]:
    """Quadrant of each group, split at the medians of ``centrality`` and ``density`` (a value at the median
    counts as high): motor (high centrality, high density), niche (low, high), emerging or declining (low, low),
    basic (high, low)."""
    if not len(centrality):
        return []
    high_c = centrality >= np.median(centrality)
    high_d = density >= np.median(density)
    names = {(True, True): MOTOR, (False, True): NICHE, (False, False): EMERGING_OR_DECLINING, (True, False): BASIC}
    return [names[(bool(c), bool(d))] for c, d in zip(high_c, high_d)]


def _ranks(values: np.ndarray) -> np.ndarray:
    """Rank of each value, 1 = highest (ties share the lowest rank number)."""
    return pd.Series(values).rank(ascending=False, method="min").to_numpy(dtype=np.int64)


def thematic_map_frame(
    binary: sparse.csr_matrix,
    terms: Sequence[str],
    groups: Sequence[Group],
    n_terms: int = 10,
    min_term_papers: int = 2,
) -> pd.DataFrame:
    """The strategic diagram of ``groups`` (all of one kind), one row per group that has at least one top term.

    ``binary`` is the 0/1 paper-by-term matrix (n_docs × n_terms); each group's top ``n_terms`` terms come
    from :func:`~topics.views.terms.group_top_terms`; the co-occurrence network is built over the union of
    the groups' terms from every paper of the corpus. Columns: ``THEMATIC_MAP_COLUMNS`` (ranks and quadrants
    within these groups); in the groups' order.
    """
    chosen = [(g, group_top_terms(binary, g.members, n_terms, min_term_papers)) for g in groups]
    chosen = [(g, t) for g, t in chosen if len(t)]
    if not chosen:
        return pd.DataFrame(columns=list(THEMATIC_MAP_COLUMNS))
    union = np.unique(np.concatenate([t for _, t in chosen]))
    position = {int(term): i for i, term in enumerate(union)}
    e = equivalence_index(binary[:, union])
    centrality, density = callon_scores(e, [np.array([position[int(x)] for x in t]) for _, t in chosen])
    return pd.DataFrame(
        {
            "kind": [g.kind for g, _ in chosen],
            "id": [g.id for g, _ in chosen],
            "label": [g.label for g, _ in chosen],
            "papers": [len(g.members) for g, _ in chosen],
            "centrality": np.round(centrality, 6),
            "density": np.round(density, 6),
            "centrality_rank": _ranks(centrality),
            "density_rank": _ranks(density),
            "quadrant": quadrants(centrality, density),
            "terms": [join_terms(terms, t) for _, t in chosen],
        },
        columns=list(THEMATIC_MAP_COLUMNS),
    )
