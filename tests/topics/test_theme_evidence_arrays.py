"""Theme evidence on :class:`TokenArrays` (``paper_evidence_arrays``, ``scan_arrays``): the same result as the
segment scanner (``ThemeLexicon.scan`` through ``paper_evidence``), on the shipped themes over real abstracts
and on hand-made edge cases (breaks, text boundaries, overlapping n-grams, exclude spans, empty texts)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from preprocessing.token_arrays import BREAK, TokenArrays
from tests.topics.helpers import PROJECT_ROOT, THEMES_FILE
from topics.config import RunConfig
from topics.pipeline.corpus_stage import build_tokenizer
from topics.themes import lexicon as theme_lexicon
from topics.themes.definitions import load_theme_definitions
from topics.themes.lexicon import RELATED_WEIGHT, SEED_WEIGHT, ThemeLexicon, build_lexicon
from topics.themes.lexicon_scan import scan_arrays
from topics.themes.scoring import MAX_EVIDENCE, PaperEvidence, paper_evidence, paper_evidence_arrays

SAMPLE = PROJECT_ROOT / "data" / "ml-abstracts-sample.parquet"
FIELDS = ("title_seeds", "seeds", "distinct_seeds", "related")


def assert_same(fast: PaperEvidence, slow: PaperEvidence) -> None:
    for field in FIELDS:
        a, b = getattr(fast, field), getattr(slow, field)
        assert a.shape == b.shape and a.dtype == b.dtype, field
        assert np.array_equal(a, b), field
    assert fast.terms == slow.terms


def check(lexicon: ThemeLexicon, texts: TokenArrays, titles: TokenArrays | None = None) -> PaperEvidence:
    """``paper_evidence_arrays`` equals the segment implementation; returns the evidence."""
    titles = titles if titles is not None else TokenArrays.from_segments([[] for _ in range(len(texts))])
    fast = paper_evidence_arrays(lexicon, texts, titles)
    assert_same(fast, paper_evidence(lexicon, texts.to_segments(), titles.to_segments()))
    # and per text, the flat hits are what scan() finds
    hits = scan_arrays(lexicon, texts)
    for doc in range(len(texts)):
        rows = np.flatnonzero(hits.doc == doc)
        flat = [(hits.grams[g], t, w) for g, t, w in zip(hits.gram[rows], hits.theme[rows], hits.weight[rows])]
        expected = [(gram, t, w) for gram, hit in lexicon.scan(texts.segments(doc)) for t, w in hit.items()]
        assert flat == expected, doc
    return fast


def arrays(words: Sequence[str], docs: Sequence[Sequence[str | None]]) -> TokenArrays:
    """TokenArrays built by hand: each text a list of words, ``None`` a break; no break is added anywhere."""
    index = {w: i for i, w in enumerate(words)}
    codes = [BREAK if t is None else index[t] for doc in docs for t in doc]
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    return TokenArrays(codes=np.asarray(codes, dtype=np.int32), offsets=offsets, words=list(words))


# ------------------------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def ml_lexicon() -> ThemeLexicon:
    tokenizer = build_tokenizer(RunConfig())
    themes = load_theme_definitions(THEMES_FILE)
    lexicon, _ = build_lexicon(
        themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words, tokenizer.phrase_segments
    )
    return lexicon


def test_equal_to_the_segment_scan_on_real_abstracts(ml_lexicon: ThemeLexicon) -> None:
    papers = pd.read_parquet(SAMPLE).iloc[:400]
    tokenizer = build_tokenizer(RunConfig())
    texts = tokenizer.arrays((papers["title"] + ". " + papers["abstract"]).tolist())
    titles = tokenizer.arrays(papers["title"].tolist())
    evidence = check(ml_lexicon, texts, titles)
    # the sample really exercises the lexicon: seeds, related terms, title seeds and evidence lists
    assert evidence.seeds.sum() > 250 and evidence.related.sum() > 100 and evidence.title_seeds.sum() > 50
    assert max(len(t) for row in evidence.terms for t in row) == MAX_EVIDENCE
    # paper_evidence itself takes the arrays path, given arrays (both, or either one)
    assert_same(paper_evidence(ml_lexicon, texts, titles), evidence)
    assert_same(paper_evidence(ml_lexicon, texts, titles.to_segments()), evidence)
    assert_same(paper_evidence(ml_lexicon, texts.to_segments(), titles), evidence)


def test_equal_on_a_subset_with_its_own_word_codes(ml_lexicon: ThemeLexicon) -> None:
    papers = pd.read_parquet(SAMPLE).iloc[400:600]
    tokenizer = build_tokenizer(RunConfig())
    texts = tokenizer.arrays((papers["title"] + ". " + papers["abstract"]).tolist())
    titles = tokenizer.arrays(papers["title"].tolist())
    order = np.arange(len(papers))[::-3]
    check(ml_lexicon, texts.select(order), titles.select(order))
    # the same texts and titles sharing one word list
    both = TokenArrays.concat([texts, titles])
    check(ml_lexicon, both.select(np.arange(len(papers))), both.select(np.arange(len(papers), 2 * len(papers))))


# ------------------------------------------------------------------------------------------------ edge cases


def lexicon_of(
    entries: dict[tuple[str, ...], dict[int, float]],
    excludes: dict[tuple[str, ...], frozenset[int]] | None = None,
    n_themes: int = 2,
) -> ThemeLexicon:
    excludes = excludes or {}
    grams = [*entries, *excludes]
    return ThemeLexicon(
        n_themes=n_themes,
        entries=entries,
        excludes=excludes,
        names={g: " ".join(g) for g in grams},
        max_len=max(len(g) for g in grams),
        first_tokens=frozenset(g[0] for g in entries),
    )


LEXICON = lexicon_of(
    {
        ("x",): {0: SEED_WEIGHT},
        ("x", "y"): {0: SEED_WEIGHT, 1: RELATED_WEIGHT},
        ("y", "z"): {1: SEED_WEIGHT},
        ("p", "q", "r"): {0: RELATED_WEIGHT},
        ("q",): {1: RELATED_WEIGHT},
        ("q", "r"): {1: SEED_WEIGHT},
        ("net",): {0: SEED_WEIGHT, 1: RELATED_WEIGHT},
        ("deep", "net"): {1: SEED_WEIGHT},
    },
    {("neural", "net"): frozenset({0}), ("net",): frozenset({1}), ("deep", "net", "work"): frozenset({1})},
)
WORDS = ("x", "y", "z", "p", "q", "r", "net", "deep", "neural", "work", "other")


def test_a_gram_at_the_end_of_a_segment_and_of_a_text() -> None:
    texts = arrays(WORDS, [["other", "x", "y", None, "other", "x", "y"], ["p", "q", "r"]])
    evidence = check(LEXICON, texts)
    assert evidence.seeds[0].tolist() == [2, 0] and evidence.related[0].tolist() == [0, 2]
    assert evidence.related[1].tolist() == [1, 0] and evidence.terms[1] == [["p q r"], []]


def test_a_gram_never_matches_across_a_break() -> None:
    texts = arrays(WORDS, [["x", None, "y", "z"], ["p", "q", None, "r"]])
    evidence = check(LEXICON, texts)
    assert evidence.terms[0] == [["x"], ["y z"]]  # "x y" is cut by the break: "x" alone, then "y z"
    assert evidence.terms[1] == [[], ["q"]]
    # a break at the start, two in a row and one at the very end
    check(LEXICON, arrays(WORDS, [[None, "x", "y", None, None, "q", "r", None]]))


def test_overlapping_grams_resolve_longest_first_left_to_right() -> None:
    # "x y z": "x y" is taken at x (longest there), so "y z" never starts; "y z" alone is taken
    texts = arrays(WORDS, [["x", "y", "z"], ["other", "y", "z"], ["p", "q", "r", "p", "q", "x"]])
    evidence = check(LEXICON, texts)
    assert evidence.terms[0] == [["x y"], ["x y"]]
    assert evidence.terms[1] == [[], ["y z"]]
    # "p q r" wins over "q r" inside it; then "p q" is no gram: "q" alone, then "x" (a seed: before "p q r")
    assert evidence.terms[2] == [["x", "p q r"], ["q"]]


def test_exclude_spans_mask_partial_overlaps_only() -> None:
    texts = arrays(WORDS, [
        ["neural", "net"],  # exclude "neural net" overlaps the match "net" partly: no theme 0
        ["deep", "net"],  # exclude "net" lies inside the match "deep net": still theme 1
        ["net", "other"],  # exclude "net" is the match itself (inside): both themes stay
        ["deep", "net", "work"],  # exclude "deep net work" contains the match "deep net": masks theme 1
        ["neural", None, "net"],  # the exclude is cut by a break: "net" keeps theme 0
    ])
    evidence = check(LEXICON, texts)
    assert evidence.terms[0] == [[], ["net"]]
    assert evidence.terms[1] == [[], ["deep net"]]
    assert evidence.terms[2] == [["net"], ["net"]]
    assert evidence.terms[3] == [[], []] and evidence.seeds[3].tolist() == [0, 0]
    assert evidence.terms[4] == [["net"], ["net"]]


def test_a_masked_match_still_consumes_its_tokens() -> None:
    lexicon = lexicon_of({("a", "b"): {0: SEED_WEIGHT}, ("b",): {1: SEED_WEIGHT}}, {("z", "a"): frozenset({0})})
    texts = arrays(("z", "a", "b"), [["z", "a", "b"], ["a", "b"]])
    evidence = check(lexicon, texts)
    assert evidence.terms == [[[], []], [["a b"], []]]  # "a b" masked in text 0, and "b" is not scanned again


def test_grams_never_match_across_texts_and_empty_texts_are_kept() -> None:
    texts = arrays(WORDS, [[], ["x"], ["y", "z"], [], ["p"], ["q", "r"], []])  # no breaks at all
    evidence = check(LEXICON, texts)
    assert evidence.terms == [[[], []], [["x"], []], [[], ["y z"]], [[], []], [[], []], [[], ["q r"]], [[], []]]
    assert evidence.seeds.shape == (7, 2)
    # no texts at all, and only empty texts
    assert check(LEXICON, arrays(WORDS, [])).seeds.shape == (0, 2)
    assert check(LEXICON, TokenArrays.from_segments([[], [[]]])).terms == [[[], []], [[], []]]


def test_titles_count_title_seeds_and_lift_evidence() -> None:
    texts = TokenArrays.from_segments([[["q", "other", "x"]], [["net"]]])
    titles = TokenArrays.from_segments([[["x"]], [["neural", "net"]]])  # its own word codes
    evidence = check(LEXICON, texts, titles)
    assert evidence.title_seeds.tolist() == [[1, 0], [0, 0]]  # title "neural net": "net" masked for theme 0


def test_phrase_tokens_are_split_into_words() -> None:
    texts = TokenArrays.from_segments([[["other", "x_y", "z"], ["p_q_r"]], [["deep_net_work"]]])
    evidence = check(LEXICON, texts)
    assert evidence.terms[0] == [["x y", "p q r"], ["x y"]]


def test_grams_longer_than_max_len_or_without_first_token_never_match() -> None:
    lexicon = ThemeLexicon(
        n_themes=1,
        entries={("a",): {0: SEED_WEIGHT}, ("b", "c"): {0: SEED_WEIGHT}, ("a", "b", "c"): {0: RELATED_WEIGHT}},
        excludes={},
        names={("a",): "a", ("b", "c"): "b c", ("a", "b", "c"): "a b c"},
        max_len=2,
        first_tokens=frozenset({"a"}),
    )
    evidence = check(lexicon, TokenArrays.from_segments([[["a", "b", "c"]], [["b", "c"]]]))
    assert evidence.terms == [[["a"]], [[]]]


def test_evidence_keeps_the_strongest_terms_by_name() -> None:
    # two forms with one name (like a seed and its plural) count as one evidence term, at their best strength
    names = {("m",): "m", ("ms",): "m", **{(w,): w for w in "abcdefg"}}
    entries = {g: {0: SEED_WEIGHT if g[0] in {"m", "ms", "a", "b", "c"} else RELATED_WEIGHT} for g in names}
    lexicon = ThemeLexicon(1, entries, {}, names, 1, frozenset(g[0] for g in entries))
    texts = TokenArrays.from_segments([[["g", "f", "e", "d", "ms", "c", "b", "a", "m", "m", "a"]]])
    titles = TokenArrays.from_segments([[["b", "g"]]])
    evidence = check(lexicon, texts, titles)
    # "b" (title) first; "m" (twice as "m", once as "ms": the best form, not the sum) ties "a" and sorts after it;
    # it is shown as its first match has it: "ms"
    assert evidence.terms == [[["b", "a", "ms", "c", "g"]]]
    assert evidence.distinct_seeds.tolist() == [[5]]


def test_one_title_per_text() -> None:
    with pytest.raises(ValueError, match="2 texts but 1 titles"):
        paper_evidence_arrays(LEXICON, arrays(WORDS, [["x"], ["y"]]), arrays(WORDS, [["x"]]))


@pytest.mark.parametrize("seed", range(40))
def test_random_texts_and_lexicons(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    if seed % 2:  # the trie's steps as sorted keys instead of dense tables (what a huge lexicon gets)
        monkeypatch.setattr(theme_lexicon._GramTrie, "DENSE_LIMIT", 0)
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(8)] + ["u_v", "w0_w1"]
    lexicon_words = [f"w{i}" for i in range(8)] + ["u", "v", "missing"]
    n_themes = rng.randint(1, 4)

    def gram() -> tuple[str, ...]:
        return tuple(rng.choice(lexicon_words) for _ in range(rng.choice((1, 1, 2, 2, 3, 4))))

    entries: dict[tuple[str, ...], dict[int, float]] = {}
    for _ in range(rng.randint(1, 14)):
        themes = rng.sample(range(n_themes), rng.randint(1, n_themes))
        entries[gram()] = {t: rng.choice((SEED_WEIGHT, RELATED_WEIGHT)) for t in themes}
    excludes = {
        gram(): frozenset(rng.sample(range(n_themes), rng.randint(0, n_themes))) for _ in range(rng.randint(0, 5))
    }
    lexicon = lexicon_of(entries, excludes, n_themes)
    if seed % 5 == 0:  # a scanner that does not try its longest n-grams
        shorter = max(1, lexicon.max_len - 1)
        lexicon = ThemeLexicon(n_themes, entries, excludes, lexicon.names, shorter, lexicon.first_tokens)

    def doc() -> list[str | None]:
        return [None if rng.random() < 0.12 else rng.choice(words) for _ in range(rng.randint(0, 40))]

    n_docs = rng.randint(0, 12)
    texts = arrays(words, [doc() for _ in range(n_docs)])
    titles = arrays(words, [doc()[:8] for _ in range(n_docs)])
    check(lexicon, texts, titles)
