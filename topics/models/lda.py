"""gensim LDA as a scikit-learn estimator: ``LdaTopicModel(num_topics=...).fit(vocabulary)`` then ``.result(...)``.

gensim's online variational Bayes (Hoffman et al. 2010) runs unchanged, except for its E-step: gensim updates
each document's variational parameters in a Python loop, which dominated the run time on large corpora (about
25 s per pass over 47k abstracts). :class:`SparseEstepLda` does the same fixed-point updates for a whole chunk at
once with sparse matrix products (documents that have converged drop out of the loop), so a pass costs a few
seconds and the result is the one gensim's own loop gives (same initialisation, updates and stopping rule).

By default (``init="clusters"``) the topics start from a pilot clustering of the corpus
(:mod:`topics.models.pilot_clusters`) instead of gensim's random topics; ``init="random"`` is gensim's start.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel, LdaMulticore
from scipy import sparse
from scipy.special import gammaln, logsumexp, psi
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from topics.models.pilot_clusters import pilot_clusters
from topics.models.topic_map import intertopic_coordinates
from topics.models.vocabulary import Vocabulary, counts_and_terms
from topics.quality.coherence import npmi_coherence
from topics.results import TopicResult

#: ``passes: auto`` sweeps the corpus until about this many documents were seen (at least 2 passes, at most 10).
AUTO_PASS_DOCUMENTS = 120_000
#: The log-perplexity metric is estimated on at most this many papers (seeded sample).
PERPLEXITY_SAMPLE = 2000


def auto_passes(n_docs: int) -> int:
    """Passes for ``passes: auto``: 10 up to 12,000 papers, fewer as the corpus grows (3 at 47k, 2 from 60k on).

    Online LDA improves with the number of mini-batch updates; a large corpus gives many updates per pass."""
    return int(min(10, max(2, math.ceil(AUTO_PASS_DOCUMENTS / max(n_docs, 1)))))


class RowCorpus:
    """A gensim corpus over the rows of a sparse count matrix: iterating yields row numbers, which
    :meth:`SparseEstepLda.inference` reads from the matrix (no bag-of-words lists are built)."""

    def __init__(self, matrix: sparse.csr_matrix) -> None:
        self.matrix = matrix

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.matrix.shape[0]))


def _rows_matrix(chunk: Sequence[Any], matrix: sparse.csr_matrix | None, n_terms: int) -> sparse.csr_matrix:
    """The chunk's documents as a CSR count matrix: row numbers of ``matrix``, or gensim bags of words."""
    if len(chunk) and isinstance(chunk[0], (int, np.integer)):
        if matrix is None:
            raise RuntimeError("row numbers given to inference without a matrix")
        return matrix[np.asarray(chunk, dtype=np.int64)]
    lengths = np.fromiter((len(doc) for doc in chunk), dtype=np.int64, count=len(chunk))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    ids = np.fromiter((int(i) for doc in chunk for i, _ in doc), dtype=np.int64, count=int(indptr[-1]))
    counts = np.fromiter((c for doc in chunk for _, c in doc), dtype=np.float64, count=int(indptr[-1]))
    return sparse.csr_matrix((counts, ids, indptr), shape=(len(chunk), n_terms))


def sparse_estep(
    model: LdaModel, counts: sparse.csr_matrix, collect_sstats: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """The E-step of gensim for every row of ``counts`` (shape ``(n_docs, n_terms)``) at once.

    Returns ``gamma`` (shape ``(n_docs, n_topics)``, variational Dirichlet parameters) and, with
    ``collect_sstats``, the sufficient statistics (shape ``(n_topics, n_terms)``) as gensim's
    ``LdaModel.inference`` returns them.
    """
    dtype = model.dtype
    n_docs, k = counts.shape[0], model.num_topics
    gamma = model.random_state.gamma(100.0, 1.0 / 100.0, (n_docs, k)).astype(dtype, copy=False)
    exp_beta = model.expElogbeta.astype(dtype, copy=False)  # (k, n_terms)
    eps = np.finfo(dtype).eps
    alpha = np.asarray(model.alpha, dtype=dtype)
    counts = counts.tocsr().astype(dtype)
    exp_theta = np.exp(psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))).astype(dtype)
    indptr, cols_nz = counts.indptr, counts.indices
    beta_t = np.ascontiguousarray(exp_beta.T)  # (n_terms, k)
    phinorm = np.empty(len(cols_nz), dtype=dtype)
    active = np.arange(n_docs)
    iteration = 0
    while iteration < model.iterations and len(active):
        # the working set: the active documents' nonzeros, gathered once and reused until a third of them converge
        work = counts[active]
        work_rows = np.repeat(np.arange(len(active)), np.diff(work.indptr))
        work_beta = np.take(beta_t, work.indices, axis=0)  # (nnz_w, k)
        work_nz = _nonzero_positions(indptr, active)
        theta = exp_theta[active]
        gam = gamma[active]
        live = np.ones(len(active), dtype=bool)
        work_phinorm = np.einsum("ij,ij->i", np.take(theta, work_rows, axis=0), work_beta) + eps
        while iteration < model.iterations and live.sum() > 0.66 * len(active):
            iteration += 1
            ratio = sparse.csr_matrix((work.data / work_phinorm, work.indices, work.indptr), shape=work.shape)
            new_gam = alpha + theta * np.asarray(ratio @ exp_beta.T, dtype=dtype)
            new_theta = np.exp(psi(new_gam) - psi(new_gam.sum(axis=1, keepdims=True))).astype(dtype)
            change = np.mean(np.abs(new_gam - gam), axis=1)
            # converged documents keep the values of the iteration they converged in, as in gensim's loop
            gam[live] = new_gam[live]
            theta[live] = new_theta[live]
            work_phinorm = np.einsum("ij,ij->i", np.take(theta, work_rows, axis=0), work_beta) + eps
            live &= change >= model.gamma_threshold
        gamma[active] = gam
        exp_theta[active] = theta
        phinorm[work_nz] = work_phinorm
        active = active[live]
    sstats = None
    if collect_sstats:
        ratio = sparse.csr_matrix((counts.data / phinorm, cols_nz, counts.indptr), shape=counts.shape)
        sstats = np.asarray((ratio.T @ exp_theta).T, dtype=dtype) * exp_beta
    return gamma, sstats


def _nonzero_positions(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in a CSR's data of the nonzeros of ``rows`` (in row order)."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total, dtype=np.int64) + offsets


class _SparseEstepMixin:
    """Replaces gensim's per-document E-step with :func:`sparse_estep`; with ``row_gamma`` set (shape
    ``(n_docs, n_topics)``), each E-step over row numbers also stores their ``gamma`` there, so after training
    it holds every document's parameters from the last pass (no extra inference pass is needed); with
    ``on_chunk`` set, each E-step of training calls it with the number of documents of its chunk (a progress
    bar's ``advance``; set only while training, so the model stays picklable)."""

    row_matrix: sparse.csr_matrix | None = None
    row_gamma: np.ndarray | None = None
    on_chunk: Callable[[int], None] | None = None
    num_terms: int  # set by gensim's LdaModel, which the mixin is combined with

    def do_estep(self, chunk: Sequence[Any], state: Any = None) -> np.ndarray:
        gamma = super().do_estep(chunk, state)  # type: ignore[misc]
        if self.row_gamma is not None and len(chunk) and isinstance(chunk[0], (int, np.integer)):
            self.row_gamma[np.asarray(chunk, dtype=np.int64)] = gamma
        if self.on_chunk is not None:
            self.on_chunk(len(chunk))
        return gamma

    def inference(self, chunk: Sequence[Any], collect_sstats: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        counts = _rows_matrix(list(chunk), self.row_matrix, self.num_terms)
        return sparse_estep(self, counts, collect_sstats)


class SparseEstepLda(_SparseEstepMixin, LdaModel):
    """gensim ``LdaModel`` with the vectorised E-step."""


class SparseEstepLdaMulticore(_SparseEstepMixin, LdaMulticore):
    """gensim ``LdaMulticore`` with the vectorised E-step (each worker process runs it on its chunks)."""


class LdaTopicModel(BaseEstimator):
    """Latent Dirichlet allocation (gensim online VB) with scikit-learn's estimator contract (keyword-only
    parameters, ``fit(X)`` then fitted ``attr_``, ``clone``). ``workers > 1`` uses LdaMulticore. ``init``:
    ``"clusters"`` starts the topics from pilot clusters of the corpus (KMeans on TF-IDF), ``"random"`` from
    gensim's random draws, an array (shape ``(num_topics, n_terms)``, positive pseudo-counts) from those topics.
    ``offset`` is gensim's: the step size of update ``t`` is ``(offset + t) ** -0.5``, so a large offset keeps
    more of the starting topics (an earlier fit continued: :mod:`topics.models.warm_start`).
    ``X`` is a :class:`~topics.models.vocabulary.Vocabulary` or a count matrix, shape ``(n_docs, n_terms)``.

    Fitted attributes: ``model_`` (the gensim model), ``topic_term_`` (shape ``(n_topics, n_terms)``, rows are
    p(term | topic)), ``doc_topic_`` (shape ``(n_docs, n_topics)``, rows sum to 1).
    """

    def __init__(
        self,
        *,
        num_topics: int = 12,
        passes: int | str = "auto",
        iterations: int = 20,
        alpha: str | float = "symmetric",
        eta: str | float | None = None,
        workers: int = 1,
        chunksize: int = 2000,
        random_state: int = 42,
        init: str | np.ndarray = "clusters",
        offset: float = 1.0,
    ) -> None:
        self.num_topics = num_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.workers = workers
        self.chunksize = chunksize
        self.random_state = random_state
        self.init = init
        self.offset = offset

    def effective_passes(self, n_docs: int) -> int:
        """Passes over a corpus of ``n_docs`` papers: the configured number, or :func:`auto_passes` for ``"auto"``."""
        return auto_passes(n_docs) if self.passes == "auto" else int(self.passes)

    def fit(
        self,
        X: Vocabulary | sparse.spmatrix | np.ndarray,
        y: Any = None,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> LdaTopicModel:
        """Train the gensim model on the counts of ``X`` and set ``topic_term_`` and ``doc_topic_``; ``y`` is
        ignored. ``progress(n)`` (optional) is called as each chunk of ``n`` papers is trained on, so a whole fit
        advances it by :meth:`training_steps` (papers times passes; with ``workers > 1`` the worker processes
        train and it is not called). Returns ``self``."""
        matrix, terms = counts_and_terms(X)
        id2word = X.dictionary if isinstance(X, Vocabulary) else dict(enumerate(terms))
        common = dict(
            id2word=id2word,
            num_topics=self.num_topics,
            passes=self.effective_passes(matrix.shape[0]),
            iterations=self.iterations,
            eta=self.eta,
            chunksize=self.chunksize,
            random_state=self.random_state,
            offset=self.offset,
            eval_every=None,  # perplexity estimates during training cost as much as the training itself
        )
        if self.workers > 1:
            alpha = "symmetric" if self.alpha == "auto" else self.alpha  # LdaMulticore cannot learn alpha
            model: LdaModel = SparseEstepLdaMulticore(workers=self.workers, alpha=alpha, **common)
        else:
            model = SparseEstepLda(alpha=self.alpha, update_every=1, **common)
        model.row_matrix = matrix
        single_process = self.workers <= 1
        if single_process:
            model.row_gamma = np.zeros((matrix.shape[0], self.num_topics), dtype=model.dtype)
        self.model_ = model
        if isinstance(self.init, np.ndarray):
            self._start_from(model, self.init, matrix.shape[1])
        elif self.init == "clusters":
            self._start_from_pilot(model, matrix)
        elif self.init != "random":
            raise ValueError(f"LdaTopicModel init must be 'clusters', 'random' or an array, got {self.init!r}")
        model.on_chunk = progress if single_process else None
        try:
            self._train(model, matrix)
        finally:
            model.on_chunk = None
        self.topic_term_ = np.asarray(model.get_topics(), dtype=float)
        if single_process:
            # each document's topic mix from the last pass's E-step (the model moves little within a pass)
            gamma = model.row_gamma.astype(float)
            model.row_gamma = None
            self.doc_topic_ = gamma / gamma.sum(axis=1, keepdims=True)
        else:
            self.doc_topic_ = self.transform(matrix)
        return self

    def training_steps(self, n_docs: int) -> int:
        """What a fit on ``n_docs`` papers advances ``fit``'s ``progress`` by: papers times passes."""
        return n_docs * self.effective_passes(n_docs)

    def _start_from_pilot(self, model: LdaModel, matrix: sparse.csr_matrix) -> None:
        """Topics start as the pilot clusters' term counts (plus one), in place of gensim's random
        ``gamma(100, 1/100)`` draws: the first E-step then sees topics that already separate the corpus."""
        pilot = pilot_clusters(matrix, self.num_topics, self.random_state)
        start = np.ones((self.num_topics, matrix.shape[1]), dtype=np.float64)
        start[: pilot.n_clusters] += pilot.term_counts(matrix)
        self._start_from(model, start, matrix.shape[1])

    def _start_from(self, model: LdaModel, start: np.ndarray, n_terms: int) -> None:
        """Topics start as the given pseudo-counts (``start``, shape ``(num_topics, n_terms)``, positive), e.g. an
        earlier fit's topics carried over to this vocabulary (:mod:`topics.models.warm_start`)."""
        if start.shape != (self.num_topics, n_terms) or not np.all(start > 0):
            raise ValueError(
                f"LdaTopicModel init array must be positive with shape {(self.num_topics, n_terms)}, got {start.shape}"
            )
        model.state.sstats[...] = start.astype(model.dtype)
        model.expElogbeta = np.exp(dirichlet_expectation(model.state.sstats)).astype(model.dtype)

    @staticmethod
    def _train(model: LdaModel, matrix: sparse.csr_matrix) -> None:
        """A gensim model trains in its constructor when given a corpus; the models above are built without one (so
        ``row_matrix`` can be set first) and trained here."""
        model.update(RowCorpus(matrix))

    def transform(self, counts: Vocabulary | sparse.csr_matrix | Sequence[list[tuple[int, int]]]) -> np.ndarray:
        """Topic proportions per document, shape ``(n_docs, n_topics)``, rows sum to 1."""
        check_is_fitted(self, "topic_term_")
        if isinstance(counts, Vocabulary):
            matrix = counts.matrix
        elif isinstance(counts, sparse.spmatrix | sparse.sparray):
            matrix = sparse.csr_matrix(counts)
        else:
            matrix = _rows_matrix(list(counts), None, self.model_.num_terms)
        if matrix.shape[0] == 0:
            return np.zeros((0, self.num_topics))
        gamma = np.vstack([
            sparse_estep(self.model_, matrix[start : start + 20000], collect_sstats=False)[0]
            for start in range(0, matrix.shape[0], 20000)
        ]).astype(float)
        return gamma / gamma.sum(axis=1, keepdims=True)

    def log_perplexity(self, matrix: sparse.csr_matrix) -> float:
        """The per-word likelihood bound of gensim (``LdaModel.log_perplexity``), on a seeded sample of at most
        PERPLEXITY_SAMPLE papers, computed with array operations."""
        model = self.model_
        n_docs = matrix.shape[0]
        rows = np.arange(n_docs)
        if n_docs > PERPLEXITY_SAMPLE:
            rows = np.sort(np.random.default_rng(self.random_state).choice(n_docs, PERPLEXITY_SAMPLE, replace=False))
        sample = matrix[rows].tocsr()
        words = float(sample.sum())
        if words == 0:
            return 0.0
        gamma = sparse_estep(model, sample, collect_sstats=False)[0].astype(np.float64)
        alpha = np.asarray(model.alpha, dtype=np.float64)
        eta = model.eta
        lam = np.asarray(model.state.get_lambda(), dtype=np.float64)
        elog_beta = psi(lam) - psi(lam.sum(axis=1, keepdims=True))
        elog_theta = psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))
        nz_rows = np.repeat(np.arange(sample.shape[0]), np.diff(sample.indptr))
        per_word = logsumexp(
            np.take(elog_theta, nz_rows, axis=0) + np.take(elog_beta.T, sample.indices, axis=0), axis=1
        )
        score = float(np.dot(sample.data, per_word))
        score += float(np.sum((alpha - gamma) * elog_theta))
        score += float(np.sum(gammaln(gamma) - gammaln(alpha)))
        score += float(np.sum(gammaln(alpha.sum()) - gammaln(gamma.sum(axis=1))))
        ratio = n_docs / sample.shape[0]
        score *= ratio
        score += float(np.sum((eta - lam) * elog_beta))
        score += float(np.sum(gammaln(lam) - gammaln(eta)))
        sum_eta = eta * model.num_terms if np.ndim(eta) == 0 else np.sum(eta)
        score += float(np.sum(gammaln(sum_eta) - gammaln(lam.sum(axis=1))))
        return score / (ratio * words)

    def result(self, vocabulary: Vocabulary, texts: Any, doc_ids: Sequence[str], top_n: int = 10) -> TopicResult:
        """The fitted topics as a :class:`TopicResult` (:func:`lda_result`) with NPMI coherence on ``texts`` (the
        papers' tokens or the vocabulary's count matrix) and the log perplexity."""
        return lda_result(
            self.topic_term_, self.doc_topic_, vocabulary, texts, doc_ids, top_n,
            {"log_perplexity": self.log_perplexity(vocabulary.matrix)},
        )


def lda_result(
    topic_term: np.ndarray,
    doc_topic: np.ndarray,
    vocabulary: Vocabulary,
    texts: Any,
    doc_ids: Sequence[str],
    top_n: int,
    metrics: dict[str, float],
    topic_diversity: tuple[float, ...] = (),
) -> TopicResult:
    """An LDA fit (``topic_term`` shape ``(k, n_terms)`` over the vocabulary's terms, ``doc_topic`` shape
    ``(n_docs, k)``) as a :class:`TopicResult`: each topic's ``top_n`` terms by p(term | topic), NPMI coherence on
    ``texts`` (added before ``metrics``), the map coordinates and three-term labels. Both engines' LDA models build
    their result here."""
    terms = vocabulary.terms
    topic_terms = tuple(
        tuple((terms[j], float(row[j])) for j in np.argsort(-row, kind="stable")[:top_n]) for row in topic_term
    )
    mean, per_topic = npmi_coherence([[t for t, _ in topic] for topic in topic_terms], texts, vocabulary.dictionary)
    return TopicResult(
        backend="lda",
        topic_terms=topic_terms,
        doc_topic=doc_topic,
        doc_ids=tuple(doc_ids),
        coords=intertopic_coordinates(topic_term),
        metrics={"coherence_npmi": mean, **metrics},
        topic_coherence=per_topic,
        labels=tuple(", ".join(t.replace("_", " ") for t, _ in topic[:3]) for topic in topic_terms),
        topic_diversity=topic_diversity,
        topic_term=topic_term,
        terms=tuple(terms),
    )
