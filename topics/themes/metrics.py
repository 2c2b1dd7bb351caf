"""How good a theme labeller's decisions and scores are, from bool gold labels and the labeller's output.

:func:`theme_score` scores decisions (precision, recall, F1; precision with no predicted paper is 0.0, recall
with no labelled paper is 0.0, F1 is 0.0 when precision + recall is 0). The scores themselves are judged by
:func:`pr_curve` (precision, recall and F1 at every threshold of :data:`PR_THRESHOLDS`, and the average precision)
and :func:`reliability` (calibration: equal-width score bins, each with its observed fraction of positives, the
expected calibration error and the Brier score). :mod:`topics.themes.evaluation` reads the labels, matches them to a
run's papers and applies these to the (paper, theme) pairs the labels cover.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import average_precision_score

from topics.results import PrCurve, PrPoint, Reliability, ReliabilityBin, ThemeScore
from topics.trends.stats import wilson_interval

#: Score thresholds of the precision/recall curves: 0.05, 0.10, ..., 0.95 (a paper is predicted when its
#: score is >= the threshold).
PR_THRESHOLDS: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 20))


#: Equal-width score bins of the reliability table over ``[0, 1]``, and the confidence of their intervals.
RELIABILITY_BINS = 10
RELIABILITY_CONFIDENCE = 0.95




def theme_score(theme: str, gold: np.ndarray, predicted: np.ndarray) -> ThemeScore:
    """Score one theme from bool vectors of shape ``(n_papers,)`` (see the module's zero conventions)."""
    gold, predicted = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
    tp = int((gold & predicted).sum())
    fp = int((~gold & predicted).sum())
    fn = int((gold & ~predicted).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ThemeScore(theme, precision, recall, f1, support=tp + fn, predicted=tp + fp, tp=tp, fp=fp, fn=fn)


def pr_curve(
    theme: str, gold: np.ndarray, scores: np.ndarray, thresholds: Sequence[float] = PR_THRESHOLDS
) -> PrCurve:
    """Precision/recall of ``theme`` at each of ``thresholds`` from ``gold`` (bool) and ``scores`` (float in
    ``[0, 1]``) of the same shape, ``(n_papers,)`` for one theme or any shape for pooled pairs."""
    gold = np.asarray(gold, dtype=bool).ravel()
    scores = np.asarray(scores, dtype=float).ravel()
    points = []
    for threshold in thresholds:
        score = theme_score(theme, gold, scores >= threshold)
        points.append(PrPoint(
            float(threshold), score.precision, score.recall, score.f1, predicted=score.predicted, tp=score.tp,
        ))
    return PrCurve(
        theme, support=int(gold.sum()), points=tuple(points), average_precision=average_precision(gold, scores)
    )


def average_precision(gold: np.ndarray, scores: np.ndarray) -> float | None:
    """:func:`sklearn.metrics.average_precision_score` of ``scores`` against ``gold`` (same shape, flattened);
    ``None`` when no pair is labelled positive (the measure is undefined)."""
    gold = np.asarray(gold, dtype=bool).ravel()
    if not gold.any():
        return None
    return float(average_precision_score(gold, np.asarray(scores, dtype=float).ravel()))


def reliability(
    gold: np.ndarray, scores: np.ndarray, n_bins: int = RELIABILITY_BINS, confidence: float = RELIABILITY_CONFIDENCE
) -> Reliability:
    """The reliability table of ``scores`` (float in ``[0, 1]``, values outside are clipped) against ``gold``
    (bool, same shape; every element one (paper, theme) pair): ``n_bins`` equal-width bins, a bin holding the
    scores ``low <= s < high`` (1.0 falls in the last), with Wilson intervals at ``confidence``.

    Raises ValueError when there is no pair.
    """
    gold = np.asarray(gold, dtype=bool).ravel()
    scores = np.clip(np.asarray(scores, dtype=float).ravel(), 0.0, 1.0)
    if scores.size == 0:
        raise ValueError("reliability needs at least one (paper, theme) pair")
    if gold.shape != scores.shape:
        raise ValueError(f"gold has {gold.size} pairs but scores has {scores.size}")
    edges = np.round(np.linspace(0.0, 1.0, n_bins + 1), 10)  # 0.3 is the float 0.3, so a score of 0.3 bins up
    index = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    positives = np.bincount(index, weights=gold.astype(float), minlength=n_bins).astype(int)
    sums = np.bincount(index, weights=scores, minlength=n_bins)
    lows, highs = wilson_interval(positives, counts, confidence)
    bins = []
    gap = 0.0
    for b in range(n_bins):
        count = int(counts[b])
        if count:
            mean, observed = float(sums[b] / count), float(positives[b] / count)
            gap += count * abs(mean - observed)
            bins.append(ReliabilityBin(
                float(edges[b]), float(edges[b + 1]), count, int(positives[b]), mean, observed,
                float(lows[b]), float(highs[b]),
            ))
        else:
            bins.append(ReliabilityBin(float(edges[b]), float(edges[b + 1]), 0, 0, None, None, None, None))
    return Reliability(
        bins=tuple(bins),
        ece=gap / scores.size,
        brier=float(np.mean((scores - gold) ** 2)),
        n_pairs=int(scores.size),
        n_positive=int(gold.sum()),
    )
