"""Topic models that recover what is in a corpus: a planted corpus is found with the defaults, the corpus's own
uninformative words are learned, and a themes file's domain profile applies only with that themes file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from topics.config import DEFAULT_THEMES_FILE, load_config
from topics.models.corpus_stop_words import MIN_PAPERS, uninformative_terms, word_information
from topics.models.pilot_clusters import PilotClusters, pilot_clusters
from topics.pipeline.corpus_stage import build_tokenizer
from topics.pipeline.runner import run
from topics.themes.definitions import load_domain_profile, run_profile

N_TOPICS = 4
PAPERS_PER_TOPIC = 75
#: Made-up words of every planted paper's background, drawn evenly whatever its topic.
N_BACKGROUND = 30


def planted_words(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct made-up words (consonant-vowel syllables), unknown to the lemmatizer and stop lists."""
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(list(consonants)) + rng.choice(list(vowels)) for _ in range(3)))
    return sorted(words)


def planted_corpus(path: Path, seed: int = 7) -> tuple[list[int], list[str]]:
    """300 papers, 75 from each of 4 topics of 30 words; each abstract is 40 words, 85% from its topic (Zipf-like
    weights) and 15% from 30 background words (uniform). Written as CSV to ``path``; returns each paper's topic and
    the background words."""
    rng = np.random.default_rng(seed)
    vocabulary = planted_words(rng, 30 * N_TOPICS + N_BACKGROUND)
    background_words = vocabulary[30 * N_TOPICS :]
    weights = 1.0 / np.arange(1, 31)
    weights /= weights.sum()
    rows, truth = [], []
    for topic in range(N_TOPICS):
        words = vocabulary[30 * topic : 30 * (topic + 1)]
        for i in range(PAPERS_PER_TOPIC):
            own = rng.choice(words, size=34, p=weights).tolist()
            background = rng.choice(background_words, size=6).tolist()
            text = rng.permutation(own + background).tolist()
            rows.append({"title": f"Paper {topic}-{i} {' '.join(text[:3])}", "abstract": " ".join(text), "year": 2020 + i % 3})
            truth.append(topic)
    order = rng.permutation(len(rows))
    pd.DataFrame([rows[i] for i in order]).to_csv(path, index=False)
    return [truth[i] for i in order], background_words


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[int], list[str]]:
    path = tmp_path_factory.mktemp("planted") / "planted.csv"
    truth, background = planted_corpus(path)
    config = load_config(None, [
        f"inputs=[{{path: '{path}'}}]", f"models.lda.num_topics={N_TOPICS}", f"models.clusters.num_clusters={N_TOPICS}",
        "report.map.method=svd", "cache.enabled=false",
    ])
    return run(config), truth, background


def test_a_planted_corpus_is_recovered_by_lda_and_the_clusters_with_the_defaults(planted_run: tuple[Any, list[int], list[str]]) -> None:
    result, truth, _ = planted_run
    lda_ari = adjusted_rand_score(truth, result.lda.assignments)
    cluster_ari = adjusted_rand_score(truth, result.clusters.assignments)
    assert lda_ari >= 0.9, f"LDA ARI {lda_ari:.3f}"
    assert cluster_ari >= 0.9, f"clusters ARI {cluster_ari:.3f}"
    assert result.manifest["topic_flags"] == []


def test_a_forced_collapse_is_flagged_with_the_setting_that_undoes_it(tmp_path: Path) -> None:
    """Random topics smoothed by a huge topic-word prior (eta 1,000) let one topic take half the planted papers;
    the flag names the pilot start, and with it the four topics come back."""
    path = tmp_path / "planted.csv"
    truth, _ = planted_corpus(path)
    settings = [f"inputs=[{{path: '{path}'}}]", f"models.lda.num_topics={N_TOPICS}", "report.map.method=svd",
                "cache.enabled=false", "models.lda.eta=1000"]
    collapsed = run(load_config(None, [*settings, "models.lda.init=random"]))
    dominant = [f for f in collapsed.manifest["topic_flags"] if f["model"] == "lda" and f["kind"] == "dominant"]
    assert len(dominant) == 1 and dominant[0]["value"] > 0.4
    assert dominant[0]["setting"] == "models.lda.init=clusters"
    assert dominant[0]["message"].endswith("LDA started from random topics; try --set models.lda.init=clusters")
    assert dominant[0]["message"] in collapsed.warnings
    mended = run(load_config(None, [*settings, "models.lda.init=clusters"]))
    assert not [f for f in mended.manifest["topic_flags"] if f["kind"] == "dominant"]
    assert adjusted_rand_score(truth, mended.lda.assignments) >= 0.9


def test_the_words_spread_evenly_over_the_planted_topics_are_learned_as_uninformative(planted_run: tuple[Any, list[int], list[str]]) -> None:
    result, _, background = planted_run
    assert sorted(result.manifest["corpus_stop_words"]) == sorted(background)
    for terms in result.lda.topic_terms + result.clusters.topic_terms:
        assert not {t for t, _ in terms} & set(background)


def test_the_same_seed_gives_the_same_topics(tmp_path: Path) -> None:
    path = tmp_path / "planted.csv"
    planted_corpus(path, seed=11)
    settings = [f"inputs=[{{path: '{path}'}}]", "models.lda.num_topics=4", "report.map.method=svd", "cache.enabled=false"]
    first, second = run(load_config(None, settings)), run(load_config(None, settings))
    assert np.array_equal(first.lda.doc_topic, second.lda.doc_topic)
    assert first.lda.topic_terms == second.lda.topic_terms
    assert first.manifest["corpus_stop_words"] == second.manifest["corpus_stop_words"]


def pilot_of(labels: list[int]) -> PilotClusters:
    return PilotClusters(rows=np.arange(len(labels)), labels=np.asarray(labels), n_clusters=max(labels) + 1, n_docs=len(labels))


def test_word_information_is_zero_for_a_word_spread_like_the_papers_and_high_for_a_cluster_s_own_word() -> None:
    labels = [0] * 150 + [1] * 150
    spread = np.ones(300)  # in every paper
    own = np.r_[np.ones(150), np.zeros(150)]  # only in cluster 0
    rare = np.r_[np.zeros(299), 1.0]
    matrix = sparse.csr_matrix(np.c_[spread, own, rare])
    share, information = word_information(matrix, pilot_of(labels))
    assert share.tolist() == [1.0, 0.5, 1 / 300]
    assert information[0] == pytest.approx(0.0)
    assert information[1] == pytest.approx(np.log(2) - 1 / 300)  # less the chance information of 150 papers
    assert uninformative_terms(matrix, pilot_of(labels), min_df=0.03, max_information=0.05).tolist() == [0]


def test_no_word_is_learned_as_uninformative_from_too_few_papers() -> None:
    labels = [0, 1] * ((MIN_PAPERS - 2) // 2)
    matrix = sparse.csr_matrix(np.ones((len(labels), 3)))
    assert uninformative_terms(matrix, pilot_of(labels), min_df=0.03, max_information=0.05).tolist() == []


def test_the_pilot_clusters_a_seeded_sample_of_a_large_corpus() -> None:
    rng = np.random.default_rng(0)
    matrix = sparse.csr_matrix(rng.poisson(0.3, size=(600, 40)).astype(float))
    pilot = pilot_clusters(matrix, 3, seed=5, sample=200)
    again = pilot_clusters(matrix, 3, seed=5, sample=200)
    assert len(pilot.rows) == 200 and np.all(np.diff(pilot.rows) > 0)
    assert np.array_equal(pilot.rows, again.rows) and np.array_equal(pilot.labels, again.labels)
    counts = pilot.term_counts(matrix)
    assert counts.shape == (3, 40)
    assert counts.sum() == pytest.approx(matrix[pilot.rows].sum() * 3)  # scaled from 200 papers to 600


def test_the_ml_profile_applies_with_its_themes_file_only(tmp_path: Path) -> None:
    profile = load_domain_profile(DEFAULT_THEMES_FILE)
    assert {"propose", "method", "outperform"} <= set(profile.stop_words)
    assert {"model", "learning", "data"} <= set(profile.generic_terms)
    own_themes = tmp_path / "biology.yaml"
    own_themes.write_text("themes:\n  - id: genomics\n    label: Genomics\n    seeds: [genome]\n", encoding="utf-8")
    with_ml = load_config(None, [])
    with_own = load_config(None, [f"themes.file={own_themes}"])
    assert run_profile(with_ml) == profile
    assert run_profile(with_own).stop_words == () and run_profile(with_own).generic_terms == ()
    assert "propose" in build_tokenizer(with_ml).settings.stop_words
    assert "propose" not in build_tokenizer(with_own).settings.stop_words
    assert build_tokenizer(with_ml).settings.fingerprint() != build_tokenizer(with_own).settings.fingerprint()


def test_a_profile_in_a_user_s_themes_file_applies_and_config_lists_replace_it(tmp_path: Path) -> None:
    themes = tmp_path / "news.yaml"
    themes.write_text(
        "profile:\n  stop_words: [said, mr]\n  generic_terms: [people]\n"
        "themes:\n  - id: politics\n    label: Politics\n    seeds: [election]\n",
        encoding="utf-8",
    )
    config = load_config(None, [f"themes.file={themes}"])
    assert run_profile(config).stop_words == ("said", "mr")
    assert {"said", "mr"} <= build_tokenizer(config).settings.stop_words
    replaced = load_config(None, [f"themes.file={themes}", "preprocessing.generic_terms=[week]"])
    assert run_profile(replaced).generic_terms == ("week",) and run_profile(replaced).stop_words == ("said", "mr")


def test_an_unknown_key_in_a_profile_names_its_path(tmp_path: Path) -> None:
    themes = tmp_path / "news.yaml"
    themes.write_text("profile:\n  stopwords: [said]\nthemes:\n  - id: a\n    label: A\n    seeds: [x]\n", encoding="utf-8")
    from topics.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_domain_profile(themes)
    assert str(caught.value) == f"{themes}: unknown key 'profile -> stopwords'; allowed: stop_words, generic_terms"

