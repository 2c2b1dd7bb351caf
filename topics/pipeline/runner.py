"""The one place that strings the stages together: inputs -> corpus -> tokens -> models -> themes -> trends ->
science maps -> report and output files. The CLI is a thin layer over :func:`run` and :func:`run_and_write`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer
from preprocessing.records import Corpus
from preprocessing.token_arrays import TokenArrays
from topics.config import RunConfig
from topics.models.alignment import PreviousTopics, align_topics, load_previous_topics
from topics.models.vocabulary import Vocabulary
from topics.models.warm_start import MAX_GROWTH
from topics.pipeline.corpus_stage import build_tokenizer, cached_corpus, tokenize_corpus
from topics.pipeline.fold_in_stage import fold_in_message, fold_in_models, with_frozen_settings
from topics.pipeline.frozen_state import FrozenRun, freeze_run, load_state, warm_start_of
from topics.pipeline.manifest import build_manifest
from topics.pipeline.memory import release_freed_memory
from topics.pipeline.model_stages import CorpusTokens, FittedModels, cached_models, sized_config
from topics.pipeline.progress import RunProgress, peak_rss_mb
from topics.pipeline.theme_stage import ThemeEvidence, ThemeStage, cached_themes, theme_evidence
from topics.pipeline.view_stage import run_views
from topics.quality.agreement import compare_partitions
from topics.quality.health import TOP_TERMS, TopicFlag, topic_flags
from topics.results import (
    Evaluation,
    FoldIn,
    RunResult,
    ThemeDefinition,
    ThemeTable,
    TopicAlignment,
    TopicResult,
    TrendTable,
)
from topics.themes.definitions import load_theme_definitions
from topics.themes.evaluation import evaluate_themes, match_labels
from topics.themes.keyword_baseline import keyword_baseline, paper_text
from topics.themes.labels_file import GoldLabels, read_labels
from topics.themes.topic_labels import theme_name_words, topic_labels, written_forms
from topics.trends.mix_check import warn_mix
from topics.trends.profiles import theme_profiles
from topics.trends.snapshot import compare_snapshots
from topics.trends.table import TrendInputs, build_trends, comparison_periods, order_periods
from topics.trends.topic_drift import topic_terms_by_period


def load_previous(path: Path, progress: RunProgress) -> dict[str, PreviousTopics]:
    """The topic blocks of a previous run's topics.json by name (``"lda"``, ``"clusters"``); a file without an
    LDA block is an error naming it, one without clusters only a warning."""
    previous = {"lda": load_previous_topics(path, "lda")}
    try:
        previous["clusters"] = load_previous_topics(path, "clusters")
    except UserError:
        progress.warn(f"{path} has no clusters; cluster ids start afresh")
    return previous


def finalise_topics(
    result: TopicResult,
    group_theme: np.ndarray | None,
    themes: Sequence[ThemeDefinition],
    previous: PreviousTopics | None,
    written: Mapping[str, str] | None = None,
) -> tuple[TopicResult, TopicAlignment | None]:
    """Readable labels for the topics (or clusters) of ``result`` and, given the topics of a previous run, ids
    and labels kept from the topics they match (by ``result.topic_term`` over ``result.terms``). ``group_theme`` is
    ``(n_topics, n_themes)``."""
    alignment = None
    if previous is not None and result.topic_term is not None:
        alignment = align_topics(previous, result.topic_term, result.terms)
    kept = alignment.kept_labels if alignment is not None else (None,) * result.n_topics
    fresh = topic_labels(
        [[t for t, _ in topic] for topic in result.topic_terms],
        group_theme,
        [t.short or t.label for t in themes],
        [theme_name_words(t.label, t.short, t.seeds) for t in themes],
        reserved=[label for label in kept if label],
        coherence=result.topic_coherence,
        written=written,
    )
    labels = tuple(old if old else new for old, new in zip(kept, fresh))
    ids = alignment.ids if alignment is not None else tuple(range(result.n_topics))
    return replace(result, labels=labels, ids=ids), alignment


def evaluate_run(
    gold: GoldLabels, config: RunConfig, corpus: Corpus, table: ThemeTable, progress: RunProgress
) -> Evaluation:
    """Score the run's themes and the keyword baseline against the labelled papers ``gold``."""
    titles = [p.title for p in corpus.papers]
    match = match_labels(gold, corpus.ids, titles)
    message = match.warning()
    if message:
        progress.warn(message)
    baseline = keyword_baseline(table.themes, [paper_text(p.title, p.abstract) for p in corpus.papers])
    return evaluate_themes(
        match, table.theme_ids, table.assigned, table.scores, table.evidence, baseline, titles,
        max_errors=config.evaluation.max_errors, threshold=config.themes.threshold,
    )


def check_normalize_by(config: RunConfig, corpus: Corpus, progress: RunProgress) -> None:
    """Warn when ``trends.normalize_by`` names a field that splits the corpus into fewer than two groups (the
    normalised shares then equal the raw ones)."""
    field_name = config.trends.normalize_by
    if field_name is None:
        return
    groups = {getattr(p, field_name) for p in corpus.papers}
    if len(groups - {""}) < 2:
        message = (
            f"trends -> normalize_by: the papers have {len(groups - {''})} distinct {field_name}(s), so normalised "
            f"shares equal raw ones; map a column to {field_name} in inputs -> columns, or remove normalize_by"
        )
        progress.warn(message)


def mix_check_field(corpus: Corpus) -> str:
    """The paper field whose mix the trend calls are checked against (topics.trends.mix_check): ``"venue"`` when
    the papers have two or more venues; else ``"source"`` when some period mixes two or more sources (input files
    that each hold their own periods, such as listing snapshots, are the periods themselves); else ``""``."""
    if len({p.venue for p in corpus.papers} - {""}) >= 2:
        return "venue"
    sources: dict[str, set[str]] = {}
    for paper in corpus.papers:
        sources.setdefault(paper.period, set()).add(paper.source)
    return "source" if any(len(names) >= 2 for names in sources.values()) else ""


def compute_trends(
    config: RunConfig,
    corpus: Corpus,
    table: ThemeTable,
    lda: TopicResult | None,
    vocabulary: Vocabulary,
    compared: tuple[str, str] | None,
    progress: RunProgress,
) -> TrendTable:
    """Shares per period with intervals, trend tests, the two-period comparison, topics' terms over time and
    the themes' author and venue profiles."""
    cfg = config.trends
    periods = tuple(p.period for p in corpus.papers)
    authors = [p.authors for p in corpus.papers]
    theme_labels = [t.label for t in table.themes]
    dominant = lda.assignments if lda is not None else None
    topic_ids = [lda.topic_id(k) for k in range(lda.n_topics)] if lda is not None else None
    comparison = None
    if compared is not None:
        comparison = compare_snapshots(
            compared[0], compared[1], periods, table.theme_ids, theme_labels, table.assigned,
            topic_ids, list(lda.labels) if lda is not None else None, dominant, authors,
            top_authors=cfg.top_authors, confidence=cfg.confidence, alpha=cfg.fdr,
        )
    profiles = theme_profiles(
        table.theme_ids, table.assigned, authors, [p.venue for p in corpus.papers], cfg.top_authors
    )
    topic_terms = None
    if lda is not None and lda.topic_term is not None:
        topic_terms = topic_terms_by_period(
            vocabulary.doc_term_matrix(), lda.doc_topic, lda.topic_term, list(lda.terms),
            periods, order_periods(periods), topic_ids or [], list(lda.labels), top_n=cfg.top_terms,
            max_bins=cfg.term_bins,
        )
    groups = tuple(getattr(p, cfg.normalize_by) for p in corpus.papers) if cfg.normalize_by else None
    mix_field = mix_check_field(corpus)
    mix = tuple(getattr(p, mix_field) for p in corpus.papers) if mix_field else None
    inputs = TrendInputs(periods, groups, mix_field, mix)
    trends = build_trends(inputs, table, lda, cfg, progress.warn, comparison, topic_terms, profiles)
    warn_mix(trends, progress.warn)
    return trends




def model_flags(
    config: RunConfig, fitted: FittedModels, lda_result: TopicResult | None, cluster_result: TopicResult | None,
    n_docs: int,
) -> list[TopicFlag]:
    """Degenerate topics and clusters (:func:`topics.quality.health.topic_flags`) of the run's models, with the
    document frequencies of their top terms for the generic-terms check and, on the local engine, the LDA's
    online schedule for the advice."""
    dictionary = fitted.vocabulary.dictionary
    results = [r for r in (lda_result, cluster_result) if r is not None]
    tops = {term for r in results for terms in r.topic_terms for term, _ in terms[:TOP_TERMS]}
    frequency = {
        t: dictionary.dfs.get(dictionary.token2id[t], 0) / max(n_docs, 1) for t in tops if t in dictionary.token2id
    }
    flags: list[TopicFlag] = []
    if lda_result is not None:
        model = fitted.lda_model
        schedule = (
            (model.chunksize, model.effective_passes(n_docs))
            if model is not None and config.engine == "local"
            else None
        )
        flags += topic_flags(
            lda_result, "lda", frequency, schedule, config.models.lda.init if config.engine == "local" else "clusters"
        )
    if cluster_result is not None:
        flags += topic_flags(cluster_result, "clusters", frequency)
    return flags


@dataclass(frozen=True)
class _RunInputs:
    """What the read stage gives the rest of the run: the corpus (and how many papers ``where`` left out), the
    theme definitions, the labelled papers to evaluate against, the previous run's topics to align to and the
    two periods to compare."""

    corpus: Corpus
    excluded: int
    themes: tuple[ThemeDefinition, ...]
    gold: GoldLabels | None
    previous: dict[str, PreviousTopics]
    compared: tuple[str, str] | None


def read_stage(
    config: RunConfig, use_cache: bool, progress: RunProgress, frozen: FrozenRun | None = None
) -> _RunInputs:
    """Read the corpus and every file that only matters later (themes, labels, previous topics), so that a
    mistake in any of them costs no work. With ``frozen``, the themes are the frozen run's."""
    with progress.stage("read"):
        corpus, excluded = cached_corpus(config, use_cache, progress)
        for message in corpus.warnings:
            progress.warn(message)
        themes = frozen.themes if frozen is not None else load_theme_definitions(config.themes.file)
        gold = read_labels(config.evaluation.labels, [t.id for t in themes]) if config.evaluation.labels else None
        previous = load_previous(config.models.align_to, progress) if config.models.align_to else {}
        compared = comparison_periods([p.period for p in corpus.papers], config.trends)
        check_normalize_by(config, corpus, progress)
        release_freed_memory()
    return _RunInputs(corpus, excluded, themes, gold, previous, compared)


def model_stage(
    config: RunConfig, corpus: Corpus, tokenizer: Tokenizer, use_cache: bool, progress: RunProgress,
    while_waiting: Callable[[CorpusTokens], None] | None = None,
) -> tuple[CorpusTokens, FittedModels]:
    """The papers' tokens and the fitted models (on Spark with ``engine: spark``). ``while_waiting(tokens)`` is
    called while the second process still fits the clusters, when there is one (see :func:`fit_models`)."""
    with ExitStack() as stack:
        spark = None
        if config.engine == "spark":
            from topics.models.spark_engine import spark_session

            with progress.stage("spark_start"):
                spark = stack.enter_context(spark_session(config.spark))
        with progress.stage("spacy"):
            tokens = tokenize_corpus(corpus, tokenizer, config, use_cache, progress, spark)
            release_freed_memory()
        warm = None
        if config.models.align_to is not None and spark is None:
            warm = warm_start_of(config.models.align_to)
            if warm is not None and not warm.suits(len(corpus)):
                progress.note(
                    f"  {len(corpus):,} papers against {warm.fitted_papers:,} in {warm.source}: more than "
                    f"{MAX_GROWTH:.0%} more, so the models start afresh and only the topic ids are aligned"
                )
                warm = None
            if warm is not None:
                progress.note(f"  the models start from the topics and clusters of {warm.source} (models.align_to)")
        waiting = (lambda: while_waiting(tokens)) if while_waiting is not None else None
        fitted = cached_models(config, tokens, corpus.ids, use_cache, progress, spark, warm, waiting)
    tokens.documents = fitted.documents
    if not fitted.from_cache:  # a cached entry's timings are those of the run that fitted it
        progress.timings.update(fitted.side.timings)
    return tokens, fitted


def label_topics(
    fitted: FittedModels, theme_table: ThemeTable, themes: Sequence[ThemeDefinition],
    previous: dict[str, PreviousTopics], progress: RunProgress, theme_texts: TokenArrays | None = None,
) -> tuple[TopicResult | None, TopicResult | None, dict[str, TopicAlignment]]:
    """LDA topics and clusters with their labels and ids (aligned to a previous run's when given)."""
    results = {"lda": fitted.lda_result, "clusters": fitted.side.result}
    group_theme = {"lda": theme_table.topic_theme, "clusters": theme_table.cluster_theme}
    alignments: dict[str, TopicAlignment] = {}
    with progress.stage("topic_labels"):
        terms = (t for r in results.values() if r is not None for topic in r.topic_terms for t, _ in topic)
        written = written_forms(terms, theme_texts) if theme_texts is not None else None
        for name, result in results.items():
            if result is None:
                continue
            results[name], alignment = finalise_topics(result, group_theme[name], themes, previous.get(name), written)
            if alignment is not None:
                alignments[name] = alignment
    lda_result, cluster_result = results["lda"], results["clusters"]
    return lda_result, cluster_result, alignments


@dataclass(frozen=True)
class _Modelled:
    """What the model and theme stages give the rest of the run, fitted or frozen: the config the models were made
    with, the tokenizer, the models and their results, the themes, the alignment to a previous run and, for frozen
    models, what the fold-in did."""

    config: RunConfig
    tokenizer: Tokenizer
    fitted: FittedModels
    themes: ThemeStage
    lda: TopicResult | None
    clusters: TopicResult | None
    alignments: dict[str, TopicAlignment]
    fold_in: FoldIn | None = None


def _warn_unmatchable(config: RunConfig, stage: ThemeStage, progress: RunProgress) -> None:
    if stage.unmatchable:
        progress.warn((
            f"{len(stage.unmatchable)} theme term(s) of {config.themes.file.name} cannot match as written and were "
            f"left out: {'; '.join(str(term) for term in stage.unmatchable)}"
        ))


def fit_stage(config: RunConfig, inputs: _RunInputs, use_cache: bool, progress: RunProgress) -> _Modelled:
    """Tokens, fitted models, themes and topic labels of the corpus (the run's usual path)."""
    corpus = inputs.corpus
    config = sized_config(config, len(corpus), progress)
    tokenizer = build_tokenizer(config)
    titles = [p.title for p in corpus.papers]
    early: list[ThemeEvidence] = []

    def theme_evidence_early(tokens: CorpusTokens) -> None:  # needs no model: runs while the clusters are fitted
        with progress.stage("theme_evidence"):
            early.append(theme_evidence(config, inputs.themes, tokenizer, tokens, titles, use_cache))

    tokens, fitted = model_stage(config, corpus, tokenizer, use_cache, progress, theme_evidence_early)
    with progress.stage("themes"):
        stage = cached_themes(
            config, inputs.themes, tokenizer, tokens, corpus.ids, titles, fitted, use_cache,
            early[0] if early else None,
        )
    _warn_unmatchable(config, stage, progress)
    lda_result, cluster_result, alignments = label_topics(
        fitted, stage.table, inputs.themes, inputs.previous, progress, tokens.theme_texts
    )
    return _Modelled(config, tokenizer, fitted, stage, lda_result, cluster_result, alignments)


def frozen_stage(
    config: RunConfig, inputs: _RunInputs, state: FrozenRun, use_cache: bool, progress: RunProgress
) -> _Modelled:
    """Tokens of the corpus, labelled by the frozen run ``state``'s models (:mod:`topics.pipeline.fold_in_stage`)."""
    tokenizer = build_tokenizer(config)
    if tokenizer.settings.fingerprint() != state.tokenizer_fingerprint:
        progress.warn(
            f"models.freeze: the tokenizer differs from the one of {config.models.freeze} (another spaCy or "
            "spacy-lookups-data version?); the added papers' tokens may differ from what the models were fitted on"
        )
    with progress.stage("spacy"):
        tokens = tokenize_corpus(inputs.corpus, tokenizer, config, use_cache, progress)
        release_freed_memory()
    folded = fold_in_models(config, state, inputs.corpus, tokens, tokenizer, progress)
    progress.note(fold_in_message(folded.summary))
    for reason in folded.summary.reasons:
        progress.warn(
            f"a refit may be worth it: {reason}; run without models.freeze (topics run) to fit the models again, "
            f"with --align-to {Path(str(config.models.freeze)) / 'topics.json'} to keep the topic ids"
        )
    _warn_unmatchable(config, folded.themes, progress)
    return _Modelled(
        config, tokenizer, folded.fitted, folded.themes, folded.lda, folded.clusters, {}, folded.summary
    )


def _run(
    config: RunConfig, use_cache: bool, progress: RunProgress
) -> tuple[RunResult, _Modelled, FrozenRun | None]:
    """:func:`run`, with what the model stages gave and the frozen run it used (``None`` when it fitted)."""
    first_warning = len(progress.warnings)  # a progress object handed in may hold an earlier run's
    state = None
    if config.models.freeze is not None:
        state = load_state(config.models.freeze)
        config = with_frozen_settings(config, state)
    inputs = read_stage(config, use_cache, progress, state)
    corpus = inputs.corpus
    modelled = (
        fit_stage(config, inputs, use_cache, progress) if state is None
        else frozen_stage(config, inputs, state, use_cache, progress)
    )
    config, fitted, theme_table = modelled.config, modelled.fitted, modelled.themes.table
    lda_result, cluster_result = modelled.lda, modelled.clusters
    flags = model_flags(config, fitted, lda_result, cluster_result, len(corpus))
    for flag in flags:
        progress.warn(flag.message)
    evaluation = None
    if inputs.gold is not None:
        with progress.stage("evaluate"):
            evaluation = evaluate_run(inputs.gold, config, corpus, theme_table, progress)
    with progress.stage("trends"):
        trends = compute_trends(
            config, corpus, theme_table, lda_result, fitted.vocabulary, inputs.compared, progress
        )
    with progress.stage("views"):
        views = run_views(config, corpus, theme_table, lda_result, fitted.vocabulary, trends.periods)
    agreement = None
    if lda_result is not None and cluster_result is not None:
        agreement = compare_partitions(lda_result, cluster_result)
    warnings = progress.warnings[first_warning:]
    manifest = build_manifest(
        config, corpus, excluded=inputs.excluded, fitted=fitted, tokenizer=modelled.tokenizer,
        theme_table=theme_table, trends=trends, lda=lda_result, clusters=cluster_result, evaluation=evaluation,
        warnings=warnings, flags=flags, progress=progress, fold_in=modelled.fold_in,
    )
    result = RunResult(
        title=config.report.title, corpus=corpus, themes=theme_table, trends=trends, lda=lda_result,
        clusters=cluster_result, agreement=agreement, doc_map=fitted.side.doc_map, evaluation=evaluation,
        alignments=modelled.alignments, k_sweep=fitted.k_sweep, manifest=manifest, warnings=tuple(warnings),
        views=views, fold_in=modelled.fold_in,
    )
    return result, modelled, state


def run(config: RunConfig, use_cache: bool = True, progress: RunProgress | None = None) -> RunResult:
    """Run every analysis stage of ``config`` and return the results (no files are written). With
    ``models.freeze``, the frozen run's models label the papers it did not hold and nothing is refitted."""
    return _run(config, use_cache, progress or RunProgress(quiet=True))[0]


def run_to_save(
    config: RunConfig, use_cache: bool = True, progress: RunProgress | None = None
) -> tuple[RunResult, FrozenRun | None]:
    """:func:`run`, with what a later run needs to label papers as this one did (models.pkl; ``None`` on
    ``engine: spark``), for a caller that saves the run itself (:meth:`topics.api.Run.save`)."""
    result, modelled, earlier = _run(config, use_cache, progress or RunProgress(quiet=True))
    return result, frozen_state_of(result, modelled, earlier)


def frozen_state_of(result: RunResult, modelled: _Modelled, earlier: FrozenRun | None) -> FrozenRun | None:
    """What a later run needs to label papers as this one did (``None`` on ``engine: spark``)."""
    if modelled.config.engine != "local":
        return None
    return freeze_run(
        modelled.config, result.themes.themes, modelled.tokenizer.settings.fingerprint(), result.corpus,
        modelled.fitted, result.lda, result.clusters, modelled.themes.learner, result.themes, earlier,
    )


def run_and_write(
    config: RunConfig, use_cache: bool = True, progress: RunProgress | None = None
) -> tuple[RunResult, dict[str, Path]]:
    """Run, render the report and write every output atomically into ``config.output.dir``."""
    from reports import render_report
    from topics.pipeline.outputs import check_output_dir, write_outputs
    from topics.pipeline.static_stage import check_static_figures, draw_static_figures, write_static_figures

    progress = progress or RunProgress(quiet=True)
    check_output_dir(config.output.dir)
    check_static_figures(config)
    result, modelled, earlier = _run(config, use_cache, progress)
    with progress.stage("report"):
        html = render_report(result)
    with progress.stage("freeze"):
        frozen = frozen_state_of(result, modelled, earlier)
    figures = draw_static_figures(config, html, progress)
    result.manifest["peak_rss_mb"] = peak_rss_mb()
    result.manifest["wall_seconds_to_write"] = round(progress.elapsed(), 3)
    with progress.stage("write"):
        paths = write_outputs(result, html, config.output.dir, frozen)
        paths.update(write_static_figures(config, figures))
    return result, paths
