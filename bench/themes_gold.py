"""Measure, and calibrate, the theme labeller on ../shared/data/themes-dev-gold (440 papers labelled by reading).

    .venv/bin/python -m bench.themes_gold                # shipped labeller vs regex baselines, the 440 papers run alone
    .venv/bin/python -m bench.themes_gold --fit          # refit topics/themes/scoring.py's CALIBRATION; 5-fold CV figures

Each run also labels the papers with bench/gold_themes_short5.yaml and gold_themes_short10.yaml, the three themes
written as a user would (five and ten terms each), against the same hand labels.
    .venv/bin/python -m bench.themes_gold --in-corpus    # the same papers labelled inside the 47.5k ml-abstracts run
    .venv/bin/python -m bench.themes_gold --sizes        # 25-200-paper subsets run alone, with and without the background

The labeller reads only id, title, abstract, authors and year (never ``themes``, ``pool`` or ``note``). The
calibration maps (term score, learned probability) to the final score; it is fitted on the papers labelled with
the shipped themes file and with the two short files, pooled over the three labelled themes, with weights that
depend on how many terms a theme lists (:class:`topics.themes.scoring.TermCountCalibration`). Its figures are 5-fold
cross-validated, stratified by the file's sampling pool, because it is fitted on these papers. The regex baselines are :func:`topics.themes.keyword_baseline.keyword_baseline` over the
first 12 seed terms of each theme (what ``topics evaluate`` reports) and over all of them.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.model_selection import StratifiedKFold

from topics.config import ThemesConfig, load_config
from topics.pipeline.runner import run
from topics.results import RunResult
from topics.themes.keyword_baseline import keyword_baseline
from topics.themes.scoring import CALIBRATION, TermCountCalibration, ThemeCalibration

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "data" / "themes-dev-gold" / "themes_dev_gold.csv"
ML_ABSTRACTS = ROOT.parent / "shared" / "data" / "ml-abstracts" / "papers.parquet"
TARGETS = ("reinforcement-learning", "generative-models", "neuroscience")
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.75, 0.05))
COLUMNS = "{id: id, title: title, abstract: abstract, authors: authors, year: year}"
#: The three labelled themes written as a user would write them (five terms; ten), for the calibration's fit and
#: for measuring a user's own short file on papers labelled by reading.
SHORT_FILES = (Path(__file__).resolve().parent / "gold_themes_short5.yaml", Path(__file__).resolve().parent / "gold_themes_short10.yaml")
FEW_TERMS = 5


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


def gold_run(extra: list[str] | None = None, themes_file: Path | None = None) -> RunResult:
    inputs = f"{{path: '{GOLD}', columns: {COLUMNS}}}"
    if extra:
        inputs = ", ".join([*extra, inputs])
    settings = [f"inputs=[{inputs}]", "report.map.method=svd"]
    if themes_file is not None:
        settings.append(f"themes.file={themes_file}")
    return run(load_config(None, settings))


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


def _mix_design(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Design ``(..., 6)`` of the term-count calibration: for the few-terms and the many-terms map, (1, logit of
    the term score, logit of the learned probability), each scaled by its mix weight (``weight`` of ``many``)."""
    few, many = 1.0 - weight, weight
    return np.stack([few, few * x[..., 0], few * x[..., 1], many, many * x[..., 0], many * x[..., 1]], axis=-1)


def _fit_mix(design: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Six coefficients (few: intercept, rule, learned; many: the same) of a logistic regression on ``design``
    ``(n, 6)``, L2 penalty 1/2 on the slopes (scikit-learn's C=1), the slopes bounded at 0 so that the score
    never falls as either kind of evidence grows."""
    penalty = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 1.0])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = design @ w
        value = float(np.sum(np.logaddexp(0.0, z) - target * z) + 0.5 * np.sum(penalty * w * w))
        return value, design.T @ (1.0 / (1.0 + np.exp(-z)) - target) + penalty * w

    bounds = [(None, None), (0.0, None), (0.0, None)] * 2
    return minimize(loss, np.zeros(6), jac=True, method="L-BFGS-B", bounds=bounds).x


def _calibration(w: np.ndarray, few_terms: int, many_terms: int) -> TermCountCalibration:
    return TermCountCalibration(
        few=ThemeCalibration(rule=round(float(w[1]), 3), learned=round(float(w[2]), 3), intercept=round(float(w[0]), 3)),
        many=ThemeCalibration(rule=round(float(w[4]), 3), learned=round(float(w[5]), 3), intercept=round(float(w[3]), 3)),
        few_terms=few_terms, many_terms=many_terms,
    )


def fit_calibration(result: RunResult) -> None:
    """Fit :data:`topics.themes.scoring.CALIBRATION` on the gold papers labelled three times: with the shipped themes
    file (``result``) and with each of :data:`SHORT_FILES`, pooled; print its 5-fold CV figures per file and by
    threshold, and the threshold that is best on the mean over the files."""
    rows, labels, pools = labels_for(list(result.corpus.ids), [p.title for p in result.corpus.papers])
    runs = {"shipped themes file": result}
    for path in SHORT_FILES:
        runs[path.name] = gold_run(themes_file=path)
    designs = {}
    counts = {}
    probe = TermCountCalibration(few=CALIBRATION.few, many=CALIBRATION.many, few_terms=FEW_TERMS, many_terms=1)
    shipped = result.themes.themes
    many_terms = int(round(float(np.exp(np.median(np.log([len(t.seeds) + len(t.related) for t in shipped if t.id in TARGETS]))))))
    for name, res in runs.items():
        columns = [res.themes.theme_ids.index(t) for t in TARGETS]
        parts = res.themes.parts
        x = ThemeCalibration.features(parts["term_score"][np.ix_(rows, columns)], parts["learned"][np.ix_(rows, columns)])
        n_terms = np.array([len(res.themes.themes[c].seeds) + len(res.themes.themes[c].related) for c in columns])
        counts[name] = n_terms.tolist()
        mix = replace(probe, many_terms=many_terms).mix(n_terms)
        designs[name] = _mix_design(x, np.broadcast_to(mix, x.shape[:2]))
    print(f"terms per theme (seeds + related, {', '.join(TARGETS)}):", counts, f"-> few_terms {FEW_TERMS}, many_terms {many_terms}")
    cv = {name: np.zeros(labels.shape) for name in runs}
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(rows)), pools):
        w = _fit_mix(np.concatenate([d[train].reshape(-1, 6) for d in designs.values()]),
                     np.concatenate([labels[train].reshape(-1)] * len(designs)))
        for name, d in designs.items():
            cv[name][test] = 1.0 / (1.0 + np.exp(-(d[test] @ w)))
    by_threshold = {name: {t: macro_f1(p >= t, labels) for t in THRESHOLDS} for name, p in cv.items()}
    for name, values in by_threshold.items():
        print(f"5-fold CV (stratified by pool) macro-F1 by threshold, {name}:", {t: round(v, 3) for t, v in values.items()})
    mean = {t: float(np.mean([v[t] for v in by_threshold.values()])) for t in THRESHOLDS}
    best = max(mean, key=mean.get)
    print("mean over the files:", {t: round(v, 3) for t, v in mean.items()}, f"-> best threshold {best}")
    threshold = ThemesConfig().threshold
    for name, p in cv.items():
        show(p >= threshold, labels, f"cross-validated at the default threshold {threshold}, {name}")
    w = _fit_mix(np.concatenate([d.reshape(-1, 6) for d in designs.values()]), np.concatenate([labels.reshape(-1)] * len(designs)))
    print(f"CALIBRATION = {_calibration(w, FEW_TERMS, many_terms)}")
    print(f"  shipped:    {CALIBRATION}")


def by_corpus_size(sizes: tuple[int, ...] = (25, 50, 100, 200), repeats: int = 3) -> None:
    """Macro-F1 on random subsets of the gold papers run on their own (``sizes`` papers, ``repeats`` seeded
    draws each), with the background corpus and without it (``themes.background=null``): how much the labeller
    depends on the size of the corpus it is given. In-sample with the shipped calibration."""
    gold = gold_frame().reset_index()
    work = Path(__file__).resolve().parent / ".work"
    work.mkdir(exist_ok=True)
    print("corpus size: macro-F1 with the background / without it (mean over draws; papers with a gold theme in the draw)")
    for size in sizes:
        rows: dict[str, list[float]] = {"background": [], "none": []}
        for repeat in range(repeats):
            subset = gold.sample(n=size, random_state=repeat)
            path = work / f"gold-subset-{size}-{repeat}.csv"
            subset.to_csv(path, index=False)
            inputs = f"inputs=[{{path: '{path}', columns: {COLUMNS}}}]"
            for name, extra in (("background", []), ("none", ["themes.background=null"])):
                result = run(load_config(None, [inputs, "report.map.method=svd", *extra]))
                found, labels, _ = labels_for(list(result.corpus.ids), [p.title for p in result.corpus.papers])
                columns = [result.themes.theme_ids.index(t) for t in TARGETS]
                rows[name].append(macro_f1(result.themes.assigned[np.ix_(found, columns)], labels))
        print(f"  {size:4d} papers: {np.mean(rows['background']):.3f} / {np.mean(rows['none']):.3f}"
              f"  (draws: {', '.join(f'{a:.2f}/{b:.2f}' for a, b in zip(rows['background'], rows['none']))})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", action="store_true", help="refit the calibration and print it, with CV figures")
    parser.add_argument("--in-corpus", action="store_true", help="label the gold papers inside the 47.5k corpus")
    parser.add_argument("--sizes", action="store_true", help="macro-F1 on 25-200-paper subsets, with and without the background")
    args = parser.parse_args()
    if args.sizes:
        by_corpus_size()
        return
    if args.in_corpus:
        measure(gold_run([f"{{path: '{ML_ABSTRACTS}'}}"]), "inside ml-abstracts")
        return
    result = gold_run()
    measure(result, "run alone")
    for path in SHORT_FILES:
        measure(gold_run(themes_file=path), f"run alone with {path.name} (the themes as a user would write them)")
    if args.fit:
        fit_calibration(result)


if __name__ == "__main__":
    main()
