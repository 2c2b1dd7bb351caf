"""The wheel runs outside the repository: the default themes file and the labeller's background corpus travel in
it as package data, with the type markers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SMALL_CSV = PROJECT_ROOT / "tests" / "data" / "topics" / "small.csv"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(PROJECT_ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True, capture_output=True, text=True, cwd=out,
    )
    (found,) = out.glob("research_topics-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_carries_the_themes_file_the_background_and_the_type_markers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"topics/_shipped/themes/ml.yaml", "topics/_shipped/ml-abstracts-sample.parquet",
            "topics/_shipped/ml-abstracts-sample.tokens.npz"} <= names
    assert {"topics/py.typed", "preprocessing/py.typed", "reports/py.typed", "reports/templates/report.html.j2"} <= names
    shipped = zipfile.ZipFile(wheel).read("topics/_shipped/themes/ml.yaml")
    assert shipped == (PROJECT_ROOT / "configs" / "themes" / "ml.yaml").read_bytes()


@pytest.mark.slow
def test_an_installed_wheel_runs_a_csv_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    work = tmp_path / "work"
    work.mkdir()
    (work / "papers.csv").write_bytes(SMALL_CSV.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    where = subprocess.run([sys.executable, "-c", "import topics.config as c; print(c.__file__); print(c.DEFAULT_THEMES_FILE)"],
                           check=True, capture_output=True, text=True, cwd=work, env=env).stdout.split()
    assert where == [str(target / "topics" / "config.py"), str(target / "topics" / "_shipped" / "themes" / "ml.yaml")]
    ran = subprocess.run([str(target / "bin" / "topics"), "run", "--input", "papers.csv", "--out", "out", "-q",
                          "--set", "report.map.method=svd"], capture_output=True, text=True, cwd=work, env=env)
    assert ran.returncode == 0, ran.stderr
    manifest = json.loads((work / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["papers"] == 6
    assert manifest["config"]["themes"]["file"] == str(target / "topics" / "_shipped" / "themes" / "ml.yaml")
    assert (work / "out" / "report.html").stat().st_size > 1_000_000
    # the labeller's background came from the wheel's prepared tokens: nothing of it was tokenised and cached
    assert not list((tmp_path / "cache").rglob("background-*.npz"))
