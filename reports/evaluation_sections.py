"""The evaluation section of the report: the themes scored against labelled papers, beside the keyword
baseline, with the confusion matrix, precision/recall curves, the reliability diagram and the worst errors.
Built from ``RunResult.evaluation`` (and the resolved config in the manifest) only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports import figures
from reports.escape import shorten
from reports.figures.evaluation import pr_curve_figure, reliability_figure
from reports.figures.themes import theme_labels
from reports.page import Section
from reports.table import Cell, TableData
from topics.results import ErrorCase, Evaluation, RunResult

#: Columns of the worst false positive and false negative tables.
ERROR_COLUMNS = ("Title", "Theme", "Score", "Evidence terms", "Labelled", "Given")
#: Columns of the per-theme score table.
SCORE_COLUMNS = ("Theme", "Labelled", "Given", "Precision", "Recall", "F1", "Baseline F1")


def evaluation_section(run: RunResult) -> Section | None:
    """The themes scored against labelled papers, beside the keyword baseline; ``None`` without an evaluation."""
    ev = run.evaluation
    if ev is None:
        return None
    labels = theme_labels(run.themes)
    parts = [
        Section(
            id="evaluation-confusion",
            title="Labelled against given themes",
            figure=figures.confusion_figure(ev, labels),
            caption="Papers counted by labelled theme (rows; other = none of the evaluated themes) and the "
            "themes the labeller gave (columns; none = no evaluated theme). A paper with two themes counts twice.",
        )
    ]
    parts.extend(evaluation_score_parts(run))
    parts.extend(_error_parts(ev, labels))
    return Section(
        id="evaluation",
        title="Theme evaluation",
        figure=figures.evaluation_scores_figure(ev, labels),
        caption=_evaluation_caption(ev),
        table=TableData(SCORE_COLUMNS, _score_rows(ev, labels)),
        parts=tuple(parts),
    )


def _evaluation_caption(ev: Evaluation) -> str:
    """The evaluation section's caption: papers, macro-F1, the baseline's score and the unmatched labels."""
    baseline = (
        f" A plain keyword baseline (a regular expression over each theme's first 12 seed terms) scores "
        f"{ev.baseline_macro_f1:.3f} on the same papers ({ev.macro_f1 - ev.baseline_macro_f1:+.3f} for the labeller)."
        if ev.baseline_macro_f1 is not None
        else ""
    )
    unmatched = (
        f" {ev.n_unmatched:,} labelled papers are not in this corpus and were left out." if ev.n_unmatched else ""
    )
    return (
        f"The themes of {ev.n_papers:,} labelled papers ({Path(ev.labels_path).name}) against their labels: "
        f"macro-F1 {ev.macro_f1:.3f} over {len(ev.themes)} themes.{baseline}{unmatched}"
    )


def _score_rows(ev: Evaluation, labels: Mapping[str, str]) -> tuple[tuple[Cell, ...], ...]:
    """One row per evaluated theme (support, predicted, precision, recall, F1, baseline F1), then the macro
    average."""
    rows: list[tuple[str, int | str, int | str, str, str, str, str]] = []
    for score, base in zip(ev.scores, ev.baseline or (None,) * len(ev.scores)):
        rows.append((
            labels.get(score.theme, score.theme), score.support, score.predicted, f"{score.precision:.3f}",
            f"{score.recall:.3f}", f"{score.f1:.3f}", "" if base is None else f"{base.f1:.3f}",
        ))
    rows.append((
        "macro average", "", "", "", "", f"{ev.macro_f1:.3f}",
        "" if ev.baseline_macro_f1 is None else f"{ev.baseline_macro_f1:.3f}",
    ))
    return tuple(rows)


def _error_parts(ev: Evaluation, labels: Mapping[str, str]) -> list[Section]:
    """The worst false positives and false negatives, each part left out when there is none."""
    parts = []
    if ev.false_positives:
        parts.append(Section(
            id="evaluation-false-positives",
            title="Worst false positives",
            caption="Themes given but not labelled, highest score first, with the terms that drove the score.",
            table=TableData(ERROR_COLUMNS, _error_rows(ev.false_positives, labels)),
        ))
    if ev.false_negatives:
        parts.append(Section(
            id="evaluation-false-negatives",
            title="Worst false negatives",
            caption="Themes labelled but not given, lowest score first.",
            table=TableData(ERROR_COLUMNS, _error_rows(ev.false_negatives, labels)),
        ))
    return parts


def _error_rows(cases: Sequence[ErrorCase], labels: Mapping[str, str]) -> tuple[tuple[Cell, ...], ...]:
    """One row per error case: title, theme, score, evidence terms, labelled and given themes."""
    return tuple(
        (
            shorten(case.title, 100), labels.get(case.theme, case.theme), f"{case.score:.3f}",
            ", ".join(case.evidence) or "(none)", "; ".join(case.gold), "; ".join(case.predicted) or "(none)",
        )
        for case in cases
    )


def evaluation_score_parts(run: RunResult) -> tuple[Section, ...]:
    """The labeller's scores judged beside its decisions: precision/recall over thresholds and the reliability
    diagram; nothing for an evaluation without them."""
    ev = run.evaluation
    if ev is None:
        return ()
    parts = []
    threshold = configured_threshold(run)
    if ev.pr_curves:
        limit = _themes_config(run).get("max_per_paper")
        rule = ", ".join(
            ([f"score at least {threshold:.2f}"] if threshold is not None else [])
            + ([f"at most {limit} themes a paper"] if isinstance(limit, int) else [])
        )
        baseline = (
            " and the cross the plain keyword baseline, which has no scores and so gives one point"
            if ev.baseline else ""
        )
        parts.append(Section(
            id="evaluation-pr-curve",
            title="Precision and recall at every threshold",
            figure=pr_curve_figure(ev, theme_labels(run.themes), run.themes.theme_ids, threshold),
            caption="What the labeller would give at another threshold. Each line follows one theme as the score "
            "a paper needs falls from 0.95 (left) to 0.05 (right): recall is the share of labelled papers found, "
            "precision the share of given papers that are labelled; hover a point for its threshold. Up and to the "
            f"right is better. The star marks the labeller as configured{f' ({rule})' if rule else ''}"
            f"{baseline}. The dashed line pools every (paper, theme) pair. AP, the average precision, summarises "
            "a whole line (1 is perfect).",
        ))
    if ev.reliability is not None:
        table = ev.reliability
        parts.append(Section(
            id="evaluation-reliability",
            title="Are the scores probabilities?",
            figure=reliability_figure(ev),
            caption=f"A score of 0.8 should be right about 80% of the time: points on the diagonal are calibrated. "
            f"The {table.n_pairs:,} scores of every labelled paper for every evaluated theme are grouped in ten bins "
            "of width 0.1; each point is a bin's mean score against the share of its pairs labelled with the theme, "
            "with a 95% interval (larger points hold more pairs). Points below the diagonal are overconfident, above "
            f"it underconfident. Expected calibration error {table.ece:.3f} (mean distance from the diagonal, "
            f"weighted by pairs; 0 is calibrated); Brier score {table.brier:.3f} (mean squared error of the scores; "
            "0 is perfect, always answering 0.5 gives 0.25).",
        ))
    return tuple(parts)


def configured_threshold(run: RunResult) -> float | None:
    """The labeller's score threshold: the evaluation's, else the resolved config's in the manifest."""
    if run.evaluation is not None and run.evaluation.threshold is not None:
        return run.evaluation.threshold
    value = _themes_config(run).get("threshold")
    return float(value) if isinstance(value, (int, float)) else None


def _themes_config(run: RunResult) -> dict[str, Any]:
    """The ``themes`` block of the resolved config in the manifest (empty when absent)."""
    themes = ((run.manifest or {}).get("config") or {}).get("themes")
    return themes if isinstance(themes, dict) else {}
