"""The Python API: run the pipeline from a notebook or a script and get its tables as DataFrames.

    import topics
    run = topics.run("configs/mila.yaml")           # a config file, a RunConfig, a DataFrame of papers, or None
    run.papers                                      # one row per paper: papers.csv's columns, typed
    run.paper_themes                                # one row per paper and theme: score, assigned, evidence
    run.topics                                      # one row per LDA topic and TF-IDF cluster
    run.trends                                      # trends.csv: theme shares per period
    run.figure("trends-shares")                     # a report figure as a plotly Figure (ids: run.figure_ids)
    run.save("out/mila")                            # the files `topics run` writes
    saved = topics.load_run("out/mila")             # the same tables, read back from those files

Every table is read from the text of the output file it comes from (``run.papers`` parses what papers.csv holds),
so a run's tables and the tables :func:`load_run` reads back from its saved files are equal.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from preprocessing.errors import UserError
from topics.config import RunConfig, load_config
from topics.results import RunResult

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from topics.pipeline.frozen_state import FrozenRun
    from topics.pipeline.progress import RunProgress

__all__ = ["Run", "SavedRun", "load_run", "run"]

#: papers.csv's columns that are numbers; the others are text ("" when empty).
_INTEGER_COLUMNS = ("year", "topic", "cluster")
_FLOAT_COLUMNS = ("topic_weight",)
#: Columns of :attr:`RunTables.paper_themes` and :attr:`RunTables.topics`.
PAPER_THEME_COLUMNS = ("paper_id", "theme", "theme_label", "score", "assigned", "evidence")
TOPIC_COLUMNS = ("model", "topic", "label", "papers", "prevalence", "coherence_npmi", "stability", "terms")


def _typed_papers(text: str) -> pd.DataFrame:
    """papers.csv's text as a DataFrame: text columns as strings ("" when empty), ``year``, ``topic`` and
    ``cluster`` as nullable integers, ``topic_weight`` as a nullable float."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in _INTEGER_COLUMNS:
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
    for column in _FLOAT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Float64")
    return frame


def _paper_themes(papers: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Long format of papers.csv's theme columns: a row for every theme listed in a paper's ``theme_scores``
    (every assigned theme and every near miss scoring at least 0.05), highest score first within a paper;
    ``evidence`` is the assigned theme's matched terms, ``|``-separated ("" for a near miss)."""
    rows = []
    for paper_id, assigned, scores, evidence in zip(
        papers["id"], papers["themes"], papers["theme_scores"], papers["theme_evidence"], strict=True
    ):
        chosen = set(filter(None, assigned.split(";")))
        terms = dict(group.split(":", 1) for group in evidence.split(";") if group)
        for pair in filter(None, scores.split(";")):
            theme, score = pair.rsplit(":", 1)
            rows.append(
                (paper_id, theme, labels.get(theme, theme), float(score), theme in chosen, terms.get(theme, ""))
            )
    return pd.DataFrame(rows, columns=list(PAPER_THEME_COLUMNS))


def _topics_table(document: dict[str, Any]) -> pd.DataFrame:
    """One row per LDA topic (``model`` "lda") and TF-IDF cluster ("clusters") of topics.json; ``terms`` is the
    top terms, ``; ``-separated, highest weight first."""
    rows = []
    for model in ("lda", "clusters"):
        for topic in (document.get(model) or {}).get("topics", []):
            rows.append((
                model, int(topic["id"]), topic["label"], int(topic["papers"]), float(topic["prevalence"]),
                topic["coherence_npmi"], topic["stability"], "; ".join(t["term"] for t in topic["terms"]),
            ))
    return pd.DataFrame(rows, columns=list(TOPIC_COLUMNS))


class RunTables:
    """The tables of a run, from the text of its papers.csv, topics.json and trends.csv (each parsed once, on
    first use)."""

    def __init__(self, papers_csv: str, topics_json: dict[str, Any], trends_csv: str) -> None:
        self._papers_csv = papers_csv
        self._topics_json = topics_json
        self._trends_csv = trends_csv

    @cached_property
    def papers(self) -> pd.DataFrame:
        """One row per paper with papers.csv's columns (see the README's Outputs)."""
        return _typed_papers(self._papers_csv)

    @cached_property
    def paper_themes(self) -> pd.DataFrame:
        """One row per paper and listed theme: ``paper_id, theme, theme_label, score, assigned, evidence``."""
        labels = {t["id"]: t["label"] for t in self._topics_json.get("themes", [])}
        return _paper_themes(self.papers, labels)

    @cached_property
    def topics(self) -> pd.DataFrame:
        """One row per LDA topic and TF-IDF cluster: ``model, topic, label, papers, prevalence, coherence_npmi,
        stability, terms``."""
        return _topics_table(self._topics_json)

    @cached_property
    def trends(self) -> pd.DataFrame:
        """trends.csv: one row per theme and period (papers, share and its interval)."""
        return pd.read_csv(io.StringIO(self._trends_csv))


class Run(RunTables):
    """A finished run: its tables, its report's figures, and :meth:`save`. ``result`` is the full
    :class:`~topics.results.RunResult` and ``config`` the validated config."""

    def __init__(self, result: RunResult, config: RunConfig, frozen: FrozenRun | None = None) -> None:
        from topics.pipeline.outputs import _csv, papers_csv, topics_document, trends_frame

        super().__init__(papers_csv(result), topics_document(result), _csv(trends_frame(result.trends)))
        self.result = result
        self.config = config
        self._frozen = frozen

    @cached_property
    def _figures(self) -> dict[str, go.Figure]:
        """The report's figures by section id, in report order (built once)."""
        from reports.html import walk_sections
        from reports.sections import build_sections

        return {s.id: s.figure for s in walk_sections(build_sections(self.result)) if s.figure is not None}

    @property
    def figure_ids(self) -> list[str]:
        """The ids of the report's figures, in report order (each is also the figure's anchor in report.html)."""
        return list(self._figures)

    def figure(self, figure_id: str) -> go.Figure:
        """The report's figure ``figure_id`` (see :attr:`figure_ids`) as a plotly Figure."""
        figures = self._figures
        if figure_id not in figures:
            raise UserError(f"no figure {figure_id!r} in this run; its figures are: {', '.join(figures)}")
        return figures[figure_id]

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        """Write the files ``topics run`` writes (report.html, papers.csv, topics.json, ...) into ``out_dir``,
        atomically; return their paths by file name."""
        from reports import render_report
        from topics.pipeline.outputs import check_output_dir, write_outputs

        out = Path(out_dir)
        check_output_dir(out)
        return write_outputs(self.result, render_report(self.result), out, self._frozen)


class SavedRun(RunTables):
    """A run read back from the folder it was saved in (``folder``); figures need the results: run it again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            papers = (folder / "papers.csv").read_text(encoding="utf-8")
            topics_json = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
            trends = (folder / "trends.csv").read_text(encoding="utf-8")
            self.manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError as missing:
            raise UserError(
                f"{folder}: not a saved run ({Path(str(missing.filename)).name} is missing); give the folder "
                f"`topics run` or Run.save wrote"
            ) from None
        super().__init__(papers, topics_json, trends)


def run(
    config: str | Path | RunConfig | pd.DataFrame | None = None,
    settings: Sequence[str] = (),
    *,
    use_cache: bool = True,
    quiet: bool = True,
) -> Run:
    """Run the pipeline. ``config``: a YAML config path, a :class:`RunConfig`, a DataFrame of papers (columns
    ``title`` and optionally ``abstract``, ``authors``, ``year``, ``venue``, ``id``; every other setting default),
    or ``None`` (the defaults; give ``inputs`` in ``settings``). ``settings`` are ``key=value`` overrides as
    ``--set`` takes them (``["models.lda.num_topics=8"]``). ``quiet=False`` shows the stages on stderr."""
    from topics.pipeline.progress import RunProgress

    progress = RunProgress(quiet=quiet)
    if isinstance(config, pd.DataFrame):
        with tempfile.TemporaryDirectory(prefix="research-topics-") as folder:
            path = Path(folder) / "papers.parquet"
            config.to_parquet(path, index=False)
            resolved = load_config(None, [f"inputs=[{{path: '{path}'}}]", *settings])
            return Run(*_run_pipeline(resolved, use_cache, progress))
    if isinstance(config, RunConfig):
        if settings:
            raise UserError("settings apply to a config file or the defaults; change a RunConfig with model_copy")
        resolved = config
    else:
        resolved = load_config(None if config is None else Path(config), list(settings))
    return Run(*_run_pipeline(resolved, use_cache, progress))


def _run_pipeline(
    config: RunConfig, use_cache: bool, progress: RunProgress
) -> tuple[RunResult, RunConfig, FrozenRun | None]:
    """The run's result, its config and its frozen state (what :meth:`Run.save` writes as models.pkl)."""
    from topics.pipeline.runner import run_to_save

    result, frozen = run_to_save(config, use_cache=use_cache, progress=progress)
    return result, config, frozen


def load_run(folder: str | Path) -> SavedRun:
    """The tables of a run saved in ``folder`` (by ``topics run`` or :meth:`Run.save`)."""
    return SavedRun(Path(folder))
