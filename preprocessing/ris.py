"""RIS reader (rispy): title, authors, abstract, year, venue, DOI and keywords of each record.

The file is cut into records here, one from each ``TY  - `` line to its ``ER  - `` line, and each is given to
``rispy.loads``; so every paper knows the line of its ``TY`` (rispy keeps no line numbers), and a record whose
``ER`` is missing is still read (up to the next ``TY`` or the end of the file), with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import rispy  # type: ignore[import-untyped]
from rispy.parser import ParseError  # type: ignore[import-untyped]

from preprocessing.clean import clean_text, clean_title, normalise_doi
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult
from preprocessing.table_exports import split_keywords
from preprocessing.tabular import parse_year
from preprocessing.tagged import reorder_name, split_lines, titled_papers

#: rispy keys read as the venue, in order of preference: T2 (journal, book or conference), JF (journal, full),
#: JO (journal, often the abbreviation), JA and J2 (abbreviations)
VENUE_KEYS = ("secondary_title", "alternate_title3", "journal_name", "alternate_title2", "alternate_title1")
_RIS_START = re.compile(r"^TY  - ", re.MULTILINE)
_RIS_OTHER_TAG = re.compile(r"^(?!TY)[A-Z][A-Z0-9]  - ", re.MULTILINE)

Entry = Mapping[str, object]


def _ris_chunks(lines: list[str], path: str | Path) -> tuple[list[tuple[int, str]], list[str]]:
    """``(line of TY, record text)`` for each record, and a warning for each record without an ``ER`` line."""
    chunks: list[tuple[int, str]] = []
    warnings: list[str] = []
    current: list[str] | None = None
    start = 0

    def close(reason: str) -> None:
        assert current is not None
        if reason:
            warnings.append(f"{path}:{start}: record has no ER line; {reason}")
            current.append("ER  - ")
        chunks.append((start, "\n".join(current)))

    for number, line in enumerate(lines, start=1):
        if line.startswith("TY  -"):
            if current is not None:
                close("read up to the next TY line")
            current, start = [line], number
        elif current is not None:
            current.append(line)
            if line.startswith("ER  -"):
                close("")
                current = None
    if current is not None:
        close("read up to the end of the file")
    return chunks, warnings


def _text(entry: Entry, *keys: str) -> str:
    """The first non-empty value among ``keys`` as text (a list's items joined with a space), or ``""``."""
    for key in keys:
        value = entry.get(key)
        text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
        if text.strip():
            return text.strip()
    return ""


def _list(entry: Entry, *keys: str) -> list[str]:
    """The values of the first of ``keys`` present with a non-empty value, as a list of texts."""
    for key in keys:
        value = entry.get(key)
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []
        if any(v.strip() for v in values):
            return [v.strip() for v in values if v.strip()]
    return []


def _ris_paper(entry: Entry, origin: str, source: str, period: str | None) -> Paper | None:
    """The paper of one rispy entry, or ``None`` when it has no title."""
    title = clean_text(_text(entry, "title", "primary_title"))
    if not title:
        return None
    year = (
        parse_year(_text(entry, "year")) or parse_year(_text(entry, "publication_year"))
        or parse_year(_text(entry, "date"))
    )
    urls = _list(entry, "urls")
    return Paper(
        id=_text(entry, "id", "accession_number") or (urls[0] if urls else ""),
        title=title,
        authors=tuple(n for a in _list(entry, "authors", "first_authors") if (n := reorder_name(a))),
        abstract=clean_text(_text(entry, "abstract", "notes_abstract")),
        year=year,
        date=_text(entry, "date", "publication_year") or None,
        period=period or (str(year) if year is not None else source),
        venue=clean_title(_text(entry, *VENUE_KEYS)),
        source=source,
        origin=origin,
        doi=normalise_doi(_text(entry, "doi")),
        keywords=split_keywords("; ".join(_list(entry, "keywords"))),
        source_format="ris",
    )


def _load_record(chunk: str, path: str | Path, line: int) -> list[Entry]:
    """The entries rispy reads from one record's text; InputError naming the file and line when rispy fails on it."""
    try:
        entries: list[Entry] = rispy.loads(chunk)
    except (ParseError, KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise InputError(
            path, f"RIS record could not be read ({type(error).__name__}: {error})",
            "each field must be a line 'XX  - value' between 'TY  - ' and 'ER  - '", line=line,
        ) from None
    return entries


def parse_ris(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of a RIS file (IEEE Xplore, Scopus, Zotero, EndNote, ... exports), in file order.

    Fields (RIS tag, rispy key): title from TI (``title``) else T1 (``primary_title``); authors from AU
    (``authors``) else A1 (``first_authors``), ``"Last, First"`` reordered to ``"First Last"``; abstract from AB
    (``abstract``) else N2 (``notes_abstract``); year: the first four-digit year of PY (``year``), else Y1
    (``publication_year``), else DA (``date``); date: DA else Y1 as written; venue from T2, JF, JO, JA, J2 (the
    first present, see ``VENUE_KEYS``); doi from DO (:func:`normalise_doi`); keywords from KW (each also split
    on ``;``); ``id`` from ID, else AN (accession number), else the first UR; ``source_format`` ``"ris"``.
    Period: ``period`` if given, else the year, else ``source``; origin ``"<path>:<line of TY>"``. Records
    without a title are skipped (``"no title"``). Raises InputError when the text holds no record or rispy
    fails on one.
    """
    chunks, warnings = _ris_chunks(split_lines(text), path)
    if not chunks:
        raise InputError(
            path, "no RIS records found", "records must start with a 'TY  - JOUR' line and end with 'ER  - '"
        )
    built = (
        (f"{path}:{line}", _ris_paper(entry, f"{path}:{line}", source, period))
        for line, chunk in chunks for entry in _load_record(chunk, path, line)
    )
    return titled_papers(built, source, tuple(warnings))


def looks_like_ris(text: str) -> bool:
    """Whether ``text`` is RIS: it has a line starting ``TY  - `` and another tagged line (``XX  - ``)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\n\r", "\n")
    return _RIS_START.search(text) is not None and _RIS_OTHER_TAG.search(text) is not None
