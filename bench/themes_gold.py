"""Measure, and calibrate, the theme labeller on ../shared/data/themes-dev-gold (440 papers labelled by reading).

    .venv/bin/python -m bench.themes_gold                # shipped labeller vs regex baselines, the 440 papers run alone
    .venv/bin/python -m bench.themes_gold --fit          # refit topics/themes.py's CALIBRATION; 5-fold CV figures
    .venv/bin/python -m bench.themes_gold --in-corpus    # the same papers labelled inside the 47.5k ml-abstracts run

The labeller reads only id, title, abstract, authors and year (never ``themes``, ``pool`` or ``note``). The
calibration maps (term score, learned probability) to the final score with one logistic regression pooled over the
three labelled themes; its figures are 5-fold cross-validated, stratified by the file's sampling pool, because it
is fitted on these papers. The regex baselines are :func:`topics.keyword_baseline.keyword_baseline` over the
first 12 seed terms of each theme (what ``topics evaluate`` reports) and over all of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from topics.config import ThemesConfig, load_config
from topics.keyword_baseline import keyword_baseline
from topics.pipeline import run
from topics.results import RunResult
from topics.themes import CALIBRATION, ThemeCalibration

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "data" / "themes-dev-gold" / "themes_dev_gold.csv"
ML_ABSTRACTS = ROOT.parent / "shared" / "data" / "ml-abstracts" / "papers.parquet"
TARGETS = ("reinforcement-learning", "generative-models", "neuroscience")
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.75, 0.05))
COLUMNS = "{id: id, title: title, abstract: abstract, authors: authors, year: year}"


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean vectors (0 when undefined)."""
    tp = float((pred & gold).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / gold.sum() if gold.sum() else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def macro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    return float(np.mean([prf(pred[:, k], gold[:, k])[2] for k in range(gold.shape[1])]))


def show(pred: np.ndarray, gold: np.ndarray, title: str, themes: tuple[str, ...] = TARGETS) -> float:
    """Print precision, recall and F1 per theme (columns of ``pred`` and ``gold``, named by ``themes``) and
    return the macro-F1."""
    for k, theme in enumerate(themes):
        p, r, f = prf(pred[:, k], gold[:, k])
        print(f"  {theme:24s} P={p:.3f} R={r:.3f} F1={f:.3f}  (support {int(gold[:, k].sum())}, predicted {int(pred[:, k].sum())})")
    macro = macro_f1(pred, gold)
    print(f"  {title}: macro-F1 {macro:.3f}")
    return macro


def gold_frame() -> pd.DataFrame:
    return pd.read_csv(GOLD, dtype=str, keep_default_na=False).set_index("id")


def labels_for(ids: list[str], titles: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, labels, pools)``: the rows of the run that are gold papers (matched by id, else by title),
    their labels ``(n, 3)`` and sampling pools."""
    gold = gold_frame()
    by_title = {t.strip().lower(): i for i, t in zip(gold.index, gold["title"])}
    rows, keys = [], []
    for row, (pid, title) in enumerate(zip(ids, titles)):
        key = pid if pid in gold.index else by_title.get(title.strip().lower())
        if key is not None:
            rows.append(row)
            keys.append(key)
    sub = gold.loc[keys]
    labels = np.stack([sub["themes"].str.split(";").apply(lambda ls, t=t: t in ls).to_numpy() for t in TARGETS], axis=1)
    return np.asarray(rows), labels, sub["pool"].to_numpy()


def gold_run(extra: list[str] | None = None) -> RunResult:
    inputs = f"{{path: '{GOLD}', columns: {COLUMNS}}}"
    if extra:
        inputs = ", ".join([*extra, inputs])
    return run(load_config(None, [f"inputs=[{inputs}]", "report.map.method=svd"]))


def measure(result: RunResult, title: str) -> None:
    rows, labels, _ = labels_for(list(result.corpus.ids), [p.title for p in result.corpus.papers])
    columns = [result.themes.theme_ids.index(t) for t in TARGETS]
    print(f"{title}: {len(rows)} gold papers in a run of {len(result.corpus):,}")
    assigned = result.themes.assigned[np.ix_(rows, columns)]
    labeller = show(assigned, labels, "labeller")
    themes = result.themes.themes
    texts = [f"{result.corpus.papers[r].title} {result.corpus.papers[r].abstract}" for r in rows]
    for max_terms in (12, 10_000):
        baseline = keyword_baseline(themes, texts, max_terms)[:, columns]
        name = "first 12 seed terms" if max_terms == 12 else "all seed terms"
        base = show(baseline, labels, f"regex over {name}")
        print(f"  labeller - regex ({name}): {labeller - base:+.3f}")


def fit_calibration(result: RunResult) -> None:
    rows, labels, pools = labels_for(list(result.corpus.ids), [p.title for p in result.corpus.papers])
    columns = [result.themes.theme_ids.index(t) for t in TARGETS]
    parts = result.themes.parts
    x = ThemeCalibration.features(parts["term_score"][np.ix_(rows, columns)], parts["learned"][np.ix_(rows, columns)])
    cv = np.zeros(labels.shape)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(rows)), pools):
        model = LogisticRegression(C=1.0).fit(x[train].reshape(-1, 2), labels[train].reshape(-1))
        cv[test] = model.predict_proba(x[test].reshape(-1, 2))[:, 1].reshape(len(test), len(TARGETS))
    by_threshold = {t: macro_f1(cv >= t, labels) for t in THRESHOLDS}
    print("5-fold CV (stratified by pool) macro-F1 by threshold:", {t: round(v, 3) for t, v in by_threshold.items()})
    best = max(by_threshold, key=by_threshold.get)
    shipped = ThemesConfig().threshold
    show(cv >= shipped, labels, f"cross-validated at the default threshold {shipped}")
    if best != shipped:
        show(cv >= best, labels, f"cross-validated at threshold {best} (the best on these papers)")
    model = LogisticRegression(C=1.0).fit(x.reshape(-1, 2), labels.reshape(-1))
    print(f"CALIBRATION = ThemeCalibration(rule={model.coef_[0][0]:.3f}, learned={model.coef_[0][1]:.3f}, "
          f"intercept={model.intercept_[0]:.3f})  # shipped: {CALIBRATION}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", action="store_true", help="refit the calibration and print it, with CV figures")
    parser.add_argument("--in-corpus", action="store_true", help="label the gold papers inside the 47.5k corpus")
    args = parser.parse_args()
    if args.in_corpus:
        measure(gold_run([f"{{path: '{ML_ABSTRACTS}'}}"]), "inside ml-abstracts")
        return
    result = gold_run()
    measure(result, "run alone")
    if args.fit:
        fit_calibration(result)


if __name__ == "__main__":
    main()
