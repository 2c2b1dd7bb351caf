"""Result types shared by the pipeline, the output writers and the report.

Everything the report shows is read from these objects; the report never sees a model.
Arrays are NumPy; rows follow ``Corpus.papers`` order unless stated otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from preprocessing.records import Corpus

if TYPE_CHECKING:  # the evaluation types live beside their code; results only refers to them
    from topics.evaluation import Evaluation
    from topics.k_selection import KSweep
    from topics.topic_alignment import TopicAlignment

#: Theme id shown for papers that carry no theme.
UNASSIGNED = "unassigned"


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

    @property
    def n_topics(self) -> int:
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
class ThemeDefinition:
    """A research theme as defined in a themes file (``configs/themes/*.yaml``).

    ``seeds`` are strong, specific terms; ``related`` weaker supporting terms; ``exclude`` terms that argue
    against the theme. Terms are words or phrases. ``short`` is a few characters ("RL") that prefix the labels of
    topics expressing the theme.
    """

    id: str
    label: str
    description: str = ""
    seeds: tuple[str, ...] = ()
    short: str = ""
    exclude: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThemeTable:
    """Themes of every paper.

    Attributes:
        themes: the theme definitions, column order of the arrays.
        doc_ids: paper ids, length ``n_docs``.
        scores: shape ``(n_docs, n_themes)``, confidence in ``[0, 1]``.
        assigned: shape ``(n_docs, n_themes)``, bool; a paper may carry several themes or none.
        evidence: per paper, per theme, the terms that drove the score (strongest first, at most a few).
        topic_theme: shape ``(n_topics, n_themes)``, how strongly each LDA topic expresses each theme in
            ``[0, 1]``; ``None`` when LDA did not run.
        cluster_theme: shape ``(n_clusters, n_themes)``, the same for TF-IDF clusters; ``None`` when not run.
        parts: the features behind ``scores`` (see ``topics.themes.FEATURES``: paper evidence such as
            ``title_seed`` and ``focus``, and ``topic``/``cluster`` when those models ran), each of shape
            ``(n_docs, n_themes)``; ``scores`` is a logistic function of them.
    """

    themes: tuple[ThemeDefinition, ...]
    doc_ids: tuple[str, ...]
    scores: np.ndarray
    assigned: np.ndarray
    evidence: tuple[tuple[tuple[str, ...], ...], ...]
    topic_theme: np.ndarray | None = None
    cluster_theme: np.ndarray | None = None
    parts: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def paper_themes(self, row: int) -> list[tuple[str, float]]:
        """Assigned ``(theme id, score)`` pairs of one paper, highest score first."""
        pairs = [(self.themes[j].id, float(self.scores[row, j])) for j in np.flatnonzero(self.assigned[row])]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))

    def primary_theme(self, row: int) -> str:
        """The paper's highest-scoring assigned theme id, or :data:`UNASSIGNED`."""
        pairs = self.paper_themes(row)
        return pairs[0][0] if pairs else UNASSIGNED


@dataclass(frozen=True)
class TrendTable:
    """Theme counts and shares per period.

    ``frame`` has one row per (period, theme) with columns ``period`` (str), ``theme`` (theme id, including
    :data:`UNASSIGNED`), ``papers`` (papers in the period), ``count`` (papers carrying the theme) and ``share``
    (``count / papers``, in ``[0, 1]``). ``periods`` lists the periods in chronological order.
    """

    frame: pd.DataFrame
    periods: tuple[str, ...]


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
        return len(self.indices) < self.total


@dataclass(frozen=True)
class RunResult:
    """Everything one run produced, as read by the report and the output writers.

    ``manifest`` holds the resolved config, seeds, package versions, counts and stage timings (seconds).
    ``evaluation`` scores the themes against labelled papers when the run was given labels (``topics evaluate``).
    ``alignments`` maps ``"lda"``/``"clusters"`` to their alignment with a previous run's topics.json (only when
    ``models.align_to`` is set). ``k_sweep`` holds the candidates of ``num_topics: auto``. ``warnings`` are user-facing notes (e.g. "corpus smaller than num_topics; using K=5").
    """

    title: str
    corpus: Corpus
    themes: ThemeTable
    trends: TrendTable
    lda: TopicResult | None = None
    clusters: TopicResult | None = None
    agreement: Agreement | None = None
    doc_map: DocumentMap | None = None
    evaluation: Evaluation | None = None
    alignments: dict[str, TopicAlignment] = field(default_factory=dict)
    k_sweep: KSweep | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
