"""Runs of the tool (``topics run CONFIG -q``, local or Spark engine) and of the tutorial peer, each measured as
a child process, with what their outputs say about themselves.

Per run of the tool it reads, from the output folder:

* ``manifest.json``: ``timings_seconds`` (stage -> wall seconds, in run order), ``counts.papers``,
  ``counts.tokens``, and when present ``peak_rss_mb`` and ``stage_peak_rss_mb`` (stage -> peak RSS in MB at the
  stage's end, as the tool measures itself);
* ``topics.json``: ``lda.metrics.coherence_npmi`` (mean NPMI of the LDA topics' top 10 terms over the run's own
  tokens) and ``lda.backend``;
* ``report.html``: its size in MB (10**6 bytes).

Units: seconds, papers per second, MiB (2**20 bytes) for the bench's own memory measurements, MB (10**6
bytes) for file sizes; ``stage_peak_rss_mb`` is kept in whatever unit the tool writes.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.browser import BrowserTiming
from bench.measure import Measured, run_measured

PROJECT = Path(__file__).resolve().parent.parent
BYTES_PER_MB = 1_000_000


@dataclass
class RunRecord:
    """One measured run of the tool. ``pipeline`` is "local" or "spark"; ``mode`` "cold" or "warm"."""

    pipeline: str
    mode: str
    size: str
    corpus_rows: int
    papers: int | None = None
    tokens: int | None = None
    wall_s: float | None = None
    peak_rss_mib: float | None = None
    maxrss_mib: float | None = None
    tree_pss_mib: float | None = None
    tree_rss_mib: float | None = None
    manifest_peak_rss_mb: float | None = None
    stages_s: dict[str, float] = field(default_factory=dict)
    stage_peak_rss_mb: dict[str, float] = field(default_factory=dict)
    report_mb: float | None = None
    npmi: float | None = None
    lda_backend: str | None = None
    browser: dict[str, Any] | None = None
    error: str | None = None
    config: str = ""

    @property
    def docs_per_s(self) -> float | None:
        """Papers (after deduplication; corpus rows when unknown) per wall second, end to end."""
        n = self.papers or self.corpus_rows
        return n / self.wall_s if self.wall_s else None


@dataclass
class TutorialRecord:
    """One measured run of :mod:`bench.tutorial`."""

    size: str
    corpus_rows: int
    papers: int | None = None
    tokens: int | None = None
    wall_s: float | None = None
    total_s: float | None = None
    stages_s: dict[str, float] = field(default_factory=dict)
    npmi_seconds: float | None = None
    spacy_words_per_s: float | None = None
    peak_rss_mib: float | None = None
    maxrss_mib: float | None = None
    tree_pss_mib: float | None = None
    npmi: float | None = None
    spacy_model: str | None = None
    workers: int | None = None
    error: str | None = None


def as_dict(record: RunRecord | TutorialRecord) -> dict[str, Any]:
    """The record as plain JSON-ready data (with ``docs_per_s`` for a run of the tool)."""
    data = asdict(record)
    if isinstance(record, RunRecord):
        data["docs_per_s"] = record.docs_per_s
    return data


def write_config(work_dir: Path, corpus: Path, size: str, engine: str = "local", spark_master: str = "local[2]") -> Path:
    """A config YAML for one corpus: its own token cache and output folders, every other setting default."""
    tag = size if engine == "local" else f"{size}-{engine}"
    data: dict[str, Any] = {
        "report": {"title": f"Benchmark: ml-abstracts, {size} papers ({engine} engine)"},
        "inputs": [{"path": str(corpus.resolve())}],
        "cache": {"dir": str((work_dir / f"cache-{tag}").resolve())},
        "output": {"dir": str((work_dir / f"out-{tag}").resolve())},
    }
    if engine != "local":
        data["engine"] = engine
        data["spark"] = {"master": spark_master}
    path = work_dir / "configs" / f"bench-{tag}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def topics_command(config: Path) -> list[str]:
    """``topics run CONFIG -q`` with the ``topics`` script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "topics"
    if script.exists():
        return [str(script), "run", str(config), "-q"]
    return [sys.executable, "-c", "from topics.cli import main; main()", "run", str(config), "-q"]


def _load_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_outputs(out_dir: Path, record: RunRecord) -> None:
    """Fill ``record`` from the run's manifest.json, topics.json and report.html (missing keys stay None)."""
    manifest = _load_json(out_dir / "manifest.json")
    counts = manifest.get("counts", {}) or {}
    record.papers = counts.get("papers")
    record.tokens = counts.get("tokens")
    record.stages_s = {str(k): float(v) for k, v in (manifest.get("timings_seconds") or {}).items()}
    record.manifest_peak_rss_mb = manifest.get("peak_rss_mb")
    record.stage_peak_rss_mb = {str(k): float(v) for k, v in (manifest.get("stage_peak_rss_mb") or {}).items()}
    lda = _load_json(out_dir / "topics.json").get("lda") or {}
    record.npmi = (lda.get("metrics") or {}).get("coherence_npmi")
    record.lda_backend = lda.get("backend")
    report = out_dir / "report.html"
    record.report_mb = report.stat().st_size / BYTES_PER_MB if report.is_file() else None


def _fill_measured(record: RunRecord | TutorialRecord, measured: Measured) -> None:
    record.wall_s = measured.wall_s
    record.peak_rss_mib = measured.peak_rss_mib
    record.maxrss_mib = measured.maxrss_mib
    record.tree_pss_mib = measured.tree_pss_mib
    if isinstance(record, RunRecord):
        record.tree_rss_mib = measured.tree_rss_mib
    if not measured.ok:
        record.error = measured.error_text()


def run_tool(
    config: Path, work_dir: Path, size: str, corpus_rows: int, mode: str, pipeline: str = "local", timeout: float | None = None,
) -> RunRecord:
    """One measured ``topics run``; a cold run first deletes the config's token cache folder."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    if mode == "cold":
        shutil.rmtree(settings["cache"]["dir"], ignore_errors=True)
    out_dir = Path(settings["output"]["dir"])
    for stale in ("manifest.json", "topics.json", "report.html"):  # never read a previous run's files
        (out_dir / stale).unlink(missing_ok=True)
    record = RunRecord(pipeline=pipeline, mode=mode, size=size, corpus_rows=corpus_rows, config=str(config))
    measured = run_measured(topics_command(config), work_dir / "logs", f"{pipeline}-{size}-{mode}", timeout=timeout, cwd=PROJECT)
    _fill_measured(record, measured)
    if measured.ok:
        read_outputs(out_dir, record)
    return record


def report_path(record: RunRecord) -> Path:
    """The report.html of a run of the tool."""
    settings = yaml.safe_load(Path(record.config).read_text(encoding="utf-8"))
    return Path(settings["output"]["dir"]) / "report.html"


def keep_outputs(record: RunRecord) -> Path | None:
    """Move a finished run's output folder aside to ``<output dir>.<mode>`` (replacing an older one) so that
    the next run of the same config starts afresh and both can be compared; the new folder, or None."""
    out_dir = report_path(record).parent
    if not out_dir.is_dir():
        return None
    kept = out_dir.with_name(f"{out_dir.name}.{record.mode}")
    shutil.rmtree(kept, ignore_errors=True)
    out_dir.rename(kept)
    return kept


def run_tutorial(corpus: Path, work_dir: Path, size: str, corpus_rows: int, timeout: float | None = None) -> TutorialRecord:
    """One measured ``python -m bench.tutorial`` on ``corpus``."""
    out = work_dir / f"tutorial-{size}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.tutorial", "--input", str(corpus.resolve()), "--out", str(out.resolve())]
    measured = run_measured(command, work_dir / "logs", f"tutorial-{size}", timeout=timeout, cwd=PROJECT)
    record = TutorialRecord(size=size, corpus_rows=corpus_rows)
    _fill_measured(record, measured)
    data = _load_json(out) if measured.ok else {}
    if data:
        record.papers = data.get("papers")
        record.tokens = data.get("tokens")
        record.total_s = data.get("total_s")
        record.stages_s = dict(data.get("stages_seconds") or {})
        record.npmi_seconds = data.get("npmi_seconds")
        record.spacy_words_per_s = data.get("spacy_words_per_s")
        record.npmi = data.get("coherence_npmi")
        record.spacy_model = data.get("spacy_model")
        record.workers = data.get("workers")
    elif record.error is None:
        record.error = f"{out} was not written"
    return record


def attach_browser(record: RunRecord, measure: Callable[[Path], BrowserTiming]) -> None:
    """Time the run's report in Chromium (nothing when the run failed)."""
    if record.error is None:
        record.browser = measure(report_path(record)).as_dict()
