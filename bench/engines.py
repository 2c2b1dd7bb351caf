"""The Spark engine against the local engine on the same corpus: how many papers each theme gets.

Both runs write papers.csv; a paper's ``themes`` cell holds its theme ids, ``;``-separated. A theme's share is
the fraction of papers carrying it (a paper may carry several themes or none), and the comparison reports per
theme both shares and their difference in percentage points (Spark minus local).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any


def theme_shares(papers_csv: Path) -> tuple[dict[str, float], int]:
    """Share of papers (in ``[0, 1]``) carrying each theme in ``papers_csv``, and the number of papers."""
    counts: Counter[str] = Counter()
    n_papers = 0
    with open(papers_csv, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            n_papers += 1
            counts.update(t for t in (row.get("themes") or "").split(";") if t)
    return {theme: count / n_papers for theme, count in sorted(counts.items())} if n_papers else {}, n_papers


def compare_theme_shares(local_csv: Path, spark_csv: Path) -> dict[str, Any]:
    """Per theme, the local and Spark shares (percent) and their difference in points; the largest and mean
    absolute differences. Themes present in only one run count with share 0 in the other."""
    local, n_local = theme_shares(local_csv)
    spark, n_spark = theme_shares(spark_csv)
    rows = []
    for theme in sorted(set(local) | set(spark)):
        a, b = 100 * local.get(theme, 0.0), 100 * spark.get(theme, 0.0)
        rows.append({"theme": theme, "local_pct": round(a, 2), "spark_pct": round(b, 2), "difference_points": round(b - a, 2)})
    differences = [abs(r["difference_points"]) for r in rows]
    return {
        "papers_local": n_local,
        "papers_spark": n_spark,
        "themes": rows,
        "max_abs_points": max(differences) if differences else 0.0,
        "mean_abs_points": round(sum(differences) / len(differences), 2) if differences else 0.0,
    }
