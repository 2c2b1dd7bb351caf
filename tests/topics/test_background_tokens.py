"""The labeller's background corpus is tokenised once per (background file, tokenizer): the shipped corpus carries
prepared tokens made with the default settings, other backgrounds and settings are tokenised once and cached."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from preprocessing.nlp import Tokenizer
from preprocessing.token_arrays import TokenArrays
from topics.config import DEFAULT_BACKGROUND_FILE, PROJECT_ROOT, load_config
from topics.pipeline.corpus_stage import build_tokenizer
from topics.themes.background import (
    BackgroundTokens,
    background_key,
    load_background,
    prepared_path,
    read_background_tokens,
    tokenize_background_file,
)

DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "default.yaml"
SMALL_CSV = PROJECT_ROOT / "tests" / "data" / "topics" / "small.csv"


def texts_as_words(arrays: TokenArrays) -> list[list[str]]:
    words = np.asarray(arrays.words + ["|"], dtype=object)  # -1 (a break) reads the appended "|"
    return [list(words[arrays.codes[arrays.offsets[i]:arrays.offsets[i + 1]]]) for i in range(len(arrays))]


def cached_copy(tmp_path: Path) -> tuple[Path, Path, Tokenizer, BackgroundTokens, Path]:
    """A copy of the small CSV as a user's background, loaded once into a fresh cache: ``(background file, cache
    folder, tokenizer, what it loaded, the one cache file written)``."""
    background = tmp_path / "mine.csv"
    shutil.copyfile(SMALL_CSV, background)
    cache = tmp_path / "cache"
    tokenizer = build_tokenizer(load_config(DEFAULT_CONFIG))
    first = load_background(background, tokenizer, cache)
    (stored,) = cache.glob("background-*.npz")
    return background, cache, tokenizer, first, stored


def test_the_shipped_prepared_tokens_are_current() -> None:
    tokenizer = build_tokenizer(load_config(DEFAULT_CONFIG))
    found = read_background_tokens(prepared_path(DEFAULT_BACKGROUND_FILE), background_key(DEFAULT_BACKGROUND_FILE, tokenizer))
    assert found is not None, (
        f"{prepared_path(DEFAULT_BACKGROUND_FILE)} was made by other tokenizer code or settings: run `make "
        "background-tokens` and commit the file"
    )
    assert len(found.keys) == 5530


@pytest.mark.slow
def test_the_prepared_tokens_are_what_the_tokenizer_gives() -> None:
    tokenizer = build_tokenizer(load_config(DEFAULT_CONFIG))
    prepared = load_background(DEFAULT_BACKGROUND_FILE, tokenizer, cache_dir=None)
    fresh = tokenize_background_file(DEFAULT_BACKGROUND_FILE, tokenizer)
    assert prepared.keys == fresh.keys
    for name in ("texts", "titles", "theme_texts", "theme_titles"):
        assert texts_as_words(getattr(prepared, name)) == texts_as_words(getattr(fresh, name)), name


def test_another_background_is_tokenised_once_then_read_from_the_cache(tmp_path: Path) -> None:
    background, cache, tokenizer, first, stored = cached_copy(tmp_path)
    assert stored.name == f"background-{background_key(background, tokenizer)}.npz"
    second = load_background(background, tokenizer, cache)
    assert second.keys == first.keys and len(first.keys) == 6
    assert texts_as_words(second.theme_texts) == texts_as_words(first.theme_texts)
    # other settings make other tokens: a second file, the first never read for them
    other = build_tokenizer(load_config(DEFAULT_CONFIG, ["preprocessing.extra_stop_words=[planning]"]))
    load_background(background, other, cache)
    assert len(list(cache.glob("background-*.npz"))) == 2
    # an edited background file is a new key too
    background.write_text(SMALL_CSV.read_text(encoding="utf-8").replace("Diffusion", "Flows"), encoding="utf-8")
    assert background_key(background, tokenizer) != stored.name[len("background-"):-len(".npz")]


def test_a_damaged_cache_file_is_tokenised_again(tmp_path: Path) -> None:
    background, cache, tokenizer, first, stored = cached_copy(tmp_path)
    stored.write_bytes(stored.read_bytes()[:200])  # as if a disk error had cut it short
    assert read_background_tokens(stored, background_key(background, tokenizer)) is None
    again = load_background(background, tokenizer, cache)
    assert texts_as_words(again.texts) == texts_as_words(first.texts)
    assert read_background_tokens(stored, background_key(background, tokenizer)) is not None


def test_the_runs_own_papers_are_left_out_by_normalised_title(tmp_path: Path) -> None:
    tokenizer = build_tokenizer(load_config(DEFAULT_CONFIG))
    background = tokenize_background_file(SMALL_CSV, tokenizer)
    (texts, titles), (theme_texts, _) = background.without(["  offline REINFORCEMENT learning, with conservative policies!"])
    assert len(texts) == len(titles) == len(theme_texts) == len(background.keys) - 1
    assert texts_as_words(texts) == texts_as_words(background.texts)[1:]
    (kept, _), _ = background.without([])
    assert kept is background.texts


def test_a_missing_background_names_the_file(tmp_path: Path) -> None:
    from preprocessing.errors import UserError

    tokenizer = build_tokenizer(load_config(DEFAULT_CONFIG))
    with pytest.raises(UserError, match=r"themes -> background: .*nope\.csv does not exist"):
        load_background(tmp_path / "nope.csv", tokenizer, tmp_path / "cache")
