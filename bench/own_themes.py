"""A user's own themes file against a regex over the very same terms, on ../shared/data/iclr-themes-dev.

    .venv/bin/python -m bench.own_themes            # the labeller (learning on) vs the regex, per theme
    .venv/bin/python -m bench.own_themes --no-learn # also the labeller with themes.learn=false

bench/own_themes.yaml holds eight themes that configs/themes/ml.yaml lacks, written as a user would (a label, a
one-line description, about five obvious terms). Labels come from the `all_labels` column (berenslab's mapping of
the authors' keywords), which the labeller never reads: its reader maps only id, title, abstract, authors and year.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from bench.themes_gold import show
from topics.config import load_config
from topics.pipeline.runner import run
from topics.themes.keyword_baseline import keyword_baseline

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "iclr-themes-dev" / "iclr_themes_dev.csv"
THEMES = Path(__file__).resolve().parent / "own_themes.yaml"
#: Theme id -> the `all_labels` labels that mean it.
LABELS = {
    "federated-learning": ("federated learning",),
    "continual-learning": ("continual learning",),
    "meta-learning": ("meta learning",),
    "pruning": ("pruning",),
    "knowledge-distillation": ("knowledge distillation",),
    "neural-architecture-search": ("neural architecture search",),
    "graph-neural-networks": ("graphs",),
    "language-models": ("language models", "LLMs"),
}
COLUMNS = "{id: id, title: title, abstract: abstract, authors: authors, year: year}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-learn", action="store_true", help="also measure the labeller without learning")
    args = parser.parse_args()
    settings = [f"inputs=[{{path: '{DEV}', columns: {COLUMNS}}}]", f"themes.file={THEMES}", "report.map.method=svd"]
    runs = {"labeller": run(load_config(None, settings))}
    if args.no_learn:
        runs["labeller, terms only"] = run(load_config(None, [*settings, "themes.learn=false"]))
    result = runs["labeller"]
    gold = pd.read_csv(DEV, dtype=str, keep_default_na=False).drop_duplicates("id").set_index("id").loc[list(result.corpus.ids)]
    ids = list(LABELS)
    labels = np.stack([gold["all_labels"].str.split(";").apply(lambda ls, t=t: any(label in LABELS[t] for label in ls)).to_numpy() for t in ids], axis=1)
    columns = [result.themes.theme_ids.index(t) for t in ids]
    print(f"{len(result.corpus):,} papers; themes {', '.join(ids)}")
    names = tuple(ids)
    scores = {name: show(res.themes.assigned[:, columns], labels, name, names) for name, res in runs.items()}
    texts = [f"{p.title} {p.abstract}" for p in result.corpus.papers]
    regex = show(keyword_baseline(result.themes.themes, texts, 10_000)[:, columns], labels, "regex over the same terms", names)
    for name, value in scores.items():
        print(f"{name} - regex: {value - regex:+.3f}")


if __name__ == "__main__":
    main()
