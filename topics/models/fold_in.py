"""New papers in fitted models without refitting them: how well a fitted LDA explains each paper, and where a new
paper goes on an existing documents map.

Used by ``topics update`` and ``models.freeze`` (:mod:`topics.pipeline.fold_in_stage`): the fitted LDA infers the
new papers' topic mixes and the fitted KMeans assigns them their nearest centroid (both estimators'
``transform``/``predict``); this module adds what tells a user whether that was still a good idea.

*How well a paper is explained* is the per-word evidence lower bound of the paper under the fitted model, the
document part of gensim's ``LdaModel.bound`` divided by the paper's number of in-vocabulary words (nats per word;
closer to 0 is better), and the share of its tokens the model's vocabulary knows. Papers from the field the model
was fitted on have both near the fitted papers' own values; papers from another field use words the vocabulary
lacks and, for the words it knows, combinations no topic predicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import gammaln, logsumexp, psi

from preprocessing.token_arrays import TokenArrays
from topics.models.lda import LdaTopicModel, sparse_estep

#: The fitted papers' per-word bound and vocabulary share are measured on at most this many of them (seeded).
REFERENCE_SAMPLE = 2000
#: A new paper is poorly explained when its per-word bound or its vocabulary share falls below this quantile of
#: the fitted papers' (so about this share of papers like the fitted ones are poorly explained by chance, a little
#: more than twice this share when both measures are independent).
POOR_QUANTILE = 0.05


@contextmanager
def seeded_estep(model: LdaTopicModel, seed: int) -> Iterator[None]:
    """Within the block, the fitted model's E-steps (``transform``, :func:`per_word_bound`) start from a generator
    seeded with ``seed``, so inference on new papers is reproducible; the model's own generator is restored after."""
    lda = model.model_
    saved = lda.random_state
    lda.random_state = np.random.RandomState(seed)
    try:
        yield
    finally:
        lda.random_state = saved


def per_word_bound(model: LdaTopicModel, counts: sparse.csr_matrix, seed: int = 0) -> np.ndarray:
    """Each paper's per-word evidence lower bound under ``model``, shape ``(n_docs,)`` in nats per word (NaN for a
    paper with no in-vocabulary word). ``counts`` is ``(n_docs, n_terms)`` in the model's vocabulary. The E-step
    starts from a generator seeded with ``seed``, so the values are reproducible."""
    lda = model.model_
    counts = sparse.csr_matrix(counts, dtype=np.float64)
    n_docs = counts.shape[0]
    if n_docs == 0:
        return np.zeros(0)
    with seeded_estep(model, seed):
        gamma = sparse_estep(lda, counts, collect_sstats=False)[0].astype(np.float64)
    alpha = np.asarray(lda.alpha, dtype=np.float64)
    lam = np.asarray(lda.state.get_lambda(), dtype=np.float64)
    elog_beta = psi(lam) - psi(lam.sum(axis=1, keepdims=True))
    elog_theta = psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))
    rows = np.repeat(np.arange(n_docs), np.diff(counts.indptr))
    per_token = logsumexp(np.take(elog_theta, rows, axis=0) + np.take(elog_beta.T, counts.indices, axis=0), axis=1)
    # as float: bincount of no entries gives integers
    words = np.bincount(rows, weights=counts.data, minlength=n_docs).astype(np.float64)
    score = np.bincount(rows, weights=counts.data * per_token, minlength=n_docs).astype(np.float64)
    score += np.sum((alpha - gamma) * elog_theta, axis=1)
    score += np.sum(gammaln(gamma) - gammaln(alpha), axis=1)
    score += gammaln(alpha.sum()) - gammaln(gamma.sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(words > 0, score / np.maximum(words, 1.0), np.nan)


def vocabulary_share(documents: TokenArrays, known: set[str]) -> np.ndarray:
    """Share of each paper's tokens (segment breaks left out) that are terms of ``known``, shape ``(n_docs,)`` in
    ``[0, 1]`` (NaN for a paper without tokens)."""
    in_vocabulary = np.fromiter((word in known for word in documents.words), dtype=bool, count=len(documents.words))
    codes = documents.codes
    token = codes >= 0
    doc = np.repeat(np.arange(len(documents)), np.diff(documents.offsets))
    tokens = np.bincount(doc[token], minlength=len(documents)).astype(np.float64)
    hits = np.bincount(doc[token], weights=in_vocabulary[codes[token]], minlength=len(documents)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tokens > 0, hits / np.maximum(tokens, 1.0), np.nan)


@dataclass(frozen=True)
class FitReference:
    """How well the fitted model explains the papers it was fitted on: the :data:`POOR_QUANTILE` quantiles of their
    per-word bound (nats per word) and vocabulary share, their medians, and how many papers were measured."""

    bound_floor: float
    share_floor: float
    bound_median: float
    share_median: float
    n_measured: int

    def poorly_explained(self, bound: np.ndarray, share: np.ndarray) -> np.ndarray:
        """Bool ``(n_docs,)``: papers whose bound or vocabulary share is under the fitted papers' floor (a paper
        with no known word at all is poorly explained)."""
        no_words = np.isnan(bound) | np.isnan(share)
        return no_words | (np.nan_to_num(bound, nan=-np.inf) < self.bound_floor) | (
            np.nan_to_num(share, nan=0.0) < self.share_floor
        )


def fit_reference(
    model: LdaTopicModel, counts: sparse.csr_matrix, documents: TokenArrays, known: set[str], seed: int = 0
) -> FitReference:
    """The :class:`FitReference` of the fitted papers (``counts`` ``(n_docs, n_terms)``, ``documents`` their
    phrase-merged tokens), measured on a seeded sample of at most :data:`REFERENCE_SAMPLE` of them."""
    n_docs = counts.shape[0]
    rows = np.arange(n_docs)
    if n_docs > REFERENCE_SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(n_docs, REFERENCE_SAMPLE, replace=False))
    bound = per_word_bound(model, counts[rows], seed)
    share = vocabulary_share(documents.select(rows), known)
    bound, share = bound[~np.isnan(bound)], share[~np.isnan(share)]
    if len(bound) == 0 or len(share) == 0:
        return FitReference(-np.inf, 0.0, float("nan"), float("nan"), 0)
    return FitReference(
        bound_floor=float(np.quantile(bound, POOR_QUANTILE)),
        share_floor=float(np.quantile(share, POOR_QUANTILE)),
        bound_median=float(np.median(bound)),
        share_median=float(np.median(share)),
        n_measured=len(rows),
    )


def place_on_map(
    mapped_vectors: sparse.csr_matrix, mapped_coords: np.ndarray, new_vectors: sparse.csr_matrix, neighbours: int = 5
) -> np.ndarray:
    """Map positions for new papers, shape ``(n_new, 2)``: the mean position of the ``neighbours`` mapped papers
    most similar to each (cosine of the unit-length TF-IDF rows; ``mapped_vectors`` ``(n_mapped, n_features)`` with
    positions ``mapped_coords`` ``(n_mapped, 2)``; ``new_vectors`` ``(n_new, n_features)``). A new paper with no
    word in common with any mapped paper goes to the map's centre."""
    if new_vectors.shape[0] == 0 or mapped_vectors.shape[0] == 0:
        return np.zeros((new_vectors.shape[0], 2))
    similarity = np.asarray((new_vectors @ mapped_vectors.T).todense())
    k = min(neighbours, mapped_vectors.shape[0])
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    coords = mapped_coords[nearest].mean(axis=1)
    lost = similarity.max(axis=1) <= 0
    coords[lost] = mapped_coords.mean(axis=0)
    return np.asarray(coords, dtype=np.float64)
