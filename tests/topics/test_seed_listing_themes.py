"""The institute's two listings (data/listings, 23 papers) get the themes a reader gives them: the run learns
beside the shipped background corpus, so 23 papers are enough. Pinned title by title: each named theme a reader
would give (from the title and abstract), and none of the three named themes a reader would not."""

from __future__ import annotations

import pytest

from tests.topics.helpers import MILA_CONFIG
from topics.config import load_config
from topics.pipeline.runner import run
from topics.results import RunResult

pytestmark = pytest.mark.slow

NAMED = ("reinforcement-learning", "generative-models", "neuroscience")
#: Title prefix -> the named themes a reader gives the paper (the other named themes must be absent).
READER = {
    "Reasoning with Latent Diffusion in Offline Reinforcement Learning": {"reinforcement-learning", "generative-models"},
    "Reward Model Ensembles Help Mitigate Overoptimization": {"reinforcement-learning"},
    "Searching for High-Value Molecules Using Reinforcement Learning": {"reinforcement-learning"},
    "Str2Str: A Score-based Framework for Zero-shot Protein Conformation Sampling": {"generative-models"},
    "Sufficient conditions for offline reactivation in recurrent neural networks": {"neuroscience"},
    "Synaptic Weight Distributions Depend on the Geometry of Plasticity": {"neuroscience"},
    "TACTiS-2": set(),
    "The Cost of Scaling Down Large Language Models": set(),
    "The Curse of Diversity in Ensemble-Based Exploration": {"reinforcement-learning"},
    "On the Stability of Iterative Retraining of Generative Models": {"generative-models"},
    "Towards Foundation Models for Knowledge Graph Reasoning": set(),
    "Credit-based self organizing maps": {"neuroscience"},
    "Efficient Diversity-Preserving Diffusion Alignment": {"generative-models"},
    "Enabling Realtime Reinforcement Learning at Scale": {"reinforcement-learning"},
    "Fair Resource Allocation in Weakly Coupled Markov Decision Processes": {"reinforcement-learning"},
    "Fast Convergence of Softmax Policy Mirror Ascent": {"reinforcement-learning"},
    "Faster, More Efficient RLHF": {"reinforcement-learning"},
    "Forgetting Transformer": set(),
    "A Generalist Hanabi Agent": {"reinforcement-learning"},
    "Geometry-Aware Generative Autoencoder": {"generative-models"},
    "GlycanML": set(),
    "Handling Delay in Real-Time Reinforcement Learning": {"reinforcement-learning"},
}


@pytest.fixture(scope="module")
def listings(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    cache = tmp_path_factory.mktemp("listing-cache")
    return run(load_config(MILA_CONFIG, ["report.map.method=svd", f"cache.dir={cache}"]))


def test_listings_get_the_named_themes_a_reader_gives_them(listings: RunResult) -> None:
    table = listings.themes
    found = {}
    for row, paper in enumerate(listings.corpus.papers):
        prefix = next((p for p in READER if paper.title.startswith(p)), None)
        if prefix is not None:
            found[prefix] = {theme for theme, _ in table.paper_themes(row) if theme in NAMED}
    assert set(found) == set(READER)  # every pinned paper is in the corpus once
    assert found == READER


def test_every_listing_paper_has_a_theme_with_its_evidence(listings: RunResult) -> None:
    table = listings.themes
    for row, paper in enumerate(listings.corpus.papers):
        assigned = table.paper_themes(row)
        if paper.abstract:
            assert assigned, paper.title
        for theme, _ in assigned:
            column = table.theme_ids.index(theme)
            assert table.evidence[row][column], (paper.title, theme)
