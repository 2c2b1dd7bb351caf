"""Progress bars show counts on a terminal and stay silent when the output is not one (a pipe, a file, CI)."""

from __future__ import annotations

import io

from rich.console import Console

from topics.pipeline.progress import RunProgress


def _run_bar(console: Console) -> None:
    progress = RunProgress(console=console)
    with progress.bar("spaCy", total=1_000) as advance:
        for _ in range(10):
            advance(100)


def test_a_bar_counts_steps_on_a_terminal() -> None:
    buffer = io.StringIO()
    _run_bar(Console(file=buffer, force_terminal=True, width=100))
    assert "spaCy" in buffer.getvalue() and "/1000" in buffer.getvalue()


def test_no_bar_when_the_output_is_not_a_terminal() -> None:
    buffer = io.StringIO()
    _run_bar(Console(file=buffer, force_terminal=False, width=100))
    assert buffer.getvalue() == ""


def test_no_bar_when_quiet_or_for_little_work() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with RunProgress(quiet=True, console=console).bar("spaCy", total=10_000) as advance:
        advance(10_000)
    with RunProgress(console=console).bar("spaCy", total=100) as advance:  # below min_total: done before it helps
        advance(100)
    assert buffer.getvalue() == ""
