"""The report of a large corpus (the 47.5k papers of ../shared/data/ml-abstracts) stays usable: under 25 MB, the
documents map sampled, hover text capped, every paper in the (paged) table; its load time in Chromium is printed
(no timing assertion: speed targets live in bench/). Nothing in it can send its data anywhere (the check of
test_report_privacy.py). Both tests are in this file so that the 47.5k-paper run is made once (~70 s)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.privacy import assert_private, exercise_report

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.shared_data]

MAX_REPORT_BYTES = 25_000_000


def test_large_report_is_small_sampled_and_complete(chromium: Any, large_report: tuple[Path, Any], output_folder: Path) -> None:
    path, result = large_report
    size = path.stat().st_size
    print(f"\nreport of {len(result.corpus):,} papers: {size / 1e6:.1f} MB")
    assert size < MAX_REPORT_BYTES
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        loaded = time.perf_counter() - start
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('div.figure[data-figure]')).every((d) => d.querySelector('svg.main-svg'))",
            timeout=300_000,
        )
        drawn = time.perf_counter() - start
        print(f"Chromium: load event after {loaded:.2f} s, every figure drawn after {drawn:.2f} s")
        counts = page.evaluate("""() => {
          const gd = document.getElementById("fig-docmap");
          const data = JSON.parse(document.getElementById("paper-data").textContent);
          const hover = [].concat(...gd.data.map((t) => t.customdata || []));
          return {points: gd.data.reduce((n, t) => n + t.x.length, 0), rows: data.rows.length,
                  shown: document.querySelectorAll("#paper-table tbody tr").length,
                  longestHover: Math.max(...hover.map((h) => h.length)), title: gd.layout.title.text};
        }""")
        n_papers = len(result.corpus)
        assert counts["rows"] == n_papers and counts["shown"] == 50
        assert counts["points"] == 3000 and re.search(rf"3,000 of {n_papers:,} papers shown", counts["title"])
        assert counts["longestHover"] <= 400  # 3 wrapped lines of 70 characters (escaped) and the period
        page.screenshot(path=str(output_folder / "report-47k.png"))
    finally:
        page.close()


def test_large_report_sends_nothing_anywhere(chromium: Any, large_report: tuple[Path, Any]) -> None:
    exercised = exercise_report(chromium, large_report[0])
    assert len(exercised.toolbars) >= 10
    assert_private(exercised)
