"""Topic ids across a refit after a small addition: ``--align-to`` on 2% more papers (issue 19, point 2).

``python -m bench.align_refit`` (~3 min): per corpus, a run of a random base set (every setting default but the
documents map, SVD here, which the models do not see), then a refit of base + 2% new papers with
``models.align_to`` set to the first run's topics.json. Measured: how many of the first run's topics and clusters
the refit matched (the rest are "gone"), and the share of the base papers whose topic (cluster) id is the same in
both runs. Corpora: 3,000 + 60 papers of the shipped example corpus (ML conference papers) and 1,700 + 34 BBC news
articles (``../shared/data/bbc-news``, when present), and, for comparison, the LDA NPMI of a refit without
``align_to`` (the usual start). Writes ``bench/results/align-refit.md``.
Targets: at least 11 of 12 topics kept and at least 95% of the old papers keeping their topic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.quality import BBC
from topics.config import PROJECT_ROOT, load_config
from topics.pipeline.progress import RunProgress
from topics.pipeline.runner import run_and_write
from topics.results import RunResult, TopicResult

WORK = Path(__file__).resolve().parent / ".work" / "align-refit"
RESULTS = Path(__file__).resolve().parent / "results"
EXAMPLE = PROJECT_ROOT / "data" / "ml-abstracts-sample.parquet"
SHARE_ADDED = 0.02


def corpora() -> list[tuple[str, pd.DataFrame, int]]:
    """``(name, papers with an id column, base size)`` of every corpus present."""
    found = [("ML example corpus", pd.read_parquet(EXAMPLE), 3000)]
    if BBC.exists():
        bbc = pd.read_csv(BBC, dtype=str, keep_default_na=False)
        bbc["id"] = [f"bbc-{i}" for i in range(len(bbc))]
        found.append(("BBC news", bbc, 1700))
    return found


def _ids_by_paper(result: RunResult, block: TopicResult) -> dict[str, int]:
    return {paper_id: block.topic_id(int(k)) for paper_id, k in zip(result.corpus.ids, block.assignments)}


def measure(
    name: str, frame: pd.DataFrame, base_size: int, seed: int = 42, share_added: float = SHARE_ADDED
) -> dict[str, object]:
    """One corpus: the base run, the refit with ``share_added`` more papers aligned to it, and what it kept."""
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    added = max(1, round(base_size * share_added))
    folder = WORK / f"{name.split()[0].lower()}-{share_added}-{seed}"  # runs of other settings never share files
    folder.mkdir(parents=True, exist_ok=True)
    base_path, grown_path = folder / "base.parquet", folder / "grown.parquet"
    shuffled.iloc[:base_size].to_parquet(base_path, index=False)
    shuffled.iloc[: base_size + added].to_parquet(grown_path, index=False)
    common = ["report.map.method=svd", "cache.enabled=false", f"seed={seed}"]
    first, _ = run_and_write(
        load_config(None, [f"inputs=[{{path: '{base_path}'}}]", f"output.dir={folder / 'base'}", *common]),
        use_cache=False, progress=RunProgress(quiet=True),
    )
    second, _ = run_and_write(
        load_config(None, [f"inputs=[{{path: '{grown_path}'}}]", f"output.dir={folder / 'grown'}",
                           f"models.align_to={folder / 'base' / 'topics.json'}", *common]),
        use_cache=False, progress=RunProgress(quiet=True),
    )
    fresh, _ = run_and_write(
        load_config(None, [f"inputs=[{{path: '{grown_path}'}}]", f"output.dir={folder / 'fresh'}", *common]),
        use_cache=False, progress=RunProgress(quiet=True),
    )
    row: dict[str, object] = {"corpus": name, "base": len(first.corpus), "added": len(second.corpus) - len(first.corpus)}
    row["npmi"] = tuple(r.lda.metrics.get("coherence_npmi") for r in (first, second, fresh))
    for block in ("lda", "clusters"):
        before, after = getattr(first, block), getattr(second, block)
        old, new = _ids_by_paper(first, before), _ids_by_paper(second, after)
        alignment = second.alignments.get(block)
        row[f"{block}_k"] = before.n_topics
        row[f"{block}_kept"] = before.n_topics - (len(alignment.gone) if alignment is not None else before.n_topics)
        row[f"{block}_same_share"] = float(np.mean([new.get(pid) == tid for pid, tid in old.items()]))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.align_refit", description=__doc__.split("\n")[0])
    parser.add_argument("--added", type=float, default=SHARE_ADDED, help="share of papers added (default 0.02)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    rows = [measure(name, frame, base, args.seed, args.added) for name, frame, base in corpora()]
    lines = ["| corpus | base papers | added | topics kept | old papers, same topic | clusters kept | old papers, same cluster "
             "| LDA NPMI: base / aligned refit / fresh refit |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        npmi = " / ".join(f"{v:.4f}" for v in r["npmi"])  # type: ignore[attr-defined]
        lines.append(f"| {r['corpus']} | {r['base']:,} | {r['added']} | {r['lda_kept']} of {r['lda_k']} | "
                     f"{r['lda_same_share']:.1%} | {r['clusters_kept']} of {r['clusters_k']} | {r['clusters_same_share']:.1%} "
                     f"| {npmi} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "align-refit.md" if (args.added, args.seed) == (SHARE_ADDED, 42) else f"align-refit-{args.added}-{args.seed}.md"
    (RESULTS / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
