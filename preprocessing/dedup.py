"""Merge the inputs of a run into one Corpus: one paper per work, each with a stable id.

Records are the same work by DOI, by title with year and first author, or by a near-identical title
(:mod:`preprocessing.merge_rules`); each work keeps its richest record, with the gaps filled from the others, and
:class:`~preprocessing.records.MergedRecord` rows say which record was merged into which, by which rule, and which
fields it gave."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

from preprocessing.clean import normalise_title
from preprocessing.merge_rules import (
    DOI,
    SIMILAR_TITLE,
    SKIP_REASONS,
    TITLE,
    conflict,
    first_author,
    same_titled_work,
    similar_title_pairs,
)
from preprocessing.records import Corpus, MergedRecord, Paper, ReadResult, SkippedRecord

#: The fields merging fills in the kept record from the others, in this order.
FILLED_FIELDS = ("abstract", "authors", "year", "venue", "doi", "keywords")
#: DOI warnings listed one by one; more are summed up in one line.
_MAX_DOI_WARNINGS = 5


def richness(paper: Paper) -> tuple[int, int, int]:
    """Sort key of how much a record tells: abstract length, number of authors, then how many of year, venue,
    DOI and keywords it has."""
    known = (paper.year is not None) + bool(paper.venue) + bool(paper.doi) + bool(paper.keywords)
    return (len(paper.abstract), len(paper.authors), known)


def title_id(key: str) -> str:
    """Stable id from a normalised title: ``"p"`` + first 12 hex digits of its SHA-1 (UTF-8)."""
    return "p" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _unique_ids(papers: Sequence[Paper], keys: Sequence[str]) -> tuple[list[Paper], list[str]]:
    """Papers with ids: a given id is kept, else :func:`title_id`; repeats get ``-2``, ``-3``... in order.
    Also a warning for each id that the inputs gave to more than one paper (different works: the records of one
    work were merged before)."""
    wanted = [paper.id.strip() or title_id(key) for paper, key in zip(papers, keys)]
    taken: set[str] = set()
    result: list[Paper] = []
    renamed: dict[str, list[str]] = {}
    for paper, base in zip(papers, wanted):
        new_id, suffix = base, 1
        while new_id in taken:
            suffix += 1
            new_id = f"{base}-{suffix}"
        taken.add(new_id)
        if new_id != base and paper.id.strip():
            renamed.setdefault(base, []).append(f"{new_id} ({paper.origin})")
        result.append(paper if paper.id == new_id else dataclasses.replace(paper, id=new_id))
    warnings = [
        f"id {base!r} is given to {len(copies) + 1} different papers; all are kept, the later ones as "
        f"{', '.join(copies[:3])}{', ...' if len(copies) > 3 else ''}; give each paper its own id in the input"
        for base, copies in renamed.items()
    ]
    return result, warnings


class _Works:
    """Records grouped into works (union-find); a merge is refused when any two records of the two groups
    conflict (:func:`preprocessing.merge_rules.conflict`), except by the DOI rule, which a shared DOI decides."""

    def __init__(self, records: Sequence[Paper], keys: Sequence[str]) -> None:
        self.records, self.keys = records, keys
        self.firsts = [first_author(p) for p in records]
        self.parent = list(range(len(records)))
        self.members: dict[int, list[int]] = {i: [i] for i in range(len(records))}
        #: per record, the rule that first joined it to another record ("" while alone)
        self.joined_by = [""] * len(records)

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def compatible(self, a: int, b: int) -> bool:
        return not any(
            conflict(self.records[i], self.records[j], self.firsts[i], self.firsts[j])
            for i in self.members[a] for j in self.members[b]
        )

    def join(self, i: int, j: int, rule: str) -> bool:
        """Merge the works of records ``i`` and ``j`` by ``rule``; False when they are one already or conflict."""
        a, b = self.root(i), self.root(j)
        if a == b or (rule != DOI and not self.compatible(a, b)):
            return False
        a, b = min(a, b), max(a, b)  # the root is the group's first record
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))
        for m in self.members[a]:
            self.joined_by[m] = self.joined_by[m] or rule
        return True

    def groups(self) -> list[list[int]]:
        """The works' record positions, each ascending, in order of their first record."""
        return [sorted(self.members[r]) for r in sorted(self.members)]


def _join_by_doi(works: _Works) -> list[str]:
    """Join records sharing a DOI whose titles are recognisably the same; warnings for DOIs on different titles."""
    by_doi: dict[str, list[int]] = {}
    for index, paper in enumerate(works.records):
        if paper.doi:
            by_doi.setdefault(paper.doi, []).append(index)
    warnings: list[str] = []
    for doi, members in by_doi.items():
        apart = [j for j in members[1:] if not same_titled_work(works.keys[members[0]], works.keys[j])]
        for j in members[1:]:
            if j not in apart:
                works.join(members[0], j, DOI)
        if apart:
            first = works.records[members[0]]
            others = "; ".join(f"{works.records[j].origin} {works.records[j].title[:60]!r}" for j in apart[:3])
            warnings.append(
                f"DOI {doi} is given to records with different titles ({first.origin} {first.title[:60]!r}; "
                f"{others}); they are kept apart as different works: check the DOIs in the inputs"
            )
    if len(warnings) > _MAX_DOI_WARNINGS:
        rest = len(warnings) - _MAX_DOI_WARNINGS
        warnings = warnings[:_MAX_DOI_WARNINGS] + [f"{rest} more DOI(s) are given to records with different titles"]
    return warnings


def _join_by_title(works: _Works) -> None:
    """Join records with the same normalised title that do not conflict, each with the first it can join."""
    by_title: dict[str, list[int]] = {}
    for index, key in enumerate(works.keys):
        by_title.setdefault(key, []).append(index)
    for members in by_title.values():
        for position, j in enumerate(members[1:], start=1):
            for i in members[:position]:
                if works.join(i, j, TITLE) or works.root(i) == works.root(j):
                    break


def _filled(best: Paper, donors: Sequence[Paper]) -> tuple[Paper, dict[str, str]]:
    """``best`` with its empty :data:`FILLED_FIELDS` taken from the first of ``donors`` that has each, and the
    origin each filled field came from. A filled year brings its date, and its period when ``best``'s period was
    only its source's name."""
    changes: dict[str, object] = {}
    origins: dict[str, str] = {}
    for name in FILLED_FIELDS:
        if getattr(best, name) in (None, "", ()):
            donor = next((d for d in donors if getattr(d, name) not in (None, "", ())), None)
            if donor is None:
                continue
            changes[name], origins[name] = getattr(donor, name), donor.origin
            if name == "year":
                changes["date"] = best.date or donor.date
                if best.period == best.source and donor.period:
                    changes["period"] = donor.period
    return (dataclasses.replace(best, **changes) if changes else best), origins  # type: ignore[arg-type]


def deduplicate(results: Sequence[ReadResult]) -> Corpus:
    """One Corpus from the read results: one paper per work, in order of each work's first record.

    Records are joined into works by DOI, then by normalised title (:func:`normalise_title`) with year and first
    author, then by a near-identical title with the same first author (:mod:`preprocessing.merge_rules`). Each
    work keeps its richest record (longest abstract, then most authors, then most of year/venue/DOI/keywords,
    then first seen) at the position of its first record, with its empty fields filled from the others
    (richest first). Every other record becomes a ``SkippedRecord`` whose reason names the rule
    (``"duplicate DOI"``, ``"duplicate title"``, ``"near-duplicate title"``) and a ``MergedRecord`` in
    ``Corpus.merges``; records whose normalised title is empty become ``"no title"``. ``Corpus.skipped`` holds
    the inputs' own skipped records first (in input order), then these.
    """
    records: list[Paper] = []
    keys: list[str] = []
    dropped: list[SkippedRecord] = []
    for paper in (paper for result in results for paper in result.papers):
        key = normalise_title(paper.title)
        if key:
            records.append(paper)
            keys.append(key)
        else:
            dropped.append(SkippedRecord(paper.source, paper.origin, "no title", paper.title))
    works = _Works(records, keys)
    doi_warnings = _join_by_doi(works)
    _join_by_title(works)
    for i, j in similar_title_pairs(keys, [first[-1] if first else "" for first in works.firsts]):
        works.join(i, j, SIMILAR_TITLE)
    kept: list[Paper] = []
    kept_keys: list[str] = []
    merged: list[list[tuple[int, dict[str, str]]]] = []
    for members in works.groups():
        ranked = sorted(members, key=lambda i: (richness(records[i]), -i), reverse=True)
        paper, origins = _filled(records[ranked[0]], [records[i] for i in ranked[1:]])
        kept.append(paper)
        kept_keys.append(keys[ranked[0]])
        merged.append([(i, {f: o for f, o in origins.items() if o == records[i].origin}) for i in ranked[1:]])
        dropped.extend(
            SkippedRecord(records[i].source, records[i].origin, SKIP_REASONS[works.joined_by[i]], records[i].title)
            for i in members if i != ranked[0]
        )
    given = [skip for result in results for skip in result.skipped]
    papers, id_warnings = _unique_ids(kept, kept_keys)
    merges = tuple(
        MergedRecord(
            paper.id, paper.origin, records[i].origin, records[i].source, works.joined_by[i], tuple(sorted(filled)),
            records[i].title,
        )
        for paper, rows in zip(papers, merged) for i, filled in rows
    )
    warnings = [w for result in results for w in result.warnings] + doi_warnings + id_warnings
    return Corpus(papers=tuple(papers), skipped=tuple(given + dropped), warnings=tuple(warnings), merges=merges)
