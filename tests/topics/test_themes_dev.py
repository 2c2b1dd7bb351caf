"""The theme labeller against the labelled ICLR sample in ../shared/data/iclr-themes-dev (title + abstract only;
the labeller never sees the keywords or labels). Same measure as bench/themes_dev.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topics.config import load_config
from topics.pipeline.runner import run

#: Minimum F1 per theme (measured when written: about 0.91 and 0.80).
MIN_F1 = {"reinforcement-learning": 0.85, "generative-models": 0.70}


def f1(predicted: np.ndarray, gold: np.ndarray) -> float:
    tp = float((predicted & gold).sum())
    precision = tp / predicted.sum() if predicted.sum() else 0.0
    recall = tp / gold.sum() if gold.sum() else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def test_f1_formula() -> None:
    predicted = np.array([True, True, False, False])
    gold = np.array([True, False, True, False])
    assert f1(predicted, gold) == 0.5
    assert f1(gold, gold) == 1.0
    assert f1(np.zeros(4, dtype=bool), gold) == 0.0


@pytest.mark.shared_data
@pytest.mark.slow
def test_theme_f1_on_iclr_dev(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "iclr-themes-dev" / "iclr_themes_dev.csv"
    config = load_config(None, [
        f"inputs=[{{path: '{path}', columns: {{id: id, title: title, abstract: abstract, authors: authors, year: year}}}}]",
        "report.map.method=svd",  # the documents map plays no part in the themes
        f"cache.dir={tmp_path / 'cache'}",
    ])
    result = run(config)
    papers = pd.read_csv(path, dtype=str, keep_default_na=False).drop_duplicates("id").set_index("id")
    assert len(result.corpus) > 2000
    gold_labels = papers.loc[list(result.corpus.ids), "themes"].str.split(";")
    table = result.themes
    measured = {}
    for theme in MIN_F1:
        gold = gold_labels.apply(lambda labels, t=theme: t in labels).to_numpy()
        assert gold.sum() > 50, theme
        measured[theme] = f1(table.assigned[:, table.theme_ids.index(theme)], gold)
    assert all(measured[t] >= m for t, m in MIN_F1.items()), measured
