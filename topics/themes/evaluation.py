"""Evaluation of the theme labeller (and the keyword baseline) against hand labels.

A labels file is a CSV (or TSV, by the ``.tsv``/``.tab`` extension) with one row per labelled paper: an ``id``
and/or ``title`` column naming the paper as in the corpus, and a ``themes`` (or ``labels``) column holding
``;``-separated theme ids, or ``other`` for "none of the evaluated themes". Other columns are ignored. The
evaluated themes are those that occur in the file; themes of the run that the file never mentions are not
scored (a paper labelled ``other`` is a negative for every evaluated theme).

Steps: :func:`read_labels` -> :func:`match_labels` (to a run's papers, by id, else by normalised title) ->
:func:`evaluate_themes` -> :func:`evaluation_document` (``evaluation.json``) / :func:`evaluation_table`.

The measures themselves (precision/recall/F1 with their zero conventions, precision/recall curves, the
reliability table) live in :mod:`topics.themes.metrics`; macro-F1 is the unweighted mean F1 over the evaluated
themes. Beside the decisions, the labeller's scores are judged on their own, per theme and micro-averaged over
the (paper, theme) pairs the labels cover: the matched papers times the evaluated themes.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rich.markup import escape as rich_escape
from rich.table import Table

from preprocessing.clean import normalise_title
from preprocessing.errors import InputError, UserError
from preprocessing.readers import decode_text
from preprocessing.tabular import STANDARD_COLUMNS
from topics.results import MICRO, NONE, OTHER, ErrorCase, Evaluation, PrCurve, Reliability, ThemeScore
from topics.themes.metrics import pr_curve, reliability, theme_score

#: Column names (case-insensitive) recognised for the labels, the paper id and the title; first present wins.
THEMES_COLUMNS: tuple[str, ...] = ("themes", "labels", "theme", "label")
ID_COLUMNS: tuple[str, ...] = STANDARD_COLUMNS["id"]
TITLE_COLUMNS: tuple[str, ...] = STANDARD_COLUMNS["title"]
#: File extensions read as tab-separated; every other file is read as comma-separated.
TAB_EXTENSIONS: tuple[str, ...] = (".tsv", ".tab")
#: Unmatched labelled papers named in a warning, and allowed theme ids named in an error.
EXAMPLES = 3
ALLOWED_SHOWN = 5
#: Decimals of the floats in ``evaluation.json``.
DECIMALS = 4

_EMPTY_FIX = "expected a header row such as id,title,themes and one row per labelled paper"

Key = Literal["id", "title"]


# --- labels file ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldLabels:
    """Hand labels read from a labels file, one entry per labelled paper (repeated rows dropped).

    Attributes:
        path: the labels file.
        ids: paper id per entry (``""`` when the row gives none).
        titles: title per entry as written (``""`` when the row gives none).
        keys: what identifies the entry: its id, else its normalised title (:func:`normalise_title`).
        by: ``"id"`` or ``"title"`` per entry: which of the two ``keys`` holds.
        themes: gold theme ids per entry; the empty set means ``other``.
        lines: 1-based line of the file on which each entry's row starts.
        evaluated: theme ids that occur in the file, in themes-file order.
        n_rows: labelled rows read, repeats included.
        repeated_lines: lines of rows that repeat an earlier row's paper with the same themes (dropped).
    """

    path: Path
    ids: tuple[str, ...]
    titles: tuple[str, ...]
    keys: tuple[str, ...]
    by: tuple[Key, ...]
    themes: tuple[frozenset[str], ...]
    lines: tuple[int, ...]
    evaluated: tuple[str, ...]
    n_rows: int = 0
    repeated_lines: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.keys)

    def describe(self, entry: int) -> str:
        """``"line 7 ('Some title')"`` or ``"line 7 (id 'abc')"``: how messages name one entry."""
        if self.titles[entry]:
            return f"line {self.lines[entry]} ({self.titles[entry]!r})"
        return f"line {self.lines[entry]} (id {self.ids[entry]!r})"

    def support(self) -> dict[str, int]:
        """Labelled papers per evaluated theme, then ``other``: entries labelled ``other``."""
        counts = {theme: sum(theme in labels for labels in self.themes) for theme in self.evaluated}
        counts[OTHER] = sum(not labels for labels in self.themes)
        return counts


def read_labels(path: Path, theme_ids: Collection[str]) -> GoldLabels:
    """Read a labels file; ``theme_ids`` are the theme ids of the themes file (its order sets ``evaluated``).

    Raises InputError (file and line named) for a missing, empty or malformed file, a missing themes column,
    a missing id and title column, a row without id and title, an empty themes cell, an unknown theme id,
    ``other`` mixed with theme ids, and a paper labelled twice with different themes (twice with the same
    themes is fine: the repeat is dropped).
    """
    path = Path(path)
    text = _read_text(path)
    records = _csv_records(text, path)
    if not records:
        raise InputError(path, "is empty", _EMPTY_FIX)
    (_, header), rows = records[0], records[1:]
    found = [name.strip() for name in header]
    listed = ", ".join(name for name in found if name) or "none"
    themes_at = _find_column(found, THEMES_COLUMNS)
    if themes_at is None:
        raise InputError(
            path, f"no themes column (columns found: {listed})",
            f"add a 'themes' column holding ';'-separated theme ids, or '{OTHER}' when none applies",
            line=records[0][0],
        )
    id_at, title_at = _find_column(found, ID_COLUMNS), _find_column(found, TITLE_COLUMNS)
    if id_at is None and title_at is None:
        raise InputError(
            path, f"no id or title column (columns found: {listed})",
            "add an 'id' or a 'title' column naming each labelled paper as in the corpus", line=records[0][0],
        )
    if not rows:
        raise InputError(path, "has a header but no labelled papers", "add one row per labelled paper below the header")

    allowed = tuple(dict.fromkeys(theme_ids))
    entries: dict[str, int] = {}
    ids: list[str] = []
    titles: list[str] = []
    keys: list[str] = []
    by: list[Key] = []
    themes: list[frozenset[str]] = []
    lines: list[int] = []
    repeated: list[int] = []
    for line, row in rows:
        paper_id = _cell(row, id_at)
        title = " ".join(_cell(row, title_at).split())
        labels = _parse_themes(_cell(row, themes_at), allowed, path, line)
        kind: Key
        if paper_id:
            key, kind = paper_id, "id"
        elif normalise_title(title):
            key, kind = normalise_title(title), "title"
        else:
            raise InputError(
                path, "row has neither an id nor a title", "name each labelled paper by its id or title", line=line
            )
        earlier = entries.get(f"{kind}:{key}")
        if earlier is not None:
            if themes[earlier] != labels:
                raise InputError(
                    path,
                    f"{'id ' + repr(key) if kind == 'id' else repr(title)} is labelled again with different themes "
                    f"({_format_themes(labels)} here, {_format_themes(themes[earlier])} on line {lines[earlier]})",
                    "keep one row per paper, or give its rows the same themes",
                    line=line,
                )
            repeated.append(line)
            continue
        entries[f"{kind}:{key}"] = len(keys)
        ids.append(paper_id)
        titles.append(title)
        keys.append(key)
        by.append(kind)
        themes.append(labels)
        lines.append(line)
    used = set().union(*themes)
    if not used:
        raise InputError(
            path, f"every row is labelled '{OTHER}', so no theme can be evaluated",
            "label the papers that carry a theme with its theme id",
        )
    return GoldLabels(
        path=path, ids=tuple(ids), titles=tuple(titles), keys=tuple(keys), by=tuple(by), themes=tuple(themes),
        lines=tuple(lines), evaluated=tuple(t for t in allowed if t in used), n_rows=len(rows),
        repeated_lines=tuple(repeated),
    )


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(path, "labels file not found", "check the path given with --labels")
    if path.is_dir():
        raise InputError(path, "is a directory, not a labels file", "give the path of one CSV or TSV file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})", "check the file's permissions") from None
    if not data.strip():
        raise InputError(path, "is empty", _EMPTY_FIX)
    text, _ = decode_text(data, path)  # labels are ids and theme ids: a line read as Windows-1252 needs no warning
    return text


def _csv_records(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank records with the 1-based line each starts on (header first)."""
    delimiter = "\t" if path.suffix.lower() in TAB_EXTENSIONS else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((previous_end + 1, record))
            previous_end = reader.line_num
    except csv.Error as error:
        raise InputError(
            path, f"is not valid CSV ({error})", "quote fields that contain the separator or line breaks",
            line=reader.line_num,
        ) from None
    return records


def _find_column(found: Sequence[str], names: Sequence[str]) -> int | None:
    folded = [name.casefold() for name in found]
    return next((folded.index(name) for name in names if name in folded), None)


def _cell(row: Sequence[str], at: int | None) -> str:
    return row[at].strip() if at is not None and at < len(row) else ""


def _parse_themes(cell: str, allowed: Sequence[str], path: Path, line: int) -> frozenset[str]:
    """Theme ids of one themes cell (empty set for ``other``); whitespace, case and empty parts tolerated."""
    labels = [part.strip().casefold() for part in cell.split(";") if part.strip()]
    if not labels:
        raise InputError(
            path, "empty themes cell", f"write ';'-separated theme ids, or '{OTHER}' when none of the themes applies",
            line=line,
        )
    if OTHER in labels:
        if len(set(labels)) > 1:
            raise InputError(
                path, f"'{OTHER}' together with theme ids in {cell!r}",
                f"write either '{OTHER}' alone or only theme ids", line=line,
            )
        return frozenset()
    for label in labels:
        if label not in allowed:
            raise InputError(path, f"unknown theme id {label!r}", _unknown_fix(label, allowed), line=line)
    return frozenset(labels)


def _unknown_fix(label: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(label, allowed, n=1)
    if close:
        return f"did you mean {close[0]!r}? theme ids come from the themes file; use '{OTHER}' for none"
    shown = ", ".join(allowed[:ALLOWED_SHOWN]) + (", ..." if len(allowed) > ALLOWED_SHOWN else "")
    return f"use theme ids of the themes file ({shown}) or '{OTHER}'"


def _format_themes(labels: frozenset[str]) -> str:
    return repr(";".join(sorted(labels)) or OTHER)


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
    missing = [t for t in gold_labels.evaluated if t not in theme_ids]
    if missing:
        raise UserError(
            f"{gold_labels.path}: theme {missing[0]!r} is labelled but the run has no such theme (run themes: "
            f"{', '.join(theme_ids)}); evaluate with the themes file the labels were written for"
        )
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
    cases: list[ErrorCase] = []
    theme_scores = np.asarray(scores, dtype=float)
    for i, (entry, row) in enumerate(zip(match.entries, rows)):
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
    covered = theme_scores[np.ix_(rows, columns)]  # the (paper, theme) pairs the labels cover
    curves = tuple(pr_curve(t, gold[:, j], covered[:, j]) for j, t in enumerate(themes))
    positives = sorted((c for c in cases if c.kind == "false positive"), key=lambda c: -c.score)
    negatives = sorted((c for c in cases if c.kind == "false negative"), key=lambda c: c.score)
    return Evaluation(
        labels_path=str(gold_labels.path),
        themes=themes,
        scores=labeller,
        baseline=base,
        macro_f1=_mean_f1(labeller),
        baseline_macro_f1=_mean_f1(base) if base else None,
        n_labelled=len(gold_labels),
        n_papers=len(rows),
        n_unmatched=len(match.unmatched),
        unmatched_examples=match.unmatched_examples(),
        gold_categories=(*themes, OTHER),
        predicted_categories=(*themes, NONE),
        confusion=confusion_table(gold, given),
        false_positives=tuple(positives[:max_errors]),
        false_negatives=tuple(negatives[:max_errors]),
        pr_curves=curves,
        pr_micro=pr_curve(MICRO, gold, covered),
        reliability=reliability(gold, covered),
        threshold=None if threshold is None else float(threshold),
    )


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
