"""TF-IDF on the run's tokens + KMeans, as a small estimator (scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics import silhouette_score
from sklearn.utils.validation import check_is_fitted

from preprocessing.token_arrays import TokenArrays
from topics.models.topic_map import intertopic_coordinates
from topics.models.vocabulary import Vocabulary, counts_and_terms
from topics.quality.coherence import npmi_coherence
from topics.results import TopicResult

#: Papers per mini-batch of MiniBatchKMeans.
MINIBATCH_SIZE = 4096
#: Silhouette is computed on at most this many papers (sampled with the run's seed).
SILHOUETTE_SAMPLE = 3000


def cosine_silhouette(vectors: sparse.csr_matrix, labels: np.ndarray, seed: int) -> float:
    """Mean cosine silhouette in ``[-1, 1]`` of a clustering (``vectors`` shape ``(n_docs, n_terms)``, ``labels``
    ``(n_docs,)``), on a sample of at most SILHOUETTE_SAMPLE papers drawn with ``seed``; 0 when it is undefined
    (fewer than 2 clusters, or one paper each)."""
    n_labels = len(set(labels.tolist()))
    if n_labels < 2 or n_labels >= vectors.shape[0]:
        return 0.0
    sample = min(SILHOUETTE_SAMPLE, vectors.shape[0])
    return float(silhouette_score(vectors, labels, metric="cosine", sample_size=sample, random_state=seed))


def tfidf_columns(counts: sparse.csr_matrix, terms: Sequence[str], max_features: int | None) -> np.ndarray:
    """The columns TF-IDF keeps: the ``max_features`` most frequent terms (all when ``None``), in alphabetical
    order of their terms as scikit-learn's TfidfVectorizer orders them."""
    names = np.asarray(terms, dtype=object)
    columns = np.arange(counts.shape[1])
    if max_features is not None and counts.shape[1] > max_features:
        totals = np.asarray(counts.sum(axis=0)).ravel()
        columns = np.argsort(-totals, kind="stable")[:max_features]
    return columns[np.argsort(names[columns].astype(str), kind="stable")]


def fit_tfidf(
    counts: sparse.csr_matrix, terms: Sequence[str], max_features: int | None
) -> tuple[np.ndarray, TfidfTransformer, sparse.csr_matrix]:
    """Sublinear TF-IDF (smooth idf, rows L2-normalised) of ``counts`` (shape ``(n_docs, n_terms)``) on
    :func:`tfidf_columns`: those columns, the fitted transformer and the matrix, shape ``(n_docs, n_kept)``."""
    columns = tfidf_columns(counts, terms, max_features)
    transformer = TfidfTransformer(sublinear_tf=True).fit(counts[:, columns])
    matrix = sparse.csr_matrix(transformer.transform(counts[:, columns]), dtype=np.float64)
    return columns, transformer, matrix


def tfidf_matrix(vocabulary: Vocabulary, max_features: int | None = None) -> tuple[sparse.csr_matrix, list[str]]:
    """:func:`fit_tfidf` of the vocabulary's counts, and the kept columns' terms."""
    columns, _, matrix = fit_tfidf(vocabulary.matrix, vocabulary.terms, max_features)
    return matrix, [vocabulary.terms[j] for j in columns]


class TfidfClusterModel(BaseEstimator):
    """KMeans over sublinear TF-IDF vectors (rows L2-normalised) of the shared vocabulary, with scikit-learn's
    estimator contract (keyword-only parameters, ``fit(X)`` then fitted ``attr_``, ``clone``).

    ``X`` is a :class:`~topics.models.vocabulary.Vocabulary` or a count matrix, shape ``(n_docs, n_terms)``.
    ``init`` is KMeans' ``"k-means++"`` or starting centroids over every term of ``X`` (shape
    ``(num_clusters, n_terms)``; the kept columns are used, one run), e.g. an earlier fit's carried over
    (:mod:`topics.models.warm_start`).
    Fitted attributes: ``tfidf_`` (sparse, shape ``(n_docs, n_kept)``), ``terms_`` (length ``n_kept``),
    ``columns_`` (the count columns kept, shape ``(n_kept,)``), ``tfidf_transformer_`` (its fitted idf),
    ``labels_`` (shape ``(n_docs,)``), ``centroids_`` (shape ``(n_clusters, n_kept)``), ``kmeans_``.
    """

    def __init__(
        self,
        *,
        num_clusters: int = 10,
        max_features: int = 20000,
        n_init: int = 10,
        random_state: int = 42,
        algorithm: str = "auto",
        minibatch_from: int = 10000,
        init: str | np.ndarray = "k-means++",
    ) -> None:
        self.num_clusters = num_clusters
        self.init = init
        self.max_features = max_features
        self.n_init = n_init
        self.random_state = random_state
        self.algorithm = algorithm
        self.minibatch_from = minibatch_from

    def fit(self, X: Vocabulary | sparse.spmatrix | np.ndarray, y: Any = None) -> TfidfClusterModel:
        """Build the TF-IDF vectors of ``X`` and cluster them with KMeans; ``y`` is ignored. Returns ``self``."""
        counts, terms = counts_and_terms(X)
        self.columns_, self.tfidf_transformer_, self.tfidf_ = fit_tfidf(counts, terms, self.max_features)
        self.terms_ = [terms[j] for j in self.columns_]
        init = self.init
        if isinstance(init, np.ndarray):  # starting centroids over every term of X: this model's columns of them
            if init.shape != (self.num_clusters, len(terms)):
                raise ValueError(
                    f"TfidfClusterModel init array must have shape {(self.num_clusters, len(terms))}, got {init.shape}"
                )
            init = np.ascontiguousarray(init[:, self.columns_], dtype=np.float64)
        self.kmeans_ = self.make_kmeans(self.random_state, init)
        self.labels_ = self.kmeans_.fit_predict(self.tfidf_)
        self.centroids_ = np.asarray(self.kmeans_.cluster_centers_)
        return self

    def _tfidf(self, X: Vocabulary | sparse.spmatrix | np.ndarray) -> sparse.csr_matrix:
        """TF-IDF vectors of new counts with the fitted columns and idf, shape ``(n_docs, n_kept)``."""
        check_is_fitted(self, "centroids_")
        counts, _ = counts_and_terms(X)
        return sparse.csr_matrix(self.tfidf_transformer_.transform(counts[:, self.columns_]), dtype=np.float64)

    def transform(self, X: Vocabulary | sparse.spmatrix | np.ndarray) -> np.ndarray:
        """Euclidean distance of each paper's TF-IDF vector to every centroid, shape ``(n_docs, n_clusters)``."""
        vectors = self._tfidf(X)  # checks the model was fitted
        return np.asarray(self.kmeans_.transform(vectors))

    def predict(self, X: Vocabulary | sparse.spmatrix | np.ndarray) -> np.ndarray:
        """The nearest centroid of each paper, shape ``(n_docs,)``."""
        vectors = self._tfidf(X)
        return np.asarray(self.kmeans_.predict(vectors))

    def make_kmeans(self, seed: int, init: str | np.ndarray = "k-means++") -> KMeans | MiniBatchKMeans:
        """An unfitted KMeans of this model's settings: mini-batch KMeans past ``minibatch_from`` papers. ``init``
        is KMeans' (an array of starting centroids, shape ``(num_clusters, n_kept_terms)``, runs once)."""
        n_init = 1 if isinstance(init, np.ndarray) else self.n_init
        if self.algorithm == "minibatch" or (
            self.algorithm == "auto" and self.tfidf_.shape[0] >= self.minibatch_from
        ):
            return MiniBatchKMeans(
                n_clusters=self.num_clusters, n_init=n_init, random_state=seed, batch_size=MINIBATCH_SIZE, init=init
            )
        return KMeans(n_clusters=self.num_clusters, n_init=n_init, random_state=seed, init=init)

    def silhouette(self) -> float:
        """:func:`cosine_silhouette` of the fitted clusters."""
        return cosine_silhouette(self.tfidf_, self.labels_, self.random_state)

    def result(
        self,
        vocabulary: Vocabulary,
        texts: Sequence[Sequence[str]] | TokenArrays,
        doc_ids: Sequence[str],
        top_n: int = 10,
    ) -> TopicResult:
        """The clusters as a :class:`TopicResult` (:func:`cluster_result`)."""
        check_is_fitted(self, "centroids_")
        return cluster_result(
            self.labels_, self.centroids_, self.terms_, vocabulary, texts, doc_ids, top_n,
            {"silhouette": self.silhouette(), "inertia": float(self.kmeans_.inertia_)},
        )


#: How much a term's lift (its share of the cluster's papers over its share of all papers) counts beside its
#: centroid weight when a cluster's top terms are ranked: ``weight * lift ** LIFT_EXPONENT``, as LDAvis's relevance
#: (Sievert and Shirley 2014) with lambda = 1 / 1.35 ~ 0.74. Mean NPMI of the clusters' top 10 terms over seeds
#: 42-44 (bench.quality), by centroid weight alone -> with lift ** 0.35: BBC news 0.116 -> 0.137, ml-abstracts by
#: venue 0.095 -> 0.114, seed listings -0.259 -> -0.256; the 5.5k example (seed 42) 0.100 -> 0.101. lift ** 0.5
#: ranks rarer words first: BBC 0.140, but the example 0.090 (lift ** 1: 0.069).
LIFT_EXPONENT = 0.35


def term_lift(doc_term: sparse.csr_matrix, labels: np.ndarray, n_clusters: int) -> np.ndarray:
    """Each term's lift in each cluster, shape ``(n_clusters, n_terms)``: the share of the cluster's papers that hold
    the term over the share of all papers that do (``doc_term`` is ``(n_docs, n_terms)``, ``labels`` ``(n_docs,)``)."""
    present = sparse.csr_matrix((doc_term > 0).astype(np.float64))
    n_docs = present.shape[0]
    sizes = np.bincount(labels, minlength=n_clusters).astype(np.float64)
    members = sparse.csr_matrix(
        (1.0 / np.maximum(sizes[labels], 1.0), (labels, np.arange(n_docs))), shape=(n_clusters, n_docs)
    )
    within = np.asarray((members @ present).todense())
    overall = np.asarray(present.sum(axis=0)).ravel() / max(n_docs, 1)
    return within / np.maximum(overall, 1e-12)


def cluster_top_terms(
    centroids: np.ndarray, terms: Sequence[str], top_n: int, lift: np.ndarray | None = None
) -> tuple[tuple[tuple[str, float], ...], ...]:
    """Each cluster's ``top_n`` terms with their centroid weight (TF-IDF space), ranked by that weight times
    ``lift ** LIFT_EXPONENT`` (:func:`term_lift`; by the weight alone without ``lift``); ``centroids`` and ``lift``
    are ``(n_clusters, n_terms)`` over ``terms``."""
    scores = centroids if lift is None else centroids * lift**LIFT_EXPONENT
    return tuple(
        tuple((terms[j], float(row[j])) for j in np.argsort(-score, kind="stable")[:top_n])
        for row, score in zip(centroids, scores)
    )


def cluster_result(
    labels: np.ndarray,
    centroids: np.ndarray,
    terms: Sequence[str],
    vocabulary: Vocabulary,
    texts: Sequence[Sequence[str]] | TokenArrays,
    doc_ids: Sequence[str],
    top_n: int,
    metrics: dict[str, float],
) -> TopicResult:
    """A clustering (``labels`` shape ``(n_docs,)``, ``centroids`` shape ``(n_clusters, n_terms)`` in TF-IDF space
    over ``terms``, a subset of the vocabulary's) as a :class:`TopicResult`: one-hot ``doc_topic``, top terms
    (:func:`cluster_top_terms`, with their lift among the vocabulary's counts), NPMI
    coherence on ``texts`` and the map coordinates; ``metrics`` (silhouette, inertia) are added to the NPMI. Both
    engines' cluster models build their result here."""
    n_clusters, n_docs = centroids.shape[0], len(labels)
    one_hot = np.zeros((n_docs, n_clusters))
    one_hot[np.arange(n_docs), labels] = 1.0
    column = {term: j for j, term in enumerate(vocabulary.terms)}
    doc_term = vocabulary.matrix[:, [column[term] for term in terms]]
    topic_terms = cluster_top_terms(centroids, terms, top_n, term_lift(doc_term, labels, n_clusters))
    mean, per_topic = npmi_coherence([[t for t, _ in c] for c in topic_terms], texts, vocabulary.dictionary)
    return TopicResult(
        backend="tfidf_kmeans",
        topic_terms=topic_terms,
        doc_topic=one_hot,
        doc_ids=tuple(doc_ids),
        coords=intertopic_coordinates(centroids),
        metrics={"silhouette": metrics["silhouette"], "coherence_npmi": mean, **{
            k: v for k, v in metrics.items() if k != "silhouette"
        }},
        topic_coherence=per_topic,
        labels=tuple(", ".join(t.replace("_", " ") for t, _ in c[:3]) for c in topic_terms),
        topic_term=centroids,
        terms=tuple(terms),
    )
