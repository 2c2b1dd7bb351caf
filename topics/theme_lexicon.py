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
#: An exclude term's entry: it masks tokens for its theme and adds nothing.
EXCLUDE = 0.0


@dataclass(frozen=True)
class ThemeLexicon:
    """All theme terms: ``entries[ngram] = {theme index: weight}`` (weight 0.0 for exclude terms).

    ``names[ngram]`` is the term as written in the themes file, for evidence; ``max_len`` is the longest n-gram.
    """

    n_themes: int
    entries: dict[tuple[str, ...], dict[int, float]]
    names: dict[tuple[str, ...], str]
    first_tokens: frozenset[str]
    max_len: int

    def scan(self, segments: Sequence[Sequence[str]]) -> list[tuple[tuple[str, ...], dict[int, float]]]:
        """Longest-match scan of ``segments``; returns the matched n-grams with their theme weights, in order."""
        matches: list[tuple[tuple[str, ...], dict[int, float]]] = []
        entries, first = self.entries, self.first_tokens
        for segment in segments:
            tokens = _expand(segment)
            i, n = 0, len(tokens)
            while i < n:
                if tokens[i] not in first:
                    i += 1
                    continue
                for length in range(min(self.max_len, n - i), 0, -1):
                    gram = tuple(tokens[i : i + length])
                    hit = entries.get(gram)
                    if hit is not None:
                        matches.append((gram, hit))
                        i += length
                        break
                else:
                    i += 1
        return matches


def _expand(segment: Sequence[str]) -> list[str]:
    """Split phrase tokens (``reinforcement_learning``) back into words so n-grams match them."""
    if not any("_" in t for t in segment):
        return list(segment)
    return [part for token in segment for part in token.split("_")]


def build_lexicon(themes: Sequence[ThemeDefinition], tokenize: Callable[[str], list[str]]) -> ThemeLexicon:
    """Tokenise every theme's terms with ``tokenize`` (the corpus's own tokenizer) into a :class:`ThemeLexicon`.

    Terms that tokenise to nothing are dropped, and so are terms that lose words to the filters and keep a
    single token ("q-learning" -> "learning", "few-shot" -> "shot"): that token alone says too little. When a
    term is both a seed and a related term of one theme, the seed weight wins.
    """
    entries: dict[tuple[str, ...], dict[int, float]] = {}
    names: dict[tuple[str, ...], str] = {}
    for index, theme in enumerate(themes):
        for terms, weight in ((theme.exclude, EXCLUDE), (theme.related, RELATED_WEIGHT), (theme.seeds, SEED_WEIGHT)):
            for term in terms:
                gram = tuple(tokenize(term))
                if not gram or (len(gram) == 1 and len(_WORD.findall(term)) > 1):
                    continue
                slot = entries.setdefault(gram, {})
                if weight == EXCLUDE or slot.get(index, -1.0) < weight:
                    slot[index] = weight
                names.setdefault(gram, term.lower())
    return ThemeLexicon(
        n_themes=len(themes),
        entries=entries,
        names=names,
        first_tokens=frozenset(g[0] for g in entries),
        max_len=max((len(g) for g in entries), default=1),
    )
