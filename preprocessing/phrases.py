"""Multi-word terms with gensim Phrases: "reinforcement learning" -> ``reinforcement_learning``."""

from __future__ import annotations

from collections.abc import Sequence

from gensim.models.phrases import Phraser, Phrases

from preprocessing.nlp import Segments

#: Joins the words of a phrase in a token.
PHRASE_JOINER = "_"


class PhraseDetector:
    """Learns frequent bigrams (NPMI scoring) on segments and merges them into single tokens.

    Two passes find phrases of up to four words ("generative_adversarial_network").
    """

    def __init__(self, min_count: int = 5, threshold: float = 0.5, passes: int = 2) -> None:
        self.min_count = min_count
        self.threshold = threshold
        self.passes = passes

    def fit(self, documents: Sequence[Segments]) -> "PhraseDetector":
        segments: list[list[str]] = [seg for doc in documents for seg in doc]
        self.phrasers_: list[Phraser] = []
        for _ in range(self.passes):
            model = Phrases(
                segments,
                min_count=self.min_count,
                threshold=self.threshold,
                scoring="npmi",
                delimiter=PHRASE_JOINER,
            )
            phraser = model.freeze()
            self.phrasers_.append(phraser)
            segments = [phraser[seg] for seg in segments]
        return self

    def transform(self, documents: Sequence[Segments]) -> list[list[str]]:
        """Flat token lists (one per document) with phrases merged."""
        if not hasattr(self, "phrasers_"):
            raise RuntimeError("PhraseDetector.transform called before fit")
        out: list[list[str]] = []
        for doc in documents:
            tokens: list[str] = []
            for seg in doc:
                for phraser in self.phrasers_:
                    seg = phraser[seg]
                tokens.extend(seg)
            out.append(tokens)
        return out


def flatten(documents: Sequence[Segments]) -> list[list[str]]:
    """Flat token lists without phrase detection."""
    return [[tok for seg in doc for tok in seg] for doc in documents]
