"""`topics export RUN_DIR` and `report.static`: the report's figures as PNG, SVG and PDF files in RUN_DIR/figures/,
drawn by Chromium through kaleido from the figures embedded in report.html.

The drawing tests need Debian's /usr/bin/chromium (or TOPICS_CHROMIUM) and kaleido: they skip without them, unless
REQUIRE_BROWSER=1 (set by ``make test``) turns a missing browser into a failure, as in tests/browser/.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import pytest

from reports import static_export
from reports.html import render_sections
from reports.page import Section
from reports.static_export import FIGURES_DIR, figure_size, png_size, read_run_figures, write_figures
from tests.topics.helpers import FAST, MILA_CONFIG, CliResult
from topics.config import ConfigError, load_config
from topics.pipeline.runner import run_and_write

CHROMIUM = Path(os.environ.get("TOPICS_CHROMIUM", "/usr/bin/chromium"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
browser = pytest.mark.browser


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Chromium the export draws with (BROWSER_PATH points at it); skips (or fails with REQUIRE_BROWSER=1)
    without Chromium or kaleido."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    elif not _has_kaleido():
        reason = "the kaleido package is missing (pip install kaleido)"
    if reason is not None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (REQUIRE_BROWSER=1: make test installs chromium)")
        pytest.skip(reason)
    monkeypatch.setenv("BROWSER_PATH", str(CHROMIUM))
    return CHROMIUM


def _has_kaleido() -> bool:
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def mila_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of configs/mila.yaml (23 papers, two periods: every kind of figure, the Sankeys and the
    documents map's scattergl included)."""
    base = tmp_path_factory.mktemp("mila")
    config = load_config(
        MILA_CONFIG, ["report.map.method=svd", f"output.dir={base / 'out'}", f"cache.dir={base / 'cache'}"]
    )
    _, paths = run_and_write(config)
    return paths["report.html"].parent


@pytest.fixture
def run_copy(mila_run: Path, tmp_path: Path) -> Path:
    """A folder of its own holding the mila run's report.html (what the export reads)."""
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(mila_run / "report.html", folder / "report.html")
    return folder


def small_report(folder: Path) -> Path:
    """A run folder whose report.html (the real template) holds two figures: one without a layout size and one of
    640 x 333 px whose title would close a ``<script>`` block unescaped."""
    folder.mkdir(parents=True, exist_ok=True)
    plain = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"height": 420})
    sized = go.Figure(go.Scatter(x=[1, 2], y=[2, 1]), layout={"width": 640, "height": 333, "title": "</script> & <b>"})
    page = render_sections("small", [], [Section(id="bars", title="Bars", figure=plain),
                                        Section(id="lines", title="Lines", figure=sized)])
    (folder / "report.html").write_text(page, encoding="utf-8")
    return folder


def png_pixels(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (checks the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_dpi(path: Path) -> float:
    """The dots per inch of a PNG's pHYs chunk."""
    data = path.read_bytes()
    at = data.index(b"pHYs")
    per_metre_x, per_metre_y, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1 and per_metre_x == per_metre_y
    return per_metre_x * 0.0254


def check_svg(path: Path, width: float, height: float) -> None:
    root = ET.fromstring(path.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg", path
    assert (float(root.get("width", 0)), float(root.get("height", 0))) == (width, height), path


def check_pdf(path: Path, width: float) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), path
    assert f"/MediaBox [0 0 {width * 0.75:g} ".encode() in data, path  # W px at 96 px/in = 0.75 W points


# --- drawing: every figure, one figure, the run's report.static ------------------------------------------------


@pytest.mark.slow
@browser
def test_export_writes_png_svg_and_pdf_of_every_figure(
    cli: Callable[..., CliResult], chromium: Path, run_copy: Path
) -> None:
    figures = read_run_figures(run_copy)
    assert {"science-maps-evolution-theme", "docmap", "trends-comparison"} <= set(figures)
    assert "sankey" in {t.type for t in figures["science-maps-evolution-theme"].data}
    assert "scattergl" in {t.type for t in figures["docmap"].data}
    result = cli("export", run_copy, "--format", "png,svg,pdf", "--dpi", "300")
    assert result.code == 0, result.err
    folder = run_copy / FIGURES_DIR
    expected = {f"{figure_id}.{fmt}" for figure_id in figures for fmt in ("png", "svg", "pdf")}
    assert {p.name for p in folder.iterdir()} == expected
    assert result.out.split() == [str(folder / f"{i}.{fmt}") for i in figures for fmt in ("png", "svg", "pdf")]
    for figure_id, fig in figures.items():
        width, height = figure_size(fig)
        assert width == 1000 and height == fig.layout.height  # the report's figures leave the width to the page
        assert png_pixels(folder / f"{figure_id}.png") == png_size(width, height, 300) == (3125, int(height * 3.125))
        assert png_dpi(folder / f"{figure_id}.png") == pytest.approx(300, abs=0.01)
        check_svg(folder / f"{figure_id}.svg", width, height)
        check_pdf(folder / f"{figure_id}.pdf", width)
    assert sorted(p.name for p in run_copy.iterdir()) == [FIGURES_DIR, "report.html"]  # no temporary left


@pytest.mark.slow
@browser
def test_figure_option_writes_one_figure_and_keeps_the_others(
    cli: Callable[..., CliResult], chromium: Path, tmp_path: Path
) -> None:
    run_dir = small_report(tmp_path / "run")
    first = cli("export", run_dir, "--format", "png,svg", "--dpi", "150")
    assert first.code == 0, first.err
    folder = run_dir / FIGURES_DIR
    assert sorted(p.name for p in folder.iterdir()) == ["bars.png", "bars.svg", "lines.png", "lines.svg"]
    assert png_pixels(folder / "lines.png") == png_size(640, 333, 150) == (1000, 520)  # 520.3: the fraction dropped
    assert png_pixels(folder / "bars.png") == (1562, 656)  # 1000 x 420 at 150/96: 1562.5 x 656.25
    check_svg(folder / "lines.svg", 640, 333)
    before = (folder / "bars.png").read_bytes()
    result = cli("export", run_dir, "--figure", "lines", "--format", "pdf", "--quiet")
    assert result.code == 0, result.err
    assert result.out.split() == [str(folder / "lines.pdf")] and result.err == ""
    assert sorted(p.name for p in folder.iterdir()) == ["bars.png", "bars.svg", "lines.pdf", "lines.png", "lines.svg"]
    assert (folder / "bars.png").read_bytes() == before
    check_pdf(folder / "lines.pdf", 640)
    again = cli("export", run_dir, "--format", "svg")  # every figure again: the other formats' files go
    assert again.code == 0, again.err
    assert sorted(p.name for p in folder.iterdir()) == ["bars.svg", "lines.svg"]


@pytest.mark.slow
@browser
def test_run_writes_the_static_figures_of_report_static(
    cli: Callable[..., CliResult], chromium: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli("run", MILA_CONFIG, *FAST, "--quiet", "--out", out, "--set", "report.static={formats: [svg], dpi: 96}")
    assert result.code == 0, result.err
    figures = read_run_figures(out)
    assert sorted(p.name for p in (out / FIGURES_DIR).iterdir()) == sorted(f"{i}.svg" for i in figures)
    for figure_id, fig in figures.items():
        check_svg(out / FIGURES_DIR / f"{figure_id}.svg", *figure_size(fig))
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@browser
def test_a_browser_that_fails_leaves_the_previous_figures(
    cli: Callable[..., CliResult], chromium: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = small_report(tmp_path / "run")
    (run_dir / FIGURES_DIR).mkdir()
    (run_dir / FIGURES_DIR / "bars.png").write_bytes(b"old")
    monkeypatch.setenv("BROWSER_PATH", shutil.which("true") or "/bin/true")  # starts and exits at once
    result = cli("export", run_dir, "--format", "png")
    assert result.code == 2
    assert len(result.err_lines) == 1 and "failed to draw" in result.err and "nothing was written" in result.err
    assert "Traceback" not in result.err
    assert sorted(p.name for p in (run_dir / FIGURES_DIR).iterdir()) == ["bars.png"]
    assert (run_dir / FIGURES_DIR / "bars.png").read_bytes() == b"old"
    assert sorted(p.name for p in run_dir.iterdir()) == [FIGURES_DIR, "report.html"]


# --- errors: one line, exit code 2, nothing written (no browser needed) ----------------------------------------


def check_error(result: CliResult, *parts: str) -> None:
    assert result.code == 2, result
    assert len(result.err_lines) == 1 and result.err.startswith("error: "), result.err
    assert "Traceback" not in result.err
    for part in parts:
        assert part in result.err, result.err


def test_a_folder_without_report_is_not_a_run_folder(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    check_error(cli("export", tmp_path / "missing"), "missing: no such folder")
    check_error(cli("export", tmp_path), "not a run folder (no report.html", "topics run")
    (tmp_path / "report.html").write_text("<html>no figures</html>", encoding="utf-8")
    check_error(cli("export", tmp_path), "holds no figure")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_unknown_figure_id_names_the_figures(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    run_dir = small_report(tmp_path / "run")
    check_error(cli("export", run_dir, "--figure", "nope"), "unknown figure id 'nope'", "are: bars, lines")
    assert not (run_dir / FIGURES_DIR).exists()


def test_unknown_format_and_dpi_out_of_range(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    run_dir = small_report(tmp_path / "run")
    check_error(cli("export", run_dir, "--format", "png,jpg"), "unknown format 'jpg'", "png, svg, pdf")
    check_error(cli("export", run_dir, "--format", ","), "no format given")
    check_error(cli("export", run_dir, "--dpi", "5"), "--dpi: 5 is outside 24..1200")
    assert not (run_dir / FIGURES_DIR).exists()


def test_no_browser_says_what_to_install(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = small_report(tmp_path / "run")
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    try:
        from choreographer.browsers.chromium import Chromium

        monkeypatch.setattr(Chromium, "find_browser", classmethod(lambda cls, **kwargs: None))
    except ImportError:  # without kaleido the PATH is searched
        pass
    check_error(cli("export", run_dir), "no Chromium or Chrome found", "apt-get install chromium", "BROWSER_PATH=")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    check_error(cli("export", run_dir), "BROWSER_PATH=", "not an executable file")
    out = tmp_path / "out"  # a run with report.static fails before any work
    check_error(cli("run", MILA_CONFIG, "--quiet", "--out", out, "--set", "report.static.formats=png"), "BROWSER_PATH=")
    assert not out.exists() and not (run_dir / FIGURES_DIR).exists()


def test_no_kaleido_says_what_to_install(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = small_report(tmp_path / "run")
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido fails, find_spec finds nothing
    check_error(cli("export", run_dir), "kaleido package is missing", "pip install 'kaleido>=1.0'")
    out = tmp_path / "out"
    check_error(cli("run", MILA_CONFIG, "--quiet", "--out", out, "--set", "report.static={}"), "kaleido")
    assert not out.exists() and not (run_dir / FIGURES_DIR).exists()


# --- units: the size rule, the figures read back, the config key, the atomic write ------------------------------


def test_png_size_rule() -> None:
    assert png_size(1000, 600, 300) == (3125, 1875)
    assert png_size(1000, 620, 300) == (3125, 1937)  # 1937.5: Chromium drops the fraction
    assert png_size(1000, 420, 96) == (1000, 420)
    assert png_size(1000, 600, 72) == (750, 450)


def test_report_figures_are_read_back_exactly(tmp_path: Path) -> None:
    run_dir = small_report(tmp_path / "run")
    figures = read_run_figures(run_dir)
    assert list(figures) == ["bars", "lines"]
    assert figures["lines"].layout.title.text == "</script> & <b>"  # the script-safe escapes read back
    assert figure_size(figures["bars"]) == (1000, 420) and figure_size(figures["lines"]) == (640, 333)
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    (run_dir / "report.html").write_text(page.replace('"type":"bar"', '"type":"bar", oops'), encoding="utf-8")
    with pytest.raises(static_export.StaticExportError, match="figure 'bars' cannot be read"):
        read_run_figures(run_dir)


def test_report_static_config_key() -> None:
    assert load_config(None, []).report.static is None
    static = load_config(None, ["report.static={formats: [PNG, svg, png], dpi: 150}"]).report.static
    assert static is not None and static.formats == ("png", "svg") and static.dpi == 150
    static = load_config(None, ["report.static.formats=pdf,svg"]).report.static
    assert static is not None and static.formats == ("pdf", "svg") and static.dpi == static_export.DEFAULT_DPI
    with pytest.raises(ConfigError, match="report -> static -> formats"):
        load_config(None, ["report.static.formats=jpg"])
    with pytest.raises(ConfigError, match="report -> static -> dpi"):
        load_config(None, [f"report.static.dpi={static_export.MAX_DPI + 1}"])
    load_config(None, [f"report.static.dpi={static_export.MIN_DPI}"])


def test_a_failed_move_puts_the_previous_figures_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / FIGURES_DIR
    folder.mkdir()
    for name in ("a.png", "b.png", "old.svg", "notes.txt"):
        (folder / name).write_bytes(b"old " + name.encode())
    real_replace = os.replace
    calls = []

    def failing_replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 5:  # a.png, b.png, old.svg moved aside, a.png moved in; b.png fails
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(static_export.os, "replace", failing_replace)
    with pytest.raises(static_export.StaticExportError, match="the previous figures were kept"):
        write_figures(tmp_path, {"a.png": b"new a", "b.png": b"new b"}, replace_all=True)
    monkeypatch.setattr(static_export.os, "replace", real_replace)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        name: b"old " + name.encode() for name in ("a.png", "b.png", "old.svg", "notes.txt")
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == [FIGURES_DIR]
    written = write_figures(tmp_path, {"a.png": b"new a", "b.png": b"new b"}, replace_all=True)
    assert sorted(written) == ["a.png", "b.png"]
    assert sorted(p.name for p in folder.iterdir()) == ["a.png", "b.png", "notes.txt"]  # old.svg was stale


def test_a_sankey_without_nodes_is_left_out_of_the_drawing() -> None:
    empty = {"type": "sankey", "node": {"label": []}, "link": {"source": [], "target": [], "value": []}}
    full = {"type": "sankey", "node": {"label": ["a", "b"]}, "link": {"source": [0], "target": [1], "value": [1]}}
    scatter = {"type": "scatter", "x": [0], "y": [0]}
    figure = {"data": [empty, scatter, full], "layout": {"height": 300}}
    assert static_export.drawable(figure) == {"data": [scatter, full], "layout": {"height": 300}}
