"""deduplicate: grouping, richest record, ids, skipped records."""

from __future__ import annotations

import hashlib

from preprocessing.dedup import deduplicate, title_id
from preprocessing.records import Paper, ReadResult, SkippedRecord


def paper(title: str, **fields: object) -> Paper:
    return Paper(id=str(fields.pop("id", "")), title=title, **fields)  # type: ignore[arg-type]


def test_richest_record_kept_at_first_position() -> None:
    first = ReadResult((
        paper("Feasible Learning", authors=("A",), origin="a:1"),
        paper("Other Paper", origin="a:5"),
    ))
    second = ReadResult((paper("feasible  learning!", abstract="Longer.", origin="b:1"),))
    corpus = deduplicate([first, second])
    assert [(p.title, p.abstract, p.origin) for p in corpus.papers] == [
        ("feasible  learning!", "Longer.", "b:1"),
        ("Other Paper", "", "a:5"),
    ]
    assert corpus.skipped == (SkippedRecord("", "a:1", "duplicate title", "Feasible Learning"),)


def test_tie_breaks_authors_then_year_venue_then_first_seen() -> None:
    by_authors = [paper("T", abstract="x", origin="1"), paper("T", abstract="y", authors=("A",), origin="2")]
    assert deduplicate([ReadResult(tuple(by_authors))]).papers[0].origin == "2"
    by_metadata = [paper("T", origin="1"), paper("T", year=2020, venue="V", origin="2"), paper("T", year=2021, origin="3")]
    assert deduplicate([ReadResult(tuple(by_metadata))]).papers[0].origin == "2"
    first_seen = [paper("T", origin="1"), paper("T", origin="2")]
    assert deduplicate([ReadResult(tuple(first_seen))]).papers[0].origin == "1"


def test_ids_given_kept_else_stable_hash_and_collisions_suffixed() -> None:
    corpus = deduplicate([ReadResult((
        paper("Feasible Learning"),
        paper("Other", id="x1"),
        paper("Third", id="x1"),
        paper("Fourth", id="x1"),
    ))])
    expected_hash = "p" + hashlib.sha1(b"feasible learning").hexdigest()[:12]
    assert corpus.ids == (expected_hash, "x1", "x1-2", "x1-3")


def test_title_id_is_a_fixed_value() -> None:
    assert title_id("feasible learning") == "pe48db6fcba96"  # pinned: ids must not change across versions


def test_empty_titles_and_read_skips_are_reported() -> None:
    read_skip = SkippedRecord("src", "f:1", "page header", "Publications")
    corpus = deduplicate([ReadResult((paper("?!", origin="f:3", source="src"), paper("Kept")), (read_skip,))])
    assert corpus.ids == (title_id("kept"),)
    assert corpus.skipped == (read_skip, SkippedRecord("src", "f:3", "no title", "?!"))
    assert corpus.skipped_counts() == {"no title": 1, "page header": 1}


def test_empty_input() -> None:
    assert len(deduplicate([])) == 0
