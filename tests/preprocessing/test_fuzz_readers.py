"""Property-based tests (hypothesis) of the listing parser and the CSV / JSON Lines readers: random mixes of
titles, names, abstracts, truncation markers, blank lines, Unicode, very long lines and junk never crash them,
never lose an entry that has a title and never invent one."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preprocessing.clean import clean_text, clean_title
from preprocessing.errors import InputError
from preprocessing.listing import parse_listing
from preprocessing.tabular import cell_text, read_csv, read_jsonl

EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- text pieces -----------------------------------------------------------------------------------------------

#: Any character but surrogates and NUL (which no text file carries), line breaks included.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300)
#: Very long text, built by repeating a random piece (drawing 20,000 random characters one by one is slow).
VERY_LONG_TEXT = st.builds(lambda piece, times: (piece + " ") * times, ANY_TEXT.filter(bool), st.integers(200, 2000))
RESEARCH = (
    "learning", "neural", "networks", "graph", "policy", "gradient", "diffusion", "models", "causal", "inference",
    "representation", "optimization", "language", "reinforcement", "bayesian", "sparse", "attention", "robust",
    "generalization", "uncertainty", "molecular", "protein", "planning", "retrieval", "memory", "kernel",
    "équivariant", "schrödinger", "naïve", "über-fast", "self-supervised", "zero-shot", "multi-agent", "données",
)
FUNCTION = ("for", "of", "with", "in", "on", "via", "and", "to", "from", "under", "towards")
FIRST = ("Ada", "Alan", "Grace", "José", "Zoë", "Łukasz", "Yoshua", "Aaron", "Mirco", "Anne-Marie", "Ngọc", "Søren")
LAST = ("Lovelace", "Turing", "Hopper", "García", "Müller", "Nowak", "Bengio", "Courville", "Ravanelli",
        "van der Berg", "O'Neil", "Nguyễn", "Kierkegaard", "de la Cruz")
MARKERS = ("… (see more)", "... (voir plus)", "…(show more)")


@st.composite
def titles(draw: st.DrawFn) -> str:
    """A title as listing pages show them: research words joined by function words, sometimes a colon, a
    digit, a hyphen or Unicode; under 25 words and 200 characters, not ending in a full stop."""
    words = [draw(st.sampled_from(RESEARCH)) for _ in range(draw(st.integers(2, 5)))]
    glue = [draw(st.sampled_from(FUNCTION)) for _ in range(len(words) - 1)]
    text = " ".join(w for pair in zip(words, [*glue, ""]) for w in pair if w)
    if draw(st.booleans()):
        text = text[0].upper() + text[1:]
    if draw(st.booleans()):
        text = f"{draw(st.sampled_from(('Deep', 'Scalable', 'On', 'Towards', 'GFlowNets', 'LLM2Vec')))}: {text}"
    if draw(st.booleans()):
        text += f" {draw(st.integers(2, 2030))}"
    return text


@st.composite
def names(draw: st.DrawFn) -> str:
    return f"{draw(st.sampled_from(FIRST))} {draw(st.sampled_from(LAST))}"


@st.composite
def abstracts(draw: st.DrawFn) -> str:
    """An abstract line: 25+ words of prose, sometimes cut by a "… (see more)" marker, sometimes very long."""
    words = draw(st.lists(st.sampled_from((*RESEARCH, *FUNCTION, "we", "propose", "results", "show", "the")),
                          min_size=26, max_size=3000 if draw(st.booleans()) else 60))
    text = " ".join(words).capitalize() + "."
    if draw(st.booleans()):
        cut = draw(st.integers(100, max(len(text) - 1, 101)))
        text = text[:cut] + draw(st.sampled_from(MARKERS)) + text[cut:]
    return text


@st.composite
def listing_entries(draw: st.DrawFn) -> list[tuple[str, list[str], str | None]]:
    """Entries (title, authors, abstract or None); distinct titles; the first has an abstract."""
    entries = []
    seen: set[str] = set()
    for index in range(draw(st.integers(1, 12))):
        title = draw(titles())
        if title.casefold() in seen:
            continue
        seen.add(title.casefold())
        authors = draw(st.lists(names(), min_size=1, max_size=4, unique=True))
        abstract = draw(abstracts()) if index == 0 or draw(st.integers(0, 9)) < 7 else None
        entries.append((title, authors, abstract))
    return entries


def render_listing(draw: st.DrawFn, entries: list[tuple[str, list[str], str | None]]) -> str:
    """The entries as a scraped page: blank and whitespace lines anywhere, a page header on top, CRLF or LF,
    stray spaces and tabs around lines, sometimes a byte-order mark."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += [draw(st.sampled_from(("Publications", "Recent publications", "Publications récentes"))), ""]
    for title, authors, abstract in entries:
        block = [title, *authors] + ([abstract] if abstract else [])
        for line in block:
            pad = draw(st.sampled_from(("", " ", "\t", "  ")))
            lines.append(pad + line + draw(st.sampled_from(("", " ", "\t"))))
            lines += [draw(st.sampled_from(("", " ", "\t ")))] * draw(st.integers(0, 2))
    newline = draw(st.sampled_from(("\n", "\r\n")))
    return draw(st.sampled_from(("", "\ufeff"))) + newline.join(lines) + newline


@EXAMPLES
@given(st.data())
def test_listing_parser_keeps_every_entry_and_invents_none(data: st.DataObject) -> None:
    entries = data.draw(listing_entries())
    text = render_listing(data.draw, entries)
    result = parse_listing(text, "fuzz.txt", "fuzz", "2025")
    assert [p.title for p in result.papers] == [clean_title(t) for t, _, _ in entries]
    assert [p.authors for p in result.papers] == [tuple(a) for _, a, _ in entries]
    assert [bool(p.abstract) for p in result.papers] == [a is not None for _, _, a in entries]
    assert all(s.reason == "page header" for s in result.skipped)


@EXAMPLES
@given(ANY_TEXT)
def test_listing_parser_never_crashes_on_junk(text: str) -> None:
    result = parse_listing(text, "junk.txt", "junk", "2025")
    lines = {clean_title(line.strip().lstrip("\ufeff").strip()) for line in text.replace("\r", "\n").split("\n")}
    for paper in result.papers:  # every paper comes from a line of the file
        assert paper.title and paper.title in lines


# -- CSV and JSON Lines ----------------------------------------------------------------------------------------

RECORD_TEXT = st.one_of(ANY_TEXT, VERY_LONG_TEXT, st.sampled_from(("", "  ", "nan", "NULL", "None", "\t")))
records = st.lists(
    st.fixed_dictionaries({"title": RECORD_TEXT, "authors": st.lists(ANY_TEXT, max_size=3), "abstract": RECORD_TEXT}),
    max_size=15,
)


def expected_titles(rows: list[dict[str, object]]) -> list[str]:
    return [title for row in rows if (title := clean_text(cell_text(row["title"])))]


@EXAMPLES
@given(records, st.lists(st.integers(0, 20), max_size=5), st.booleans())
def test_csv_reader_keeps_every_titled_row_and_invents_none(rows: list[dict[str, object]], blank_at: list[int], crlf: bool) -> None:
    buffer = io.StringIO()
    # valid CSV either way: Python's minimal quoting only quotes a lone "\r" when the line ending holds one
    writer = csv.writer(buffer, lineterminator="\r\n") if crlf else csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["title", "authors", "abstract"])
    for index, row in enumerate(rows):
        if index in blank_at:
            buffer.write("\r\n" if crlf else "\n")  # blank lines between rows
        writer.writerow([row["title"], "; ".join(row["authors"]), row["abstract"]])
    result = read_csv(buffer.getvalue(), "fuzz.csv", "fuzz")
    assert [p.title for p in result.papers] == expected_titles(rows)
    assert len(result.papers) + len(result.skipped) == len(rows)
    assert all(s.reason == "no title" for s in result.skipped)


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


#: A junk line: one line of text that is not a JSON object (and not blank).
JUNK_LINES = ANY_TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " ")).filter(
    lambda t: t.strip() and not _is_json_object(t)
)


@EXAMPLES
@given(records.filter(bool), st.lists(st.integers(0, 20), max_size=5), st.one_of(st.none(), st.integers(0, 14)), JUNK_LINES)
def test_jsonl_reader_keeps_every_titled_line_or_names_the_bad_one(
    rows: list[dict[str, object]], blank_at: list[int], junk_at: int | None, junk: str,
) -> None:
    lines: list[str] = []
    junk_line = None
    for index, row in enumerate(rows):
        if index in blank_at:
            lines.append("   ")
        if index == junk_at:
            junk_line = len(lines) + 1
            lines.append(junk)
        lines.append(json.dumps(row, ensure_ascii=bool(index % 2)))
    text = "\n".join(lines) + "\n"
    if junk_line is not None:
        with pytest.raises(InputError) as raised:
            read_jsonl(text, "fuzz.jsonl", "fuzz")
        assert f"fuzz.jsonl:{junk_line}" in str(raised.value)
        return
    result = read_jsonl(text, "fuzz.jsonl", "fuzz")
    assert [p.title for p in result.papers] == expected_titles(rows)
    assert len(result.papers) + len(result.skipped) == len(rows)
