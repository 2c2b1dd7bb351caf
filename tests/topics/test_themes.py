"""Theme labelling: the term lexicon and its scanner, paper evidence and its features, the logistic scorer,
topic/cluster theme scores, the decision rule, theme files, and the shipped configs/themes/ml.yaml."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from preprocessing.nlp import Tokenizer, TokenizerSettings, build_stop_words
from tests.topics.helpers import THEMES_FILE
from topics.config import DEFAULT_THEMES_FILE, ConfigError, ThemesConfig
from topics.results import UNASSIGNED, ThemeDefinition
from topics.themes.definitions import load_domain_profile, load_theme_definitions
from topics.themes.lexicon import RELATED_WEIGHT, SEED_WEIGHT, against_lexicon, build_lexicon
from topics.themes.scoring import (
    FEATURES,
    MAX_EVIDENCE,
    PAPER_FEATURES,
    RELATED_SHARE,
    SCORERS,
    PaperEvidence,
    ThemeRule,
    ThemeScorer,
    assign_themes,
    demote_against,
    group_theme_scores,
    paper_evidence,
    scorer_for,
    term_theme_weights,
    theme_features,
)


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    """The corpus tokenizer with the default settings (spaCy blank + lookup lemmas, default stop words)."""
    return Tokenizer(TokenizerSettings(stop_words=build_stop_words(load_domain_profile(DEFAULT_THEMES_FILE).stop_words, ())))


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
    assert lexicon.entries == {
        ("reinforcement", "learning"): {0: SEED_WEIGHT},
        ("reinforcement", "learnings"): {0: SEED_WEIGHT},  # the plural form (see the plural tests below)
    }
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


def test_terms_also_match_their_plural(tokenizer: Tokenizer) -> None:
    """The lookup lemmatizer leaves words it does not know as they are, so "Autoencoders" stays "autoencoders"."""
    assert segments(tokenizer, "Autoencoders and GANs") == [["autoencoders"], ["gans"]]
    themes = [theme("gen", seeds=("autoencoder", "gan", "variational autoencoder"))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    assert lexicon.scan(segments(tokenizer, "Autoencoders and GANs")) == [
        (("autoencoders",), {0: SEED_WEIGHT}),
        (("gans",), {0: SEED_WEIGHT}),
    ]
    # a phrase's plural is the plural of its last word, and the longest match still wins
    assert lexicon.scan(segments(tokenizer, "Variational Autoencoders")) == [
        (("variational", "autoencoders"), {0: SEED_WEIGHT}),
    ]
    # evidence names the term as written in the themes file
    assert lexicon.names[("autoencoders",)] == "autoencoder"
    assert lexicon.names[("variational", "autoencoders")] == "variational autoencoder"


def test_terms_ending_in_s_get_no_extra_form(tokenizer: Tokenizer) -> None:
    lexicon, _ = build_lexicon([theme("rl", seeds=("mdps", "mdp"), related=("reward",))], tokenizer.tokenize_phrase)
    assert lexicon.entries == {
        ("mdps",): {0: SEED_WEIGHT},  # "mdps" is its own plural: no "mdpss"
        ("mdp",): {0: SEED_WEIGHT},
        ("reward",): {0: RELATED_WEIGHT},
        ("rewards",): {0: RELATED_WEIGHT},  # related terms get their plural too, with the related weight
    }


def test_exclude_terms_mask_their_plural_too(tokenizer: Tokenizer) -> None:
    lexicon, _ = build_lexicon([theme("neuro", seeds=("brain",), exclude=("brain mri",))], tokenizer.tokenize_phrase)
    assert lexicon.excludes == {("brain", "mri"): frozenset({0}), ("brain", "mris"): frozenset({0})}
    assert lexicon.scan(segments(tokenizer, "Brain MRIs")) == []
    assert lexicon.scan(segments(tokenizer, "Brain MRI")) == []
    assert lexicon.scan(segments(tokenizer, "Brain activity")) == [(("brain",), {0: SEED_WEIGHT})]


def test_exclude_terms_mask_their_tokens_for_their_theme(tokenizer: Tokenizer) -> None:
    themes = [theme("neuro", seeds=("neural", "neuron"), exclude=("neural network",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    texts = [
        segments(tokenizer, "Deep neural networks for vision"),
        segments(tokenizer, "Neural coding of single neurons"),
    ]
    evidence = paper_evidence(lexicon, texts, [[], []])
    # "neural" inside "neural network" is not evidence
    assert evidence.seeds[0, 0] == 0.0 and evidence.related[0, 0] == 0.0 and evidence.terms[0] == [[]]
    assert evidence.seeds[1, 0] == 2.0 and evidence.terms[1] == [["neural", "neuron"]]


def test_exclude_terms_do_not_mask_other_themes(tokenizer: Tokenizer) -> None:
    themes = [
        theme("neuroscience", seeds=("neuron",), exclude=("neural network",)),
        theme("graph-learning", seeds=("graph",), related=("network structure",)),
    ]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    evidence = paper_evidence(lexicon, [segments(tokenizer, "Learning the neural network structure")], [[]])
    assert evidence.raw[0, 0] == 0.0
    assert evidence.related[0, 1] == 1.0
    assert evidence.terms[0][1] == ["network structure"]


def test_exclude_terms_of_the_shipped_themes_leave_other_themes_their_evidence(tokenizer: Tokenizer) -> None:
    """The same on the shipped themes, where graph neural networks must still count for graph-learning."""
    themes = load_theme_definitions(THEMES_FILE)
    ids = [t.id for t in themes]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    for text, expected, weight in (
        ("Graph neural networks", "graph-learning", SEED_WEIGHT),
        ("Spiking neural networks", "neuroscience", RELATED_WEIGHT),  # brain-inspired ML is weak evidence
    ):
        found = lexicon.scan(segments(tokenizer, text))
        assert [{ids[k]: w for k, w in hit.items() if w > 0} for _, hit in found] == [{expected: weight}], text


def test_terms_that_collapse_to_one_generic_token_are_dropped(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("q-learning", "off-policy", "few-shot", "policy", "actor-critic", "mdp"))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    assert set(lexicon.entries) == {
        ("policy",), ("policys",), ("actor", "critic"), ("actor", "critics"), ("mdp",), ("mdps",)
    }
    assert lexicon.scan(segments(tokenizer, "deep learning with a learned shot")) == []


def test_terms_that_tokenise_to_nothing_are_dropped(tokenizer: Tokenizer) -> None:
    lexicon, _ = build_lexicon([theme("x", seeds=("the", "42", "graph"))], tokenizer.tokenize_phrase)
    assert set(lexicon.entries) == {("graph",), ("graphs",)}


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


def counts(evidence: PaperEvidence, column: int) -> dict[str, list[float]]:
    """One theme's counts across papers, for readable assertions."""
    return {
        name: getattr(evidence, name)[:, column].tolist()
        for name in ("title_seeds", "seeds", "distinct_seeds", "related")
    }


def test_paper_evidence_counts(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("reward", "policy gradient"), related=("agent",)), theme("gen", seeds=("diffusion",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    texts = [  # title + abstract, as in a run
        [["reward"]],  # one seed in the abstract
        [["reward"], ["reward"]],  # the same seed twice
        [["reward", "policy", "gradient"]],  # two distinct seeds, both in the title
        [["agent"], ["agent"]],  # a related term, twice
        [["image"]],  # nothing
    ]
    titles = [[], [], [["reward", "policy", "gradient"]], [], []]
    evidence = paper_evidence(lexicon, texts, titles)
    assert counts(evidence, 0) == {
        "title_seeds": [0.0, 0.0, 2.0, 0.0, 0.0],
        "seeds": [1.0, 2.0, 2.0, 0.0, 0.0],
        "distinct_seeds": [1.0, 1.0, 2.0, 0.0, 0.0],
        "related": [0.0, 0.0, 0.0, 2.0, 0.0],
    }
    assert counts(evidence, 1) == {name: [0.0] * 5 for name in ("title_seeds", "seeds", "distinct_seeds", "related")}
    np.testing.assert_allclose(evidence.raw[:, 0], [1.0, 2.0, 2.0, 2 * RELATED_SHARE, 0.0])
    assert [e[0] for e in evidence.terms] == [["reward"], ["reward"], ["policy gradient", "reward"], ["agent"], []]
    assert [e[1] for e in evidence.terms] == [[]] * 5


def test_paper_evidence_on_a_tokenised_paper(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("reward", "policy gradient"), related=("agent",)), theme("gen", seeds=("diffusion",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    title = "Policy gradients with reward shaping"
    abstract = (
        "An agent maximises reward with policy gradients. Policy gradient methods need reward; diffusion does not."
    )
    evidence = paper_evidence(lexicon, [segments(tokenizer, f"{title}. {abstract}")], [segments(tokenizer, title)])
    # rl: "policy gradient" 3 times (1 in the title) and "reward" 3 times (1 in the title); "agent" is related
    assert counts(evidence, 0) == {"title_seeds": [2.0], "seeds": [6.0], "distinct_seeds": [2.0], "related": [1.0]}
    assert counts(evidence, 1) == {"title_seeds": [0.0], "seeds": [1.0], "distinct_seeds": [1.0], "related": [0.0]}
    assert evidence.terms[0] == [["policy gradient", "reward", "agent"], ["diffusion"]]


def test_plurals_in_a_title_match_singular_seeds(tokenizer: Tokenizer) -> None:
    themes = [theme("gen", seeds=("autoencoder", "gan", "variational autoencoder"), related=("generative model",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    title = "Autoencoders and GANs"
    abstract = "Variational autoencoders and GANs learn generative models."
    evidence = paper_evidence(lexicon, [segments(tokenizer, f"{title}. {abstract}")], [segments(tokenizer, title)])
    # "autoencoders" and "gans" in the title; "gans" again, "variational autoencoders" (the longest match) and the
    # related "generative models" in the abstract
    assert counts(evidence, 0) == {"title_seeds": [2.0], "seeds": [4.0], "distinct_seeds": [3.0], "related": [1.0]}
    # strengths: gan 1 + log 2 + 1, autoencoder 1 + 0 + 1, variational autoencoder 1, generative model 0.35; each
    # shown as its first match has it: the title's "gans", "autoencoders" (corpus tokens are lemmas; the lookup
    # lemmatizer leaves these two as they are)
    assert evidence.terms[0][0] == ["gans", "autoencoders", "variational autoencoders", "generative model"]


def test_evidence_terms_strongest_first(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("reward", "policy gradient"), related=("agent",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    text = segments(tokenizer, "An agent maximises reward with policy gradients; policy gradient methods, reward")
    evidence = paper_evidence(lexicon, [text], [[]])
    assert evidence.terms[0][0] == ["policy gradient", "reward", "agent"]  # a tie between seeds goes by name


def test_evidence_terms_order_by_weight_count_and_title(tokenizer: Tokenizer) -> None:
    """Strength is weight * (1 + log(count) + 1 if in the title); at most MAX_EVIDENCE terms are kept."""
    themes = [theme("rl", seeds=("reward", "policy", "value", "advantage", "critic"), related=("agent",))]
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase)
    title = [["policy", "agent"]]
    text = [["policy", "agent"], ["reward"], ["reward"], ["reward"], ["value"], ["value"], ["critic"], ["advantage"]]
    evidence = paper_evidence(lexicon, [text], [title])
    # reward 1 + log 3 = 2.10 > policy 1 + 0 + 1 = 2 > value 1 + log 2 = 1.69 > advantage = critic 1 (by name)
    # > agent 0.35 * (1 + 0 + 1) = 0.7, which is the sixth term and is left out
    assert MAX_EVIDENCE == 5
    assert evidence.terms[0][0] == ["reward", "policy", "value", "advantage", "critic"]
    assert evidence.related[0, 0] == 1.0  # left out of the terms, still counted


def test_shipped_neuroscience_excludes_brain_inspired_ml(tokenizer: Tokenizer) -> None:
    themes = load_theme_definitions(THEMES_FILE)
    neuro = [t.id for t in themes].index("neuroscience")
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words)
    papers = [
        ("Brain-inspired learning rules for deep networks",
         "A brain-inspired local learning rule trains deep networks."),
        ("Brain MRI segmentation", "We segment brain tumors in brain MRI scans."),
        ("Decoding the human brain from fMRI", ""),
    ]
    texts = [segments(tokenizer, f"{title}. {abstract}") for title, abstract in papers]
    evidence = paper_evidence(lexicon, texts, [segments(tokenizer, title) for title, _ in papers])
    assert counts(evidence, neuro) == {
        "title_seeds": [0.0, 0.0, 2.0],
        "seeds": [0.0, 0.0, 2.0],
        "distinct_seeds": [0.0, 0.0, 2.0],
        "related": [0.0, 0.0, 0.0],
    }
    assert [e[neuro] for e in evidence.terms] == [[], [], ["fmri", "human brain"]]


def test_against_terms_demote_a_papers_seeds_to_related_terms() -> None:
    """A paper that says it borrows the theme ("brain-inspired") keeps its neuroscience words only as weak
    evidence; a paper without the against term keeps its seeds; other themes are untouched."""
    tokenizer = Tokenizer(TokenizerSettings(stop_words=build_stop_words(load_domain_profile(DEFAULT_THEMES_FILE).stop_words, ())))
    themes = [
        ThemeDefinition(id="neuro", label="Neuro", seeds=("cortex", "hippocampus"), related=("synapse",),
                        against=("brain-inspired", "inspired by the brain", "U.S. brain")),
        ThemeDefinition(id="cl", label="CL", seeds=("continual learning",)),
    ]
    lexicon, _ = build_lexicon(themes, tokenizer)
    against, unmatchable = against_lexicon(themes, tokenizer)
    assert [str(u) for u in unmatchable] == [
        '"U.S. brain" (neuro against): "." inside it is punctuation, where text is cut, so it can never match as one '
        "phrase; write it without"
    ]
    papers = [
        ("FearNet: a brain-inspired model for continual learning", "Inspired by the cortex and the hippocampus."),
        ("Continual learning inspired by the brain", "A cortex module and a synapse."),
        ("Place cells in the hippocampus", "Recordings from the cortex."),
    ]
    texts = tokenizer.theme_arrays([f"{t}. {a}" for t, a in papers])
    titles = tokenizer.theme_arrays([t for t, _ in papers])
    plain = paper_evidence(lexicon, texts, titles)
    demoted = demote_against(plain, against, texts, titles)
    assert demoted.against[:, 0].tolist() == [True, True, False]
    assert counts(demoted, 0) == {
        "title_seeds": [0.0, 0.0, 1.0],
        "seeds": [0.0, 0.0, 2.0],
        "distinct_seeds": [0.0, 0.0, 2.0],
        "related": [2.0, 2.0, 0.0],  # cortex + hippocampus; cortex + synapse
    }
    assert counts(demoted, 1) == counts(plain, 1)  # continual learning keeps its seeds
    assert demoted.terms == plain.terms  # the words found are still shown
    assert demote_against(plain, None, texts, titles) is plain
    assert against_lexicon([themes[1]], tokenizer) == (None, ())


def test_shipped_neuroscience_is_against_brain_inspired_ml() -> None:
    tokenizer = Tokenizer(TokenizerSettings(stop_words=build_stop_words(load_domain_profile(DEFAULT_THEMES_FILE).stop_words, ())))
    themes = load_theme_definitions(THEMES_FILE)
    neuro = [t.id for t in themes].index("neuroscience")
    against, unmatchable = against_lexicon(themes, tokenizer)
    assert unmatchable == ()
    papers = ["FearNet: brain-inspired model for incremental learning. Inspired by the mammalian brain's hippocampus.",
              "A dual-memory network that takes inspiration from human memory and the hippocampus.",
              "Grid cells in the entorhinal cortex of rats."]
    arrays = tokenizer.theme_arrays(papers)
    assert (paper_evidence(against, arrays, arrays).seeds[:, neuro] > 0).tolist() == [True, True, False]


def test_terms_split_by_a_stop_word_are_dropped(tokenizer: Tokenizer) -> None:
    """Running text is cut into segments at stop words, so "inspired by the brain" could never match as one
    n-gram; such a term is dropped and reported instead of silently doing nothing."""
    themes = [theme("neuro", seeds=("brain",), exclude=("inspired by the brain", "brain-inspired"))]
    lexicon, dropped = build_lexicon(themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words, tokenizer.phrase_segments)
    assert [str(term) for term in dropped] == [
        '"inspired by the brain" (neuro exclude): a stop word cuts it in two, so it can never match as one phrase',
    ]
    assert set(lexicon.excludes) == {("brain", "inspire"), ("brain", "inspires")}
    evidence = paper_evidence(lexicon, [segments(tokenizer, "A brain-inspired learning rule")], [[]])
    assert evidence.seeds[0, 0] == 0.0
    # theme tokens keep the stop words, so the term matches as written
    lexicon, dropped = build_lexicon(themes, tokenizer)
    assert dropped == ()
    assert ("inspire", "by", "the", "brain") in lexicon.excludes
    texts = tokenizer.theme_arrays(["Models inspired by the brain; the brain of mice"])
    evidence = paper_evidence(lexicon, texts, tokenizer.theme_arrays([""]))
    assert evidence.seeds[0, 0] == 1.0  # "the brain of mice", not the excluded "inspired by the brain"


def test_theme_features() -> None:
    evidence = PaperEvidence(
        title_seeds=np.array([[2.0, 0.0], [0.0, 0.0]]),
        seeds=np.array([[3.0, 1.0], [0.0, 0.0]]),
        distinct_seeds=np.array([[2.0, 1.0], [0.0, 0.0]]),
        related=np.array([[1.0, 0.0], [0.0, 0.0]]),
        terms=[[[], []], [[], []]],
    )
    with np.errstate(all="raise"):  # a paper without any evidence must not divide by zero
        features = theme_features(evidence)
    assert tuple(features) == PAPER_FEATURES
    np.testing.assert_array_equal(features["title_seed"], [[1.0, 0.0], [0.0, 0.0]])  # present or not
    np.testing.assert_allclose(features["seeds"], [[math.log(4), math.log(2)], [0.0, 0.0]])
    np.testing.assert_allclose(features["distinct_seeds"], [[math.log(3), math.log(2)], [0.0, 0.0]])
    np.testing.assert_allclose(features["related"], [[math.log(2), 0.0], [0.0, 0.0]])
    raw = 3.0 + RELATED_SHARE  # theme 0's raw evidence; theme 1 has 1.0
    np.testing.assert_allclose(features["focus"], [[raw / (raw + 1.0), 1.0 / (raw + 1.0)], [0.0, 0.0]])

    topic, cluster = np.full((2, 2), 0.25), np.full((2, 2), 0.5)
    both = theme_features(evidence, topic, cluster)
    assert tuple(both) == FEATURES
    assert both["topic"] is topic and both["cluster"] is cluster
    assert set(theme_features(evidence, cluster=cluster)) == {*PAPER_FEATURES, "cluster"}


# ---------------------------------------------------------------------------------------------- the scorer


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_theme_scorer_is_a_logistic_combination() -> None:
    features = {
        "seeds": np.array([[0.0, 1.0]]),
        "focus": np.array([[0.5, 1.0]]),
        "cluster": np.array([[9.0, 9.0]]),  # no coefficient: ignored
    }
    scorer = ThemeScorer({"seeds": 2.0, "focus": -1.0}, 0.5)
    # logits: 0.5 + 2 * 0 - 1 * 0.5 = 0 -> 1 / (1 + e^0) = 0.5; 0.5 + 2 * 1 - 1 * 1 = 1.5 -> 1 / (1 + e^-1.5) = 0.817574
    np.testing.assert_allclose(scorer.score(features), [[0.5, 0.8175744761936437]], rtol=0, atol=1e-12)
    assert sigmoid(1.5) == pytest.approx(0.8175744761936437)
    # no coefficients: sigmoid(intercept) everywhere; sigmoid(log 3) = 3 / (1 + 3)
    np.testing.assert_allclose(ThemeScorer({}, math.log(3.0)).score(features), [[0.75, 0.75]])


def test_theme_scorer_names_missing_features() -> None:
    scorer = ThemeScorer({"seeds": 1.0, "topic": 1.0, "cluster": 1.0}, 0.0)
    with pytest.raises(ValueError, match=re.escape("ThemeScorer needs the features ['cluster', 'topic']")):
        scorer.score({"seeds": np.zeros((1, 1))})


def test_scorer_for_picks_the_shipped_scorer_for_the_evidence_available() -> None:
    assert set(SCORERS) == {frozenset(), frozenset({"topic"}), frozenset({"cluster"}), frozenset({"topic", "cluster"})}
    assert scorer_for(frozenset()) is SCORERS[frozenset()]
    assert scorer_for(frozenset({"topic"})) is SCORERS[frozenset({"topic"})]
    assert scorer_for(frozenset({"cluster"})) is SCORERS[frozenset({"cluster"})]
    assert scorer_for(frozenset({"cluster", "topic"})) is SCORERS[frozenset({"topic", "cluster"})]
    assert scorer_for(frozenset({"paper", "topic"})) is SCORERS[frozenset({"topic"})]  # paper is always there


@pytest.mark.parametrize("kinds", list(SCORERS), ids=lambda k: "+".join(("paper", *sorted(k))))
def test_shipped_scorers(kinds: frozenset[str]) -> None:
    scorer = SCORERS[kinds]
    assert set(scorer.coefficients) == {*PAPER_FEATURES, *kinds}
    assert all(coef > 0.0 for coef in scorer.coefficients.values())  # more evidence never lowers a score
    # a paper without any evidence stays unassigned at the default threshold
    assert sigmoid(scorer.intercept) < ThemeRule().threshold


def test_theme_rule_defaults_match_the_config() -> None:
    assert ThemeRule() == ThemeRule(threshold=0.4, max_per_paper=3)
    assert ThemeRule() == ThemeRule(ThemesConfig().threshold, ThemesConfig().max_per_paper)


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

#: Scores by seed matches alone: sigmoid(log(1 + n) - log 2) = (1 + n) / (3 + n) for n matches
#: (sigmoid(log x) = x / (1 + x) with x = (1 + n) / 2): n = 0 -> 1/3, 1 -> 1/2, 2 -> 3/5, 3 -> 2/3, 7 -> 4/5.
BY_SEEDS = ThemeScorer({"seeds": 1.0}, -math.log(2.0))


def no_terms(n_docs: int = 3, n_themes: int = 3) -> list[list[list[str]]]:
    return [[[] for _ in range(n_themes)] for _ in range(n_docs)]


def evidence_of(
    seeds: list[list[float]], title_seeds: list[list[float]] | None = None, terms: list[list[list[str]]] | None = None
) -> PaperEvidence:
    """Paper evidence with the given seed counts (each a distinct term) and no related terms."""
    array = np.asarray(seeds, dtype=float)
    return PaperEvidence(
        title_seeds=np.zeros_like(array) if title_seeds is None else np.asarray(title_seeds, dtype=float),
        seeds=array,
        distinct_seeds=array.copy(),
        related=np.zeros_like(array),
        terms=no_terms(*array.shape) if terms is None else terms,
    )


def test_assign_themes_threshold() -> None:
    evidence = evidence_of([[1, 0, 0], [7, 2, 3], [0, 0, 0]])
    table = assign_themes(THREE, IDS, evidence, ThemeRule(threshold=0.5, max_per_paper=3), scorer=BY_SEEDS)
    expected = np.array([[1 / 2, 1 / 3, 1 / 3], [4 / 5, 3 / 5, 2 / 3], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(table.scores, expected, rtol=0, atol=1e-6)
    assert table.scores[1, 2] == 0.666667  # scores are rounded to 6 decimals
    np.testing.assert_array_equal(
        table.assigned, [[True, False, False], [True, True, True], [False, False, False]]
    )
    assert table.paper_themes(0) == [("a", 0.5)]  # a score equal to the threshold is enough
    assert table.paper_themes(1) == [("a", 0.8), ("c", 0.666667), ("b", 0.6)]
    assert table.paper_themes(2) == [] and table.primary_theme(2) == UNASSIGNED
    assert table.primary_theme(1) == "a"
    assert table.doc_ids == IDS and table.theme_ids == ("a", "b", "c")
    stricter = assign_themes(THREE, IDS, evidence, ThemeRule(threshold=0.500001, max_per_paper=3), scorer=BY_SEEDS)
    assert stricter.paper_themes(0) == []


def test_a_theme_of_its_own_threshold_overrides_the_runs() -> None:
    import dataclasses

    evidence = evidence_of([[1, 0, 0], [7, 2, 3], [0, 0, 0]])  # scores 1/2 1/3 1/3 | 4/5 3/5 2/3 | 1/3 1/3 1/3
    themes = (dataclasses.replace(THREE[0], threshold=0.9), dataclasses.replace(THREE[1], threshold=0.3), THREE[2])
    table = assign_themes(themes, IDS, evidence, ThemeRule(threshold=0.5, max_per_paper=3), scorer=BY_SEEDS)
    # "a" needs 0.9 (none reach it), "b" 0.3 (all do), "c" the run's 0.5
    np.testing.assert_array_equal(table.assigned, [[False, True, False], [False, True, True], [False, True, False]])


def test_assign_themes_keeps_the_best_max_per_paper() -> None:
    evidence = evidence_of([[7, 2, 3], [3, 3, 3], [1, 0, 0]])  # scores 4/5 3/5 2/3 | 2/3 2/3 2/3 | 1/2 1/3 1/3
    table = assign_themes(THREE, IDS, evidence, ThemeRule(threshold=0.5, max_per_paper=2), scorer=BY_SEEDS)
    # a tie goes to the earlier theme
    np.testing.assert_array_equal(table.assigned, [[True, False, True], [True, True, False], [True, False, False]])
    one = assign_themes(THREE, IDS, evidence, ThemeRule(threshold=0.5, max_per_paper=1), scorer=BY_SEEDS)
    assert [one.paper_themes(i) for i in range(3)] == [[("a", 0.8)], [("a", 0.666667)], [("a", 0.5)]]


def test_assign_themes_combines_paper_topic_and_cluster_evidence() -> None:
    evidence = evidence_of([[1, 0, 0], [0, 3, 0], [0, 0, 0]])
    doc_topic = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    topic_theme = np.array([[0.8, 0.0, 0.0], [0.0, 0.6, 0.6]])
    doc_cluster = np.array([0, 1, 1])
    cluster_theme = np.array([[0.4, 0.0, 0.0], [0.0, 0.2, 1.0]])
    scorer = ThemeScorer({"seeds": 1.0, "topic": 2.0, "cluster": 1.0}, -2.0)
    table = assign_themes(
        THREE, IDS, evidence, ThemeRule(threshold=0.5, max_per_paper=3),
        doc_topic, topic_theme, doc_cluster, cluster_theme, scorer=scorer,
    )
    # topic = doc_topic @ topic_theme = [[.8, 0, 0], [.4, .3, .3], [0, .6, .6]]; cluster = [[.4, 0, 0], [0, .2, 1]
    # for papers 1 and 2]; logit = -2 + log(1 + seeds) + 2 * topic + cluster
    expected_logits = np.array([
        [-2 + math.log(2) + 2 * 0.8 + 0.4, -2.0, -2.0],  # 0.69: a assigned
        [-2 + 2 * 0.4, -2 + math.log(4) + 2 * 0.3 + 0.2, -2 + 2 * 0.3 + 1.0],  # -1.2, 0.19: b assigned, -0.4
        [-2.0, -2 + 2 * 0.6 + 0.2, -2 + 2 * 0.6 + 1.0],  # -0.6, 0.2: c assigned through topic and cluster
    ])
    np.testing.assert_allclose(table.scores, np.vectorize(sigmoid)(expected_logits), rtol=0, atol=1e-6)
    assert table.scores[0, 0] == pytest.approx(2 / 3, abs=1e-6)  # sigmoid(log 2) = 2 / 3
    np.testing.assert_array_equal(table.assigned, [[True, False, False], [False, True, False], [False, False, True]])
    assert table.topic_theme is topic_theme and table.cluster_theme is cluster_theme


def test_assign_themes_parts_are_the_features() -> None:
    evidence = evidence_of([[1, 0, 0], [0, 3, 0]], title_seeds=[[1, 0, 0], [0, 2, 0]])
    doc_topic = np.array([[1.0, 0.0], [0.5, 0.5]])
    topic_theme = np.array([[0.8, 0.0, 0.0], [0.0, 0.6, 0.2]])
    doc_cluster = np.array([1, 0])
    cluster_theme = np.array([[0.4, 0.0, 0.0], [0.0, 0.2, 1.0]])
    table = assign_themes(
        THREE, IDS[:2], evidence, ThemeRule(), doc_topic, topic_theme, doc_cluster, cluster_theme, scorer=BY_SEEDS
    )
    assert set(table.parts) == set(FEATURES)
    expected = theme_features(evidence, doc_topic @ topic_theme, cluster_theme[doc_cluster])
    for name in FEATURES:
        np.testing.assert_array_equal(table.parts[name], expected[name], err_msg=name)
    np.testing.assert_allclose(table.parts["topic"], [[0.8, 0.0, 0.0], [0.4, 0.3, 0.1]])
    np.testing.assert_array_equal(table.parts["cluster"], [[0.0, 0.2, 1.0], [0.4, 0.0, 0.0]])
    np.testing.assert_array_equal(table.parts["title_seed"], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(table.parts["seeds"], [[math.log(2), 0.0, 0.0], [0.0, math.log(4), 0.0]])


def test_missing_kinds_of_evidence_leave_their_features_out() -> None:
    evidence = evidence_of([[1, 0, 0]])
    doc_topic, topic_theme = np.array([[1.0]]), np.array([[1.0, 0.0, 0.0]])
    table = assign_themes(THREE, ("p0",), evidence, ThemeRule(), doc_topic, topic_theme, scorer=BY_SEEDS)
    assert set(table.parts) == {*PAPER_FEATURES, "topic"}
    assert table.cluster_theme is None
    # topic scores without the papers' topic proportions are no evidence either
    alone = assign_themes(THREE, ("p0",), evidence, ThemeRule(), topic_theme=topic_theme, scorer=BY_SEEDS)
    assert set(alone.parts) == set(PAPER_FEATURES)
    with_cluster = SCORERS[frozenset({"topic", "cluster"})]
    with pytest.raises(ValueError, match=re.escape("['cluster']")):
        assign_themes(THREE, ("p0",), evidence, ThemeRule(), doc_topic, topic_theme, scorer=with_cluster)


def test_assign_themes_uses_the_shipped_scorer_for_the_evidence_available() -> None:
    evidence = evidence_of([[3, 0, 1], [0, 0, 0]], title_seeds=[[1, 0, 0], [0, 0, 0]])
    doc_topic = np.array([[0.7, 0.3], [0.1, 0.9]])
    topic_theme = np.array([[0.9, 0.0, 0.1], [0.0, 0.5, 0.0]])
    doc_cluster = np.array([0, 1])
    cluster_theme = np.array([[0.6, 0.0, 0.0], [0.0, 0.3, 0.3]])
    topic, cluster = doc_topic @ topic_theme, cluster_theme[doc_cluster]
    rule = ThemeRule()
    for kinds, kwargs in (
        (frozenset(), {}),
        (frozenset({"topic"}), {"doc_topic": doc_topic, "topic_theme": topic_theme}),
        (frozenset({"cluster"}), {"doc_cluster": doc_cluster, "cluster_theme": cluster_theme}),
        (frozenset({"topic", "cluster"}), {"doc_topic": doc_topic, "topic_theme": topic_theme,
                                           "doc_cluster": doc_cluster, "cluster_theme": cluster_theme}),
    ):
        table = assign_themes(THREE, IDS[:2], evidence, rule, **kwargs)
        features = theme_features(
            evidence, topic if "topic" in kinds else None, cluster if "cluster" in kinds else None
        )
        expected = np.round(SCORERS[kinds].score(features), 6)
        np.testing.assert_array_equal(table.scores, expected, err_msg=str(sorted(kinds)))
        np.testing.assert_array_equal(table.assigned, expected >= rule.threshold, err_msg=str(sorted(kinds)))
    # three seed matches of one theme, one of them in the title, and nothing else: assigned by the paper scorer
    paper_only = assign_themes(THREE, IDS[:2], evidence, rule)
    assert paper_only.paper_themes(0)[0][0] == "a" and paper_only.paper_themes(1) == []


def test_assign_themes_evidence_terms() -> None:
    terms = [[["reward", "policy"], ["graph"], []], [[], [], []]]
    evidence = evidence_of([[2, 1, 0], [0, 0, 0]], title_seeds=[[1, 0, 0], [0, 0, 0]], terms=terms)
    doc_topic = np.array([[1.0, 0.0], [0.2, 0.8]])
    topic_theme = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    scorer = ThemeScorer({"title_seed": 4.0, "topic": 4.0}, -2.0)
    # a title seed: sigmoid(-2 + 4) = 0.880797; topic share 0.8: sigmoid(-2 + 3.2) = 0.768525; neither: 0.119203
    rule = ThemeRule(threshold=0.5)
    table = assign_themes(THREE, ("p0", "p1"), evidence, rule, doc_topic, topic_theme, scorer=scorer)
    assert table.paper_themes(0) == [("a", 0.880797)]
    assert table.paper_themes(1) == [("c", 0.768525)]
    # paper terms are kept as found, also for a theme that is not assigned ("graph" for b)
    assert table.evidence[0] == (("reward", "policy"), ("graph",), ())
    # assigned through its topic alone: the paper's dominant topic is the evidence; unassigned themes get none
    assert table.evidence[1] == ((), (), ("topic 1",))


def test_assign_themes_without_topics_has_no_topic_evidence() -> None:
    evidence = evidence_of([[0, 0, 0]])
    table = assign_themes(THREE, ("p0",), evidence, ThemeRule(threshold=0.5), scorer=ThemeScorer({}, 1.0))
    assert table.assigned.all()  # sigmoid(1) = 0.731059 for every theme
    assert table.evidence[0] == ((), (), ())


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
        ThemeDefinition(id="reinforcement-learning", label="RL", description="Agents.",
                        seeds=("reinforcement learning", "policy"), exclude=("policy makers",), related=("agent",)),
        ThemeDefinition(id="vision", label="Vision", seeds=("image",)),
    )
    assert [t.threshold for t in themes] == [None, None]


def test_a_theme_may_set_its_own_threshold(tmp_path: Path) -> None:
    path = write_themes(
        tmp_path,
        "themes:\n  - id: a\n    label: A\n    seeds: [x]\n    threshold: 0.6\n"
        "  - id: b\n    label: B\n    seeds: [y]\n    threshold: 0\n  - id: c\n    label: C\n    seeds: [z]\n",
    )
    assert [t.threshold for t in load_theme_definitions(path)] == [0.6, 0.0, None]
    # appended last: positional construction as before still works
    assert ThemeDefinition("a", "A", "", ("x",), "", (), ()).threshold is None
    assert ThemeDefinition("a", "A", "", ("x",), "", (), (), 0.5).threshold == 0.5


@pytest.mark.parametrize("value", ["1.5", "-0.1", "true", "high", ".nan", "[0.5]"])
def test_a_theme_threshold_out_of_range_is_an_error_naming_its_key_path(tmp_path: Path, value: str) -> None:
    path = write_themes(
        tmp_path,
        f"themes:\n  - id: a\n    label: A\n    seeds: [x]\n  - id: b\n    label: B\n    seeds: [y]\n    threshold: {value}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_theme_definitions(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: themes -> 1 -> threshold: ")
    assert "a theme's threshold is a score from 0 to 1, like themes.threshold" in message
    assert message.endswith(")") and "(got " in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes:\n  - id: rl\n    label: RL\n    seeds: [a]\n    seedz: [b]\n",
         "unknown key 'themes -> 0 -> seedz'; allowed: id, label, short, description, seeds, related, exclude, against, threshold"),
        ("themes:\n  - id: rl\n    label: RL\n    seeds: [a]\nextra: 1\n",
         "unknown key 'extra'; allowed: profile, themes"),
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
        evidence = paper_evidence(lexicon, [segments(tokenizer, text)], [[]])
        assert ids[int(np.argmax(evidence.raw[0]))] == theme_id, text


def test_shipped_themes_and_scorer_on_example_papers(tokenizer: Tokenizer) -> None:
    """End to end on title + abstract alone: the shipped themes, the shipped paper scorer, the default rule."""
    themes = load_theme_definitions(THEMES_FILE)
    lexicon, _ = build_lexicon(themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words)
    papers = [
        ("Offline reinforcement learning with conservative policies",
         "We learn policies from logged reward data without interacting with the environment."),
        ("Denoising diffusion models for image synthesis",
         "Diffusion models generate high quality samples; we improve the sampler of the diffusion model."),
        ("Brain-inspired learning rules for deep networks",
         "We propose a brain-inspired local learning rule that trains deep networks without backpropagation."),
        ("Decoding the human brain from fMRI",
         "We decode brain activity recorded with fMRI in the visual cortex of human subjects."),
        ("Brain MRI segmentation", "We segment brain tumors in brain MRI scans."),
    ]
    texts = [segments(tokenizer, f"{title}. {abstract}") for title, abstract in papers]
    evidence = paper_evidence(lexicon, texts, [segments(tokenizer, title) for title, _ in papers])
    table = assign_themes(themes, [f"p{i}" for i in range(len(papers))], evidence, ThemeRule())
    assert [table.primary_theme(i) for i in range(4)] == [
        "reinforcement-learning", "generative-models", UNASSIGNED, "neuroscience"
    ]
    assert "neuroscience" not in dict(table.paper_themes(4))
    neuro = table.theme_ids.index("neuroscience")
    assert table.evidence[3][neuro] == ("fmri", "human brain", "brain activity", "visual cortex")


def test_every_shipped_theme_term_can_match(tokenizer: Tokenizer) -> None:
    """Every term of the shipped file matches as written (on theme tokens: see test_theme_terms.py)."""
    _, dropped = build_lexicon(load_theme_definitions(THEMES_FILE), tokenizer)
    assert [str(u) for u in dropped] == []


def test_terms_that_lose_a_content_word_are_dropped_and_reported(tokenizer: Tokenizer) -> None:
    """As corpus tokens (``build_lexicon`` given ``tokenize_phrase``, the form theme_suggest uses), a term losing a
    content word is dropped; as theme tokens (given the tokenizer, as a run builds it) no word is lost."""
    themes = [theme("rl", seeds=("deep q-network", "markov decision process", "neurons in the brain"))]
    lexicon, dropped = build_lexicon(themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words)
    # "q" is too short: "deep network" would match far more
    assert [(u.theme, u.kind, u.term, u.reason) for u in dropped] == [("rl", "seeds", "deep q-network", "tokenisation loses 'q'")]
    # "process" ends in "s": no plural form for it
    assert set(lexicon.entries) == {("markov", "decision", "process"), ("neuron", "brain"), ("neuron", "brains")}
    lexicon, dropped = build_lexicon(themes, tokenizer)
    assert dropped == ()
    assert set(lexicon.entries) == {
        ("deep", "q", "network"), ("deep", "q", "networks"), ("markov", "decision", "process"),
        ("neuron", "in", "the", "brain"), ("neuron", "in", "the", "brains"),
    }
