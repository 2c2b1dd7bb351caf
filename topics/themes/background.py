"""The background corpus the theme labeller learns from beside the run's own papers.

A 23-paper listing cannot teach a classifier what marks a theme; a few thousand papers of the same field can.
The shipped background is the example corpus (``data/ml-abstracts-sample.parquet``, 5,530 ML conference papers
with abstracts). It is read with the same readers and tokenised with the same tokenizer as the run's papers;
papers whose normalised title is also in the run's corpus are left out, so no paper counts twice. The background
only supplies training papers: it is never labelled, reported or counted.

Tokenising the background costs a few seconds (11k texts, titles included), more than the rest of a small run,
so its tokens are kept once per (background file, tokenizer): first in a *prepared* file beside the background
(``<name>.tokens.npz``; the shipped corpus carries one made with the default settings, ``make background-tokens``
rebuilds it), then in the token cache folder (``background-<key>.npz``), where a run with other settings stores
what it tokenised. Both hold the whole deduplicated background, so a run over another corpus, which leaves out
other papers, reads the same file. A file whose key does not match (other settings, other tokenizer code, another
background file) is never used.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from preprocessing import tempfiles
from preprocessing.clean import normalise_title
from preprocessing.dedup import deduplicate
from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer
from preprocessing.readers import read_inputs
from preprocessing.token_arrays import TokenArrays
from topics.config import InputConfig
from topics.inputs import input_specs

#: Bumped when the layout of a background tokens file changes.
FORMAT = 1
#: The four token arrays of a background, in file order.
PARTS = ("texts", "titles", "theme_texts", "theme_titles")
_SEP = "\n"  # never inside a token or a normalised title (both are whitespace-free per word, joined by spaces)


@dataclass(frozen=True)
class BackgroundTokens:
    """The whole deduplicated background corpus, tokenised: ``texts``/``titles`` are corpus tokens and
    ``theme_texts``/``theme_titles`` theme tokens (:meth:`Tokenizer.arrays_with_themes`), one entry per paper, in
    file order; ``keys`` are the papers' normalised titles (:func:`normalise_title`)."""

    texts: TokenArrays
    titles: TokenArrays
    theme_texts: TokenArrays
    theme_titles: TokenArrays
    keys: tuple[str, ...]

    def without(
        self, exclude_titles: Sequence[str]
    ) -> tuple[tuple[TokenArrays, TokenArrays], tuple[TokenArrays, TokenArrays]]:
        """``((texts, titles), (theme texts, theme titles))`` of the papers whose normalised title is none of
        ``exclude_titles`` (the run's own papers)."""
        excluded = {normalise_title(t) for t in exclude_titles}
        keep = np.asarray([i for i, key in enumerate(self.keys) if key not in excluded], dtype=np.int64)
        if len(keep) == len(self.keys):
            return (self.texts, self.titles), (self.theme_texts, self.theme_titles)
        return (
            (self.texts.select(keep), self.titles.select(keep)),
            (self.theme_texts.select(keep), self.theme_titles.select(keep)),
        )


def background_key(path: Path, tokenizer: Tokenizer) -> str:
    """What a background tokens file must record to be used: a digest of the background file's bytes, the
    tokenizer's two fingerprints and :data:`FORMAT`."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    payload = f"{digest}:{tokenizer.settings.fingerprint()}:{tokenizer.theme_fingerprint()}:{FORMAT}"
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def prepared_path(path: Path) -> Path:
    """The prepared tokens file beside the background file ``path``: ``<stem>.tokens.npz``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.tokens.npz")


def _blob(strings: Sequence[str]) -> np.ndarray:
    return np.frombuffer(_SEP.join(strings).encode("utf-8"), dtype=np.uint8)


def _strings(blob: np.ndarray) -> list[str]:
    text = blob.tobytes().decode("utf-8")
    return text.split(_SEP) if text else []


def write_background_tokens(path: Path, key: str, background: BackgroundTokens) -> None:
    """Write ``background`` with its ``key`` to ``path`` (compressed ``.npz``), atomically."""
    arrays: dict[str, np.ndarray] = {"key": _blob([key]), "keys": _blob(background.keys)}
    for name in PARTS:
        part: TokenArrays = getattr(background, name)
        arrays[f"{name}_codes"] = part.codes.astype(np.int32)
        arrays[f"{name}_offsets"] = part.offsets.astype(np.int64)
        arrays[f"{name}_words"] = _blob(part.words)
    tempfiles.write_atomically(
        Path(path), "background", lambda stream: np.savez_compressed(stream, **arrays),  # type: ignore[arg-type]
        suffix=".npz.tmp",
    )


def read_background_tokens(path: Path, key: str) -> BackgroundTokens | None:
    """The background tokens in ``path`` when the file exists, reads back whole and records ``key``; else
    ``None`` (a missing, stale or damaged file is never used)."""
    if not Path(path).is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if _strings(data["key"]) != [key]:
                return None
            keys = tuple(_strings(data["keys"]))
            parts = {}
            for name in PARTS:
                codes, offsets = data[f"{name}_codes"], data[f"{name}_offsets"]
                words = _strings(data[f"{name}_words"])
                if len(offsets) != len(keys) + 1 or (len(codes) and int(codes.max(initial=-1)) >= len(words)):
                    return None
                parts[name] = TokenArrays(codes=codes.astype(np.int32), offsets=offsets.astype(np.int64), words=words)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None
    return BackgroundTokens(keys=keys, **parts)


def _check_exists(path: Path) -> None:
    """Raise :class:`UserError` naming ``path`` when the background file does not exist."""
    if not Path(path).is_file():
        raise UserError(
            f"themes -> background: {path} does not exist; give a CSV/JSONL/Parquet/BibTeX file of papers, "
            "or null to learn from the run's papers alone"
        )


def tokenize_background_file(path: Path, tokenizer: Tokenizer) -> BackgroundTokens:
    """Read, deduplicate and tokenise the background corpus at ``path`` (one spaCy pass for the corpus and the
    theme tokens). Raises :class:`UserError` naming the file when it does not exist or cannot be read."""
    _check_exists(path)
    papers = deduplicate(read_inputs(input_specs([InputConfig(path=Path(path))]))).papers
    texts, titles = [p.text for p in papers], [p.title for p in papers]
    corpus, themes = tokenizer.arrays_with_themes(texts + titles)
    n = len(papers)
    return BackgroundTokens(
        texts=corpus.slice(0, n), titles=corpus.slice(n, 2 * n),
        theme_texts=themes.slice(0, n), theme_titles=themes.slice(n, 2 * n),
        keys=tuple(normalise_title(p.title) for p in papers),
    )


def load_background(path: Path, tokenizer: Tokenizer, cache_dir: Path | None) -> BackgroundTokens:
    """The tokenised background corpus at ``path``: from its prepared file, else from ``cache_dir`` (``None``: no
    cache), else tokenised now and stored in ``cache_dir`` (a failed store only costs the next run the time)."""
    _check_exists(path)
    key = background_key(path, tokenizer)
    found = read_background_tokens(prepared_path(path), key)
    cached = Path(cache_dir) / f"background-{key}.npz" if cache_dir is not None else None
    if found is None and cached is not None:
        found = read_background_tokens(cached, key)
        if found is not None:
            os.utime(cached)  # most recently used
    if found is not None:
        return found
    background = tokenize_background_file(path, tokenizer)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            write_background_tokens(cached, key, background)
            tempfiles.prune(cached.parent, "background", "background-*.npz", KEEP_FILES)
        except OSError:
            pass
    return background


#: Background tokens files kept in a cache folder, the least recently used deleted first.
KEEP_FILES = 4
