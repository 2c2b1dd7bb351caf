"""A run's fitted models and per-paper results, kept in its output folder (``models.pkl``) so that a later run can
label new papers with them without refitting (``topics update RUN_DIR``, ``models.freeze: RUN_DIR``).

The file is a pickle (gensim and scikit-learn models are pickled objects): load only run folders you trust, as
with any saved model. It holds the run's config and theme definitions, the phrases, the vocabulary, the fitted LDA,
TF-IDF + KMeans and theme learner, the final topics and clusters (labels, ids), and every paper's results (topic
mix, cluster, theme scores, map position) keyed by paper id with a fingerprint of its text, so a paper whose text
changed is labelled again instead of keeping results that no longer describe it.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from gensim.corpora import Dictionary

import topics
from preprocessing.errors import UserError
from preprocessing.records import Corpus
from topics.config import InputConfig, RunConfig
from topics.models.clusters import TfidfClusterModel
from topics.models.fold_in import FitReference, fit_reference
from topics.models.lda import LdaTopicModel
from topics.models.warm_start import WarmStart, continued_offset
from topics.pipeline.model_stages import FittedModels
from topics.results import DocumentMap, ThemeDefinition, ThemeTable, TopicResult
from topics.themes.learner import ThemeLearner

#: The file in a run's output folder.
STATE_FILE = "models.pkl"
#: Version of the file's layout; a file of another version is refused with a message saying how to fix it.
STATE_FORMAT = 1


def text_fingerprint(title: str, abstract: str) -> str:
    """A short digest of a paper's title and abstract: whether its text changed since the frozen run."""
    return hashlib.blake2b(f"{title}\x1f{abstract}".encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class FrozenRun:
    """Everything a later run needs to label papers as this run did.

    ``paper_ids`` and ``fingerprints`` (length ``n_papers``) name the papers whose results are kept: rows of
    ``lda.doc_topic``, ``clusters.doc_topic`` and ``themes`` follow them. ``doc_map`` indexes into ``paper_ids``.
    ``lda_model`` and ``cluster_model`` are the fitted estimators (the cluster model without its training matrix);
    ``learner`` is ``None`` with ``themes.learn: false``. ``reference`` says how well LDA explains the fitted
    papers (``None`` without LDA), against which new papers' drift is measured. ``fitted_papers`` counts the papers
    the models were fitted on (earlier updates keep it)."""

    format: int
    tool_version: str
    config: RunConfig
    themes: tuple[ThemeDefinition, ...]
    tokenizer_fingerprint: str
    phrases: tuple[frozenset[tuple[str, str]], ...]
    dictionary: Dictionary
    corpus_stop_words: tuple[str, ...]
    lda_model: LdaTopicModel | None
    lda: TopicResult | None
    cluster_model: TfidfClusterModel | None
    clusters: TopicResult | None
    learner: ThemeLearner | None
    themes_table: ThemeTable
    doc_map: DocumentMap | None
    paper_ids: tuple[str, ...]
    fingerprints: tuple[str, ...]
    reference: FitReference | None
    fitted_papers: int

    def row_of(self) -> dict[str, int]:
        """Each kept paper's row by id."""
        return {paper_id: row for row, paper_id in enumerate(self.paper_ids)}


def _without_training_data(model: TfidfClusterModel | None) -> TfidfClusterModel | None:
    """A shallow copy of the cluster model without its TF-IDF matrix and labels (``predict`` needs neither)."""
    if model is None:
        return None
    light = copy.copy(model)
    light.tfidf_ = None
    light.labels_ = None
    return light


def freeze_run(
    config: RunConfig, themes: Sequence[ThemeDefinition], tokenizer_fingerprint: str, corpus: Corpus,
    fitted: FittedModels, lda: TopicResult | None, clusters: TopicResult | None, learner: ThemeLearner | None,
    table: ThemeTable, earlier: FrozenRun | None = None,
) -> FrozenRun:
    """The :class:`FrozenRun` of a finished run. With ``earlier`` (the run was itself frozen), the models, phrases
    and reference are the earlier state's and only the per-paper results are the run's."""
    reference = None
    lda_model = fitted.lda_model if isinstance(fitted.lda_model, LdaTopicModel) else None
    if earlier is not None:
        reference = earlier.reference
    elif lda_model is not None:
        known = set(fitted.vocabulary.terms)
        reference = fit_reference(lda_model, fitted.vocabulary.matrix, fitted.documents, known, config.seed)
    cluster_model = fitted.side.model if isinstance(fitted.side.model, TfidfClusterModel) else None
    return FrozenRun(
        format=STATE_FORMAT,
        tool_version=topics.__version__,
        config=(
            earlier.config.model_copy(update={"inputs": config.inputs, "output": config.output})
            if earlier is not None else config
        ),
        themes=tuple(themes),
        tokenizer_fingerprint=tokenizer_fingerprint,
        phrases=earlier.phrases if earlier is not None else fitted.phrases,
        dictionary=fitted.vocabulary.dictionary,
        corpus_stop_words=fitted.corpus_stop_words,
        lda_model=earlier.lda_model if earlier is not None else lda_model,
        lda=lda,
        cluster_model=earlier.cluster_model if earlier is not None else _without_training_data(cluster_model),
        clusters=clusters,
        learner=learner,
        themes_table=replace(table, parts={}),
        doc_map=fitted.side.doc_map,
        paper_ids=tuple(corpus.ids),
        fingerprints=tuple(text_fingerprint(p.title, p.abstract) for p in corpus.papers),
        reference=reference,
        fitted_papers=earlier.fitted_papers if earlier is not None else len(corpus),
    )


def write_state(state: FrozenRun, handle: BinaryIO) -> None:
    """Pickle ``state`` into ``handle``."""
    pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _refused(path: Path, problem: str) -> UserError:
    return UserError(
        f"{path}: {problem}; point models.freeze (or topics update) at the output folder of a finished "
        "`topics run` of this version, or run again without it to refit"
    )


def load_state(run_dir: Path) -> FrozenRun:
    """The :class:`FrozenRun` in ``run_dir`` (a run's output folder, or its models.pkl itself). Raises
    :class:`UserError` naming the file for a missing, unreadable or foreign file, or one of another layout."""
    run_dir = Path(run_dir)
    path = run_dir if run_dir.is_file() else run_dir / STATE_FILE
    if not path.exists():
        if not run_dir.exists():
            raise _refused(run_dir, "folder not found")
        raise _refused(path, f"file not found (a run writes {STATE_FILE} beside papers.csv since "
                             "topics update exists; runs on engine: spark do not)")
    try:
        with open(path, "rb") as handle:
            state: Any = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as error:
        raise _refused(path, f"cannot read the fitted models ({type(error).__name__}: {error})") from None
    if not isinstance(state, FrozenRun):
        raise _refused(path, "not a models file written by `topics run`")
    if state.format != STATE_FORMAT:
        raise _refused(path, f"written in layout {state.format}, this version reads layout {STATE_FORMAT}")
    return state


def warm_start_of(align_to: Path) -> WarmStart | None:
    """The earlier fit of the run whose topics.json (or folder) is ``align_to``: its LDA's topic-term
    pseudo-counts and its clusters' centroids, each over its own terms, from the models.pkl beside it; ``None``
    when there is none (a run from before models.pkl, or on engine: spark). A models.pkl that cannot be read is
    an error naming it."""
    folder = Path(align_to) if Path(align_to).is_dir() else Path(align_to).parent
    path = folder / STATE_FILE
    if not path.exists():
        return None
    state = load_state(path)
    lda_terms: tuple[str, ...] = ()
    lda_topics = None
    lda_offset = 1.0
    model = state.lda_model
    if model is not None and hasattr(model, "model_"):
        lda_terms = tuple(state.dictionary[i] for i in range(len(state.dictionary)))
        gensim = model.model_
        lda_topics = np.asarray(gensim.state.get_lambda(), dtype=np.float64)
        lda_offset = continued_offset(gensim.offset, gensim.passes, gensim.num_updates, gensim.chunksize)
        if lda_topics.shape[1] != len(lda_terms):
            lda_terms, lda_topics = (), None
    cluster_terms: tuple[str, ...] = ()
    centroids = None
    clusters = state.cluster_model
    if clusters is not None and hasattr(clusters, "centroids_"):
        cluster_terms, centroids = tuple(clusters.terms_), np.asarray(clusters.centroids_, dtype=np.float64)
    return WarmStart(path, lda_terms, lda_topics, cluster_terms, centroids, lda_offset, state.fitted_papers)


def update_config(state: FrozenRun, run_dir: Path, inputs: Sequence[InputConfig], out: Path | None) -> RunConfig:
    """The config of ``topics update RUN_DIR``: the frozen run's, with ``inputs`` added to its inputs (a path it
    already reads is read again, not twice), ``models.freeze`` at ``run_dir`` and the outputs written to ``out``
    (default: ``run_dir`` itself, replaced as one set)."""
    if not inputs:
        raise UserError("topics update: give the new papers with --input FILE (repeatable)")
    known = {Path(i.path).resolve() for i in state.config.inputs}
    added = tuple(i for i in inputs if Path(i.path).resolve() not in known)
    replaced = {Path(i.path).resolve(): i for i in inputs if Path(i.path).resolve() in known}
    chosen = tuple(replaced.get(Path(i.path).resolve(), i) for i in state.config.inputs) + added
    config = state.config
    return config.model_copy(update={
        "inputs": chosen,
        "models": config.models.model_copy(update={"freeze": Path(run_dir).resolve(), "align_to": None}),
        "output": config.output.model_copy(update={"dir": Path(out or run_dir).resolve()}),
    })
