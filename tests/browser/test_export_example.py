"""`topics export` of the main job's run (configs/default.yaml on the shipped example corpus): every figure of the
report as PNG, SVG and PDF at 300 dpi, with the stable file names and the pixel sizes the README states."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from reports.static_export import FIGURES_DIR, figure_size, png_size, read_run_figures
from tests.topics.helpers import invoke
from tests.topics.test_export_cli import check_pdf, check_svg, png_dpi, png_pixels

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_export_writes_every_figure_of_the_example_run_at_300_dpi(
    chromium: Any, example_report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("kaleido")
    monkeypatch.setenv("BROWSER_PATH", os.environ.get("TOPICS_CHROMIUM", "/usr/bin/chromium"))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    shutil.copy(example_report, run_dir / "report.html")
    figures = read_run_figures(run_dir)
    assert len(figures) >= 20 and {"trends-shares", "science-maps-coword", "docmap", "papers-per-period"} & set(figures)
    assert invoke(["export", run_dir, "--format", "png,svg,pdf", "--dpi", "300", "--quiet"]) == 0
    folder = run_dir / FIGURES_DIR
    assert {p.name for p in folder.iterdir()} == {f"{i}.{fmt}" for i in figures for fmt in ("png", "svg", "pdf")}
    for figure_id, fig in figures.items():
        width, height = figure_size(fig)
        assert png_pixels(folder / f"{figure_id}.png") == png_size(width, height, 300), figure_id
        assert png_size(width, height, 300)[0] == 3125  # 1000 CSS px at 300/96
        assert png_dpi(folder / f"{figure_id}.png") == pytest.approx(300, abs=0.01)
        check_svg(folder / f"{figure_id}.svg", width, height)
        check_pdf(folder / f"{figure_id}.pdf", width)
