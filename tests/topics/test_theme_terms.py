"""Theme terms match what the themes file says, on the real tokenizer (spaCy ``blank("en")`` + lookup lemmas,
the default stop words): stop words, short words and acronyms inside a term are kept and must be in the text;
hyphens match hyphens or spaces, never a shorter form that lost a word; a term that cannot match is reported
whole with its reason; evidence shows the words as the paper wrote them. The corpus tokens (what the models
see) are unchanged by the theme tokens taken beside them."""

from __future__ import annotations

import pickle
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from preprocessing.nlp import SURFACE_SEP, Tokenizer, TokenizerSettings, build_stop_words, split_theme_word
from tests.topics.helpers import PROJECT_ROOT, THEMES_FILE
from topics.config import DEFAULT_THEMES_FILE
from topics.results import ThemeDefinition
from topics.themes.definitions import load_domain_profile, load_theme_definitions
from topics.themes.lexicon import SEED_WEIGHT, ThemeLexicon, Unmatchable, build_lexicon
from topics.themes.lexicon_scan import scan_arrays
from topics.themes.scoring import paper_evidence

SAMPLE = PROJECT_ROOT / "data" / "ml-abstracts-sample.parquet"


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    """The corpus tokenizer with the default settings ("large", "in", "few" ... are stop words)."""
    return Tokenizer(TokenizerSettings(stop_words=build_stop_words(load_domain_profile(DEFAULT_THEMES_FILE).stop_words, ())))


def theme(id_: str, seeds: tuple[str, ...] = (), related: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> ThemeDefinition:
    return ThemeDefinition(id=id_, label=id_.title(), seeds=seeds, related=related, exclude=exclude)


def matches(tokenizer: Tokenizer, lexicon: ThemeLexicon, text: str) -> list[str]:
    """The words each match of ``text`` matched, as written (theme tokens, as a run scans them); the scan of the
    arrays and the scan of the segments agree."""
    arrays = tokenizer.theme_arrays([text])
    hits = scan_arrays(lexicon, arrays)
    found = [hits.surfaces[s] for s in hits.surface.tolist()]
    assert found == [surface for _, hit, surface in lexicon.scan_with_surface(arrays.segments(0)) for _ in hit]
    return found


def lexicon_of(tokenizer: Tokenizer, *seeds: str) -> ThemeLexicon:
    lexicon, unmatchable = build_lexicon([theme("t", seeds=seeds)], tokenizer)
    assert unmatchable == ()
    return lexicon


# ------------------------------------------------------------------------------------ stop words stay


def test_large_language_model_needs_large(tokenizer: Tokenizer) -> None:
    assert "large" in tokenizer.settings.stop_words  # the corpus drops it...
    assert tokenizer.tokenize_phrase("large language models") == ["language", "model"]
    lexicon = lexicon_of(tokenizer, "large language model")
    assert set(lexicon.entries) == {("large", "language", "model"), ("large", "language", "models")}
    # ...the theme scan does not
    assert matches(tokenizer, lexicon, "Large language models are few-shot learners.") == ["large language models"]
    assert matches(tokenizer, lexicon, "A large language model.") == ["large language model"]
    assert matches(tokenizer, lexicon, "Language models are few-shot learners.") == []
    assert matches(tokenizer, lexicon, "Many language models; the language model.") == []
    assert matches(tokenizer, lexicon, "Larger language models") == []  # "large" as written, not "larger"
    assert matches(tokenizer, lexicon, "large, language models") == []  # punctuation cuts


def test_stop_words_inside_a_term_must_be_in_the_text(tokenizer: Tokenizer) -> None:
    lexicon = lexicon_of(tokenizer, "inspired by the brain", "learning to rank")
    assert matches(tokenizer, lexicon, "Models inspired by the brain learn to rank.") == ["inspired by the brain"]
    assert matches(tokenizer, lexicon, "Inspired by brain data") == []
    assert matches(tokenizer, lexicon, "Learning to rank documents, learning rank") == ["learning to rank"]


# ------------------------------------------------------------------------------ acronyms and short words


def test_ai_safety_matches(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokenize_phrase("AI safety") == ["safety"]  # the lookup lemma of "ai" is "have", a stop word
    lexicon = lexicon_of(tokenizer, "AI safety")
    assert set(lexicon.entries) == {("ai", "safety"), ("ai", "safetys")}
    assert matches(tokenizer, lexicon, "Towards AI safety via debate") == ["ai safety"]
    assert matches(tokenizer, lexicon, "Concrete problems in AI Safety.") == ["ai safety"]
    assert matches(tokenizer, lexicon, "Safety of reinforcement learning") == []


def test_gpt_4_matches(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokenize_phrase("GPT-4") == []  # not alphabetic: the corpus drops it
    lexicon = lexicon_of(tokenizer, "GPT-4")
    assert set(lexicon.entries) == {("gpt-4",)}
    assert matches(tokenizer, lexicon, "We evaluate GPT-4 on math.") == ["gpt-4"]
    assert matches(tokenizer, lexicon, "Models (GPT-4, Llama) and GPT-4's answers") == ["gpt-4", "gpt-4"]
    assert matches(tokenizer, lexicon, "GPT-3 and GPT 4") == []


@pytest.mark.parametrize("acronym, text", [("RL", "Deep RL for robots"), ("GAN", "A GAN and two GANs"), ("LLM", "LLMs as judges")])
def test_short_acronyms_match_even_when_min_token_length_drops_them(acronym: str, text: str) -> None:
    strict = Tokenizer(TokenizerSettings(stop_words=build_stop_words(load_domain_profile(DEFAULT_THEMES_FILE).stop_words, ()), min_token_length=4))
    assert strict.tokenize_phrase(acronym) == []  # shorter than min_token_length=4: not in the models' vocabulary
    lexicon = lexicon_of(strict, acronym)
    assert len(matches(strict, lexicon, text)) == text.lower().count(acronym.lower())


# ------------------------------------------------------------------------------------------- hyphens


def test_in_context_learning_never_matches_context_learning(tokenizer: Tokenizer) -> None:
    lexicon = lexicon_of(tokenizer, "in-context learning")
    assert set(lexicon.entries) == {("in", "context", "learning"), ("in", "context", "learnings")}
    assert matches(tokenizer, lexicon, "In-context learning emerges.") == ["in-context learning"]
    assert matches(tokenizer, lexicon, "Learning in context learning tasks") == ["in context learning"]
    assert matches(tokenizer, lexicon, "Context learning of robots") == []
    assert matches(tokenizer, lexicon, "A study of context learning") == []
    # the spaced term matches the hyphenated text too
    assert matches(tokenizer, lexicon_of(tokenizer, "in context learning"), "In-context learning") == ["in-context learning"]


@pytest.mark.parametrize(
    "term, text, found",
    [
        ("q-learning", "Deep Q-learning and Q learning beat learning.", ["q-learning", "q learning"]),
        ("actor-critic", "Actor-critic and actor critic methods; an actor.", ["actor-critic", "actor critic"]),
        ("few-shot learning", "Few-shot learning, zero-shot learning, shot learning", ["few-shot learning"]),
        ("state-of-the-art", "a state-of-the-art model, the state of the art, the state art", ["state-of-the-art", "state of the art"]),
    ],
)
def test_hyphenated_terms(tokenizer: Tokenizer, term: str, text: str, found: list[str]) -> None:
    assert matches(tokenizer, lexicon_of(tokenizer, term), text) == found


# ------------------------------------------------------------------------------------- unmatchable terms


def test_unmatchable_terms_are_reported_whole_with_their_reason(tokenizer: Tokenizer) -> None:
    themes = [
        theme("policy", seeds=("U.S. policy", "policy gradient", "AI safety"), related=("the",)),
        theme("odd", seeds=("---", "graph"), exclude=("e.g. graphs", "R&D", "(VAE)")),
    ]
    lexicon, unmatchable = build_lexicon(themes, tokenizer)
    assert all(isinstance(u, Unmatchable) for u in unmatchable)
    assert [str(u) for u in unmatchable] == [
        '"U.S. policy" (policy seeds): "." inside it is punctuation, where text is cut, so it can never match as one '
        "phrase; write it without",
        '"the" (policy related): it is a single stop word, which would match almost any text; write a longer term',
        '"---" (odd seeds): it has no letter or digit to match',
    ]
    assert (unmatchable[0].theme, unmatchable[0].kind, unmatchable[0].term) == ("policy", "seeds", "U.S. policy")
    # str() is the warning line; the stage cache keeps them (pickle) with their fields
    assert "; ".join(map(str, unmatchable)).count("(policy ") == 2
    again = pickle.loads(pickle.dumps(unmatchable))
    assert again == unmatchable and [u.reason for u in again] == [u.reason for u in unmatchable]
    # everything else matches as written, punctuation at the ends of a term aside
    assert ("policy", "gradient") in lexicon.entries and ("ai", "safety") in lexicon.entries
    assert {("e.g.", "graphs"), ("r&d",), ("vae",)} <= set(lexicon.excludes)


def test_every_unmatchable_term_is_reported(tokenizer: Tokenizer) -> None:
    seeds = tuple(f"term{k}, cut" for k in range(8)) + ("graph",)
    _, unmatchable = build_lexicon([theme("t", seeds=seeds)], tokenizer)
    assert [u.term for u in unmatchable] == list(seeds[:-1])  # all eight, in file order, none cut off
    assert all('"," inside it is punctuation' in u.reason for u in unmatchable)


def test_every_shipped_theme_term_matches_as_written(tokenizer: Tokenizer) -> None:
    _, unmatchable = build_lexicon(load_theme_definitions(THEMES_FILE), tokenizer)
    assert [str(u) for u in unmatchable] == []


# ------------------------------------------------------------------------------------------- evidence


def test_evidence_shows_the_words_the_paper_wrote(tokenizer: Tokenizer) -> None:
    themes = [theme("rl", seeds=("policy gradient", "q-learning", "gan"), related=("agent",))]
    lexicon, _ = build_lexicon(themes, tokenizer)
    title = "Policy gradients for GANs"
    text = f"{title}. Agents use policy gradient and Q-learning; a GAN."
    arrays = tokenizer.theme_arrays([text, title])
    found = [(hits.grams[g], hits.surfaces[s]) for hits in [scan_arrays(lexicon, arrays.slice(0, 1))]
             for g, s in zip(hits.gram.tolist(), hits.surface.tolist())]
    assert found == [
        (("policy", "gradient"), "policy gradients"), (("gans",), "gans"), (("agent",), "agents"),
        (("policy", "gradient"), "policy gradient"), (("q", "learning"), "q-learning"), (("gan",), "gan"),
    ]
    # the lexicon's names still group a term's forms under the term as written
    assert lexicon.names[("gans",)] == lexicon.names[("gan",)] == "gan"
    evidence = paper_evidence(lexicon, arrays.slice(0, 1), arrays.slice(1, 2))
    assert evidence.seeds[0, 0] == 5 and evidence.distinct_seeds[0, 0] == 4 and evidence.related[0, 0] == 1


# ------------------------------------------------------------------------ theme tokens beside the corpus's


def test_theme_tokens_leave_the_corpus_tokens_alone_and_match_them_position_for_position(tokenizer: Tokenizer) -> None:
    papers = pd.read_parquet(SAMPLE, columns=["title", "abstract"]).iloc[:300]
    texts = (papers["title"] + ". " + papers["abstract"]).tolist() + papers["title"].tolist()
    corpus, themes = tokenizer.arrays_with_themes(texts)
    plain = tokenizer.arrays(texts)
    assert np.array_equal(corpus.codes, plain.codes) and np.array_equal(corpus.offsets, plain.offsets)
    assert corpus.words == plain.words
    assert np.array_equal(themes.offsets, corpus.offsets) and len(themes.codes) == len(corpus.codes)
    kept = corpus.codes >= 0
    keys = np.asarray([split_theme_word(w)[0] for w in themes.words], dtype=object)
    assert (themes.codes[kept] >= 0).all()
    assert (keys[themes.codes[kept]] == np.asarray(corpus.words, dtype=object)[corpus.codes[kept]]).all()
    # the breaks left are punctuation and spaces; stop words and short words are theme tokens
    assert 1.7 * kept.sum() < (themes.codes >= 0).sum() < len(themes.codes)
    words = {split_theme_word(w)[0] for w in themes.words}
    assert {"the", "of", "large", "in"} <= words and not {",", ".", "("} & words
    assert all("_" not in w and "\n" not in w for w in themes.words)
    assert f"model{SURFACE_SEP}models" in themes.words
    # the pipe of a single text gives the same tokens as the block assembly
    assert themes.segments(5) == tokenizer.theme_arrays([texts[5]]).segments(0)


def test_shipped_lexicon_scans_theme_tokens_like_segments(tokenizer: Tokenizer) -> None:
    """scan_arrays over theme tokens equals the segment scan, on the shipped themes and real abstracts."""
    lexicon, _ = build_lexicon(load_theme_definitions(THEMES_FILE), tokenizer)
    papers = pd.read_parquet(SAMPLE, columns=["title", "abstract"]).iloc[300:500]
    arrays = tokenizer.theme_arrays((papers["title"] + ". " + papers["abstract"]).tolist())
    hits = scan_arrays(lexicon, arrays)
    assert len(hits.doc) > 1000
    for doc in range(len(arrays)):
        rows = np.flatnonzero(hits.doc == doc)
        flat = [(hits.grams[g], t, w, hits.surfaces[s]) for g, t, w, s in
                zip(hits.gram[rows], hits.theme[rows], hits.weight[rows], hits.surface[rows])]
        expected = [(gram, t, w, surface) for gram, hit, surface in lexicon.scan_with_surface(arrays.segments(doc))
                    for t, w in hit.items()]
        assert flat == expected, doc


def test_corpus_tokens_still_scan_without_the_terms_that_need_a_dropped_word(tokenizer: Tokenizer) -> None:
    lexicon = lexicon_of(tokenizer, "large language model", "policy gradient")
    corpus = tokenizer.arrays(["Large language models with policy gradients"])
    hits = scan_arrays(lexicon, corpus)
    assert [hits.grams[g] for g in hits.gram.tolist()] == [("policy", "gradient")]
    assert [hits.surfaces[s] for s in hits.surface.tolist()] == ["policy gradient"]  # lemmas: no surface form
    assert hits.weight.tolist() == [SEED_WEIGHT]


def surfaces_of(tokenizer: Tokenizer, terms: Sequence[str]) -> list[list[tuple[str | None, str]]]:
    return [tokenizer.term_tokens(t) for t in terms]


def test_term_tokens(tokenizer: Tokenizer) -> None:
    assert surfaces_of(tokenizer, ["In-context  learning", "AI safety", "GPT-4", "(VAE)"]) == [
        [("in", "in"), ("context", "context"), ("learning", "learning")],
        [("ai", "ai"), ("safety", "safety")],
        [("gpt-4", "gpt-4")],
        [(None, "("), ("vae", "vae"), (None, ")")],
    ]
    assert tokenizer.term_tokens("Policies") == [("policy", "policies")]
