"""How long a report takes to open in headless Chromium (Playwright driving the system's /usr/bin/chromium).

Two times, in seconds from the start of navigation (the page's ``performance`` time origin):

* ``load_s``: the window's load event ended (``PerformanceNavigationTiming.loadEventEnd``): the HTML, its
  inlined plotly.js and data parsed and the inline scripts run;
* ``draw_s``: every figure has drawn: each ``div.figure[data-figure]`` (one per Plotly figure in the report's
  template) holds an ``svg.main-svg``, polled on every animation frame.

Playwright never downloads a browser here: it launches ``executable_path`` (headless, ``--no-sandbox``).
When Chromium or the ``playwright`` package is missing, :func:`measure_report` returns ``None`` times and a
message in ``error`` instead of raising.

    .venv/bin/python -m bench.browser out/default/report.html
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FIGURE_SELECTOR = "div.figure[data-figure]"

DRAWN_JS = """([selector]) => {
  let want = document.querySelectorAll(selector).length;
  if (want === 0) { want = document.querySelectorAll(".plotly-graph-div").length; }
  const drawn = Array.from(document.querySelectorAll(".js-plotly-plot"))
    .filter((div) => div.querySelector("svg.main-svg") !== null).length;
  return drawn >= want ? {drawn: drawn, want: want, at: performance.now()} : false;
}"""
"""Truthy (with the time in ms) once every figure div holds a drawn Plotly SVG."""

LOAD_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return nav ? nav.loadEventEnd : performance.timing.loadEventEnd - performance.timing.navigationStart;
}"""


@dataclass(frozen=True)
class BrowserTiming:
    """Seconds to the load event and to all figures drawn (``None`` when not measured: see ``error``)."""

    load_s: float | None
    draw_s: float | None
    figures: int | None
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def measure_report(report: Path, chromium: Path = CHROMIUM, timeout_s: float = 300.0) -> BrowserTiming:
    """Open ``report`` (a local HTML file) once in a fresh headless Chromium and time it (see module doc)."""
    if not chromium.exists():
        return BrowserTiming(None, None, None, f"n/a: {chromium} is missing (apt-get install chromium)")
    if not report.is_file():
        return BrowserTiming(None, None, None, f"n/a: {report} is missing")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return BrowserTiming(None, None, None, "n/a: the playwright package is missing (pip install -r bench/requirements.txt)")
    timeout_ms = timeout_s * 1000
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(report.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
                load_ms = float(page.evaluate(LOAD_JS))
                handle = page.wait_for_function(DRAWN_JS, arg=[FIGURE_SELECTOR], polling="raf", timeout=timeout_ms)
                drawn = handle.json_value()
            finally:
                browser.close()
    except PlaywrightError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return BrowserTiming(None, None, None, f"error: {first}")
    return BrowserTiming(round(load_ms / 1000, 3), round(float(drawn["at"]) / 1000, 3), int(drawn["want"]))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m bench.browser REPORT.html [...]", file=sys.stderr)
        return 2
    for name in args:
        timing = measure_report(Path(name))
        if timing.error:
            print(f"{name}: {timing.error}")
        else:
            print(f"{name}: load {timing.load_s:.2f} s, {timing.figures} figures drawn at {timing.draw_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
