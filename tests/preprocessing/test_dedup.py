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
    by_metadata = [paper("T", origin="1"), paper("T", year=2020, venue="V", origin="2"), paper("T", venue="W", origin="3")]
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


def test_two_different_editorials_stay_apart_and_get_their_own_ids() -> None:
    corpus = deduplicate([ReadResult((
        paper("Editorial", authors=("Anna Berg",), year=2021, venue="J. Chem.", origin="wos:10"),
        paper("Editorial", authors=("Carl Ode",), year=2021, venue="Lancet", origin="wos:20"),
        paper("EDITORIAL", authors=("Berg A.",), year=2021, origin="scopus:3"),  # Anna Berg's again
    ))])
    assert [(p.origin, p.authors) for p in corpus.papers] == [("wos:10", ("Anna Berg",)), ("wos:20", ("Carl Ode",))]
    assert corpus.ids == (title_id("editorial"), title_id("editorial") + "-2")
    assert [(m.kept_origin, m.origin, m.rule) for m in corpus.merges] == [("wos:10", "scopus:3", "title")]


def test_same_title_with_a_different_year_or_doi_is_another_work() -> None:
    corpus = deduplicate([ReadResult((
        paper("Reply", year=2020, origin="1"),
        paper("Reply", year=2022, origin="2"),
        paper("Introduction", doi="10.1/a", origin="3"),
        paper("Introduction", doi="10.1/b", origin="4"),
        paper("Introduction", origin="5"),  # nothing tells it from either: joins the first
    ))])
    assert [p.origin for p in corpus.papers] == ["1", "2", "3", "4"]
    assert [(m.kept_origin, m.origin) for m in corpus.merges] == [("3", "5")]


def test_a_doi_joins_differently_written_titles_but_not_a_different_title() -> None:
    corpus = deduplicate([ReadResult((
        paper("Deep learning for MCDA: a review", doi="10.1/x", origin="1"),
        paper("DEEP LEARNING FOR MCDA - A REVIEW.", doi="10.1/x", abstract="Text.", origin="2"),
        paper("Chapter 7: Glaciers", doi="10.1/x", origin="3"),  # a book's DOI on one of its chapters
    ))])
    assert [p.origin for p in corpus.papers] == ["2", "3"]
    assert [(m.origin, m.rule) for m in corpus.merges] == [("1", "doi")]
    assert corpus.warnings == (
        "DOI 10.1/x is given to records with different titles (1 'Deep learning for MCDA: a review'; 3 'Chapter 7: "
        "Glaciers'); they are kept apart as different works: check the DOIs in the inputs",
    )


def test_a_near_identical_title_needs_the_same_first_author() -> None:
    title = "Multicriteria decision analysis in oncology and hematology"
    corpus = deduplicate([ReadResult((
        paper(title, authors=("Georges Adunlin",), year=2015, abstract="Long abstract.", origin="1"),
        paper(title.replace("oncology", "oncolgy"), authors=("Adunlin G.",), year=2015, origin="2"),
        paper(title.replace("oncology", "oncolgy"), authors=("Ann Other",), year=2015, origin="3"),
        paper("Editorials", authors=("Georges Adunlin",), origin="4"),  # too short to match "Editorial" by chance
        paper("Editorial", authors=("Georges Adunlin",), origin="5"),
    ))])
    assert [p.origin for p in corpus.papers] == ["1", "3", "4", "5"]
    assert [(m.origin, m.rule) for m in corpus.merges] == [("2", "similar title")]
    assert corpus.skipped == (SkippedRecord("", "2", "near-duplicate title", title.replace("oncology", "oncolgy")),)


def test_the_kept_record_fills_its_gaps_from_the_others_and_says_where_from() -> None:
    corpus = deduplicate([ReadResult((
        paper("Drug harms in the UK", authors=("David J Nutt",), abstract="A long abstract.", origin="med:4",
              source="med", period="med"),
        paper("Drug Harms in the UK.", authors=("Nutt, DJ", "King, LA"), year=2010, venue="LANCET", doi="10.1/d",
              keywords=("drug harm",), origin="wos:7", source="wos", period="2010"),
    ))])
    kept = corpus.papers[0]
    assert (kept.origin, kept.abstract, kept.authors) == ("med:4", "A long abstract.", ("David J Nutt",))
    assert (kept.year, kept.period, kept.venue, kept.doi, kept.keywords) == (2010, "2010", "LANCET", "10.1/d", ("drug harm",))
    assert [(m.origin, m.rule, m.filled) for m in corpus.merges] == [("wos:7", "title", ("doi", "keywords", "venue", "year"))]
    assert corpus.merge_counts() == {
        "by_rule": {"title": 1},
        "by_source": {
            "med": {"records": 1, "kept": 1, "merged": 0, "filled": 0},
            "wos": {"records": 1, "kept": 0, "merged": 1, "filled": 1, "title": 1},
        },
    }


def test_anonymous_authors_tell_nothing_apart() -> None:
    corpus = deduplicate([ReadResult((
        paper("Sample-efficient exploration", authors=("Anonymous",), year=2018, origin="1"),
        paper("Sample-efficient exploration", authors=("Su Young Lee",), year=2018, origin="2"),
    ))])
    assert len(corpus) == 1


def test_near_identical_titles_that_differ_in_a_number_are_different_works() -> None:
    corpus = deduplicate([ReadResult((
        paper("Safety of the vaccine in children: phase II trial", authors=("Ann Lee",), year=2020, origin="1"),
        paper("Safety of the vaccine in children: phase III trial", authors=("Ann Lee",), year=2020, origin="2"),
        paper("Deep reinforcement learning for robots 2015 0", authors=("Ann Lee",), year=2015, origin="3"),
        paper("Deep reinforcement learning for robots 2015 10", authors=("Ann Lee",), year=2015, origin="4"),
    ))])
    assert len(corpus) == 4
