"""`topics trends`: a run whose emerging/declining ranking is printed as a table, on a small CSV with a planted
rise of reinforcement learning; the inputs' `where` filter; trend outputs written beside trends.csv."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.topics.helpers import FAST, CliResult

RL = (
    "Deep reinforcement learning for {x}",
    "We train a reinforcement learning agent with policy gradient and reward shaping on {x}; the policy improves "
    "reward in continuous control.",
)
GEN = (
    "Generative adversarial networks for {x}",
    "A generative adversarial network and a variational autoencoder generate samples of {x} with a diffusion model.",
)
OTHER = (
    "Sparse linear regression on {x}",
    "We study sparse linear regression and convex optimization with gradient descent on {x} data.",
)
SUBJECTS = ("robots", "images", "graphs", "molecules", "speech", "games", "traffic", "markets", "weather", "music")
#: Papers per year and how many of them are about RL / generative models (the rest: regression).
PLAN = {2015: (120, 6, 30), 2016: (120, 18, 30), 2017: (120, 30, 30), 2018: (120, 42, 30), 2019: (120, 54, 30)}


def write_corpus(path: Path) -> None:
    """A CSV whose RL share rises from 5% to 45% over five years while generative models stay at 25%; every
    paper of venue 'Workshop' is a duplicate-free extra the where filter must drop."""
    rng = np.random.default_rng(0)
    rows = []
    for year, (total, n_rl, n_gen) in PLAN.items():
        kinds = ["rl"] * n_rl + ["gen"] * n_gen + ["other"] * (total - n_rl - n_gen)
        for i, kind in enumerate(kinds):
            title, abstract = {"rl": RL, "gen": GEN, "other": OTHER}[kind]
            subject = f"{SUBJECTS[i % len(SUBJECTS)]} {year} {i}"
            rows.append({
                "id": f"{year}-{i}", "title": title.format(x=subject), "abstract": abstract.format(x=subject),
                "authors": f"Author {rng.integers(0, 40)}; Author {rng.integers(40, 80)}", "year": year,
                "venue": "Conf",
            })
        rows.append({"id": f"w-{year}", "title": f"Workshop note {year}", "abstract": "A workshop abstract on regression.",
                     "authors": "Someone Else", "year": year, "venue": "Workshop"})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def trends_config(tmp_path: Path) -> Path:
    write_corpus(tmp_path / "papers.csv")
    config = tmp_path / "trends.yaml"
    config.write_text(
        "inputs:\n  - path: papers.csv\n    where: {venue: Conf}\n"
        "models:\n  lda: {num_topics: 3, passes: 2, stability_seeds: 0}\n  clusters: {num_clusters: 3, stability_seeds: 0}\n"
        "trends:\n  windows:\n    - {name: all years, start: 2015, end: 2019}\n"
        "output:\n  dir: out\n",
        encoding="utf-8",
    )
    return config


def test_trends_command_prints_the_ranking(cli: Callable[..., CliResult], trends_config: Path, tmp_path: Path) -> None:
    result = cli("trends", trends_config, "--quiet", "--no-cache", *FAST)
    assert result.code == 0, result.err
    out = result.out
    assert "all years (2015 to 2019)" in out
    rl_line = next(line for line in out.splitlines() if "Reinforcement learning" in line)
    assert "emerging" in rl_line
    assert "Generative models" not in out  # stable themes are counted in the caption, not listed
    folder = tmp_path / "out"
    tests = {(r["kind"], r["id"]): r for r in csv.DictReader((folder / "trend_tests.csv").open(encoding="utf-8"))}
    rl = tests[("theme", "reinforcement-learning")]
    assert rl["trend"] == "emerging" and rl["window"] == "all years"
    assert float(rl["slope"]) == pytest.approx(0.10, rel=0.35)  # +40 points over four years
    assert tests[("theme", "generative-models")]["trend"] == "no clear trend"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["papers"] == 600
    assert manifest["counts"]["excluded_by_where"] == 5  # the five workshop papers
    assert manifest["config"]["trends"]["windows"][0]["start"] == "2015"
    report = (folder / "report.html").read_text(encoding="utf-8")
    for part in ("trends-shares", "trends-composition", "trends-window-0", "trends-topics", "trends-topic-terms",
                 "trends-authors"):
        assert f'id="{part}"' in report
    # the science maps: the rise of RL is a burst of the theme (and of its words) in its last year; the share of
    # generative models never moves, so it has none; every theme is on the thematic map
    bursts = list(csv.DictReader((folder / "bursts.csv").open(encoding="utf-8")))
    theme_bursts = {(r["id"], r["start"], r["end"]) for r in bursts if r["kind"] == "theme"}
    assert theme_bursts == {("reinforcement-learning", "2019", "2019")}
    assert {"policy gradient", "reward"} <= {r["id"] for r in bursts if r["kind"] == "term"}
    mapped = {r["id"] for r in csv.DictReader((folder / "thematic_map.csv").open(encoding="utf-8")) if r["kind"] == "theme"}
    assert {"reinforcement-learning", "generative-models"} <= mapped
    for part in ("science-maps-thematic-map", "science-maps-evolution-theme", "science-maps-bursts", "science-maps-coword"):
        assert f'id="{part}"' in report


def test_trends_command_names_a_missing_compare_period(cli: Callable[..., CliResult], trends_config: Path) -> None:
    result = cli("trends", trends_config, "--quiet", "--no-cache", "--set", "trends.compare=[2015, 2031]")
    assert result.code == 2
    assert "trends -> compare: period '2031' is not in the corpus (its periods: 2015, 2016, 2017, 2018, 2019)" in result.err
    assert "Traceback" not in result.err


def test_a_filter_that_keeps_nothing_says_so(cli: Callable[..., CliResult], trends_config: Path) -> None:
    result = cli("run", trends_config, "--quiet", "--no-cache", "--set", "inputs=[{path: papers.csv, where: {venue: Nope}}]")
    assert result.code == 2
    assert "only 0 paper(s) after reading and deduplication (the inputs' where filters left out 605" in result.err


def test_views_can_be_turned_off(cli: Callable[..., CliResult], trends_config: Path, tmp_path: Path) -> None:
    result = cli("run", trends_config, "--quiet", "--no-cache", *FAST, "--set", "views.enabled=false")
    assert result.code == 0, result.err
    folder = tmp_path / "out"
    assert not list(folder.glob("thematic_*.csv")) and not (folder / "bursts.csv").exists()
    assert 'id="science-maps' not in (folder / "report.html").read_text(encoding="utf-8")
    unknown = cli("run", trends_config, "--quiet", "--no-cache", "--set", "views.slice=4")
    assert unknown.code == 2 and "views -> slice" in unknown.err, unknown.err
