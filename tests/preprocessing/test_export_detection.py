"""Every export an analyst downloads reads through the one entry point (``read_input``) with the format found
from its extension and content: each file of ../shared/data/exports with its exact record and abstract counts, a
``.txt`` as what it holds, and a file whose content is not what its extension says refused with one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from preprocessing.errors import InputError
from preprocessing.readers import InputSpec, read_input, sniff_format

#: file -> (records, records with an abstract, the reader's source_format), as ../shared/data/exports/README.md
#: states them (checked by reading the files)
SHARED_EXPORTS = {
    "wos_plaintext_bibliometrix.txt": (8, 7, "wos"),
    "wos_plaintext_metaknowledge.txt": (32, 10, "wos"),
    "scopus_bibliometrix.csv": (8, 8, "scopus"),
    "scopus_old_litstudy.csv": (58, 57, "scopus"),
    "lens_bibliometrix.csv": (8, 8, "lens"),
    "openalex_bibliometrix.csv": (8, 5, "openalex-csv"),
    "openalex_works_advisorbert.json": (20, 20, "openalex"),
    "ieee_litstudy.ris": (25, 25, "ris"),
    "pubmed_medline_pybibx.txt": (335, 335, "medline"),
    "pubmed_article.xml": (1, 1, "pubmed-xml"),
    "wos_pybibx.bib": (29, 29, "bibtex"),
    "scopus_pybibx.bib": (24, 24, "bibtex"),
    "arxiv_metadata_sample.jsonl": (200, 200, "arxiv"),
    "zotero_library.csv": (217, 201, "zotero"),
}


@pytest.mark.shared_data
def test_the_table_covers_every_shared_export(shared_data: Path) -> None:
    files = {p.name for p in (shared_data / "exports").iterdir() if p.name != "README.md"}
    assert files == set(SHARED_EXPORTS)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(SHARED_EXPORTS))
def test_every_shared_export_reads_every_record(shared_data: Path, name: str) -> None:
    records, with_abstract, source_format = SHARED_EXPORTS[name]
    result = read_input(InputSpec(shared_data / "exports" / name))
    assert len(result.papers) == records, [s.reason for s in result.skipped]
    assert sum(1 for p in result.papers if p.abstract) == with_abstract
    assert {p.source_format for p in result.papers} == {source_format}
    assert all(p.title for p in result.papers)


@pytest.mark.shared_data
def test_a_text_file_is_read_as_what_it_holds(shared_data: Path, tmp_path: Path) -> None:
    exports = shared_data / "exports"
    assert sniff_format((exports / "wos_plaintext_bibliometrix.txt").read_text(encoding="utf-8-sig")) == "wos"
    assert sniff_format((exports / "pubmed_medline_pybibx.txt").read_text(encoding="utf-8")) == "medline"
    # a RIS export saved as .txt, as some databases name them
    copy = tmp_path / "ieee.txt"
    shutil.copy(exports / "ieee_litstudy.ris", copy)
    assert {p.source_format for p in read_input(InputSpec(copy)).papers} == {"ris"}


def test_a_listing_page_is_still_a_listing(test_data: Path) -> None:
    listings = sorted((Path(__file__).resolve().parents[2] / "data" / "listings").glob("*.txt"))
    assert listings
    for path in listings:
        assert sniff_format(path.read_text(encoding="utf-8")) is None
        assert {p.source_format for p in read_input(InputSpec(path)).papers} == {"listing"}


def test_a_wos_tab_delimited_txt_is_a_table(tmp_path: Path) -> None:
    path = tmp_path / "savedrecs.txt"
    path.write_text(
        "PT\tAU\tAF\tTI\tSO\tDE\tAB\tPY\tDI\tUT\n"
        "J\tAria, M\tAria, Massimo\tbibliometrix: An R-tool\tJ INFORMETR\tscience mapping; R\tWe present it.\t2017\t"
        "10.1016/j.joi.2017.08.007\tWOS:000415000000001\n",
        encoding="utf-8",
    )
    (paper,) = read_input(InputSpec(path)).papers
    assert (paper.title, paper.authors, paper.year, paper.doi, paper.keywords, paper.id, paper.source_format) == (
        "bibliometrix: An R-tool", ("Massimo Aria",), 2017, "10.1016/j.joi.2017.08.007", ("science mapping", "R"),
        "WOS:000415000000001", "wos-tab",
    )


def test_content_that_is_not_what_the_extension_says_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("TY  - JOUR\nTI  - A paper\nAU  - Smith, John\nER  - \n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_input(InputSpec(path))
    assert str(caught.value) == (
        f"{path}: its extension says csv but its content is ris text (rename the file to match its content, or "
        "set format: ris)"
    )
    assert "\n" not in str(caught.value)
    (paper,) = read_input(InputSpec(path, format="ris")).papers
    assert paper.title == "A paper" and paper.authors == ("John Smith",)


def test_json_that_is_no_known_export_says_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_text('[{"name": "A paper"}]', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_input(InputSpec(path))
    assert str(caught.value).startswith(
        f"{path}: is JSON, but neither OpenAlex works, Semantic Scholar papers nor arXiv metadata"
    )
