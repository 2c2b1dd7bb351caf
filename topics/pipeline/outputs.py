"""Writing a run's files: papers.csv, merges.csv, topics.json, trends.csv (and the other trend tables),
manifest.json and report.html.

Files are written only here, at the edge, and atomically: everything goes to a temporary folder beside the
output folder first, then each file replaces its old version with ``os.replace``. A run that fails or is
killed before that point leaves the previous outputs as they were.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np
import pandas as pd

from preprocessing import tempfiles
from preprocessing.errors import UserError
from topics.pipeline.frozen_state import STATE_FILE, FrozenRun, write_state
from topics.results import RAW, VIEW_COLUMNS, RunResult, ThemeTable, TopicResult, TrendTable
from topics.themes.evaluation import evaluation_document

#: papers.csv columns, in order. A contract with users' scripts: add freely, rename only with a changelog entry.
PAPER_COLUMNS = (
    "id", "title", "authors", "abstract", "year", "period", "venue", "source",
    "themes", "theme_scores", "theme_evidence", "topic", "topic_weight", "topic_label", "cluster", "cluster_label",
    "doi", "keywords", "source_format", "merged_from",
)

#: merges.csv columns, one row per record merged into another of the same work (see preprocessing.dedup).
MERGE_COLUMNS = ("id", "kept_origin", "origin", "source", "rule", "filled", "title")


#: papers.csv's ``theme_scores`` lists every theme scoring at least this (besides the assigned ones, which it
#: always lists), so near misses below the threshold are visible.
THEME_SCORE_FLOOR = 0.05


#: The science maps' tables, each written on every run with ``views.enabled`` (header only when its view could not
#: be computed, e.g. no evolution or bursts over one period).
VIEW_FILES = tuple(VIEW_COLUMNS)

#: The files a run writes, in the order they are written (evaluation.json only when the run was evaluated; an
#: older one is removed with the set it belonged to, so it never describes another run).
OUTPUT_FILES = (
    "papers.csv", "merges.csv", "topics.json", "trends.csv", "trend_tests.csv", "topic_trends.csv",
    "topic_terms_over_time.csv", "theme_authors.csv", "theme_venues.csv", "comparison.csv", "comparison_authors.csv",
    *VIEW_FILES, "evaluation.json", "manifest.json", STATE_FILE, "report.html",
)

#: Trend statistics each trends.csv row carries for its theme (from the first window, raw shares).
TREND_COLUMNS = ("trend", "slope", "slope_low", "slope_high", "p_value", "q_value", "trend_window")


def trends_frame(trends: TrendTable) -> pd.DataFrame:
    """trends.csv: one row per (period, theme) with the count, share and its interval (and the normalised share
    when ``normalize_by`` is set), plus :data:`TREND_COLUMNS`: the theme's trend over the first window on raw
    shares, repeated on each of its rows (empty for unassigned papers and when no window has two periods)."""
    frame = trends.frame.copy()
    tests = trends.tests
    for column in TREND_COLUMNS:
        frame[column] = ""
    if tests is None or not len(tests) or not trends.windows:
        return frame
    first = tests[(tests["window"] == trends.windows[0].name) & (tests["basis"] == RAW) & (tests["kind"] == "theme")]
    by_theme = first.set_index("id")
    for column in TREND_COLUMNS:
        source = "window" if column == "trend_window" else column
        frame[column] = (
            frame["theme"].map(by_theme[source]).astype(object).where(frame["theme"].isin(by_theme.index), "")
        )
    return frame


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def trend_files(trends: TrendTable) -> dict[str, str]:
    """The trend outputs beside trends.csv, by file name; each only when its data exists."""
    files: dict[str, str] = {}
    if trends.tests is not None:
        files["trend_tests.csv"] = _csv(trends.tests)
    if trends.topic_frame is not None:
        files["topic_trends.csv"] = _csv(trends.topic_frame)
    if trends.topic_terms is not None:
        files["topic_terms_over_time.csv"] = _csv(trends.topic_terms.frame)
    if trends.profiles is not None:
        files["theme_authors.csv"] = _csv(trends.profiles.authors)
        if len(trends.profiles.venues):
            files["theme_venues.csv"] = _csv(trends.profiles.venues)
    if trends.comparison is not None:
        files["comparison.csv"] = _csv(trends.comparison.frame)
        files["comparison_authors.csv"] = _csv(trends.comparison.authors)
    return files


def merges_frame(run: RunResult) -> pd.DataFrame:
    """merges.csv: one row per record merged into another of the same work, with :data:`MERGE_COLUMNS`: ``id``
    and ``kept_origin`` of the paper kept, ``origin``, ``source`` and ``title`` of the merged record, ``rule``
    (``doi``, ``title``, ``similar title``) and ``filled`` (the kept paper's fields it gave, ``; ``-separated)."""
    rows = [
        (m.kept_id, m.kept_origin, m.origin, m.source, m.rule, "; ".join(m.filled), m.title)
        for m in run.corpus.merges
    ]
    return pd.DataFrame(rows, columns=list(MERGE_COLUMNS))


def paper_rows(run: RunResult) -> Iterator[tuple[str, ...]]:
    """One tuple of strings per paper, in the order of :data:`PAPER_COLUMNS` (see :func:`papers_frame`)."""
    table = run.themes
    lda, clusters = run.lda, run.clusters
    topics: list[int] = lda.assignments.tolist() if lda is not None else []
    groups: list[int] = clusters.assignments.tolist() if clusters is not None else []
    topic_ids = [lda.topic_id(k) for k in range(lda.n_topics)] if lda is not None else []
    cluster_ids = [clusters.topic_id(k) for k in range(clusters.n_topics)] if clusters is not None else []
    weights = lda.doc_topic[np.arange(len(topics)), topics].tolist() if lda is not None and topics else []
    index = {tid: j for j, tid in enumerate(table.theme_ids)}
    scored = _scored_themes(table)
    merged_from: dict[str, list[str]] = {}
    for merge in run.corpus.merges:
        merged_from.setdefault(merge.kept_id, []).append(merge.origin)
    for i, paper in enumerate(run.corpus.papers):
        pairs = table.paper_themes(i)
        evidence = table.evidence[i]
        yield (
            paper.id,
            paper.title,
            "; ".join(paper.authors),
            paper.abstract,
            "" if paper.year is None else str(paper.year),
            paper.period,
            paper.venue,
            paper.source,
            ";".join(t for t, _ in pairs),
            ";".join(f"{t}:{s:.4f}" for t, s in scored[i]),
            ";".join(f"{t}:{'|'.join(evidence[index[t]])}" for t, _ in pairs),
            "" if lda is None else str(topic_ids[topics[i]]),
            "" if lda is None else f"{weights[i]:.4f}",
            "" if lda is None else lda.labels[topics[i]],
            "" if clusters is None else str(cluster_ids[groups[i]]),
            "" if clusters is None else clusters.labels[groups[i]],
            paper.doi,
            "; ".join(paper.keywords),
            paper.source_format,
            "; ".join(merged_from.get(paper.id, ())),
        )


def _scored_themes(table: ThemeTable) -> list[list[tuple[str, float]]]:
    """Per paper, the ``(theme id, score)`` pairs papers.csv's ``theme_scores`` lists: every theme scoring at
    least :data:`THEME_SCORE_FLOOR` and every assigned theme, highest score first (ties by id)."""
    ids = table.theme_ids
    scores = np.asarray(table.scores, dtype=np.float64)
    listed = (scores >= THEME_SCORE_FLOOR) | np.asarray(table.assigned, dtype=bool)
    rows, cols = np.nonzero(listed)
    per_paper: list[list[tuple[str, float]]] = [[] for _ in range(scores.shape[0])]
    for row, col, score in zip(rows.tolist(), cols.tolist(), scores[rows, cols].tolist()):
        per_paper[row].append((ids[col], score))
    for pairs in per_paper:
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
    return per_paper


def papers_frame(run: RunResult) -> pd.DataFrame:
    """One row per paper with the columns of :data:`PAPER_COLUMNS`, every cell a string.

    ``authors`` and ``themes`` (the assigned theme ids, highest score first) are ``;``-separated;
    ``theme_scores`` is ``id:score`` pairs (4 decimals, ``;``-separated, highest score first) of every theme
    scoring at least :data:`THEME_SCORE_FLOOR` and every assigned one, so it also shows the near misses;
    ``theme_evidence`` is ``id:term|term`` groups of the assigned themes, in the order of ``themes``; ``topic``
    and ``cluster`` are integers (empty when the model did not run); ``doi`` is bare (``10.xxxx/...``),
    ``keywords`` the record's author keywords (``; ``-separated), ``source_format`` the reader that read it and
    ``merged_from`` the origins (``file:line``, ``; ``-separated) of the other records of the same work that
    were merged into it (merges.csv says by which rule and which fields they gave).
    """
    return pd.DataFrame(list(paper_rows(run)), columns=list(PAPER_COLUMNS))


def csv_cell(text: str) -> str:
    """One CSV field as :mod:`csv`'s minimal quoting writes it: quoted (inner quotes doubled) only when it holds
    a comma, a quote or a line break."""
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def write_papers_csv(run: RunResult, handle: TextIO, rows_per_write: int = 2000) -> None:
    r"""papers.csv into ``handle``: a header of :data:`PAPER_COLUMNS`, then :func:`paper_rows`, ``\n`` line ends;
    the same text as ``papers_frame(run).to_csv(index=False)``, streamed a few thousand rows at a time so the
    whole file is never one string in memory (47k papers: 1.1 s instead of 2.2 s, and ~60 MB less)."""
    handle.write(",".join(csv_cell(name) for name in PAPER_COLUMNS) + "\n")
    lines: list[str] = []
    for row in paper_rows(run):
        lines.append(",".join([csv_cell(cell) for cell in row]))
        if len(lines) >= rows_per_write:
            handle.write("\n".join(lines) + "\n")
            lines.clear()
    if lines:
        handle.write("\n".join(lines) + "\n")


def papers_csv(run: RunResult) -> str:
    """The text of papers.csv (see :func:`write_papers_csv`)."""
    buffer = io.StringIO()
    write_papers_csv(run, buffer)
    return buffer.getvalue()


def _topics_block(result: TopicResult, theme_scores: np.ndarray | None, theme_ids: tuple[str, ...]) -> dict[str, Any]:
    sizes = result.sizes
    prevalence = result.prevalence
    topics = []
    for k in range(result.n_topics):
        entry: dict[str, Any] = {
            "id": result.topic_id(k),
            "label": result.labels[k] if result.labels else "",
            "terms": [{"term": t, "weight": round(w, 6)} for t, w in result.topic_terms[k]],
            "papers": int(sizes[k]),
            "prevalence": round(float(prevalence[k]), 6),
            "coherence_npmi": round(result.topic_coherence[k], 6) if result.topic_coherence else None,
            "diversity": round(result.topic_diversity[k], 6) if result.topic_diversity else None,
            "stability": round(result.topic_stability[k], 6) if result.topic_stability else None,
            "x": round(float(result.coords[k, 0]), 6),
            "y": round(float(result.coords[k, 1]), 6),
        }
        if theme_scores is not None:
            entry["themes"] = {tid: round(float(theme_scores[k, j]), 6) for j, tid in enumerate(theme_ids)}
        topics.append(entry)
    return {"backend": result.backend, "metrics": {k: round(v, 6) for k, v in result.metrics.items()}, "topics": topics}


def topics_document(run: RunResult) -> dict[str, Any]:
    """topics.json: LDA topics and TF-IDF clusters with terms, sizes, coherence, map coordinates, theme scores."""
    ids = run.themes.theme_ids
    doc: dict[str, Any] = {"themes": [{"id": t.id, "label": t.label} for t in run.themes.themes]}
    if run.lda is not None:
        doc["lda"] = _topics_block(run.lda, run.themes.topic_theme, ids)
    if run.clusters is not None:
        doc["clusters"] = _topics_block(run.clusters, run.themes.cluster_theme, ids)
    if run.agreement is not None:
        doc["agreement"] = {"ari": round(run.agreement.ari, 6), "nmi": round(run.agreement.nmi, 6)}
    return doc


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def check_output_dir(out_dir: Path) -> None:
    """Fail early, before any work and without creating anything, when ``out_dir`` cannot be written."""
    out_dir = Path(out_dir).absolute()
    existing = out_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(
            f"{out_dir}: cannot create the output folder ({existing} is a file); "
            "choose another with --out or output.dir"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(
            f"{out_dir}: the output folder is not writable ({existing}); choose another with --out or output.dir"
        )
    for name in OUTPUT_FILES:
        target = out_dir / name
        if target.exists() and not target.is_file():
            raise UserError(f"{target}: exists and is not a file; move it away or choose another folder with --out")


#: Kind of the staging folder (see :mod:`preprocessing.tempfiles`) the outputs are written into first.
STAGING_KIND = "topics-staging"


class BinaryOutput:
    """An output file written as bytes: ``write`` writes it to a binary handle."""

    def __init__(self, write: Callable[[BinaryIO], None]) -> None:
        self.write = write


#: What an output file is made of: its text, a function that writes it to a text handle, or bytes.
Content = str | Callable[[TextIO], None] | BinaryOutput


def output_contents(run: RunResult, report_html: str, frozen: FrozenRun | None = None) -> dict[str, Content]:
    """Every output file of ``run`` by name: its text, or a function that writes it to a text handle; with
    ``frozen``, the fitted models (models.pkl) that ``topics update`` reads."""
    contents: dict[str, Content] = {
        "papers.csv": lambda handle: write_papers_csv(run, handle),
        "merges.csv": _csv(merges_frame(run)),
        "topics.json": _json(topics_document(run)),
        "trends.csv": _csv(trends_frame(run.trends)),
        **trend_files(run.trends),
    }
    if run.views is not None:
        frames = run.views.csv_frames()
        for name, columns in VIEW_COLUMNS.items():
            contents[name] = _csv(frames.get(name, pd.DataFrame(columns=list(columns))))
    if run.evaluation is not None:
        contents["evaluation.json"] = _json(evaluation_document(run.evaluation))
    contents["manifest.json"] = _json(run.manifest)
    if frozen is not None:
        contents[STATE_FILE] = BinaryOutput(lambda handle: write_state(frozen, handle))
    contents["report.html"] = report_html
    return contents


def _write_staged(staging: Path, contents: dict[str, Content]) -> None:
    """Write each file of ``contents`` into ``staging``, synced to disk."""
    for name, text in contents.items():
        if isinstance(text, BinaryOutput):
            with open(staging / name, "wb") as binary:
                text.write(binary)
                binary.flush()
                os.fsync(binary.fileno())
            continue
        with open(staging / name, "w", encoding="utf-8", newline="") as handle:
            if callable(text):
                text(handle)
            else:
                handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())


def write_outputs(
    run: RunResult, report_html: str, out_dir: Path, frozen: FrozenRun | None = None
) -> dict[str, Path]:
    """Write every output file into ``out_dir`` as one set; return their paths by name.

    All files are first written to a staging folder inside ``out_dir``; the previous outputs are then moved
    aside, the new ones moved in, and on any failure the previous ones are put back, so the folder holds either
    the old set or the new set, never a mix. Raises :class:`UserError` naming the folder or file.
    """
    out_dir = Path(out_dir)
    contents = output_contents(run, report_html, frozen)
    check_output_dir(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tempfiles.remove_orphans(out_dir, STAGING_KIND)  # what a killed run left
        staging = Path(tempfile.mkdtemp(prefix=tempfiles.prefix(STAGING_KIND), dir=out_dir))
    except OSError as error:
        raise UserError(
            f"{out_dir}: cannot write the output folder ({error.strerror or error}); choose another with --out"
        ) from None
    try:
        _write_staged(staging, contents)
        tempfiles.swap_in(staging, out_dir, list(contents), OUTPUT_FILES)  # the previous set is put back on failure
        return {name: out_dir / name for name in contents}
    except OSError as error:
        where = error.filename or out_dir
        raise UserError(
            f"{where}: cannot write the outputs ({error.strerror or error}); the previous outputs were kept; "
            "check free space and permissions, or choose another folder with --out"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
