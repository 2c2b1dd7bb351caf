"""The report's paper table in headless Chromium: the CSV download holds exactly the rows the search, the theme
filter and the sort order select (checked against the pages the table shows and against papers.csv filtered the
same way), abstracts open under their row, and scraped text stays text, in the page and in the CSV.

The main job's report (configs/default.yaml) is opened with its own Content-Security-Policy in force, so that the
download is shown to work under it; the hand-built report of hostile records is opened with the CSP bypassed, so
that nothing passes because the CSP blocked it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from preprocessing.records import Corpus
from reports import render_report
from tests.conftest import PROJECT_ROOT
from tests.reports.conftest import build_run_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV_COLUMNS = ["id", "title", "authors", "year", "period", "venue", "themes", "topic", "cluster", "abstract"]
HOSTILE_ABSTRACT = (
    '</script><script>window.__pwned = "abstract"</script><img src=x onerror="window.__pwned=\'img\'">'
    ' We learn "policies", with rewards;\nsecond line: café, 学习.'
)
FORMULA_TITLE = '=HYPERLINK("https://example.org/?leak","click me")'
#: Ids, every shown cell (by column key) and the abstract rows of the table's current page.
PAGE_ROWS_JS = """() => Array.from(document.querySelectorAll("#paper-table tbody tr[data-row]")).map((tr) => {
  const cells = {};
  tr.querySelectorAll("td").forEach((td) => { cells[td.className.replace("col-", "")] = td.textContent; });
  return cells;
})"""
ANCHORS_JS = "() => document.querySelectorAll('a[href]:not([href^=\"#\"])').length"


@dataclass
class TablePage:
    """A report open in a Chromium page, with every request that is not the file (or a blob:/data: URL), every
    page error and every download."""

    page: Any
    path: Path
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def shown_rows(self) -> list[dict[str, str]]:
        """Every row the table shows over all its pages, in order (clicks Next to the last page, then back)."""
        rows = self.page.evaluate(PAGE_ROWS_JS)
        pages = 1
        while not self.page.is_disabled("#page-next"):
            self.page.click("#page-next")
            rows += self.page.evaluate(PAGE_ROWS_JS)
            pages += 1
        for _ in range(pages - 1):
            self.page.click("#page-prev")
        return rows

    def download_csv(self) -> tuple[str, bytes]:
        """Click "Download CSV"; return the download's URL and bytes."""
        with self.page.expect_download(timeout=30_000) as info:
            self.page.click("#paper-csv")
        download = info.value
        assert download.suggested_filename == "papers-filtered.csv"
        return download.url, Path(download.path()).read_bytes()

    def search(self, text: str) -> None:
        """Type ``text`` into the search box and wait for the table to re-render (after its debounce)."""
        before = self.page.inner_text("#row-count")
        self.page.fill("#paper-search", text)
        self.page.wait_for_function("(before) => document.getElementById('row-count').textContent !== before", arg=before)


def open_table(chromium: Any, path: Path, bypass_csp: bool) -> Iterator[TablePage]:
    context = chromium.new_context(bypass_csp=bypass_csp, accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    opened = TablePage(page=page, path=path)
    file_url = path.as_uri()
    page.on("request", lambda r: opened.requests.append(r.url) if r.url != file_url and not r.url.startswith(("blob:", "data:")) else None)
    page.on("pageerror", lambda error: opened.errors.append(f"pageerror: {error}"))
    page.on("console", lambda m: opened.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    context.on("page", lambda popup: opened.errors.append(f"popup: {popup.url}"))
    context.route("**/*", lambda route: route.continue_() if route.request.url == file_url else route.abort())
    page.goto(file_url, wait_until="load", timeout=120_000)
    page.wait_for_selector("#paper-table tbody tr[data-row]")
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def example(chromium: Any, example_report: Path) -> Iterator[TablePage]:
    """The main job's report, its CSP in force."""
    yield from open_table(chromium, example_report, bypass_csp=False)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The hand-built 8-paper run of tests/reports, with a hostile abstract, a title a spreadsheet would run as a
    formula, and CSV-hostile authors (quotes, commas) and venues; rendered straight to HTML."""
    run = build_run_result()
    papers = list(run.corpus.papers)
    papers[3] = dataclasses.replace(papers[3], abstract=HOSTILE_ABSTRACT, venue='Conf, "quoted"')
    papers[4] = dataclasses.replace(papers[4], title=FORMULA_TITLE, authors=('-Minus, Mallory', "@at"), abstract="Plain.")
    run = dataclasses.replace(run, corpus=Corpus(papers=tuple(papers)))
    path = tmp_path_factory.mktemp("table") / "report.html"
    path.write_text(render_report(run), encoding="utf-8")
    return path, run


@pytest.fixture
def hostile(chromium: Any, hostile_report: tuple[Path, Any]) -> Iterator[TablePage]:
    """The hostile report, its CSP bypassed."""
    yield from open_table(chromium, hostile_report[0], bypass_csp=True)


def parse_csv(content: bytes) -> list[dict[str, str]]:
    """The download as rows; checks the BOM, the header and the CRLF line ends on the way."""
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets read the file as UTF-8
    text = content[3:].decode("utf-8")
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n") and text.endswith("\r\n")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    assert reader.fieldnames == CSV_COLUMNS
    return list(reader)


def filtered_papers_csv(papers_csv: Path, words: list[str], theme: str) -> set[str]:
    """The ids of papers.csv that the table's search and theme filter keep: every word in the title, authors,
    venue or themes cell (theme labels and evidence terms) of a paper carrying ``theme``."""
    frame = pd.read_csv(papers_csv, keep_default_na=False, dtype=str)
    definitions = yaml.safe_load((PROJECT_ROOT / "configs" / "themes" / "ml.yaml").read_text(encoding="utf-8"))["themes"]
    labels = {definition["id"]: definition["label"] for definition in definitions}
    kept = set()
    for row in frame.itertuples():
        themes = [t for t in row.themes.split(";") if t]
        evidence = " ".join(group.split(":", 1)[1].replace("|", " ") for group in row.theme_evidence.split(";") if group)
        haystack = " ".join([row.title, row.authors, row.venue, " ".join(labels[t] for t in themes), evidence]).lower()
        if theme in themes and all(word in haystack for word in words):
            kept.add(row.id)
    return kept


def test_csv_download_holds_exactly_the_filtered_rows_in_the_shown_order(example: TablePage, output_folder: Path) -> None:
    page = example.page
    total = int(page.inner_text("#row-count").split()[0].replace(",", ""))
    page.select_option("#theme-filter", "reinforcement-learning")
    example.search("policy")
    page.click("#paper-table th[data-key='title']")
    page.click("#paper-table th[data-key='title']")  # descending
    shown = example.shown_rows()
    assert 50 < len(shown) < total  # more than one page: the CSV must hold the rows of every page
    assert page.inner_text("#row-count") == f"{len(shown)} of {total:,} papers"
    url, content = example.download_csv()
    assert url.startswith("blob:")
    rows = parse_csv(content)
    assert [row["id"] for row in rows] == [row["id"] for row in shown]
    for row, cells in zip(rows, shown):
        for key, text in cells.items():
            assert row[key].removeprefix("'") == text, (row["id"], key)
    papers_csv = example.path.parent / "papers.csv"
    assert {row["id"] for row in rows} == filtered_papers_csv(papers_csv, ["policy"], "reinforcement-learning")
    full = pd.read_csv(papers_csv, keep_default_na=False, dtype=str).set_index("id")
    for row in rows:  # every field as papers.csv has it (the example's abstracts fit the page whole)
        paper = full.loc[row["id"]]
        assert (row["title"], row["authors"], row["venue"], row["year"], row["period"]) == (
            paper.title, paper.authors, paper.venue, paper.year, paper.period)
        assert row["abstract"] == paper.abstract.strip()
        assert row["themes"].startswith("Reinforcement learning ") or "; Reinforcement learning " in row["themes"]
    assert [r["title"].casefold() for r in rows][0] >= [r["title"].casefold() for r in rows][-1]
    (output_folder / "papers-filtered.csv").write_bytes(content)
    assert example.requests == [] and example.errors == []
    assert page.evaluate(ANCHORS_JS) == 0  # the download's link is gone again


def test_theme_cells_show_scores_and_evidence(example: TablePage) -> None:
    themes = [row["themes"] for row in example.page.evaluate(PAGE_ROWS_JS) if row["themes"]]
    assert themes
    pattern = r"[^;]+ [01]\.\d\d( \([^)]+\))?"
    assert all(re.fullmatch(rf"{pattern}(; {pattern})*", cell) for cell in themes), themes
    assert any("(" in cell for cell in themes)  # some carry evidence terms


def test_abstract_opens_under_its_row_and_closes_again(example: TablePage, output_folder: Path) -> None:
    page = example.page
    papers = pd.read_csv(example.path.parent / "papers.csv", keep_default_na=False, dtype=str).set_index("id")
    first = page.evaluate(PAGE_ROWS_JS)[0]
    toggle = page.locator("#paper-table tbody tr[data-row]").first.locator("button.abstract-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#paper-table tr.abstract-row").count() == 0  # collapsed by default
    toggle.click()
    abstract = page.locator("#paper-table tr.abstract-row")
    assert abstract.count() == 1 and abstract.is_visible()
    assert abstract.text_content() == papers.loc[first["id"]].abstract.strip()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert toggle.get_attribute("aria-controls") == abstract.locator("td").get_attribute("id")
    assert page.evaluate(PAGE_ROWS_JS)[0]["title"] == papers.loc[first["id"]].title  # the title cell is the title
    page.locator("#paper-table").scroll_into_view_if_needed()
    page.screenshot(path=str(output_folder / "paper-table-expanded.png"))
    print(f"\nscreenshot: {output_folder / 'paper-table-expanded.png'}")
    page.click("#page-next")  # paging away and back keeps it open
    page.click("#page-prev")
    assert page.locator("#paper-table tr.abstract-row").count() == 1
    page.locator("#paper-table tbody tr[data-row] button.abstract-toggle").first.click()
    assert page.locator("#paper-table tr.abstract-row").count() == 0
    assert example.errors == []


def test_an_abstract_with_markup_is_shown_as_text(hostile: TablePage, hostile_report: tuple[Path, Any]) -> None:
    page = hostile.page
    hostile.search("rishav")  # the author of the paper with the hostile abstract
    rows = page.evaluate(PAGE_ROWS_JS)
    assert [row["id"] for row in rows] == ["p4"]
    page.click("#paper-table button.abstract-toggle")
    abstract = page.locator("#paper-table tr.abstract-row td")
    assert abstract.text_content() == HOSTILE_ABSTRACT
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.querySelectorAll('#paper-table img, #paper-table script').length") == 0
    assert rows[0]["venue"] == 'Conf, "quoted"'
    assert hostile.requests == [] and hostile.errors == []


def test_csv_quotes_fields_and_keeps_formulas_as_text(hostile: TablePage, hostile_report: tuple[Path, Any]) -> None:
    run = hostile_report[1]
    url, content = hostile.download_csv()
    assert url.startswith("blob:")
    rows = {row["id"]: row for row in parse_csv(content)}
    assert list(rows) == [paper.id for paper in run.corpus.papers]  # no filter: every paper, corpus order
    assert rows["p4"]["abstract"] == HOSTILE_ABSTRACT  # quotes, commas, a line break and non-ASCII survive
    assert rows["p4"]["venue"] == 'Conf, "quoted"' and b'"Conf, ""quoted"""' in content
    assert rows["p5"]["title"] == "'" + FORMULA_TITLE  # a spreadsheet shows it, does not run it
    assert rows["p5"]["authors"] == "'-Minus, Mallory; @at"
    assert rows["p4"]["themes"] == "Reinforcement learning 0.60; Neuroscience 0.35"
    assert rows["p1"]["year"] == "" and rows["p1"]["topic"] == "0: policy, reward, agent"
    assert hostile.requests == [] and hostile.errors == []
    assert hostile.page.evaluate(ANCHORS_JS) == 0
