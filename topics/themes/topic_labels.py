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
* generic words (:data:`GENERIC_TERMS`: "include", "ability", "size", "propose", ...) say nothing about a topic and
  are left out while any other term remains;
* a term reads as the papers wrote it when its written form is known (:func:`written_forms`: ``hide_unit`` ->
  "hidden unit", ``reason`` -> "reasoning"), else with spaces for underscores ("hide unit");
* the label keeps to ``max_chars`` characters;
* a topic whose NPMI coherence is below :data:`NPMI_FLOOR` (its top terms seldom occur together: a topic in name
  only) is flagged: its label ends with :data:`WEAK_SUFFIX`, e.g. ``"optimization, representation (weak)"``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np

from preprocessing.token_arrays import TokenArrays
from topics.themes.lexicon import ThemeLexicon
from topics.themes.lexicon_scan import scan_arrays

#: Between the theme's short name and the terms.
THEME_SEPARATOR = " · "
#: Between terms.
TERM_SEPARATOR = ", "
#: Phrases among this many leading terms get the phrase bonus.
PHRASE_POOL = 8
#: How many places a phrase in the pool moves up.
PHRASE_BONUS = 4
#: Topics with an NPMI coherence below this are flagged weak: their label ends with :data:`WEAK_SUFFIX` (which counts
#: towards ``max_chars``).
NPMI_FLOOR = 0.0
WEAK_SUFFIX = " (weak)"
#: Terms (lowercase words joined by ``_``) that say nothing about what a topic is about: the filler of abstracts
#: (verbs of reporting, vague nouns and adjectives). A label shows one only when no other term is left.
GENERIC_TERMS = frozenset({
    "ability", "able", "achieve", "allow", "approach", "available", "base", "build", "case", "challenge",
    "change", "choice", "condition", "consider", "demonstrate", "design", "different", "diverse", "effective",
    "enable", "exist", "existing", "experiment", "finally", "find", "focus", "furthermore", "general", "give",
    "good", "handle", "high", "however", "illustrate", "important", "improve", "include", "increase",
    "introduce", "key", "large", "lead", "level", "make", "need", "new", "novel", "number", "obtain", "offer",
    "order", "overall", "paper", "perform", "performance", "possible", "present", "previous", "process",
    "propose", "provide", "question", "range", "recent", "reduce", "require", "result", "scale", "show",
    "significant", "similar", "simple", "size", "small", "solution", "specific", "strong", "structure", "study",
    "suggest", "task", "time", "type", "understand", "use", "various", "way", "well", "wide", "work", "yield",
    "real_world", "state_of_the_art", "large_scale", "wide_range",
})
#: Word endings of a plural (``unit`` -> "units", ``policy`` -> "policies"): a written form that only adds one
#: keeps the lemma, so labels stay in the singular.
_PLURAL_ENDINGS = ("s", "es")
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


def ranked_terms(
    terms: Sequence[str],
    theme_short: str | None = None,
    theme_words: Collection[str] = (),
    written: Mapping[str, str] | None = None,
    generic: Collection[str] = GENERIC_TERMS,
) -> list[str]:
    """A topic's terms in label order, as displayed (as written when ``written`` knows the term, else spaces for
    ``_``), without terms that restate the theme or are contained in a chosen phrase, and without ``generic``
    terms (lowercase words joined by ``_``) unless no other term is left. ``terms`` are the topic's top terms,
    heaviest first. Theme names only count when ``theme_short`` is given (without a prefix, the terms must say it
    themselves)."""
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
        shown = (written or {}).get(term) or _display(term)
        candidates.append((position - bonus, 0 if phrase else 1, position, words, shown))
    candidates.sort(key=lambda c: c[:3])
    specific = [c for c in candidates if "_".join(c[3]) not in generic]
    return _without_contained(specific or candidates)


def _without_contained(candidates: Sequence[tuple[int, int, int, tuple[str, ...], str]]) -> list[str]:
    """The displayed terms of ``candidates`` (ranked), leaving out a term contained in a chosen phrase (a phrase
    replaces the chosen terms it contains) and a term displayed like one already chosen."""
    chosen: list[tuple[tuple[str, ...], str]] = []
    for *_, words, shown in candidates:
        if any(_contains(other, words) for other, _ in chosen) or any(shown == s for _, s in chosen):
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
    coherence: float | None = None,
    written: Mapping[str, str] | None = None,
) -> str:
    """A short label for one topic, e.g. ``"RL · policy gradient, actor critic"``.

    ``terms`` are the topic's top terms, heaviest first, phrases joined by ``_``. ``theme_short`` prefixes the
    label; ``theme_words`` are the theme's names (see :func:`theme_name_words`; ``theme_short`` always counts),
    and terms that restate them are left out, as are generic terms (:data:`GENERIC_TERMS`) while others remain.
    ``written`` maps terms to the words the papers wrote (:func:`written_forms`). A ``coherence`` (NPMI) below
    :data:`NPMI_FLOOR` adds :data:`WEAK_SUFFIX`. At most ``max_terms`` terms and ``max_chars`` characters; the label
    is never empty when ``terms`` is not (the theme's short name alone when every term restates the theme).
    Deterministic.
    """
    if max_terms < 1 or max_chars < 2:
        raise ValueError(f"max_terms must be >= 1 and max_chars >= 2, got {max_terms} and {max_chars}")
    suffix = WEAK_SUFFIX if is_weak(coherence) else ""
    ranked = ranked_terms(terms, theme_short, theme_words, written)
    label = _fit(theme_short, ranked, max_terms, max(max_chars - len(suffix), 2))[0]
    return label + suffix if label else label


def is_weak(coherence: float | None, floor: float = NPMI_FLOOR) -> bool:
    """Whether a topic of NPMI ``coherence`` is flagged weak: below ``floor`` (``None`` or NaN: not flagged)."""
    return coherence is not None and not math.isnan(coherence) and coherence < floor


def topic_labels(
    topic_terms: Sequence[Sequence[str]],
    topic_theme: np.ndarray | None,
    theme_shorts: Sequence[str],
    theme_words: Sequence[Collection[str]],
    min_theme_score: float = 0.5,
    max_terms: int = 2,
    max_chars: int = 48,
    reserved: Collection[str] = (),
    coherence: Sequence[float] | None = None,
    written: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """Unique labels for all topics of a fit, in topic order.

    ``topic_terms`` has length ``n_topics`` (each topic's top terms, heaviest first); ``topic_theme`` has shape
    ``(n_topics, n_themes)`` with scores in ``[0, 1]`` (``None``: no theme prefixes); ``theme_shorts`` and
    ``theme_words`` have length ``n_themes`` (``theme_words`` may be empty: no names beyond the short ones). A topic
    is prefixed with its best theme (lowest index on ties) only when that score is ``>= min_theme_score``.
    ``coherence`` (NPMI per topic, ``TopicResult.topic_coherence``; ``None`` or empty: no topic is flagged) marks
    the topics below :data:`NPMI_FLOOR` with :data:`WEAK_SUFFIX`; ``written`` maps terms to the words the papers
    wrote (:func:`written_forms`; ``None``: terms shown with spaces for ``_``).

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
    if coherence is not None and len(coherence) and len(coherence) != n_topics:
        raise ValueError(f"coherence has {len(coherence)} entries for {n_topics} topics")
    best = _best_themes(topic_theme, n_topics, n_themes, min_theme_score)
    labels: list[str] = []
    used: set[str] = set(reserved)
    for k, terms in enumerate(topic_terms):
        best_theme = best[k]
        prefix = theme_shorts[best_theme] if best_theme is not None else None
        ranked = ranked_terms(terms, prefix, names[best_theme] if best_theme is not None else (), written)
        suffix = WEAK_SUFFIX if coherence is not None and len(coherence) and is_weak(float(coherence[k])) else ""
        label, shown = _fit(prefix, ranked, max_terms, max(max_chars - len(suffix), 2))
        label += suffix if label else ""
        if label in used and shown:
            extended = (_compose(prefix, [*ranked[:shown], extra]) + suffix for extra in ranked[shown:])
            label = next((e for e in extended if e not in used), label)
        if label in used:
            n = 2
            while f"{label} ({n})" in used:
                n += 1
            label = f"{label} ({n})"
        used.add(label)
        labels.append(label)
    return tuple(labels)


def _best_themes(
    topic_theme: np.ndarray | None, n_topics: int, n_themes: int, min_theme_score: float
) -> list[int | None]:
    """Each topic's best theme (lowest index on ties) when its score is ``>= min_theme_score``, else ``None``."""
    best: list[int | None] = [None] * n_topics
    if topic_theme is None:
        return best
    scores = np.asarray(topic_theme, dtype=float)
    if scores.shape != (n_topics, n_themes):
        raise ValueError(f"topic_theme must have shape ({n_topics}, {n_themes}), got {scores.shape}")
    if n_themes:
        for k in range(n_topics):
            j = int(np.argmax(scores[k]))
            best[k] = j if scores[k, j] >= min_theme_score else None
    return best


# --- written forms --------------------------------------------------------------------------------------------


def written_forms(terms: Iterable[str], arrays: TokenArrays) -> dict[str, str]:
    """How the papers write each of ``terms`` (lemmas, phrases joined by ``_``): the most frequent run of words in
    ``arrays`` (theme token arrays, :meth:`preprocessing.nlp.Tokenizer.theme_arrays`, whose words carry their
    written form) that matches the term's lemmas, in the singular when the papers only add a plural ending to the
    last word (``hide_unit`` -> "hidden unit", ``multi_arm_bandit`` -> "multi-armed bandit", ``reason`` ->
    "reasoning", ``policy`` -> "policy"). Ties go to the alphabetically first form. Only terms whose form differs
    from the lemmas with spaces are returned; terms never found are left out."""
    grams = {term: tuple(term.split("_")) for term in dict.fromkeys(terms) if term and term.strip("_")}
    entries: dict[tuple[str, ...], dict[int, float]] = {gram: {0: 1.0} for gram in grams.values()}
    if not entries or not len(arrays):
        return {}
    lexicon = ThemeLexicon(
        n_themes=1, entries=entries, excludes={}, names={g: " ".join(g) for g in entries},
        max_len=max(len(g) for g in entries), first_tokens=frozenset(g[0] for g in entries),
    )
    hits = scan_arrays(lexicon, arrays)
    counts: dict[tuple[str, ...], Counter[str]] = {}
    for gram, surface in zip(hits.gram.tolist(), hits.surface.tolist()):
        counts.setdefault(hits.grams[gram], Counter())[hits.surfaces[surface]] += 1
    forms = {}
    for term, gram in grams.items():
        found = counts.get(gram)
        if not found:
            continue
        form = _singular(min(found, key=lambda text: (-found[text], text)), gram)
        if form != " ".join(gram):
            forms[term] = form
    return forms


def _singular(form: str, gram: tuple[str, ...]) -> str:
    """``form`` (written words of the lemmas ``gram``) with its last word back to the lemma when the written word
    is only the lemma with a plural ending ("hidden units" -> "hidden unit"); a form that is the plural of the
    lemmas throughout becomes the lemmas themselves."""
    last = gram[-1]
    cut = len(form) - max((len(last + e) for e in _PLURAL_ENDINGS if form.endswith(last + e)), default=0)
    plural = last[:-1] + "ies" if last.endswith("y") else None
    if cut == len(form) and plural and form.endswith(plural):
        cut = len(form) - len(plural)
    if cut == len(form) or (cut and form[cut - 1] not in " -"):
        return form
    return form[:cut] + last
