"""NPMI coherence over sliding windows (topics.quality.coherence): hand-computed values, gensim's c_npmi where its
window counting is exact, and blocks of any size giving the same counts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel

from preprocessing.token_arrays import TokenArrays
from topics.quality import coherence
from topics.quality.coherence import npmi_coherence, window_cooccurrence


def test_two_short_texts_hand_computed() -> None:
    # texts shorter than the window are one window each: a+b together in 1 of 2 windows, a in 2, b in 1
    texts = [["a", "b", "c"], ["a", "d"]]
    mean, per_topic = npmi_coherence([["a", "b"]], texts, Dictionary(texts))
    p_a, p_b, p_ab = 1.0, 0.5, 0.5
    expected = math.log((p_ab + 1e-12) / (p_a * p_b)) / -math.log(p_ab + 1e-12)
    assert per_topic == pytest.approx((expected,))
    assert mean == pytest.approx(expected)


def test_sliding_windows_count_each_window_once() -> None:
    # 12 tokens -> 3 windows of 10 (starting at 0, 1, 2); "x" at 0 lies only in the first, "y" at 11 only in the last
    text = ["x"] + [f"w{i}" for i in range(10)] + ["y"]
    counts, n_windows = window_cooccurrence(TokenArrays.from_segments([[text]]), {"x": 0, "y": 1, "w0": 2})
    assert n_windows == 3
    assert counts.tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 2]]


def test_blocks_give_the_same_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    words = [f"t{i}" for i in range(12)]
    texts = [[words[j] for j in rng.integers(0, 12, size=rng.integers(0, 40))] for _ in range(60)]
    arrays = TokenArrays.from_segments([[t] for t in texts])
    columns = {w: k for k, w in enumerate(words[:6])}
    whole, n_whole = window_cooccurrence(arrays, columns)
    monkeypatch.setattr(coherence, "OCCURRENCES_PER_BLOCK", 5)
    blocked, n_blocked = window_cooccurrence(arrays, columns)
    assert n_blocked == n_whole
    np.testing.assert_array_equal(blocked, whole)


def test_equals_gensim_c_npmi_when_no_word_repeats_in_a_window() -> None:
    # gensim's incremental window counting is exact when no word occurs twice within one window
    rng = np.random.default_rng(3)
    vocabulary = [f"w{i}" for i in range(40)]
    texts = [list(rng.choice(vocabulary, size=int(rng.integers(8, 15)), replace=False)) for _ in range(80)]
    dictionary = Dictionary(texts)
    topics = [vocabulary[:5], vocabulary[5:10], vocabulary[10:15]]
    ours, per_topic = npmi_coherence(topics, texts, dictionary, top_n=5)
    theirs = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence="c_npmi", topn=5, processes=1)
    assert per_topic == pytest.approx(tuple(theirs.get_coherence_per_topic()), abs=1e-9)
    assert ours == pytest.approx(theirs.get_coherence(), abs=1e-9)
