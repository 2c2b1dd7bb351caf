"""The ``topics`` command: a thin layer over :mod:`topics.pipeline.runner`.

Exit codes: 0 success, 2 a problem the user can fix (bad input, config or path; one line on stderr, no
traceback), 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from preprocessing.errors import UserError
from preprocessing.interrupts import Interrupted, handle_interrupts
from preprocessing.table_exports import COLUMN_ROLES
from topics.config import InputConfig, RunConfig, load_config
from topics.pipeline.progress import RunProgress
from topics.results import RunResult

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Research themes, topics and trends from publication lists, as an interactive offline report.",
)
_err = Console(stderr=True, highlight=False)

ConfigArg = Annotated[
    Optional[Path], typer.Argument(help="YAML config (see configs/default.yaml); optional with --input")
]
InputOpt = Annotated[
    Optional[list[Path]],
    typer.Option("--input", "-i", help="An input file or folder (repeatable); replaces the config's inputs"),
]
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Output folder (default: the config's output.dir)")]
SetOpt = Annotated[
    Optional[list[str]],
    typer.Option("--set", help="Override a config value: --set models.lda.num_topics=30 (repeatable)"),
]


AlignOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--align-to", help="A previous run's topics.json: matched topics keep their ids and labels (models.align_to)"
    ),
]


MapOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--map",
        help='Map a column to a role for every input: --map title="Paper Title" (repeatable; roles: '
        + ", ".join(COLUMN_ROLES) + ")",
    ),
]


def parse_maps(values: list[str]) -> dict[str, str]:
    """``["title=Paper Title", ...]`` as ``{"title": "Paper Title"}``; :class:`UserError` naming a bad value."""
    maps: dict[str, str] = {}
    for value in values:
        role, sep, column = value.partition("=")
        role, column = role.strip(), column.strip().strip('"').strip("'")
        if not sep or not role:
            raise UserError(f'--map {value!r}: expected ROLE=COLUMN, e.g. --map title="Paper Title"')
        if role not in COLUMN_ROLES:
            raise UserError(f"--map {value!r}: unknown role {role!r}; use one of: {', '.join(COLUMN_ROLES)}")
        maps[role] = column
    return maps


def _with_cli_inputs(
    config: RunConfig, inputs: list[Path], out: Path | None, align_to: Path | None = None,
    maps: list[str] | None = None,
) -> RunConfig:
    """``config`` with the command line's inputs (replacing the config's), output folder, previous run to align
    to and ``--map`` column roles (added to every input's ``columns``)."""
    update: dict[str, object] = {}
    if align_to is not None:
        update["models"] = config.models.model_copy(update={"align_to": align_to.resolve()})
    chosen = tuple(InputConfig(path=p.resolve()) for p in inputs) if inputs else config.inputs
    columns = parse_maps(maps or [])
    if columns:
        chosen = tuple(i.model_copy(update={"columns": {**i.columns, **columns}}) for i in chosen)
    if inputs or columns:
        update["inputs"] = chosen
    if out is not None:
        update["output"] = config.output.model_copy(update={"dir": out.resolve()})
    return config.model_copy(update=update) if update else config


@app.command()
def run(
    config_path: ConfigArg = None,
    input_files: InputOpt = None,
    out: OutOpt = None,
    overrides: SetOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the token cache")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the report's path")] = False,
    align_to: AlignOpt = None,
    maps: MapOpt = None,
) -> None:
    """Run the pipeline and write report.html, papers.csv, topics.json, trends.csv (and the other trend tables)
    and manifest.json."""
    from topics.pipeline.runner import run_and_write

    if config_path is None and not input_files:
        raise UserError("give a config file (topics run configs/default.yaml) or at least one --input FILE")
    config = load_config(config_path, overrides or [])
    if config_path is None and out is None:
        out = Path("out/quick")
    config = _with_cli_inputs(config, list(input_files or []), out, align_to, maps)
    progress = RunProgress(quiet=quiet, console=_err)
    result, paths = run_and_write(config, use_cache=not no_cache, progress=progress)
    if not quiet:
        _print_summary(result, paths, progress)
    typer.echo(str(paths["report.html"]))


@app.command()
def update(
    run_dir: Annotated[Path, typer.Argument(help="The output folder of an earlier run (it holds models.pkl)")],
    input_files: Annotated[
        Optional[list[Path]],
        typer.Option("--input", "-i", help="A file or folder of new papers (repeatable); added to the run's inputs"),
    ] = None,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Output folder (default: RUN_DIR, replaced as one set)")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the token cache")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the report's path")] = False,
    maps: MapOpt = None,
) -> None:
    """Fold new papers into an earlier run without refitting: its papers keep their topic, cluster and themes,
    the new ones are labelled by its fitted models, and the trends and the report cover them all. Says when the
    new papers drift so far from the fitted ones that a refit is worth it."""
    from topics.pipeline.frozen_state import load_state, update_config
    from topics.pipeline.runner import run_and_write

    columns = parse_maps(maps or [])
    inputs = [InputConfig(path=p.resolve(), columns=columns) for p in input_files or []]
    config = update_config(load_state(run_dir), run_dir, inputs, out)
    progress = RunProgress(quiet=quiet, console=_err)
    result, paths = run_and_write(config, use_cache=not no_cache, progress=progress)
    if not quiet:
        _print_summary(result, paths, progress)
    typer.echo(str(paths["report.html"]))


def _print_summary(result: RunResult, paths: dict[str, Path], progress: RunProgress) -> None:
    """The run's closing lines: counts, papers per theme, the strongest trends and where the outputs are."""
    counts = result.manifest.get("counts", {})
    total = progress.elapsed()
    progress.note(
        f"{counts.get('papers', 0):,} papers, {counts.get('papers_with_theme', 0):,} with a theme, "
        f"{counts.get('lda_topics', 0)} topics, {counts.get('clusters', 0)} clusters in {total:.1f} s"
    )
    for line in _summary_lines(result):
        progress.note(line)
    progress.note(f"outputs in {paths['report.html'].parent}")


def _summary_lines(result: RunResult) -> list[str]:
    """Papers per theme and the first window's strongest emerging and declining (topics.trends.summary)."""
    from topics.trends.summary import run_summary

    table = result.themes
    counts = {tid: int(table.assigned[:, j].sum()) for j, tid in enumerate(table.theme_ids)}
    labels = {t.id: t.label for t in table.themes}
    return run_summary(result.trends, labels, counts, len(result.corpus))


@app.command()
def evaluate(
    config_path: Annotated[Path, typer.Argument(help="YAML config of the run to evaluate")],
    labels: Annotated[
        Optional[Path],
        typer.Option(
            "--labels",
            "-l",
            help="CSV of labelled papers: id or title, and a themes column of ';'-separated theme ids or 'other' "
            "(default: the config's evaluation.labels)",
        ),
    ] = None,
    out: OutOpt = None,
    overrides: SetOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the token cache")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the table")] = False,
    align_to: AlignOpt = None,
) -> None:
    """Run the config, score its themes (and a keyword baseline) against labelled papers, print the table and
    write evaluation.json and an evaluation section in the report beside the usual outputs.

    The token cache makes a rerun of an unchanged corpus fast; the run itself is the same as `topics run`.
    """
    from topics.pipeline.runner import run_and_write
    from topics.themes.evaluation import evaluation_table

    config = load_config(config_path, overrides or [])
    if labels is None and config.evaluation.labels is None:
        raise UserError(
            f"{config_path}: no labelled papers to evaluate against; "
            "give --labels FILE.csv or set evaluation -> labels in the config"
        )
    chosen = labels.resolve() if labels is not None else config.evaluation.labels
    config = config.model_copy(update={"evaluation": config.evaluation.model_copy(update={"labels": chosen})})
    config = _with_cli_inputs(config, [], out, align_to)
    progress = RunProgress(quiet=quiet, console=_err)
    result, paths = run_and_write(config, use_cache=not no_cache, progress=progress)
    evaluation = result.evaluation
    assert evaluation is not None
    Console(highlight=False).print(evaluation_table(evaluation))
    if not quiet:
        progress.note(f"evaluation.json and report in {paths['report.html'].parent}")


@app.command()
def trends(
    config_path: ConfigArg = None,
    input_files: InputOpt = None,
    out: OutOpt = None,
    overrides: SetOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the token cache")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the tables")] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, help="Emerging and declining themes/topics listed per window")
    ] = 15,
    maps: MapOpt = None,
) -> None:
    """Run the config and print the emerging and declining themes and topics of every trend window (with
    effect sizes, intervals and false-discovery-controlled q-values); writes the usual outputs too."""
    from topics.pipeline.runner import run_and_write
    from topics.trends.summary import comparison_table, ranking_tables

    if config_path is None and not input_files:
        raise UserError("give a config file (topics trends configs/neurips.yaml) or at least one --input FILE")
    config = load_config(config_path, overrides or [])
    if config_path is None and out is None:
        out = Path("out/quick")
    config = _with_cli_inputs(config, list(input_files or []), out, maps=maps)
    progress = RunProgress(quiet=quiet, console=_err)
    result, paths = run_and_write(config, use_cache=not no_cache, progress=progress)
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: do not wrap labels at 80 columns
        console.width = 160
    tables = ranking_tables(result.trends, top)
    if not tables and result.trends.comparison is None:
        console.print(
            f"No trend window holds two periods of this corpus ({len(result.trends.periods)} period(s)); "
            "see trends -> windows in the README.", markup=False,
        )
    for table in tables:
        console.print(table)
    if result.trends.comparison is not None:
        console.print(comparison_table(result.trends.comparison))
    if not quiet:
        progress.note(f"trend_tests.csv and report in {paths['report.html'].parent}")


@app.command()
def validate(
    config_path: Annotated[Path, typer.Argument(help="YAML config to check")], overrides: SetOpt = None
) -> None:
    """Check a config (and its themes file and inputs' existence) without running anything."""
    from topics.inputs import input_specs
    from topics.themes.definitions import load_theme_definitions

    config = load_config(config_path, overrides or [])
    themes = load_theme_definitions(config.themes.file)
    missing = [str(i.path) for i in config.inputs if not Path(i.path).exists()]
    if missing:
        raise UserError(
            f"{config_path}: inputs -> path: file not found: {missing[0]} (paths are relative to the config file)"
        )
    files = input_specs(config.inputs)
    typer.echo(
        f"{config_path}: valid ({len(files)} input file(s), {len(themes)} themes, output to {config.output.dir})"
    )


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(help="A run's output folder (the folder holding report.html)")],
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated formats: png, svg, pdf (e.g. png,svg,pdf)")
    ] = "png",
    dpi: Annotated[
        int,
        typer.Option("--dpi", help="PNG resolution: a W px wide figure is floor(W * dpi / 96) pixels wide (24-1200)"),
    ] = 300,
    figure_ids: Annotated[
        Optional[list[str]],
        typer.Option("--figure", help="Only this figure, by its section id, e.g. trends-shares (repeatable)"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the files' paths")] = False,
) -> None:
    """Write the report's figures as static files, RUN_DIR/figures/<section id>.<format>, drawn by Chromium
    from the figures embedded in RUN_DIR/report.html (nothing is re-run). An export of every figure replaces the
    folder's PNG, SVG and PDF files; with --figure only those figures' files are replaced."""
    import time

    from reports.static_export import export_run

    started = time.perf_counter()
    paths = export_run(run_dir, formats, dpi, figure_ids or ())
    for path in paths.values():
        typer.echo(str(path))
    if not quiet:
        _err.print(
            f"{len(paths)} file(s) in {run_dir / 'figures'} in {time.perf_counter() - started:.1f} s",
            markup=False, highlight=False, soft_wrap=True,
        )


themes_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Work on a themes file with the corpus: terms each theme could list.",
)
app.add_typer(themes_app, name="themes")


@themes_app.command("suggest")
def themes_suggest(
    config_path: Annotated[Path, typer.Argument(help="YAML config of the run whose themes to extend")],
    theme: Annotated[Optional[str], typer.Option("--theme", help="Only this theme id (default: every theme)")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Terms suggested per theme")] = 15,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Also write the suggestions to this CSV file")
    ] = None,
    overrides: SetOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the token cache")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the tables")] = False,
) -> None:
    """Run the config (no output files; the caches make a rerun quick) and list, per theme, the corpus terms most
    associated with the papers carrying it that its definition does not list yet."""
    from topics.pipeline.runner import run as run_pipeline
    from topics.pipeline.suggest import (
        check_csv_path,
        check_theme_id,
        empty_message,
        suggest_for_run,
        suggestion_table,
        write_suggestions_csv,
    )
    from topics.themes.definitions import load_theme_definitions

    config = load_config(config_path, overrides or [])
    theme_ids = check_theme_id(theme, load_theme_definitions(config.themes.file), config.themes.file)
    if out is not None:
        check_csv_path(out)
    progress = RunProgress(quiet=quiet, console=_err)
    result = run_pipeline(config, use_cache=not no_cache, progress=progress)
    suggestions = suggest_for_run(config, result, theme_ids, top=top, use_cache=not no_cache)
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: do not wrap titles at 80 columns
        console.width = 160
    table = result.themes
    for theme_id, items in suggestions.items():
        j = table.theme_ids.index(theme_id)
        n_papers = int(table.assigned[:, j].sum())
        if items:
            console.print(suggestion_table(table.themes[j], n_papers, items))
        else:
            console.print(empty_message(table.themes[j], n_papers), markup=False)
    if out is not None:
        path = write_suggestions_csv(out, suggestions)
        if not quiet:
            progress.note(f"suggestions written to {path}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``topics`` console script."""
    try:
        with handle_interrupts():
            app(args=argv, standalone_mode=True)
    except UserError as error:
        _err.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except Interrupted as interrupted:
        _err.print(
            f"interrupted ({interrupted}): the previous outputs are untouched and no half-written file was left",
            markup=False, highlight=False,
        )
        sys.exit(interrupted.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
