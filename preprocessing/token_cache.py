"""On-disk token cache: the tokenised corpus as one ``.npz`` file per (tokenizer fingerprint, texts).

A run whose texts and tokenizer settings match a cached file reads the tokens back (well under a second for
47k papers) instead of tokenising again. Files are written to a temporary name and renamed into place, so a
run killed mid-write leaves no partial file under the cache's name; a file that cannot be read back (e.g. a
disk error) is deleted and the texts are tokenised again. The newest :data:`KEEP_FILES` files are kept. The
default folder is ``$XDG_CACHE_HOME/research-topics`` (else ``~/.cache/research-topics``).
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from preprocessing import tempfiles
from preprocessing.errors import UserError
from preprocessing.token_arrays import TokenArrays

#: Cached token files kept per folder, the least recently used deleted first (a run stores two per corpus, its
#: tokens and its theme tokens, and two for the labeller's background corpus).
KEEP_FILES = 24
#: Separates words in the stored word list (never part of a token: tokens are alphabetic).
_WORD_SEP = "\n"


def default_cache_dir() -> Path:
    """The default token cache folder: ``$XDG_CACHE_HOME/research-topics``, or ``~/.cache/research-topics``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "research-topics"


class TokenCache:
    """Token arrays of corpora already tokenised with the same settings (``fingerprint``)."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(
                f"{self.directory}: cannot create the token cache folder ({error.strerror or error}); set cache.dir "
                "to a writable folder or run with --no-cache"
            ) from None

    def path_for(self, texts: Sequence[str]) -> Path:
        """The cache file of ``texts`` (a digest of the fingerprint and every text, in order)."""
        digest = hashlib.sha256(self.fingerprint.encode())
        for text in texts:
            digest.update(text.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return self.directory / f"tokens-{digest.hexdigest()[:32]}.npz"

    def load(self, texts: Sequence[str]) -> TokenArrays | None:
        """The cached tokens of ``texts``, or ``None`` when they are not cached (or the file is unreadable)."""
        path = self.path_for(texts)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                codes, offsets = data["codes"], data["offsets"]
                words_blob = data["words"].tobytes().decode("utf-8")
            words = words_blob.split(_WORD_SEP) if words_blob else []
            if len(offsets) != len(texts) + 1 or (len(codes) and int(codes.max(initial=-1)) >= len(words)):
                raise ValueError("shape mismatch")
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            path.unlink(missing_ok=True)
            return None
        os.utime(path)  # most recently used
        return TokenArrays(codes=codes.astype(np.int32), offsets=offsets.astype(np.int64), words=words)

    def store(self, texts: Sequence[str], arrays: TokenArrays) -> None:
        """Write the tokens of ``texts`` atomically (temporary file, then rename); errors only warn by being
        ignored, since the cache is an optimisation."""
        path = self.path_for(texts)
        words = np.frombuffer(_WORD_SEP.join(arrays.words).encode("utf-8"), dtype=np.uint8)
        try:
            tempfiles.write_atomically(
                path, "tokens",
                lambda stream: np.savez(stream, codes=arrays.codes, offsets=arrays.offsets, words=words),
                suffix=".npz.tmp",
            )
            self._prune()
        except OSError:
            return

    def _prune(self) -> None:
        tempfiles.prune(self.directory, "tokens", "tokens-*.npz", KEEP_FILES)

    def close(self) -> None:
        """Nothing to release (kept for callers that close caches)."""
