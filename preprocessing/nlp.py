"""spaCy tokenisation: texts -> lists of lemma segments.

A text becomes a list of *segments*: runs of kept tokens between dropped ones (stop words, punctuation,
numbers). Segments keep phrase detection honest: "learning of representations" never yields the bigram
"learning representation". Tokens are lowercase lemmas (``spacy.blank("en")`` + the lookup lemmatizer from
spacy-lookups-data by default, or a trained pipeline named in the config).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from importlib import metadata

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from preprocessing.errors import UserError

#: A tokenised text: segments of lowercase lemmas.
Segments = list[list[str]]

#: Lemmas the lookup table gets wrong for research prose ("learning" the field, not "learn" the verb).
LEMMA_EXCEPTIONS: dict[str, str] = {
    "learning": "learning", "learnings": "learning", "data": "data", "ground": "ground", "bound": "bound",
    "bounds": "bound", "bounded": "bounded", "found": "found", "spiking": "spiking", "lying": "lying",
}


@dataclass(frozen=True)
class TokenizerSettings:
    """Everything that changes the tokens a text gets; its :meth:`fingerprint` keys the token cache."""

    spacy_model: str = "blank"
    lemmatize: bool = True
    min_token_length: int = 2
    stop_words: frozenset[str] = field(default_factory=frozenset)
    batch_size: int = 256
    n_process: int = 1

    def fingerprint(self) -> str:
        """A hex digest of the settings and the versions of the libraries that make the tokens."""
        payload = {
            "model": self.spacy_model,
            "lemmatize": self.lemmatize,
            "min_len": self.min_token_length,
            "stop": sorted(self.stop_words),
            "exceptions": sorted(LEMMA_EXCEPTIONS.items()),
            "spacy": spacy.__version__,
            "lookups": _version("spacy-lookups-data"),
            "format": 2,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def build_stop_words(domain: Sequence[str], extra: Sequence[str]) -> frozenset[str]:
    """spaCy's English stop words plus domain and user stop words, lowercased."""
    return frozenset(w.lower() for w in (*STOP_WORDS, *domain, *extra))


def load_pipeline(model: str = "blank", lemmatize: bool = True) -> Language:
    """The spaCy pipeline: ``blank("en")`` + lookup lemmatizer, or a trained package with heavy parts disabled."""
    if model == "blank":
        nlp = spacy.blank("en")
        if lemmatize:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            try:
                nlp.initialize()
            except (ValueError, OSError) as error:
                raise UserError(
                    f"spaCy's lookup lemmatizer could not load its tables ({error}); "
                    "install spacy-lookups-data (pip install spacy-lookups-data) or set preprocessing.lemmatize: false"
                ) from None
        return nlp
    try:
        return spacy.load(model, disable=["parser", "ner", "textcat"])
    except OSError:
        raise UserError(
            f"preprocessing -> spacy_model: spaCy pipeline {model!r} is not installed; install it "
            "(e.g. pip install it as a package) or use the default 'blank'"
        ) from None


def _is_word_hyphen(doc: spacy.tokens.Doc, index: int) -> bool:
    """True for the hyphen inside a hyphenated word: no space on either side, letters on both sides."""
    token = doc[index]
    if token.text != "-" or token.whitespace_ or index == 0 or index + 1 >= len(doc):
        return False
    before, after = doc[index - 1], doc[index + 1]
    return not before.whitespace_ and before.is_alpha and after.is_alpha


class Tokenizer:
    """Turns texts into :data:`Segments` with a spaCy pipeline and the filters of :class:`TokenizerSettings`."""

    def __init__(self, settings: TokenizerSettings) -> None:
        self.settings = settings
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_pipeline(self.settings.spacy_model, self.settings.lemmatize)
        return self._nlp

    def _segments(self, doc: spacy.tokens.Doc) -> Segments:
        settings = self.settings
        stop = settings.stop_words
        segments: Segments = []
        current: list[str] = []
        for index, token in enumerate(doc):
            if _is_word_hyphen(doc, index):
                continue  # "fine-tuning": the words stay in one segment, so phrases can join them
            lower = token.lower_
            if settings.lemmatize:
                lemma = LEMMA_EXCEPTIONS.get(lower) or token.lemma_.lower() or lower
            else:
                lemma = lower
            keep = (
                token.is_alpha
                and len(lemma) >= settings.min_token_length
                and lower not in stop
                and lemma not in stop
            )
            if keep:
                current.append(lemma)
            elif current:
                segments.append(current)
                current = []
        if current:
            segments.append(current)
        return segments

    def pipe(self, texts: Sequence[str]) -> Iterator[Segments]:
        """Tokenise ``texts`` in order, in batches of ``batch_size`` over ``n_process`` processes."""
        lowered = (t.lower() for t in texts)  # the lookup table is keyed by lowercase forms
        docs = self.nlp.pipe(lowered, batch_size=self.settings.batch_size, n_process=self.settings.n_process)
        for doc in docs:
            yield self._segments(doc)

    def tokenize_phrase(self, text: str) -> list[str]:
        """One seed term ("reinforcement learning") as a flat token sequence, with the corpus's own filters."""
        return [tok for seg in self.phrase_segments(text) for tok in seg]

    def phrase_segments(self, text: str) -> list[list[str]]:
        """One term as token segments, split where running text would be ("inspired by the brain" gives
        ``[["inspire"], ["brain"]]``): a term of several segments can never match as one n-gram."""
        return [list(seg) for seg in self._segments(self.nlp(text.lower()))]


ProgressCallback = Callable[[int], None]


class TokenStore(Protocol):
    """Where tokenised texts are kept between runs (see :class:`preprocessing.token_cache.TokenCache`)."""

    def get_many(self, texts: Sequence[str]) -> list[Segments | None]: ...

    def put_many(self, items: Sequence[tuple[str, Segments]]) -> None: ...


def tokenize_texts(
    texts: Sequence[str],
    tokenizer: Tokenizer,
    cache: TokenStore | None = None,
    progress: ProgressCallback | None = None,
) -> list[Segments]:
    """Tokenise every text, reading and filling ``cache`` when given; ``progress(n)`` is called as texts finish.

    Returns one :data:`Segments` per text, in input order.
    """
    results: list[Segments | None] = [None] * len(texts)
    missing: list[int] = []
    if cache is not None:
        found = cache.get_many(texts)
        for index, value in enumerate(found):
            if value is None:
                missing.append(index)
            else:
                results[index] = value
        if progress and len(texts) - len(missing):
            progress(len(texts) - len(missing))
    else:
        missing = list(range(len(texts)))
    pending: list[tuple[str, Segments]] = []
    for index, segments in zip(missing, tokenizer.pipe([texts[i] for i in missing])):
        results[index] = segments
        if cache is not None:
            pending.append((texts[index], segments))
            if len(pending) >= 2000:
                cache.put_many(pending)
                pending = []
        if progress:
            progress(1)
    if cache is not None and pending:
        cache.put_many(pending)
    return [r if r is not None else [] for r in results]

