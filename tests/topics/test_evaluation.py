"""Evaluation against hand labels: reading labels files, matching them to a run, and hand-computed scores.

The fixture tests/data/topics/evaluation/labels.csv labels 9 of the 10 papers of the small run below (one of
them twice, identically) plus one paper the run does not have. Evaluated themes: reinforcement-learning (RL),
generative-models (GEN), neuroscience (NEURO); the run also has computer-vision (CV), which the labels never
mention, so it is not evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from preprocessing.errors import InputError, UserError
from topics.results import MICRO
from topics.themes.evaluation import LabelMatch, evaluate_themes, evaluation_document, evaluation_table, match_labels
from topics.themes.labels_file import GoldLabels, read_labels
from topics.themes.metrics import PR_THRESHOLDS, average_precision, pr_curve, reliability, theme_score

LABELS_DIR = Path(__file__).resolve().parent.parent / "data" / "topics" / "evaluation"
LABELS = LABELS_DIR / "labels.csv"
RL, GEN, NEURO, CV = "reinforcement-learning", "generative-models", "neuroscience", "computer-vision"
THEME_IDS = (RL, GEN, NEURO, CV)

DOC_IDS = tuple(f"d{i}" for i in range(1, 11))
TITLES = (
    "Deep Q-Networks for Atari",
    "Policy Gradient Methods: A Survey",
    "Diffusion Models Beat GANs",
    "Variational Autoencoders for Molecules",
    "Spiking Networks in the Hippocampus",
    "Dopamine and Reward Prediction Errors",
    "ImageNet Classification with Deep CNNs",
    "Graph Attention Networks",
    "World Models for Model-Based RL",
    "Not In The Labels",
)
# Labeller scores, columns RL, GEN, NEURO, CV; assigned where >= 0.5.     gold (from labels.csv)
SCORES = np.array([
    [0.90, 0.00, 0.00, 0.00],  # d1  RL                                   RL
    [0.30, 0.00, 0.00, 0.00],  # d2  -           (FN RL 0.30)             RL
    [0.00, 0.80, 0.00, 0.60],  # d3  GEN, CV                              GEN
    [0.50, 0.70, 0.00, 0.00],  # d4  RL, GEN     (FP RL 0.50)             GEN
    [0.00, 0.00, 0.85, 0.00],  # d5  NEURO                                NEURO
    [0.40, 0.00, 0.75, 0.00],  # d6  NEURO       (FN RL 0.40)             NEURO, RL
    [0.00, 0.55, 0.00, 0.90],  # d7  GEN, CV     (FP GEN 0.55)            other
    [0.00, 0.00, 0.00, 0.10],  # d8  -                                    other
    [0.80, 0.20, 0.00, 0.00],  # d9  RL          (FN GEN 0.20)            RL, GEN
    [0.90, 0.00, 0.00, 0.00],  # d10 RL          (not labelled: ignored)
])
PREDICTED = SCORES >= 0.5
EVIDENCE = tuple(
    tuple((f"{doc}-{theme[:3]}",) if SCORES[row, col] > 0 else () for col, theme in enumerate(THEME_IDS))
    for row, doc in enumerate(DOC_IDS)
)
# Keyword baseline, columns RL, GEN, NEURO, CV.
BASELINE = np.zeros((10, 4), dtype=bool)
BASELINE[[0, 1, 8, 9], 0] = True  # RL: d1, d2, d9, d10
BASELINE[[2], 1] = True  # GEN: d3
BASELINE[[4, 5, 7], 2] = True  # NEURO: d5, d6, d8
BASELINE[:, 3] = True  # CV everywhere: not evaluated, so it changes nothing


def _gold() -> GoldLabels:
    return read_labels(LABELS, THEME_IDS)


def _match() -> LabelMatch:
    return match_labels(_gold(), DOC_IDS, TITLES)


def _evaluate(max_errors: int = 10, baseline: np.ndarray | None = BASELINE, threshold: float | None = None):
    return evaluate_themes(
        _match(), THEME_IDS, PREDICTED, SCORES, EVIDENCE, baseline, TITLES, max_errors=max_errors, threshold=threshold,
    )


# --- reading labels ------------------------------------------------------------------------------------------


def test_read_labels_fixture() -> None:
    gold = _gold()
    assert gold.path == LABELS
    assert len(gold) == 10 and gold.n_rows == 11
    assert gold.repeated_lines == (12,)  # line 12 repeats line 5 with the same themes
    assert gold.lines == (2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
    assert gold.evaluated == (RL, GEN, NEURO)  # themes-file order, CV never labelled
    assert gold.by == ("id", "id", "title", "id", "title", "id", "id", "id", "id", "id")
    assert gold.keys[:3] == ("d1", "d2", "diffusion models beat gans")
    assert gold.titles[4] == "SPIKING networks in the hippocampus"  # whitespace collapsed
    assert gold.themes == (
        frozenset({RL}), frozenset({RL}), frozenset({GEN}), frozenset({GEN}), frozenset({NEURO}),
        frozenset({NEURO, RL}), frozenset(), frozenset(), frozenset({RL, GEN}), frozenset(),
    )
    assert gold.support() == {RL: 4, GEN: 3, NEURO: 2, "other": 3}


def test_read_labels_tsv_by_extension_with_labels_column() -> None:
    gold = read_labels(LABELS_DIR / "labels.tsv", THEME_IDS)
    assert gold.by == ("title", "title")
    assert gold.keys == ("deep q networks for atari", "graph attention networks")
    assert gold.themes == (frozenset({RL}), frozenset())
    assert gold.evaluated == (RL,)


def test_read_labels_ignores_blank_lines_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("\ufeffID,Themes\n\nd1,neuroscience;\n\n\"d2\",OTHER\n", encoding="utf-8")
    gold = read_labels(path, THEME_IDS)
    assert gold.ids == ("d1", "d2") and gold.lines == (3, 5)
    assert gold.themes == (frozenset({NEURO}), frozenset())


def _error(tmp_path: Path, text: str, name: str = "labels.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_labels(path, THEME_IDS)
    return str(caught.value)


def test_read_labels_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_labels(tmp_path / "nope.csv", THEME_IDS)
    assert str(caught.value) == f"{tmp_path / 'nope.csv'}: labels file not found (check the path given with --labels)"


def test_read_labels_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_labels(tmp_path, THEME_IDS)
    assert str(caught.value) == f"{tmp_path}: is a directory, not a labels file (give the path of one CSV or TSV file)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "  \n\n",
            ": is empty (expected a header row such as id,title,themes and one row per labelled paper)",
        ),
        (
            "id,title\nd1,Deep Q-Networks\n",
            ":1: no themes column (columns found: id, title) "
            "(add a 'themes' column holding ';'-separated theme ids, or 'other' when none applies)",
        ),
        (
            "\nkey,name,themes\nd1,x,other\n",
            ":2: no id or title column (columns found: key, name, themes) "
            "(add an 'id' or a 'title' column naming each labelled paper as in the corpus)",
        ),
        (
            "id,themes\n",
            ": has a header but no labelled papers (add one row per labelled paper below the header)",
        ),
        (
            "id,title,themes\nd1,A,other\n,,neuroscience\n",
            ":3: row has neither an id nor a title (name each labelled paper by its id or title)",
        ),
        (
            "id,themes\nd1,other\nd2, ; \n",
            ":3: empty themes cell (write ';'-separated theme ids, or 'other' when none of the themes applies)",
        ),
        (
            "id,themes\nd1,generative-model\n",
            ":2: unknown theme id 'generative-model' (did you mean 'generative-models'? theme ids come from the "
            "themes file; use 'other' for none)",
        ),
        (
            "id,themes\nd1,robotics\n",
            ":2: unknown theme id 'robotics' (use theme ids of the themes file (reinforcement-learning, "
            "generative-models, neuroscience, computer-vision) or 'other')",
        ),
        (
            "id,themes\nd1,other;neuroscience\n",
            ":2: 'other' together with theme ids in 'other;neuroscience' (write either 'other' alone or only theme ids)",
        ),
        (
            "id,title,themes\nd1,A,neuroscience\nd2,B,other\nd1,A,neuroscience;generative-models\n",
            ":4: id 'd1' is labelled again with different themes ('generative-models;neuroscience' here, "
            "'neuroscience' on line 2) (keep one row per paper, or give its rows the same themes)",
        ),
        (
            "title,themes\nFeasible Learning,other\nfeasible  learning!,neuroscience\n",
            ":3: 'feasible learning!' is labelled again with different themes ('neuroscience' here, 'other' on "
            "line 2) (keep one row per paper, or give its rows the same themes)",
        ),
        (
            "id,themes\nd1,other\nd2,OTHER\n",
            ": every row is labelled 'other', so no theme can be evaluated "
            "(label the papers that carry a theme with its theme id)",
        ),
        (
            'id,themes\nd1,other\n"d2,neuroscience\n',
            ":3: is not valid CSV (unexpected end of data) (quote fields that contain the separator or line breaks)",
        ),
    ],
)
def test_read_labels_errors(tmp_path: Path, text: str, message: str) -> None:
    """``message`` follows the path: ``":<line>: ..."`` or ``": ..."`` when no line applies."""
    assert _error(tmp_path, text) == f"{tmp_path / 'labels.csv'}{message}"


def test_read_labels_unknown_theme_lists_only_a_few(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("id,themes\nd1,robotics\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_labels(path, [f"theme-{i}" for i in range(8)])
    assert str(caught.value) == (
        f"{path}:2: unknown theme id 'robotics' (use theme ids of the themes file "
        "(theme-0, theme-1, theme-2, theme-3, theme-4, ...) or 'other')"
    )


def test_read_labels_not_utf8_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_bytes(b"id,themes\nd1,\xff\n")
    with pytest.raises(InputError) as caught:
        read_labels(path, THEME_IDS)
    assert str(caught.value).startswith(f"{path}:2: unknown theme id '\u00ff' (use theme ids of the themes file")


# --- matching ------------------------------------------------------------------------------------------------


def test_match_by_id_then_by_normalised_title() -> None:
    match = _match()
    assert match.n_matched == 9
    assert match.doc_ids == ("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9")
    assert match.doc_rows == (0, 1, 2, 3, 4, 5, 6, 7, 8)
    # line 4 and 6 have no id; line 10's id 'arxiv-999' is unknown to the run, its title matches d9
    assert match.by == ("id", "id", "title", "id", "title", "id", "id", "id", "title")
    assert match.unmatched == (9,)
    assert match.unmatched_examples() == ("line 11 ('A paper not in the run')",)
    assert match.warning() == (
        f"1 of 10 labelled papers in {LABELS} match no paper of the run by id or title and are left out of the "
        "evaluation (e.g. line 11 ('A paper not in the run'))"
    )


def test_match_warning_names_three_examples(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("id,themes\nd1,neuroscience\na,other\nb,other\nc,other\nd,other\n", encoding="utf-8")
    match = match_labels(read_labels(path, THEME_IDS), DOC_IDS, TITLES)
    assert match.warning() == (
        f"4 of 5 labelled papers in {path} match no paper of the run by id or title and are left out of the "
        "evaluation (e.g. line 3 (id 'a'); line 4 (id 'b'); line 5 (id 'c'), ...)"
    )


def test_match_without_unmatched_has_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("id,themes\nd1,neuroscience\n", encoding="utf-8")
    assert match_labels(read_labels(path, THEME_IDS), DOC_IDS, TITLES).warning() is None


def test_match_none_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("id,title,themes\nx1,Unknown paper,neuroscience\nx2,Another,other\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        match_labels(read_labels(path, THEME_IDS), DOC_IDS, TITLES)
    assert str(caught.value) == (
        f"none of the 2 labelled papers in {path} match a paper of the run by id or title; "
        "check that the labels file describes this corpus"
    )


def test_match_same_paper_by_id_and_title(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("id,title,themes\nd1,,reinforcement-learning\n,deep q networks for atari,other\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        match_labels(read_labels(path, THEME_IDS), DOC_IDS, TITLES)
    assert str(caught.value) == (
        f"{path}:3: labels the same paper of the run as line 2 with different themes ('other' here, "
        "'reinforcement-learning' there) (keep one row per paper, or give its rows the same themes)"
    )
    path.write_text("id,title,themes\nd1,,reinforcement-learning\n,deep q networks for atari,reinforcement-learning\n")
    match = match_labels(read_labels(path, THEME_IDS), DOC_IDS, TITLES)
    assert match.entries == (0,) and match.unmatched == ()


# --- scores --------------------------------------------------------------------------------------------------


def test_theme_score_zero_conventions() -> None:
    none = np.zeros(4, dtype=bool)
    some = np.array([True, False, True, False])
    no_predictions = theme_score("t", some, none)
    assert (no_predictions.precision, no_predictions.recall, no_predictions.f1) == (0.0, 0.0, 0.0)
    no_support = theme_score("t", none, some)
    assert (no_support.precision, no_support.recall, no_support.f1, no_support.fp) == (0.0, 0.0, 0.0, 2)


def test_per_theme_scores_hand_computed() -> None:
    ev = _evaluate()
    assert ev.themes == (RL, GEN, NEURO)
    assert ev.n_labelled == 10 and ev.n_papers == 9 and ev.n_unmatched == 1
    rl, gen, neuro = ev.scores
    # RL: gold {d1, d2, d6, d9}, given {d1, d4, d9} -> tp 2 (d1, d9), fp 1 (d4), fn 2 (d2, d6)
    #     P = 2/3, R = 2/4, F1 = 2 * (2/3 * 1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7
    assert (rl.theme, rl.support, rl.predicted, rl.tp, rl.fp, rl.fn) == (RL, 4, 3, 2, 1, 2)
    assert (rl.precision, rl.recall, rl.f1) == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    # GEN: gold {d3, d4, d9}, given {d3, d4, d7} -> tp 2, fp 1 (d7), fn 1 (d9); P = R = F1 = 2/3
    assert (gen.support, gen.predicted, gen.tp, gen.fp, gen.fn) == (3, 3, 2, 1, 1)
    assert (gen.precision, gen.recall, gen.f1) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    # NEURO: gold {d5, d6}, given {d5, d6} -> all correct
    assert (neuro.support, neuro.tp, neuro.fp, neuro.fn) == (2, 2, 0, 0)
    assert (neuro.precision, neuro.recall, neuro.f1) == (1.0, 1.0, 1.0)
    # macro-F1 = (4/7 + 2/3 + 1) / 3 = (12 + 14 + 21) / 21 / 3 = 47/63
    assert ev.macro_f1 == pytest.approx(47 / 63)


def test_baseline_scores_hand_computed() -> None:
    ev = _evaluate()
    rl, gen, neuro = ev.baseline
    # RL: given {d1, d2, d9} among the labelled (d10 is not) -> tp 3, fp 0, fn 1 (d6); P 1, R 3/4, F1 6/7
    assert (rl.tp, rl.fp, rl.fn) == (3, 0, 1)
    assert (rl.precision, rl.recall, rl.f1) == pytest.approx((1.0, 3 / 4, 6 / 7))
    # GEN: given {d3} -> tp 1, fp 0, fn 2 (d4, d9); P 1, R 1/3, F1 = (2/3) / (4/3) = 1/2
    assert (gen.precision, gen.recall, gen.f1) == pytest.approx((1.0, 1 / 3, 1 / 2))
    # NEURO: given {d5, d6, d8} -> tp 2, fp 1 (d8), fn 0; P 2/3, R 1, F1 = (4/3) / (5/3) = 4/5
    assert (neuro.precision, neuro.recall, neuro.f1) == pytest.approx((2 / 3, 1.0, 4 / 5))
    # macro = (6/7 + 1/2 + 4/5) / 3 = (60 + 35 + 56) / 70 / 3 = 151/210
    assert ev.baseline_macro_f1 == pytest.approx(151 / 210)


def test_without_baseline() -> None:
    ev = _evaluate(baseline=None)
    assert ev.baseline == () and ev.baseline_macro_f1 is None
    assert evaluation_document(ev)["baseline"] is None


def test_confusion_counts_every_gold_predicted_pair() -> None:
    ev = _evaluate()
    assert ev.gold_categories == (RL, GEN, NEURO, "other")
    assert ev.predicted_categories == (RL, GEN, NEURO, "none")
    # d1 (RL,RL); d2 (RL,none); d3 (GEN,GEN); d4 (GEN,RL) (GEN,GEN); d5 (NEURO,NEURO);
    # d6 (RL,NEURO) (NEURO,NEURO); d7 (other,GEN) [CV not evaluated]; d8 (other,none); d9 (RL,RL) (GEN,RL)
    assert ev.confusion.tolist() == [
        [2, 0, 1, 1],
        [2, 2, 0, 0],
        [0, 0, 2, 0],
        [0, 1, 0, 1],
    ]


def test_worst_errors_ranked_by_score() -> None:
    ev = _evaluate()
    assert [(c.doc_id, c.theme, c.score) for c in ev.false_positives] == [("d7", GEN, 0.55), ("d4", RL, 0.5)]
    assert [(c.doc_id, c.theme, c.score) for c in ev.false_negatives] == [
        ("d9", GEN, 0.2), ("d2", RL, 0.3), ("d6", RL, 0.4),
    ]
    d7 = ev.false_positives[0]
    assert d7.kind == "false positive"
    assert d7.title == "ImageNet Classification with Deep CNNs"
    assert d7.evidence == ("d7-gen",)
    assert d7.gold == ("other",)
    assert d7.predicted == (GEN, CV)  # every theme given, evaluated or not
    assert d7.line == 8
    d9 = ev.false_negatives[0]
    assert (d9.kind, d9.gold, d9.predicted, d9.evidence, d9.line) == (
        "false negative", (RL, GEN), (RL,), ("d9-gen",), 10,
    )
    short = _evaluate(max_errors=1)
    assert [c.doc_id for c in short.false_positives] == ["d7"]
    assert [c.doc_id for c in short.false_negatives] == ["d9"]


def test_labelled_theme_missing_from_run() -> None:
    with pytest.raises(UserError) as caught:
        evaluate_themes(_match(), (RL, GEN), PREDICTED[:, :2], SCORES[:, :2], EVIDENCE, None, TITLES)
    assert str(caught.value) == (
        f"{LABELS}: theme 'neuroscience' is labelled but the run has no such theme (run themes: "
        "reinforcement-learning, generative-models); evaluate with the themes file the labels were written for"
    )


# --- threshold curves and calibration -----------------------------------------------------------------------
#
# The 9 matched papers (d10 is not labelled) times the 3 evaluated themes give 27 labelled pairs; CV's scores
# never count. Scores of the pairs, with (+) for the 9 labelled positives:
#   RL     d1 .90+  d2 .30+  d4 .50   d6 .40+  d9 .80+   (d3, d5, d7, d8: 0)
#   GEN    d3 .80+  d4 .70+  d7 .55   d9 .20+            (d1, d2, d5, d6, d8: 0)
#   NEURO  d5 .85+  d6 .75+                               (the other 7: 0)


def _point(curve, threshold: float):
    return next(p for p in curve.points if p.threshold == threshold)


def test_pr_curve_thresholds() -> None:
    assert PR_THRESHOLDS == (
        0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
    )
    ev = _evaluate()
    assert [c.theme for c in ev.pr_curves] == [RL, GEN, NEURO]
    assert all(tuple(p.threshold for p in c.points) == PR_THRESHOLDS for c in (*ev.pr_curves, ev.pr_micro))


def test_pr_curves_hand_computed() -> None:
    rl, gen, neuro = _evaluate().pr_curves
    assert (rl.support, gen.support, neuro.support) == (4, 3, 2)
    expected_rl = {
        # threshold: (predicted, tp, precision, recall)
        0.05: (5, 4, 4 / 5, 1.0),  # d1 d2 d4 d6 d9
        0.3: (5, 4, 4 / 5, 1.0),  # a score equal to the threshold counts (d2 .30)
        0.35: (4, 3, 3 / 4, 3 / 4),  # d2 drops out
        0.5: (3, 2, 2 / 3, 1 / 2),  # d1 d4 d9: the labeller's own decisions at 0.5
        0.55: (2, 2, 1.0, 1 / 2),
        0.85: (1, 1, 1.0, 1 / 4),
        0.95: (0, 0, 0.0, 0.0),  # nothing predicted: precision 0 by convention
    }
    for threshold, (predicted, tp, precision, recall) in expected_rl.items():
        point = _point(rl, threshold)
        assert (point.predicted, point.tp) == (predicted, tp), threshold
        assert (point.precision, point.recall) == pytest.approx((precision, recall)), threshold
    assert _point(rl, 0.35).f1 == pytest.approx(3 / 4)
    assert _point(rl, 0.5).f1 == pytest.approx(4 / 7)  # the same as the decisions' F1
    # GEN at 0.2: d3 d4 d7 d9 -> tp 3, P 3/4, R 1; at 0.6: d3 d4 -> P 1, R 2/3, F1 = (4/3) / (5/3) = 4/5
    assert (_point(gen, 0.2).precision, _point(gen, 0.2).recall) == pytest.approx((3 / 4, 1.0))
    assert (_point(gen, 0.6).precision, _point(gen, 0.6).recall, _point(gen, 0.6).f1) == pytest.approx((1.0, 2 / 3, 4 / 5))
    # NEURO is perfect from 0.05 to 0.75, then loses d6
    assert all((p.precision, p.recall) == (1.0, 1.0) for p in neuro.points if p.threshold <= 0.75)
    assert (_point(neuro, 0.8).precision, _point(neuro, 0.8).recall) == (1.0, 0.5)


def test_average_precision_hand_computed() -> None:
    rl, gen, neuro = _evaluate().pr_curves
    # ranked by score, AP = mean over positives of the precision at each positive's rank
    # RL: .90+ .80+ .50 .40+ .30+ -> (1/1 + 2/2 + 3/4 + 4/5) / 4
    assert rl.average_precision == pytest.approx((1 + 1 + 3 / 4 + 4 / 5) / 4)
    # GEN: .80+ .70+ .55 .20+ -> (1 + 1 + 3/4) / 3
    assert gen.average_precision == pytest.approx((1 + 1 + 3 / 4) / 3)
    assert neuro.average_precision == 1.0


def test_micro_curve_pools_every_pair() -> None:
    micro = _evaluate().pr_micro
    assert micro.theme == MICRO and micro.support == 9
    # at 0.5: .90+ .85+ .80+ .80+ .75+ .70+ .55 .50 -> 8 given, 6 right, of 9 positives
    point = _point(micro, 0.5)
    assert (point.predicted, point.tp) == (8, 6)
    assert (point.precision, point.recall) == pytest.approx((3 / 4, 2 / 3))
    # ranked: six positives, two negatives (.55, .50), then positives at ranks 9, 10, 11
    assert micro.average_precision == pytest.approx((6 + 7 / 9 + 8 / 10 + 9 / 11) / 9)


def test_average_precision_is_none_without_positives() -> None:
    assert average_precision(np.zeros(3, dtype=bool), np.array([0.1, 0.5, 0.9])) is None
    curve = pr_curve("t", np.zeros(3, dtype=bool), np.array([0.1, 0.5, 0.9]), thresholds=(0.5,))
    assert curve.support == 0 and curve.average_precision is None
    assert (curve.points[0].predicted, curve.points[0].precision, curve.points[0].recall) == (2, 0.0, 0.0)


def test_reliability_hand_computed() -> None:
    table = _evaluate().reliability
    assert (table.n_pairs, table.n_positive) == (27, 9)
    assert [(b.low, b.high) for b in table.bins] == [
        (0.0, 0.1), (0.1, 0.2), (0.2, 0.3), (0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9),
        (0.9, 1.0),
    ]
    # bin 0: the 16 zero scores, none labelled; .20+ | .30+ | .40+ | .55 .50 | .75+ .70+ | .85+ .80+ .80+ | .90+
    assert [b.count for b in table.bins] == [16, 0, 1, 1, 1, 2, 0, 2, 3, 1]
    assert [b.positives for b in table.bins] == [0, 0, 1, 1, 1, 0, 0, 2, 3, 1]
    assert [b.observed for b in table.bins] == [0.0, None, 1.0, 1.0, 1.0, 0.0, None, 1.0, 1.0, 1.0]
    means = [b.mean_score for b in table.bins]
    assert means[1] is None and means[6] is None
    assert [m for m in means if m is not None] == pytest.approx([0.0, 0.2, 0.3, 0.4, 0.525, 0.725, 2.45 / 3, 0.9])
    # ECE = (16*0 + .8 + .7 + .6 + 2*.525 + 2*.275 + 3*(1 - 2.45/3) + .1) / 27 = 4.35 / 27
    assert table.ece == pytest.approx(4.35 / 27)
    # Brier = (.8^2 + .7^2 + .6^2 + .55^2 + .5^2 + .25^2 + .3^2 + .15^2 + 2 * .2^2 + .1^2) / 27 = 2.3075 / 27
    assert table.brier == pytest.approx(2.3075 / 27)
    # 95% Wilson interval of 1 of 1: [1 / (1 + z^2), 1]; of 0 of 16: [0, z^2 / (16 + z^2)]
    z2 = 1.959963984540054 ** 2
    assert (table.bins[2].observed_low, table.bins[2].observed_high) == pytest.approx((1 / (1 + z2), 1.0))
    assert (table.bins[0].observed_low, table.bins[0].observed_high) == pytest.approx((0.0, z2 / (16 + z2)))
    assert table.bins[1].observed_low is None and table.bins[1].observed_high is None


def test_reliability_bin_edges_and_clipping() -> None:
    scores = np.array([0.0, 0.1, 0.3, 0.7, 0.99, 1.0, 1.2, -0.1])
    gold = np.array([False, True, True, False, True, True, True, False])
    table = reliability(gold, scores)
    # a score on an edge goes to the bin above it; 1.0 (and 1.2, clipped) to the last bin; -0.1 to the first
    assert [b.count for b in table.bins] == [2, 1, 0, 1, 0, 0, 0, 1, 0, 3]
    assert table.bins[9].mean_score == pytest.approx((0.99 + 1.0 + 1.0) / 3)
    with pytest.raises(ValueError):
        reliability(np.zeros(0, dtype=bool), np.zeros(0))


def test_threshold_is_recorded() -> None:
    assert _evaluate().threshold is None
    assert _evaluate(threshold=0.5).threshold == 0.5


# --- output --------------------------------------------------------------------------------------------------


def test_evaluation_document() -> None:
    document = evaluation_document(_evaluate(max_errors=1))
    assert list(document) == [
        "labels", "papers", "themes", "labeller", "baseline", "confusion", "false_positives", "false_negatives",
        "pr_curve", "reliability",
    ]
    assert document["labels"] == str(LABELS)
    assert document["papers"] == {
        "labelled": 10, "evaluated": 9, "unmatched": 1, "unmatched_examples": ["line 11 ('A paper not in the run')"],
    }
    assert document["labeller"]["macro_f1"] == 0.746  # 47/63 = 0.74603...
    assert document["labeller"]["per_theme"][0] == {
        "theme": RL, "precision": 0.6667, "recall": 0.5, "f1": 0.5714,
        "support": 4, "predicted": 3, "tp": 2, "fp": 1, "fn": 2,
    }
    assert document["baseline"]["macro_f1"] == 0.719  # 151/210 = 0.71904...
    assert [s["f1"] for s in document["baseline"]["per_theme"]] == [0.8571, 0.5, 0.8]
    assert document["confusion"]["counts"][0] == [2, 0, 1, 1]
    assert document["false_positives"] == [{
        "id": "d7", "title": "ImageNet Classification with Deep CNNs", "theme": GEN, "score": 0.55,
        "evidence": ["d7-gen"], "gold": ["other"], "predicted": [GEN, CV], "line": 8,
    }]
    assert json.loads(json.dumps(document)) == document


def test_evaluation_document_curves_and_reliability() -> None:
    document = evaluation_document(_evaluate(threshold=0.5))
    curves = document["pr_curve"]
    assert list(curves) == ["threshold", "thresholds", "per_theme", "micro"]
    assert curves["threshold"] == 0.5
    assert curves["thresholds"] == list(PR_THRESHOLDS)
    rl = curves["per_theme"][0]
    assert [t["theme"] for t in curves["per_theme"]] == [RL, GEN, NEURO]
    assert (rl["theme"], rl["support"], rl["average_precision"]) == (RL, 4, 0.8875)
    assert len(rl["points"]) == 19
    assert rl["points"][6] == {"threshold": 0.35, "precision": 0.75, "recall": 0.75, "f1": 0.75, "predicted": 4}
    assert rl["points"][9] == {"threshold": 0.5, "precision": 0.6667, "recall": 0.5, "f1": 0.5714, "predicted": 3}
    assert [t["average_precision"] for t in curves["per_theme"]] == [0.8875, 0.9167, 1.0]
    assert list(curves["micro"]) == ["support", "average_precision", "points"]
    assert curves["micro"]["average_precision"] == 0.9329  # (6 + 7/9 + 8/10 + 9/11) / 9 = 0.93288...
    table = document["reliability"]
    assert list(table) == ["pairs", "positives", "ece", "brier", "bins"]
    assert (table["pairs"], table["positives"], table["ece"], table["brier"]) == (27, 9, 0.1611, 0.0855)
    assert [b["count"] for b in table["bins"]] == [16, 0, 1, 1, 1, 2, 0, 2, 3, 1]
    assert table["bins"][5] == {
        "low": 0.5, "high": 0.6, "count": 2, "positives": 0, "mean_score": 0.525, "observed": 0.0,
        "observed_low": 0.0, "observed_high": 0.6576,
    }
    assert table["bins"][1] == {
        "low": 0.1, "high": 0.2, "count": 0, "positives": 0, "mean_score": None, "observed": None,
        "observed_low": None, "observed_high": None,
    }
    assert json.loads(json.dumps(document)) == document


def test_evaluation_table_renders_themes_and_macro_row() -> None:
    console = Console(record=True, width=120)
    console.print(evaluation_table(_evaluate()))
    lines = console.export_text().splitlines()
    rl_line = next(line for line in lines if RL in line)
    assert [cell.strip() for cell in rl_line.split("│")[1:-1]] == [RL, "4", "3", "0.667", "0.500", "0.571", "0.857"]
    macro = next(line for line in lines if "macro" in line)
    assert macro.split()[-4:] == ["0.746", "│", "0.719", "│"]


# --- the ICLR dev set ----------------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_read_labels_iclr_dev(shared_data: Path) -> None:
    from topics.config import DEFAULT_THEMES_FILE
    from topics.themes.definitions import load_theme_definitions

    theme_ids = [t.id for t in load_theme_definitions(DEFAULT_THEMES_FILE)]
    gold = read_labels(shared_data / "iclr-themes-dev" / "iclr_themes_dev.csv", theme_ids)
    assert gold.n_rows == 2371
    # one paper (id ztMLindFLWR) appears 7 times with identical fields: 6 repeats dropped
    assert len(gold) == 2365 and len(gold.repeated_lines) == 6
    assert set(gold.by) == {"id"}
    assert gold.evaluated == ("reinforcement-learning", "generative-models", "neuroscience")
    assert gold.support() == {"reinforcement-learning": 472, "generative-models": 253, "neuroscience": 10, "other": 1632}
