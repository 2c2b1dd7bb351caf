"""``engine: spark``'s compute modules on a real local Spark (``local[2]``): tokenisation on the executors equals
the local tokenizer's, the shipped count rows are Spark's own count vectors, TF-IDF equals the local engine's,
the MLlib estimators (:class:`SparkLdaTopicModel`, :class:`SparkClusterModel`) recover planted topics and groups,
and the error messages."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer
from tests.topics.helpers import PROJECT_ROOT
from topics.config import SparkConfig, validate_config
from topics.models import spark_engine
from topics.models.clusters import tfidf_matrix
from topics.models.spark_engine import (
    JAVA_MISSING,
    NO_SESSION,
    PYSPARK_MISSING,
    spark_session,
    tokenize_on_spark,
)
from topics.models.spark_estimators import SparkClusterModel, SparkLdaTopicModel
from topics.models.spark_tfidf import rows_to_csr, spark_counts
from topics.models.vocabulary import Vocabulary, build_vocabulary
from topics.pipeline.corpus_stage import build_tokenizer

pytestmark = pytest.mark.spark

SAMPLE = PROJECT_ROOT / "data" / "ml-abstracts-sample.parquet"
CONFIG = SparkConfig(
    master="local[2]",
    driver_memory="1g",
    partitions=2,
    lda_optimizer="online",
    lda_max_iter=20,
    conf={
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        # the JVM's quick compiler only: starts Spark in a third of the time; the tests' data is tiny
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    },
)
#: The estimators of the tests: CONFIG's online LDA, EM LDA of 25 iterations and KMeans, all seeded 7.
LDA = dict(num_topics=4, optimizer="online", max_iter=20, partitions=2, random_state=7)
EM_LDA = {**LDA, "optimizer": "em", "max_iter": 25}
KMEANS = dict(num_clusters=4, partitions=2, random_state=7)

#: Four clearly separated word groups; every planted paper draws most of its words from one of them.
GROUPS = {
    "rl": ["agent", "reward", "policy", "environment", "exploration", "trajectory", "actor", "critic"],
    "vision": ["image", "pixel", "convolution", "segmentation", "detection", "camera", "scene", "object"],
    "neuro": ["neuron", "spike", "synapse", "cortex", "hippocampus", "plasticity", "brain", "dendrite"],
    "language": ["sentence", "word", "translation", "parser", "syntax", "grammar", "lexicon", "corpus"],
}
SHARED = ["result", "study", "benchmark", "dataset", "analysis", "evaluation"]
DOCS_PER_GROUP = 40
#: Shared words left out of the vocabulary: the papers contain them, the count vectors must not.
OUT_OF_VOCABULARY = ("evaluation",)


def planted_corpus(seed: int = 0) -> tuple[list[list[str]], np.ndarray]:
    """Papers of 30 words each: 26 from the paper's group, 4 shared by all; groups interleaved in shuffled order."""
    rng = np.random.default_rng(seed)
    names = list(GROUPS)
    labels = rng.permutation(np.repeat(np.arange(len(names)), DOCS_PER_GROUP))
    documents = [
        list(rng.choice(GROUPS[names[g]], size=26)) + list(rng.choice(SHARED, size=4)) for g in labels
    ]
    return [[str(t) for t in rng.permutation(doc)] for doc in documents], labels


@dataclass(frozen=True)
class Planted:
    """The planted corpus: token lists (with out-of-vocabulary words), group of each paper, its vocabulary."""

    documents: list[list[str]]
    labels: np.ndarray
    vocabulary: Vocabulary

    @property
    def terms(self) -> list[str]:
        return self.vocabulary.terms


@dataclass(frozen=True)
class PlantedModels:
    lda: SparkLdaTopicModel
    clusters: SparkClusterModel


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    with spark_session(CONFIG) as session:
        yield session


@pytest.fixture(scope="module")
def planted() -> Planted:
    documents, labels = planted_corpus()
    vocabulary = build_vocabulary(documents, 1, 1.0, OUT_OF_VOCABULARY)  # papers keep tokens the models ignore
    assert not set(OUT_OF_VOCABULARY) & set(vocabulary.terms)
    return Planted(documents, labels, vocabulary)


@pytest.fixture(scope="module")
def planted_models(spark: object, planted: Planted) -> PlantedModels:
    """Both estimators fitted on one shared counts frame, as the pipeline fits them."""
    with spark_counts(spark, planted.vocabulary, partitions=2) as counts:
        clusters = SparkClusterModel(**KMEANS).fit(counts)
        lda = SparkLdaTopicModel(**LDA).fit(counts)
    return PlantedModels(lda=lda, clusters=clusters)


# --- errors (no Spark needed: these run before a session exists) ---


def test_missing_pyspark_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if pyspark were not installed
    with pytest.raises(UserError) as raised:
        with spark_session(CONFIG):
            pass
    assert str(raised.value) == PYSPARK_MISSING
    assert "pip install 'research-topics[spark]'" in str(raised.value)
    counts = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]))
    for estimator in (SparkLdaTopicModel(num_topics=2), SparkClusterModel(num_clusters=2)):
        with pytest.raises(UserError, match="needs pyspark"):
            estimator.fit(counts)


def test_missing_java_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spark_engine, "_active_session", lambda session_class: None)  # as on a fresh machine
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(UserError) as raised:
        with spark_session(CONFIG):
            pass
    assert str(raised.value) == JAVA_MISSING
    assert "JAVA_HOME" in str(raised.value)
    with pytest.raises(UserError) as raised:
        SparkLdaTopicModel(num_topics=2).fit(np.eye(3))
    assert str(raised.value) == JAVA_MISSING


def test_fitting_without_a_session_says_where_to_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spark_engine, "_active_session", lambda session_class: None)
    monkeypatch.setattr(spark_engine, "_java_available", lambda: True)
    for estimator in (SparkLdaTopicModel(num_topics=2), SparkClusterModel(num_clusters=2)):
        with pytest.raises(UserError) as raised:
            estimator.fit(np.eye(3))
        assert str(raised.value) == NO_SESSION
        assert "spark_session(" in str(raised.value)


# --- tokenisation on the executors ---


def test_tokenize_on_spark_equals_the_local_tokenizer_in_order(spark: object) -> None:
    papers = pd.read_parquet(SAMPLE).iloc[::150].head(36)  # a few dozen real abstracts from 1987 to 2025
    texts = [f"{title}. {abstract}" for title, abstract in zip(papers["title"], papers["abstract"])]
    texts += ["", "1234 -- !!", "Fine-tuning co-training of state-of-the-art models."]  # edge cases
    settings = build_tokenizer(validate_config({})).settings
    expected = list(Tokenizer(settings).pipe(texts))
    got = tokenize_on_spark(spark, texts, settings, partitions=2)
    assert got == expected
    assert sum(len(seg) for doc in got for seg in doc) > 1000  # real work was done
    assert tokenize_on_spark(spark, [], settings) == []


# --- count vectors and TF-IDF ---


def test_shipped_count_rows_are_sparks_count_vectors_of_the_tokens(spark: object, planted: Planted) -> None:
    """The vocabulary's count rows (what the estimators ship) equal Spark's own counting of the papers' tokens
    restricted to the vocabulary's terms (``CountVectorizerModel.from_vocabulary``, the engine's former input)."""
    from pyspark.ml.feature import CountVectorizerModel

    frame = spark.createDataFrame([(i, doc) for i, doc in enumerate(planted.documents)], ["doc", "tokens"])
    counted = CountVectorizerModel.from_vocabulary(planted.terms, inputCol="tokens", outputCol="counts")
    rows = sorted(counted.transform(frame).select("doc", "counts").collect(), key=lambda row: row["doc"])
    expected = rows_to_csr([row["counts"] for row in rows], len(planted.terms))
    with spark_counts(spark, planted.vocabulary, partitions=2) as counts:
        shipped = sorted(counts.counts().collect(), key=lambda row: row["doc"])
        assert counts.n_docs == len(planted.documents) and counts.terms == planted.terms
    got = rows_to_csr([row["counts"] for row in shipped], len(planted.terms))
    assert abs(got - expected).max() == 0 and abs(got - planted.vocabulary.matrix).max() == 0


def test_models_have_the_documented_shapes_and_order(planted: Planted, planted_models: PlantedModels) -> None:
    n_docs, n_terms = len(planted.documents), len(planted.terms)
    lda, clusters = planted_models.lda, planted_models.clusters
    assert lda.topic_term_.shape == (4, n_terms)
    assert np.allclose(lda.topic_term_.sum(axis=1), 1.0) and (lda.topic_term_ >= 0).all()
    assert lda.doc_topic_.shape == (n_docs, 4)
    assert np.allclose(lda.doc_topic_.sum(axis=1), 1.0) and (lda.doc_topic_ >= 0).all()
    assert lda.terms_ == planted.terms == clusters.terms_
    assert lda.log_likelihood_ is None  # online: MLlib's bound is not computed (it costs more than the fit)
    assert clusters.labels_.shape == (n_docs,)
    assert set(clusters.labels_.tolist()) <= set(range(4))
    assert clusters.centroids_.shape == (4, n_terms)
    assert clusters.tfidf_.shape == (n_docs, n_terms) and clusters.idf_.shape == (n_terms,)
    assert np.allclose(np.sqrt(clusters.tfidf_.multiply(clusters.tfidf_).sum(axis=1)), 1.0)
    assert clusters.inertia_ > 0


def test_tfidf_rows_equal_the_local_engines(planted: Planted, planted_models: PlantedModels) -> None:
    clusters = planted_models.clusters
    local, local_terms = tfidf_matrix(planted.vocabulary)
    order = [local_terms.index(t) for t in planted.terms]
    assert abs(local[:, order] - clusters.tfidf_).max() < 1e-12
    # transform's TF-IDF of new counts is computed locally from idf_: the same rows
    assert abs(clusters._tfidf(planted.vocabulary) - clusters.tfidf_).max() < 1e-12


def assert_planted_topics_recovered(
    topic_term: np.ndarray, doc_topic: np.ndarray, labels: np.ndarray, terms: list[str]
) -> None:
    """Each planted group's words are the top terms of one topic (``topic_term`` shape ``(4, n_terms)``), and (in
    input order) each paper's dominant topic in ``doc_topic`` (shape ``(n_docs, 4)``) is its group's."""
    index = {t: j for j, t in enumerate(terms)}
    matched = []
    for words in GROUPS.values():
        columns = [index[w] for w in words]
        topic = int(np.argmax(topic_term[:, columns].sum(axis=1)))
        top = {terms[j] for j in np.argsort(-topic_term[topic])[: len(words)]}
        assert top == set(words), (words, top)
        matched.append(topic)
    assert sorted(matched) == [0, 1, 2, 3]  # one topic per planted group
    dominant = doc_topic.argmax(axis=1)
    assert (dominant == np.asarray(matched)[labels]).mean() >= 0.95


def test_online_lda_recovers_the_planted_topics(planted: Planted, planted_models: PlantedModels) -> None:
    lda = planted_models.lda
    assert_planted_topics_recovered(lda.topic_term_, lda.doc_topic_, planted.labels, planted.terms)


def test_em_lda_recovers_the_planted_topics(spark: object, planted: Planted) -> None:
    lda = SparkLdaTopicModel(**EM_LDA).fit(planted.vocabulary)  # a vocabulary: shipped in the active session
    assert_planted_topics_recovered(lda.topic_term_, lda.doc_topic_, planted.labels, planted.terms)
    assert np.allclose(lda.topic_term_.sum(axis=1), 1.0) and np.allclose(lda.doc_topic_.sum(axis=1), 1.0)
    assert lda.log_likelihood_ is not None and np.isfinite(lda.log_likelihood_) and lda.log_likelihood_ < 0


def test_lda_transform_infers_the_papers_mixtures(planted: Planted, planted_models: PlantedModels) -> None:
    lda = planted_models.lda
    mixtures = lda.transform(planted.vocabulary)
    assert mixtures.shape == (len(planted.documents), 4) and np.allclose(mixtures.sum(axis=1), 1.0)
    np.testing.assert_allclose(mixtures, lda.doc_topic_, atol=1e-9)  # doc_topic_ is the same inference
    assert np.allclose(lda.transform(np.zeros((2, len(planted.terms)))), 0.25)  # no known terms: uniform
    with pytest.raises(ValueError, match="terms"):
        lda.transform(planted.vocabulary.matrix[:, :-1])


def test_kmeans_separates_the_planted_groups(planted: Planted, planted_models: PlantedModels) -> None:
    clusters = planted_models.clusters
    assert adjusted_rand_score(planted.labels, clusters.labels_) >= 0.9
    index = {t: j for j, t in enumerate(planted.terms)}
    centres = clusters.centroids_
    owners = []
    for words in GROUPS.values():  # each group's words make up most of one centre
        weights = centres[:, [index[w] for w in words]].sum(axis=1)
        owner = int(np.argmax(weights))
        assert weights[owner] >= 0.7 * centres[owner].sum()
        owners.append(owner)
    assert sorted(owners) == [0, 1, 2, 3]


def test_cluster_transform_and_predict_are_local_and_agree_with_the_fit(
    planted: Planted, planted_models: PlantedModels
) -> None:
    clusters = planted_models.clusters
    distances = clusters.transform(planted.vocabulary)
    assert distances.shape == (len(planted.documents), 4) and (distances >= 0).all()
    np.testing.assert_array_equal(clusters.predict(planted.vocabulary), clusters.labels_)
    assert np.isclose((distances.min(axis=1) ** 2).sum(), clusters.inertia_)


def test_same_seed_same_results(planted: Planted, planted_models: PlantedModels) -> None:
    """Refits from the count matrix (each shipping its own frame) equal the fits on the shared frame."""
    matrix = sparse.csr_matrix(planted.vocabulary.matrix)
    lda, clusters = SparkLdaTopicModel(**LDA).fit(matrix), SparkClusterModel(**KMEANS).fit(matrix)
    assert np.allclose(lda.topic_term_, planted_models.lda.topic_term_, atol=1e-9)
    assert np.allclose(lda.doc_topic_, planted_models.lda.doc_topic_, atol=1e-6)
    assert (clusters.labels_ == planted_models.clusters.labels_).all()
    assert np.allclose(clusters.centroids_, planted_models.clusters.centroids_, atol=1e-9)


def test_an_existing_session_is_reused_and_left_running(spark: object) -> None:
    with spark_session(SparkConfig(master="local[1]", app_name="other")) as again:
        assert again is spark
    assert spark.sparkContext.parallelize([1, 2, 3]).sum() == 6  # still running


def test_em_needs_a_doc_concentration_above_one(spark: object, planted: Planted) -> None:
    with pytest.raises(UserError, match="above 1"):
        SparkLdaTopicModel(**EM_LDA, doc_concentration=0.5).fit(planted.vocabulary)
    with pytest.raises(UserError, match="online or em"):
        SparkLdaTopicModel(optimizer="gibbs").fit(planted.vocabulary)


def test_too_many_clusters_or_too_few_papers_are_user_errors(spark: object, planted: Planted) -> None:
    with pytest.raises(UserError, match="at most the number of papers"):
        SparkClusterModel(num_clusters=3).fit(planted.vocabulary.matrix[:2])
    with pytest.raises(UserError, match="at least 2 papers"):
        SparkLdaTopicModel(num_topics=2).fit(planted.vocabulary.matrix[:1])
