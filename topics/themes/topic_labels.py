"""Short, readable topic labels from a topic's top terms and its best-matching theme.

A label is the theme's short name (when the topic clearly expresses a theme) and the topic's two most informative
terms, e.g. ``"RL · policy gradient, actor critic"``; without a theme just ``"policy gradient, actor critic"``.

Choosing the terms, from a topic's top terms (heaviest first, phrases joined by ``_``):

* terms that only restate the theme are dropped: a term that is one of the theme's names (its label, short name
  or a synonym such as ``reinforcement_learning`` or ``rl``), the initials of a multi-word name (``rl``), or made
  only of words of those names (``learning``, ``reinforcement``);
* phrases (two or more words) among the first :data:`PHRASE_POOL` terms rank :data:`PHRASE_BONUS` places higher
  than their position: phrases are rarer than single words, so their probability understates how much they say;
* a term whose words all appear, in order, in a chosen phrase is left out (``policy`` once ``policy_gradient`` is
  chosen), and a phrase replaces the chosen terms it contains;
* underscores become spaces; the label keeps to ``max_chars`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np

#: Between the theme's short name and the terms.
THEME_SEPARATOR = " · "
#: Between terms.
TERM_SEPARATOR = ", "
#: Phrases among this many leading terms get the phrase bonus.
PHRASE_POOL = 8
#: How many places a phrase in the pool moves up.
PHRASE_BONUS = 4
#: Words left out of a name's initials ("AI for science and health" -> "ash").
_CONNECTIVES = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with"})


def _words(text: str) -> tuple[str, ...]:
    """Lowercase words of a term or name; ``_``, spaces, hyphens and punctuation separate words."""
    return tuple(re.findall(r"[^\W_]+", text.lower()))


def _display(term: str) -> str:
    return " ".join(term.replace("_", " ").split())


def _same_word(a: str, b: str) -> bool:
    """Equal up to a plural ``s`` (theme labels say "sequences", lemmatised terms "sequence")."""
    return a == b or a + "s" == b or b + "s" == a


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """Whether ``inner`` occurs as a contiguous run of words in ``outer`` (and is shorter)."""
    n = len(inner)
    return 0 < n < len(outer) and any(outer[i : i + n] == inner for i in range(len(outer) - n + 1))


def theme_name_words(label: str, short: str | None = None, seeds: Sequence[str] = ()) -> frozenset[str]:
    """The names of a theme, to pass as ``theme_words``: its label, short name and the seeds that merely name it.

    A seed names the theme when it is the label itself, the initials of the label (``rl`` for "Reinforcement
    learning") or made only of the label's words. Seeds that say something more specific (``policy gradient``)
    are not names: they are exactly what a good label shows. Names are returned as lowercase words joined by ``_``.
    """
    names = {"_".join(_words(label))}
    if short:
        names.add("_".join(_words(short)))
    label_words = _words(label)
    initials = _initials(label_words)
    for seed in seeds:
        words = _words(seed)
        if not words:
            continue
        joined = "_".join(words)
        if joined == initials or all(any(_same_word(w, v) for v in label_words) for w in words):
            names.add(joined)
    names.discard("")
    return frozenset(names)


def _initials(words: tuple[str, ...]) -> str:
    content = [w for w in words if w not in _CONNECTIVES]
    return "".join(w[0] for w in content) if len(content) >= 2 else ""


class _ThemeNames:
    """What counts as restating a theme: whole names, initials of multi-word names, and the names' words."""

    def __init__(self, theme_short: str | None, theme_words: Collection[str]) -> None:
        names = [_words(n) for n in (*theme_words, *([theme_short] if theme_short else []))]
        names = [n for n in names if n]
        self.whole = ({"_".join(n) for n in names} | {_initials(n) for n in names}) - {""}
        self.words = {w for n in names for w in n}

    def restates(self, words: tuple[str, ...]) -> bool:
        if "_".join(words) in self.whole:
            return True
        return all(any(_same_word(w, v) for v in self.words) for w in words)


def ranked_terms(terms: Sequence[str], theme_short: str | None = None, theme_words: Collection[str] = ()) -> list[str]:
    """A topic's terms in label order, as displayed (spaces, not ``_``), without terms that restate the theme or
    are contained in a chosen phrase. ``terms`` are the topic's top terms, heaviest first. Theme names only count
    when ``theme_short`` is given (without a prefix, the terms must say it themselves)."""
    names = _ThemeNames(theme_short, theme_words) if theme_short else None
    candidates: list[tuple[int, int, int, tuple[str, ...], str]] = []
    seen: set[tuple[str, ...]] = set()
    for position, term in enumerate(terms):
        words = _words(term)
        if not words or words in seen or (names is not None and names.restates(words)):
            continue
        seen.add(words)
        phrase = len(words) > 1
        bonus = PHRASE_BONUS if phrase and position < PHRASE_POOL else 0
        candidates.append((position - bonus, 0 if phrase else 1, position, words, _display(term)))
    candidates.sort(key=lambda c: c[:3])

    chosen: list[tuple[tuple[str, ...], str]] = []
    for *_, words, shown in candidates:
        if any(_contains(other, words) for other, _ in chosen):
            continue
        inside = [k for k, (other, _) in enumerate(chosen) if _contains(words, other)]
        if inside:
            chosen[inside[0]] = (words, shown)
            chosen = [c for k, c in enumerate(chosen) if k not in inside[1:]]
        else:
            chosen.append((words, shown))
    return [shown for _, shown in chosen]


def _compose(prefix: str | None, shown: Sequence[str]) -> str:
    body = TERM_SEPARATOR.join(shown)
    if prefix:
        return f"{prefix}{THEME_SEPARATOR}{body}" if body else prefix
    return body


def _fit(prefix: str | None, ranked: Sequence[str], max_terms: int, max_chars: int) -> tuple[str, int]:
    """The label with as many of ``ranked`` (up to ``max_terms``) as fit ``max_chars``, and how many it shows.

    The first term is always shown, cut with ``…`` when even it does not fit (then the count is 0, so nothing is
    appended to it later)."""
    if not ranked:
        return _compose(prefix, ()), 0
    count = 1
    while count < min(max_terms, len(ranked)) and len(_compose(prefix, ranked[: count + 1])) <= max_chars:
        count += 1
    label = _compose(prefix, ranked[:count])
    if len(label) > max_chars:
        return label[: max(max_chars - 1, 1)].rstrip() + "…", 0
    return label, count


def topic_label(
    terms: Sequence[str],
    theme_short: str | None = None,
    max_terms: int = 2,
    max_chars: int = 48,
    theme_words: Collection[str] = (),
) -> str:
    """A short label for one topic, e.g. ``"RL · policy gradient, actor critic"``.

    ``terms`` are the topic's top terms, heaviest first, phrases joined by ``_``. ``theme_short`` prefixes the
    label; ``theme_words`` are the theme's names (see :func:`theme_name_words`; ``theme_short`` always counts),
    and terms that restate them are left out. At most ``max_terms`` terms and ``max_chars`` characters; the label
    is never empty when ``terms`` is not (the theme's short name alone when every term restates the theme).
    Deterministic.
    """
    if max_terms < 1 or max_chars < 2:
        raise ValueError(f"max_terms must be >= 1 and max_chars >= 2, got {max_terms} and {max_chars}")
    return _fit(theme_short, ranked_terms(terms, theme_short, theme_words), max_terms, max_chars)[0]


def topic_labels(
    topic_terms: Sequence[Sequence[str]],
    topic_theme: np.ndarray | None,
    theme_shorts: Sequence[str],
    theme_words: Sequence[Collection[str]],
    min_theme_score: float = 0.5,
    max_terms: int = 2,
    max_chars: int = 48,
    reserved: Collection[str] = (),
) -> tuple[str, ...]:
    """Unique labels for all topics of a fit, in topic order.

    ``topic_terms`` has length ``n_topics`` (each topic's top terms, heaviest first); ``topic_theme`` has shape
    ``(n_topics, n_themes)`` with scores in ``[0, 1]`` (``None``: no theme prefixes); ``theme_shorts`` and
    ``theme_words`` have length ``n_themes`` (``theme_words`` may be empty: no names beyond the short ones). A topic
    is prefixed with its best theme (lowest index on ties) only when that score is ``>= min_theme_score``.

    When a label repeats an earlier one, the later topic's label is extended with its next term that makes it
    unique (such a label may exceed ``max_chars``), or, as a last resort, gets `` (2)``, `` (3)``, ...
    ``reserved`` labels count as taken before the first topic, e.g. the labels that aligned topics kept from a
    previous run, when only the unmatched topics are labelled afresh.
    """
    if max_terms < 1 or max_chars < 2:
        raise ValueError(f"max_terms must be >= 1 and max_chars >= 2, got {max_terms} and {max_chars}")
    n_topics, n_themes = len(topic_terms), len(theme_shorts)
    names: Sequence[Collection[str]] = theme_words if len(theme_words) else [()] * n_themes
    if len(names) != n_themes:
        raise ValueError(f"theme_words has {len(names)} entries for {n_themes} themes")
    best: list[int | None] = [None] * n_topics
    if topic_theme is not None:
        scores = np.asarray(topic_theme, dtype=float)
        if scores.shape != (n_topics, n_themes):
            raise ValueError(f"topic_theme must have shape ({n_topics}, {n_themes}), got {scores.shape}")
        if n_themes:
            for k in range(n_topics):
                j = int(np.argmax(scores[k]))
                best[k] = j if scores[k, j] >= min_theme_score else None

    labels: list[str] = []
    used: set[str] = set(reserved)
    for k, terms in enumerate(topic_terms):
        best_theme = best[k]
        prefix = theme_shorts[best_theme] if best_theme is not None else None
        ranked = ranked_terms(terms, prefix, names[best_theme] if best_theme is not None else ())
        label, shown = _fit(prefix, ranked, max_terms, max_chars)
        if label in used and shown:
            extended = (_compose(prefix, [*ranked[:shown], extra]) for extra in ranked[shown:])
            label = next((e for e in extended if e not in used), label)
        if label in used:
            n = 2
            while f"{label} ({n})" in used:
                n += 1
            label = f"{label} ({n})"
        used.add(label)
        labels.append(label)
    return tuple(labels)
