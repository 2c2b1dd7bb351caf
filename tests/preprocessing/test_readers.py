"""read_input: format dispatch, file checks and their messages, defaults of InputSpec."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from preprocessing.dedup import deduplicate
from preprocessing.errors import InputError
from preprocessing.readers import InputSpec, read_input, read_inputs, resolve_format

LISTING = (
    "Feasible Learning\nJuan Ramirez\nIgnacio Hounie\n"
    "We introduce Feasible Learning, a sample-centric learning paradigm where models are trained by solving a "
    "feasibility problem that bound… (voir plus)s the loss for each training sample.\n"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.txt", "listing"), ("a.CSV", "csv"), ("a.tsv", "csv"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"),
     ("a.parquet", "parquet"), ("a.pq", "parquet"), ("a.bib", "bibtex"), ("a.bibtex", "bibtex")],
)
def test_format_from_extension(name: str, expected: str) -> None:
    assert resolve_format(InputSpec(Path(name))) == expected


def test_explicit_format_wins_over_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "listing.dat", LISTING)
    result = read_input(InputSpec(path, format="listing"))
    assert [p.title for p in result.papers] == ["Feasible Learning"]


def test_unknown_extension() -> None:
    with pytest.raises(
        InputError, match=r"^papers\.xlsx: unknown file extension '\.xlsx' \(known extensions: \.txt, \.csv, .*\) "
        r"\(rename the file or set format: one of listing, csv, jsonl, parquet, bibtex, wos, medline, ris, "
        r"pubmed-xml, json\)$"
    ):
        resolve_format(InputSpec(Path("papers.xlsx")))


def test_no_extension() -> None:
    with pytest.raises(InputError, match=r"^papers: has no file extension"):
        resolve_format(InputSpec(Path("papers")))


def test_unknown_format_value() -> None:
    with pytest.raises(InputError, match=r"unknown format 'excel' \(set format: one of auto, listing, csv"):
        InputSpec(Path("a.csv"), format="excel")


def test_spec_defaults_and_str_path() -> None:
    spec = InputSpec("data/2025.txt")  # type: ignore[arg-type]
    assert spec.path == Path("data/2025.txt") and spec.source_name == "2025"
    assert spec.period is None and dict(spec.columns) == {}
    mapping = {"title": "name"}
    mapped = InputSpec(Path("a.csv"), columns=mapping)
    mapping["abstract"] = ""
    assert dict(mapped.columns) == {"title": "name"}  # the spec keeps its own read-only copy
    assert InputSpec(Path("a.csv"), source="mila").source_name == "mila"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv: file not found \(check the path"):
        read_input(InputSpec(tmp_path / "nope.csv"))


def test_directory_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "papers.csv"
    folder.mkdir()
    with pytest.raises(InputError, match=r"papers\.csv: is a directory, not a file"):
        read_input(InputSpec(folder))


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n", b"\xef\xbb\xbf\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "empty.txt", content)
    with pytest.raises(InputError, match=r"empty\.txt: is empty \(give a file that holds the papers\)"):
        read_input(InputSpec(path))


def test_empty_parquet_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"empty\.parquet: is empty"):
        read_input(InputSpec(write(tmp_path, "empty.parquet", b"")))


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match=r"image\.csv: looks binary, not text"):
        read_input(InputSpec(path))


def test_utf16_without_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", "title,abstract\nA,b\n".encode("utf-16-le"))
    with pytest.raises(InputError, match=r"wide\.csv: looks binary, not text \(.*UTF-16 without a byte-order mark"):
        read_input(InputSpec(path))


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    csv_path = write(tmp_path, "bom.csv", b"\xef\xbb\xbftitle,abstract\r\nFeasible Learning,An abstract.\r\n")
    assert [(p.title, p.abstract) for p in read_input(InputSpec(csv_path)).papers] == [
        ("Feasible Learning", "An abstract.")
    ]
    listing_path = write(tmp_path, "2025.txt", ("\ufeff" + LISTING).replace("\n", "\r\n"))
    papers = read_input(InputSpec(listing_path)).papers
    assert [(p.title, p.authors, p.period, p.source) for p in papers] == [
        ("Feasible Learning", ("Juan Ramirez", "Ignacio Hounie"), "2025", "2025")
    ]
    assert "bounds the loss" in papers[0].abstract


def test_no_papers_found_in_table(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.csv", "title,abstract\n,only an abstract\n")
    with pytest.raises(
        InputError, match=r"blank\.csv: no papers found; 1 records skipped \(no title\) "
        r"\(expected a header row with a title column and one row per paper\)$"
    ):
        read_input(InputSpec(path))


def test_no_papers_found_in_listing_with_only_an_abstract(tmp_path: Path) -> None:
    path = write(tmp_path, "orphan.txt", "We only have an abstract here and nothing else, " * 3 + "\n")
    with pytest.raises(
        InputError, match=r"orphan\.txt: no papers found; 1 records skipped \(abstract without a title\) "
        r"\(a listing is a title line, one line per author, then an optional abstract line, for each paper\)$"
    ):
        read_input(InputSpec(path))


def test_no_papers_found_in_header_only_listing(tmp_path: Path) -> None:
    path = write(tmp_path, "header.txt", "Publications\n\n")
    with pytest.raises(InputError, match=r"header\.txt: no papers found; 1 records skipped \(page header\)"):
        read_input(InputSpec(path))


def test_jsonl_line_numbers_survive_unicode_line_separators(tmp_path: Path) -> None:
    path = write(tmp_path, "u.jsonl", '{"title": "A\u2028B", "abstract": "x\u2029y"}\r\n{"title": "C", "abstract": ""}\n')
    assert [(p.title, p.origin.rsplit(":", 1)[1]) for p in read_input(InputSpec(path)).papers] == [
        ("A B", "1"), ("C", "2")
    ]


def test_tsv_jsonl_bibtex_and_parquet_dispatch(test_data: Path, tmp_path: Path) -> None:
    inputs = test_data / "inputs"
    parquet = tmp_path / "t.parquet"
    pd.DataFrame({"title": ["Sparse Memory"], "abstract": ["x"], "year": [2020]}).to_parquet(parquet)
    results = read_inputs([
        InputSpec(inputs / "papers.tsv"), InputSpec(inputs / "papers.jsonl"), InputSpec(inputs / "papers.bib"),
        InputSpec(parquet, period="P", source="pq"),
    ])
    assert [[p.title for p in r.papers] for r in results] == [
        ["Tab Separated Paper"], ["Graph Networks", "Period Column Paper"],
        ["Learning to Plan with Diffusion", "Compilers for Éveryone"], ["Sparse Memory"],
    ]
    assert (results[3].papers[0].period, results[3].papers[0].source) == ("P", "pq")


def test_columns_mapping_passed_through(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "name,notes\nFeasible Learning,ignored\n")
    result = read_input(InputSpec(path, columns={"title": "name", "abstract": ""}))
    assert [(p.title, p.abstract, p.period) for p in result.papers] == [("Feasible Learning", "", "m")]


def test_real_listings_through_read_input(project_root: Path) -> None:
    folder = project_root / "data" / "listings"
    results = read_inputs([InputSpec(folder / "2023-24.txt"), InputSpec(folder / "2025.txt")])
    assert [len(r.papers) for r in results] == [12, 12]
    corpus = deduplicate(results)
    assert len(corpus) == 23 and len(set(corpus.ids)) == 23
    assert [p.period for p in corpus.papers].count("2023-24") == 11


@pytest.mark.shared_data
def test_shared_mila_paperoni_124(shared_data: Path) -> None:
    result = read_input(InputSpec(shared_data / "mila" / "mila_paperoni_selected_124.csv"))
    corpus = deduplicate([result])
    assert len(corpus) == 124
    assert corpus.ids[0] == "c81f0bbb04c7a1baa8dadf52f0d38a77"
    assert all(p.source == "mila_paperoni_selected_124" for p in corpus.papers)


@pytest.mark.shared_data
def test_shared_iclr_themes_dev_keeps_ids(shared_data: Path) -> None:
    path = shared_data / "iclr-themes-dev" / "iclr_themes_dev.csv"
    ids = pd.read_csv(path, dtype=str, keep_default_na=False)["id"].tolist()
    result = read_input(InputSpec(path))
    assert len(result.papers) == 2371
    assert [p.id for p in result.papers] == ids
    corpus = deduplicate([result])
    assert corpus.skipped_counts() == {"duplicate title": 6}
    assert set(corpus.ids) <= set(ids)
