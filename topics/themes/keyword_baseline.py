"""A deliberately plain keyword baseline for the theme labeller.

Per theme, one case-insensitive regular expression: an alternation over the theme's first ``max_terms`` seed
terms (:attr:`~topics.results.ThemeDefinition.seeds`, in file order). A term matches as whole words, with an
optional plural ``s``, and with hyphens and spaces interchangeable inside phrases (``"multi-agent"`` matches
``"multi agent"`` and ``"Multi-Agents"``; ``"organ"`` does not match ``"organic"``, ``"gan"`` not ``"organ"``).
A paper gets every theme whose expression matches its raw title + abstract at least once.

No tokenisation, lemmas, weights, exclusions or thresholds: the baseline is the bar the labeller must clear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from topics.results import ThemeDefinition

#: Seed terms per theme used by the baseline.
MAX_TERMS = 12
#: What separates the words of a phrase: a hyphen or whitespace (either matches either).
_WORD_SEPARATOR = r"(?:-|\s+)"
_TERM_WORDS = re.compile(r"[\s\-]+")
#: A pattern that never matches (a theme without seed terms).
_NEVER = r"(?!)"


def term_pattern(term: str) -> str:
    r"""Regex source for the words of one term: each escaped, joined by hyphen-or-space (``"multi-agent"`` ->
    ``multi(?:-|\s+)agent``); ``""`` when the term has no words. Boundaries and the plural are added per theme
    by :func:`theme_pattern`."""
    return _WORD_SEPARATOR.join(re.escape(word) for word in _TERM_WORDS.split(term.strip()) if word)


def baseline_terms(theme: ThemeDefinition, max_terms: int = MAX_TERMS) -> tuple[str, ...]:
    """The theme's first ``max_terms`` seed terms in file order, case-insensitive repeats dropped first."""
    seen: dict[str, str] = {}
    for term in theme.seeds:
        key = " ".join(_TERM_WORDS.split(term.strip().casefold()))
        if key and key not in seen:
            seen[key] = term.strip()
    return tuple(seen.values())[:max_terms]


def baseline_patterns(themes: Sequence[ThemeDefinition], max_terms: int = MAX_TERMS) -> dict[str, re.Pattern[str]]:
    """Theme id -> compiled case-insensitive alternation of its baseline terms (never matches without terms)."""
    return {theme.id: theme_pattern(theme, max_terms) for theme in themes}


def theme_pattern(theme: ThemeDefinition, max_terms: int = MAX_TERMS) -> re.Pattern[str]:
    r"""The compiled case-insensitive alternation of one theme's baseline terms, ``(?<!\w)(?:t1|t2|...)s?(?!\w)``:
    no letter, digit or underscore directly before or after a match. Never matches without terms."""
    alternatives = [source for term in baseline_terms(theme, max_terms) if (source := term_pattern(term))]
    if not alternatives:
        return re.compile(_NEVER)
    # One shared boundary check around the alternation: a per-term lookbehind is tried at every position and
    # makes the search about six times slower.
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")s?(?!\w)", re.IGNORECASE)


def paper_text(title: str, abstract: str) -> str:
    """The text the baseline reads for one paper: the raw title, a space, the raw abstract."""
    return f"{title} {abstract}"


def keyword_baseline(
    themes: Sequence[ThemeDefinition], texts: Sequence[str], max_terms: int = MAX_TERMS
) -> np.ndarray:
    """Baseline themes of each text (see :func:`paper_text`): bool array of shape ``(n_docs, n_themes)``,
    columns in ``themes`` order, True where the theme's pattern matches the text at least once."""
    patterns = [theme_pattern(theme, max_terms) for theme in themes]
    assigned = np.zeros((len(texts), len(patterns)), dtype=bool)
    for row, text in enumerate(texts):
        for column, pattern in enumerate(patterns):
            assigned[row, column] = pattern.search(text) is not None
    return assigned
