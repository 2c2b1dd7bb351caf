"""Paths and helpers shared by the topics tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from topics.cli import main

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MILA_CONFIG = PROJECT_ROOT / "configs" / "mila.yaml"
THEMES_FILE = PROJECT_ROOT / "configs" / "themes" / "ml.yaml"
LISTINGS = PROJECT_ROOT / "data" / "listings"
TOPICS_DATA = PROJECT_ROOT / "tests" / "data" / "topics"
TINY_LISTING = TOPICS_DATA / "tiny.txt"
SMALL_CSV = TOPICS_DATA / "small.csv"
VENV_TOPICS = PROJECT_ROOT / ".venv" / "bin" / "topics"

#: Settings that keep runs quick without changing what is being tested.
FAST = ("--set", "report.map.method=svd")

#: The output files of a run on one period without venues (the trend tables beside trends.csv included).
ONE_PERIOD_FILES = (
    "manifest.json", "models.pkl", "papers.csv", "merges.csv", "report.html", "topics.json", "trends.csv", "trend_tests.csv",
    "topic_trends.csv",
    "topic_terms_over_time.csv", "theme_authors.csv", "thematic_map.csv", "thematic_evolution_nodes.csv",
    "thematic_evolution_links.csv", "bursts.csv", "coword_nodes.csv", "coword_edges.csv",
)
#: The output files of a run on two periods without venues (the listings): the comparison is added.
OUTPUT_FILES = (*ONE_PERIOD_FILES, "comparison.csv", "comparison_authors.csv")


def invoke(argv: Sequence[object]) -> int:
    """Run ``topics.cli.main`` in-process and return its exit code."""
    try:
        main([str(a) for a in argv])
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    return 0


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def listing_entry(title: str, authors: Sequence[str], abstract: str) -> str:
    """One paper in the listing text format."""
    return "\n".join([title, *authors, abstract]) + "\n"
