"""Theme labelling: the term lexicon and its scanner, paper evidence, topic/cluster theme scores, the decision
rule, theme files, and the shipped configs/themes/ml.yaml."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from preprocessing.nlp import Tokenizer, TokenizerSettings, build_stop_words
from tests.topics.helpers import THEMES_FILE
from topics.config import DEFAULT_DOMAIN_STOP_WORDS, ConfigError
from topics.results import UNASSIGNED, ThemeDefinition
from topics.theme_definitions import load_theme_definitions
from topics.theme_lexicon import RELATED_WEIGHT, SEED_WEIGHT, build_lexicon
from topics.themes import (
    ThemeWeights,
    assign_themes,
    group_theme_scores,
    paper_evidence,
    term_theme_weights,
)


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    """The corpus tokenizer with the default settings (spaCy blank + lookup lemmas, default stop words)."""
    return Tokenizer(TokenizerSettings(stop_words=build_stop_words(DEFAULT_DOMAIN_STOP_WORDS, ())))


def segments(tokenizer: Tokenizer, text: str) -> list[list[str]]:
    return next(tokenizer.pipe([text]))


def theme(id_: str, seeds: tuple[str, ...] = (), related: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> ThemeDefinition:
    return ThemeDefinition(id=id_, label=id_.title(), seeds=seeds, related=related, exclude=exclude)


# ------------------------------------------------------------------------------------------------ lexicon


def test_inflected_words_match_their_seed(tokenizer: Tokenizer) -> None:
    lexicon, _ = build_lexicon([theme("rl", seeds=("policy",))], tokenizer.tokenize_phrase)
    found = lexicon.scan(segments(tokenizer, "Learning stochastic policies"))
    assert found == [(("policy",), {0: SEED_WEIGHT})]
    # and the other way round: a plural seed matches the singular
    lexicon, _ = build_lexicon([theme("neuro", seeds=("neurons",))], tokenizer.tokenize_phrase)
    assert lexicon.scan(segments(tokenizer, "a single neuron")) == [(("neuron",), {0: SEED_WEIGHT})]


def test_phrase_tokens_match_multi_word_seeds(tokenizer: Tokenizer) -> None:
    lexicon, _ = build_lexicon([theme("rl", seeds=("reinforcement learning",))], tokenizer.tokenize_phrase)
    assert lexicon.entries == {("reinforcement", "learning"): {0: SEED_WEIGHT}}
    found = lexicon.scan([["offline", "reinforcement_learning", "agent"]])
    assert found == [(("reinforcement", "learning"), {0: SEED_WEIGHT})]
    assert lexicon.names[("reinforcement", "learning")] == "reinforcement learning"


def test_longest_match_wins_and_consumes_its_tokens(tokenizer: Tokenizer) -> None:
    themes = [
        theme("rl", seeds=("reinforcement learning",)),
        theme("deep-rl", seeds=("deep reinforcement learning",)),
        theme("ml", seeds=("learning",)),
    ]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    assert lexicon.max_len == 3
    text = segments(tokenizer, "Deep reinforcement learning and reinforcement learning, then learning")
    assert lexicon.scan(text) == [
        (("deep", "reinforcement", "learning"), {1: SEED_WEIGHT}),
        (("reinforcement", "learning"), {0: SEED_WEIGHT}),
        (("learning",), {2: SEED_WEIGHT}),
    ]


def test_matches_do_not_cross_segments(tokenizer: Tokenizer) -> None:
    lexicon, _ = build_lexicon([theme("rl", seeds=("reinforcement learning",))], tokenizer.tokenize_phrase)
    assert lexicon.scan([["reinforcement"], ["learning"]]) == []


def test_exclude_terms_mask_their_tokens_for_their_theme(tokenizer: Tokenizer) -> None:
    themes = [theme("neuro", seeds=("neural", "neuron"), exclude=("neural network",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    texts = [
        segments(tokenizer, "Deep neural networks for vision"),
        segments(tokenizer, "Neural coding of single neurons"),
    ]
    scores, evidence = paper_evidence(lexicon, texts, [[], []])
    assert scores[0, 0] == 0.0 and evidence[0] == [[]]  # "neural" inside "neural network" is not evidence
    assert scores[1, 0] > 0.0 and evidence[1] == [["neural", "neuron"]]


def test_exclude_terms_do_not_mask_other_themes(tokenizer: Tokenizer) -> None:
    themes = [
        theme("neuroscience", seeds=("neuron",), exclude=("neural network",)),
        theme("graph-learning", seeds=("graph",), related=("network structure",)),
    ]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    scores, evidence = paper_evidence(lexicon, [segments(tokenizer, "Learning the neural network structure")], [[]])
    assert scores[0, 0] == 0.0
    assert evidence[0][1] == ["network structure"]


def test_exclude_terms_of_the_shipped_themes_leave_other_themes_their_evidence(tokenizer: Tokenizer) -> None:
    """The same on the shipped themes, where graph neural networks must still count for graph-learning."""
    themes = load_theme_definitions(THEMES_FILE)
    ids = [t.id for t in themes]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    for text, expected in (
        ("Graph neural networks", "graph-learning"),
        ("Spiking neural networks", "neuroscience"),
    ):
        found = lexicon.scan(segments(tokenizer, text))
        assert [{ids[k] for k, w in hit.items() if w > 0} for _, hit in found] == [{expected}], text


def test_terms_that_collapse_to_one_generic_token_are_dropped(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("q-learning", "off-policy", "few-shot", "policy", "actor-critic", "mdp"))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    assert set(lexicon.entries) == {("policy",), ("actor", "critic"), ("mdp",)}
    assert lexicon.scan(segments(tokenizer, "deep learning with a learned shot")) == []


def test_terms_that_tokenise_to_nothing_are_dropped(tokenizer: Tokenizer) -> None:
    lexicon, _ = build_lexicon([theme("x", seeds=("the", "42", "graph"))], tokenizer.tokenize_phrase)
    assert set(lexicon.entries) == {("graph",)}


def test_seed_weight_beats_related_weight_and_themes_share_terms(tokenizer: Tokenizer) -> None:
    themes = [
        theme("rl", seeds=("policy",), related=("policy", "agent")),
        theme("planning", related=("agent",), seeds=("planner",)),
    ]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    assert lexicon.entries[("policy",)] == {0: SEED_WEIGHT}
    assert lexicon.entries[("agent",)] == {0: RELATED_WEIGHT, 1: RELATED_WEIGHT}
    assert SEED_WEIGHT > RELATED_WEIGHT > 0.0


def test_term_theme_weights_of_vocabulary_terms(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("reinforcement learning",), related=("agent",)), theme("graph", seeds=("graph",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    weights = term_theme_weights(lexicon, ["reinforcement_learning", "agent", "graph", "image", "learning"])
    np.testing.assert_array_equal(
        weights, [[SEED_WEIGHT, 0.0], [RELATED_WEIGHT, 0.0], [0.0, SEED_WEIGHT], [0.0, 0.0], [0.0, 0.0]]
    )


# --------------------------------------------------------------------------------------- paper evidence


def test_paper_evidence_scores(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("reward",), related=("agent",)), theme("gen", seeds=("diffusion",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    texts = [
        [["reward"]],  # one seed in the abstract
        [["reward"], ["reward"]],  # twice
        [["reward"]],  # once, and in the title
        [["agent"]],  # a related term
        [["image"]],  # nothing
    ]
    titles = [[], [], [["reward"]], [], []]
    scores, evidence = paper_evidence(lexicon, texts, titles)
    expected_rl = [
        1 - math.exp(-1.0 / 2.0),
        1 - math.exp(-(1.0 + math.log(2)) / 2.0),
        1 - math.exp(-2.0 / 2.0),
        1 - math.exp(-RELATED_WEIGHT / 2.0),
        0.0,
    ]
    np.testing.assert_allclose(scores[:, 0], expected_rl, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(scores[:, 1], np.zeros(5))
    assert [e[0] for e in evidence] == [["reward"], ["reward"], ["reward"], ["agent"], []]
    assert all(0.0 <= s < 1.0 for s in scores.ravel())


def test_paper_evidence_terms_strongest_first(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("reward", "policy gradient"), related=("agent",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    text = segments(tokenizer, "An agent maximises reward with policy gradients; policy gradient methods, reward")
    _, evidence = paper_evidence(lexicon, [text], [[]])
    assert evidence[0][0] == ["policy gradient", "reward", "agent"]


# -------------------------------------------------------------------------------- topic and cluster themes


def test_group_theme_scores() -> None:
    term_weights = np.array([[1.0, 0.0], [0.0, RELATED_WEIGHT], [0.0, 0.0], [0.0, 0.0]])
    groups = np.array([
        [0.0, 0.0, 0.5, 0.5],  # no theme term at all
        [0.5, 0.0, 0.25, 0.25],  # half of its weight on theme 0's seed
        [0.9, 0.0, 0.05, 0.05],  # most of it
        [0.0, 1.0, 0.0, 0.0],  # only theme 1's related term
    ])
    scores = group_theme_scores(groups, term_weights)
    assert scores.shape == (4, 2)
    assert np.all((scores >= 0.0) & (scores < 1.0))
    np.testing.assert_array_equal(scores[0], [0.0, 0.0])
    assert 0.0 < scores[1, 0] < scores[2, 0]
    assert scores[1, 1] == scores[2, 1] == 0.0
    assert scores[3, 0] == 0.0 and 0.0 < scores[3, 1]
    # scaling a topic's weights does not change its scores
    np.testing.assert_allclose(group_theme_scores(groups * 7.0, term_weights), scores, atol=1e-12)


# ------------------------------------------------------------------------------------------ assign_themes


THREE = (theme("a", seeds=("x",)), theme("b", seeds=("y",)), theme("c", seeds=("z",)))
IDS = ("p0", "p1", "p2")


def no_terms(n_docs: int = 3, n_themes: int = 3) -> list[list[list[str]]]:
    return [[[] for _ in range(n_themes)] for _ in range(n_docs)]


def test_assign_themes_threshold_on_paper_evidence_alone() -> None:
    paper = np.array([[0.50, 0.49, 0.0], [0.9, 0.6, 0.7], [0.1, 0.2, 0.3]])
    table = assign_themes(THREE, IDS, paper, no_terms(), ThemeWeights(threshold=0.5, max_per_paper=3))
    np.testing.assert_array_equal(table.scores, paper)  # one kind of evidence: the score is that evidence
    np.testing.assert_array_equal(
        table.assigned, [[True, False, False], [True, True, True], [False, False, False]]
    )
    assert table.paper_themes(0) == [("a", 0.5)]
    assert table.paper_themes(1) == [("a", 0.9), ("c", 0.7), ("b", 0.6)]
    assert table.paper_themes(2) == [] and table.primary_theme(2) == UNASSIGNED
    assert table.primary_theme(1) == "a"
    assert table.doc_ids == IDS and table.theme_ids == ("a", "b", "c")
    assert set(table.parts) == {"paper"}


def test_assign_themes_keeps_the_best_max_per_paper() -> None:
    paper = np.array([[0.9, 0.6, 0.7], [0.8, 0.8, 0.8], [0.6, 0.0, 0.0]])
    table = assign_themes(THREE, IDS, paper, no_terms(), ThemeWeights(threshold=0.5, max_per_paper=2))
    np.testing.assert_array_equal(table.assigned, [[True, False, True], [True, True, False], [True, False, False]])
    one = assign_themes(THREE, IDS, paper, no_terms(), ThemeWeights(threshold=0.5, max_per_paper=1))
    assert [one.paper_themes(i) for i in range(3)] == [[("a", 0.9)], [("a", 0.8)], [("a", 0.6)]]


def test_assign_themes_combines_paper_topic_and_cluster_evidence() -> None:
    paper = np.array([[0.5, 0.0, 0.0], [0.0, 0.4, 0.0], [0.0, 0.0, 0.0]])
    doc_topic = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    topic_theme = np.array([[0.8, 0.0, 0.0], [0.0, 0.6, 0.2]])
    doc_cluster = np.array([0, 1, 1])
    cluster_theme = np.array([[0.4, 0.0, 0.0], [0.0, 0.2, 1.0]])
    weights = ThemeWeights(paper=0.6, topic=0.25, cluster=0.15, threshold=0.3, max_per_paper=3)
    table = assign_themes(THREE, IDS, paper, no_terms(), weights, doc_topic, topic_theme, doc_cluster, cluster_theme)
    expected = np.array([
        [0.6 * 0.5 + 0.25 * 0.8 + 0.15 * 0.4, 0.0, 0.0],
        [0.25 * 0.4, 0.6 * 0.4 + 0.25 * 0.3 + 0.15 * 0.2, 0.25 * 0.1 + 0.15 * 1.0],
        [0.0, 0.25 * 0.6 + 0.15 * 0.2, 0.25 * 0.2 + 0.15 * 1.0],
    ])
    np.testing.assert_allclose(table.scores, expected, atol=1e-6)
    np.testing.assert_array_equal(table.assigned, expected >= 0.3)
    assert set(table.parts) == {"paper", "topic", "cluster"}
    np.testing.assert_allclose(table.parts["topic"], doc_topic @ topic_theme)
    np.testing.assert_array_equal(table.parts["cluster"], cluster_theme[doc_cluster])
    np.testing.assert_array_equal(table.parts["paper"], paper)
    assert table.topic_theme is topic_theme and table.cluster_theme is cluster_theme


def test_missing_kinds_of_evidence_drop_out_of_the_mean() -> None:
    paper = np.array([[0.5, 0.0, 0.0]])
    doc_topic = np.array([[1.0]])
    topic_theme = np.array([[1.0, 0.0, 0.0]])
    weights = ThemeWeights(paper=0.6, topic=0.2, cluster=0.2, threshold=0.6, max_per_paper=3)
    table = assign_themes(THREE, ("p0",), paper, no_terms(1), weights, doc_topic, topic_theme)
    assert table.scores[0, 0] == pytest.approx((0.6 * 0.5 + 0.2 * 1.0) / 0.8, abs=1e-6)
    assert table.paper_themes(0) == [("a", pytest.approx(0.625, abs=1e-6))]
    assert table.cluster_theme is None and "cluster" not in table.parts


def test_assign_themes_evidence_terms() -> None:
    paper = np.array([[0.9, 0.0, 0.0], [0.0, 0.0, 0.0]])
    terms = [[["reward", "policy"], [], []], [[], [], []]]
    doc_topic = np.array([[1.0, 0.0], [0.0, 1.0]])
    topic_theme = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    weights = ThemeWeights(paper=0.5, topic=0.5, cluster=0.0, threshold=0.4, max_per_paper=3)
    table = assign_themes(THREE, ("p0", "p1"), paper, terms, weights, doc_topic, topic_theme)
    assert table.paper_themes(0) == [("a", 0.45)]
    assert table.paper_themes(1) == [("c", 0.5)]
    assert table.evidence[0] == (("reward", "policy"), (), ())
    assert table.evidence[1] == ((), (), ("topic 1",))  # assigned through its topic alone: the topic is the evidence


# -------------------------------------------------------------------------------------------- theme files


def write_themes(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_theme_definitions(tmp_path: Path) -> None:
    path = write_themes(
        tmp_path,
        "themes:\n"
        "  - id: reinforcement-learning\n    label: RL\n    description: Agents.\n"
        "    seeds: [reinforcement learning, policy]\n    related: [agent]\n    exclude: [policy makers]\n"
        "  - id: vision\n    label: Vision\n    seeds: [image]\n",
    )
    themes = load_theme_definitions(path)
    assert themes == (
        ThemeDefinition("reinforcement-learning", "RL", "Agents.", ("reinforcement learning", "policy"),
                        ("policy makers",), ("agent",)),
        ThemeDefinition("vision", "Vision", "", ("image",), (), ()),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes:\n  - id: rl\n    label: RL\n    seeds: [a]\n    seedz: [b]\n",
         "unknown key 'themes -> 0 -> seedz'; allowed: id, label, description, seeds, related, exclude"),
        ("themes:\n  - id: rl\n    label: RL\n    seeds: [a]\nextra: 1\n",
         "unknown key 'extra'; allowed: id, label, description, seeds, related, exclude"),
        ("themes:\n  - id: rl\n    label: RL\n    seeds: [a]\n  - id: rl\n    label: Again\n    seeds: [b]\n",
         "themes -> 1 -> id: theme id 'rl' appears twice; theme ids must be unique"),
        ("themes:\n  - id: a\n    label: A\n    seeds: [a]\n  - id: b\n    label: B\n",
         "themes -> 1 -> seeds: Field required (got {'id': 'b', 'label': 'B'})"),
        ("themes:\n  - id: a\n    label: A\n    seeds: []\n",
         "themes -> 0 -> seeds: List should have at least 1 item after validation, not 0 (got [])"),
        ("themes: []\n", "themes: List should have at least 1 item after validation, not 0 (got [])"),
    ],
)
def test_theme_file_errors_name_file_and_key_path(tmp_path: Path, text: str, message: str) -> None:
    path = write_themes(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_theme_definitions(path)
    assert str(caught.value) == f"{path}: {message}"


@pytest.mark.parametrize("bad_id", ["Reinforcement Learning", "rl_theme", "-rl", "rl-", "rl--x", "RL"])
def test_theme_ids_are_slugs(tmp_path: Path, bad_id: str) -> None:
    path = write_themes(tmp_path, f"themes:\n  - id: '{bad_id}'\n    label: X\n    seeds: [x]\n")
    with pytest.raises(ConfigError) as caught:
        load_theme_definitions(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: themes -> 0 -> id: ")
    assert "a theme id is lowercase words joined by '-', e.g. 'reinforcement-learning'" in message
    assert message.endswith(f"(got {bad_id!r})")


def test_missing_theme_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_theme_definitions(tmp_path / "none.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'none.yaml'}: ")


# ------------------------------------------------------------------------------------- the shipped themes


def test_shipped_themes() -> None:
    themes = load_theme_definitions(THEMES_FILE)
    ids = [t.id for t in themes]
    assert {"reinforcement-learning", "generative-models", "neuroscience"} <= set(ids)
    assert len(ids) >= 11
    assert len(set(ids)) == len(ids)
    for t in themes:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", t.id)
        assert t.label and t.description, t.id
        assert len(t.seeds) >= 3, t.id
    by_id = {t.id: t for t in themes}
    assert "reinforcement learning" in by_id["reinforcement-learning"].seeds
    assert {"diffusion model", "variational autoencoder"} <= set(by_id["generative-models"].seeds)
    assert "neuroscience" in by_id["neuroscience"].seeds


def test_shipped_seeds_match_example_sentences(tokenizer: Tokenizer) -> None:
    themes = load_theme_definitions(THEMES_FILE)
    ids = [t.id for t in themes]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    examples = {
        "reinforcement-learning": "Offline reinforcement learning of policies from reward",
        "generative-models": "Denoising diffusion models and variational autoencoders",
        "neuroscience": "Neural activity of neurons in the hippocampus",
    }
    for theme_id, text in examples.items():
        scores, _ = paper_evidence(lexicon, [segments(tokenizer, text)], [[]])
        assert ids[int(np.argmax(scores[0]))] == theme_id, text


def test_every_shipped_theme_term_can_match(tokenizer: Tokenizer) -> None:
    words = re.compile(r"[^\W\d_]+")
    dead = []
    for t in load_theme_definitions(THEMES_FILE):
        for term in (*t.seeds, *t.related, *t.exclude):
            gram = tokenizer.tokenize_phrase(term)
            if not gram or (len(gram) == 1 and len(words.findall(term)) > 1):
                dead.append(f"{t.id}: {term}")
    assert dead == []
    _, dropped = build_lexicon(load_theme_definitions(THEMES_FILE), tokenizer.tokenize_phrase, tokenizer.settings.stop_words)
    assert dropped == ()


def test_terms_that_lose_a_content_word_are_dropped_and_reported(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("deep q-network", "markov decision process", "neurons in the brain"))]
    lexicon, dropped = build_lexicon(themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words)
    assert dropped == ("rl: deep q-network",)  # "q" is too short: "deep network" would match far more
    assert set(lexicon.entries) == {("markov", "decision", "process"), ("neuron", "brain")}
