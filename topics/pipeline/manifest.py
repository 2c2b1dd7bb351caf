"""manifest.json: what a run was (config, seeds, versions), what it read and produced (counts), what it noticed
(warnings, topic flags, the corpus's own stop words) and what it cost (stage seconds and peak memory)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import topics
from preprocessing.nlp import Tokenizer
from preprocessing.records import Corpus
from topics.config import RunConfig, config_to_dict
from topics.pipeline.model_stages import FittedModels
from topics.pipeline.progress import RunProgress
from topics.pipeline.stage_keys import library_versions
from topics.quality.health import TopicFlag
from topics.results import Evaluation, FoldIn, ThemeTable, TopicResult, TrendTable


def _counts(
    corpus: Corpus, excluded: int, fitted: FittedModels, theme_table: ThemeTable, trends: TrendTable,
    lda: TopicResult | None, clusters: TopicResult | None,
) -> dict[str, Any]:
    """Papers (read, skipped by reason, merged per rule and source, left out by ``where``, per period),
    vocabulary and tokens, papers with a theme, and the numbers of topics and clusters."""
    per_period = trends.frame.groupby("period", sort=False)["papers"].first()
    documents = fitted.documents
    return {
        "papers": len(corpus),
        "skipped": corpus.skipped_counts(),
        "merges": corpus.merge_counts(),
        "excluded_by_where": excluded,
        "periods": {p: int(c) for p, c in zip(trends.periods, per_period)},
        "vocabulary": len(fitted.vocabulary.dictionary),
        "tokens": documents.n_tokens,
        "papers_with_theme": int(theme_table.assigned.any(axis=1).sum()),
        "lda_topics": lda.n_topics if lda is not None else 0,
        "clusters": clusters.n_topics if clusters is not None else 0,
    }


def _evaluation(evaluation: Evaluation | None) -> dict[str, Any] | None:
    """The evaluation's headline numbers (the full scores are in evaluation.json)."""
    if evaluation is None:
        return None
    baseline = evaluation.baseline_macro_f1
    return {
        "labels": evaluation.labels_path,
        "papers": evaluation.n_papers,
        "macro_f1": round(evaluation.macro_f1, 4),
        "baseline_macro_f1": None if baseline is None else round(baseline, 4),
    }


def build_manifest(
    config: RunConfig, corpus: Corpus, *, excluded: int, fitted: FittedModels, tokenizer: Tokenizer,
    theme_table: ThemeTable, trends: TrendTable, lda: TopicResult | None, clusters: TopicResult | None,
    evaluation: Evaluation | None, warnings: list[str], flags: list[TopicFlag], progress: RunProgress,
    fold_in: FoldIn | None = None,
) -> dict[str, Any]:
    """The run's manifest.json as a dict (the writer adds the peak memory and the seconds to write); ``frozen``
    (``fold_in``) says what a run with frozen models did (``null`` when the models were fitted)."""
    k_sweep = fitted.k_sweep
    return {
        "tool": "research-topics",
        "version": topics.__version__,
        "engine": config.engine,
        "config": config_to_dict(config),
        "seeds": {
            "seed": config.seed, "lda": config.lda_seed, "clusters": config.clusters_seed,
            "lda_model": k_sweep.model_seed if k_sweep is not None else config.lda_seed,
        },
        "versions": library_versions(),
        "counts": _counts(corpus, excluded, fitted, theme_table, trends, lda, clusters),
        "tokenizer_fingerprint": tokenizer.settings.fingerprint(),
        "evaluation": _evaluation(evaluation),
        "warnings": warnings,
        "topic_flags": [flag.to_dict() for flag in flags],
        # the corpus's own uninformative words, left out of the models' vocabulary (preprocessing.corpus_stop_words)
        "corpus_stop_words": list(fitted.corpus_stop_words),
        "timings_seconds": progress.timings,
        "stage_peak_rss_mb": progress.peak_rss_mb,
        # stages timed in the second process, concurrently with LDA (their seconds overlap the others')
        "parallel_stages": sorted(fitted.side.timings) if fitted.parallel and not fitted.from_cache else [],
        "frozen": _fold_in(fold_in),
    }


def _fold_in(fold_in: FoldIn | None) -> dict[str, Any] | None:
    """manifest.json's ``frozen`` block: the :class:`FoldIn` summary, numbers rounded, NaN as null."""
    if fold_in is None:
        return None
    block = dataclasses.asdict(fold_in)
    for key, value in block.items():
        if isinstance(value, float):
            block[key] = None if math.isnan(value) else round(value, 4)
    block["reasons"] = list(fold_in.reasons)
    block["poorly_explained_share"] = round(fold_in.poorly_explained_share, 4)
    return block
