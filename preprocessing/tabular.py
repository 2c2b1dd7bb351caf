"""Readers for tables of papers: CSV/TSV, JSON Lines and Parquet, one row per paper.

Columns are matched case-insensitively to standard names (see ``STANDARD_COLUMNS``; the first alias present
wins); a ``columns`` mapping ``{standard name: column in the file}`` overrides the match, and
``{"abstract": ""}`` means "no abstract column: titles only".
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from preprocessing.clean import clean_name, clean_text, clean_title
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult, SkippedRecord

STANDARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "paper_id", "doi"),
    "title": ("title",),
    "abstract": ("abstract", "text", "summary", "body"),
    "authors": ("authors", "author"),
    "year": ("year",),
    "date": ("date", "first_date", "published", "publication_date"),
    "venue": ("venue", "journal", "booktitle", "conference"),
    "period": ("period",),
}
"""Standard name -> column names recognised for it, in order of preference."""

_NO_ABSTRACT_FIX = (
    "add an abstract/text/summary/body column, map one with columns: {abstract: <your column>}, "
    "or set columns: {abstract: ''} to run on titles alone"
)
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|2[0-9]{3})(?!\d)")
_PARSER_LINE = re.compile(r"line (\d+)")

Row = Mapping[str, object]


def resolve_columns(found: Sequence[str], mapping: Mapping[str, str], path: str | Path) -> dict[str, str | None]:
    """Standard name -> the file's column for it (``None`` when absent or mapped to ``""``).

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
    for role, column in mapping.items():
        if role not in STANDARD_COLUMNS:
            allowed = ", ".join(STANDARD_COLUMNS)
            raise InputError(path, f"unknown column role {role!r} in columns", f"use one of: {allowed}")
        if column == "" and role != "title":
            resolved[role] = None
            continue
        match = column if column in found else by_lower.get(column.strip().casefold())
        if match is None:
            raise InputError(
                path, f"column {column!r} mapped as {role} is not in the file (columns found: {listed})",
                f"fix the name in columns: {{{role}: <one of the columns found>}}",
            )
        resolved[role] = match
    if resolved["title"] is None:
        raise InputError(
            path, f"no title column (columns found: {listed})", "map it with columns: {title: <your column>}"
        )
    if resolved["abstract"] is None and mapping.get("abstract") != "":
        raise InputError(path, f"no abstract column (columns found: {listed})", _NO_ABSTRACT_FIX)
    return resolved


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
) -> ReadResult:
    """Papers from ``(origin, row)`` pairs, with resolved ``columns``; rows without a title are skipped."""
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
        papers.append(Paper(
            id=cell_text(get(row, "id")),
            title=title,
            authors=split_authors(get(row, "authors")),
            abstract=clean_text(cell_text(get(row, "abstract"))),
            year=year,
            date=cell_text(get(row, "date")) or None,
            period=period or cell_text(get(row, "period")) or (str(year) if year is not None else source),
            venue=clean_title(cell_text(get(row, "venue"))),
            source=source,
            origin=origin,
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


def read_csv(
    text: str, path: str | Path, source: str, period: str | None = None,
    columns: Mapping[str, str] | None = None, sep: str = ",",
) -> ReadResult:
    r"""Papers from CSV (or TSV with ``sep="\t"``) text; origins are ``"<path>:<line the row starts on>"``."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError(
            path, "has no header row", "the first line must name the columns, e.g. title,abstract"
        ) from None
    except pd.errors.ParserError as error:
        message = str(error).strip().splitlines()[-1].split("C error: ")[-1]
        found = _PARSER_LINE.search(message)
        raise InputError(
            path, f"is not valid CSV: {message}", "quote fields that contain the separator or line breaks",
            line=int(found.group(1)) if found else None,
        ) from None
    found_columns = [str(c) for c in frame.columns]
    resolved = resolve_columns(found_columns, columns or {}, path)
    starts = _csv_row_lines(text, sep)
    row_lines = starts[1:] if len(starts) == len(frame) + 1 else [i + 2 for i in range(len(frame))]
    records = frame.to_dict(orient="records")
    return rows_to_result(((f"{path}:{line}", row) for line, row in zip(row_lines, records)), resolved, source, period)


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
    resolved = resolve_columns(list(found), columns or {}, path)
    return rows_to_result(rows, resolved, source, period)


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
    resolved = resolve_columns(names, columns or {}, path)
    used = sorted({c for c in resolved.values() if c is not None})

    def records() -> Iterator[dict[str, Any]]:  # a few thousand rows as Python objects at a time
        try:
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=used):
                yield from batch.to_pylist()
        except (pa.ArrowInvalid, OSError) as error:
            raise _unreadable_parquet(path, error) from None

    rows = ((f"{path}:row {i}", row) for i, row in enumerate(records(), start=1))
    try:
        return rows_to_result(rows, resolved, source, period)
    finally:
        parquet.close()


def _unreadable_parquet(path: str | Path, error: Exception) -> InputError:
    return InputError(
        path, f"is not a readable Parquet file ({error})",
        "check that it was written as Parquet, or set format: csv or jsonl if it is text",
    )
