"""Trends, first cut: per period, the number of papers and each theme's count and share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from topics.results import UNASSIGNED, ThemeTable, TrendTable


def period_sort_key(period: str) -> tuple[tuple[int, int | str], ...]:
    """Order periods naturally: ``"2023-24" < "2025" < "2025b"``, numbers before words."""
    parts = re.findall(r"\d+|\D+", period)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def order_periods(periods: Iterable[str]) -> tuple[str, ...]:
    """Distinct periods in chronological (natural) order."""
    return tuple(sorted(set(periods), key=period_sort_key))


def theme_trends(periods: Sequence[str], table: ThemeTable) -> TrendTable:
    """Counts and shares of every theme (and of unassigned papers) per period.

    ``periods[i]`` is paper i's period, aligned with ``table``'s rows. Shares are ``count / papers`` of the
    period; a paper with several themes counts once in each.
    """
    ordered = order_periods(periods)
    labels = np.asarray(periods, dtype=object)
    unassigned = ~table.assigned.any(axis=1)
    rows: list[dict[str, object]] = []
    for period in ordered:
        in_period = labels == period
        papers = int(in_period.sum())
        counts = table.assigned[in_period].sum(axis=0)
        for theme, count in zip((*table.theme_ids, UNASSIGNED), (*counts, unassigned[in_period].sum())):
            rows.append(
                {"period": period, "theme": theme, "papers": papers, "count": int(count),
                 "share": round(float(count) / papers, 6) if papers else 0.0}
            )
    frame = pd.DataFrame(rows, columns=["period", "theme", "papers", "count", "share"])
    return TrendTable(frame=frame, periods=ordered)
