"""Model sizes that fit the corpus: the number of topics and clusters a run uses when the config leaves them
to the corpus's size."""

from __future__ import annotations

from topics.config import RunConfig
from topics.pipeline.progress import RunProgress


def sized_to_corpus(config: RunConfig, n_docs: int, progress: RunProgress) -> RunConfig:
    """``config`` with the model sizes it leaves to the corpus resolved for ``n_docs`` papers (currently every
    size is given in the config, so ``config`` itself)."""
    return config
