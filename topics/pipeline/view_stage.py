"""The science-maps stage of a run: the thematic map, thematic evolution, bursts and co-word network
(:func:`topics.views.compute_views`) from the run's vocabulary, periods, themes and LDA topics."""

from __future__ import annotations

from preprocessing.records import Corpus
from topics.config import RunConfig
from topics.models.vocabulary import Vocabulary
from topics.results import ScienceViews, ThemeTable, TopicResult
from topics.views import ViewInputs, ViewSettings, compute_views


def view_settings(config: RunConfig) -> ViewSettings:
    """The views' settings from the config's ``views`` section and the run's seed."""
    cfg = config.views
    return ViewSettings(
        map_terms=cfg.map_terms, slices=cfg.slices, min_inclusion=cfg.min_inclusion, burst_terms=cfg.burst_terms,
        burst_s=cfg.burst_s, burst_gamma=cfg.burst_gamma, coword_terms=cfg.coword_terms, seed=config.seed,
    )


def run_views(
    config: RunConfig, corpus: Corpus, table: ThemeTable, lda: TopicResult | None, vocabulary: Vocabulary,
    periods: tuple[str, ...],
) -> ScienceViews | None:
    """The science maps of the run, over the models' vocabulary (stop words, corpus stop words and rare terms
    already out; phrases written with spaces) and, when the inputs have them, the papers' author keywords;
    ``None`` with ``views.enabled: false``. ``periods`` are the run's periods in chronological order."""
    if not config.views.enabled:
        return None
    inputs = ViewInputs(
        doc_term=vocabulary.doc_term_matrix(),
        terms=tuple(term.replace("_", " ") for term in vocabulary.terms),
        periods=tuple(p.period for p in corpus.papers),
        period_order=periods,
        theme_ids=table.theme_ids,
        theme_labels=tuple(t.label for t in table.themes),
        theme_assigned=table.assigned,
        topic_ids=tuple(str(lda.topic_id(k)) for k in range(lda.n_topics)) if lda is not None else (),
        topic_labels=tuple(lda.labels) if lda is not None else (),
        topic_dominant=lda.assignments if lda is not None else None,
        keywords=tuple(p.keywords for p in corpus.papers) if any(p.keywords for p in corpus.papers) else None,
    )
    return compute_views(inputs, view_settings(config))
