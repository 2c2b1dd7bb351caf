"""Evaluation figures, asserted on ``fig.to_dict()``, from a hand-built Evaluation of two themes; and the
evaluation section's parts, from a real evaluation of the report fixture run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from reports.evaluation_sections import evaluation_section
from reports.figures.evaluation import (
    BASELINE_SERIES,
    BASELINE_SYMBOL,
    DIAGONAL_NAME,
    MACRO_LABEL,
    MICRO_LABEL,
    NONE_LABEL,
    OPERATING_SYMBOL,
    OTHER_LABEL,
    confusion_figure,
    evaluation_scores_figure,
    pr_curve_figure,
    reliability_figure,
)
from reports.style import OFFLINE_TRACE_TYPES, PALETTE, REFERENCE_LINE, TEXT_COLOR, UNASSIGNED_COLOR
from topics.results import MICRO, Evaluation, RunResult, ThemeScore
from topics.themes.evaluation import evaluate_themes, match_labels
from topics.themes.labels_file import read_labels
from topics.themes.metrics import pr_curve, reliability

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


# Six papers, two themes: labelled (+) and scored      RL: .9+ .6+ .4  .1  .3+ .0      GEN: .2 .0 .8+ .7+ .5 .1
GOLD = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 0], [0, 0]], dtype=bool)
PAIR_SCORES = np.array([[0.9, 0.2], [0.6, 0.0], [0.4, 0.8], [0.1, 0.7], [0.3, 0.5], [0.0, 0.1]])


def _scored() -> Evaluation:
    """The hand-built Evaluation with curves and a reliability table of the six papers above."""
    return dataclasses.replace(
        _evaluation(),
        pr_curves=(pr_curve(RL, GOLD[:, 0], PAIR_SCORES[:, 0]), pr_curve(GEN, GOLD[:, 1], PAIR_SCORES[:, 1])),
        pr_micro=pr_curve(MICRO, GOLD, PAIR_SCORES),
        reliability=reliability(GOLD, PAIR_SCORES),
        threshold=0.5,
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


# --- precision/recall over thresholds ------------------------------------------------------------------------


def test_pr_curve_figure_traces() -> None:
    ev = _scored()
    fig = pr_curve_figure(ev, LABELS, theme_ids=("other-theme", RL, GEN)).to_dict()
    traces = fig["data"]
    # per theme: curve, the labeller as configured, the baseline; then the micro curve
    assert len(traces) == 7
    assert {t["type"] for t in traces} == {"scatter"} <= OFFLINE_TRACE_TYPES
    assert [t["mode"] for t in traces] == ["lines+markers", "markers", "markers"] * 2 + ["lines+markers"]
    rl_curve, rl_star, rl_base, gen_curve, gen_star, gen_base, micro = traces
    # RL: AP = (1/1 + 2/2 + 3/4) / 3 = 11/12; GEN: .8+ .7+ first -> AP 1
    assert rl_curve["name"] == f"{ESCAPED_RL} (AP 0.92)"
    assert gen_curve["name"] == "Generative models (AP 1.00)"
    assert micro["name"].startswith(MICRO_LABEL)
    # colours follow the run's full theme list: RL is the second theme, GEN the third
    assert [t["marker"]["color"] for t in traces[:3]] == [PALETTE[1]] * 3
    assert [t["marker"]["color"] for t in traces[3:6]] == [PALETTE[2]] * 3
    assert micro["line"]["color"] == TEXT_COLOR and micro["line"]["dash"] == "dash"
    assert [rl_star["marker"]["symbol"], rl_base["marker"]["symbol"]] == [OPERATING_SYMBOL, BASELINE_SYMBOL]
    assert rl_star["legendgroup"] == rl_base["legendgroup"] == rl_curve["legendgroup"] == RL
    assert rl_star["showlegend"] is False and rl_base["showlegend"] is False


def test_pr_curve_figure_values_are_the_results() -> None:
    ev = _scored()
    traces = pr_curve_figure(ev, LABELS).to_dict()["data"]
    rl_curve, rl_star, rl_base = traces[:3]
    rl = ev.pr_curves[0]
    shown = [p for p in rl.points if p.predicted > 0]  # no paper reaches 0.95: precision undefined, left out
    assert len(shown) == 18 and rl.points[-1].predicted == 0
    assert list(rl_curve["x"]) == [p.recall for p in shown]
    assert list(rl_curve["y"]) == [p.precision for p in shown]
    # at 0.5 RL gives .9 and .6, both labelled: precision 1, recall 2/3
    at_half = shown[9]
    assert at_half.threshold == 0.5
    assert (rl_curve["x"][9], rl_curve["y"][9]) == pytest.approx((2 / 3, 1.0))
    assert rl_curve["hovertext"][9] == (
        f"{ESCAPED_RL}<br>threshold 0.50<br>precision 1.000, recall 0.667, F1 0.800<br>2 given, 2 right"
    )
    # the highlighted points are the decisions' and the baseline's precision and recall
    assert (list(rl_star["x"]), list(rl_star["y"])) == ([0.6], [0.75])
    assert (list(rl_base["x"]), list(rl_base["y"])) == ([0.4], [1.0])
    assert rl_star["hovertext"][0].startswith(f"{ESCAPED_RL}<br>labeller as configured (threshold 0.50)<br>")
    assert rl_base["hovertext"][0].startswith(f"{ESCAPED_RL}<br>keyword baseline<br>precision 1.000, recall 0.400")
    micro = traces[-1]
    assert list(micro["x"]) == [p.recall for p in ev.pr_micro.points if p.predicted > 0]
    layout = pr_curve_figure(ev).to_dict()["layout"]
    assert layout["xaxis"]["title"]["text"].startswith("Recall")
    assert layout["yaxis"]["title"]["text"].startswith("Precision")


def test_pr_curve_figure_without_baseline_or_threshold() -> None:
    ev = dataclasses.replace(_scored(), baseline=(), baseline_macro_f1=None, threshold=None)
    traces = pr_curve_figure(ev).to_dict()["data"]
    assert len(traces) == 5  # curve and star per theme, then micro
    assert traces[1]["hovertext"][0].startswith(f"{RL}<br>labeller as configured<br>")
    given = pr_curve_figure(ev, threshold=0.35).to_dict()["data"]
    assert "labeller as configured (threshold 0.35)" in given[1]["hovertext"][0]


# --- reliability ---------------------------------------------------------------------------------------------


def test_reliability_figure() -> None:
    ev = _scored()
    table = ev.reliability
    # 12 pairs: bin 0 holds the two scores of 0.0, bin 1 the two of 0.1 (an edge belongs to the bin above it)
    assert [b.count for b in table.bins] == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    fig = reliability_figure(ev).to_dict()
    diagonal, bins = fig["data"]
    assert diagonal["name"] == DIAGONAL_NAME
    assert (list(diagonal["x"]), list(diagonal["y"])) == ([0.0, 1.0], [0.0, 1.0])
    assert diagonal["line"]["dash"] == REFERENCE_LINE["dash"]
    filled = [b for b in table.bins if b.count]
    assert list(bins["x"]) == [b.mean_score for b in filled]
    assert list(bins["y"]) == [b.observed for b in filled]
    assert list(bins["error_y"]["array"]) == pytest.approx([b.observed_high - b.observed for b in filled])
    assert list(bins["error_y"]["arrayminus"]) == pytest.approx([b.observed - b.observed_low for b in filled])
    sizes = bins["marker"]["size"]
    assert sizes[0] == sizes[1] > sizes[2]  # two pairs against one
    assert [row[0] for row in bins["customdata"]] == [b.count for b in filled]
    assert bins["hovertext"][0].startswith("scores 0.0-0.1: 2 pairs, 0 labelled<br>mean score 0.000, observed 0.000")
    title = fig["layout"]["title"]["text"]
    assert title == f"Reliability of the theme scores: ECE {table.ece:.3f}, Brier {table.brier:.3f} (12 paper-theme pairs)"


def test_reliability_hand_computed_on_six_papers() -> None:
    table = _scored().reliability
    # pairs by bin: .0 .0 | .1 .1 | .2 | .3+ | .4 | .5 | .6+ | .7+ | .8+ | .9+ ; observed 0 0 0 1 0 0 1 1 1 1
    assert [b.observed for b in table.bins] == [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    # ECE = (2*0 + 2*.1 + .2 + .7 + .4 + .5 + .4 + .3 + .2 + .1) / 12 = 3.0 / 12
    assert table.ece == pytest.approx(3.0 / 12)
    # Brier = (0 + 0 + .1^2 + .1^2 + .2^2 + .7^2 + .4^2 + .5^2 + .4^2 + .3^2 + .2^2 + .1^2) / 12 = 1.26 / 12
    assert table.brier == pytest.approx(1.26 / 12)


def test_reliability_figure_without_a_table_keeps_the_diagonal() -> None:
    fig = reliability_figure(_evaluation()).to_dict()
    assert [t["name"] for t in fig["data"]] == [DIAGONAL_NAME]


def test_no_raw_markup_from_labels_reaches_the_curve_figure() -> None:
    text = str(pr_curve_figure(_scored(), LABELS).to_dict()["data"])
    assert "<b>RL" not in text and ESCAPED_RL in text


# --- the evaluation section ----------------------------------------------------------------------------------


def test_evaluation_section_holds_the_curve_and_reliability_parts(tmp_path: Path, run_result: RunResult) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "id,themes\np1,reinforcement-learning\np2,reinforcement-learning\np3,generative-models\n"
        "p5,generative-models\np7,reinforcement-learning\np8,other\n",
        encoding="utf-8",
    )
    themes = run_result.themes
    gold = read_labels(labels, themes.theme_ids)
    match = match_labels(gold, themes.doc_ids, [p.title for p in run_result.corpus.papers])
    ev = evaluate_themes(
        match, themes.theme_ids, themes.assigned, themes.scores, themes.evidence, None,
        [p.title for p in run_result.corpus.papers], threshold=0.3,
    )
    run = dataclasses.replace(
        run_result, evaluation=ev, manifest={**run_result.manifest, "config": {"themes": {"max_per_paper": 3}}},
    )
    section = evaluation_section(run)
    assert section is not None
    ids = [part.id for part in section.parts]
    assert ids[:3] == ["evaluation-confusion", "evaluation-pr-curve", "evaluation-reliability"]
    curves = section.parts[1]
    assert "score at least 0.30, at most 3 themes a paper" in curves.caption
    assert "keyword baseline" not in curves.caption  # the baseline did not run
    assert len(curves.figure.to_dict()["data"]) == 2 * 2 + 1  # RL, GEN (curve + star), micro
    calibration = section.parts[2]
    assert calibration.caption.startswith(
        "A score of 0.8 should be right about 80% of the time: points on the diagonal are calibrated."
    )
    # 6 labelled papers x 2 evaluated themes
    assert ev.reliability.n_pairs == 12
    assert f"Expected calibration error {ev.reliability.ece:.3f}" in calibration.caption
    assert f"Brier score {ev.reliability.brier:.3f}" in calibration.caption


def test_evaluation_section_without_curves_has_neither_part(run_result: RunResult) -> None:
    section = evaluation_section(dataclasses.replace(run_result, evaluation=_evaluation()))
    assert [part.id for part in section.parts] == ["evaluation-confusion"]
