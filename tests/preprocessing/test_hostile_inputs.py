"""Hostile and broken inputs: each is read correctly or gives one clear error naming the file (and line), and
nothing is dropped without being counted."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from preprocessing.dedup import deduplicate
from preprocessing.errors import InputError
from preprocessing.readers import InputSpec, read_input
from tests.topics.helpers import LISTINGS

CSV_TEXT = (
    "title,authors,abstract\n"
    "Schrödinger bridges for generative modelling,José García; Zoë Müller,Diffusion models à la Schrödinger.\n"
    "Naïve Bayes revisited,François Chollet,We revisit naïve Bayes classifiers.\n"
)
BIBTEX = """@article{good1,
  title = {Offline reinforcement learning},
  author = {Levine, Sergey and Kumar, Aviral},
  year = {2020},
}

@inproceedings{broken,
  title = {An entry whose {braces never close},
  author = {Nobody, A.},
  year = {2021},
}

@article{good2,
  title = {Denoising diffusion probabilistic models},
  author = {Ho, Jonathan},
  year = {2020},
}
"""


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def rows(path: Path) -> list[tuple[str, tuple[str, ...], str]]:
    return [(p.title, p.authors, p.abstract) for p in read_input(InputSpec(path)).papers]


EXPECTED = [
    ("Schrödinger bridges for generative modelling", ("José García", "Zoë Müller"), "Diffusion models à la Schrödinger."),
    ("Naïve Bayes revisited", ("François Chollet",), "We revisit naïve Bayes classifiers."),
]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    data = CSV_TEXT.encode(encoding)
    if encoding != "utf-16":  # the explicit-endian codecs write no BOM: add it as editors do
        data = ("\ufeff" + CSV_TEXT).encode(encoding)
    path = write(tmp_path, "wide.csv", data)
    assert rows(path) == EXPECTED
    assert read_input(InputSpec(path)).warnings == ()


def test_a_latin1_export_is_read_and_its_lines_named(tmp_path: Path) -> None:
    path = write(tmp_path, "excel.csv", CSV_TEXT.replace("\n", "\r\n").encode("cp1252"))
    result = read_input(InputSpec(path))
    assert [(p.title, p.authors, p.abstract) for p in result.papers] == EXPECTED
    (warning,) = result.warnings
    assert warning.startswith(f"{path}: 2 line(s) are not UTF-8 and were read as Windows-1252/Latin-1 (line(s) 2, 3)")


def test_mixed_encodings_in_one_file_are_read_line_by_line(tmp_path: Path) -> None:
    lines = CSV_TEXT.splitlines(keepends=True)
    data = lines[0].encode() + lines[1].encode("utf-8") + lines[2].encode("latin-1")
    path = write(tmp_path, "mixed.csv", data)
    result = read_input(InputSpec(path))
    assert [(p.title, p.authors, p.abstract) for p in result.papers] == EXPECTED
    assert "(line(s) 3)" in result.warnings[0]


def test_windows_line_endings_read_like_unix_ones(tmp_path: Path) -> None:
    for name in ("2023-24.txt", "2025.txt"):
        unix = (LISTINGS / name).read_text(encoding="utf-8")
        windows = write(tmp_path, name, unix.replace("\n", "\r\n"))
        assert rows(windows) == rows(LISTINGS / name)
    bib = write(tmp_path, "refs.bib", BIBTEX.replace("\n", "\r\n"))
    assert [p.title for p in read_input(InputSpec(bib)).papers] == ["Offline reinforcement learning", "Denoising diffusion probabilistic models"]
    jsonl = write(tmp_path, "p.jsonl", '{"title": "A paper", "abstract": "Text."}\r\n\r\n{"title": "B paper", "abstract": "More."}\r\n')
    assert [p.title for p in read_input(InputSpec(jsonl)).papers] == ["A paper", "B paper"]


def test_bibtex_with_unbalanced_braces_skips_that_entry_only(tmp_path: Path) -> None:
    path = write(tmp_path, "refs.bib", BIBTEX)
    result = read_input(InputSpec(path))
    assert [(p.id, p.title, p.origin) for p in result.papers] == [
        ("good1", "Offline reinforcement learning", f"{path}:1"),
        ("good2", "Denoising diffusion probabilistic models", f"{path}:13"),
    ]
    (skipped,) = result.skipped
    assert (skipped.origin, skipped.reason, skipped.title) == (f"{path}:7", "unbalanced braces", "An entry whose braces never close")


def test_bibtex_entries_the_parser_passes_over_are_counted(tmp_path: Path) -> None:
    text = BIBTEX.replace("@inproceedings{broken,\n  title = {An entry whose {braces never close},", "@inproceedings{broken,\n  title  {No equals sign},")
    result = read_input(InputSpec(write(tmp_path, "refs.bib", text)))
    assert [p.id for p in result.papers] == ["good1", "good2"]
    assert [(s.reason, s.title) for s in result.skipped] == [("unreadable entry", "@inproceedings{broken")]


def test_duplicate_ids_with_different_content_are_all_kept_and_named(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.csv", "id,title,abstract\nX1,First paper,One.\nX1,Second paper,Two.\nX1,Third paper,Three.\n")
    corpus = deduplicate([read_input(InputSpec(path))])
    assert [(p.id, p.title) for p in corpus.papers] == [("X1", "First paper"), ("X1-2", "Second paper"), ("X1-3", "Third paper")]
    (warning,) = corpus.warnings
    assert warning.startswith(f"id 'X1' is given to 3 different papers; all are kept, the later ones as X1-2 ({path}:3), X1-3 ({path}:4)")


def test_a_folder_with_one_bad_file_names_that_file(tmp_path: Path) -> None:
    from preprocessing.readers import read_inputs
    from topics.config import InputConfig
    from topics.inputs import input_specs

    folder = tmp_path / "exports"
    folder.mkdir()
    write(folder, "a.csv", CSV_TEXT)
    write(folder, "b.jsonl", '{"title": "Fine", "abstract": "x"}\n{"title": "Broken", "abstract": \n')
    write(folder, "c.bib", BIBTEX)
    with pytest.raises(InputError, match=rf"^{folder / 'b.jsonl'}:2: line is not valid JSON"):
        read_inputs(input_specs([InputConfig(path=folder)]))


@pytest.mark.slow
def test_a_csv_with_a_million_empty_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "sparse.csv", "title,authors,abstract\n" + ",,\n" * 1_000_000 + CSV_TEXT.split("\n", 1)[1])
    result = read_input(InputSpec(path))
    assert [(p.title, p.authors, p.abstract) for p in result.papers] == EXPECTED
    assert [p.origin for p in result.papers] == [f"{path}:1000002", f"{path}:1000003"]
    assert len(result.skipped) == 1_000_000 and {s.reason for s in result.skipped} == {"no title"}


@pytest.mark.slow
def test_a_200_mb_file_is_read_whole(tmp_path: Path) -> None:
    abstract = "We study reinforcement learning agents, diffusion models and neural circuits. " * 25  # ~2 KB
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "title", "authors", "abstract"])
    n = 0
    while buffer.tell() < 200_000_000:
        writer.writerow([f"r{n}", f"Paper number {n} on learning", "Ada Lovelace; Alan Turing", abstract])
        n += 1
    path = write(tmp_path, "big.csv", buffer.getvalue())
    del buffer
    assert path.stat().st_size >= 200_000_000
    result = read_input(InputSpec(path))
    assert len(result.papers) == n and not result.skipped
    assert result.papers[-1].id == f"r{n - 1}" and result.papers[-1].title == f"Paper number {n - 1} on learning"


@pytest.mark.slow
def test_every_skipped_record_is_counted_in_the_manifest_and_the_report(tmp_path: Path) -> None:
    import json

    from topics.config import load_config
    from topics.pipeline.runner import run_and_write

    folder = tmp_path / "inputs"
    folder.mkdir()
    write(folder, "a.csv", CSV_TEXT + ",,\n,Only an abstract,\n" + "Naïve Bayes revisited,F. Chollet,A shorter copy.\n")
    write(folder, "b.bib", BIBTEX)
    write(folder, "c.csv", "id,title,abstract\nX1,Policy gradients for robots,Agents learn.\nX1,World models for planning,Models learn.\n")
    write(folder, "d.csv", "title,abstract\nCaf\xe9 au lait: diffusion models,Images.\n".encode("latin-1"))
    config = load_config(None, [f"inputs=[{{path: '{folder}'}}]", f"output.dir={tmp_path / 'out'}",
                                "cache.enabled=false", "report.map.method=svd"])
    result, paths = run_and_write(config, use_cache=False)
    assert len(result.corpus) == 7
    manifest = json.loads(paths["manifest.json"].read_text(encoding="utf-8"))
    assert manifest["counts"]["skipped"] == {"duplicate title": 1, "no title": 2, "unbalanced braces": 1}
    warnings = manifest["warnings"]
    assert any("d.csv: 1 line(s) are not UTF-8" in w for w in warnings)
    assert any(w.startswith("id 'X1' is given to 2 different papers") for w in warnings)
    report = paths["report.html"].read_text(encoding="utf-8")
    for reason, count in manifest["counts"]["skipped"].items():
        assert f"<td>{reason}</td><td class=\"num\">{count:,}</td>" in report
    assert "4 records skipped" in report
