"""One entry point for every input: ``read_input(InputSpec) -> ReadResult``.

Picks the reader from ``spec.format``, else from the file's extension and content: a ``.txt`` is a Web of
Science plain-text export, a MEDLINE file, a RIS file or a Web of Science tab-delimited table when its first lines
say so, else a listing page; a ``.json``/``.jsonl`` of OpenAlex works, arXiv metadata or Semantic Scholar papers
goes to its reader; a file whose content is plainly another format than its extension says (a RIS file named
``.csv``) is refused with one line naming both. Checks the file before parsing (exists, is a file, not empty,
text formats are UTF-8 text rather than binary), and refuses an input that yields no papers. Every problem is an
:class:`InputError` naming the file (and line where known) and the fix.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from preprocessing.bibtex import parse_bibtex
from preprocessing.errors import InputError
from preprocessing.json_exports import detect_json_export, parse_json_export
from preprocessing.listing import parse_listing
from preprocessing.pubmed_xml import looks_like_pubmed_xml, parse_pubmed_xml
from preprocessing.records import ReadResult
from preprocessing.ris import looks_like_ris, parse_ris
from preprocessing.tabular import read_csv, read_jsonl, read_parquet
from preprocessing.tagged import looks_like_medline, looks_like_wos, parse_medline, parse_wos

FORMATS: tuple[str, ...] = (
    "auto", "listing", "csv", "jsonl", "parquet", "bibtex", "wos", "medline", "ris", "pubmed-xml", "json",
)
EXTENSION_FORMATS: dict[str, str] = {
    ".txt": "listing",  # or Web of Science, MEDLINE, RIS or a Web of Science table, by content (content_format)
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".nbib": "medline",
    ".medline": "medline",
    ".xml": "pubmed-xml",
}
BINARY_SNIFF_BYTES = 8192
_FORMAT_HINTS: dict[str, str] = {
    "listing": "a listing is a title line, one line per author, then an optional abstract line, for each paper",
    "csv": "expected a header row with a title column and one row per paper",
    "jsonl": 'expected one JSON object per line with a "title" key',
    "parquet": "expected a title column and one row per paper",
    "bibtex": "expected entries like @article{key, title = {...}, author = {...}}",
    "wos": "expected Web of Science records: PT, TI, AU, AB ... tags, each record ending with ER",
    "medline": "expected MEDLINE records: PMID-, TI  -, AB  -, FAU - ... tags, records separated by blank lines",
    "ris": "expected RIS records: TY  - ..., TI  - ..., AU  - ..., each ending with ER  -",
    "pubmed-xml": "expected a PubMed XML PubmedArticleSet of PubmedArticle records",
    "json": "expected OpenAlex works, Semantic Scholar papers or arXiv metadata, as JSON or one record per line",
}
#: Readers of formats whose content says what they are (tags, markup), by name.
_SELF_EVIDENT: tuple[str, ...] = ("wos", "medline", "ris", "pubmed-xml", "bibtex")
_BIBTEX_START = re.compile(r"\A\s*(?:%[^\n]*\n\s*)*@\s*\w+\s*[{(]")
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


def _is_wos_table(text: str) -> bool:
    """Whether the first line is a Web of Science tab-delimited header (tab-separated tags PT, AU, ..., TI, ...)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return first.startswith(("PT\t", "FN\t")) and "\tTI\t" in first


def sniff_format(text: str) -> str | None:
    """The format the text's first lines plainly show (one of ``_SELF_EVIDENT``, ``"wos-tab"`` for a Web of
    Science tab-delimited table), else ``None`` (a listing, CSV or JSON cannot be told from its first lines alone)."""
    head = text[:20000]
    if looks_like_wos(head):
        return "wos"
    if looks_like_medline(head):
        return "medline"
    if looks_like_ris(head):
        return "ris"
    if looks_like_pubmed_xml(head):
        return "pubmed-xml"
    if _BIBTEX_START.match(head):
        return "bibtex"
    if _is_wos_table(head):
        return "wos-tab"
    return None


def content_format(spec: InputSpec, text: str, by_extension: str) -> str:
    """The reader for a text input whose format is "auto": a ``.txt`` is read as what its content shows (a
    listing when it shows nothing); another extension's format unless the content is plainly another one, which is
    an :class:`InputError` naming both."""
    sniffed = sniff_format(text)
    if by_extension == "listing":
        return "csv" if sniffed == "wos-tab" else (sniffed if sniffed in ("wos", "medline", "ris") else "listing")
    if sniffed == "wos-tab" and by_extension == "csv":
        return "csv"
    if sniffed is not None and sniffed != by_extension:
        shown = "a Web of Science tab-delimited table" if sniffed == "wos-tab" else f"{sniffed} text"
        fix = "set format: csv" if sniffed == "wos-tab" else f"set format: {sniffed}"
        raise InputError(
            spec.path, f"its extension says {by_extension} but its content is {shown}",
            f"rename the file to match its content, or {fix}",
        )
    return by_extension


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
        if spec.format == "auto":
            reader = content_format(spec, text, reader)
        result = _read_text(reader, text, spec, source)
        if warning:
            result = dataclasses.replace(result, warnings=(*result.warnings, warning))
    if not result.papers:
        reasons = sorted({record.reason for record in result.skipped})
        skipped = f"; {len(result.skipped)} records skipped ({', '.join(reasons)})" if result.skipped else ""
        raise InputError(spec.path, f"no papers found{skipped}", _FORMAT_HINTS[reader])
    return result


def _read_text(reader: str, text: str, spec: InputSpec, source: str) -> ReadResult:
    """``reader``'s papers of a text input (an export JSON/JSONL goes to its own reader, other JSONL to the table
    reader)."""
    path, period = spec.path, spec.period
    if reader == "listing":
        return parse_listing(text, path, source, period or path.stem)
    if reader == "csv":
        tab = path.suffix.lower() == ".tsv" or _is_wos_table(text)
        return read_csv(text, path, source, period, spec.columns, sep="\t" if tab else ",")
    if reader in ("jsonl", "json"):
        if detect_json_export(text) is not None:
            return parse_json_export(text, path, source, period)
        if reader == "json":
            raise InputError(
                path, "is JSON, but neither OpenAlex works, Semantic Scholar papers nor arXiv metadata",
                "give a table of papers as JSON Lines (.jsonl, one object with a title per line) or CSV",
            )
        return read_jsonl(text, path, source, period, spec.columns)
    readers = {"bibtex": parse_bibtex, "wos": parse_wos, "medline": parse_medline, "ris": parse_ris,
               "pubmed-xml": parse_pubmed_xml}
    return readers[reader](text, path, source, period)


def read_inputs(specs: Iterable[InputSpec]) -> list[ReadResult]:
    """``read_input`` of each spec, in order."""
    return [read_input(spec) for spec in specs]
