"""Term statistics the views share: the paper-by-term incidence matrix, document frequencies, and the top terms
of a group of papers (frequent in the group and over-represented in it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Group:
    """A theme or LDA topic as a set of papers: ``kind`` (``"theme"``/``"topic"``), ``id``, ``label`` and
    ``members`` (sorted row indices of its papers, int array)."""

    kind: str
    id: str
    label: str
    members: np.ndarray


def incidence(doc_term: sparse.spmatrix) -> sparse.csr_matrix:
    """``doc_term`` (n_docs × n_terms, counts) as a 0/1 float CSR matrix: whether the paper has the term."""
    binary = sparse.csr_matrix(doc_term, dtype=np.float64, copy=True)
    binary.eliminate_zeros()
    binary.data[:] = 1.0
    return binary


def document_frequency(binary: sparse.csr_matrix) -> np.ndarray:
    """Papers holding each term (int array, n_terms) of a 0/1 matrix."""
    return np.asarray(binary.sum(axis=0)).ravel().astype(np.int64)


def top_terms_by_frequency(df: np.ndarray, n_terms: int) -> np.ndarray:
    """Indices of the ``n_terms`` terms with the highest document frequency ``df`` (ties: lower index first),
    terms that no paper holds left out."""
    order = np.lexsort((np.arange(len(df)), -df))
    return order[df[order] > 0][:n_terms]


def group_top_terms(
    binary: sparse.csr_matrix,
    members: np.ndarray,
    n_terms: int,
    min_term_papers: int = 2,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Indices of the top ``n_terms`` terms of the papers ``members``, best first, against the reference papers
    ``rows`` (all papers when ``None``; ``members`` must be a subset of them).

    A term's score is its document frequency in the group times the natural log of its lift (its share of the
    group's papers over its share of the reference papers): frequent in the group and over-represented there.
    Only terms held by at least ``min_term_papers`` of the group's papers and over-represented (lift > 1) are
    candidates; ties go to the more frequent, then the lower index.
    """
    reference = binary if rows is None else binary[rows]
    n_ref = reference.shape[0]
    n_group = len(members)
    if n_group == 0 or n_ref == 0:
        return np.zeros(0, dtype=np.int64)
    df_ref = document_frequency(reference)
    df_group = document_frequency(binary[members])
    candidate = (df_group >= max(min_term_papers, 1)) & (df_group * n_ref > df_ref * n_group)
    index = np.flatnonzero(candidate)
    if not len(index):
        return np.zeros(0, dtype=np.int64)
    lift = (df_group[index] / n_group) / (df_ref[index] / n_ref)
    score = df_group[index] * np.log(lift)
    order = np.lexsort((index, -df_group[index], -score))
    return index[order][:n_terms].astype(np.int64)


def join_terms(terms: Sequence[str], index: Sequence[int] | np.ndarray) -> str:
    """The terms at ``index`` joined by ``"; "`` (the views' frames hold term lists this way)."""
    return "; ".join(terms[int(i)] for i in index)
