"""Choosing the number of LDA topics (``num_topics: auto``): fit a range of K with several seeds, keep the most
coherent K among those whose topics are stable.

For every candidate K the model is fitted once per seed. Of these fits the one with the highest mean NPMI
coherence (top 10 terms, on the run's own tokens) is K's *best fit*: its coherence is K's coherence, its topic
diversity (top 25 terms) K's diversity, and it is the model returned for the chosen K. K's stability is how well
the other seeds reproduce the best fit's topics: per topic, the similarity (``1 - JS distance``, Hungarian
matching, :mod:`topics.models.stability`) of its closest match in any other seed's fit, averaged over the topics.

The rule: with at least two refits (three seeds), a K is *eligible* when its stability is at least
:data:`STABILITY_FLOOR` (70%) of the most stable candidate's; the chosen K is the eligible one with the highest
coherence, ties going to the smaller K. Why (measured on synthetic corpora with 5 planted topics, K = 3..8):

* Coherence sees both ways of getting K wrong. Too few topics merge themes whose terms rarely co-occur; too many
  split a theme or leave a near-empty topic of arbitrary terms. Both lower the mean NPMI.
* Variational LDA often stops in a poor local optimum (two themes merged, another split) whatever K is: about a
  third of single fits at the planted K did. Taking each K's best fit over the seeds rather than the first seed's
  is what makes coherence reliable: the first seed's fit alone picked the planted K in 68-71% of the seed sets
  tried, the best of three seeds in 89-98%, of four in 39 of 40.
* Seed-to-seed stability is informative for too small a K (which themes merge changes from seed to seed), much
  less for too large a K: the extra topics are often split or left empty the same way every time, while at the
  right K a refit stuck in a local optimum drags the stability down. Maximising the mean of min-max scaled
  coherence and stability picked the planted K in 42-93% of the seed sets, a tight floor (85% of the most
  stable K's) in 88-92% with three seeds and under 55% with two. So stability is a loose floor that rules out
  clearly unstable K (on the planted corpora the smallest; on real abstracts, whose stability falls steadily
  with K, the largest), not a score to maximise; "the closest match in any other fit" keeps one unlucky refit
  from vetoing a K, and with a single refit (two seeds) the floor is not applied.
* On real abstracts both criteria tend to fall with K (5,530 ML abstracts, K = 5..30: NPMI 0.049 to 0.032,
  stability 0.61 to 0.29), so the rule favours broad topics there; narrow the candidate range to steer it.
* Diversity is shown but not used: it falls mechanically as K grows.
* Ties go to the smaller K, the simpler model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from topics.models.lda import LdaTopicModel
from topics.models.stability import match_topics
from topics.models.vocabulary import Vocabulary
from topics.quality.coherence import npmi_coherence
from topics.quality.topic_quality import COHERENCE_TOP_N, top_term_indices, topic_diversity
from topics.results import KSweep

#: Smallest number of topics a sweep considers.
MIN_K = 2
#: A K is eligible when its stability is at least this share of the most stable candidate's.
STABILITY_FLOOR = 0.7
#: The floor applies only with at least this many refits (seeds beyond the first).
MIN_REFITS_FOR_FLOOR = 2
#: Values closer than this count as equal (ties go to the smaller K, or to the earlier seed).
TIE_TOLERANCE = 1e-9




def candidate_ks(min_k: int, max_k: int, step: int, n_docs: int) -> tuple[int, ...]:
    """The K values ``min_k, min_k + step, ..., <= max_k``, each capped at ``n_docs // 2`` and raised to at
    least :data:`MIN_K`, ascending and without repeats. Raises ValueError when the range is empty or the step
    is not positive."""
    if step < 1:
        raise ValueError(f"the K step must be at least 1, got {step}")
    if min_k > max_k:
        raise ValueError(f"the smallest K ({min_k}) is larger than the largest ({max_k})")
    upper = max(MIN_K, n_docs // 2)
    return tuple(sorted({min(max(k, MIN_K), upper) for k in range(min_k, max_k + 1, step)}))


def describe_rule(n_seeds: int, floor: float = STABILITY_FLOOR) -> str:
    """The rule as one sentence for the report (no final full stop)."""
    if n_seeds < 2:
        return (
            "the K with the highest NPMI coherence (a single seed, so stability was not measured); "
            "ties go to the smaller K"
        )
    if n_seeds - 1 < MIN_REFITS_FOR_FLOOR:
        return (
            f"the K with the highest NPMI coherence (best of {n_seeds} seeds; stability from a single refit is shown "
            "but not used); ties go to the smaller K"
        )
    return (
        f"the K with the highest NPMI coherence (best of {n_seeds} seeds) among those whose topics the other seeds "
        f"reproduce well (stability at least {floor:.0%} of the most stable K's); ties go to the smaller K"
    )


def eligible_candidates(stability: Sequence[float], floor: float = STABILITY_FLOOR) -> tuple[np.ndarray, float]:
    """Which candidates reach ``floor`` times the highest ``stability`` (bool array of shape
    ``(n_candidates,)``), and that threshold. Without stability values every candidate is eligible."""
    values = np.asarray(stability, dtype=float)
    if values.size == 0:
        return np.ones(0, dtype=bool), 0.0
    threshold = floor * float(values.max())
    return values >= threshold - TIE_TOLERANCE, threshold


def selection_score(coherence: Sequence[float], eligible: Sequence[bool] | np.ndarray) -> np.ndarray:
    """Shape ``(n_candidates,)`` in ``[0, 1]``: ``coherence`` min-max scaled over the eligible candidates (all
    ones when they are equal), 0 for the others."""
    values = np.asarray(coherence, dtype=float)
    mask = np.asarray(eligible, dtype=bool)
    score = np.zeros_like(values)
    if not mask.any():
        return score
    low, high = float(values[mask].min()), float(values[mask].max())
    score[mask] = 1.0 if high - low <= TIE_TOLERANCE else (values[mask] - low) / (high - low)
    return score


def choose_k(candidates: Sequence[int], score: Sequence[float] | np.ndarray) -> int:
    """The candidate with the highest ``score``; scores within :data:`TIE_TOLERANCE` of the best go to the
    smallest K."""
    values = np.asarray(score, dtype=float)
    best = float(values.max())
    return int(min(k for k, s in zip(candidates, values) if s >= best - TIE_TOLERANCE))


@dataclass(frozen=True)
class _Candidate:
    """One K's measurements and its best fit."""

    model: LdaTopicModel
    seed: int
    coherence: float
    diversity: float
    stability: float | None
    topic_stability: tuple[float, ...]


def _evaluate(
    k: int,
    vocabulary: Vocabulary,
    texts: Sequence[Sequence[str]],
    make_model: Callable[[int, int], LdaTopicModel],
    seeds: Sequence[int],
    progress: Callable[[], None] | None,
) -> _Candidate:
    """Fit ``k`` topics once per seed and measure the best fit (see the module docstring)."""
    terms = vocabulary.terms
    models, topic_terms = [], []
    for seed in seeds:
        model = make_model(k, int(seed)).fit(vocabulary)
        models.append(model)
        topic_terms.append(model.topic_term_)
        if progress is not None:
            progress()
    # every fit's topics in one NPMI call: one pass over the texts per K
    tops = [[terms[j] for j in row] for tt in topic_terms for row in top_term_indices(tt, COHERENCE_TOP_N)]
    _, per_topic = npmi_coherence(tops, texts, vocabulary.dictionary, COHERENCE_TOP_N)
    sizes = np.cumsum([0, *(tt.shape[0] for tt in topic_terms)])
    per_fit = [float(np.mean(per_topic[a:b])) if b > a else 0.0 for a, b in zip(sizes[:-1], sizes[1:])]
    best = min(i for i, value in enumerate(per_fit) if value >= max(per_fit) - TIE_TOLERANCE)
    others = [tt for i, tt in enumerate(topic_terms) if i != best]
    stability: float | None = None
    topic_stability: tuple[float, ...] = ()
    if others:
        matched = np.array([match_topics(topic_terms[best], other)[1] for other in others])  # (n_others, k)
        stability = float(matched.max(axis=0).mean()) if matched.size else 0.0
        topic_stability = tuple(float(v) for v in matched.mean(axis=0))
    return _Candidate(
        model=models[best],
        seed=int(seeds[best]),
        coherence=per_fit[best],
        diversity=topic_diversity(topic_terms[best])[0],
        stability=stability,
        topic_stability=topic_stability,
    )


def select_num_topics(
    vocabulary: Vocabulary,
    texts: Sequence[Sequence[str]],
    candidates: Sequence[int],
    make_model: Callable[[int, int], LdaTopicModel],
    seeds: Sequence[int],
    progress: Callable[[], None] | None = None,
    stability_floor: float = STABILITY_FLOOR,
) -> tuple[KSweep, LdaTopicModel]:
    """Fit every candidate K with every seed and pick K (see the module docstring for the rule).

    ``make_model(k, seed)`` returns an unfitted :class:`LdaTopicModel` with ``num_topics=k`` and
    ``random_state=seed``; each is fitted on ``vocabulary``. Coherence is measured on ``texts`` (the tokens the
    vocabulary was built from) with ``vocabulary.dictionary``. ``progress()`` is called after each of the
    ``len(candidates) * len(seeds)`` fits. Returns the sweep and the chosen K's best fit (the most coherent of
    its fits, seed in ``KSweep.model_seed``), so the caller need not refit. Deterministic for fixed seeds.
    """
    ks = tuple(sorted({int(k) for k in candidates}))
    seeds = tuple(dict.fromkeys(int(s) for s in seeds))  # a repeated seed would only compare a fit with itself
    if not ks:
        raise ValueError("no candidate K to fit")
    if not seeds:
        raise ValueError("a K sweep needs at least one seed")
    measured = [_evaluate(k, vocabulary, texts, make_model, seeds, progress) for k in ks]
    coherence = tuple(m.coherence for m in measured)
    stability = tuple(m.stability for m in measured if m.stability is not None)
    if stability and len(seeds) - 1 >= MIN_REFITS_FOR_FLOOR:
        eligible, floor = eligible_candidates(stability, stability_floor)
    else:
        eligible, floor = np.ones(len(ks), dtype=bool), 0.0
    score = selection_score(coherence, eligible)
    chosen = choose_k(ks, score)
    best = measured[ks.index(chosen)]
    sweep = KSweep(
        candidates=ks,
        coherence=coherence,
        stability=stability,
        diversity=tuple(m.diversity for m in measured),
        score=tuple(float(v) for v in score),
        chosen=chosen,
        rule=describe_rule(len(seeds), stability_floor),
        seeds=seeds,
        eligible=tuple(bool(v) for v in eligible),
        stability_floor=float(floor),
        model_seed=best.seed,
        topic_stability=best.topic_stability,
    )
    return sweep, best.model
