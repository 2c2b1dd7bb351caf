"""Result objects from the Spark engine's arrays: the same :class:`TopicResult` and model attributes the local
engine produces, so themes, trends, outputs and the report run unchanged after ``engine: spark``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from topics.models.clusters import TfidfClusterModel
from topics.models.lda import LdaTopicModel
from topics.models.topic_map import intertopic_coordinates
from topics.models.vocabulary import Vocabulary
from topics.quality.coherence import npmi_coherence
from topics.quality.topic_quality import topic_diversity
from topics.results import TopicResult


def _top_terms(rows: np.ndarray, terms: Sequence[str], top_n: int) -> tuple[tuple[tuple[str, float], ...], ...]:
    return tuple(
        tuple((terms[j], float(row[j])) for j in np.argsort(-row, kind="stable")[:top_n]) for row in rows
    )


def _labels(topic_terms: Sequence[Sequence[tuple[str, float]]]) -> tuple[str, ...]:
    return tuple(", ".join(t.replace("_", " ") for t, _ in topic[:3]) for topic in topic_terms)


def spark_lda_result(
    topic_term: np.ndarray,
    doc_topic: np.ndarray,
    vocabulary: Vocabulary,
    documents: Any,
    ids: Sequence[str],
    top_n: int,
    log_likelihood: float | None,
) -> tuple[TopicResult, LdaTopicModel]:
    """MLlib LDA's ``topic_term`` (shape ``(k, n_terms)``) and ``doc_topic`` (shape ``(n_docs, k)``) as the local
    engine's result and a fitted-looking :class:`LdaTopicModel` (``topic_term_``, ``doc_topic_``; no gensim model)."""
    model = LdaTopicModel(num_topics=topic_term.shape[0])
    model.topic_term_ = np.asarray(topic_term, dtype=float)
    model.doc_topic_ = np.asarray(doc_topic, dtype=float)
    topic_terms = _top_terms(model.topic_term_, vocabulary.terms, top_n)
    mean, per_topic = npmi_coherence([[t for t, _ in topic] for topic in topic_terms], documents, vocabulary.dictionary)
    diversity_mean, diversity = topic_diversity(model.topic_term_)
    metrics = {"coherence_npmi": mean, "diversity": diversity_mean}
    if log_likelihood is not None:
        metrics["log_likelihood"] = float(log_likelihood)
    result = TopicResult(
        backend="lda",
        topic_terms=topic_terms,
        doc_topic=model.doc_topic_,
        doc_ids=tuple(ids),
        coords=intertopic_coordinates(model.topic_term_),
        metrics=metrics,
        topic_coherence=per_topic,
        labels=_labels(topic_terms),
        topic_diversity=diversity,
        topic_term=model.topic_term_,
        terms=tuple(vocabulary.terms),
    )
    return result, model


def spark_cluster_result(
    labels: np.ndarray,
    centroids: np.ndarray,
    tfidf: Any,
    vocabulary: Vocabulary,
    documents: Any,
    ids: Sequence[str],
    top_n: int,
    seed: int,
) -> tuple[TopicResult, TfidfClusterModel]:
    """MLlib KMeans's ``labels`` (shape ``(n_docs,)``) and ``centroids`` (shape ``(k, n_terms)``, TF-IDF space
    over the vocabulary's terms) as the local engine's result and a fitted-looking :class:`TfidfClusterModel`."""
    k = centroids.shape[0]
    model = TfidfClusterModel(num_clusters=k, random_state=seed)
    model.tfidf_ = tfidf.tocsr()
    model.terms_ = list(vocabulary.terms)
    model.labels_ = np.asarray(labels, dtype=int)
    model.centroids_ = np.asarray(centroids, dtype=float)
    n_docs = len(model.labels_)
    one_hot = np.zeros((n_docs, k))
    one_hot[np.arange(n_docs), model.labels_] = 1.0
    topic_terms = _top_terms(model.centroids_, model.terms_, top_n)
    mean, per_topic = npmi_coherence([[t for t, _ in c] for c in topic_terms], documents, vocabulary.dictionary)
    # sum of squared distances to the assigned centre: |x|^2 - 2 x.c + |c|^2, without densifying x
    dots = np.asarray(model.tfidf_ @ model.centroids_.T)[np.arange(n_docs), model.labels_]
    inertia = float(
        model.tfidf_.multiply(model.tfidf_).sum()
        - 2 * dots.sum()
        + np.sum((model.centroids_**2).sum(axis=1)[model.labels_])
    )
    _, diversity = topic_diversity(model.centroids_)
    result = TopicResult(
        backend="tfidf_kmeans",
        topic_terms=topic_terms,
        doc_topic=one_hot,
        doc_ids=tuple(ids),
        coords=intertopic_coordinates(model.centroids_),
        metrics={"silhouette": model.silhouette(), "coherence_npmi": mean, "inertia": inertia},
        topic_coherence=per_topic,
        labels=_labels(topic_terms),
        topic_diversity=diversity,
        topic_term=model.centroids_,
        terms=tuple(model.terms_),
    )
    return result, model
