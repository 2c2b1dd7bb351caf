"""TF-IDF on the run's tokens + KMeans, as a small estimator (scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics import silhouette_score

from preprocessing.token_arrays import TokenArrays
from topics.models.topic_map import intertopic_coordinates
from topics.models.vocabulary import Vocabulary
from topics.quality.coherence import npmi_coherence
from topics.results import TopicResult

#: Papers per mini-batch of MiniBatchKMeans.
MINIBATCH_SIZE = 4096
#: Silhouette is computed on at most this many papers (sampled with the run's seed).
SILHOUETTE_SAMPLE = 3000


def tfidf_matrix(
    vocabulary: Vocabulary, documents: Any = None, max_features: int | None = None
) -> tuple[sparse.csr_matrix, list[str]]:
    """Sublinear TF-IDF (smooth idf, rows L2-normalised), shape ``(n_docs, n_terms)``, from the vocabulary's
    count matrix: the ``max_features`` most frequent terms (all when ``None``), columns in alphabetical order as
    scikit-learn's TfidfVectorizer orders them. ``documents`` is accepted for compatibility and ignored."""
    counts = vocabulary.matrix
    terms = np.asarray(vocabulary.terms, dtype=object)
    columns = np.arange(counts.shape[1])
    if max_features is not None and counts.shape[1] > max_features:
        totals = np.asarray(counts.sum(axis=0)).ravel()
        columns = np.argsort(-totals, kind="stable")[:max_features]
    columns = columns[np.argsort(terms[columns].astype(str), kind="stable")]
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(counts[:, columns])
    return sparse.csr_matrix(matrix, dtype=np.float64), terms[columns].tolist()


class TfidfClusterModel:
    """KMeans over sublinear TF-IDF vectors (rows L2-normalised) of the shared vocabulary.

    Fitted attributes: ``tfidf_`` (sparse, shape ``(n_docs, n_terms)``), ``terms_`` (length ``n_terms``),
    ``labels_`` (shape ``(n_docs,)``), ``centroids_`` (shape ``(n_clusters, n_terms)``).
    """

    def __init__(
        self,
        num_clusters: int = 10,
        max_features: int = 20000,
        n_init: int = 10,
        random_state: int = 42,
        algorithm: str = "auto",
        minibatch_from: int = 10000,
    ):
        self.num_clusters = num_clusters
        self.algorithm = algorithm
        self.minibatch_from = minibatch_from
        self.max_features = max_features
        self.n_init = n_init
        self.random_state = random_state

    def fit(self, vocabulary: Vocabulary, documents: Any = None) -> "TfidfClusterModel":
        """Build the TF-IDF matrix of ``vocabulary`` and cluster its rows with KMeans; returns ``self``."""
        self.tfidf_, self.terms_ = tfidf_matrix(vocabulary, documents, self.max_features)
        self.kmeans_ = self.make_kmeans(self.random_state)
        self.labels_ = self.kmeans_.fit_predict(self.tfidf_)
        self.centroids_ = np.asarray(self.kmeans_.cluster_centers_)
        return self

    def make_kmeans(self, seed: int) -> KMeans | MiniBatchKMeans:
        """An unfitted KMeans of this model's settings: mini-batch KMeans past ``minibatch_from`` papers."""
        if self.algorithm == "minibatch" or (
            self.algorithm == "auto" and self.tfidf_.shape[0] >= self.minibatch_from
        ):
            return MiniBatchKMeans(
                n_clusters=self.num_clusters, n_init=self.n_init, random_state=seed, batch_size=MINIBATCH_SIZE
            )
        return KMeans(n_clusters=self.num_clusters, n_init=self.n_init, random_state=seed)

    def silhouette(self) -> float:
        """Mean cosine silhouette in ``[-1, 1]`` (on a seeded sample of at most SILHOUETTE_SAMPLE papers)."""
        n_labels = len(set(self.labels_.tolist()))
        if n_labels < 2 or n_labels >= self.tfidf_.shape[0]:
            return 0.0
        sample = min(SILHOUETTE_SAMPLE, self.tfidf_.shape[0])
        return float(
            silhouette_score(
                self.tfidf_, self.labels_, metric="cosine", sample_size=sample, random_state=self.random_state
            )
        )

    def result(
        self,
        texts: Sequence[Sequence[str]] | TokenArrays,
        vocabulary: Vocabulary,
        doc_ids: Sequence[str],
        top_n: int = 10,
    ) -> TopicResult:
        """The clusters as a :class:`TopicResult` (one-hot ``doc_topic``; weights from the TF-IDF centroids)."""
        n_docs = len(self.labels_)
        one_hot = np.zeros((n_docs, self.num_clusters))
        one_hot[np.arange(n_docs), self.labels_] = 1.0
        topic_terms = tuple(
            tuple((self.terms_[j], float(row[j])) for j in np.argsort(-row, kind="stable")[:top_n])
            for row in self.centroids_
        )
        mean, per_topic = npmi_coherence([[t for t, _ in c] for c in topic_terms], texts, vocabulary.dictionary)
        return TopicResult(
            backend="tfidf_kmeans",
            topic_terms=topic_terms,
            doc_topic=one_hot,
            doc_ids=tuple(doc_ids),
            coords=intertopic_coordinates(self.centroids_),
            metrics={"silhouette": self.silhouette(), "coherence_npmi": mean, "inertia": float(self.kmeans_.inertia_)},
            topic_coherence=per_topic,
            labels=tuple(", ".join(t.replace("_", " ") for t, _ in c[:3]) for c in topic_terms),
        )
