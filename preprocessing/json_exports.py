r"""Readers for the JSON exports of OpenAlex, the arXiv metadata snapshot and Semantic Scholar.

Each reader accepts a JSON document (one record, a list of records, or an API page whose records are under
``"results"`` or ``"data"``) or JSON Lines. Origins are ``"<path>:<line>"``, the 1-based line the record starts
on (found while parsing), or ``"<path>:record <n>"`` when records share lines (a one-line JSON document). Period:
``period`` if given, else the record's year, else ``source``. Records without a title are skipped (``"no
title"``). :func:`detect_json_export` names the export from its first record, or ``None`` for JSON that is none
of the three, so the caller can read it as generic JSON Lines instead.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Generator, Iterator, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from preprocessing.clean import clean_name, clean_text, clean_title, normalise_doi
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult, SkippedRecord
from preprocessing.tabular import parse_year

Record = Mapping[str, Any]
#: Builds a paper from one record, its origin, the source name and the period given (or ``None``).
Mapper = Callable[[Record, str, str, "str | None"], Paper]

PAGE_KEYS = ("results", "data")
"""Keys under which an API page (OpenAlex ``{"meta", "results"}``, Semantic Scholar ``{"data"}``) lists records."""

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_JSON_FIX = "export the records again, or check the file is one JSON document or one JSON object per line"
_TAG = re.compile(
    r"</?((?:[A-Za-z][\w.-]*:)?[A-Za-z][\w.-]*)(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>"
)
#: HTML/JATS tags that mark up a run of text inside a word or sentence (removed with nothing in their place).
_INLINE_TAGS = frozenset({"i", "b", "em", "strong", "sub", "sup", "u", "span", "sc", "scp", "italic", "bold", "inf"})
_ABSTRACT_LABEL = re.compile(r"^\s*(?:Abstract|ABSTRACT)(?:\s*[:.]\s*|\s+)(?=\S)")


# --- JSON text -> records, with the line each record starts on ------------------------------------------------


def _skip(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _array_items(text: str, index: int) -> Generator[tuple[int, Any], None, int]:
    """``(offset, value)`` of each element of the JSON array at ``text[index]`` (a ``[``), in order; returns the
    offset just past the array."""
    index = _skip(text, index + 1)
    if text.startswith("]", index):
        return index + 1
    while True:
        value, end = _DECODER.raw_decode(text, index)
        yield index, value
        index = _skip(text, end)
        if text.startswith("]", index):
            return index + 1
        if not text.startswith(",", index):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip(text, index + 1)


def _object_records(text: str, index: int) -> Generator[tuple[int, Any], None, int]:
    """Records of the JSON object at ``text[index]``: the elements of its ``"results"``/``"data"`` array when it
    is an API page, else the object itself; returns the offset just past the object."""
    members: dict[str, Any] = {}
    paged = False
    position = _skip(text, index + 1)
    while not text.startswith("}", position):
        key, end = _DECODER.raw_decode(text, position)
        if not isinstance(key, str):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, position)
        position = _skip(text, end)
        if not text.startswith(":", position):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, position)
        position = _skip(text, position + 1)
        if key in PAGE_KEYS and text.startswith("[", position):
            paged = True
            end = yield from _array_items(text, position)
        else:
            members[key], end = _DECODER.raw_decode(text, position)
        position = _skip(text, end)
        if text.startswith(",", position):
            position = _skip(text, position + 1)
            if text.startswith("}", position):  # a trailing comma
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, position)
        elif not text.startswith("}", position):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)
    if not paged:
        yield index, members
    return position + 1


def _document_records(text: str, start: int) -> Iterator[tuple[int, Any]]:
    """``(offset, record)`` of the JSON document at ``text[start]`` (``[`` or ``{``); nothing may follow it."""
    if text.startswith("[", start):
        end = yield from _array_items(text, start)
    elif text.startswith("{", start):
        end = yield from _object_records(text, start)
    else:
        raise json.JSONDecodeError("Expecting '[' or '{'", text, start)
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, end))


def _lines_records(text: str) -> Iterator[tuple[int, Any]]:
    """``(line, value)`` of each non-blank line of JSON Lines text."""
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: JSON may hold U+2028
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise json.JSONDecodeError(error.msg, text, offset + error.pos) from None
        offset += len(line) + 1


def _raw_records(text: str) -> Iterator[tuple[int, Any]]:
    """``(line, value)`` of each record: JSON Lines when the first line is a whole JSON object and more follows,
    else one JSON document (a record, a list of records or an API page). Raises ``json.JSONDecodeError``."""
    if text.startswith("\ufeff"):  # a byte-order mark: a space keeps every offset and column
        text = " " + text[1:]
    start = _skip(text, 0)
    newline = text.find("\n", start)
    first_line, rest = (text[start:], "") if newline < 0 else (text[start:newline], text[newline:])
    try:
        is_lines = isinstance(json.loads(first_line), dict) and bool(rest.strip())
    except (json.JSONDecodeError, RecursionError):
        is_lines = False
    if is_lines:
        yield from _lines_records(text)
        return
    line, previous = 1, 0
    for offset, value in _document_records(text, start):
        line += text.count("\n", previous, offset)
        previous = offset
        yield line, value


def _records(text: str, path: str | Path) -> Iterator[tuple[int, Record]]:
    """``(line, record)`` of each record of the text; InputError for invalid JSON or a record not an object."""
    try:
        for line, value in _raw_records(text):
            if not isinstance(value, dict):
                raise InputError(
                    path, f"record is a JSON {type(value).__name__}, not an object",
                    "each record must be one JSON object", line=line,
                )
            yield line, value
    except json.JSONDecodeError as error:
        raise InputError(
            path, f"is not valid JSON ({error.msg} at column {error.colno})", _JSON_FIX, line=error.lineno
        ) from None
    except RecursionError:
        raise InputError(path, "nests JSON arrays or objects too deeply to read", _JSON_FIX) from None


def _papers(
    records: Iterator[tuple[int, Record]], path: str | Path, source: str, period: str | None, mapper: Mapper,
) -> ReadResult:
    """Papers built by ``mapper``, records without a title skipped. Origins name the record's first line, or
    (a one-line document, where lines do not tell records apart) its place: ``"<path>:record <n>"``, 1-based."""
    listed = list(records)
    by_line = len({line for line, _ in listed}) == len(listed)
    papers: list[Paper] = []
    skipped: list[SkippedRecord] = []
    for number, (line, record) in enumerate(listed, start=1):
        origin = f"{path}:{line}" if by_line else f"{path}:record {number}"
        paper = mapper(record, origin, source, period)
        if paper.title:
            papers.append(paper)
        else:
            skipped.append(SkippedRecord(source, origin, "no title"))
    return ReadResult(papers=tuple(papers), skipped=tuple(skipped))


def _period(period: str | None, year: int | None, source: str) -> str:
    return period or (str(year) if year is not None else source)


def _text(value: object) -> str:
    """A JSON string as is; ``None``, numbers and other values as ``""`` (numbers as their digits)."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _get(record: object, *keys: str) -> object:
    """``record[k1][k2]...``, or ``None`` where a level is missing or not an object."""
    for key in keys:
        if not isinstance(record, Mapping):
            return None
        record = record.get(key)
    return record


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def strip_markup(text: str) -> str:
    """HTML/JATS tags removed and entities decoded: inline tags (``<i>``, ``<sub>``...) leave nothing, others
    (``<p>``, ``<h3>``, ``<jats:title>``) a space. ``"CO<sub>2</sub> <i>in vivo</i>"`` -> ``"CO2 in vivo"``."""
    if "<" in text:
        text = _TAG.sub(lambda m: "" if m.group(1).casefold() in _INLINE_TAGS else " ", text)
    return html.unescape(text) if "&" in text else text


def _markup_text(value: object) -> str:
    return clean_text(strip_markup(_text(value)))


# --- OpenAlex ---------------------------------------------------------------------------------------------------


def openalex_abstract(inverted_index: object) -> str:
    """The abstract an ``abstract_inverted_index`` encodes: each word placed at each of its positions, joined
    with spaces (positions missing from the index are passed over); ``""`` for ``null`` or an empty index."""
    if not isinstance(inverted_index, Mapping):
        return ""
    words: dict[int, str] = {}
    for word, positions in inverted_index.items():
        for position in _list(positions):
            if isinstance(position, int):
                words[position] = str(word)
    return " ".join(words[p] for p in sorted(words))


def looks_like_openalex(value: object) -> bool:
    """Whether a parsed JSON value (a work, a list of works or an API page) is OpenAlex: its first work has an
    ``abstract_inverted_index`` or an ``id`` starting with ``https://openalex.org/``."""
    record = _first_record(value)
    return record is not None and (
        "abstract_inverted_index" in record or _text(record.get("id")).startswith("https://openalex.org/")
    )


def openalex_paper(record: Record, origin: str, source: str, period: str | None = None) -> Paper:
    """One OpenAlex work as a Paper.

    id: the ``W...`` of ``id`` (``https://openalex.org/W123`` -> ``W123``); title: ``display_name``, else
    ``title``; abstract: rebuilt from ``abstract_inverted_index`` (:func:`openalex_abstract`), markup removed and
    a leading "Abstract" label dropped; authors: ``authorships[].author.display_name`` (else the authorship's
    ``raw_author_name``); year: ``publication_year``, else the year of ``publication_date``; date:
    ``publication_date``; venue: ``primary_location.source.display_name``, else ``host_venue.display_name``
    (2023 schema); doi: ``doi`` (else ``ids.doi``) without its ``https://doi.org/``; keywords: none. OpenAlex
    has no author keywords: its ``keywords`` are assigned by OpenAlex from its Topics and ``concepts`` are
    machine-assigned tags, so neither is read (``Paper.keywords`` holds what authors chose).
    """
    authors = (
        clean_name(_text(_get(a, "author", "display_name") or _get(a, "raw_author_name")))
        for a in _list(record.get("authorships"))
    )
    year = parse_year(record.get("publication_year")) or parse_year(_text(record.get("publication_date")))
    venue = _get(record, "primary_location", "source", "display_name") or _get(record, "host_venue", "display_name")
    abstract = strip_markup(openalex_abstract(record.get("abstract_inverted_index")))
    return Paper(
        id=_text(record.get("id")).rstrip("/").rsplit("/", 1)[-1],
        title=_markup_text(record.get("display_name") or record.get("title")),
        authors=tuple(a for a in authors if a),
        abstract=clean_text(_ABSTRACT_LABEL.sub("", abstract)),
        year=year,
        date=_text(record.get("publication_date")).strip() or None,
        period=_period(period, year, source),
        venue=clean_title(_text(venue)),
        source=source,
        origin=origin,
        doi=normalise_doi(_text(record.get("doi") or _get(record, "ids", "doi"))),
        source_format="openalex",
    )


def parse_openalex(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of OpenAlex works JSON: one work, a list of works, an API page (``{"meta", "results"}``) or JSON
    Lines (one work per line); fields as in :func:`openalex_paper`."""
    return _papers(_records(text, path), path, source, period, openalex_paper)


# --- arXiv metadata snapshot ------------------------------------------------------------------------------------

#: LaTeX accent command -> Unicode combining mark (``\"o`` -> ``ö``, ``\c{c}`` -> ``ç``).
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a",
}
_ACCENT = re.compile(r"""\\(?:(["'`^~=.])\s*|([uvHckr])(?:\s+|(?=\{)))\{?\s*\\?([A-Za-z])\}?""")
_GREEK_NAMES = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
                "upsilon phi chi psi omega").split()
_SYMBOLS = {name: unicodedata.lookup(f"GREEK SMALL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}")
            for name in _GREEK_NAMES}
_SYMBOLS.update({name.capitalize(): letter.upper() for name, letter in _SYMBOLS.items()})
_SYMBOLS.update({
    "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varrho": "ϱ", "varsigma": "ς", "ell": "ℓ", "infty": "∞",
    "pm": "±", "mp": "∓", "times": "×", "cdot": "·", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "ne": "≠", "sim": "∼", "approx": "≈", "in": "∈", "partial": "∂", "nabla": "∇", "to": "→", "rightarrow": "→",
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "l": "ł",
    "L": "Ł", "i": "ı",
})
_SYMBOL = re.compile(r"\\(" + "|".join(sorted(_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])")
_PARENTHESES = re.compile(r"\([^()]*\)")
_NAME_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


def latex_accents_to_unicode(text: str) -> str:
    r"""Accents, special letters, Greek letters and a few symbols (``\ell``, ``\infty``, ``\leq``...) of LaTeX
    text as Unicode, the rest unchanged: ``Gr\"obner`` -> ``Gröbner``, ``\c{c}`` -> ``ç``, ``\ss`` -> ``ß``,
    ``$\Lambda_\alpha$`` -> ``$Λ_α$``.

    (bibtexparser's ``latex_to_unicode`` reads ``\Lambda`` as ``\L`` + "ambda", giving "Łambda".)"""
    if "\\" not in text:
        return text
    text = _ACCENT.sub(lambda m: unicodedata.normalize("NFC", m.group(3) + _ACCENTS[m.group(1) or m.group(2)]),
                       text)  # composed first, so that a \L before \"o is still a whole command
    text = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(1)], text)
    return unicodedata.normalize("NFC", text)


def _arxiv_text(value: object) -> str:
    """Title or abstract of the snapshot: LaTeX accents and Greek as Unicode, then :func:`clean_text` (which
    drops the remaining commands and collapses arXiv's line breaks and indents)."""
    return clean_text(latex_accents_to_unicode(_text(value)))


def arxiv_authors(record: Record) -> tuple[str, ...]:
    """Author names of a snapshot record: ``authors_parsed`` (``[[last, first, suffix, affiliation?], ...]``) as
    "First Last Suffix", else the ``authors`` string (``"A, B and C"``) without its parenthesised affiliations."""
    names: list[str] = []
    for parts in _list(record.get("authors_parsed")):
        last, first, suffix = ([_text(p) for p in _list(parts)[:3]] + ["", "", ""])[:3]
        names.append(" ".join(p for p in (first.replace(". -", ".-"), last, suffix) if p.strip()))
    if not names:
        text = latex_accents_to_unicode(_text(record.get("authors")))
        while _PARENTHESES.search(text):
            text = _PARENTHESES.sub(" ", text)
        names = [n for n in _NAME_SEPARATOR.split(text) if n.strip().rstrip(".").casefold() not in ("et al", "others")]
    return tuple(name for n in names if (name := clean_name(n.replace("{", "").replace("}", ""))))


def _arxiv_date(record: Record) -> str | None:
    """ISO date of the first version (``versions[0].created``, an RFC 2822 date), else ``update_date``."""
    versions = _list(record.get("versions"))
    try:
        return parsedate_to_datetime(_text(_get(versions[0], "created")) if versions else "").date().isoformat()
    except (TypeError, ValueError):  # no first version, or not an RFC 2822 date
        pass
    return _text(record.get("update_date")).strip() or None


def looks_like_arxiv(value: object) -> bool:
    """Whether a parsed JSON value is arXiv snapshot metadata: its first record has an ``id``, a ``categories``
    string and ``versions``, ``authors_parsed`` or ``update_date``."""
    record = _first_record(value)
    return record is not None and "id" in record and isinstance(record.get("categories"), str) and any(
        key in record for key in ("versions", "authors_parsed", "update_date"))


def arxiv_paper(record: Record, origin: str, source: str, period: str | None = None) -> Paper:
    """One arXiv metadata snapshot record as a Paper.

    id: ``id`` (``"0704.0001"``, ``"hep-th/9901001"``); title and abstract: ``title``, ``abstract`` with LaTeX
    accents and Greek letters as Unicode and whitespace collapsed; authors: :func:`arxiv_authors`; date: the first
    version's ``created`` date (ISO), else ``update_date``; year: that date's; venue: ``"arXiv"`` (``journal-ref``
    is not read); keywords: ``categories`` split on spaces (``"math.CO cs.CG"`` -> ``("math.CO", "cs.CG")``, the
    submitter's choice of subject classes); doi: ``doi`` (the first when it lists several).
    """
    date = _arxiv_date(record)
    year = parse_year(date or "")
    return Paper(
        id=_text(record.get("id")).strip(),
        title=_arxiv_text(record.get("title")),
        authors=arxiv_authors(record),
        abstract=_arxiv_text(record.get("abstract")),
        year=year,
        date=date,
        period=_period(period, year, source),
        venue="arXiv",
        source=source,
        origin=origin,
        doi=normalise_doi(_text(record.get("doi"))),
        keywords=tuple(_text(record.get("categories")).split()),
        source_format="arxiv",
    )


def parse_arxiv(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of the arXiv metadata snapshot (JSON Lines, one record per line; a JSON list also reads); fields
    as in :func:`arxiv_paper`."""
    return _papers(_records(text, path), path, source, period, arxiv_paper)


# --- Semantic Scholar -------------------------------------------------------------------------------------------


def looks_like_semantic_scholar(value: object) -> bool:
    """Whether a parsed JSON value is Semantic Scholar Graph API papers: its first record has a ``paperId``
    (or the datasets' ``corpusid``/``corpusId``)."""
    record = _first_record(value)
    return record is not None and any(key in record for key in ("paperId", "corpusid", "corpusId"))


def semantic_scholar_paper(record: Record, origin: str, source: str, period: str | None = None) -> Paper:
    """One Semantic Scholar paper as a Paper.

    id: ``paperId``; title, abstract: ``title``, ``abstract`` (markup removed); authors: ``authors[].name``;
    year: ``year``, else the year of ``publicationDate``; date: ``publicationDate``; venue: ``venue``, else
    ``publicationVenue.name``, else ``journal.name``; doi: ``externalIds.DOI`` (``externalids`` in the
    datasets). Keywords are left empty: ``fieldsOfStudy`` are assigned by Semantic Scholar, not by the authors.
    """
    year = parse_year(record.get("year")) or parse_year(_text(record.get("publicationDate")))
    venue = record.get("venue") or _get(record, "publicationVenue", "name") or _get(record, "journal", "name")
    external = record.get("externalIds") or record.get("externalids")
    authors = (clean_name(_text(_get(author, "name"))) for author in _list(record.get("authors")))
    return Paper(
        id=_text(record.get("paperId") or record.get("corpusid") or record.get("corpusId")).strip(),
        title=_markup_text(record.get("title")),
        authors=tuple(a for a in authors if a),
        abstract=_markup_text(record.get("abstract")),
        year=year,
        date=_text(record.get("publicationDate")).strip() or None,
        period=_period(period, year, source),
        venue=clean_title(_text(venue)),
        source=source,
        origin=origin,
        doi=normalise_doi(_text(_get(external, "DOI"))),
        source_format="semantic-scholar",
    )


def parse_semantic_scholar(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of Semantic Scholar Graph API JSON: one paper, a list, a ``{"data": [...]}`` page (search and
    batch responses) or JSON Lines; fields as in :func:`semantic_scholar_paper`."""
    return _papers(_records(text, path), path, source, period, semantic_scholar_paper)


# --- Detection and dispatch -------------------------------------------------------------------------------------

#: Export name -> (test on the first record, paper builder), in the order they are tried.
EXPORTS: dict[str, tuple[Callable[[object], bool], Mapper]] = {
    "openalex": (looks_like_openalex, openalex_paper),
    "semantic-scholar": (looks_like_semantic_scholar, semantic_scholar_paper),
    "arxiv": (looks_like_arxiv, arxiv_paper),
}


def _first_record(value: object) -> Record | None:
    """The first record of a parsed JSON value: the value itself, a list's first element, or a page's first."""
    if isinstance(value, list):
        value = value[0] if value else None
    elif isinstance(value, Mapping):
        page = next((value[key] for key in PAGE_KEYS if isinstance(value.get(key), list)), None)
        value = value if page is None else page[0] if page else None
    return value if isinstance(value, Mapping) else None


def _export_of(record: Record) -> str | None:
    return next((name for name, (test, _) in EXPORTS.items() if test(record)), None)


def detect_json_export(text: str) -> str | None:
    """``"openalex"``, ``"arxiv"`` or ``"semantic-scholar"`` from the text's first record (only it is parsed), else
    ``None`` (JSON of none of the three, no records, or not JSON: for the generic JSON Lines reader)."""
    try:
        first = next(_raw_records(text), None)
    except (json.JSONDecodeError, RecursionError):
        return None
    return _export_of(first[1]) if first is not None and isinstance(first[1], Mapping) else None


def parse_json_export(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of an OpenAlex, arXiv or Semantic Scholar JSON export, the export told by its first record.

    Raises InputError for invalid JSON (naming the line and column) and for JSON that is none of the three
    (:func:`detect_json_export` tells the caller beforehand)."""
    records = _records(text, path)
    first = next(records, None)
    if first is None:
        return ReadResult(papers=())
    export = _export_of(first[1])
    if export is None:
        raise InputError(
            path, "is JSON but not an OpenAlex, arXiv or Semantic Scholar export (judged by its first record)",
            "set format: jsonl to read it as one paper per line with title and abstract keys", line=first[0],
        )
    return _papers(itertools.chain([first], records), path, source, period, EXPORTS[export][1])
