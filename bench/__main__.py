"""The pipeline benchmark: ``python -m bench`` (or ``make bench``).

    .venv/bin/python -m bench                       # 5k, 20k, 47.5k (all), 200k; tutorial and Spark at 47.5k
    .venv/bin/python -m bench --quick               # smoke check: 5k only, no tutorial, no Spark
    .venv/bin/python -m bench --sizes 2000 --tutorial-sizes 2000 --no-spark --results-dir /tmp/b
    .venv/bin/python -m bench --update-readme       # also put the tables into bench/README.md

Per corpus size (see :mod:`bench.corpora`): a cold run of ``topics run CONFIG -q`` (token cache folder
deleted first), the cold report timed in Chromium (:mod:`bench.browser`), then a warm run (same command, cache
kept). Then the Spark engine (cold) and the tutorial pipeline (:mod:`bench.tutorial`) at their sizes. Every
run is a child process measured by :mod:`bench.measure`. Results: ``<results-dir>/latest.json`` (every raw
number, seconds and MiB/MB as in :mod:`bench.runner`) and ``latest.md`` (the tables of :mod:`bench.table`);
``--quick`` writes ``quick.json``/``quick.md`` into the work folder instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import corpora, cpu_probe
from bench.browser import measure_report
from bench.engines import compare_theme_shares
from bench.runner import (
    PROJECT,
    RunRecord,
    as_dict,
    attach_browser,
    keep_outputs,
    report_path,
    run_tool,
    run_tutorial,
    write_config,
)
from bench.table import all_tables, replace_between_markers, results_markdown, to_rich
from bench.targets import check_targets, machine_info

BENCH = Path(__file__).resolve().parent
README = BENCH / "README.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Time and measure the pipeline per corpus size, cold and warm, beside its peers.")
    parser.add_argument("--sizes", help=f"corpus sizes in papers, comma-separated, 'all' = the whole file (default {corpora.DEFAULT_SIZES})")
    parser.add_argument("--tutorial-sizes", help="sizes for the tutorial peer pipeline, or 'none' (default: all)")
    parser.add_argument("--spark-sizes", help="sizes for a cold Spark-engine run, or 'none' (default: all)")
    parser.add_argument("--no-spark", action="store_true", help="no Spark-engine run")
    parser.add_argument("--no-warm", action="store_true", help="cold runs only")
    parser.add_argument("--no-browser", action="store_true", help="do not time the reports in Chromium")
    parser.add_argument("--quick", action="store_true", help="smoke check: 5000 papers, no tutorial, no Spark (results in the work folder)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the subsamples and the resampled copies (default 42)")
    parser.add_argument("--source", type=Path, default=corpora.SOURCE, help="the ml-abstracts parquet file")
    parser.add_argument("--work-dir", type=Path, default=BENCH / ".work", help="corpora, configs, caches, outputs and logs (default bench/.work)")
    parser.add_argument("--results-dir", type=Path, default=None, help="where latest.json / latest.md go (default bench/results)")
    parser.add_argument("--rebuild-corpora", action="store_true", help="write the corpus files again even when present")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds after which one run is ended (default 3600)")
    parser.add_argument("--spark-master", default="local[2]", help="spark.master of the Spark-engine run (default local[2])")
    parser.add_argument("--update-readme", action="store_true", help="replace the table block of bench/README.md")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = corpora.parse_sizes(args.sizes or ("5000" if quick else corpora.DEFAULT_SIZES))
    args.tutorial_sizes = corpora.parse_sizes(args.tutorial_sizes or ("none" if quick else "all"))
    args.spark_sizes = [] if args.no_spark else corpora.parse_sizes(args.spark_sizes or ("none" if quick else "all"))
    if not args.sizes:
        parser.error("--sizes names no size")
    return args


class Bench:
    """The state of one bench: corpora by requested size, records so far, and where everything goes."""

    def __init__(self, args: argparse.Namespace, console: Console) -> None:
        self.args, self.console = args, console
        self.work: Path = args.work_dir.resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        ignore = self.work / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        self.corpora: dict[corpora.Size, tuple[Path, int, str]] = {}
        self.runs: list[RunRecord] = []
        self.tutorials: list[Any] = []
        self.engine_agreement: list[dict[str, Any]] = []
        self.step, self.total = 0, 0
        self.n_source = 0

    def corpus(self, size: corpora.Size) -> tuple[Path, int, str]:
        """The corpus file, its rows and its label for a requested size, written on first use."""
        if size not in self.corpora:
            exists = corpora.corpus_path(self.work, size, self.args.seed).is_file()
            if not exists or self.args.rebuild_corpora:
                self.console.print(f"[dim]writing the {size} corpus (seed {self.args.seed})…[/dim]")
            path, rows = corpora.ensure_corpus(self.work, size, self.args.seed, self.args.source, self.args.rebuild_corpora)
            self.corpora[size] = (path, rows, corpora.size_label(rows))
        return self.corpora[size]

    def announce(self, text: str) -> None:
        self.step += 1
        self.console.print(f"[bold][{self.step}/{self.total}][/bold] {text} …", highlight=False)

    def timed(self, text: str, action: Callable[[], Any]) -> Any:
        """Run ``action`` under a spinner with the elapsed time (a live display only on a terminal)."""
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        if not self.console.is_terminal:
            return action()
        with Progress(SpinnerColumn(), TextColumn(text), TimeElapsedColumn(), console=self.console, transient=True) as progress:
            progress.add_task(text, total=None)
            return action()

    def done(self, record: Any) -> None:
        if record.error:
            self.console.print(f"    [red]failed[/red] after {record.wall_s or 0:.1f} s: {record.error}", markup=True, highlight=False)
            return
        papers = record.papers or record.corpus_rows
        npmi = f"NPMI {record.npmi:.4f}" if record.npmi is not None else "NPMI –"
        self.console.print(
            f"    {record.wall_s:.1f} s end to end, {papers / record.wall_s:,.0f} papers/s, "
            f"peak RSS {record.peak_rss_mib:,.0f} MiB, {npmi}", highlight=False,
        )

    def save_partial(self) -> None:
        (self.work / "partial.json").write_text(json.dumps(self.results({}), indent=2) + "\n", encoding="utf-8")

    def results(self, machine: dict[str, Any]) -> dict[str, Any]:
        full = corpora.size_label(self.n_source) if self.n_source else "all"
        runs = [as_dict(r) for r in self.runs]
        tutorials = [as_dict(t) for t in self.tutorials]
        return {
            "machine": machine,
            "settings": {
                "seed": self.args.seed, "source": str(self.args.source), "source_rows": self.n_source,
                "sizes": [self.corpora[s][2] for s in self.args.sizes if s in self.corpora],
                "units": {"time": "seconds", "memory": "MiB (2**20 bytes)", "report": "MB (10**6 bytes)"},
            },
            "runs": runs,
            "tutorial": tutorials,
            "engine_agreement": self.engine_agreement,
            "checks": check_targets(runs, tutorials, full, self.engine_agreement),
        }

    def run_all(self) -> None:
        args = self.args
        import pyarrow.parquet as pq

        self.n_source = pq.ParquetFile(args.source).metadata.num_rows if args.source.is_file() else 0
        sizes = sorted(dict.fromkeys(args.sizes), key=lambda s: corpora.resolve_size(s, self.n_source))
        warm = not args.no_warm
        self.total = len(sizes) * (2 if warm else 1) + len(args.spark_sizes) + len(args.tutorial_sizes)
        for size in sizes:
            path, rows, label = self.corpus(size)
            self.console.rule(f"{label} papers ({path.name})")
            config = write_config(self.work, path, label)
            self.announce(f"{label} local cold")
            record = self.timed("topics run (cold)", partial(run_tool, config, self.work, label, rows, "cold", timeout=args.timeout))
            self.runs.append(record)
            self.done(record)
            if not args.no_browser and not record.error:
                attach_browser(record, measure_report)
                browser = record.browser or {}
                if browser.get("error"):
                    self.console.print(f"    Chromium: {browser['error']}", highlight=False)
                else:
                    self.console.print(f"    Chromium: load {browser['load_s']:.2f} s, {browser['figures']} figures drawn at {browser['draw_s']:.2f} s, "
                                       f"report {record.report_mb:.1f} MB", highlight=False)
            keep_outputs(record)
            self.save_partial()
            if warm:
                self.announce(f"{label} local warm")
                record = self.timed("topics run (warm)", partial(run_tool, config, self.work, label, rows, "warm", timeout=args.timeout))
                self.runs.append(record)
                self.done(record)
                keep_outputs(record)
                self.save_partial()
        for size in args.spark_sizes:
            path, rows, label = self.corpus(size)
            config = write_config(self.work, path, label, engine="spark", spark_master=args.spark_master)
            self.announce(f"{label} Spark engine cold ({args.spark_master})")
            record = self.timed("topics run, engine spark", partial(run_tool, config, self.work, label, rows, "cold", pipeline="spark", timeout=args.timeout))
            self.runs.append(record)
            self.done(record)
            local_csv = self.work / f"out-{label}.cold" / "papers.csv"
            spark_csv = report_path(record).parent / "papers.csv"
            if not record.error and local_csv.is_file() and spark_csv.is_file():
                agreement = {"size": label, **compare_theme_shares(local_csv, spark_csv)}
                self.engine_agreement.append(agreement)
                self.console.print(f"    theme shares vs local: largest difference {agreement['max_abs_points']:.1f} points, "
                                   f"mean {agreement['mean_abs_points']:.1f}", highlight=False)
            self.save_partial()
        for size in args.tutorial_sizes:
            path, rows, label = self.corpus(size)
            self.announce(f"{label} tutorial pipeline (spaCy en_core_web_sm + LdaMulticore)")
            tutorial = self.timed("python -m bench.tutorial", partial(run_tutorial, path, self.work, label, rows, timeout=args.timeout))
            self.tutorials.append(tutorial)
            self.done(tutorial)
            if not tutorial.error:
                self.console.print("    stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in tutorial.stages_s.items()), highlight=False)
            self.save_partial()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected (make bench > log): do not squeeze the tables into 80 columns
        console.width = 180
    if not args.source.is_file():
        console.print(f"[red]{args.source}: the ml-abstracts corpus is missing (../shared/data/ml-abstracts/papers.parquet)[/red]")
        return 2
    bench = Bench(args, console)
    machine = machine_info(PROJECT)
    console.print(f"bench: {machine['cpu_model']}, {machine['nproc']} cores, {machine['ram_gib']} GiB; work folder {bench.work}")
    load = machine.get("load_average_1min")
    if load is not None and machine.get("nproc") and load > 0.5 * machine["nproc"]:
        console.print(f"[yellow]the machine is busy (load average {load} on {machine['nproc']} cores): every timing will be inflated[/yellow]")
    start_probe = cpu_probe.probe()
    bench.run_all()
    machine["cpu_probe"] = cpu_probe.summary(start_probe, cpu_probe.probe())
    console.print(cpu_probe.describe(machine["cpu_probe"]), style="yellow" if cpu_probe.is_noisy(machine["cpu_probe"]) else None)
    results = bench.results(machine)
    for table in all_tables(results):
        console.print(to_rich(table))
    markdown = results_markdown(results)
    if args.quick and args.results_dir is None:
        out_dir, name = bench.work, "quick"
    else:
        out_dir, name = (args.results_dir or BENCH / "results"), "latest"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out_dir / f"{name}.md").write_text(markdown, encoding="utf-8")
    console.print(f"results: {out_dir / (name + '.json')} and {out_dir / (name + '.md')}")
    if args.update_readme:
        README.write_text(replace_between_markers(README.read_text(encoding="utf-8"), markdown), encoding="utf-8")
        console.print(f"tables written into {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
