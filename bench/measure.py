"""Run one command as a child process and measure its wall seconds and peak memory.

Memory is measured two ways and the larger is reported as ``peak_rss_mib``:

* ``maxrss_mib``: the kernel's ``ru_maxrss`` of the child from ``os.wait4`` - the peak resident set of the
  largest single process among the child and the descendants it waited for (exact, but a maximum over
  processes, not a sum: concurrent worker processes are not added up);
* ``tree_pss_mib``: the peak, sampled every ``interval`` seconds, of the summed proportional set size (PSS,
  ``/proc/PID/smaps_rollup``) of the child and all its live descendants - pages shared between processes
  (fork copy-on-write, shared libraries) are split between them, so the sum is the tree's real footprint.
  ``tree_rss_mib`` (summed VmRSS, shared pages counted once per process) is kept for reference only.

Units: seconds (wall clock, ``time.perf_counter``) and MiB (2**20 bytes; the kernel reports KiB).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

KIB_PER_MIB = 1024


@dataclass(frozen=True)
class Measured:
    """What one child run cost. Seconds and MiB; ``returncode`` is negative for a signal, None on timeout."""

    command: tuple[str, ...]
    returncode: int | None
    wall_s: float
    maxrss_mib: float
    tree_rss_mib: float
    tree_pss_mib: float
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def peak_rss_mib(self) -> float:
        """The larger of the biggest single process's peak RSS and the sampled peak PSS of the whole tree."""
        return max(self.maxrss_mib, self.tree_pss_mib)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def error_text(self, max_lines: int = 6) -> str:
        """The last few non-empty lines of stderr (else stdout), or the timeout / signal, as one line."""
        if self.timed_out:
            return f"timed out after {self.wall_s:.0f} s"
        lines = [line.strip() for line in (self.stderr or self.stdout).splitlines() if line.strip()]
        tail = " | ".join(lines[-max_lines:])
        return tail or f"exit code {self.returncode}"


def parse_kib_field(text: str, field: str) -> int | None:
    """The value in KiB of a ``Field:   123 kB`` line of /proc/PID/status or smaps_rollup, else None.

    >>> parse_kib_field("Name:\\tpython\\nVmRSS:\\t  2048 kB\\n", "VmRSS")
    2048
    """
    prefix = field + ":"
    for line in text.splitlines():
        if line.startswith(prefix):
            parts = line[len(prefix):].split()
            if parts and parts[0].isdigit():
                return int(parts[0])
    return None


def parse_stat_ppid(text: str) -> int | None:
    """The parent pid from the text of /proc/PID/stat (the command name may hold spaces and parentheses)."""
    close = text.rfind(")")
    if close < 0:
        return None
    fields = text[close + 1:].split()
    return int(fields[1]) if len(fields) > 1 and fields[1].lstrip("-").isdigit() else None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:  # the process ended between listing and reading, or the file is not readable
        return None


def process_tree(root: int, proc: Path = Path("/proc")) -> list[int]:
    """``root`` and its live descendants, found through the parent pid of every process in ``proc``."""
    children: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        text = _read(str(entry / "stat"))
        ppid = parse_stat_ppid(text) if text else None
        if ppid is not None:
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def tree_memory_kib(root: int) -> tuple[int, int]:
    """``(summed VmRSS, summed PSS)`` in KiB of ``root`` and its live descendants (0 for vanished ones)."""
    rss = pss = 0
    for pid in process_tree(root):
        status = _read(f"/proc/{pid}/status")
        rollup = _read(f"/proc/{pid}/smaps_rollup")
        this_rss = (parse_kib_field(status, "VmRSS") if status else None) or 0
        this_pss = parse_kib_field(rollup, "Pss") if rollup else None
        rss += this_rss
        pss += this_rss if this_pss is None else this_pss
    return rss, pss


class _Sampler(threading.Thread):
    """Samples the tree's memory every ``interval`` s and kills the process group past ``timeout`` s."""

    def __init__(self, pid: int, interval: float, timeout: float | None) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.timeout = pid, interval, timeout
        self.peak_rss_kib = self.peak_pss_kib = 0
        self.timed_out = False
        self.done = threading.Event()
        self.start_time = time.perf_counter()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                rss, pss = tree_memory_kib(self.pid)
            except OSError:
                rss = pss = 0
            self.peak_rss_kib = max(self.peak_rss_kib, rss)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            if self.timeout is not None and time.perf_counter() - self.start_time > self.timeout and not self.timed_out:
                self.timed_out = True
                try:
                    os.killpg(self.pid, signal.SIGKILL)  # the child leads its own session: its group is ours to end
                except ProcessLookupError:
                    pass
            self.done.wait(self.interval)


def run_measured(
    command: Sequence[str],
    log_dir: Path,
    name: str,
    timeout: float | None = None,
    interval: float = 0.2,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Measured:
    """Run ``command``, its stdout/stderr going to ``log_dir/name.out`` / ``.err``, and measure it.

    The child leads a new session so that a timeout (seconds) ends it and all its descendants at once.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            list(command), stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True,
            env=dict(env) if env is not None else None, cwd=cwd,
        )
        sampler = _Sampler(child.pid, interval, timeout)
        sampler.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:  # Ctrl-C reaches only the bench (the child leads its own session): end the child too
            sampler.done.set()
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.wait4(child.pid, 0)
            raise
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen so it does not wait again
    return Measured(
        command=tuple(command),
        returncode=None if sampler.timed_out else child.returncode,
        wall_s=wall,
        maxrss_mib=usage.ru_maxrss / KIB_PER_MIB,
        tree_rss_mib=sampler.peak_rss_kib / KIB_PER_MIB,
        tree_pss_mib=sampler.peak_pss_kib / KIB_PER_MIB,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
        timed_out=sampler.timed_out,
    )
