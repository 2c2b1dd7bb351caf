"""MLlib LDA and TF-IDF + MLlib KMeans as estimators with scikit-learn's contract, for ``engine: spark``
(:mod:`topics.models.spark_engine` explains the engine): keyword-only parameters, ``fit(X)`` returning the
estimator with fitted ``attr_`` attributes, ``transform``, ``clone``, and ``result(...)`` giving the same
:class:`~topics.results.TopicResult` as the local engine's models.

``X`` is a :class:`~topics.models.vocabulary.Vocabulary`, a count matrix of shape ``(n_docs, n_terms)``, or a
:class:`~topics.models.spark_tfidf.SparkCounts` from :func:`~topics.models.spark_tfidf.spark_counts` (the papers
shipped to Spark once, for both models). A Vocabulary or matrix is fitted in the active Spark session: fit
inside :func:`topics.models.spark_engine.spark_session` (the session is no estimator parameter: ``clone`` would
copy it).

pyspark is an optional dependency: this module imports it only inside the methods that run on Spark.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeAlias

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from preprocessing.errors import UserError
from preprocessing.token_arrays import TokenArrays
from topics.models.clusters import cluster_result, cosine_silhouette
from topics.models.lda import lda_result
from topics.models.spark_engine import (
    CHECKPOINT_INTERVAL,
    EM_DOC_CONCENTRATION,
    EM_TOPIC_CONCENTRATION,
    KMEANS_INIT,
    KMEANS_MAX_ITER,
    ONLINE_LEARNING_DECAY,
    ONLINE_LEARNING_OFFSET,
    ONLINE_OPTIMIZE_DOC_CONCENTRATION,
    active_spark_session,
    ensure_checkpoint_dir,
    online_subsampling_rate,
)
from topics.models.spark_tfidf import SparkCounts, spark_counts
from topics.models.vocabulary import Vocabulary, counts_and_terms
from topics.quality.topic_quality import topic_diversity
from topics.results import TopicResult

#: What an estimator's ``X`` may be.
SparkInput: TypeAlias = Vocabulary | sparse.spmatrix | np.ndarray | SparkCounts

MLLIB_NOT_PICKLED = (
    "this SparkLdaTopicModel was unpickled (or copied): its MLlib model lives in the Spark session it was fitted "
    "in and is not kept in a pickle, so it cannot transform new papers; its topic_term_ and doc_topic_ are kept. "
    "Refit it inside topics.models.spark_engine.spark_session(...) to transform"
)


@contextmanager
def _on_spark(X: SparkInput, partitions: int | None) -> Iterator[SparkCounts]:
    """``X`` itself when it is already a :class:`SparkCounts`, else its counts shipped to the active session
    (unpersisted on exit)."""
    if isinstance(X, SparkCounts):
        yield X
        return
    with spark_counts(active_spark_session(), X, partitions) as prepared:
        yield prepared


def _check_shape(n_docs: int, n_terms: int, k: int, what: str, most_docs: bool) -> None:
    """Raise :class:`UserError` unless ``n_docs`` papers over ``n_terms`` terms can be fitted with ``k`` ``what``
    (at least 2 of each; with ``most_docs``, ``k`` at most ``n_docs``)."""
    if n_docs < 2:
        raise UserError(f"engine: spark needs at least 2 papers to fit the models (got {n_docs})")
    if n_terms < 2:
        raise UserError(f"engine: spark needs at least 2 terms in the vocabulary (got {n_terms})")
    if k < 2 or (most_docs and k > n_docs):
        bound = f" and at most the number of papers ({n_docs})" if most_docs else ""
        raise UserError(f"engine: spark: {what} ({k}) must be at least 2{bound}")


class SparkLdaTopicModel(BaseEstimator):
    """MLlib LDA with scikit-learn's estimator contract: ``optimizer`` ``"online"`` (variational Bayes with the
    local engine's priors and a gensim-like step size, :mod:`~topics.models.spark_engine`) or ``"em"``;
    ``max_iter`` MLlib iterations; ``partitions`` of the papers when ``X`` is not a :class:`SparkCounts`
    (default: Spark's default parallelism); ``doc_concentration`` overrides the prior on topic mixtures (EM:
    must be > 1).

    Fitted attributes: ``topic_term_`` (shape ``(num_topics, n_terms)``, rows are p(term | topic), sum to 1),
    ``doc_topic_`` (shape ``(n_docs, num_topics)``, rows sum to 1, uniform for a paper without known terms),
    ``terms_`` (length ``n_terms``), ``log_likelihood_`` (EM's training log likelihood; None for online) and
    ``mllib_model_`` (MLlib's local LDA model, for :meth:`transform`; not kept in a pickle).
    """

    def __init__(
        self,
        *,
        num_topics: int = 12,
        optimizer: str = "online",
        max_iter: int = 100,
        partitions: int | None = None,
        doc_concentration: float | None = None,
        random_state: int = 42,
    ) -> None:
        self.num_topics = num_topics
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.partitions = partitions
        self.doc_concentration = doc_concentration
        self.random_state = random_state

    def fit(self, X: SparkInput, y: Any = None) -> SparkLdaTopicModel:
        """Fit MLlib LDA on the counts of ``X`` (shape ``(n_docs, n_terms)``); ``y`` is ignored. Returns ``self``."""
        self._check_parameters()
        with _on_spark(X, self.partitions) as prepared:
            _check_shape(prepared.n_docs, prepared.n_terms, self.num_topics, "num_topics", most_docs=False)
            checkpoint = self.optimizer == "em" and ensure_checkpoint_dir(prepared.spark)
            mllib = self._mllib_lda(checkpoint, prepared.n_docs).fit(prepared.counts())
            topic_term = np.maximum(np.asarray(mllib.topicsMatrix().toArray(), dtype=float).T, 0.0)  # (k, n_terms)
            topic_term /= np.maximum(topic_term.sum(axis=1, keepdims=True), 1e-300)
            if mllib.isDistributed():
                log_likelihood: float | None = float(mllib.trainingLogLikelihood())
                mllib = mllib.toLocal().setFeaturesCol("counts").setTopicDistributionCol("topics")
            else:
                log_likelihood = None
            self.doc_topic_ = self._mixtures(mllib, prepared)
        self.topic_term_ = topic_term
        self.terms_ = list(prepared.terms)
        self.log_likelihood_ = log_likelihood
        self.mllib_model_ = mllib
        return self

    def _check_parameters(self) -> None:
        if self.optimizer not in ("online", "em"):
            raise UserError(f"engine: spark: the LDA optimizer must be online or em (got {self.optimizer!r})")
        alpha = self.doc_concentration
        if self.optimizer == "em" and alpha is not None and alpha <= 1.0:
            raise UserError(f"engine: spark: EM LDA needs a doc concentration above 1 (got {alpha})")
        if alpha is not None and alpha <= 0.0:
            raise UserError(f"engine: spark: the LDA doc concentration must be positive (got {alpha})")

    def _mllib_lda(self, checkpoint: bool, n_docs: int) -> Any:
        """MLlib's unfitted ``LDA`` of these parameters, on the ``counts`` column, for ``n_docs`` papers."""
        from pyspark.ml.clustering import LDA

        k = self.num_topics
        lda = LDA(
            k=k, maxIter=self.max_iter, seed=self.random_state, optimizer=self.optimizer, featuresCol="counts",
            topicDistributionCol="topics",
        )
        if self.optimizer == "em":
            alpha = self.doc_concentration if self.doc_concentration is not None else EM_DOC_CONCENTRATION
            if alpha is None:
                alpha = 50.0 / k + 1.0
            lda.setDocConcentration([float(alpha)]).setTopicConcentration(EM_TOPIC_CONCENTRATION)
            lda.setKeepLastCheckpoint(False).setCheckpointInterval(CHECKPOINT_INTERVAL if checkpoint else -1)
        else:
            alpha = self.doc_concentration if self.doc_concentration is not None else 1.0 / k
            lda.setDocConcentration([float(alpha)]).setTopicConcentration(1.0 / k)
            lda.setOptimizeDocConcentration(ONLINE_OPTIMIZE_DOC_CONCENTRATION)
            lda.setLearningOffset(ONLINE_LEARNING_OFFSET).setLearningDecay(ONLINE_LEARNING_DECAY)
            lda.setSubsamplingRate(online_subsampling_rate(n_docs))
        return lda

    def _mixtures(self, mllib: Any, prepared: SparkCounts) -> np.ndarray:
        """The topic mixtures MLlib's local model infers for ``prepared``'s papers, shape ``(n_docs, num_topics)``
        in paper order; rows sum to 1 (uniform for a paper without known terms: no evidence for any topic)."""
        rows = mllib.transform(prepared.counts()).select("doc", "topics").collect()
        doc_topic = np.zeros((prepared.n_docs, self.num_topics))
        for row in rows:
            doc_topic[row["doc"]] = row["topics"].toArray()
        sums = doc_topic.sum(axis=1, keepdims=True)
        return np.where(sums > 0, doc_topic / np.where(sums > 0, sums, 1.0), 1.0 / self.num_topics)

    def transform(self, X: SparkInput) -> np.ndarray:
        """Topic mixtures of the papers of ``X`` (counts over ``terms_``), shape ``(n_docs, num_topics)``, rows
        sum to 1, inferred by the MLlib model on Spark (in the session it was fitted in)."""
        check_is_fitted(self, "topic_term_")
        mllib = getattr(self, "mllib_model_", None)
        if mllib is None:
            raise UserError(MLLIB_NOT_PICKLED)
        with _on_spark(X, self.partitions) as prepared:
            if prepared.n_terms != self.topic_term_.shape[1]:
                raise ValueError(
                    f"X has {prepared.n_terms} terms; this model was fitted on {self.topic_term_.shape[1]}"
                )
            return self._mixtures(mllib, prepared)

    def __getstate__(self) -> dict[str, Any]:
        """The pickled state: everything but the MLlib model (a handle on an object in Spark's JVM)."""
        state = dict(super().__getstate__())  # a copy: object's __getstate__ returns the live __dict__
        state.pop("mllib_model_", None)
        return state

    def result(
        self, vocabulary: Vocabulary, texts: Sequence[Sequence[str]] | TokenArrays, doc_ids: Sequence[str],
        top_n: int = 10,
    ) -> TopicResult:
        """The fitted topics as a :class:`TopicResult` (backend ``"lda"``) with NPMI coherence on ``texts``,
        topic diversity and, for EM, the training log likelihood."""
        check_is_fitted(self, "topic_term_")
        diversity_mean, diversity = topic_diversity(self.topic_term_)
        metrics = {"diversity": diversity_mean}
        if self.log_likelihood_ is not None:
            metrics["log_likelihood"] = float(self.log_likelihood_)
        return lda_result(
            self.topic_term_, self.doc_topic_, vocabulary, texts, doc_ids, top_n, metrics, topic_diversity=diversity
        )


class SparkClusterModel(BaseEstimator):
    """MLlib KMeans (random initialisation, one run, seeded) over sublinear smooth TF-IDF rows, L2-normalised,
    computed on Spark over every term (no ``max_features`` cap), with scikit-learn's estimator contract.
    ``partitions`` of the papers when ``X`` is not a :class:`SparkCounts` (default: Spark's default parallelism).

    Fitted attributes: ``labels_`` (shape ``(n_docs,)``), ``centroids_`` (shape ``(num_clusters, n_terms)``),
    ``tfidf_`` (CSR, shape ``(n_docs, n_terms)``, the rows KMeans clustered), ``idf_`` (the smooth idf, shape
    ``(n_terms,)``, which :meth:`transform` applies locally), ``terms_`` (length ``n_terms``) and ``inertia_``
    (sum of squared distances to the assigned centroids).
    """

    def __init__(
        self,
        *,
        num_clusters: int = 10,
        max_iter: int = KMEANS_MAX_ITER,
        partitions: int | None = None,
        random_state: int = 42,
    ) -> None:
        self.num_clusters = num_clusters
        self.max_iter = max_iter
        self.partitions = partitions
        self.random_state = random_state

    def fit(self, X: SparkInput, y: Any = None) -> SparkClusterModel:
        """TF-IDF rows of the counts of ``X`` (shape ``(n_docs, n_terms)``) on Spark, clustered by MLlib KMeans;
        ``y`` is ignored. Returns ``self``."""
        with _on_spark(X, self.partitions) as prepared:
            from pyspark.ml.clustering import KMeans  # pyspark is there: _on_spark checked

            _check_shape(prepared.n_docs, prepared.n_terms, self.num_clusters, "num_clusters", most_docs=True)
            vectors, tfidf, idf = prepared.tfidf()
            kmeans = KMeans(
                k=self.num_clusters, seed=self.random_state, maxIter=self.max_iter, initMode=KMEANS_INIT,
                featuresCol="tfidf", predictionCol="cluster",
            ).fit(vectors)
            assigned = kmeans.transform(vectors).select("doc", "cluster").collect()
            terms = list(prepared.terms)
        labels = np.zeros(tfidf.shape[0], dtype=np.int64)
        for row in assigned:
            labels[row["doc"]] = row["cluster"]
        self.centroids_ = np.vstack([np.asarray(c, dtype=float) for c in kmeans.clusterCenters()])
        self.labels_, self.tfidf_, self.idf_, self.terms_ = labels, tfidf, idf, terms
        self.inertia_ = self._inertia(tfidf, labels)
        return self

    def _inertia(self, tfidf: sparse.csr_matrix, labels: np.ndarray) -> float:
        """Sum of squared distances of the rows of ``tfidf`` to their ``labels``' centroids:
        ``|x|^2 - 2 x.c + |c|^2``, without densifying ``x``."""
        dots = np.asarray(tfidf @ self.centroids_.T)[np.arange(tfidf.shape[0]), labels]
        return float(
            tfidf.multiply(tfidf).sum() - 2 * dots.sum() + np.sum((self.centroids_**2).sum(axis=1)[labels])
        )

    def _tfidf(self, X: SparkInput) -> sparse.csr_matrix:
        """TF-IDF rows of new counts with the fitted idf, computed locally, shape ``(n_docs, n_terms)``."""
        check_is_fitted(self, "centroids_")
        counts = X.matrix if isinstance(X, SparkCounts) else counts_and_terms(X)[0]
        if counts.shape[1] != len(self.idf_):
            raise ValueError(f"X has {counts.shape[1]} terms; this model was fitted on {len(self.idf_)}")
        tf = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
        tf.data = np.where(tf.data > 0, 1.0 + np.log(np.maximum(tf.data, 1e-300)), 0.0)
        return normalize(sparse.csr_matrix(tf.multiply(self.idf_[None, :])), norm="l2")

    def transform(self, X: SparkInput) -> np.ndarray:
        """Euclidean distance of each paper's TF-IDF row to every centroid, shape ``(n_docs, num_clusters)``
        (computed locally: no Spark session is needed)."""
        return np.asarray(euclidean_distances(self._tfidf(X), self.centroids_))

    def predict(self, X: SparkInput) -> np.ndarray:
        """The nearest centroid of each paper, shape ``(n_docs,)``."""
        return self.transform(X).argmin(axis=1)

    def silhouette(self) -> float:
        """:func:`~topics.models.clusters.cosine_silhouette` of the fitted clusters, as the local engine's."""
        check_is_fitted(self, "centroids_")
        return cosine_silhouette(self.tfidf_, self.labels_, self.random_state)

    def result(
        self, vocabulary: Vocabulary, texts: Sequence[Sequence[str]] | TokenArrays, doc_ids: Sequence[str],
        top_n: int = 10,
    ) -> TopicResult:
        """The clusters as a :class:`TopicResult` (:func:`~topics.models.clusters.cluster_result`, as the local
        engine's), with silhouette, inertia and each cluster's diversity."""
        check_is_fitted(self, "centroids_")
        result = cluster_result(
            self.labels_, self.centroids_, self.terms_, vocabulary, texts, doc_ids, top_n,
            {"silhouette": self.silhouette(), "inertia": self.inertia_},
        )
        _, diversity = topic_diversity(self.centroids_)
        return replace(result, topic_diversity=diversity)
