"""spaCy tokenisation: texts -> lists of lemma segments.

A text becomes a list of *segments*: runs of kept tokens between dropped ones (stop words, punctuation,
numbers). Segments keep phrase detection honest: "learning of representations" never yields the bigram
"learning representation". Tokens are lowercase lemmas (``spacy.blank("en")`` + the lookup lemmatizer from
spacy-lookups-data by default, or a trained pipeline named in the config).

Beside the corpus tokens, the same pass can give the *theme tokens* the theme lexicon is matched on
(:meth:`Tokenizer.arrays_with_themes`): every token that holds a letter or a digit, stop words, short words
("q", "AI") and alphanumerics ("gpt-4") included, keyed by its corpus lemma where the corpus keeps it and by
its lowercase form where it does not; only punctuation and spaces are breaks. The corpus tokens (what the
models see) are the same with or without them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

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


def _chunk_items_in_child(
    chunks: list[str], themes: bool = False
) -> tuple[np.ndarray, list[str | None], list[str | None] | None]:
    """:meth:`Tokenizer._chunk_items` in a forked child, with the parent's tokenizer."""
    if _FORKED_TOKENIZER is None:
        raise RuntimeError("no tokenizer was set before the fork")
    return _FORKED_TOKENIZER._chunk_items(chunks, themes=themes)


#: Joins a theme token's match key and its surface form in the words of theme token arrays ("model\x1fmodels");
#: a word without it is both ("policy").
SURFACE_SEP = "\x1f"
#: Version of the theme-token rules; part of :meth:`Tokenizer.theme_fingerprint`.
THEME_TOKENS_FORMAT = 1


def is_theme_word(lower: str) -> bool:
    """True for a token the theme tokens keep although the corpus drops it: it holds a letter or a digit (so
    "ai", "q", "gpt-4", "2" but not "," or "(") and no "_" or control character."""
    return "_" not in lower and lower.isprintable() and any(c.isalnum() for c in lower)


def theme_item(lower: str, kept: str | None) -> str | None:
    """One theme token: the match key (``kept``, the corpus lemma, when the corpus keeps the token; else the
    lowercase form ``lower``), then :data:`SURFACE_SEP` and the surface form ``lower`` when it differs from the
    key (a hyphen inside a word adds "-" to the surface of the word before it: "in-"); ``None`` (a break) when
    the corpus drops the token and :func:`is_theme_word` is false."""
    if kept is None:
        if not is_theme_word(lower):
            return None
        kept = lower
    return kept if lower == kept else kept + SURFACE_SEP + lower


def _hyphenated(item: str) -> str:
    """``item`` (a :func:`theme_item`) with "-" after its surface form: a hyphen inside a word follows it."""
    key, surface = split_theme_word(item)
    return key + SURFACE_SEP + surface + "-"


def split_theme_word(word: str) -> tuple[str, str]:
    """``(match key, surface form)`` of a word of theme token arrays (see :func:`theme_item`)."""
    key, _, surface = word.partition(SURFACE_SEP)
    return key, surface or key


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
        """A hex digest of the settings, the versions of the libraries that make the tokens and this module's source
        (so tokens cached by other tokenizer code are never read back)."""
        payload = {
            "code": hashlib.sha1(Path(__file__).read_bytes()).hexdigest(),
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
    """The English stop words of spaCy plus domain and user stop words, lowercased."""
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
        """The spaCy pipeline of ``settings.spacy_model`` (:func:`load_pipeline`), loaded on first use and kept."""
        if self._nlp is None:
            self._nlp = load_pipeline(self.settings.spacy_model, self.settings.lemmatize)
        return self._nlp

    def _kept(self, token: spacy.tokens.Token) -> str | None:
        """The corpus token of ``token``: its lowercase lemma, or ``None`` when the corpus drops it (a stop word,
        shorter than ``min_token_length``, or not alphabetic)."""
        return self._keep(token.lower_, token.lemma_, token.is_alpha)

    def _keep(self, lower: str, lemma: str, is_alpha: bool) -> str | None:
        """:meth:`_kept` of a token from its lowercase form, its lemma as the pipeline gives it and
        ``is_alpha``."""
        settings = self.settings
        stop = settings.stop_words
        if settings.lemmatize:
            lemma = LEMMA_EXCEPTIONS.get(lower) or lemma.lower() or lower
        else:
            lemma = lower
        keep = is_alpha and len(lemma) >= settings.min_token_length and lower not in stop and lemma not in stop
        return lemma if keep else None

    def _segments(self, doc: spacy.tokens.Doc) -> Segments:
        segments: Segments = []
        current: list[str] = []
        for index, token in enumerate(doc):
            if _is_word_hyphen(doc, index):
                continue  # "fine-tuning": the words stay in one segment, so phrases can join them
            kept = self._kept(token)
            if kept is not None:
                current.append(kept)
            elif current:
                segments.append(current)
                current = []
        if current:
            segments.append(current)
        return segments

    def _theme_items(self, doc: spacy.tokens.Doc) -> list[str | None]:
        """The theme tokens of ``doc`` (one item per token but the hyphens inside words; ``None`` a break)."""
        items: list[str | None] = []
        for index, token in enumerate(doc):
            if token.is_space:
                items.append(None)
            elif _is_word_hyphen(doc, index):
                if items and items[-1] is not None:
                    items[-1] = _hyphenated(items[-1])
            else:
                items.append(theme_item(token.lower_, self._kept(token)))
        return items

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
        """Tokenise ``texts`` into :class:`TokenArrays` (same tokens and segments as :meth:`pipe`); see
        :meth:`_arrays` for how."""
        return self._arrays(texts, progress, themes=False)[0]

    def arrays_with_themes(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> tuple[TokenArrays, TokenArrays]:
        """The corpus tokens of ``texts`` (exactly :meth:`arrays`) and, from the same spaCy pass, their theme
        tokens: one item per token (breaks only at punctuation and spaces) whose words are :func:`theme_item`
        strings (match key, and surface form when it differs). With the context-free default pipeline the theme
        tokens have the corpus tokens' offsets and match them position for position: a corpus break is a theme
        token wherever the dropped token holds a letter or a digit, and every kept corpus word is the key of the
        theme token at its position."""
        corpus, themes = self._arrays(texts, progress, themes=True)
        return corpus, themes if themes is not None else TokenArrays.from_segments([])

    def theme_arrays(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> TokenArrays:
        """The theme tokens of ``texts`` alone (see :meth:`arrays_with_themes`)."""
        return self.arrays_with_themes(texts, progress)[1]

    def theme_fingerprint(self) -> str:
        """:meth:`TokenizerSettings.fingerprint` of the theme tokens (a token cache keyed by it holds theme
        tokens, never corpus tokens)."""
        payload = f"{self.settings.fingerprint()}:themes:{THEME_TOKENS_FORMAT}"
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def _arrays(
        self, texts: Sequence[str], progress: Callable[[int], None] | None, themes: bool
    ) -> tuple[TokenArrays, TokenArrays | None]:
        """Tokenise ``texts`` into :class:`TokenArrays`, and their theme tokens too when ``themes``.

        spaCy's tokenizer splits text at spaces first and handles each chunk between spaces on its own, and the
        lookup lemmatizer looks at one token at a time; so with a context-free pipeline each *distinct* chunk
        is tokenised once (a corpus of 47k abstracts has ~8M chunks but ~220k distinct ones) and the texts are
        assembled from the chunks' codes with numpy. A trained pipeline (context-dependent lemmas) runs
        :meth:`pipe` on whole texts. ``progress(n)`` is called as texts finish.
        """
        if not self.context_free:
            lowered = (t.lower() for t in texts)  # the lookup table is keyed by lowercase forms
            docs = self.nlp.pipe(lowered, batch_size=self.settings.batch_size, n_process=self.settings.n_process)
            segments: list[Segments] = []
            theme_docs: list[list[str | None]] = []
            for doc in docs:
                segments.append(self._segments(doc))
                if themes:
                    theme_docs.append(self._theme_items(doc))
            if progress:
                progress(len(texts))
            return TokenArrays.from_segments(segments), (_items_to_arrays(theme_docs) if themes else None)
        words: dict[str, int] = {}
        chunk_ids: dict[str, int] = {}
        pool = None
        if len(texts) >= PARALLEL_TEXTS and (os.cpu_count() or 1) > 1:
            global _FORKED_TOKENIZER
            _ = self.nlp  # loaded before the fork, so the child has it
            _FORKED_TOKENIZER = self
            pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=child_ignores_interrupts
            )
        try:
            return self._assemble(texts, words, chunk_ids, pool, progress, themes)
        except BaseException:
            if pool is not None:
                end_pool(pool)  # interrupted or failed: stop the helper now
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _assemble(
        self, texts: Sequence[str], words: dict[str, int], chunk_ids: dict[str, int], pool: Any,
        progress: Callable[[int], None] | None, themes: bool,
    ) -> tuple[TokenArrays, TokenArrays | None]:
        """The block loop of :meth:`arrays`: chunk codes per block, gathered into each text's codes (and the
        theme codes, from the same chunk table, when ``themes``)."""
        theme_words: dict[str, int] | None = {} if themes else None
        ptr = np.zeros(1, dtype=np.int64)
        items = np.zeros(0, dtype=np.int32)
        theme_table = np.zeros(0, dtype=np.int32)
        block_codes: list[np.ndarray] = []
        block_theme_codes: list[np.ndarray] = []
        doc_lengths: list[np.ndarray] = []
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
                lengths_new, items_new, theme_new = self._chunk_table(new, words, pool, theme_words)
                ptr = np.concatenate([ptr, ptr[-1] + np.cumsum(lengths_new)])
                items = np.concatenate([items, items_new])
                if theme_new is not None:
                    theme_table = np.concatenate([theme_table, theme_new])
            codes_of_chunks = to_global[local]
            starts, lengths = ptr[codes_of_chunks], ptr[codes_of_chunks + 1] - ptr[codes_of_chunks]
            block_codes.append(ragged_gather(items, starts, lengths))
            if themes:
                block_theme_codes.append(ragged_gather(theme_table, starts, lengths))
            doc_starts = np.concatenate([[0], np.cumsum(chunk_counts)[:-1]])
            doc_lengths.append(np.add.reduceat(lengths, doc_starts))
            if progress:
                progress(len(lowered))
        codes = np.concatenate(block_codes) if block_codes else np.zeros(0, dtype=np.int32)
        lengths_all = np.concatenate(doc_lengths) if doc_lengths else np.zeros(0, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths_all)]).astype(np.int64)
        corpus = TokenArrays(codes=codes.astype(np.int32, copy=False), offsets=offsets, words=list(words))
        if theme_words is None:
            return corpus, None
        theme_codes = np.concatenate(block_theme_codes) if block_theme_codes else np.zeros(0, dtype=np.int32)
        return corpus, TokenArrays(
            codes=theme_codes.astype(np.int32, copy=False), offsets=offsets.copy(), words=list(theme_words)
        )

    def _chunk_items(
        self, chunks: list[str], batch: int = 5000, themes: bool = False
    ) -> tuple[np.ndarray, list[str | None], list[str | None] | None]:
        """The tokens of every chunk, ragged: ``(lengths, items, theme_items)`` where chunk k's items follow chunk
        k-1's in ``items`` and number ``lengths[k]``; an item is a kept lemma or ``None`` (a dropped token: a break).
        With ``themes``, ``theme_items`` holds the theme token (:func:`theme_item`) of every item, one for one;
        else it is ``None``.

        Chunks are tokenised in batches joined by single spaces; each token is assigned back to its chunk by
        its character offset. A chunk's last token is followed by a space, as in the text it came from."""
        settings, stop = self.settings, self.settings.stop_words
        lemma_table = self._lemma_table()
        tokenizer = self.nlp.tokenizer
        lengths = np.zeros(len(chunks), dtype=np.int64)
        items: list[str | None] = []
        theme_items: list[str | None] | None = [] if themes else None
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
                    if theme_items is not None:
                        theme_items.append(None)
                    lengths[first + chunk] += 1
                    continue
                if token.text == "-" and _is_word_hyphen(doc, index):
                    if theme_items is not None and theme_items[-1] is not None:  # the word before it: "in-"
                        theme_items[-1] = _hyphenated(theme_items[-1])
                    continue  # "fine-tuning": the words stay in one segment, so phrases can join them
                lower = token.lower_
                if settings.lemmatize:
                    lemma = LEMMA_EXCEPTIONS.get(lower) or lemma_table.get(lower, lower).lower() or lower
                else:
                    lemma = lower
                alpha = token.is_alpha
                keep = alpha and len(lemma) >= settings.min_token_length and lower not in stop and lemma not in stop
                items.append(lemma if keep else None)
                if theme_items is not None:  # theme_item(lower, lemma if keep else None), inlined
                    if keep:
                        theme_items.append(lemma if lemma == lower else lemma + SURFACE_SEP + lower)
                    else:
                        theme_items.append(lower if alpha or is_theme_word(lower) else None)
                lengths[first + chunk] += 1
        return lengths, items, theme_items

    def _chunk_table(
        self, chunks: list[str], words: dict[str, int], pool: Any = None, theme_words: dict[str, int] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Codes of every chunk, ragged as in :meth:`_chunk_items`, with ``words`` filled (and the theme codes,
        one for one, with ``theme_words`` filled, when it is given); with ``pool`` (a forked process pool whose
        children see this tokenizer) the second half of the chunks is tokenised there while this process does the
        first."""
        themes = theme_words is not None
        if pool is not None and len(chunks) >= PARALLEL_CHUNKS:
            half = len(chunks) // 2
            future = pool.submit(_chunk_items_in_child, chunks[half:], themes)
            lengths_a, items_a, themes_a = self._chunk_items(chunks[:half], themes=themes)
            lengths_b, items_b, themes_b = future.result()
            lengths, raw = np.concatenate([lengths_a, lengths_b]), items_a + items_b
            raw_themes = themes_a + themes_b if themes_a is not None and themes_b is not None else None
        else:
            lengths, raw, raw_themes = self._chunk_items(chunks, themes=themes)
        codes = [BREAK if item is None else words.setdefault(item, len(words)) for item in raw]
        theme_codes = None
        if theme_words is not None and raw_themes is not None:
            theme_codes = np.asarray(
                [BREAK if item is None else theme_words.setdefault(item, len(theme_words)) for item in raw_themes],
                dtype=np.int32,
            )
        return lengths, np.asarray(codes, dtype=np.int32), theme_codes

    def _lemma_table(self) -> Any:
        """The lookup lemmatizer's table (``get(word, default)``), or an empty dict without one."""
        if "lemmatizer" not in self.nlp.pipe_names:
            return {}
        lemmatizer: Any = self.nlp.get_pipe("lemmatizer")
        return lemmatizer.lookups.get_table("lemma_lookup", {})

    def tokenize_phrase(self, text: str) -> list[str]:
        """One seed term ("reinforcement learning") as a flat token sequence, with the corpus's own filters."""
        return [tok for seg in self.phrase_segments(text) for tok in seg]

    def phrase_segments(self, text: str) -> list[list[str]]:
        """One term as token segments, split where running text would be ("inspired by the brain" gives
        ``[["inspire"], ["brain"]]``): a term of several segments can never match as one n-gram."""
        return [list(seg) for seg in self._segments(self.nlp(text.lower()))]

    def term_tokens(self, term: str) -> list[tuple[str | None, str]]:
        """One theme term tokenised as :meth:`arrays_with_themes` tokenises text: per token (hyphens inside words
        left out) its match key, or ``None`` where text is cut (punctuation), with the token as written
        (lowercase). "In-context learning" gives ``[("in", "in"), ("context", "context"), ("learning",
        "learning")]``, "AI safety" ``[("ai", "ai"), ("safety", "safety")]``."""
        text = " ".join(term.lower().split())
        doc = self.nlp.tokenizer(text) if self.context_free else self.nlp(text)
        lemma_table = self._lemma_table() if self.context_free else None
        out: list[tuple[str | None, str]] = []
        for index, token in enumerate(doc):
            if token.is_space or _is_word_hyphen(doc, index):
                continue
            lower = token.lower_
            # as in running text: the lemma from the lookup table for a context-free pipeline (:meth:`_chunk_items`)
            lemma = lemma_table.get(lower, lower) if lemma_table is not None else token.lemma_
            kept = self._keep(lower, lemma, token.is_alpha)
            item = theme_item(token.lower_, kept)
            out.append((None if item is None else split_theme_word(item)[0], token.lower_))
        return out


def _items_to_arrays(documents: Sequence[Sequence[str | None]]) -> TokenArrays:
    """:class:`TokenArrays` of texts given as item lists (a word, or ``None`` for a break), position for position."""
    index: dict[str, int] = {}
    codes = [BREAK if t is None else index.setdefault(t, len(index)) for doc in documents for t in doc]
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in documents])]).astype(np.int64)
    return TokenArrays(codes=np.asarray(codes, dtype=np.int32), offsets=offsets, words=list(index))
