"""A small, hand-built RunResult for the report tests: 8 papers over 2 periods, 4 themes (one unused by the
period 2025, one paper unassigned), 3 LDA topics, 2 TF-IDF clusters, a documents map and skipped records.

One paper's title and one author carry markup injections, as scraped pages might.
"""

from __future__ import annotations

import numpy as np
import pytest

from preprocessing.records import Corpus, Paper, SkippedRecord
from topics.results import (
    Agreement,
    DocumentMap,
    RunResult,
    ThemeDefinition,
    ThemeTable,
    TopicResult,
    TrendTable,
)

INJECTION_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)> Learning"
INJECTION_AUTHOR = '<a href="javascript:alert(3)">Eve</a>'
PERIODS = ("2023-24", "2025")
THEME_IDS = ("reinforcement-learning", "generative-models", "neuroscience", "optimization")

# id, title, authors, period
PAPER_ROWS = (
    ("p1", "Deep Q-learning for Atari games", ("Ada Lovelace", "Alan Turing"), "2023-24"),
    ("p2", "Policy gradients with reward shaping", ("Grace Hopper",), "2023-24"),
    ("p3", "Diffusion models for image synthesis", ("Katherine Johnson",), "2023-24"),
    ("p4", INJECTION_TITLE, (INJECTION_AUTHOR, "Rishav"), "2023-24"),
    ("p5", "Variational autoencoders revisited", ("Ada Lovelace",), "2025"),
    ("p6", "Spiking networks in the hippocampus", ("Santiago Ramon y Cajal",), "2025"),
    ("p7", "Dopamine and reward prediction errors", ("Wolfram Schultz", "Peter Dayan"), "2025"),
    ("p8", "Feasible Learning", ("Juan Ramirez",), "2025"),
)

# Theme scores per paper, columns in THEME_IDS order; assigned where score >= 0.3.
SCORES = np.array(
    [
        [0.90, 0.05, 0.00, 0.10],  # p1 RL
        [0.82, 0.00, 0.00, 0.41],  # p2 RL, optimization
        [0.00, 0.88, 0.00, 0.00],  # p3 gen
        [0.60, 0.00, 0.35, 0.00],  # p4 RL, neuro
        [0.00, 0.75, 0.00, 0.20],  # p5 gen
        [0.00, 0.00, 0.91, 0.00],  # p6 neuro
        [0.45, 0.00, 0.70, 0.00],  # p7 neuro, RL
        [0.10, 0.10, 0.10, 0.10],  # p8 unassigned
    ]
)
THRESHOLD = 0.3

LDA_DOC_TOPIC = np.array(
    [
        [0.80, 0.10, 0.10],
        [0.70, 0.20, 0.10],
        [0.10, 0.80, 0.10],
        [0.60, 0.10, 0.30],
        [0.05, 0.90, 0.05],
        [0.10, 0.10, 0.80],
        [0.30, 0.10, 0.60],
        [0.40, 0.30, 0.30],
    ]
)
LDA_TERMS = (
    ("policy", "reward", "agent", "q-learning", "atari", "value", "action", "environment", "return", "bandit"),
    ("diffusion", "image", "generative", "autoencoder", "latent", "sample", "variational", "noise", "gan", "score"),
    ("neuron", "spiking", "hippocampus", "dopamine", "brain", "cortex", "synapse", "memory", "plasticity", "signal"),
)
LDA_WEIGHTS = tuple(round(0.12 - 0.01 * i, 3) for i in range(10))  # 0.12, 0.11, ..., 0.03

CLUSTER_ASSIGNMENTS = np.array([0, 0, 1, 0, 1, 0, 0, 1])
CLUSTER_TERMS = (
    ("reward", "policy", "learning", "agent", "dopamine", "spiking"),
    ("model", "image", "diffusion", "variational", "learning", "feasible"),
)


def make_papers() -> tuple[Paper, ...]:
    return tuple(
        Paper(id=pid, title=title, authors=authors, period=period, source=f"{period}.txt", origin=f"{period}.txt:{i}")
        for i, (pid, title, authors, period) in enumerate(PAPER_ROWS, start=1)
    )


def make_themes(ids: tuple[str, ...]) -> ThemeTable:
    definitions = tuple(
        ThemeDefinition(id=theme_id, label=theme_id.replace("-", " ").capitalize(), description=f"About {theme_id}.")
        for theme_id in THEME_IDS
    )
    assigned = SCORES >= THRESHOLD
    evidence = tuple(tuple(() for _ in THEME_IDS) for _ in ids)
    return ThemeTable(
        themes=definitions,
        doc_ids=ids,
        scores=SCORES,
        assigned=assigned,
        evidence=evidence,
        topic_theme=np.array([[0.9, 0.1, 0.3, 0.2], [0.1, 0.8, 0.0, 0.1], [0.3, 0.0, 0.9, 0.0]]),
        cluster_theme=np.array([[0.8, 0.0, 0.5, 0.2], [0.1, 0.7, 0.0, 0.1]]),
    )


def make_trends(papers: tuple[Paper, ...], themes: ThemeTable, lda: TopicResult | None) -> TrendTable:
    """Shares, intervals, trend tests, the two-period comparison and profiles, computed by topics.trends.table from
    the fixture's themes (counts per period are checked by hand in the tests that need them)."""
    from topics.config import TrendsConfig
    from topics.trends.profiles import theme_profiles
    from topics.trends.snapshot import compare_snapshots
    from topics.trends.table import TrendInputs, build_trends

    periods = tuple(paper.period for paper in papers)
    authors = [paper.authors for paper in papers]
    comparison = compare_snapshots(
        PERIODS[0], PERIODS[1], periods, themes.theme_ids, [t.label for t in themes.themes], themes.assigned,
        None if lda is None else list(range(lda.n_topics)), None if lda is None else list(lda.labels),
        None if lda is None else lda.assignments, authors,
    )
    profiles = theme_profiles(themes.theme_ids, themes.assigned, authors, [paper.venue for paper in papers])
    return build_trends(TrendInputs(periods), themes, lda, TrendsConfig(), [].append, comparison, None, profiles)


def make_lda(ids: tuple[str, ...]) -> TopicResult:
    return TopicResult(
        backend="lda",
        topic_terms=tuple(tuple(zip(terms, LDA_WEIGHTS)) for terms in LDA_TERMS),
        doc_topic=LDA_DOC_TOPIC,
        doc_ids=ids,
        coords=np.array([[-0.3, 0.1], [0.35, 0.05], [-0.05, -0.4]]),
        metrics={"coherence_npmi": 0.071},
        topic_coherence=(0.12, 0.05, -0.02),
        labels=("policy, reward, agent", "diffusion, image, generative", "neuron, spiking, hippocampus"),
    )


def make_clusters(ids: tuple[str, ...]) -> TopicResult:
    one_hot = np.eye(2)[CLUSTER_ASSIGNMENTS]
    return TopicResult(
        backend="tfidf_kmeans",
        topic_terms=tuple(tuple(zip(terms, (0.3, 0.25, 0.2, 0.15, 0.1, 0.05))) for terms in CLUSTER_TERMS),
        doc_topic=one_hot,
        doc_ids=ids,
        coords=np.array([[-0.2, 0.0], [0.2, 0.0]]),
        metrics={"silhouette": 0.034},
        topic_coherence=(0.02, 0.01),
        labels=("reward, policy, learning", "model, image, diffusion"),
    )


def make_agreement(lda: TopicResult, clusters: TopicResult) -> Agreement:
    table = np.zeros((lda.n_topics, clusters.n_topics), dtype=int)
    np.add.at(table, (lda.assignments, clusters.assignments), 1)
    return Agreement(contingency=table, ari=0.213, nmi=0.456)


def build_run_result() -> RunResult:
    """The full run: every section has data."""
    papers = make_papers()
    ids = tuple(paper.id for paper in papers)
    skipped = (
        SkippedRecord("2023-24.txt", "2023-24.txt:40", "duplicate title", "Deep Q-learning for Atari games"),
        SkippedRecord("2025.txt", "2025.txt:12", "duplicate title", "Feasible Learning"),
        SkippedRecord("2025.txt", "2025.txt:3", "no title", ""),
    )
    lda = make_lda(ids)
    clusters = make_clusters(ids)
    themes = make_themes(ids)
    angles = np.linspace(0, 2 * np.pi, len(papers), endpoint=False)
    doc_map = DocumentMap(
        indices=np.arange(len(papers)),
        coords=np.column_stack([np.cos(angles), np.sin(angles)]),
        method="tsne",
        total=len(papers),
    )
    return RunResult(
        title="Fixture institute publications",
        corpus=Corpus(papers=papers, skipped=skipped),
        themes=themes,
        trends=make_trends(papers, themes, lda),
        lda=lda,
        clusters=clusters,
        agreement=make_agreement(lda, clusters),
        doc_map=doc_map,
        manifest={
            "seeds": {"seed": 42, "lda": 42, "clusters": 42},
            "counts": {"papers": 8, "skipped": 3},
            "timings_seconds": {"read": 0.12, "lda": 1.5},
            "versions": {"plotly": "7.1.0"},
        },
        warnings=("corpus smaller than num_topics; using K=3",),
    )


@pytest.fixture
def run_result() -> RunResult:
    """The full run: every section has data."""
    return build_run_result()


@pytest.fixture
def minimal_run(run_result: RunResult) -> RunResult:
    """The same corpus with only themes and trends: no models, map, skipped records, manifest or warnings."""
    return RunResult(
        title=run_result.title,
        corpus=Corpus(papers=run_result.corpus.papers),
        themes=run_result.themes,
        trends=run_result.trends,
    )
