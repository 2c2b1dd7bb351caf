"""Cell values and axis labels shared by the trend, comparison and venue figures: numbers that may be missing,
text that may be NaN, category labels that must stay distinct, rows in theme order, a frame's rows per period."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reports.escape import escape_text
from topics.results import UNASSIGNED, ThemeTable

#: Characters of a row label (theme, topic, venue) kept on an axis.
LABEL_CHARS = 50
#: Extra height in pixels of a heatmap whose column labels are slanted.
SLANTED_LABELS_HEIGHT = 90


def number(value: object) -> float | None:
    """``value`` as a float, ``None`` when missing (NaN, None, not a number)."""
    try:
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(as_float) else as_float


def percentage_points(value: object) -> float | None:
    """A fraction ``value`` in percentage points, ``None`` when missing."""
    fraction = number(value)
    return None if fraction is None else fraction * 100


def whole(value: object) -> int | None:
    """``value`` as an int, ``None`` when missing."""
    as_float = number(value)
    return None if as_float is None else int(round(as_float))


def text(value: object) -> str:
    """``value`` as stripped text, ``""`` when missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def unique(labels: Sequence[str]) -> list[str]:
    """``labels`` with repeats numbered (``"x"``, ``"x (2)"``) so a category axis never merges two rows."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def row_label(row: object) -> str:
    """Raw axis label of a tests/comparison row: ``"Theme: label"`` or ``"Topic id: label"``."""
    kind = str(getattr(row, "kind", ""))
    ident = str(getattr(row, "id", ""))
    label = text(getattr(row, "label", "")) or ident
    if kind == "topic":
        prefix = f"Topic {ident}: "
        return label if label.startswith(prefix) else prefix + label
    if kind == "theme":
        if ident == UNASSIGNED and label == ident:
            label = "Unassigned"
        return label if label.startswith("Theme: ") else "Theme: " + label
    return label


def theme_order(frame: pd.DataFrame, themes: ThemeTable) -> list[str]:
    """Theme ids present in ``frame["theme"]``: theme order, then unknown ids sorted, then unassigned."""
    present = set(frame["theme"].astype(str)) if len(frame) else set()
    order = [t for t in themes.theme_ids if t in present]
    order += sorted(present - set(order) - {UNASSIGNED})
    return order + ([UNASSIGNED] if UNASSIGNED in present else [])


def period_labels(periods: Sequence[str]) -> list[str]:
    """The periods as escaped axis categories, in the order given (chronological: ``TrendTable.periods``)."""
    return [escape_text(p) for p in periods]


def period_rows(frame: pd.DataFrame, key: str, value: str, periods: Sequence[str]) -> pd.DataFrame:
    """``frame``'s rows with ``frame[key] == value``, one per period in ``periods`` order (NaN when missing).

    ``periods`` are escaped; the frame's periods are escaped the same way before matching.
    """
    rows = frame[frame[key].astype(str) == value]
    rows = rows.assign(period=[escape_text(p) for p in rows["period"].astype(str)])
    return rows.drop_duplicates("period").set_index("period").reindex(list(periods))


def column(rows: pd.DataFrame, name: str) -> pd.Series:
    """``rows[name]``, or NaNs when the frame lacks it."""
    return rows[name] if name in rows else pd.Series(np.nan, index=rows.index)
