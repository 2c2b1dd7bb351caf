"""Theme terms as token n-grams, and a longest-match scanner over token segments.

Terms are matched on *theme tokens* (:meth:`preprocessing.nlp.Tokenizer.arrays_with_themes`): the text's
tokens with nothing dropped but punctuation, each keyed by its corpus lemma where the corpus keeps it and by its
lowercase form where it does not (a stop word, a word shorter than ``min_token_length``, an alphanumeric such as
"gpt-4"). So "policies" matches the seed "policy", "large language model" matches only where "large" is
written before "language model" (although "large" is a stop word of the corpus), "AI safety" and "GPT-4" match
although the corpus drops "ai" and "gpt-4", and "in-context learning" matches "in-context learning" and "in
context learning" but never "context learning". A term is tokenised the same way
(:meth:`~preprocessing.nlp.Tokenizer.term_tokens`); a term that cannot match as written is left out and
reported with the reason (:class:`Unmatchable`).

At each position the longest known n-gram wins and consumes its tokens; an exclude term consumes its tokens for
its theme without counting as evidence (so "neural network" is not evidence of neuroscience through "neural").
Corpus tokens (lemmas only, a break at every dropped token; phrase tokens such as ``reinforcement_learning``
split back into their words) scan the same way, without the terms that need a dropped word. The same scan over
every text of token arrays at once, in numpy, is :func:`scan_arrays` (:mod:`topics.themes.lexicon_scan`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from preprocessing.nlp import Tokenizer
from topics.results import ThemeDefinition
from topics.themes.lexicon_scan import ArrayHits as ArrayHits
from topics.themes.lexicon_scan import _GramTrie as _GramTrie
from topics.themes.lexicon_scan import match_key, surface_text

_WORD = re.compile(r"[^\W\d_]+")

#: Weight of a seed term's match; related terms count for less.
SEED_WEIGHT = 1.0
RELATED_WEIGHT = 0.35
#: Marks an exclude term while reading a themes file: not evidence of its theme where it occurs.
EXCLUDE = 0.0


@dataclass(frozen=True)
class Unmatchable:
    """A term of a themes file that cannot match as written, so the lexicon leaves it out: the theme's id, the
    key the term is listed under (``seeds``, ``related``, ``exclude`` or ``against``), the term as written and why.
    ``str()`` is the line a warning shows: ``"U.S. policy" (policy seeds): <reason>``."""

    theme: str
    kind: str
    term: str
    reason: str

    def __str__(self) -> str:
        return f'"{self.term}" ({self.theme} {self.kind}): {self.reason}'


@dataclass(frozen=True)
class ThemeLexicon:
    """All theme terms as token n-grams.

    ``entries[ngram] = {theme index: weight}`` for seed and related terms; ``excludes[ngram]`` is the set of
    themes for which that n-gram is not evidence. ``names[ngram]`` is the term as written in the themes file
    (lowercase): evidence groups the matches of a term and its plural under it; ``max_len`` is the longest n-gram.
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
        theme are omitted. Returns ``(ngram, {theme: weight})`` pairs in text order. ``segments`` hold corpus
        tokens or theme tokens (words of theme token arrays, see :func:`match_key`).
        """
        return [(gram, hit) for gram, hit, _ in self.scan_with_surface(segments)]

    def scan_with_surface(
        self, segments: Sequence[Sequence[str]]
    ) -> list[tuple[tuple[str, ...], dict[int, float], str]]:
        """:meth:`scan`, each match with the words it matched as they are written in the text
        (:func:`surface_text`: "policy gradients" for the n-gram ``("policy", "gradient")``)."""
        matches: list[tuple[tuple[str, ...], dict[int, float], str]] = []
        entries, first = self.entries, self.first_tokens
        for segment in segments:
            words = _expand(segment)
            tokens = [match_key(w) for w in words]
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
                            matches.append((gram, hit, surface_text(words[i : i + length])))
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


def _unmasked(
    hit: dict[int, float], start: int, end: int, masks: list[tuple[int, int, frozenset[int]]]
) -> dict[int, float]:
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
    tokenize: Tokenizer | Callable[[str], list[str]],
    stop_words: frozenset[str] = frozenset(),
    segment: Callable[[str], list[list[str]]] | None = None,
) -> tuple[ThemeLexicon, tuple[Unmatchable, ...]]:
    """Tokenise every theme's terms into a :class:`ThemeLexicon`; returns it and the terms left out, in
    themes-file order, each an :class:`Unmatchable` with its reason.

    Given the run's :class:`~preprocessing.nlp.Tokenizer`, terms are tokenised as theme tokens
    (:meth:`~preprocessing.nlp.Tokenizer.term_tokens`) and keep every word as written, stop words and short
    words included: the lexicon is for scanning theme token arrays. A term is left out only when it cannot
    match as written or would match nearly anything: it has no letter or digit, punctuation inside it cuts it
    (text is cut there: "U.S. policy"), or it is one stop word ("the"). Punctuation at either end is ignored.

    Given a function instead (the corpus's own ``tokenize_phrase``, as before theme tokens existed), terms are
    corpus tokens, for scanning corpus tokens: a term is left out when tokenisation loses one of its content words
    (a word not in ``stop_words``, e.g. the "q" of "q-learning"), when a term of several words keeps a single token
    ("few-shot" -> "shot"), or when ``segment`` cuts it in two at a stop word ("inspired by the brain").

    Each term also matches its plural (see :func:`_forms`). When a term is both a seed and a related term of one
    theme, the seed weight wins.
    """
    def gram_of(term: str) -> tuple[tuple[str, ...], str]:
        if isinstance(tokenize, Tokenizer):
            return _theme_gram(term, tokenize)
        return _corpus_gram(term, tokenize, stop_words, segment)

    grams: dict[str, tuple[tuple[str, ...], str]] = {}
    dropped: list[Unmatchable] = []
    for theme in themes:  # in themes-file order, for the report
        for kind, terms in (("seeds", theme.seeds), ("related", theme.related), ("exclude", theme.exclude)):
            for term in terms:
                if term not in grams:
                    grams[term] = gram_of(term)
                if grams[term][1]:
                    dropped.append(Unmatchable(theme.id, kind, term, grams[term][1]))
    return _lexicon_of(themes, grams), tuple(dropped)


def _lexicon_of(
    themes: Sequence[ThemeDefinition], grams: dict[str, tuple[tuple[str, ...], str]]
) -> ThemeLexicon:
    """The lexicon of ``themes`` from the n-gram of every term (``grams[term]`` is ``(n-gram, "")``, or ``((),
    reason)`` for a term left out): each n-gram and its plural, with the weight of each theme listing it (the
    seed weight over the related weight) or in ``excludes``."""
    entries: dict[tuple[str, ...], dict[int, float]] = {}
    excludes: dict[tuple[str, ...], set[int]] = {}
    names: dict[tuple[str, ...], str] = {}
    for index, theme in enumerate(themes):
        for terms, weight in ((theme.exclude, EXCLUDE), (theme.related, RELATED_WEIGHT), (theme.seeds, SEED_WEIGHT)):
            for term in terms:
                gram, reason = grams[term]
                if reason:
                    continue
                for form in _forms(gram):
                    names.setdefault(form, term.lower())
                    if weight == EXCLUDE:
                        excludes.setdefault(form, set()).add(index)
                        continue
                    slot = entries.setdefault(form, {})
                    if slot.get(index, -1.0) < weight:
                        slot[index] = weight
    all_grams = [*entries, *excludes]
    return ThemeLexicon(
        n_themes=len(themes),
        entries=entries,
        excludes={g: frozenset(t) for g, t in excludes.items()},
        names=names,
        max_len=max((len(g) for g in all_grams), default=1),
        first_tokens=frozenset(g[0] for g in entries),
    )


def against_lexicon(
    themes: Sequence[ThemeDefinition], tokenizer: Tokenizer
) -> tuple[ThemeLexicon | None, tuple[Unmatchable, ...]]:
    """A lexicon of every theme's ``against`` terms (as its seeds), built like the theme lexicon
    (:func:`build_lexicon` with the run's tokenizer), or ``None`` when no theme has any; and the ``against`` terms
    that cannot match, with their reasons (kind ``"against"``)."""
    if not any(t.against for t in themes):
        return None, ()
    as_seeds = [ThemeDefinition(id=t.id, label=t.label, seeds=t.against) for t in themes]
    lexicon, dropped = build_lexicon(as_seeds, tokenizer)
    return lexicon, tuple(replace(d, kind="against") for d in dropped)


def _theme_gram(term: str, tokenizer: Tokenizer) -> tuple[tuple[str, ...], str]:
    """The n-gram of ``term`` as theme tokens, or ``((), reason)`` when it cannot match as written."""
    tokens = tokenizer.term_tokens(term)
    while tokens and tokens[0][0] is None:
        tokens = tokens[1:]
    while tokens and tokens[-1][0] is None:
        tokens = tokens[:-1]
    if not tokens:
        return (), "it has no letter or digit to match"
    cuts = [text for key, text in tokens if key is None]
    if cuts:
        listed = ", ".join(f'"{c}"' for c in dict.fromkeys(cuts))
        return (), (
            f"{listed} inside it is punctuation, where text is cut, so it can never match as one phrase; "
            "write it without"
        )
    gram = tuple(key for key, _ in tokens if key is not None)
    stop = tokenizer.settings.stop_words
    if len(gram) == 1 and (tokens[0][1] in stop or gram[0] in stop):
        return (), "it is a single stop word, which would match almost any text; write a longer term"
    return gram, ""


def _corpus_gram(
    term: str, tokenize: Callable[[str], list[str]], stop_words: frozenset[str],
    segment: Callable[[str], list[list[str]]] | None,
) -> tuple[tuple[str, ...], str]:
    """The n-gram of ``term`` as corpus tokens, or ``((), reason)`` (see :func:`build_lexicon`)."""
    segments = segment(term) if segment is not None else [tokenize(term)]
    gram = tuple(tok for seg in segments for tok in seg)
    if not gram:
        return (), "it tokenises to nothing"
    if len(segments) > 1:
        return (), "a stop word cuts it in two, so it can never match as one phrase"
    words = _WORD.findall(term.lower())
    if len(gram) == 1 and len(words) > 1:
        return (), f"of its {len(words)} words only {gram[0]!r} is left after tokenisation"
    lost = [w for w in words if not tokenize(w) and w not in stop_words]
    if lost:
        return (), f"tokenisation loses {', '.join(repr(w) for w in lost)}"
    return gram, ""


def _forms(gram: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The n-gram and, when its last word has no final "s", its plural: the lookup lemmatizer leaves words it
    does not know as they are ("autoencoders", "gans", "mdps"), so a seed "autoencoder" must match those too."""
    last = gram[-1]
    if last.isalpha() and not last.endswith("s"):
        return (gram, (*gram[:-1], last + "s"))
    return (gram,)
