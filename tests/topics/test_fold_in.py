"""topics.models.fold_in and Vocabulary.of_documents: what folding papers into fitted models rests on."""

from __future__ import annotations

import numpy as np

from preprocessing.token_arrays import TokenArrays
from topics.models.fold_in import per_word_bound, place_on_map, vocabulary_share
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import Vocabulary, build_vocabulary_arrays

DOCS = [
    [["reward", "policy", "agent", "reward"], ["agent", "explore"]],
    [["policy", "gradient", "reward", "agent"]],
    [["image", "pixel", "convolution", "image"]],
    [["pixel", "image", "segmentation"], ["convolution"]],
    [["reward", "agent", "policy"]],
    [["image", "convolution", "pixel"]],
]


def test_of_documents_counts_the_fitted_papers_as_the_vocabulary_did() -> None:
    """Counting the fitted papers again in the fitted dictionary gives the fitted count matrix exactly (the old
    papers of an update see what the fit saw); unknown words are left out."""
    arrays = TokenArrays.from_segments(DOCS)
    fitted = build_vocabulary_arrays(arrays, min_df=2, max_df=1.0)
    again = Vocabulary.of_documents(fitted.dictionary, arrays)
    assert again.terms == fitted.terms
    assert (again.matrix != fitted.matrix).nnz == 0
    new = TokenArrays.from_segments([[["reward", "zebra", "reward"]]])
    counts = Vocabulary.of_documents(fitted.dictionary, new).matrix.toarray()[0]
    assert counts[fitted.terms.index("reward")] == 2 and counts.sum() == 2


def test_vocabulary_share_is_the_share_of_known_tokens() -> None:
    arrays = TokenArrays.from_segments([[["a", "b"], ["c", "a"]], [["x"]], []])
    share = vocabulary_share(arrays, {"a", "c"})
    assert share[:2].tolist() == [0.75, 0.0] and np.isnan(share[2])


def test_per_word_bound_is_reproducible_and_worse_for_other_words() -> None:
    arrays = TokenArrays.from_segments(DOCS)
    vocabulary = build_vocabulary_arrays(arrays, min_df=1, max_df=1.0)
    model = LdaTopicModel(num_topics=2, passes=20, random_state=0).fit(vocabulary)
    first = per_word_bound(model, vocabulary.matrix, seed=3)
    assert np.array_equal(first, per_word_bound(model, vocabulary.matrix, seed=3))
    mixed = Vocabulary.of_documents(
        vocabulary.dictionary, TokenArrays.from_segments([[["reward", "image", "explore", "segmentation"]]])
    )
    assert per_word_bound(model, mixed.matrix)[0] < first.min()
    empty = Vocabulary.of_documents(vocabulary.dictionary, TokenArrays.from_segments([[["zebra"]]]))
    assert np.isnan(per_word_bound(model, empty.matrix)[0])


def test_place_on_map_takes_the_mean_of_the_nearest_mapped_papers() -> None:
    from scipy import sparse

    mapped = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]))
    coords = np.array([[0.0, 0.0], [10.0, 10.0], [2.0, 0.0]])
    new = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 0.0]]))
    placed = place_on_map(mapped, coords, new, neighbours=2)
    assert placed[0].tolist() == [1.0, 0.0]
    assert placed[1].tolist() == coords.mean(axis=0).tolist()
