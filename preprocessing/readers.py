"""One entry point for every input: ``read_input(InputSpec) -> ReadResult``.

Picks the reader from ``spec.format`` or the file extension, checks the file before parsing (exists, is a
file, not empty, text formats are UTF-8 text rather than binary), and refuses an input that yields no papers.
Every problem is an :class:`InputError` naming the file (and line where known) and the fix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from preprocessing.bibtex import parse_bibtex
from preprocessing.errors import InputError
from preprocessing.listing import parse_listing
from preprocessing.records import ReadResult
from preprocessing.tabular import read_csv, read_jsonl, read_parquet

FORMATS: tuple[str, ...] = ("auto", "listing", "csv", "jsonl", "parquet", "bibtex")
EXTENSION_FORMATS: dict[str, str] = {
    ".txt": "listing",
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
}
BINARY_SNIFF_BYTES = 8192
_FORMAT_HINTS: dict[str, str] = {
    "listing": "a listing is a title line, one line per author, then an optional abstract line, for each paper",
    "csv": "expected a header row with a title column and one row per paper",
    "jsonl": 'expected one JSON object per line with a "title" key',
    "parquet": "expected a title column and one row per paper",
    "bibtex": "expected entries like @article{key, title = {...}, author = {...}}",
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class InputSpec:
    """One input file and how to read it.

    ``format``: one of ``FORMATS`` ("auto" picks by extension). ``period``: label given to every paper
    (default: listings use the file stem; tables and BibTeX use a period column, else the year, else the
    source). ``source``: name of the input in reports (default: the file stem). ``columns``: for tables,
    standard name -> column in the file (``{"abstract": ""}`` = titles only).
    """

    path: Path
    format: str = "auto"
    period: str | None = None
    source: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        if self.format not in FORMATS:
            raise InputError(self.path, f"unknown format {self.format!r}", f"set format: one of {', '.join(FORMATS)}")

    @property
    def source_name(self) -> str:
        """``source`` if given, else the file stem (``data/2025.txt`` -> ``"2025"``)."""
        return self.source or self.path.stem


def resolve_format(spec: InputSpec) -> str:
    """The reader to use: ``spec.format`` unless "auto", else the one for the file's extension."""
    if spec.format != "auto":
        return spec.format
    extension = spec.path.suffix.lower()
    if extension in EXTENSION_FORMATS:
        return EXTENSION_FORMATS[extension]
    allowed = ", ".join(EXTENSION_FORMATS)
    problem = f"unknown file extension {extension!r}" if extension else "has no file extension"
    readers = ", ".join(f for f in FORMATS if f != "auto")
    raise InputError(
        spec.path, f"{problem} (known extensions: {allowed})", f"rename the file or set format: one of {readers}"
    )


def read_file_bytes(path: Path) -> bytes:
    """The file's bytes; InputError when it is missing, a directory, unreadable or empty."""
    if not path.exists():
        raise InputError(path, "file not found", "check the path, and that it is relative to where you run the tool")
    if path.is_dir():
        raise InputError(
            path, "is a directory, not a file", "give the path of one file; list each file as its own input"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})", "check the file's permissions") from None
    if not data.strip():
        raise InputError(path, "is empty", "give a file that holds the papers")
    return data


def _legacy_line(line: bytes) -> str:
    """One line that is not UTF-8, read as Windows-1252 (the superset of Latin-1 that Excel and older exports
    write), or as Latin-1 when it holds one of the five bytes Windows-1252 leaves undefined."""
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def decode_text(data: bytes, path: Path) -> tuple[str, str | None]:
    """The text of a text-format file and a warning (or ``None``).

    UTF-8 (a BOM is dropped), or UTF-16 when the file starts with a UTF-16 byte-order mark. Lines that are not
    valid UTF-8 (a Latin-1 / Windows-1252 export, or such lines pasted into a UTF-8 file) are read as
    Windows-1252, and the warning names the file and those lines. InputError when the file is binary or empty.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise InputError(path, f"starts with a UTF-16 byte-order mark but is not valid UTF-16 ({error.reason})",
                             "re-save it as UTF-8") from None
        if not text.strip():
            raise InputError(path, "is empty", "give a file that holds the papers")
        return text, None
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise InputError(
            path, "looks binary, not text",
            "give a UTF-8 text file (UTF-16 without a byte-order mark reads as binary: re-save it as UTF-8), "
            "or set format: parquet for Parquet",
        )
    warning = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        lines = data.split(b"\n")
        legacy: list[int] = []
        decoded: list[str] = []
        for number, line in enumerate(lines, start=1):
            try:
                decoded.append(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                legacy.append(number)
                decoded.append(_legacy_line(line))
        text = "\n".join(decoded)
        shown = ", ".join(map(str, legacy[:10])) + (", ..." if len(legacy) > 10 else "")
        warning = (
            f"{path}: {len(legacy):,} line(s) are not UTF-8 and were read as Windows-1252/Latin-1 "
            f"(line(s) {shown}); re-save the file as UTF-8 if any character looks wrong"
        )
    if not text.strip():
        raise InputError(path, "is empty", "give a file that holds the papers")
    return text, warning


def read_input(spec: InputSpec) -> ReadResult:
    """Papers and skipped records of one input file, in file order (duplicates are kept; see dedup)."""
    reader = resolve_format(spec)
    data = read_file_bytes(spec.path)
    source = spec.source_name
    if reader == "parquet":
        result = read_parquet(spec.path, source, spec.period, spec.columns)
    else:
        text, warning = decode_text(data, spec.path)
        if reader == "listing":
            result = parse_listing(text, spec.path, source, spec.period or spec.path.stem)
        elif reader == "csv":
            separator = "\t" if spec.path.suffix.lower() == ".tsv" else ","
            result = read_csv(text, spec.path, source, spec.period, spec.columns, sep=separator)
        elif reader == "jsonl":
            result = read_jsonl(text, spec.path, source, spec.period, spec.columns)
        else:
            result = parse_bibtex(text, spec.path, source, spec.period)
        if warning:
            result = dataclasses.replace(result, warnings=(*result.warnings, warning))
    if not result.papers:
        reasons = sorted({record.reason for record in result.skipped})
        skipped = f"; {len(result.skipped)} records skipped ({', '.join(reasons)})" if result.skipped else ""
        raise InputError(spec.path, f"no papers found{skipped}", _FORMAT_HINTS[reader])
    return result


def read_inputs(specs: Iterable[InputSpec]) -> list[ReadResult]:
    """``read_input`` of each spec, in order."""
    return [read_input(spec) for spec in specs]
