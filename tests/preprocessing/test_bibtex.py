"""parse_bibtex: fields, names, LaTeX, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from preprocessing.bibtex import bibtex_authors, bibtex_name, field_text, parse_bibtex
from preprocessing.errors import InputError
from preprocessing.records import Paper


def test_bibtex_fixture_exact(test_data: Path) -> None:
    path = test_data / "inputs" / "papers.bib"
    result = parse_bibtex(path.read_text(encoding="utf-8"), path, "bib")
    assert result.papers == (
        Paper(
            id="lovelace2021", title="Learning to Plan with Diffusion",
            authors=("Ada Lovelace", "Alan Turing", "Hans Müller", "Barnes and Noble"),
            abstract="We plan with diffusion and get α-good results.", year=2021, period="2021",
            venue="Advances in Neural Information Processing Systems", source="bib", origin=f"{path}:3",
            source_format="bibtex",
        ),
        Paper(
            id="hopper2019", title="Compilers for Éveryone", authors=("Grace Hopper",), year=2019, period="2019",
            venue="Journal of Code", source="bib", origin=f"{path}:11", source_format="bibtex",
        ),
    )
    assert [(s.reason, s.origin) for s in result.skipped] == [("no title", f"{path}:18")]


def test_period_argument_and_common_month_strings() -> None:
    text = "@article{k, title={A}, journal={J}, month=jan, year={2020}, author={Doe, Jane}}"
    result = parse_bibtex(text, "f.bib", "f", period="2019-21")
    assert [(p.period, p.authors) for p in result.papers] == [("2019-21", ("Jane Doe",))]


def test_booktitle_when_no_journal_and_undated_entry() -> None:
    result = parse_bibtex("@inproceedings{k, title={T}, booktitle={ICML}}", "f.bib", "src")
    assert [(p.venue, p.year, p.period) for p in result.papers] == [("ICML", None, "src")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Lovelace, Ada", "Ada Lovelace"), ("Ada Lovelace", "Ada Lovelace"), ("King, Jr, Martin", "Martin King Jr"),
     ('M{\\"u}ller, Hans', "Hans Müller"), ("{Google, Inc.}", "Google, Inc.")],
)
def test_bibtex_name(name: str, expected: str) -> None:
    assert bibtex_name(name) == expected


def test_bibtex_authors_split_on_and_outside_braces() -> None:
    assert bibtex_authors("Doe, Jane AND {Barnes and Noble} and Smith, J. and others") == (
        "Jane Doe", "Barnes and Noble", "J. Smith"
    )


def test_field_text() -> None:
    assert field_text("{\\emph{Deep}} {R}einforcement~\\cite{x} $\\alpha$") == "Deep Reinforcement α"


def test_no_entries_is_an_error() -> None:
    with pytest.raises(InputError, match=r"^f\.bib: no BibTeX entries found \(entries must look like @article"):
        parse_bibtex("this is not bibtex at all\n", "f.bib", "f")


def test_undefined_string_macro_is_an_error() -> None:
    with pytest.raises(InputError, match=r"^f\.bib: uses the undefined @string macro 'jmlr'"):
        parse_bibtex("@article{k, title={A}, journal=jmlr}", "f.bib", "f")
