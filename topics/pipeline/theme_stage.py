"""The themes stage of a run: each paper's theme scores, evidence and assigned themes (lexicon, learner,
calibration), with its stage-cache entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from preprocessing.nlp import Tokenizer
from preprocessing.token_arrays import TokenArrays
from preprocessing.token_cache import default_cache_dir
from topics.config import RunConfig
from topics.pipeline.model_stages import CorpusTokens, FittedModels
from topics.pipeline.stage_cache import StageCache
from topics.pipeline.stage_keys import themes_key
from topics.results import ThemeDefinition, ThemeTable
from topics.themes.background import load_background
from topics.themes.learner import ThemeLearner, learn_theme_scores
from topics.themes.lexicon import ThemeLexicon, Unmatchable, against_lexicon, build_lexicon
from topics.themes.scoring import (
    PaperEvidence,
    ThemeRule,
    assign_themes,
    demote_against,
    group_theme_scores,
    paper_evidence,
    term_theme_weights,
)


@dataclass(frozen=True)
class ThemeStage:
    """What the themes stage gives the run: the theme table, the theme terms that cannot match as written (for a
    warning) and the fitted learner (``None`` with ``themes.learn: false``), which labels later papers."""

    table: ThemeTable
    unmatchable: list[Unmatchable]
    learner: ThemeLearner | None = None


@dataclass(frozen=True)
class ThemeEvidence:
    """The part of the themes stage that needs only the papers' tokens, not the fitted models: the theme
    lexicon, each paper's lexicon evidence (already demoted by the themes' against-terms), the theme terms that
    cannot match, and (with ``themes.learn``) the learned scores ``(n_docs, n_themes)`` and the fitted learner.
    A run computes it while the second process still clusters (:func:`fit_models`'s ``while_waiting``), so it
    costs no wall time there."""

    lexicon: ThemeLexicon
    evidence: PaperEvidence
    unmatchable: list[Unmatchable]
    learned: np.ndarray | None
    learner: ThemeLearner | None


@dataclass(frozen=True)
class LexiconEvidence:
    """The theme lexicon scanned over papers' tokens: the lexicon, the lexicon of the themes' against-terms
    (``None`` when no theme has any), each paper's evidence (already demoted by the against-terms) and the theme
    terms that tokenisation cannot match (for a warning)."""

    lexicon: ThemeLexicon
    against: ThemeLexicon | None
    evidence: PaperEvidence
    unmatchable: list[Unmatchable]


def lexicon_evidence(
    themes: Sequence[ThemeDefinition], tokenizer: Tokenizer, texts: TokenArrays, titles: TokenArrays
) -> LexiconEvidence:
    """Every paper's evidence from its own words: the themes' lexicon (and against-lexicon) built with
    ``tokenizer`` and scanned over ``texts`` and ``titles`` (the theme tokens of the same papers, one title per
    text). A fresh run calls it on the whole corpus, a run with frozen models on the papers it labels anew."""
    lexicon, unmatchable = build_lexicon(themes, tokenizer)
    against, unmatchable_against = against_lexicon(themes, tokenizer)
    evidence = demote_against(paper_evidence(lexicon, texts, titles), against, texts, titles)
    return LexiconEvidence(lexicon, against, evidence, [*unmatchable, *unmatchable_against])


def theme_evidence(
    config: RunConfig, themes: Sequence[ThemeDefinition], tokenizer: Tokenizer, tokens: CorpusTokens,
    titles: Sequence[str], use_cache: bool = True,
) -> ThemeEvidence:
    """Every paper's theme evidence from its own words (the theme lexicon scanned over its tokens) and from what
    the corpus and the background corpus teach about each theme (``themes.learn``); also the theme terms that
    tokenisation cannot match (for a warning). ``titles``: one per paper, to leave the corpus's own papers out of
    the background corpus."""
    if tokens.theme_texts is None or tokens.theme_titles is None:
        raise ValueError("theme_evidence needs the theme tokens (tokenize_corpus gives them)")
    scanned = lexicon_evidence(themes, tokenizer, tokens.theme_texts, tokens.theme_titles)
    lexicon, evidence = scanned.lexicon, scanned.evidence
    learned = learner = None
    if config.themes.learn:
        background = background_themes = None
        if config.themes.background is not None:
            cache_dir = (config.cache.dir or default_cache_dir()) if use_cache and config.cache.enabled else None
            prepared = load_background(config.themes.background, tokenizer, cache_dir)
            background, background_themes = prepared.without(titles)
        learned, learner = learn_theme_scores(
            lexicon, evidence, tokens.texts, background, random_state=config.seed, background_themes=background_themes,
            against=scanned.against,
        )
    return ThemeEvidence(lexicon, evidence, scanned.unmatchable, learned, learner)


def assign_paper_themes(
    config: RunConfig, themes: Sequence[ThemeDefinition], tokenizer: Tokenizer, tokens: CorpusTokens,
    ids: Sequence[str], titles: Sequence[str], fitted: FittedModels, use_cache: bool = True,
    early: ThemeEvidence | None = None,
) -> ThemeStage:
    """Every paper's themes from its :func:`theme_evidence` (``early`` when the run computed it already) and
    from the LDA topics and clusters of ``fitted`` it belongs to; also the theme terms that tokenisation cannot
    match (for a warning)."""
    prepared = early if early is not None else theme_evidence(config, themes, tokenizer, tokens, titles, use_cache)
    lexicon, evidence, learned = prepared.lexicon, prepared.evidence, prepared.learned
    lda_result, cluster_result = fitted.lda_result, fitted.side.result
    topic_theme = cluster_theme = None
    if lda_result is not None and lda_result.topic_term is not None:
        topic_theme = group_theme_scores(lda_result.topic_term, term_theme_weights(lexicon, lda_result.terms))
    if cluster_result is not None and cluster_result.topic_term is not None:
        cluster_theme = group_theme_scores(cluster_result.topic_term, term_theme_weights(lexicon, cluster_result.terms))
    tcfg = config.themes
    table = assign_themes(
        themes, ids, evidence, ThemeRule(tcfg.threshold, tcfg.max_per_paper),
        doc_topic=lda_result.doc_topic if lda_result is not None else None,
        topic_theme=topic_theme,
        doc_cluster=cluster_result.assignments if cluster_result is not None else None,
        cluster_theme=cluster_theme,
        learned=learned,
    )
    return ThemeStage(table, prepared.unmatchable, prepared.learner)


def cached_themes(
    config: RunConfig, themes: Sequence[ThemeDefinition], tokenizer: Tokenizer, tokens: CorpusTokens,
    ids: Sequence[str], titles: Sequence[str], fitted: FittedModels, use_cache: bool,
    early: ThemeEvidence | None = None,
) -> ThemeStage:
    """:func:`assign_paper_themes`, or its result from the stage cache when the models came from (or went into)
    the cache entry ``fitted.key`` (same tokens, ids and model settings) and the theme definitions file, the
    theme settings and the tokenizer are unchanged. Without a cache it always computes; ``early``: the run's
    :func:`theme_evidence`, when it computed it already."""
    use = use_cache and config.cache.enabled and bool(fitted.key)
    cache = StageCache(config.cache.dir or default_cache_dir()) if use else None
    key = ""
    if cache is not None:
        try:
            definitions = Path(config.themes.file).read_bytes()
        except OSError:
            definitions = b""
        key = themes_key(config, fitted, definitions, tokenizer)
        cached = cache.load("themes", key)
        if isinstance(cached, ThemeStage):
            return cached
    stage = assign_paper_themes(config, themes, tokenizer, tokens, ids, titles, fitted, use_cache, early)
    if cache is not None and definitions:
        cache.store("themes", key, stage)
    return stage
