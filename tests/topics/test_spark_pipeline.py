"""engine: spark through the whole pipeline: the same outputs and report as the local engine (local Spark)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.topics.helpers import MILA_CONFIG
from topics.config import load_config
from topics.pipeline.runner import run_and_write

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_spark_engine_writes_the_local_engines_outputs(tmp_path: Path) -> None:
    config = load_config(
        MILA_CONFIG,
        ["engine=spark", "spark.master=local[2]", "report.map.method=svd", f"output.dir={tmp_path / 'out'}",
         "cache.enabled=false"],
    )
    result, paths = run_and_write(config)
    manifest = json.loads(paths["manifest.json"].read_text(encoding="utf-8"))
    assert manifest["engine"] == "spark"
    assert {"spark_vectorize", "spark_lda", "spark_kmeans"} <= set(manifest["timings_seconds"])
    topics = json.loads(paths["topics.json"].read_text(encoding="utf-8"))
    assert len(topics["lda"]["topics"]) == result.lda.n_topics == 4
    assert len(topics["clusters"]["topics"]) == result.clusters.n_topics
    assert -1.0 <= topics["lda"]["metrics"]["coherence_npmi"] <= 1.0
    with paths["papers.csv"].open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 23
    assert all(row["topic"] != "" and row["cluster"] != "" for row in rows)
    assert {row["topic"] for row in rows} <= {str(i) for i in range(4)}
    html = paths["report.html"].read_text(encoding="utf-8")
    assert all(json.dumps(row["id"]) in html for row in rows)  # every paper is in the report's table


def test_spark_engine_refuses_num_topics_auto(tmp_path: Path) -> None:
    from preprocessing.errors import UserError

    config = load_config(
        MILA_CONFIG,
        ["engine=spark", "spark.master=local[2]", "models.lda.num_topics=auto", f"output.dir={tmp_path / 'out'}",
         "cache.enabled=false"],
    )
    with pytest.raises(UserError, match="num_topics: auto is not available with engine: spark"):
        run_and_write(config)
    assert not (tmp_path / "out").exists()
