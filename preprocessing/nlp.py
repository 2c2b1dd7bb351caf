"""spaCy tokenisation: texts -> lists of lemma segments.

A text becomes a list of *segments*: runs of kept tokens between dropped ones (stop words, punctuation,
numbers). Segments keep phrase detection honest: "learning of representations" never yields the bigram
"learning representation". Tokens are lowercase lemmas (``spacy.blank("en")`` + the lookup lemmatizer from
spacy-lookups-data by default, or a trained pipeline named in the config).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from importlib import metadata

import numpy as np
import pandas as pd
import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from preprocessing.errors import UserError
from preprocessing.interrupts import child_ignores_interrupts, end_pool
from preprocessing.token_arrays import BREAK, TokenArrays, ragged_gather

#: A tokenised text: segments of lowercase lemmas.
Segments = list[list[str]]

#: Texts tokenised per block by :meth:`Tokenizer.arrays` (bounds the memory of the chunk strings).
TEXT_BLOCK = 4000
#: From this many texts, :meth:`Tokenizer.arrays` tokenises half of each block's new chunks in a second process.
PARALLEL_TEXTS = 20000
#: ...when a block has at least this many new chunks (fewer are not worth the round trip).
PARALLEL_CHUNKS = 5000
#: The tokenizer a forked child process tokenises with (set just before the fork).
_FORKED_TOKENIZER: "Tokenizer | None" = None


def _chunk_items_in_child(chunks: list[str]) -> tuple[np.ndarray, list[str | None]]:
    """:meth:`Tokenizer._chunk_items` in a forked child, with the parent's tokenizer."""
    if _FORKED_TOKENIZER is None:
        raise RuntimeError("no tokenizer was set before the fork")
    return _FORKED_TOKENIZER._chunk_items(chunks)

#: Lemmas the lookup table gets wrong for research prose ("learning" the field, not "learn" the verb).
LEMMA_EXCEPTIONS: dict[str, str] = {
    "learning": "learning", "learnings": "learning", "data": "data", "ground": "ground", "bound": "bound",
    "bounds": "bound", "bounded": "bounded", "found": "found", "spiking": "spiking", "lying": "lying",
}


@dataclass(frozen=True)
class TokenizerSettings:
    """Everything that changes the tokens a text gets; its :meth:`fingerprint` keys the token cache."""

    spacy_model: str = "blank"
    lemmatize: bool = True
    min_token_length: int = 2
    stop_words: frozenset[str] = field(default_factory=frozenset)
    batch_size: int = 256
    n_process: int = 1

    def fingerprint(self) -> str:
        """A hex digest of the settings and the versions of the libraries that make the tokens."""
        payload = {
            "model": self.spacy_model,
            "lemmatize": self.lemmatize,
            "min_len": self.min_token_length,
            "stop": sorted(self.stop_words),
            "exceptions": sorted(LEMMA_EXCEPTIONS.items()),
            "spacy": spacy.__version__,
            "lookups": _version("spacy-lookups-data"),
            "format": 2,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def build_stop_words(domain: Sequence[str], extra: Sequence[str]) -> frozenset[str]:
    """spaCy's English stop words plus domain and user stop words, lowercased."""
    return frozenset(w.lower() for w in (*STOP_WORDS, *domain, *extra))


def load_pipeline(model: str = "blank", lemmatize: bool = True) -> Language:
    """The spaCy pipeline: ``blank("en")`` + lookup lemmatizer, or a trained package with heavy parts disabled."""
    if model == "blank":
        nlp = spacy.blank("en")
        if lemmatize:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            try:
                nlp.initialize()
            except (ValueError, OSError) as error:
                raise UserError(
                    f"spaCy's lookup lemmatizer could not load its tables ({error}); "
                    "install spacy-lookups-data (pip install spacy-lookups-data) or set preprocessing.lemmatize: false"
                ) from None
        return nlp
    try:
        return spacy.load(model, disable=["parser", "ner", "textcat"])
    except OSError:
        raise UserError(
            f"preprocessing -> spacy_model: spaCy pipeline {model!r} is not installed; install it "
            "(e.g. pip install it as a package) or use the default 'blank'"
        ) from None


def _is_word_hyphen(doc: spacy.tokens.Doc, index: int) -> bool:
    """True for the hyphen inside a hyphenated word: no space on either side, letters on both sides."""
    token = doc[index]
    if token.text != "-" or token.whitespace_ or index == 0 or index + 1 >= len(doc):
        return False
    before, after = doc[index - 1], doc[index + 1]
    return not before.whitespace_ and before.is_alpha and after.is_alpha


class Tokenizer:
    """Turns texts into :data:`Segments` with a spaCy pipeline and the filters of :class:`TokenizerSettings`."""

    def __init__(self, settings: TokenizerSettings) -> None:
        self.settings = settings
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_pipeline(self.settings.spacy_model, self.settings.lemmatize)
        return self._nlp

    def _segments(self, doc: spacy.tokens.Doc) -> Segments:
        settings = self.settings
        stop = settings.stop_words
        segments: Segments = []
        current: list[str] = []
        for index, token in enumerate(doc):
            if _is_word_hyphen(doc, index):
                continue  # "fine-tuning": the words stay in one segment, so phrases can join them
            lower = token.lower_
            if settings.lemmatize:
                lemma = LEMMA_EXCEPTIONS.get(lower) or token.lemma_.lower() or lower
            else:
                lemma = lower
            keep = (
                token.is_alpha
                and len(lemma) >= settings.min_token_length
                and lower not in stop
                and lemma not in stop
            )
            if keep:
                current.append(lemma)
            elif current:
                segments.append(current)
                current = []
        if current:
            segments.append(current)
        return segments

    @property
    def context_free(self) -> bool:
        """True when a token's lemma depends on the token alone (``blank`` + lookup lemmatizer, or no
        lemmatizer): then every distinct space-separated chunk of text is tokenised once (:meth:`arrays`)."""
        return self.settings.spacy_model == "blank"

    def pipe(self, texts: Sequence[str]) -> Iterator[Segments]:
        """Tokenise ``texts`` in order (segments of lemmas per text)."""
        if self.context_free:
            arrays = self.arrays(texts)
            for index in range(len(arrays)):
                yield arrays.segments(index)
            return
        lowered = (t.lower() for t in texts)  # the lookup table is keyed by lowercase forms
        docs = self.nlp.pipe(lowered, batch_size=self.settings.batch_size, n_process=self.settings.n_process)
        for doc in docs:
            yield self._segments(doc)

    def arrays(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> TokenArrays:
        """Tokenise ``texts`` into :class:`TokenArrays` (same tokens and segments as :meth:`pipe`).

        spaCy's tokenizer splits text at spaces first and handles each chunk between spaces on its own, and the
        lookup lemmatizer looks at one token at a time; so with a context-free pipeline each *distinct* chunk
        is tokenised once (a corpus of 47k abstracts has ~8M chunks but ~220k distinct ones) and the texts are
        assembled from the chunks' codes with numpy. A trained pipeline (context-dependent lemmas) runs
        :meth:`pipe` on whole texts. ``progress(n)`` is called as texts finish.
        """
        if not self.context_free:
            arrays = TokenArrays.from_segments(list(self.pipe(texts)))
            if progress:
                progress(len(texts))
            return arrays
        words: dict[str, int] = {}
        chunk_ids: dict[str, int] = {}
        ptr = np.zeros(1, dtype=np.int64)
        items = np.zeros(0, dtype=np.int32)
        block_codes: list[np.ndarray] = []
        doc_lengths: list[np.ndarray] = []
        pool = None
        if len(texts) >= PARALLEL_TEXTS and (os.cpu_count() or 1) > 1:
            global _FORKED_TOKENIZER
            self.nlp  # loaded before the fork, so the child has it
            _FORKED_TOKENIZER = self
            pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=child_ignores_interrupts
            )
        try:
            return self._assemble(texts, words, chunk_ids, ptr, items, block_codes, doc_lengths, pool, progress)
        except BaseException:
            if pool is not None:
                end_pool(pool)  # interrupted or failed: stop the helper now
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _assemble(
        self, texts: Sequence[str], words: dict[str, int], chunk_ids: dict[str, int], ptr: np.ndarray, items: np.ndarray,
        block_codes: list[np.ndarray], doc_lengths: list[np.ndarray], pool: Any, progress: Callable[[int], None] | None,
    ) -> TokenArrays:
        """The block loop of :meth:`arrays`: chunk codes per block, gathered into each text's codes."""
        for first in range(0, len(texts), TEXT_BLOCK):  # blocks keep the chunk strings of only a few texts in memory
            lowered = [t.lower() for t in texts[first : first + TEXT_BLOCK]]  # the lookup table is keyed by lowercase
            chunk_counts = np.fromiter((t.count(" ") + 1 for t in lowered), dtype=np.int64, count=len(lowered))
            local, distinct = pd.factorize(np.asarray(" ".join(lowered).split(" "), dtype=object), sort=False)
            to_global = np.empty(len(distinct), dtype=np.int64)
            new: list[str] = []
            for j, chunk in enumerate(distinct.tolist()):
                known = chunk_ids.get(chunk)
                if known is None:
                    known = chunk_ids[chunk] = len(chunk_ids)
                    # "" lies between two spaces in a row: spaCy makes a whitespace token of it, i.e. a break
                    new.append(chunk if chunk else "\n")
                to_global[j] = known
            if new:
                lengths_new, items_new = self._chunk_table(new, words, pool)
                ptr = np.concatenate([ptr, ptr[-1] + np.cumsum(lengths_new)])
                items = np.concatenate([items, items_new])
            codes_of_chunks = to_global[local]
            starts, lengths = ptr[codes_of_chunks], ptr[codes_of_chunks + 1] - ptr[codes_of_chunks]
            block_codes.append(ragged_gather(items, starts, lengths))
            doc_starts = np.concatenate([[0], np.cumsum(chunk_counts)[:-1]])
            doc_lengths.append(np.add.reduceat(lengths, doc_starts))
            if progress:
                progress(len(lowered))
        codes = np.concatenate(block_codes) if block_codes else np.zeros(0, dtype=np.int32)
        lengths_all = np.concatenate(doc_lengths) if doc_lengths else np.zeros(0, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths_all)]).astype(np.int64)
        return TokenArrays(codes=codes.astype(np.int32, copy=False), offsets=offsets, words=list(words))

    def _chunk_items(self, chunks: list[str], batch: int = 5000) -> tuple[np.ndarray, list[str | None]]:
        """The tokens of every chunk, ragged: ``(lengths, items)`` where chunk k's items follow chunk k-1's in
        ``items`` and number ``lengths[k]``; an item is a kept lemma or ``None`` (a dropped token: a break).

        Chunks are tokenised in batches joined by single spaces; each token is assigned back to its chunk by
        its character offset. A chunk's last token is followed by a space, as in the text it came from."""
        settings, stop = self.settings, self.settings.stop_words
        lemma_table = self._lemma_table()
        tokenizer = self.nlp.tokenizer
        lengths = np.zeros(len(chunks), dtype=np.int64)
        items: list[str | None] = []
        for first in range(0, len(chunks), batch):
            part = chunks[first : first + batch]
            doc = tokenizer(" ".join(part))
            ends = np.cumsum([len(c) + 1 for c in part]).tolist()  # offset just past each chunk's separator
            chunk = 0
            n = len(doc)
            for index in range(n):
                token = doc[index]
                while token.idx >= ends[chunk]:
                    chunk += 1
                if token.is_space:
                    items.append(None)
                    lengths[first + chunk] += 1
                    continue
                if token.text == "-" and _is_word_hyphen(doc, index):
                    continue  # "fine-tuning": the words stay in one segment, so phrases can join them
                lower = token.lower_
                if settings.lemmatize:
                    lemma = LEMMA_EXCEPTIONS.get(lower) or lemma_table.get(lower, lower).lower() or lower
                else:
                    lemma = lower
                keep = token.is_alpha and len(lemma) >= settings.min_token_length and lower not in stop and lemma not in stop
                items.append(lemma if keep else None)
                lengths[first + chunk] += 1
        return lengths, items

    def _chunk_table(self, chunks: list[str], words: dict[str, int], pool: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Codes of every chunk, ragged as in :meth:`_chunk_items`, with ``words`` filled; with ``pool`` (a
        forked process pool whose children see this tokenizer) the second half of the chunks is tokenised
        there while this process does the first."""
        if pool is not None and len(chunks) >= PARALLEL_CHUNKS:
            half = len(chunks) // 2
            future = pool.submit(_chunk_items_in_child, chunks[half:])
            lengths_a, items_a = self._chunk_items(chunks[:half])
            lengths_b, items_b = future.result()
            lengths, raw = np.concatenate([lengths_a, lengths_b]), items_a + items_b
        else:
            lengths, raw = self._chunk_items(chunks)
        codes = [BREAK if item is None else words.setdefault(item, len(words)) for item in raw]
        return lengths, np.asarray(codes, dtype=np.int32)


    def _lemma_table(self) -> Any:
        """The lookup lemmatizer's table (``get(word, default)``), or an empty dict without one."""
        if "lemmatizer" not in self.nlp.pipe_names:
            return {}
        return self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})

    def tokenize_phrase(self, text: str) -> list[str]:
        """One seed term ("reinforcement learning") as a flat token sequence, with the corpus's own filters."""
        return [tok for seg in self.phrase_segments(text) for tok in seg]

    def phrase_segments(self, text: str) -> list[list[str]]:
        """One term as token segments, split where running text would be ("inspired by the brain" gives
        ``[["inspire"], ["brain"]]``): a term of several segments can never match as one n-gram."""
        return [list(seg) for seg in self._segments(self.nlp(text.lower()))]
