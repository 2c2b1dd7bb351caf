"""Result types of the topic models: topics and clusters, their agreement, the documents map, the K sweep and the
alignment with a previous run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class TopicResult:
    """Topics (LDA) or clusters (TF-IDF + KMeans) found in a corpus.

    Attributes:
        backend: ``"lda"`` or ``"tfidf_kmeans"``.
        topic_terms: per topic, its top terms as ``(term, weight)`` pairs, heaviest first. For LDA the weight is
            p(term | topic); for clusters it is the term's weight in the cluster's TF-IDF centroid.
        doc_topic: shape ``(n_docs, n_topics)``, rows sum to 1 (for clusters: one-hot rows).
        doc_ids: paper ids, length ``n_docs``, in corpus order.
        coords: shape ``(n_topics, 2)``, the intertopic distance map (classical MDS of Jensen-Shannon distances
            between topic-term distributions); unitless.
        metrics: overall quality figures, e.g. ``{"coherence_npmi": 0.07}`` or ``{"silhouette": 0.01}``.
        topic_coherence: NPMI coherence per topic (c_npmi over the top 10 terms), length ``n_topics``.
        labels: a short human label per topic, e.g. ``"RL · policy gradient, actor critic"``.
        ids: the topic's id shown to users and written to the outputs, length ``n_topics``; stable across
            runs when aligned to a previous run's topics.json (empty: ids are the indices ``0..n_topics-1``).
        topic_diversity: per topic, the share of its top-25 terms found in no other topic's top 25.
        topic_stability: per topic, the mean similarity (1 - Jensen-Shannon distance) of its matched topic in
            refits with other seeds; empty when not measured.
        topic_term: shape ``(n_topics, len(terms))``, each topic's weights over ``terms``: p(term | topic) for
            LDA, the TF-IDF centroid for clusters (``None`` when not kept). Themes, labels and topic drift read
            it, so no model object is needed after fitting.
        terms: the term of each column of ``topic_term``.
    """

    backend: str
    topic_terms: tuple[tuple[tuple[str, float], ...], ...]
    doc_topic: np.ndarray
    doc_ids: tuple[str, ...]
    coords: np.ndarray
    metrics: dict[str, float] = field(default_factory=dict)
    topic_coherence: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    ids: tuple[int, ...] = ()
    topic_diversity: tuple[float, ...] = ()
    topic_stability: tuple[float, ...] = ()
    topic_term: np.ndarray | None = None
    terms: tuple[str, ...] = ()

    @property
    def n_topics(self) -> int:
        """Number of topics (columns of ``doc_topic``)."""
        return int(self.doc_topic.shape[1])

    def topic_id(self, k: int) -> int:
        """The user-facing id of topic index ``k``."""
        return int(self.ids[k]) if self.ids else k

    @property
    def assignments(self) -> np.ndarray:
        """Dominant topic per paper, shape ``(n_docs,)``, ints in ``[0, n_topics)``."""
        return np.asarray(self.doc_topic.argmax(axis=1), dtype=int)

    @property
    def sizes(self) -> np.ndarray:
        """Number of papers whose dominant topic is each topic, shape ``(n_topics,)``."""
        return np.bincount(self.assignments, minlength=self.n_topics)

    @property
    def prevalence(self) -> np.ndarray:
        """Mean topic weight over papers, shape ``(n_topics,)``, sums to 1."""
        return np.asarray(self.doc_topic.mean(axis=0))

@dataclass(frozen=True)
class KSweep:
    """The candidates of a K sweep and how each scored.

    Attributes:
        candidates: the K values fitted, ascending.
        coherence: per candidate, the mean NPMI coherence in ``[-1, 1]`` of its best fit (the most coherent
            of its fits, one per seed).
        stability: per candidate, in ``[0, 1]``: for each topic of the best fit, the similarity
            (``1 - JS distance``) of its closest match among the other seeds' fits, averaged over the topics.
            Empty when the sweep ran with a single seed.
        diversity: per candidate, the topic diversity (unique share of the top-25 terms) in ``(0, 1]`` of its
            best fit.
        score: the selection criterion per candidate in ``[0, 1]``: coherence min-max scaled over the eligible
            candidates, 0 for the others. The chosen K has score 1.
        chosen: the K picked.
        rule: one sentence describing the rule, for the report (no final full stop).
        seeds: the random seeds of each candidate's fits.
        eligible: per candidate, whether its stability reached the floor (all True when the floor did not apply:
            fewer than :data:`MIN_REFITS_FOR_FLOOR` refits).
        stability_floor: the stability a candidate needed to be eligible (0 when the floor did not apply).
        model_seed: the seed of the returned model (the chosen K's best fit).
        topic_stability: per topic of the returned model, its mean matched similarity over the chosen K's
            other fits (as :func:`topics.models.stability.topic_stability`); empty with a single seed. The pipeline can
            report this instead of refitting.
    """

    candidates: tuple[int, ...]
    coherence: tuple[float, ...]
    stability: tuple[float, ...]
    diversity: tuple[float, ...]
    score: tuple[float, ...]
    chosen: int
    rule: str
    seeds: tuple[int, ...] = ()
    eligible: tuple[bool, ...] = ()
    stability_floor: float = 0.0
    model_seed: int | None = None
    topic_stability: tuple[float, ...] = ()

@dataclass(frozen=True)
class TopicAlignment:
    """How a new fit's topics map onto a previous run's; every per-topic tuple has length ``n_topics`` (new order).

    Attributes:
        ids: the id each new topic carries (previous id when matched, a fresh one otherwise).
        matched_previous: the matched previous topic's id, or ``None``.
        similarity: weighted Jaccard similarity to the matched previous topic, ``0.0`` when unmatched.
        kept_labels: the matched previous topic's label, ``None`` when unmatched or when it had no label.
        born: ids of new topics with no match, in new topic order (ascending).
        gone: ``(id, label)`` of previous topics with no match, by ascending id.
        threshold: the minimum similarity a match needed.
        previous: the previous topics.json, ``None`` for :func:`identity_alignment` (no previous run).
    """

    ids: tuple[int, ...]
    matched_previous: tuple[int | None, ...]
    similarity: tuple[float, ...]
    kept_labels: tuple[str | None, ...]
    born: tuple[int, ...]
    gone: tuple[tuple[int, str], ...]
    threshold: float
    previous: Path | None = None

    @property
    def n_topics(self) -> int:
        """Number of topics of the new fit."""
        return len(self.ids)

    @property
    def aligned(self) -> bool:
        """Whether a previous run was aligned to (``False`` for :func:`identity_alignment`)."""
        return self.previous is not None

@dataclass(frozen=True)
class Agreement:
    """How LDA's dominant topics and the TF-IDF clusters agree.

    ``contingency`` has shape ``(n_topics, n_clusters)`` and counts papers; ``ari`` is the adjusted Rand index
    and ``nmi`` the normalised mutual information of the two partitions.
    """

    contingency: np.ndarray
    ari: float
    nmi: float

@dataclass(frozen=True)
class DocumentMap:
    """A 2-D projection of (a sample of) the papers for the documents map.

    ``indices`` (shape ``(n_points,)``) index into ``Corpus.papers``; ``coords`` has shape ``(n_points, 2)``;
    ``method`` names the projection (e.g. ``"tsne"``); ``total`` is the number of papers before sampling.
    """

    indices: np.ndarray
    coords: np.ndarray
    method: str
    total: int

    @property
    def sampled(self) -> bool:
        """Whether the map shows only a sample of the papers (fewer points than ``total``)."""
        return len(self.indices) < self.total


@dataclass(frozen=True)
class FoldIn:
    """What a run with frozen models (``topics update``, ``models.freeze``) did: which run's models it used
    (``frozen_from``), how many papers kept that run's results (``kept``), how many were labelled by the frozen
    models (``added``; ``changed`` of them were in the frozen run with another text), and how far the added papers
    drift from what the models were fitted on: ``poorly_explained`` of them fall under the fitted papers' 5%
    quantile of the per-word bound or of the vocabulary share (:mod:`topics.models.fold_in`); the medians of both
    (nats per word; share in [0, 1]) for the added and the fitted papers (NaN when not measured). ``refit_advised``
    with its ``reasons`` (sentences) says whether a refit is worth it; ``fitted_papers`` counts the papers the
    models were fitted on."""

    frozen_from: str
    kept: int
    added: int
    changed: int
    poorly_explained: int
    bound_median_added: float
    bound_median_fitted: float
    share_median_added: float
    share_median_fitted: float
    fitted_papers: int
    refit_advised: bool
    reasons: tuple[str, ...] = ()

    @property
    def poorly_explained_share(self) -> float:
        """Share of the added papers that are poorly explained, in [0, 1] (0 when none was added)."""
        return self.poorly_explained / self.added if self.added else 0.0
