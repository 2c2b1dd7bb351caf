"""configs/neurips.yaml on ../shared/data/ml-abstracts (NeurIPS only): generative models rise over 2013-2019 and
neuroscience falls since the 1990s, each with its interval. Themes only (no LDA or clusters) to keep it quick;
the full config gives the same calls (see the README's trends notes)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.topics.helpers import PROJECT_ROOT, CliResult

NEURIPS_CONFIG = PROJECT_ROOT / "configs" / "neurips.yaml"


@pytest.mark.shared_data
@pytest.mark.slow
def test_neurips_generative_models_rise_and_neuroscience_falls(
    cli: Callable[..., CliResult], shared_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "neurips"
    result = cli(
        "trends", NEURIPS_CONFIG, "--quiet", "--out", out,
        "--set", "models.lda.enabled=false", "--set", "models.clusters.enabled=false", "--set", "report.map.method=svd",
    )
    assert result.code == 0, result.err
    tests = {(r["window"], r["id"]): r for r in csv.DictReader((out / "trend_tests.csv").open(encoding="utf-8"))}
    generative = tests[("deep generative era", "generative-models")]
    assert (generative["start"], generative["end"]) == ("2013", "2019")
    assert generative["trend"] == "emerging"
    assert float(generative["slope_low"]) > 0 and float(generative["share_end"]) > 2 * float(generative["share_start"])
    neuroscience = tests[("since the 1990s", "neuroscience")]
    assert (neuroscience["start"], neuroscience["end"]) == ("1990", "2023")
    assert neuroscience["trend"] == "declining"
    assert float(neuroscience["slope_high"]) < 0 and float(neuroscience["q_value"]) < 0.001
    rows = list(csv.DictReader((out / "trends.csv").open(encoding="utf-8")))
    assert {r["period"] for r in rows} >= {"1987", "2019", "2023"} and "2020" not in {r["period"] for r in rows}
    neuro_1990 = next(r for r in rows if r["period"] == "1990" and r["theme"] == "neuroscience")
    assert float(neuro_1990["share_low"]) < float(neuro_1990["share"]) < float(neuro_1990["share_high"])
    assert "Generative models" in result.out and "emerging" in result.out
