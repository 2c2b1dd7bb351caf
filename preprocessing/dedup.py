"""Merge the inputs of a run into one Corpus: one paper per normalised title, each with a stable id."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

from preprocessing.clean import normalise_title
from preprocessing.records import Corpus, Paper, ReadResult, SkippedRecord


def richness(paper: Paper) -> tuple[int, int, int]:
    """Sort key of how much a record tells: abstract length, number of authors, has year + has venue."""
    return (len(paper.abstract), len(paper.authors), (paper.year is not None) + bool(paper.venue))


def title_id(key: str) -> str:
    """Stable id from a normalised title: ``"p"`` + first 12 hex digits of its SHA-1 (UTF-8)."""
    return "p" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _unique_ids(papers: Sequence[Paper], keys: Sequence[str]) -> tuple[list[Paper], list[str]]:
    """Papers with ids: a given id is kept, else :func:`title_id`; repeats get ``-2``, ``-3``... in order.
    Also a warning for each id that the inputs gave to more than one paper (papers with different titles:
    same-title records were merged before)."""
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
        f"id {base!r} is given to {len(copies) + 1} papers with different titles; all are kept, the later ones as "
        f"{', '.join(copies[:3])}{', ...' if len(copies) > 3 else ''}; give each paper its own id in the input"
        for base, copies in renamed.items()
    ]
    return result, warnings


def deduplicate(results: Sequence[ReadResult]) -> Corpus:
    """One Corpus from the read results, in input order.

    Records are grouped by :func:`normalise_title`; each group keeps its richest record (longest abstract,
    then most authors, then has year/venue, then first seen) at the position of the group's first record.
    Every other record becomes ``SkippedRecord(reason="duplicate title")``; records whose normalised title is
    empty become ``"no title"``. ``Corpus.skipped`` holds the inputs' own skipped records first (in input
    order), then these.
    """
    records = [paper for result in results for paper in result.papers]
    groups: dict[str, list[int]] = {}
    dropped: list[SkippedRecord] = []
    for index, paper in enumerate(records):
        key = normalise_title(paper.title)
        if not key:
            dropped.append(SkippedRecord(paper.source, paper.origin, "no title", paper.title))
            continue
        groups.setdefault(key, []).append(index)
    kept: list[Paper] = []
    keys: list[str] = []
    for key, members in groups.items():  # dicts keep first-insertion order: first occurrence of each title
        best = max(members, key=lambda i: (richness(records[i]), -i))
        kept.append(records[best])
        keys.append(key)
        dropped.extend(
            SkippedRecord(records[i].source, records[i].origin, "duplicate title", records[i].title)
            for i in members if i != best
        )
    given = [skip for result in results for skip in result.skipped]
    papers, id_warnings = _unique_ids(kept, keys)
    warnings = [w for result in results for w in result.warnings] + id_warnings
    return Corpus(papers=tuple(papers), skipped=tuple(given + dropped), warnings=tuple(warnings))
