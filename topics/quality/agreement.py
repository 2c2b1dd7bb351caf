"""Agreement between LDA's dominant topics and the TF-IDF clusters."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

from topics.results import Agreement, TopicResult


def compare_partitions(lda: TopicResult, clusters: TopicResult) -> Agreement:
    """Contingency table (topics x clusters, paper counts), adjusted Rand index and NMI."""
    topics, groups = lda.assignments, clusters.assignments
    table = np.zeros((lda.n_topics, clusters.n_topics), dtype=int)
    observed = contingency_matrix(topics, groups)
    table[np.ix_(np.unique(topics), np.unique(groups))] = observed
    return Agreement(
        contingency=table,
        ari=float(adjusted_rand_score(topics, groups)),
        nmi=float(normalized_mutual_info_score(topics, groups)),
    )
