"""research-topics: themes, topics and trends from publication lists.

The Python API (:mod:`topics.api`): ``topics.run(config)`` returns a :class:`~topics.api.Run` with the tables
as DataFrames, the report's figures and ``save``; ``topics.load_run(folder)`` reads a saved run's tables back.
The names load on first use, so importing ``topics`` (or ``topics.results``, as the reports do) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.5.0"
__all__ = ["Run", "RunConfig", "SavedRun", "__version__", "load_config", "load_run", "run"]

if TYPE_CHECKING:
    from topics.api import Run, SavedRun, load_run, run
    from topics.config import RunConfig, load_config

_LAZY = {"Run": "topics.api", "SavedRun": "topics.api", "load_run": "topics.api", "run": "topics.api",
         "RunConfig": "topics.config", "load_config": "topics.config"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'topics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
