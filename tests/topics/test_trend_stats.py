"""Tests of topics.trends.stats: intervals, the quasi-binomial trend test, BH q-values, standardised shares."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from topics.results import DECLINING, EMERGING, STABLE
from topics.trends.stats import (
    TrendFit,
    benjamini_hochberg,
    classify_trend,
    difference_interval,
    fisher_p_value,
    fit_trend,
    standardized_shares,
    wilson_interval,
)

YEARS = np.arange(2010, 2020)


def fit_without_warnings(*args: object, **kwargs: object) -> TrendFit:
    """fit_trend with every warning turned into an error, so a leaked warning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fit_trend(*args, **kwargs)  # type: ignore[arg-type]


def assert_finite(fit: TrendFit, *, allow_nan: tuple[str, ...] = ()) -> None:
    for name, value in vars(fit).items():
        if name not in allow_nan:
            assert np.isfinite(value), f"{name} = {value}"


def plain_binomial_p_value(counts: np.ndarray, totals: np.ndarray, times: np.ndarray) -> float:
    """Wald p-value of the time slope of an ordinary binomial GLM (no dispersion), for comparison."""
    exog = sm.add_constant(times - times.mean())
    result = sm.GLM(np.column_stack([counts, totals - counts]), exog, family=sm.families.Binomial()).fit()
    return float(result.pvalues[1])


# --------------------------------------------------------------------------------------------------------------
# Wilson


def test_wilson_matches_closed_form_values() -> None:
    # z = 1.959964, z² = 3.841459. 0/10: centre = (z²/20) / (1 + z²/10) = 0.138767, half = z/(1+z²/10) *
    # sqrt(z²/400) = 0.138767 -> (0, 0.277533). 5/10: centre 0.5, half = 1.41601 * sqrt(0.025 + 0.0096037)
    # = 0.263407 -> (0.236593, 0.763407). 50/100: centre 0.5, half = z/1.0384146 * sqrt(0.0025 + 0.00009604)
    # = 0.096168 -> (0.403832, 0.596168).
    low, high = wilson_interval(np.array([0, 5, 50]), np.array([10, 10, 100]))
    np.testing.assert_allclose(low, [0.0, 0.236593, 0.403832], atol=1e-6)
    np.testing.assert_allclose(high, [0.277533, 0.763407, 0.596168], atol=1e-6)


def test_wilson_broadcasts_scalars_and_gives_nan_on_empty_total() -> None:
    low, high = wilson_interval(np.array([[0], [3]]), np.array([0, 10, 20]))
    assert low.shape == high.shape == (2, 3)
    assert np.isnan(low[:, 0]).all() and np.isnan(high[:, 0]).all()
    assert np.isfinite(low[:, 1:]).all()
    scalar_low, scalar_high = wilson_interval(7, 7, confidence=0.9)
    assert float(scalar_high) == pytest.approx(1.0)
    assert 0.6 < float(scalar_low) < 1.0


# --------------------------------------------------------------------------------------------------------------
# Acceptance: planted trends are found, flat themes are not


def planted_counts(
    rng: np.random.Generator, start: float, end: float, papers: int = 400
) -> tuple[np.ndarray, np.ndarray]:
    shares = np.linspace(start, end, YEARS.size)
    totals = np.full(YEARS.size, papers)
    return rng.binomial(totals, shares), totals


def test_planted_rising_theme_is_emerging_with_the_right_slope() -> None:
    counts, totals = planted_counts(np.random.default_rng(2024), 0.05, 0.15)
    fit = fit_without_warnings(counts, totals, YEARS)
    true_slope = 0.1 / 9  # 0.0111 a year
    assert fit.p_value < 0.01
    assert classify_trend(fit.slope, fit.p_value) == EMERGING
    assert fit.slope == pytest.approx(true_slope, rel=0.35)
    assert fit.slope_low < fit.slope < fit.slope_high
    assert fit.odds_ratio > 1 and fit.log_odds_slope > 0
    assert fit.share_start == pytest.approx(0.05, abs=0.025) and fit.share_end == pytest.approx(0.15, abs=0.03)
    assert (fit.periods, fit.count, fit.papers) == (10, int(counts.sum()), 4000)
    assert fit.dispersion >= 1.0


def test_planted_declining_theme_is_declining() -> None:
    counts, totals = planted_counts(np.random.default_rng(7), 0.20, 0.08)
    fit = fit_without_warnings(counts, totals, YEARS)
    assert fit.p_value < 0.01
    assert classify_trend(fit.slope, fit.p_value) == DECLINING
    assert fit.slope == pytest.approx(-0.12 / 9, rel=0.35)
    assert fit.slope_high < 0


def flat_theme_p_values(
    rng: np.random.Generator, n_themes: int, overdispersion: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """p-values of fit_trend and of a plain binomial test on flat themes (constant share per theme).

    ``overdispersion`` > 0 draws each year's share from a beta distribution around the theme's share with that
    intra-year correlation (beta-binomial counts: variance ``1 + (n - 1) * rho`` times binomial).
    """
    quasi, plain = np.empty(n_themes), np.empty(n_themes)
    for i in range(n_themes):
        share = rng.uniform(0.02, 0.3)
        totals = rng.integers(300, 601, size=YEARS.size)
        if overdispersion > 0:
            a, b = share * (1 - overdispersion) / overdispersion, (1 - share) * (1 - overdispersion) / overdispersion
            yearly = rng.beta(a, b, size=YEARS.size)
        else:
            yearly = np.full(YEARS.size, share)
        counts = rng.binomial(totals, yearly)
        quasi[i] = fit_trend(counts, totals, YEARS).p_value
        plain[i] = plain_binomial_p_value(counts, totals, YEARS.astype(float))
    return quasi, plain


def test_flat_binomial_themes_are_rarely_flagged() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quasi, _ = flat_theme_p_values(np.random.default_rng(20240601), 200)
    raw_rate = float(np.mean(quasi < 0.05))
    bh_rate = float(np.mean(benjamini_hochberg(quasi) < 0.05))
    print(f"\nflat binomial themes: p<0.05 in {raw_rate:.1%}, BH q<0.05 in {bh_rate:.1%} of 200")
    assert raw_rate <= 0.10
    assert bh_rate <= raw_rate
    # the p-values are not degenerate (e.g. all 1.0): roughly uniform, some below 0.2
    assert 0.05 < float(np.mean(quasi < 0.2)) < 0.35


def test_flat_overdispersed_themes_are_rarely_flagged_where_a_binomial_test_flags_many() -> None:
    quasi, plain = flat_theme_p_values(np.random.default_rng(99), 200, overdispersion=0.01)
    quasi_rate, plain_rate = float(np.mean(quasi < 0.05)), float(np.mean(plain < 0.05))
    print(f"\nflat beta-binomial themes: quasi-binomial p<0.05 in {quasi_rate:.1%}, plain binomial in {plain_rate:.1%}")
    assert plain_rate > 0.25
    assert quasi_rate <= 0.15


# --------------------------------------------------------------------------------------------------------------
# Groups: a shifting venue mix is not a trend


def shifting_venue_corpus(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Venue A (theme share 0.3) and venue B (0.05), B growing from 10% to 90% of 500 papers a year."""
    fraction_b = np.linspace(0.1, 0.9, YEARS.size)
    papers_b = np.round(500 * fraction_b).astype(int)
    papers_a = 500 - papers_b
    counts_a, counts_b = rng.binomial(papers_a, 0.3), rng.binomial(papers_b, 0.05)
    return {
        "counts": np.column_stack([counts_a, counts_b]),
        "totals": np.column_stack([papers_a, papers_b]),
    }


def test_grouped_fit_removes_a_trend_made_by_the_venue_mix() -> None:
    corpus = shifting_venue_corpus(np.random.default_rng(11))
    counts, totals = corpus["counts"], corpus["totals"]
    raw = fit_without_warnings(counts.sum(axis=1), totals.sum(axis=1), YEARS)
    # the mix shift is not linear in the logit, so even the raw fit is overdispersed (scale about 1.8)
    assert raw.p_value < 1e-3 and raw.slope < -0.01
    assert classify_trend(raw.slope, raw.p_value) == DECLINING

    cell_times = np.repeat(YEARS, 2)
    cell_groups = np.tile(np.array(["A", "B"]), YEARS.size)
    grouped = fit_without_warnings(counts.reshape(-1), totals.reshape(-1), cell_times, groups=cell_groups)
    assert grouped.p_value > 0.05
    assert abs(grouped.slope) < 0.005
    weights = totals.sum(axis=0) / totals.sum()
    expected_mix = weights @ np.array([0.3, 0.05])
    assert grouped.share_start == pytest.approx(expected_mix, abs=0.03)
    assert grouped.share_end == pytest.approx(expected_mix, abs=0.03)

    share, low, high = standardized_shares(counts, totals, weights)
    assert share.shape == low.shape == high.shape == (YEARS.size,)
    assert np.all((low <= share) & (share <= high))
    covered = (low <= expected_mix) & (expected_mix <= high)
    assert covered.sum() >= 8
    raw_share = counts.sum(axis=1) / totals.sum(axis=1)
    assert raw_share[0] - raw_share[-1] > 0.15  # the raw share does fall a lot
    standardized_slope = np.polyfit(YEARS, share, 1)[0]
    assert abs(standardized_slope) < 0.005 < abs(np.polyfit(YEARS, raw_share, 1)[0])


def test_grouped_fit_leaves_out_a_group_without_the_theme() -> None:
    rng = np.random.default_rng(5)
    counts_a, totals_a = planted_counts(rng, 0.05, 0.15, papers=300)
    cell_counts = np.concatenate([counts_a, np.zeros(YEARS.size, dtype=int)])
    cell_totals = np.concatenate([totals_a, np.full(YEARS.size, 300)])
    cell_times = np.concatenate([YEARS, YEARS])
    groups = ["A"] * YEARS.size + ["B"] * YEARS.size
    grouped = fit_without_warnings(cell_counts, cell_totals, cell_times, groups=groups)
    alone = fit_without_warnings(counts_a, totals_a, YEARS)
    assert grouped.log_odds_slope == pytest.approx(alone.log_odds_slope)
    assert grouped.p_value == pytest.approx(alone.p_value)
    # B has weight 1/2 and share 0 throughout
    assert grouped.share_start == pytest.approx(alone.share_start / 2)
    assert grouped.share_end == pytest.approx(alone.share_end / 2)


# --------------------------------------------------------------------------------------------------------------
# Degenerate inputs


@pytest.mark.parametrize(
    ("counts", "totals", "times", "share"),
    [
        ([0, 0, 0, 0], [10, 20, 30, 40], [1, 2, 3, 4], 0.0),  # no paper with the theme
        ([10, 20, 30], [10, 20, 30], [1, 2, 3], 1.0),  # every paper with it
        ([3, 5], [10, 10], [2015, 2015], 0.4),  # one distinct time
        ([4], [10], [2020], 0.4),  # one row
        ([0, 3, 0], [0, 10, 0], [1, 2, 3], 0.3),  # only one time has papers
    ],
)
def test_degenerate_inputs_give_a_flat_documented_fit(
    counts: list[int], totals: list[int], times: list[int], share: float
) -> None:
    fit = fit_without_warnings(counts, totals, times)
    assert (fit.slope, fit.slope_low, fit.slope_high) == (0.0, 0.0, 0.0)
    assert (fit.log_odds_slope, fit.odds_ratio, fit.p_value, fit.dispersion) == (0.0, 1.0, 1.0, 1.0)
    assert np.isnan(fit.log_odds_se)
    assert fit.share_start == pytest.approx(share) and fit.share_end == pytest.approx(share)
    assert_finite(fit, allow_nan=("log_odds_se",))


def test_no_papers_at_all_gives_nan_shares() -> None:
    fit = fit_without_warnings([0, 0], [0, 0], [1, 2])
    assert (fit.periods, fit.count, fit.papers, fit.p_value) == (0, 0, 0, 1.0)
    assert np.isnan(fit.share_start) and np.isnan(fit.share_end)
    empty = fit_without_warnings([], [], [])
    assert empty.papers == 0 and empty.slope == 0.0


def test_rows_without_papers_are_dropped() -> None:
    counts, totals = planted_counts(np.random.default_rng(3), 0.05, 0.15)
    padded = fit_without_warnings(np.r_[0, counts, 0], np.r_[0, totals, 0], np.r_[2000, YEARS, 2030])
    plain = fit_without_warnings(counts, totals, YEARS)
    assert padded == plain


@pytest.mark.parametrize(
    ("counts", "totals"),
    [
        ([0, 0, 0, 5, 9], [5, 5, 5, 5, 9]),  # quasi-complete separation: no theme, then only the theme
        ([0, 0, 0, 5, 9], [10, 10, 10, 10, 10]),  # abrupt appearance, not separated
        ([0, 10], [10, 10]),  # two periods, saturated and separated
        ([9, 5, 0, 0, 0], [9, 5, 5, 5, 5]),  # the reverse
    ],
)
def test_separation_gives_a_finite_sensible_fit(counts: list[int], totals: list[int]) -> None:
    times = np.arange(2000, 2000 + len(counts))
    fit = fit_without_warnings(counts, totals, times)
    assert_finite(fit)
    rising = counts[-1] > counts[0]
    assert (fit.slope > 0) == rising and (fit.log_odds_slope > 0) == rising
    assert fit.slope_low <= fit.slope <= fit.slope_high
    assert 0.0 <= fit.p_value <= 1.0
    assert abs(fit.log_odds_slope) < 10
    assert 0.0 <= min(fit.share_start, fit.share_end) and max(fit.share_start, fit.share_end) <= 1.0


def test_separated_fit_is_still_significant_when_the_jump_is_large() -> None:
    # a step, not a logistic ramp: the corrected fit is overdispersed (scale about 4), p about 0.01
    counts = [0, 0, 0, 0, 0, 40, 45, 50]
    fit = fit_without_warnings(counts, [50] * 8, np.arange(8))
    assert fit.dispersion > 1
    assert fit.p_value < 0.05 and classify_trend(fit.slope, fit.p_value) == EMERGING


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="counts must lie"):
        fit_trend([5], [3], [1])
    with pytest.raises(ValueError, match="differ in length"):
        fit_trend([1, 2], [3, 4], [1])
    with pytest.raises(ValueError, match="groups"):
        fit_trend([1, 2], [3, 4], [1, 2], groups=["a"])


def test_overdispersed_data_get_a_larger_scale_and_wider_interval() -> None:
    counts = np.array([20, 60, 15, 70, 25, 80, 20, 75, 30, 85])
    totals = np.full(10, 400)
    fit = fit_without_warnings(counts, totals, YEARS)
    plain_p = plain_binomial_p_value(counts, totals, YEARS.astype(float))
    assert fit.dispersion > 5
    assert fit.p_value > plain_p
    # t test with df_resid = 8 on the scaled standard error
    t_value = fit.log_odds_slope / fit.log_odds_se
    assert fit.p_value == pytest.approx(2 * stats.t(8).sf(abs(t_value)))


# --------------------------------------------------------------------------------------------------------------
# Multiple testing, classification


def test_benjamini_hochberg_matches_statsmodels() -> None:
    p_values = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.5, 1.0])
    expected = multipletests(p_values, method="fdr_bh")[1]
    np.testing.assert_allclose(benjamini_hochberg(p_values), expected)
    shuffled = np.random.default_rng(0).permutation(p_values.size)
    np.testing.assert_allclose(benjamini_hochberg(p_values[shuffled]), expected[shuffled])


def test_benjamini_hochberg_ignores_nan() -> None:
    p_values = np.array([0.01, np.nan, 0.04, 0.03, np.nan])
    q_values = benjamini_hochberg(p_values)
    assert np.isnan(q_values[[1, 4]]).all()
    np.testing.assert_allclose(q_values[[0, 2, 3]], multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1])
    assert benjamini_hochberg([]).shape == (0,)


@pytest.mark.parametrize(
    ("slope", "q_value", "expected"),
    [(0.01, 0.01, EMERGING), (-0.01, 0.01, DECLINING), (0.01, 0.05, STABLE), (-0.01, 0.2, STABLE),
     (0.01, float("nan"), STABLE), (0.0, 0.001, STABLE)],
)
def test_classify_trend(slope: float, q_value: float, expected: str) -> None:
    assert classify_trend(slope, q_value) == expected


# --------------------------------------------------------------------------------------------------------------
# Standardised shares, differences, Fisher


def test_standardized_shares_by_hand() -> None:
    counts = np.array([[3, 1], [0, 0], [5, 0]])
    totals = np.array([[10, 10], [0, 0], [10, 0]])
    weights = np.array([0.25, 0.75])
    share, low, high = standardized_shares(counts, totals, weights)
    # period 0: 0.25*0.3 + 0.75*0.1 = 0.15; variance = 0.0625*(5/14)(9/14)/14 + 0.5625*(3/14)(11/14)/14
    variance = 0.0625 * (5 / 14) * (9 / 14) / 14 + 0.5625 * (3 / 14) * (11 / 14) / 14
    assert share[0] == pytest.approx(0.15)
    assert high[0] - share[0] == pytest.approx(1.959964 * np.sqrt(variance), rel=1e-5)
    assert np.isnan([share[1], low[1], high[1]]).all()  # no papers
    # period 2: only group 0 present, its weight renormalised to 1
    assert share[2] == pytest.approx(0.5)
    assert high[2] - share[2] == pytest.approx(1.959964 * np.sqrt((7 / 14) * (7 / 14) / 14), rel=1e-5)


def test_standardized_shares_clip_and_reject_bad_shapes() -> None:
    share, low, high = standardized_shares(np.array([[0], [5]]), np.array([[5], [5]]), np.array([1.0]))
    assert share.tolist() == [0.0, 1.0]
    assert low[0] == 0.0 and high[0] > 0.0 and high[1] == 1.0 and low[1] < 1.0
    with pytest.raises(ValueError):
        standardized_shares(np.ones((2, 2)), np.ones((2, 2)), np.ones(3) / 3)


def test_difference_interval_matches_newcombe_example() -> None:
    # Newcombe (1998), Stat Med 17:873, first example: 56/70 vs 48/80, p1 - p2 = 0.2, method 10: 0.0524 to 0.3339.
    diff, low, high = difference_interval(48, 80, 56, 70)  # p2 - p1 with p2 = 56/70
    assert float(diff) == pytest.approx(0.2)
    assert float(low) == pytest.approx(0.0524, abs=5e-5) and float(high) == pytest.approx(0.3339, abs=5e-5)
    diff, low, high = difference_interval(56, 70, 48, 80)  # reversed: the interval flips
    assert float(diff) == pytest.approx(-0.2)
    assert float(low) == pytest.approx(-0.3339, abs=5e-5) and float(high) == pytest.approx(-0.0524, abs=5e-5)


def test_difference_interval_is_vectorised_and_nan_on_empty() -> None:
    diff, low, high = difference_interval(np.array([48, 0, 3]), np.array([80, 0, 10]), 56, 70)
    assert diff.shape == low.shape == high.shape == (3,)
    assert np.isnan([diff[1], low[1], high[1]]).all()
    assert low[2] < diff[2] < high[2] and -1 <= low[2] and high[2] <= 1


def test_fisher_p_value() -> None:
    # Fisher's tea tasting: [[3, 1], [1, 3]], two-sided p = 34/70
    assert fisher_p_value(3, 4, 1, 4) == pytest.approx(34 / 70)
    assert fisher_p_value(0, 10, 0, 12) == 1.0
    assert fisher_p_value(0, 0, 3, 5) == 1.0
    assert fisher_p_value(0, 50, 20, 50) < 1e-6
