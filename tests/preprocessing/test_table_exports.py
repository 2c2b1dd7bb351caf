"""Database exports as tables (Scopus both layouts, Lens, OpenAlex CSV, Zotero) and as BibTeX (Web of Science,
Scopus): the layout is found from the header, each field read from its column, placeholders dropped; the real
files of ../shared/data/exports read with their exact record and abstract counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from preprocessing.bibtex import parse_bibtex
from preprocessing.records import ReadResult
from preprocessing.table_exports import COLUMN_ROLES, detect_table_export, first_last, split_keywords
from preprocessing.tabular import STANDARD_COLUMNS, read_csv

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "exports"


def read(path: Path) -> ReadResult:
    text = path.read_text(encoding="utf-8-sig")
    return parse_bibtex(text, path, path.stem) if path.suffix == ".bib" else read_csv(text, path, path.stem)


def test_a_scopus_table_with_ragged_rows_and_placeholders() -> None:
    path = FIXTURES / "table-scopus-ragged.csv"
    result = read(path)
    first, second, third = result.papers
    assert (first.title, first.authors, first.year, first.venue) == (
        "A first paper", ("Smith J.", "Doe A."), 2021, "Journal of Tests"
    )
    assert (first.doi, first.keywords, first.abstract, first.source_format) == (
        "10.1000/abc", ("alpha", "beta"), "An abstract.", "scopus"
    )
    assert first.origin == f"{path}:2"
    # the older layout's comma-separated authors; Scopus's placeholder abstract is no abstract
    assert (second.title, second.authors, second.abstract, second.doi) == (
        "A second paper, with a comma", ("Lee K.", "Park S."), "", "10.1000/def"
    )
    assert third.authors == () and third.abstract == "Third abstract." and third.keywords == ("gamma",)
    (warning,) = result.warnings
    assert warning == (
        f"{path}: 1 row(s) have more fields than the header's 11 (the first on line 3); each was read as its "
        "first 11 fields"
    )


def test_a_zotero_table_turns_last_first_names_around() -> None:
    first, second = read(FIXTURES / "table-zotero.csv").papers
    assert (first.id, first.title, first.authors, first.year, first.venue, first.doi, first.keywords) == (
        "K1", "StyleGAN2 Distillation", ("Yuri Viazovetskyi", "Vladimir Ivashkin"), 2020, "ECCV", "10.1007/x_11",
        ("Unreviewed", "GAN"),
    )
    assert first.abstract == "We distil StyleGAN2." and first.source_format == "zotero"
    assert (second.authors, second.abstract, second.doi, second.keywords) == (("Jürgen Müller",), "", "", ())


def test_layouts_are_told_apart_by_their_headers() -> None:
    def name(columns: list[str]) -> str | None:
        export = detect_table_export(columns)
        return None if export is None else export.name

    assert name(["Authors", "Author(s) ID", "Title", "Source title", "EID"]) == "scopus"
    assert name(["Lens ID", "Title", "Source Title"]) == "lens"
    assert name(["id", "display_name", "authorships.author.display_name"]) == "openalex-csv"
    assert name(["Key", "Item Type", "Title", "Abstract Note"]) == "zotero"
    assert name(["PT", "AU", "TI", "AB", "UT"]) == "wos-tab"
    assert name(["title", "abstract", "authors"]) is None


def test_the_config_s_column_roles_are_the_readers_and_a_mapped_keywords_column_is_read() -> None:
    assert COLUMN_ROLES == tuple(STANDARD_COLUMNS)
    result = read_csv("title,abstract,tags\nA paper,Text.,alpha; beta\n", "f.csv", "f", columns={"keywords": "tags"})
    assert result.papers[0].keywords == ("alpha", "beta")
    unasked = read_csv("title,abstract,keywords\nA paper,Text.,alpha\n", "f.csv", "f")
    assert unasked.papers[0].keywords == ()  # a bare keywords column is read only when mapped


def test_names_and_keywords() -> None:
    assert first_last("Cuccurullo, Corrado") == "Corrado Cuccurullo"
    assert first_last("Corrado Cuccurullo") == "Corrado Cuccurullo"
    assert split_keywords(" deep  learning; GANs;; deep learning ") == ("deep learning", "GANs")


# ---------------------------------------------------------------------------------------- ../shared exports

#: file -> (records, with an abstract, first record's (title start, first author, year, DOI), source format)
SHARED_TABLES = {
    "scopus_bibliometrix.csv": (
        8, 8, ("Quantitative analysis of studies that use artificial intelligence", "Liu F.", 2026,
               "10.1177/20552076261415846"), "scopus"),
    "scopus_old_litstudy.csv": (
        58, 57, ("Scalable molecular dynamics with NAMD", "Phillips J.C.", 2005, "10.1002/jcc.20289"), "scopus"),
    "lens_bibliometrix.csv": (
        8, 8, ("Dynamic real-time risk analytics of uncontrollable states", "Petar Radanliev", 2020,
               "10.1007/s10669-020-09792-x"), "lens"),
    "openalex_bibliometrix.csv": (
        8, 5, ("bibliometrix: An R-tool for comprehensive science mapping analysis", "Massimo Aria", 2017,
               "10.1016/j.joi.2017.08.007"), "openalex-csv"),
    "zotero_library.csv": (
        217, 201, ("StyleGAN2 Distillation for Feed-Forward Image Manipulation", "Yuri Viazovetskyi", 2020,
                   "10.1007/978-3-030-58542-6_11"), "zotero"),
    "wos_pybibx.bib": (
        29, 29, ("Estimation of missing judgments in AHP pairwise matrices", "Jose Antonio Gomez-Ruiz", 2010,
                 "10.1016/j.amc.2010.04.009"), "bibtex"),
    "scopus_pybibx.bib": (
        24, 24, ("Base-criterion on multi-criteria decision-making method", "Gholamreza Haseli", 2020,
                 "10.1080/17509653.2019.1633964"), "bibtex"),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(SHARED_TABLES))
def test_shared_exports_read_every_record(shared_data: Path, name: str) -> None:
    records, with_abstract, (title, author, year, doi), source_format = SHARED_TABLES[name]
    result = read(shared_data / "exports" / name)
    assert len(result.papers) == records and not result.skipped
    assert sum(1 for p in result.papers if p.abstract) == with_abstract
    first = result.papers[0]
    assert first.title.startswith(title) and first.authors[0] == author
    assert (first.year, first.doi, first.source_format) == (year, doi, source_format)


@pytest.mark.shared_data
def test_shared_scopus_bibtex_keeps_the_entry_whose_key_has_a_space(shared_data: Path) -> None:
    path = shared_data / "exports" / "scopus_pybibx.bib"
    result = read(path)
    (paper,) = [p for p in result.papers if p.id == "Carmone_Jr.1997538"]
    assert paper.title == "A Monte Carlo investigation of incomplete pairwise comparison matrices in AHP"
    assert result.warnings == (
        f"{path}: 1 citation key(s) hold spaces (e.g. 'Carmone Jr.1997538', line 78); read with '_' for each space",
    )


@pytest.mark.shared_data
def test_shared_scopus_old_layout_reports_its_long_rows(shared_data: Path) -> None:
    path = shared_data / "exports" / "scopus_old_litstudy.csv"
    result = read(path)
    assert result.warnings == (
        f"{path}: 56 row(s) have more fields than the header's 45 (the first on line 4); each was read as its "
        "first 45 fields",
    )
    assert all(not a.startswith("[No author") for p in result.papers for a in p.authors)
