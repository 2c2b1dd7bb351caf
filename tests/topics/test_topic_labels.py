"""Readable topic labels: theme short name plus the topic's most informative terms."""

from __future__ import annotations

import numpy as np
import pytest

from preprocessing.nlp import Tokenizer, TokenizerSettings
from preprocessing.token_arrays import TokenArrays
from topics.themes.topic_labels import (
    NPMI_FLOOR,
    WEAK_SUFFIX,
    ranked_terms,
    theme_name_words,
    topic_label,
    topic_labels,
    written_forms,
)

#: An LDA topic on ML papers, heaviest term first.
RL_TOPIC = (
    "policy", "reward", "reinforcement_learning", "agent", "policy_gradient", "actor_critic", "environment",
    "action", "value_function", "exploration",
)
RL_WORDS = theme_name_words(
    "Reinforcement learning", "RL",
    seeds=("reinforcement learning", "deep reinforcement learning", "rl", "deep rl", "policy gradient", "actor-critic"),
)
VISION_TOPIC = ("image", "object_detection", "segmentation", "pixel", "convolutional", "scene", "video", "visual")
GRAPH_TOPIC = ("graph", "node", "edge", "graph_neural_network", "message_passing", "molecule", "learning", "neighbor")


def test_theme_name_words_keeps_names_not_specific_seeds() -> None:
    assert RL_WORDS == frozenset({"reinforcement_learning", "rl"})
    assert theme_name_words("Time series and sequences", "Time series", seeds=("time series", "sequence", "forecasting")) == frozenset(
        {"time_series_and_sequences", "time_series", "sequence"}
    )
    assert theme_name_words("Natural language processing", "NLP", seeds=("nlp", "language model")) == frozenset(
        {"natural_language_processing", "nlp"}
    )


def test_label_with_theme() -> None:
    assert topic_label(RL_TOPIC, "RL", theme_words=RL_WORDS) == "RL · policy gradient, actor critic"


def test_label_without_theme_keeps_every_term() -> None:
    assert topic_label(RL_TOPIC) == "reinforcement learning, policy gradient"
    assert topic_label(VISION_TOPIC) == "object detection, image"


def test_short_name_alone_drops_only_itself() -> None:
    assert topic_label(("rl", "policy", "reward"), "RL") == "RL · policy, reward"
    assert topic_label(("reinforcement_learning", "rl", "reward"), "RL") == "RL · reinforcement learning, reward"


def test_theme_label_words_are_dropped() -> None:
    words = theme_name_words("Graph learning", "Graphs")
    assert topic_label(GRAPH_TOPIC, "Graphs", theme_words=words) == "Graphs · graph neural network, message passing"
    assert ranked_terms(GRAPH_TOPIC, "Graphs", words) == [
        "graph neural network", "message passing", "node", "edge", "molecule", "neighbor",
    ]


def test_plural_of_a_theme_word_is_dropped() -> None:
    words = theme_name_words("Time series and sequences", "Time series")
    terms = ("sequence", "time_series", "forecasting", "temporal", "series")
    assert topic_label(terms, "Time series", theme_words=words) == "Time series · forecasting, temporal"


def test_word_inside_a_chosen_phrase_is_dropped() -> None:
    assert topic_label(("policy", "reward", "policy_gradient")) == "policy gradient, reward"
    assert ranked_terms(("policy", "reward", "policy_gradient", "gradient")) == ["policy gradient", "reward"]


def test_phrase_replaces_the_words_it_contains_even_far_down() -> None:
    terms = ("graph", "node", "network", "edge", "structure", "message", "passing", "neighbor", "embedding", "graph_neural_network")
    assert topic_label(terms) == "graph neural network, node"


def test_phrase_bonus_is_four_places_within_the_first_eight() -> None:
    assert topic_label(("image", "object", "scene", "pixel", "video", "semantic_segmentation")) == "image, semantic segmentation"
    assert topic_label(("image", "object", "scene", "pixel", "video", "camera", "semantic_segmentation")) == "image, object"
    late = ("image", "object", "scene", "pixel", "video", "camera", "visual", "detector", "semantic_segmentation")
    assert ranked_terms(late)[:2] == ["image", "object"]
    assert ranked_terms(late)[-1] == "semantic segmentation"


def test_hyphens_stay_but_separate_words() -> None:
    """"agent" is a word of "multi-agent", so it adds nothing once the phrase is shown."""
    assert topic_label(("multi-agent_reinforcement_learning", "agent", "game")) == "multi-agent reinforcement learning, game"


def test_max_terms() -> None:
    assert topic_label(RL_TOPIC, "RL", max_terms=3, theme_words=RL_WORDS) == "RL · policy gradient, actor critic, reward"
    assert topic_label(RL_TOPIC, "RL", max_terms=1, theme_words=RL_WORDS) == "RL · policy gradient"


def test_max_chars_drops_terms_then_cuts_the_first() -> None:
    assert topic_label(RL_TOPIC, "RL", max_chars=30, theme_words=RL_WORDS) == "RL · policy gradient"
    assert topic_label(("graph_neural_network", "message_passing"), "Graphs", max_chars=20) == "Graphs · graph neur…"
    assert len(topic_label(("graph_neural_network",), "Graphs", max_chars=20)) == 20


def test_never_empty_when_there_are_terms() -> None:
    assert topic_label(("reinforcement_learning", "rl", "learning"), "RL", theme_words=RL_WORDS) == "RL"
    assert topic_label(("learning",)) == "learning"
    assert topic_label(()) == ""


def test_duplicate_terms_are_shown_once() -> None:
    assert topic_label(("policy", "Policy", "reward")) == "policy, reward"


def test_bad_limits() -> None:
    with pytest.raises(ValueError, match="max_terms must be >= 1 and max_chars >= 2, got 0 and 48"):
        topic_label(RL_TOPIC, max_terms=0)


# --- all topics of a fit ----------------------------------------------------------------------------------------

SHORTS = ("RL", "CV", "Graphs")
WORDS = (RL_WORDS, theme_name_words("Computer vision", "CV"), theme_name_words("Graph learning", "Graphs"))


def test_labels_take_the_best_theme_above_the_threshold() -> None:
    topic_theme = np.array([
        [0.82, 0.05, 0.10],
        [0.02, 0.74, 0.00],
        [0.30, 0.10, 0.49],  # best theme below 0.5: no prefix, and theme words are not dropped
    ])
    labels = topic_labels([RL_TOPIC, VISION_TOPIC, GRAPH_TOPIC], topic_theme, SHORTS, WORDS)
    assert labels == (
        "RL · policy gradient, actor critic",
        "CV · object detection, image",
        "graph neural network, message passing",
    )
    assert topic_labels([GRAPH_TOPIC], topic_theme[2:], SHORTS, WORDS, min_theme_score=0.4) == (
        "Graphs · graph neural network, message passing",
    )


def test_labels_without_themes() -> None:
    assert topic_labels([RL_TOPIC, VISION_TOPIC], None, (), ()) == (
        "reinforcement learning, policy gradient", "object detection, image",
    )


def test_ties_go_to_the_first_theme() -> None:
    assert topic_labels([VISION_TOPIC], np.array([[0.6, 0.6, 0.0]]), SHORTS, WORDS) == ("RL · object detection, image",)


def test_repeated_labels_are_extended_then_numbered() -> None:
    offline = ("policy_gradient", "actor_critic", "policy", "offline", "dataset")
    short = ("policy_gradient", "actor_critic")
    topics = [RL_TOPIC, offline, RL_TOPIC, RL_TOPIC, short, short]
    labels = topic_labels(topics, np.full((6, 3), [0.9, 0.0, 0.0]), SHORTS, WORDS)
    assert labels == (
        "RL · policy gradient, actor critic",
        "RL · policy gradient, actor critic, offline",
        "RL · policy gradient, actor critic, reward",
        "RL · policy gradient, actor critic, agent",
        "RL · policy gradient, actor critic (2)",
        "RL · policy gradient, actor critic (3)",
    )
    assert len(set(labels)) == len(labels)


def test_reserved_labels_are_avoided() -> None:
    kept = {"RL · policy gradient, actor critic"}
    assert topic_labels([RL_TOPIC], np.array([[0.9, 0.0, 0.0]]), SHORTS, WORDS, reserved=kept) == (
        "RL · policy gradient, actor critic, reward",
    )


def test_labels_check_shapes() -> None:
    with pytest.raises(ValueError, match=r"topic_theme must have shape \(2, 3\), got \(2, 2\)"):
        topic_labels([RL_TOPIC, VISION_TOPIC], np.zeros((2, 2)), SHORTS, WORDS)
    with pytest.raises(ValueError, match="theme_words has 2 entries for 3 themes"):
        topic_labels([RL_TOPIC], np.zeros((1, 3)), SHORTS, WORDS[:2])


def test_labels_are_deterministic() -> None:
    topic_theme = np.array([[0.82, 0.05, 0.10], [0.02, 0.74, 0.00]])
    first = topic_labels([RL_TOPIC, VISION_TOPIC], topic_theme, SHORTS, WORDS)
    assert all(topic_labels([list(RL_TOPIC), list(VISION_TOPIC)], topic_theme.copy(), SHORTS, WORDS) == first for _ in range(3))


# --- generic words, weak topics, written forms -------------------------------------------------------------------


def test_generic_words_are_left_out_while_others_remain() -> None:
    """A weak topic of a small corpus (NPMI -0.45): "ability, size" said nothing about it."""
    terms = ("ability", "size", "optimization", "condition", "representation", "policy", "scale", "overall")
    assert topic_label(terms) == "optimization, representation"
    assert topic_label(("transformer", "include", "design", "require", "code")) == "transformer, code"
    assert topic_label(("include", "require")) == "include, require"  # nothing else: the label is never empty
    assert "real world" not in ranked_terms(("real_world", "sample", "dataset"))


def test_topics_below_the_npmi_floor_are_flagged_weak() -> None:
    causal = ("neural_network", "variable", "causal", "effect")
    causal_words = theme_name_words("Causal inference", "Causal", seeds=("causal",))
    assert topic_label(causal, "Causal", theme_words=causal_words, coherence=-0.07) == (
        "Causal · neural network, variable (weak)"
    )
    assert topic_label(causal, "Causal", theme_words=causal_words, coherence=0.02) == "Causal · neural network, variable"
    assert topic_label(causal, coherence=float("nan")) == "neural network, variable"  # unknown: not flagged
    assert topic_label(causal) == "neural network, variable"
    assert NPMI_FLOOR == 0.0 and WEAK_SUFFIX == " (weak)"
    # the suffix counts towards max_chars
    assert topic_label(RL_TOPIC, "RL", max_chars=30, theme_words=RL_WORDS, coherence=-0.1) == "RL · policy gradient (weak)"
    assert len(topic_label(("graph_neural_network",), "Graphs", max_chars=24, coherence=-1.0)) <= 24


def test_labels_flag_weak_topics_and_stay_unique() -> None:
    topic_theme = np.full((3, 3), [0.9, 0.0, 0.0])
    labels = topic_labels([RL_TOPIC, RL_TOPIC, RL_TOPIC], topic_theme, SHORTS, WORDS, coherence=(0.15, -0.2, -0.3))
    assert labels == (
        "RL · policy gradient, actor critic",
        "RL · policy gradient, actor critic (weak)",
        "RL · policy gradient, actor critic, reward (weak)",
    )
    # no coherence (or none measured): today's labels
    assert topic_labels([RL_TOPIC], topic_theme[:1], SHORTS, WORDS, coherence=()) == ("RL · policy gradient, actor critic",)
    with pytest.raises(ValueError, match="coherence has 1 entries for 2 topics"):
        topic_labels([RL_TOPIC, RL_TOPIC], topic_theme[:2], SHORTS, WORDS, coherence=(0.1,))


@pytest.fixture(scope="module")
def theme_arrays() -> TokenArrays:
    """Theme tokens of the real tokenizer (spaCy blank + lookup lemmas), which keep each word as written."""
    tokenizer = Tokenizer(TokenizerSettings())
    return tokenizer.theme_arrays([
        "Networks with hidden units learn reasoning. Multi-armed bandits need hidden units.",
        "A hidden unit of a policy; policies of agents. Reasoning about multi-armed bandits.",
    ])


def test_written_forms_read_as_the_papers_wrote(theme_arrays: TokenArrays) -> None:
    """Lemma phrases read as written ("hide unit" was "hidden units"), in the singular; plurals and lemmas that are
    written as they are give no form; terms the texts never contain are left out."""
    terms = ("hide_unit", "reason", "multi_arm_bandit", "policy", "agent", "network", "absent_term")
    assert written_forms(terms, theme_arrays) == {
        "hide_unit": "hidden unit", "reason": "reasoning", "multi_arm_bandit": "multi-armed bandit",
    }
    assert written_forms((), theme_arrays) == {}


def test_labels_use_written_forms(theme_arrays: TokenArrays) -> None:
    terms = ("hide_unit", "layer", "reason", "multi_arm_bandit")
    forms = written_forms(terms, theme_arrays)
    assert topic_label(terms) == "hide unit, multi arm bandit"  # without written forms: at least spaces
    assert topic_label(terms, written=forms) == "hidden unit, multi-armed bandit"
    assert topic_labels([("reason", "graph")], None, (), (), written=forms) == ("reasoning, graph",)
