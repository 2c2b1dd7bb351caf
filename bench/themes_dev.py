"""Measure, and fit, the theme labeller on ../shared/data/iclr-themes-dev (title + abstract only).

    .venv/bin/python -m bench.themes_dev          # precision, recall, F1 and macro-F1 of the shipped labeller
    .venv/bin/python -m bench.themes_dev --fit    # refit the scorers of topics/themes/scoring.py (SCORERS) and print them

The labeller never sees the `keywords`/`all_labels` columns: the reader maps only id, title, authors, abstract
and year. ``--fit`` fits one logistic regression per set of available evidence kinds on the features of
:mod:`topics.themes.scoring` (one coefficient set for all three labelled themes), estimates its quality with
leave-one-year-out cross-validation (train on two of 2017/2018/2021, test on the third) and picks the threshold
with the best cross-validated micro-F1 (pooled over the three themes; neuroscience's 10 papers make macro-F1 too
jumpy to choose by). Paste the printed ``SCORERS`` into topics/themes/scoring.py and the threshold into
topics/config.py's ``ThemesConfig.threshold`` default.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from topics.config import load_config
from topics.pipeline.runner import run
from topics.results import RunResult
from topics.themes.scoring import FEATURES, PAPER_FEATURES

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "iclr-themes-dev" / "iclr_themes_dev.csv"
TARGETS = ("reinforcement-learning", "generative-models", "neuroscience")
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
KINDS = ((), ("topic",), ("cluster",), ("topic", "cluster"))


def scores(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean vectors (0 when undefined)."""
    tp = float((pred & gold).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / gold.sum() if gold.sum() else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def gold_matrix(result: RunResult) -> tuple[np.ndarray, np.ndarray]:
    """``(labels, years)``: labels ``(n_docs, 3)`` bool for :data:`TARGETS`, years ``(n_docs,)`` as strings."""
    gold = pd.read_csv(DEV, dtype=str, keep_default_na=False).drop_duplicates("id").set_index("id")
    gold = gold.loc[list(result.corpus.ids)]
    labels = np.stack([gold["themes"].str.split(";").apply(lambda ls, t=t: t in ls).to_numpy() for t in TARGETS], axis=1)
    return labels, gold["year"].to_numpy()


def dev_run() -> RunResult:
    config = load_config(None, [
        f"inputs=[{{path: '{DEV}', columns: {{id: id, title: title, abstract: abstract, authors: authors, year: year}}}}]",
    ])
    return run(config)


def report(assigned: np.ndarray, labels: np.ndarray, title: str) -> float:
    f1s = []
    for k, theme in enumerate(TARGETS):
        p, r, f = scores(assigned[:, k], labels[:, k])
        f1s.append(f)
        print(f"  {theme:24s} P={p:.3f} R={r:.3f} F1={f:.3f}  (support {int(labels[:, k].sum())}, predicted {int(assigned[:, k].sum())})")
    macro = float(np.mean(f1s))
    print(f"  {title} macro-F1 {macro:.3f}")
    return macro


def fit_scorers(result: RunResult) -> None:
    labels, years = gold_matrix(result)
    columns = [result.themes.theme_ids.index(t) for t in TARGETS]
    parts = result.themes.parts
    chosen_thresholds = []
    print("SCORERS: dict[frozenset[str], ThemeScorer] = {")
    lines = []
    for kinds in KINDS:
        names = [f for f in FEATURES if f in PAPER_FEATURES or f in kinds]
        x = np.stack([parts[f][:, columns] for f in names], axis=2)  # (n_docs, 3, n_features)
        flat_x, flat_y = x.reshape(-1, len(names)), labels.reshape(-1)
        cv_probs = np.zeros(labels.shape)
        for year in sorted(set(years)):
            train, test = years != year, years == year
            model = LogisticRegression(C=1.0, max_iter=2000).fit(x[train].reshape(-1, len(names)), labels[train].reshape(-1))
            cv_probs[test] = model.predict_proba(x[test].reshape(-1, len(names)))[:, 1].reshape(-1, 3)
        # pooled (micro) F1 over the three themes: a threshold chosen on macro-F1 would follow the 10 papers of
        # neuroscience from one paper to the next
        micro = {t: scores((cv_probs >= t).reshape(-1), labels.reshape(-1))[2] for t in THRESHOLDS}
        # the highest threshold within 0.005 of the best: fewer, surer assignments when the data cannot tell
        best = max(t for t in THRESHOLDS if micro[t] >= max(micro.values()) - 0.005)
        chosen_thresholds.append(best)
        print(f"# evidence {'+'.join(('paper', *kinds))}: leave-one-year-out CV at threshold {best}:", flush=True)
        report(cv_probs >= best, labels, "CV")
        model = LogisticRegression(C=1.0, max_iter=2000).fit(flat_x, flat_y)
        coefs = ", ".join(f'"{n}": {c:.3f}' for n, c in zip(names, model.coef_[0]))
        lines.append(f"    frozenset({set(kinds) if kinds else ''}): ThemeScorer({{{coefs}}}, {model.intercept_[0]:.3f}),")
    print("\n".join(lines).replace("frozenset(set())", "frozenset()"))
    print("}")
    print(f"threshold (full evidence): {chosen_thresholds[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", action="store_true", help="refit the scorers and print them")
    args = parser.parse_args()
    result = dev_run()
    labels, _ = gold_matrix(result)
    columns = [result.themes.theme_ids.index(t) for t in TARGETS]
    print(f"iclr-themes-dev: {len(result.corpus)} papers after deduplication")
    report(result.themes.assigned[:, columns], labels, "shipped labeller")
    if args.fit:
        fit_scorers(result)


if __name__ == "__main__":
    main()
