"""What the science-mapping views are computed from (:class:`ViewInputs`) and their settings
(:class:`ViewSettings`), both validated when built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class ViewSettings:
    """Settings of the four views (the defaults follow bibliometrix, CiteSpace and VOSviewer).

    Attributes:
        map_terms: top terms per theme or topic in the thematic map and the evolution.
        min_term_papers: papers of a group a term must occur in to be one of its top terms.
        min_group_papers: papers a theme or topic needs to enter the thematic map and (per slice) the evolution.
        slices: time slices of the evolution (fewer when there are fewer periods with papers).
        min_inclusion: smallest inclusion index of an evolution link, in ``[0, 1]``.
        burst_terms: most frequent terms (document frequency) tested for bursts; every theme is tested too.
        burst_s: burst rate over base rate (> 1).
        burst_gamma: cost of entering a burst, in units of ``ln(number of periods)`` (≥ 0).
        coword_terms: most frequent terms of the co-word network.
        coword_min_cooccurrences: papers two terms must share to be joined.
        coword_min_strength: smallest association strength of an edge (1 = as often as chance).
        coword_edges_per_node: edges kept per node (its strongest; an edge stays when either end keeps it).
        seed: seed of the Louvain communities and the layout.
    """

    map_terms: int = 10
    min_term_papers: int = 2
    min_group_papers: int = 3
    slices: int = 3
    min_inclusion: float = 0.1
    burst_terms: int = 200
    burst_s: float = 2.0
    burst_gamma: float = 1.0
    coword_terms: int = 60
    coword_min_cooccurrences: int = 2
    coword_min_strength: float = 1.0
    coword_edges_per_node: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        positive = ("map_terms", "min_term_papers", "min_group_papers", "slices", "burst_terms", "coword_terms",
                    "coword_min_cooccurrences", "coword_edges_per_node")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"ViewSettings.{name} must be a whole number of at least 1, got {value!r}")
        if not 0.0 <= self.min_inclusion <= 1.0:
            raise ValueError(f"ViewSettings.min_inclusion must lie in [0, 1], got {self.min_inclusion!r}")
        if not self.burst_s > 1.0:
            raise ValueError(f"ViewSettings.burst_s must be above 1, got {self.burst_s!r}")
        if not self.burst_gamma >= 0.0:
            raise ValueError(f"ViewSettings.burst_gamma must be at least 0, got {self.burst_gamma!r}")
        if not self.coword_min_strength >= 0.0:
            raise ValueError(f"ViewSettings.coword_min_strength must be at least 0, got {self.coword_min_strength!r}")


@dataclass(frozen=True)
class ViewInputs:
    """The corpus as the views see it; rows of every per-paper field follow the same paper order.

    Attributes:
        doc_term: term counts, CSR, n_docs × n_terms.
        terms: the n_terms column names.
        periods: per-paper period label, ``""`` when unknown (such papers are left out of evolution and bursts).
        period_order: every period label in chronological order (each non-empty entry of ``periods`` is one).
        theme_ids, theme_labels: the n_themes themes.
        theme_assigned: bool, n_docs × n_themes: whether the paper carries the theme.
        topic_ids, topic_labels: the LDA topics (empty without LDA).
        topic_dominant: per paper, the index (0-based, into ``topic_ids``) of its dominant LDA topic, negative
            for none; ``None`` without LDA.
        keywords: per paper, its author keywords (joined to the co-word network's terms, lower-cased), or
            ``None``.
    """

    doc_term: sparse.csr_matrix
    terms: Sequence[str]
    periods: Sequence[str]
    period_order: tuple[str, ...]
    theme_ids: Sequence[str]
    theme_labels: Sequence[str]
    theme_assigned: np.ndarray
    topic_ids: Sequence[str] = ()
    topic_labels: Sequence[str] = ()
    topic_dominant: np.ndarray | None = None
    keywords: Sequence[Sequence[str]] | None = None

    def __post_init__(self) -> None:
        n_docs, n_terms = self.doc_term.shape
        if len(self.terms) != n_terms:
            raise ValueError(f"ViewInputs: {len(self.terms)} terms for a doc_term matrix of {n_terms} columns")
        per_paper = {"periods": self.periods, "theme_assigned": self.theme_assigned,
                     "topic_dominant": self.topic_dominant, "keywords": self.keywords}
        for name, value in per_paper.items():
            if value is not None and len(value) != n_docs:
                raise ValueError(f"ViewInputs.{name} has {len(value)} rows, doc_term has {n_docs} papers")
        shape = np.shape(self.theme_assigned)
        if len(shape) != 2 or shape[1] != len(self.theme_ids) or len(self.theme_labels) != len(self.theme_ids):
            raise ValueError(
                f"ViewInputs: theme_assigned of shape {shape} for {len(self.theme_ids)} theme ids and "
                f"{len(self.theme_labels)} labels"
            )
        if len(self.topic_labels) != len(self.topic_ids):
            raise ValueError(f"ViewInputs: {len(self.topic_ids)} topic ids but {len(self.topic_labels)} labels")
        if self.topic_dominant is not None and len(self.topic_dominant) and np.max(self.topic_dominant) >= len(
            self.topic_ids
        ):
            raise ValueError(f"ViewInputs.topic_dominant indexes topic {np.max(self.topic_dominant)} of "
                             f"{len(self.topic_ids)} topic ids")
        unknown = sorted({p for p in self.periods if p} - set(self.period_order))
        if unknown:
            raise ValueError(f"ViewInputs: periods not in period_order: {', '.join(map(repr, unknown[:5]))}")
