"""Statistics behind the trend tables: intervals for shares, trend tests over periods, false discovery control.

Every function is pure and vectorised over NumPy arrays. Shares and their intervals are fractions in
``[0, 1]``; slopes are fractions per time unit (0.004 is +0.4 percentage points a year when times are years).

The trend test (:func:`fit_trend`) is a binomial GLM, ``logit(share) = intercept (+ group effects) + b * time``,
with a quasi-binomial correction for overdispersion. Why quasi-binomial: the yearly share of a theme in a real
publication list varies more than binomial sampling allows (calls for papers, special issues, a group's hiring
all move whole years), so a plain binomial test flags most themes of a large corpus as trending. Scaling the
variance by the Pearson dispersion keeps such year-to-year noise from passing for a trend, while on data that
really is binomial the test stays at or below its nominal 5% false-positive rate (measured in the tests on
200 flat binomial themes and 200 flat beta-binomial ones; see :func:`fit_trend` and :func:`_dispersion_scale`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import PerfectSeparationError

from topics.results import DECLINING, EMERGING, STABLE

ArrayLike = Any

#: Fitted shares closer than this to 0 or 1 mean the logit slope ran off to infinity (separation).
SEPARATION_TOLERANCE = 1e-8
#: Added to every count (and twice to every total) when the fit separates: the shares move half a paper
#: towards 1/2, which keeps the logit finite (the usual Haldane-Anscombe correction).
CONTINUITY_COUNT = 0.5


def two_sided_z(confidence: float) -> float:
    """The standard normal quantile of a two-sided interval at ``confidence`` (1.96 for 0.95)."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


# --------------------------------------------------------------------------------------------------------------
# Intervals for shares


def wilson_interval(count: ArrayLike, total: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the share ``count / total``.

    ``count`` and ``total`` are scalars or arrays of any broadcastable shapes (numbers of papers); the bounds
    have the broadcast shape and are fractions in ``[0, 1]``. ``total == 0`` gives NaN bounds.

    Closed form, with ``p = count / total``, ``n = total`` and ``z`` the two-sided normal quantile::

        centre = (p + z²/(2n)) / (1 + z²/n)
        half   = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/(4n²))
    """
    count_arr, total_arr = np.broadcast_arrays(np.asarray(count, dtype=float), np.asarray(total, dtype=float))
    z = two_sided_z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(total_arr > 0, total_arr, np.nan)
        share = count_arr / n
        shrink = 1.0 + z * z / n
        centre = (share + z * z / (2.0 * n)) / shrink
        half = z / shrink * np.sqrt(np.clip(share * (1.0 - share), 0.0, None) / n + z * z / (4.0 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def standardized_shares(
    counts: ArrayLike, totals: ArrayLike, weights: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares per period standardised to a fixed mix of groups (direct standardisation), with intervals.

    Args:
        counts: shape ``(n_periods, n_groups)``, papers carrying the theme in each (period, group) cell.
        totals: same shape, all papers of each cell.
        weights: shape ``(n_groups,)``, each group's share of the whole corpus (sums to 1).
        confidence: of the intervals.

    Returns:
        ``(share, low, high)``, each of shape ``(n_periods,)``, fractions. ``share_t = Σ_g w'_gt p_gt`` where
        ``p_gt = counts / totals`` and ``w'_gt = w_g / Σ_{g: totals_gt > 0} w_g``: the weights are renormalised
        over the groups present in period t, so a group absent from a period neither counts as zero nor
        leaves the weights short. A period with no papers gives NaN.

        The interval is a normal approximation around ``share_t`` with the stratified variance
        ``Σ_g (w'_gt)² p̃(1-p̃) / (n + 4)``, where ``p̃ = (x + 2) / (n + 4)`` is the Agresti-Coull adjusted share
        of the cell (so a cell with 0 or all papers still has a width), clipped to ``[0, 1]``.
    """
    count_arr, total_arr = np.asarray(counts, dtype=float), np.asarray(totals, dtype=float)
    weight_arr = np.asarray(weights, dtype=float)
    if count_arr.ndim != 2 or count_arr.shape != total_arr.shape or weight_arr.shape != (count_arr.shape[1],):
        raise ValueError(
            f"counts and totals must have shape (n_periods, n_groups) and weights (n_groups,); got "
            f"{count_arr.shape}, {total_arr.shape} and {weight_arr.shape}"
        )
    present = total_arr > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        weight_present = np.where(present, weight_arr[None, :], 0.0)
        weight_sum = weight_present.sum(axis=1, keepdims=True)
        cell_weight = np.where(weight_sum > 0, weight_present / weight_sum, 0.0)
        cell_share = np.where(present, count_arr / np.where(present, total_arr, 1.0), 0.0)
        adjusted = (count_arr + 2.0) / (total_arr + 4.0)
        cell_variance = np.where(present, adjusted * (1.0 - adjusted) / (total_arr + 4.0), 0.0)
        share = (cell_weight * cell_share).sum(axis=1)
        half = two_sided_z(confidence) * np.sqrt((cell_weight**2 * cell_variance).sum(axis=1))
    empty = weight_sum[:, 0] <= 0
    share = np.where(empty, np.nan, share)
    low = np.where(empty, np.nan, np.clip(share - half, 0.0, 1.0))
    high = np.where(empty, np.nan, np.clip(share + half, 0.0, 1.0))
    return share, low, high


def difference_interval(
    c1: ArrayLike, n1: ArrayLike, c2: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference of two shares ``p2 - p1`` (``p = c / n``) with Newcombe's hybrid score interval.

    Newcombe (1998), method 10: from the Wilson intervals ``(l1, u1)`` and ``(l2, u2)`` of the two shares,
    ``low = d - sqrt((p2 - l2)² + (u1 - p1)²)`` and ``high = d + sqrt((u2 - p2)² + (p1 - l1)²)`` with
    ``d = p2 - p1``. Inputs broadcast; outputs are fractions in ``[-1, 1]`` of the broadcast shape, NaN where
    ``n1`` or ``n2`` is 0.
    """
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (c1, n1, c2, n2)))
    count1, total1, count2, total2 = arrays
    low1, high1 = wilson_interval(count1, total1, confidence)
    low2, high2 = wilson_interval(count2, total2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        share1 = np.where(total1 > 0, count1 / np.where(total1 > 0, total1, 1.0), np.nan)
        share2 = np.where(total2 > 0, count2 / np.where(total2 > 0, total2, 1.0), np.nan)
    diff = share2 - share1
    low = diff - np.sqrt((share2 - low2) ** 2 + (high1 - share1) ** 2)
    high = diff + np.sqrt((high2 - share2) ** 2 + (share1 - low1) ** 2)
    return diff, low, high


def fisher_p_value(c1: int, n1: int, c2: int, n2: int) -> float:
    """Two-sided Fisher exact test that ``c1 / n1`` and ``c2 / n2`` are the same share (1.0 when a row is empty)."""
    table = [[int(c1), int(n1) - int(c1)], [int(c2), int(n2) - int(c2)]]
    if min(min(row) for row in table) < 0:
        raise ValueError(f"counts must lie in [0, total]; got {c1}/{n1} and {c2}/{n2}")
    if n1 == 0 or n2 == 0:
        return 1.0
    p_value = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    return min(1.0, p_value) if np.isfinite(p_value) else 1.0


# --------------------------------------------------------------------------------------------------------------
# Multiple testing and classification


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg q-values of ``p_values`` (any shape; same shape out).

    NaN p-values stay NaN and do not count among the tests.
    """
    p_arr = np.asarray(p_values, dtype=float)
    q_values = np.full(p_arr.shape, np.nan)
    tested = np.isfinite(p_arr)
    if tested.any():
        q_values[tested] = stats.false_discovery_control(np.clip(p_arr[tested], 0.0, 1.0), method="bh")
    return q_values


def classify_trend(slope: float, q_value: float, alpha: float = 0.05) -> str:
    """:data:`EMERGING` when ``q_value < alpha`` and the slope rises, :data:`DECLINING` when it falls,
    else :data:`STABLE` (also for a NaN q-value)."""
    if not (q_value < alpha) or not np.isfinite(slope) or slope == 0:
        return STABLE
    return EMERGING if slope > 0 else DECLINING


# --------------------------------------------------------------------------------------------------------------
# Trend test


@dataclass(frozen=True)
class TrendFit:
    """The trend of one share over time, from :func:`fit_trend`.

    Attributes:
        slope: average change in share per time unit over the window, a fraction: ``(share_end - share_start)
            / (last time - first time)`` on the fitted curve (0.004 is +0.4 percentage points a year). It stays
            within ``[-1, 1] / span`` however steep the logistic curve, and for two periods it is their difference.
        slope_low, slope_high: the same average change with the logit slope ``b`` at the ends of its interval
            (group effects held at their estimates; time is centred, so they barely move with ``b``).
        log_odds_slope: ``b``, change in log odds per time unit.
        log_odds_se: its standard error, including the dispersion (NaN when not estimable).
        odds_ratio: ``exp(b)``, per time unit.
        p_value: two-sided test of ``b = 0``.
        share_start, share_end: fitted share at the first and last time; with groups, the groups' fitted shares
            averaged with each group's share of the papers as weight.
        dispersion: the quasi-binomial scale used (``>= 1``).
        periods: distinct times with papers.
        count: papers carrying the theme.
        papers: all papers.

    Degenerate data (fewer than two distinct times, no paper with the theme, every paper with it, or no
    group observed at two times) gives ``slope = slope_low = slope_high = 0``, ``log_odds_slope = 0``,
    ``log_odds_se = NaN``, ``odds_ratio = 1``, ``p_value = 1`` and ``dispersion = 1``; the shares are then the
    observed (group-weighted) pooled share, NaN when there are no papers at all.
    """

    slope: float
    slope_low: float
    slope_high: float
    log_odds_slope: float
    log_odds_se: float
    odds_ratio: float
    p_value: float
    share_start: float
    share_end: float
    dispersion: float
    periods: int
    count: int
    papers: int


@dataclass(frozen=True)
class _Cells:
    """The rows of a trend fit after dropping empty ones: counts, totals, times (floats, shape ``(n_rows,)``)
    and group codes (ints in ``[0, n_groups)``)."""

    counts: np.ndarray
    totals: np.ndarray
    times: np.ndarray
    groups: np.ndarray
    n_groups: int


@dataclass(frozen=True)
class _LogitFit:
    """What the trend needs from a fitted GLM: group effects, logit slope and its binomial standard error,
    Pearson chi-squared and residual degrees of freedom."""

    group_effects: np.ndarray
    slope: float
    slope_se: float
    pearson_chi2: float
    df_resid: float


def fit_trend(
    counts: ArrayLike,
    totals: ArrayLike,
    times: ArrayLike,
    groups: Sequence[Any] | np.ndarray | None = None,
    confidence: float = 0.95,
) -> TrendFit:
    """Test whether a share rises or falls over time: quasi-binomial logistic regression on time.

    Args:
        counts: shape ``(n_rows,)``, papers carrying the theme in each row.
        totals: shape ``(n_rows,)``, all papers of the row (``0 <= counts <= totals``; rows with 0 are dropped).
        times: shape ``(n_rows,)``, the row's time in time units (e.g. the year; gaps count).
        groups: optional shape ``(n_rows,)`` labels; rows are then (period, group) cells (e.g. venues) and the
            model gets one fixed effect per group, so the slope is the trend *within* groups, not one made by
            the corpus's mix of groups shifting.
        confidence: of the slope interval.

    The model is ``logit(p) = a_g + b * (time - centre)`` fitted by maximum likelihood (statsmodels GLM,
    binomial family), times centred on the mean distinct time. Groups with no paper carrying the theme (or
    only such papers) are left out of the fit: their effect would run to infinity whatever ``b``, so they carry
    no information about it; they still enter ``share_start``/``share_end`` with share 0 (or 1).

    Overdispersion: the scale is ``max(1, Pearson χ² / df_resid)`` when there is at least one residual degree
    of freedom, else 1. Inference on ``b`` uses ``se = se_binomial * sqrt(scale)`` and

    * a t distribution with ``df_resid`` degrees of freedom when the scale exceeds 1 (it was estimated, and
      its noise widens the tails: the quasi-likelihood t test);
    * the normal distribution when the scale is 1 (the data are no more variable than binomial sampling,
      nothing was estimated: the ordinary Wald test).

    :func:`_dispersion_scale` gives the false-positive rates this rule was chosen on, and
    :func:`_fit_with_continuity_fallback` how a separated fit (an infinite slope) is redone.
    """
    cells = _clean_cells(counts, totals, times, groups)
    papers = int(round(cells.totals.sum()))
    count = int(round(cells.counts.sum()))
    periods = int(np.unique(cells.times).size)
    weights = _group_weights(cells)
    informative = _informative_groups(cells)
    fit_rows = informative[cells.groups]
    if not _slope_identified(cells, fit_rows):
        return _flat_fit(cells, weights, periods, count, papers)

    fit_cells = _subset(cells, fit_rows)
    centre = float(np.unique(fit_cells.times).mean())
    fit = _fit_with_continuity_fallback(fit_cells, centre)
    if fit is None:  # not expected once every cell lies strictly inside (0, 1); stay safe all the same
        return _flat_fit(cells, weights, periods, count, papers)
    return _trend_from_fit(cells, fit, informative, weights, centre, confidence, (periods, count, papers))


def _fit_with_continuity_fallback(cells: _Cells, centre: float) -> _LogitFit | None:
    """:func:`_fit_logit` of the cells, redone on :func:`_continuity_corrected` cells when it separates.

    Separation: when the maximum likelihood slope is infinite (e.g. counts ``0, 0, 0, 5, 9`` of ``5, 5, 5, 5, 9``
    papers: the theme appears abruptly and then fills its rows), the fit is redone with 0.5 added to every count
    and 1 to every total of the fit, which gives a finite, somewhat shrunken slope. It is detected by fitted
    shares within 1e-8 of 0 or 1, a fit that did not converge, or non-finite estimates. statsmodels' own
    warnings are not used for this (it also warns on a saturated fit, e.g. two periods) and never reach the
    caller. ``None`` when the corrected fit fails too.
    """
    fit = _fit_logit(cells, centre)
    if fit is None:
        fit = _fit_logit(_continuity_corrected(cells), centre)
    return fit


def _dispersion_scale(fit: _LogitFit) -> float:
    """The quasi-binomial scale of a fit (``>= 1``): ``max(1, Pearson χ² / df_resid)``, 1 without a residual
    degree of freedom or when the ratio is not finite.

    Measured on flat synthetic themes (10 yearly periods of 300-600 papers, shares 0.02-0.3, 1,000 themes each,
    share of p < 0.05): binomial counts 2.7% with the rule of :func:`fit_trend` (t when the scale exceeds 1,
    else normal), 1.5% with the t distribution throughout, 4.8% with the plain binomial test; beta-binomial
    counts (intra-year correlation 0.01, variance 4-7 times binomial) 6.3% with this rule, 41.5% with the plain
    binomial test. The floor at 1 is what makes binomial data conservative (when the dispersion estimate exceeds
    1 by chance, the errors widen); the normal distribution throughout would flag overdispersed data too often
    with few periods (8.5% of the beta-binomial themes, and 3.9% of the binomial ones). The switch at scale 1
    has a price: a p-value jumps slightly as the dispersion crosses 1.
    """
    scale = fit.pearson_chi2 / fit.df_resid if fit.df_resid >= 1 else 1.0
    return max(1.0, float(scale)) if np.isfinite(scale) else 1.0


def _trend_from_fit(
    cells: _Cells,
    fit: _LogitFit,
    informative: np.ndarray,
    weights: np.ndarray,
    centre: float,
    confidence: float,
    sizes: tuple[int, int, int],
) -> TrendFit:
    """The :class:`TrendFit` of a converged logit fit of ``cells``.

    ``informative`` (shape ``(n_groups,)`` bool) and ``weights`` (shape ``(n_groups,)``, shares of the papers)
    are over the groups of ``cells``; ``centre`` is the time the fit's times were centred on; ``sizes`` is
    ``(periods, count, papers)`` of the cells.
    """
    periods, count, papers = sizes
    scale = _dispersion_scale(fit)
    se = fit.slope_se * np.sqrt(scale)
    critical, p_value = _slope_test(fit.slope, se, scale, fit.df_resid, confidence)
    span = float(cells.times.max() - cells.times.min())
    start, end = _fitted_ends(cells, fit, informative, weights, centre)
    bounds = []
    for bound in (fit.slope - critical * se, fit.slope + critical * se):
        low_end, high_end = _fitted_ends(cells, replace(fit, slope=float(bound)), informative, weights, centre)
        bounds.append((high_end - low_end) / span)
    return TrendFit(
        slope=float((end - start) / span),
        slope_low=float(bounds[0]),
        slope_high=float(bounds[1]),
        log_odds_slope=float(fit.slope),
        log_odds_se=float(se),
        odds_ratio=float(np.exp(fit.slope)),
        p_value=float(p_value),
        share_start=start,
        share_end=end,
        dispersion=scale,
        periods=periods,
        count=count,
        papers=papers,
    )


def _clean_cells(
    counts: ArrayLike, totals: ArrayLike, times: ArrayLike, groups: Sequence[Any] | np.ndarray | None
) -> _Cells:
    """Validate the rows, drop those without papers and code the groups."""
    count_arr = np.asarray(counts, dtype=float).reshape(-1)
    total_arr = np.asarray(totals, dtype=float).reshape(-1)
    time_arr = np.asarray(times, dtype=float).reshape(-1)
    if not count_arr.size == total_arr.size == time_arr.size:
        raise ValueError(
            f"counts, totals and times differ in length: {count_arr.size}, {total_arr.size}, {time_arr.size}"
        )
    if groups is None:
        codes = np.zeros(count_arr.size, dtype=int)
    else:
        group_list = list(groups)
        if len(group_list) != count_arr.size:
            raise ValueError(f"groups has {len(group_list)} rows, counts {count_arr.size}")
        codes = np.asarray(pd.factorize(pd.Series(group_list, dtype=object), use_na_sentinel=False)[0], dtype=int)
    if not (np.isfinite(count_arr).all() and np.isfinite(total_arr).all() and np.isfinite(time_arr).all()):
        raise ValueError("counts, totals and times must be finite")
    if (count_arr < 0).any() or (count_arr > total_arr).any():
        raise ValueError("counts must lie in [0, totals]")
    keep = total_arr > 0
    kept_codes, codes_dense = np.unique(codes[keep], return_inverse=True)
    return _Cells(count_arr[keep], total_arr[keep], time_arr[keep], codes_dense.reshape(-1), int(kept_codes.size))


def _subset(cells: _Cells, rows: np.ndarray) -> _Cells:
    """The cells of ``rows`` (bool mask), groups recoded densely."""
    kept, codes = np.unique(cells.groups[rows], return_inverse=True)
    return _Cells(cells.counts[rows], cells.totals[rows], cells.times[rows], codes.reshape(-1), int(kept.size))


def _group_sums(cells: _Cells, values: np.ndarray) -> np.ndarray:
    return np.bincount(cells.groups, weights=values, minlength=cells.n_groups)


def _group_weights(cells: _Cells) -> np.ndarray:
    """Each group's share of the papers, shape ``(n_groups,)``."""
    papers = _group_sums(cells, cells.totals)
    return papers / papers.sum() if papers.sum() > 0 else papers


def _informative_groups(cells: _Cells) -> np.ndarray:
    """Groups whose rows mix papers with and without the theme, shape ``(n_groups,)`` bool."""
    group_counts = _group_sums(cells, cells.counts)
    group_totals = _group_sums(cells, cells.totals)
    return (group_counts > 0) & (group_counts < group_totals)


def _slope_identified(cells: _Cells, fit_rows: np.ndarray) -> bool:
    """True when some informative group is observed at two or more distinct times."""
    for group in np.unique(cells.groups[fit_rows]):
        if np.unique(cells.times[fit_rows & (cells.groups == group)]).size >= 2:
            return True
    return False


def _continuity_corrected(cells: _Cells) -> _Cells:
    """The cells with half a paper added to each side of every row."""
    return _Cells(cells.counts + CONTINUITY_COUNT, cells.totals + 2 * CONTINUITY_COUNT, cells.times, cells.groups,
                  cells.n_groups)


def _design(cells: _Cells, centre: float) -> np.ndarray:
    """One indicator column per group (the intercepts), then the centred time; shape ``(n_rows, n_groups + 1)``."""
    indicators = np.zeros((cells.counts.size, cells.n_groups))
    indicators[np.arange(cells.counts.size), cells.groups] = 1.0
    return np.column_stack([indicators, cells.times - centre])


def _fit_logit(cells: _Cells, centre: float) -> _LogitFit | None:
    """Binomial GLM fit of the cells; ``None`` when it separates, fails or does not converge.

    Groups observed at a single time are kept: their effect fits them exactly and costs no residual degree
    of freedom, and the design stays of full rank as long as some group spans two times.
    """
    endog = np.column_stack([cells.counts, cells.totals - cells.counts])
    model = GLM(endog, _design(cells, centre), family=Binomial())
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result = model.fit(maxiter=100)
        except (ValueError, np.linalg.LinAlgError, ArithmeticError, PerfectSeparationError):
            return None
        params, bse, fitted = np.asarray(result.params), np.asarray(result.bse), np.asarray(result.mu)
        pearson_chi2, df_resid = float(result.pearson_chi2), float(result.df_resid)
    finite = np.isfinite(params).all() and np.isfinite(bse).all() and np.isfinite(pearson_chi2)
    separated = np.minimum(fitted, 1.0 - fitted).min() < SEPARATION_TOLERANCE
    if not (finite and bool(getattr(result, "converged", True))) or separated:
        return None
    return _LogitFit(params[:-1], float(params[-1]), float(bse[-1]), pearson_chi2, df_resid)


def _slope_test(slope: float, se: float, scale: float, df_resid: float, confidence: float) -> tuple[float, float]:
    """Critical value of the interval and two-sided p-value of ``slope / se`` (t when the scale was estimated)."""
    use_t = scale > 1.0 and df_resid >= 1
    distribution = stats.t(df_resid) if use_t else stats.norm()
    critical = float(distribution.ppf(0.5 + confidence / 2.0))
    if not (se > 0 and np.isfinite(se)):
        return critical, 1.0
    return critical, float(min(1.0, 2.0 * distribution.sf(abs(slope) / se)))


def _fitted_ends(
    cells: _Cells, fit: _LogitFit, informative: np.ndarray, weights: np.ndarray, centre: float
) -> tuple[float, float]:
    """Group-weighted fitted shares at the first and last time; uninformative groups keep their 0 or 1."""
    constant = np.where(_group_sums(cells, cells.counts) > 0, 1.0, 0.0)
    ends = []
    for time in (cells.times.min(), cells.times.max()):
        shares = constant.copy()
        shares[informative] = special.expit(fit.group_effects + fit.slope * (time - centre))
        ends.append(float(np.dot(weights, shares)))
    return ends[0], ends[1]


def _flat_fit(cells: _Cells, weights: np.ndarray, periods: int, count: int, papers: int) -> TrendFit:
    """The result for data without an estimable trend (see :class:`TrendFit`)."""
    if papers > 0:
        group_share = _group_sums(cells, cells.counts) / _group_sums(cells, cells.totals)
        share = float(np.dot(weights, group_share))
    else:
        share = float("nan")
    return TrendFit(
        slope=0.0, slope_low=0.0, slope_high=0.0, log_odds_slope=0.0, log_odds_se=float("nan"), odds_ratio=1.0,
        p_value=1.0, share_start=share, share_end=share, dispersion=1.0, periods=periods, count=count,
        papers=papers,
    )
