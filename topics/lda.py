"""gensim LDA as a small estimator: ``LdaTopicModel(...).fit(vocabulary)`` then ``.result(...)``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from gensim.models import LdaModel, LdaMulticore

from topics.coherence import npmi_coherence
from topics.results import TopicResult
from topics.topic_map import intertopic_coordinates
from topics.vocabulary import Vocabulary


class LdaTopicModel:
    """Latent Dirichlet allocation (gensim). ``workers > 1`` uses LdaMulticore.

    Fitted attributes: ``model_`` (the gensim model), ``topic_term_`` (shape ``(n_topics, n_terms)``, rows are
    p(term | topic)), ``doc_topic_`` (shape ``(n_docs, n_topics)``, rows sum to 1).
    """

    def __init__(
        self,
        num_topics: int = 12,
        passes: int = 10,
        iterations: int = 50,
        alpha: str | float = "symmetric",
        eta: str | float | None = None,
        workers: int = 1,
        chunksize: int = 2000,
        random_state: int = 42,
    ) -> None:
        self.num_topics = num_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.workers = workers
        self.chunksize = chunksize
        self.random_state = random_state

    def fit(self, vocabulary: Vocabulary) -> "LdaTopicModel":
        common = dict(
            corpus=vocabulary.bows,
            id2word=vocabulary.dictionary,
            num_topics=self.num_topics,
            passes=self.passes,
            iterations=self.iterations,
            eta=self.eta,
            chunksize=self.chunksize,
            random_state=self.random_state,
            eval_every=None,  # perplexity estimates during training cost as much as the training itself
        )
        if self.workers > 1:
            alpha = "symmetric" if self.alpha == "auto" else self.alpha  # LdaMulticore cannot learn alpha
            self.model_ = LdaMulticore(workers=self.workers, alpha=alpha, **common)
        else:
            self.model_ = LdaModel(alpha=self.alpha, update_every=1, **common)
        self.topic_term_ = np.asarray(self.model_.get_topics(), dtype=float)
        self.doc_topic_ = self.transform(vocabulary.bows)
        return self

    def transform(self, bows: Sequence[list[tuple[int, int]]]) -> np.ndarray:
        """Topic proportions per document, shape ``(n_docs, n_topics)``, rows sum to 1."""
        if not hasattr(self, "model_"):
            raise RuntimeError("LdaTopicModel.transform called before fit")
        if not bows:
            return np.zeros((0, self.num_topics))
        gamma, _ = self.model_.inference(list(bows))
        return gamma / gamma.sum(axis=1, keepdims=True)

    def result(
        self, vocabulary: Vocabulary, texts: Sequence[Sequence[str]], doc_ids: Sequence[str], top_n: int = 10
    ) -> TopicResult:
        """The fitted topics as a :class:`TopicResult` with NPMI coherence on ``texts``."""
        terms = vocabulary.terms
        topic_terms = tuple(
            tuple((terms[j], float(row[j])) for j in np.argsort(-row, kind="stable")[:top_n]) for row in self.topic_term_
        )
        mean, per_topic = npmi_coherence([[t for t, _ in topic] for topic in topic_terms], texts, vocabulary.dictionary)
        return TopicResult(
            backend="lda",
            topic_terms=topic_terms,
            doc_topic=self.doc_topic_,
            doc_ids=tuple(doc_ids),
            coords=intertopic_coordinates(self.topic_term_),
            metrics={"coherence_npmi": mean, "log_perplexity": float(self.model_.log_perplexity(vocabulary.bows))},
            topic_coherence=per_topic,
            labels=tuple(", ".join(t.replace("_", " ") for t, _ in topic[:3]) for topic in topic_terms),
        )
