"""Interruptions (Ctrl-C, SIGTERM) as one exception that cleanup code cannot mistake for an error.

:func:`handle_interrupts` makes SIGINT and SIGTERM raise :class:`Interrupted` in the main thread, so every
``finally`` runs (temporary files removed, the previous outputs put back) and the CLI exits with 130 or 143.
``Interrupted`` derives from ``BaseException``: ``except Exception`` blocks let it through, and Click does not
turn it into "Aborted!". Helper processes do not handle the signals themselves (:func:`child_ignores_interrupts`):
the parent ends them (:func:`end_pool`) once it is interrupted. :func:`signals_deferred` holds both signals back
while a few renames that must not be cut in half run.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Exit codes of a process ended by the signal: 128 + its number.
EXIT_CODES: dict[int, int] = {int(signal.SIGINT): 130, int(signal.SIGTERM): 143}


class Interrupted(BaseException):
    """The run was interrupted by ``signal_number`` (SIGINT or SIGTERM)."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number

    @property
    def exit_code(self) -> int:
        """The process exit status for this signal: 130 for SIGINT, 143 for SIGTERM, else 128 + the signal number."""
        return EXIT_CODES.get(self.signal_number, 128 + self.signal_number)


def _raise_interrupted(signal_number: int, frame: Any) -> None:
    raise Interrupted(signal_number)


@contextmanager
def handle_interrupts() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _raise_interrupted) for number in EXIT_CODES}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs (a few renames); they are delivered when it ends.
    Only the main thread can do so (elsewhere the block runs as is)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = set(EXIT_CODES)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def child_ignores_interrupts() -> None:
    """Initializer of helper processes: Ctrl-C (sent to the whole process group) is left to the parent, and
    SIGTERM ends the process at once, without a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def end_pool(pool: Any) -> None:
    """Stop a ``ProcessPoolExecutor`` now: pending work cancelled, running helpers terminated."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way to reach the workers
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
