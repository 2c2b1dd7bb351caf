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
from topics.evaluation import (
    GoldLabels,
    LabelMatch,
    evaluate_themes,
    evaluation_document,
    evaluation_table,
    match_labels,
    read_labels,
    theme_score,
)

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


def _evaluate(max_errors: int = 10, baseline: np.ndarray | None = BASELINE):
    return evaluate_themes(_match(), THEME_IDS, PREDICTED, SCORES, EVIDENCE, baseline, TITLES, max_errors=max_errors)


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


# --- output --------------------------------------------------------------------------------------------------


def test_evaluation_document() -> None:
    document = evaluation_document(_evaluate(max_errors=1))
    assert list(document) == [
        "labels", "papers", "themes", "labeller", "baseline", "confusion", "false_positives", "false_negatives",
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
    from topics.theme_definitions import load_theme_definitions

    theme_ids = [t.id for t in load_theme_definitions(DEFAULT_THEMES_FILE)]
    gold = read_labels(shared_data / "iclr-themes-dev" / "iclr_themes_dev.csv", theme_ids)
    assert gold.n_rows == 2371
    # one paper (id ztMLindFLWR) appears 7 times with identical fields: 6 repeats dropped
    assert len(gold) == 2365 and len(gold.repeated_lines) == 6
    assert set(gold.by) == {"id"}
    assert gold.evaluated == ("reinforcement-learning", "generative-models", "neuroscience")
    assert gold.support() == {"reinforcement-learning": 472, "generative-models": 253, "neuroscience": 10, "other": 1632}
