"""The counting behind :func:`topics.themes.scoring.paper_evidence_arrays`: theme terms of every paper's text and
title found with :func:`topics.themes.lexicon_scan.scan_arrays` and counted in numpy, grouped per (paper, term, theme),
and the evidence terms each (paper, theme) shows, strongest first.
"""

from __future__ import annotations

import gc
import math
from typing import NamedTuple

import numpy as np

from preprocessing.token_arrays import TokenArrays, ragged_gather
from topics.themes.lexicon import SEED_WEIGHT, ThemeLexicon
from topics.themes.lexicon_scan import ArrayHits, scan_arrays


class EvidenceArrays(NamedTuple):
    """The fields of :class:`topics.themes.scoring.PaperEvidence` (``against`` aside): four float arrays of shape
    ``(n_docs, n_themes)`` and the evidence terms ``terms[doc][theme]``."""

    title_seeds: np.ndarray
    seeds: np.ndarray
    distinct_seeds: np.ndarray
    related: np.ndarray
    terms: list[list[list[str]]]


def count_evidence(
    lexicon: ThemeLexicon, texts: TokenArrays, titles: TokenArrays, max_evidence: int
) -> EvidenceArrays:
    """Count each theme's terms in each paper: ``texts`` and ``titles`` hold one text and one title per paper
    (``n_docs`` each); at most ``max_evidence`` evidence terms are kept per paper and theme. Equal to the segment
    scan of :func:`topics.themes.scoring.paper_evidence`."""
    n_docs, n_themes = len(texts), lexicon.n_themes
    text_hits, title_hits = scan_arrays(lexicon, texts), scan_arrays(lexicon, titles)
    grams = text_hits.grams
    n_grams = len(grams)
    width = max(n_themes, int(text_hits.theme.max(initial=-1)) + 1, int(title_hits.theme.max(initial=-1)) + 1)

    def flat(doc: np.ndarray, theme: np.ndarray) -> np.ndarray:
        return doc * n_themes + theme

    size = n_docs * n_themes
    title_seed = title_hits.weight >= SEED_WEIGHT
    title_cell = flat(title_hits.doc[title_seed], title_hits.theme[title_seed])
    title_seeds = _cell_sums(title_cell, np.ones(len(title_cell)), size).reshape(n_docs, n_themes)

    # one row per distinct (paper, n-gram, theme) of the text, with its count
    text_key = (text_hits.doc * n_grams + text_hits.gram) * width + text_hits.theme
    keys, first, count = np.unique(text_key, return_index=True, return_counts=True)
    doc, gram, theme = text_hits.doc[first], text_hits.gram[first], text_hits.theme[first]
    weight = text_hits.weight[first]
    title = _in_title(title_hits, keys, n_grams, width)

    seed = weight >= SEED_WEIGHT
    cell = flat(doc, theme)
    seeds = _cell_sums(cell[seed], count[seed], size).reshape(n_docs, n_themes)
    distinct = _cell_sums(cell[seed], np.ones(int(seed.sum())), size).reshape(n_docs, n_themes)
    related = _cell_sums(cell[~seed], count[~seed], size).reshape(n_docs, n_themes)

    # evidence terms: the strongest match of each name, strongest names first (ties by name)
    logs = np.asarray([0.0] + [math.log(c) for c in range(1, int(count.max(initial=0)) + 1)])
    strength = weight * (1.0 + logs[count] + title)
    name, n_names = _name_ranks(lexicon, grams, gram)
    cell, name, best, shown = _best_per_name(cell, name, n_names, strength, first, text_hits.surface)
    terms = _strongest_terms(cell, name, best, shown, text_hits.surfaces, (n_docs, n_themes, n_names), max_evidence)
    return EvidenceArrays(title_seeds, seeds, distinct, related, terms)


def _in_title(title_hits: ArrayHits, keys: np.ndarray, n_grams: int, width: int) -> np.ndarray:
    """1.0 where the (paper, n-gram, theme) of ``keys`` (sorted, ``(doc * n_grams + gram) * width + theme``) also
    occurs in the title, else 0.0; float64 of the length of ``keys``."""
    title_key = (title_hits.doc * n_grams + title_hits.gram) * width + title_hits.theme
    title_keys = np.unique(title_key)
    at = np.minimum(np.searchsorted(title_keys, keys), max(len(title_keys) - 1, 0))
    return (title_keys[at] == keys).astype(np.float64) if len(title_keys) else np.zeros(len(keys))


def _name_ranks(
    lexicon: ThemeLexicon, grams: list[tuple[str, ...]], gram: np.ndarray
) -> tuple[np.ndarray, int]:
    """The name (:attr:`ThemeLexicon.names`) of each row's n-gram (``gram`` indexes ``grams``) as its rank among
    the distinct names in sorted order, int64 of the length of ``gram``; and the number of names (at least 1)."""
    names = [lexicon.names[g] for g in grams]
    ranked = sorted(set(names))
    name_rank = {name: r for r, name in enumerate(ranked)}
    name = np.asarray([name_rank[n] for n in names], dtype=np.int64)[gram] if len(grams) else gram
    return name, max(len(ranked), 1)


def _best_per_name(
    cell: np.ndarray, name: np.ndarray, n_names: int, strength: np.ndarray, first: np.ndarray, surface: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The best strength of each (paper, theme, name): several n-grams share a name (a term and its plural).
    Rows are the distinct (paper, n-gram, theme) of the text: their flat cell ``doc * n_themes + theme``, name
    rank, strength, and ``first`` hit row (an index into ``surface``, the hits' surface text ids). Returns per
    (cell, name) group, in group order: its cell, its name, its best strength and the surface of its first match."""
    group = cell * n_names + name
    order = np.argsort(group)
    group, strength = group[order], strength[order]
    starts = _run_starts(group)
    best = np.maximum.reduceat(strength, starts) if len(starts) else strength
    earliest = np.minimum.reduceat(first[order], starts) if len(starts) else first[order]  # its first match (a hit row)
    shown = surface[earliest]  # the words of that match
    cell, name = np.divmod(group[starts], n_names)
    return cell, name, best, shown


def _strongest_terms(
    cell: np.ndarray,
    name: np.ndarray,
    best: np.ndarray,
    shown: np.ndarray,
    surfaces: list[str],
    shape: tuple[int, int, int],
    max_evidence: int,
) -> list[list[list[str]]]:
    """The evidence terms ``terms[doc][theme]``: per (paper, theme) the surfaces (``shown`` indexes ``surfaces``)
    of its strongest names, strongest first, ties by name, at most ``max_evidence``. ``cell``, ``name``, ``best``
    and ``shown`` are per (paper, theme, name) as :func:`_best_per_name` returns them; ``shape`` is ``(n_docs,
    n_themes, n_names)``."""
    n_docs, n_themes, n_names = shape
    size = n_docs * n_themes
    # strongest first within each (paper, theme), ties by name: one integer key when it fits, else lexsort
    levels, level = np.unique(best, return_inverse=True)
    if size * max(len(levels), 1) * n_names < 2**62:
        order = np.argsort((cell * len(levels) + (len(levels) - 1 - level)) * n_names + name)
    else:
        order = np.lexsort((name, -best, cell))
    cell, shown = cell[order], shown[order]
    starts = _run_starts(cell)
    ends = np.minimum(np.append(starts[1:], len(cell)), starts + max_evidence)
    kept = ragged_gather(shown, starts, ends - starts)
    kept_names = np.asarray(surfaces, dtype=object)[kept].tolist()
    kept_ends = np.cumsum(ends - starts).tolist()
    collecting = gc.isenabled()
    gc.disable()  # n_docs * n_themes small lists: the cyclic collector would rescan the heap again and again
    try:
        cells: list[list[str]] = [[] for _ in range(size)]
        begin = 0
        for c, end in zip(cell[starts].tolist(), kept_ends):
            cells[c] = kept_names[begin:end]
            begin = end
        return [cells[row * n_themes : (row + 1) * n_themes] for row in range(n_docs)]
    finally:
        if collecting:
            gc.enable()


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in ``values`` (1-d)."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))


def _cell_sums(cells: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """``values`` summed per cell, as ``float64`` of length ``size``."""
    return np.bincount(cells, weights=np.asarray(values, dtype=np.float64), minlength=size).astype(np.float64)
