"""The result of one run: everything the report and the output writers read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from preprocessing.records import Corpus
from topics.results.models import Agreement, DocumentMap, FoldIn, KSweep, TopicAlignment, TopicResult
from topics.results.themes import Evaluation, ThemeTable
from topics.results.trends import TrendTable
from topics.results.views import ScienceViews


@dataclass(frozen=True)
class RunResult:
    """Everything one run produced, as read by the report and the output writers.

    ``manifest`` holds the resolved config, seeds, package versions, counts and stage timings (seconds).
    ``evaluation`` scores the themes against labelled papers when the run was given labels (``topics evaluate``).
    ``alignments`` maps ``"lda"``/``"clusters"`` to their alignment with a previous run's topics.json (only when
    ``models.align_to`` is set). ``k_sweep`` holds the candidates of ``num_topics: auto``. ``views`` holds the
    science maps (``None`` with ``views.enabled: false``). ``warnings`` are user-facing notes (e.g. "corpus
    smaller than num_topics; using K=5"). ``fold_in`` says what a run with frozen models (``topics update``) did.
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
    views: ScienceViews | None = None
    #: what a run with frozen models did (``None`` when the models were fitted)
    fold_in: FoldIn | None = None
