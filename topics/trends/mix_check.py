"""Could the venue mix make a trend? A check of every trend call against the corpus's mix of venues (or sources).

A theme concentrated in one venue rises when that venue joins the corpus, and falls when it leaves, though no
venue writes more or less about it: the example corpus holds CVPR and ICCV papers only in some years, so
"computer vision declines" is its venue mix. For each window whose mix of venues changes across its periods
(:func:`mix_change`), every theme and topic is tested again *within* venues (one intercept per venue, as
``trends.normalize_by`` does) and the call is kept only when the within-venue test makes the same call:

* ``"agrees"``: the within-venue test makes the same call (or both make none): the call stands;
* ``"disagrees"``: it makes another (e.g. raw "declining", within venues no clear trend): the call is withheld;
* ``"not separable"``: within venues the slope cannot be estimated (each venue is seen in one period only, so
  venue and period are the same thing): the call is withheld;
* ``""``: the mix does not change enough to matter (or there is one venue): the raw call stands unchecked.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from topics.results import AGREES, DISAGREES, NOT_SEPARABLE, STABLE, MixChange, TrendTable, TrendWindow

#: The mix changes enough to check the calls when the dissimilarity index (the share of a period's papers that
#: would have to move to another venue for the period to have the window's venue mix, averaged over periods
#: weighted by papers) reaches this.
MIX_CHANGE_FLOOR = 0.15
#: Venues named in a warning (those whose share moved most).
NAMED_VENUES = 5


def mix_change(
    cell_totals: np.ndarray, names: tuple[str, ...], window: TrendWindow, period_rows: np.ndarray, field: str
) -> MixChange:
    """The change of the group mix over a window. ``cell_totals`` is ``(n_periods, n_groups)`` papers per period
    and group, ``period_rows`` the window's period rows in order, ``names`` the groups."""
    table = cell_totals[period_rows].astype(float)
    papers = table.sum(axis=1)
    overall = table.sum(axis=0) / max(table.sum(), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_period = np.where(papers[:, None] > 0, table / np.maximum(papers[:, None], 1.0), 0.0)
    distance = 0.5 * np.abs(per_period - overall[None, :]).sum(axis=1)
    dissimilarity = float((distance * papers).sum() / max(papers.sum(), 1.0))
    cumulative = np.cumsum(papers) / max(papers.sum(), 1.0)
    first, last = cumulative <= 1 / 3, cumulative > 2 / 3
    first[0] = last[-1] = True
    start = table[first].sum(axis=0) / max(table[first].sum(), 1.0)
    end = table[last].sum(axis=0) / max(table[last].sum(), 1.0)
    order = np.argsort(-np.abs(end - start), kind="stable")[:NAMED_VENUES]
    venues = tuple((names[g], float(start[g]), float(end[g])) for g in order if abs(end[g] - start[g]) >= 0.01)
    checked = dissimilarity >= MIX_CHANGE_FLOOR and int((table.sum(axis=0) > 0).sum()) >= 2
    return MixChange(window.name, field, round(dissimilarity, 4), venues, checked)


def check_calls(raw: pd.DataFrame, within: pd.DataFrame, changes: dict[str, MixChange]) -> pd.DataFrame:
    """The raw tests with the within-group check: ``raw_trend`` (the call before the check), ``mix_check``
    (see the module), ``mix_trend`` and ``mix_slope`` (the within-group call and slope) and ``trend`` withheld
    (:data:`STABLE`) where the check disagrees or cannot separate. ``within`` holds the within-group tests of the
    same windows (``basis`` ignored); ``changes`` maps window names to their :class:`MixChange`."""
    out = raw.copy()
    out["raw_trend"] = out["trend"]
    out["mix_check"] = ""
    out["mix_trend"] = ""
    out["mix_slope"] = np.nan
    if not len(out):
        return out
    index = within.set_index(["window", "kind", "id"]) if len(within) else None
    for row in out.itertuples():
        change = changes.get(str(row.window))
        if change is None or not change.checked or index is None:
            continue
        key = (row.window, row.kind, row.id)
        if key not in index.index:
            continue
        other = index.loc[key]
        separable = np.isfinite(float(other["slope_low"])) and float(other["slope_low"]) != float(other["slope_high"])
        verdict = AGREES if other["trend"] == row.trend else DISAGREES
        if not separable:
            verdict = NOT_SEPARABLE
        out.at[row.Index, "mix_check"] = verdict
        out.at[row.Index, "mix_trend"] = other["trend"] if separable else ""
        out.at[row.Index, "mix_slope"] = float(other["slope"]) if separable else np.nan
        if verdict != AGREES:
            out.at[row.Index, "trend"] = STABLE
    return out


def mix_warning(change: MixChange, trends: TrendTable) -> str:
    """The warning of a checked window: the mix change, and the calls withheld with their raw direction."""
    withheld = trends.withheld_calls(change.window)
    text = (
        f"trends: {change.describe()}, so it can make trends of its own; every call was checked within "
        f"{change.field}s"
    )
    if not len(withheld):
        return text + " and every one held"
    shown = "; ".join(
        f"{row.label} ({row.raw_trend} overall, {_within_words(str(row.mix_check), str(row.mix_trend))} within "
        f"{change.field}s)"
        for row in withheld.head(6).itertuples()
    )
    more = f"; and {len(withheld) - 6} more" if len(withheld) > 6 else ""
    return f"{text}: {len(withheld)} call(s) withheld: {shown}{more} (trend_tests.csv: raw_trend, mix_check)"


def warn_mix(trends: TrendTable, warn: Callable[[str], None]) -> None:
    """One warning per window whose calls were checked against the mix (see :func:`mix_warning`)."""
    for change in trends.mix_changes:
        if change.checked:
            warn(mix_warning(change, trends))


def _within_words(check: str, trend: str) -> str:
    return "no separate estimate" if check == NOT_SEPARABLE else trend or STABLE
