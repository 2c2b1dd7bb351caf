"""How many topics and clusters a small corpus supports: ``num_topics/num_clusters: size`` against other rules.

``python -m bench.k_size`` (~5 min): random subsets of 25, 50, 100, 200 and 400 papers (three draws each) of BBC
news (5 classes) and the evenly sampled ml-abstracts venue corpus (5 venue groups, as in bench.quality), each run
by the tool with every setting default but the number of topics and clusters, chosen by three rules:

- ``cap12``: 12 topics and 10 clusters, at most half the papers (the default before ``size``);
- ``sqrt_half``: round(sqrt(papers / 2)), at most 12 / 10 (``size``, the default now);
- ``sqrt``: round(sqrt(papers)), at most 12 / 10.

It reports the mean adjusted Rand index (chance-corrected, so comparable across numbers of groups; NMI rises with
the number of groups and is shown only beside it) of the papers' LDA topics and clusters against the classes,
the NPMI of the topics, and how many topics or clusters hold no paper. Writes ``bench/results/k-size.csv`` and
``k-size.md``. The classes are never shown to the tool.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from bench.quality import BBC, venue_corpus
from topics.config import load_config
from topics.pipeline.runner import run

RESULTS = Path(__file__).resolve().parent / "results"
WORK = Path(__file__).resolve().parent / ".work" / "k-size"
SIZES = (25, 50, 100, 200, 400)
DRAWS = (1, 2, 3)
RULES = {
    "cap12": lambda n, top: max(2, min(top, n // 2)),
    "sqrt_half": lambda n, top: max(2, min(top, round(math.sqrt(n / 2)))),
    "sqrt": lambda n, top: max(2, min(top, round(math.sqrt(n)))),
}


def corpora() -> dict[str, pd.DataFrame]:
    """The labelled corpora present: BBC news and the ml-abstracts venue classes, each with a ``class`` column."""
    found = {}
    if BBC.exists():
        found["BBC news"] = pd.read_csv(BBC, dtype=str, keep_default_na=False).rename(columns={"label": "class"})
    try:
        found["ml-abstracts by venue"] = pd.read_parquet(venue_corpus(42))
    except (OSError, FileNotFoundError):
        pass
    return found


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, frame in corpora().items():
        for n in SIZES:
            for draw in DRAWS:
                sample = frame.sample(n=n, random_state=draw)
                path = WORK / f"{name.split()[0].lower()}-{n}-{draw}.csv"
                sample.to_csv(path, index=False)
                classes_of = dict(zip(sample["title"].str.strip(), sample["class"]))
                for rule, size in RULES.items():
                    k, kc = size(n, 12), size(n, 10)
                    config = load_config(None, [
                        f"inputs=[{{path: '{path}'}}]", "report.map.method=svd", "cache.enabled=false",
                        f"models.lda.num_topics={k}", f"models.clusters.num_clusters={kc}", "views.enabled=false",
                    ])
                    result = run(config)
                    assert result.lda is not None and result.clusters is not None
                    classes = [classes_of.get(p.title.strip(), "?") for p in result.corpus.papers]
                    lda, clusters = result.lda.assignments, result.clusters.assignments
                    rows.append({
                        "corpus": name, "papers": n, "draw": draw, "rule": rule, "topics": k, "clusters": kc,
                        "lda_ari": adjusted_rand_score(classes, lda), "clusters_ari": adjusted_rand_score(classes, clusters),
                        "lda_nmi": normalized_mutual_info_score(classes, lda),
                        "clusters_nmi": normalized_mutual_info_score(classes, clusters),
                        "lda_npmi": result.lda.metrics.get("coherence_npmi"),
                        "empty_topics": k - len(set(lda)), "empty_clusters": kc - len(set(clusters)),
                    })
                    print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    frame.to_csv(RESULTS / "k-size.csv", index=False)
    table = frame.groupby(["corpus", "papers", "rule"], sort=False)[
        ["topics", "clusters", "lda_ari", "clusters_ari", "lda_nmi", "clusters_nmi", "lda_npmi", "empty_topics", "empty_clusters"]
    ].mean().round(3).reset_index()
    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    (RESULTS / "k-size.md").write_text("Mean over draws " + ", ".join(map(str, DRAWS)) + ".\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
