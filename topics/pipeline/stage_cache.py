"""On-disk cache of stage results, keyed by everything the stage depends on.

A rerun with the same inputs and settings reads the corpus and the fitted models back instead of recomputing
them: the warm rerun of a 47k-paper corpus takes seconds. Keys are SHA-256 digests of the stage's inputs
(file sizes and modification times, config sections, token digests, library versions), so any change
recomputes. Entries are pickles written to a temporary name and renamed into place (a killed run leaves no
partial entry); an entry that cannot be read back is deleted and recomputed. The newest :data:`KEEP_ENTRIES`
entries per kind are kept. Entries are only read from the cache folder the user configured (the default is
``$XDG_CACHE_HOME/research-topics``), written by this tool.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from preprocessing import tempfiles

#: Entries kept per kind (the least recently used are deleted).
KEEP_ENTRIES = 6
#: Bump when the layout of a cached object changes.
CACHE_FORMAT = 4


def stage_key(parts: Iterable[Any]) -> str:
    """A hex digest of ``parts``: numpy arrays by their bytes, other values by their JSON (or repr)."""
    digest = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(str((part.dtype, part.shape)).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        elif isinstance(part, bytes):
            digest.update(part)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def file_signature(path: Path) -> list[Any]:
    """Size and modification time of ``path``, or of every file under it when it is a folder."""
    path = Path(path)
    if path.is_dir():
        return [file_signature(p) for p in sorted(path.rglob("*")) if p.is_file()]
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


class StageCache:
    """Pickled stage results under ``directory`` (``{kind}-{key}.pkl``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.pkl"

    def load(self, kind: str, key: str) -> Any | None:
        """The stored ``kind`` result for ``key``, or ``None`` when there is none or it cannot be read (an unreadable
        entry is deleted); a hit marks the entry as recently used."""
        path = self._path(kind, key)
        if not path.exists():
            return None
        try:
            with path.open("rb") as stream:
                value = pickle.load(stream)
        except Exception:  # noqa: BLE001 - any unreadable entry is recomputed
            path.unlink(missing_ok=True)
            return None
        os.utime(path)
        return value

    def store(self, kind: str, key: str, value: Any) -> None:
        """Write atomically; a failure (full disk, unpicklable value) leaves the cache as it was."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tempfiles.write_atomically(
                self._path(kind, key), kind, lambda stream: pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            )
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return
        tempfiles.prune(self.directory, kind, f"{kind}-*.pkl", KEEP_ENTRIES)
