"""The documents map: a 2-D projection of (a seeded sample of) the papers' TF-IDF vectors."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD

from topics.results import DocumentMap

#: SVD dimensions before t-SNE.
SVD_DIMS = 50
#: t-SNE steps (early exaggeration, then optimisation) up to :data:`FULL_STEPS_UP_TO` points: openTSNE's 250
#: exaggeration steps, then 300 (the layout settles well before the default 500). Such maps cost well under a
#: second.
TSNE_STEPS_SMALL = (250, 300)
#: ...and past it, where a step costs ~30 ms of one core at 3,000 points: 125 + 175 steps (0.55x the work).
#: On 3,000 ml-abstracts papers the share of each paper's 10 nearest neighbours (cosine, 50-d SVD) kept
#: among its 10 nearest on the map is 0.446 against 0.448 with 250 + 300 steps, at 6.4 s against 11-16 s.
TSNE_STEPS_LARGE = (125, 175)
FULL_STEPS_UP_TO = 1000
#: Up to this many points the t-SNE neighbours are exact (a dense distance matrix: 5,000 points take 200 MB);
#: past it, approximate (Annoy).
EXACT_NEIGHBOURS_UP_TO = 5000
#: Grid cells per unit interval of openTSNE's FFT interpolation (its default is 1). 3 makes the optimisation
#: ~2x faster at a KL divergence within 0.02 of the default's: on 3,000 ml-abstracts papers, 6.7 s of one
#: core against 13.2 s, KL 1.96 against 1.94.
FFT_INTS_IN_INTERVAL = 3


def project_documents(tfidf: sparse.spmatrix, max_points: int, method: str, random_state: int) -> DocumentMap:
    """Sample at most ``max_points`` papers (seeded) and project them to 2-D.

    ``method="tsne"``: TruncatedSVD to 50 dimensions, then t-SNE (openTSNE, cosine, FFT-accelerated past 1,000
    points, exact neighbours up to :data:`EXACT_NEIGHBOURS_UP_TO`; fewer steps past :data:`FULL_STEPS_UP_TO`
    points, see :data:`TSNE_STEPS_LARGE`); ``"svd"``: 2-component SVD. ``tfidf`` has shape ``(n_docs, n_terms)``;
    the map's ``coords`` shape ``(n_sampled, 2)``.
    Corpora too small for t-SNE (fewer than 10 papers) fall back to SVD.
    """
    total = tfidf.shape[0]
    rng = np.random.default_rng(random_state)
    indices = np.arange(total) if total <= max_points else np.sort(rng.choice(total, size=max_points, replace=False))
    matrix = tfidf[indices]
    n_points, n_terms = matrix.shape
    if n_points < 3 or n_terms < 3:
        return DocumentMap(indices=indices, coords=np.zeros((n_points, 2)), method="none", total=total)
    dims = min(SVD_DIMS, n_terms - 1, n_points - 1)
    reduced = TruncatedSVD(n_components=dims, random_state=random_state).fit_transform(matrix)
    if method == "tsne" and n_points >= 10:
        from openTSNE import TSNE  # imported here: a run whose map comes from the cache never needs it

        perplexity = float(min(30.0, (n_points - 1) / 3))
        exaggeration_steps, steps = TSNE_STEPS_SMALL if n_points <= FULL_STEPS_UP_TO else TSNE_STEPS_LARGE
        coords = np.asarray(
            TSNE(
                n_components=2, perplexity=perplexity, metric="cosine", initialization="pca", n_iter=steps,
                early_exaggeration_iter=exaggeration_steps, n_jobs=1, random_state=random_state,
                negative_gradient_method="fft" if n_points > 1000 else "bh",
                ints_in_interval=FFT_INTS_IN_INTERVAL,
                neighbors="exact" if n_points <= EXACT_NEIGHBOURS_UP_TO else "annoy",
            ).fit(np.ascontiguousarray(reduced, dtype=np.float64))
        )
        used = "tsne"
    else:
        coords = reduced[:, :2] if dims >= 2 else np.hstack([reduced, np.zeros((n_points, 1))])
        used = "svd"
    return DocumentMap(indices=indices, coords=np.asarray(coords, dtype=float), method=used, total=total)
