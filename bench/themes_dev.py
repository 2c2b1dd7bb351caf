"""Measure the theme labeller on ../shared/data/iclr-themes-dev (title + abstract only).

    .venv/bin/python -m bench.themes_dev [--grid]

Prints precision, recall and F1 for reinforcement-learning, generative-models and neuroscience, and their
macro-F1. The labeller never sees the `keywords`/`all_labels` columns: the reader maps only id, title,
authors, abstract and year. ``--grid`` also scans threshold and evidence weights on the same evidence.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from topics.config import load_config
from topics.pipeline import run
from topics.themes import ThemeWeights, assign_themes

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "iclr-themes-dev" / "iclr_themes_dev.csv"
TARGETS = ("reinforcement-learning", "generative-models", "neuroscience")


def scores(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = float((pred & gold).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / gold.sum() if gold.sum() else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(assigned: np.ndarray, theme_ids: tuple[str, ...], gold: pd.Series) -> dict[str, tuple[float, float, float]]:
    out = {}
    for theme in TARGETS:
        j = theme_ids.index(theme)
        truth = gold.str.split(";").apply(lambda labels: theme in labels).to_numpy()
        out[theme] = scores(assigned[:, j], truth)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", action="store_true")
    args = parser.parse_args()
    config = load_config(None, [
        f"inputs=[{{path: '{DEV}', columns: {{id: id, title: title, abstract: abstract, authors: authors, year: year}}}}]",
    ])
    result = run(config)
    gold = pd.read_csv(DEV, dtype=str, keep_default_na=False).drop_duplicates("id").set_index("id")
    gold = gold.loc[list(result.corpus.ids), "themes"]
    table = result.themes
    res = evaluate(table.assigned, table.theme_ids, gold)
    for theme, (p, r, f) in res.items():
        print(f"{theme:24s} P={p:.3f} R={r:.3f} F1={f:.3f}")
    print(f"macro-F1 {np.mean([f for _, _, f in res.values()]):.3f}  (papers {len(result.corpus)})")
    if args.grid:
        best = []
        paper = table.parts["paper"]
        doc_topic = result.lda.doc_topic
        clusters = result.clusters.assignments
        for thr, wp, wt, wc in itertools.product([0.25, 0.3, 0.35, 0.4, 0.45, 0.5], [0.4, 0.6, 0.8], [0.0, 0.2, 0.4], [0.0, 0.15, 0.3]):
            t = assign_themes(table.themes, table.doc_ids, paper, [[[]] * len(table.themes)] * len(table.doc_ids),
                              ThemeWeights(wp, wt, wc, thr, 3), doc_topic, table.topic_theme, clusters, table.cluster_theme)
            r2 = evaluate(t.assigned, t.theme_ids, gold)
            best.append((np.mean([f for _, _, f in r2.values()]), thr, wp, wt, wc, r2))
        for row in sorted(best, key=lambda r: -r[0])[:10]:
            print(f"{row[0]:.3f} thr={row[1]} wp={row[2]} wt={row[3]} wc={row[4]} ", {k: tuple(round(x, 2) for x in v) for k, v in row[5].items()})


if __name__ == "__main__":
    main()
