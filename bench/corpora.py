"""The benchmark corpora: ml-abstracts subsampled, whole, or resampled past its size with perturbed copies.

Sizes are numbers of papers (rows). A size below the source's row count is a seeded random subsample (rows
kept in source order); ``"all"`` (or the row count itself) is the whole file; a larger size holds every source
row once followed by seeded resampled copies (drawn with replacement). Each copy is *lightly perturbed* so
that the tool's deduplication (one paper per normalised title, :func:`preprocessing.clean.normalise_title`)
keeps it: about 3 % of its abstract's words dropped, about 2 % of adjacent word pairs swapped, at most one
adjacent swap in its title, and a numeric title suffix " (n)" for the n-th copy of a paper (bumped until the
normalised title is unique). Numbers are not alphabetic, so the tokenizer drops the suffix again and it
never reaches the vocabulary. Every corpus gets an ``id`` column: ``ml-00042`` for source row 42,
``ml-00042-c2`` for its 2nd copy.

Files are written once per (size, seed) as ``corpus-<size>-seed<seed>.parquet`` and reused afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress
from pathlib import Path

import numpy as np
import pandas as pd

from preprocessing.clean import normalise_title

SOURCE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ml-abstracts" / "papers.parquet"
"""The 47,509-paper ml-abstracts file (../shared/data from the project root)."""

DEFAULT_SIZES = "5000,20000,all,200000"
WORD_DROP = 0.03
"""Share of an abstract's words dropped in a resampled copy."""
WORD_SWAP = 0.02
"""Share of an abstract's adjacent word pairs swapped in a resampled copy."""

Size = int | str  # a number of papers, or "all"


def parse_sizes(text: str) -> list[Size]:
    """``"5000,20k,all,0.2m"`` -> ``[5000, 20000, "all", 200000]``; ``"none"``/``""`` -> ``[]``.

    Accepts plain integers (``_`` separators allowed), ``k``/``m`` suffixes and ``all``; raises ValueError.
    """
    sizes: list[Size] = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part or part == "none":
            continue
        if part == "all":
            sizes.append("all")
            continue
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        number = float(part[:-1] if scale > 1 else part)
        if number <= 0 or number * scale != int(number * scale):
            raise ValueError(f"not a positive whole number of papers: {part!r}")
        sizes.append(int(number * scale))
    return sizes


def resolve_size(size: Size, n_source: int) -> int:
    """The number of papers of ``size`` for a source of ``n_source`` rows."""
    return n_source if size == "all" else int(size)


def size_label(n: int) -> str:
    """Short display label: 5000 -> "5k", 47509 -> "47.5k", 200000 -> "200k", 1500000 -> "1.5M", 800 -> "800"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if n >= 1_000:
        return f"{n / 1_000:.1f}".rstrip("0").rstrip(".") + "k"
    return str(n)


def perturb_words(words: Sequence[str], rng: np.random.Generator, drop: float = WORD_DROP, swap: float = WORD_SWAP) -> list[str]:
    """``words`` with each dropped with probability ``drop`` (at least one kept) and about ``swap`` of the
    adjacent pairs of the remainder swapped (each swap at a distinct random position)."""
    if not words:
        return []
    keep = rng.random(len(words)) >= drop
    if not keep.any():
        keep[int(rng.integers(len(words)))] = True
    out = list(compress(words, keep.tolist()))
    if len(out) >= 2:
        n_swaps = int(rng.binomial(len(out) - 1, swap))
        for i in rng.choice(len(out) - 1, size=n_swaps, replace=False):
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def perturb_title(title: str, rng: np.random.Generator) -> str:
    """``title`` with one random adjacent pair of words swapped, half of the time, when it has three or more."""
    words = title.split()
    if len(words) >= 3 and rng.random() < 0.5:
        i = int(rng.integers(len(words) - 1))
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def unique_suffixed_title(title: str, copy_number: int, taken: set[str]) -> str:
    """``"<title> (n)"`` with the smallest ``n >= copy_number`` whose normalised title is not in ``taken``
    (which it is then added to)."""
    n = copy_number
    while True:
        candidate = f"{title} ({n})"
        key = normalise_title(candidate)
        if key not in taken:
            taken.add(key)
            return candidate
        n += 1


def source_ids(rows: Iterable[int], width: int) -> list[str]:
    """``ml-<row>`` ids, the row number zero-padded to ``width`` digits."""
    return [f"ml-{row:0{width}d}" for row in rows]


def make_corpus(source: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` papers from ``source`` (see the module doc), deterministic for ``seed``; a new frame with an
    ``id`` column first and the source's columns after it."""
    n_source = len(source)
    width = len(str(max(n_source - 1, 0)))
    rng = np.random.default_rng(seed)
    base = source.reset_index(drop=True)
    if n <= n_source:
        rows = np.arange(n_source) if n == n_source else np.sort(rng.choice(n_source, size=n, replace=False))
        frame = base.iloc[rows].reset_index(drop=True)
        frame.insert(0, "id", source_ids(rows, width))
        return frame
    extra = np.sort(rng.integers(0, n_source, size=n - n_source))
    taken = {normalise_title(str(t)) for t in base["title"].fillna("")}
    copies_so_far: dict[int, int] = {}
    titles: list[str] = []
    abstracts: list[str] = []
    ids: list[str] = []
    title_values = base["title"].fillna("").astype(str).tolist()
    abstract_values = base["abstract"].fillna("").astype(str).tolist()
    for row in extra.tolist():
        copy_number = copies_so_far.get(row, 1) + 1
        copies_so_far[row] = copy_number
        title = perturb_title(title_values[row], rng)
        titles.append(unique_suffixed_title(title, copy_number, taken))
        abstracts.append(" ".join(perturb_words(abstract_values[row].split(), rng)))
        ids.append(f"ml-{row:0{width}d}-c{copy_number}")
    copies = base.iloc[extra].reset_index(drop=True)
    copies["title"] = titles
    copies["abstract"] = abstracts
    frame = pd.concat([base, copies], ignore_index=True)
    frame.insert(0, "id", source_ids(range(n_source), width) + ids)
    return frame


def corpus_path(work_dir: Path, size: Size, seed: int) -> Path:
    """Where the corpus of ``size`` papers (or ``"all"``) and ``seed`` is kept in ``work_dir``."""
    return work_dir / "corpora" / f"corpus-{size}-seed{seed}.parquet"


def read_source(source: Path = SOURCE) -> pd.DataFrame:
    """The source parquet as a frame; FileNotFoundError naming the path when it is missing."""
    if not source.is_file():
        raise FileNotFoundError(f"{source}: the ml-abstracts corpus is missing (../shared/data/ml-abstracts)")
    return pd.read_parquet(source)


def ensure_corpus(work_dir: Path, size: Size, seed: int, source: Path = SOURCE, rebuild: bool = False) -> tuple[Path, int]:
    """Write (unless present and not ``rebuild``) the corpus file; return its path and number of rows."""
    path = corpus_path(work_dir, size, seed)
    if path.is_file() and not rebuild:
        import pyarrow.parquet as pq

        return path, pq.ParquetFile(path).metadata.num_rows
    frame = read_source(source)
    corpus = make_corpus(frame, resolve_size(size, len(frame)), seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    corpus.to_parquet(partial, index=False)
    partial.replace(path)
    return path, len(corpus)
