"""Core input types: one paper, the skipped and merged records, and the deduplicated corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Paper:
    """One publication as read from an input.

    ``id`` is the input's own id when it has one, else empty until :func:`preprocessing.dedup.deduplicate`
    assigns a stable one. ``period`` is a label (``"2024"``, ``"2023-24"``) that orders naturally;
    ``origin`` is ``"file:line"`` (1-based line of the record's first line; row number for tables).
    ``doi`` is the bare DOI (``10.1000/xyz``, no resolver prefix), lower-cased, or empty; ``keywords`` the
    record's author keywords, in order; ``source_format`` the reader that read it (``"csv"``, ``"bibtex"``,
    ``"wos"``, ``"medline"``, ...).
    """

    id: str
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    year: int | None = None
    date: str | None = None
    period: str = ""
    venue: str = ""
    source: str = ""
    origin: str = ""
    doi: str = ""
    keywords: tuple[str, ...] = ()
    source_format: str = ""

    @property
    def text(self) -> str:
        """Title and abstract joined: the text the models see (title alone when there is no abstract)."""
        if self.abstract:
            return f"{self.title}. {self.abstract}"
        return self.title


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record that was read but not kept, and why (e.g. ``"duplicate title"``, ``"no title"``)."""

    source: str
    origin: str
    reason: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What one input file gave: its papers in file order and the records it skipped."""

    papers: tuple[Paper, ...]
    skipped: tuple[SkippedRecord, ...] = ()
    #: what the reader noticed and worked around (e.g. lines read as Windows-1252), each naming the file
    warnings: tuple[str, ...] = ()


#: The rules that merge records of one work, in the order they are applied (see preprocessing.merge_rules).
MERGE_RULES = ("doi", "title", "similar title")


@dataclass(frozen=True, slots=True)
class MergedRecord:
    """A record merged into another record of the same work (see :mod:`preprocessing.dedup`).

    ``kept_id``/``kept_origin`` name the paper kept, ``origin``/``source`` the record merged into it, ``rule`` how
    they were matched (``"doi"``, ``"title"``, ``"similar title"``), ``filled`` the kept paper's fields that came
    from this record (e.g. ``("abstract", "doi")``), ``title`` the merged record's own title.
    """

    kept_id: str
    kept_origin: str
    origin: str
    source: str
    rule: str
    filled: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Corpus:
    """The deduplicated papers of a run, in input order, with every skipped record and its reason, and the merges."""

    papers: tuple[Paper, ...]
    skipped: tuple[SkippedRecord, ...] = field(default_factory=tuple)
    #: the readers' warnings and deduplication's (ids given to several different papers), in input order
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: every record merged into another of the same work, in order of the kept papers
    merges: tuple[MergedRecord, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.papers)

    @property
    def ids(self) -> tuple[str, ...]:
        """The paper ids, in input order."""
        return tuple(p.id for p in self.papers)

    def merge_counts(self) -> dict[str, Any]:
        """Records merged into another of the same work, per rule (:data:`MERGE_RULES`, in that order, each
        present only when used): ``{"by_rule": {rule: n}}`` plus, per source (sorted), ``{"records": read with a
        title, "kept": papers kept, "merged": merged into another record, "filled": merged records that filled a
        field of the kept paper, <rule>: merged by that rule}``. Shaped for manifest.json's ``counts.merges``."""
        by_rule: dict[str, int] = {}
        by_source: dict[str, dict[str, int]] = {}

        def row(source: str) -> dict[str, int]:
            return by_source.setdefault(source, {"records": 0, "kept": 0, "merged": 0, "filled": 0})

        for paper in self.papers:
            row(paper.source)["kept"] += 1
            row(paper.source)["records"] += 1
        for merge in self.merges:
            by_rule[merge.rule] = by_rule.get(merge.rule, 0) + 1
            counts = row(merge.source)
            counts["records"] += 1
            counts["merged"] += 1
            counts["filled"] += bool(merge.filled)
            counts[merge.rule] = counts.get(merge.rule, 0) + 1
        return {
            "by_rule": dict(sorted(by_rule.items(), key=lambda item: MERGE_RULES.index(item[0]))),
            "by_source": dict(sorted(by_source.items())),
        }

    def skipped_counts(self) -> dict[str, int]:
        """Number of skipped records per reason, reasons sorted."""
        counts: dict[str, int] = {}
        for record in self.skipped:
            counts[record.reason] = counts.get(record.reason, 0) + 1
        return dict(sorted(counts.items()))
