"""The one place that strings the stages together: inputs -> corpus -> tokens -> models -> themes -> trends ->
report and output files. The CLI is a thin layer over :func:`run` and :func:`run_and_write`."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

import topics
from preprocessing.dedup import deduplicate
from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer, TokenizerSettings, build_stop_words
from preprocessing.readers import read_inputs
from preprocessing.records import Corpus
from preprocessing.token_arrays import TokenArrays
from preprocessing.token_cache import TokenCache, default_cache_dir
from topics.config import RunConfig, config_to_dict
from topics.inputs import apply_filters, input_filters, input_specs
from topics.models.alignment import PreviousTopics, TopicAlignment, align_topics, load_previous_topics
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import Vocabulary
from topics.pipeline.memory import release_freed_memory
from topics.pipeline.model_stages import CorpusTokens, FittedModels, cached_models, library_versions
from topics.pipeline.progress import RunProgress, peak_rss_mb
from topics.pipeline.stage_cache import StageCache, file_signature, stage_key
from topics.quality.agreement import compare_partitions
from topics.quality.health import TOP_TERMS, TopicFlag, topic_flags
from topics.results import RunResult, ThemeDefinition, ThemeTable, TopicResult, TrendTable
from topics.themes.background import background_texts, tokenize_background
from topics.themes.definitions import load_theme_definitions, run_profile
from topics.themes.evaluation import Evaluation, GoldLabels, evaluate_themes, match_labels, read_labels
from topics.themes.keyword_baseline import keyword_baseline, paper_text
from topics.themes.learner import PSEUDO_LABEL_RULES, SOLVER, SeededThemeClassifier, learn_theme_scores
from topics.themes.lexicon import Unmatchable, against_lexicon, build_lexicon
from topics.themes.scoring import (
    CALIBRATION,
    SCORERS,
    ThemeRule,
    assign_themes,
    demote_against,
    group_theme_scores,
    paper_evidence,
    term_theme_weights,
)
from topics.themes.topic_labels import theme_name_words, topic_labels
from topics.trends.profiles import theme_profiles
from topics.trends.snapshot import compare_snapshots
from topics.trends.table import TrendInputs, build_trends, comparison_periods, order_periods
from topics.trends.topic_drift import topic_terms_by_period


def read_corpus(config: RunConfig, progress: RunProgress) -> tuple[Corpus, int]:
    """Read every input, apply the inputs' ``where`` filters and deduplicate; returns the corpus and the number
    of papers the filters left out. Raises :class:`UserError` when there is nothing to read."""
    if not config.inputs:
        raise UserError("no inputs: list them under 'inputs:' in the config or pass --input FILE")
    specs = input_specs(config.inputs)
    results, excluded = apply_filters(read_inputs(specs), input_filters(config.inputs))
    corpus = deduplicate(results)
    if excluded:
        progress.note(f"  {excluded:,} paper(s) left out by the inputs' where filters")
    if len(corpus) < 2:
        hint = f" (the inputs' where filters left out {excluded:,}; check inputs -> where)" if excluded else ""
        raise UserError(
            f"only {len(corpus)} paper(s) after reading and deduplication{hint}; need at least 2 to find topics"
        )
    skipped = sum(corpus.skipped_counts().values())
    progress.note(f"  {len(corpus):,} papers from {len(specs)} file(s); {skipped:,} record(s) skipped")
    return corpus, excluded


def _tokenizer(config: RunConfig) -> Tokenizer:
    pre = config.preprocessing
    settings = TokenizerSettings(
        spacy_model=pre.spacy_model,
        lemmatize=pre.lemmatize,
        min_token_length=pre.min_token_length,
        stop_words=build_stop_words(run_profile(config).stop_words, pre.extra_stop_words),
        batch_size=pre.batch_size,
        n_process=pre.n_process,
    )
    return Tokenizer(settings)


def token_caches(
    config: RunConfig, tokenizer: Tokenizer, use_cache: bool
) -> tuple[TokenCache | None, TokenCache | None]:
    """The token caches of the corpus tokens and of the theme tokens, or ``(None, None)`` without a cache
    (``cache.enabled: false`` or ``--no-cache``)."""
    if not (use_cache and config.cache.enabled):
        return None, None
    directory = config.cache.dir or default_cache_dir()
    return TokenCache(directory, tokenizer.settings.fingerprint()), TokenCache(directory, tokenizer.theme_fingerprint())


def tokenize_corpus(
    corpus: Corpus, tokenizer: Tokenizer, config: RunConfig, use_cache: bool, progress: RunProgress, spark: Any = None
) -> CorpusTokens:
    """Token arrays of each paper's text and title, read from the on-disk cache when this corpus was tokenised
    before with the same settings (``cache.enabled`` and not ``--no-cache``); on the Spark executors when
    ``spark`` (a SparkSession) is given."""
    texts = [p.text for p in corpus.papers]
    titles = [p.title for p in corpus.papers]
    both = texts + titles
    cache, theme_cache = token_caches(config, tokenizer, use_cache)
    arrays = cache.load(both) if cache is not None else None
    theme_arrays = theme_cache.load(both) if theme_cache is not None else None
    fresh_themes = theme_arrays is None
    if arrays is not None:
        progress.note("  tokens read from the cache")
    elif spark is not None:
        from topics.models.spark_engine import tokenize_on_spark

        progress.note(f"  tokenising on Spark ({config.spark.master})")
        arrays = TokenArrays.from_segments(tokenize_on_spark(spark, both, tokenizer.settings, config.spark.partitions))
    else:
        with progress.bar("spaCy", total=len(both)) as advance:
            arrays, theme_arrays = tokenizer.arrays_with_themes(both, advance)
        if cache is not None:
            cache.store(both, arrays)
    if theme_arrays is None:  # Spark, or corpus tokens cached before theme tokens were
        theme_arrays = tokenizer.theme_arrays(both)
    if theme_cache is not None and fresh_themes:
        theme_cache.store(both, theme_arrays)
    n = len(texts)
    return CorpusTokens(
        texts=arrays.slice(0, n), titles=arrays.slice(n, 2 * n),
        theme_texts=theme_arrays.slice(0, n), theme_titles=theme_arrays.slice(n, 2 * n),
    )


def assign_paper_themes(
    config: RunConfig, themes: Sequence[ThemeDefinition], tokenizer: Tokenizer, tokens: CorpusTokens,
    ids: Sequence[str], titles: Sequence[str], fitted: FittedModels, use_cache: bool = True,
) -> tuple[ThemeTable, list[Unmatchable]]:
    """Every paper's themes from its own words (the theme lexicon scanned over its tokens), from what the
    corpus and the background corpus teach about each theme (``themes.learn``), and from the LDA topics and
    clusters of ``fitted`` it belongs to; also the theme terms that tokenisation cannot match (for a warning)."""
    lexicon, unmatchable = build_lexicon(themes, tokenizer)
    if tokens.theme_texts is None or tokens.theme_titles is None:
        raise ValueError("assign_paper_themes needs the theme tokens (tokenize_corpus gives them)")
    against, unmatchable_against = against_lexicon(themes, tokenizer)
    evidence = demote_against(
        paper_evidence(lexicon, tokens.theme_texts, tokens.theme_titles),
        against,
        tokens.theme_texts,
        tokens.theme_titles,
    )
    learned = None
    if config.themes.learn:
        background = background_themes = None
        if config.themes.background is not None:
            bg_texts, bg_titles = background_texts(config.themes.background, titles)
            background, background_themes = tokenize_background(
                bg_texts, bg_titles, tokenizer, *token_caches(config, tokenizer, use_cache)
            )
        learned, _ = learn_theme_scores(
            lexicon, evidence, tokens.texts, background, random_state=config.seed, background_themes=background_themes,
            against=against,
        )
    lda_result, lda_model = fitted.lda_result, fitted.lda_model
    cluster_result, cluster_model = fitted.side.result, fitted.side.model
    topic_theme = cluster_theme = None
    if lda_model is not None:
        topic_theme = group_theme_scores(lda_model.topic_term_, term_theme_weights(lexicon, fitted.vocabulary.terms))
    if cluster_model is not None:
        cluster_theme = group_theme_scores(cluster_model.centroids_, term_theme_weights(lexicon, cluster_model.terms_))
    tcfg = config.themes
    table = assign_themes(
        themes, ids, evidence, ThemeRule(tcfg.threshold, tcfg.max_per_paper),
        doc_topic=lda_result.doc_topic if lda_result is not None else None,
        topic_theme=topic_theme,
        doc_cluster=cluster_result.assignments if cluster_result is not None else None,
        cluster_theme=cluster_theme,
        learned=learned,
    )
    return table, [*unmatchable, *unmatchable_against]


def _scorers_fingerprint() -> list[Any]:
    """The shipped term scorers as a list that is the same in every process (a frozenset's repr is not: its
    order follows string hashes, which change from run to run)."""
    return sorted(
        (sorted(kinds), sorted(scorer.coefficients.items()), scorer.intercept) for kinds, scorer in SCORERS.items()
    )


def cached_themes(
    config: RunConfig, themes: Sequence[ThemeDefinition], tokenizer: Tokenizer, tokens: CorpusTokens,
    ids: Sequence[str], titles: Sequence[str], fitted: FittedModels, use_cache: bool,
) -> tuple[ThemeTable, list[Unmatchable]]:
    """:func:`assign_paper_themes`, or its result from the stage cache when the models came from (or went into)
    the cache entry ``fitted.key`` (same tokens, ids and model settings) and the theme definitions file, the
    theme settings and the tokenizer are unchanged. Without a cache it always computes."""
    use = use_cache and config.cache.enabled and bool(fitted.key)
    cache = StageCache(config.cache.dir or default_cache_dir()) if use else None
    key = ""
    if cache is not None:
        try:
            definitions = Path(config.themes.file).read_bytes()
        except OSError:
            definitions = b""
        background = config.themes.background
        key = stage_key(["themes", topics.__version__, fitted.key, definitions, config_to_dict(config)["themes"],
                         file_signature(background) if background is not None else None, config.seed,
                         repr(CALIBRATION), sorted(SeededThemeClassifier().get_params().items()), PSEUDO_LABEL_RULES,
                         sorted(SOLVER.items()),
                         _scorers_fingerprint(),
                         tokenizer.settings.fingerprint(), tokenizer.theme_fingerprint()])
        cached = cache.load("themes", key)
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], ThemeTable):
            return cached
    table, unmatchable = assign_paper_themes(config, themes, tokenizer, tokens, ids, titles, fitted, use_cache)
    if cache is not None and definitions:
        cache.store("themes", key, (table, unmatchable))
    return table, unmatchable


def load_previous(path: Path, warnings: list[str]) -> dict[str, PreviousTopics]:
    """The topic blocks of a previous run's topics.json by name (``"lda"``, ``"clusters"``); a file without an
    LDA block is an error naming it, one without clusters only a warning."""
    previous = {"lda": load_previous_topics(path, "lda")}
    try:
        previous["clusters"] = load_previous_topics(path, "clusters")
    except UserError:
        warnings.append(f"{path} has no clusters; cluster ids start afresh")
    return previous


def finalise_topics(
    result: TopicResult,
    group_term: np.ndarray,
    terms: Sequence[str],
    group_theme: np.ndarray | None,
    themes: Sequence[ThemeDefinition],
    previous: PreviousTopics | None,
) -> tuple[TopicResult, TopicAlignment | None]:
    """Readable labels for the topics (or clusters) of ``result`` and, given the topics of a previous run, ids
    and labels kept from the topics they match. ``group_term`` is ``(n_topics, n_terms)`` over ``terms``;
    ``group_theme`` ``(n_topics, n_themes)``."""
    alignment = align_topics(previous, group_term, terms) if previous is not None else None
    kept = alignment.kept_labels if alignment is not None else (None,) * result.n_topics
    fresh = topic_labels(
        [[t for t, _ in topic] for topic in result.topic_terms],
        group_theme,
        [t.short or t.label for t in themes],
        [theme_name_words(t.label, t.short, t.seeds) for t in themes],
        reserved=[label for label in kept if label],
    )
    labels = tuple(old if old else new for old, new in zip(kept, fresh))
    ids = alignment.ids if alignment is not None else tuple(range(result.n_topics))
    return replace(result, labels=labels, ids=ids), alignment


def evaluate_run(
    gold: GoldLabels, config: RunConfig, corpus: Corpus, table: ThemeTable, warnings: list[str], progress: RunProgress
) -> Evaluation:
    """Score the run's themes and the keyword baseline against the labelled papers ``gold``."""
    titles = [p.title for p in corpus.papers]
    match = match_labels(gold, corpus.ids, titles)
    message = match.warning()
    if message:
        warnings.append(message)
        progress.note(f"  warning: {message}")
    baseline = keyword_baseline(table.themes, [paper_text(p.title, p.abstract) for p in corpus.papers])
    return evaluate_themes(
        match, table.theme_ids, table.assigned, table.scores, table.evidence, baseline, titles,
        max_errors=config.evaluation.max_errors, threshold=config.themes.threshold,
    )


def check_normalize_by(config: RunConfig, corpus: Corpus, warnings: list[str], progress: RunProgress) -> None:
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
        warnings.append(message)
        progress.note(f"  warning: {message}")


def compute_trends(
    config: RunConfig,
    corpus: Corpus,
    table: ThemeTable,
    lda: TopicResult | None,
    lda_model: LdaTopicModel | None,
    vocabulary: Vocabulary,
    compared: tuple[str, str] | None,
    warnings: list[str],
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
    if lda is not None and lda_model is not None:
        topic_terms = topic_terms_by_period(
            vocabulary.doc_term_matrix(), lda.doc_topic, lda_model.topic_term_, vocabulary.terms,
            periods, order_periods(periods), topic_ids or [], list(lda.labels), top_n=cfg.top_terms,
            max_bins=cfg.term_bins,
        )
    groups = tuple(getattr(p, cfg.normalize_by) for p in corpus.papers) if cfg.normalize_by else None
    return build_trends(TrendInputs(periods, groups), table, lda, cfg, warnings, comparison, topic_terms, profiles)


def cached_corpus(config: RunConfig, use_cache: bool, progress: RunProgress) -> tuple[Corpus, int]:
    """:func:`read_corpus`, or its result from the stage cache when no input file changed (same size and
    modification time) and the inputs' settings are the same."""
    cache = StageCache(config.cache.dir or default_cache_dir()) if use_cache and config.cache.enabled else None
    key = ""
    if cache is not None and config.inputs:
        key = stage_key(["corpus", topics.__version__, config_to_dict(config)["inputs"],
                         [file_signature(spec.path) for spec in config.inputs]])
        cached = cache.load("corpus", key)
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], Corpus):
            corpus, excluded = cached
            skipped = sum(corpus.skipped_counts().values())
            progress.note(
                f"  {len(corpus):,} papers (read from the cache: no input changed); {skipped:,} record(s) skipped"
            )
            return corpus, excluded
    corpus, excluded = read_corpus(config, progress)
    if cache is not None and key:
        cache.store("corpus", key, (corpus, excluded))
    return corpus, excluded


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


def run(config: RunConfig, use_cache: bool = True, progress: RunProgress | None = None) -> RunResult:
    """Run every analysis stage of ``config`` and return the results (no files are written)."""
    progress = progress or RunProgress(quiet=True)
    warnings: list[str] = []
    with progress.stage("read"):
        corpus, excluded = cached_corpus(config, use_cache, progress)
        for message in corpus.warnings:
            warnings.append(message)
            progress.note(f"  warning: {message}")
        themes = load_theme_definitions(config.themes.file)
        # files that only matter later are checked now, so a mistake in them costs no work
        gold = read_labels(config.evaluation.labels, [t.id for t in themes]) if config.evaluation.labels else None
        previous = load_previous(config.models.align_to, warnings) if config.models.align_to else {}
        compared = comparison_periods([p.period for p in corpus.papers], config.trends)
        check_normalize_by(config, corpus, warnings, progress)
        release_freed_memory()
    ids = corpus.ids
    n_docs = len(corpus)
    tokenizer = _tokenizer(config)
    with ExitStack() as stack:
        spark = None
        if config.engine == "spark":
            from topics.models.spark_engine import spark_session

            with progress.stage("spark_start"):
                spark = stack.enter_context(spark_session(config.spark))
        with progress.stage("spacy"):
            tokens = tokenize_corpus(corpus, tokenizer, config, use_cache, progress, spark)
            release_freed_memory()
        fitted = cached_models(config, tokens, ids, use_cache, progress, spark)
    for message in fitted.warnings:
        warnings.append(message)
    tokens.documents, vocabulary = fitted.documents, fitted.vocabulary
    lda_result, lda_model, k_sweep = fitted.lda_result, fitted.lda_model, fitted.k_sweep
    cluster_result, cluster_model, doc_map = fitted.side.result, fitted.side.model, fitted.side.doc_map
    if not fitted.from_cache:  # a cached entry's timings are those of the run that fitted it
        progress.timings.update(fitted.side.timings)
    parallel_stages = sorted(fitted.side.timings) if fitted.parallel and not fitted.from_cache else []

    with progress.stage("themes"):
        theme_table, unmatchable = cached_themes(
            config, themes, tokenizer, tokens, ids, [p.title for p in corpus.papers], fitted, use_cache
        )
        if unmatchable:
            message = (
                f"{len(unmatchable)} theme term(s) of {config.themes.file.name} cannot match as written and were "
                f"left out: {'; '.join(str(term) for term in unmatchable)}"
            )
            warnings.append(message)
            progress.note(f"  warning: {message}")
    topic_theme, cluster_theme = theme_table.topic_theme, theme_table.cluster_theme

    alignments: dict[str, TopicAlignment] = {}
    with progress.stage("topic_labels"):
        if lda_result is not None and lda_model is not None:
            lda_result, alignment = finalise_topics(
                lda_result, lda_model.topic_term_, vocabulary.terms, topic_theme, themes, previous.get("lda")
            )
            if alignment is not None:
                alignments["lda"] = alignment
        if cluster_result is not None and cluster_model is not None:
            cluster_result, alignment = finalise_topics(
                cluster_result, cluster_model.centroids_, cluster_model.terms_, cluster_theme, themes,
                previous.get("clusters"),
            )
            if alignment is not None:
                alignments["clusters"] = alignment

    flags = model_flags(config, fitted, lda_result, cluster_result, n_docs)
    for flag in flags:
        warnings.append(flag.message)
        progress.note(f"  warning: {flag.message}")

    evaluation = None
    if gold is not None:
        with progress.stage("evaluate"):
            evaluation = evaluate_run(gold, config, corpus, theme_table, warnings, progress)

    with progress.stage("trends"):
        trends = compute_trends(
            config, corpus, theme_table, lda_result, lda_model, vocabulary, compared, warnings
        )

    agreement = None
    if lda_result is not None and cluster_result is not None:
        agreement = compare_partitions(lda_result, cluster_result)

    manifest: dict[str, Any] = {
        "tool": "research-topics",
        "version": topics.__version__,
        "engine": config.engine,
        "config": config_to_dict(config),
        "seeds": {
            "seed": config.seed, "lda": config.lda_seed, "clusters": config.clusters_seed,
            "lda_model": k_sweep.model_seed if k_sweep is not None else config.lda_seed,
        },
        "versions": library_versions(),
        "counts": {
            "papers": n_docs,
            "skipped": corpus.skipped_counts(),
            "excluded_by_where": excluded,
            "periods": {
                p: int(c) for p, c in zip(trends.periods, trends.frame.groupby("period", sort=False)["papers"].first())
            },
            "vocabulary": len(vocabulary.dictionary),
            "tokens": tokens.documents.n_tokens,
            "papers_with_theme": int(theme_table.assigned.any(axis=1).sum()),
            "lda_topics": lda_result.n_topics if lda_result is not None else 0,
            "clusters": cluster_result.n_topics if cluster_result is not None else 0,
        },
        "tokenizer_fingerprint": tokenizer.settings.fingerprint(),
        "evaluation": None if evaluation is None else {
            "labels": evaluation.labels_path,
            "papers": evaluation.n_papers,
            "macro_f1": round(evaluation.macro_f1, 4),
            "baseline_macro_f1": (
                None if evaluation.baseline_macro_f1 is None else round(evaluation.baseline_macro_f1, 4)
            ),
        },
        "warnings": warnings,
        "topic_flags": [flag.to_dict() for flag in flags],
        # the corpus's own uninformative words, left out of the models' vocabulary (preprocessing.corpus_stop_words)
        "corpus_stop_words": list(fitted.corpus_stop_words),
        "timings_seconds": progress.timings,
        "stage_peak_rss_mb": progress.peak_rss_mb,
        # stages timed in the second process, concurrently with LDA (their seconds overlap the others')
        "parallel_stages": parallel_stages,
    }
    return RunResult(
        title=config.report.title,
        corpus=corpus,
        themes=theme_table,
        trends=trends,
        lda=lda_result,
        clusters=cluster_result,
        agreement=agreement,
        doc_map=doc_map,
        evaluation=evaluation,
        alignments=alignments,
        k_sweep=k_sweep,
        manifest=manifest,
        warnings=tuple(warnings),
    )


def run_and_write(
    config: RunConfig, use_cache: bool = True, progress: RunProgress | None = None
) -> tuple[RunResult, dict[str, Path]]:
    """Run, render the report and write every output atomically into ``config.output.dir``."""
    from reports import render_report
    from topics.pipeline.outputs import check_output_dir, write_outputs

    progress = progress or RunProgress(quiet=True)
    check_output_dir(config.output.dir)
    result = run(config, use_cache=use_cache, progress=progress)
    with progress.stage("report"):
        html = render_report(result)
    result.manifest["peak_rss_mb"] = peak_rss_mb()
    result.manifest["wall_seconds_to_write"] = round(progress.elapsed(), 3)
    with progress.stage("write"):
        paths = write_outputs(result, html, config.output.dir)
    return result, paths
