"""Interrupted runs: a run killed mid-way leaves the previous outputs intact and no half-written file, and the
caches are never read back corrupt. The runs are real ``topics run`` processes, signalled from outside."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from preprocessing import tempfiles
from preprocessing.interrupts import Interrupted
from preprocessing.token_arrays import TokenArrays
from preprocessing.token_cache import TokenCache
from tests.topics.helpers import MILA_CONFIG, PROJECT_ROOT, snapshot
from topics.config import load_config
from topics.pipeline import outputs
from topics.pipeline.runner import run_and_write

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from topics.cli import main; main()"]


def run_settings(out: Path, cache: Path, seed: int) -> list[str]:
    return ["--set", "report.map.method=svd", "--set", f"cache.dir={cache}", "--set", f"seed={seed}", "--out", str(out)]


def leftovers(folder: Path) -> list[str]:
    """Temporary files and folders (names starting with a dot) anywhere under ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*"))


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """A completed run of configs/mila.yaml: its output folder, cache folder and the outputs' bytes."""
    base = tmp_path_factory.mktemp("interrupts")
    out, cache = base / "out", base / "cache"
    done = subprocess.run([*CLI, "run", str(MILA_CONFIG), *run_settings(out, cache, 1), "-q"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out, cache, snapshot(out)


@pytest.mark.parametrize(("signal_number", "stage", "exit_code"), [
    (signal.SIGTERM, "spacy", 143), (signal.SIGINT, "lda", 130), (signal.SIGTERM, "report", 143),
])
def test_a_signalled_run_keeps_the_previous_outputs(
    finished: tuple[Path, Path, dict[str, bytes]], signal_number: int, stage: str, exit_code: int,
) -> None:
    out, cache, before = finished
    # another seed and no token cache hit for its models: this run would replace every output
    child = subprocess.Popen([*CLI, "run", str(MILA_CONFIG), *run_settings(out, cache, 7)], cwd=PROJECT_ROOT,
                             stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stderr is not None
    seen = []
    for line in child.stderr:  # progress lines: "· <stage>…" when a stage starts
        seen.append(line)
        if line.strip().startswith("·") and stage in line:
            break
    child.send_signal(signal_number)
    stdout, rest = child.communicate(timeout=120)
    stderr = "".join(seen) + rest
    assert child.returncode == exit_code, stderr
    assert f"interrupted ({signal.Signals(signal_number).name})" in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert snapshot(out) == before
    assert leftovers(out) == [] and leftovers(cache) == []
    for path in cache.glob("tokens-*.npz"):  # whatever reached the cache is whole
        with np.load(path, allow_pickle=False) as data:
            assert {"codes", "offsets", "words"} <= set(data.files)


def test_interrupted_swap_puts_the_previous_outputs_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted while the previous set is moved aside, and again while the new set is moved in (right after a
    move, before the writer could note it): either way the folder holds the previous set, and nothing else."""
    config = load_config(MILA_CONFIG, ["report.map.method=svd", f"output.dir={tmp_path / 'out'}", "cache.enabled=false"])
    result, paths = run_and_write(config, use_cache=False)
    before = snapshot(tmp_path / "out")
    real_replace = os.replace
    for interrupt_at in (len(before) // 2, len(before) + 3):
        calls: list[object] = []

        def replace_then_interrupt(source: object, target: object, calls: list[object] = calls,
                                   interrupt_at: int = interrupt_at) -> None:
            calls.append(target)
            real_replace(source, target)
            if len(calls) == interrupt_at:
                raise Interrupted(signal.SIGTERM)

        monkeypatch.setattr(outputs.os, "replace", replace_then_interrupt)
        with pytest.raises(Interrupted):
            outputs.write_outputs(result, "<html>changed</html>", tmp_path / "out")
        monkeypatch.undo()
        assert len(calls) > interrupt_at  # after the interruption, the rollback moved the previous files back
        assert snapshot(tmp_path / "out") == before, interrupt_at
        assert leftovers(tmp_path / "out") == []


def test_a_killed_cache_write_is_never_read_back(tmp_path: Path) -> None:
    """SIGKILL in the middle of writing a token cache file: no finally runs, so a temporary file is left; the
    cache reports a miss (never a half-written file), and the next store removes the orphan."""
    cache_dir = tmp_path / "cache"
    script = textwrap.dedent(f"""
        import os, signal
        import numpy as np
        from preprocessing.token_arrays import TokenArrays
        from preprocessing.token_cache import TokenCache

        def savez_then_die(stream, **arrays):
            stream.write(b"PK\\x03\\x04 half of a zip file")
            stream.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        np.savez = savez_then_die
        cache = TokenCache({str(cache_dir)!r}, "fingerprint")
        cache.store(["a text"], TokenArrays.from_segments([[["text"]]]))
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    orphans = list(cache_dir.glob(".tokens-*.npz.tmp"))
    assert len(orphans) == 1 and not list(cache_dir.glob("tokens-*.npz"))
    cache = TokenCache(cache_dir, "fingerprint")
    assert cache.load(["a text"]) is None
    cache.store(["a text"], TokenArrays.from_segments([[["text"]]]))
    assert cache.load(["a text"]).to_segments() == [[["text"]]]
    assert not orphans[0].exists()


def test_only_orphans_of_dead_processes_are_removed(tmp_path: Path) -> None:
    mine = tmp_path / f"{tempfiles.prefix('tokens')}abc.npz.tmp"
    mine.write_bytes(b"being written")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan_file = tmp_path / f".tokens-{int(dead.stdout)}-xyz.npz.tmp"
    orphan_file.write_bytes(b"left by a killed run")
    orphan_dir = tmp_path / f".topics-staging-{int(dead.stdout)}-q1"
    orphan_dir.mkdir()
    (orphan_dir / "papers.csv").write_text("half")
    assert tempfiles.remove_orphans(tmp_path, "tokens") == 1
    assert tempfiles.remove_orphans(tmp_path, "topics-staging") == 1
    assert mine.exists() and not orphan_file.exists() and not orphan_dir.exists()


def test_ending_a_pool_whose_worker_has_already_exited_is_quiet() -> None:
    """An interrupt after the clusters' process has finished and exited (its pool shut down without waiting)
    still ends the run cleanly: end_pool finds no worker to stop and raises nothing."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from preprocessing.interrupts import end_pool

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    assert pool.submit(os.getpid).result() != os.getpid()
    pool.shutdown(wait=False)
    end_pool(pool)
    pool.shutdown(wait=True)
