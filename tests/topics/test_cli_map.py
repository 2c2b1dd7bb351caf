"""`--map ROLE=COLUMN` maps a file's columns from the command line, and a missing column's error names the
column the user most likely meant."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from preprocessing.tabular import closest_column
from tests.topics.helpers import FAST, CliResult

ROWS = (
    ("Deep reinforcement learning for robots", "We train agents with reinforcement learning and a reward.", "2020"),
    ("Generative adversarial networks for images", "A generative adversarial network makes images.", "2021"),
    ("Graph neural networks for molecules", "Graph neural networks predict molecular properties.", "2021"),
)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Paper Title", "Summary", "Publication Year"])
        writer.writerows(ROWS)
    return path


def test_a_missing_title_column_suggests_the_closest_one(cli: Callable[..., CliResult], export: Path, tmp_path: Path) -> None:
    result = cli("run", "--input", export, "--out", tmp_path / "out", "-q", "--no-cache", *FAST)
    assert result.code == 2
    assert result.err.strip() == (
        f"error: {export}: no title column (columns found: Paper Title, Summary, Publication Year) (did you mean "
        "'Paper Title'? map it with columns: {title: Paper Title} or --map title=\"Paper Title\")"
    )
    assert not (tmp_path / "out").exists()


def test_map_maps_the_columns_of_every_input(cli: Callable[..., CliResult], export: Path, tmp_path: Path) -> None:
    result = cli(
        "run", "--input", export, "--out", tmp_path / "out", "-q", "--no-cache", *FAST,
        "--map", "title=Paper Title", "--map", 'abstract="Summary"', "--map", "year=Publication Year",
    )
    assert result.code == 0, result.err
    with (tmp_path / "out" / "papers.csv").open(encoding="utf-8", newline="") as handle:
        papers = list(csv.DictReader(handle))
    assert [(p["title"], p["abstract"], p["year"]) for p in papers] == list(ROWS)


@pytest.mark.parametrize(("value", "message"), [
    ("titel=Paper Title", "error: --map 'titel=Paper Title': unknown role 'titel'; use one of: id, title, abstract"),
    ("Paper Title", "error: --map 'Paper Title': expected ROLE=COLUMN, e.g. --map title=\"Paper Title\""),
])
def test_a_bad_map_is_one_clear_line(
    cli: Callable[..., CliResult], export: Path, tmp_path: Path, value: str, message: str
) -> None:
    result = cli("run", "--input", export, "--out", tmp_path / "out", "-q", "--map", value)
    assert result.code == 2 and result.err.startswith(message) and "Traceback" not in result.err


def test_closest_column_needs_a_close_name() -> None:
    assert closest_column("title", ["Paper Title", "Summary"], ("name",)) == "Paper Title"
    assert closest_column("abstract", ["Paper Title", "Summary text"], ("summary", "text")) == "Summary text"
    assert closest_column("title", ["Authors", "Year"]) is None
