"""Multi-word terms: "reinforcement learning" -> ``reinforcement_learning``.

The scoring and merging rules are gensim's ``Phrases`` with ``scoring="npmi"`` (Bouma 2009): a pair of adjacent
words ``a b`` inside a segment is a phrase when it occurs at least ``min_count`` times and
``ln(p_ab / (p_a p_b)) / -ln(p_ab)`` exceeds ``threshold``, with ``p_x = count_x / total_words``; a text is
merged left to right, a word joining at most one phrase per pass. Counting and merging run with numpy on
:class:`TokenArrays` (gensim's Python loop took ~50 s on 47k abstracts, this takes about a second); two passes
find phrases of up to four words ("generative_adversarial_network").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from preprocessing.nlp import Segments
from preprocessing.token_arrays import TokenArrays

#: Joins the words of a phrase in a token.
PHRASE_JOINER = "_"


def _pair_positions(arrays: TokenArrays) -> np.ndarray:
    """Positions ``p`` where ``codes[p]`` and ``codes[p + 1]`` are two words of one segment of one text."""
    codes = arrays.codes
    if len(codes) < 2:
        return np.zeros(0, dtype=np.int64)
    ok = (codes[:-1] >= 0) & (codes[1:] >= 0)
    starts = arrays.offsets[1:-1]  # a pair may not run from one text into the next
    ok[starts[(starts > 0) & (starts < len(codes))] - 1] = False
    return np.flatnonzero(ok)


def _pair_keys(arrays: TokenArrays, positions: np.ndarray) -> np.ndarray:
    vocab = np.int64(max(len(arrays.words), 1))
    codes = arrays.codes
    return codes[positions].astype(np.int64) * vocab + codes[positions + 1]


def score_pairs(arrays: TokenArrays, min_count: int) -> tuple[np.ndarray, np.ndarray]:
    """NPMI of every adjacent pair seen at least ``min_count`` times: ``(keys, scores)`` where a key is
    ``code_a * len(words) + code_b``."""
    codes = arrays.codes
    words = codes[codes >= 0]
    total = float(len(words))
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    unigram = np.bincount(words, minlength=len(arrays.words)).astype(np.float64)
    keys, counts = np.unique(_pair_keys(arrays, _pair_positions(arrays)), return_counts=True)
    frequent = counts >= min_count
    keys, counts = keys[frequent], counts[frequent].astype(np.float64)
    vocab = max(len(arrays.words), 1)
    p_a, p_b, p_ab = unigram[keys // vocab] / total, unigram[keys % vocab] / total, counts / total
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)
    return keys, np.nan_to_num(scores, nan=-np.inf, posinf=-np.inf)


def merge_pairs(arrays: TokenArrays, phrases: set[tuple[str, str]]) -> TokenArrays:
    """Merge the adjacent word pairs listed in ``phrases`` into single ``a_b`` words, left to right (in a run
    of overlapping phrase pairs, the 1st, 3rd, ... are merged, as gensim does)."""
    if not phrases:
        return arrays
    code_of = {w: i for i, w in enumerate(arrays.words)}
    vocab = np.int64(max(len(arrays.words), 1))
    wanted = np.asarray(
        sorted(code_of[a] * int(vocab) + code_of[b] for a, b in phrases if a in code_of and b in code_of),
        dtype=np.int64,
    )
    positions = _pair_positions(arrays)
    if len(wanted) == 0 or len(positions) == 0:
        return arrays
    keys = _pair_keys(arrays, positions)
    hit = np.isin(keys, wanted)
    positions, keys = positions[hit], keys[hit]
    if len(positions) == 0:
        return arrays
    # greedy left to right: inside a run of consecutive phrase positions, take every other one
    new_run = np.ones(len(positions), dtype=bool)
    new_run[1:] = positions[1:] != positions[:-1] + 1
    index = np.arange(len(positions))
    run_start = np.maximum.accumulate(np.where(new_run, index, 0))
    take = (index - run_start) % 2 == 0
    positions, keys = positions[take], keys[take]
    merged_keys, merged_codes = np.unique(keys, return_inverse=True)
    words = list(arrays.words)
    base = len(words)
    words.extend(arrays.words[k // vocab] + PHRASE_JOINER + arrays.words[k % vocab] for k in merged_keys.tolist())
    codes = arrays.codes.copy()
    codes[positions] = base + merged_codes.astype(np.int32)
    removed = np.zeros(len(codes), dtype=bool)
    removed[positions + 1] = True
    dropped_before = np.concatenate([[0], np.cumsum(removed)])
    offsets = arrays.offsets - dropped_before[arrays.offsets]
    return TokenArrays(codes=codes[~removed], offsets=offsets, words=words)


class PhraseDetector:
    """Learns frequent bigrams (NPMI scoring) on segments and merges them into single tokens.

    ``phrases_`` holds, per pass, the set of ``(word_a, word_b)`` pairs merged in that pass.
    """

    def __init__(self, min_count: int = 5, threshold: float = 0.5, passes: int = 2) -> None:
        self.min_count = min_count
        self.threshold = threshold
        self.passes = passes

    def fit_arrays(self, arrays: TokenArrays) -> TokenArrays:
        """Learn the phrases of ``arrays`` and return the texts with them merged."""
        self.phrases_: list[set[tuple[str, str]]] = []
        for _ in range(self.passes):
            keys, scores = score_pairs(arrays, self.min_count)
            vocab = max(len(arrays.words), 1)
            chosen = keys[scores > self.threshold].tolist()
            found = {(arrays.words[k // vocab], arrays.words[k % vocab]) for k in chosen}
            self.phrases_.append(found)
            arrays = merge_pairs(arrays, found)
        return arrays

    def transform_arrays(self, arrays: TokenArrays) -> TokenArrays:
        """Merge the learned phrases into ``arrays`` (pass by pass)."""
        if not hasattr(self, "phrases_"):
            raise RuntimeError("PhraseDetector.transform called before fit")
        for found in self.phrases_:
            arrays = merge_pairs(arrays, found)
        return arrays

    def fit(self, documents: Sequence[Segments]) -> "PhraseDetector":
        """Learn the phrases of ``documents`` (see :meth:`fit_arrays`); returns ``self``."""
        self.fit_arrays(TokenArrays.from_segments(documents))
        return self

    def transform(self, documents: Sequence[Segments]) -> list[list[str]]:
        """Flat token lists (one per document) with phrases merged."""
        merged = self.transform_arrays(TokenArrays.from_segments(documents))
        return [merged.flat(i) for i in range(len(merged))]
