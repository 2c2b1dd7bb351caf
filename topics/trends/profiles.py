"""Who and where writes on each theme: the most productive authors per theme, and each venue's theme mix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from topics.results import ThemeProfiles

AUTHOR_COLUMNS = ["theme", "rank", "author", "papers", "author_papers", "share"]
VENUE_COLUMNS = ["venue", "theme", "papers", "count", "share"]


def author_key(name: str) -> str:
    """The identity of an author name: whitespace collapsed, case folded (``"Jane  DOE"`` -> ``"jane doe"``)."""
    return " ".join(name.split()).casefold()


def author_incidence(authors: Sequence[Sequence[str]]) -> tuple[list[str], sparse.csr_matrix]:
    """Distinct authors and which papers they wrote.

    Names equal up to case and whitespace are one author, shown as first written (whitespace collapsed);
    empty names are ignored and an author listed twice on a paper counts once. Returns the display names
    (first-appearance order) and a 0/1 matrix of shape ``(n_authors, n_docs)``.
    """
    index: dict[str, int] = {}
    names: list[str] = []
    rows: list[int] = []
    cols: list[int] = []
    for doc, paper_authors in enumerate(authors):
        for name in paper_authors:
            key = author_key(name)
            if not key:
                continue
            row = index.get(key)
            if row is None:
                row = index[key] = len(names)
                names.append(" ".join(name.split()))
            rows.append(row)
            cols.append(doc)
    matrix = sparse.coo_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(names), len(authors))
    ).tocsr()
    matrix.sum_duplicates()
    matrix.data[:] = 1.0  # an author listed twice on one paper
    return names, matrix


def top_authors_per_theme(
    theme_ids: Sequence[str], assigned: np.ndarray, authors: Sequence[Sequence[str]], top_authors: int = 10
) -> pd.DataFrame:
    """The ``top_authors`` most productive authors of each theme (see :class:`ThemeProfiles`).

    Ranked by papers with the theme (most first), ties by name (case-insensitive); authors without a paper in
    the theme are not listed. ``share`` is ``papers / author_papers`` rounded to 4 decimals.
    """
    names, incidence = author_incidence(authors)
    if not names:
        return pd.DataFrame(columns=AUTHOR_COLUMNS)
    author_papers = np.asarray(incidence.sum(axis=1)).ravel().astype(int)
    per_theme = np.asarray(incidence @ np.asarray(assigned, dtype=float)).astype(int)  # (n_authors, n_themes)
    folded = np.array([name.casefold() for name in names], dtype=object)
    rows: list[dict[str, object]] = []
    for j, theme in enumerate(theme_ids):
        papers = per_theme[:, j]
        candidates = np.flatnonzero(papers > 0)
        ranked = sorted(candidates.tolist(), key=lambda a: (-papers[a], folded[a], names[a]))[:top_authors]
        for rank, a in enumerate(ranked, start=1):
            rows.append(
                {"theme": theme, "rank": rank, "author": names[a], "papers": int(papers[a]),
                 "author_papers": int(author_papers[a]), "share": round(float(papers[a]) / author_papers[a], 4)}
            )
    return pd.DataFrame(rows, columns=AUTHOR_COLUMNS)


def venue_theme_profiles(theme_ids: Sequence[str], assigned: np.ndarray, venues: Sequence[str]) -> pd.DataFrame:
    """Each venue's theme mix: one row per (venue, theme) (see :class:`ThemeProfiles`).

    Venues are the non-empty names (surrounding whitespace stripped), ordered by papers (most first), then by
    name; themes follow ``theme_ids``. ``share`` is ``count / papers`` rounded to 6 decimals. Empty (with the
    columns) when there are fewer than two distinct venues.
    """
    names = np.array([v.strip() for v in venues], dtype=object)
    known = names != ""
    distinct, codes = np.unique(names[known].astype(str), return_inverse=True)
    if len(distinct) < 2:
        return pd.DataFrame(columns=VENUE_COLUMNS)
    papers = np.bincount(codes, minlength=len(distinct))
    flags = np.asarray(assigned, dtype=float)[known]
    counts = np.zeros((len(distinct), flags.shape[1]))
    np.add.at(counts, codes, flags)
    order = sorted(range(len(distinct)), key=lambda v: (-papers[v], str(distinct[v]).casefold(), str(distinct[v])))
    rows = [
        {"venue": str(distinct[v]), "theme": theme, "papers": int(papers[v]), "count": int(counts[v, j]),
         "share": round(float(counts[v, j]) / papers[v], 6)}
        for v in order
        for j, theme in enumerate(theme_ids)
    ]
    return pd.DataFrame(rows, columns=VENUE_COLUMNS)


def theme_profiles(
    theme_ids: Sequence[str],
    assigned: np.ndarray,
    authors: Sequence[Sequence[str]],
    venues: Sequence[str],
    top_authors: int = 10,
) -> ThemeProfiles:
    """Top authors per theme and venues' theme profiles.

    Args:
        theme_ids: the themes, the column order of ``assigned``.
        assigned: shape ``(n_docs, n_themes)``, bool: which themes each paper carries.
        authors: per paper, its author names (papers without authors do not enter the authors table).
        venues: per paper, its venue (``""`` when unknown), length ``n_docs``.
        top_authors: authors listed per theme.
    """
    assigned = np.asarray(assigned, dtype=bool)
    if assigned.ndim != 2 or assigned.shape[1] != len(theme_ids):
        raise ValueError(f"assigned has shape {assigned.shape} for {len(theme_ids)} themes")
    if len(authors) != assigned.shape[0] or len(venues) != assigned.shape[0]:
        raise ValueError(f"{len(authors)} author lists and {len(venues)} venues for {assigned.shape[0]} papers")
    return ThemeProfiles(
        authors=top_authors_per_theme(theme_ids, assigned, authors, top_authors),
        venues=venue_theme_profiles(theme_ids, assigned, venues),
    )
