"""Terms a themes file could add: the corpus terms most associated with each theme's confident papers that the
theme does not list yet (``topics themes suggest``).

A theme's *confident papers* are those the run assigns it (``ThemeTable.assigned[:, j]``); every other paper is
the background. For each vocabulary term (the run's own terms, phrases such as ``policy_gradient`` included)
we count the confident papers and the other papers containing it, and score the difference with the weighted
log-odds ratio of Monroe, Colaresi & Quinn (2008, "Fightin' words"), with an informative Dirichlet prior taken
from the whole corpus (the prior ``tidylo::bind_log_odds`` uses by default):

- ``y_i`` / ``y_j``: papers containing the term among the confident / other papers; ``y = y_i + y_j``;
- ``n_i`` / ``n_j``: those counts summed over every vocabulary term (paper-term presences of each group);
  ``n = n_i + n_j``;
- prior ``a_w = y`` (the term's papers in the corpus) and ``a_0 = n``;
- ``delta = log((y_i + a_w) / (n_i + a_0 - y_i - a_w)) - log((y_j + a_w) / (n_j + a_0 - y_j - a_w))``;
- ``score = delta / sqrt(1 / (y_i + a_w) + 1 / (y_j + a_w))``, a z-score.

Counting papers (presence), not occurrences, keeps one paper that repeats a word from making it a theme term;
the z-score favours terms that are both frequent in the theme and rare outside it, where a plain lift would
rank a term of three papers above one of three hundred. The prior shrinks the log-odds of rare terms towards
zero. Only terms with a positive score are suggested.

What counts as listed (:func:`listed_terms`): the theme's seeds, related and exclude terms tokenised as the
theme lexicon tokenises them, their plurals, and the vocabulary phrases that contain one of its seeds (the
lexicon already matches the seed inside them). A term's plural is counted with the term and not suggested on
its own, since listing the term matches both. Terms in more than half of all papers, or in fewer than three of
the theme's papers, are skipped.

:func:`suggest_terms` is pure (arrays in, records out); :func:`run_vocabulary` and :func:`suggest_for_run`
connect it to a finished run; :func:`write_suggestions_csv` is the edge that writes a file (atomically).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from scipy import sparse

from preprocessing import tempfiles
from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer
from preprocessing.phrases import PHRASE_JOINER
from preprocessing.token_cache import default_cache_dir
from topics.config import RunConfig
from topics.models.vocabulary import Vocabulary
from topics.pipeline.progress import RunProgress
from topics.results import RunResult, ThemeDefinition, ThemeTable
from topics.themes.lexicon import SEED_WEIGHT, build_lexicon

#: Columns of the CSV ``--out`` writes, in order.
CSV_COLUMNS = ("theme", "rank", "term", "theme_papers", "other_papers", "score", "examples")
#: Example titles kept per suggested term.
MAX_EXAMPLES = 3


@dataclass(frozen=True)
class SuggestedTerm:
    """One term a theme could list.

    ``term`` is shown as written in a themes file (``"policy gradient"``), ``token`` is the run's vocabulary
    term (``"policy_gradient"``); ``theme_papers`` / ``other_papers`` count the confident papers of the theme
    and the other papers containing it; ``score`` is the weighted log-odds z-score (see the module docstring);
    ``examples`` holds up to three titles of confident papers containing it, most confident first.
    """

    term: str
    token: str
    theme_papers: int
    other_papers: int
    score: float
    examples: tuple[str, ...]


def display_term(token: str) -> str:
    """A vocabulary term as a themes file would write it: ``"policy_gradient" -> "policy gradient"``."""
    return token.replace(PHRASE_JOINER, " ")


def log_odds_scores(in_theme: np.ndarray, elsewhere: np.ndarray) -> np.ndarray:
    """Weighted log-odds z-scores (Monroe et al. 2008, informative Dirichlet prior = the corpus's own counts).

    ``in_theme`` and ``elsewhere`` have shape ``(n_terms,)``: per term, the papers containing it in the theme's
    confident papers and in the other papers. Returns shape ``(n_terms,)``; positive means more common in the
    theme. Terms in no paper get 0.
    """
    y_i = np.asarray(in_theme, dtype=np.float64)
    y_j = np.asarray(elsewhere, dtype=np.float64)
    prior = y_i + y_j
    n_i, n_j = y_i.sum(), y_j.sum()
    a0 = n_i + n_j
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_i + prior) / (n_i + a0 - y_i - prior)) - np.log((y_j + prior) / (n_j + a0 - y_j - prior))
        score = delta / np.sqrt(1.0 / (y_i + prior) + 1.0 / (y_j + prior))
    return np.where(np.isfinite(score), score, 0.0)


def suggest_terms(
    table: ThemeTable,
    matrix: sparse.spmatrix,
    terms: Sequence[str],
    titles: Sequence[str],
    listed: Mapping[str, set[str]],
    top: int = 15,
    min_papers: int = 3,
    max_share: float = 0.5,
    theme_ids: Sequence[str] | None = None,
) -> dict[str, list[SuggestedTerm]]:
    """The ``top`` unlisted terms most associated with each theme's confident papers.

    Args:
        table: the run's themes; row ``d`` of its arrays is paper ``d``, column ``j`` theme ``table.themes[j]``.
        matrix: document-term counts, shape ``(n_docs, n_terms)``, rows in ``table.doc_ids`` order, columns in
            ``terms`` order; only whether a count is positive matters. A term's plural (``t + "s"``) is counted
            with it and never suggested on its own (the lexicon matches a listed term's plural).
        terms: the vocabulary terms, length ``n_terms`` (phrases joined by ``_``).
        titles: paper titles, length ``n_docs``.
        listed: per theme id, the vocabulary forms of the terms its definition already lists (see
            :func:`listed_terms`); these are never suggested.
        top: terms kept per theme.
        min_papers: a term must occur in at least this many of the theme's confident papers.
        max_share: a term in more than this share of all papers is too common to suggest.
        theme_ids: the themes to suggest for (default: all, in table order).

    Returns:
        theme id -> suggestions, highest score first (ties: more theme papers, then the term). A theme with no
        confident paper, or no term passing the filters, maps to an empty list.
    """
    _check_shapes(table, matrix, terms, titles)
    n_docs = int(matrix.shape[0])
    present = _fold_plurals(_presence(matrix), terms)
    doc_freq = np.asarray(present.sum(axis=0)).ravel()
    common = doc_freq > max_share * n_docs
    presence = _Presence(present, present.tocsr(), doc_freq)
    index = {theme.id: j for j, theme in enumerate(table.themes)}
    chosen = list(theme_ids) if theme_ids is not None else list(index)
    suggestions: dict[str, list[SuggestedTerm]] = {}
    for theme_id in chosen:
        j = index[theme_id]
        confident = np.asarray(table.assigned[:, j], dtype=bool)
        if not confident.any():
            suggestions[theme_id] = []
            continue
        known = listed.get(theme_id, set())
        unlisted = np.asarray([t not in known for t in terms], dtype=bool)
        suggestions[theme_id] = _theme_suggestions(
            table, j, confident, presence, unlisted & ~common, terms, titles, top, min_papers
        )
    return suggestions


def _check_shapes(table: ThemeTable, matrix: sparse.spmatrix, terms: Sequence[str], titles: Sequence[str]) -> None:
    """Raise ValueError unless ``matrix`` is ``(n_docs, n_terms)`` with one row per paper of ``table`` and title."""
    n_docs = int(matrix.shape[0])
    if n_docs != len(table.doc_ids) or n_docs != len(titles) or int(matrix.shape[1]) != len(terms):
        raise ValueError(
            f"shapes disagree: matrix {matrix.shape}, {len(table.doc_ids)} papers in the theme table, "
            f"{len(titles)} titles, {len(terms)} terms"
        )


@dataclass(frozen=True)
class _Presence:
    """Which papers contain which terms (plurals folded in): ``columns`` (CSC) and ``rows`` (CSR) are the same
    0/1 matrix of shape ``(n_docs, n_terms)``; ``doc_freq``, shape ``(n_terms,)``, counts each term's papers."""

    columns: sparse.csc_matrix
    rows: sparse.csr_matrix
    doc_freq: np.ndarray


def _theme_suggestions(
    table: ThemeTable,
    j: int,
    confident: np.ndarray,
    presence: _Presence,
    candidates: np.ndarray,
    terms: Sequence[str],
    titles: Sequence[str],
    top: int,
    min_papers: int,
) -> list[SuggestedTerm]:
    """The ``top`` suggestions for theme column ``j`` of ``table``, highest score first.

    ``confident`` (shape ``(n_docs,)`` bool, some true) marks the theme's confident papers; ``candidates``
    (shape ``(n_terms,)`` bool) the terms that may be suggested at all (unlisted, not too common). A candidate
    also needs ``min_papers`` confident papers and a positive score."""
    in_theme = np.asarray(presence.rows[confident].sum(axis=0)).ravel()
    elsewhere = presence.doc_freq - in_theme
    score = log_odds_scores(in_theme, elsewhere)
    eligible = np.flatnonzero(candidates & (in_theme >= min_papers) & (score > 0))
    order = sorted(eligible.tolist(), key=lambda k: (-score[k], -in_theme[k], terms[k]))[:top]
    rows = np.flatnonzero(confident)
    # most confident papers first, then corpus order
    rows = rows[np.lexsort((rows, -np.asarray(table.scores[rows, j], dtype=np.float64)))]
    return [
        SuggestedTerm(
            term=display_term(terms[k]),
            token=terms[k],
            theme_papers=int(in_theme[k]),
            other_papers=int(elsewhere[k]),
            score=float(score[k]),
            examples=_examples(presence.columns, rows, k, titles),
        )
        for k in order
    ]


def _presence(matrix: sparse.spmatrix) -> sparse.csc_matrix:
    """1.0 where a count is positive, shape of ``matrix``, CSC."""
    present = sparse.csc_matrix(matrix, dtype=np.float64, copy=True)
    present.data = (present.data > 0).astype(np.float64)
    present.eliminate_zeros()
    return present


def _fold_plurals(present: sparse.csc_matrix, terms: Sequence[str]) -> sparse.csc_matrix:
    """``present`` with each term's plural folded into it: where both ``t`` and ``t + "s"`` are terms (and the
    last word of ``t`` is alphabetic and does not end in "s", the plurals the theme lexicon matches), column
    ``t`` marks the papers with either form and column ``t + "s"`` is emptied, since listing ``t`` would match
    both. Shape unchanged, CSC."""
    index = {t: k for k, t in enumerate(terms)}
    pairs = [
        (k, index[t + "s"]) for k, t in enumerate(terms)
        if t + "s" in index and t.split(PHRASE_JOINER)[-1].isalpha() and not t.endswith("s")
    ]
    if not pairs:
        return present
    singular, plural = (np.asarray(side, dtype=np.int64) for side in zip(*pairs))
    n_terms = present.shape[1]
    # a term-to-term map: every column to itself, a plural's column also to its singular's, none to itself
    target = np.arange(n_terms, dtype=np.int64)
    target[plural] = singular
    fold = sparse.csr_matrix((np.ones(n_terms), (np.arange(n_terms), target)), shape=(n_terms, n_terms))
    folded = (present @ fold).tocsc()
    folded.data = (folded.data > 0).astype(np.float64)
    folded.eliminate_zeros()
    return folded


def _examples(present: sparse.csc_matrix, rows: np.ndarray, term: int, titles: Sequence[str]) -> tuple[str, ...]:
    """Titles of the first :data:`MAX_EXAMPLES` papers of ``rows`` (in that order) containing column ``term``."""
    with_term = present.indices[present.indptr[term] : present.indptr[term + 1]]
    hits = rows[np.isin(rows, with_term)][:MAX_EXAMPLES]
    return tuple(titles[int(r)] for r in hits)


def listed_terms(
    themes: Sequence[ThemeDefinition], tokenizer: Tokenizer, terms: Sequence[str] = ()
) -> dict[str, set[str]]:
    """Per theme id, the vocabulary forms (words joined by ``_``) of every term its definition lists.

    Terms are tokenised as the theme lexicon tokenises them (:func:`topics.themes.lexicon.build_lexicon` with the
    run's ``tokenizer``): "policies" gives ``policy``, "reinforcement learning" gives ``reinforcement_learning``,
    and a term's plural counts as listed too. Seeds, related and exclude terms all count, and so do the terms the
    lexicon leaves out because tokenisation loses a word ("few-shot" lists ``shot``: suggesting it back would
    only repeat the themes file). Given the vocabulary ``terms``, a phrase that contains one of the theme's seeds
    as a run of its words (``deep_reinforcement_learning`` for the seed "reinforcement learning") counts as
    listed as well: the lexicon already matches that seed inside it, at full seed weight.
    """
    lexicon, _ = build_lexicon(
        themes, tokenizer.tokenize_phrase, tokenizer.settings.stop_words, tokenizer.phrase_segments
    )
    grams: list[set[tuple[str, ...]]] = [set() for _ in themes]
    seeds: list[set[tuple[str, ...]]] = [set() for _ in themes]
    for gram, weights in lexicon.entries.items():
        for j, weight in weights.items():
            grams[j].add(gram)
            if weight >= SEED_WEIGHT:
                seeds[j].add(gram)
    for gram, excluded in lexicon.excludes.items():
        for j in excluded:
            grams[j].add(gram)
    phrases = [tuple(t.split(PHRASE_JOINER)) for t in terms if PHRASE_JOINER in t]
    listed: dict[str, set[str]] = {}
    for j, theme in enumerate(themes):
        forms = {PHRASE_JOINER.join(g) for g in grams[j]}
        for entry in (*theme.seeds, *theme.related, *theme.exclude):
            words = tokenizer.tokenize_phrase(entry)
            if words:
                forms.add(PHRASE_JOINER.join(words))
        longest = max((len(g) for g in seeds[j]), default=0)
        for phrase in phrases:
            if any(
                phrase[i : i + n] in seeds[j]
                for n in range(1, min(longest, len(phrase)) + 1)
                for i in range(len(phrase) - n + 1)
            ):
                forms.add(PHRASE_JOINER.join(phrase))
        listed[theme.id] = forms
    return listed


def check_theme_id(theme_id: str | None, themes: Sequence[ThemeDefinition], themes_file: Path) -> list[str]:
    """The theme ids to suggest for: ``[theme_id]``, or every theme's id when it is ``None``. Raises
    :class:`UserError` naming an unknown id and the ids available."""
    ids = [t.id for t in themes]
    if theme_id is None:
        return ids
    if theme_id not in ids:
        raise UserError(f"--theme: unknown theme id {theme_id!r} in {themes_file}; available: {', '.join(ids)}")
    return [theme_id]


def run_vocabulary(config: RunConfig, result: RunResult, use_cache: bool = True) -> tuple[Vocabulary, Tokenizer]:
    """The vocabulary (terms and document-term count matrix) the run of ``config`` fitted its models on, and the
    run's tokenizer (for :func:`listed_terms`).

    :class:`RunResult` does not carry the vocabulary, so it is taken from the models' stage-cache entry the run
    read or wrote; without a cache it is re-derived from the run's tokens by the model stages' own
    :func:`~topics.pipeline.model_stages.phrases_and_vocabulary` (no model is fitted). The tokens come from the
    token cache when there is one.
    """
    from topics.pipeline.corpus_stage import build_tokenizer, tokenize_corpus
    from topics.pipeline.model_stages import FittedModels, phrases_and_vocabulary
    from topics.pipeline.stage_cache import StageCache
    from topics.pipeline.stage_keys import models_key

    tokenizer = build_tokenizer(config)
    quiet = RunProgress(quiet=True)
    tokens = tokenize_corpus(result.corpus, tokenizer, config, use_cache, quiet)
    vocabulary = None
    if use_cache and config.cache.enabled:
        fitted = StageCache(config.cache.dir or default_cache_dir()).load(
            "models", models_key(config, tokens, result.corpus.ids)
        )
        if isinstance(fitted, FittedModels):
            vocabulary = fitted.vocabulary
    if vocabulary is None:
        _, vocabulary, _, _ = phrases_and_vocabulary(config, tokens, quiet)
    expected = result.manifest.get("counts", {}).get("vocabulary")
    if vocabulary.n_docs != len(result.corpus) or (expected is not None and len(vocabulary.dictionary) != expected):
        raise RuntimeError(
            f"the re-derived vocabulary ({len(vocabulary.dictionary)} terms, {vocabulary.n_docs} papers) is not the "
            f"run's ({expected} terms, {len(result.corpus)} papers)"
        )
    return vocabulary, tokenizer


def suggest_for_run(
    config: RunConfig,
    result: RunResult,
    theme_ids: Sequence[str] | None = None,
    top: int = 15,
    use_cache: bool = True,
) -> dict[str, list[SuggestedTerm]]:
    """:func:`suggest_terms` for a finished run of ``config``: its themes, vocabulary and titles."""
    vocabulary, tokenizer = run_vocabulary(config, result, use_cache)
    terms = vocabulary.terms
    listed = listed_terms(result.themes.themes, tokenizer, terms)
    titles = [p.title for p in result.corpus.papers]
    return suggest_terms(
        result.themes, vocabulary.doc_term_matrix(), terms, titles, listed, top=top, theme_ids=theme_ids
    )


def suggestion_table(
    theme: ThemeDefinition, n_papers: int, items: Sequence[SuggestedTerm], min_papers: int = 3
) -> Table:
    """One theme's suggestions as a terminal table: rank, term, papers of the theme with it, other papers with
    it, score, the first example title. ``n_papers`` is the theme's number of confident papers."""
    table = Table(
        title=escape(f"{theme.label} ({theme.id}): {n_papers:,} papers carry it"),
        caption=(
            f"terms its definition does not list, in at least {min_papers} of its papers "
            "and at most half of all papers; "
            "score: log-odds z-score (Monroe et al. 2008, corpus prior)"
        ),
    )
    for name, justify in (("#", "right"), ("term", "left"), ("in theme papers", "right"), ("elsewhere", "right"),
                          ("score", "right"), ("example title", "left")):
        overflow = "fold" if name == "term" else "ellipsis"
        table.add_column(name, justify=justify, overflow=overflow)  # type: ignore[arg-type]
    for rank, s in enumerate(items, start=1):
        table.add_row(
            str(rank), Text(s.term), str(s.theme_papers), str(s.other_papers), f"{s.score:.2f}",
            Text(s.examples[0] if s.examples else "", overflow="ellipsis", no_wrap=True),
        )
    return table


def empty_message(theme: ThemeDefinition, n_papers: int, min_papers: int = 3) -> str:
    """The one line printed instead of a table for a theme with nothing to suggest."""
    if n_papers == 0:
        return f"{theme.label} ({theme.id}): no paper carries this theme in this run; nothing to suggest"
    return (
        f"{theme.label} ({theme.id}): {n_papers:,} papers carry it, but no unlisted term is in at least "
        f"{min_papers} of them and in at most half of all papers"
    )


def suggestion_rows(
    suggestions: Mapping[str, Sequence[SuggestedTerm]],
) -> list[tuple[str, int, str, int, int, str, str]]:
    """The CSV rows (:data:`CSV_COLUMNS`): theme, rank (1-based), term, theme_papers, other_papers, score (4
    decimals), examples (``|``-joined titles)."""
    return [
        (theme_id, rank, s.term, s.theme_papers, s.other_papers, f"{s.score:.4f}", "|".join(s.examples))
        for theme_id, items in suggestions.items()
        for rank, s in enumerate(items, start=1)
    ]


def check_csv_path(path: Path) -> None:
    """Fail early, before any work, when ``path`` cannot become a CSV file (a folder, or an unwritable place)."""
    path = Path(path).absolute()
    if path.is_dir():
        raise UserError(f"{path}: --out is a folder; give a file name such as suggestions.csv")
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{path}: cannot write here ({existing} is not a writable folder); choose another --out")


def write_suggestions_csv(path: Path, suggestions: Mapping[str, Sequence[SuggestedTerm]]) -> Path:
    """Write the suggestions as CSV (:data:`CSV_COLUMNS`) atomically: a temporary file beside ``path`` replaces
    it only once complete, so a failed or interrupted write leaves the previous file as it was."""
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(suggestion_rows(suggestions))
    kind = "topics-suggest"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tempfiles.remove_orphans(path.parent, kind)
        data = buffer.getvalue().encode("utf-8")
        def write(stream: BinaryIO) -> None:
            stream.write(data)

        tempfiles.write_atomically(path, kind, write, suffix=".csv.tmp")
    except OSError as error:
        raise UserError(
            f"{error.filename or path}: cannot write the CSV ({error.strerror or error}); choose another --out"
        ) from None
    return path
