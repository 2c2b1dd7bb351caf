"""The emerging/declining ranking as terminal tables (``topics trends``)."""

from __future__ import annotations

import pandas as pd
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from topics.results import DECLINING, EMERGING, NORMALIZED, RAW, STABLE, SnapshotComparison, TrendTable


def signed_points(value: float) -> str:
    """A share change (a fraction) as signed percentage points: ``0.0123 -> "+1.23"``."""
    return f"{100 * value:+.2f}"


def ranked_rows(tests: pd.DataFrame, window: str, basis: str, top: int) -> pd.DataFrame:
    """The emerging rows of a window and basis (largest rise first), then the declining ones (largest fall
    first), at most ``top`` of each."""
    rows = tests[(tests["window"] == window) & (tests["basis"] == basis)]
    emerging = rows[rows["trend"] == EMERGING].sort_values("slope", ascending=False).head(top)
    declining = rows[rows["trend"] == DECLINING].sort_values("slope").head(top)
    return pd.concat([emerging, declining])


def _withheld_words(trends: TrendTable, window: str) -> str:
    """``"2 call(s) withheld: ..."`` when the venue-mix check withheld calls of ``window``, else ``""``."""
    withheld = len(trends.withheld_calls(window))
    return f"{withheld} call(s) withheld: the venue mix could make them; see the warning" if withheld else ""


def ranking_tables(trends: TrendTable, top: int = 15) -> list[Table]:
    """One table per window and basis: kind, label, trend, slope with its interval (points per time unit),
    fitted share at the window's start and end, q-value; the caption counts those with no clear trend (and the
    calls the venue-mix check withheld)."""
    tables: list[Table] = []
    tests = trends.tests
    if tests is None or not len(tests):
        return tables
    unit = trends.time_unit
    for window in trends.windows:
        for basis in (RAW, NORMALIZED):
            subset = tests[(tests["window"] == window.name) & (tests["basis"] == basis)]
            if not len(subset):
                continue
            rows = ranked_rows(tests, window.name, basis, top)
            withheld = _withheld_words(trends, window.name)
            stable = int((subset["trend"] == STABLE).sum())
            title = f"{window.name} ({window.periods[0]} to {window.periods[-1]})"
            if basis == NORMALIZED:
                title += f", normalised by {trends.normalize_by}"
            table = Table(
                title=escape(title),
                caption=(
                    f"{stable} of {len(subset)} themes and topics with no clear trend"
                    f"{f' ({withheld})' if withheld and basis == RAW else ''}; emerging/declining: Benjamini-Hochberg "
                    f"q < {trends.alpha:g}; slope = change in share, points per {unit}, "
                    f"{trends.confidence:.0%} interval"
                ),
            )
            for name, justify in (("kind", "left"), ("theme / topic", "left"), ("trend", "left"), ("slope", "right"),
                                  ("interval", "right"), ("fitted share start → end", "right"), ("q", "right")):
                table.add_column(name, justify=justify)  # type: ignore[arg-type]
            for row in rows.itertuples(index=False):
                label = row.label if row.kind == "theme" else f"{row.id} · {row.label}"
                table.add_row(
                    str(row.kind), Text(str(label)), str(row.trend), signed_points(row.slope),
                    f"[{signed_points(row.slope_low)}, {signed_points(row.slope_high)}]",
                    f"{row.share_start:.1%} → {row.share_end:.1%}", f"{row.q_value:.2g}",
                )
            if not len(rows):
                table.add_row("", "(no significant trend)", "", "", "", "", "")
            tables.append(table)
    return tables


def comparison_table(comparison: SnapshotComparison) -> Table:
    """The themes that changed between the two compared periods (see
    :meth:`topics.results.SnapshotComparison.changed_rows`)."""
    frame = comparison.frame
    n_before, n_after = int(frame["papers_before"].iloc[0]), int(frame["papers_after"].iloc[0])
    table = Table(
        title=escape(f"{comparison.before} ({n_before:,} papers) against {comparison.after} ({n_after:,} papers)"),
        caption="themes that are new, gone, significantly changed (Fisher's exact test, Benjamini-Hochberg), or "
        "moved by at least 5 points; comparison.csv has every theme and topic",
    )
    for name, justify in (("theme", "left"), ("change", "left"), ("before", "right"), ("after", "right"),
                          ("difference", "right"), ("interval", "right"), ("q", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    rows = comparison.changed_rows()
    for row in rows.itertuples(index=False):
        status = row.status if row.status != "stable" else "not significant"
        table.add_row(
            Text(str(row.label)), status, f"{row.count_before} ({row.share_before:.1%})",
            f"{row.count_after} ({row.share_after:.1%})", signed_points(row.change),
            f"[{signed_points(row.change_low)}, {signed_points(row.change_high)}]", f"{row.q_value:.2g}",
        )
    if not len(rows):
        table.add_row("(no theme changed)", "", "", "", "", "", "")
    return table


def run_summary(trends: TrendTable, theme_labels: dict[str, str], theme_counts: dict[str, int], papers: int,
                top: int = 3) -> list[str]:
    """The lines ``topics run`` prints after a run: papers per theme (most first, with their share of the
    papers) and, for the first trend window, the strongest emerging and declining themes and topics (with the
    calls the venue-mix check withheld counted)."""
    ranked = sorted(theme_counts.items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(
        f"{theme_labels.get(tid, tid)} {n:,} ({n / max(papers, 1):.0%})" for tid, n in ranked if n
    )
    lines = [f"themes: {shown or 'none assigned'}"]
    tests = trends.tests
    if tests is None or not len(tests) or not trends.windows:
        return lines
    window = trends.windows[0]
    rows = ranked_rows(tests, window.name, RAW, top)
    unit = trends.time_unit
    for direction in (EMERGING, DECLINING):
        called = rows[rows["trend"] == direction]
        words = "; ".join(
            f"{r.label if r.kind == 'theme' else f'topic {r.id} ({r.label})'} {signed_points(r.slope)} points/{unit}"
            for r in called.itertuples(index=False)
        )
        lines.append(f"{direction} over {window.name}: {words or 'none'}")
    withheld = _withheld_words(trends, window.name)
    if withheld:
        lines.append(f"  {withheld}")
    return lines
