"""Nothing in the main job's report (configs/default.yaml on the shipped example corpus) can send its data
anywhere: everything a reader can do to it, done in headless Chromium (tests/browser/privacy.py). The 47.5k-paper
report gets the same check in test_large_report.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.privacy import assert_private, exercise_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_example_report_sends_nothing_anywhere(chromium: Any, example_report: Path) -> None:
    exercised = exercise_report(chromium, example_report)
    print(f"\n{len(exercised.toolbars)} figures, {sum(map(len, exercised.toolbars.values()))} toolbar buttons clicked, "
          f"{len(exercised.offered)} controls they opened clicked, {len(exercised.links)} links followed, "
          f"{len(exercised.downloads)} PNGs downloaded")
    assert len(exercised.toolbars) >= 10
    assert_private(exercised)
