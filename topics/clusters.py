"""TF-IDF on the run's tokens + KMeans, as a small estimator (scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score

from topics.coherence import npmi_coherence
from topics.results import TopicResult
from topics.topic_map import intertopic_coordinates
from topics.vocabulary import Vocabulary

#: Silhouette is computed on at most this many papers (sampled with the run's seed).
SILHOUETTE_SAMPLE = 3000


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


def tfidf_matrix(
    vocabulary: Vocabulary, documents: Sequence[Sequence[str]], max_features: int | None = None
) -> tuple[sparse.csr_matrix, list[str]]:
    """Sublinear TF-IDF (rows L2-normalised), shape ``(n_docs, n_terms)``, over the vocabulary's terms."""
    allowed = vocabulary.dictionary.token2id
    kept = [[t for t in doc if t in allowed] for doc in documents]
    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, max_features=max_features, dtype=np.float64)
    matrix = vectorizer.fit_transform(kept)
    return matrix.tocsr(), list(vectorizer.get_feature_names_out())


class TfidfClusterModel:
    """KMeans over sublinear TF-IDF vectors (rows L2-normalised) of the shared vocabulary.

    Fitted attributes: ``tfidf_`` (sparse, shape ``(n_docs, n_terms)``), ``terms_`` (length ``n_terms``),
    ``labels_`` (shape ``(n_docs,)``), ``centroids_`` (shape ``(n_clusters, n_terms)``).
    """

    def __init__(self, num_clusters: int = 10, max_features: int = 20000, n_init: int = 4, random_state: int = 42):
        self.num_clusters = num_clusters
        self.max_features = max_features
        self.n_init = n_init
        self.random_state = random_state

    def fit(self, vocabulary: Vocabulary, documents: Sequence[Sequence[str]]) -> "TfidfClusterModel":
        self.tfidf_, self.terms_ = tfidf_matrix(vocabulary, documents, self.max_features)
        self.kmeans_ = KMeans(n_clusters=self.num_clusters, n_init=self.n_init, random_state=self.random_state)
        self.labels_ = self.kmeans_.fit_predict(self.tfidf_)
        self.centroids_ = np.asarray(self.kmeans_.cluster_centers_)
        return self

    def silhouette(self) -> float:
        """Mean cosine silhouette in ``[-1, 1]`` (on a seeded sample of at most SILHOUETTE_SAMPLE papers)."""
        n_labels = len(set(self.labels_.tolist()))
        if n_labels < 2 or n_labels >= self.tfidf_.shape[0]:
            return 0.0
        sample = min(SILHOUETTE_SAMPLE, self.tfidf_.shape[0])
        return float(
            silhouette_score(self.tfidf_, self.labels_, metric="cosine", sample_size=sample, random_state=self.random_state)
        )

    def result(self, texts: Sequence[Sequence[str]], vocabulary: Vocabulary, doc_ids: Sequence[str], top_n: int = 10) -> TopicResult:
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
