"""The model stages of a run: phrases and vocabulary, LDA (with its K sweep and stability refits), TF-IDF +
KMeans and the documents map (in a second process beside LDA on large corpora), or the same on Spark MLlib; and
their stage-cache entry. :mod:`topics.pipeline.runner` calls :func:`cached_models` and uses what it returns."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from preprocessing.errors import UserError
from preprocessing.interrupts import child_ignores_interrupts, end_pool
from preprocessing.phrases import PhraseDetector
from preprocessing.token_arrays import TokenArrays
from preprocessing.token_cache import default_cache_dir
from topics.config import SIZE_MAX_CLUSTERS, SIZE_MAX_TOPICS, RunConfig, size_for
from topics.models.clusters import TfidfClusterModel, tfidf_matrix
from topics.models.corpus_stop_words import uninformative_terms
from topics.models.doc_map import project_documents
from topics.models.k_selection import candidate_ks, select_num_topics
from topics.models.lda import LdaTopicModel
from topics.models.pilot_clusters import pilot_clusters
from topics.models.spark_estimators import SparkClusterModel, SparkLdaTopicModel
from topics.models.stability import kmeans_stability, lda_stability, refit_steps
from topics.models.vocabulary import MIN_VOCABULARY, Vocabulary, build_vocabulary
from topics.models.warm_start import WarmStart
from topics.pipeline.memory import release_freed_memory
from topics.pipeline.progress import RunProgress
from topics.pipeline.stage_cache import StageCache
from topics.pipeline.stage_keys import models_key
from topics.quality.topic_quality import topic_diversity
from topics.results import KSweep, TopicResult
from topics.themes.definitions import run_profile

#: From this many papers on, TF-IDF + KMeans and the documents map run in a second process beside LDA.
PARALLEL_FROM = 5000
#: The LDA fits show a progress bar from this many steps (papers times passes) on: smaller fits end in a blink.
LDA_BAR_FROM = 20_000

@dataclass
class CorpusTokens:
    """Token arrays of each paper's title + abstract (``texts``), of its title alone (``titles``), and of the
    texts with phrases merged (``documents``, what the models see)."""

    texts: TokenArrays
    titles: TokenArrays
    documents: TokenArrays | None = None
    #: the theme tokens of ``texts`` and ``titles`` (:meth:`preprocessing.nlp.Tokenizer.arrays_with_themes`), which
    #: the theme lexicon scans
    theme_texts: TokenArrays | None = None
    theme_titles: TokenArrays | None = None


def whole(value: int | str) -> int:
    """A model size of the config as a number (the config types ``num_topics`` as ``int | str`` for ``auto``,
    which the model stages handle before asking for a number, so a string here is a bug)."""
    if isinstance(value, str):
        raise RuntimeError(f"model size {value!r} reached the model stages unresolved")
    return int(value)


#: Passes of an LDA fit that continues an earlier run's (``models.align_to`` with its models.pkl) under
#: ``passes: auto``. On 3,000 + 60 papers of the example corpus (bench.align_refit, seeds 42 and 43) the old papers
#: that kept their topic went from 95.3% and 94.9% with the usual 10 passes to 97.3% and 96.7% with 3, at the same
#: NPMI (0.0854 against 0.0845; 0.0689 against 0.0727).
CONTINUED_PASSES = 3


def sized_config(config: RunConfig, n_docs: int, progress: RunProgress) -> RunConfig:
    """``config`` with ``num_topics: size`` and ``num_clusters: size`` (the defaults) made numbers for a corpus of
    ``n_docs`` papers (:func:`topics.config.size_for`), and a note when the corpus makes them smaller than their
    ceilings; numbers and ``auto`` are kept."""
    lda, clusters = config.models.lda, config.models.clusters
    update: dict[str, Any] = {}
    smaller = []
    if lda.num_topics == "size":
        k = size_for(n_docs, SIZE_MAX_TOPICS)
        update["lda"] = lda.model_copy(update={"num_topics": k})
        if k < SIZE_MAX_TOPICS and lda.enabled:
            smaller.append(f"{k} topics")
    if clusters.num_clusters == "size":
        k = size_for(n_docs, SIZE_MAX_CLUSTERS)
        update["clusters"] = clusters.model_copy(update={"num_clusters": k})
        if k < SIZE_MAX_CLUSTERS and clusters.enabled:
            smaller.append(f"{k} clusters")
    if smaller:
        progress.note(
            f"  {n_docs} papers: {' and '.join(smaller)} (num_topics/num_clusters: size, sqrt(papers / 2); "
            "set a number to choose)"
        )
    if not update:
        return config
    return config.model_copy(update={"models": config.models.model_copy(update=update)})


def effective_k(requested: int, n_docs: int, what: str, progress: RunProgress) -> int:
    """``requested``, or ``max(2, n_docs // 2)`` with a warning when the corpus has under two papers a topic."""
    if n_docs >= 2 * requested:
        return requested
    k = max(2, min(requested, n_docs // 2))
    if k == requested:
        return requested
    progress.warn(f"the corpus has only {n_docs} papers for {what}={requested}; using {k} instead")
    return k


def fit_lda(
    config: RunConfig,
    vocabulary: Vocabulary,
    documents: Any,
    ids: Sequence[str],
    progress: RunProgress,
    warm: WarmStart | None = None,
) -> tuple[TopicResult, LdaTopicModel, KSweep | None]:
    """Fit LDA with the configured K (or pick K from ``k_range`` with ``num_topics: auto``), and measure each
    topic's coherence, diversity and (with ``stability_seeds``) stability across refits with other seeds. With
    ``warm`` (an earlier fit of as many topics) the fit starts from its topics; the stability refits never do."""
    cfg = config.models.lda
    n_docs = len(ids)

    def make_model(k: int, seed: int) -> LdaTopicModel:
        return LdaTopicModel(
            num_topics=k, passes=cfg.passes, iterations=cfg.iterations, alpha=cfg.alpha, eta=cfg.eta,
            workers=cfg.workers, chunksize=cfg.chunksize, random_state=seed, init=cfg.init,
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
        k = effective_k(whole(cfg.num_topics), n_docs, "models.lda.num_topics", progress)
        model = make_model(k, config.lda_seed)
        start = warm.lda_start(vocabulary.terms, k) if warm is not None else None
        if start is not None and warm is not None:
            # the earlier fit has converged; a few passes absorb a small addition, more only drift (passes: auto)
            passes = min(CONTINUED_PASSES, model.effective_passes(n_docs)) if cfg.passes == "auto" else cfg.passes
            model.set_params(init=start, offset=warm.lda_offset, passes=passes)
        label, steps = f"LDA, {model.effective_passes(n_docs)} passes", model.training_steps(n_docs)
        with progress.bar(label, total=steps, min_total=LDA_BAR_FROM) as advance:
            model.fit(vocabulary, progress=advance)
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
        steps = refit_steps(model, n_docs, len(extra_seeds), cfg.stability_sample)
        label = f"LDA stability, {len(extra_seeds)} refit{'s' if len(extra_seeds) != 1 else ''}"
        with progress.bar(label, total=steps, min_total=LDA_BAR_FROM) as advance:
            measured = lda_stability(
                vocabulary,
                model.topic_term_,
                lambda seed: make_model(model.num_topics, seed),
                extra_seeds,
                cfg.stability_sample,
                progress=advance,
            )
        stability = measured.per_topic
        metrics["stability"] = measured.mean
    return replace(result, topic_diversity=diversity, topic_stability=stability, metrics=metrics), model, sweep


@dataclass
class SideModels:
    """What :func:`clusters_and_map` computes: the clusters (``None`` when disabled), the documents map and
    the wall seconds of each of its stages."""

    result: TopicResult | None
    model: TfidfClusterModel | SparkClusterModel | None
    doc_map: Any
    timings: dict[str, float]


def clusters_and_map(
    config: RunConfig, vocabulary: Vocabulary, documents: TokenArrays, ids: Sequence[str], k: int,
    warm: WarmStart | None = None,
) -> SideModels:
    """TF-IDF + KMeans with ``k`` clusters (with stability refits) and the documents map. Independent of LDA,
    so on a large corpus it runs in a second process while LDA fits. With ``warm`` (an earlier fit of ``k``
    clusters) KMeans starts once from its centroids; the stability refits never do."""
    timings: dict[str, float] = {}
    cluster_result = cluster_model = None
    start = time.perf_counter()
    if config.models.clusters.enabled:
        cfg_c = config.models.clusters
        centroids = warm.cluster_start(vocabulary.terms, k) if warm is not None else None
        cluster_model = TfidfClusterModel(
            num_clusters=k, max_features=cfg_c.max_features, n_init=cfg_c.n_init, random_state=config.clusters_seed,
            algorithm=cfg_c.algorithm, minibatch_from=cfg_c.minibatch_from,
            init=centroids if centroids is not None else "k-means++",
        ).fit(vocabulary)
        cluster_result = cluster_model.result(vocabulary, documents, ids, top_n=cfg_c.top_terms)
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


def _clusters_and_map_single_threaded(
    config: RunConfig, vocabulary: Vocabulary, documents: TokenArrays, ids: Sequence[str], k: int,
    warm: WarmStart | None = None,
) -> SideModels:
    """:func:`clusters_and_map` with BLAS and OpenMP held to one thread: it runs in the second process while
    LDA uses the first core, and more threads would only fight LDA for it."""
    with threadpool_limits(limits=1):
        return clusters_and_map(config, vocabulary, documents, ids, k, warm)


@dataclass
class FittedModels:
    """Everything the model stages produce from the tokens: the phrase-merged documents, the vocabulary, LDA
    (result, model, K sweep), the clusters and documents map, and the warnings they raised (kept with a cached
    fit, so that a run reading it from the cache shows them again)."""

    documents: TokenArrays
    vocabulary: Vocabulary
    lda_result: TopicResult | None
    lda_model: LdaTopicModel | SparkLdaTopicModel | None
    k_sweep: KSweep | None
    side: SideModels
    parallel: bool
    warnings: list[str]
    from_cache: bool = False
    #: the corpus's own uninformative words, left out of the vocabulary (most common first)
    corpus_stop_words: tuple[str, ...] = ()
    #: the stage-cache key these models were stored or found under ("" without a cache)
    key: str = ""
    #: the word pairs merged into phrases, per pass (:attr:`preprocessing.phrases.PhraseDetector.phrases_`), so
    #: that new papers can be merged the same way (``models.freeze``)
    phrases: tuple[frozenset[tuple[str, str]], ...] = ()


def without_corpus_stop_words(
    config: RunConfig, vocabulary: Vocabulary, progress: RunProgress
) -> tuple[Vocabulary, tuple[str, ...]]:
    """The vocabulary less the corpus's own uninformative words (``preprocessing.corpus_stop_words``), measured
    on pilot clusters as many as the LDA topics (the clusters' number with ``num_topics: auto``), and those words."""
    settings = config.preprocessing.corpus_stop_words
    if not settings.enabled:
        return vocabulary, ()
    lda = config.models.lda
    k = whole(lda.num_topics) if lda.num_topics != "auto" else whole(config.models.clusters.num_clusters)
    pilot = pilot_clusters(vocabulary.matrix, k, config.seed)
    columns = uninformative_terms(vocabulary.matrix, pilot, settings.min_df, settings.max_information)
    if len(columns) == 0 or len(columns) > vocabulary.matrix.shape[1] - MIN_VOCABULARY:
        return vocabulary, ()
    words = tuple(vocabulary.terms[j] for j in columns)
    shown = ", ".join(words[:8]) + (", ..." if len(words) > 8 else "")
    progress.note(
        f"  {len(words)} common words that tell little about a paper's topic left out of the models: {shown}"
    )
    return vocabulary.without(columns), words


def phrases_and_vocabulary(
    config: RunConfig, tokens: CorpusTokens, progress: RunProgress
) -> tuple[TokenArrays, Vocabulary, tuple[str, ...], tuple[frozenset[tuple[str, str]], ...]]:
    """Merge phrases into the papers' tokens (also set as ``tokens.documents``) and build the models' vocabulary
    (document-frequency filters, the profile's generic terms, then the corpus's own uninformative words); returns
    the merged documents, the vocabulary, those words and the merged word pairs per pass."""
    phrases_cfg = config.preprocessing.phrases
    documents = tokens.texts
    phrases: tuple[frozenset[tuple[str, str]], ...] = ()
    if phrases_cfg.enabled:
        detector = PhraseDetector(min_count=phrases_cfg.min_count, threshold=phrases_cfg.threshold)
        documents = detector.fit_arrays(tokens.texts)
        phrases = tuple(frozenset(found) for found in detector.phrases_)
    tokens.documents = documents
    pre = config.preprocessing
    vocabulary = build_vocabulary(documents, pre.min_df, pre.max_df, run_profile(config).generic_terms)
    if vocabulary.relaxed:
        progress.warn("the corpus is too small for preprocessing.min_df/max_df; every term was kept")
    if len(vocabulary.dictionary) < 2:
        raise UserError("the papers have fewer than 2 distinct terms after preprocessing; add papers with abstracts")
    vocabulary, learned = without_corpus_stop_words(config, vocabulary, progress)
    return documents, vocabulary, learned, phrases


def _release_worker(pool: ProcessPoolExecutor) -> None:
    """Let ``pool``'s worker process exit once its one task is done (called from the pool's own thread, so it
    must not wait)."""
    pool.shutdown(wait=False)


def fit_models(
    config: RunConfig, tokens: CorpusTokens, ids: Sequence[str], progress: RunProgress, spark: Any = None,
    warm: WarmStart | None = None, while_waiting: Callable[[], None] | None = None,
) -> FittedModels:
    """Phrases, vocabulary, LDA, and (in a second process on large corpora) TF-IDF + KMeans and the map; with
    ``spark`` (a SparkSession), LDA and TF-IDF + KMeans run on Spark MLlib. ``warm`` (local engine): an earlier
    fit the models start from (:mod:`topics.models.warm_start`). ``while_waiting``: work of the run's that needs
    only the tokens, called (on one thread) after LDA while the second process still works; not called when
    there is no second process."""
    first_warning = len(progress.warnings)
    n_docs = len(ids)
    with progress.stage("phrases"):
        documents, vocabulary, learned, phrases = phrases_and_vocabulary(config, tokens, progress)

    cluster_k = 0
    if config.models.clusters.enabled:
        cluster_k = effective_k(
            whole(config.models.clusters.num_clusters), n_docs, "models.clusters.num_clusters", progress
        )
    if spark is not None:
        return replace(
            _fit_models_on_spark(config, tokens, vocabulary, ids, cluster_k, spark, progress),
            corpus_stop_words=learned, warnings=progress.warnings[first_warning:], phrases=phrases,
        )
    background_pool = background = None
    if n_docs >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 and config.models.lda.enabled:
        # TF-IDF + KMeans and the documents map use the second core while LDA runs in this process
        release_freed_memory()  # fewer pages shared at the fork, so fewer copied when either process writes
        background_pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=child_ignores_interrupts
        )
        background = background_pool.submit(
            _clusters_and_map_single_threaded, config, vocabulary, documents, ids, cluster_k, warm
        )
        # the second process exits as soon as its result is in: an idle worker kept its memory (600 MiB at 47.5k
        # papers) while this process still worked on the theme evidence
        background.add_done_callback(lambda _: _release_worker(background_pool))

    lda_result = lda_model = k_sweep = None
    try:
        if config.models.lda.enabled:
            # one thread each while the second process works, else BLAS threads would fight it for the cores
            with progress.stage("lda"), threadpool_limits(limits=1 if background is not None else None):
                lda_result, lda_model, k_sweep = fit_lda(config, vocabulary, documents, ids, progress, warm)
        if background is not None:
            if while_waiting is not None:
                with threadpool_limits(limits=1):
                    while_waiting()
            with progress.stage("wait_for_clusters"):
                side = background.result()
        else:
            side = clusters_and_map(config, vocabulary, documents, ids, cluster_k, warm)
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
        documents=documents, vocabulary=vocabulary, lda_result=lda_result, lda_model=lda_model, k_sweep=k_sweep,
        side=side, parallel=background is not None, warnings=progress.warnings[first_warning:],
        corpus_stop_words=learned, phrases=phrases,
    )


def _fit_models_on_spark(
    config: RunConfig,
    tokens: CorpusTokens,
    vocabulary: Vocabulary,
    ids: Sequence[str],
    cluster_k: int,
    spark: Any,
    progress: RunProgress,
) -> FittedModels:
    """LDA and TF-IDF + KMeans with MLlib on ``spark`` (:class:`SparkLdaTopicModel`, :class:`SparkClusterModel`,
    both fitted on one cached frame of the vocabulary's counts; see :mod:`topics.models.spark_engine`); the
    documents map is computed on the driver. Stability refits and ``num_topics: auto`` are local-engine features."""
    from topics.models.spark_tfidf import spark_counts

    cfg, spark_cfg = config.models.lda, config.spark
    if cfg.enabled and cfg.num_topics == "auto":
        raise UserError(
            "models -> lda -> num_topics: auto is not available with engine: spark; give a number of topics"
        )
    if cfg.stability_seeds or config.models.clusters.stability_seeds:
        progress.note("  engine: spark fits each model once: topic stability is not measured")
    k = effective_k(whole(cfg.num_topics), len(ids), "models.lda.num_topics", progress) if cfg.enabled else 0
    merged = tokens.documents
    if merged is None:
        raise RuntimeError("the phrases stage sets tokens.documents before the models are fitted")
    timings: dict[str, float] = {}
    lda_model: SparkLdaTopicModel | None = None
    cluster_model: SparkClusterModel | None = None
    started = time.perf_counter()
    with progress.stage("spark_models"), spark_counts(spark, vocabulary, spark_cfg.partitions) as counts:
        _, tfidf, _ = counts.tfidf()  # KMeans's rows, and the documents map's
        timings["spark_vectorize"] = round(time.perf_counter() - started, 3)
        if config.models.clusters.enabled:
            started = time.perf_counter()
            cluster_model = SparkClusterModel(
                num_clusters=cluster_k, partitions=spark_cfg.partitions, random_state=config.clusters_seed
            ).fit(counts)
            timings["spark_kmeans"] = round(time.perf_counter() - started, 3)
        if cfg.enabled:
            started = time.perf_counter()
            lda_model = SparkLdaTopicModel(
                num_topics=k, optimizer=spark_cfg.lda_optimizer, max_iter=spark_cfg.lda_max_iter,
                partitions=spark_cfg.partitions, random_state=config.lda_seed,
            ).fit(counts)
            timings["spark_lda"] = round(time.perf_counter() - started, 3)
    lda_result = lda_model.result(vocabulary, merged, ids, cfg.top_terms) if lda_model is not None else None
    cluster_result = None
    if cluster_model is not None:
        cluster_result = cluster_model.result(vocabulary, merged, ids, config.models.clusters.top_terms)
    with progress.stage("documents_map"):
        doc_map = project_documents(tfidf, config.report.map.max_points, config.report.map.method, config.seed)
    side = SideModels(result=cluster_result, model=cluster_model, doc_map=doc_map, timings=timings)
    return FittedModels(
        documents=merged, vocabulary=vocabulary, lda_result=lda_result, lda_model=lda_model, k_sweep=None,
        side=side, parallel=False, warnings=[],
    )


def cached_models(
    config: RunConfig,
    tokens: CorpusTokens,
    ids: Sequence[str],
    use_cache: bool,
    progress: RunProgress,
    spark: Any = None,
    warm: WarmStart | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> FittedModels:
    """:func:`fit_models`, or its result from the stage cache when this corpus was fitted with these settings
    (and from the same ``warm`` start); ``while_waiting`` as :func:`fit_models`'s (not called on a cache hit)."""
    cache = StageCache(config.cache.dir or default_cache_dir()) if use_cache and config.cache.enabled else None
    fitted = None
    if cache is not None:
        with progress.stage("models_cache"):
            key = models_key(config, tokens, ids, warm.source if warm is not None else None)
            fitted = cache.load("models", key)
    if isinstance(fitted, FittedModels):
        progress.note("  models read from the cache (same tokens and settings)")
        for message in fitted.warnings:  # raised when these models were fitted
            progress.warn(message)
        return replace(fitted, from_cache=True, key=key)
    fitted = fit_models(config, tokens, ids, progress, spark, warm, while_waiting)
    if cache is not None:
        cache.store("models", key, fitted)
        fitted = replace(fitted, key=key)
    return fitted


