"""Result types of the theme labelling: theme definitions, each paper's themes, venues' theme profiles, and the
evaluation against labelled papers (scores, precision/recall curves, reliability, error cases)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

#: Theme id shown for papers that carry no theme.
UNASSIGNED = "unassigned"

#: Label meaning "none of the evaluated themes".
OTHER = "other"

#: Predicted category of a paper that carries none of the evaluated themes (confusion table column).
NONE = "none"

#: Name of the curve pooled over every (paper, theme) pair of the evaluated themes.
MICRO = "micro"

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
        parts: the features behind ``scores`` (see ``topics.themes.scoring.FEATURES``: paper evidence such as
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
class ThemeScore:
    """Precision, recall and F1 of one theme over the evaluated papers.

    ``support`` = papers labelled with the theme, ``predicted`` = papers given it, ``tp``/``fp``/``fn`` the
    true positives, false positives and false negatives (``tp + fp == predicted``, ``tp + fn == support``).
    """

    theme: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    tp: int
    fp: int
    fn: int

@dataclass(frozen=True)
class PrPoint:
    """Precision, recall and F1 of one theme (or of all pairs) when every paper scoring ``>= threshold`` is
    predicted; ``predicted`` papers were, ``tp`` of them labelled (zero conventions as :func:`theme_score`, so
    precision is 0.0 when ``predicted == 0``)."""

    threshold: float
    precision: float
    recall: float
    f1: float
    predicted: int
    tp: int

@dataclass(frozen=True)
class PrCurve:
    """One theme's precision/recall at every threshold of :data:`PR_THRESHOLDS` (ascending).

    ``theme`` is a theme id, or :data:`MICRO` for the curve pooled over every (paper, theme) pair;
    ``support`` the labelled positives; ``average_precision`` sklearn's average precision of the raw scores
    (the step-wise area under the full precision/recall curve), ``None`` when ``support == 0``.
    """

    theme: str
    support: int
    points: tuple[PrPoint, ...]
    average_precision: float | None

@dataclass(frozen=True)
class ReliabilityBin:
    """One score bin ``[low, high)`` (the last one includes 1.0) of the reliability table.

    ``count`` (paper, theme) pairs fall in it, ``positives`` of them labelled with the theme; ``mean_score`` is
    their mean score, ``observed = positives / count`` with its Wilson interval ``observed_low``..``observed_high``
    (all four ``None`` for an empty bin).
    """

    low: float
    high: float
    count: int
    positives: int
    mean_score: float | None
    observed: float | None
    observed_low: float | None
    observed_high: float | None

@dataclass(frozen=True)
class Reliability:
    """Calibration of the scores over ``n_pairs`` (paper, theme) pairs, ``n_positive`` of them labelled.

    ``bins``: :data:`RELIABILITY_BINS` equal-width bins over ``[0, 1]``, lowest first; ``ece`` the expected
    calibration error, ``sum(count * |mean_score - observed|) / n_pairs`` over the non-empty bins (0 = calibrated);
    ``brier`` the mean of ``(score - label)^2`` (0 = perfect; always answering 0.5 gives 0.25).
    """

    bins: tuple[ReliabilityBin, ...]
    ece: float
    brier: float
    n_pairs: int
    n_positive: int

@dataclass(frozen=True)
class ErrorCase:
    """One wrong decision of the labeller on one paper and theme.

    ``kind`` is ``"false positive"`` (theme given, not labelled) or ``"false negative"`` (labelled, not given);
    ``score`` is the labeller's score for the theme; ``evidence`` the terms behind that score (may be empty);
    ``gold`` the paper's labelled themes (``("other",)`` for none); ``predicted`` every theme the labeller gave
    the paper, evaluated or not, in theme order; ``line`` the labels file line.
    """

    kind: Literal["false positive", "false negative"]
    doc_id: str
    title: str
    theme: str
    score: float
    evidence: tuple[str, ...]
    gold: tuple[str, ...]
    predicted: tuple[str, ...]
    line: int

@dataclass(frozen=True)
class Evaluation:
    """The labeller (and the keyword baseline) scored against hand labels.

    Attributes:
        labels_path: the labels file.
        themes: evaluated theme ids, in theme order.
        scores: the labeller's score per evaluated theme.
        baseline: the keyword baseline's score per evaluated theme (empty when the baseline was not run).
        macro_f1: mean F1 of ``scores``.
        baseline_macro_f1: mean F1 of ``baseline``, ``None`` when not run.
        n_labelled: labelled papers in the file (repeats dropped); ``n_papers`` of them matched the run.
        n_unmatched: labelled papers not in the run; ``unmatched_examples`` names the first few.
        gold_categories: rows of ``confusion``: ``themes`` then ``"other"``.
        predicted_categories: columns of ``confusion``: ``themes`` then ``"none"``.
        confusion: shape ``(len(themes) + 1, len(themes) + 1)``, ints: for each paper, every pair (gold category,
            predicted category) counts 1, so a paper with two gold and one predicted theme counts twice.
        false_positives: worst false positives, highest score first (at most ``max_errors``).
        false_negatives: worst false negatives, lowest score first (at most ``max_errors``).
        pr_curves: the labeller's scores at every threshold, one curve per evaluated theme (theme order).
        pr_micro: the same pooled over every (paper, theme) pair (theme :data:`MICRO`).
        reliability: calibration of the scores over the same pairs.
        threshold: the configured score threshold of the labeller, when the caller gave it. ``scores`` are the
            decisions actually made (that threshold and at most ``max_per_paper`` themes a paper).
    """

    labels_path: str
    themes: tuple[str, ...]
    scores: tuple[ThemeScore, ...]
    baseline: tuple[ThemeScore, ...]
    macro_f1: float
    baseline_macro_f1: float | None
    n_labelled: int
    n_papers: int
    n_unmatched: int
    unmatched_examples: tuple[str, ...]
    gold_categories: tuple[str, ...]
    predicted_categories: tuple[str, ...]
    confusion: np.ndarray
    false_positives: tuple[ErrorCase, ...]
    false_negatives: tuple[ErrorCase, ...]
    pr_curves: tuple[PrCurve, ...] = ()
    pr_micro: PrCurve | None = None
    reliability: Reliability | None = None
    threshold: float | None = None
