r"""BibTeX reader (bibtexparser 1.x): title, authors, year, abstract and venue of each entry.

Field text goes through three steps: LaTeX citations removed and formatting unwrapped
(:func:`unwrap_latex_markup`), accents and symbols turned into Unicode (``{\"u}`` -> ``ü``), then
:func:`clean_text` (remaining commands, braces and ``$`` dropped, whitespace collapsed).
"""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
from bibtexparser.bibdatabase import UndefinedString
from bibtexparser.bparser import BibTexParser
from bibtexparser.latexenc import latex_to_unicode

from preprocessing.clean import clean_name, clean_text, normalise_doi, unwrap_latex_markup
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult, SkippedRecord
from preprocessing.table_exports import split_keywords
from preprocessing.tabular import parse_year

VENUE_FIELDS = ("journal", "booktitle", "venue")
#: @-directives that are not entries.
NON_ENTRY_TYPES = frozenset({"string", "comment", "preamble"})
_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.MULTILINE)
_ANY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(]", re.MULTILINE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_SPACED_KEY = re.compile(r"^([ \t]*@[ \t]*\w+[ \t]*[{(][ \t]*)([^,\s=]+(?:[ \t]+[^,\s=]+)+)([ \t]*,)", re.MULTILINE)
_COMMA = re.compile(r",")


def field_text(value: str) -> str:
    """Plain text of a BibTeX field value: markup unwrapped, accents to Unicode, cleaned."""
    return clean_text(latex_to_unicode(unwrap_latex_markup(value)))


def _split_top_level(value: str, separator: re.Pattern[str]) -> list[str]:
    """Split on ``separator`` outside braces (``{Barnes and Noble}`` stays one piece)."""
    pieces: list[str] = []
    start = 0
    for match in separator.finditer(value):
        if value.count("{", 0, match.start()) == value.count("}", 0, match.start()):
            pieces.append(value[start:match.start()])
            start = match.end()
    pieces.append(value[start:])
    return pieces


def bibtex_name(name: str) -> str:
    """One BibTeX name as "First Last": ``"Last, First"`` and ``"Last, Jr, First"`` are reordered."""
    parts = [field_text(p) for p in _split_top_level(name, _COMMA)]
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    elif len(parts) >= 3:
        parts = [parts[2], parts[0], parts[1]]
    return clean_name(" ".join(p for p in parts if p))


def bibtex_authors(value: str) -> tuple[str, ...]:
    """Author names of an ``author`` field, in order; ``"others"`` (et al.) is dropped."""
    names = (bibtex_name(n) for n in _split_top_level(value, _AND) if n.strip().casefold() != "others")
    return tuple(n for n in names if n)


def entry_keywords(entry: dict[str, str]) -> tuple[str, ...]:
    """An entry's author keywords: ``author_keywords`` (Scopus), else ``keywords`` (Web of Science's author
    keywords; bibtexparser reads the field as ``keyword``) unless the entry is Scopus's (``source = {Scopus}``),
    whose ``keywords`` are the database's index terms; ``keywords-plus`` is left out. Split on ";" (on "," when there
    is no ";")."""
    value = entry.get("author_keywords", "")
    if not value and entry.get("source", "").strip().casefold() != "scopus":
        value = entry.get("keyword", "") or entry.get("keywords", "")
    text = field_text(value)
    return split_keywords(text if ";" in text else text.replace(",", ";"))


def _keys_without_spaces(text: str) -> tuple[str, list[str]]:
    """``text`` with spaces in citation keys replaced by ``_`` (Scopus writes keys like ``Carmone Jr.1997538``,
    which bibtexparser passes over without a word), and the keys so changed, in file order."""
    changed: list[str] = []

    def underscore(match: re.Match[str]) -> str:
        changed.append(match.group(2))
        return match.group(1) + re.sub(r"\s+", "_", match.group(2)) + match.group(3)

    return _SPACED_KEY.sub(underscore, text), changed


def _spaced_key_warning(path: str | Path, spaced: list[str], lines: dict[str, int]) -> tuple[str, ...]:
    """The warning that citation keys with spaces were read with ``_`` (none when there were none)."""
    if not spaced:
        return ()
    line = lines.get(re.sub(r"\s+", "_", spaced[0]))
    first = f"{spaced[0]!r}, line {line if line is not None else '?'}"
    return (f"{path}: {len(spaced)} citation key(s) hold spaces (e.g. {first}); read with '_' for each space",)


def _entry_lines(text: str) -> dict[str, int]:
    """Citation key -> 1-based line of its ``@type{key,`` (first occurrence)."""
    lines: dict[str, int] = {}
    for match in _ENTRY_START.finditer(text):
        lines.setdefault(match.group(2), text.count("\n", 0, match.start()) + 1)
    return lines


def _drop_unbalanced(text: str, path: str | Path, source: str) -> tuple[str, list[SkippedRecord]]:
    """``text`` without its entries whose braces do not balance, and a skipped record for each.

    The file is cut at every line starting with ``@type{`` (or ``@type(``); an entry piece with more ``{``
    than ``}`` (or fewer) would make the parser swallow the entries after it, so it is left out and reported
    with its line, and every other entry is still read."""
    starts = [m.start() for m in _ANY_START.finditer(text)]
    if not starts:
        return text, []
    pieces = [text[: starts[0]]] + [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    kept: list[str] = [pieces[0]]
    skipped: list[SkippedRecord] = []
    for start, piece in zip(starts, pieces[1:]):
        entry = _ENTRY_START.match(piece)
        opened, closed = piece.count("{"), piece.count("}")
        if entry is not None and opened != closed:
            line = text.count("\n", 0, start) + 1
            title = re.search(r"title\s*=\s*[{\"]([^}\"\n]*)", piece, re.IGNORECASE)
            skipped.append(SkippedRecord(
                source, f"{path}:{line}", "unbalanced braces",
                (" ".join(title.group(1).replace("{", " ").split()) if title else "")
                or f"@{entry.group(1)}{{{entry.group(2)}",
            ))
            continue
        kept.append(piece)
    return "".join(kept), skipped


def parse_bibtex(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of a BibTeX file in file order; ``id`` is the citation key, origin ``"<path>:<line of @entry>"``.

    Period: ``period`` if given, else the entry's year, else ``source``. Entries without a title are skipped
    (reason ``"no title"``), and so are entries whose braces do not balance (``"unbalanced braces"``, the other
    entries still read). Raises InputError when the text holds no entries or uses an undefined @string.
    """
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, homogenize_fields=True)
    text, spaced = _keys_without_spaces(text)
    readable, unbalanced = _drop_unbalanced(text, path, source)
    try:
        database = bibtexparser.loads(readable, parser=parser)
    except UndefinedString as error:
        raise InputError(
            path, f"uses the undefined @string macro {error.args[0]!r}",
            "define it with @string{name = {...}} or write the value in braces",
        ) from None
    if not database.entries and not unbalanced:
        raise InputError(
            path, "no BibTeX entries found",
            "entries must look like @article{key, title = {...}, author = {...}, year = {...}}",
        )
    lines = _entry_lines(text)
    papers: list[Paper] = []
    skipped: list[SkippedRecord] = list(unbalanced)
    for entry in database.entries:
        key = entry.get("ID", "").strip()
        origin = f"{path}:{lines[key]}" if key in lines else f"{path}"
        title = field_text(entry.get("title", ""))
        if not title:
            skipped.append(SkippedRecord(source, origin, "no title"))
            continue
        year = parse_year(entry.get("year", "")) or parse_year(entry.get("date", ""))
        venue = next((v for f in VENUE_FIELDS if (v := field_text(entry.get(f, "")))), "")
        papers.append(Paper(
            id=key,
            title=title,
            authors=bibtex_authors(entry.get("author", "")),
            abstract=field_text(entry.get("abstract", "")),
            year=year,
            date=entry.get("date", "").strip() or None,
            period=period or (str(year) if year is not None else source),
            venue=venue,
            source=source,
            origin=origin,
            doi=normalise_doi(entry.get("doi", "")),
            keywords=entry_keywords(entry),
            source_format="bibtex",
        ))
    parsed = {entry.get("ID", "").strip() for entry in database.entries}
    for match in _ENTRY_START.finditer(readable):  # entries the parser passed over without a word
        kind, key = match.group(1).casefold(), match.group(2)
        if kind not in NON_ENTRY_TYPES and key not in parsed:
            line = lines.get(key)
            skipped.append(SkippedRecord(
                source, f"{path}:{line}" if line else f"{path}", "unreadable entry", f"@{kind}{{{key}",
            ))
    return ReadResult(papers=tuple(papers), skipped=tuple(skipped), warnings=_spaced_key_warning(path, spaced, lines))
