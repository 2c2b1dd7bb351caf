"""Topic-model quality on corpora with known classes, ours beside scikit-learn's plain models in the same run.

    .venv/bin/python -m bench.quality                 # BBC news, ml-abstracts by venue, the two seed listings
    .venv/bin/python -m bench.quality --seeds 42 43 44

For each corpus and seed: the tool's LDA and TF-IDF clusters (``topics run`` with the number of topics and clusters
set to the number of classes, every other setting default), and as baselines scikit-learn's
``LatentDirichletAllocation`` (its defaults: batch variational Bayes, 10 iterations) over a ``CountVectorizer`` and
``KMeans`` (``n_init="auto"``) over a ``TfidfVectorizer``, on the tool's vocabulary: its tokens after phrases, less
its generic terms and the corpus's uninformative words it learned, with its document-frequency filter
(``preprocessing.min_df`` and ``max_df``, 3 and 0.5). Every model sees the same words, so the rows compare models;
what the vocabulary itself does is measured with the tool's own settings (bench/README.md). Measures: NMI and ARI
of the dominant topic (or cluster) against the classes; NPMI coherence of the top 10 terms
(:func:`topics.quality.coherence.npmi_coherence`, the same windows over the same tokens for every model); topic diversity
(share of distinct words among all topics' top 25); the largest topic's share of the papers; seconds of the fit
(the tool's from its manifest, the stage that fits it).

Corpora (read from ../shared; skipped when absent):

- **BBC news** (../shared/data/bbc-news/bbc_news.csv): 5 classes (business, entertainment, politics, sport, tech).
- **ml-abstracts by venue**: 400 papers drawn (seeded) from each of CVPR+ICCV, COLT, CoRL, KDD and NeurIPS; the
  venue group is the class (a coarse, noisy proxy of the subject: NeurIPS spans everything).
- **The two seed listings** (../shared/seeds/*.txt, 23 papers together): no classes; coherence, diversity and the
  largest share only, with the tool's default number of topics.

Results go to ``bench/results/quality.json`` and a Markdown table to ``bench/results/quality.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from sklearn.cluster import KMeans
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from preprocessing.phrases import PhraseDetector
from topics.config import load_config
from topics.pipeline.corpus_stage import build_tokenizer
from topics.pipeline.runner import run
from topics.quality.coherence import npmi_coherence
from topics.themes.definitions import run_profile

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BBC = SHARED / "data" / "bbc-news" / "bbc_news.csv"
ML = SHARED / "data" / "ml-abstracts" / "papers.parquet"
SEEDS = SHARED / "seeds"
WORK = Path(__file__).resolve().parent / ".work" / "quality"
RESULTS = Path(__file__).resolve().parent / "results"
#: ml-abstracts venue groups used as classes, and papers drawn from each.
VENUE_GROUPS = {"CVPR+ICCV": ("CVPR", "ICCV"), "COLT": ("COLT",), "CoRL": ("CORL",), "KDD": ("KDD",), "NeurIPS": ("NeurIPS",)}
PER_VENUE = 400
TOP_N = 10


def venue_corpus(seed: int) -> Path:
    """The evenly sampled ml-abstracts venue corpus (written once per seed) with a ``class`` column."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"ml-venues-{seed}.parquet"
    if not path.exists():
        papers = pd.read_parquet(ML)
        parts = []
        for name, venues in VENUE_GROUPS.items():
            pool = papers[papers["venue"].isin(venues) & (papers["abstract"].str.len() > 200)]
            parts.append(pool.sample(n=min(PER_VENUE, len(pool)), random_state=seed).assign(**{"class": name}))
        pd.concat(parts).sample(frac=1.0, random_state=seed).to_parquet(path, index=False)
    return path


def diversity(topics: list[list[str]], top: int = 25) -> float:
    """Share of distinct words among all topics' first ``top`` terms (1: no topic shares a word)."""
    words = [w for terms in topics for w in terms[:top]]
    return len(set(words)) / max(len(words), 1)


def scores(assigned: np.ndarray, classes: list[str] | None) -> dict[str, float | None]:
    if classes is None:
        return {"nmi": None, "ari": None}
    return {"nmi": float(normalized_mutual_info_score(classes, assigned)), "ari": float(adjusted_rand_score(classes, assigned))}


def measure(name: str, inputs: str, k: int | None, classes_of: dict[str, str] | None, seed: int) -> list[dict[str, Any]]:
    """Every model's row for one corpus and seed."""
    settings = [f"inputs=[{inputs}]", "report.map.method=svd", f"seed={seed}", "cache.enabled=false"]
    if k is not None:
        settings += [f"models.lda.num_topics={k}", f"models.clusters.num_clusters={k}"]
    config = load_config(None, settings)
    result = run(config)
    papers = result.corpus.papers
    classes = None if classes_of is None else [classes_of.get(p.title.strip(), "?") for p in papers]
    tokenizer = build_tokenizer(config)
    arrays = tokenizer.arrays([p.text for p in papers])
    phrases = config.preprocessing.phrases
    if phrases.enabled:  # the tokens the tool's models see: the baselines fit them and every NPMI counts them
        arrays = PhraseDetector(min_count=phrases.min_count, threshold=phrases.threshold).fit_arrays(arrays)
    docs = [arrays.flat(i) for i in range(len(arrays))]
    dictionary = Dictionary(docs)
    timings = result.manifest.get("timings_seconds", {}) if isinstance(result.manifest, dict) else {}
    n_topics = result.lda.n_topics
    rows = []

    def row(model: str, assigned: np.ndarray, top_terms: list[list[str]], seconds: float | None) -> None:
        npmi, _ = npmi_coherence(top_terms, arrays, dictionary, top_n=TOP_N)
        rows.append({
            "corpus": name, "seed": seed, "model": model, "papers": len(papers), "k": n_topics,
            **scores(assigned, classes), "npmi": float(npmi), "diversity": diversity(top_terms),
            "largest_share": float(np.bincount(assigned, minlength=n_topics).max() / len(assigned)),
            "seconds": seconds,
        })

    row("ours: LDA", result.lda.assignments, [[t for t, _ in terms] for terms in result.lda.topic_terms], timings.get("lda"))
    row("ours: clusters", result.clusters.assignments, [[t for t, _ in terms] for terms in result.clusters.topic_terms],
        timings.get("tfidf_kmeans"))
    min_df, max_df = config.preprocessing.min_df, config.preprocessing.max_df
    # the words the tool's models never see (its profile's generic terms, the corpus's own uninformative words)
    left_out = set(run_profile(config).generic_terms) | set(result.manifest.get("corpus_stop_words") or [])
    docs = [[w for w in doc if w not in left_out] for doc in docs]
    counts = CountVectorizer(analyzer=lambda d: d, min_df=min_df, max_df=max_df)
    X = counts.fit_transform(docs)
    vocab = np.asarray(counts.get_feature_names_out())
    start = time.perf_counter()
    lda = LatentDirichletAllocation(n_components=n_topics, random_state=seed).fit(X)
    doc_topic = lda.transform(X)
    seconds = time.perf_counter() - start
    row("scikit-learn LDA", doc_topic.argmax(axis=1), [list(vocab[np.argsort(-c)[:25]]) for c in lda.components_], seconds)
    tfidf = TfidfVectorizer(analyzer=lambda d: d, min_df=min_df, max_df=max_df)
    T = tfidf.fit_transform(docs)
    tvocab = np.asarray(tfidf.get_feature_names_out())
    start = time.perf_counter()
    kmeans = KMeans(n_clusters=result.clusters.n_topics, n_init="auto", random_state=seed).fit(T)
    seconds = time.perf_counter() - start
    row("scikit-learn KMeans", kmeans.labels_, [list(tvocab[np.argsort(-c)[:25]]) for c in kmeans.cluster_centers_], seconds)
    return rows


def corpora(seed: int) -> list[tuple[str, str, int | None, dict[str, str] | None]]:
    """``(name, inputs, k, classes by title)`` of every corpus present."""
    found = []
    if BBC.exists():
        bbc = pd.read_csv(BBC, dtype=str, keep_default_na=False)
        found.append(("BBC news", f"{{path: '{BBC}'}}", 5, dict(zip(bbc["title"].str.strip(), bbc["label"]))))
    if ML.exists():
        path = venue_corpus(seed)
        venues = pd.read_parquet(path, columns=["title", "class"])
        found.append(("ml-abstracts by venue", f"{{path: '{path}'}}", len(VENUE_GROUPS), dict(zip(venues["title"].str.strip(), venues["class"]))))
    listings = sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []
    if listings:
        found.append(("seed listings", ", ".join(f"{{path: '{p}'}}" for p in listings), None, None))
    return found


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table: mean over seeds per corpus and model."""
    frame = pd.DataFrame(rows)
    keys = ["nmi", "ari", "npmi", "diversity", "largest_share", "seconds"]
    grouped = frame.groupby(["corpus", "model"], sort=False)[keys].mean(numeric_only=False)
    seeds = sorted(frame["seed"].unique())
    lines = [f"Mean over seeds {', '.join(map(str, seeds))}.", "",
             "| corpus | model | papers | k | NMI | ARI | NPMI | diversity | largest topic share | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for (corpus, model), values in grouped.iterrows():
        first = frame[(frame["corpus"] == corpus) & (frame["model"] == model)].iloc[0]

        def fmt(value: Any, digits: int = 3) -> str:
            return "–" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.{digits}f}"

        lines.append(f"| {corpus} | {model} | {first['papers']:,} | {first['k']} | {fmt(values['nmi'])} | {fmt(values['ari'])} | "
                     f"{fmt(values['npmi'], 4)} | {fmt(values['diversity'], 2)} | {fmt(values['largest_share'], 2)} | {fmt(values['seconds'], 2)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for seed in args.seeds:
        for name, inputs, k, classes in corpora(seed):
            print(f"{name}, seed {seed} …", flush=True)
            rows.extend(measure(name, inputs, k, classes, seed))
    if not rows:
        print(f"no corpus found under {SHARED}")
        return 1
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    markdown = table(rows)
    (RESULTS / "quality.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
