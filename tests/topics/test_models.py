"""The models and small analyses on hand-made token lists: vocabulary, LDA, TF-IDF + KMeans, their agreement,
the intertopic map, the documents map, trends and period order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gensim.models import LdaMulticore
from scipy import sparse
from scipy.spatial.distance import pdist
from sklearn.exceptions import NotFittedError

from topics.config import TrendsConfig
from topics.models.clusters import TfidfClusterModel, cluster_top_terms, term_lift, tfidf_matrix
from topics.models.doc_map import project_documents
from topics.models.lda import LdaTopicModel
from topics.models.topic_map import classical_mds, intertopic_coordinates
from topics.models.vocabulary import MIN_VOCABULARY, Vocabulary, build_vocabulary
from topics.quality.agreement import compare_partitions
from topics.results import UNASSIGNED, ThemeDefinition, ThemeTable, TopicResult
from topics.trends.table import TrendInputs, build_trends, order_periods, period_sort_key

RL_WORDS = ("reward", "agent", "policy", "environment", "action", "exploration", "return", "critic")
VISION_WORDS = ("image", "pixel", "convolution", "segmentation", "detection", "object", "camera", "scene")
BIO_WORDS = ("neuron", "brain", "cortex", "synapse", "spike", "plasticity", "hippocampus", "dendrite")
GROUPS = (RL_WORDS, VISION_WORDS, BIO_WORDS)
DOCS_PER_GROUP = 8


def make_documents(seed: int = 0) -> list[list[str]]:
    """24 documents, 8 from each of three disjoint word groups, 30 tokens each, plus a shared word."""
    rng = np.random.default_rng(seed)
    docs = []
    for words in GROUPS:
        for _ in range(DOCS_PER_GROUP):
            docs.append([*rng.choice(words, size=30).tolist(), "study"])
    return docs


DOCS = make_documents()
IDS = tuple(f"d{i}" for i in range(len(DOCS)))
TRUTH = np.repeat(np.arange(3), DOCS_PER_GROUP)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return build_vocabulary(DOCS, min_df=2, max_df=0.9)


def fit_lda(vocabulary: Vocabulary, seed: int = 7, k: int = 3) -> LdaTopicModel:
    return LdaTopicModel(num_topics=k, passes=10, iterations=50, random_state=seed).fit(vocabulary)


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = {(int(x), int(y)) for x, y in zip(a, b)}
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


# ------------------------------------------------------------------------------------------- vocabulary


def test_vocabulary_filters_by_document_frequency(vocabulary: Vocabulary) -> None:
    assert set(vocabulary.terms) == set(RL_WORDS + VISION_WORDS + BIO_WORDS)  # "study" is in every paper
    assert not vocabulary.relaxed
    assert len(vocabulary.bows) == len(DOCS)
    assert sum(c for _, c in vocabulary.bows[0]) == 30


def test_vocabulary_relaxes_on_a_tiny_corpus() -> None:
    docs = [["alpha", "beta"], ["gamma", "delta"], ["alpha", "epsilon"]]
    vocabulary = build_vocabulary(docs, min_df=2, max_df=0.5)
    assert vocabulary.relaxed
    assert len(vocabulary.terms) == 5 < MIN_VOCABULARY


def test_vocabulary_carries_every_term_when_pickled_before_its_terms_are_read() -> None:
    """The run pickles the vocabulary for the clusters' process (in a feeder thread) while LDA reads its terms;
    terms filled lazily on first read reached that process part-filled (CI: index 14742 out of bounds for 14742)."""
    import pickle

    fresh = build_vocabulary(DOCS, min_df=2, max_df=0.9)
    state = pickle.loads(pickle.dumps(fresh)).__dict__  # the state another process receives, before any read
    assert state["_terms"] == [fresh.dictionary[i] for i in range(len(fresh.dictionary))]
    assert len(state["_terms"]) == fresh.matrix.shape[1]
    smaller = fresh.without([0, 2])
    assert pickle.loads(pickle.dumps(smaller)).__dict__["_terms"] == fresh.terms[1:2] + fresh.terms[3:]


# --------------------------------------------------------------------------------------------------- LDA


def test_lda_result_shapes(vocabulary: Vocabulary) -> None:
    model = fit_lda(vocabulary)
    result = model.result(vocabulary, DOCS, IDS, top_n=5)
    n_terms = len(vocabulary.terms)
    assert result.backend == "lda"
    assert model.topic_term_.shape == (3, n_terms)
    np.testing.assert_allclose(model.topic_term_.sum(axis=1), 1.0, atol=1e-5)
    assert result.doc_topic.shape == (len(DOCS), 3)
    np.testing.assert_allclose(result.doc_topic.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(result.doc_topic >= 0.0)
    assert result.n_topics == 3
    assert len(result.topic_terms) == 3 and all(len(t) == 5 for t in result.topic_terms)
    for topic in result.topic_terms:
        weights = [w for _, w in topic]
        assert weights == sorted(weights, reverse=True)
    assert result.coords.shape == (3, 2)
    assert result.doc_ids == IDS
    assert len(result.topic_coherence) == 3
    assert all(-1.0 <= c <= 1.0 for c in result.topic_coherence)
    assert {"coherence_npmi", "log_perplexity"} <= set(result.metrics)
    assert result.labels == tuple(", ".join(t for t, _ in topic[:3]) for topic in result.topic_terms)
    assert result.sizes.sum() == len(DOCS)
    np.testing.assert_allclose(result.prevalence.sum(), 1.0)


def test_lda_finds_the_three_word_groups(vocabulary: Vocabulary) -> None:
    result = fit_lda(vocabulary).result(vocabulary, DOCS, IDS, top_n=5)
    assert same_partition(result.assignments, TRUTH)
    for topic in result.topic_terms:
        heads = {t for t, _ in topic}
        assert any(heads <= set(words) for words in GROUPS), heads


def test_lda_same_seed_same_result(vocabulary: Vocabulary) -> None:
    first = fit_lda(vocabulary, seed=11).result(vocabulary, DOCS, IDS)
    second = fit_lda(vocabulary, seed=11).result(vocabulary, DOCS, IDS)
    assert first.topic_terms == second.topic_terms
    np.testing.assert_array_equal(first.doc_topic, second.doc_topic)
    np.testing.assert_array_equal(first.coords, second.coords)


def test_lda_transform_before_fit_is_an_error() -> None:
    with pytest.raises(NotFittedError, match="This LdaTopicModel instance is not fitted yet"):
        LdaTopicModel(num_topics=2).transform([[(0, 1)]])


def test_lda_multicore(vocabulary: Vocabulary) -> None:
    model = LdaTopicModel(num_topics=3, passes=2, workers=2, random_state=1).fit(vocabulary)
    assert isinstance(model.model_, LdaMulticore)
    np.testing.assert_allclose(model.doc_topic_.sum(axis=1), 1.0, atol=1e-5)


# ------------------------------------------------------------------------------------------ TF-IDF + KMeans


def test_tfidf_matrix_rows_are_unit_length(vocabulary: Vocabulary) -> None:
    matrix, terms = tfidf_matrix(vocabulary)
    assert matrix.shape == (len(DOCS), len(vocabulary.terms))
    assert sorted(terms) == sorted(vocabulary.terms)  # "study" (in every paper) is not a feature
    np.testing.assert_allclose(np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1, 1.0)


def test_clusters_are_one_hot_and_find_the_groups(vocabulary: Vocabulary) -> None:
    model = TfidfClusterModel(num_clusters=3, n_init=4, random_state=0).fit(vocabulary)
    result = model.result(vocabulary, DOCS, IDS, top_n=4)
    assert result.backend == "tfidf_kmeans"
    assert result.doc_topic.shape == (len(DOCS), 3)
    assert set(np.unique(result.doc_topic)) == {0.0, 1.0}
    np.testing.assert_array_equal(result.doc_topic.sum(axis=1), np.ones(len(DOCS)))
    np.testing.assert_array_equal(result.assignments, model.labels_)
    assert same_partition(result.assignments, TRUTH)
    assert result.coords.shape == (3, 2)
    assert all(len(c) == 4 for c in result.topic_terms)
    assert 0.0 < result.metrics["silhouette"] <= 1.0
    assert {"silhouette", "coherence_npmi", "inertia"} <= set(result.metrics)


def test_clusters_same_seed_same_result(vocabulary: Vocabulary) -> None:
    first = TfidfClusterModel(num_clusters=4, random_state=3).fit(vocabulary).result(vocabulary, DOCS, IDS)
    second = TfidfClusterModel(num_clusters=4, random_state=3).fit(vocabulary).result(vocabulary, DOCS, IDS)
    assert first.topic_terms == second.topic_terms
    np.testing.assert_array_equal(first.doc_topic, second.doc_topic)



def test_term_lift_is_the_clusters_share_of_papers_over_the_corpus_share() -> None:
    # 4 papers, 2 clusters; "common" is in every paper, "rare" only in cluster 1's two papers, "some" in one paper each
    doc_term = sparse.csr_matrix(np.array([[1, 0, 1], [2, 0, 0], [1, 3, 1], [1, 1, 0]]))
    lift = term_lift(doc_term, np.array([0, 0, 1, 1]), 2)
    np.testing.assert_allclose(lift, [[1.0, 0.0, 1.0], [1.0, 2.0, 1.0]])


def test_cluster_terms_rank_a_cluster_s_own_word_above_a_slightly_heavier_word_of_every_paper() -> None:
    terms = ["common", "own", "minor"]
    centroids = np.array([[0.50, 0.45, 0.10]])
    lift = np.array([[1.0, 2.0, 1.0]])  # "own" is twice as frequent in the cluster as in the corpus
    assert [t for t, _ in cluster_top_terms(centroids, terms, 3, lift)[0]] == ["own", "common", "minor"]
    ranked = cluster_top_terms(centroids, terms, 2, lift)[0]
    assert ranked == (("own", 0.45), ("common", 0.50))  # each term keeps its centroid weight
    assert [t for t, _ in cluster_top_terms(centroids, terms, 3)[0]] == ["common", "own", "minor"]  # weight alone
    # a word that is 1.3 times as frequent in the cluster does not yet outrank one 1.11 times as heavy
    assert cluster_top_terms(centroids, terms, 1, np.array([[1.0, 1.3, 1.0]]))[0][0][0] == "common"

# ------------------------------------------------------------------------------------------------ agreement


def one_hot_result(labels: list[int], k: int, backend: str) -> TopicResult:
    doc_topic = np.zeros((len(labels), k))
    doc_topic[np.arange(len(labels)), labels] = 1.0
    return TopicResult(backend=backend, topic_terms=(), doc_topic=doc_topic,
                       doc_ids=tuple(f"d{i}" for i in range(len(labels))), coords=np.zeros((k, 2)))


def test_agreement_of_identical_partitions() -> None:
    lda = one_hot_result([0, 0, 1, 1, 2, 2], 3, "lda")
    clusters = one_hot_result([2, 2, 0, 0, 1, 1], 3, "tfidf_kmeans")  # same partition, other names
    agreement = compare_partitions(lda, clusters)
    assert agreement.ari == pytest.approx(1.0)
    assert agreement.nmi == pytest.approx(1.0)
    np.testing.assert_array_equal(agreement.contingency, [[0, 0, 2], [2, 0, 0], [0, 2, 0]])


def test_agreement_keeps_empty_topics_in_the_table() -> None:
    lda = one_hot_result([0, 0, 2, 2], 4, "lda")  # topics 1 and 3 hold no paper
    clusters = one_hot_result([1, 1, 1, 0], 2, "tfidf_kmeans")
    agreement = compare_partitions(lda, clusters)
    np.testing.assert_array_equal(agreement.contingency, [[0, 2], [0, 0], [1, 1], [0, 0]])
    assert agreement.contingency.sum() == 4
    assert agreement.ari < 1.0


# --------------------------------------------------------------------------------------------- topic map


def test_identical_topics_coincide_on_the_intertopic_map() -> None:
    topic_term = np.array([
        [0.5, 0.5, 0.0, 0.0],
        [0.0, 0.0, 0.5, 0.5],
        [5.0, 5.0, 0.0, 0.0],  # topic 0 again, unnormalised
    ])
    coords = intertopic_coordinates(topic_term)
    assert coords.shape == (3, 2)
    np.testing.assert_allclose(coords[0], coords[2], atol=1e-6)
    assert np.linalg.norm(coords[0] - coords[1]) == pytest.approx(1.0)  # disjoint topics: JS distance 1


def test_classical_mds_recovers_distances() -> None:
    points = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [1.0, 1.0]])
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    coords = classical_mds(distance)
    np.testing.assert_allclose(pdist(coords), pdist(points), atol=1e-9)


def test_classical_mds_of_two_points() -> None:
    np.testing.assert_allclose(classical_mds(np.array([[0.0, 1.0], [1.0, 0.0]])), [[0.5, 0.0], [-0.5, 0.0]])


def test_intertopic_map_of_one_topic() -> None:
    np.testing.assert_array_equal(intertopic_coordinates(np.array([[1.0, 2.0]])), np.zeros((1, 2)))


# ------------------------------------------------------------------------------------------ documents map


def test_documents_map_svd_and_sampling(vocabulary: Vocabulary) -> None:
    matrix, _ = tfidf_matrix(vocabulary)
    full = project_documents(matrix, max_points=100, method="svd", random_state=0)
    assert full.method == "svd" and full.total == 24 and not full.sampled
    np.testing.assert_array_equal(full.indices, np.arange(24))
    assert full.coords.shape == (24, 2)
    sampled = project_documents(matrix, max_points=10, method="svd", random_state=0)
    assert sampled.sampled and sampled.coords.shape == (10, 2)
    assert list(sampled.indices) == sorted(set(sampled.indices.tolist())) and sampled.indices.max() < 24
    again = project_documents(matrix, max_points=10, method="svd", random_state=0)
    np.testing.assert_array_equal(sampled.indices, again.indices)


def test_documents_map_tsne_falls_back_on_few_papers(vocabulary: Vocabulary) -> None:
    matrix, _ = tfidf_matrix(vocabulary)
    small = project_documents(matrix[:6], max_points=100, method="tsne", random_state=0)
    assert small.method == "svd" and small.coords.shape == (6, 2)
    tiny = project_documents(matrix[:2], max_points=100, method="tsne", random_state=0)
    assert tiny.coords.shape == (2, 2)


# --------------------------------------------------------------------------------------------------- trends


def table(assigned: list[list[bool]], theme_ids: tuple[str, ...] = ("rl", "gen")) -> ThemeTable:
    flags = np.array(assigned, dtype=bool)
    return ThemeTable(
        themes=tuple(ThemeDefinition(id=t, label=t) for t in theme_ids),
        doc_ids=tuple(f"p{i}" for i in range(len(assigned))),
        scores=flags.astype(float),
        assigned=flags,
        evidence=tuple(tuple(() for _ in theme_ids) for _ in assigned),
    )


def theme_trends(periods: list[str], themes: ThemeTable):  # noqa: ANN201
    return build_trends(TrendInputs(tuple(periods)), themes, None, TrendsConfig(), [].append)


def test_theme_trends_counts_and_shares() -> None:
    periods = ["2025", "2023-24", "2025", "2025", "2023-24"]
    assigned = [[True, True], [True, False], [False, False], [True, False], [False, True]]
    trends = theme_trends(periods, table(assigned))
    assert trends.periods == ("2023-24", "2025")
    expected = pd.DataFrame(
        [
            ("2023-24", "rl", 2, 1, 0.5),
            ("2023-24", "gen", 2, 1, 0.5),
            ("2023-24", UNASSIGNED, 2, 0, 0.0),
            ("2025", "rl", 3, 2, round(2 / 3, 6)),
            ("2025", "gen", 3, 1, round(1 / 3, 6)),
            ("2025", UNASSIGNED, 3, 1, round(1 / 3, 6)),
        ],
        columns=["period", "theme", "papers", "count", "share"],
    )
    pd.testing.assert_frame_equal(trends.frame[list(expected.columns)], expected, check_dtype=False)
    # Wilson 95% interval of 1 of 2 papers, closed form: 0.5 -+ z*sqrt(1/8 + z^2/16) / (1 + z^2/2)
    first = trends.frame.iloc[0]
    assert (first["share_low"], first["share_high"]) == pytest.approx((0.094531, 0.905469), abs=1e-6)


def test_theme_trends_over_years() -> None:
    periods = ["2021", "2019", "2020", "2019"]
    trends = theme_trends(periods, table([[True, False], [False, False], [False, True], [True, True]]))
    assert trends.periods == ("2019", "2020", "2021")
    share = trends.frame.set_index(["period", "theme"])["share"]
    assert share[("2019", "rl")] == 0.5 and share[("2019", UNASSIGNED)] == 0.5
    assert share[("2020", "gen")] == 1.0 and share[("2021", "rl")] == 1.0


@pytest.mark.parametrize(
    ("earlier", "later"),
    [("2023-24", "2025"), ("2025", "2025b"), ("1999", "2000"), ("2023-24", "2024"), ("2024", "2024-25"),
     ("9", "10"), ("2025", "snapshot")],
)
def test_period_order(earlier: str, later: str) -> None:
    assert period_sort_key(earlier) < period_sort_key(later)


def test_order_periods() -> None:
    assert order_periods(["2025b", "2025", "2023-24", "2000", "1999", "2025"]) == (
        "1999", "2000", "2023-24", "2025", "2025b",
    )
