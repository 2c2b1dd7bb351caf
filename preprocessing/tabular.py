"""Readers for tables of papers: CSV/TSV, JSON Lines and Parquet, one row per paper.

Columns are matched case-insensitively to standard names (see ``STANDARD_COLUMNS``; the first alias present
wins), then to a database export's layout when the header is one (:mod:`preprocessing.table_exports`: Scopus,
Lens, OpenAlex, Zotero, Web of Science tab-delimited); a ``columns`` mapping ``{standard name: column in the
file}`` overrides both, and ``{"abstract": ""}`` means "no abstract column: titles only".
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from rapidfuzz import fuzz, process

from preprocessing.clean import clean_name, clean_text, clean_title, normalise_doi
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult, SkippedRecord
from preprocessing.table_exports import (
    TableExport,
    default_columns,
    detect_table_export,
    export_authors,
    split_keywords,
)

STANDARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "paper_id", "doi"),
    "title": ("title",),
    "abstract": ("abstract", "text", "summary", "body"),
    "authors": ("authors", "author"),
    "year": ("year",),
    "date": ("date", "first_date", "published", "publication_date"),
    "venue": ("venue", "journal", "booktitle", "conference"),
    "period": ("period",),
    "doi": ("doi",),
    # not a bare "keywords": the labelled data sets' keywords columns must never reach a run unasked (map one with
    # columns: {keywords: <column>})
    "keywords": ("author keywords", "author_keywords"),
}
"""Standard name -> column names recognised for it, in order of preference."""

_NO_ABSTRACT_FIX = (
    "add an abstract/text/summary/body column, map one with columns: {abstract: <your column>}, "
    "or set columns: {abstract: ''} to run on titles alone"
)
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|2[0-9]{3})(?!\d)")
_PARSER_LINE = re.compile(r"line (\d+)")
_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
#: What databases write where a record has no abstract.
_NO_ABSTRACT_PLACEHOLDER = re.compile(r"^\[?\s*no abstract available\s*\]?\.?$", re.IGNORECASE)
#: What Scopus writes where a record has no author.
_NO_AUTHOR_PLACEHOLDER = re.compile(r"^\[?\s*no author name available\s*\]?$", re.IGNORECASE)

Row = Mapping[str, object]


def resolve_columns(
    found: Sequence[str], mapping: Mapping[str, str], path: str | Path, export: TableExport | None = None
) -> dict[str, str | None]:
    """Standard name -> the file's column for it (``None`` when absent or mapped to ``""``): the standard aliases,
    then ``export``'s layout (a database's export), then ``mapping``.

    Raises InputError for an unknown standard name in ``mapping``, a mapped column missing from the file,
    and a missing title or abstract column.
    """
    listed = ", ".join(found) if found else "none"
    by_lower: dict[str, str] = {}
    for column in found:
        by_lower.setdefault(column.strip().casefold(), column)
    resolved: dict[str, str | None] = {}
    for role, aliases in STANDARD_COLUMNS.items():
        resolved[role] = next((by_lower[a] for a in aliases if a in by_lower), None)
    resolved.update(default_columns(export, found))
    for role, column in mapping.items():
        if role not in STANDARD_COLUMNS:
            allowed = ", ".join(STANDARD_COLUMNS)
            raise InputError(path, f"unknown column role {role!r} in columns", f"use one of: {allowed}")
        if column == "" and role != "title":
            resolved[role] = None
            continue
        match = column if column in found else by_lower.get(column.strip().casefold())
        if match is None:
            guess = closest_column(column, found)
            hint = f"did you mean {guess!r}? " if guess else ""
            raise InputError(
                path, f"column {column!r} mapped as {role} is not in the file (columns found: {listed})",
                f"{hint}fix the name in columns: {{{role}: <one of the columns found>}} (or --map {role}=<column>)",
            )
        resolved[role] = match
    if resolved["title"] is None:
        raise InputError(path, f"no title column (columns found: {listed})", _map_fix("title", found))
    if resolved["abstract"] is None and mapping.get("abstract") != "":
        guess = closest_column("abstract", found, STANDARD_COLUMNS["abstract"])
        fix = f"{_map_fix('abstract', found)}, or " if guess else ""
        raise InputError(path, f"no abstract column (columns found: {listed})", fix + _NO_ABSTRACT_FIX)
    return resolved


#: Least rapidfuzz WRatio (0-100) of a column name to a role's name or aliases for a "did you mean".
_GUESS_SCORE = 80


def closest_column(name: str, found: Sequence[str], aliases: Sequence[str] = ()) -> str | None:
    """The column of ``found`` most like ``name`` (or one of its ``aliases``), casefolded, when it is alike enough
    to suggest: ``"title"`` -> ``"Paper Title"``; ``None`` when nothing is."""
    if not found:
        return None
    best: tuple[float, str] | None = None
    for candidate in (name, *aliases):
        match = process.extractOne(candidate.casefold(), [c.casefold() for c in found], scorer=fuzz.WRatio)
        if match is not None and (best is None or match[1] > best[0]):
            best = (float(match[1]), found[match[2]])
    return best[1] if best is not None and best[0] >= _GUESS_SCORE else None


def _map_fix(role: str, found: Sequence[str]) -> str:
    """How to map ``role``: with the closest column named when there is one."""
    guess = closest_column(role, found, STANDARD_COLUMNS[role])
    if guess is None:
        return f"map it with columns: {{{role}: <your column>}} or --map {role}=<your column>"
    return f"did you mean {guess!r}? map it with columns: {{{role}: {guess}}} or --map {role}=\"{guess}\""


def cell_text(value: object) -> str:
    """A cell as stripped text: ``None``/NaN -> ``""``, ``2019.0`` -> ``"2019"``, lists joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v) for v in value)
    return str(value).strip()


def split_authors(value: object) -> tuple[str, ...]:
    """Author names from a cell: a list as is, else text split on ";", else " and ", else ","."""
    if isinstance(value, (list, tuple)):
        parts = [cell_text(v) for v in value]
    else:
        text = cell_text(value)
        separator = ";" if ";" in text else " and " if " and " in text else ","
        parts = text.split(separator)
    return tuple(name for part in parts if (name := clean_name(part)))


def parse_year(value: object) -> int | None:
    """The first four-digit year in a cell (``2019``, ``"2019"``, ``"2019-06-01"``), else ``None``."""
    match = _YEAR.search(cell_text(value))
    return int(match.group(1)) if match else None


def rows_to_result(
    rows: Iterable[tuple[str, Row]],
    columns: Mapping[str, str | None],
    source: str,
    period: str | None,
    export: TableExport | None = None,
    source_format: str = "csv",
) -> ReadResult:
    """Papers from ``(origin, row)`` pairs, with resolved ``columns``; rows without a title are skipped. With a
    database's ``export`` layout its author cells are split its way and ``source_format`` is its name."""
    def get(row: Row, role: str) -> object:
        column = columns.get(role)
        return row.get(column) if column is not None else None

    papers: list[Paper] = []
    skipped: list[SkippedRecord] = []
    for origin, row in rows:
        title = clean_text(cell_text(get(row, "title")))
        if not title:
            skipped.append(SkippedRecord(source, origin, "no title"))
            continue
        year = parse_year(get(row, "year")) or parse_year(get(row, "date"))
        abstract = clean_text(cell_text(get(row, "abstract")))
        authors = get(row, "authors")
        papers.append(Paper(
            id=cell_text(get(row, "id")),
            title=title,
            authors=tuple(a for a in (
                export_authors(authors, export)
                if export is not None and export.author_separator and isinstance(authors, str)
                else split_authors(authors)
            ) if not _NO_AUTHOR_PLACEHOLDER.match(a)),
            abstract="" if _NO_ABSTRACT_PLACEHOLDER.match(abstract) else abstract,
            year=year,
            date=cell_text(get(row, "date")) or None,
            period=period or cell_text(get(row, "period")) or (str(year) if year is not None else source),
            venue=clean_title(cell_text(get(row, "venue"))),
            source=source,
            origin=origin,
            doi=normalise_doi(cell_text(get(row, "doi"))),
            keywords=split_keywords(cell_text(get(row, "keywords"))),
            source_format=export.name if export is not None else source_format,
        ))
    return ReadResult(papers=tuple(papers), skipped=tuple(skipped))


def _csv_row_lines(text: str, sep: str) -> list[int]:
    """1-based line on which each non-blank CSV record starts (header included)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            if record:
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error:
        return []
    return starts


def _read_frame(text: str, path: str | Path, sep: str) -> tuple[pd.DataFrame, list[str]]:
    """The CSV text as a frame of strings, and warnings. In a database export's table (Scopus writes some rows
    with a field more than its header) rows with more fields than the header keep their first fields, one per
    column, with a warning naming the first such line; in any other table they are an error naming the line."""
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False), []
    except pd.errors.EmptyDataError:
        raise InputError(
            path, "has no header row", "the first line must name the columns, e.g. title,abstract"
        ) from None
    except pd.errors.ParserError as error:
        message = str(error).strip().splitlines()[-1].split("C error: ")[-1]
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        # a database export's long rows are its own (Scopus); in another table they are likely an unquoted separator
        if _FIELD_COUNT.search(message) is None or detect_table_export(header) is None:
            found = _PARSER_LINE.search(message)
            raise InputError(
                path, f"is not valid CSV: {message}", "quote fields that contain the separator or line breaks",
                line=int(found.group(1)) if found else None,
            ) from None
    long_rows: list[int] = []

    def keep_header_width(fields: list[str]) -> list[str]:
        long_rows.append(len(fields))
        return fields[:width]

    width = len(header)
    frame = pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, engine="python", on_bad_lines=keep_header_width
    )
    first = _FIELD_COUNT.search(message)
    line = first.group(2) if first else "?"
    return frame, [
        f"{path}: {len(long_rows)} row(s) have more fields than the header's {width} (the first on line {line}); "
        f"each was read as its first {width} fields"
    ]


def read_csv(
    text: str, path: str | Path, source: str, period: str | None = None,
    columns: Mapping[str, str] | None = None, sep: str = ",",
) -> ReadResult:
    r"""Papers from CSV (or TSV with ``sep="\t"``) text; origins are ``"<path>:<line the row starts on>"``. A
    database export's header (:func:`~preprocessing.table_exports.detect_table_export`) sets the columns it uses."""
    frame, warnings = _read_frame(text, path, sep)
    found_columns = [str(c) for c in frame.columns]
    export = detect_table_export(found_columns)
    resolved = resolve_columns(found_columns, columns or {}, path, export)
    starts = _csv_row_lines(text, sep)
    row_lines = starts[1:] if len(starts) == len(frame) + 1 else [i + 2 for i in range(len(frame))]
    records = frame.to_dict(orient="records")
    result = rows_to_result(
        ((f"{path}:{line}", row) for line, row in zip(row_lines, records)), resolved, source, period, export,
        "tsv" if sep == "\t" else "csv",
    )
    return replace(result, warnings=(*result.warnings, *warnings))


def read_jsonl(
    text: str, path: str | Path, source: str, period: str | None = None, columns: Mapping[str, str] | None = None,
) -> ReadResult:
    """Papers from JSON Lines text (one object per line; blank lines allowed); origins are ``"<path>:<line>"``."""
    rows: list[tuple[str, Row]] = []
    found: dict[str, None] = {}
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: JSON may hold U+2028
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(
                path, f"line is not valid JSON ({error.msg} at column {error.colno})",
                'each line must be one JSON object, e.g. {"title": "...", "abstract": "..."}', line=number,
            ) from None
        if not isinstance(row, dict):
            raise InputError(
                path, f"line is a JSON {type(row).__name__}, not an object",
                'each line must be one JSON object, e.g. {"title": "...", "abstract": "..."}', line=number,
            )
        found.update(dict.fromkeys(row))
        rows.append((f"{path}:{number}", row))
    export = detect_table_export(list(found))
    resolved = resolve_columns(list(found), columns or {}, path, export)
    return rows_to_result(rows, resolved, source, period, export, "jsonl")


#: Rows of a Parquet file turned into Python objects at a time.
PARQUET_BATCH_ROWS = 5000


def read_parquet(
    path: str | Path, source: str, period: str | None = None, columns: Mapping[str, str] | None = None,
) -> ReadResult:
    """Papers from a Parquet file, reading only the columns used; origins are ``"<path>:row <n>"`` (1-based)."""
    try:
        parquet = pq.ParquetFile(path)
        names = list(parquet.schema_arrow.names)
    except (pa.ArrowInvalid, OSError) as error:
        raise _unreadable_parquet(path, error) from None
    export = detect_table_export(names)
    resolved = resolve_columns(names, columns or {}, path, export)
    used = sorted({c for c in resolved.values() if c is not None})

    def records() -> Iterator[dict[str, Any]]:  # a few thousand rows as Python objects at a time
        try:
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=used):
                yield from batch.to_pylist()
        except (pa.ArrowInvalid, OSError) as error:
            raise _unreadable_parquet(path, error) from None

    rows = ((f"{path}:row {i}", row) for i, row in enumerate(records(), start=1))
    try:
        return rows_to_result(rows, resolved, source, period, export, "parquet")
    finally:
        parquet.close()


def _unreadable_parquet(path: str | Path, error: Exception) -> InputError:
    return InputError(
        path, f"is not a readable Parquet file ({error})",
        "check that it was written as Parquet, or set format: csv or jsonl if it is text",
    )
