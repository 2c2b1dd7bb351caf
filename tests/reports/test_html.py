"""The rendered page: self-contained, plotly.js once, no external reference, scraped text never raw."""

from __future__ import annotations

import dataclasses
import json
import re

import plotly.offline
import pytest

from reports import build_sections, render_report
from reports.html import script_safe_json
from tests.reports.conftest import INJECTION_AUTHOR, INJECTION_TITLE
from topics.results import RunResult

BUNDLE = plotly.offline.get_plotlyjs()
#: A distinctive piece of the bundle: its licence header and first lines.
BUNDLE_HEAD = BUNDLE[:400]
JSON_BLOCK = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)


@pytest.fixture
def page(run_result: RunResult) -> str:
    return render_report(run_result)


@pytest.fixture
def page_without_bundle(page: str) -> str:
    """The page with the inlined plotly.js removed: everything the report itself wrote."""
    assert page.count(BUNDLE) == 1
    return page.replace(BUNDLE, "")


def _json_blocks(page: str) -> dict[str, str]:
    return dict(JSON_BLOCK.findall(page))


def test_plotly_js_inlined_exactly_once_in_head(page: str) -> None:
    assert page.count(BUNDLE_HEAD) == 1
    assert page.count(BUNDLE) == 1
    head = page[: page.index("</head>")]
    assert BUNDLE_HEAD in head


def test_no_external_references(page_without_bundle: str) -> None:
    lowered = page_without_bundle.lower()
    assert "<script src" not in lowered
    assert "http://" not in lowered and "https://" not in lowered
    assert "<link" not in lowered and "@import" not in lowered and "url(" not in lowered
    assert "<img" not in lowered and "<iframe" not in lowered
    assert "default-src 'none'" in page_without_bundle  # the page forbids requests as well


def test_injected_markup_never_appears_raw(page_without_bundle: str) -> None:
    for raw in ("<script>alert(1)", "<img src=x", "onerror=alert(2)>", '<a href="javascript', "javascript:alert(3)\""):
        assert raw not in page_without_bundle
    assert "alert(1)" in page_without_bundle  # the paper is there, just not as markup


def test_escaped_forms_are_in_the_embedded_data(page: str) -> None:
    blocks = _json_blocks(page)
    # Paper table: raw text, script-escaped; JSON.parse gives back the exact title for textContent.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u003cimg src=x" in blocks["paper-data"]
    rows = json.loads(blocks["paper-data"])["rows"]
    assert rows[3][1] == INJECTION_TITLE
    assert rows[3][2].startswith(INJECTION_AUTHOR)
    # Documents map hover: HTML-escaped for Plotly, then script-escaped.
    # (plotly's encoder also writes "/" as \\u002f.)
    assert "\\u0026lt;script\\u0026gt;alert(1)" in blocks["figdata-docmap"]
    assert "\\u0026lt;img src=x onerror=alert(2)\\u0026gt;" in blocks["figdata-docmap"]
    hover = [t for trace in json.loads(blocks["figdata-docmap"])["data"] for t in trace["customdata"]]
    assert any(t.startswith("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x") for t in hover)


def test_json_blocks_cannot_break_out_of_script(page: str) -> None:
    blocks = _json_blocks(page)
    assert blocks
    for content in blocks.values():
        assert "<" not in content and ">" not in content and "&" not in content
        json.loads(content)


def test_script_safe_json_escapes_separators() -> None:
    assert script_safe_json('"a\u2028b\u2029</script>&"') == '"a\\u2028b\\u2029\\u003c/script\\u003e\\u0026"'


def test_every_section_and_figure_is_in_the_page(run_result: RunResult, page: str) -> None:
    sections = build_sections(run_result)
    blocks = _json_blocks(page)
    for section in sections:
        assert f'<section class="report-section" id="{section.id}">' in page
        assert f'href="#{section.id}"' in page
        for part in (section, *section.parts):
            assert f'id="{part.id}"' in page
            if part.figure is not None:
                assert f'data-figure="figdata-{part.id}"' in page
                spec = json.loads(blocks[f"figdata-{part.id}"])
                assert spec["data"] and "layout" in spec
    n_figures = sum(part.figure is not None for s in sections for part in (s, *s.parts))
    assert sum(key.startswith("figdata-") for key in blocks) == n_figures
    assert "Plotly.newPlot(div, spec.data, spec.layout, CONFIG)" in page


def test_paper_table_controls_have_stable_ids(page: str) -> None:
    controls = ("paper-table", "paper-search", "theme-filter", "row-count", "page-prev", "page-next", "page-info")
    for element_id in controls:
        assert f'id="{element_id}"' in page
    for key in ("id", "title", "authors", "period", "themes", "topic", "cluster"):
        assert f'data-key="{key}"' in page
    assert '<option value="reinforcement-learning">Reinforcement learning</option>' in page
    assert '<option value="unassigned">Unassigned</option>' in page


def test_table_script_writes_cells_as_text_only(page_without_bundle: str) -> None:
    assert "textContent" in page_without_bundle
    assert "innerHTML" not in page_without_bundle
    assert "insertAdjacentHTML" not in page_without_bundle and "document.write" not in page_without_bundle


def test_header_and_title_are_escaped(run_result: RunResult) -> None:
    page = render_report(dataclasses.replace(run_result, title="<b>Lab</b> & co"))
    assert "<title>&lt;b&gt;Lab&lt;/b&gt; &amp; co</title>" in page
    assert "<h1>&lt;b&gt;Lab&lt;/b&gt; &amp; co</h1>" in page
    assert "8 papers" in page and "3 LDA topics" in page and "3 records skipped" in page


def test_minimal_run_renders_without_model_sections(minimal_run: RunResult) -> None:
    page = render_report(minimal_run)
    assert page.count(BUNDLE_HEAD) == 1
    for absent in ("lda", "clusters", "agreement", "docmap", "notes"):
        assert f'id="{absent}"' not in page
    assert 'id="papers"' in page and 'id="trends-comparison"' in page  # two periods: compared, no trend chart


def test_render_is_deterministic(run_result: RunResult) -> None:
    assert render_report(run_result) == render_report(run_result)


def test_every_figure_is_drawn_with_the_private_config(page: str) -> None:
    """One plotly.js config for every figure, with the cloud upload, its server URL, the logo link and editing off."""
    from reports.style import FIGURE_CONFIG

    config = json.loads(_json_blocks(page)["figure-config"])
    assert config == FIGURE_CONFIG
    assert config["showSendToCloud"] is False and config["plotlyServerURL"] == ""
    assert config["displaylogo"] is False and config["editable"] is False
    assert "sendChartToCloud" in config["modeBarButtonsToRemove"]
    assert page.count("Plotly.newPlot(") == 1 and "Plotly.newPlot(div, spec.data, spec.layout, CONFIG)" in page


def test_page_has_no_link_out_and_a_strict_policy(page_without_bundle: str) -> None:
    hrefs = re.findall(r'href="([^"]*)"', page_without_bundle)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "target=" not in page_without_bundle
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page_without_bundle).group(1)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["form-action"] == "'none'"
    assert directives["base-uri"] == "'none'" and "connect-src" not in directives
    assert "http" not in policy


def test_a_figure_that_could_load_map_tiles_is_refused() -> None:
    import plotly.graph_objects as go

    from reports.html import figure_json

    with pytest.raises(ValueError, match="figure trace type 'scattermap' is not allowed in the offline report"):
        figure_json(go.Figure(go.Scattermap(lat=[45.5], lon=[-73.6])))
    assert figure_json(go.Figure(go.Bar(x=[1], y=[2])))
