"""Progress bars show counts on a terminal and stay silent when the output is not one (a pipe, a file, CI)."""

from __future__ import annotations

import io

import numpy as np
from gensim.corpora import Dictionary
from rich.console import Console
from scipy import sparse

from preprocessing.token_arrays import TokenArrays
from topics.config import validate_config
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import Vocabulary
from topics.pipeline.model_stages import fit_lda
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


def _papers(n_docs: int) -> tuple[Vocabulary, TokenArrays]:
    """Two made-up topics over 40 terms, ``n_docs`` papers of 30 words each (seeded): the vocabulary (count
    matrix shape ``(n_docs, 40)``) and the papers' tokens."""
    rng = np.random.default_rng(0)
    terms = [f"term{j}" for j in range(40)]
    rows, segments = [], []
    for i in range(n_docs):
        words = rng.integers(0, 20, size=30) + (20 if i % 2 else 0)
        rows.append(np.bincount(words, minlength=40))
        segments.append([[terms[w] for w in words]])
    matrix = sparse.csr_matrix(np.asarray(rows, dtype=np.float64))
    return Vocabulary(dictionary=Dictionary([terms]), matrix=matrix), TokenArrays.from_segments(segments)


def _vocabulary(n_docs: int) -> Vocabulary:
    return _papers(n_docs)[0]


def _fit_lda(console: Console, n_docs: int = 2_100) -> str:
    config = validate_config({"models": {"lda": {"num_topics": 2, "passes": 10, "stability_seeds": 1}}})
    vocabulary, tokens = _papers(n_docs)
    ids = [f"p{i}" for i in range(n_docs)]
    fit_lda(config, vocabulary, tokens, ids, RunProgress(console=console))
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_lda_fit_and_stability_refits_count_papers_times_passes_on_a_terminal() -> None:
    shown = _fit_lda(Console(file=io.StringIO(), force_terminal=True, width=120))
    assert "LDA, 10 passes" in shown and "LDA stability, 1 refit" in shown
    assert "21000/21000" in shown  # 2,100 papers x 10 passes, for the fit and for the refit on all papers


def test_lda_bars_stay_silent_off_a_terminal_and_for_small_fits() -> None:
    assert _fit_lda(Console(file=io.StringIO(), force_terminal=False, width=120)) == ""
    assert "LDA" not in _fit_lda(Console(file=io.StringIO(), force_terminal=True, width=120), n_docs=200)


def test_lda_fit_progress_advances_by_its_training_steps() -> None:
    vocabulary = _vocabulary(300)
    model = LdaTopicModel(num_topics=2, passes=3, chunksize=100, random_state=0)
    seen: list[int] = []
    model.fit(vocabulary, progress=seen.append)
    assert seen == [100] * 9 and sum(seen) == model.training_steps(300)
    assert model.model_.on_chunk is None  # not kept: the fitted model stays picklable
