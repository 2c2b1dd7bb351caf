"""Degenerate topics: one topic holding most papers, near-duplicate topics, topics of generic words; each flag
names the setting that would help, and a run shows them in its warnings and manifest.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import topics.quality.health as health
from tests.topics.helpers import SMALL_CSV, CliResult
from topics.quality.health import dominant_advice, topic_flags
from topics.results import TopicResult


def result(assignments: list[int], terms: list[list[str]], labels: tuple[str, ...] = ()) -> TopicResult:
    k = len(terms)
    doc_topic = np.eye(k)[np.asarray(assignments)]
    return TopicResult(
        backend="lda", topic_terms=tuple(tuple((t, 1.0 / (i + 1)) for i, t in enumerate(ts)) for ts in terms),
        doc_topic=doc_topic, doc_ids=tuple(str(i) for i in range(len(assignments))), coords=np.zeros((k, 2)),
        labels=labels,
    )


def distinct_terms(k: int) -> list[list[str]]:
    return [[f"t{topic}w{i}" for i in range(10)] for topic in range(k)]


def test_a_topic_with_most_papers_is_flagged_with_a_chunk_size_that_gives_more_updates() -> None:
    topics = result([0] * 86 + [1] * 10 + [2] * 4, distinct_terms(3), labels=("win, government", "film", "tech"))
    flags = topic_flags(topics, "lda", lda_schedule=(2000, 10))
    assert [(f.kind, f.topics, f.value, f.setting) for f in flags] == [("dominant", (0,), 0.86, "models.lda.chunksize=50")]
    assert flags[0].message == (
        "topic 0 (win, government) is the dominant topic of 86% of the papers (more than 40%): the model has not "
        "separated the corpus; with 100 papers and chunksize 2,000 each of the 10 passes makes 1 online update; "
        "try --set models.lda.chunksize=50"
    )
    assert flags[0].to_dict()["topics"] == [0]


def test_forty_percent_is_not_flagged_and_nothing_is_flagged_on_an_even_model() -> None:
    assert topic_flags(result([0] * 40 + [1] * 30 + [2] * 30, distinct_terms(3)), "lda", lda_schedule=(2000, 10)) == []


def test_dominant_advice() -> None:
    assert dominant_advice(2095, 2000, 10) == "models.lda.chunksize=260"  # BBC news: 2 updates a pass -> about 8
    assert dominant_advice(47_314, 2000, 3) == "models.lda.iterations=50"  # 24 updates a pass already
    assert dominant_advice(120, 2000, 10) == "models.lda.chunksize=50"  # never below 50


def test_near_duplicate_topics_are_flagged_with_one_topic_fewer() -> None:
    terms = distinct_terms(3)
    terms[2] = terms[1][:7] + ["x1", "x2", "x3"]  # 7 of 10 shared
    flags = topic_flags(result([0, 1, 2] * 10, terms), "lda")
    assert [(f.kind, f.topics, f.value, f.setting) for f in flags] == [("duplicate", (1, 2), 1.0, "models.lda.num_topics=2")]
    assert flags[0].message == "topic 1 and topic 2 share 7 of their top 10 terms: near-duplicates; try --set models.lda.num_topics=2"
    terms[2] = terms[1][:6] + ["x1", "x2", "x3", "x4"]  # 6 shared: not flagged
    assert topic_flags(result([0, 1, 2] * 10, terms), "lda") == []


def test_many_near_duplicate_pairs_make_one_flag_that_counts_the_topics_that_would_merge() -> None:
    terms = distinct_terms(6)
    terms[1] = terms[0][:8] + ["a1", "a2"]
    terms[2] = terms[0][:7] + ["b1", "b2", "b3"]
    terms[4] = terms[3][:9] + ["c1"]
    flags = topic_flags(result(list(range(6)) * 5, terms), "clusters")
    assert [(f.kind, f.topics, f.value, f.setting) for f in flags] == [
        ("duplicate", (0, 1, 2, 3, 4), 4.0, "models.clusters.num_clusters=3")  # {0, 1, 2} and {3, 4} merge
    ]
    assert flags[0].message == (
        "4 pairs of clusters share 7 or more of their top 10 terms (0 and 1: 8; 0 and 2: 7; 1 and 2: 7; 3 and 4: 9): "
        "near-duplicates; try --set models.clusters.num_clusters=3"
    )


def test_topics_of_generic_words_are_flagged_with_the_stop_words_to_add() -> None:
    terms = [["say", "year", "time", "mr", "people", "film", "music", "award", "star", "show"], *distinct_terms(4)[1:]]
    frequency = {"say": 0.6, "year": 0.5, "time": 0.4, "mr": 0.3, "people": 0.25, "film": 0.1, "award": 0.21}
    # 30 papers: too few to tell generic words from the subject's own
    assert topic_flags(result([0, 1, 2] * 10, terms), "lda", document_frequency=frequency) == []
    tenth = [0] * 12 + [1, 2, 3] * 36  # topic 0 is the topic of 10% of 120 papers: common means more than 20%
    flags = topic_flags(result(tenth, terms), "lda", document_frequency=frequency)
    assert [(f.kind, f.topics, f.value) for f in flags] == [("generic", (0,), 6.0)]
    assert flags[0].setting == "preprocessing.extra_stop_words=[say, year, time, mr, people, award]"
    assert "6 of its top 10 terms (say, year, time, mr, people, award) occur in more than 20% of the papers" in flags[0].message
    frequency["award"] = 0.2  # at 20%, not more: five generic terms still flag, four would not
    assert topic_flags(result(tenth, terms), "lda", document_frequency=frequency)[0].value == 5.0
    frequency["people"] = 0.1
    assert topic_flags(result(tenth, terms), "lda", document_frequency=frequency) == []


def test_a_topic_s_own_words_in_its_many_papers_are_not_generic() -> None:
    terms = [["say", "year", "time", "mr", "people", "film", "music", "award", "star", "show"], *distinct_terms(3)[1:]]
    frequency = {"say": 0.6, "year": 0.5, "time": 0.4, "mr": 0.3, "people": 0.25, "film": 0.1, "award": 0.21}
    # topic 0 holds a third of the papers: only words in more than two thirds of them would be generic
    assert topic_flags(result([0, 1, 2] * 40, terms), "lda", document_frequency=frequency) == []
    frequency.update({"year": 0.7, "time": 0.7, "mr": 0.7, "people": 0.7})
    flags = topic_flags(result([0, 1, 2] * 40, terms), "lda", document_frequency=frequency)
    assert [(f.kind, f.topics, f.value) for f in flags] == []  # four words past 67%: fewer than five
    frequency["award"] = 0.7
    flags = topic_flags(result([0, 1, 2] * 40, terms), "lda", document_frequency=frequency)
    assert [(f.kind, f.value) for f in flags] == [("generic", 5.0)]
    assert "occur in more than 67% of the papers" in flags[0].message


def test_a_cluster_with_most_papers_is_flagged_with_what_to_look_at() -> None:
    flags = topic_flags(result([0] * 9 + [1], distinct_terms(2)), "clusters")
    assert [(f.kind, f.setting) for f in flags] == [("dominant", "")]
    assert flags[0].message == (
        "cluster 0 is the dominant cluster of 90% of the papers (more than 40%): the model has not separated the "
        "corpus; a corpus this size may hold fewer subjects than clusters (see any near-duplicate flag), or common "
        "words may dominate its TF-IDF vectors (preprocessing.extra_stop_words)"
    )


def test_a_run_shows_its_flags_in_the_terminal_and_manifest(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced: with the share threshold at 0 the largest topic of any model is 'dominant'."""
    monkeypatch.setattr(health, "DOMINANT_SHARE", 0.0)
    out = tmp_path / "out"
    run = cli("run", "--input", SMALL_CSV, "--set", "models.lda.num_topics=2", "--set", "models.clusters.num_clusters=2",
              "--set", "report.map.method=svd", "--out", out)
    assert run.code == 0, run.err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    lda = [f for f in manifest["topic_flags"] if f["model"] == "lda" and f["kind"] == "dominant"]
    assert [f["topics"] for f in lda] == [[0], [1]] and {f["setting"] for f in lda} == {"models.lda.chunksize=50"}
    assert lda[0]["message"] in manifest["warnings"]
    assert f"warning: {lda[0]['message']}" in " ".join(run.err.split())
