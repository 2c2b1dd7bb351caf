"""Theme labelling: every paper gets zero or more themes, each with a score in [0, 1] and its evidence.

A paper's score for a theme is a probability from a small logistic model over theme-agnostic features
(:data:`FEATURES`) of three kinds of evidence:

* **paper** — the theme's terms in the paper's own title and abstract: seed terms in the title, seed matches
  and distinct seed terms in the text, related terms, and the theme's share of all theme evidence in the paper
  (its *focus*);
* **topic** — how strongly the paper's LDA topics express the theme (the theme's share of each topic's
  heaviest terms, weighted by the paper's topic proportions);
* **cluster** — the same for the paper's TF-IDF cluster centroid.

The model's coefficients are the same for every theme, so they carry over to themes and corpora they were not
fitted on; they were fitted once on a development set (see :data:`SCORERS`) and are never refitted on a run's own
papers. A theme is assigned when its score reaches the threshold (at most ``max_per_paper`` themes a paper, best
first). A paper without a confident theme stays unassigned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from preprocessing.token_arrays import TokenArrays
from topics.results import ThemeDefinition, ThemeTable
from topics.themes.evidence_arrays import count_evidence
from topics.themes.lexicon import SEED_WEIGHT, ThemeLexicon

#: Heaviest terms of a topic or cluster that are checked against the themes.
HEAD_TERMS = 30
#: Theme share of a topic's head weight at which its topic score reaches 1 - 1/e.
HEAD_SHARE_SCALE = 0.15
#: Evidence terms kept per paper and theme.
MAX_EVIDENCE = 5
#: Relative weight of a related term's match in a theme's raw paper evidence (for ``focus`` and evidence order).
RELATED_SHARE = 0.35

#: The scoring features, each of shape ``(n_docs, n_themes)``:
#: ``title_seed`` 1 when a seed term is in the title; ``seeds`` log(1 + seed matches in title and abstract);
#: ``distinct_seeds`` log(1 + distinct seed terms matched); ``related`` log(1 + related-term matches);
#: ``focus`` the theme's share of the paper's raw theme evidence over all themes, in [0, 1];
#: ``topic`` and ``cluster`` the topic and cluster evidence in [0, 1).
FEATURES = ("title_seed", "seeds", "distinct_seeds", "related", "focus", "topic", "cluster")
PAPER_FEATURES = FEATURES[:5]


@dataclass(frozen=True)
class PaperEvidence:
    """Theme terms found in each paper's own words; every array has shape ``(n_docs, n_themes)``.

    ``title_seeds`` counts seed-term matches in the title, ``seeds`` in title and abstract, ``distinct_seeds``
    the distinct seed terms among them, ``related`` related-term matches in title and abstract. ``terms[i][j]``
    lists the matched terms of paper ``i`` for theme ``j``, strongest first (at most :data:`MAX_EVIDENCE`).
    ``against`` (bool, or ``None`` when not looked for) marks the papers that use one of the theme's ``against``
    terms (:func:`demote_against`).
    """

    title_seeds: np.ndarray
    seeds: np.ndarray
    distinct_seeds: np.ndarray
    related: np.ndarray
    terms: list[list[list[str]]]
    against: np.ndarray | None = None

    @property
    def raw(self) -> np.ndarray:
        """Seed matches plus :data:`RELATED_SHARE` times related matches, shape ``(n_docs, n_themes)``."""
        return self.seeds + RELATED_SHARE * self.related


def paper_evidence(
    lexicon: ThemeLexicon,
    texts: TokenArrays | Sequence[Sequence[Sequence[str]]],
    titles: TokenArrays | Sequence[Sequence[Sequence[str]]],
) -> PaperEvidence:
    """Count each theme's terms in each paper; ``texts[i]`` and ``titles[i]`` are token segments of title +
    abstract and of the title alone. Given :class:`TokenArrays` (either one), this is
    :func:`paper_evidence_arrays`, the same result without a Python loop over tokens."""
    if isinstance(texts, TokenArrays) or isinstance(titles, TokenArrays):
        as_arrays = lambda d: d if isinstance(d, TokenArrays) else TokenArrays.from_segments(d)  # noqa: E731
        return paper_evidence_arrays(lexicon, as_arrays(texts), as_arrays(titles))
    n_docs, n_themes = len(texts), lexicon.n_themes
    title_seeds = np.zeros((n_docs, n_themes))
    seeds = np.zeros((n_docs, n_themes))
    distinct = np.zeros((n_docs, n_themes))
    related = np.zeros((n_docs, n_themes))
    evidence: list[list[list[str]]] = []
    for row in range(n_docs):
        counts: dict[tuple[tuple[str, ...], int], int] = {}
        shown: dict[tuple[str, int], str] = {}  # (term, theme) -> the words of its first match
        for gram, hit, surface in lexicon.scan_with_surface(texts[row]):
            for theme in hit:
                counts[gram, theme] = counts.get((gram, theme), 0) + 1
                shown.setdefault((lexicon.names[gram], theme), surface)
        in_title: set[tuple[tuple[str, ...], int]] = set()
        for gram, hit in lexicon.scan(titles[row]):
            for theme, weight in hit.items():
                in_title.add((gram, theme))
                if weight >= SEED_WEIGHT:
                    title_seeds[row, theme] += 1
        contributions: list[dict[str, float]] = [{} for _ in range(n_themes)]
        for (gram, theme), count in counts.items():
            weight = lexicon.entries[gram][theme]
            if weight >= SEED_WEIGHT:
                seeds[row, theme] += count
                distinct[row, theme] += 1
            else:
                related[row, theme] += count
            title = 1.0 if (gram, theme) in in_title else 0.0
            name = lexicon.names[gram]
            strength = weight * (1.0 + math.log(count) + title)
            contributions[theme][name] = max(contributions[theme].get(name, 0.0), strength)
        evidence.append([
            [shown[t, j] for t, _ in sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_EVIDENCE]]
            for j, terms in enumerate(contributions)
        ])
    return PaperEvidence(title_seeds=title_seeds, seeds=seeds, distinct_seeds=distinct, related=related, terms=evidence)


def demote_against(
    evidence: PaperEvidence, against: ThemeLexicon | None,
    texts: TokenArrays | Sequence[Sequence[Sequence[str]]], titles: TokenArrays | Sequence[Sequence[Sequence[str]]],
) -> PaperEvidence:
    """``evidence`` where every paper that uses one of a theme's ``against`` terms (matched by ``against``, from
    :func:`topics.themes.lexicon.against_lexicon`, over the same ``texts`` and ``titles``) has that theme's seed
    matches counted as related matches (``title_seeds``, ``seeds`` and ``distinct_seeds`` 0 there), with the mask
    in ``against``. Without a lexicon, ``evidence`` unchanged."""
    if against is None:
        return evidence
    mask = paper_evidence(against, texts, titles).seeds > 0
    keep = ~mask
    return PaperEvidence(
        title_seeds=evidence.title_seeds * keep, seeds=evidence.seeds * keep,
        distinct_seeds=evidence.distinct_seeds * keep, related=evidence.related + evidence.seeds * mask,
        terms=evidence.terms, against=mask,
    )


def paper_evidence_arrays(lexicon: ThemeLexicon, texts: TokenArrays, titles: TokenArrays) -> PaperEvidence:
    """:func:`paper_evidence` of tokenised texts and titles as :class:`TokenArrays` (one title per text), with the
    n-gram matching in numpy (:func:`topics.themes.lexicon_scan.scan_arrays`) and the counting grouped per (paper,
    term, theme) (:func:`topics.themes.evidence_arrays.count_evidence`); equal to ``paper_evidence(lexicon,
    texts.to_segments(), titles.to_segments())``."""
    n_docs = len(texts)
    if len(titles) != n_docs:
        raise ValueError(f"paper_evidence_arrays: {n_docs} texts but {len(titles)} titles")
    counts = count_evidence(lexicon, texts, titles, MAX_EVIDENCE)
    return PaperEvidence(
        title_seeds=counts.title_seeds, seeds=counts.seeds, distinct_seeds=counts.distinct_seeds,
        related=counts.related, terms=counts.terms,
    )


def theme_features(
    evidence: PaperEvidence, topic: np.ndarray | None = None, cluster: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The :data:`FEATURES` available, each ``(n_docs, n_themes)``; ``topic``/``cluster`` are left out when
    ``None`` (the model did not run)."""
    raw = evidence.raw
    total = raw.sum(axis=1, keepdims=True)
    features = {
        "title_seed": np.minimum(evidence.title_seeds, 1.0),
        "seeds": np.log1p(evidence.seeds),
        "distinct_seeds": np.log1p(evidence.distinct_seeds),
        "related": np.log1p(evidence.related),
        "focus": np.divide(raw, total, out=np.zeros_like(raw), where=total > 0),
    }
    if topic is not None:
        features["topic"] = topic
    if cluster is not None:
        features["cluster"] = cluster
    return features


@dataclass(frozen=True)
class ThemeScorer:
    """``score = 1 / (1 + exp(-(intercept + sum(coefficients[f] * feature f))))``, a probability in (0, 1)."""

    coefficients: Mapping[str, float]
    intercept: float

    def score(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """Scores of shape ``(n_docs, n_themes)``; ``features`` must hold every feature with a coefficient."""
        missing = sorted(set(self.coefficients) - set(features))
        if missing:
            raise ValueError(f"ThemeScorer needs the features {missing}")
        shape = next(iter(features.values())).shape
        logit = np.full(shape, self.intercept)
        for name, coef in self.coefficients.items():
            logit = logit + coef * features[name]
        return 1.0 / (1.0 + np.exp(-logit))


#: Scorers by the kinds of evidence available, fitted once with ``python -m bench.themes_dev --fit`` on
#: ../shared/data/iclr-themes-dev (2,365 ICLR papers, title + abstract only, labels for reinforcement-learning,
#: generative-models and neuroscience; logistic regression, C=1, one coefficient set for all themes).
SCORERS: dict[frozenset[str], ThemeScorer] = {
    frozenset(): ThemeScorer(
        {"title_seed": 0.924, "seeds": 0.215, "distinct_seeds": 2.695, "related": 0.934, "focus": 3.600}, -5.130
    ),
    frozenset({"topic"}): ThemeScorer(
        {
            "title_seed": 0.960, "seeds": 0.197, "distinct_seeds": 2.593, "related": 0.687, "focus": 2.921,
            "topic": 3.475,
        },
        -5.350,
    ),
    frozenset({"cluster"}): ThemeScorer(
        {
            "title_seed": 0.887, "seeds": 0.237, "distinct_seeds": 2.530, "related": 0.782, "focus": 3.306,
            "cluster": 0.997,
        },
        -5.060,
    ),
    frozenset({"topic", "cluster"}): ThemeScorer(
        {
            "title_seed": 0.923, "seeds": 0.244, "distinct_seeds": 2.499, "related": 0.647, "focus": 2.855,
            "topic": 3.223, "cluster": 0.405,
        },
        -5.306,
    ),
}


def scorer_for(kinds: frozenset[str]) -> ThemeScorer:
    """The shipped scorer for the evidence kinds available (``"topic"``, ``"cluster"``; paper is always there)."""
    return SCORERS[frozenset(kinds) & frozenset({"topic", "cluster"})]


@dataclass(frozen=True)
class ThemeCalibration:
    """The final score of a paper and theme from its two kinds of evidence:
    ``sigmoid(intercept + rule * logit(term score) + learned * logit(learned probability))``, where the term score
    is a :class:`ThemeScorer`'s and the learned probability a :class:`~topics.themes.learner.SeededThemeClassifier`'s.
    Where a theme was not learned (NaN), the term score is the score."""

    rule: float
    learned: float
    intercept: float

    @staticmethod
    def features(rule_scores: np.ndarray, learned: np.ndarray) -> np.ndarray:
        """The calibration's inputs, shape ``rule_scores.shape + (2,)``: the logits of the term scores and of the
        learned probabilities (both clipped to ``[1e-4, 1 - 1e-4]``; NaN, a theme not learned, counts as 0.5)."""
        both = np.stack([rule_scores, np.nan_to_num(learned, nan=0.5)], axis=-1)
        clipped = np.clip(both, 1e-4, 1.0 - 1e-4)
        return np.log(clipped / (1.0 - clipped))

    def logit(self, rule_scores: np.ndarray, learned: np.ndarray) -> np.ndarray:
        """The combined score's logit, the shape of ``rule_scores``."""
        return self.intercept + self.features(rule_scores, learned) @ np.array([self.rule, self.learned])

    def combine(self, rule_scores: np.ndarray, learned: np.ndarray, n_terms: np.ndarray | None = None) -> np.ndarray:
        """Scores ``(n_docs, n_themes)`` from term scores and learned probabilities of that shape (``n_terms`` is
        accepted for the interface of :class:`TermCountCalibration` and ignored)."""
        return _score(self.logit(rule_scores, learned), rule_scores, learned)


def _score(logit: np.ndarray, rule_scores: np.ndarray, learned: np.ndarray) -> np.ndarray:
    """The probability of ``logit``, or the term score where the theme was not learned (``learned`` NaN)."""
    return np.where(np.isnan(learned), rule_scores, 1.0 / (1.0 + np.exp(-logit)))


@dataclass(frozen=True)
class TermCountCalibration:
    """A :class:`ThemeCalibration` that depends on how many terms a theme lists (seeds plus related terms).

    A theme written as a user writes one, with about five terms (``few_terms``), gets ``few``; a theme listed as
    thoroughly as the shipped ones (``many_terms``) gets ``many``; in between, the logits of the two are mixed
    linearly in the log of the term count (clipped at both ends). The reason: with few terms the term score misses
    most of a theme's papers and the learned probability carries the evidence; with many, the term score is
    strong on its own. Both were fitted on the same hand-labelled papers, once with the shipped themes and once
    with short user-style themes files (``bench/gold_themes_*.yaml``)."""

    few: ThemeCalibration
    many: ThemeCalibration
    few_terms: int
    many_terms: int

    def mix(self, n_terms: np.ndarray) -> np.ndarray:
        """Weight of ``many`` per theme, in [0, 1], from each theme's term count ``(n_themes,)``."""
        count = np.maximum(np.asarray(n_terms, dtype=np.float64), 1.0)
        span = math.log(self.many_terms) - math.log(self.few_terms)
        return np.clip((np.log(count) - math.log(self.few_terms)) / span, 0.0, 1.0)

    def combine(self, rule_scores: np.ndarray, learned: np.ndarray, n_terms: np.ndarray | None = None) -> np.ndarray:
        """Scores ``(n_docs, n_themes)`` from term scores and learned probabilities of that shape and the themes'
        term counts ``n_terms`` ``(n_themes,)`` (``None``: every theme as listed as thoroughly as ``many_terms``).
        Where a theme was not learned (NaN), the term score is the score."""
        weight = np.ones(np.shape(rule_scores)[-1]) if n_terms is None else self.mix(n_terms)
        logit = (1.0 - weight) * self.few.logit(rule_scores, learned) + weight * self.many.logit(rule_scores, learned)
        return _score(logit, rule_scores, learned)


#: Fitted once with ``python -m bench.themes_gold --fit`` on ../shared/data/themes-dev-gold (440 papers labelled
#: by reading; the three labelled themes pooled, one coefficient set for every theme), run with the shipped themes
#: file and with two short user-style ones; never on a run's papers. Its cross-validated quality is printed by the
#: same command.
CALIBRATION = TermCountCalibration(
    few=ThemeCalibration(rule=0.0, learned=1.688, intercept=0.077),
    many=ThemeCalibration(rule=0.59, learned=1.182, intercept=0.887),
    few_terms=5,
    many_terms=74,
)


@dataclass(frozen=True)
class ThemeRule:
    """The decision rule: a theme is assigned when its score reaches ``threshold`` (or the theme's own
    ``threshold`` from the themes file); at most ``max_per_paper``."""

    threshold: float = 0.4
    max_per_paper: int = 3


def term_theme_weights(lexicon: ThemeLexicon, terms: Sequence[str]) -> np.ndarray:
    """Theme weight of each vocabulary term (phrase tokens included), shape ``(n_terms, n_themes)``."""
    weights = np.zeros((len(terms), lexicon.n_themes))
    for j, term in enumerate(terms):
        for _, hit in lexicon.scan([[term]]):
            for theme, weight in hit.items():
                weights[j, theme] += weight
    return weights


def group_theme_scores(group_term: np.ndarray, term_weights: np.ndarray, head: int = HEAD_TERMS) -> np.ndarray:
    """How strongly each topic (or cluster) expresses each theme, shape ``(n_groups, n_themes)`` in ``[0, 1)``.

    For each group, take its ``head`` heaviest terms (``group_term`` is ``(n_groups, n_terms)``, non-negative:
    p(term | topic) or a cluster centroid); the theme's share of that head's weight, with each term counted by
    its theme weight (``term_weights``, ``(n_terms, n_themes)``, capped at 1), is squashed to ``[0, 1)``.
    A share measured on the head, not a lift over the corpus, keeps rare themes from scoring high on a stray term.
    """
    weights = np.clip(group_term, 0.0, None)
    n_head = min(head, weights.shape[1])
    top = np.argsort(-weights, axis=1, kind="stable")[:, :n_head]
    scores = np.zeros((weights.shape[0], term_weights.shape[1]))
    capped = np.clip(term_weights, 0.0, 1.0)
    for g in range(weights.shape[0]):
        w = weights[g, top[g]]
        total = w.sum()
        if total > 0:
            scores[g] = (w @ capped[top[g]]) / total
    return 1.0 - np.exp(-scores / HEAD_SHARE_SCALE)


def assign_themes(
    themes: Sequence[ThemeDefinition],
    doc_ids: Sequence[str],
    evidence: PaperEvidence,
    rule: ThemeRule,
    doc_topic: np.ndarray | None = None,
    topic_theme: np.ndarray | None = None,
    doc_cluster: np.ndarray | None = None,
    cluster_theme: np.ndarray | None = None,
    scorer: ThemeScorer | None = None,
    learned: np.ndarray | None = None,
    calibration: ThemeCalibration | TermCountCalibration | None = None,
) -> ThemeTable:
    """Score every paper against every theme and decide which themes it carries, as a :class:`ThemeTable`.

    ``doc_topic`` is ``(n_docs, n_topics)``, ``topic_theme`` ``(n_topics, n_themes)``; ``doc_cluster`` is
    ``(n_docs,)`` cluster ids, ``cluster_theme`` ``(n_clusters, n_themes)``. Without ``scorer``, the shipped
    scorer for the kinds of evidence available is used. ``learned`` ``(n_docs, n_themes)`` holds the learned
    probabilities (:class:`~topics.themes.learner.SeededThemeClassifier`, NaN for a theme not learned); with it, the
    score is the term score and the learned probability combined by ``calibration`` (default
    :data:`CALIBRATION`).
    """
    topic = doc_topic @ topic_theme if doc_topic is not None and topic_theme is not None else None
    cluster = cluster_theme[doc_cluster] if doc_cluster is not None and cluster_theme is not None else None
    features = theme_features(evidence, topic, cluster)
    kinds = frozenset(k for k, v in (("topic", topic), ("cluster", cluster)) if v is not None)
    scorer = scorer or scorer_for(kinds)
    term_scores = scorer.score(features)
    combined = term_scores
    if learned is not None:
        features["term_score"] = term_scores
        features["learned"] = learned
        n_terms = np.array([len(t.seeds) + len(t.related) for t in themes])
        combined = (calibration or CALIBRATION).combine(term_scores, learned, n_terms)
    scores = np.round(combined, 6)  # stable decisions and stable CSV output across platforms
    assigned = _decide(themes, scores, rule)
    dominant_topic = doc_topic.argmax(axis=1) if topic is not None and doc_topic is not None else None
    return ThemeTable(
        themes=tuple(themes),
        doc_ids=tuple(doc_ids),
        scores=scores,
        assigned=assigned,
        evidence=_table_evidence(evidence, assigned, dominant_topic),
        topic_theme=topic_theme,
        cluster_theme=cluster_theme,
        parts=features,
    )


def _decide(themes: Sequence[ThemeDefinition], scores: np.ndarray, rule: ThemeRule) -> np.ndarray:
    """Which themes each paper carries, bool ``(n_docs, n_themes)`` from ``scores`` of that shape: a score that
    reaches the theme's own threshold (themes file), else ``rule.threshold``, and is among the paper's
    ``rule.max_per_paper`` best (ties in theme order)."""
    thresholds = np.asarray([rule.threshold if t.threshold is None else t.threshold for t in themes], dtype=np.float64)
    assigned: np.ndarray = scores >= thresholds  # a theme's own threshold (themes file), else themes.threshold
    if rule.max_per_paper < scores.shape[1]:
        order = np.argsort(-scores, axis=1, kind="stable")
        rank = np.empty_like(order)
        rank[np.arange(scores.shape[0])[:, None], order] = np.arange(scores.shape[1])
        assigned &= rank < rule.max_per_paper
    return assigned


def _table_evidence(
    evidence: PaperEvidence, assigned: np.ndarray, dominant_topic: np.ndarray | None
) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """:attr:`ThemeTable.evidence`: the evidence terms of every paper and theme (``assigned`` is bool ``(n_docs,
    n_themes)``); an assigned theme without terms shows the paper's dominant topic (``dominant_topic``,
    ``(n_docs,)``) as ``"topic 3"``, when there is one."""
    table_evidence: list[tuple[tuple[str, ...], ...]] = []
    for row in range(assigned.shape[0]):
        per_theme: list[tuple[str, ...]] = []
        for theme in range(assigned.shape[1]):
            terms = tuple(evidence.terms[row][theme])
            if not terms and assigned[row, theme] and dominant_topic is not None:
                terms = (f"topic {int(dominant_topic[row])}",)
            per_theme.append(terms)
        table_evidence.append(tuple(per_theme))
    return tuple(table_evidence)
