"""A run over a Web of Science, a Scopus and a MEDLINE export of overlapping papers: the copies of a work are merged
(by DOI, by title with year and first author, by a near-identical title), the abstract-bearing MEDLINE record is
kept with its gaps filled from the others, same-titled works stay apart, and the merges are reported in
merges.csv, papers.csv, manifest.json and the report.

The three exports are made from the real files in ../shared/data/exports: the MEDLINE export is the first six
records of pubmed_medline_pybibx.txt, verbatim; the WoS and Scopus exports are the real bibliometrix samples with
records of five of those papers added in each database's own format, as a search in each would give them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from preprocessing.readers import InputSpec, read_input
from preprocessing.records import Paper
from tests.topics.helpers import FAST, invoke

pytestmark = pytest.mark.shared_data


def medline_records(path: Path, n: int) -> str:
    """The first ``n`` records of a MEDLINE file (records are separated by blank lines), verbatim."""
    records = [block for block in path.read_text(encoding="utf-8").split("\n\n") if block.strip()]
    return "\n\n".join(records[:n]) + "\n"


def wos_record(paper: Paper, *, title: str | None = None, doi: str = "", abstract: str = "",
               keywords: str = "", authors: tuple[str, ...] | None = None, year: int | None = None) -> str:
    """One Web of Science plain-text record (``PT J`` ... ``ER``) of ``paper``'s bibliographic data."""
    names = authors if authors is not None else paper.authors
    lines = ["PT J"]
    for tag, values in (("AU", [_surname_first(a) for a in names]), ("AF", [_surname_first(a, full=True) for a in names])):
        lines += [f"{tag if k == 0 else '  '} {v}" for k, v in enumerate(values)]
    lines += [f"TI {title if title is not None else paper.title}", f"SO {paper.venue.upper()}"]
    if keywords:
        lines.append(f"DE {keywords}")
    if abstract:
        lines.append(f"AB {abstract}")
    lines.append(f"PY {year if year is not None else paper.year}")
    if doi:
        lines.append(f"DI {doi}")
    return "\n".join(lines + ["ER", ""]) + "\n"


def _surname_first(name: str, full: bool = False) -> str:
    """``"Zeqi Dai"`` -> ``"Dai, Z"`` (WoS ``AU``) or ``"Dai, Zeqi"`` (``AF``)."""
    *given, family = name.split()
    return f"{family}, {' '.join(given) if full else ''.join(g[0] for g in given)}"


def scopus_row(header: list[str], paper: Paper, *, doi: str = "", abstract: str = "[No abstract available]",
               title: str | None = None, authors: tuple[str, ...] | None = None, year: int | None = None) -> dict:
    """One Scopus CSV row (the columns of ``header``) of ``paper``'s bibliographic data."""
    names = authors if authors is not None else paper.authors
    row = dict.fromkeys(header, "")
    row.update({
        "Authors": "; ".join(f"{n.split()[-1]} {''.join(g[0] + '.' for g in n.split()[:-1])}" for n in names),
        "Author full names": "; ".join(names),
        "Title": title if title is not None else paper.title,
        "Year": str(year if year is not None else paper.year),
        "Source title": paper.venue,
        "DOI": doi,
        "Abstract": abstract,
        "Document Type": "Article",
        "Source": "Scopus",
    })
    return row


@pytest.fixture
def overlapping_exports(shared_data: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    exports = shared_data / "exports"
    medline = tmp_path / "pubmed.txt"
    medline.write_text(medline_records(exports / "pubmed_medline_pybibx.txt", 6), encoding="utf-8")
    papers = read_input(InputSpec(medline)).papers
    assert len(papers) == 6
    p = list(papers)

    wos_text = (exports / "wos_plaintext_bibliometrix.txt").read_text(encoding="utf-8-sig")
    added = "".join([
        wos_record(p[0], doi=p[0].doi.upper()),  # DOI rule (DOIs are case-insensitive)
        wos_record(p[1], doi=p[1].doi, title=p[1].title.upper()),
        wos_record(p[2], abstract="Short."),  # no DOI: title, year and first author
        wos_record(p[3], keywords="drug harm; MCDA"),  # no DOI; gives the keywords MEDLINE lacks
        wos_record(p[4], title=p[4].title.replace("oncology", "oncolgy")),  # a typo: the similar-title rule
        wos_record(p[5], title="Editorial", authors=("Anna Berg",), year=2021),
    ])
    wos = tmp_path / "savedrecs.txt"
    wos.write_text(wos_text.replace("\nEF", "\n" + added + "EF", 1), encoding="utf-8")

    with open(exports / "scopus_bibliometrix.csv", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    rows += [
        scopus_row(header, p[0], doi=p[0].doi),
        scopus_row(header, p[1], doi="https://doi.org/" + p[1].doi),
        scopus_row(header, p[5], doi=p[5].doi),
        scopus_row(header, p[5], title="Editorial", authors=("Carl Ode",), year=2023),
    ]
    scopus = tmp_path / "scopus.csv"
    with open(scopus, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return wos, scopus, medline


def test_a_run_merges_overlapping_exports_and_reports_the_merges(
    overlapping_exports: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    wos, scopus, medline = overlapping_exports
    out = tmp_path / "out"
    argv = ["run", "--input", wos, "--input", scopus, "--input", medline, "--out", out, "--quiet", "--no-cache", *FAST]
    assert invoke(argv) == 0

    with open(out / "papers.csv", encoding="utf-8", newline="") as handle:
        papers = list(csv.DictReader(handle))
    # 8 real WoS records, 8 real Scopus records, the 6 MEDLINE papers and the two "Editorial" pieces
    assert len(papers) == 24
    medline_rows = [row for row in papers if row["source_format"] == "medline"]
    assert len(medline_rows) == 6  # every added copy went into its MEDLINE record, which has the abstract
    by_doi = {row["doi"]: row for row in medline_rows}
    drug = next(row for row in medline_rows if row["title"].startswith("Drug harms in the UK"))
    assert drug["keywords"] == "drug harm; MCDA"  # the gap filled from the WoS record
    assert drug["abstract"] == read_input(InputSpec(medline)).papers[3].abstract
    assert len(by_doi["10.3389/fpubh.2022.895552"]["merged_from"].split("; ")) == 2
    editorials = [row for row in papers if row["title"] == "Editorial"]
    assert sorted(row["year"] for row in editorials) == ["2021", "2023"]
    assert len({row["id"] for row in papers}) == 24

    with open(out / "merges.csv", encoding="utf-8", newline="") as handle:
        merges = list(csv.DictReader(handle))
    assert sorted((m["source"], m["rule"]) for m in merges) == [
        ("savedrecs", "doi"), ("savedrecs", "doi"), ("savedrecs", "similar title"),
        ("savedrecs", "title"), ("savedrecs", "title"),
        ("scopus", "doi"), ("scopus", "doi"), ("scopus", "doi"),
    ]
    assert {m["filled"] for m in merges} == {"", "keywords"}

    counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["merges"]
    assert counts["by_rule"] == {"doi": 5, "title": 2, "similar title": 1}
    assert counts["by_source"]["savedrecs"] == {
        "records": 14, "kept": 9, "merged": 5, "filled": 1, "doi": 2, "title": 2, "similar title": 1
    }
    assert counts["by_source"]["pubmed"] == {"records": 6, "kept": 6, "merged": 0, "filled": 0}

    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Merged records" in report
    assert "8 records were merged into another record of the same work (5 by same DOI; 2 by same title, " in report
