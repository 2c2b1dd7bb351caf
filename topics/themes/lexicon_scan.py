"""The theme lexicon's longest-match scan over every text of :class:`TokenArrays` at once, in numpy.

:func:`scan_arrays` finds what :meth:`topics.themes.lexicon.ThemeLexicon.scan_with_surface` finds, text by text,
without a Python loop over tokens: a trie of the lexicon's n-grams (:class:`_GramTrie`) is walked over word codes
one n-gram length at a time. :func:`match_key` and :func:`surface_text`, how a token matches and how a match is
written, are shared with the segment scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from preprocessing.nlp import SURFACE_SEP
from preprocessing.token_arrays import BREAK, TokenArrays, ragged_gather

if TYPE_CHECKING:
    from topics.themes.lexicon import ThemeLexicon


def match_key(word: str) -> str:
    """The word a token matches theme terms by: a corpus token is its own key; a word of theme token arrays is
    ``key`` or ``key + SURFACE_SEP + surface`` (:func:`preprocessing.nlp.theme_item`)."""
    return word.partition(SURFACE_SEP)[0] if SURFACE_SEP in word else word


def surface_text(words: Sequence[str]) -> str:
    """The matched words as the text has them: surface forms joined by spaces, but by nothing after a word
    written with a hyphen inside ("in-context learning"). Corpus tokens have no surface form: their lemma is it."""
    text = ""
    for word in words:
        surface = word.partition(SURFACE_SEP)[2] or match_key(word)
        text = surface if not text else text + (surface if text.endswith("-") else " " + surface)
    return text.rstrip("-")


@dataclass(frozen=True)
class ArrayHits:
    """What :meth:`ThemeLexicon.scan_with_surface` finds, for every text of a :class:`TokenArrays` at once: one
    row per (match, theme) left after masking, in text order. ``gram[k]`` indexes ``grams`` (the lexicon's entry
    n-grams in ``entries`` order); ``weight[k]`` is ``entries[grams[gram[k]]][theme[k]]``; ``surface[k]``
    indexes ``surfaces``, the matched words as the text has them (:func:`surface_text`)."""

    doc: np.ndarray
    gram: np.ndarray
    theme: np.ndarray
    weight: np.ndarray
    grams: list[tuple[str, ...]]
    surface: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    surfaces: list[str] = field(default_factory=list)



def scan_arrays(lexicon: ThemeLexicon, arrays: TokenArrays) -> ArrayHits:
    """:meth:`ThemeLexicon.scan_with_surface` of every text of ``arrays`` (theme tokens or corpus tokens) without
    a Python loop over tokens.

    Every occurrence of every entry and exclude n-gram is found with numpy, one n-gram length at a time, by
    walking a trie of the n-grams' prefixes over the positions where the shorter prefix matched (a window never
    crosses a break or the end of a text). The longest entry n-gram at each position is that position's
    candidate; the greedy left-to-right choice among overlapping candidates, and the exclude masking, then run
    over the candidates only.
    """
    grams = list(lexicon.entries)
    arrays = _expand_arrays(arrays)
    codes = np.asarray(arrays.codes)
    if codes.size and int(codes.min()) < BREAK:
        codes = np.where(codes < 0, BREAK, codes)
    trie = _GramTrie.build(lexicon, grams)
    pos, length, node = trie.occurrences(codes, np.asarray(arrays.offsets, dtype=np.int64), arrays.words)
    m_pos, m_end, m_entry = _longest_matches(trie, lexicon.max_len, pos, length, node)

    # every (match, theme) of the matched entries
    pair_count = trie.pair_ptr[m_entry + 1] - trie.pair_ptr[m_entry]
    match_of = np.repeat(np.arange(len(m_pos), dtype=np.int64), pair_count)
    pair = ragged_gather(np.arange(len(trie.pair_theme), dtype=np.int64), trie.pair_ptr[m_entry], pair_count)
    theme = trie.pair_theme[pair]

    # exclude masking: a match loses the themes of every exclude span overlapping it without lying inside it
    exclude = trie.exclude[node]
    is_exclude = exclude >= 0
    if lexicon.excludes and is_exclude.any() and len(m_pos):
        keep = _unblocked(
            trie, lexicon, (pos[is_exclude], (pos + length)[is_exclude], exclude[is_exclude]),
            m_pos, m_end, match_of, theme,
        )
        if keep is not None:
            match_of, pair, theme = match_of[keep], pair[keep], theme[keep]

    doc = np.searchsorted(np.asarray(arrays.offsets, dtype=np.int64), m_pos, side="right") - 1
    m_surface, surfaces = _surfaces(codes, arrays.words, m_pos, m_end - m_pos)
    return ArrayHits(
        doc=doc[match_of].astype(np.int64),
        gram=m_entry[match_of],
        theme=theme,
        weight=trie.pair_weight[pair],
        grams=grams,
        surface=m_surface[match_of],
        surfaces=surfaces,
    )


def _longest_matches(
    trie: _GramTrie, max_len: int, pos: np.ndarray, length: np.ndarray, node: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matches the scan takes among the trie nodes found (:meth:`_GramTrie.occurrences`: position, length in
    words and node per window): the longest entry n-gram at each position is its candidate, and the greedy
    left-to-right choice among overlapping candidates (:func:`_greedy`) keeps the matches. Returns their start
    and end positions in the codes and their entry indices, each ``(n_matches,)``, positions ascending."""
    entry = trie.entry[node]
    is_entry = entry >= 0
    c_pos, c_len, c_entry = pos[is_entry], length[is_entry], entry[is_entry]
    order = np.argsort(c_pos * (max_len + 1) + (max_len - c_len))  # by position, longest first
    c_pos, c_len, c_entry = c_pos[order], c_len[order], c_entry[order]
    first = np.ones(len(c_pos), dtype=bool)
    first[1:] = c_pos[1:] != c_pos[:-1]
    c_pos, c_len, c_entry = c_pos[first], c_len[first], c_entry[first]
    accepted = _greedy(c_pos, c_pos + c_len)
    return c_pos[accepted], (c_pos + c_len)[accepted], c_entry[accepted]


def _unblocked(
    trie: _GramTrie,
    lexicon: ThemeLexicon,
    spans: tuple[np.ndarray, np.ndarray, np.ndarray],
    m_pos: np.ndarray,
    m_end: np.ndarray,
    match_of: np.ndarray,
    theme: np.ndarray,
) -> np.ndarray | None:
    """Which (match, theme) pairs survive the exclude masking: a match loses the themes of every exclude span
    overlapping it without lying inside it. ``spans`` holds the exclude occurrences' start and end positions and
    exclude indices; ``m_pos``/``m_end`` ``(n_matches,)`` the matches' spans; ``match_of`` and ``theme``
    ``(n_pairs,)`` each pair's match and theme. Returns a bool mask ``(n_pairs,)``, or ``None`` when no exclude
    span blocks any match (every pair kept)."""
    e_pos, e_end, e_idx = spans
    order = np.argsort(e_pos, kind="stable")
    e_pos, e_end, e_idx = e_pos[order], e_end[order], e_idx[order]
    lo = np.searchsorted(e_pos, m_pos - lexicon.max_len + 1, side="left")
    hi = np.searchsorted(e_pos, m_end, side="left")
    near = hi - lo
    p_match = np.repeat(np.arange(len(m_pos), dtype=np.int64), near)
    p_span = ragged_gather(np.arange(len(e_pos), dtype=np.int64), lo, near)
    s, e = e_pos[p_span], e_end[p_span]
    ms, me = m_pos[p_match], m_end[p_match]
    blocks = (s < me) & (ms < e) & ~((ms <= s) & (e <= me))
    p_match, p_span = p_match[blocks], p_span[blocks]
    if not len(p_match):
        return None
    x = e_idx[p_span]
    n_blocked = trie.exclude_ptr[x + 1] - trie.exclude_ptr[x]
    blocked_match = np.repeat(p_match, n_blocked)
    blocked_theme = trie.exclude_theme[ragged_gather(
        np.arange(len(trie.exclude_theme), dtype=np.int64), trie.exclude_ptr[x], n_blocked
    )]
    width = max(lexicon.n_themes, int(theme.max(initial=0)) + 1, int(blocked_theme.max(initial=0)) + 1)
    return ~np.isin(match_of * width + theme, blocked_match * width + blocked_theme)


def _surfaces(
    codes: np.ndarray, words: Sequence[str], pos: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """The matched words of every match (``codes[pos[k] : pos[k] + length[k]]``, no break inside) as
    :func:`surface_text`: an index per match into the returned list of distinct texts. Each distinct run of codes
    is joined once."""
    surface = np.zeros(len(pos), dtype=np.int64)
    index: dict[str, int] = {}
    base = len(words) + 1
    for size in np.unique(length).tolist():
        rows = np.flatnonzero(length == size)
        window = codes[pos[rows, None] + np.arange(size)].astype(np.int64)  # (matches, size), codes >= 0
        if base ** size < 2**62:  # one integer per run of codes
            key = np.zeros(len(rows), dtype=np.int64)
            for j in range(size):
                key = key * base + window[:, j]
            _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
            distinct = window[first]
        else:
            distinct, inverse = np.unique(window, axis=0, return_inverse=True)
        ids = np.asarray(
            [index.setdefault(surface_text([words[c] for c in run]), len(index)) for run in distinct.tolist()],
            dtype=np.int64,
        )
        surface[rows] = ids[np.asarray(inverse).reshape(-1)]
    return surface, list(index)


def _greedy(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Which candidate spans (``start`` ascending, distinct) a left-to-right scan takes: the first candidate,
    then each next one that starts at or after the end of the last taken."""
    taken = np.ones(len(start), dtype=bool)
    if len(start) < 2:
        return taken
    reach = np.maximum.accumulate(end)
    free = np.ones(len(start), dtype=bool)
    free[1:] = start[1:] >= reach[:-1]  # overlaps no earlier candidate at all: always taken
    crowded = np.flatnonzero(~free)
    if len(crowded):
        last_end = 0
        for k, s, e, after_free, free_end in zip(
            crowded.tolist(), start[crowded].tolist(), end[crowded].tolist(),
            free[crowded - 1].tolist(), end[crowded - 1].tolist(),
        ):
            if after_free:
                last_end = free_end  # a run of overlapping candidates starts with a free (taken) one
            if s >= last_end:
                last_end = e
            else:
                taken[k] = False
    return taken


def _expand_arrays(arrays: TokenArrays) -> TokenArrays:
    """:func:`topics.themes.lexicon._expand` for :class:`TokenArrays`: phrase words (``reinforcement_learning``)
    split into their words."""
    if "_" not in "".join(arrays.words):
        return arrays
    index: dict[str, int] = {}
    parts = [[index.setdefault(p, len(index)) for p in w.split("_")] for w in arrays.words]
    parts.append([BREAK])
    lengths = np.asarray([len(p) for p in parts], dtype=np.int64)
    ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    items = np.asarray([c for p in parts for c in p], dtype=np.int32)
    codes = np.where(np.asarray(arrays.codes) < 0, len(arrays.words), arrays.codes)
    new_codes = ragged_gather(items, ptr[codes], lengths[codes])
    cum = np.concatenate([[0], np.cumsum(lengths[codes])]).astype(np.int64)
    offsets = cum[np.asarray(arrays.offsets, dtype=np.int64)]
    return TokenArrays(codes=new_codes.astype(np.int32), offsets=offsets, words=list(index))


@dataclass(frozen=True)
class _GramTrie:
    """The lexicon's n-grams (at most ``max_len`` words) as a trie of prefixes, for matching on word codes.

    A prefix of depth ``L`` is node ``bases[L] + slot`` (``slot`` numbers the prefixes of one depth); ``roots``
    maps a first word to its slot. ``steps[L - 2]`` leads from a slot at depth ``L - 1`` and the next word (a
    1-based id in ``vocab``; 0 is any other word or a break) to a slot at depth ``L``, by the key
    ``slot * (len(vocab) + 1) + word``: either a dense table of slots (-1: no such prefix), or the sorted keys and
    their slots. ``entry[node]`` is the entry index of the n-gram ending there (-1: none, or its first word is not
    a first token, so the scanner never tries it), ``exclude[node]`` its exclude index (-1: none); their themes
    are ragged arrays (``pair_*`` per entry, ``exclude_*`` per exclude)."""

    vocab: dict[str, int]
    roots: dict[str, int]
    bases: list[int]
    steps: list[tuple[np.ndarray, np.ndarray | None]]
    entry: np.ndarray
    exclude: np.ndarray
    pair_ptr: np.ndarray
    pair_theme: np.ndarray
    pair_weight: np.ndarray
    exclude_ptr: np.ndarray
    exclude_theme: np.ndarray

    #: Largest dense step table (slots x words); a larger step is looked up in sorted keys.
    DENSE_LIMIT = 1 << 22

    @classmethod
    def build(cls, lexicon: ThemeLexicon, grams: list[tuple[str, ...]]) -> "_GramTrie":
        excludes = [(g, t) for g, t in lexicon.excludes.items() if t and 1 <= len(g) <= lexicon.max_len]
        usable = [
            (k, g) for k, g in enumerate(grams) if 1 <= len(g) <= lexicon.max_len and g[0] in lexicon.first_tokens
        ]
        vocab: dict[str, int] = {}
        slots: list[dict[tuple[str, ...], int]] = [{} for _ in range(lexicon.max_len + 1)]  # by depth
        for g in [g for _, g in usable] + [g for g, _ in excludes]:
            for depth in range(1, len(g) + 1):
                vocab.setdefault(g[depth - 1], len(vocab) + 1)
                slots[depth].setdefault(g[:depth], len(slots[depth]))
        width = len(vocab) + 1
        bases = [0, 0]
        for depth in range(1, lexicon.max_len + 1):
            bases.append(bases[-1] + len(slots[depth]))
        steps: list[tuple[np.ndarray, np.ndarray | None]] = []
        for depth in range(2, lexicon.max_len + 1):
            keys = np.asarray(
                [slots[depth - 1][g[:-1]] * width + vocab[g[-1]] for g in slots[depth]], dtype=np.int64
            ).reshape(-1)
            children = np.arange(len(slots[depth]), dtype=np.int64)
            if len(slots[depth - 1]) * width <= cls.DENSE_LIMIT:
                table = np.full(len(slots[depth - 1]) * width, -1, dtype=np.int64)
                table[keys] = children
                steps.append((table, None))
            else:
                order = np.argsort(keys)
                steps.append((keys[order], children[order]))

        def node(g: tuple[str, ...]) -> int:
            return bases[len(g)] + slots[len(g)][g]

        entry = np.full(bases[-1], -1, dtype=np.int64)
        exclude = np.full(bases[-1], -1, dtype=np.int64)
        for k, g in usable:
            entry[node(g)] = k
        for x, (g, _) in enumerate(excludes):
            exclude[node(g)] = x
        hits = [lexicon.entries[g] for g in grams]
        pair_ptr = np.concatenate([[0], np.cumsum([len(h) for h in hits])]).astype(np.int64)
        pair_theme = np.asarray([t for h in hits for t in h], dtype=np.int64)
        pair_weight = np.asarray([w for h in hits for w in h.values()], dtype=np.float64)
        exclude_ptr = np.concatenate([[0], np.cumsum([len(t) for _, t in excludes])]).astype(np.int64)
        exclude_theme = np.asarray([t for _, themes in excludes for t in sorted(themes)], dtype=np.int64)
        roots = {g[0]: slot for g, slot in slots[1].items()}
        return cls(
            vocab, roots, bases, steps, entry, exclude, pair_ptr, pair_theme, pair_weight, exclude_ptr, exclude_theme
        )

    def occurrences(
        self, codes: np.ndarray, offsets: np.ndarray, words: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every window of ``codes`` that is a trie node, as ``(position, length, node)``; a window lies inside
        one text (``offsets``) and holds no break. Positions of ``codes`` outside every text are never matched."""
        empty = np.zeros(0, dtype=np.int64)
        if not len(codes) or not self.roots or len(offsets) < 2:
            return empty, empty, empty
        vocab = self.vocab
        width = len(vocab) + 1
        # a word's match key (theme tokens: before SURFACE_SEP); code -1 (BREAK): 0
        word_id = np.asarray([vocab.get(w.partition(SURFACE_SEP)[0], 0) for w in words] + [0], dtype=np.int64)
        root_of = np.full(width, -1, dtype=np.int32)  # vocab id -> root slot
        for w, r in self.roots.items():
            root_of[vocab[w]] = r
        root_of_code = root_of[word_id]
        lo, hi = int(offsets[0]), int(offsets[-1])
        span = codes[lo:hi]  # the texts' span: every position is in a text
        pos = np.flatnonzero((root_of_code >= 0)[span])  # a bool gather over the corpus: the one big pass
        slot = root_of_code[span[pos]].astype(np.int64)
        # a window may not run into the next text: the first position of every text but the first is a stop,
        # and so is the end
        stop = np.zeros(hi - lo + 1, dtype=bool)
        stop[offsets[1:] - lo] = True
        out_pos, out_len, out_node = [pos], [np.ones(len(pos), dtype=np.int64)], [slot + self.bases[1]]
        for depth, (table, children) in enumerate(self.steps, start=2):
            if not len(pos) or not len(table):
                break
            nxt = np.minimum(pos + (depth - 1), hi - lo)  # past the end: stop[hi - lo] is set
            alive = ~stop[nxt]
            pos, slot, nxt = pos[alive], slot[alive], nxt[alive]
            key = slot * width + word_id[span[nxt]]
            if children is None:
                slot = table[key]
                found = slot >= 0
                pos, slot = pos[found], slot[found]
            else:
                at = np.minimum(np.searchsorted(table, key), len(table) - 1)
                found = table[at] == key
                pos, slot = pos[found], children[at[found]]
            out_pos.append(pos)
            out_len.append(np.full(len(pos), depth, dtype=np.int64))
            out_node.append(slot + self.bases[depth])
        return np.concatenate(out_pos) + lo, np.concatenate(out_len), np.concatenate(out_node)
