"""Tokenised texts as flat integer arrays: the corpus-sized representation the hot path works on.

A corpus of ``n`` texts becomes one ``codes`` array (``int32``): each kept token is the index of its word in
``words``, and :data:`BREAK` (``-1``) marks a dropped token (stop word, punctuation, number), i.e. the end of a
*segment*. ``offsets`` (``int64``, length ``n + 1``) delimits the texts: text ``i`` is
``codes[offsets[i]:offsets[i + 1]]``. Phrase detection, document frequencies and the models work on these
arrays with numpy instead of Python loops over tokens; :meth:`TokenArrays.segments` gives one text back as
lists of strings where a caller needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Code of a dropped token: the boundary between two segments.
BREAK = -1


def ragged_gather(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenate ``values[starts[k]:starts[k] + lengths[k]]`` for every k, without a Python loop.

    ``starts`` and ``lengths`` are integer arrays of one shape; returns an array of ``lengths.sum()`` values.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return values[:0].copy()
    keep = lengths > 0
    starts, lengths = np.asarray(starts, dtype=np.int64)[keep], lengths[keep]
    ends = np.cumsum(lengths)
    # index of each output value = its run's start + its position inside the run
    shift = np.repeat(starts - (ends - lengths), lengths)
    return values[np.arange(total, dtype=np.int64) + shift]


@dataclass
class TokenArrays:
    """Token codes of ``n`` texts (see the module docstring). ``words[c]`` is the word of code ``c``."""

    codes: np.ndarray
    offsets: np.ndarray
    words: list[str]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_tokens(self) -> int:
        """Kept tokens (breaks not counted)."""
        return int(np.count_nonzero(self.codes >= 0))

    def doc_index(self) -> np.ndarray:
        """The text each position of ``codes`` belongs to, shape ``(len(codes),)``."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.offsets))

    def segments(self, index: int) -> list[list[str]]:
        """Text ``index`` as segments of words (runs between breaks; empty runs left out)."""
        words = self.words
        out: list[list[str]] = []
        current: list[str] = []
        for code in self.codes[self.offsets[index] : self.offsets[index + 1]].tolist():
            if code < 0:
                if current:
                    out.append(current)
                    current = []
            else:
                current.append(words[code])
        if current:
            out.append(current)
        return out

    def to_segments(self) -> list[list[list[str]]]:
        """Every text as segments (Python lists: for small corpora and callers that need strings)."""
        return [self.segments(i) for i in range(len(self))]

    def flat(self, index: int) -> list[str]:
        """Text ``index`` as one list of words (segments joined)."""
        words = self.words
        return [words[c] for c in self.codes[self.offsets[index] : self.offsets[index + 1]].tolist() if c >= 0]

    def select(self, indices: Sequence[int] | np.ndarray) -> "TokenArrays":
        """The texts ``indices`` (in that order) as a new TokenArrays over the same words."""
        indices = np.asarray(indices, dtype=np.int64)
        starts = self.offsets[indices]
        lengths = self.offsets[indices + 1] - starts
        codes = ragged_gather(self.codes, starts, lengths)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return TokenArrays(codes=codes, offsets=offsets, words=self.words)

    def slice(self, start: int, stop: int) -> "TokenArrays":
        """Texts ``start`` to ``stop - 1`` as a TokenArrays whose codes are a view of these (no copy)."""
        lo, hi = int(self.offsets[start]), int(self.offsets[stop])
        return TokenArrays(codes=self.codes[lo:hi], offsets=self.offsets[start : stop + 1] - lo, words=self.words)

    @classmethod
    def from_segments(cls, documents: Sequence[Sequence[Sequence[str]]]) -> "TokenArrays":
        """Build from Python segments (one list of segments per text); word codes in order of first use."""
        index: dict[str, int] = {}
        codes: list[int] = []
        offsets = [0]
        for doc in documents:
            for segment in doc:
                codes.extend(index.setdefault(t, len(index)) for t in segment)
                codes.append(BREAK)
            offsets.append(len(codes))
        return cls(
            codes=np.asarray(codes, dtype=np.int32), offsets=np.asarray(offsets, dtype=np.int64), words=list(index)
        )

    @classmethod
    def concat(cls, parts: Sequence["TokenArrays"]) -> "TokenArrays":
        """Texts of ``parts`` one after the other; codes are remapped onto one shared word list."""
        index: dict[str, int] = {}
        all_codes, all_offsets, base = [], [np.zeros(1, dtype=np.int64)], 0
        for part in parts:
            remap = np.asarray([index.setdefault(w, len(index)) for w in part.words] + [BREAK], dtype=np.int32)
            all_codes.append(remap[part.codes])  # BREAK (-1) indexes the appended -1
            all_offsets.append(part.offsets[1:] + base)
            base += len(part.codes)
        codes = np.concatenate(all_codes) if all_codes else np.zeros(0, dtype=np.int32)
        return cls(codes=codes.astype(np.int32), offsets=np.concatenate(all_offsets), words=list(index))
