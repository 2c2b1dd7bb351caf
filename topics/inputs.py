"""From the config's ``inputs`` to reader specs: folders expand to the supported files inside them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from preprocessing.errors import InputError
from preprocessing.readers import EXTENSION_FORMATS, InputSpec
from preprocessing.records import Paper, ReadResult
from topics.config import InputConfig

#: File endings read when an input is a folder: those the readers know.
SUPPORTED_SUFFIXES = tuple(EXTENSION_FORMATS)


def input_specs(inputs: Sequence[InputConfig]) -> list[InputSpec]:
    """One :class:`InputSpec` per file; a folder gives its supported files in name order."""
    specs: list[InputSpec] = []
    for item in inputs:
        path = Path(item.path)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            if not files:
                raise InputError(
                    path, "folder holds no input files", f"expected files ending in {', '.join(SUPPORTED_SUFFIXES)}"
                )
        else:
            files = [path]
        for file in files:
            specs.append(
                InputSpec(
                    path=file,
                    format=item.format,
                    period=item.period,
                    source=item.source,
                    columns=dict(item.columns),
                )
            )
    return specs


def input_filters(inputs: Sequence[InputConfig]) -> list[dict[str, tuple[str, ...]]]:
    """The ``where`` filter of each file of :func:`input_specs`, in the same order (a folder's files share
    their input's filter)."""
    filters: list[dict[str, tuple[str, ...]]] = []
    for item in inputs:
        path = Path(item.path)
        count = (
            len([p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES])
            if path.is_dir()
            else 1
        )
        filters.extend(dict(item.where) for _ in range(count))
    return filters


def _field_text(paper: Paper, name: str) -> str:
    value = getattr(paper, name)
    return "" if value is None else str(value)


def apply_filters(
    results: Sequence[ReadResult], filters: Sequence[dict[str, tuple[str, ...]]]
) -> tuple[list[ReadResult], int]:
    """Keep the papers of each result that match its filter (every field one of its values); returns the
    filtered results and how many papers the filters left out."""
    kept_results: list[ReadResult] = []
    excluded = 0
    for result, where in zip(results, filters):
        if not where:
            kept_results.append(result)
            continue
        kept = tuple(p for p in result.papers if all(_field_text(p, k) in values for k, values in where.items()))
        excluded += len(result.papers) - len(kept)
        kept_results.append(ReadResult(papers=kept, skipped=result.skipped, warnings=result.warnings))
    return kept_results, excluded
