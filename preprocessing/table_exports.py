"""The table layouts of bibliographic databases' exports (Scopus, Lens, OpenAlex, Zotero, Web of Science
tab-delimited): which columns identify each, and which of its columns hold the title, abstract, authors, year,
venue, DOI, author keywords and id.

:func:`detect_table_export` picks the layout from a table's header; the CSV/JSONL/Parquet readers then use its
columns where the config's ``columns`` mapping does not name one, and record its name as each paper's
``source_format``. Names written "Last, First" (Zotero, Web of Science) are turned into "First Last".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from preprocessing.clean import clean_name, clean_title

#: The standard names a table's columns can be mapped to (``inputs -> columns`` in a config; the readers'
#: aliases for each are :data:`preprocessing.tabular.STANDARD_COLUMNS`).
COLUMN_ROLES: tuple[str, ...] = (
    "id", "title", "abstract", "authors", "year", "date", "venue", "period", "doi", "keywords",
)


@dataclass(frozen=True)
class TableExport:
    """One database's table layout: ``signature`` columns (all present, case-insensitive) identify it; ``columns``
    maps standard names (``title``, ``abstract``, ``authors``, ``year``, ``date``, ``venue``, ``doi``,
    ``keywords``, ``id``) to its columns; ``author_separator`` splits its author cell (``None``: the readers'
    generic rule, :func:`preprocessing.tabular.split_authors`); ``last_first``: names are written "Last, First"."""

    name: str
    signature: tuple[str, ...]
    columns: Mapping[str, str] = field(default_factory=dict)
    author_separator: str | None = None
    last_first: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))


#: Every layout recognised, most specific first.
TABLE_EXPORTS: tuple[TableExport, ...] = (
    TableExport(
        "scopus", ("Author(s) ID", "Source title", "EID"),
        # no id: in Scopus's older layout most rows carry one field more than the header (a second funding
        # text), so the columns after "Funding Text 1" (EID among them) are shifted; those before it are not
        {"title": "Title", "abstract": "Abstract", "authors": "Authors", "year": "Year", "venue": "Source title",
         "doi": "DOI", "keywords": "Author Keywords"},
        # "Liu F.; Li C." in the current layout, "Phillips J.C., Braun R." in the older one: the generic rule
        author_separator=None,
    ),
    TableExport(
        "lens", ("Lens ID", "Source Title"),
        {"id": "Lens ID", "title": "Title", "abstract": "Abstract", "authors": "Author/s", "year": "Publication Year",
         "date": "Date Published", "venue": "Source Title", "doi": "DOI", "keywords": "Keywords"},
        author_separator=";",
    ),
    TableExport(
        "openalex-csv", ("display_name", "authorships.author.display_name"),
        {"id": "id", "title": "display_name", "abstract": "abstract", "authors": "authorships.author.display_name",
         "year": "publication_year", "date": "publication_date", "venue": "primary_location.source.display_name",
         "doi": "doi"},
        author_separator="|",
    ),
    TableExport(
        "zotero", ("Key", "Item Type", "Abstract Note"),
        {"id": "Key", "title": "Title", "abstract": "Abstract Note", "authors": "Author", "year": "Publication Year",
         "date": "Date", "venue": "Publication Title", "doi": "DOI", "keywords": "Manual Tags"},
        author_separator=";", last_first=True,
    ),
    TableExport(
        "wos-tab", ("PT", "TI", "UT"),
        {"id": "UT", "title": "TI", "abstract": "AB", "authors": "AF", "year": "PY", "venue": "SO", "doi": "DI",
         "keywords": "DE"},
        author_separator=";", last_first=True,
    ),
)

_LAST_FIRST = re.compile(r"^\s*([^,]+?)\s*,\s*([^,]+?)\s*$")


def detect_table_export(columns: Sequence[str]) -> TableExport | None:
    """The layout whose signature columns are all in ``columns`` (case-insensitive), else ``None``."""
    present = {c.strip().casefold() for c in columns}
    for export in TABLE_EXPORTS:
        if all(s.casefold() in present for s in export.signature):
            return export
    return None


def first_last(name: str) -> str:
    """``"Last, First"`` as ``"First Last"`` (other forms unchanged), cleaned."""
    match = _LAST_FIRST.match(name)
    return clean_name(f"{match.group(2)} {match.group(1)}" if match else name)


def export_authors(cell: str, export: TableExport) -> tuple[str, ...]:
    """The names in an author cell of ``export``'s layout (split on its ``author_separator``), in order, as "First
    Last" when it writes them "Last, First"."""
    parts = cell.split(export.author_separator) if export.author_separator else [cell]
    names = (first_last(p) if export.last_first else clean_name(p) for p in parts)
    return tuple(n for n in names if n)


def split_keywords(cell: str) -> tuple[str, ...]:
    """Author keywords of a cell (``;``-separated, as every export here writes them; readers join a record's
    several keyword lines with ``;``), each NFKC-normalised with single spaces, in order, each once
    (case-insensitively)."""
    seen: dict[str, str] = {}
    for part in cell.split(";"):
        keyword = clean_title(part)
        if keyword:
            seen.setdefault(keyword.casefold(), keyword)
    return tuple(seen.values())


def default_columns(export: TableExport | None, found: Sequence[str]) -> Mapping[str, str]:
    """``export``'s columns that are in ``found`` (by their spelling in ``found``), for the readers' matching."""
    if export is None:
        return {}
    by_lower = {c.strip().casefold(): c for c in found}
    return {role: by_lower[c.casefold()] for role, c in export.columns.items() if c.casefold() in by_lower}
