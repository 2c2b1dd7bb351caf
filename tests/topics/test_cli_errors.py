"""Every user error of the ``topics`` CLI: exit code 2, one line on stderr naming the problem, the file (or key
path) and the fix, no traceback, and no half-written outputs."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.topics.helpers import (
    FAST,
    LISTINGS,
    MILA_CONFIG,
    OUTPUT_FILES,
    TINY_LISTING,
    VENV_TOPICS,
    CliResult,
    snapshot,
)

Cli = Callable[..., CliResult]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def the_error_line(result: CliResult) -> str:
    """Exit code 2 and exactly one stderr line, which starts with "error:"; returns that line."""
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("error: ")
    return line


def run_quiet(cli: Cli, tmp_path: Path, *args: object) -> CliResult:
    """``topics run ... --quiet --no-cache --out tmp/out``: on stderr only what an error prints."""
    return cli("run", *args, "--quiet", "--no-cache", "--out", tmp_path / "out", *FAST)


# --------------------------------------------------------------------------------------------- input files


def test_missing_input_file(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "papers.txt"
    line = the_error_line(run_quiet(cli, tmp_path, "--input", missing))
    assert line == (
        f"error: {missing}: file not found (check the path, and that it is relative to where you run the tool)"
    )
    assert not (tmp_path / "out").exists()


def test_empty_input_file(cli: Cli, tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.txt", "")
    line = the_error_line(run_quiet(cli, tmp_path, "--input", empty))
    assert line == f"error: {empty}: is empty (give a file that holds the papers)"


def test_whitespace_only_input_file_is_empty(cli: Cli, tmp_path: Path) -> None:
    blank = write(tmp_path / "blank.csv", "\n  \n\t\n")
    line = the_error_line(run_quiet(cli, tmp_path, "--input", blank))
    assert line == f"error: {blank}: is empty (give a file that holds the papers)"


def test_binary_input_file(cli: Cli, tmp_path: Path) -> None:
    binary = write(tmp_path / "papers.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x02" * 20)
    line = the_error_line(run_quiet(cli, tmp_path, "--input", binary))
    assert line == (
        f"error: {binary}: looks binary, not text (give a UTF-8 text file (UTF-16 without a byte-order mark reads as "
        "binary: re-save it as UTF-8), or set format: parquet for Parquet)"
    )


def test_binary_input_names_utf16_without_bom(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "wide.csv", "title,abstract\nA,b\n".encode("utf-16-le"))
    assert "UTF-16 without a byte-order mark" in the_error_line(run_quiet(cli, tmp_path, "--input", path))


def test_latin1_input_is_read_with_a_warning_naming_the_lines(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "latin1.csv", "title,abstract\nCafé learning,Réseaux de neurones\nÉtude,Données\n".encode("latin-1"))
    result = run_quiet(cli, tmp_path, "--input", path)
    assert result.code == 0, result.err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert f"{path}: 2 line(s) are not UTF-8 and were read as Windows-1252/Latin-1 (line(s) 2, 3)" in manifest["warnings"][0]
    papers = (tmp_path / "out" / "papers.csv").read_text(encoding="utf-8")
    assert "Café learning" in papers and "Étude" in papers


def test_csv_without_title_column(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "papers.csv", "name,abstract\nA paper,Its abstract\n")
    line = the_error_line(run_quiet(cli, tmp_path, "--input", path))
    assert line == (
        f"error: {path}: no title column (columns found: name, abstract) (map it with columns: {{title: <your column>}} or --map title=<your column>)"
    )


def test_csv_without_abstract_column(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "papers.csv", "title,authors\nA paper,Ada Lovelace\n")
    line = the_error_line(run_quiet(cli, tmp_path, "--input", path))
    assert line.startswith(f"error: {path}: no abstract column (columns found: title, authors) (")
    assert "map one with columns: {abstract: <your column>}" in line
    assert "columns: {abstract: ''} to run on titles alone" in line


def test_csv_without_abstract_column_runs_when_titles_only_is_asked_for(cli: Cli, tmp_path: Path) -> None:
    """The fix the message suggests works."""
    csv = write(
        tmp_path / "titles.csv",
        "title\nDeep reinforcement learning for robots\nDiffusion models for images\nSpiking neurons in cortex\n",
    )
    config = write(tmp_path / "titles.yaml", "inputs:\n  - path: titles.csv\n    columns: {abstract: ''}\n")
    result = cli("run", config, "--quiet", "--no-cache", "--out", tmp_path / "out", *FAST)
    assert result.code == 0, result.err
    assert csv.exists() and (tmp_path / "out" / "papers.csv").is_file()


# ------------------------------------------------------------------------------------------------- config


def test_broken_yaml_names_file_line_and_column(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "broken.yaml", "models:\n  lda:\n    num_topics: 3: 4\n")
    line = the_error_line(cli("run", config))
    assert line == (
        f"error: {config}:3:18: invalid YAML: mapping values are not allowed here (fix the syntax at that line)"
    )


def test_unknown_config_key_names_key_path(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "typo.yaml", "models:\n  lda:\n    num_topicz: 3\n")
    line = the_error_line(cli("run", config))
    assert line == f"error: {config}: unknown key 'models -> lda -> num_topicz'; remove it or check its spelling"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-1", "models -> lda -> num_topics: expected a whole number of topics, at least 2, or 'size' or 'auto' (got -1)"),
        ("abc", "models -> lda -> num_topics: expected a whole number of topics, at least 2, or 'size' or 'auto' (got 'abc')"),
    ],
)
def test_invalid_config_value_names_key_path_and_value(cli: Cli, tmp_path: Path, value: str, problem: str) -> None:
    config = write(tmp_path / "bad.yaml", f"models:\n  lda:\n    num_topics: {value}\n")
    line = the_error_line(cli("run", config))
    assert line == f"error: {config}: {problem}"


def test_invalid_value_given_with_set(cli: Cli, tmp_path: Path) -> None:
    line = the_error_line(cli("run", "--input", TINY_LISTING, "--set", "models.lda.num_topics=-1"))
    assert line == (
        "error: --set models.lda.num_topics=-1: models -> lda -> num_topics: "
        "expected a whole number of topics, at least 2, or 'size' or 'auto' (got -1)"
    )


def test_invalid_literal_lists_allowed_values(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "bad.yaml", "report:\n  map:\n    method: umap\n")
    line = the_error_line(cli("run", config))
    assert line == f"error: {config}: report -> map -> method: Input should be 'tsne' or 'svd' (got 'umap')"


def test_set_without_equals(cli: Cli) -> None:
    line = the_error_line(cli("run", MILA_CONFIG, "--set", "models.lda.num_topics"))
    assert line == (
        "error: --set 'models.lda.num_topics': expected KEY=VALUE, e.g. --set models.lda.num_topics=30"
    )


def test_missing_config_file(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "nope.yaml"
    line = the_error_line(cli("run", config))
    assert line == f"error: {config}: config file not found (check the path)"


def test_config_that_is_not_a_mapping(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "list.yaml", "- a\n- b\n")
    line = the_error_line(cli("run", config))
    assert line == f"error: {config}: expected a mapping of settings at the top level, got list"


def test_config_with_missing_input(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "inputs:\n  - path: data/gone.txt\n")
    line = the_error_line(cli("run", config, "--quiet", "--no-cache"))
    assert line.startswith(f"error: {tmp_path / 'data' / 'gone.txt'}: file not found (")


def test_broken_themes_file(cli: Cli, tmp_path: Path) -> None:
    themes = write(tmp_path / "themes.yaml", "themes:\n  - id: rl\n    label: RL\n    seeds: [policy]\n    seedz: [reward]\n")
    config = write(tmp_path / "c.yaml", f"inputs:\n  - path: {TINY_LISTING}\nthemes:\n  file: themes.yaml\n")
    line = the_error_line(cli("run", config, "--quiet", "--no-cache", "--out", tmp_path / "out"))
    assert line == (
        f"error: {themes}: unknown key 'themes -> 0 -> seedz'; allowed: id, label, short, description, seeds, related, exclude, against, threshold"
    )
    assert not (tmp_path / "out").exists()


def test_run_without_config_or_input(cli: Cli) -> None:
    line = the_error_line(cli("run"))
    assert line == "error: give a config file (topics run configs/default.yaml) or at least one --input FILE"


# ------------------------------------------------------------------------------------------------- outputs


def test_output_under_a_regular_file_cannot_be_created(cli: Cli, tmp_path: Path) -> None:
    blocker = write(tmp_path / "not-a-folder", "I am a file\n")
    out = blocker / "report"
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("run", MILA_CONFIG, "--quiet", "--no-cache", "--out", out, *FAST)
    line = the_error_line(result)
    assert line == (
        f"error: {out}: cannot create the output folder ({blocker} is a file); "
        "choose another with --out or output.dir"
    )
    assert result.out == ""  # no report path printed
    assert blocker.read_text() == "I am a file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written beside it


def test_output_folder_that_is_a_regular_file(cli: Cli, tmp_path: Path) -> None:
    out = write(tmp_path / "out", "a file where the folder should be\n")
    line = the_error_line(cli("run", "--input", TINY_LISTING, "--quiet", "--no-cache", "--out", out, *FAST))
    assert line.startswith(f"error: {out}: cannot create the output folder ({out} is a file)")
    assert line.endswith("choose another with --out or output.dir")
    assert out.read_text() == "a file where the folder should be\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failing_run_leaves_previous_outputs_untouched(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = cli("run", MILA_CONFIG, "--quiet", "--no-cache", "--out", out, *FAST)
    assert first.code == 0, first.err
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    before = snapshot(out)

    bad = write(tmp_path / "bad.csv", "name,abstract\nx,y\n")
    second = cli("run", "--input", bad, "--quiet", "--no-cache", "--out", out, *FAST)
    assert the_error_line(second).startswith(f"error: {bad}: no title column")
    assert snapshot(out) == before  # byte-identical, and no staging folder left behind

    third = cli("run", MILA_CONFIG, "--quiet", "--no-cache", "--out", out, "--set", "models.lda.num_topics=-3")
    assert third.code == 2
    assert snapshot(out) == before


def test_failure_while_replacing_outputs_leaves_no_mixed_outputs(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("run", MILA_CONFIG, "--quiet", "--no-cache", "--out", out, *FAST).code == 0
    (out / "report.html").unlink()
    (out / "report.html").mkdir()  # the last file to be replaced cannot be
    before = snapshot(out)
    result = cli("run", "--input", LISTINGS / "2025.txt", "--quiet", "--no-cache", "--out", out, *FAST)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert the_error_line(result) == (
        f"error: {out / 'report.html'}: exists and is not a file; move it away or choose another folder with --out"
    )
    assert snapshot(out) == before


def test_a_replace_that_fails_midway_puts_the_previous_outputs_back(cli: Cli, tmp_path: Path, monkeypatch) -> None:
    """Fault injection: the last move into place fails; the folder must hold the previous set, not a mix."""
    import os

    from topics.pipeline import outputs
    out = tmp_path / "out"
    assert cli("run", MILA_CONFIG, "--quiet", "--no-cache", "--out", out, *FAST).code == 0
    before = snapshot(out)
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(dst) == out / "report.html" and ".topics-staging-" in str(src) and ".previous" not in str(src):
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", failing_replace)
    result = cli("run", "--input", LISTINGS / "2025.txt", "--quiet", "--no-cache", "--out", out, *FAST)
    assert result.code == 2
    assert the_error_line(result).startswith(
        f"error: {out / 'report.html'}: cannot write the outputs (No space left on device); the previous outputs were kept"
    )
    assert snapshot(out) == before


# ----------------------------------------------------------------------------------------- stderr layout


def test_progress_lines_then_one_error_line(cli: Cli, tmp_path: Path) -> None:
    """Without --quiet, the stage lines come first; the error is the last line and the only one saying error."""
    missing = tmp_path / "missing.txt"
    result = cli("run", "--input", missing, "--no-cache", "--out", tmp_path / "out")
    assert result.code == 2
    assert "Traceback" not in result.err
    lines = result.err_lines
    assert [line for line in lines if line.startswith("error:")] == [lines[-1]]
    assert lines[-1].startswith(f"error: {missing}: file not found")
    assert all(line.startswith("· ") for line in lines[:-1]), lines


# ------------------------------------------------------------------------------------------------ validate


def test_validate_shipped_config(cli: Cli, project_root: Path) -> None:
    result = cli("validate", MILA_CONFIG)
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out == (
        f"{MILA_CONFIG}: valid (2 input file(s), 15 themes, output to {project_root / 'out' / 'mila'})\n"
    )


def test_validate_rejects_unknown_key(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "typo.yaml", "preprocessing:\n  phrases:\n    min_cont: 2\n")
    result = cli("validate", config)
    line = the_error_line(result)
    assert line == (
        f"error: {config}: unknown key 'preprocessing -> phrases -> min_cont'; remove it or check its spelling"
    )
    assert result.out == ""


def test_validate_reports_missing_input(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "inputs:\n  - path: gone.csv\n")
    line = the_error_line(cli("validate", config))
    assert line == (
        f"error: {config}: inputs -> path: file not found: {tmp_path / 'gone.csv'} (paths are relative to the config file)"
    )


# ---------------------------------------------------------------------------------- the installed script


@pytest.mark.skipif(not VENV_TOPICS.exists(), reason="the topics console script is not installed in .venv")
@pytest.mark.parametrize("case", ["missing-input", "broken-yaml"])
def test_console_script_exit_code_and_stderr(tmp_path: Path, case: str) -> None:
    if case == "missing-input":
        target = tmp_path / "missing.csv"
        args = ["run", "--input", str(target), "--quiet", "--no-cache", "--out", str(tmp_path / "out")]
        expected = f"error: {target}: file not found ("
    else:
        target = write(tmp_path / "broken.yaml", "models: [\n")
        args = ["validate", str(target)]
        expected = f"error: {target}:2:1: invalid YAML: "
    proc = subprocess.run([str(VENV_TOPICS), *args], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(expected), lines[0]
    assert not (tmp_path / "out").exists()
