"""CSV / TSV / JSONL / Parquet readers and their column matching."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from preprocessing.errors import InputError
from preprocessing.records import Paper
from preprocessing.tabular import (
    cell_text,
    parse_year,
    read_csv,
    read_jsonl,
    read_parquet,
    resolve_columns,
    split_authors,
)


def read_fixture_csv(test_data: Path, name: str = "papers.csv", **kwargs: object):
    path = test_data / "inputs" / name
    return read_csv(path.read_text(encoding="utf-8"), path, "papers", **kwargs), path


def test_csv_fixture_exact(test_data: Path) -> None:
    result, path = read_fixture_csv(test_data)
    assert result.papers == (
        Paper(
            id="p1", title="Learning to Plan with Diffusion", authors=("Ada Lovelace", "Alan Turing"),
            abstract="We plan with diffusion models, see the code.", year=2021, period="2021", venue="ICLR",
            source="papers", origin=f"{path}:2", source_format="csv",
        ),
        Paper(
            id="p2", title="Multi-line, quoted abstract", authors=("Grace Hopper", "Edsger Dijkstra"),
            abstract="First line second line", year=2022, period="2022", venue="NeurIPS", source="papers",
            origin=f"{path}:3", source_format="csv",
        ),
        Paper(
            id="p4", title="Titles Only Paper", authors=("Barbara Liskov", "John McCarthy"), period="papers",
            source="papers", origin=f"{path}:6", source_format="csv",
        ),
    )
    assert [(s.reason, s.origin) for s in result.skipped] == [("no title", f"{path}:5")]


def test_csv_period_argument_wins(test_data: Path) -> None:
    result, _ = read_fixture_csv(test_data, period="2020-22")
    assert {p.period for p in result.papers} == {"2020-22"}


def test_tsv(test_data: Path) -> None:
    result, path = read_fixture_csv(test_data, "papers.tsv", sep="\t")
    assert [(p.title, p.abstract, p.authors, p.year) for p in result.papers] == [
        ("Tab Separated Paper", "An abstract, with a comma.", ("Ada Lovelace", "Alan Turing"), 2020)
    ]


def test_jsonl_fixture(test_data: Path) -> None:
    path = test_data / "inputs" / "papers.jsonl"
    result = read_jsonl(path.read_text(encoding="utf-8"), path, "papers")
    assert result.papers == (
        Paper(
            id="j1", title="Graph Networks", authors=("Ada Lovelace", "Alan Turing"), abstract="We study graphs.",
            year=2020, date="2020-01-02", period="2020", venue="JMLR", source="papers", origin=f"{path}:1",
            source_format="jsonl",
        ),
        Paper(
            id="j3", title="Period Column Paper", abstract="Text with x math.", year=2019, period="2019-20",
            source="papers", origin=f"{path}:4", source_format="jsonl",
        ),
    )
    assert [(s.reason, s.origin) for s in result.skipped] == [("no title", f"{path}:3")]


def test_jsonl_bad_line_names_its_line() -> None:
    text = '{"title": "A", "abstract": "x"}\n{"title": "B", "abstract": \n'
    with pytest.raises(InputError, match=r"^f\.jsonl:2: line is not valid JSON \(Expecting value at column 28\)"):
        read_jsonl(text, "f.jsonl", "f")


def test_jsonl_non_object_line() -> None:
    with pytest.raises(InputError, match=r"^f\.jsonl:1: line is a JSON list, not an object"):
        read_jsonl('["title", "abstract"]\n', "f.jsonl", "f")


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "papers.parquet"
    pd.DataFrame({
        "Title": ["Sparse Memory", "", "Graph Agents"],
        "Body": ["We store $x$.", "orphan", None],
        "year": [2021, 2022, None],
        "authors": [["Ada Lovelace", "Alan Turing"], [], None],
        "unused": [1, 2, 3],
    }).to_parquet(path)
    result = read_parquet(path, "pq")
    assert [(p.title, p.abstract, p.year, p.period, p.authors, p.origin) for p in result.papers] == [
        ("Sparse Memory", "We store x.", 2021, "2021", ("Ada Lovelace", "Alan Turing"), f"{path}:row 1"),
        ("Graph Agents", "", None, "pq", (), f"{path}:row 3"),
    ]
    assert [(s.reason, s.origin) for s in result.skipped] == [("no title", f"{path}:row 2")]


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("title,abstract\n")
    with pytest.raises(InputError, match=r"fake\.parquet: is not a readable Parquet file"):
        read_parquet(path, "fake")


def test_columns_match_case_insensitively_and_first_alias_wins() -> None:
    found = ["TITLE", "Body", "Summary", "DOI", "Paper_ID", "first_date", "Journal"]
    assert resolve_columns(found, {}, "f.csv") == {
        "id": "Paper_ID", "title": "TITLE", "abstract": "Summary", "authors": None, "year": None,
        "date": "first_date", "venue": "Journal", "period": None, "doi": "DOI", "keywords": None,
    }


def test_columns_mapping_overrides() -> None:
    found = ["name", "abstract", "text", "when"]
    resolved = resolve_columns(found, {"title": "NAME", "abstract": "text", "year": "when"}, "f.csv")
    assert (resolved["title"], resolved["abstract"], resolved["year"]) == ("name", "text", "when")


def test_empty_abstract_mapping_means_titles_only() -> None:
    result = read_csv("title,notes\nFeasible Learning,x\n", "f.csv", "f", columns={"abstract": ""})
    assert [(p.title, p.abstract) for p in result.papers] == [("Feasible Learning", "")]


def test_missing_title_column() -> None:
    with pytest.raises(
        InputError,
        match=r"^f\.csv: no title column \(columns found: name, abstract\) "
        r"\(map it with columns: \{title: <your column>\} or --map title=<your column>\)$",
    ):
        read_csv("name,abstract\nx,y\n", "f.csv", "f")


def test_missing_abstract_column() -> None:
    with pytest.raises(InputError, match=r"^f\.csv: no abstract column \(columns found: title, notes\)") as error:
        read_csv("title,notes\nx,y\n", "f.csv", "f")
    assert error.value.fix == (
        "add an abstract/text/summary/body column, map one with columns: {abstract: <your column>}, "
        "or set columns: {abstract: ''} to run on titles alone"
    )


def test_mapped_column_that_does_not_exist() -> None:
    with pytest.raises(
        InputError, match=r"^f\.csv: column 'Name' mapped as title is not in the file \(columns found: label, abstract\)"
    ):
        read_csv("label,abstract\nx,y\n", "f.csv", "f", columns={"title": "Name"})


def test_unknown_column_role() -> None:
    with pytest.raises(InputError, match=r"unknown column role 'tittle' in columns \(use one of: id, title,"):
        read_csv("title,abstract\nx,y\n", "f.csv", "f", columns={"tittle": "title"})


def test_malformed_csv_names_the_line() -> None:
    with pytest.raises(InputError, match=r"^f\.csv:3: is not valid CSV: Expected 2 fields in line 3, saw 3"):
        read_csv("title,abstract\na,b\nc,d,e\n", "f.csv", "f")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ada Lovelace; Alan Turing", ("Ada Lovelace", "Alan Turing")),
        ("Ada Lovelace and Alan Turing", ("Ada Lovelace", "Alan Turing")),
        ("Ada Lovelace, Alan Turing,", ("Ada Lovelace", "Alan Turing")),
        ("Smith, J.; Doe, A.", ("Smith, J.", "Doe, A.")),
        (["Ada Lovelace", " ", "Alan Turing"], ("Ada Lovelace", "Alan Turing")),
        ("", ()),
        (None, ()),
    ],
)
def test_split_authors(value: object, expected: tuple[str, ...]) -> None:
    assert split_authors(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2019, 2019), ("2019", 2019), ("2019.0", 2019), (2019.0, 2019), ("2019-06-01", 2019), ("June 2020", 2020),
     ("", None), (None, None), (float("nan"), None), ("n/a", None)],
)
def test_parse_year(value: object, expected: int | None) -> None:
    assert parse_year(value) == expected


def test_cell_text() -> None:
    assert [cell_text(v) for v in (None, float("nan"), 3.0, 2.5, " x ", ["a", "b"])] == ["", "", "3", "2.5", "x", "a; b"]


@pytest.mark.shared_data
def test_mila_paperoni_selected(shared_data: Path) -> None:
    path = shared_data / "mila" / "mila_paperoni_selected_124.csv"
    result = read_csv(path.read_text(encoding="utf-8"), path, "mila")
    assert len(result.papers) == 124 and result.skipped == ()
    first = result.papers[0]
    assert first.id == "c81f0bbb04c7a1baa8dadf52f0d38a77"
    assert first.title == (
        "EditNTS: An Neural Programmer-Interpreter Model for Sentence Simplification through Explicit Editing"
    )
    assert first.authors == ("Yue Dong", "Zichao Li", "Mehdi Rezagholizadeh", "Jackie CK Cheung")
    assert (first.year, first.date, first.period) == (2019, "2019-06-01", "2019")
    assert sum(bool(p.abstract) for p in result.papers) == 19
    years = Counter(p.year for p in result.papers)
    assert years == {2000: 1, 2019: 14, 2020: 18, 2021: 14, 2022: 26, 2023: 33, 2024: 18}


@pytest.mark.shared_data
def test_iclr_themes_dev_keeps_ids(shared_data: Path) -> None:
    path = shared_data / "iclr-themes-dev" / "iclr_themes_dev.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = read_csv(path.read_text(encoding="utf-8"), path, "iclr")
    assert len(result.papers) == 2371
    assert [p.id for p in result.papers] == frame["id"].tolist()
    assert {p.period for p in result.papers} == {"2017", "2018", "2021"}
    assert result.papers[0].authors == ("Jake Snell", "Kevin Swersky", "Richard Zemel")
