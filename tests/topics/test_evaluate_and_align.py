"""`topics evaluate` end to end, and topic ids that survive a rerun with another seed (``--align-to``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from tests.topics.helpers import SMALL_CSV, CliResult

#: Labels of the six papers of small.csv; neuro-2 is deliberately labelled "other".
SMALL_LABELS = {
    "rl-1": "reinforcement-learning",
    "rl-2": "reinforcement-learning",
    "gen-1": "generative-models",
    "gen-2": "generative-models",
    "neuro-1": "neuroscience",
    "neuro-2": "other",
}
EVALUATED = ("reinforcement-learning", "generative-models", "neuroscience")


def write_labels(path: Path, labels: dict[str, str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "themes"])
        writer.writerows(labels.items())
    return path


def test_evaluate_writes_evaluation_json_report_section_and_table(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    labels = write_labels(tmp_path / "labels.csv", SMALL_LABELS)
    out = tmp_path / "out"
    config = tmp_path / "run.yaml"
    config.write_text(
        f"inputs: [{{path: '{SMALL_CSV}'}}]\nmodels: {{lda: {{num_topics: 2}}, clusters: {{num_clusters: 2}}}}\n"
        "report: {map: {method: svd}}\n",
        encoding="utf-8",
    )
    result = cli("evaluate", config, "--labels", labels, "--out", out, "-q")
    assert result.code == 0, result.err
    assert "macro" in result.out and "Baseline F1" in result.out

    evaluation = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False).set_index("id")
    # recompute every figure independently from papers.csv and the labels
    per_theme = {entry["theme"]: entry for entry in evaluation["labeller"]["per_theme"]}
    f1s = []
    for theme in EVALUATED:
        given = {pid for pid, row in papers.iterrows() if theme in row["themes"].split(";")}
        gold = {pid for pid, label in SMALL_LABELS.items() if label == theme}
        tp = len(given & gold)
        precision = tp / len(given) if given else 0.0
        recall = tp / len(gold)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        assert per_theme[theme]["tp"] == tp
        assert per_theme[theme]["precision"] == round(precision, 4)
        assert per_theme[theme]["recall"] == round(recall, 4)
    assert evaluation["labeller"]["macro_f1"] == round(float(np.mean(f1s)), 4)
    assert evaluation["papers"]["evaluated"] == 6
    assert evaluation["baseline"]["macro_f1"] is not None

    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="evaluation"' in html and "Labelled against given themes" in html
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["evaluation"]["macro_f1"] == evaluation["labeller"]["macro_f1"]

    # a plain run afterwards replaces the set: the stale evaluation.json goes with it
    assert cli("run", config, "--out", out, "-q").code == 0
    assert not (out / "evaluation.json").exists()


def test_evaluate_with_an_unknown_theme_is_a_clear_error(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    labels = write_labels(tmp_path / "labels.csv", {"rl-1": "reinforcement-lerning"})
    config = tmp_path / "run.yaml"
    config.write_text(f"inputs: [{{path: '{SMALL_CSV}'}}]\n", encoding="utf-8")
    result = cli("evaluate", config, "--labels", labels, "--out", tmp_path / "out", "-q")
    assert result.code == 2
    assert result.err_lines == [
        f"error: {labels}:2: unknown theme id 'reinforcement-lerning' (did you mean 'reinforcement-learning'? "
        "theme ids come from the themes file; use 'other' for none)"
    ]
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------ stable topic ids

#: Four planted topics with disjoint vocabularies.
PLANTED = {
    "astronomy": "galaxy telescope star orbit planet comet nebula cosmic lunar solar asteroid eclipse",
    "biology": "protein enzyme cell gene membrane molecule receptor peptide tissue genome mutation bacteria",
    "football": "soccer goal match league player stadium coach tournament referee striker penalty season",
    "music": "piano melody guitar orchestra chord rhythm violin symphony concert harmony singer album",
}


def planted_corpus(path: Path, n_per_topic: int = 40, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    rows = []
    for name, words in PLANTED.items():
        vocab = words.split()
        for i in range(n_per_topic):
            text = " ".join(rng.choice(vocab, size=25))
            rows.append({"id": f"{name}-{i}", "title": f"{name} paper {i} {text[:40]}", "abstract": text})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_aligned_ids_survive_a_rerun_with_another_seed(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    corpus = planted_corpus(tmp_path / "planted.csv")
    config = tmp_path / "run.yaml"
    config.write_text(
        f"inputs: [{{path: '{corpus}'}}]\n"
        "preprocessing: {phrases: {enabled: false}, max_df: 1.0}\n"
        "models: {lda: {num_topics: 4}, clusters: {num_clusters: 4}}\n"
        "report: {map: {method: svd}}\n",
        encoding="utf-8",
    )
    first, second = tmp_path / "first", tmp_path / "second"
    assert cli("run", config, "--out", first, "-q").code == 0
    result = cli("run", config, "--out", second, "-q", "--set", "seed=7", "--align-to", first / "topics.json")
    assert result.code == 0, result.err

    def topic_of_each_planted_topic(folder: Path) -> dict[str, set[str]]:
        papers = pd.read_csv(folder / "papers.csv", dtype=str, keep_default_na=False)
        papers["planted"] = papers["id"].str.split("-").str[0]
        return {name: set(group["topic"]) for name, group in papers.groupby("planted")}

    before, after = topic_of_each_planted_topic(first), topic_of_each_planted_topic(second)
    assert all(len(ids) == 1 for ids in before.values()), before  # each planted topic is one LDA topic
    assert after == before  # ... and keeps its id after the rerun with another seed

    topics_before = {t["id"]: t["label"] for t in json.loads((first / "topics.json").read_text())["lda"]["topics"]}
    topics_after = {t["id"]: t["label"] for t in json.loads((second / "topics.json").read_text())["lda"]["topics"]}
    assert topics_after == topics_before  # ids and labels kept
    html = (second / "report.html").read_text(encoding="utf-8")
    assert "4 of 4 topics match a previous topic and keep its id and label" in html


def test_align_to_a_file_that_is_not_topics_json(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    bogus = tmp_path / "topics.json"
    bogus.write_text('{"themes": []}', encoding="utf-8")
    config = tmp_path / "run.yaml"
    config.write_text(f"inputs: [{{path: '{SMALL_CSV}'}}]\n", encoding="utf-8")
    result = cli("run", config, "--out", tmp_path / "out", "--align-to", bogus, "-q")
    assert result.code == 2
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith(f"error: {bogus}: ")
    assert "align_to" in result.err_lines[0]


# ------------------------------------------------------------------------------------------ num_topics: auto


def test_num_topics_auto_picks_the_planted_k(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    corpus = planted_corpus(tmp_path / "planted.csv")
    config = tmp_path / "run.yaml"
    config.write_text(
        f"inputs: [{{path: '{corpus}'}}]\n"
        "preprocessing: {phrases: {enabled: false}, max_df: 1.0}\n"
        "models: {lda: {num_topics: auto, k_range: {min: 2, max: 7, step: 1}}, clusters: {enabled: false}}\n"
        "report: {map: {method: svd}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert cli("run", config, "--out", out, "-q").code == 0
    topics = json.loads((out / "topics.json").read_text(encoding="utf-8"))["lda"]
    assert len(topics["topics"]) == 4
    assert all(0.0 <= t["stability"] <= 1.0 and 0.0 <= t["diversity"] <= 1.0 for t in topics["topics"])
    assert topics["metrics"]["stability"] > 0.8  # planted topics come back with every seed
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "LDA fitted with K = 2, 3, 4, 5, 6, 7; K = 4 was chosen" in html


def test_evaluate_reads_the_labels_from_the_config_or_says_where_to_give_them(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    """`topics evaluate CONFIG` with `evaluation: {labels: ...}` in the config needs no --labels (as
    configs/themes-dev-gold.yaml is meant to be run); without either, a clear error and exit code 2."""
    labels = write_labels(tmp_path / "labels.csv", SMALL_LABELS)
    base = (f"inputs: [{{path: '{SMALL_CSV}'}}]\nmodels: {{lda: {{num_topics: 2}}, clusters: {{num_clusters: 2}}}}\n"
            "report: {map: {method: svd}}\n")
    with_labels = tmp_path / "with.yaml"
    with_labels.write_text(base + "evaluation: {labels: labels.csv}\n", encoding="utf-8")
    result = cli("evaluate", with_labels, "--out", tmp_path / "out", "-q")
    assert result.code == 0, result.err
    evaluation = json.loads((tmp_path / "out" / "evaluation.json").read_text(encoding="utf-8"))
    assert evaluation["labels"] == str(labels.resolve()) and evaluation["papers"]["evaluated"] == 6
    without = tmp_path / "without.yaml"
    without.write_text(base, encoding="utf-8")
    result = cli("evaluate", without, "--out", tmp_path / "out2", "-q")
    assert result.code == 2
    assert result.err.strip() == (
        f"error: {without}: no labelled papers to evaluate against; give --labels FILE.csv or set evaluation -> labels in the config"
    )
    assert not (tmp_path / "out2").exists()
