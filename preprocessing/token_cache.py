"""On-disk token cache: a SQLite file keyed by (tokenizer fingerprint, text).

SQLite commits are atomic, so a run killed mid-write leaves the cache as it was before the last commit, never
half-written. The default folder is ``$XDG_CACHE_HOME/research-topics`` (else ``~/.cache/research-topics``).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from preprocessing.errors import UserError
from preprocessing.nlp import Segments

_SEGMENT_SEP = "|"
_TOKEN_SEP = " "


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "research-topics"


def _encode(segments: Segments) -> str:
    return _SEGMENT_SEP.join(_TOKEN_SEP.join(seg) for seg in segments)


def _decode(value: str) -> Segments:
    if not value:
        return []
    return [seg.split(_TOKEN_SEP) for seg in value.split(_SEGMENT_SEP)]


class TokenCache:
    """Token lists of texts already processed with the same settings (``fingerprint``)."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.path = Path(directory) / "tokens.sqlite"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.commit()
        except (OSError, sqlite3.Error) as error:
            raise UserError(
                f"{self.path}: cannot open the token cache ({error}); set cache.dir to a writable folder "
                "or run with --no-cache"
            ) from None

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.fingerprint}\0{text}".encode()).hexdigest()

    def get_many(self, texts: Sequence[str]) -> list[Segments | None]:
        """Cached segments per text, ``None`` where the text is not cached; same order as ``texts``."""
        keys = [self._key(t) for t in texts]
        found: dict[str, str] = {}
        step = 900  # SQLite's limit on bound parameters
        for start in range(0, len(keys), step):
            chunk = keys[start : start + step]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, value FROM tokens WHERE key IN ({marks})", chunk)
            found.update(rows.fetchall())
        return [_decode(found[k]) if k in found else None for k in keys]

    def put_many(self, items: Sequence[tuple[str, Segments]]) -> None:
        """Store segments for texts in one transaction."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO tokens (key, value) VALUES (?, ?)",
                [(self._key(text), _encode(segments)) for text, segments in items],
            )

    def close(self) -> None:
        self._db.close()
