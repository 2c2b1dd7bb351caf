"""Headless Chromium for the report tests: Debian's /usr/bin/chromium driven by Playwright (never a downloaded
browser). ``make test`` installs both; elsewhere the tests skip with the reason, unless REQUIRE_BROWSER=1 (set
by ``make test``) turns a missing browser into a failure so that CI cannot pass without running them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT, SHARED_DATA
from topics.config import load_config
from topics.pipeline.runner import run_and_write

CHROMIUM = Path(os.environ.get("TOPICS_CHROMIUM", "/usr/bin/chromium"))


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1: make test installs chromium and playwright)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``) shared by the session's browser tests."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def output_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test run's output folder for screenshots (printed, so a reader can open them)."""
    folder = Path(os.environ["TOPICS_TEST_OUTPUT"]) if os.environ.get("TOPICS_TEST_OUTPUT") else tmp_path_factory.getbasetemp() / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the main job (configs/default.yaml on the example corpus in data/), written to a temporary
    folder."""
    base = tmp_path_factory.mktemp("example")
    config = load_config(PROJECT_ROOT / "configs" / "default.yaml", [f"output.dir={base / 'out'}", f"cache.dir={base / 'cache'}"])
    _, paths = run_and_write(config)
    return paths["report.html"]


@pytest.fixture(scope="session")
def large_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The report of the 47.5k papers of ../shared/data/ml-abstracts (default settings) and the run's result;
    skips where ../shared is absent."""
    source = SHARED_DATA / "ml-abstracts" / "papers.parquet"
    if not source.is_file():
        pytest.skip("../shared/data/ml-abstracts is absent")
    base = tmp_path_factory.mktemp("large")
    config = load_config(None, [f"inputs=[{{path: '{source}'}}]", f"output.dir={base / 'out'}", f"cache.dir={base / 'cache'}"])
    result, paths = run_and_write(config)
    return paths["report.html"], result
