"""How each LDA topic's vocabulary drifts over time, from the fitted model (no refit).

Every occurrence of term ``w`` in paper ``d`` is shared among the topics in proportion to their posterior
responsibility ``θ_dk φ_kw / Σ_j θ_dj φ_jw``; summing over a bin's papers gives the expected number of the
term's occurrences that each topic accounts for in the bin. A topic's top terms per bin are those with the
largest expected counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat

import numpy as np
import pandas as pd
from scipy import sparse

from topics.results import TopicTermsOverTime

#: Nonzeros of the document-term matrix handled at once when computing responsibilities' denominators;
#: bounds the temporary ``(chunk, n_topics)`` arrays (2**18 rows x 30 topics x 8 bytes = 63 MB each).
NNZ_CHUNK = 1 << 18

FRAME_COLUMNS = ["topic", "label", "bin", "rank", "term", "weight", "lift"]


def bin_label(periods: Sequence[str]) -> str:
    """``"first-last"`` for several consecutive periods, the period itself for one."""
    return periods[0] if len(periods) == 1 else f"{periods[0]}-{periods[-1]}"


def _cut_points(counts: np.ndarray, n_bins: int) -> list[int]:
    """Where to cut ``len(counts)`` periods into at most ``n_bins`` runs of roughly equal total count.

    Returns the number of periods before each cut (strictly increasing, in ``[1, len(counts))``). Cut ``i``
    goes where the cumulative count is closest to ``i / n_bins`` of the total (ties: the earlier cut), among
    places that leave every bin at least one period and a positive count; a cut with no such place is dropped.
    """
    cumulative = np.cumsum(counts)
    total = float(cumulative[-1])
    n = len(counts)
    cuts: list[int] = []
    previous = 0  # periods already in earlier bins
    for i in range(1, n_bins):
        target = total * i / n_bins
        before = float(cumulative[previous - 1]) if previous else 0.0
        candidates = [
            c for c in range(previous + 1, n - (n_bins - i) + 1) if before < cumulative[c - 1] < total
        ]
        if not candidates:
            continue
        cut = min(candidates, key=lambda c: (abs(float(cumulative[c - 1]) - target), c))
        cuts.append(cut)
        previous = cut
    return cuts


def bin_periods(
    periods: Sequence[str], papers_per_period: Sequence[int], max_bins: int = 6
) -> list[tuple[str, tuple[str, ...]]]:
    """Group chronologically ordered periods into at most ``max_bins`` bins of consecutive periods.

    With at most ``max_bins`` periods each period is its own bin. Otherwise consecutive periods are merged
    greedily on cumulative paper counts into bins of roughly equal numbers of papers; no bin is empty (each has
    at least one period and, unless every count is zero, at least one paper).

    Returns ``[(label, periods), ...]`` in chronological order; a label is ``"first-last"`` (e.g.
    ``"1987-1995"``) or, for a single-period bin, the period itself.
    """
    if len(periods) != len(papers_per_period):
        raise ValueError(f"{len(periods)} periods but {len(papers_per_period)} paper counts")
    if max_bins < 1:
        raise ValueError(f"max_bins must be at least 1, got {max_bins}")
    periods = list(periods)
    if len(periods) <= max_bins:
        return [(p, (p,)) for p in periods]
    counts = np.asarray(papers_per_period, dtype=float)
    if counts.sum() <= 0:
        counts = np.ones(len(periods))
    bounds = [0, *_cut_points(counts, max_bins), len(periods)]
    groups = [tuple(periods[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    return [(bin_label(group), group) for group in groups]


def doc_term_counts(documents: Sequence[Sequence[str]], terms: Sequence[str]) -> sparse.csr_matrix:
    """Counts of each of ``terms`` in each document, shape ``(n_docs, n_terms)``, float64.

    Column ``j`` counts ``terms[j]``; tokens not in ``terms`` are ignored.
    """
    index = {term: j for j, term in enumerate(terms)}
    lengths = np.fromiter((len(doc) for doc in documents), dtype=np.int64, count=len(documents))
    looked_up = map(index.get, chain.from_iterable(documents), repeat(-1))  # -1: not a term
    cols = np.fromiter(looked_up, dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
    known = cols >= 0
    matrix = sparse.coo_matrix(
        (np.ones(int(known.sum())), (rows[known], cols[known])), shape=(len(documents), len(terms))
    ).tocsr()
    matrix.sum_duplicates()
    return matrix


def responsibility_weights(
    doc_term: sparse.spmatrix, doc_topic: np.ndarray, topic_term: np.ndarray, chunk: int = NNZ_CHUNK
) -> sparse.csr_matrix:
    """``doc_term`` with each count ``x_dw`` divided by ``θ_d · φ_:w``, shape ``(n_docs, n_terms)``.

    Multiplying by ``θ_dk φ_kw`` afterwards gives the count's share attributed to topic ``k``. Entries whose
    denominator is zero (no topic of the paper can emit the term) become 0: those occurrences are unattributed.
    The denominators are computed ``chunk`` nonzeros at a time to bound memory.
    """
    weights = sparse.csr_matrix(doc_term, dtype=float, copy=True)
    weights.sum_duplicates()
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    term_topic = np.ascontiguousarray(np.asarray(topic_term, dtype=float).T)  # (n_terms, n_topics)
    theta = np.ascontiguousarray(doc_topic, dtype=float)
    for start in range(0, weights.nnz, chunk):
        stop = min(start + chunk, weights.nnz)
        denominator = np.einsum("ij,ij->i", theta[rows[start:stop]], term_topic[weights.indices[start:stop]])
        data = weights.data[start:stop]
        positive = denominator > 0
        data[positive] /= denominator[positive]
        data[~positive] = 0.0
    weights.eliminate_zeros()
    return weights


def expected_topic_term_counts(
    weights: sparse.csr_matrix, doc_topic: np.ndarray, topic_term: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Expected occurrences of each term attributed to each topic over the papers ``rows``, shape
    ``(n_topics, n_terms)``: ``φ ⊙ (θ_rowsᵀ R_rows)`` with ``R`` from :func:`responsibility_weights`.

    Summed over topics and terms it equals the number of attributed token occurrences in those papers.
    """
    subset = weights[rows]
    projected = np.asarray(subset.T @ np.asarray(doc_topic, dtype=float)[rows]).T  # (n_topics, n_terms)
    return np.asarray(topic_term, dtype=float) * projected


def _top_terms_rows(
    expected: np.ndarray,
    topic_term: np.ndarray,
    terms: Sequence[str],
    topic_id: int,
    topic_label: str,
    k: int,
    label: str,
    top_n: int,
) -> list[dict[str, object]]:
    """Frame rows of topic index ``k`` in one bin: its ``top_n`` terms by expected count (ties: vocabulary
    order), leaving out weights that round to 0."""
    total = float(expected[k].sum())
    if total <= 0:
        return []
    rows: list[dict[str, object]] = []
    for j in np.argsort(-expected[k], kind="stable")[:top_n]:
        weight = round(float(expected[k, j]), 3)
        if weight <= 0:
            break
        lift = (expected[k, j] / total) / topic_term[k, j]
        rows.append(
            {"topic": int(topic_id), "label": topic_label, "bin": label, "rank": len(rows) + 1, "term": terms[j],
             "weight": weight, "lift": round(float(lift), 3)}
        )
    return rows


def topic_terms_by_period(
    doc_term: sparse.spmatrix,
    doc_topic: np.ndarray,
    topic_term: np.ndarray,
    terms: Sequence[str],
    doc_period: Sequence[str],
    periods: Sequence[str],
    topic_ids: Sequence[int],
    topic_labels: Sequence[str],
    top_n: int = 8,
    max_bins: int = 6,
) -> TopicTermsOverTime:
    """Each topic's top terms per bin of periods, from the fitted model's weights.

    Args:
        doc_term: term counts, shape ``(n_docs, n_terms)`` (see :func:`doc_term_counts`).
        doc_topic: θ, shape ``(n_docs, n_topics)``, rows sum to 1.
        topic_term: φ, shape ``(n_topics, n_terms)``, rows sum to 1.
        terms: the vocabulary, length ``n_terms``.
        doc_period: each paper's period, length ``n_docs``; papers whose period is not in ``periods`` are left out.
        periods: the periods in chronological order; merged into at most ``max_bins`` bins (:func:`bin_periods`).
        topic_ids: per topic, its user-facing id, length ``n_topics``.
        topic_labels: per topic, its label, length ``n_topics``.
        top_n: terms kept per topic and bin.
        max_bins: the most bins the periods are merged into (:func:`bin_periods`).

    ``weight`` is the expected count of the term's occurrences attributed to the topic in the bin (3 decimals;
    terms whose weight rounds to 0 are left out); ``lift`` is the term's share of the topic's expected words in
    the bin over ``φ_kw`` (3 decimals). Bins without papers are skipped.
    """
    n_docs, n_terms = doc_term.shape
    n_topics = topic_term.shape[0]
    if doc_topic.shape != (n_docs, n_topics) or topic_term.shape != (n_topics, n_terms):
        raise ValueError(
            f"shapes disagree: doc_term {doc_term.shape}, doc_topic {doc_topic.shape}, topic_term {topic_term.shape}"
        )
    if len(terms) != n_terms or len(doc_period) != n_docs:
        raise ValueError(f"{len(terms)} terms and {len(doc_period)} periods for a {doc_term.shape} matrix")
    if len(topic_ids) != n_topics or len(topic_labels) != n_topics:
        raise ValueError(f"{len(topic_ids)} ids and {len(topic_labels)} labels for {n_topics} topics")

    position = {period: i for i, period in enumerate(periods)}
    doc_position = np.fromiter((position.get(p, -1) for p in doc_period), dtype=np.int64, count=n_docs)
    counts = np.bincount(doc_position[doc_position >= 0], minlength=len(periods))
    bins = bin_periods(periods, counts.tolist(), max_bins=max_bins)

    weights = responsibility_weights(doc_term, doc_topic, topic_term)
    phi = np.asarray(topic_term, dtype=float)
    per_topic: list[list[dict[str, object]]] = [[] for _ in range(n_topics)]
    kept: list[str] = []
    for label, members in bins:
        rows = np.flatnonzero(np.isin(doc_position, [position[p] for p in members]))
        if rows.size == 0:
            continue
        kept.append(label)
        expected = expected_topic_term_counts(weights, doc_topic, phi, rows)
        for k in range(n_topics):
            per_topic[k].extend(_top_terms_rows(expected, phi, terms, topic_ids[k], topic_labels[k], k, label, top_n))
    frame = pd.DataFrame(list(chain.from_iterable(per_topic)), columns=FRAME_COLUMNS)
    return TopicTermsOverTime(frame=frame, bins=tuple(kept))
