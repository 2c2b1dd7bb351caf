"""Evaluation of the theme labeller (and the keyword baseline) against hand labels.

A labels file is a CSV (or TSV, by the ``.tsv``/``.tab`` extension) with one row per labelled paper: an ``id``
and/or ``title`` column naming the paper as in the corpus, and a ``themes`` (or ``labels``) column holding
``;``-separated theme ids, or ``other`` for "none of the evaluated themes". Other columns are ignored. The
evaluated themes are those that occur in the file; themes of the run that the file never mentions are not
scored (a paper labelled ``other`` is a negative for every evaluated theme).

Steps: :func:`read_labels` (in :mod:`topics.themes.labels_file`) -> :func:`match_labels` (to a run's papers, by id,
else by normalised title) -> :func:`evaluate_themes` -> :func:`evaluation_document` (``evaluation.json``) /
:func:`evaluation_table`.

The measures themselves (precision/recall/F1 with their zero conventions, precision/recall curves, the
reliability table) live in :mod:`topics.themes.metrics`; macro-F1 is the unweighted mean F1 over the evaluated
themes. Beside the decisions, the labeller's scores are judged on their own, per theme and micro-averaged over
the (paper, theme) pairs the labels cover: the matched papers times the evaluated themes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.markup import escape as rich_escape
from rich.table import Table

from preprocessing.clean import normalise_title
from preprocessing.errors import InputError, UserError
from topics.results import MICRO, NONE, OTHER, ErrorCase, Evaluation, PrCurve, Reliability, ThemeScore
from topics.themes.labels_file import GoldLabels, Key, _format_themes
from topics.themes.metrics import pr_curve, reliability, theme_score

#: Unmatched labelled papers named in a warning.
EXAMPLES = 3
#: Decimals of the floats in ``evaluation.json``.
DECIMALS = 4


# --- matching to a run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelMatch:
    """Labelled papers found among a run's papers.

    Attributes:
        gold: the labels.
        entries: per matched paper, its entry in ``gold`` (file order).
        doc_rows: per matched paper, its row in the run (index into the run's papers / theme arrays).
        doc_ids: per matched paper, its id in the run.
        by: per matched paper, ``"id"`` or ``"title"``: how it was found.
        unmatched: entries of ``gold`` that match no paper of the run.
    """

    gold: GoldLabels
    entries: tuple[int, ...]
    doc_rows: tuple[int, ...]
    doc_ids: tuple[str, ...]
    by: tuple[Key, ...]
    unmatched: tuple[int, ...]

    @property
    def n_matched(self) -> int:
        """Number of labelled papers found among the run's papers."""
        return len(self.entries)

    def unmatched_examples(self, limit: int = EXAMPLES) -> tuple[str, ...]:
        """The first ``limit`` unmatched entries as ``"line 7 ('Some title')"``."""
        return tuple(self.gold.describe(entry) for entry in self.unmatched[:limit])

    def warning(self) -> str | None:
        """A one-line note on labelled papers missing from the run, ``None`` when all matched."""
        if not self.unmatched:
            return None
        examples = "; ".join(self.unmatched_examples())
        more = ", ..." if len(self.unmatched) > EXAMPLES else ""
        return (
            f"{len(self.unmatched)} of {len(self.gold)} labelled papers in {self.gold.path} match no paper of the "
            f"run by id or title and are left out of the evaluation (e.g. {examples}{more})"
        )


def match_labels(gold: GoldLabels, doc_ids: Sequence[str], titles: Sequence[str]) -> LabelMatch:
    """Find each labelled paper among the run's papers (``doc_ids`` and ``titles``, length ``n_docs``): by id
    when the entry has one and the run knows it, else by normalised title.

    Raises UserError when no labelled paper matches, and InputError when two entries find the same paper with
    different themes (the same themes: the later entry is dropped).
    """
    by_id: dict[str, int] = {}
    for row, doc_id in enumerate(doc_ids):
        if doc_id:
            by_id.setdefault(str(doc_id), row)
    by_title: dict[str, int] = {}
    for row, title in enumerate(titles):
        key = normalise_title(title)
        if key:
            by_title.setdefault(key, row)
    taken: dict[int, int] = {}
    entries: list[int] = []
    rows: list[int] = []
    how: list[Key] = []
    unmatched: list[int] = []
    for entry in range(len(gold)):
        found: Key = "id"
        matched = by_id.get(gold.ids[entry]) if gold.ids[entry] else None
        if matched is None:
            found, matched = "title", by_title.get(normalise_title(gold.titles[entry]))
        if matched is None:
            unmatched.append(entry)
            continue
        earlier = taken.get(matched)
        if earlier is not None:
            if gold.themes[earlier] != gold.themes[entry]:
                raise InputError(
                    gold.path,
                    f"labels the same paper of the run as line {gold.lines[earlier]} with different themes "
                    f"({_format_themes(gold.themes[entry])} here, {_format_themes(gold.themes[earlier])} there)",
                    "keep one row per paper, or give its rows the same themes", line=gold.lines[entry],
                )
            continue
        taken[matched] = entry
        entries.append(entry)
        rows.append(matched)
        how.append(found)
    if not entries:
        raise UserError(
            f"none of the {len(gold)} labelled papers in {gold.path} match a paper of the run by id or title; "
            "check that the labels file describes this corpus"
        )
    return LabelMatch(
        gold=gold, entries=tuple(entries), doc_rows=tuple(rows), doc_ids=tuple(str(doc_ids[r]) for r in rows),
        by=tuple(how), unmatched=tuple(unmatched),
    )


# --- scores --------------------------------------------------------------------------------------------------




def confusion_table(gold: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Multi-label confusion counts from bool arrays of shape ``(n_papers, k)``: shape ``(k + 1, k + 1)``, the
    last row for papers with no gold theme ("other"), the last column for no predicted theme ("none")."""
    gold, predicted = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
    k = gold.shape[1]
    gold_x = np.hstack([gold, ~gold.any(axis=1, keepdims=True)]).astype(int).reshape(-1, k + 1)
    predicted_x = np.hstack([predicted, ~predicted.any(axis=1, keepdims=True)]).astype(int).reshape(-1, k + 1)
    return gold_x.T @ predicted_x


def evaluate_themes(
    match: LabelMatch,
    theme_ids: Sequence[str],
    predicted: np.ndarray,
    scores: np.ndarray,
    evidence: Sequence[Sequence[Sequence[str]]],
    baseline: np.ndarray | None,
    titles: Sequence[str],
    max_errors: int = 10,
    threshold: float | None = None,
) -> Evaluation:
    """Score the run's themes on the matched papers.

    ``theme_ids`` are the run's theme ids (columns of the arrays); ``predicted`` (bool) and ``scores`` (float)
    have shape ``(n_docs, n_themes)``; ``evidence[doc][theme]`` are the labeller's terms as in
    :attr:`ThemeTable.evidence`; ``baseline`` (bool, same shape) the keyword baseline or ``None``; ``titles``
    has length ``n_docs``; ``threshold`` the configured score threshold behind ``predicted`` (only recorded).
    The curves and the reliability table are computed from ``scores`` on the matched papers and evaluated
    themes. Raises UserError when the labels use a theme the run does not have.
    """
    gold_labels = match.gold
    _check_run_themes(gold_labels, theme_ids)
    themes = gold_labels.evaluated
    columns = np.asarray([list(theme_ids).index(t) for t in themes], dtype=int)
    rows = np.asarray(match.doc_rows, dtype=int)
    gold = np.array([[t in gold_labels.themes[e] for t in themes] for e in match.entries], dtype=bool)
    gold = gold.reshape(len(rows), len(themes))
    assigned = np.asarray(predicted, dtype=bool)
    given = assigned[np.ix_(rows, columns)]
    labeller = tuple(theme_score(t, gold[:, j], given[:, j]) for j, t in enumerate(themes))
    base: tuple[ThemeScore, ...] = ()
    if baseline is not None:
        base_given = np.asarray(baseline, dtype=bool)[np.ix_(rows, columns)]
        base = tuple(theme_score(t, gold[:, j], base_given[:, j]) for j, t in enumerate(themes))
    theme_scores = np.asarray(scores, dtype=float)
    cases = _error_cases(match, theme_ids, columns, gold, given, assigned, theme_scores, evidence, titles)
    covered = theme_scores[np.ix_(rows, columns)]  # the (paper, theme) pairs the labels cover
    positives = sorted((c for c in cases if c.kind == "false positive"), key=lambda c: -c.score)
    negatives = sorted((c for c in cases if c.kind == "false negative"), key=lambda c: c.score)
    return Evaluation(
        labels_path=str(gold_labels.path), themes=themes, scores=labeller, baseline=base,
        macro_f1=_mean_f1(labeller), baseline_macro_f1=_mean_f1(base) if base else None,
        n_labelled=len(gold_labels), n_papers=len(rows), n_unmatched=len(match.unmatched),
        unmatched_examples=match.unmatched_examples(),
        gold_categories=(*themes, OTHER), predicted_categories=(*themes, NONE),
        confusion=confusion_table(gold, given),
        false_positives=tuple(positives[:max_errors]), false_negatives=tuple(negatives[:max_errors]),
        pr_curves=tuple(pr_curve(t, gold[:, j], covered[:, j]) for j, t in enumerate(themes)),
        pr_micro=pr_curve(MICRO, gold, covered),
        reliability=reliability(gold, covered),
        threshold=None if threshold is None else float(threshold),
    )


def _check_run_themes(gold_labels: GoldLabels, theme_ids: Sequence[str]) -> None:
    """Raise UserError when ``gold_labels`` evaluate a theme missing from the run's ``theme_ids``."""
    missing = [t for t in gold_labels.evaluated if t not in theme_ids]
    if missing:
        raise UserError(
            f"{gold_labels.path}: theme {missing[0]!r} is labelled but the run has no such theme (run themes: "
            f"{', '.join(theme_ids)}); evaluate with the themes file the labels were written for"
        )


def _error_cases(
    match: LabelMatch,
    theme_ids: Sequence[str],
    columns: np.ndarray,
    gold: np.ndarray,
    given: np.ndarray,
    assigned: np.ndarray,
    theme_scores: np.ndarray,
    evidence: Sequence[Sequence[Sequence[str]]],
    titles: Sequence[str],
) -> list[ErrorCase]:
    """Every decision on a matched paper and evaluated theme that disagrees with the labels, in paper then theme
    order. ``columns`` ``(n_evaluated,)`` are the evaluated themes' columns among ``theme_ids``; ``gold`` and
    ``given`` (bool, ``(n_matched, n_evaluated)``) the labels and the decisions on the matched papers;
    ``assigned`` (bool) and ``theme_scores`` (float) ``(n_docs, n_themes)`` the run's decisions and scores;
    ``evidence`` and ``titles`` as for :func:`evaluate_themes`."""
    gold_labels, themes = match.gold, match.gold.evaluated
    cases: list[ErrorCase] = []
    for i, (entry, row) in enumerate(zip(match.entries, np.asarray(match.doc_rows, dtype=int))):
        gold_names = tuple(t for t in themes if t in gold_labels.themes[entry]) or (OTHER,)
        predicted_names = tuple(t for c, t in enumerate(theme_ids) if assigned[row, c])
        for j, theme in enumerate(themes):
            if gold[i, j] == given[i, j]:
                continue
            column = columns[j]
            cases.append(ErrorCase(
                kind="false positive" if given[i, j] else "false negative",
                doc_id=match.doc_ids[i], title=str(titles[row]), theme=theme,
                score=float(theme_scores[row, column]), evidence=tuple(evidence[row][column]),
                gold=gold_names, predicted=predicted_names, line=gold_labels.lines[entry],
            ))
    return cases


def _mean_f1(scores: Sequence[ThemeScore]) -> float:
    return float(np.mean([s.f1 for s in scores])) if scores else 0.0


# --- output --------------------------------------------------------------------------------------------------


def evaluation_document(ev: Evaluation) -> dict[str, Any]:
    """``ev`` as JSON-ready data for ``evaluation.json``: fixed key order, floats rounded to 4 decimals.

    ``pr_curve``: the configured ``threshold`` (``null`` when unknown), the ``thresholds`` of every curve, and per
    theme (and ``micro``, pooled over pairs) its ``support``, ``average_precision`` and ``points``
    (``threshold, precision, recall, f1, predicted``). ``reliability``: ``pairs``, ``positives``, ``ece``,
    ``brier`` and ten ``bins`` (``low, high, count, positives, mean_score, observed, observed_low,
    observed_high``; ``null`` means for an empty bin). Both are ``null`` for an Evaluation built without them.
    """
    return {
        "labels": ev.labels_path,
        "papers": {
            "labelled": ev.n_labelled,
            "evaluated": ev.n_papers,
            "unmatched": ev.n_unmatched,
            "unmatched_examples": list(ev.unmatched_examples),
        },
        "themes": list(ev.themes),
        "labeller": {"macro_f1": _round(ev.macro_f1), "per_theme": [_score_document(s) for s in ev.scores]},
        "baseline": None if ev.baseline_macro_f1 is None else {
            "method": "keyword regex over each theme's first seed terms",
            "macro_f1": _round(ev.baseline_macro_f1),
            "per_theme": [_score_document(s) for s in ev.baseline],
        },
        "confusion": {
            "gold": list(ev.gold_categories),
            "predicted": list(ev.predicted_categories),
            "counts": [[int(v) for v in row] for row in ev.confusion],
        },
        "false_positives": [_error_document(c) for c in ev.false_positives],
        "false_negatives": [_error_document(c) for c in ev.false_negatives],
        "pr_curve": None if ev.pr_micro is None else {
            "threshold": ev.threshold,
            "thresholds": [point.threshold for point in ev.pr_micro.points],
            "per_theme": [_curve_document(curve) for curve in ev.pr_curves],
            "micro": {key: value for key, value in _curve_document(ev.pr_micro).items() if key != "theme"},
        },
        "reliability": None if ev.reliability is None else _reliability_document(ev.reliability),
    }


def _round(value: float) -> float:
    return round(float(value), DECIMALS)


def _round_or_none(value: float | None) -> float | None:
    return None if value is None else _round(value)


def _curve_document(curve: PrCurve) -> dict[str, Any]:
    return {
        "theme": curve.theme,
        "support": curve.support,
        "average_precision": _round_or_none(curve.average_precision),
        "points": [
            {
                "threshold": point.threshold,
                "precision": _round(point.precision),
                "recall": _round(point.recall),
                "f1": _round(point.f1),
                "predicted": point.predicted,
            }
            for point in curve.points
        ],
    }


def _reliability_document(table: Reliability) -> dict[str, Any]:
    return {
        "pairs": table.n_pairs,
        "positives": table.n_positive,
        "ece": _round(table.ece),
        "brier": _round(table.brier),
        "bins": [
            {
                "low": b.low,
                "high": b.high,
                "count": b.count,
                "positives": b.positives,
                "mean_score": _round_or_none(b.mean_score),
                "observed": _round_or_none(b.observed),
                "observed_low": _round_or_none(b.observed_low),
                "observed_high": _round_or_none(b.observed_high),
            }
            for b in table.bins
        ],
    }


def _score_document(score: ThemeScore) -> dict[str, Any]:
    return {
        "theme": score.theme,
        "precision": _round(score.precision),
        "recall": _round(score.recall),
        "f1": _round(score.f1),
        "support": score.support,
        "predicted": score.predicted,
        "tp": score.tp,
        "fp": score.fp,
        "fn": score.fn,
    }


def _error_document(case: ErrorCase) -> dict[str, Any]:
    return {
        "id": case.doc_id,
        "title": case.title,
        "theme": case.theme,
        "score": _round(case.score),
        "evidence": list(case.evidence),
        "gold": list(case.gold),
        "predicted": list(case.predicted),
        "line": case.line,
    }


def evaluation_table(ev: Evaluation) -> Table:
    """A terminal table: one row per evaluated theme (support, predicted, precision, recall, F1, baseline F1),
    then the macro row."""
    table = Table(
        title=rich_escape(f"Themes vs {ev.labels_path} ({ev.n_papers:,} papers)"), title_justify="left",
    )
    table.add_column("Theme")
    for name in ("Support", "Predicted", "Precision", "Recall", "F1", "Baseline F1"):
        table.add_column(name, justify="right")
    baseline = {s.theme: s for s in ev.baseline}
    for score in ev.scores:
        base = baseline.get(score.theme)
        table.add_row(
            rich_escape(score.theme), f"{score.support:,}", f"{score.predicted:,}", f"{score.precision:.3f}",
            f"{score.recall:.3f}", f"{score.f1:.3f}", f"{base.f1:.3f}" if base else "-",
        )
    table.add_section()
    base_macro = "-" if ev.baseline_macro_f1 is None else f"{ev.baseline_macro_f1:.3f}"
    table.add_row("macro", "", "", "", "", f"{ev.macro_f1:.3f}", base_macro, style="bold")
    return table
