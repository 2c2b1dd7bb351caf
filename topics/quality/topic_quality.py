"""Topic quality beyond coherence: topic diversity (Dieng et al., 2020), per topic and overall.

NPMI coherence lives in :mod:`topics.quality.coherence`; :func:`topic_quality` puts both together for one set of topics
(LDA p(term | topic) rows or TF-IDF KMeans centroids).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from gensim.corpora import Dictionary

from topics.quality.coherence import npmi_coherence

#: Top terms per topic that topic diversity compares (Dieng et al. use 25).
DIVERSITY_TOP_N = 25
#: Top terms per topic scored by NPMI coherence.
COHERENCE_TOP_N = 10


@dataclass(frozen=True)
class TopicQuality:
    """Quality of one set of topics (or clusters).

    Attributes:
        coherence: mean NPMI in ``[-1, 1]`` (c_npmi over each topic's top 10 terms, on the run's tokens).
        topic_coherence: NPMI per topic, length ``n_topics``.
        diversity: unique share of all topics' top-25 terms, in ``(0, 1]`` (1 = no term shared).
        topic_diversity: per topic, share of its top-25 terms found in no other topic's top 25, in ``[0, 1]``.
    """

    coherence: float
    topic_coherence: tuple[float, ...]
    diversity: float
    topic_diversity: tuple[float, ...]


def top_term_indices(group_term: np.ndarray, top_n: int) -> list[np.ndarray]:
    """Per row of ``group_term`` (shape ``(n_groups, n_terms)``), the column indices of its ``top_n`` heaviest
    terms with a positive weight, heaviest first; ties go to the lower term index (stable sort)."""
    rows = np.asarray(group_term, dtype=float)
    tops = []
    for row in rows:
        order = np.argsort(-row, kind="stable")[:top_n]
        tops.append(order[row[order] > 0])
    return tops


def topic_diversity(group_term: np.ndarray, top_n: int = DIVERSITY_TOP_N) -> tuple[float, tuple[float, ...]]:
    """Overall and per-topic diversity of the ``top_n`` terms of each group.

    ``group_term`` has shape ``(n_groups, n_terms)``, non-negative (LDA p(term | topic) rows or KMeans TF-IDF
    centroids; rows need not sum to 1). Overall diversity is the number of distinct terms among all groups'
    top ``top_n`` divided by ``n_groups * top_n`` (Dieng et al., 2020), in ``(0, 1]``; per group, the share of
    its top ``top_n`` terms that appear in no other group's top ``top_n``, in ``[0, 1]``.

    Terms of zero weight are never "top" terms (a sparse centroid may have fewer than ``top_n``); the
    denominators then count the terms actually kept. Ties in weight go to the lower term index. A single group
    scores 1; no groups give ``(0.0, ())``.
    """
    tops = top_term_indices(group_term, top_n)
    if not tops:
        return 0.0, ()
    counts: dict[int, int] = {}
    for top in tops:
        for j in top.tolist():
            counts[j] = counts.get(j, 0) + 1
    total = sum(len(top) for top in tops)
    overall = len(counts) / total if total else 0.0
    per_group = tuple(
        float(sum(counts[j] == 1 for j in top.tolist()) / len(top)) if len(top) else 0.0 for top in tops
    )
    return float(overall), per_group


def topic_quality(
    group_term: np.ndarray,
    terms: Sequence[str],
    texts: Sequence[Sequence[str]],
    dictionary: Dictionary,
    coherence_top_n: int = COHERENCE_TOP_N,
    diversity_top_n: int = DIVERSITY_TOP_N,
) -> TopicQuality:
    """NPMI coherence (on ``texts`` with ``dictionary``) and topic diversity of the rows of ``group_term``.

    ``group_term`` has shape ``(n_groups, n_terms)``; ``terms[j]`` names column ``j``.
    """
    tops = top_term_indices(group_term, coherence_top_n)
    mean, per_topic = npmi_coherence([[terms[j] for j in top] for top in tops], texts, dictionary, coherence_top_n)
    diversity, per_group = topic_diversity(group_term, diversity_top_n)
    return TopicQuality(coherence=mean, topic_coherence=per_topic, diversity=diversity, topic_diversity=per_group)
