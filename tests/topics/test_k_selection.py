"""Choosing K (``num_topics: auto``): candidate ranges, the selection rule, and a sweep that finds the planted K
of a synthetic corpus."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from topics.models.k_selection import (
    STABILITY_FLOOR,
    candidate_ks,
    choose_k,
    describe_rule,
    eligible_candidates,
    select_num_topics,
    selection_score,
)
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import Vocabulary, build_vocabulary
from topics.results import KSweep

PLANTED_K = 5
WORDS_PER_TOPIC = 20
CANDIDATES = (3, 4, 5, 6, 7)
SEEDS = (0, 1, 2, 3)


def planted_documents(
    n_topics: int = PLANTED_K,
    words_per_topic: int = WORDS_PER_TOPIC,
    n_docs: int = 150,
    doc_length: int = 80,
    seed: int = 0,
    single_share: float = 0.7,
    main_weight: float = 0.75,
) -> list[list[str]]:
    """Documents over ``n_topics`` disjoint blocks of ``words_per_topic`` words (``"t{topic}w{word}"``, word
    frequencies within a block ~ 1/sqrt(rank)). ``single_share`` of the documents draw from one topic, the others
    from two, ``main_weight`` of the words from the first."""
    rng = np.random.default_rng(seed)
    blocks = [[f"t{t}w{w}" for w in range(words_per_topic)] for t in range(n_topics)]
    word_p = 1.0 / np.arange(1, words_per_topic + 1) ** 0.5
    word_p /= word_p.sum()
    documents = []
    for _ in range(n_docs):
        first = int(rng.integers(n_topics))
        if rng.random() >= single_share:
            second = (first + 1 + int(rng.integers(n_topics - 1))) % n_topics
            mix = {first: main_weight, second: 1.0 - main_weight}
        else:
            mix = {first: 1.0}
        topics = rng.choice(list(mix), size=doc_length, p=list(mix.values()))
        documents.append([blocks[t][rng.choice(words_per_topic, p=word_p)] for t in topics])
    return documents


def make_lda(k: int, seed: int) -> LdaTopicModel:
    """LDA as the sweep tests fit it: small chunks so that 10 passes converge on 150 papers."""
    return LdaTopicModel(num_topics=k, passes=10, chunksize=25, random_state=seed)


@pytest.fixture(scope="module")
def planted() -> tuple[list[list[str]], Vocabulary]:
    documents = planted_documents()
    return documents, build_vocabulary(documents, min_df=1, max_df=1.0)


@pytest.fixture(scope="module")
def sweep_run(planted: tuple[list[list[str]], Vocabulary]) -> tuple[KSweep, LdaTopicModel, int]:
    documents, vocabulary = planted
    calls = []
    sweep, model = select_num_topics(
        vocabulary, documents, CANDIDATES, make_lda, SEEDS, progress=lambda: calls.append(1)
    )
    return sweep, model, len(calls)


# --- candidate ranges --------------------------------------------------------------------------------------


def test_candidate_ks_steps_through_the_range() -> None:
    assert candidate_ks(5, 30, 5, n_docs=1000) == (5, 10, 15, 20, 25, 30)
    assert candidate_ks(4, 9, 2, n_docs=1000) == (4, 6, 8)


def test_candidate_ks_caps_at_half_the_papers_and_at_least_two() -> None:
    assert candidate_ks(5, 30, 5, n_docs=24) == (5, 10, 12)
    assert candidate_ks(1, 3, 1, n_docs=100) == (2, 3)
    assert candidate_ks(5, 10, 1, n_docs=3) == (2,)


@pytest.mark.parametrize(("min_k", "max_k", "step"), [(5, 4, 1), (2, 8, 0)])
def test_candidate_ks_rejects_empty_ranges(min_k: int, max_k: int, step: int) -> None:
    with pytest.raises(ValueError):
        candidate_ks(min_k, max_k, step, n_docs=100)


# --- the rule on given numbers -----------------------------------------------------------------------------


def test_eligible_candidates_need_the_floor_share_of_the_best_stability() -> None:
    eligible, floor = eligible_candidates([0.5, 0.9, 0.63, 0.8], floor=0.7)
    assert floor == pytest.approx(0.63)
    assert eligible.tolist() == [False, True, True, True]
    assert STABILITY_FLOOR == 0.7


def test_selection_score_scales_coherence_over_eligible_candidates_only() -> None:
    score = selection_score([0.40, 0.10, 0.30, 0.20], [False, True, True, True])
    assert score.tolist() == pytest.approx([0.0, 0.0, 1.0, 0.5])
    assert selection_score([0.2, 0.2], [True, True]).tolist() == [1.0, 1.0]


def test_choose_k_breaks_ties_towards_the_smaller_k() -> None:
    assert choose_k((3, 4, 5), [0.2, 1.0, 1.0]) == 4
    assert choose_k((3, 4, 5), [0.2, 0.5, 1.0]) == 5


def test_rule_sentence_says_how_many_seeds_and_whether_the_floor_applied() -> None:
    assert "best of 3 seeds" in describe_rule(3) and "70%" in describe_rule(3)
    assert "not used" in describe_rule(2)
    assert "single seed" in describe_rule(1)
    assert not any(describe_rule(n).endswith(".") for n in (1, 2, 3))  # the report adds the full stop


class _Fixed:
    """Stands in for an LDA model: ``fit`` sets ``topic_term_`` to a given matrix."""

    def __init__(self, topic_term: np.ndarray, k: int, seed: int) -> None:
        self._topic_term = topic_term
        self.num_topics = k
        self.random_state = seed

    def fit(self, vocabulary: Vocabulary) -> "_Fixed":
        self.topic_term_ = self._topic_term
        return self


def _rows(vocabulary: Vocabulary, topics: Sequence[Sequence[int]]) -> np.ndarray:
    """One row per entry of ``topics``: weight on the words of the listed planted blocks, the heaviest words
    alternating between the blocks (so a two-block topic's top 10 mixes them)."""
    index = vocabulary.dictionary.token2id
    rows = np.full((len(topics), len(index)), 1e-6)
    for i, blocks in enumerate(topics):
        for rank in range(WORDS_PER_TOPIC):
            for j, block in enumerate(blocks):
                rows[i, index[f"t{block}w{rank}"]] = 1.0 - 0.04 * (rank * len(blocks) + j)
    return rows / rows.sum(axis=1, keepdims=True)


def _fixed_models(vocabulary: Vocabulary) -> dict[tuple[int, int], np.ndarray]:
    """K=2: a two-block topic and a pure one, the same for every seed (coherent enough, perfectly stable).
    K=3: three pure blocks for seed 0 (the most coherent fit of all), other blocks for the other seeds (no
    overlap, so stability 0)."""
    stable = _rows(vocabulary, [(0, 1), (2,)])
    return {
        (2, 0): stable,
        (2, 1): stable,
        (2, 2): stable,
        (3, 0): _rows(vocabulary, [(0,), (1,), (2,)]),
        (3, 1): _rows(vocabulary, [(3,), (4,), (3, 4)]),
        (3, 2): _rows(vocabulary, [(4,), (3,), (3, 4)]),
    }


@pytest.mark.parametrize(("seeds", "chosen"), [((0, 1, 2), 2), ((0, 1), 3), ((0,), 3)])
def test_the_stability_floor_vetoes_an_unstable_k_from_two_refits_on(
    planted: tuple[list[list[str]], Vocabulary], seeds: tuple[int, ...], chosen: int
) -> None:
    documents, vocabulary = planted
    table = _fixed_models(vocabulary)
    sweep, model = select_num_topics(
        vocabulary, documents, (2, 3), lambda k, seed: _Fixed(table[(k, seed)], k, seed), seeds
    )
    assert sweep.coherence[1] > sweep.coherence[0]
    assert sweep.chosen == chosen and model.num_topics == chosen and sweep.model_seed == 0
    if len(seeds) == 1:
        assert sweep.stability == () and sweep.topic_stability == ()
    else:
        assert sweep.stability == pytest.approx((1.0, 0.0), abs=0.01)
    if len(seeds) >= 3:
        assert sweep.eligible == (True, False) and sweep.stability_floor == pytest.approx(0.7)
        assert sweep.score == (1.0, 0.0)
    else:
        assert sweep.eligible == (True, True) and sweep.stability_floor == 0.0


def test_sweep_needs_candidates_and_seeds(planted: tuple[list[list[str]], Vocabulary]) -> None:
    documents, vocabulary = planted
    with pytest.raises(ValueError):
        select_num_topics(vocabulary, documents, (), make_lda, SEEDS)
    with pytest.raises(ValueError):
        select_num_topics(vocabulary, documents, (3,), make_lda, ())


# --- a real sweep ------------------------------------------------------------------------------------------


def test_auto_k_picks_the_planted_k(sweep_run: tuple[KSweep, LdaTopicModel, int]) -> None:
    sweep, model, _ = sweep_run
    assert sweep.candidates == CANDIDATES
    assert sweep.chosen == PLANTED_K
    assert model.num_topics == PLANTED_K
    assert sweep.coherence[CANDIDATES.index(PLANTED_K)] == max(sweep.coherence)


def test_chosen_model_recovers_the_planted_topics(
    sweep_run: tuple[KSweep, LdaTopicModel, int], planted: tuple[list[list[str]], Vocabulary]
) -> None:
    _, model, _ = sweep_run
    terms = planted[1].terms
    blocks = set()
    for row in model.topic_term_:
        top_blocks = {terms[j].split("w")[0] for j in np.argsort(-row, kind="stable")[:10]}
        assert len(top_blocks) == 1  # each topic's top 10 terms come from one planted topic
        blocks |= top_blocks
    assert blocks == {f"t{t}" for t in range(PLANTED_K)}


def test_sweep_records_every_measure_per_candidate(sweep_run: tuple[KSweep, LdaTopicModel, int]) -> None:
    sweep, model, n_progress = sweep_run
    n = len(CANDIDATES)
    assert len(sweep.coherence) == len(sweep.stability) == len(sweep.diversity) == len(sweep.score) == n
    assert len(sweep.eligible) == n and sweep.eligible[CANDIDATES.index(PLANTED_K)]
    assert all(-1.0 <= v <= 1.0 for v in sweep.coherence)
    assert all(0.0 <= v <= 1.0 for v in (*sweep.stability, *sweep.diversity, *sweep.score))
    assert sweep.score[CANDIDATES.index(sweep.chosen)] == 1.0
    assert sweep.seeds == SEEDS and sweep.model_seed in SEEDS and model.random_state == sweep.model_seed
    assert len(sweep.topic_stability) == PLANTED_K
    assert sweep.stability[CANDIDATES.index(PLANTED_K)] > 0.9  # the planted topics come back with other seeds
    assert sweep.diversity[CANDIDATES.index(PLANTED_K)] == pytest.approx(WORDS_PER_TOPIC / 25)  # 20 own + 5 shared
    assert sweep.rule == describe_rule(len(SEEDS))
    assert n_progress == len(CANDIDATES) * len(SEEDS)


def test_sweep_is_reproducible(
    sweep_run: tuple[KSweep, LdaTopicModel, int], planted: tuple[list[list[str]], Vocabulary]
) -> None:
    """Each K is measured on its own: refitting K=5 alone with the same seeds gives the same numbers and model."""
    sweep, model, _ = sweep_run
    documents, vocabulary = planted
    again, model_again = select_num_topics(vocabulary, documents, (PLANTED_K,), make_lda, SEEDS)
    at = CANDIDATES.index(PLANTED_K)
    assert again.coherence[0] == sweep.coherence[at]
    assert again.stability[0] == sweep.stability[at]
    assert again.diversity[0] == sweep.diversity[at]
    assert (again.model_seed, again.topic_stability) == (sweep.model_seed, sweep.topic_stability)
    np.testing.assert_array_equal(model_again.topic_term_, model.topic_term_)
