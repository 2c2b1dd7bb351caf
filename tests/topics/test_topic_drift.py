"""Per-period top terms of LDA topics: binning periods, counting terms, attributing occurrences to topics."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from scipy import sparse

from topics.trends.topic_drift import (
    FRAME_COLUMNS,
    bin_periods,
    doc_term_counts,
    expected_topic_term_counts,
    responsibility_weights,
    topic_terms_by_period,
)

# --- bin_periods ----------------------------------------------------------------------------------------------


def test_bin_periods_keeps_each_period_when_few() -> None:
    assert bin_periods(["2019", "2020", "2021"], [5, 0, 7], max_bins=3) == [
        ("2019", ("2019",)), ("2020", ("2020",)), ("2021", ("2021",)),
    ]


def test_bin_periods_equal_counts_exact_groups() -> None:
    periods = [str(y) for y in range(2010, 2020)]
    bins = bin_periods(periods, [10] * 10, max_bins=3)
    # cuts where the cumulative count is closest to 1/3 and 2/3 of 100: after 3 periods (30) and 7 (70)
    assert bins == [
        ("2010-2012", ("2010", "2011", "2012")),
        ("2013-2016", ("2013", "2014", "2015", "2016")),
        ("2017-2019", ("2017", "2018", "2019")),
    ]


def test_bin_periods_unequal_counts_balance_papers() -> None:
    periods = ["a", "b", "c", "d", "e", "f"]
    bins = bin_periods(periods, [1, 1, 1, 1, 8, 8], max_bins=2)
    assert bins == [("a-e", ("a", "b", "c", "d", "e")), ("f", ("f",))]


def test_bin_periods_never_empty() -> None:
    periods = [str(y) for y in range(1990, 2002)]
    counts = [0, 0, 0, 50, 0, 0, 0, 0, 1, 0, 0, 0]
    bins = bin_periods(periods, counts, max_bins=6)
    assert 1 <= len(bins) <= 6
    assert [p for _, group in bins for p in group] == periods  # every period once, in order
    paper_count = dict(zip(periods, counts))
    assert all(group and sum(paper_count[p] for p in group) > 0 for _, group in bins)


def test_bin_periods_single_huge_period_stands_alone() -> None:
    periods = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"]
    bins = bin_periods(periods, [1, 1, 1, 1000, 1, 1, 1, 1], max_bins=3)
    assert bins == [("p1-p3", ("p1", "p2", "p3")), ("p4", ("p4",)), ("p5-p8", ("p5", "p6", "p7", "p8"))]


def test_bin_periods_all_zero_counts_split_by_periods() -> None:
    bins = bin_periods(list("abcdef"), [0] * 6, max_bins=3)
    assert [group for _, group in bins] == [("a", "b"), ("c", "d"), ("e", "f")]


def test_bin_periods_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        bin_periods(["a", "b"], [1], max_bins=2)


# --- doc_term_counts ------------------------------------------------------------------------------------------


def test_doc_term_counts_exact() -> None:
    docs = [["a", "b", "a", "zz"], [], ["c", "c", "c", "b"]]
    matrix = doc_term_counts(docs, ["a", "b", "c", "unused"])
    assert matrix.shape == (3, 4)
    np.testing.assert_array_equal(matrix.toarray(), [[2, 1, 0, 0], [0, 0, 0, 0], [0, 1, 3, 0]])


# --- topic_terms_by_period ------------------------------------------------------------------------------------

TERMS = ["alpha", "beta", "gamma", "delta", "epsilon"]
#: topic 0 emits alpha, beta and gamma; topic 1 delta and epsilon.
PHI = np.array([[0.5, 0.25, 0.25, 0.0, 0.0], [0.0, 0.0, 0.0, 0.5, 0.5]])


def drifting_corpus() -> tuple[list[list[str]], list[str], np.ndarray]:
    """Period A papers say "alpha beta", period B papers "alpha gamma", all mix in some topic-1 words."""
    docs, periods, theta = [], [], []
    for period, word in (("A", "beta"), ("B", "gamma")):
        for i in range(5):
            docs.append(["alpha", word] * 3 + ["delta", "epsilon"] * (i % 2 + 1) + ["unknown"])
            periods.append(period)
            theta.append([0.7, 0.3])
    return docs, periods, np.array(theta)


def test_topic_vocabulary_drifts_between_periods() -> None:
    docs, periods, theta = drifting_corpus()
    counts = doc_term_counts(docs, TERMS)
    result = topic_terms_by_period(counts, theta, PHI, TERMS, periods, ["A", "B"], [7, 9], ["zero", "one"], top_n=2)
    frame = result.frame
    assert list(frame.columns) == FRAME_COLUMNS
    assert result.bins == ("A", "B")
    top = {(t, b): list(g.sort_values("rank")["term"]) for (t, b), g in frame.groupby(["topic", "bin"])}
    assert "beta" in top[(7, "A")] and "gamma" not in top[(7, "A")]
    assert "gamma" in top[(7, "B")] and "beta" not in top[(7, "B")]
    assert set(top[(9, "A")]) == {"delta", "epsilon"}
    # with disjoint topic vocabularies every occurrence goes wholly to its topic: 15 alpha, 15 beta in A
    a0 = frame[(frame.topic == 7) & (frame.bin == "A")].set_index("term")
    assert a0.loc["alpha", "weight"] == pytest.approx(15.0)
    assert a0.loc["beta", "weight"] == pytest.approx(15.0)
    # beta is half of the topic's words in A but a quarter of the topic overall
    assert a0.loc["beta", "lift"] == pytest.approx(2.0)
    assert a0.loc["alpha", "lift"] == pytest.approx(1.0)
    assert list(frame["topic"].drop_duplicates()) == [7, 9]
    assert (frame.groupby(["topic", "bin"])["rank"].apply(list) == frame.groupby(["topic", "bin"])["rank"].apply(
        lambda r: list(range(1, len(r) + 1)))).all()


def test_expected_counts_conserve_tokens() -> None:
    rng = np.random.default_rng(3)
    n_docs, n_terms, n_topics = 40, 25, 4
    counts = rng.poisson(0.8, size=(n_docs, n_terms)).astype(float)
    theta = rng.dirichlet(np.ones(n_topics), size=n_docs)
    phi = rng.dirichlet(np.ones(n_terms), size=n_topics)
    weights = responsibility_weights(sparse.csr_matrix(counts), theta, phi, chunk=7)  # many small chunks
    rows = np.arange(0, n_docs, 2)
    expected = expected_topic_term_counts(weights, theta, phi, rows)
    assert expected.shape == (n_topics, n_terms)
    assert expected.sum() == pytest.approx(counts[rows].sum(), abs=1e-6)
    np.testing.assert_allclose(expected.sum(axis=0), counts[rows].sum(axis=0), atol=1e-9)  # per term too
    # the same as the explicit per-occurrence responsibilities
    resp = theta[rows][:, :, None] * phi[None]  # (docs, topics, terms)
    resp /= resp.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(expected, (resp * counts[rows][:, None, :]).sum(axis=0), atol=1e-9)


def test_unattributable_occurrences_are_dropped() -> None:
    theta = np.array([[1.0, 0.0]])  # the paper has only topic 0, which never emits "delta"
    weights = responsibility_weights(sparse.csr_matrix([[2.0, 0, 0, 1.0, 0]]), theta, PHI)
    expected = expected_topic_term_counts(weights, theta, PHI, np.array([0]))
    assert expected.sum() == pytest.approx(2.0)
    assert np.isfinite(expected).all()


def test_periods_are_binned_and_empty_bins_skipped() -> None:
    docs, periods, theta = drifting_corpus()
    counts = doc_term_counts(docs, TERMS)
    ordered = ["0", "A", "B", "C"]  # "0" and "C" have no papers
    result = topic_terms_by_period(counts, theta, PHI, TERMS, periods, ordered, [0, 1], ["t0", "t1"], max_bins=4)
    assert result.bins == ("A", "B")
    binned = topic_terms_by_period(counts, theta, PHI, TERMS, periods, ordered, [0, 1], ["t0", "t1"], max_bins=2)
    assert binned.bins == ("0-A", "B-C")
    assert set(binned.frame["bin"]) == {"0-A", "B-C"}


def test_shape_mismatch_is_an_error() -> None:
    docs, periods, theta = drifting_corpus()
    counts = doc_term_counts(docs, TERMS)
    with pytest.raises(ValueError):
        topic_terms_by_period(counts, theta[:, :1], PHI, TERMS, periods, ["A", "B"], [0, 1], ["a", "b"])


def test_end_to_end_with_gensim_lda() -> None:
    rng = np.random.default_rng(0)
    early, late = ["learning", "network", "neuron"], ["learning", "network", "transformer"]
    other = ["protein", "gene", "cell"]
    docs, periods = [], []
    for period, words in (("2001", early), ("2002", early), ("2003", late), ("2004", late)):
        for _ in range(10):
            docs.append(rng.choice(words, size=20).tolist())
            periods.append(period)
            docs.append(rng.choice(other, size=20).tolist())
            periods.append(period)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    model = LdaModel(bows, id2word=dictionary, num_topics=2, passes=20, random_state=1, eval_every=None)
    phi = np.asarray(model.get_topics(), dtype=float)
    gamma, _ = model.inference(bows)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    terms = [dictionary[i] for i in range(len(dictionary))]
    counts = doc_term_counts(docs, terms)

    result = topic_terms_by_period(
        counts, theta, phi, terms, periods, ["2001", "2002", "2003", "2004"], [0, 1], ["a", "b"], top_n=3, max_bins=2
    )
    assert result.bins == ("2001-2002", "2003-2004")
    frame = result.frame
    # all occurrences are attributed: per bin, the weights of all terms sum to the bin's tokens
    weights = responsibility_weights(counts, theta, phi)
    early_rows = np.arange(40)
    assert expected_topic_term_counts(weights, theta, phi, early_rows).sum() == pytest.approx(800.0, abs=1e-6)
    ml_topic = int(np.argmax(phi[:, terms.index("learning")]))
    ml = frame[frame.topic == ml_topic]
    early_terms = set(ml[ml.bin == "2001-2002"]["term"])
    late_terms = set(ml[ml.bin == "2003-2004"]["term"])
    assert "neuron" in early_terms and "transformer" not in early_terms
    assert "transformer" in late_terms and "neuron" not in late_terms
    assert (frame["weight"] > 0).all() and (frame["lift"] > 0).all()
