"""Reading a labels file: the hand labels the theme labeller is evaluated against.

A labels file is a CSV (or TSV, by the ``.tsv``/``.tab`` extension) with one row per labelled paper: an ``id``
and/or ``title`` column naming the paper as in the corpus, and a ``themes`` (or ``labels``) column holding
``;``-separated theme ids, or ``other`` for "none of the evaluated themes". Other columns are ignored. The
evaluated themes are those that occur in the file. :func:`read_labels` reads one into :class:`GoldLabels`;
:mod:`topics.themes.evaluation` matches them to a run's papers and scores the run.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from preprocessing.clean import normalise_title
from preprocessing.errors import InputError
from preprocessing.readers import decode_text
from preprocessing.tabular import STANDARD_COLUMNS
from topics.results import OTHER

#: Column names (case-insensitive) recognised for the labels, the paper id and the title; first present wins.
THEMES_COLUMNS: tuple[str, ...] = ("themes", "labels", "theme", "label")
ID_COLUMNS: tuple[str, ...] = STANDARD_COLUMNS["id"]
TITLE_COLUMNS: tuple[str, ...] = STANDARD_COLUMNS["title"]
#: File extensions read as tab-separated; every other file is read as comma-separated.
TAB_EXTENSIONS: tuple[str, ...] = (".tsv", ".tab")
#: Allowed theme ids named in an error.
ALLOWED_SHOWN = 5

_EMPTY_FIX = "expected a header row such as id,title,themes and one row per labelled paper"

Key = Literal["id", "title"]


@dataclass(frozen=True)
class GoldLabels:
    """Hand labels read from a labels file, one entry per labelled paper (repeated rows dropped).

    Attributes:
        path: the labels file.
        ids: paper id per entry (``""`` when the row gives none).
        titles: title per entry as written (``""`` when the row gives none).
        keys: what identifies the entry: its id, else its normalised title (:func:`normalise_title`).
        by: ``"id"`` or ``"title"`` per entry: which of the two ``keys`` holds.
        themes: gold theme ids per entry; the empty set means ``other``.
        lines: 1-based line of the file on which each entry's row starts.
        evaluated: theme ids that occur in the file, in themes-file order.
        n_rows: labelled rows read, repeats included.
        repeated_lines: lines of rows that repeat an earlier row's paper with the same themes (dropped).
    """

    path: Path
    ids: tuple[str, ...]
    titles: tuple[str, ...]
    keys: tuple[str, ...]
    by: tuple[Key, ...]
    themes: tuple[frozenset[str], ...]
    lines: tuple[int, ...]
    evaluated: tuple[str, ...]
    n_rows: int = 0
    repeated_lines: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.keys)

    def describe(self, entry: int) -> str:
        """``"line 7 ('Some title')"`` or ``"line 7 (id 'abc')"``: how messages name one entry."""
        if self.titles[entry]:
            return f"line {self.lines[entry]} ({self.titles[entry]!r})"
        return f"line {self.lines[entry]} (id {self.ids[entry]!r})"

    def support(self) -> dict[str, int]:
        """Labelled papers per evaluated theme, then ``other``: entries labelled ``other``."""
        counts = {theme: sum(theme in labels for labels in self.themes) for theme in self.evaluated}
        counts[OTHER] = sum(not labels for labels in self.themes)
        return counts


def read_labels(path: Path, theme_ids: Collection[str]) -> GoldLabels:
    """Read a labels file; ``theme_ids`` are the theme ids of the themes file (its order sets ``evaluated``).

    Raises InputError (file and line named) for a missing, empty or malformed file, a missing themes column,
    a missing id and title column, a row without id and title, an empty themes cell, an unknown theme id,
    ``other`` mixed with theme ids, and a paper labelled twice with different themes (twice with the same
    themes is fine: the repeat is dropped).
    """
    path = Path(path)
    text = _read_text(path)
    records = _csv_records(text, path)
    themes_at, id_at, title_at = _header_columns(records, path)
    rows = records[1:]
    if not rows:
        raise InputError(path, "has a header but no labelled papers", "add one row per labelled paper below the header")

    allowed = tuple(dict.fromkeys(theme_ids))
    entries = _Entries()
    for line, row in rows:
        paper_id = _cell(row, id_at)
        title = " ".join(_cell(row, title_at).split())
        labels = _parse_themes(_cell(row, themes_at), allowed, path, line)
        entries.add(path, line, paper_id, title, labels)
    used = set().union(*entries.themes)
    if not used:
        raise InputError(
            path, f"every row is labelled '{OTHER}', so no theme can be evaluated",
            "label the papers that carry a theme with its theme id",
        )
    return GoldLabels(
        path=path, ids=tuple(entries.ids), titles=tuple(entries.titles), keys=tuple(entries.keys),
        by=tuple(entries.by), themes=tuple(entries.themes), lines=tuple(entries.lines),
        evaluated=tuple(t for t in allowed if t in used), n_rows=len(rows), repeated_lines=tuple(entries.repeated),
    )


def _header_columns(
    records: Sequence[tuple[int, list[str]]], path: Path
) -> tuple[int, int | None, int | None]:
    """Where the header (``records[0]``, a record as :func:`_csv_records` returns it) has the themes, id and title
    columns (0-based indices; ``None``: no such column). Raises InputError for no records, no themes column, and
    neither an id nor a title column."""
    if not records:
        raise InputError(path, "is empty", _EMPTY_FIX)
    header_line, header = records[0]
    found = [name.strip() for name in header]
    listed = ", ".join(name for name in found if name) or "none"
    themes_at = _find_column(found, THEMES_COLUMNS)
    if themes_at is None:
        raise InputError(
            path, f"no themes column (columns found: {listed})",
            f"add a 'themes' column holding ';'-separated theme ids, or '{OTHER}' when none applies",
            line=header_line,
        )
    id_at, title_at = _find_column(found, ID_COLUMNS), _find_column(found, TITLE_COLUMNS)
    if id_at is None and title_at is None:
        raise InputError(
            path, f"no id or title column (columns found: {listed})",
            "add an 'id' or a 'title' column naming each labelled paper as in the corpus", line=header_line,
        )
    return themes_at, id_at, title_at


@dataclass
class _Entries:
    """The entries of a labels file while it is read, one slot per labelled paper in file order (the fields of
    :class:`GoldLabels` of the same names, as lists); ``seen`` maps ``"id:<id>"`` or ``"title:<normalised
    title>"`` to the entry it names, ``repeated`` holds the lines of rows dropped as repeats."""

    seen: dict[str, int] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    by: list[Key] = field(default_factory=list)
    themes: list[frozenset[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)

    def add(self, path: Path, line: int, paper_id: str, title: str, labels: frozenset[str]) -> None:
        """Add the row on ``line`` (its id, title with whitespace collapsed, and theme ids), or drop it as a repeat
        of an earlier row naming the same paper with the same themes. Raises InputError for a row with neither an
        id nor a title, and for a paper labelled again with different themes."""
        kind: Key
        if paper_id:
            key, kind = paper_id, "id"
        elif normalise_title(title):
            key, kind = normalise_title(title), "title"
        else:
            raise InputError(
                path, "row has neither an id nor a title", "name each labelled paper by its id or title", line=line
            )
        earlier = self.seen.get(f"{kind}:{key}")
        if earlier is not None:
            if self.themes[earlier] != labels:
                raise InputError(
                    path,
                    f"{'id ' + repr(key) if kind == 'id' else repr(title)} is labelled again with different themes "
                    f"({_format_themes(labels)} here, {_format_themes(self.themes[earlier])} on line "
                    f"{self.lines[earlier]})",
                    "keep one row per paper, or give its rows the same themes",
                    line=line,
                )
            self.repeated.append(line)
            return
        self.seen[f"{kind}:{key}"] = len(self.keys)
        self.ids.append(paper_id)
        self.titles.append(title)
        self.keys.append(key)
        self.by.append(kind)
        self.themes.append(labels)
        self.lines.append(line)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(path, "labels file not found", "check the path given with --labels")
    if path.is_dir():
        raise InputError(path, "is a directory, not a labels file", "give the path of one CSV or TSV file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})", "check the file's permissions") from None
    if not data.strip():
        raise InputError(path, "is empty", _EMPTY_FIX)
    text, _ = decode_text(data, path)  # labels are ids and theme ids: a line read as Windows-1252 needs no warning
    return text


def _csv_records(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank records with the 1-based line each starts on (header first)."""
    delimiter = "\t" if path.suffix.lower() in TAB_EXTENSIONS else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((previous_end + 1, record))
            previous_end = reader.line_num
    except csv.Error as error:
        raise InputError(
            path, f"is not valid CSV ({error})", "quote fields that contain the separator or line breaks",
            line=reader.line_num,
        ) from None
    return records


def _find_column(found: Sequence[str], names: Sequence[str]) -> int | None:
    folded = [name.casefold() for name in found]
    return next((folded.index(name) for name in names if name in folded), None)


def _cell(row: Sequence[str], at: int | None) -> str:
    return row[at].strip() if at is not None and at < len(row) else ""


def _parse_themes(cell: str, allowed: Sequence[str], path: Path, line: int) -> frozenset[str]:
    """Theme ids of one themes cell (empty set for ``other``); whitespace, case and empty parts tolerated."""
    labels = [part.strip().casefold() for part in cell.split(";") if part.strip()]
    if not labels:
        raise InputError(
            path, "empty themes cell", f"write ';'-separated theme ids, or '{OTHER}' when none of the themes applies",
            line=line,
        )
    if OTHER in labels:
        if len(set(labels)) > 1:
            raise InputError(
                path, f"'{OTHER}' together with theme ids in {cell!r}",
                f"write either '{OTHER}' alone or only theme ids", line=line,
            )
        return frozenset()
    for label in labels:
        if label not in allowed:
            raise InputError(path, f"unknown theme id {label!r}", _unknown_fix(label, allowed), line=line)
    return frozenset(labels)


def _unknown_fix(label: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(label, allowed, n=1)
    if close:
        return f"did you mean {close[0]!r}? theme ids come from the themes file; use '{OTHER}' for none"
    shown = ", ".join(allowed[:ALLOWED_SHOWN]) + (", ..." if len(allowed) > ALLOWED_SHOWN else "")
    return f"use theme ids of the themes file ({shown}) or '{OTHER}'"


def _format_themes(labels: frozenset[str]) -> str:
    return repr(";".join(sorted(labels)) or OTHER)
