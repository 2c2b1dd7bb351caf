"""The intertopic distance map: Jensen-Shannon distances between topics, laid out by classical MDS (PCoA),
as in LDAvis (Sievert & Shirley, 2014)."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import jensenshannon


def intertopic_coordinates(topic_term: np.ndarray) -> np.ndarray:
    """2-D coordinates, shape ``(n_topics, 2)``, for topic-term weights of shape ``(n_topics, n_terms)``.

    Rows are normalised to distributions first; distances are Jensen-Shannon (base 2, in ``[0, 1]``).
    """
    weights = np.clip(np.asarray(topic_term, dtype=float), 0.0, None)
    n_topics = weights.shape[0]
    if n_topics < 2:
        return np.zeros((n_topics, 2))
    sums = weights.sum(axis=1, keepdims=True)
    dist = np.divide(weights, sums, out=np.full_like(weights, 1.0 / weights.shape[1]), where=sums > 0)
    distance = np.zeros((n_topics, n_topics))
    for i in range(n_topics):
        for j in range(i + 1, n_topics):
            distance[i, j] = distance[j, i] = jensenshannon(dist[i], dist[j], base=2)
    return classical_mds(np.nan_to_num(distance))


def classical_mds(distance: np.ndarray, dims: int = 2) -> np.ndarray:
    """Principal coordinates of a symmetric distance matrix, shape ``(n, dims)``; signs fixed for determinism."""
    n = distance.shape[0]
    centering = np.eye(n) - np.ones((n, n)) / n
    gram = -0.5 * centering @ (distance**2) @ centering
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1][:dims]
    coords = vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None))
    for d in range(coords.shape[1]):
        pivot = np.argmax(np.abs(coords[:, d]))
        if coords[pivot, d] < 0:
            coords[:, d] = -coords[:, d]
    if coords.shape[1] < dims:
        coords = np.hstack([coords, np.zeros((n, dims - coords.shape[1]))])
    return coords
