"""Evaluation figures, asserted on ``fig.to_dict()``, from a hand-built Evaluation of two themes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from reports.figures.evaluation import (
    BASELINE_SERIES,
    MACRO_LABEL,
    NONE_LABEL,
    OTHER_LABEL,
    confusion_figure,
    evaluation_scores_figure,
)
from reports.style import PALETTE, UNASSIGNED_COLOR
from topics.evaluation import Evaluation, ThemeScore

RL, GEN = "reinforcement-learning", "generative-models"
LABELS = {RL: "<b>RL</b> & co", GEN: "Generative models"}
ESCAPED_RL = "&lt;b&gt;RL&lt;/b&gt; &amp; co"


def _evaluation() -> Evaluation:
    return Evaluation(
        labels_path="labels.csv",
        themes=(RL, GEN),
        scores=(
            ThemeScore(RL, precision=0.75, recall=0.6, f1=2 / 3, support=5, predicted=4, tp=3, fp=1, fn=2),
            ThemeScore(GEN, precision=0.5, recall=1.0, f1=2 / 3, support=2, predicted=4, tp=2, fp=2, fn=0),
        ),
        baseline=(
            ThemeScore(RL, precision=1.0, recall=0.4, f1=4 / 7, support=5, predicted=2, tp=2, fp=0, fn=3),
            ThemeScore(GEN, precision=0.0, recall=0.0, f1=0.0, support=2, predicted=0, tp=0, fp=0, fn=2),
        ),
        macro_f1=2 / 3,
        baseline_macro_f1=2 / 7,
        n_labelled=10,
        n_papers=9,
        n_unmatched=1,
        unmatched_examples=("line 11 ('x')",),
        gold_categories=(RL, GEN, "other"),
        predicted_categories=(RL, GEN, "none"),
        confusion=np.array([[3, 1, 1], [0, 2, 0], [1, 1, 2]]),
        false_positives=(),
        false_negatives=(),
    )


def test_scores_figure_groups_labeller_and_baseline() -> None:
    fig = evaluation_scores_figure(_evaluation(), LABELS).to_dict()
    traces = fig["data"]
    assert [t["type"] for t in traces] == ["bar"] * 4
    assert [t["name"] for t in traces] == ["Precision", "Recall", "F1", BASELINE_SERIES]
    assert all(t["x"] == [ESCAPED_RL, "Generative models", MACRO_LABEL] for t in traces)
    assert [t["y"] for t in traces] == [
        pytest.approx([0.75, 0.5, 0.625]),
        pytest.approx([0.6, 1.0, 0.8]),
        pytest.approx([2 / 3, 2 / 3, 2 / 3]),
        pytest.approx([4 / 7, 0.0, 2 / 7]),
    ]
    assert traces[2]["text"] == ["0.67", "0.67", "0.67"]
    assert [t["marker"]["color"] for t in traces] == [PALETTE[0], PALETTE[1], PALETTE[2], UNASSIGNED_COLOR]
    assert traces[0]["hovertext"] == [
        "Precision 0.750<br>TP 3, FP 1, FN 2<br>5 labelled, 4 given",
        "Precision 0.500<br>TP 2, FP 2, FN 0<br>2 labelled, 4 given",
        "Precision: mean 0.625 over 2 themes",
    ]
    assert traces[3]["hovertext"][1].startswith(f"{BASELINE_SERIES} 0.000<br>TP 0, FP 0, FN 2")
    layout = fig["layout"]
    assert layout["barmode"] == "group"
    assert layout["title"]["text"] == "Themes vs hand labels: macro-F1 0.67 (keyword baseline 0.29), 9 papers"
    assert layout["yaxis"]["range"] == [0, 1.08]


def test_scores_figure_without_baseline_or_labels() -> None:
    ev = dataclasses.replace(_evaluation(), baseline=(), baseline_macro_f1=None)
    fig = evaluation_scores_figure(ev).to_dict()
    assert [t["name"] for t in fig["data"]] == ["Precision", "Recall", "F1"]
    assert fig["data"][0]["x"] == [RL, GEN, MACRO_LABEL]
    assert fig["layout"]["title"]["text"] == "Themes vs hand labels: macro-F1 0.67, 9 papers"


def test_confusion_figure_is_a_count_heatmap() -> None:
    fig = confusion_figure(_evaluation(), LABELS).to_dict()
    (trace,) = fig["data"]
    assert trace["type"] == "heatmap"
    assert trace["z"] == [[3, 1, 1], [0, 2, 0], [1, 1, 2]]
    assert trace["y"] == [ESCAPED_RL, "Generative models", OTHER_LABEL]
    assert trace["x"] == [ESCAPED_RL, "Generative models", NONE_LABEL]
    assert trace["texttemplate"] == "%{z}"
    assert trace["hovertemplate"] == "Labelled: %{y}<br>Given: %{x}<br>%{z} papers<extra></extra>"
    layout = fig["layout"]
    assert layout["title"]["text"] == "Labelled vs given themes (9 papers)"
    assert layout["yaxis"]["autorange"] == "reversed"


def test_no_raw_markup_from_labels_reaches_the_figures() -> None:
    for fig in (evaluation_scores_figure(_evaluation(), LABELS), confusion_figure(_evaluation(), LABELS)):
        text = str(fig.to_dict()["data"])
        assert "<b>RL" not in text and ESCAPED_RL in text
