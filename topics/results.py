"""Result types shared by the pipeline, the output writers and the report.

Everything the report shows is read from these objects; the report never sees a model.
Arrays are NumPy; rows follow ``Corpus.papers`` order unless stated otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
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
class ThemeDefinition:
    """A research theme as defined in a themes file (``configs/themes/*.yaml``).

    ``seeds`` are strong, specific terms; ``related`` weaker supporting terms; ``exclude`` terms that are not
    evidence where they occur ("neural network" for neuroscience); ``against`` terms that mark a paper as
    borrowing the theme's words for something else ("brain-inspired" for neuroscience): in such a paper the
    theme's seed terms count only as related terms, and the theme's learner takes it as a negative. Terms are
    words or phrases. ``short`` is a few characters ("RL") that prefix the labels of
    topics expressing the theme. ``threshold`` (a score in [0, 1], optional) is the theme's own assignment
    threshold; ``None`` leaves it to the run's ``themes.threshold``.
    """

    id: str
    label: str
    description: str = ""
    seeds: tuple[str, ...] = ()
    short: str = ""
    exclude: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    threshold: float | None = None
    against: tuple[str, ...] = ()


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
        """The ids of ``themes``, in table order (the column order of ``scores``)."""
        return tuple(t.id for t in self.themes)

    def paper_themes(self, row: int) -> list[tuple[str, float]]:
        """Assigned ``(theme id, score)`` pairs of one paper, highest score first."""
        return list(self._all_paper_themes[row])

    @cached_property
    def _all_paper_themes(self) -> list[tuple[tuple[str, float], ...]]:
        """:meth:`paper_themes` of every paper, computed once (one pass over the assigned cells)."""
        per_paper: list[list[tuple[str, float]]] = [[] for _ in range(self.assigned.shape[0])]
        ids = [t.id for t in self.themes]
        rows, cols = np.nonzero(self.assigned)
        for row, col, score in zip(rows.tolist(), cols.tolist(), self.scores[rows, cols].tolist()):
            per_paper[row].append((ids[col], float(score)))
        return [tuple(sorted(pairs, key=lambda pair: (-pair[1], pair[0]))) for pairs in per_paper]

    def primary_theme(self, row: int) -> str:
        """The paper's highest-scoring assigned theme id, or :data:`UNASSIGNED`."""
        pairs = self.paper_themes(row)
        return pairs[0][0] if pairs else UNASSIGNED


#: Directions a trend test gives a theme or topic.
EMERGING, DECLINING, STABLE = "emerging", "declining", "stable"
#: Bases of shares and trend tests: the raw share, and the share normalised for the corpus's mix of groups
#: (``trends.normalize_by``).
RAW, NORMALIZED = "raw", "normalized"


@dataclass(frozen=True)
class TrendWindow:
    """The periods one trend test spans: ``name`` (e.g. ``"last 10 periods"`` or ``"2013-2019"``) and its
    periods in chronological order."""

    name: str
    periods: tuple[str, ...]


@dataclass(frozen=True)
class SnapshotComparison:
    """Two periods compared (e.g. two listings of an institute's publication page).

    Attributes:
        before, after: the two period labels.
        frame: one row per theme and LDA topic: ``kind`` (``"theme"``/``"topic"``), ``id`` (theme id or topic
            id as text), ``label``, ``count_before``, ``papers_before``, ``share_before``, ``count_after``,
            ``papers_after``, ``share_after``, ``change`` (``share_after - share_before``, a fraction),
            ``change_low``/``change_high`` (Newcombe interval of the difference), ``p_value`` (two-sided Fisher
            exact test), ``q_value`` (Benjamini-Hochberg over the rows), ``status`` (``"new"``, ``"gone"``,
            ``"grew"``, ``"shrank"`` or ``"stable"``); sorted by ``change``, largest rise first.
        authors: the most productive authors of each theme in each period: ``theme``, ``period``, ``rank``
            (1-based), ``author``, ``papers`` (papers with the theme), ``status`` (``"new"`` when the author has
            no paper with the theme in ``before``, ``"left"`` when none in ``after``, else ``"both"``).
    """

    before: str
    after: str
    frame: pd.DataFrame
    authors: pd.DataFrame


@dataclass(frozen=True)
class TopicTermsOverTime:
    """Per-period top terms of each LDA topic, from the fitted model's per-paper topic weights (no refit).

    ``frame`` has one row per (topic, bin, rank): ``topic`` (topic id), ``label``, ``bin`` (a period or a range
    of consecutive periods such as ``"1987-1995"``), ``rank`` (1-based), ``term``, ``weight`` (expected count
    of the term's occurrences attributed to the topic in the bin) and ``lift`` (the term's share of the topic's
    words in the bin over its share in the whole topic). ``bins`` lists the bins in chronological order.
    """

    frame: pd.DataFrame
    bins: tuple[str, ...]


@dataclass(frozen=True)
class ThemeProfiles:
    """Who and where writes on each theme.

    ``authors``: ``theme``, ``rank`` (1-based), ``author``, ``papers`` (the author's papers with the theme),
    ``author_papers`` (all the author's papers), ``share`` (``papers / author_papers``).
    ``venues``: ``venue``, ``theme``, ``papers`` (the venue's papers), ``count`` (with the theme), ``share``;
    empty when the corpus has fewer than two venues.
    """

    authors: pd.DataFrame
    venues: pd.DataFrame


@dataclass(frozen=True)
class TrendTable:
    """Shares per period with intervals, and trend tests over windows of periods.

    Attributes:
        frame: one row per (period, theme) with ``period`` (str), ``theme`` (theme id, including
            :data:`UNASSIGNED`), ``papers`` (papers in the period), ``count`` (papers carrying the theme),
            ``share`` (``count / papers``, in ``[0, 1]``), ``share_low``/``share_high`` (Wilson interval at
            ``confidence``); with ``normalize_by`` also ``share_normalized`` and its ``share_normalized_low`` /
            ``share_normalized_high``.
        periods: the periods in chronological order.
        topic_frame: the same per (period, LDA topic): ``period``, ``topic`` (topic id), ``label``, ``papers``,
            ``count`` (papers whose dominant topic it is), ``share``, ``share_low``, ``share_high``, ``weight``
            (mean topic weight of the period's papers); ``None`` when LDA did not run.
        tests: one row per (window, basis, kind, id): ``window`` (name), ``basis`` (:data:`RAW` or
            :data:`NORMALIZED`), ``kind`` (``"theme"``/``"topic"``), ``id``, ``label``, ``start``/``end``
            (first and last period), ``periods``, ``count``, ``papers``, ``share_start``/``share_end`` (the
            fitted share at the window's ends), ``slope`` (change in share per ``time_unit`` at the window's
            mean share, a fraction: 0.004 is +0.4 points a year), ``slope_low``/``slope_high`` (its interval),
            ``odds_ratio`` (per ``time_unit``), ``p_value``, ``q_value`` (Benjamini-Hochberg within the window
            and basis), ``trend`` (:data:`EMERGING`, :data:`DECLINING` or :data:`STABLE` at ``alpha``).
            Sorted by window, basis, then slope (largest rise first).
        windows: the windows tested.
        time_unit: ``"year"`` when every period is a year (slopes are per year, gaps count), else ``"period"``.
        confidence: of every interval (0.95).
        alpha: the false discovery rate below which a trend is called emerging or declining.
        normalize_by: the paper field shares were normalised within (``"venue"``, ``"source"``), or ``None``.
        comparison: two periods compared, when the corpus has two (or ``trends.compare`` names two).
        topic_terms: per-period top terms of each LDA topic, ``None`` when LDA did not run.
        profiles: top authors per theme, and venues' theme profiles.
    """

    frame: pd.DataFrame
    periods: tuple[str, ...]
    topic_frame: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None
    windows: tuple[TrendWindow, ...] = ()
    time_unit: str = "period"
    confidence: float = 0.95
    alpha: float = 0.05
    normalize_by: str | None = None
    comparison: SnapshotComparison | None = None
    topic_terms: TopicTermsOverTime | None = None
    profiles: ThemeProfiles | None = None


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
class RunResult:
    """Everything one run produced, as read by the report and the output writers.

    ``manifest`` holds the resolved config, seeds, package versions, counts and stage timings (seconds).
    ``evaluation`` scores the themes against labelled papers when the run was given labels (``topics evaluate``).
    ``alignments`` maps ``"lda"``/``"clusters"`` to their alignment with a previous run's topics.json (only when
    ``models.align_to`` is set). ``k_sweep`` holds the candidates of ``num_topics: auto``. ``warnings`` are
    user-facing notes (e.g. "corpus smaller than num_topics; using K=5").
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
