"""Stable topic ids: reading a previous topics.json and aligning a new fit's topics to it.

The refits are real: gensim LDA (through :class:`LdaTopicModel`) on a small synthetic corpus with well separated
planted topics, so a refit with another ``random_state`` numbers the same topics differently. The fixture
``tests/data/topics/alignment/previous_topics.json`` is such a fit written by ``topics.pipeline.outputs.topics_document``;
regenerate it with ``.venv/bin/python -m tests.topics.test_topic_alignment``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from preprocessing.errors import UserError
from topics.models.alignment import (
    DEFAULT_MIN_SIMILARITY,
    PreviousTopics,
    align_topics,
    identity_alignment,
    jaccard_similarity,
    load_previous_topics,
)
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import Vocabulary, build_vocabulary
from topics.pipeline.outputs import _json, topics_document
from topics.results import ThemeDefinition, ThemeTable, TopicAlignment, TopicResult
from topics.themes.topic_labels import theme_name_words, topic_labels

ALIGNMENT_DATA = Path(__file__).resolve().parents[1] / "data" / "topics" / "alignment"
PREVIOUS = ALIGNMENT_DATA / "previous_topics.json"
FIX = "point align_to at a previous run's topics.json"

#: Planted topics: each synthetic paper draws its words from one of them, plus a few words shared by all.
PLANTED: dict[str, tuple[str, ...]] = {
    "rl": ("policy", "reward", "agent", "reinforcement_learning", "policy_gradient", "actor_critic", "environment",
           "action", "value_function", "exploration", "q_value", "trajectory"),
    "vision": ("image", "object_detection", "segmentation", "pixel", "convolutional", "scene", "video", "visual",
               "camera", "detector", "bounding_box", "image_classification"),
    "nlp": ("language_model", "token", "text", "translation", "sentence", "word", "transformer", "corpus", "parsing",
            "question_answering", "summarization", "vocabulary"),
    "graphs": ("graph", "node", "edge", "graph_neural_network", "message_passing", "neighbor", "molecule",
               "link_prediction", "subgraph", "adjacency", "spectral", "community"),
    "theory": ("bound", "regret", "convergence", "sample_complexity", "theorem", "lemma", "generalization", "minimax",
               "rate", "estimator", "risk", "proof"),
}
SHARED = ("model", "learning", "data", "training", "dataset", "network")
FOUR = ("rl", "vision", "nlp", "graphs")
THEMES = (
    ThemeDefinition("reinforcement-learning", "Reinforcement learning"),
    ThemeDefinition("computer-vision", "Computer vision"),
    ThemeDefinition("natural-language-processing", "Natural language processing"),
    ThemeDefinition("graph-learning", "Graph learning"),
)
SHORTS = ("RL", "CV", "NLP", "Graphs")

#: A fitted model, its vocabulary and the documents it was fitted on.
Fit = tuple[LdaTopicModel, Vocabulary, list[list[str]]]


def planted_corpus(names: Sequence[str], seed: int = 0, per_topic: int = 30, length: int = 30) -> list[list[str]]:
    """``per_topic`` papers of ``length`` tokens per planted topic; within a topic, term i has weight 1/sqrt(i+1)."""
    rng = np.random.default_rng(seed)
    documents = []
    for name in names:
        words = PLANTED[name]
        p = 1.0 / np.sqrt(np.arange(1, len(words) + 1))
        for _ in range(per_topic):
            tokens = rng.choice(words, size=length - 5, p=p / p.sum()).tolist() + rng.choice(SHARED, size=5).tolist()
            documents.append([str(t) for t in tokens])
    return documents


def fit_lda(documents: list[list[str]], num_topics: int, random_state: int) -> tuple[LdaTopicModel, Vocabulary]:
    vocabulary = build_vocabulary(documents, min_df=1, max_df=1.0)
    model = LdaTopicModel(num_topics=num_topics, passes=10, alpha="auto", random_state=random_state).fit(vocabulary)
    return model, vocabulary


def planted_name(weights: dict[str, float] | np.ndarray, terms: Sequence[str] = ()) -> str:
    """The planted topic holding most of a topic's top 10 terms (asserting it is a clean recovery)."""
    if isinstance(weights, dict):
        top = list(weights)[:10]
    else:
        top = [terms[j] for j in np.argsort(-weights, kind="stable")[:10]]
    name = max(PLANTED, key=lambda n: sum(t in PLANTED[n] for t in top))
    assert sum(t in PLANTED[name] for t in top) >= 8, f"LDA did not recover a planted topic: {top}"
    return name


def topic_theme_scores(topic_term: np.ndarray, terms: Sequence[str]) -> np.ndarray:
    """Shape ``(n_topics, 4)``: each topic's probability mass on each theme's planted words."""
    columns = [np.isin(np.asarray(terms), PLANTED[name]) for name in FOUR]
    return np.column_stack([topic_term[:, mask].sum(axis=1) for mask in columns])


def labelled(result: TopicResult, scores: np.ndarray) -> TopicResult:
    words = [theme_name_words(t.label, s) for t, s in zip(THEMES, SHORTS)]
    labels = topic_labels([[t for t, _ in topic] for topic in result.topic_terms], scores, SHORTS, words)
    return dataclasses.replace(result, labels=labels)


def previous_document() -> dict[str, Any]:
    """topics.json of a run on the four planted topics (LDA random_state=1, KMeans random_state=1)."""
    from topics.models.clusters import TfidfClusterModel
    from topics.quality.agreement import compare_partitions  # scikit-learn: only needed to regenerate the fixture

    documents = planted_corpus(FOUR, seed=0)
    ids = tuple(f"p{i}" for i in range(len(documents)))
    model, vocabulary = fit_lda(documents, 4, random_state=1)
    lda_theme = topic_theme_scores(model.topic_term_, vocabulary.terms)
    lda = labelled(model.result(vocabulary, documents, ids), lda_theme)
    clusters_model = TfidfClusterModel(num_clusters=4, n_init=2, random_state=1).fit(vocabulary)
    cluster_weights = clusters_model.centroids_ / clusters_model.centroids_.sum(axis=1, keepdims=True)
    cluster_theme = topic_theme_scores(cluster_weights, clusters_model.terms_)
    clusters = labelled(clusters_model.result(vocabulary, documents, ids), cluster_theme)
    themes = ThemeTable(
        themes=THEMES, doc_ids=ids, scores=np.zeros((len(ids), 4)), assigned=np.zeros((len(ids), 4), dtype=bool),
        evidence=tuple(((),) * 4 for _ in ids), topic_theme=lda_theme, cluster_theme=cluster_theme,
    )
    run = SimpleNamespace(themes=themes, lda=lda, clusters=clusters, agreement=compare_partitions(lda, clusters))
    return topics_document(run)  # type: ignore[arg-type]  # a RunResult without corpus and trends


def write_previous(tmp_path: Path, fit: Fit, ids: Sequence[int] | None = None) -> Path:
    """Write a fit as topics.json the way a run does (then renumber its ids, as an aligned run would)."""
    model, vocabulary, documents = fit
    documents_ids = tuple(f"p{i}" for i in range(len(documents)))
    result = model.result(vocabulary, documents, documents_ids)
    themes = ThemeTable(
        themes=(), doc_ids=documents_ids, scores=np.zeros((len(documents_ids), 0)),
        assigned=np.zeros((len(documents_ids), 0), dtype=bool), evidence=((),) * len(documents_ids),
    )
    document = topics_document(SimpleNamespace(themes=themes, lda=result, clusters=None, agreement=None))  # type: ignore[arg-type]
    if ids is not None:
        for topic, new_id in zip(document["lda"]["topics"], ids):
            topic["id"] = new_id
    path = tmp_path / "topics.json"
    path.write_text(_json(document), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def first_fit() -> Fit:
    """The fit behind the fixture: four planted topics, corpus seed 0, random_state=1."""
    documents = planted_corpus(FOUR, seed=0)
    return (*fit_lda(documents, 4, random_state=1), documents)


def alignment_by_name(alignment: TopicAlignment, model: LdaTopicModel, vocabulary: Vocabulary) -> dict[str, int]:
    return {planted_name(row, vocabulary.terms): alignment.ids[i] for i, row in enumerate(model.topic_term_)}


def previous_ids_by_name(previous: PreviousTopics) -> dict[str, int]:
    return {planted_name(terms): topic_id for topic_id, terms in zip(previous.ids, previous.terms)}


# --- the fixture and reading topics.json ------------------------------------------------------------------------


def test_fixture_is_read_as_written() -> None:
    previous = load_previous_topics(PREVIOUS)
    raw = json.loads(PREVIOUS.read_text(encoding="utf-8"))["lda"]["topics"]
    assert previous.path == PREVIOUS
    assert previous.ids == (0, 1, 2, 3)
    assert previous.labels == (
        "NLP · language model, token",
        "CV · object detection, image",
        "Graphs · graph neural network, message passing",
        "RL · policy gradient, actor critic",
    )
    assert [list(t) for t in previous.terms] == [[e["term"] for e in topic["terms"]] for topic in raw]
    assert previous.terms[3]["policy"] == raw[3]["terms"][0]["weight"]
    assert all(len(t) == 10 for t in previous.terms)


def test_fixture_clusters_block() -> None:
    previous = load_previous_topics(PREVIOUS, block="clusters")
    assert previous.ids == (0, 1, 2, 3)
    assert sorted(planted_name(t) for t in previous.terms) == sorted(FOUR)


def test_topics_json_round_trip(tmp_path: Path, first_fit: Fit) -> None:
    """Whatever topics_document writes today is read back: same ids, labels, terms and (6-decimal) weights."""
    model, vocabulary, documents = first_fit
    previous = load_previous_topics(write_previous(tmp_path, first_fit))
    result = model.result(vocabulary, documents, [str(i) for i in range(len(documents))])
    assert previous.ids == (0, 1, 2, 3)
    assert previous.labels == result.labels
    for stored, topic in zip(previous.terms, result.topic_terms):
        assert list(stored.items()) == [(t, round(w, 6)) for t, w in topic]


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "topics.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def _topic(topic_id: Any = 0, label: Any = "RL · policy gradient", terms: Any = None) -> dict[str, Any]:
    return {"id": topic_id, "label": label, "terms": terms if terms is not None else [{"term": "policy", "weight": 0.2}]}


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "topics.json"
    with pytest.raises(UserError) as error:
        load_previous_topics(path)
    assert str(error.value) == f"{path}: file not found; {FIX}"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(UserError) as error:
        load_previous_topics(tmp_path)
    assert str(error.value) == f"{tmp_path}: is a folder, not a file; {FIX}"


def test_truncated_file_names_the_line(tmp_path: Path) -> None:
    truncated = "\n".join(PREVIOUS.read_text(encoding="utf-8").splitlines()[:30])  # ends in '"terms": ['
    path = _write(tmp_path, truncated)
    with pytest.raises(UserError) as error:
        load_previous_topics(path)
    assert str(error.value) == f"{path}:30: not valid JSON (Expecting value, column 19); {FIX}"


def test_invalid_json_exact_message(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "lda": {\n    "topics": [,]\n  }\n}\n')
    with pytest.raises(UserError) as error:
        load_previous_topics(path)
    assert str(error.value) == f"{path}:3: not valid JSON (Expecting value, column 16); {FIX}"


@pytest.mark.parametrize("data", [{"themes": []}, [], {"papers": 3}])
def test_not_a_topics_json(tmp_path: Path, data: Any) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(UserError) as error:
        load_previous_topics(path)
    assert str(error.value) == f"{path}: not a topics.json written by `topics run` (no 'lda' block); {FIX}"


def test_block_the_previous_run_did_not_fit(tmp_path: Path) -> None:
    path = _write(tmp_path, {"lda": {"backend": "lda", "metrics": {}, "topics": [_topic()]}})
    with pytest.raises(UserError) as error:
        load_previous_topics(path, block="clusters")
    assert str(error.value) == (
        f"{path}: has no 'clusters' block, only 'lda' (that run did not fit clusters); "
        "point align_to at a run that did, or run without align_to"
    )


@pytest.mark.parametrize(
    ("block", "where_problem"),
    [
        ({"topics": []}, "lda -> topics: expected a non-empty list of topics, got []"),
        ([], "lda -> topics: expected a non-empty list of topics, got None"),
        ({"topics": ["policy"]}, "lda -> topics -> 0: expected a topic object, got 'policy'"),
        ({"topics": [_topic("0")]}, "lda -> topics -> 0 -> id: expected an integer >= 0, got '0'"),
        ({"topics": [_topic(True)]}, "lda -> topics -> 0 -> id: expected an integer >= 0, got True"),
        ({"topics": [_topic(label=None)]}, "lda -> topics -> 0 -> label: expected text, got None"),
        (
            {"topics": [_topic(terms=[])]},
            'lda -> topics -> 0 -> terms: expected a non-empty list of {"term", "weight"} entries, got []',
        ),
        (
            {"topics": [_topic(terms=["policy"])]},
            "lda -> topics -> 0 -> terms -> 0: expected {\"term\": text, \"weight\": number}, got 'policy'",
        ),
        (
            {"topics": [_topic(terms=[{"term": "policy", "weight": -0.1}])]},
            "lda -> topics -> 0 -> terms -> 0 -> weight: expected a number >= 0, got -0.1",
        ),
        (
            {"topics": [_topic(terms=[{"term": "policy", "weight": 0.2}, {"term": "policy", "weight": 0.1}])]},
            "lda -> topics -> 0 -> terms -> 1 -> term: term 'policy' appears twice in the topic",
        ),
    ],
)
def test_malformed_topics(tmp_path: Path, block: Any, where_problem: str) -> None:
    path = _write(tmp_path, {"lda": block})
    with pytest.raises(UserError) as error:
        load_previous_topics(path)
    assert str(error.value) == f"{path}: {where_problem}; {FIX} (an unedited one)"


def test_duplicate_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, {"lda": {"topics": [_topic(0), _topic(3), _topic(3)]}})
    with pytest.raises(UserError) as error:
        load_previous_topics(path)
    assert str(error.value) == (
        f"{path}: lda -> topics -> 2 -> id: topic id 3 appears twice (also at lda -> topics -> 1); "
        f"ids must be unique; {FIX} (an unedited one)"
    )


# --- similarity -------------------------------------------------------------------------------------------------


def _previous(*topics: dict[str, float], ids: Sequence[int] | None = None) -> PreviousTopics:
    ids = tuple(ids) if ids is not None else tuple(range(len(topics)))
    return PreviousTopics(Path("topics.json"), ids, tuple(f"topic {i}" for i in ids), tuple(topics))


def test_similarity_is_weighted_jaccard_of_top_terms() -> None:
    previous = _previous({"policy": 0.3, "reward": 0.1}, {"image": 0.5, "pixel": 0.5})
    terms = ["policy", "reward", "agent", "image"]
    # new topic 0 cut to its top 2 terms: policy 0.4, agent 0.2 -> {policy: 2/3, agent: 1/3}; previous
    # {policy: 3/4, reward: 1/4}; shared mass min(2/3, 3/4) = 2/3, so J = (2/3) / (2 - 2/3) = 1/2.
    topic_term = np.array([[0.4, 0.1, 0.2, 0.0], [0.0, 0.0, 0.1, 0.9]])
    similarity = jaccard_similarity(previous, topic_term, terms)
    assert similarity.shape == (2, 2)
    assert similarity[0, 0] == pytest.approx(0.5)
    assert similarity[0, 1] == 0.0
    # new topic 1: {image: 0.9, agent: 0.1} vs {image: 0.5, pixel: 0.5}: shared 0.5 -> 0.5 / 1.5
    assert similarity[1, 1] == pytest.approx(1 / 3)


def test_similarity_checks_shapes() -> None:
    with pytest.raises(ValueError, match=r"topic_term must have shape \(n_topics, 3\), got \(2, 2\)"):
        jaccard_similarity(_previous({"a": 1.0}), np.ones((2, 2)), ["a", "b", "c"])


# --- alignment --------------------------------------------------------------------------------------------------


def test_identity_alignment() -> None:
    alignment = identity_alignment(3)
    assert alignment == TopicAlignment(
        ids=(0, 1, 2), matched_previous=(None, None, None), similarity=(0.0, 0.0, 0.0),
        kept_labels=(None, None, None), born=(), gone=(), threshold=DEFAULT_MIN_SIMILARITY, previous=None,
    )
    assert not alignment.aligned
    assert alignment.n_topics == 3


def test_permuted_topics_map_back_to_their_ids(tmp_path: Path, first_fit: Fit) -> None:
    model, vocabulary, _ = first_fit
    previous = load_previous_topics(write_previous(tmp_path, first_fit, ids=[4, 9, 2, 7]))
    permutation = [2, 0, 3, 1]
    alignment = align_topics(previous, model.topic_term_[permutation], vocabulary.terms)
    assert alignment.ids == (2, 4, 7, 9)
    assert alignment.matched_previous == alignment.ids
    assert alignment.similarity == pytest.approx((1.0,) * 4, abs=1e-4)
    assert alignment.kept_labels == tuple(previous.labels[i] for i in permutation)
    assert (alignment.born, alignment.gone) == ((), ())
    assert alignment.aligned and alignment.previous == previous.path


def test_refit_with_another_random_state_keeps_every_id() -> None:
    previous = load_previous_topics(PREVIOUS)
    model, vocabulary = fit_lda(planted_corpus(FOUR, seed=0), 4, random_state=2)
    alignment = align_topics(previous, model.topic_term_, vocabulary.terms)
    expected = previous_ids_by_name(previous)
    assert alignment_by_name(alignment, model, vocabulary) == expected
    assert alignment.ids != (0, 1, 2, 3), "the refit should number its topics differently"
    assert min(alignment.similarity) > 0.6
    assert (alignment.born, alignment.gone) == ((), ())
    assert set(alignment.kept_labels) == set(previous.labels)


def test_new_topic_is_born_with_a_fresh_id() -> None:
    previous = load_previous_topics(PREVIOUS)
    model, vocabulary = fit_lda(planted_corpus((*FOUR, "theory"), seed=2), 5, random_state=2)
    alignment = align_topics(previous, model.topic_term_, vocabulary.terms)
    assert alignment_by_name(alignment, model, vocabulary) == {**previous_ids_by_name(previous), "theory": 4}
    assert alignment.born == (4,)
    assert alignment.gone == ()
    theory = alignment.ids.index(4)
    assert (alignment.matched_previous[theory], alignment.kept_labels[theory]) == (None, None)
    assert alignment.similarity[theory] == 0.0


def test_removed_topic_is_gone() -> None:
    previous = load_previous_topics(PREVIOUS)
    model, vocabulary = fit_lda(planted_corpus(("rl", "vision", "nlp"), seed=2), 3, random_state=2)
    alignment = align_topics(previous, model.topic_term_, vocabulary.terms)
    by_name = previous_ids_by_name(previous)
    assert alignment_by_name(alignment, model, vocabulary) == {n: by_name[n] for n in ("rl", "vision", "nlp")}
    assert alignment.born == ()
    assert alignment.gone == ((by_name["graphs"], "Graphs · graph neural network, message passing"),)


def test_gone_id_is_not_reused(tmp_path: Path, first_fit: Fit) -> None:
    """Graphs (the highest id) goes and theory comes: theory gets max + 1, never the id that went."""
    model, vocabulary, _ = first_fit
    names = [planted_name(row, vocabulary.terms) for row in model.topic_term_]
    ids = [9 if name == "graphs" else i for i, name in enumerate(names)]
    previous = load_previous_topics(write_previous(tmp_path, first_fit, ids=ids))
    new_model, new_vocabulary = fit_lda(planted_corpus(("rl", "vision", "nlp", "theory"), seed=2), 4, random_state=2)
    alignment = align_topics(previous, new_model.topic_term_, new_vocabulary.terms)
    assert alignment_by_name(alignment, new_model, new_vocabulary) == {
        **{n: i for n, i in zip(names, ids) if n != "graphs"}, "theory": 10,
    }
    assert alignment.born == (10,)
    assert alignment.gone == ((9, previous.labels[ids.index(9)]),)


def test_min_similarity_leaves_weak_pairs_unmatched() -> None:
    previous = _previous({"policy": 0.3, "reward": 0.1}, {"image": 0.5, "pixel": 0.5}, ids=(3, 5))
    terms = ["policy", "reward", "agent", "image"]
    topic_term = np.array([[0.4, 0.1, 0.2, 0.0], [0.0, 0.0, 0.1, 0.9]])  # similarities 1/2 and 1/3 (see above)
    loose = align_topics(previous, topic_term, terms, min_similarity=0.3)
    strict = align_topics(previous, topic_term, terms, min_similarity=0.4)
    assert (loose.ids, loose.born, loose.gone) == ((3, 5), (), ())
    assert (strict.ids, strict.born, strict.gone) == ((3, 6), (6,), ((5, "topic 5"),))
    assert strict.similarity == pytest.approx((0.5, 0.0))
    assert strict.threshold == 0.4


def test_sub_threshold_pairs_do_not_steal_a_match() -> None:
    """Only similarities >= min_similarity count in the assignment, so a weak pair cannot push out a good one.

    New topic A is 0.333 like previous X and 0.25 like Y; new B is 0.316 like X. Plain Hungarian on the raw
    similarities would pick A-Y + B-X (0.566 > 0.333), leaving A, the best match of X, without its id.
    """
    previous = _previous({"a": 0.5, "b": 0.5}, {"c": 0.5, "d": 0.5})
    terms = ["a", "b", "c", "d", "e"]
    topic_term = np.array([[0.6, 0.0, 0.4, 0.0, 0.0], [0.0, 0.48, 0.0, 0.0, 0.52]])
    similarity = jaccard_similarity(previous, topic_term, terms)
    assert similarity == pytest.approx(np.array([[1 / 3, 0.25], [0.48 / 1.52, 0.0]]))
    alignment = align_topics(previous, topic_term, terms, min_similarity=0.3)
    assert alignment.matched_previous == (0, None)
    assert (alignment.ids, alignment.born, alignment.gone) == ((0, 2), (2,), ((1, "topic 1"),))


def test_alignment_is_deterministic(first_fit: Fit) -> None:
    model, vocabulary, _ = first_fit
    previous = load_previous_topics(PREVIOUS)
    assert align_topics(previous, model.topic_term_, vocabulary.terms) == align_topics(
        previous, model.topic_term_.copy(), list(vocabulary.terms)
    )


def test_min_similarity_must_be_a_share() -> None:
    with pytest.raises(ValueError, match=r"min_similarity must be in \(0, 1\], got 0"):
        align_topics(_previous({"a": 1.0}), np.ones((1, 1)), ["a"], min_similarity=0)


if __name__ == "__main__":
    ALIGNMENT_DATA.mkdir(parents=True, exist_ok=True)
    PREVIOUS.write_text(_json(previous_document()), encoding="utf-8")
    print(f"wrote {PREVIOUS}")
