"""The run: the stages and their cache, progress, writing the outputs, and theme suggestions from a finished run.
:func:`topics.pipeline.runner.run` is the one place that orchestrates a run.

``from topics.pipeline import run, run_and_write`` (the module of 0.5.0) still works; new code uses
``topics.run`` (the Python API) or :mod:`topics.pipeline.runner`.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("run", "run_and_write"):
        from topics.pipeline import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'topics.pipeline' has no attribute {name!r}")
