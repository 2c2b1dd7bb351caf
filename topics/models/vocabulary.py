"""The shared vocabulary: which terms both models see, as a gensim Dictionary and a sparse count matrix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from gensim.corpora import Dictionary
from scipy import sparse

from preprocessing.token_arrays import TokenArrays

#: Fewer terms than this after filtering means the corpus is too small for min_df/max_df.
MIN_VOCABULARY = 10


@dataclass(frozen=True)
class Vocabulary:
    """Filtered term ids and the corpus as counts.

    ``matrix`` is the sparse count matrix, shape ``(n_docs, n_terms)`` (``float64``), columns in ``terms``
    order; ``dictionary`` the gensim Dictionary of the same ids; ``relaxed`` says whether the document-frequency
    filters were relaxed because the corpus was too small for them.
    """

    dictionary: Dictionary
    matrix: sparse.csr_matrix
    relaxed: bool = False
    _terms: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        """Read the terms from the dictionary now, not on first use: a vocabulary handed to another process is
        pickled by a feeder thread while this one may read ``terms``, and a list filled lazily during that pickle
        reached the child part-filled (fewer terms than ``matrix`` columns)."""
        if not self._terms:
            self._terms.extend(self.dictionary[i] for i in range(len(self.dictionary)))

    @property
    def terms(self) -> list[str]:
        """The terms by id (column order of ``matrix``)."""
        if not self._terms and len(self.dictionary):  # unpickled from a cache written before terms were eager
            self.__post_init__()
        return self._terms

    @property
    def n_docs(self) -> int:
        """Number of papers (rows of ``matrix``)."""
        return self.matrix.shape[0]

    @property
    def bows(self) -> list[list[tuple[int, int]]]:
        """Paper i's ``[(term_id, count), ...]`` (gensim's bag of words; built on request, for small corpora)."""
        m = self.matrix
        return [
            list(
                zip(
                    m.indices[m.indptr[i] : m.indptr[i + 1]].tolist(),
                    m.data[m.indptr[i] : m.indptr[i + 1]].astype(int).tolist(),
                )
            )
            for i in range(m.shape[0])
        ]

    def doc_term_matrix(self) -> sparse.csr_matrix:
        """The counts, shape ``(n_docs, n_terms)``, columns in ``terms`` order."""
        return self.matrix

    @classmethod
    def of_documents(cls, dictionary: Dictionary, documents: TokenArrays) -> "Vocabulary":
        """The vocabulary of a fitted ``dictionary`` over other ``documents`` (new papers, or the fitted ones
        again): their counts of its terms, shape ``(len(documents), len(dictionary))``, words outside it left out,
        as :func:`build_vocabulary_arrays` counts the papers it is built from. The dictionary (and its document
        frequencies) stays the fitted one."""
        terms = [dictionary[i] for i in range(len(dictionary))]
        column = {term: j for j, term in enumerate(terms)}
        code_column = np.array([column.get(word, -1) for word in documents.words], dtype=np.int64)
        token = documents.codes >= 0
        cols = code_column[documents.codes[token]] if len(code_column) else np.zeros(0, dtype=np.int64)
        rows = documents.doc_index()[token]
        known = cols >= 0
        matrix = sparse.csr_matrix(
            (np.ones(int(known.sum())), (rows[known], cols[known])), shape=(len(documents), len(terms))
        )
        matrix.sum_duplicates()
        matrix.sort_indices()
        return cls(dictionary=dictionary, matrix=matrix, _terms=terms)

    def without(self, columns: Sequence[int] | np.ndarray) -> "Vocabulary":
        """A copy of this vocabulary less the terms at ``columns`` (the others keep their order; ids are renumbered);
        ``self`` when ``columns`` is empty."""
        drop = np.zeros(self.matrix.shape[1], dtype=bool)
        drop[np.asarray(columns, dtype=np.int64)] = True
        if not drop.any():
            return self
        keep = np.flatnonzero(~drop)
        matrix = sparse.csr_matrix(self.matrix[:, keep])
        terms = [self.terms[j] for j in keep]
        dfs = np.asarray((matrix > 0).sum(axis=0)).ravel()
        cfs = np.asarray(matrix.sum(axis=0)).ravel()
        dictionary = _dictionary(terms, dfs, cfs, matrix.shape[0], int(matrix.nnz))
        return Vocabulary(dictionary=dictionary, matrix=matrix, relaxed=self.relaxed, _terms=terms)


def counts_and_terms(X: Vocabulary | sparse.spmatrix | np.ndarray) -> tuple[sparse.csr_matrix, list[str]]:
    """The count matrix (shape ``(n_docs, n_terms)``) and term names of an estimator's input ``X``: a
    :class:`Vocabulary`, or a count matrix whose terms are named by their column numbers."""
    if isinstance(X, Vocabulary):
        return X.matrix, list(X.terms)
    counts = sparse.csr_matrix(X, dtype=np.float64)
    return counts, [str(j) for j in range(counts.shape[1])]


def _dictionary(terms: Sequence[str], dfs: np.ndarray, cfs: np.ndarray, n_docs: int, nnz: int) -> Dictionary:
    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(terms)}
    dictionary.dfs = {i: int(v) for i, v in enumerate(dfs.tolist())}
    dictionary.cfs = {i: int(v) for i, v in enumerate(cfs.tolist())}
    dictionary.num_docs = n_docs
    dictionary.num_pos = int(cfs.sum())
    dictionary.num_nnz = nnz
    return dictionary


def build_vocabulary_arrays(
    arrays: TokenArrays, min_df: int, max_df: float, generic_terms: Iterable[str] = ()
) -> Vocabulary:
    """Keep terms in at least ``min_df`` papers and at most a ``max_df`` share of them, minus ``generic_terms``.

    Terms are numbered as gensim's Dictionary numbers them (by the first paper they occur in, alphabetically
    within a paper). On a tiny corpus where the filters leave fewer than :data:`MIN_VOCABULARY` terms, they
    relax (``relaxed=True``) to the terms of at least two papers (any share of them), or when those are too few
    to every term, so the run can still go on.
    """
    n_docs, n_words = len(arrays), len(arrays.words)
    kept = arrays.codes >= 0
    rows = arrays.doc_index()[kept]
    counts = sparse.csr_matrix(
        (np.ones(int(kept.sum()), dtype=np.float64), (rows, arrays.codes[kept].astype(np.int64))),
        shape=(n_docs, n_words),
    )
    counts.sum_duplicates()
    present = counts.copy()
    present.data[:] = 1.0
    dfs = np.asarray(present.sum(axis=0)).ravel()
    generic = set(generic_terms)
    usable = np.array([w not in generic for w in arrays.words], dtype=bool) & (dfs > 0)
    # gensim's filter_extremes: no_below <= df <= int(no_above * num_docs)
    filtered = usable & (dfs >= min_df) & (dfs <= int(max_df * n_docs))
    relaxed = int(filtered.sum()) < MIN_VOCABULARY
    if relaxed:
        # first terms shared by two papers at least (a term of one paper links it to no other), else every term
        shared = usable & (dfs >= 2)
        filtered = shared if int(shared.sum()) >= MIN_VOCABULARY else usable
    chosen = np.flatnonzero(filtered)
    # gensim numbers a new word when the first paper with it is added, new words of a paper in sorted order
    csc = present[:, chosen].tocsc()
    first_doc = np.full(len(chosen), n_docs, dtype=np.int64)
    has = np.diff(csc.indptr) > 0
    first_doc[has] = csc.indices[csc.indptr[:-1][has]]  # row indices are sorted within a column
    words = np.asarray(arrays.words, dtype=object)[chosen]
    alphabetical = np.argsort(np.argsort(words.astype(str), kind="stable"), kind="stable")
    order = np.lexsort((alphabetical, first_doc))
    chosen, words = chosen[order], words[order]
    matrix = counts[:, chosen].tocsr()
    matrix.sort_indices()
    cfs = np.asarray(matrix.sum(axis=0)).ravel()
    dictionary = _dictionary(words.tolist(), dfs[chosen], cfs, n_docs, matrix.nnz)
    return Vocabulary(dictionary=dictionary, matrix=matrix, relaxed=relaxed)


def build_vocabulary(
    documents: Sequence[Sequence[str]] | TokenArrays, min_df: int, max_df: float, generic_terms: Iterable[str] = ()
) -> Vocabulary:
    """:func:`build_vocabulary_arrays` for flat token lists (one per paper) or :class:`TokenArrays`."""
    if not isinstance(documents, TokenArrays):
        documents = TokenArrays.from_segments([[list(doc)] for doc in documents])
    return build_vocabulary_arrays(documents, min_df, max_df, generic_terms)
