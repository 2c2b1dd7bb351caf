"""The bench's tables: built once as rows of text, rendered as Markdown (README, latest.md) or rich (terminal).

Number formats: seconds with 3 significant digits (``0.842``, ``12.3``, ``812``), papers per second and counts
as whole numbers with thousands separators, memory in MiB (2**20 bytes) as whole numbers, report sizes in MB
(10**6 bytes) with one decimal, NPMI with 4 decimals; a missing value is an en dash.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.cpu_probe import describe as describe_probe

MISSING = "–"


@dataclass
class TextTable:
    """A titled table of already-formatted cells (one row per list, as long as ``headers``)."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


def fmt_seconds(value: float | None) -> str:
    """Seconds with three significant digits: 0.0421 -> "0.042", 12.34 -> "12.3", 812.4 -> "812"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def fmt_int(value: float | None) -> str:
    """A whole number with thousands separators: 47509 -> "47,509"."""
    return MISSING if value is None else f"{value:,.0f}"


def fmt_mib(value: float | None) -> str:
    """MiB as a whole number: 1234.6 -> "1,235"."""
    return MISSING if value is None else f"{value:,.0f}"


def fmt_mb(value: float | None) -> str:
    """MB with one decimal: 6.94 -> "6.9"."""
    return MISSING if value is None else f"{value:.1f}"


def fmt_npmi(value: float | None) -> str:
    """NPMI with four decimals and a sign for negatives: 0.0551 -> "0.0551"."""
    return MISSING if value is None else f"{value:.4f}"


def rate(papers: float | None, seconds: float | None) -> float | None:
    """Papers per second, or None when either is missing or the time is zero."""
    return papers / seconds if papers and seconds else None


def escape_cell(text: str) -> str:
    """A cell's text made safe for a Markdown table (pipes escaped, newlines as spaces)."""
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(table: TextTable) -> str:
    """The table as GitHub Markdown: a bold title line, the table, and its note in italics."""
    lines = [f"**{table.title}**", "", "| " + " | ".join(escape_cell(h) for h in table.headers) + " |"]
    lines.append("| " + " | ".join("---" for _ in table.headers) + " |")
    lines += ["| " + " | ".join(escape_cell(c) for c in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", f"_{table.note}_"]
    return "\n".join(lines) + "\n"


def to_rich(table: TextTable) -> Any:
    """The table as a :class:`rich.table.Table` (cells printed as plain text, never as markup)."""
    from rich.table import Table
    from rich.text import Text

    rich_table = Table(title=table.title, caption=table.note or None, title_justify="left", caption_justify="left")
    for i, header in enumerate(table.headers):
        rich_table.add_column(header, justify="left" if i == 0 else "right")
    for row in table.rows:
        rich_table.add_row(*(Text(cell) for cell in row))
    return rich_table


def machine_lines(machine: dict[str, Any]) -> str:
    """The machine as one Markdown paragraph."""
    return (
        f"Machine: {machine.get('cpu_model', '?')}, {machine.get('nproc', '?')} cores, "
        f"{machine.get('ram_gib', '?')} GiB RAM, Python {machine.get('python', '?')}, {machine.get('platform', '?')}; "
        f"commit {machine.get('commit', '?')}; run {machine.get('date', '?')}"
        + (f", load average {machine['load_average_1min']} at the start" if machine.get("load_average_1min") is not None else "")
        + (f"; {probe}" if (probe := describe_probe(machine.get("cpu_probe") or {})) else "")
        + ".\n"
    )


def runs_table(runs: Sequence[dict[str, Any]]) -> TextTable:
    """Table 1: every run of the tool, cold and warm, per size."""
    table = TextTable(
        "End to end, per corpus size",
        ["size", "engine", "run", "papers", "tokens", "end to end s", "docs/s", "peak RSS MiB", "report MB",
         "Chromium load s", "Chromium draw s", "LDA NPMI"],
        note="end to end: wall seconds of `topics run -q` including Python start-up; peak RSS: the child process "
             "tree (see README); Chromium: seconds to the load event / to every figure drawn, cold report only.",
    )
    for run in runs:
        browser = run.get("browser") or {}
        draw = fmt_seconds(browser.get("draw_s")) if browser else MISSING
        load = fmt_seconds(browser.get("load_s")) if browser else MISSING
        if browser.get("error"):
            load, draw = browser["error"].split(":")[0], MISSING
        if run.get("error"):
            table.rows.append([run["size"], run["pipeline"], run["mode"], fmt_int(run["corpus_rows"]), MISSING,
                               fmt_seconds(run.get("wall_s")), MISSING, fmt_mib(run.get("peak_rss_mib")), MISSING,
                               MISSING, MISSING, "failed: " + run["error"][:160]])
            continue
        table.rows.append([
            run["size"], run["pipeline"], run["mode"], fmt_int(run.get("papers")), fmt_int(run.get("tokens")),
            fmt_seconds(run.get("wall_s")), fmt_int(run.get("docs_per_s")), fmt_mib(run.get("peak_rss_mib")),
            fmt_mb(run.get("report_mb")), load, draw, fmt_npmi(run.get("npmi")),
        ])
    return table


def stage_table(runs: Sequence[dict[str, Any]]) -> TextTable:
    """Table 2: per stage of the cold local runs, one column per size: seconds, docs/s, peak RSS at its end."""
    cold = [r for r in runs if r["pipeline"] == "local" and r["mode"] == "cold" and not r.get("error")]
    stages: list[str] = []
    for run in cold:
        stages += [s for s in run["stages_s"] if s not in stages]
    table = TextTable(
        "Stages, cold runs: seconds (papers/s, the tool's peak RSS so far at the stage's end, MiB)",
        ["stage"] + [run["size"] for run in cold],
        note="stage seconds and RSS as the tool's manifest.json records them (timings_seconds; stage_peak_rss_mb, "
             "its own ru_maxrss / 1024, i.e. MiB, main process only).",
    )
    for stage in stages + ["sum of stages"]:
        row = [stage]
        for run in cold:
            papers = run.get("papers") or run["corpus_rows"]
            seconds = sum(run["stages_s"].values()) if stage == "sum of stages" else run["stages_s"].get(stage)
            if seconds is None:
                row.append(MISSING)
                continue
            rss = run.get("manifest_peak_rss_mb") if stage == "sum of stages" else run.get("stage_peak_rss_mb", {}).get(stage)
            extra = f"{fmt_int(rate(papers, seconds))}/s" + (f", {fmt_mib(rss)} MiB" if rss is not None else "")
            row.append(f"{fmt_seconds(seconds)} ({extra})")
        table.rows.append(row)
    return table


def _stage_text(stages: dict[str, float]) -> str:
    return ", ".join(f"{name} {fmt_seconds(seconds)}" for name, seconds in stages.items())


def peers_table(runs: Sequence[dict[str, Any]], tutorials: Sequence[dict[str, Any]]) -> TextTable:
    """Table 3: the tutorial pipeline beside the tool (local cold and warm, Spark) at the tutorial's sizes, and
    every Spark run."""
    table = TextTable(
        "Peers: the tutorial pipeline, the tool (local engine) and the Spark engine",
        ["size", "pipeline", "papers", "stages (s)", "total s", "end to end s", "peak RSS MiB", "LDA NPMI"],
        note="tutorial: spaCy en_core_web_sm (parser, NER off) + gensim LdaMulticore, 20 topics, 5 passes; "
             "total = its stages; NPMI of every pipeline: top-10 terms, sliding windows of 10 tokens over its own tokens "
             "(topics.quality.coherence.npmi_coherence, gensim's c_npmi).",
    )
    sizes = [t["size"] for t in tutorials] + [r["size"] for r in runs if r["pipeline"] != "local"]
    for size in dict.fromkeys(sizes):
        for tut in (t for t in tutorials if t["size"] == size):
            npmi = fmt_npmi(tut.get("npmi")) if not tut.get("error") else "failed: " + tut["error"][:160]
            table.rows.append([size, "tutorial", fmt_int(tut.get("papers") or tut["corpus_rows"]), _stage_text(tut["stages_s"]),
                               fmt_seconds(tut.get("total_s")), fmt_seconds(tut.get("wall_s")),
                               fmt_mib(tut.get("peak_rss_mib")), npmi])
        for run in (r for r in runs if r["size"] == size):
            name = f"tool {run['pipeline']} {run['mode']}" + (f" ({run['lda_backend']})" if run.get("lda_backend") else "")
            npmi = fmt_npmi(run.get("npmi")) if not run.get("error") else "failed: " + run["error"][:160]
            table.rows.append([size, name, fmt_int(run.get("papers") or run["corpus_rows"]), _stage_text(run["stages_s"]),
                               fmt_seconds(sum(run["stages_s"].values()) if run["stages_s"] else None),
                               fmt_seconds(run.get("wall_s")), fmt_mib(run.get("peak_rss_mib")), npmi])
    return table


def engines_table(agreement: Sequence[dict[str, Any]]) -> TextTable:
    """Table 4: per theme, the share of papers carrying it with the local and the Spark engine (same corpus)."""
    table = TextTable(
        "Spark engine against the local engine: share of papers per theme",
        ["size", "theme", "local %", "Spark %", "difference (points)"],
        note="share = papers carrying the theme (papers.csv's themes column) / papers; difference = Spark - local.",
    )
    for block in agreement:
        for row in block["themes"]:
            table.rows.append([block["size"], row["theme"], f"{row['local_pct']:.1f}", f"{row['spark_pct']:.1f}",
                               f"{row['difference_points']:+.1f}"])
    return table


def checks_table(checks: Sequence[dict[str, Any]]) -> TextTable:
    """Table 5: the targets, each with its measured value and PASS / FAIL / n/a."""
    table = TextTable("Targets", ["target", "measured", "result"])
    for check in checks:
        verdict = "n/a" if check["passed"] is None else ("PASS" if check["passed"] else "FAIL")
        table.rows.append([check["target"], check["measured"], verdict])
    return table


def all_tables(results: dict[str, Any]) -> list[TextTable]:
    """Tables 1-5 of a results document (see :mod:`bench.__main__`)."""
    runs, tutorials = results.get("runs", []), results.get("tutorial", [])
    tables = [runs_table(runs), stage_table(runs)]
    if tutorials or any(r["pipeline"] != "local" for r in runs):
        tables.append(peers_table(runs, tutorials))
    if results.get("engine_agreement"):
        tables.append(engines_table(results["engine_agreement"]))
    tables.append(checks_table(results.get("checks", [])))
    return tables


def results_markdown(results: dict[str, Any]) -> str:
    """The Markdown block written to latest.md and between the README's bench markers."""
    parts = [machine_lines(results.get("machine", {}))]
    parts += [to_markdown(t) for t in all_tables(results)]
    return "\n".join(parts)


START_MARKER = "<!-- bench:start -->"
END_MARKER = "<!-- bench:end -->"


def replace_between_markers(text: str, block: str) -> str:
    """``text`` with what lies between the bench markers replaced by ``block``; ValueError without markers."""
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"the markers {START_MARKER} and {END_MARKER} are missing or out of order")
    return text[: start + len(START_MARKER)] + "\n" + block.rstrip("\n") + "\n" + text[end:]
