"""``engine: spark``'s compute module on a real local Spark (``local[2]``): tokenisation on the executors equals
the local tokenizer's, MLlib LDA and KMeans recover planted topics and groups, and the error messages."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer
from tests.topics.helpers import PROJECT_ROOT
from topics.config import SparkConfig, validate_config
from topics.models import spark_engine
from topics.models.clusters import tfidf_matrix
from topics.models.spark_engine import (
    JAVA_MISSING,
    PYSPARK_MISSING,
    SparkModels,
    fit_on_spark,
    spark_session,
    tokenize_on_spark,
)
from topics.models.vocabulary import build_vocabulary
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

EM_CONFIG = CONFIG.model_copy(update={"lda_optimizer": "em", "lda_max_iter": 25})

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


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    with spark_session(CONFIG) as session:
        yield session


@pytest.fixture(scope="module")
def planted() -> tuple[list[list[str]], np.ndarray, list[str]]:
    documents, labels = planted_corpus()
    terms = build_vocabulary(documents, 1, 1.0, OUT_OF_VOCABULARY).terms  # papers keep tokens the models ignore
    assert not set(OUT_OF_VOCABULARY) & set(terms)
    return documents, labels, terms


@pytest.fixture(scope="module")
def planted_models(spark: object, planted: tuple[list[list[str]], np.ndarray, list[str]]) -> SparkModels:
    documents, _, terms = planted
    return fit_on_spark(spark, documents, terms, num_topics=4, num_clusters=4, seed=7, cfg=CONFIG)


# --- errors (no Spark needed: these run before a session exists) ---


def test_missing_pyspark_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if pyspark were not installed
    with pytest.raises(UserError) as raised:
        with spark_session(CONFIG):
            pass
    assert str(raised.value) == PYSPARK_MISSING
    assert "pip install 'research-topics[spark]'" in str(raised.value)
    with pytest.raises(UserError, match="needs pyspark"):
        fit_on_spark(None, [["a", "b"], ["b", "c"]], ["a", "b", "c"], 2, 2, 0, CONFIG)


def test_missing_java_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spark_engine, "_active_session", lambda session_class: None)  # as on a fresh machine
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(UserError) as raised:
        with spark_session(CONFIG):
            pass
    assert str(raised.value) == JAVA_MISSING
    assert "JAVA_HOME" in str(raised.value)


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


# --- models ---


def test_models_have_the_documented_shapes_and_order(
    planted: tuple[list[list[str]], np.ndarray, list[str]], planted_models: SparkModels
) -> None:
    documents, _, terms = planted
    m = planted_models
    n_docs, n_terms = len(documents), len(terms)
    assert m.topic_term.shape == (4, n_terms)
    assert np.allclose(m.topic_term.sum(axis=1), 1.0) and (m.topic_term >= 0).all()
    assert m.doc_topic.shape == (n_docs, 4)
    assert np.allclose(m.doc_topic.sum(axis=1), 1.0) and (m.doc_topic >= 0).all()
    assert m.cluster_labels.shape == (n_docs,)
    assert set(m.cluster_labels.tolist()) <= set(range(4))
    assert m.centroids.shape == (4, n_terms)
    assert m.tfidf.shape == (n_docs, n_terms)
    assert np.allclose(np.sqrt(m.tfidf.multiply(m.tfidf).sum(axis=1)), 1.0)
    assert m.lda_log_likelihood is None  # online: MLlib's bound is not computed (it costs more than the fit)
    assert set(m.timings) == {"vectorize", "kmeans", "lda"} and all(v >= 0 for v in m.timings.values())


def test_tfidf_rows_equal_the_local_engines(
    planted: tuple[list[list[str]], np.ndarray, list[str]], planted_models: SparkModels
) -> None:
    documents, _, terms = planted
    vocabulary = build_vocabulary(documents, 1, 1.0, OUT_OF_VOCABULARY)
    local, local_terms = tfidf_matrix(vocabulary)
    order = [local_terms.index(t) for t in terms]
    assert abs(local[:, order] - planted_models.tfidf).max() < 1e-12


def assert_planted_topics_recovered(models: SparkModels, labels: np.ndarray, terms: list[str]) -> None:
    """Each planted group's words are the top terms of one topic, and (in input order) each paper's dominant
    topic is its group's."""
    index = {t: j for j, t in enumerate(terms)}
    matched = []
    for words in GROUPS.values():
        columns = [index[w] for w in words]
        topic = int(np.argmax(models.topic_term[:, columns].sum(axis=1)))
        top = {terms[j] for j in np.argsort(-models.topic_term[topic])[: len(words)]}
        assert top == set(words), (words, top)
        matched.append(topic)
    assert sorted(matched) == [0, 1, 2, 3]  # one topic per planted group
    dominant = models.doc_topic.argmax(axis=1)
    assert (dominant == np.asarray(matched)[labels]).mean() >= 0.95


def test_online_lda_recovers_the_planted_topics(
    planted: tuple[list[list[str]], np.ndarray, list[str]], planted_models: SparkModels
) -> None:
    _, labels, terms = planted
    assert_planted_topics_recovered(planted_models, labels, terms)


def test_em_lda_recovers_the_planted_topics(spark: object, planted: tuple[list[list[str]], np.ndarray, list[str]]) -> None:
    documents, labels, terms = planted
    models = fit_on_spark(spark, documents, terms, num_topics=4, num_clusters=4, seed=7, cfg=EM_CONFIG)
    assert_planted_topics_recovered(models, labels, terms)
    assert np.allclose(models.topic_term.sum(axis=1), 1.0) and np.allclose(models.doc_topic.sum(axis=1), 1.0)
    assert models.lda_log_likelihood is not None and np.isfinite(models.lda_log_likelihood) and models.lda_log_likelihood < 0


def test_kmeans_separates_the_planted_groups(
    planted: tuple[list[list[str]], np.ndarray, list[str]], planted_models: SparkModels
) -> None:
    _, labels, terms = planted
    assert adjusted_rand_score(labels, planted_models.cluster_labels) >= 0.9
    index = {t: j for j, t in enumerate(terms)}
    centres = planted_models.centroids
    owners = []
    for words in GROUPS.values():  # each group's words make up most of one centre
        weights = centres[:, [index[w] for w in words]].sum(axis=1)
        owner = int(np.argmax(weights))
        assert weights[owner] >= 0.7 * centres[owner].sum()
        owners.append(owner)
    assert sorted(owners) == [0, 1, 2, 3]


def test_same_seed_same_results(
    spark: object, planted: tuple[list[list[str]], np.ndarray, list[str]], planted_models: SparkModels
) -> None:
    documents, _, terms = planted
    again = fit_on_spark(spark, documents, terms, num_topics=4, num_clusters=4, seed=7, cfg=CONFIG)
    assert np.allclose(again.topic_term, planted_models.topic_term, atol=1e-9)
    assert np.allclose(again.doc_topic, planted_models.doc_topic, atol=1e-6)
    assert (again.cluster_labels == planted_models.cluster_labels).all()
    assert np.allclose(again.centroids, planted_models.centroids, atol=1e-9)


def test_an_existing_session_is_reused_and_left_running(spark: object) -> None:
    with spark_session(SparkConfig(master="local[1]", app_name="other")) as again:
        assert again is spark
    assert spark.sparkContext.parallelize([1, 2, 3]).sum() == 6  # still running


def test_em_needs_a_doc_concentration_above_one(spark: object, planted: tuple[list[list[str]], np.ndarray, list[str]]) -> None:
    documents, _, terms = planted
    with pytest.raises(UserError, match="above 1"):
        fit_on_spark(spark, documents, terms, 4, 4, 7, EM_CONFIG, doc_concentration=0.5)
