"""The one place that strings the stages together: inputs -> corpus -> tokens -> models -> themes -> trends ->
report and output files. The CLI is a thin layer over :func:`run` and :func:`run_and_write`."""

from __future__ import annotations

import multiprocessing
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

import topics
from preprocessing.dedup import deduplicate
from preprocessing.errors import UserError
from preprocessing.interrupts import child_ignores_interrupts, end_pool
from preprocessing.nlp import Tokenizer, TokenizerSettings, build_stop_words
from preprocessing.phrases import PhraseDetector
from preprocessing.readers import read_inputs
from preprocessing.records import Corpus
from preprocessing.token_arrays import TokenArrays
from preprocessing.token_cache import TokenCache, default_cache_dir
from topics.agreement import compare_partitions
from topics.clusters import TfidfClusterModel, tfidf_matrix
from topics.config import RunConfig, config_to_dict
from topics.doc_map import project_documents
from topics.evaluation import Evaluation, GoldLabels, evaluate_themes, match_labels, read_labels
from topics.inputs import apply_filters, input_filters, input_specs
from topics.keyword_baseline import keyword_baseline, paper_text
from topics.k_selection import KSweep, candidate_ks, select_num_topics
from topics.lda import LdaTopicModel
from topics.progress import RunProgress, peak_rss_mb
from topics.stage_cache import StageCache, file_signature, stage_key
from topics.results import RunResult, ThemeDefinition, ThemeTable, TopicResult, TrendTable
from topics.topic_alignment import PreviousTopics, TopicAlignment, align_topics, load_previous_topics
from topics.topic_labels import theme_name_words, topic_labels
from topics.topic_quality import topic_diversity
from topics.memory import release_freed_memory
from topics.stability import kmeans_stability, lda_stability
from topics.theme_definitions import load_theme_definitions
from topics.theme_lexicon import build_lexicon
from topics.themes import ThemeRule, assign_themes, group_theme_scores, paper_evidence, term_theme_weights
from topics.profiles import theme_profiles
from topics.snapshot import compare_snapshots
from topics.topic_drift import topic_terms_by_period
from topics.trends import TrendInputs, build_trends, comparison_periods, order_periods
from topics.vocabulary import Vocabulary, build_vocabulary

#: From this many papers on, TF-IDF + KMeans and the documents map run in a second process beside LDA.
PARALLEL_FROM = 5000

#: Packages whose versions go into manifest.json.
RECORDED_PACKAGES = ("spacy", "spacy-lookups-data", "gensim", "scikit-learn", "openTSNE", "numpy", "scipy", "statsmodels", "pandas", "pyarrow", "plotly", "pydantic")


@dataclass
class _Tokens:
    """Token arrays of each paper's title + abstract (``texts``), of its title alone (``titles``), and of the
    texts with phrases merged (``documents``, what the models see)."""

    texts: TokenArrays
    titles: TokenArrays
    documents: TokenArrays | None = None


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
        raise UserError(f"only {len(corpus)} paper(s) after reading and deduplication{hint}; need at least 2 to find topics")
    skipped = sum(corpus.skipped_counts().values())
    progress.note(f"  {len(corpus):,} papers from {len(specs)} file(s); {skipped:,} record(s) skipped")
    return corpus, excluded


def _tokenizer(config: RunConfig) -> Tokenizer:
    pre = config.preprocessing
    settings = TokenizerSettings(
        spacy_model=pre.spacy_model,
        lemmatize=pre.lemmatize,
        min_token_length=pre.min_token_length,
        stop_words=build_stop_words(pre.domain_stop_words, pre.extra_stop_words),
        batch_size=pre.batch_size,
        n_process=pre.n_process,
    )
    return Tokenizer(settings)


def tokenize_corpus(
    corpus: Corpus, tokenizer: Tokenizer, config: RunConfig, use_cache: bool, progress: RunProgress, spark: Any = None
) -> _Tokens:
    """Token arrays of each paper's text and title, read from the on-disk cache when this corpus was tokenised
    before with the same settings (``cache.enabled`` and not ``--no-cache``); on the Spark executors when
    ``spark`` (a SparkSession) is given."""
    texts = [p.text for p in corpus.papers]
    titles = [p.title for p in corpus.papers]
    both = texts + titles
    cache = None
    if use_cache and config.cache.enabled:
        cache = TokenCache(config.cache.dir or default_cache_dir(), tokenizer.settings.fingerprint())
    arrays = cache.load(both) if cache is not None else None
    if arrays is not None:
        progress.note("  tokens read from the cache")
    elif spark is not None:
        from topics.spark_engine import tokenize_on_spark

        progress.note(f"  tokenising on Spark ({config.spark.master})")
        arrays = TokenArrays.from_segments(tokenize_on_spark(spark, both, tokenizer.settings, config.spark.partitions))
    else:
        with progress.bar("spaCy", total=len(both)) as advance:
            arrays = tokenizer.arrays(both, advance)
        if cache is not None:
            cache.store(both, arrays)
    n = len(texts)
    return _Tokens(texts=arrays.slice(0, n), titles=arrays.slice(n, 2 * n))


def _effective_k(requested: int, n_docs: int, what: str, warnings: list[str], progress: RunProgress) -> int:
    """``requested``, or ``max(2, n_docs // 2)`` with a warning when the corpus has under two papers a topic."""
    if n_docs >= 2 * requested:
        return requested
    k = max(2, min(requested, n_docs // 2))
    if k == requested:
        return requested
    message = f"the corpus has only {n_docs} papers for {what}={requested}; using {k} instead"
    warnings.append(message)
    progress.note(f"  warning: {message}")
    return k


def fit_lda(
    config: RunConfig,
    vocabulary: Vocabulary,
    documents: Any,
    ids: Sequence[str],
    warnings: list[str],
    progress: RunProgress,
) -> tuple[TopicResult, LdaTopicModel, KSweep | None]:
    """Fit LDA with the configured K (or pick K from ``k_range`` with ``num_topics: auto``), and measure each
    topic's coherence, diversity and (with ``stability_seeds``) stability across refits with other seeds."""
    cfg = config.models.lda
    n_docs = len(ids)

    def make_model(k: int, seed: int) -> LdaTopicModel:
        return LdaTopicModel(
            num_topics=k, passes=cfg.passes, iterations=cfg.iterations, alpha=cfg.alpha, eta=cfg.eta,
            workers=cfg.workers, chunksize=cfg.chunksize, random_state=seed,
        )

    extra_seeds = [config.lda_seed + i for i in range(1, cfg.stability_seeds + 1)]
    sweep = None
    if cfg.num_topics == "auto":
        candidates = candidate_ks(cfg.k_range.min, cfg.k_range.max, cfg.k_range.step, n_docs)
        total = len(candidates) * (1 + len(extra_seeds))
        progress.note(f"  num_topics: auto, fitting K in {', '.join(map(str, candidates))} ({total} fits)")
        with progress.bar("K sweep", total=total, min_total=1) as advance:
            sweep, model = select_num_topics(
                vocabulary, documents, candidates, make_model, [config.lda_seed, *extra_seeds], lambda: advance(1)
            )
        progress.note(f"  chose K={sweep.chosen} (best fit: seed {sweep.model_seed})")
    else:
        k = _effective_k(int(cfg.num_topics), n_docs, "models.lda.num_topics", warnings, progress)
        model = make_model(k, config.lda_seed).fit(vocabulary)
    result = model.result(vocabulary, documents, ids, top_n=cfg.top_terms)
    diversity_mean, diversity = topic_diversity(model.topic_term_)
    metrics = {**result.metrics, "diversity": diversity_mean}
    stability: tuple[float, ...] = ()
    if sweep is not None:
        # the sweep already refitted the chosen K with every seed; the returned model is its best fit
        stability = sweep.topic_stability
        if stability:
            metrics["stability"] = float(np.mean(stability))
    elif extra_seeds:
        measured = lda_stability(vocabulary, model.topic_term_, lambda seed: make_model(model.num_topics, seed), extra_seeds, cfg.stability_sample)
        stability = measured.per_topic
        metrics["stability"] = measured.mean
    return replace(result, topic_diversity=diversity, topic_stability=stability, metrics=metrics), model, sweep


@dataclass
class SideModels:
    """What :func:`clusters_and_map` computes: the clusters (``None`` when disabled), the documents map and
    the wall seconds of each of its stages."""

    result: TopicResult | None
    model: TfidfClusterModel | None
    doc_map: Any
    timings: dict[str, float]


def clusters_and_map(
    config: RunConfig, vocabulary: Vocabulary, documents: TokenArrays, ids: Sequence[str], k: int
) -> SideModels:
    """TF-IDF + KMeans with ``k`` clusters (with stability refits) and the documents map. Independent of LDA,
    so on a large corpus it runs in a second process while LDA fits."""
    timings: dict[str, float] = {}
    cluster_result = cluster_model = None
    start = time.perf_counter()
    if config.models.clusters.enabled:
        cfg_c = config.models.clusters
        cluster_model = TfidfClusterModel(
            num_clusters=k, max_features=cfg_c.max_features, n_init=cfg_c.n_init, random_state=config.clusters_seed,
            algorithm=cfg_c.algorithm, minibatch_from=cfg_c.minibatch_from,
        ).fit(vocabulary, None)
        cluster_result = cluster_model.result(documents, vocabulary, ids, top_n=cfg_c.top_terms)
        _, diversity = topic_diversity(cluster_model.centroids_)
        cluster_result = replace(cluster_result, topic_diversity=diversity)
        if cfg_c.stability_seeds:
            seeds = [config.clusters_seed + i for i in range(1, cfg_c.stability_seeds + 1)]
            stability = kmeans_stability(cluster_model, seeds)
            cluster_result = replace(
                cluster_result,
                topic_stability=stability.per_topic,
                metrics={**cluster_result.metrics, "stability": stability.mean},
            )
        timings["tfidf_kmeans"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    matrix = cluster_model.tfidf_ if cluster_model is not None else tfidf_matrix(vocabulary)[0]
    doc_map = project_documents(matrix, config.report.map.max_points, config.report.map.method, config.seed)
    timings["documents_map"] = round(time.perf_counter() - start, 3)
    return SideModels(result=cluster_result, model=cluster_model, doc_map=doc_map, timings=timings)


def assign_paper_themes(
    config: RunConfig,
    themes: Sequence[ThemeDefinition],
    tokenizer: Tokenizer,
    tokens: _Tokens,
    ids: Sequence[str],
    vocabulary: Vocabulary,
    lda_result: TopicResult | None,
    lda_model: LdaTopicModel | None,
    cluster_result: TopicResult | None,
    cluster_model: TfidfClusterModel | None,
) -> tuple[ThemeTable, list[str]]:
    """Every paper's themes from its own words (the theme lexicon scanned over its tokens) and from the LDA
    topics and clusters it belongs to; also the theme terms that tokenisation cannot match (for a warning)."""
    lexicon, unmatchable = build_lexicon(
        themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words, tokenizer.phrase_segments
    )
    evidence = paper_evidence(lexicon, tokens.texts, tokens.titles)
    topic_theme = cluster_theme = None
    if lda_model is not None:
        topic_theme = group_theme_scores(lda_model.topic_term_, term_theme_weights(lexicon, vocabulary.terms))
    if cluster_model is not None:
        cluster_theme = group_theme_scores(cluster_model.centroids_, term_theme_weights(lexicon, cluster_model.terms_))
    tcfg = config.themes
    table = assign_themes(
        themes, ids, evidence, ThemeRule(tcfg.threshold, tcfg.max_per_paper),
        doc_topic=lda_result.doc_topic if lda_result is not None else None,
        topic_theme=topic_theme,
        doc_cluster=cluster_result.assignments if cluster_result is not None else None,
        cluster_theme=cluster_theme,
    )
    return table, list(unmatchable)


def cached_themes(
    config: RunConfig,
    themes: Sequence[ThemeDefinition],
    tokenizer: Tokenizer,
    tokens: _Tokens,
    ids: Sequence[str],
    vocabulary: Vocabulary,
    lda_result: TopicResult | None,
    lda_model: LdaTopicModel | None,
    cluster_result: TopicResult | None,
    cluster_model: TfidfClusterModel | None,
    models_cache_key: str,
) -> tuple[ThemeTable, list[str]]:
    """:func:`assign_paper_themes`, or its result from the stage cache when the models came from entry
    ``models_cache_key`` (same tokens, ids and model settings) and the theme definitions file, the theme
    settings and the tokenizer are unchanged. An empty key (no cache) always computes."""
    cache = StageCache(config.cache.dir or default_cache_dir()) if models_cache_key and config.cache.enabled else None
    key = ""
    if cache is not None:
        try:
            definitions = Path(config.themes.file).read_bytes()
        except OSError:
            definitions = b""
        key = stage_key(["themes", topics.__version__, models_cache_key, definitions,
                         config_to_dict(config)["themes"], tokenizer.settings.fingerprint()])
        cached = cache.load("themes", key)
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], ThemeTable):
            return cached
    table, unmatchable = assign_paper_themes(
        config, themes, tokenizer, tokens, ids, vocabulary, lda_result, lda_model, cluster_result, cluster_model
    )
    if cache is not None and definitions:
        cache.store("themes", key, (table, unmatchable))
    return table, unmatchable


def _clusters_and_map_single_threaded(
    config: RunConfig, vocabulary: Vocabulary, documents: TokenArrays, ids: Sequence[str], k: int
) -> SideModels:
    """:func:`clusters_and_map` with BLAS and OpenMP held to one thread: it runs in the second process while
    LDA uses the first core, and more threads would only fight LDA for it."""
    with threadpool_limits(limits=1):
        return clusters_and_map(config, vocabulary, documents, ids, k)


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
        max_errors=config.evaluation.max_errors,
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
    profiles = theme_profiles(table.theme_ids, table.assigned, authors, [p.venue for p in corpus.papers], cfg.top_authors)
    topic_terms = None
    if lda is not None and lda_model is not None:
        topic_terms = topic_terms_by_period(
            vocabulary.doc_term_matrix(), lda.doc_topic, lda_model.topic_term_, vocabulary.terms,
            periods, order_periods(periods), topic_ids or [], list(lda.labels), top_n=cfg.top_terms,
            max_bins=cfg.term_bins,
        )
    groups = tuple(getattr(p, cfg.normalize_by) for p in corpus.papers) if cfg.normalize_by else None
    return build_trends(TrendInputs(periods, groups), table, lda, cfg, warnings, comparison, topic_terms, profiles)


@dataclass
class FittedModels:
    """Everything the model stages produce from the tokens: the phrase-merged documents, the vocabulary, LDA
    (result, model, K sweep), the clusters and documents map, and the warnings they raised."""

    documents: TokenArrays
    vocabulary: Vocabulary
    lda_result: TopicResult | None
    lda_model: LdaTopicModel | None
    k_sweep: KSweep | None
    side: SideModels
    parallel: bool
    warnings: list[str]
    from_cache: bool = False
    #: the stage-cache key these models were stored or found under ("" without a cache)
    key: str = ""


def fit_models(
    config: RunConfig, tokens: _Tokens, ids: Sequence[str], progress: RunProgress, spark: Any = None
) -> FittedModels:
    """Phrases, vocabulary, LDA, and (in a second process on large corpora) TF-IDF + KMeans and the map; with
    ``spark`` (a SparkSession), LDA and TF-IDF + KMeans run on Spark MLlib."""
    warnings: list[str] = []
    n_docs = len(ids)
    with progress.stage("phrases"):
        phrases_cfg = config.preprocessing.phrases
        if phrases_cfg.enabled:
            detector = PhraseDetector(min_count=phrases_cfg.min_count, threshold=phrases_cfg.threshold)
            tokens.documents = detector.fit_arrays(tokens.texts)
        else:
            tokens.documents = tokens.texts
        pre = config.preprocessing
        vocabulary: Vocabulary = build_vocabulary(tokens.documents, pre.min_df, pre.max_df, pre.generic_terms)
        if vocabulary.relaxed:
            message = "the corpus is too small for preprocessing.min_df/max_df; every term was kept"
            warnings.append(message)
            progress.note(f"  warning: {message}")
        if len(vocabulary.dictionary) < 2:
            raise UserError("the papers have fewer than 2 distinct terms after preprocessing; add papers with abstracts")

    cluster_k = 0
    if config.models.clusters.enabled:
        cluster_k = _effective_k(config.models.clusters.num_clusters, n_docs, "models.clusters.num_clusters", warnings, progress)
    if spark is not None:
        return _fit_models_on_spark(config, tokens, vocabulary, ids, cluster_k, spark, warnings, progress)
    background_pool = background = None
    if n_docs >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 and config.models.lda.enabled:
        # TF-IDF + KMeans and the documents map use the second core while LDA runs in this process
        release_freed_memory()  # fewer pages shared at the fork, so fewer copied when either process writes
        background_pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=child_ignores_interrupts
        )
        background = background_pool.submit(_clusters_and_map_single_threaded, config, vocabulary, tokens.documents, ids, cluster_k)

    lda_result = lda_model = k_sweep = None
    try:
        if config.models.lda.enabled:
            # one thread each while the second process works, else BLAS threads would fight it for the cores
            with progress.stage("lda"), threadpool_limits(limits=1 if background is not None else None):
                lda_result, lda_model, k_sweep = fit_lda(config, vocabulary, tokens.documents, ids, warnings, progress)
        if background is not None:
            with progress.stage("wait_for_clusters"):
                side = background.result()
        else:
            side = clusters_and_map(config, vocabulary, tokens.documents, ids, cluster_k)
    except BaseException:
        if background_pool is not None:
            end_pool(background_pool)  # interrupted or failed: do not wait for the second process's work
        raise
    finally:
        if background_pool is not None:
            background_pool.shutdown(wait=True, cancel_futures=True)
    if lda_model is not None and hasattr(lda_model, "model_"):
        lda_model.model_.row_matrix = None  # the count matrix is the vocabulary's; not kept twice in the cache
    return FittedModels(
        documents=tokens.documents, vocabulary=vocabulary, lda_result=lda_result, lda_model=lda_model, k_sweep=k_sweep,
        side=side, parallel=background is not None, warnings=warnings,
    )


def _fit_models_on_spark(
    config: RunConfig,
    tokens: _Tokens,
    vocabulary: Vocabulary,
    ids: Sequence[str],
    cluster_k: int,
    spark: Any,
    warnings: list[str],
    progress: RunProgress,
) -> FittedModels:
    """LDA and TF-IDF + KMeans with MLlib on ``spark`` (see :mod:`topics.spark_engine`); the documents map is
    computed on the driver. Stability refits and ``num_topics: auto`` are local-engine features."""
    from topics.spark_engine import fit_on_spark
    from topics.spark_results import spark_cluster_result, spark_lda_result

    cfg = config.models.lda
    if cfg.num_topics == "auto":
        raise UserError("models -> lda -> num_topics: auto is not available with engine: spark; give a number of topics")
    if cfg.stability_seeds or config.models.clusters.stability_seeds:
        progress.note("  engine: spark fits each model once: topic stability is not measured")
    k = _effective_k(int(cfg.num_topics), len(ids), "models.lda.num_topics", warnings, progress)
    documents = [tokens.documents.flat(i) for i in range(len(tokens.documents))]
    with progress.stage("spark_models"):
        models = fit_on_spark(
            spark, documents, vocabulary.terms, num_topics=k, num_clusters=max(cluster_k, 2), seed=config.lda_seed,
            cfg=config.spark,
        )
    lda_result, lda_model = spark_lda_result(
        models.topic_term, models.doc_topic, vocabulary, tokens.documents, ids, cfg.top_terms, models.lda_log_likelihood
    )
    timings = {f"spark_{name}": round(seconds, 3) for name, seconds in models.timings.items()}
    cluster_result = cluster_model = None
    if config.models.clusters.enabled:
        cluster_result, cluster_model = spark_cluster_result(
            models.cluster_labels, models.centroids, models.tfidf, vocabulary, tokens.documents, ids,
            config.models.clusters.top_terms, config.clusters_seed,
        )
    with progress.stage("documents_map"):
        doc_map = project_documents(models.tfidf, config.report.map.max_points, config.report.map.method, config.seed)
    side = SideModels(result=cluster_result, model=cluster_model, doc_map=doc_map, timings=timings)
    return FittedModels(
        documents=tokens.documents, vocabulary=vocabulary, lda_result=lda_result, lda_model=lda_model, k_sweep=None,
        side=side, parallel=False, warnings=warnings,
    )


def models_key(config: RunConfig, tokens: _Tokens, ids: Sequence[str]) -> str:
    """What the model stages depend on: the tokens, the ids, the preprocessing/models/map settings, the seed
    and the versions of the libraries that fit."""
    settings = config_to_dict(config)
    return stage_key([
        "models", topics.__version__, _versions(), tokens.texts.codes, tokens.texts.offsets, "\n".join(tokens.texts.words),
        list(ids), settings["preprocessing"], settings["models"], settings["report"]["map"], config.seed,
        settings["engine"], settings["spark"] if config.engine == "spark" else None,
    ])


def cached_models(
    config: RunConfig, tokens: _Tokens, ids: Sequence[str], use_cache: bool, progress: RunProgress, spark: Any = None
) -> FittedModels:
    """:func:`fit_models`, or its result from the stage cache when this corpus was fitted with these settings."""
    cache = StageCache(config.cache.dir or default_cache_dir()) if use_cache and config.cache.enabled else None
    fitted = None
    if cache is not None:
        with progress.stage("models_cache"):
            key = models_key(config, tokens, ids)
            fitted = cache.load("models", key)
    if isinstance(fitted, FittedModels):
        progress.note("  models read from the cache (same tokens and settings)")
        return replace(fitted, from_cache=True, key=key)
    fitted = fit_models(config, tokens, ids, progress, spark)
    if cache is not None:
        cache.store("models", key, fitted)
        fitted = replace(fitted, key=key)
    return fitted


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
            progress.note(f"  {len(corpus):,} papers (read from the cache: no input changed); {skipped:,} record(s) skipped")
            return corpus, excluded
    corpus, excluded = read_corpus(config, progress)
    if cache is not None and key:
        cache.store("corpus", key, (corpus, excluded))
    return corpus, excluded


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "research-topics": topics.__version__}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


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
            from topics.spark_engine import spark_session

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
            config, themes, tokenizer, tokens, ids, vocabulary, lda_result, lda_model, cluster_result, cluster_model,
            fitted.key if use_cache else "",
        )
        if unmatchable:
            message = (
                f"{len(unmatchable)} theme term(s) lose words to tokenisation and were left out "
                f"({', '.join(unmatchable[:5])}{', ...' if len(unmatchable) > 5 else ''}); reword them in {config.themes.file.name}"
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
        "versions": _versions(),
        "counts": {
            "papers": n_docs,
            "skipped": corpus.skipped_counts(),
            "excluded_by_where": excluded,
            "periods": {p: int(c) for p, c in zip(trends.periods, trends.frame.groupby("period", sort=False)["papers"].first())},
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
            "baseline_macro_f1": None if evaluation.baseline_macro_f1 is None else round(evaluation.baseline_macro_f1, 4),
        },
        "warnings": warnings,
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


def run_and_write(config: RunConfig, use_cache: bool = True, progress: RunProgress | None = None) -> tuple[RunResult, dict[str, Path]]:
    """Run, render the report and write every output atomically into ``config.output.dir``."""
    from reports import render_report
    from topics.outputs import check_output_dir, write_outputs

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
