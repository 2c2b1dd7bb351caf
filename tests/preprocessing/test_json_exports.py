"""OpenAlex, arXiv and Semantic Scholar JSON readers, their detection, and the PubMed XML reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preprocessing.errors import InputError
from preprocessing.json_exports import (
    arxiv_authors,
    detect_json_export,
    latex_accents_to_unicode,
    looks_like_arxiv,
    looks_like_openalex,
    looks_like_semantic_scholar,
    openalex_abstract,
    parse_arxiv,
    parse_json_export,
    parse_openalex,
    parse_semantic_scholar,
    strip_markup,
)
from preprocessing.pubmed_xml import looks_like_pubmed_xml, parse_pubmed_xml
from preprocessing.records import Paper, SkippedRecord


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- fixtures: every field ---------------------------------------------------------------------------------------


def test_openalex_page_fixture_exact(test_data: Path) -> None:
    path = test_data / "exports" / "json-openalex-page.json"
    result = parse_openalex(_read(path), path, "oa")
    assert result.papers == (
        Paper(
            id="W2100000001", title="Topic Models for Science Mapping", authors=("Ada Lovelace", "Hans Müller"),
            abstract="We map science with topic models; CO2 and science agree.", year=2024, date="2024-03-15",
            period="2024", venue="Journal of Informetrics", source="oa", origin=f"{path}:4",
            doi="10.1234/abc.2024.001", source_format="openalex",  # OpenAlex's keywords are its own, not read
        ),
        Paper(  # 2023 schema: host_venue; no publication_year; null abstract; concepts not read as keywords
            id="W2100000002", title="An Older Work", year=2019, date="2019-11-02", period="2019",
            venue="Proceedings of Old Things", source="oa", origin=f"{path}:27", source_format="openalex",
        ),
    )
    assert result.skipped == (SkippedRecord("oa", f"{path}:38", "no title"),)
    assert parse_json_export(_read(path), path, "oa") == result


def test_openalex_list_one_line_and_jsonl_and_single_work() -> None:
    work = {"id": "https://openalex.org/W9", "display_name": "T", "abstract_inverted_index": {"b": [1], "a": [0, 2]}}
    one_line = parse_openalex(json.dumps([work, work]), "w.json", "s")
    assert [(p.id, p.abstract, p.origin) for p in one_line.papers] == [
        ("W9", "a b a", "w.json:record 1"), ("W9", "a b a", "w.json:record 2")
    ]
    lines = parse_openalex(json.dumps(work) + "\n\n" + json.dumps(work) + "\n", "w.jsonl", "s", period="P")
    assert [(p.origin, p.period) for p in lines.papers] == [("w.jsonl:1", "P"), ("w.jsonl:3", "P")]
    single = parse_openalex(json.dumps(work, indent=2), "w.json", "s")
    assert [(p.origin, p.period) for p in single.papers] == [("w.json:1", "s")]


def test_openalex_abstract_rebuild() -> None:
    assert openalex_abstract({"world": [1], "hello": [0, 2], "!": [4]}) == "hello world hello !"
    assert openalex_abstract(None) == ""
    assert openalex_abstract({}) == ""


def test_strip_markup() -> None:
    assert strip_markup("CO<sub>2</sub> <i>in vivo</i>") == "CO2 in vivo"
    assert strip_markup("<h3>Importance</h3>Text &amp; more") == " Importance Text & more"
    assert strip_markup("a < b and c > d") == "a < b and c > d"


def test_arxiv_fixture_exact(test_data: Path) -> None:
    path = test_data / "exports" / "json-arxiv-snapshot.jsonl"
    result = parse_arxiv(_read(path), path, "ax")
    assert result.papers == (
        Paper(
            id="2101.00001", title="Gröbner Bases for Λ-Modules", authors=("A. Lovelace", "C.-P. Yuan", "H. Müller"),
            abstract="We compute Gröbner bases of l-adic modules.", year=2021, date="2021-01-01", period="2021",
            venue="arXiv", source="ax", origin=f"{path}:1", doi="10.5555/arxiv.1", keywords=("math.AC", "cs.SC"),
            source_format="arxiv",
        ),
        Paper(  # no authors_parsed (affiliations dropped from the string), no versions (update_date)
            id="hep-th/9901001", title="Strings on a Torus", authors=("Alan Turing", "Grace Hopper"),
            abstract="Short.", year=1999, date="1999-01-05", period="1999", venue="arXiv", source="ax",
            origin=f"{path}:3", keywords=("hep-th",), source_format="arxiv",
        ),
    )
    assert result.skipped == (SkippedRecord("ax", f"{path}:4", "no title"),)


def test_arxiv_authors_string() -> None:
    record = {"authors": "A. Lovelace, C.-P. Yuan, and H. M\\\"uller ((1) Wien, (2) Graz), B. Aubert, et al"}
    assert arxiv_authors(record) == ("A. Lovelace", "C.-P. Yuan", "H. Müller", "B. Aubert")


@pytest.mark.parametrize(
    ("latex", "expected"),
    [('Gr\\"obner', "Gröbner"), ("$\\Lambda_{\\alpha}$", "$Λ_{α}$"), ("\\c{c}a", "ça"), ("\\'{\\i}", "í"),
     ("Stra{\\ss}e", "Stra{ß}e"), ("\\L\\\"odz", "Łödz"), ("$x\\ge 0$, \\varphi", "$x≥ 0$, φ"), ("\\int", "\\int")],
)
def test_latex_accents_to_unicode(latex: str, expected: str) -> None:
    assert latex_accents_to_unicode(latex) == expected


def test_semantic_scholar_fixture_exact(test_data: Path) -> None:
    path = test_data / "exports" / "json-semantic-scholar-page.json"
    result = parse_semantic_scholar(_read(path), path, "s2")
    assert result.papers == (
        Paper(
            id="649def34f8be52c8b66281af98ae884c09aef38b", title="BERT: Pre-training of Deep Bidirectional Transformers",
            authors=("Jacob Devlin", "Ming-Wei Chang"),
            abstract="We introduce a new language representation model called BERT.", year=2019, date="2019-06-02",
            period="2019", venue="North American Chapter of the Association for Computational Linguistics",
            source="s2", origin=f"{path}:2", doi="10.18653/v1/n19-1423", source_format="semantic-scholar",
        ),
        Paper(
            id="0000000000000000000000000000000000000002", title="A Paper Without Abstract", period="s2",
            venue="arXiv.org", source="s2", origin=f"{path}:7", source_format="semantic-scholar",
        ),
    )
    assert result.skipped == ()


def test_pubmed_fixture_exact(test_data: Path) -> None:
    path = test_data / "exports" / "pubmed-articles.xml"
    text = _read(path)
    assert looks_like_pubmed_xml(text)
    result = parse_pubmed_xml(text, path, "pm")
    assert result.papers == (
        Paper(
            id="31000001", title="Effects of Escherichia coli on CO2 uptake.",
            authors=("Paul M O'Byrne", "J Smith Jr", "SYGMA 1 Investigators"),
            abstract="BACKGROUND: Bacteria take up CO2. RESULTS: It rose by 5 % (β = 0.2). Unlabelled closing part.",
            year=2019, date="2019 Nov-Dec", period="2019", venue="Journal of Testing", source="pm",
            origin=f"{path}:4", doi="10.1000/jt.2019.001", keywords=("carbon uptake", "E. coli"),
            source_format="pubmed-xml",
        ),
        Paper(  # translated title's brackets dropped; DOI from ELocationID; PubDate month name
            id="31000002", title="A translated title", authors=("Marie Dupont",), year=2020, date="2020-03",
            period="2020", venue="Revue Exemple", source="pm", origin=f"{path}:51", doi="10.1000/re.2020.7",
            source_format="pubmed-xml",
        ),
    )
    assert result.skipped == (
        SkippedRecord("pm", f"{path}:68", "no title"),
        SkippedRecord("pm", f"{path}:73", "PubMed book record", "A Book Chapter"),
    )


# --- detection ---------------------------------------------------------------------------------------------------


def test_detect_json_export_on_each_fixture(test_data: Path) -> None:
    exports = test_data / "exports"
    assert detect_json_export(_read(exports / "json-openalex-page.json")) == "openalex"
    assert detect_json_export(_read(exports / "json-arxiv-snapshot.jsonl")) == "arxiv"
    assert detect_json_export(_read(exports / "json-semantic-scholar-page.json")) == "semantic-scholar"


def test_detect_json_export_none_for_other_json() -> None:
    plain = '{"title": "A", "abstract": "x"}\n{"title": "B", "abstract": "y"}\n'
    assert detect_json_export(plain) is None
    assert detect_json_export(json.dumps([{"title": "A", "abstract": "x"}], indent=2)) is None
    assert detect_json_export("[]") is None
    assert detect_json_export("[1, 2]") is None
    assert detect_json_export("not json at all") is None
    with pytest.raises(InputError, match=r"^f\.jsonl:1: is JSON but not an OpenAlex, arXiv or Semantic Scholar"):
        parse_json_export(plain, "f.jsonl", "f")


def test_looks_like_on_parsed_values() -> None:
    assert looks_like_openalex({"results": [{"id": "https://openalex.org/W1"}]})
    assert looks_like_openalex([{"abstract_inverted_index": None}])
    assert not looks_like_openalex({"id": "W1"})
    assert looks_like_arxiv({"id": "0704.0001", "categories": "hep-ph", "update_date": "2008-11-26"})
    assert not looks_like_arxiv({"id": "0704.0001", "categories": ["hep-ph"]})
    assert looks_like_semantic_scholar({"data": [{"paperId": "abc", "title": "T"}]})
    assert not looks_like_semantic_scholar({"title": "T"})
    assert not looks_like_pubmed_xml("<?xml version='1.0'?><rss></rss>")


# --- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[\n  {"id": "https://openalex.org/W1",\n   "display_name": "T"\n  x]', r"^f\.json:4: is not valid JSON \(Expecting ',' delimiter at column 3\)"),
        ('{"id": "https://openalex.org/W1"}\n{"id": \n', r"^f\.json:2: is not valid JSON \(Expecting value at column 8\)"),
        ('[{"id": "https://openalex.org/W1"}]\n]', r"^f\.json:2: is not valid JSON \(Extra data at column 1\)"),
        ('{"a": 1,\n}', r"^f\.json:2: is not valid JSON \(Expecting property name"),
        ('[{"paperId": "x", "title": "T"}, 3]', r"^f\.json:1: record is a JSON int, not an object"),
    ],
)
def test_invalid_json_names_line_and_column(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_json_export(text, "f.json", "f")


def test_pubmed_malformed_xml_names_the_line() -> None:
    text = "<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n</PubmedArticle>\n</PubmedArticleSet>\n"
    with pytest.raises(InputError, match=r"^x\.xml:4: is not well-formed XML \(mismatched tag at column 3\)"):
        parse_pubmed_xml(text, "x.xml", "x")


def test_pubmed_entity_declarations_are_refused() -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&b;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    with pytest.raises(InputError, match=r"^x\.xml: declares XML entities"):
        parse_pubmed_xml(text, "x.xml", "x")


def test_pubmed_other_root_is_refused() -> None:
    with pytest.raises(InputError, match=r"not PubMed XML \(root element <rss>\)"):
        parse_pubmed_xml("<rss><channel/></rss>", "x.xml", "x")


# --- the real exports in ../shared/data/exports ------------------------------------------------------------------


@pytest.mark.shared_data
def test_openalex_works_advisorbert(shared_data: Path) -> None:
    path = shared_data / "exports" / "openalex_works_advisorbert.json"
    text = _read(path)
    assert detect_json_export(text) == "openalex"
    result = parse_json_export(text, path, "oa")
    papers = result.papers
    assert (len(papers), sum(bool(p.abstract) for p in papers), len(result.skipped)) == (20, 20, 0)
    first = papers[0]
    assert (first.id, first.title, first.authors[0], first.doi, first.year, first.venue) == (
        "W3128646645",
        "Global Cancer Statistics 2020: GLOBOCAN Estimates of Incidence and Mortality Worldwide for 36 Cancers in 185 "
        "Countries",
        "Hyuna Sung", "10.3322/caac.21660", 2021, "CA: A Cancer Journal for Clinicians",
    )
    assert first.abstract.startswith("This article provides an update on the global cancer burden using the GLOBOCAN")
    assert first.abstract.endswith("is critical for global cancer control.")
    assert first.origin == f"{path}:record 1"  # the whole list is on one line
    scipy = papers[11]
    assert (scipy.title, scipy.authors[0], len(scipy.authors), scipy.doi, scipy.venue) == (
        "SciPy 1.0: fundamental algorithms for scientific computing in Python", "Pauli Virtanen", 100,
        "10.1038/s41592-019-0686-2", "Nature Methods",
    )
    assert scipy.abstract.startswith("SciPy is an open-source")  # the leading "Abstract" label is dropped
    assert (papers[13].title, papers[13].authors[0], papers[13].doi) == (
        "Highly accurate protein structure prediction with AlphaFold", "John Jumper", "10.1038/s41586-021-03819-2"
    )
    assert all(p.keywords == () for p in papers)  # 2023 schema: concepts only, which are not keywords
    assert all(not p.abstract.startswith("<") and "<h3>" not in p.abstract for p in papers)


@pytest.mark.shared_data
def test_arxiv_metadata_sample(shared_data: Path) -> None:
    path = shared_data / "exports" / "arxiv_metadata_sample.jsonl"
    text = _read(path)
    assert detect_json_export(text) == "arxiv"
    result = parse_json_export(text, path, "ax")
    papers = result.papers
    assert (len(papers), sum(bool(p.abstract) for p in papers), len(result.skipped)) == (200, 200, 0)
    assert sum(bool(p.doi) for p in papers) == 117
    first = papers[0]
    assert (first.id, first.title, first.authors, first.doi, first.date, first.keywords, first.origin) == (
        "0704.0001", "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
        ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"), "10.1103/physrevd.76.013009", "2007-04-02",
        ("hep-ph",), f"{path}:1",
    )
    assert first.abstract.startswith("A fully differential calculation in perturbative quantum chromodynamics is presented")
    assert (papers[4].id, papers[4].title, papers[4].authors[0], papers[4].keywords) == (
        "0704.0005", "From dyadic Λ_α to Λ_α", "Wael Abu-Shammala", ("math.CA", "math.FA")
    )
    assert (papers[199].id, papers[199].title, papers[199].authors, papers[199].doi, papers[199].origin) == (
        "0704.0200", "Electromagnetic polarizabilities and the excited states of the nucleon", ("Martin Schumacher",),
        "10.1140/epja/i2006-10235-1", f"{path}:200",
    )
    assert {p.year for p in papers} == {2007}
    assert all("\n" not in p.title and "  " not in p.abstract for p in papers)


@pytest.mark.shared_data
def test_pubmed_article_xml(shared_data: Path) -> None:
    path = shared_data / "exports" / "pubmed_article.xml"
    text = _read(path)
    assert looks_like_pubmed_xml(text)
    result = parse_pubmed_xml(text, path, "pm")
    assert (len(result.papers), sum(bool(p.abstract) for p in result.papers), len(result.skipped)) == (1, 1, 0)
    paper = result.papers[0]
    assert (paper.id, paper.title, paper.authors[0], len(paper.authors), paper.doi, paper.year, paper.date) == (
        "29768149", "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma.", "Paul M O'Byrne", 10,
        "10.1056/nejmoa1715274", 2018, "2018-05-17",
    )
    assert (paper.venue, paper.keywords, paper.origin, paper.source_format) == (
        "The New England journal of medicine", (), f"{path}:4", "pubmed-xml"
    )
    assert paper.abstract.startswith(
        "BACKGROUND: In patients with mild asthma, as-needed use of an inhaled glucocorticoid plus a fast-acting "
        "β2-agonist may be"
    )
    assert " METHODS: We conducted a 52-week" in paper.abstract
    assert " RESULTS: A total of 3849 patients" in paper.abstract
    assert " CONCLUSIONS: In patients with mild asthma" in paper.abstract


# --- junk never crashes the readers ------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "title", "display_name", "abstract_inverted_index", "authorships", "authors",
                         "authors_parsed", "versions", "categories", "paperId", "externalIds", "results", "data",
                         "publication_year", "year", "doi", "keywords", "primary_location", "x"]),
        children, max_size=6),
    max_leaves=20,
)
WORK = st.fixed_dictionaries({"id": st.just("https://openalex.org/W1")}, optional={
    "display_name": st.none() | st.text(max_size=20), "abstract_inverted_index": JSON_VALUES,
    "authorships": JSON_VALUES, "publication_year": JSON_VALUES, "doi": JSON_VALUES, "keywords": JSON_VALUES,
    "primary_location": JSON_VALUES,
})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON_VALUES | st.lists(WORK, max_size=4), indent=st.none() | st.integers(0, 2),
       cut=st.none() | st.integers(0, 400), lines=st.booleans())
def test_json_reader_never_crashes(value: object, indent: int | None, cut: int | None, lines: bool) -> None:
    if lines and isinstance(value, list):
        text = "\n".join(json.dumps(v) for v in value)
    else:
        text = json.dumps(value, indent=indent)
    text = text if cut is None else text[:cut]
    detect_json_export(text)
    try:
        result = parse_json_export(text, "f.json", "f")
    except InputError:
        return
    assert all(p.title for p in result.papers)


@settings(max_examples=200, deadline=None)
@given(works=st.lists(WORK, min_size=1, max_size=5))
def test_openalex_keeps_every_titled_work(works: list[dict[str, object]]) -> None:
    result = parse_openalex(json.dumps(works, indent=1), "f.json", "f")
    assert len(result.papers) + len(result.skipped) == len(works)
    assert len({p.origin for p in result.papers} | {s.origin for s in result.skipped}) == len(works)


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.sampled_from("<>/ PubmedArticleSetMdlinCoTxAb\"=!&#;[]x\n"), max_size=200))
def test_pubmed_reader_never_crashes(text: str) -> None:
    try:
        parse_pubmed_xml("<PubmedArticleSet>" + text, "f.xml", "f")
    except InputError:
        pass
