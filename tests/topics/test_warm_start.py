"""A refit aligned to an earlier run (``models.align_to``) starts from that run's topics and centroids, so a small
addition keeps the topics and the papers' topics (issue 19, point 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topics.config import PROJECT_ROOT, load_config
from topics.models.clusters import TfidfClusterModel
from topics.models.lda import LdaTopicModel
from topics.models.vocabulary import build_vocabulary
from topics.models.warm_start import WarmStart, carry_over, continued_offset
from topics.pipeline.frozen_state import warm_start_of
from topics.pipeline.progress import RunProgress
from topics.pipeline.runner import run_and_write
from topics.results import RunResult

EXAMPLE = PROJECT_ROOT / "data" / "ml-abstracts-sample.parquet"


def test_carry_over_keeps_shared_terms_and_fills_the_rest() -> None:
    old = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    moved = carry_over(old, ["a", "b", "c"], ["c", "x", "a"], fill=0.5)
    assert moved.tolist() == [[3.0, 0.5, 1.0], [6.0, 0.5, 4.0]]
    assert carry_over(old, ["a", "b", "c"], ["y"], fill=0.0).tolist() == [[0.0], [0.0]]


def test_continued_offset_is_the_next_pass_of_the_earlier_schedule() -> None:
    # 10 passes over 3,000 papers in chunks of 2,000: the first pass made 1.5 updates' worth of documents
    assert continued_offset(1.0, 10, 3000, 2000) == 12.5
    assert round(continued_offset(1.0, 10, 3000, 2000) ** -0.5, 2) == 0.28


def test_a_warm_start_of_another_size_is_not_used() -> None:
    warm = WarmStart(Path("models.pkl"), ("a", "b"), np.ones((3, 2)), ("a",), np.ones((2, 1)), fitted_papers=1000)
    assert warm.lda_start(["a", "b"], 4) is None and warm.cluster_start(["a"], 3) is None
    assert warm.lda_start(["b", "z"], 3).shape == (3, 2)
    # at most 10% more papers than the earlier fit
    assert warm.suits(1100) and not warm.suits(1101)


DOCS = [["policy", "reward", "agent", "action"]] * 6 + [["image", "pixel", "object", "scene"]] * 6


def test_lda_starts_from_given_topics_and_rejects_a_wrong_shape() -> None:
    vocabulary = build_vocabulary(DOCS, min_df=1, max_df=1.0)
    terms = vocabulary.terms
    start = np.ones((2, len(terms)))
    start[0, [terms.index(t) for t in ("image", "pixel", "object", "scene")]] = 50.0
    start[1, [terms.index(t) for t in ("policy", "reward", "agent", "action")]] = 50.0
    model = LdaTopicModel(num_topics=2, passes=2, random_state=1, init=start, offset=20.0).fit(vocabulary)
    # the started topics keep their places: topic 0 is the vision topic, topic 1 the RL one
    assert model.doc_topic_[:6].argmax(axis=1).tolist() == [1] * 6
    assert model.doc_topic_[6:].argmax(axis=1).tolist() == [0] * 6
    with pytest.raises(ValueError, match=r"init array must be positive with shape \(3, 8\)"):
        LdaTopicModel(num_topics=3, init=start).fit(vocabulary)


def test_kmeans_starts_from_given_centroids_over_the_vocabulary() -> None:
    vocabulary = build_vocabulary(DOCS, min_df=1, max_df=1.0)
    terms = vocabulary.terms
    start = np.zeros((2, len(terms)))
    start[0, [terms.index(t) for t in ("image", "pixel")]] = 1.0
    start[1, [terms.index(t) for t in ("policy", "reward")]] = 1.0
    model = TfidfClusterModel(num_clusters=2, init=start).fit(vocabulary)
    assert model.labels_.tolist() == [1] * 6 + [0] * 6
    assert model.kmeans_.n_init == 1
    with pytest.raises(ValueError, match=r"init array must have shape \(2, 8\), got \(2, 3\)"):
        TfidfClusterModel(num_clusters=2, init=np.zeros((2, 3))).fit(vocabulary)


def _run(tmp: Path, name: str, papers: pd.DataFrame, *settings: str) -> RunResult:
    path = tmp / f"{name}.parquet"
    papers.to_parquet(path, index=False)
    config = load_config(None, [f"inputs=[{{path: '{path}'}}]", f"output.dir={tmp / name}", "report.map.method=svd",
                                "cache.enabled=false", *settings])
    return run_and_write(config, use_cache=False, progress=RunProgress(quiet=True))[0]


def _topic_of(result: RunResult, block: str) -> dict[str, int]:
    topics = getattr(result, block)
    return {pid: topics.topic_id(int(k)) for pid, k in zip(result.corpus.ids, topics.assignments)}


@pytest.mark.slow
def test_a_two_percent_addition_keeps_the_topics_and_the_papers_topics(tmp_path: Path) -> None:
    papers = pd.read_parquet(EXAMPLE).sample(frac=1.0, random_state=42).reset_index(drop=True)
    first = _run(tmp_path, "base", papers.iloc[:3000])
    warm = warm_start_of(tmp_path / "base" / "topics.json")
    assert warm is not None and warm.fitted_papers == 3000
    second = _run(tmp_path, "grown", papers.iloc[:3060], f"models.align_to={tmp_path / 'base' / 'topics.json'}")
    assert len(second.corpus) == 3060
    lda = second.alignments["lda"]
    assert len(lda.gone) <= 1 and second.lda.n_topics == 12  # at least 11 of 12 topics kept
    old, new = _topic_of(first, "lda"), _topic_of(second, "lda")
    assert np.mean([new[pid] == topic for pid, topic in old.items()]) >= 0.95
    old, new = _topic_of(first, "clusters"), _topic_of(second, "clusters")
    assert len(second.alignments["clusters"].gone) <= 1
    assert np.mean([new[pid] == cluster for pid, cluster in old.items()]) >= 0.95
    said = " ".join(second.manifest["warnings"])
    assert "models.align_to" not in said  # nothing went wrong reading the earlier run's models


def test_a_run_without_models_pkl_is_aligned_without_a_warm_start(tmp_path: Path) -> None:
    (tmp_path / "topics.json").write_text("{}", encoding="utf-8")
    assert warm_start_of(tmp_path / "topics.json") is None
