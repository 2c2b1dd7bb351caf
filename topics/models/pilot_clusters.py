"""A quick pilot clustering of the corpus, which two later steps start from.

KMeans (:data:`PILOT_INITS` inits) on sublinear TF-IDF of a seeded sample of at most :data:`PILOT_SAMPLE`
papers. The corpus's own uninformative words are the common ones spread over the pilot clusters as evenly as the
papers are (:mod:`topics.models.corpus_stop_words`), and LDA starts from the pilot clusters' term counts instead of
random topics (:class:`topics.models.lda.LdaTopicModel`, ``init="clusters"``).

Why LDA starts here: from a random start, gensim's online LDA on 2,095 BBC articles (5 classes, 5 topics) let one
topic take 70% of the articles (NMI 0.38 against the classes, mean of seeds 42-44); started from the pilot
clusters it reached 0.84; in full runs of the 47k ml-abstracts corpus LDA NPMI is 0.076 at seed 42 (0.075 before) and
0.086 averaged over seeds 42-44 (bench/README.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer

#: Papers the pilot clusters (a seeded sample when the corpus is larger).
PILOT_SAMPLE = 5000
#: KMeans inits of the pilot (one init split BBC's sport articles in two for one seed in three).
PILOT_INITS = 4


@dataclass(frozen=True)
class PilotClusters:
    """``rows`` (shape ``(n_sample,)``, sorted row numbers of the clustered papers in the count matrix) and the
    cluster of each, ``labels`` (shape ``(n_sample,)``, values in ``range(n_clusters)``)."""

    rows: np.ndarray
    labels: np.ndarray
    n_clusters: int
    n_docs: int

    def membership(self) -> sparse.csr_matrix:
        """Shape ``(n_clusters, n_sample)``: 1 where a sampled paper is in a cluster."""
        n = len(self.rows)
        return sparse.csr_matrix((np.ones(n), (self.labels, np.arange(n))), shape=(self.n_clusters, n))

    def term_counts(self, matrix: sparse.csr_matrix) -> np.ndarray:
        """Each cluster's summed term counts, scaled from the sample to the whole corpus: shape
        ``(n_clusters, n_terms)``, from ``matrix`` (the corpus's count matrix, shape ``(n_docs, n_terms)``)."""
        counts = self.membership() @ matrix[self.rows]
        return np.asarray(counts.todense(), dtype=np.float64) * (self.n_docs / max(len(self.rows), 1))


def pilot_clusters(matrix: sparse.csr_matrix, n_clusters: int, seed: int, sample: int = PILOT_SAMPLE) -> PilotClusters:
    """KMeans on sublinear TF-IDF of at most ``sample`` rows of ``matrix`` (shape ``(n_docs, n_terms)``, counts),
    drawn with ``seed``; ``n_clusters`` is capped at the number of rows."""
    n_docs = matrix.shape[0]
    rows = np.arange(n_docs)
    if n_docs > sample:
        rows = np.sort(np.random.default_rng(seed).choice(n_docs, sample, replace=False))
    k = max(1, min(n_clusters, len(rows)))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(matrix[rows])
    with warnings.catch_warnings():
        # duplicate papers can leave fewer distinct points than clusters; the labels are still usable
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(n_clusters=k, n_init=PILOT_INITS, random_state=seed).fit_predict(tfidf)
    return PilotClusters(rows=rows, labels=labels.astype(np.int64), n_clusters=k, n_docs=n_docs)
