"""Temporary files and folders that carry their writer's process id, so that the leftovers of a killed run
(SIGKILL, power loss: no ``finally`` ran) are recognised and removed by the next run, while those of a run still
writing are left alone.

Names look like ``.{kind}-{pid}-{random}{suffix}``; :func:`remove_orphans` deletes those whose process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from preprocessing.interrupts import signals_deferred


def prefix(kind: str) -> str:
    """The name prefix of this process's temporaries of ``kind`` (for ``tempfile.mkstemp``/``mkdtemp``)."""
    return f".{kind}-{os.getpid()}-"


def write_atomically(path: Path, kind: str, write: Callable[[BinaryIO], None], suffix: str = ".tmp") -> None:
    """Write ``path`` through ``write(stream)`` (a binary stream) into a temporary of ``kind`` beside it, synced
    to disk, then renamed over ``path``: readers see the old file or the whole new one, never half of it. The
    temporary is removed when anything fails; the error propagates."""
    path = Path(path)
    handle, tmp = tempfile.mkstemp(prefix=prefix(kind), suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_orphans(directory: Path, kind: str) -> int:
    """Delete the temporaries of ``kind`` in ``directory`` left by processes that no longer run; returns how many
    were removed (files and folders; errors are ignored: another run may be cleaning up too)."""
    pattern = re.compile(rf"^\.{re.escape(kind)}-(\d+)-")
    removed = 0
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def prune(directory: Path, kind: str, pattern: str, keep: int) -> None:
    """After a cache write: remove ``kind``'s orphaned temporaries (:func:`remove_orphans`) and all but the ``keep``
    most recently used files matching ``pattern`` (a glob, e.g. ``"models-*.pkl"``) in ``directory``."""
    remove_orphans(directory, kind)  # a killed run's half-written file
    try:
        files = sorted(Path(directory).glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:  # a file removed by another run between the glob and its stat
        return
    for old in files[keep:]:
        old.unlink(missing_ok=True)


def swap_in(staging: Path, target: Path, names: Sequence[str], old: Sequence[str] = ()) -> None:
    """Move the files ``names`` from ``staging`` into ``target`` as one set: the old versions of ``names`` and of
    ``old`` (files of an earlier set that the new one lacks) are moved aside into ``staging/.previous`` first;
    any failure or interruption (re-raised) puts every old file back and removes the new ones, so ``target``
    holds the old set or the new one, never a mix. Signals (Ctrl-C, SIGTERM) wait until the moves are done."""
    backup = staging / ".previous"
    moved: list[str] = []
    installed: list[str] = []
    with signals_deferred():  # Ctrl-C during the moves takes effect once the new set is in place
        try:
            backup.mkdir()
            for name in dict.fromkeys([*names, *old]):  # noted before its move: a failed move is undone too
                if (target / name).exists():
                    moved.append(name)
                    os.replace(target / name, backup / name)
            for name in names:
                installed.append(name)
                os.replace(staging / name, target / name)
        except BaseException:
            for name in installed:
                (target / name).unlink(missing_ok=True)
            for name in moved:
                if (backup / name).exists():
                    os.replace(backup / name, target / name)
            raise
