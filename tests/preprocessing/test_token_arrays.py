"""TokenArrays: the flat int32 representation of tokenised texts (preprocessing.token_arrays)."""

from __future__ import annotations

import numpy as np
import pytest

from preprocessing.token_arrays import BREAK, TokenArrays, ragged_gather

DOCS = [
    [["deep", "learning"], ["reward"]],
    [],
    [["reward", "shaping", "deep"]],
]


@pytest.fixture
def arrays() -> TokenArrays:
    return TokenArrays.from_segments(DOCS)


def test_from_segments_codes_words_and_breaks(arrays: TokenArrays) -> None:
    assert arrays.words == ["deep", "learning", "reward", "shaping"]
    assert arrays.codes.dtype == np.int32 and arrays.offsets.dtype == np.int64
    assert arrays.codes.tolist() == [0, 1, BREAK, 2, BREAK, 2, 3, 0, BREAK]
    assert arrays.offsets.tolist() == [0, 5, 5, 9]
    assert len(arrays) == 3 and arrays.n_tokens == 6
    assert arrays.doc_index().tolist() == [0, 0, 0, 0, 0, 2, 2, 2, 2]


def test_segments_and_flat_give_the_texts_back(arrays: TokenArrays) -> None:
    assert arrays.to_segments() == DOCS
    assert [arrays.flat(i) for i in range(3)] == [["deep", "learning", "reward"], [], ["reward", "shaping", "deep"]]


def test_select_reorders_and_repeats(arrays: TokenArrays) -> None:
    picked = arrays.select([2, 0, 2])
    assert picked.to_segments() == [DOCS[2], DOCS[0], DOCS[2]]
    assert picked.words is arrays.words


def test_slice_is_a_view_of_a_contiguous_range(arrays: TokenArrays) -> None:
    tail = arrays.slice(1, 3)
    assert tail.to_segments() == DOCS[1:]
    assert tail.offsets.tolist() == [0, 0, 4]
    assert np.shares_memory(tail.codes, arrays.codes)
    assert arrays.slice(0, 0).to_segments() == [] and len(arrays.slice(3, 3)) == 0


def test_concat_remaps_onto_one_word_list() -> None:
    first = TokenArrays.from_segments([[["b", "a"]]])
    second = TokenArrays.from_segments([[["a", "c"]], [["b"]]])
    both = TokenArrays.concat([first, second])
    assert both.words == ["b", "a", "c"]
    assert both.to_segments() == [[["b", "a"]], [["a", "c"]], [["b"]]]


def test_ragged_gather_matches_a_python_loop() -> None:
    rng = np.random.default_rng(0)
    values = rng.integers(0, 100, size=50).astype(np.int32)
    starts = rng.integers(0, 40, size=20)
    lengths = rng.integers(0, 10, size=20)
    expected = np.concatenate([values[s : s + n] for s, n in zip(starts, lengths)])
    np.testing.assert_array_equal(ragged_gather(values, starts, lengths), expected)
    assert ragged_gather(values, np.array([3]), np.array([0])).tolist() == []
