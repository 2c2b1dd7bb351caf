"""The shared vocabulary: which terms both models see, as a gensim Dictionary and bag-of-words corpus."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from gensim.corpora import Dictionary
from scipy import sparse

#: Fewer terms than this after filtering means the corpus is too small for min_df/max_df.
MIN_VOCABULARY = 10


@dataclass(frozen=True)
class Vocabulary:
    """Filtered term ids and the corpus as bags of words.

    ``bows[i]`` is paper i's ``[(term_id, count), ...]``; ``terms[j]`` is term j; ``relaxed`` says whether the
    document-frequency filters were relaxed because the corpus was too small for them.
    """

    dictionary: Dictionary
    bows: list[list[tuple[int, int]]]
    relaxed: bool = False

    @property
    def terms(self) -> list[str]:
        return [self.dictionary[i] for i in range(len(self.dictionary))]

    def doc_term_matrix(self) -> sparse.csr_matrix:
        """The bags of words as a sparse count matrix, shape ``(n_docs, n_terms)``, columns in ``terms`` order."""
        lengths = np.fromiter((len(bow) for bow in self.bows), dtype=np.int64, count=len(self.bows))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        pairs = np.fromiter((v for bow in self.bows for pair in bow for v in pair), dtype=np.int64, count=2 * int(indptr[-1]))
        pairs = pairs.reshape(-1, 2)
        return sparse.csr_matrix(
            (pairs[:, 1].astype(np.float64), pairs[:, 0], indptr), shape=(len(self.bows), len(self.dictionary))
        )


def build_vocabulary(
    documents: Sequence[Sequence[str]], min_df: int, max_df: float, generic_terms: Iterable[str] = ()
) -> Vocabulary:
    """Keep terms in at least ``min_df`` papers and at most a ``max_df`` share of them, minus ``generic_terms``.

    On a tiny corpus where that leaves fewer than :data:`MIN_VOCABULARY` terms, the filters relax to
    ``min_df=1, max_df=1.0`` (``relaxed=True``) so the run can still go on.
    """
    dictionary = Dictionary(documents)
    generic_ids = [dictionary.token2id[t] for t in generic_terms if t in dictionary.token2id]
    dictionary.filter_tokens(bad_ids=generic_ids)
    filtered = copy.deepcopy(dictionary)  # filtering is in place
    filtered.filter_extremes(no_below=min_df, no_above=max_df, keep_n=None)
    relaxed = len(filtered) < MIN_VOCABULARY
    if not relaxed:
        dictionary = filtered
    dictionary.compactify()
    bows = [dictionary.doc2bow(doc) for doc in documents]
    return Vocabulary(dictionary=dictionary, bows=bows, relaxed=relaxed)
