"""What else marks a theme, learned from the corpus: weak supervision from the theme's own terms.

A theme's listed terms label some papers confidently (their term-based score is high: *positives*) and many
papers confidently not (no evidence at all: *negatives*). A linear classifier over the papers' TF-IDF features
(words and adjacent word pairs) learns from them which other words mark the theme, so a bandit paper that never
says "reinforcement learning" still scores. The probabilities of the papers it trains on are cross-fitted (each
comes from a model fitted without that paper), so a paper's own seed words never vouch for it; optional rounds of
self-training add the papers it is then sure of (off by default: they changed nothing measurable).

Nothing here is fitted on hand-labelled papers: the pseudo-labels come from the themes file and the corpus alone
(the run's papers plus a background corpus, see :mod:`topics.themes.background`), and nothing in code is specific
to one theme. :func:`tfidf_features` builds the features; :class:`SeededThemeClassifier` is a scikit-learn style
estimator (``fit`` learns attributes ending in ``_``; ``predict_proba`` checks it was fitted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from preprocessing.token_arrays import TokenArrays
from topics.themes.lexicon import ThemeLexicon
from topics.themes.scoring import PaperEvidence, demote_against, paper_evidence, scorer_for, theme_features

#: Version of the pseudo-labelling rules (who may be a positive or a negative); part of the themes stage's cache
#: key, so a change to the rules is never hidden by a cached result.
PSEUDO_LABEL_RULES = 3
#: How each logistic regression is solved (part of the themes stage's cache key): liblinear's dual form, which is
#: faster when features far outnumber papers (at 47.5k papers 2.6 s instead of 4.0 s for the 45 fits; every
#: probability within 1e-4 of the primal form's). Its coordinate descent visits papers in a random order, seeded by the
#: classifier's ``random_state`` so that a run is reproducible.
SOLVER = {"solver": "liblinear", "dual": True, "max_iter": 200}
#: Features (terms and word pairs) must occur in at least this many papers...
MIN_DF = 2
#: ...and in at most this share of them.
MAX_DF = 0.5


#: Texts handled at a time while building the features (bounds the memory of the pair arrays).
CHUNK_TEXTS = 5_000


def _chunk_features(arrays: TokenArrays, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(doc, feature, count)`` of texts ``start`` to ``stop - 1``: one row per distinct (text, feature), where
    a feature is a word code (``< n_words``) or ``n_words + a * n_words + b`` for the adjacent pair of codes
    ``a``, ``b`` (never across a break or a text boundary). ``doc`` is the global text index."""
    n_words = max(len(arrays.words), 1)
    lo, hi = int(arrays.offsets[start]), int(arrays.offsets[stop])
    codes = arrays.codes[lo:hi].astype(np.int64)
    doc = np.repeat(np.arange(stop - start, dtype=np.int64), np.diff(arrays.offsets[start : stop + 1]))
    kept = codes >= 0
    pair = kept[:-1] & kept[1:] & (doc[:-1] == doc[1:])
    features = np.concatenate([codes[kept], n_words + codes[:-1][pair] * n_words + codes[1:][pair]])
    docs = np.concatenate([doc[kept], doc[:-1][pair]])
    del codes, kept, pair
    width = stop - start
    keys, count = np.unique(features * width + docs, return_counts=True)
    return keys % width + start, keys // width, count


def tfidf_features(arrays: TokenArrays, min_df: int = MIN_DF, max_df: float = MAX_DF) -> sparse.csr_matrix:
    """TF-IDF of each text's tokens and of its adjacent token pairs (pairs never cross a segment break), shape
    ``(n_texts, n_features)``: sublinear term frequency (``1 + log tf``), smoothed idf
    (``log((1 + n) / (1 + df)) + 1``, scikit-learn's), rows scaled to unit length. Features outside
    ``[min_df, max_df * n_texts]`` papers are dropped; columns are in feature-code order.

    Built :data:`CHUNK_TEXTS` texts at a time: each chunk's distinct (text, feature) pairs with their counts are
    kept (int32 text, int64 feature, int32 count), so memory grows with those pairs, not with every token pair at
    once; the document frequencies then decide which features stay."""
    return fit_feature_space(arrays, min_df, max_df)[0]


def _chunks(arrays: TokenArrays) -> tuple[list[tuple[int, int]], list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """The :data:`CHUNK_TEXTS`-text bounds of ``arrays`` and each chunk's ``(doc - start, feature, count)``."""
    n_texts = len(arrays)
    bounds = [(start, min(start + CHUNK_TEXTS, n_texts)) for start in range(0, n_texts, CHUNK_TEXTS)]
    chunks = []
    for start, stop in bounds:
        doc, feature, count = _chunk_features(arrays, start, stop)
        chunks.append(((doc - start).astype(np.int32), feature, count.astype(np.int32)))
    return bounds, chunks


def _weighted(parts: list[sparse.csr_matrix], n_columns: int, idf: np.ndarray) -> sparse.csr_matrix:
    """The stacked sublinear-tf rows ``parts`` times ``idf``, rows scaled to unit length."""
    matrix = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, n_columns))
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


@dataclass(frozen=True)
class FeatureSpace:
    """The columns :func:`tfidf_features` kept and their idf, by what each feature is, so that texts tokenised
    later (new papers, with their own word codes) get vectors in the same columns: ``columns`` maps a word, or an
    adjacent pair of words ``(a, b)``, to its column; ``idf`` has shape ``(n_features,)``."""

    columns: dict[str | tuple[str, str], int]
    idf: np.ndarray

    def transform(self, arrays: TokenArrays) -> sparse.csr_matrix:
        """TF-IDF rows of ``arrays`` in this space, shape ``(len(arrays), n_features)``, weighted as
        :func:`tfidf_features` weights the texts it was fitted on; features the fit did not keep are dropped."""
        n_words = max(len(arrays.words), 1)
        bounds, chunks = _chunks(arrays)
        parts = []
        for (start, stop), (doc, feature, count) in zip(bounds, chunks):
            codes, inverse = np.unique(feature, return_inverse=True)
            lookup = np.array([self.columns.get(_feature_key(arrays.words, n_words, int(c)), -1) for c in codes])
            column = lookup[inverse] if len(codes) else np.zeros(0, dtype=np.int64)
            hit = column >= 0
            parts.append(sparse.csr_matrix(
                (1.0 + np.log(count[hit]), (doc[hit], column[hit])), shape=(stop - start, len(self.idf))
            ))
        return _weighted(parts, len(self.idf), self.idf)


def _feature_key(words: Sequence[str], n_words: int, code: int) -> str | tuple[str, str]:
    """What feature ``code`` of :func:`_chunk_features` is: a word, or an adjacent pair of words."""
    if code < n_words:
        return words[code]
    first, second = divmod(code - n_words, n_words)
    return (words[first], words[second])


def fit_feature_space(
    arrays: TokenArrays, min_df: int = MIN_DF, max_df: float = MAX_DF
) -> tuple[sparse.csr_matrix, FeatureSpace]:
    """:func:`tfidf_features` of ``arrays`` and the :class:`FeatureSpace` that maps later texts to its columns."""
    n_texts = len(arrays)
    bounds, chunks = _chunks(arrays)
    present = [feature for _, feature, _ in chunks]
    features, df = np.unique(np.concatenate(present) if present else np.zeros(0, dtype=np.int64), return_counts=True)
    del present
    keep = (df >= min_df) & (df <= max(max_df * n_texts, min_df))
    kept, kept_df = features[keep], df[keep]
    del features, df, keep
    parts = []
    for (start, stop), (doc, feature, count) in zip(bounds, chunks):
        column = np.minimum(np.searchsorted(kept, feature), max(len(kept) - 1, 0))
        hit = kept[column] == feature if len(kept) else np.zeros(len(feature), dtype=bool)
        parts.append(sparse.csr_matrix(
            (1.0 + np.log(count[hit]), (doc[hit], column[hit])), shape=(stop - start, len(kept))
        ))
    del chunks
    idf = np.log((1.0 + n_texts) / (1.0 + kept_df)) + 1.0
    n_words = max(len(arrays.words), 1)
    columns = {_feature_key(arrays.words, n_words, int(code)): j for j, code in enumerate(kept.tolist())}
    return _weighted(parts, len(kept), idf), FeatureSpace(columns, idf)


class SeededThemeClassifier(BaseEstimator):
    """One logistic regression per theme, trained on the papers the theme's terms label confidently.

    Defaults measured on ../shared/data/themes-dev-gold (``python -m bench.themes_gold``) and iclr-themes-dev
    (``python -m bench.themes_dev``, ``python -m bench.own_themes``); see bench/README.md.

    Parameters
    ----------
    positive_score, negative_score:
        A paper is a positive of a theme when its term-based score is at least ``positive_score``, a negative when
        it is below ``negative_score``; papers in between are left out of training.
    C:
        Inverse L2 regularisation strength of each logistic regression.
    self_training_rounds, self_training_proba:
        After each fit, papers whose predicted probability reaches ``self_training_proba`` become positives (and
        stop being negatives) for the next of ``self_training_rounds`` refits.
    min_positives:
        A theme with fewer positives is not learned (its ``predict_proba`` column is NaN).
    max_positives, max_negatives:
        At most ``max_positives`` positives and ``max_negatives`` times as many negatives as positives are used
        (seeded samples), so that a fit costs about the same on 50,000 papers as on 5,000.
    cross_fit_folds:
        With k >= 2, each theme is fitted k times, each time without one fold of its training papers, and a
        training paper's probability (:meth:`fit_predict_proba`, self-training included) comes from the model that
        did not see it; ``coef_`` is the mean of the k models. Below 2, one model, and training papers are scored
        by the model that learned them.
    random_state:
        Seed of the negative sampling and of the folds.
    """

    def __init__(
        self,
        positive_score: float = 0.5,
        negative_score: float = 0.1,
        C: float = 4.0,
        self_training_rounds: int = 0,
        self_training_proba: float = 0.9,
        min_positives: int = 5,
        max_positives: int = 1500,
        max_negatives: int = 6,
        cross_fit_folds: int = 3,
        random_state: int = 0,
    ) -> None:
        self.positive_score = positive_score
        self.negative_score = negative_score
        self.C = C
        self.self_training_rounds = self_training_rounds
        self.self_training_proba = self_training_proba
        self.min_positives = min_positives
        self.max_positives = max_positives
        self.max_negatives = max_negatives
        self.cross_fit_folds = cross_fit_folds
        self.random_state = random_state

    def fit(
        self, X: sparse.spmatrix, seed_scores: np.ndarray, seeded: np.ndarray | None = None
    ) -> "SeededThemeClassifier":
        """Learn each theme from ``X`` (``(n_docs, n_features)``, e.g. :func:`tfidf_features`) and the papers'
        term-based scores ``seed_scores`` (``(n_docs, n_themes)`` in [0, 1]). With ``seeded`` (bool, same shape:
        the paper names one of the theme's seed terms), only seeded papers start as positives: weak terms alone
        ("policy", "game" for reinforcement learning) never teach the classifier, whatever score they add up to.

        Sets ``coef_`` (``(n_themes, n_features)``), ``intercept_`` (``(n_themes,)``), ``learned_`` (bool per
        theme), ``n_positives_`` (positives of the last round per theme) and ``n_features_in_``. With
        ``cross_fit_folds`` of 2 or more, the coefficients are the mean of the fold models' (see
        :meth:`fit_predict_proba`)."""
        self._fit(X, seed_scores, seeded)
        return self

    def fit_predict_proba(
        self, X: sparse.spmatrix, seed_scores: np.ndarray, seeded: np.ndarray | None = None
    ) -> np.ndarray:
        """:meth:`fit`, then the probabilities ``(n_docs, n_themes)`` of the papers of ``X`` themselves, cross-fitted:
        with ``cross_fit_folds`` = k >= 2, a paper the fit trained on (a positive or a sampled negative) gets the
        probability of the fold model that did not see it, so a paper's own seed terms cannot vouch for it (a
        model scores its own training papers near 1, whatever the rest of their text says); every other paper
        gets the mean logit of the k fold models. NaN for themes not learned."""
        return self._fit(X, seed_scores, seeded)

    def _fit(self, X: sparse.spmatrix, seed_scores: np.ndarray, seeded: np.ndarray | None) -> np.ndarray:
        X = sparse.csr_matrix(X)
        seed_scores = np.asarray(seed_scores, dtype=np.float64)
        if seed_scores.ndim != 2 or seed_scores.shape[0] != X.shape[0]:
            raise ValueError(f"seed_scores must have shape (n_docs={X.shape[0]}, n_themes), got {seed_scores.shape}")
        if seeded is not None and np.shape(seeded) != seed_scores.shape:
            raise ValueError(f"seeded must have the shape of seed_scores {seed_scores.shape}, got {np.shape(seeded)}")
        n_themes = seed_scores.shape[1]
        rng = np.random.default_rng(self.random_state)
        self.coef_ = np.zeros((n_themes, X.shape[1]))
        self.intercept_ = np.zeros(n_themes)
        self.learned_ = np.zeros(n_themes, dtype=bool)
        self.n_positives_ = np.zeros(n_themes, dtype=np.int64)
        proba = np.full(seed_scores.shape, np.nan)
        for theme in range(n_themes):
            positive = seed_scores[:, theme] >= self.positive_score
            if seeded is not None:
                positive &= np.asarray(seeded[:, theme], dtype=bool)
            negative = seed_scores[:, theme] < self.negative_score
            for round_ in range(self.self_training_rounds + 1):
                pos, neg = np.flatnonzero(positive), np.flatnonzero(negative & ~positive)
                if len(pos) < self.min_positives or len(neg) < self.min_positives:
                    break
                self.n_positives_[theme] = len(pos)
                if len(pos) > self.max_positives:
                    pos = np.sort(rng.choice(pos, size=self.max_positives, replace=False))
                limit = self.max_negatives * len(pos)
                if len(neg) > limit:
                    neg = np.sort(rng.choice(neg, size=limit, replace=False))
                rows = np.concatenate([pos, neg])
                target = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
                logits = self._fit_theme(X, rows, target, theme, rng)
                proba[:, theme] = 1.0 / (1.0 + np.exp(-logits))
                self.learned_[theme] = True
                if round_ < self.self_training_rounds:
                    positive = positive | (proba[:, theme] >= self.self_training_proba)
        self.n_features_in_ = X.shape[1]
        return proba

    def _fit_theme(self, X: sparse.csr_matrix, rows: np.ndarray, target: np.ndarray, theme: int,
                   rng: np.random.Generator) -> np.ndarray:
        """Fit theme ``theme`` on ``X[rows]`` (labels ``target``), set its coefficients and return the logits of
        every paper of ``X`` (cross-fitted for ``rows`` when ``cross_fit_folds`` >= 2)."""
        folds = self.cross_fit_folds if self.cross_fit_folds >= 2 else 1
        fold = np.zeros(len(rows), dtype=np.int64)
        if folds > 1:  # positives and negatives each spread evenly over the folds
            for label in (1.0, 0.0):
                members = np.flatnonzero(target == label)
                fold[members] = rng.permutation(len(members)) % folds
        coefs, intercepts = [], []
        held_out = np.zeros(len(rows))
        for k in range(folds):
            train = fold != k if folds > 1 else np.ones(len(rows), dtype=bool)
            model = LogisticRegression(C=self.C, class_weight="balanced", random_state=self.random_state, **SOLVER)
            model.fit(X[rows[train]], target[train])
            coefs.append(model.coef_[0])
            intercepts.append(model.intercept_[0])
            if folds > 1:
                held_out[~train] = X[rows[~train]] @ model.coef_[0] + model.intercept_[0]
        self.coef_[theme] = np.mean(coefs, axis=0)
        self.intercept_[theme] = float(np.mean(intercepts))
        logits = np.asarray(X @ self.coef_[theme] + self.intercept_[theme]).ravel()
        if folds > 1:
            logits[rows] = held_out
        return logits

    def predict_proba(self, X: sparse.spmatrix) -> np.ndarray:
        """Probability that each paper carries each theme, ``(n_docs, n_themes)``; NaN for themes not learned."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("SeededThemeClassifier is not fitted yet; call fit(X, seed_scores) first")
        X = sparse.csr_matrix(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features; the classifier was fitted on {self.n_features_in_}")
        logits = np.asarray(X @ self.coef_.T) + self.intercept_
        proba = 1.0 / (1.0 + np.exp(-logits))
        proba[:, ~self.learned_] = np.nan
        return proba


def learn_theme_scores(
    lexicon: ThemeLexicon,
    evidence: PaperEvidence,
    texts: TokenArrays,
    background: tuple[TokenArrays, TokenArrays] | None = None,
    random_state: int = 0,
    background_themes: tuple[TokenArrays, TokenArrays] | None = None,
    against: ThemeLexicon | None = None,
) -> tuple[np.ndarray, "ThemeLearner"]:
    """Learned probabilities ``(n_docs, n_themes)`` of the run's papers (``texts``, with their term evidence
    ``evidence``), from a :class:`SeededThemeClassifier` trained on them and on the ``background`` papers
    (``(texts, titles)`` token arrays, or ``None``). The pseudo-labels are the term scores of the papers' own
    words (:func:`topics.themes.scoring.scorer_for` without topic or cluster evidence, which the background lacks); only
    papers that name one of a theme's seed terms can be its positives. Papers that use one of a theme's ``against``
    terms (``evidence.against`` for the run's papers; ``against``, from :func:`topics.themes.lexicon.against_lexicon`,
    matched over the background) are its negatives, whatever their other terms."""
    scorer = scorer_for(frozenset())
    evidences = [evidence]
    arrays = [texts]
    if background is not None and len(background[0]):
        matched = background_themes if background_themes is not None else background  # what the lexicon scans
        evidences.append(demote_against(paper_evidence(lexicon, matched[0], matched[1]), against, *matched))
        arrays.append(background[0])
    seed_scores = np.vstack([
        scorer.score(theme_features(e))
        if e.against is None
        else np.where(e.against, 0.0, scorer.score(theme_features(e)))
        for e in evidences
    ])
    seeded = np.vstack([e.distinct_seeds > 0 for e in evidences])
    X, space = fit_feature_space(TokenArrays.concat(arrays) if len(arrays) > 1 else arrays[0])
    classifier = SeededThemeClassifier(random_state=random_state)
    proba = classifier.fit_predict_proba(X, seed_scores, seeded)[: len(texts)]
    return proba, ThemeLearner(classifier, space)


@dataclass(frozen=True)
class ThemeLearner:
    """A fitted :class:`SeededThemeClassifier` with the feature space it was fitted in: what labels papers that
    come after the fit (``models.freeze``, ``topics update``)."""

    classifier: SeededThemeClassifier
    space: FeatureSpace

    def predict_proba(self, texts: TokenArrays) -> np.ndarray:
        """Learned probabilities ``(len(texts), n_themes)`` of papers the fit did not see (NaN for themes not
        learned)."""
        return self.classifier.predict_proba(self.space.transform(texts))
