"""Topic coherence: NPMI of a topic's top terms over sliding windows of the run's own tokens.

This is gensim's ``c_npmi`` (Röder et al. 2015): every text is cut into windows of 10 consecutive tokens
(sliding by one; a text shorter than that is one window), ``p_i`` is the share of windows containing term i and
``p_ij`` the share containing both, ``NPMI = ln((p_ij + eps) / (p_i p_j)) / -ln(p_ij + eps)`` with
``eps = 1e-12``, and a topic's coherence is the mean over every pair of its ``top_n`` terms, in ``[-1, 1]``.
gensim counts windows in a Python loop (tens of seconds on 47k abstracts); here each occurrence of a topic term
is expanded to the windows containing it and the counts come from one sparse matrix product.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gensim.corpora import Dictionary
from scipy import sparse

from preprocessing.token_arrays import TokenArrays

EPSILON = 1e-12
#: Tokens per sliding window (gensim's default for c_npmi).
WINDOW = 10


def _as_arrays(texts: Any) -> TokenArrays:
    if isinstance(texts, TokenArrays):
        return texts
    return TokenArrays.from_segments([[list(doc)] for doc in texts])


#: Topic-term occurrences expanded to their windows at a time (each costs ~10 windows x 24 bytes), so the
#: window matrix of a large corpus is never built whole (47k abstracts: ~2M occurrences).
OCCURRENCES_PER_BLOCK = 250_000


def window_cooccurrence(arrays: TokenArrays, columns: dict[str, int], window: int = WINDOW) -> tuple[np.ndarray, int]:
    """How many windows contain both of two of the words ``columns`` (word -> column): a dense symmetric
    ``(len(columns), len(columns))`` array of window counts whose diagonal counts the windows containing each
    word, and the number of windows. Breaks between segments are ignored (a text's tokens are one sequence, as
    gensim sees a flat token list). Works through the occurrences in blocks of whole texts, so memory stays
    bounded whatever the corpus size."""
    codes = arrays.codes
    kept = codes >= 0
    doc = arrays.doc_index()[kept]
    flat = codes[kept]
    lengths = np.bincount(doc, minlength=len(arrays)).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n_windows_doc = np.maximum(lengths - window + 1, 1)
    n_windows_doc[lengths == 0] = 0
    window_base = np.concatenate([[0], np.cumsum(n_windows_doc)[:-1]])
    n_windows = int(n_windows_doc.sum())
    column_of_code = np.full(len(arrays.words) + 1, -1, dtype=np.int64)
    for code, word in enumerate(arrays.words):
        column = columns.get(word)
        if column is not None:
            column_of_code[code] = column
    column = column_of_code[flat]
    relevant = np.flatnonzero(column >= 0)
    position = relevant - starts[doc[relevant]]
    doc, column = doc[relevant], column[relevant]
    n_columns = max(len(columns), 1)
    counts = np.zeros((n_columns, n_columns))
    # block edges at text boundaries: a window never spans two texts, so each block's windows are complete
    edges = np.searchsorted(doc, doc[np.arange(0, len(doc), OCCURRENCES_PER_BLOCK)], side="left").tolist() + [len(doc)]
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi <= lo:
            continue
        b_doc, b_position, b_column = doc[lo:hi], position[lo:hi], column[lo:hi]
        last_start = n_windows_doc[b_doc] - 1  # windows of doc d start at 0 .. last_start
        rows, cols = [], []
        for back in range(window):  # the occurrence at i lies in the windows starting at i - back
            start = b_position - back
            ok = (start >= 0) & (start <= last_start)
            rows.append(window_base[b_doc[ok]] + start[ok])
            cols.append(b_column[ok])
        row = np.concatenate(rows)
        first = int(row.min())
        present = sparse.csc_matrix(
            (np.ones(len(row)), (row - first, np.concatenate(cols))), shape=(int(row.max()) - first + 1, n_columns)
        )
        present.sum_duplicates()
        present.data[:] = 1.0
        counts += (present.T @ present).toarray()
    return counts, n_windows


def npmi_coherence(
    topics: Sequence[Sequence[str]], texts: Any, dictionary: Dictionary, top_n: int = 10
) -> tuple[float, tuple[float, ...]]:
    """Mean and per-topic NPMI in ``[-1, 1]`` of each topic's first ``top_n`` terms.

    ``texts`` holds the papers' tokens: :class:`TokenArrays` or one list of tokens per paper. Terms outside
    ``dictionary`` are ignored; a topic with fewer than two known terms scores 0.
    """
    token2id = dictionary.token2id
    known = [[t for t in topic[:top_n] if t in token2id] for topic in topics]
    per_topic = np.zeros(len(topics))
    used = sorted({t for terms in known for t in terms})
    if len(used) >= 2:
        columns = {term: k for k, term in enumerate(used)}
        counts, n_windows = window_cooccurrence(_as_arrays(texts), columns)
        co = counts / max(n_windows, 1)  # p_ij; the diagonal holds p_i
        marginal = np.diag(co)
        for t, terms in enumerate(known):
            if len(terms) < 2:
                continue
            idx = np.asarray([columns[term] for term in terms])
            upper = np.triu_indices(len(idx), k=1)
            a, b = idx[upper[0]], idx[upper[1]]
            p_ij = co[a, b] + EPSILON
            with np.errstate(divide="ignore", invalid="ignore"):
                npmi = np.log(p_ij / (marginal[a] * marginal[b])) / -np.log(p_ij)
            per_topic[t] = float(np.mean(np.nan_to_num(npmi, nan=0.0, posinf=0.0, neginf=-1.0)))
    return float(per_topic.mean()) if len(per_topic) else 0.0, tuple(float(v) for v in per_topic)
