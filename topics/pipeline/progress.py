"""Progress and stage timings for long work, on stderr (rich), silent when quiet."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class RunProgress:
    """Announces stages, shows a progress bar for per-paper work, records each stage's wall seconds and collects
    the run's user-facing warnings (:meth:`warn`: the terminal, manifest.json and the report's notes read them)."""

    def __init__(self, quiet: bool = False, console: Console | None = None) -> None:
        self.quiet = quiet
        self.console = console or Console(stderr=True)
        self.timings: dict[str, float] = {}
        self.peak_rss_mb: dict[str, float] = {}
        self.started = time.perf_counter()
        #: every warning of the run so far, in the order raised
        self.warnings: list[str] = []

    def elapsed(self) -> float:
        """Wall seconds since this object was made (the run's start)."""
        return time.perf_counter() - self.started

    def note(self, message: str) -> None:
        """Print ``message`` as plain text (no markup or highlighting) on the console, unless quiet."""
        if not self.quiet:
            self.console.print(message, highlight=False, markup=False, soft_wrap=True)

    def warn(self, message: str) -> None:
        """Record a user-facing warning and show it in the terminal (unless quiet)."""
        self.warnings.append(message)
        self.note(f"  warning: {message}")

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage (seconds, rounded to ms) under ``name``."""
        start = time.perf_counter()
        if not self.quiet:
            self.console.print(f"[dim]·[/dim] {name}…", highlight=False)
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - start, 3)
            self.peak_rss_mb[name] = peak_rss_mb()

    @contextmanager
    def bar(self, description: str, total: int, min_total: int = 500) -> Iterator[Callable[[int], None]]:
        """A progress bar of ``total`` steps; yields ``advance(n)``. Hidden when quiet or below ``min_total``
        steps (cheap steps finish before a bar helps; pass ``min_total=1`` for slow ones such as model fits)."""
        if self.quiet or total < min_total or not self.console.is_terminal:
            yield lambda n: None
            return
        columns = (
            TextColumn("  {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=self.console, transient=True) as progress:
            task = progress.add_task(description, total=total)
            yield lambda n: progress.advance(task, n)


def peak_rss_mb() -> float:
    """The peak resident set size of this process so far, in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
