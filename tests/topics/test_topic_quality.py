"""Topic quality: topic diversity, topic matching across fits and stability across seeds."""

from __future__ import annotations

import numpy as np
import pytest

from tests.topics.test_k_selection import planted_documents
from topics.models.clusters import TfidfClusterModel
from topics.models.lda import LdaTopicModel
from topics.models.stability import (
    StabilityResult,
    js_similarity,
    kmeans_stability,
    lda_stability,
    match_topics,
    topic_stability,
)
from topics.models.vocabulary import Vocabulary, build_vocabulary
from topics.quality.coherence import npmi_coherence
from topics.quality.topic_quality import TopicQuality, topic_diversity, topic_quality

# --- diversity ---------------------------------------------------------------------------------------------


def test_diversity_hand_computed() -> None:
    group_term = np.array(
        [
            [0.5, 0.3, 0.2, 0.0, 0.0, 0.0],  # top 3: terms 0, 1, 2
            [0.0, 0.0, 0.1, 0.6, 0.3, 0.0],  # top 3: terms 3, 4, 2
        ]
    )
    overall, per_topic = topic_diversity(group_term, top_n=3)
    assert overall == pytest.approx(5 / 6)  # 5 distinct terms among 2 x 3
    assert per_topic == pytest.approx((2 / 3, 2 / 3))  # term 2 is shared


def test_diversity_three_topics_uneven_overlap() -> None:
    group_term = np.array(
        [
            [0.5, 0.3, 0.2, 0.0, 0.0, 0.0],  # 0, 1, 2
            [0.0, 0.0, 0.1, 0.6, 0.3, 0.0],  # 3, 4, 2
            [0.0, 0.0, 0.0, 0.0, 0.0, 1.0],  # 5 only: zero weights are never top terms
        ]
    )
    overall, per_topic = topic_diversity(group_term, top_n=3)
    assert overall == pytest.approx(6 / 7)  # 6 distinct among the 7 terms kept
    assert per_topic == pytest.approx((2 / 3, 2 / 3, 1.0))


def test_diversity_ties_go_to_the_lower_term_index() -> None:
    overall, per_topic = topic_diversity(np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]]), top_n=2)
    assert (overall, per_topic) == (1.0, (1.0, 1.0))  # topic 0 takes terms 0 and 1, not 2 or 3


def test_diversity_identical_topics_and_edge_cases() -> None:
    same = np.tile(np.arange(30, 0, -1, dtype=float), (4, 1))
    assert topic_diversity(same) == (0.25, (0.0, 0.0, 0.0, 0.0))  # 25 distinct among 4 x 25
    assert topic_diversity(same[:1]) == (1.0, (1.0,))
    assert topic_diversity(np.zeros((0, 5))) == (0.0, ())


def test_topic_quality_combines_npmi_and_diversity() -> None:
    documents = planted_documents(n_topics=3, n_docs=60, doc_length=30)
    vocabulary = build_vocabulary(documents, min_df=1, max_df=1.0)
    terms = vocabulary.terms
    rows = np.array([[1.0 if term.startswith(f"t{t}w") else 0.0 for term in terms] for t in range(3)])
    quality = topic_quality(rows, terms, documents, vocabulary.dictionary)
    assert isinstance(quality, TopicQuality)
    assert (quality.diversity, quality.topic_diversity) == (1.0, (1.0, 1.0, 1.0))
    tops = [[term for term in terms if term.startswith(f"t{t}w")][:10] for t in range(3)]
    assert (quality.coherence, quality.topic_coherence) == npmi_coherence(tops, documents, vocabulary.dictionary)
    assert quality.coherence > 0.2


# --- matching ----------------------------------------------------------------------------------------------


def _distributions(k: int, n_terms: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.full(n_terms, 0.1), size=k)


def test_match_topics_finds_a_permuted_copy() -> None:
    reference = _distributions(6, 40)
    permutation = np.array([3, 5, 0, 1, 4, 2])
    other = reference[permutation] * 7.0  # rows need not be normalised
    index, similarity = match_topics(reference, other)
    assert index.tolist() == np.argsort(permutation).tolist()  # other[index[i]] is reference[i]
    np.testing.assert_allclose(similarity, 1.0, atol=1e-6)


def test_match_topics_with_fewer_topics_in_the_other_fit() -> None:
    reference = _distributions(4, 30)
    index, similarity = match_topics(reference, reference[[3, 1]])
    assert index.tolist() == [-1, 1, -1, 0]
    assert similarity[[0, 2]].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(similarity[[1, 3]], 1.0, atol=1e-6)


def test_match_topics_with_more_topics_in_the_other_fit() -> None:
    reference = _distributions(2, 30)
    other = np.vstack([_distributions(3, 30, seed=1), reference[::-1]])
    index, similarity = match_topics(reference, other)
    assert index.tolist() == [4, 3]
    np.testing.assert_allclose(similarity, 1.0, atol=1e-6)


def test_similarity_is_one_minus_jensen_shannon_distance_base_2() -> None:
    similarity = js_similarity(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]))
    # JS divergence of (1, 0) and (0.5, 0.5): 0.5 * KL((1,0) || (.75,.25)) + 0.5 * KL((.5,.5) || (.75,.25))
    divergence = 0.5 * np.log2(1 / 0.75) + 0.5 * (0.5 * np.log2(0.5 / 0.75) + 0.5 * np.log2(0.5 / 0.25))
    np.testing.assert_allclose(similarity, [[0.0, 1.0, 1.0 - np.sqrt(divergence)]], atol=1e-12)
    # an all-zero row counts as uniform
    np.testing.assert_allclose(js_similarity(np.array([[0.0, 0.0]]), np.array([[0.5, 0.5]])), [[1.0]], atol=1e-12)


# --- stability ---------------------------------------------------------------------------------------------


def test_stability_of_exact_refits_is_one() -> None:
    reference = _distributions(5, 50)
    mean, per_topic = topic_stability(reference, [reference[::-1], reference[[1, 0, 2, 4, 3]]])
    assert mean == pytest.approx(1.0, abs=1e-6)
    assert per_topic == pytest.approx((1.0,) * 5, abs=1e-6)


def test_stability_drops_with_a_noisy_refit() -> None:
    reference = _distributions(5, 50)
    rng = np.random.default_rng(1)
    noisy = reference + rng.uniform(0.0, 0.05, size=reference.shape)
    clean_mean, _ = topic_stability(reference, [reference])
    noisy_mean, noisy_topics = topic_stability(reference, [reference, noisy])
    assert noisy_mean < clean_mean - 0.05
    assert all(0.5 < v < 1.0 for v in noisy_topics)


def test_stability_needs_a_refit() -> None:
    with pytest.raises(ValueError):
        topic_stability(_distributions(3, 10), [])


@pytest.fixture(scope="module")
def three_topics() -> tuple[list[list[str]], Vocabulary]:
    documents = planted_documents(n_topics=3, n_docs=90, doc_length=40, single_share=0.9, seed=1)
    return documents, build_vocabulary(documents, min_df=1, max_df=1.0)


def test_lda_stability_of_well_separated_topics_is_near_one(three_topics: tuple[list[list[str]], Vocabulary]) -> None:
    """With these seeds every fit finds the three planted topics (variational LDA can stop in a local optimum
    with others, which is what stability is there to show)."""
    _, vocabulary = three_topics

    def make(seed: int) -> LdaTopicModel:
        return LdaTopicModel(num_topics=3, passes=10, chunksize=20, random_state=seed)

    reference = make(0).fit(vocabulary)
    result = lda_stability(vocabulary, reference.topic_term_, make, seeds=(1, 2))
    assert isinstance(result, StabilityResult)
    assert result.seeds == (1, 2)
    assert len(result.per_topic) == 3
    assert result.mean > 0.95 and min(result.per_topic) > 0.9
    assert result.mean == pytest.approx(np.mean(result.per_topic))


def test_kmeans_stability_refits_on_the_fitted_tfidf(three_topics: tuple[list[list[str]], Vocabulary]) -> None:
    documents, vocabulary = three_topics
    model = TfidfClusterModel(num_clusters=3, n_init=2, random_state=0).fit(vocabulary)
    tfidf = model.tfidf_
    result = kmeans_stability(model, seeds=(1, 2, 3))
    assert model.tfidf_ is tfidf
    assert result.seeds == (1, 2, 3) and len(result.per_topic) == 3
    assert result.mean > 0.9


def test_kmeans_stability_needs_a_fitted_model() -> None:
    with pytest.raises(RuntimeError):
        kmeans_stability(TfidfClusterModel(num_clusters=3), seeds=(1,))
