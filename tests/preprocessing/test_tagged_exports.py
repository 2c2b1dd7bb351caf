"""parse_wos, parse_medline and parse_ris: the fixtures field by field, the real exports of ../shared, detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from preprocessing import ris
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult, SkippedRecord
from preprocessing.ris import looks_like_ris, parse_ris
from preprocessing.tagged import (
    looks_like_medline,
    looks_like_wos,
    medline_short_name,
    parse_medline,
    parse_wos,
    reorder_name,
    split_lines,
)

DETECTORS = {"wos": looks_like_wos, "medline": looks_like_medline, "ris": looks_like_ris}


def read(parse: object, path: Path, source: str = "src", period: str | None = None) -> ReadResult:
    assert callable(parse)
    result = parse(path.read_bytes().decode("utf-8-sig"), path, source, period)
    assert isinstance(result, ReadResult)
    return result


# --- fixtures, every field --------------------------------------------------------------------------------


def test_wos_fixture_exact(test_data: Path) -> None:
    path = test_data / "exports" / "tagged-wos.txt"
    result = read(parse_wos, path)
    assert result.papers == (
        Paper(
            id="WOS:000111111100001", title="Diffusion models for offline reinforcement learning: a survey",
            authors=("Hans Müller", "José Carlos Núñez"),
            abstract="We survey diffusion models for offline reinforcement learning and compare their policies on "
            "standard benchmarks.",
            year=2024, date="MAR 20 2024", period="2024", venue="JOURNAL OF MACHINE LEARNING RESEARCH", source="src",
            origin=f"{path}:3", doi="10.1234/jmlr.2024.001",
            keywords=("offline reinforcement learning", "diffusion", "policy learning", "survey"), source_format="wos",
        ),
        Paper(
            id="WOS:000222222200002", title="Reward shaping without an abstract", authors=("John Smith Jr.",),
            year=2021, period="2021", venue="NEURAL COMPUTATION", source="src", origin=f"{path}:25",
            doi="10.5555/nc.2021.42", source_format="wos",
        ),
        Paper(
            id="WOS:000444444400004", title="Early access chapter", authors=("K Lee", "Open Science Collaboration"),
            year=2023, period="2023", venue="LECTURE NOTES", source="src", origin=f"{path}:42", source_format="wos",
        ),
    )
    assert result.skipped == (SkippedRecord("src", f"{path}:35", "no title"),)
    assert result.warnings == ()


def test_medline_fixture_exact(test_data: Path) -> None:
    path = test_data / "exports" / "tagged-medline.txt"
    result = read(parse_medline, path)
    assert result.papers == (
        Paper(
            id="PMID:11111111", title="Multicriteria decision analysis for hospital planning: a case study",
            authors=("María José Gómez", "Søren Østergaard", "Hospital Planning Group"),
            abstract="BACKGROUND: Hospitals plan capacity. METHODS: We apply multicriteria decision analysis. "
            "RESULTS: It helps.",
            year=2023, date="2023 Jun 9", period="2023", venue="Health policy (Amsterdam, Netherlands)", source="src",
            origin=f"{path}:1", doi="10.1000/abc.2023.7", keywords=("decision analysis", "hospital capacity"),
            source_format="medline",
        ),
        Paper(
            id="PMID:22222222", title="Reward and motivation in nursing students", authors=("K Wiśniewski", "P Dvořák"),
            year=2019, date="2019", period="2019", venue="Pielegniarstwo XXI wieku", source="src",
            origin=f"{path}:29", doi="10.2000/pxxi.2019.3", source_format="medline",
        ),
        Paper(
            id="PMID:44444444", title="Decision making in public health", authors=("Jonathon Taylor",),
            abstract="A book with an abstract.", year=2017, date="2017 Mar-Apr", period="2017",
            venue="Public Health Research", source="src", origin=f"{path}:42", source_format="medline",
        ),
    )
    assert result.skipped == (SkippedRecord("src", f"{path}:37", "no title"),)


def test_ris_fixture_exact(test_data: Path) -> None:
    path = test_data / "exports" / "ris-sample.ris"
    result = read(parse_ris, path)
    assert result.papers == (
        Paper(
            id="dupont2022", title="Learning to rank with transformers", authors=("Jean-François Dupont", "Kari Ødegård"),
            abstract="We learn to rank with transformers.", year=2022, date="2022/05/01", period="2022",
            venue="Journal of Information Retrieval", source="src", origin=f"{path}:1", doi="10.3000/jir.2022.5",
            keywords=("ranking", "transformers", "retrieval"), source_format="ris",
        ),
        Paper(
            id="https://example.org/paper/9", title="A conference paper with a wrapped title", authors=("Wei Zhang",),
            abstract="Abstract given as N2.", year=2021, date="2021", period="2021",
            venue="Proceedings of the Ranking Conference", source="src", origin=f"{path}:18", doi="10.3000/rc.2021.9",
            source_format="ris",
        ),
        Paper(
            id="ACC-123", title="A report without an abstract", authors=("W. Zhang",), year=2019, period="2019",
            source="src", origin=f"{path}:34", source_format="ris",
        ),
    )
    assert result.skipped == (SkippedRecord("src", f"{path}:29", "no title"),)
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("parse", "name"), [(parse_wos, "tagged-wos.txt"), (parse_medline, "tagged-medline.txt"), (parse_ris, "ris-sample.ris")]
)
def test_period_argument_and_crlf_line_ends(test_data: Path, parse: object, name: str) -> None:
    path = test_data / "exports" / name
    text = path.read_text(encoding="utf-8")
    assert callable(parse)
    lf = parse(text, path, "src")
    crlf = parse("\ufeff" + text.replace("\n", "\r\n"), path, "src", "2019-24")
    assert [p.period for p in crlf.papers] == ["2019-24"] * len(lf.papers)
    assert [(p.title, p.abstract, p.origin, p.doi) for p in crlf.papers] == [
        (p.title, p.abstract, p.origin, p.doi) for p in lf.papers
    ]


def test_undated_records_take_the_source_as_period() -> None:
    assert [p.period for p in parse_wos("PT J\nTI A\nER\n", "f.txt", "lab").papers] == ["lab"]
    assert [p.period for p in parse_medline("PMID- 1\nTI  - A.\n", "f.txt", "lab").papers] == ["lab"]
    assert [p.period for p in parse_ris("TY  - JOUR\nTI  - A\nER  - \n", "f.ris", "lab").papers] == ["lab"]


# --- continuation lines, names, DOIs, records cut short ---------------------------------------------------


def test_wos_continuations_of_one_value_a_line_tags_and_of_text_tags() -> None:
    text = (
        "PT J\nAU Doe, J\n   Roe, R\nTI A long\n   title\nDE Bibliographic\n   coupling; R package\n"
        "SO JOURNAL OF\n   THINGS\nER\nEF\n"
    )
    (paper,) = parse_wos(text, "f.txt", "f").papers
    assert (paper.authors, paper.title, paper.keywords, paper.venue) == (
        ("J Doe", "R Roe"), "A long title", ("Bibliographic coupling", "R package"), "JOURNAL OF THINGS"
    )


def test_wos_record_without_er_is_read_with_a_warning() -> None:
    result = parse_wos("FN x\nVR 1.0\nPT J\nTI First\nPT J\nTI Second\nER\nPT J\nTI Third\n", "f.txt", "f")
    assert [(p.title, p.origin) for p in result.papers] == [("First", "f.txt:3"), ("Second", "f.txt:5"), ("Third", "f.txt:8")]
    assert result.warnings == (
        "f.txt:3: record has no ER line; read up to the next PT line",
        "f.txt:8: record has no ER line; read up to the end of the file",
    )


def test_medline_records_without_blank_line_between_them() -> None:
    result = parse_medline("PMID- 1\nTI  - One.\nPMID- 2\nTI  - Two?\n\n\nPMID- 3\nTI  - Three\n", "f.txt", "f")
    assert [(p.id, p.title, p.origin) for p in result.papers] == [
        ("PMID:1", "One", "f.txt:1"), ("PMID:2", "Two?", "f.txt:3"), ("PMID:3", "Three", "f.txt:7")
    ]


def test_medline_doi_only_from_values_marked_doi() -> None:
    text = "PMID- 1\nTI  - T\nLID - 10.9999/pii.1 [pii]\nAID - 10.1000/XYZ.2 [doi]\n"
    assert parse_medline(text, "f.txt", "f").papers[0].doi == "10.1000/xyz.2"
    assert parse_medline("PMID- 1\nTI  - T\nLID - 10.9999/pii.1 [pii]\n", "f.txt", "f").papers[0].doi == ""


def test_medline_title_keeps_inner_brackets() -> None:
    text = "PMID- 1\nTI  - [18F]FDG imaging of the [brain].\n"
    assert parse_medline(text, "f.txt", "f").papers[0].title == "[18F]FDG imaging of the [brain]"


def test_ris_record_without_er_is_read_with_a_warning() -> None:
    result = parse_ris("TY  - JOUR\nTI  - First\nTY  - JOUR\nTI  - Second\n", "f.ris", "f")
    assert [(p.title, p.origin) for p in result.papers] == [("First", "f.ris:1"), ("Second", "f.ris:3")]
    assert result.warnings == (
        "f.ris:1: record has no ER line; read up to the next TY line",
        "f.ris:3: record has no ER line; read up to the end of the file",
    )


def test_ris_stray_carriage_returns_between_records() -> None:
    text = "TY  - JOUR\r\nTI  - A\r\nER  - \r\n\n\rTY  - CONF\r\nTI  - B\r\nER  - \r\n\n\r\n"
    assert [(p.title, p.origin) for p in parse_ris(text, "f.ris", "f").papers] == [("A", "f.ris:1"), ("B", "f.ris:5")]
    assert split_lines("a\rb") == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Müller, Hans", "Hans Müller"), ("Toh, ML", "ML Toh"), ("Smith, John, Jr.", "John Smith Jr."),
     ("King, Jr, Martin", "Martin King Jr"), ("G. Kalbe", "G. Kalbe"), ("BEAUREGA.OC", "BEAUREGA.OC")],
)
def test_reorder_name(name: str, expected: str) -> None:
    assert reorder_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"), [("Gómez MJ", "MJ Gómez"), ("van der Berg JA", "JA van der Berg"), ("Smith J Jr", "Smith J Jr")]
)
def test_medline_short_name(name: str, expected: str) -> None:
    assert medline_short_name(name) == expected


# --- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "message"),
    [(parse_wos, r"^f\.txt: no Web of Science records found \(expected a plain text export"),
     (parse_medline, r"^f\.txt: no MEDLINE records found \(expected PubMed's MEDLINE format"),
     (parse_ris, r"^f\.txt: no RIS records found \(records must start with a 'TY  - JOUR' line")],
)
def test_no_records_is_an_error(parse: object, message: str) -> None:
    assert callable(parse)
    with pytest.raises(InputError, match=message):
        parse("just some text\n\nand more\n", "f.txt", "f")


def test_rispy_failure_is_an_input_error_naming_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str) -> list[dict[str, object]]:
        raise KeyError("abstract")

    monkeypatch.setattr(ris.rispy, "loads", fail)
    with pytest.raises(InputError, match=r"^f\.ris:2: RIS record could not be read \(KeyError: 'abstract'\)") as caught:
        parse_ris("\nTY  - JOUR\nTI  - A\nER  - \n", "f.ris", "f")
    assert "Traceback" not in str(caught.value) and "\n" not in str(caught.value)


# --- detection --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"), [("tagged-wos.txt", "wos"), ("tagged-medline.txt", "medline"), ("ris-sample.ris", "ris")]
)
def test_each_fixture_is_detected_as_its_format_only(test_data: Path, name: str, kind: str) -> None:
    text = (test_data / "exports" / name).read_text(encoding="utf-8")
    assert {k for k, detect in DETECTORS.items() if detect(text)} == {kind}
    assert {k for k, detect in DETECTORS.items() if detect("\ufeff" + text.replace("\n", "\r\n"))} == {kind}


def test_listings_and_tables_are_not_detected(project_root: Path, test_data: Path) -> None:
    paths = [
        *sorted((project_root / "data" / "listings").glob("*.txt")), test_data / "topics" / "tiny.txt",
        *sorted((test_data / "inputs").iterdir()),
    ]
    assert len(paths) >= 5
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert [k for k, detect in DETECTORS.items() if detect(text)] == [], path


@pytest.mark.parametrize(
    "text",
    ["FN is a title of a paper\nSomeone Else\n", "PT Barnum and the circus\nER\n", "PMID- of a title\nTI  - x\n",
     "Types of data\nTY  - is discussed here\n", ""],
)
def test_near_misses_are_not_detected(text: str) -> None:
    assert [k for k, detect in DETECTORS.items() if detect(text)] == []


# --- the real exports of ../shared/data/exports -----------------------------------------------------------


def exports(shared_data: Path, name: str) -> Path:
    return shared_data / "exports" / name


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "parse", "kind", "records", "with_abstract"),
    [("wos_plaintext_bibliometrix.txt", parse_wos, "wos", 8, 7),
     ("wos_plaintext_metaknowledge.txt", parse_wos, "wos", 32, 10),
     ("pubmed_medline_pybibx.txt", parse_medline, "medline", 335, 335),
     ("ieee_litstudy.ris", parse_ris, "ris", 25, 25)],
)
def test_shared_export_counts_and_detection(
    shared_data: Path, name: str, parse: object, kind: str, records: int, with_abstract: int
) -> None:
    path = exports(shared_data, name)
    result = read(parse, path)
    assert (len(result.papers), sum(1 for p in result.papers if p.abstract)) == (records, with_abstract)
    assert (result.skipped, result.warnings) == ((), ())
    assert {p.source_format for p in result.papers} == {kind}
    assert all(p.year is not None and p.authors for p in result.papers)
    text = path.read_bytes().decode("utf-8")  # the BOM kept: detection must see past it
    assert {k for k, detect in DETECTORS.items() if detect(text)} == {kind}


@pytest.mark.shared_data
def test_shared_wos_bibliometrix(shared_data: Path) -> None:
    path = exports(shared_data, "wos_plaintext_bibliometrix.txt")
    papers = read(parse_wos, path).papers
    first, aria, comment = papers[0], papers[2], papers[4]
    assert first.title == (
        "Mapping the application of Geographic Information System (GIS) in real estate: a bibliometric analysis "
        "using bibliometrix and QGIS"
    )
    assert (first.id, first.authors, first.year, first.venue, first.doi, first.origin) == (
        "WOS:001702577900001", ("Ming Liang Toh",), 2026, "SURVEY REVIEW", "10.1080/00396265.2026.2635057", f"{path}:3"
    )
    assert first.keywords == ("Word", "GIS", "Real Estate", "bibliometric analysis", "bibliometrix", "QGIS")
    assert (aria.title, aria.authors[0], aria.doi, aria.year) == (
        "bibliometrix: An R-tool for comprehensive science mapping analysis", "Massimo Aria",
        "10.1016/j.joi.2017.08.007", 2017,
    )
    assert comment.title.startswith('Comment on "Knowledge mapping of B cell and atherosclerosis')
    assert (comment.abstract, comment.authors[0], comment.origin) == ("", "Ziqi Zhao", f"{path}:365")


@pytest.mark.shared_data
def test_shared_wos_metaknowledge(shared_data: Path) -> None:
    path = exports(shared_data, "wos_plaintext_metaknowledge.txt")
    papers = read(parse_wos, path).papers
    first, last = papers[0], papers[-1]
    assert (first.title, first.authors, first.doi, first.year, first.id) == (
        "EXPERIMENTS IN PHENOMENOLOGICAL ELECTRODYNAMICS AND THE ELECTROMAGNETIC ENERGY-MOMENTUM TENSOR",
        ("I BREVIK",), "10.1016/0370-1573(79)90074-7", 1979, "WOS:A1979GV55600001",
    )
    assert (last.title, last.authors[0], last.doi, last.origin) == (
        "INTERNAL PHOTON IMPULSE OF DIELECTRIC AND ON COUPLE APPLIED TO ANISOTROPIC CRYSTAL", "BEAUREGA.OC", "",
        f"{path}:2030",
    )
    assert sum(1 for p in papers if p.doi) == 17


@pytest.mark.shared_data
def test_shared_medline(shared_data: Path) -> None:
    path = exports(shared_data, "pubmed_medline_pybibx.txt")
    papers = read(parse_medline, path).papers
    by_id = {p.id: p for p in papers}
    first = papers[0]
    assert (first.id, first.title, first.authors[:2], first.doi, first.venue, first.origin) == (
        "PMID:35757629", "Knowledge Mapping of Multicriteria Decision Analysis in Healthcare: A Bibliometric Analysis",
        ("Zeqi Dai", "Simin Xu"), "10.3389/fpubh.2022.895552", "Frontiers in public health", f"{path}:1",
    )
    assert first.keywords == (
        "CiteSpace", "R-bibliometrix", "VOSviewer", "bibliometric analysis", "healthcare",
        "multicriteria decision analysis",
    )
    book = by_id["PMID:30329254"]  # a book: BTI, no TI, the collection (CTI) as venue
    assert book.title.startswith("The impact of home energy efficiency interventions and winter fuel payments")
    assert (book.venue, book.doi, book.authors[-1]) == ("Public Health Research", "10.3310/phr06110", "Paul Wilkinson")
    drugs = by_id["PMID:21036393"]  # CN group name kept in the author list
    assert drugs.authors == ("David J Nutt", "Leslie A King", "Lawrence D Phillips", "Independent Scientific Committee on Drugs")
    translated = by_id["PMID:29267710"]  # "[...]." around a translated title
    assert translated.title.startswith("Socio-environmental vulnerability index: a methodological proposal")
    assert not translated.title.endswith((".", "]"))
    assert sum(1 for p in papers if p.doi) == 331 and len(by_id) == 335


@pytest.mark.shared_data
def test_shared_ieee_ris(shared_data: Path) -> None:
    path = exports(shared_data, "ieee_litstudy.ris")
    papers = read(parse_ris, path).papers
    first, second, last = papers[0], papers[1], papers[-1]
    assert (first.title, first.authors, first.doi, first.year, first.venue, first.origin) == (
        "The European Approach to the Exascale Challenge", ("G. Kalbe", "G. Kalbe"), "10.1109/mcse.2018.2884139", 2019,
        "Computing in Science & Engineering", f"{path}:1",
    )
    assert (second.title, second.authors[0], len(second.authors), second.doi, second.origin) == (
        "Reference Exascale Architecture", "M. Bobák", 14, "10.1109/escience.2019.00063", f"{path}:26"
    )
    assert (last.title, last.authors[0], last.doi) == (
        "Trends in High Performance Computing: Exascale Systems and Facilities Beyond the First Wave", "L. A. Parnell",
        "10.1109/itherm.2019.8757229",
    )
    assert [p.title for p in papers if not p.doi] == ["The role of photonics in future exascale data systems"]
