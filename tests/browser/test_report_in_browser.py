"""The generated report opened in headless Chromium, checked as a reader would use it.

One real run (the shipped institute listings plus a JSON Lines file of hostile records, and a themes file whose
label carries markup) is rendered once; each test opens it in a fresh page with the page's own
Content-Security-Policy bypassed, so that nothing below passes because the CSP blocked it: no request may leave
the file, and injected markup must stay text because it was escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from reports.table import build_paper_table
from tests.topics.helpers import LISTINGS, THEMES_FILE
from topics.config import load_config
from topics.pipeline.runner import run_and_write

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Set by any injected script or handler that runs; the tests require it to stay undefined.
PWNED = "__pwned"
HOSTILE_RECORDS = (
    {
        "id": "inj-title",
        "title": '<script>window.__pwned = "title"</script>Diffusion models for injected images',
        "authors": ['<img src=x onerror="window.__pwned=\'author\'">Mallory', "Ada Lovelace"],
        "abstract": (
            "We train denoising diffusion models and score-based generative models to synthesise images; the "
            "generative model learns a latent representation, and sampling runs the reverse diffusion process. "
            '</script><script>window.__pwned = "abstract"</script> Experiments on image benchmarks.'
        ),
    },
    {
        "id": "inj-link",
        "title": 'Offline reinforcement learning with <a href="javascript:window.__pwned=\'link\'">a link</a> '
                 'and <b style="color:red;font-size:99px">styled</b> words',
        "authors": ["Eve <eve@example.org>", "Bob"],
        "abstract": (
            "Agents learn a policy from logged reward signals without further interaction; offline reinforcement "
            "learning with conservative value estimates and policy gradient updates on control benchmarks."
        ),
    },
    {
        "id": "inj-break",
        "title": "</script><img src=x onerror=window.__pwned='break'> Policy gradients in spiking networks",
        "authors": ["<svg onload=window.__pwned='svg'>"],
        "abstract": (
            "Spiking neural networks in the hippocampus and cortex learn from dopamine reward prediction errors; "
            "we relate policy gradient learning rules to synaptic plasticity observed in the brain."
        ),
    },
)
INJECTED_LABEL = "Reinforcement <img src=x onerror=\"window.__pwned='label'\"> learning"
FIGURES_JS = """() => Array.from(document.querySelectorAll("div.figure[data-figure]")).map((div) => {
  const spec = JSON.parse(document.getElementById(div.getAttribute("data-figure")).textContent);
  const calc = div.calcdata || [];
  return {
    id: div.id,
    svg: div.querySelector("svg.main-svg") !== null,
    traces: spec.data.length,
    drawnTraces: (div._fullData || []).length,
    pointsPerTrace: spec.data.map((trace, i) => {
      const values = trace.x || trace.y || trace.z || trace.values || trace.r || [];
      return {expected: Array.isArray(values) ? values.length : 0, drawn: (calc[i] || []).length};
    }),
  };
})"""
VISIBLE_ROWS_JS = """(key) => {
  const index = Array.from(document.querySelectorAll("#paper-table th[data-key]")).findIndex((th) => th.dataset.key === key);
  return Array.from(document.querySelectorAll("#paper-table tbody tr")).map((tr) => tr.children[index].textContent);
}"""


def hover_label(page: Any, figure_id: str, needle: str) -> str:
    """Move the mouse onto the first point of figure ``figure_id`` whose hover text contains ``needle`` and
    return the text of the hover label Plotly draws (tspans joined by line breaks)."""
    point = page.evaluate("""([id, needle]) => {
      const gd = document.getElementById(id);
      const layout = gd._fullLayout, box = gd.getBoundingClientRect();
      for (let c = 0; c < gd.data.length; c++) {
        const j = (gd.data[c].customdata || []).findIndex((text) => text.includes(needle));
        if (j >= 0) {
          return {x: box.left + layout._size.l + layout.xaxis.l2p(gd.data[c].x[j]),
                  y: box.top + layout._size.t + layout.yaxis.l2p(gd.data[c].y[j])};
        }
      }
      return null;
    }""", [figure_id, needle])
    assert point is not None, needle
    page.mouse.move(0, 0)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function("([id, needle]) => document.querySelector('#' + id + ' .hoverlayer').textContent.includes(needle)",
                           arg=[figure_id, needle])
    return page.evaluate("""(id) => Array.from(document.querySelectorAll('#' + id + ' .hoverlayer .hovertext text tspan'))
                                .map((t) => t.textContent).join("\\n") || document.querySelector('#' + id + ' .hoverlayer').textContent""",
                         figure_id)


@dataclass
class OpenedReport:
    """A report open in a Chromium page, with what the page did while loading and since."""

    page: Any
    path: Path
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def pwned(self) -> Any:
        return self.page.evaluate(f"() => window.{PWNED}")

    def column(self, key: str) -> list[str]:
        return self.page.evaluate(VISIBLE_ROWS_JS, key)

    def row_count(self) -> str:
        return self.page.inner_text("#row-count")

    def search(self, text: str) -> None:
        """Type ``text`` into the search box and wait until every row shown holds each of its words (the
        table re-renders after a short debounce)."""
        self.page.fill("#paper-search", text)
        self.page.wait_for_function(
            """(words) => Array.from(document.querySelectorAll("#paper-table tbody tr")).every(
                 (tr) => words.every((w) => tr.textContent.toLowerCase().includes(w)))""",
            arg=text.lower().split(),
        )


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """Run the pipeline on the listings plus the hostile records; returns the output folder and the result."""
    base = tmp_path_factory.mktemp("hostile")
    hostile = base / "hostile.jsonl"
    hostile.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE_RECORDS), encoding="utf-8")
    themes = yaml.safe_load(THEMES_FILE.read_text(encoding="utf-8"))
    assert themes["themes"][0]["id"] == "reinforcement-learning"
    themes["themes"][0]["label"] = INJECTED_LABEL
    themes_file = base / "themes.yaml"
    themes_file.write_text(yaml.safe_dump(themes, sort_keys=False, allow_unicode=True), encoding="utf-8")
    config = load_config(None, [
        f"inputs=[{{path: '{LISTINGS / '2023-24.txt'}', period: '2023-24'}}, {{path: '{LISTINGS / '2025.txt'}', period: '2025'}}, "
        f"{{path: '{hostile}', period: '2025'}}]",
        f"themes.file={themes_file}", f"output.dir={base / 'out'}", "cache.enabled=false",
        "models.lda.num_topics=4", "models.clusters.num_clusters=4", "preprocessing.phrases.min_count=2",
    ])
    result, paths = run_and_write(config, use_cache=False)
    return paths["report.html"], result


@pytest.fixture
def report(chromium: Any, hostile_run: tuple[Path, Any]) -> Iterator[OpenedReport]:
    """The hostile run's report in a fresh page; every request and every page error is recorded."""
    path = hostile_run[0]
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    opened = OpenedReport(page=page, path=path)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda error: opened.errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: opened.errors.append(f"console.{message.type}: {message.text}") if message.type == "error" else None)
    page.route("**/*", lambda route: route.continue_() if route.request.url == path.as_uri() else route.abort())
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('div.figure[data-figure]')).every((d) => d.querySelector('svg.main-svg'))"
    )
    try:
        yield opened
    finally:
        context.close()


def test_every_figure_draws_all_its_data(report: OpenedReport) -> None:
    figures = report.page.evaluate(FIGURES_JS)
    assert len(figures) >= 10
    for figure in figures:
        assert figure["svg"], figure["id"]
        assert figure["drawnTraces"] == figure["traces"] > 0, figure["id"]
        for trace in figure["pointsPerTrace"]:
            if trace["expected"]:
                assert trace["drawn"] >= 1, figure["id"]


def test_no_javascript_error_and_no_request_leaves_the_file(report: OpenedReport) -> None:
    report.page.mouse.wheel(0, 20000)  # scroll through the page: lazy work, if any, happens now
    report.page.wait_for_timeout(300)
    assert report.errors == []
    assert report.requests == [report.path.as_uri()]


def test_search_finds_a_paper_by_a_word_of_its_title(report: OpenedReport, hostile_run: tuple[Path, Any]) -> None:
    result = hostile_run[1]
    total = len(result.corpus)
    assert report.row_count() == f"{total:,} papers"
    report.search("spiking")
    titles = report.column("title")
    table = build_paper_table(result)  # the search looks in the title, authors, venue and themes (with evidence)
    searched = [i for i, column in enumerate(table.columns) if column.searchable]
    expected = [row[1] for row in table.rows if "spiking" in " ".join(str(row[i]) for i in searched).lower()]
    assert titles == expected and titles
    assert report.row_count() == f"{len(expected)} of {total:,} papers"


def test_sorting_by_a_column_orders_the_rows(report: OpenedReport) -> None:
    report.page.click("#paper-table th[data-key='title']")
    ascending = report.column("title")
    assert ascending == sorted(ascending, key=str.casefold) or ascending == sorted(ascending, key=lambda t: t.lower())
    assert report.page.get_attribute("#paper-table th[data-key='title']", "aria-sort") == "ascending"
    report.page.click("#paper-table th[data-key='title']")
    descending = report.column("title")
    assert report.page.get_attribute("#paper-table th[data-key='title']", "aria-sort") == "descending"
    assert descending[0] != ascending[0] and descending[0].casefold() >= descending[-1].casefold()


def test_theme_filter_narrows_the_table(report: OpenedReport, hostile_run: tuple[Path, Any]) -> None:
    result = hostile_run[1]
    table = result.themes
    column = table.theme_ids.index("generative-models")
    expected = int(table.assigned[:, column].sum())
    assert 0 < expected < len(result.corpus)
    report.page.select_option("#theme-filter", "generative-models")
    assert report.row_count() == f"{expected} of {len(result.corpus):,} papers"
    themes = report.column("themes")
    label = next(theme.label for theme in table.themes if theme.id == "generative-models")
    assert themes and all(re.search(rf"(^|; ){re.escape(label)} [01]\.\d\d", cell) for cell in themes)


def test_injected_markup_is_shown_as_text_and_runs_nothing(report: OpenedReport, output_folder: Path) -> None:
    page = report.page
    # table: the hostile papers' cells show the markup literally
    report.search("injected")
    assert report.column("title") == [HOSTILE_RECORDS[0]["title"]]
    assert report.column("authors") == ["; ".join(HOSTILE_RECORDS[0]["authors"])]
    report.search("spiking policy gradients")
    assert HOSTILE_RECORDS[2]["title"] in report.column("title")
    # hover: move the mouse onto each hostile paper's point of the documents map; Plotly draws its label. Plotly
    # itself interprets <b>, <i>, <a href>, <span style> and <br> in text: escaped, they must show as typed.
    page.locator("#fig-docmap").scroll_into_view_if_needed()
    for needle, shown in (("injected", '<script>window.__pwned = "title"</script>Diffusion'),
                          ("Offline reinforcement learning with", '<a href="javascript:window.__pwned=\'link\'">a link</a>')):
        hover = " ".join(hover_label(page, "fig-docmap", needle).split())  # wrapped lines joined
        assert shown in hover
    assert '<b style="color:red;font-size:99px">styled</b>' in hover
    assert page.evaluate("() => document.querySelectorAll('.js-plotly-plot a, .js-plotly-plot tspan[style*=\"99px\"]').length") == 0
    # labels: the theme label with markup is drawn as text in figure legends and axes, and in the filter
    svg_text = page.evaluate("() => Array.from(document.querySelectorAll('svg text')).map((t) => t.textContent).join('\\n')")
    assert INJECTED_LABEL in svg_text
    assert INJECTED_LABEL in page.inner_text("#theme-filter")
    page.screenshot(path=str(output_folder / "report-hostile.png"), full_page=False)
    print(f"\nscreenshot: {output_folder / 'report-hostile.png'}")
    # nothing ran and nothing was created from the markup
    assert report.pwned() is None
    assert page.evaluate("() => document.querySelectorAll('img, iframe, a[href^=\"javascript\"], b[style], svg[onload]').length") == 0
    assert page.evaluate("() => document.querySelectorAll('script').length") == page.evaluate(
        "() => document.querySelectorAll('head > script, body > script, script[type=\"application/json\"]').length"
    )
    assert report.errors == []


def test_full_page_screenshot(report: OpenedReport, output_folder: Path) -> None:
    target = output_folder / "report.png"
    report.page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 50_000
    print(f"\nscreenshot: {target}")
