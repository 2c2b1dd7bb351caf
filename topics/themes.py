"""Theme labelling: every paper gets zero or more themes, each with a score in [0, 1] and its evidence.

A paper's score for a theme combines three kinds of evidence, each in [0, 1]:

* **paper** — the theme's terms in the paper's own title and abstract (title matches count extra);
* **topic** — how strongly the paper's LDA topics express the theme (the theme's share of each topic's
  heaviest terms, weighted by the paper's topic proportions);
* **cluster** — the same for the paper's TF-IDF cluster centroid.

The combined score is their weighted mean; a theme is assigned when it reaches the threshold (at most
``max_per_paper`` themes a paper, best first). A paper without a confident theme stays unassigned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from topics.results import ThemeDefinition, ThemeTable
from topics.theme_lexicon import ThemeLexicon

#: Extra weight of a term found in the title, relative to the abstract.
TITLE_BONUS = 1.0
#: Raw paper evidence at which the paper score reaches 1 - 1/e (about 0.63).
PAPER_SCALE = 2.0
#: Heaviest terms of a topic or cluster that are checked against the themes.
HEAD_TERMS = 30
#: Theme share of a topic's head weight at which its topic score reaches 1 - 1/e.
HEAD_SHARE_SCALE = 0.15
#: Evidence terms kept per paper and theme.
MAX_EVIDENCE = 5


@dataclass(frozen=True)
class ThemeWeights:
    """How much each kind of evidence counts (normalised over the kinds available) and the decision rule."""

    paper: float = 0.6
    topic: float = 0.25
    cluster: float = 0.15
    threshold: float = 0.45
    max_per_paper: int = 3


def paper_evidence(
    lexicon: ThemeLexicon, texts: Sequence[Sequence[Sequence[str]]], titles: Sequence[Sequence[Sequence[str]]]
) -> tuple[np.ndarray, list[list[list[str]]]]:
    """Score each paper's own words; ``texts[i]`` and ``titles[i]`` are token segments of title + abstract and
    of the title alone.

    Returns ``scores`` of shape ``(n_docs, n_themes)`` in ``[0, 1)`` and, per paper and theme, the matched terms
    ordered by contribution.
    """
    n_docs, n_themes = len(texts), lexicon.n_themes
    scores = np.zeros((n_docs, n_themes))
    evidence: list[list[list[str]]] = []
    for row in range(n_docs):
        counts: dict[tuple[tuple[str, ...], int], int] = {}
        for gram, hit in lexicon.scan(texts[row]):
            for theme in hit:
                counts[gram, theme] = counts.get((gram, theme), 0) + 1
        in_title = {(gram, theme) for gram, hit in lexicon.scan(titles[row]) for theme in hit}
        contributions: list[dict[str, float]] = [{} for _ in range(n_themes)]
        for (gram, theme), count in counts.items():
            weight = lexicon.entries[gram][theme]
            bonus = weight * TITLE_BONUS if (gram, theme) in in_title else 0.0
            contributions[theme][lexicon.names[gram]] = weight * (1.0 + math.log(count)) + bonus
        paper_terms: list[list[str]] = []
        for theme, terms in enumerate(contributions):
            raw = sum(terms.values())
            scores[row, theme] = 1.0 - math.exp(-raw / PAPER_SCALE)
            paper_terms.append([t for t, _ in sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_EVIDENCE]])
        evidence.append(paper_terms)
    return scores, evidence


def term_theme_weights(lexicon: ThemeLexicon, terms: Sequence[str]) -> np.ndarray:
    """Theme weight of each vocabulary term (phrase tokens included), shape ``(n_terms, n_themes)``."""
    weights = np.zeros((len(terms), lexicon.n_themes))
    for j, term in enumerate(terms):
        for _, hit in lexicon.scan([[term]]):
            for theme, weight in hit.items():
                weights[j, theme] += weight
    return weights


def group_theme_scores(group_term: np.ndarray, term_weights: np.ndarray, head: int = HEAD_TERMS) -> np.ndarray:
    """How strongly each topic (or cluster) expresses each theme, shape ``(n_groups, n_themes)`` in ``[0, 1)``.

    For each group, take its ``head`` heaviest terms (``group_term`` is ``(n_groups, n_terms)``, non-negative:
    p(term | topic) or a cluster centroid); the theme's share of that head's weight, with each term counted by
    its theme weight (``term_weights``, ``(n_terms, n_themes)``, capped at 1), is squashed to ``[0, 1)``.
    A share measured on the head, not a lift over the corpus, keeps rare themes from scoring high on a stray term.
    """
    weights = np.clip(group_term, 0.0, None)
    n_head = min(head, weights.shape[1])
    top = np.argsort(-weights, axis=1, kind="stable")[:, :n_head]
    scores = np.zeros((weights.shape[0], term_weights.shape[1]))
    capped = np.clip(term_weights, 0.0, 1.0)
    for g in range(weights.shape[0]):
        w = weights[g, top[g]]
        total = w.sum()
        if total > 0:
            scores[g] = (w @ capped[top[g]]) / total
    return 1.0 - np.exp(-scores / HEAD_SHARE_SCALE)


def assign_themes(
    themes: Sequence[ThemeDefinition],
    doc_ids: Sequence[str],
    paper_scores: np.ndarray,
    paper_terms: list[list[list[str]]],
    weights: ThemeWeights,
    doc_topic: np.ndarray | None = None,
    topic_theme: np.ndarray | None = None,
    doc_cluster: np.ndarray | None = None,
    cluster_theme: np.ndarray | None = None,
) -> ThemeTable:
    """Combine paper, topic and cluster evidence into a :class:`ThemeTable`.

    ``doc_topic`` is ``(n_docs, n_topics)``, ``topic_theme`` ``(n_topics, n_themes)``; ``doc_cluster`` is
    ``(n_docs,)`` cluster ids, ``cluster_theme`` ``(n_clusters, n_themes)``. Kinds of evidence that are absent
    drop out of the weighted mean.
    """
    parts: dict[str, np.ndarray] = {"paper": paper_scores}
    kind_weights = {"paper": weights.paper}
    if doc_topic is not None and topic_theme is not None:
        parts["topic"] = doc_topic @ topic_theme
        kind_weights["topic"] = weights.topic
    if doc_cluster is not None and cluster_theme is not None:
        parts["cluster"] = cluster_theme[doc_cluster]
        kind_weights["cluster"] = weights.cluster
    total = sum(kind_weights.values()) or 1.0
    scores = sum(kind_weights[k] * parts[k] for k in parts) / total
    scores = np.round(scores, 6)  # stable decisions and stable CSV output across platforms

    assigned = scores >= weights.threshold
    if weights.max_per_paper < scores.shape[1]:
        order = np.argsort(-scores, axis=1, kind="stable")
        rank = np.empty_like(order)
        rank[np.arange(scores.shape[0])[:, None], order] = np.arange(scores.shape[1])
        assigned &= rank < weights.max_per_paper

    dominant_topic = doc_topic.argmax(axis=1) if doc_topic is not None and topic_theme is not None else None
    evidence: list[tuple[tuple[str, ...], ...]] = []
    for row in range(scores.shape[0]):
        per_theme: list[tuple[str, ...]] = []
        for theme in range(scores.shape[1]):
            terms = tuple(paper_terms[row][theme])
            if not terms and assigned[row, theme] and dominant_topic is not None:
                terms = (f"topic {int(dominant_topic[row])}",)
            per_theme.append(terms)
        evidence.append(tuple(per_theme))
    return ThemeTable(
        themes=tuple(themes),
        doc_ids=tuple(doc_ids),
        scores=scores,
        assigned=assigned,
        evidence=tuple(evidence),
        topic_theme=topic_theme,
        cluster_theme=cluster_theme,
        parts=parts,
    )
