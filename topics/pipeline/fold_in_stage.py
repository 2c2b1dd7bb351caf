"""The model and theme stages of a run with frozen models (``topics update RUN_DIR``, ``models.freeze: RUN_DIR``):
papers of the frozen run keep its results as they were; the others are labelled by its fitted models (LDA
inference, nearest KMeans centroid, the fitted theme learner), placed on its documents map beside their nearest
neighbours, and measured for drift (:mod:`topics.models.fold_in`). Nothing is refitted."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from preprocessing.nlp import Tokenizer
from preprocessing.phrases import merge_pairs
from preprocessing.records import Corpus
from preprocessing.token_arrays import TokenArrays
from topics.config import RunConfig
from topics.models.fold_in import per_word_bound, place_on_map, seeded_estep, vocabulary_share
from topics.models.vocabulary import Vocabulary
from topics.pipeline.frozen_state import FrozenRun, text_fingerprint
from topics.pipeline.model_stages import CorpusTokens, FittedModels, SideModels
from topics.pipeline.progress import RunProgress
from topics.pipeline.theme_stage import ThemeStage, lexicon_evidence
from topics.results import DocumentMap, FoldIn, ThemeTable, TopicResult
from topics.themes.scoring import ThemeRule, assign_themes

#: A refit is advised when more than this share of the added papers is poorly explained. Measured (2026-12-04, fits
#: of 3,000 example papers and of 1,700 BBC articles): 500 held-out papers of the same corpus, 17% and 19% (the
#: fitted papers' own quantiles are in-sample, so a little optimistic); 500 papers of the other corpus, 99.8% both
#: ways. At 0.4 a batch of 50 papers like the fitted ones is called out by chance less than once in 1,000 (binomial,
#: p = 0.2), and a batch of which half comes from another field is.
ADVISE_POOR_SHARE = 0.4
#: What the message says papers like the fitted ones give (the measurements above).
EXPECTED_POOR_SHARE = "about 20%"
#: ... or when the corpus has grown by more than this share of the papers the models were fitted on.
ADVISE_GROWTH = 0.5


def with_frozen_settings(config: RunConfig, state: FrozenRun) -> RunConfig:
    """``config`` with the settings that made the frozen run's models (preprocessing, models, themes, seed and
    engine) taken from it; the inputs, trends, views, report and output settings stay ``config``'s."""
    models = state.config.models.model_copy(update={"freeze": config.models.freeze, "align_to": None})
    return config.model_copy(update={
        "preprocessing": state.config.preprocessing, "models": models, "themes": state.config.themes,
        "seed": state.config.seed, "engine": "local",
    })


@dataclass(frozen=True)
class FoldedModels:
    """What the frozen models give the rest of the run, as the fitted stages would: the models with their results
    over the whole corpus (``fitted``), the final topics and clusters, the themes and the :class:`FoldIn` summary."""

    fitted: FittedModels
    lda: TopicResult | None
    clusters: TopicResult | None
    themes: ThemeStage
    summary: FoldIn


def _kept_rows(state: FrozenRun, corpus: Corpus) -> tuple[np.ndarray, int]:
    """For each paper, its row in the frozen run (``-1``: labelled anew), shape ``(n_docs,)``, and how many of the
    papers labelled anew were in the frozen run with another text."""
    row_of = state.row_of()
    rows = np.full(len(corpus), -1, dtype=np.int64)
    changed = 0
    for i, paper in enumerate(corpus.papers):
        row = row_of.get(paper.id, -1)
        if row >= 0 and state.fingerprints[row] != text_fingerprint(paper.title, paper.abstract):
            changed += 1
            row = -1
        rows[i] = row
    return rows, changed


def _combined(kept: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Rows in corpus order: ``old`` (rows of the frozen run, indexed by ``kept``) where ``kept >= 0``, else the
    next row of ``new``."""
    out = np.zeros((len(kept), *old.shape[1:]), dtype=np.result_type(old, new))
    out[kept >= 0] = old[kept[kept >= 0]]
    out[kept < 0] = new
    return out


def _fold_topics(
    state: FrozenRun, kept: np.ndarray, counts: sparse.csr_matrix, ids: tuple[str, ...], seed: int
) -> tuple[TopicResult | None, TopicResult | None]:
    """The frozen topics and clusters with every paper's topic mix and cluster: kept from the frozen run, else
    inferred (LDA, its E-step seeded with ``seed``) or the nearest centroid."""
    new = counts[kept < 0]
    lda = clusters = None
    if state.lda is not None and state.lda_model is not None:
        with seeded_estep(state.lda_model, seed):
            inferred = state.lda_model.transform(new)
        lda = replace(state.lda, doc_topic=_combined(kept, state.lda.doc_topic, inferred), doc_ids=ids)
    if state.clusters is not None and state.cluster_model is not None:
        labels = state.cluster_model.predict(new) if new.shape[0] else np.zeros(0, dtype=np.int64)
        one_hot = np.zeros((len(labels), state.clusters.n_topics))
        one_hot[np.arange(len(labels)), labels] = 1.0
        clusters = replace(state.clusters, doc_topic=_combined(kept, state.clusters.doc_topic, one_hot), doc_ids=ids)
    return lda, clusters


def _fold_map(
    state: FrozenRun, kept: np.ndarray, counts: sparse.csr_matrix, max_points: int, seed: int
) -> DocumentMap | None:
    """The frozen documents map with the papers still in the corpus at their places, and new papers at the mean
    place of their nearest mapped neighbours. New papers are drawn at the rate a fresh map of the whole corpus would
    sample (the frozen map's rate, or ``max_points`` over the corpus size if lower), so an update always shows where
    its batch falls: the map may pass ``max_points`` by that share of the batch (50 papers added to a full
    3,000-point map draw 50 more points)."""
    old = state.doc_map
    if old is None:
        return None
    position = np.full(len(state.paper_ids), -1, dtype=np.int64)
    position[kept[kept >= 0]] = np.flatnonzero(kept >= 0)
    still = position[old.indices] >= 0
    indices, coords = position[old.indices][still], old.coords[still]
    fresh = np.flatnonzero(kept < 0)
    rate = min(len(old.indices) / max(old.total, 1), max_points / max(len(kept), 1))
    n_place = min(len(fresh), math.ceil(len(fresh) * rate))
    if n_place and state.cluster_model is not None and len(indices):
        chosen = fresh if n_place == len(fresh) else np.sort(
            np.random.default_rng(seed).choice(fresh, n_place, replace=False)
        )
        model = state.cluster_model
        placed = place_on_map(model._tfidf(counts[indices]), coords, model._tfidf(counts[chosen]))
        indices = np.concatenate([indices, chosen])
        coords = np.vstack([coords, placed])
    order = np.argsort(indices, kind="stable")
    return DocumentMap(indices=indices[order], coords=coords[order], method=old.method, total=len(kept))


def _fold_themes(
    state: FrozenRun, config: RunConfig, tokenizer: Tokenizer, tokens: CorpusTokens, kept: np.ndarray,
    ids: tuple[str, ...], lda: TopicResult | None, clusters: TopicResult | None,
) -> ThemeStage:
    """The theme table of the whole corpus: the frozen run's rows for the papers it kept; for the others, the
    theme terms they use, the frozen learner's probabilities and the frozen topics' and clusters' theme scores,
    combined as the frozen run combined them."""
    if tokens.theme_texts is None or tokens.theme_titles is None:
        raise ValueError("a frozen run needs the theme tokens (tokenize_corpus gives them)")
    new = np.flatnonzero(kept < 0)
    scanned = lexicon_evidence(state.themes, tokenizer, tokens.theme_texts.select(new), tokens.theme_titles.select(new))
    learned = state.learner.predict_proba(tokens.texts.select(new)) if state.learner is not None else None
    frozen = state.themes_table
    added = assign_themes(
        state.themes, [ids[i] for i in new], scanned.evidence,
        ThemeRule(config.themes.threshold, config.themes.max_per_paper),
        doc_topic=lda.doc_topic[new] if lda is not None and frozen.topic_theme is not None else None,
        topic_theme=frozen.topic_theme,
        doc_cluster=clusters.assignments[new] if clusters is not None and frozen.cluster_theme is not None else None,
        cluster_theme=frozen.cluster_theme,
        learned=learned,
    )
    new_rows = iter(added.evidence)
    table_evidence = tuple(frozen.evidence[row] if row >= 0 else next(new_rows) for row in kept.tolist())
    table = ThemeTable(
        themes=state.themes, doc_ids=ids,
        scores=_combined(kept, frozen.scores, added.scores),
        assigned=_combined(kept, frozen.assigned, added.assigned),
        evidence=table_evidence, topic_theme=frozen.topic_theme, cluster_theme=frozen.cluster_theme,
    )
    return ThemeStage(table, scanned.unmatchable, state.learner)


def _drift(
    state: FrozenRun, kept: np.ndarray, counts: sparse.csr_matrix, documents: TokenArrays, changed: int, seed: int,
    frozen_from: str,
) -> FoldIn:
    """The :class:`FoldIn` summary: how well the frozen LDA explains the added papers against the fitted ones, and
    whether a refit is worth it."""
    new = np.flatnonzero(kept < 0)
    n_kept, n_new = int((kept >= 0).sum()), len(new)
    reference = state.reference
    poor, bound_median, share_median = 0, float("nan"), float("nan")
    if reference is not None and state.lda_model is not None and n_new:
        bound = per_word_bound(state.lda_model, counts[new], seed)
        share = vocabulary_share(documents.select(new), set(state.dictionary.token2id))
        poor = int(reference.poorly_explained(bound, share).sum())
        bound_median = float(np.nanmedian(bound)) if not np.isnan(bound).all() else float("nan")
        share_median = float(np.nanmedian(share)) if not np.isnan(share).all() else float("nan")
    reasons = []
    if n_new and poor / n_new > ADVISE_POOR_SHARE:
        reasons.append(
            f"{poor:,} of the {n_new:,} added papers ({poor / n_new:.0%}) are poorly explained by the fitted topics "
            f"(new papers like the fitted ones: {EXPECTED_POOR_SHARE}); they may hold a subject the topics lack"
        )
    growth = (len(kept) - state.fitted_papers) / max(state.fitted_papers, 1)
    if growth > ADVISE_GROWTH:
        reasons.append(
            f"the corpus has {len(kept):,} papers, {growth:.0%} more than the {state.fitted_papers:,} the models "
            "were fitted on"
        )
    return FoldIn(
        frozen_from=frozen_from, kept=n_kept, added=n_new, changed=changed, poorly_explained=poor,
        bound_median_added=bound_median,
        bound_median_fitted=reference.bound_median if reference is not None else float("nan"),
        share_median_added=share_median,
        share_median_fitted=reference.share_median if reference is not None else float("nan"),
        fitted_papers=state.fitted_papers, refit_advised=bool(reasons), reasons=tuple(reasons),
    )


def fold_in_models(
    config: RunConfig, state: FrozenRun, corpus: Corpus, tokens: CorpusTokens, tokenizer: Tokenizer,
    progress: RunProgress,
) -> FoldedModels:
    """Label ``corpus`` with the frozen run ``state`` (see the module's docstring); ``tokens`` are the corpus's."""
    kept, changed = _kept_rows(state, corpus)
    ids = tuple(corpus.ids)
    documents = tokens.texts
    for found in state.phrases:
        documents = merge_pairs(documents, set(found))
    tokens.documents = documents
    vocabulary = Vocabulary.of_documents(state.dictionary, documents)
    counts = vocabulary.matrix
    with progress.stage("fold_in"):
        lda, clusters = _fold_topics(state, kept, counts, ids, config.seed)
        doc_map = _fold_map(state, kept, counts, config.report.map.max_points, config.seed)
        summary = _drift(state, kept, counts, documents, changed, config.seed, str(config.models.freeze))
    with progress.stage("themes"):
        themes = _fold_themes(state, config, tokenizer, tokens, kept, ids, lda, clusters)
    fitted = FittedModels(
        documents=documents, vocabulary=vocabulary, lda_result=lda, lda_model=state.lda_model, k_sweep=None,
        side=SideModels(result=clusters, model=state.cluster_model, doc_map=doc_map, timings={}), parallel=False,
        warnings=[], corpus_stop_words=state.corpus_stop_words, phrases=state.phrases,
    )
    return FoldedModels(fitted=fitted, lda=lda, clusters=clusters, themes=themes, summary=summary)


def fold_in_message(summary: FoldIn) -> str:
    """The terminal line of a run with frozen models."""
    text = (
        f"  frozen models of {summary.frozen_from}: {summary.kept:,} papers kept their results, {summary.added:,} "
        f"labelled by the frozen models ({summary.poorly_explained:,} poorly explained)"
    )
    if summary.changed:
        text += f"; {summary.changed:,} of them had changed text"
    return text
