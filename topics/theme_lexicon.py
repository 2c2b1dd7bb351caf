"""Theme terms as token n-grams, and a longest-match scanner over token segments.

Seed, related and exclude terms are tokenised like the corpus, so "policies" matches the seed "policy" and
the phrase token ``reinforcement_learning`` matches the seed "reinforcement learning". At each position the
longest known n-gram wins and consumes its tokens; an exclude term consumes its tokens for its theme without
counting as evidence (so "neural network" is not evidence of neuroscience through "neural").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from topics.results import ThemeDefinition

_WORD = re.compile(r"[^\W\d_]+")

#: Weight of a seed term's match; related terms count for less.
SEED_WEIGHT = 1.0
RELATED_WEIGHT = 0.35
#: Marks an exclude term while reading a themes file: not evidence of its theme where it occurs.
EXCLUDE = 0.0


@dataclass(frozen=True)
class ThemeLexicon:
    """All theme terms as token n-grams.

    ``entries[ngram] = {theme index: weight}`` for seed and related terms; ``excludes[ngram]`` is the set of
    themes for which that n-gram is not evidence. ``names[ngram]`` is the term as written in the themes file,
    for evidence; ``max_len`` is the longest n-gram.
    """

    n_themes: int
    entries: dict[tuple[str, ...], dict[int, float]]
    excludes: dict[tuple[str, ...], frozenset[int]]
    names: dict[tuple[str, ...], str]
    max_len: int
    first_tokens: frozenset[str] = frozenset()

    def scan(self, segments: Sequence[Sequence[str]]) -> list[tuple[tuple[str, ...], dict[int, float]]]:
        """Longest-match scan of ``segments``: the matched n-grams with the weights of the themes they count for.

        A match counts for no theme whose exclude term overlaps it without lying inside it ("neural network"
        masks "network" for neuroscience, yet "spiking neural network" still counts); matches left with no
        theme are omitted. Returns ``(ngram, {theme: weight})`` pairs in text order.
        """
        matches: list[tuple[tuple[str, ...], dict[int, float]]] = []
        entries, first = self.entries, self.first_tokens
        for segment in segments:
            tokens = _expand(segment)
            masks = self._exclude_spans(tokens) if self.excludes else []
            i, n = 0, len(tokens)
            while i < n:
                if tokens[i] not in first:
                    i += 1
                    continue
                for length in range(min(self.max_len, n - i), 0, -1):
                    gram = tuple(tokens[i : i + length])
                    hit = entries.get(gram)
                    if hit is not None:
                        if masks:
                            hit = _unmasked(hit, i, i + length, masks)
                        if hit:
                            matches.append((gram, hit))
                        i += length
                        break
                else:
                    i += 1
        return matches

    def _exclude_spans(self, tokens: Sequence[str]) -> list[tuple[int, int, frozenset[int]]]:
        spans = []
        for i in range(len(tokens)):
            for length in range(1, min(self.max_len, len(tokens) - i) + 1):
                themes = self.excludes.get(tuple(tokens[i : i + length]))
                if themes:
                    spans.append((i, i + length, themes))
        return spans


def _unmasked(hit: dict[int, float], start: int, end: int, masks: list[tuple[int, int, frozenset[int]]]) -> dict[int, float]:
    """``hit`` without the themes whose exclude spans overlap ``[start, end)`` without lying inside it."""
    blocked: set[int] = set()
    for m_start, m_end, themes in masks:
        overlaps = m_start < end and start < m_end
        inside = start <= m_start and m_end <= end
        if overlaps and not inside:
            blocked |= themes
    if not blocked:
        return hit
    return {theme: weight for theme, weight in hit.items() if theme not in blocked}


def _expand(segment: Sequence[str]) -> list[str]:
    """Split phrase tokens (``reinforcement_learning``) back into words so n-grams match them."""
    if not any("_" in t for t in segment):
        return list(segment)
    return [part for token in segment for part in token.split("_")]


def build_lexicon(
    themes: Sequence[ThemeDefinition],
    tokenize: Callable[[str], list[str]],
    stop_words: frozenset[str] = frozenset(),
    segment: Callable[[str], list[list[str]]] | None = None,
) -> tuple[ThemeLexicon, tuple[str, ...]]:
    """Tokenise every theme's terms with ``tokenize`` (the corpus's own tokenizer) into a :class:`ThemeLexicon`.

    A term is dropped when tokenisation loses one of its content words (a word not in ``stop_words``, e.g. the
    "q" of "q-learning": what is left would match more than the term means), or when a term of several words
    keeps a single token ("few-shot" -> "shot"), or when ``segment`` (the tokenizer's own split of running text)
    cuts it in two at a stop word ("inspired by the brain": it could never match as one n-gram). Each term also matches its plural (see :func:`_forms`). When a term is both a seed and a related term of one theme,
    the seed weight wins. Returns the lexicon and the dropped terms as ``"theme id: term"``.
    """
    entries: dict[tuple[str, ...], dict[int, float]] = {}
    excludes: dict[tuple[str, ...], set[int]] = {}
    names: dict[tuple[str, ...], str] = {}
    dropped: list[str] = []
    for index, theme in enumerate(themes):
        for terms, weight in ((theme.exclude, EXCLUDE), (theme.related, RELATED_WEIGHT), (theme.seeds, SEED_WEIGHT)):
            for term in terms:
                segments = segment(term) if segment is not None else [tokenize(term)]
                gram = tuple(tok for seg in segments for tok in seg)
                if len(segments) > 1 or not _keeps_meaning(term, gram, tokenize, stop_words):
                    dropped.append(f"{theme.id}: {term}")
                    continue
                for form in _forms(gram):
                    names.setdefault(form, term.lower())
                    if weight == EXCLUDE:
                        excludes.setdefault(form, set()).add(index)
                        continue
                    slot = entries.setdefault(form, {})
                    if slot.get(index, -1.0) < weight:
                        slot[index] = weight
    grams = [*entries, *excludes]
    lexicon = ThemeLexicon(
        n_themes=len(themes),
        entries=entries,
        excludes={g: frozenset(t) for g, t in excludes.items()},
        names=names,
        max_len=max((len(g) for g in grams), default=1),
        first_tokens=frozenset(g[0] for g in entries),
    )
    return lexicon, tuple(dropped)


def _forms(gram: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The n-gram and, when its last word has no final "s", its plural: the lookup lemmatizer leaves words it
    does not know as they are ("autoencoders", "gans", "mdps"), so a seed "autoencoder" must match those too."""
    last = gram[-1]
    if last.isalpha() and not last.endswith("s"):
        return (gram, (*gram[:-1], last + "s"))
    return (gram,)


def _keeps_meaning(term: str, gram: tuple[str, ...], tokenize: Callable[[str], list[str]], stop_words: frozenset[str]) -> bool:
    words = _WORD.findall(term.lower())
    if not gram or (len(gram) == 1 and len(words) > 1):
        return False
    return all(tokenize(word) or word in stop_words for word in words)
