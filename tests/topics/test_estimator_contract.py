"""Every local topic backend follows scikit-learn's estimator contract: keyword-only parameters that get_params,
set_params and clone round-trip, ``fit(X)`` returning the estimator with fitted ``attr_`` attributes, the same
result for the same ``random_state``, and ``transform`` refusing to run before ``fit``.

The Spark engine fits MLlib's estimators inside :func:`topics.models.spark_engine.fit_on_spark` and returns the
local result types; it has no estimator object of its own to hold to this contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError

from topics.models.clusters import TfidfClusterModel
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import Vocabulary, build_vocabulary

WORDS = [["policy", "reward", "agent", "value"], ["image", "pixel", "convolution", "segment"],
         ["gene", "protein", "cell", "sequence"]]


def planted_vocabulary(seed: int = 0) -> Vocabulary:
    """90 documents of 30 words, each from one of three disjoint word groups."""
    rng = np.random.default_rng(seed)
    documents = [list(rng.choice(WORDS[d % 3], size=30)) for d in range(90)]
    return build_vocabulary(documents, min_df=1, max_df=1.0)


BACKENDS: dict[str, tuple[Callable[..., BaseEstimator], dict[str, Any], str]] = {
    "lda": (LdaTopicModel, {"num_topics": 3, "passes": 5, "random_state": 3}, "topic_term_"),
    "clusters": (TfidfClusterModel, {"num_clusters": 3, "n_init": 2, "random_state": 3}, "centroids_"),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> tuple[Callable[..., BaseEstimator], dict[str, Any], str]:
    return BACKENDS[request.param]


def test_parameters_are_keyword_only_and_round_trip(backend: tuple[Callable[..., BaseEstimator], dict[str, Any], str]) -> None:
    make, params, _ = backend
    estimator = make(**params)
    assert {k: estimator.get_params()[k] for k in params} == params
    with pytest.raises(TypeError):
        make(3)
    copy = clone(estimator)
    assert copy is not estimator and copy.get_params() == estimator.get_params()
    changed = clone(estimator).set_params(random_state=9)
    assert changed.get_params()["random_state"] == 9 and estimator.get_params()["random_state"] == 3


def test_fit_returns_the_estimator_with_fitted_attributes_only_after_fit(
    backend: tuple[Callable[..., BaseEstimator], dict[str, Any], str],
) -> None:
    make, params, fitted_attribute = backend
    estimator = make(**params)
    assert not hasattr(estimator, fitted_attribute)
    with pytest.raises(NotFittedError):
        estimator.transform(planted_vocabulary())
    assert estimator.fit(planted_vocabulary()) is estimator
    assert getattr(estimator, fitted_attribute).shape[0] == 3
    assert clone(estimator).get_params() == estimator.get_params() and not hasattr(clone(estimator), fitted_attribute)


def test_the_same_random_state_gives_the_same_fit_and_transform(
    backend: tuple[Callable[..., BaseEstimator], dict[str, Any], str],
) -> None:
    make, params, fitted_attribute = backend
    vocabulary = planted_vocabulary()
    first, second = make(**params).fit(vocabulary), clone(make(**params)).fit(vocabulary)
    np.testing.assert_array_equal(getattr(first, fitted_attribute), getattr(second, fitted_attribute))
    np.testing.assert_array_equal(first.transform(vocabulary), second.transform(vocabulary))
    assert first.transform(vocabulary).shape == (90, 3)


def test_a_count_matrix_fits_like_its_vocabulary(backend: tuple[Callable[..., BaseEstimator], dict[str, Any], str]) -> None:
    make, params, fitted_attribute = backend
    vocabulary = planted_vocabulary()
    from_vocabulary = make(**params).fit(vocabulary)
    from_matrix = make(**params).fit(sparse.csr_matrix(vocabulary.matrix))
    if fitted_attribute == "centroids_":  # TF-IDF orders columns by term name: names differ, so compare by term
        order = np.argsort([vocabulary.terms[j] for j in from_matrix.columns_])
        np.testing.assert_allclose(
            np.sort(from_vocabulary.centroids_, axis=0), np.sort(from_matrix.centroids_[:, order], axis=0)
        )
    else:
        np.testing.assert_array_equal(from_vocabulary.topic_term_, from_matrix.topic_term_)


def test_the_backends_recover_three_planted_groups(backend: tuple[Callable[..., BaseEstimator], dict[str, Any], str]) -> None:
    make, params, _ = backend
    vocabulary = planted_vocabulary()
    estimator = make(**params).fit(vocabulary)
    groups = estimator.transform(vocabulary)
    assigned = groups.argmax(axis=1) if isinstance(estimator, LdaTopicModel) else groups.argmin(axis=1)
    truth = np.arange(90) % 3
    assert len({(t, a) for t, a in zip(truth, assigned)}) == 3  # one topic per group
