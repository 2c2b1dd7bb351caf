"""Rebuild the prepared tokens of the shipped background corpus (``make background-tokens``).

``python -m topics.pipeline.prepare_background [CONFIG]`` tokenises the background corpus of CONFIG (default
``configs/default.yaml``: the shipped example corpus with the default preprocessing settings) and writes
``<background>.tokens.npz`` beside it (:mod:`topics.themes.background`). Runs with those settings then read the
background's tokens instead of tokenising 11k texts. Rebuild after changing the tokenizer or the default
preprocessing settings; tests/topics/test_background_tokens.py fails while the shipped file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from topics.config import PROJECT_ROOT, load_config
from topics.pipeline.corpus_stage import build_tokenizer
from topics.themes.background import background_key, prepared_path, tokenize_background_file, write_background_tokens

DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "default.yaml"


def prepare(config_path: Path = DEFAULT_CONFIG) -> Path:
    """Write the prepared tokens of ``config_path``'s background corpus; returns the file written."""
    config = load_config(config_path)
    if config.themes.background is None:
        raise SystemExit(f"{config_path}: themes -> background is null; there is no background to prepare")
    tokenizer = build_tokenizer(config)
    path = Path(config.themes.background)
    target = prepared_path(path)
    write_background_tokens(target, background_key(path, tokenizer), tokenize_background_file(path, tokenizer))
    return target


if __name__ == "__main__":
    written = prepare(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CONFIG)
    print(f"{written} ({written.stat().st_size / 1e6:.1f} MB)")
