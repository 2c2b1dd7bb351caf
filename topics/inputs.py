"""From the config's ``inputs`` to reader specs: folders expand to the supported files inside them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from preprocessing.errors import InputError
from preprocessing.readers import EXTENSION_FORMATS, InputSpec
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
                raise InputError(path, "folder holds no input files", f"expected files ending in {', '.join(SUPPORTED_SUFFIXES)}")
        else:
            files = [path]
        for file in files:
            specs.append(
                InputSpec(path=file, format=item.format, period=item.period, source=item.source, columns=dict(item.columns))
            )
    return specs
