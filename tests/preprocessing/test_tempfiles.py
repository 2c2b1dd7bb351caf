"""The caches' shared housekeeping (preprocessing/tempfiles.py): after a write, only the most recently used entries
are kept and a killed run's temporaries are removed, while a live run's are left alone."""

from __future__ import annotations

import os
from pathlib import Path

from preprocessing import tempfiles
from topics.pipeline.stage_cache import KEEP_ENTRIES, StageCache


def test_prune_keeps_the_most_recently_used_files_of_the_pattern(tmp_path: Path) -> None:
    for i in range(5):
        path = tmp_path / f"models-{i}.pkl"
        path.write_bytes(b"x")
        os.utime(path, (1_000 + i, 1_000 + i))
    (tmp_path / "themes-0.pkl").write_bytes(b"other kind")
    live = tmp_path / f".models-{os.getpid()}-abc.tmp"  # this process is writing it
    live.write_bytes(b"half")
    tempfiles.prune(tmp_path, "models", "models-*.pkl", keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "models-3.pkl", "models-4.pkl", "themes-0.pkl"]


def test_the_stage_cache_keeps_its_newest_entries_of_each_kind(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    for i in range(KEEP_ENTRIES + 2):
        cache.store("models", f"k{i}", {"i": i})
        os.utime(tmp_path / f"models-k{i}.pkl", (1_000 + i, 1_000 + i))
    cache.store("themes", "t", [1])
    kept = sorted(int(p.stem.removeprefix("models-k")) for p in tmp_path.glob("models-*.pkl"))
    assert kept == list(range(2, KEEP_ENTRIES + 2))
    assert cache.load("models", f"k{KEEP_ENTRIES + 1}") == {"i": KEEP_ENTRIES + 1} and cache.load("models", "k0") is None
    assert cache.load("themes", "t") == [1]
