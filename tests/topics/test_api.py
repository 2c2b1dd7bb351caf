"""The Python API: a run's tables as DataFrames, its figures, save and load_run, and the README's example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from pandas.testing import assert_frame_equal

import topics
from preprocessing.errors import UserError
from tests.topics.helpers import MILA_CONFIG, PROJECT_ROOT, SMALL_CSV, invoke


@pytest.fixture(scope="module")
def mila_run() -> topics.Run:
    return topics.run(MILA_CONFIG)


def test_the_tables_of_a_run_are_typed_dataframes_that_match_its_files(mila_run: topics.Run, tmp_path: Path) -> None:
    papers = mila_run.papers
    assert len(papers) == 23 and list(papers.columns[:5]) == ["id", "title", "authors", "abstract", "year"]
    assert str(papers["topic"].dtype) == "Int64" and str(papers["topic_weight"].dtype) == "Float64"
    paths = mila_run.save(tmp_path / "out")
    assert {"papers.csv", "topics.json", "trends.csv", "report.html", "manifest.json"} <= set(paths)
    saved = topics.load_run(tmp_path / "out")
    for name in ("papers", "paper_themes", "topics", "trends"):
        assert_frame_equal(getattr(saved, name), getattr(mila_run, name))
    on_disk = pd.read_csv(paths["papers.csv"], dtype=str, keep_default_na=False)
    assert on_disk["title"].tolist() == papers["title"].tolist()


def test_paper_themes_are_one_row_per_paper_and_listed_theme(mila_run: topics.Run) -> None:
    long = mila_run.paper_themes
    assert list(long.columns) == ["paper_id", "theme", "theme_label", "score", "assigned", "evidence"]
    papers = mila_run.papers.set_index("id")
    for paper_id, rows in long.groupby("paper_id", sort=False):
        assigned = [t for t in papers.loc[paper_id, "themes"].split(";") if t]
        assert rows.loc[rows["assigned"], "theme"].tolist() == assigned  # highest score first, as papers.csv
        assert rows["score"].is_monotonic_decreasing
        assert (rows.loc[rows["assigned"], "evidence"] != "").all() and (rows.loc[~rows["assigned"], "evidence"] == "").all()
    first = long.iloc[0]
    assert first["theme_label"] == {t.id: t.label for t in mila_run.result.themes.themes}[first["theme"]]


def test_the_topics_table_lists_lda_topics_then_clusters(mila_run: topics.Run) -> None:
    table = mila_run.topics
    assert table["model"].tolist() == ["lda"] * 4 + ["clusters"] * 4
    assert table["papers"].groupby(table["model"]).sum().tolist() == [23, 23]
    lda = mila_run.result.lda
    assert table.loc[0, "terms"] == "; ".join(t for t, _ in lda.topic_terms[0]) and table.loc[0, "label"] == lda.labels[0]


def test_a_figure_is_the_report_s_figure_and_an_unknown_id_names_the_known_ones(mila_run: topics.Run) -> None:
    assert "trends-comparison" in mila_run.figure_ids and "lda-terms" in mila_run.figure_ids
    figure = mila_run.figure("lda-terms")
    assert isinstance(figure, go.Figure) and figure.to_dict()["data"]
    with pytest.raises(UserError) as caught:
        mila_run.figure("theme-trendz")
    assert str(caught.value).startswith("no figure 'theme-trendz' in this run; its figures are: overview, ")


def test_save_writes_the_files_the_cli_writes(mila_run: topics.Run, tmp_path: Path) -> None:
    mila_run.save(tmp_path / "api")
    assert invoke(["run", MILA_CONFIG, "--out", tmp_path / "cli", "-q"]) == 0
    for name in ("papers.csv", "topics.json", "trends.csv", "trend_tests.csv", "comparison.csv"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "api").iterdir()) == sorted(p.name for p in (tmp_path / "cli").iterdir())


def test_a_dataframe_of_papers_runs_with_the_defaults(tmp_path: Path) -> None:
    frame = pd.read_csv(SMALL_CSV)
    result = topics.run(frame, ["report.map.method=svd", "models.lda.num_topics=2", "models.clusters.num_clusters=2"])
    assert result.papers["id"].tolist() == frame["id"].tolist()
    assert result.papers["title"].tolist() == frame["title"].tolist()


def test_load_run_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(UserError) as caught:
        topics.load_run(tmp_path)
    assert str(caught.value) == f"{tmp_path}: not a saved run (papers.csv is missing); give the folder `topics run` or Run.save wrote"


def test_importing_topics_loads_no_model_library() -> None:
    code = "import sys, topics, topics.results; print(sorted(m for m in ('gensim', 'sklearn', 'spacy', 'plotly') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_the_readme_example_runs_as_written(tmp_path: Path) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    (example,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.S)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    ran = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("23 papers\n")
