"""The corpus stages of a run: reading and deduplicating the inputs (with the corpus cache), the tokenizer of the
run's settings, and the spaCy tokens of every paper (with the token cache, or on Spark)."""

from __future__ import annotations

from typing import Any

from preprocessing.dedup import deduplicate
from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer, TokenizerSettings, build_stop_words
from preprocessing.readers import read_inputs
from preprocessing.records import Corpus
from preprocessing.token_arrays import TokenArrays
from preprocessing.token_cache import TokenCache, default_cache_dir
from topics.config import RunConfig
from topics.inputs import apply_filters, input_filters, input_specs
from topics.pipeline.model_stages import CorpusTokens
from topics.pipeline.progress import RunProgress
from topics.pipeline.stage_cache import StageCache
from topics.pipeline.stage_keys import corpus_key
from topics.themes.definitions import run_profile


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


def build_tokenizer(config: RunConfig) -> Tokenizer:
    """The spaCy tokenizer of the run's preprocessing settings, with the themes file's profile stop words."""
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

def cached_corpus(config: RunConfig, use_cache: bool, progress: RunProgress) -> tuple[Corpus, int]:
    """:func:`read_corpus`, or its result from the stage cache when no input file changed (same size and
    modification time) and the inputs' settings are the same."""
    cache = StageCache(config.cache.dir or default_cache_dir()) if use_cache and config.cache.enabled else None
    key = ""
    if cache is not None and config.inputs:
        key = corpus_key(config)
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
