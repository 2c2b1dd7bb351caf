"""parse_listing on the project's two real listings and on synthetic ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preprocessing.dedup import deduplicate
from preprocessing.listing import is_abstract_line, is_header_line, parse_listing, title_positions
from preprocessing.records import ReadResult

TITLES_2023_24: dict[str, int] = {
    "Reasoning with Latent Diffusion in Offline Reinforcement Learning": 5,
    "Reward Model Ensembles Help Mitigate Overoptimization": 3,
    "Searching for High-Value Molecules Using Reinforcement Learning and Transformers": 4,
    "Str2Str: A Score-based Framework for Zero-shot Protein Conformation Sampling": 3,
    "Sufficient conditions for offline reactivation in recurrent neural networks": 3,
    "Synaptic Weight Distributions Depend on the Geometry of Plasticity": 3,
    "TACTiS-2: Better, Faster, Simpler Attentional Copulas for Multivariate Time Series": 3,
    "The Cost of Scaling Down Large Language Models: Reducing Model Size Affects Memory before In-context Learning": 6,
    "The Curse of Diversity in Ensemble-Based Exploration": 3,
    "On the Stability of Iterative Retraining of Generative Models on their own Data": 4,
    "Towards Foundation Models for Knowledge Graph Reasoning": 4,
}
TITLES_2025: dict[str, int] = {
    "Credit-based self organizing maps: training deep topographic networks with minimal performance degradation": 3,
    "Efficient Diversity-Preserving Diffusion Alignment via Gradient-Informed GFlowNets": 4,
    "Enabling Realtime Reinforcement Learning at Scale with Staggered Asynchronous Inference": 2,
    "Fair Resource Allocation in Weakly Coupled Markov Decision Processes": 3,
    "Fast Convergence of Softmax Policy Mirror Ascent": 4,
    "Faster, More Efficient RLHF through Off-Policy Asynchronous Learning": 4,
    "Feasible Learning": 6,
    "Forgetting Transformer: Softmax Attention with a Forget Gate": 3,
    "A Generalist Hanabi Agent": 5,
    "Geometry-Aware Generative Autoencoder for Warped Riemannian Metric Learning and Generative Modeling on Data Manifolds": 7,
    "GlycanML: A Multi-Task and Multi-Structure Benchmark for Glycan Machine Learning": 5,
    "Handling Delay in Real-Time Reinforcement Learning": 4,
}
WITHOUT_ABSTRACT_2023_24 = {
    "Reasoning with Latent Diffusion in Offline Reinforcement Learning",
    "Searching for High-Value Molecules Using Reinforcement Learning and Transformers",
    "Str2Str: A Score-based Framework for Zero-shot Protein Conformation Sampling",
}
ABSTRACT = (
    "We study how models trained to satisfy a constraint on every training sample behave, and show that such "
    "models learn well from data … (see more)while keeping their tail behaviour under control across tasks."
)


def read_listing(path: Path) -> ReadResult:
    return parse_listing(path.read_text(encoding="utf-8"), path, source=path.stem, period=path.stem)


@pytest.fixture(scope="module")
def listings(project_root: Path) -> tuple[ReadResult, ReadResult]:
    folder = project_root / "data" / "listings"
    return read_listing(folder / "2023-24.txt"), read_listing(folder / "2025.txt")


def test_real_listings_entries_in_file_order(listings: tuple[ReadResult, ReadResult]) -> None:
    older, newer = listings
    assert [p.title for p in older.papers] == [
        "Reasoning with Latent Diffusion in Offline Reinforcement Learning", *TITLES_2023_24
    ]
    assert [p.title for p in newer.papers] == list(TITLES_2025)
    assert len(older.papers) + len(newer.papers) == 24


def test_real_listings_give_23_unique_papers_with_exact_titles_and_author_counts(
    listings: tuple[ReadResult, ReadResult],
) -> None:
    corpus = deduplicate(listings)
    assert len(corpus) == 23
    assert {p.title: len(p.authors) for p in corpus.papers} == TITLES_2023_24 | TITLES_2025
    assert corpus.skipped_counts() == {"duplicate title": 1, "page header": 1}


def test_real_listing_2023_24_entries_without_abstract(listings: tuple[ReadResult, ReadResult]) -> None:
    older, _ = listings
    missing = [p.title for p in older.papers if not p.abstract]
    assert len(missing) == 4
    assert set(missing) == WITHOUT_ABSTRACT_2023_24
    assert all(p.abstract for p in listings[1].papers)


def test_real_listing_header_origin_period_and_source(listings: tuple[ReadResult, ReadResult]) -> None:
    older, newer = listings
    assert [(s.reason, s.title, s.origin.rsplit(":", 1)[1]) for s in older.skipped] == [
        ("page header", "Publications", "1")
    ]
    assert newer.skipped == ()
    first = older.papers[0]
    assert first.origin.endswith("2023-24.txt:3") and first.id == "" and first.period == "2023-24"
    assert first.source == "2023-24"
    assert [p.origin.rsplit(":", 1)[1] for p in newer.papers[:3]] == ["1", "6", "12"]


def test_real_listing_one_word_author(listings: tuple[ReadResult, ReadResult]) -> None:
    paper = next(p for p in listings[1].papers if p.title == "Handling Delay in Real-Time Reinforcement Learning")
    assert paper.authors == ("Ivan Anokhin", "Rishav", "Matthew D Riemer", "Stephen Chung")


def test_real_listing_abstracts_are_whole_and_clean(listings: tuple[ReadResult, ReadResult]) -> None:
    abstracts = " ".join(p.abstract for result in listings for p in result.papers)
    words = set(abstracts.replace(".", " ").replace(",", " ").split())
    assert {"effectively", "forecasting", "engagement", "Recently"} <= words
    for marker in ("(see more)", "(voir plus)", "…", "\\citet", "](http"):
        assert marker not in abstracts
    credit = listings[1].papers[0].abstract
    assert "has been one of the most influential" in credit


def test_real_listing_names_keep_their_accents(listings: tuple[ReadResult, ReadResult]) -> None:
    tactis = next(p for p in listings[0].papers if p.title.startswith("TACTiS-2"))
    assert tactis.authors == ("Arjun Ashok", "Étienne Marcotte", "Valentina Zantedeschi")


def test_entry_without_abstract_followed_by_a_name_like_title() -> None:
    text = "\n".join([
        "Searching for Molecules Using Reinforcement Learning", "Raj Ghugare", "Santiago Miret",
        "Feasible Learning", "Juan Ramirez", "Ignacio Hounie", ABSTRACT,
        "A Generalist Hanabi Agent", "Arjun V Sudhakar", "Rishav", ABSTRACT,
    ])
    result = parse_listing(text, "x.txt", "x", "2025")
    assert [(p.title, p.authors, bool(p.abstract)) for p in result.papers] == [
        ("Searching for Molecules Using Reinforcement Learning", ("Raj Ghugare", "Santiago Miret"), False),
        ("Feasible Learning", ("Juan Ramirez", "Ignacio Hounie"), True),
        ("A Generalist Hanabi Agent", ("Arjun V Sudhakar", "Rishav"), True),
    ]
    assert result.papers[1].abstract.endswith("learn well from data while keeping their tail behaviour under control across tasks.")


def test_consecutive_entries_without_abstract_at_end_of_file() -> None:
    text = "\n".join([
        "Str2Str: A Score-based Framework for Zero-shot Protein Conformation Sampling", "Jiarui Lu",
        "A Generalist Hanabi Agent", "Miao Liu", "Hadi Nekoei",
        "Towards Foundation Models for Knowledge Graph Reasoning", "Mikhail Galkin",
    ])
    result = parse_listing(text, "x.txt", "x", "p")
    assert [(p.title, len(p.authors)) for p in result.papers] == [
        ("Str2Str: A Score-based Framework for Zero-shot Protein Conformation Sampling", 1),
        ("A Generalist Hanabi Agent", 2),
        ("Towards Foundation Models for Knowledge Graph Reasoning", 1),
    ]


def test_header_blank_lines_and_crlf() -> None:
    text = "\r\n".join([
        "\ufeffPublications récentes", "", "", "Feasible Learning", "", "Juan Ramirez", "Rishav", ABSTRACT, "",
        "Handling Delay in Real-Time Reinforcement Learning", "Ivan Anokhin", ABSTRACT, "",
    ])
    result = parse_listing(text, "x.txt", "x", "2025")
    assert [(p.title, p.authors, p.origin) for p in result.papers] == [
        ("Feasible Learning", ("Juan Ramirez", "Rishav"), "x.txt:4"),
        ("Handling Delay in Real-Time Reinforcement Learning", ("Ivan Anokhin",), "x.txt:10"),
    ]
    assert [(s.reason, s.title, s.origin) for s in result.skipped] == [
        ("page header", "Publications récentes", "x.txt:1")
    ]
    assert all("\r" not in p.abstract for p in result.papers)


def test_repeated_entry_is_kept_for_dedup() -> None:
    entry = ["Feasible Learning", "Juan Ramirez", "Ignacio Hounie"]
    result = parse_listing("\n".join(entry + entry + [ABSTRACT]), "x.txt", "x", "p")
    assert [(p.title, len(p.authors), bool(p.abstract)) for p in result.papers] == [
        ("Feasible Learning", 2, False), ("Feasible Learning", 2, True)
    ]
    assert len(deduplicate([result])) == 1


def test_abstract_before_any_title_is_skipped() -> None:
    result = parse_listing(ABSTRACT + "\nFeasible Learning\nJuan Ramirez\n", "x.txt", "x", "p")
    assert [p.title for p in result.papers] == ["Feasible Learning"]
    assert [(s.reason, s.origin) for s in result.skipped] == [("abstract without a title", "x.txt:1")]


def test_line_classifiers() -> None:
    assert is_abstract_line("A short… (voir plus)")
    assert is_abstract_line("word " * 30)
    assert is_abstract_line("We show that a short complete abstract of twelve words or more is one.")
    assert not is_abstract_line("Learning to Rank Things with Very Many Words in the Title Works Fine")
    assert not is_abstract_line(
        "The Cost of Scaling Down Large Language Models: Reducing Model Size Affects Memory before In-context Learning"
    )
    assert is_header_line("Publications") and is_header_line("Publications récentes")
    assert is_header_line("Recent publications (2024)")
    assert not is_header_line("Publications of Neural Networks") and not is_header_line("Feasible Learning")


def test_title_positions() -> None:
    assert title_positions([]) == []
    assert title_positions([5.0]) == [0]
    assert title_positions([5.0, 9.0]) == [0]
    assert title_positions([5.0, -3.0, 4.0, -3.0]) == [0, 2]
    assert title_positions([5.0, -3.0, 4.0, 6.0, -3.0]) == [0, 3]  # adjacent candidates: the stronger wins
    assert title_positions([5.0, -3.0, 4.0, -3.0, 1.0]) == [0, 2]  # the last line is always an author


FIRST_NAMES = ["Ada", "Alan", "Grace", "Juan", "Miao", "Xu", "Ivan", "Sophie", "Rishav", "Étienne"]
LAST_NAMES = ["Lovelace", "Turing", "Hopper", "Ramirez", "Liu", "He", "Anokhin", "Xhonneux", "Marcotte"]
TITLE_WORDS = ["Robust", "Learning", "Diffusion", "Agents", "Graph", "Policy", "Models", "Sparse", "Memory"]
JOINERS = ["for", "with", "of", "in", "via", "and"]


@st.composite
def entries(draw: st.DrawFn) -> tuple[str, tuple[str, ...], bool]:
    head = draw(st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=3))
    tail = draw(st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=3))
    title = f"{' '.join(head)} {draw(st.sampled_from(JOINERS))} {' '.join(tail)}"
    names = st.builds(lambda first, last: f"{first} {last}", st.sampled_from(FIRST_NAMES), st.sampled_from(LAST_NAMES))
    authors = tuple(draw(st.lists(st.one_of(names, st.just("Rishav")), min_size=1, max_size=5)))
    return title, authors, draw(st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(entries(), min_size=1, max_size=6))
def test_generated_listings_parse_back(generated: list[tuple[str, tuple[str, ...], bool]]) -> None:
    lines: list[str] = []
    for title, authors, has_abstract in generated:
        lines += [title, *authors] + ([ABSTRACT] if has_abstract else [])
    result = parse_listing("\n".join(lines), "g.txt", "g", "p")
    assert [(p.title, p.authors, bool(p.abstract)) for p in result.papers] == generated


def test_header_followed_directly_by_an_abstract() -> None:
    result = parse_listing(f"Publications\n{ABSTRACT}\nFeasible Learning\nJuan Ramirez\n", "x.txt", "x", "p")
    assert [p.title for p in result.papers] == ["Feasible Learning"]
    assert [(s.reason, s.origin) for s in result.skipped] == [
        ("page header", "x.txt:1"), ("abstract without a title", "x.txt:2")
    ]
