"""Topic stability: refit with other seeds, match topics across fits and score how well each topic comes back.

Topics of two fits are matched one-to-one (Hungarian matching, :func:`scipy.optimize.linear_sum_assignment`)
on the similarity ``1 - JS`` of their term distributions, where ``JS`` is the Jensen-Shannon distance in base 2
(in ``[0, 1]``). A topic's stability is its mean matched similarity over the refits: 1 means every refit
found the same term distribution, values near 0 that no refit found anything like it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import jensenshannon

from topics.models.clusters import TfidfClusterModel
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import Vocabulary


@dataclass(frozen=True)
class StabilityResult:
    """Stability of one fitted model's topics.

    Attributes:
        seeds: the random seeds of the refits compared with the fitted (reference) model.
        per_topic: per reference topic, its mean matched similarity over the refits, in ``[0, 1]``.
        mean: mean of ``per_topic``, in ``[0, 1]``.
    """

    seeds: tuple[int, ...]
    per_topic: tuple[float, ...]
    mean: float


def _distributions(rows: np.ndarray) -> np.ndarray:
    """Rows of ``rows`` (shape ``(k, n_terms)``, non-negative) scaled to sum to 1; all-zero rows become uniform."""
    rows = np.clip(np.asarray(rows, dtype=float), 0.0, None)
    if rows.ndim != 2:
        raise ValueError(f"expected a 2-D (topics x terms) array, got shape {rows.shape}")
    sums = rows.sum(axis=1, keepdims=True)
    uniform = np.full(rows.shape, 1.0 / max(rows.shape[1], 1))
    return np.where(sums > 0, rows / np.where(sums > 0, sums, 1.0), uniform)


def js_similarity(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``1 - JS distance`` (base 2) between every row of ``reference`` (shape ``(k_ref, n_terms)``) and of
    ``other`` (shape ``(k_other, n_terms)``), as an array of shape ``(k_ref, k_other)`` in ``[0, 1]``.
    Rows are normalised to sum to 1 first."""
    p, q = _distributions(reference), _distributions(other)
    if p.shape[1] != q.shape[1]:
        raise ValueError(f"term counts differ: {p.shape[1]} vs {q.shape[1]}")
    similarity = np.empty((p.shape[0], q.shape[0]))
    for i, row in enumerate(p):
        with np.errstate(invalid="ignore"):  # rounding can leave a tiny negative divergence for identical rows
            distance = jensenshannon(np.broadcast_to(row, q.shape), q, base=2, axis=1)
        similarity[i] = 1.0 - np.nan_to_num(distance, nan=0.0)
    return np.clip(similarity, 0.0, 1.0)


def match_topics(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Match each topic of ``reference`` to a distinct topic of ``other`` maximising total similarity.

    Both arrays hold one term distribution per row (shapes ``(k_ref, n_terms)`` and ``(k_other, n_terms)``,
    non-negative; rows are normalised). Returns ``(index, similarity)``, both of shape ``(k_ref,)``:
    ``index[i]`` is the row of ``other`` matched to reference row ``i`` and ``similarity[i]`` their
    ``1 - JS distance`` in ``[0, 1]``. When ``other`` has fewer rows, unmatched reference rows get index -1 and
    similarity 0.
    """
    similarity = js_similarity(reference, other)
    index = np.full(similarity.shape[0], -1, dtype=int)
    matched = np.zeros(similarity.shape[0])
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    index[rows] = cols
    matched[rows] = similarity[rows, cols]
    return index, matched


def topic_stability(reference: np.ndarray, refits: Sequence[np.ndarray]) -> tuple[float, tuple[float, ...]]:
    """Mean and per-topic stability of ``reference`` (shape ``(k, n_terms)``) against ``refits`` (each of shape
    ``(k_i, n_terms)``): per reference topic, its matched similarity (see :func:`match_topics`) averaged over
    the refits, in ``[0, 1]``. Raises ValueError without refits."""
    if not refits:
        raise ValueError("topic stability needs at least one refit")
    matched = np.array([match_topics(reference, other)[1] for other in refits])  # (n_refits, k)
    per_topic = matched.mean(axis=0)
    return (float(per_topic.mean()) if per_topic.size else 0.0), tuple(float(v) for v in per_topic)


def subsample_vocabulary(vocabulary: Vocabulary, size: int | None, seed: int) -> Vocabulary:
    """``vocabulary`` restricted to a seeded random sample of ``size`` papers (all of them when ``size`` is
    ``None``, 0 or at least the corpus); the terms and their ids stay the same."""
    n_docs = vocabulary.matrix.shape[0]
    if not size or size >= n_docs:
        return vocabulary
    rows = np.sort(np.random.default_rng(seed).choice(n_docs, size=size, replace=False))
    return Vocabulary(dictionary=vocabulary.dictionary, matrix=vocabulary.matrix[rows], relaxed=vocabulary.relaxed)


def lda_stability(
    vocabulary: Vocabulary,
    reference_topic_term: np.ndarray,
    make_model: Callable[[int], LdaTopicModel],
    seeds: Sequence[int],
    sample: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> StabilityResult:
    """Stability of LDA topics ``reference_topic_term`` (shape ``(k, n_terms)``, the fitted ``topic_term_``):
    ``make_model(seed)`` returns an unfitted model with the reference's settings and ``random_state=seed``;
    each is fitted on ``vocabulary`` (or, with ``sample``, on a random sample of that many papers drawn with
    the refit's seed, as in Greene et al. 2014's subsample stability) and its topics matched to the
    reference's. ``progress`` is handed to each refit's :meth:`LdaTopicModel.fit` (it advances by
    :func:`refit_steps` in all)."""
    refits = [
        make_model(seed).fit(subsample_vocabulary(vocabulary, sample, seed), progress=progress).topic_term_
        for seed in seeds
    ]
    mean, per_topic = topic_stability(reference_topic_term, refits)
    return StabilityResult(seeds=tuple(int(s) for s in seeds), per_topic=per_topic, mean=mean)


def refit_steps(model: LdaTopicModel, n_docs: int, n_refits: int, sample: int | None = None) -> int:
    """The steps :func:`lda_stability` advances its ``progress`` by: ``n_refits`` fits like ``model`` on
    ``sample`` papers (all ``n_docs`` without a sample or when it is larger), papers times passes each."""
    size = min(sample, n_docs) if sample else n_docs
    return n_refits * model.training_steps(size)


def kmeans_stability(model: TfidfClusterModel, seeds: Sequence[int]) -> StabilityResult:
    """Stability of a fitted :class:`TfidfClusterModel`'s clusters: KMeans is refitted on the model's own
    TF-IDF matrix (``model.tfidf_``, not recomputed) with each seed and its centroids (shape
    ``(n_clusters, n_terms)``, read as term distributions) matched to the model's ``centroids_``."""
    if not hasattr(model, "centroids_"):
        raise RuntimeError("kmeans_stability called before the model was fitted")
    refits = []
    for seed in seeds:
        refits.append(model.make_kmeans(seed).fit(model.tfidf_).cluster_centers_)
    mean, per_topic = topic_stability(model.centroids_, refits)
    return StabilityResult(seeds=tuple(int(s) for s in seeds), per_topic=per_topic, mean=mean)
