"""Topic coherence: NPMI (gensim CoherenceModel, ``c_npmi``) over a topic's top terms, on the run's own tokens."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel


def npmi_coherence(
    topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], dictionary: Dictionary, top_n: int = 10
) -> tuple[float, tuple[float, ...]]:
    """Mean and per-topic NPMI in ``[-1, 1]`` of each topic's first ``top_n`` terms (terms outside
    ``dictionary`` are ignored; a topic with fewer than two known terms scores 0)."""
    known = [[t for t in topic[:top_n] if t in dictionary.token2id] for topic in topics]
    scorable = [i for i, topic in enumerate(known) if len(topic) >= 2]
    per_topic = np.zeros(len(topics))
    if scorable:
        model = CoherenceModel(
            topics=[known[i] for i in scorable],
            texts=[list(t) for t in texts],
            dictionary=dictionary,
            coherence="c_npmi",
            topn=top_n,
            processes=1,
        )
        values = np.nan_to_num(np.asarray(model.get_coherence_per_topic(), dtype=float))
        per_topic[scorable] = values
    return float(per_topic.mean()) if len(per_topic) else 0.0, tuple(float(v) for v in per_topic)
