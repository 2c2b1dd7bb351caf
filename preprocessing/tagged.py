"""Readers for tagged line exports: Web of Science plain text and PubMed MEDLINE.

Both formats start each field with a tag at the start of a line and wrap long values onto indented
continuation lines. Web of Science: 2-character tag and a space (``TI Title``), continuation lines start with
3 spaces, records run from ``PT J`` to ``ER``, the file opens with ``FN ...`` / ``VR 1.0`` and ends with ``EF``.
MEDLINE: tag of up to 4 characters padded to 4, then ``- `` (``PMID- 123``, ``TI  - Title``), continuation
lines start with 6 spaces, records are separated by blank lines.

Both readers give ``Paper`` objects in file order with ``origin`` ``"<path>:<line of the record's first
line>"`` and period ``period`` if given, else the year, else ``source``; records without a title are skipped
(``"no title"``). A record cut short (no ``ER`` before the next ``PT``, or the end of the file) is still read,
with a warning naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from preprocessing.clean import clean_name, clean_text, clean_title, normalise_doi
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult, SkippedRecord
from preprocessing.table_exports import split_keywords
from preprocessing.tabular import parse_year

#: name parts read as a suffix ("Smith, John, Jr." -> "John Smith Jr.")
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_WOS_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?")
_WOS_HEADER_TAGS = frozenset({"FN", "VR", "EF"})
_WOS_PT = re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)
_WOS_ER = re.compile(r"^ER\s*$", re.MULTILINE)
_WOS_VR = re.compile(r"^VR \S", re.MULTILINE)
_MEDLINE_TAG = re.compile(r"(?=[A-Z0-9 ]{4}-)([A-Z][A-Z0-9]{1,3}) *-(?: ?(.*))?")
_MEDLINE_PMID = re.compile(r"^PMID- ?\d+\s*$", re.MULTILINE)
_MEDLINE_TITLE = re.compile(r"^(?:TI  |BTI )- ?\S", re.MULTILINE)
_INITIALS = re.compile(r"[A-Z]{1,4}")
_BRACKETED_TITLE = re.compile(r"\[([^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)\]\.?")  # inner brackets balanced


def titled_papers(
    built: Iterable[tuple[str, Paper | None]], source: str, warnings: tuple[str, ...] = ()
) -> ReadResult:
    """The papers of ``(origin, paper or None)`` pairs, in order; a ``None`` (a record without a title) becomes a
    skipped record, reason ``"no title"``, at its origin."""
    papers: list[Paper] = []
    skipped: list[SkippedRecord] = []
    for origin, paper in built:
        if paper is None:
            skipped.append(SkippedRecord(source, origin, "no title"))
        else:
            papers.append(paper)
    return ReadResult(papers=tuple(papers), skipped=tuple(skipped), warnings=warnings)


def split_lines(text: str) -> list[str]:
    r"""Lines of an export, BOM dropped; ``\r\n`` and ``\n`` end a line, and so does ``\r`` in a file without ``\n``.

    A stray ``\r`` in a file with ``\n`` line ends is dropped (IEEE Xplore writes ``\n\r`` between RIS records),
    so line numbers are those an editor shows."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    text = text.replace("\r", "") if "\n" in text else text.replace("\r", "\n")
    return text.split("\n")


def _first_line(text: str) -> str:
    """The first non-blank line of ``text`` (BOM dropped), or ``""``."""
    for line in text.removeprefix("\ufeff").splitlines():
        if line.strip():
            return line
    return ""


def reorder_name(name: str) -> str:
    """One name as "First Last": ``"Last, First"`` and ``"Last, First, Jr."`` (or ``"Last, Jr., First"``) are
    reordered; a name without a comma is kept as written."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if len(parts) == 2 and parts[1].casefold() not in NAME_SUFFIXES:
        parts = [parts[1], parts[0]]
    elif len(parts) >= 3 and parts[1].casefold() in NAME_SUFFIXES:
        parts = [parts[2], parts[0], parts[1], *parts[3:]]
    elif len(parts) >= 3:
        parts = [parts[1], parts[0], *parts[2:]]
    return clean_name(" ".join(parts))


def medline_short_name(name: str) -> str:
    """A MEDLINE ``AU`` name ``"Last FM"`` as ``"FM Last"``; other forms (no trailing initials) are kept."""
    words = name.split()
    if len(words) >= 2 and _INITIALS.fullmatch(words[-1]):
        words = [words[-1], *words[:-1]]
    return clean_name(" ".join(words))


@dataclass
class TaggedRecord:
    """One record of a tagged export: the 1-based line it starts on and its fields in file order, each a tag
    and its lines (the tag's own line, then its continuation lines, stripped)."""

    line: int
    fields: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, tag: str, value: str) -> None:
        """A new field ``tag`` whose first line is ``value``."""
        self.fields.append((tag, [value.strip()]))

    def extend(self, value: str) -> None:
        """A continuation line of the last field (dropped when the record has no field yet)."""
        if self.fields:
            self.fields[-1][1].append(value.strip())

    def has(self, tag: str) -> bool:
        """Whether the record has a field ``tag``."""
        return any(t == tag for t, _ in self.fields)

    def lines(self, tag: str) -> list[str]:
        """Every non-empty line of every ``tag`` field, in order (one value a line: WoS ``AU``, ``AF``)."""
        return [line for t, lines in self.fields if t == tag for line in lines if line]

    def values(self, tag: str) -> list[str]:
        """Each ``tag`` field's lines joined with a space, in order, empty ones dropped (MEDLINE ``FAU``, ``OT``)."""
        return [value for t, lines in self.fields if t == tag if (value := " ".join(lines).strip())]

    def text(self, *tags: str) -> str:
        """The first non-empty value among ``tags``, in the order given, or ``""``."""
        return next((values[0] for tag in tags if (values := self.values(tag))), "")


def _wos_records(lines: list[str], path: str | Path) -> tuple[list[TaggedRecord], list[str]]:
    """The records of Web of Science plain text lines, and a warning for each record cut short."""
    records: list[TaggedRecord] = []
    warnings: list[str] = []
    current: TaggedRecord | None = None

    def close(reason: str) -> None:
        assert current is not None
        if reason:
            warnings.append(f"{path}:{current.line}: record has no ER line; {reason}")
        records.append(current)

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = None if line.startswith("  ") else _WOS_TAG.fullmatch(line.rstrip())
        if match is None:  # a continuation line (or stray text inside a record)
            if current is not None:
                current.extend(line)
            continue
        tag, value = match.group(1), match.group(2) or ""
        if current is None:
            if tag not in _WOS_HEADER_TAGS and tag != "ER":
                current = TaggedRecord(number)
                current.add(tag, value)
            continue
        if tag in ("ER", "EF"):
            close("" if tag == "ER" else "read up to the EF line")
            current = None
        elif tag == "PT":
            close("read up to the next PT line")
            current = TaggedRecord(number)
            current.add(tag, value)
        else:
            current.add(tag, value)
    if current is not None:
        close("read up to the end of the file")
    return records, warnings


def _wos_paper(record: TaggedRecord, origin: str, source: str, period: str | None) -> Paper | None:
    """The paper of one Web of Science record, or ``None`` when it has no title."""
    title = clean_text(record.text("TI"))
    if not title:
        return None
    names = record.lines("AF") or record.lines("AU")
    authors = [reorder_name(n) for n in names if n.casefold() != "[anonymous]"]
    authors += [clean_name(n) for n in record.lines("CA")]
    year = parse_year(record.text("PY")) or parse_year(record.text("EA")) or parse_year(record.text("PD"))
    published, year_text = record.text("PD"), record.text("PY")
    date = f"{published} {year_text}" if published and year_text and year_text not in published else published
    return Paper(
        id=record.text("UT"),
        title=title,
        authors=tuple(a for a in authors if a),
        abstract=clean_text(record.text("AB")),
        year=year,
        date=date or None,
        period=period or (str(year) if year is not None else source),
        venue=clean_title(record.text("SO")),
        source=source,
        origin=origin,
        doi=normalise_doi(record.text("DI")),
        keywords=split_keywords(record.text("DE")),
        source_format="wos",
    )


def parse_wos(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of a Web of Science plain text export ("Plain text file" / "Other file formats"), in file order.

    Fields: ``id`` from UT (``"WOS:000..."``); title from TI and abstract from AB (continuation lines joined with
    a space, :func:`clean_text`); authors from AF (full names) else AU, one name a line, ``"Last, First"``
    reordered to ``"First Last"`` (``[Anonymous]`` dropped), then the group authors of CA; year from PY, else
    EA (early access), else PD; date ``"<PD> <PY>"`` (``"MAR 20 2024"``) when PD is present; venue from SO, kept
    as written (Web of Science writes it in capitals: title-casing would garble acronyms such as IEEE), only
    :func:`clean_title`; doi from DI (:func:`normalise_doi`); keywords from DE (author keywords; their wrapped
    lines joined, then split on ``;``; ID, Keywords Plus, left out); ``source_format`` ``"wos"``. The origin
    line is the record's PT line. Raises InputError when the text holds no record.
    """
    records, warnings = _wos_records(split_lines(text), path)
    if not records:
        raise InputError(
            path, "no Web of Science records found",
            "expected a plain text export: records from a 'PT J' line to an 'ER' line, tags like 'TI ' at line start",
        )
    built = ((f"{path}:{r.line}", _wos_paper(r, f"{path}:{r.line}", source, period)) for r in records)
    return titled_papers(built, source, tuple(warnings))


def looks_like_wos(text: str) -> bool:
    """Whether ``text`` is Web of Science plain text: its first non-blank line starts with ``FN `` and a ``VR``
    or ``PT`` line follows, or it has a ``PT J``-style line (tag, space, one capital) with an ``ER`` line after.

    MEDLINE's ``PT  - Journal Article`` and RIS's ``ER  -`` lines do not match."""
    if _first_line(text).startswith("FN ") and (_WOS_VR.search(text) or _WOS_PT.search(text)):
        return True
    start = _WOS_PT.search(text)
    return start is not None and _WOS_ER.search(text, start.end()) is not None


def _medline_records(lines: list[str]) -> list[TaggedRecord]:
    """The records of MEDLINE lines: a blank line ends a record, and so does a second ``PMID-`` line."""
    records: list[TaggedRecord] = []
    current: TaggedRecord | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            current = None
            continue
        match = None if line[:1].isspace() else _MEDLINE_TAG.fullmatch(line.rstrip())
        if match is None:  # a continuation line (or stray text inside a record)
            if current is not None:
                current.extend(line)
            continue
        tag, value = match.group(1), match.group(2) or ""
        if current is None or (tag == "PMID" and current.has("PMID")):
            current = TaggedRecord(number)
            records.append(current)
        current.add(tag, value)
    return records


def _medline_title(value: str) -> str:
    """A MEDLINE title as plain text: the brackets MEDLINE puts around a translated title and the period it
    ends every title with are dropped (``"[Índice ...]."`` -> ``"Índice ..."``; ``"...?"`` is kept)."""
    title = clean_text(value)
    if bracketed := _BRACKETED_TITLE.fullmatch(title):
        title = bracketed.group(1).strip()
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


def _medline_authors(record: TaggedRecord) -> tuple[str, ...]:
    """FAU names (``"Last, First M"`` -> ``"First M Last"``), else AU (``"Last FM"`` -> ``"FM Last"``), with the
    collective names of CN where they stand in the list."""
    full = record.has("FAU")
    names: list[str] = []
    for tag, lines in record.fields:
        value = " ".join(lines).strip()
        if tag == "CN":
            names.append(clean_name(value))
        elif tag == "FAU" and full:
            names.append(reorder_name(value))
        elif tag == "AU" and not full:
            names.append(medline_short_name(value))
    return tuple(n for n in names if n)


def _medline_doi(record: TaggedRecord) -> str:
    """The DOI of the first ``LID`` or ``AID`` value marked ``[doi]``, or ``""``."""
    for tag in ("LID", "AID"):
        for value in record.values(tag):
            if value.endswith("[doi]"):
                doi = normalise_doi(value.removesuffix("[doi]"))
                if doi:
                    return doi
    return ""


def _medline_paper(record: TaggedRecord, origin: str, source: str, period: str | None) -> Paper | None:
    """The paper of one MEDLINE record, or ``None`` when it has neither TI nor BTI."""
    title = _medline_title(record.text("TI", "BTI"))
    if not title:
        return None
    year = parse_year(record.text("DP")) or parse_year(record.text("DEP"))
    venue = record.text("JT", "TA") or (record.text("BTI") if record.text("TI") else "") or record.text("CTI")
    pmid = record.text("PMID")
    return Paper(
        id=f"PMID:{pmid}" if pmid else "",
        title=title,
        authors=_medline_authors(record),
        abstract=clean_text(record.text("AB")),
        year=year,
        date=record.text("DP") or None,
        period=period or (str(year) if year is not None else source),
        venue=clean_title(venue),
        source=source,
        origin=origin,
        doi=_medline_doi(record),
        keywords=tuple(k for v in record.values("OT") if (k := clean_title(v))),
        source_format="medline",
    )


def parse_medline(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of a PubMed MEDLINE export ("Save" as "PubMed" format, ``.nbib``/``.txt``), in file order.

    Fields: ``id`` ``"PMID:<number>"`` from PMID; title from TI, else BTI (a book), continuation lines joined,
    :func:`clean_text`, MEDLINE's closing period and the brackets of a translated title dropped; abstract from
    AB; authors from FAU (``"Last, First M"`` -> ``"First M Last"``), else AU (``"Last FM"`` -> ``"FM Last"``),
    with CN group names in place; year: the first four-digit year of DP (else DEP); date: DP as written; venue
    from JT (journal title), else TA (its abbreviation), else the book of a chapter (BTI) or the collection
    (CTI); doi from the first ``LID`` or ``AID`` value ending ``[doi]``; keywords from OT (other terms: the
    author keywords; MH, MeSH headings, left out); ``source_format`` ``"medline"``. The origin line is the
    record's first line (its PMID line). Raises InputError when the text holds no record.
    """
    records = _medline_records(split_lines(text))
    if not records:
        raise InputError(
            path, "no MEDLINE records found",
            "expected PubMed's MEDLINE format: records starting 'PMID- 123', tags like 'TI  - ' at line start",
        )
    built = ((f"{path}:{r.line}", _medline_paper(r, f"{path}:{r.line}", source, period)) for r in records)
    return titled_papers(built, source)


def looks_like_medline(text: str) -> bool:
    """Whether ``text`` is PubMed MEDLINE: its first non-blank line is ``PMID- <digits>``, or it has such a line
    and a ``TI  - `` (or ``BTI - ``) line."""
    if _MEDLINE_PMID.fullmatch(_first_line(text)):
        return True
    return _MEDLINE_PMID.search(text) is not None and _MEDLINE_TITLE.search(text) is not None
