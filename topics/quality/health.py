"""Signs that a fitted topic model is degenerate, each with the setting that would help.

Three signs, checked on a :class:`~topics.results.TopicResult` (LDA topics or TF-IDF clusters):

- **dominant**: one topic is the dominant topic (or the cluster) of more than :data:`DOMINANT_SHARE` of the papers,
  so the model has not separated the corpus (on 2,095 BBC news articles with ``chunksize: 2000`` one LDA topic
  took 86% of them: each pass was a single online update);
- **duplicate**: two topics share at least :data:`DUPLICATE_TERMS` of their top :data:`TOP_TERMS` terms (one flag
  for all such pairs of a model, advising as many topics fewer as would merge);
- **generic**: at least :data:`GENERIC_TERMS` of a topic's top :data:`TOP_TERMS` terms occur in more than
  :data:`COMMON_SHARE` of the papers, and in more than :data:`GENERIC_SPREAD` times the topic's own share of them
  ("say", "year", "time" in news), so the topic is about no subject.

:func:`topic_flags` returns them as :class:`TopicFlag` records; the run shows their messages in the terminal and the
report's notes and writes the records to ``manifest.json`` (``topic_flags``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from topics.results import TopicResult

#: A topic that is the dominant topic of more than this share of the papers is flagged.
DOMINANT_SHARE = 0.40
#: Top terms compared between topics and checked for generic words.
TOP_TERMS = 10
#: Two topics sharing at least this many of their top terms are flagged as near-duplicates.
DUPLICATE_TERMS = 7
#: A term in more than this share of the papers counts as generic...
COMMON_SHARE = 0.20
#: ...and a topic with at least this many generic top terms is flagged...
GENERIC_TERMS = 5
#: ...and past this multiple of the topic's own share of the papers...
GENERIC_SPREAD = 2.0
#: ...in a corpus of at least this many papers (in 23 papers, a fifth is five papers: topical words pass it too).
GENERIC_MIN_PAPERS = 100
#: Documents per online LDA update the dominant-topic advice aims at: about eight updates a pass.
UPDATES_PER_PASS = 8


@dataclass(frozen=True)
class TopicFlag:
    """One sign of a degenerate model: ``model`` ("lda" or "clusters"), ``kind`` ("dominant", "duplicate",
    "generic"), the user-facing ids of the ``topics`` concerned, the measured ``value`` (share of papers, shared
    top terms, or generic top terms), the ``setting`` to change (a ``--set`` key path and value, or ``""``) and the
    ``message`` shown to the user. For ``duplicate``, ``topics`` are every topic in a near-duplicate pair and
    ``value`` the number of pairs."""

    model: str
    kind: str
    topics: tuple[int, ...]
    value: float
    setting: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The record as written to manifest.json."""
        record = asdict(self)
        record["topics"] = list(self.topics)
        return record


def _name(result: TopicResult, k: int, noun: str) -> str:
    label = result.labels[k] if result.labels else ""
    return f"{noun} {result.topic_id(k)}" + (f" ({label})" if label else "")


def dominant_advice(n_docs: int, chunksize: int, passes: int) -> str:
    """The LDA setting to try when one topic took most papers: a chunk size that gives about
    :data:`UPDATES_PER_PASS` online updates a pass, when the current one gives fewer; else more E-step iterations."""
    updates = math.ceil(n_docs / max(chunksize, 1))
    if updates < UPDATES_PER_PASS:
        suggested = max(50, int(round(n_docs / UPDATES_PER_PASS, -1)))
        return f"models.lda.chunksize={suggested}"
    return "models.lda.iterations=50"


def topic_flags(
    result: TopicResult,
    model: str,
    document_frequency: Mapping[str, float] | None = None,
    lda_schedule: tuple[int, int] | None = None,
    lda_init: str = "clusters",
) -> list[TopicFlag]:
    """The signs of degeneracy of ``result`` (``model`` is "lda" or "clusters"). ``document_frequency`` maps terms
    to the share of papers they occur in (for the generic check, made on corpora of :data:`GENERIC_MIN_PAPERS` papers
    or more; ``None`` skips it); ``lda_schedule`` is the LDA's
    ``(chunksize, passes)``, which the dominant-topic advice for LDA uses; ``lda_init`` its start ("random" makes
    the advice ``models.lda.init=clusters``, which kept BBC news from collapsing)."""
    noun = "topic" if model == "lda" else "cluster"
    n_docs = result.doc_topic.shape[0]
    flags: list[TopicFlag] = []
    if n_docs == 0 or result.n_topics < 2:
        return flags
    flags.extend(_dominant_flags(result, model, noun, lda_schedule, lda_init))
    tops = [[term for term, _ in terms[:TOP_TERMS]] for terms in result.topic_terms]
    duplicate = _duplicate_flag(result, model, noun, tops)
    if duplicate is not None:
        flags.append(duplicate)
    if document_frequency is not None and n_docs >= GENERIC_MIN_PAPERS:
        flags.extend(_generic_flags(result, model, noun, tops, document_frequency))
    return flags


def _dominant_reason(n_docs: int, model: str, lda_schedule: tuple[int, int] | None, lda_init: str) -> tuple[str, str]:
    """``(setting, why)`` of a dominant-topic flag: the ``--set`` key path and value to try (``""``: none) and the
    reason shown after the flag's message, for a model fitted on ``n_docs`` papers."""
    if model == "lda" and lda_init == "random":
        setting = "models.lda.init=clusters"
        why = f"LDA started from random topics; try --set {setting}"
    elif model == "lda" and lda_schedule is not None:
        chunksize, passes = lda_schedule
        setting = dominant_advice(n_docs, chunksize, passes)
        updates = math.ceil(n_docs / max(chunksize, 1))
        why = (f"with {n_docs:,} papers and chunksize {chunksize:,} each of the {passes} passes makes "
               f"{updates} online update{'s' if updates != 1 else ''}; try --set {setting}")
    elif model == "lda":
        setting, why = "models.lda.iterations=50", "try --set models.lda.iterations=50"
    else:  # more clusters split it only when the corpus holds more subjects: no single setting to advise
        setting = ""
        why = ("a corpus this size may hold fewer subjects than clusters (see any near-duplicate flag), or common "
               "words may dominate its TF-IDF vectors (preprocessing.extra_stop_words)")
    return setting, why


def _dominant_flags(
    result: TopicResult, model: str, noun: str, lda_schedule: tuple[int, int] | None, lda_init: str
) -> list[TopicFlag]:
    """One "dominant" flag per topic that is the dominant topic of more than :data:`DOMINANT_SHARE` of the papers,
    in topic order; ``noun`` is "topic" or "cluster"."""
    n_docs = result.doc_topic.shape[0]
    sizes = np.bincount(result.assignments, minlength=result.n_topics)
    flags: list[TopicFlag] = []
    for k in np.flatnonzero(sizes > DOMINANT_SHARE * n_docs).tolist():
        share = float(sizes[k] / n_docs)
        setting, why = _dominant_reason(n_docs, model, lda_schedule, lda_init)
        flags.append(TopicFlag(
            model, "dominant", (result.topic_id(int(k)),), round(share, 4), setting,
            f"{_name(result, int(k), noun)} is the dominant {noun} of {share:.0%} of the papers (more than "
            f"{DOMINANT_SHARE:.0%}): the model has not separated the corpus; {why}",
        ))
    return flags


def _merged_topics(n_topics: int, pairs: list[tuple[int, int, int]]) -> int:
    """How many of ``n_topics`` topics would go if every near-duplicate pair ``(a, b, shared)`` (topic indices)
    merged: topics joined by pairs would merge, and one topic per group of them is left."""
    group = list(range(n_topics))

    def root(k: int) -> int:
        while group[k] != k:
            k = group[k]
        return k

    for a, b, _ in pairs:
        group[root(b)] = root(a)
    return n_topics - len({root(k) for k in range(n_topics)})


def _duplicate_flag(result: TopicResult, model: str, noun: str, tops: list[list[str]]) -> TopicFlag | None:
    """The one "duplicate" flag of a model whose topics share at least :data:`DUPLICATE_TERMS` of their top terms
    (``tops``: each topic's top :data:`TOP_TERMS` terms), else ``None``."""
    pairs = [(a, b, len(set(tops[a]) & set(tops[b]))) for a in range(len(tops)) for b in range(a + 1, len(tops))]
    pairs = [(a, b, shared) for a, b, shared in pairs if shared >= DUPLICATE_TERMS]
    if not pairs:
        return None
    merged = _merged_topics(result.n_topics, pairs)
    key = "models.lda.num_topics" if model == "lda" else "models.clusters.num_clusters"
    setting = f"{key}={max(2, result.n_topics - merged)}"
    involved = tuple(sorted({result.topic_id(k) for a, b, _ in pairs for k in (a, b)}))
    if len(pairs) == 1:
        a, b, shared = pairs[0]
        text = (
            f"{_name(result, a, noun)} and {_name(result, b, noun)} share {shared} of their top {TOP_TERMS} terms"
        )
    else:
        shown = "; ".join(f"{result.topic_id(a)} and {result.topic_id(b)}: {shared}" for a, b, shared in pairs[:5])
        more = f"; {len(pairs) - 5} more" if len(pairs) > 5 else ""
        text = (f"{len(pairs)} pairs of {noun}s share {DUPLICATE_TERMS} or more of their top {TOP_TERMS} terms "
                f"({shown}{more})")
    return TopicFlag(
        model, "duplicate", involved, float(len(pairs)), setting, f"{text}: near-duplicates; try --set {setting}",
    )


def _generic_flags(
    result: TopicResult, model: str, noun: str, tops: list[list[str]], document_frequency: Mapping[str, float]
) -> list[TopicFlag]:
    """One "generic" flag per topic with at least :data:`GENERIC_TERMS` top terms (``tops``) that are in more
    papers (``document_frequency``: term -> share of papers) than is common for it, in topic order."""
    n_docs = result.doc_topic.shape[0]
    shares = np.bincount(result.assignments, minlength=result.n_topics) / max(n_docs, 1)
    flags: list[TopicFlag] = []
    for k, terms in enumerate(tops):
        # a topic's own words are in its papers: common only past twice the topic's share (a topic of a
        # quarter of the papers has words in a fifth of them)
        common = max(COMMON_SHARE, GENERIC_SPREAD * float(shares[k]))
        generic = [t for t in terms if document_frequency.get(t, 0.0) > common]
        if len(generic) >= GENERIC_TERMS:
            words = ", ".join(generic)
            setting = f"preprocessing.extra_stop_words=[{words}]"
            flags.append(TopicFlag(
                model, "generic", (result.topic_id(k),), float(len(generic)), setting,
                f"{_name(result, k, noun)}: {len(generic)} of its top {TOP_TERMS} terms ({words}) occur in more "
                f"than {common:.0%} of the papers, so it names no subject; if they say nothing in this "
                f"corpus, try --set \"{setting}\"",
            ))
    return flags
