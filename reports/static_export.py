"""Static figures (PNG, SVG, PDF) of a saved report, drawn by a local Chromium through kaleido.

The figures come from the report itself: report.html embeds every figure's Plotly JSON in a
``<script type="application/json" id="figdata-<section id>">`` block (see :mod:`reports.html`); reading those back
gives exactly the report's figures without re-running anything. Each figure becomes ``figures/<section id>.<fmt>``
(e.g. ``figures/trends-shares.png``) in the run folder.

Size rule (96 CSS pixels per inch, as in every browser): a figure is drawn ``W x H`` CSS pixels, its layout's
width and height, else :data:`DEFAULT_WIDTH` x :data:`DEFAULT_HEIGHT` (the report's figures set a height and
leave the width to the page, so ``W`` is 1000 for all of them).

- PNG at ``dpi``: drawn at scale ``dpi / 96``, so it is ``floor(W * dpi / 96) x floor(H * dpi / 96)`` pixels
  (Chromium drops the fraction: 1000 x 620 at 300 dpi is 3125 x 1937), with a ``pHYs`` chunk saying ``dpi``: its
  printed size is ``W / 96 x H / 96`` inches.
- SVG: vector, ``width="W" height="H"`` (CSS pixels), whatever ``dpi``.
- PDF: vector, one page of ``W / 96 x H / 96`` inches (``0.75 W x 0.75 H`` points; Chromium rounds the height by
  up to about half a point), whatever ``dpi``.

WebGL traces (the documents map's ``scattergl``) are pictures inside the SVG and PDF, at kaleido's 2 pixels per
CSS pixel (192 per inch). A Sankey trace without nodes is left out of the drawing (:func:`drawable`). Nothing is
fetched: plotly.js is the one shipped with plotly (the report's own) and MathJax is off.

Files are written atomically (:func:`write_figures`): drawn in memory, written to a temporary folder, then moved
in; a failed export leaves the previous files as they were.
"""

from __future__ import annotations

import asyncio
import html
import importlib.util
import json
import logging
import os
import re
import shutil
import struct
import tempfile
import zlib
from collections.abc import Coroutine, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio

from preprocessing import tempfiles
from preprocessing.errors import UserError

#: The formats a figure can be exported to.
FORMATS = ("png", "svg", "pdf")
#: CSS pixels per inch: the unit of a figure's layout width and height.
CSS_PX_PER_INCH = 96
#: The default and the allowed range of ``--dpi`` (PNG only).
DEFAULT_DPI = 300
MIN_DPI, MAX_DPI = 24, 1200
#: The drawing size (CSS pixels) of a figure whose layout sets no width or height.
DEFAULT_WIDTH, DEFAULT_HEIGHT = 1000, 600
#: The folder of the run folder the figures go to.
FIGURES_DIR = "figures"
#: Environment variable naming the browser to draw with (choreographer's and kaleido's own).
BROWSER_ENV = "BROWSER_PATH"
#: Kind of the temporary folder (see :mod:`preprocessing.tempfiles`) the files are written into first.
STAGING_KIND = "topics-figures"
#: Chromium tabs drawing at once (two is quickest on two cores; more only queue), and the number of files up to
#: which one tab is quicker (each tab costs about a second to open).
TABS = 2
ONE_TAB_UP_TO = 6
#: Seconds one figure may take to draw before the export fails.
DRAW_TIMEOUT = 120

#: A figure's block in report.html; its JSON holds no ``<`` (:func:`reports.html.script_safe_json`).
_FIGURE_BLOCK = re.compile(r'<script\b[^>]*?\sid="figdata-([^"]*)"[^>]*>([^<]*)</script>')
#: Browsers looked for on the PATH and in /usr/bin when choreographer cannot look (it knows more places).
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_FIGURE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_NO_KALEIDO = "the kaleido package is missing to draw the figures; install it with pip install 'kaleido>=1.0'"


class StaticExportError(UserError):
    """A figure could not be exported (bad run folder, figure id, format or dpi; no browser; a failed drawing)."""


def parse_formats(value: str | Sequence[str], where: str = "--format") -> tuple[str, ...]:
    """The formats of ``"png,svg"`` (or ``["png", "svg"]``), lower-cased, each once, in the order given."""
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    formats: list[str] = []
    for item in (i.strip().lower().lstrip(".") for i in items):
        if not item:
            continue
        if item not in FORMATS:
            raise StaticExportError(f"{where}: unknown format {item!r}; choose from {', '.join(FORMATS)}")
        if item not in formats:
            formats.append(item)
    if not formats:
        raise StaticExportError(f"{where}: no format given; choose from {', '.join(FORMATS)} (e.g. png,svg)")
    return tuple(formats)


def check_dpi(dpi: int, where: str = "--dpi") -> int:
    """``dpi`` when it lies in :data:`MIN_DPI`..:data:`MAX_DPI`, else a :class:`StaticExportError`."""
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise StaticExportError(f"{where}: {dpi} is outside {MIN_DPI}..{MAX_DPI} dots per inch (e.g. 300)")
    return dpi


def report_figures(page: str, source: object = "report.html") -> dict[str, go.Figure]:
    """Every figure embedded in the report text ``page`` by section id, in page order; ``source`` names the file
    in error messages."""
    figures: dict[str, go.Figure] = {}
    for match in _FIGURE_BLOCK.finditer(page):
        figure_id = html.unescape(match.group(1))
        if not _FIGURE_ID.match(figure_id) or figure_id in figures:
            raise StaticExportError(
                f"{source}: unexpected figure id {figure_id!r}; write the report again with topics run"
            )
        try:
            figures[figure_id] = pio.from_json(match.group(2))
        except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
            problem = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise StaticExportError(
                f"{source}: figure {figure_id!r} cannot be read ({problem}); write the report again with topics run"
            ) from None
    return figures


def read_run_figures(run_dir: Path) -> dict[str, go.Figure]:
    """The figures of the report in the run folder ``run_dir`` (see :func:`report_figures`)."""
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise StaticExportError(f"{run_dir}: no such folder; give the output folder of a run (e.g. out/default)")
    report = run_dir / "report.html"
    if not run_dir.is_dir() or not report.is_file():
        raise StaticExportError(
            f"{run_dir}: not a run folder (no report.html in it); give the output folder of topics run "
            "(output.dir or --out, e.g. out/default)"
        )
    try:
        page = report.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StaticExportError(f"{report}: cannot read the report ({error}); write it again with topics run") from None
    figures = report_figures(page, report)
    if not figures:
        raise StaticExportError(f"{report}: holds no figure; is it a report written by topics run?")
    return figures


def select_figures(figures: Mapping[str, go.Figure], ids: Sequence[str], where: str) -> dict[str, go.Figure]:
    """The figures named by ``ids`` (all of them when empty); an unknown id is an error listing the known ones."""
    if not ids:
        return dict(figures)
    unknown = [i for i in ids if i not in figures]
    if unknown:
        raise StaticExportError(
            f"unknown figure id {unknown[0]!r} in --figure; the figures of {where} are: {', '.join(figures)}"
        )
    return {i: figures[i] for i in dict.fromkeys(ids)}


def figure_size(fig: go.Figure) -> tuple[float, float]:
    """The drawing size (CSS pixels) of ``fig``: its layout's width and height, else the defaults."""
    width, height = fig.layout.width, fig.layout.height
    return (float(width) if width else float(DEFAULT_WIDTH), float(height) if height else float(DEFAULT_HEIGHT))


def png_size(width: float, height: float, dpi: int) -> tuple[int, int]:
    """The pixel size of a PNG of a ``width x height`` CSS-pixel figure at ``dpi`` (the module's size rule)."""
    scale = dpi / CSS_PX_PER_INCH
    return int(width * scale), int(height * scale)


def draw_options(fig: go.Figure, fmt: str, dpi: int) -> dict[str, Any]:
    """The kaleido options of ``fig`` as ``fmt``: its size, and scale ``dpi / 96`` for PNG (1 for the vectors)."""
    width, height = figure_size(fig)
    scale = dpi / CSS_PX_PER_INCH if fmt == "png" else 1
    return {"format": fmt, "width": width, "height": height, "scale": scale}


def with_png_dpi(png: bytes, dpi: int) -> bytes:
    """``png`` with a ``pHYs`` chunk saying ``dpi`` (replacing any), right after its ``IHDR`` chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise StaticExportError("Chromium returned something other than a PNG image")
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    head_end = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    rest, position = [], head_end
    while position < len(png):
        length = struct.unpack(">I", png[position:position + 4])[0]
        end = position + 12 + length
        if png[position + 4:position + 8] != b"pHYs":
            rest.append(png[position:end])
        position = end
    return png[:head_end] + chunk + b"".join(rest)


def check_can_draw() -> str:
    """The browser to draw with (:func:`find_browser`), once kaleido is known to be installed."""
    if importlib.util.find_spec("kaleido") is None:
        raise StaticExportError(_NO_KALEIDO)
    return find_browser()


def find_browser() -> str:
    """The Chromium (or Chrome) to draw with: :data:`BROWSER_ENV` when set, else the first that kaleido's
    choreographer finds (on the PATH or at the usual places, e.g. /usr/bin/chromium)."""
    chosen = os.environ.get(BROWSER_ENV)
    if chosen:
        if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
            raise StaticExportError(
                f"{BROWSER_ENV}={chosen}: not an executable file; point it at Chromium or Chrome "
                "(e.g. /usr/bin/chromium), or unset it"
            )
        return chosen
    found: str | None = None
    try:
        from choreographer.browsers.chromium import Chromium

        found = Chromium.find_browser(skip_local=False)
    except (ImportError, AttributeError, TypeError):  # no kaleido, or an older choreographer without it
        names = (*_BROWSER_NAMES, *(f"/usr/bin/{name}" for name in _BROWSER_NAMES))
        found = next((path for path in map(shutil.which, names) if path), None)
    if not found:
        raise StaticExportError(
            "no Chromium or Chrome found to draw the figures with; install one (apt-get install chromium) "
            f"or set {BROWSER_ENV}=/path/to/chromium"
        )
    return found


@dataclass(frozen=True)
class _Drawing:
    """One file to draw: its name in figures/, the figure (a plain dict) and kaleido's options."""

    name: str
    figure: dict[str, Any]
    options: dict[str, Any]


def drawable(figure: dict[str, Any]) -> dict[str, Any]:
    """``figure`` (a plain dict) without its Sankey traces that have no node: they show nothing, and plotly.js
    throws on drawing one ("Invalid array length"), which would lose the figure's other traces too."""
    def empty_sankey(trace: dict[str, Any]) -> bool:
        node = trace.get("node") or {}
        return trace.get("type") == "sankey" and not node.get("label") and not (trace.get("link") or {}).get("source")

    return {**figure, "data": [t for t in figure.get("data", []) if not empty_sankey(t)]}


def _drawings(figures: Mapping[str, go.Figure], formats: Sequence[str], dpi: int) -> list[_Drawing]:
    drawings = []
    for figure_id, fig in figures.items():
        as_dict = drawable(json.loads(pio.to_json(fig, validate=False, engine="json")))
        for fmt in formats:
            drawings.append(_Drawing(f"{figure_id}.{fmt}", as_dict, draw_options(fig, fmt, dpi)))
    return drawings


def render_figures(
    figures: Mapping[str, go.Figure], formats: Sequence[str], dpi: int = DEFAULT_DPI, browser: str | None = None
) -> dict[str, bytes]:
    """The bytes of every figure in every format, by file name (``"<id>.<fmt>"``, figures in order, then formats),
    drawn by ``browser`` (default: :func:`check_can_draw`). Nothing is written."""
    formats = parse_formats(formats)
    check_dpi(dpi)
    browser = browser or check_can_draw()
    drawings = _drawings(figures, formats, dpi)
    if not drawings:
        return {}
    with _quiet_browser_logs():
        drawn = _run_drawing(_draw_all(drawings, browser))
    files = {}
    for drawing in drawings:
        data = drawn[drawing.name]
        files[drawing.name] = with_png_dpi(data, dpi) if drawing.name.endswith(".png") else data
    return files


def _run_drawing(drawing: Coroutine[Any, Any, dict[str, bytes]]) -> dict[str, bytes]:
    """Run ``drawing`` in an event loop of its own, in a thread of its own (so that it also works when called from
    a running loop, e.g. in a notebook). An interruption of the waiting thread (Ctrl-C) cancels the drawing and
    waits until it has closed Chromium before going on."""
    loop = asyncio.new_event_loop()
    task = loop.create_task(drawing)

    def run() -> dict[str, bytes]:
        try:
            return loop.run_until_complete(task)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="topics-figures") as pool:
        future = pool.submit(run)
        try:
            return future.result()
        except BaseException:
            if not future.done():  # interrupted while drawing: stop it (the pool's exit waits for the thread)
                with suppress(RuntimeError):  # the loop closed meanwhile
                    loop.call_soon_threadsafe(task.cancel)
            raise


@contextmanager
def _quiet_browser_logs() -> Iterator[None]:
    """Silence kaleido's and choreographer's log records (e.g. "Browser is being closed by watchdog" after a failed
    start; the export's own error says what failed) unless the application set their levels."""
    loggers = [logging.getLogger(name) for name in ("kaleido", "choreographer", "logistro")]
    unset = [logger for logger in loggers if logger.level == logging.NOTSET]
    for logger in unset:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger in unset:
            logger.setLevel(logging.NOTSET)


async def _draw_all(drawings: Sequence[_Drawing], browser: str) -> dict[str, bytes]:
    """Draw every drawing in one Chromium (:data:`TABS` tabs); the first failure stops the rest."""
    try:
        import kaleido
        from choreographer.errors import DevtoolsProtocolError
        from kaleido.errors import KaleidoError
    except ImportError:
        raise StaticExportError(_NO_KALEIDO) from None
    failures = (RuntimeError, OSError, TimeoutError, asyncio.TimeoutError, KaleidoError, DevtoolsProtocolError)
    plotly_js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").as_uri()  # the report's own
    page = kaleido.PageGenerator(plotly=plotly_js, mathjax=False)
    page.header = page.header.replace("Kaleido-fier", "research-topics figure")  # the PDFs' title
    drawn: dict[str, bytes] = {}
    queue = list(reversed(drawings))

    async def tab_worker(k: Any) -> None:
        while queue:
            drawing = queue.pop()
            try:
                drawn[drawing.name] = await k.calc_fig(drawing.figure, opts=drawing.options)
            except failures as error:
                raise _draw_error(browser, drawing.name, error) from None

    try:
        tabs = 1 if len(drawings) <= ONE_TAB_UP_TO else TABS
        async with kaleido.Kaleido(path=browser, n=tabs, timeout=DRAW_TIMEOUT, page_generator=page) as k:
            await _first_failure_stops([tab_worker(k) for _ in range(tabs)])
    except failures as error:  # Chromium did not start, or failed on closing
        raise _draw_error(browser, "the figures", error) from None
    return drawn


async def _first_failure_stops(work: Sequence[Coroutine[Any, Any, None]]) -> None:
    """Run ``work`` concurrently; the first to fail cancels the others and its error is raised."""
    tasks = [asyncio.ensure_future(item) for item in work]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        error = task.exception()
        if error is not None:
            raise error


def _draw_error(browser: str, name: str, error: BaseException) -> StaticExportError:
    text = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
    problem = text.strip().splitlines()[0] if text.strip() else "no message"
    return StaticExportError(
        f"{browser} failed to draw {name} ({type(error).__name__}: {problem}); nothing was written; "
        f"check that it starts (chromium --headless --version) or set {BROWSER_ENV} to another Chromium"
    )


def write_figures(run_dir: Path, files: Mapping[str, bytes], replace_all: bool) -> dict[str, Path]:
    """Write ``files`` (by name) into ``run_dir/figures/`` as one set; return their paths by name.

    They are written to a temporary folder in ``run_dir`` first and then moved in, each replacing its old version;
    on any failure the old versions are put back, so no half-written or half-replaced set is ever left.
    ``replace_all`` (an export of every figure) also removes the folder's other PNG, SVG and PDF files (figures of
    an older report, or formats not asked this time); other files are left alone.
    """
    run_dir = Path(run_dir)
    target = run_dir / FIGURES_DIR
    if target.exists() and not target.is_dir():
        raise StaticExportError(f"{target}: exists and is not a folder; move it away to export the figures")
    try:
        target.mkdir(exist_ok=True)
        tempfiles.remove_orphans(run_dir, STAGING_KIND)  # what a killed export left
        staging = Path(tempfile.mkdtemp(prefix=tempfiles.prefix(STAGING_KIND), dir=run_dir))
    except OSError as error:
        raise StaticExportError(f"{target}: cannot write the figures ({error.strerror or error})") from None
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        suffixes = {f".{fmt}" for fmt in FORMATS}
        stale = [
            p.name for p in target.iterdir() if replace_all and p.suffix in suffixes and p.name not in files
        ]
        tempfiles.swap_in(staging, target, list(files), stale)
    except OSError as error:
        raise StaticExportError(
            f"{error.filename or target}: cannot write the figures ({error.strerror or error}); the previous "
            "figures were kept; check free space and permissions"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {name: target / name for name in files}


def export_run(
    run_dir: Path, formats: str | Sequence[str], dpi: int = DEFAULT_DPI, figure_ids: Sequence[str] = ()
) -> dict[str, Path]:
    """``topics export``: draw the figures of the report in ``run_dir`` (``figure_ids``, default all) in every
    format of ``formats`` at ``dpi`` and write them into ``run_dir/figures/``; return their paths by file name."""
    formats = parse_formats(formats)
    check_dpi(dpi)
    figures = select_figures(read_run_figures(run_dir), figure_ids, str(run_dir))
    files = render_figures(figures, formats, dpi)
    return write_figures(run_dir, files, replace_all=not figure_ids)


def export_report(page: str, run_dir: Path, formats: Sequence[str], dpi: int) -> dict[str, bytes]:
    """The files of every figure of the report text ``page`` (a run's report before it is written), ready for
    :func:`write_figures` into the run folder ``run_dir``."""
    figures = report_figures(page, Path(run_dir) / "report.html")
    return render_figures(figures, formats, dpi) if figures else {}
