"""The background corpus the theme labeller learns from beside the run's own papers.

A 23-paper listing cannot teach a classifier what marks a theme; a few thousand papers of the same field can.
The shipped background is the example corpus (``data/ml-abstracts-sample.parquet``, 5,530 ML conference papers
with abstracts). It is read with the same readers and tokenised with the same tokenizer as the run's papers (and
cached the same way); papers whose normalised title is also in the run's corpus are left out, so no paper counts
twice. The background only supplies training papers: it is never labelled, reported or counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from preprocessing.clean import normalise_title
from preprocessing.dedup import deduplicate
from preprocessing.errors import UserError
from preprocessing.nlp import Tokenizer
from preprocessing.readers import read_inputs
from preprocessing.token_arrays import TokenArrays
from preprocessing.token_cache import TokenCache
from topics.config import InputConfig
from topics.inputs import input_specs


def background_texts(path: Path, exclude_titles: Sequence[str]) -> tuple[list[str], list[str]]:
    """Texts (title + abstract) and titles of the background corpus at ``path``, without the papers whose
    normalised title is one of ``exclude_titles``. Raises :class:`UserError` naming the file when it cannot be
    read."""
    if not Path(path).is_file():
        raise UserError(
            f"themes -> background: {path} does not exist; give a CSV/JSONL/Parquet/BibTeX file of papers, "
            "or null to learn from the run's papers alone"
        )
    corpus = deduplicate(read_inputs(input_specs([InputConfig(path=Path(path))])))
    excluded = {normalise_title(t) for t in exclude_titles}
    papers = [p for p in corpus.papers if normalise_title(p.title) not in excluded]
    return [p.text for p in papers], [p.title for p in papers]


def tokenize_background(
    texts: Sequence[str], titles: Sequence[str], tokenizer: Tokenizer, cache: TokenCache | None,
    theme_cache: TokenCache | None,
) -> tuple[tuple[TokenArrays, TokenArrays], tuple[TokenArrays, TokenArrays]]:
    """``((texts, titles), (theme texts, theme titles))``: the background's corpus tokens and theme tokens
    (:meth:`Tokenizer.arrays_with_themes`, one spaCy pass for both), read from ``cache`` and ``theme_cache`` when
    they hold them and stored there otherwise."""
    both = list(texts) + list(titles)
    corpus = cache.load(both) if cache is not None else None
    themes = theme_cache.load(both) if theme_cache is not None else None
    if corpus is None or themes is None:
        corpus, themes = tokenizer.arrays_with_themes(both)
        if cache is not None:
            cache.store(both, corpus)
        if theme_cache is not None:
            theme_cache.store(both, themes)
    n = len(texts)
    return (corpus.slice(0, n), corpus.slice(n, 2 * n)), (themes.slice(0, n), themes.slice(n, 2 * n))
