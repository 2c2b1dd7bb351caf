"""Stable topic ids across runs: align a new fit's topics to a previous run's topics.json.

A refit (new papers, another seed, another K) numbers its topics arbitrarily. Given the topics.json a previous
run wrote, :func:`align_topics` pairs each new topic with the previous topic it resembles most, so matched topics
keep their id and label; new topics without a match get fresh ids ("born") and previous topics without a match are
reported as "gone". :func:`identity_alignment` stands in when there is no previous run, so callers treat both cases
the same way.

Similarity: the previous run stored only each topic's top terms with their weights (``top_terms``, 10 by default),
so both sides are compared on that footing: a new topic is cut to as many top terms as the previous topic stored,
each side is renormalised to sum to 1, and the similarity is the weighted Jaccard (Ruzicka) index
``sum(min(p, q)) / sum(max(p, q))`` over the union of the terms. It equals ``(1 - d) / (1 + d)`` where ``d`` is
the total variation distance of the two top-term distributions, so it reads as "how much top-term mass the two
topics share": 1 for the same topic, 0 for topics with no top term in common. Unlike the cosine, one heavy term
that two different topics share (``model``, ``image``, ``graph``) cannot by itself make them look alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from preprocessing.errors import UserError
from topics.results import TopicAlignment

#: Pairs less similar than this (weighted Jaccard of top terms) are not the same topic. Chosen on LDA refits of the
#: default corpus (12 topics; seeds 42, 7, 123; K 12 and 13): pairs that read as the same topic ("user, word,
#: language, text, query" and "latent, language, text, word, sequence") scored 0.2-0.8; the pairs the assignment
#: forced together that read as different topics 0.0-0.14; drifted topics sharing a few words fall in between.
DEFAULT_MIN_SIMILARITY = 0.2

#: The blocks of topics.json that hold topics.
TOPIC_BLOCKS = ("lda", "clusters")

_FIX = "point align_to at a previous run's topics.json"


@dataclass(frozen=True)
class PreviousTopics:
    """One block (``"lda"`` or ``"clusters"``) of a previous run's topics.json.

    Attributes:
        path: the topics.json it was read from.
        ids: topic ids, length ``n_previous``, in file order, unique.
        labels: topic labels, length ``n_previous``.
        terms: per topic, its stored top terms as ``{term: weight}``, heaviest first, weights ``>= 0``.
    """

    path: Path
    ids: tuple[int, ...]
    labels: tuple[str, ...]
    terms: tuple[dict[str, float], ...]

    def __len__(self) -> int:
        return len(self.ids)




def identity_alignment(n_topics: int) -> TopicAlignment:
    """The alignment of a run without a previous topics.json: ids ``0..n_topics-1``, nothing matched, born or gone."""
    if n_topics < 0:
        raise ValueError(f"n_topics must be >= 0, got {n_topics}")
    return TopicAlignment(
        ids=tuple(range(n_topics)),
        matched_previous=(None,) * n_topics,
        similarity=(0.0,) * n_topics,
        kept_labels=(None,) * n_topics,
        born=(),
        gone=(),
        threshold=DEFAULT_MIN_SIMILARITY,
        previous=None,
    )


# --- reading a previous topics.json -------------------------------------------------------------------------------


def _malformed(path: Path, where: str, problem: str) -> UserError:
    return UserError(f"{path}: {where}: {problem}; {_FIX} (an unedited one)")


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found; {_FIX}") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a file; {_FIX}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a topics.json written by `topics run` (not UTF-8 text); {_FIX}") from None
    except OSError as error:
        problem = error.strerror or error
        raise UserError(f"{path}: cannot read the file ({problem}); check its permissions or {_FIX}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"{path}:{error.lineno}: not valid JSON ({error.msg}, column {error.colno}); {_FIX}") from None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _topic_terms(path: Path, where: str, raw: Any) -> dict[str, float]:
    if not isinstance(raw, list) or not raw:
        raise _malformed(path, where, f"expected a non-empty list of {{\"term\", \"weight\"}} entries, got {raw!r:.60}")
    terms: dict[str, float] = {}
    for n, item in enumerate(raw):
        at = f"{where} -> {n}"
        if not isinstance(item, dict) or not isinstance(item.get("term"), str) or not item["term"]:
            raise _malformed(path, at, f"expected {{\"term\": text, \"weight\": number}}, got {item!r:.60}")
        weight = item.get("weight")
        if not isinstance(weight, (int, float)) or not _number(weight) or weight < 0:
            raise _malformed(path, f"{at} -> weight", f"expected a number >= 0, got {weight!r:.60}")
        if item["term"] in terms:
            raise _malformed(path, f"{at} -> term", f"term {item['term']!r} appears twice in the topic")
        terms[item["term"]] = float(weight)
    return terms


def load_previous_topics(path: Path, block: str = "lda") -> PreviousTopics:
    """Read one block of a topics.json written by ``topics run`` (see :func:`topics.pipeline.outputs.topics_document`).

    Raises :class:`UserError` naming the file (and the JSON line, or the key path such as ``lda -> topics -> 3 ->
    id``) for a missing or unreadable file, invalid JSON, a missing block, malformed topics and duplicate ids.
    """
    if block not in TOPIC_BLOCKS:
        raise ValueError(f"block must be one of {TOPIC_BLOCKS}, got {block!r}")
    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, dict) or not any(name in data for name in TOPIC_BLOCKS):
        raise UserError(f"{path}: not a topics.json written by `topics run` (no '{block}' block); {_FIX}")
    if block not in data:
        other = next(name for name in TOPIC_BLOCKS if name in data)
        raise UserError(
            f"{path}: has no '{block}' block, only '{other}' (that run did not fit {block}); "
            f"point align_to at a run that did, or run without align_to"
        )
    section = data[block]
    topics = section.get("topics") if isinstance(section, dict) else None
    if not isinstance(topics, list) or not topics:
        raise _malformed(path, f"{block} -> topics", f"expected a non-empty list of topics, got {topics!r:.60}")
    ids: list[int] = []
    labels: list[str] = []
    terms: list[dict[str, float]] = []
    first_at: dict[int, int] = {}
    for n, topic in enumerate(topics):
        where = f"{block} -> topics -> {n}"
        if not isinstance(topic, dict):
            raise _malformed(path, where, f"expected a topic object, got {topic!r:.60}")
        topic_id = topic.get("id")
        if not isinstance(topic_id, int) or isinstance(topic_id, bool) or topic_id < 0:
            raise _malformed(path, f"{where} -> id", f"expected an integer >= 0, got {topic_id!r:.60}")
        if topic_id in first_at:
            also = f"{block} -> topics -> {first_at[topic_id]}"
            raise _malformed(
                path, f"{where} -> id", f"topic id {topic_id} appears twice (also at {also}); ids must be unique"
            )
        first_at[topic_id] = n
        label = topic.get("label", "")
        if not isinstance(label, str):
            raise _malformed(path, f"{where} -> label", f"expected text, got {label!r:.60}")
        ids.append(topic_id)
        labels.append(label)
        terms.append(_topic_terms(path, f"{where} -> terms", topic.get("terms")))
    return PreviousTopics(path=path, ids=tuple(ids), labels=tuple(labels), terms=tuple(terms))


# --- similarity and matching --------------------------------------------------------------------------------------


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {t: w / total for t, w in weights.items()} if total > 0 else {}


def _weighted_jaccard(p: dict[str, float], q: dict[str, float]) -> float:
    """Ruzicka similarity of two distributions over terms (each sums to 1, or is empty), in ``[0, 1]``."""
    if not p or not q:
        return 0.0
    shared = sum(min(w, q[t]) for t, w in p.items() if t in q)
    return min(1.0, shared / (2.0 - shared))  # sum(max) = sum(p) + sum(q) - sum(min) = 2 - shared


def jaccard_similarity(previous: PreviousTopics, topic_term: np.ndarray, terms: Sequence[str]) -> np.ndarray:
    """Weighted Jaccard similarity of each new topic to each previous topic on their top terms.

    ``topic_term`` has shape ``(n_topics, n_terms)`` (rows p(term | topic), or any non-negative term weights);
    ``terms`` has length ``n_terms``. New topic ``i`` is cut to as many top terms as previous topic ``j`` stored
    (ties broken by term index), both are renormalised to sum to 1. Returns shape ``(n_topics, n_previous)`` in
    ``[0, 1]``.
    """
    matrix = np.asarray(topic_term, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != len(terms):
        raise ValueError(f"topic_term must have shape (n_topics, {len(terms)}), got {matrix.shape}")
    orders = np.argsort(-matrix, axis=1, kind="stable")
    sizes = sorted({len(t) for t in previous.terms})
    tops: dict[int, list[dict[str, float]]] = {
        size: [_normalised({terms[j]: float(matrix[i, j]) for j in orders[i, :size]}) for i in range(matrix.shape[0])]
        for size in sizes
    }
    previous_norm = [_normalised(t) for t in previous.terms]
    similarity = np.zeros((matrix.shape[0], len(previous)))
    for j, prev in enumerate(previous_norm):
        for i, new in enumerate(tops[len(previous.terms[j])]):
            similarity[i, j] = _weighted_jaccard(new, prev)
    return similarity


def align_topics(
    previous: PreviousTopics,
    topic_term: np.ndarray,
    terms: Sequence[str],
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
) -> TopicAlignment:
    """Match the new fit's topics to ``previous`` one-to-one and give each new topic its id.

    ``topic_term`` has shape ``(n_topics, n_terms)``, rows p(term | topic) of the new fit; ``terms`` has length
    ``n_terms``. Similarities (see :func:`jaccard_similarity`) under ``min_similarity`` are set to 0, then the
    Hungarian algorithm picks the pairing with the largest total similarity; pairs still under ``min_similarity``
    are left unmatched. Matched topics keep the previous id and label; unmatched new topics get fresh ids from
    ``max(previous ids) + 1`` upwards in new topic order, so an id that is gone is never reused. Deterministic.
    """
    if not 0.0 < min_similarity <= 1.0:
        raise ValueError(f"min_similarity must be in (0, 1], got {min_similarity}")
    similarity = jaccard_similarity(previous, topic_term, terms)
    n_new, n_prev = similarity.shape
    gain = np.where(similarity >= min_similarity, similarity, 0.0)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    match: dict[int, int] = {int(i): int(j) for i, j in zip(rows, cols) if similarity[i, j] >= min_similarity}

    fresh = max(previous.ids, default=-1) + 1
    ids: list[int] = []
    born: list[int] = []
    for i in range(n_new):
        if i in match:
            ids.append(previous.ids[match[i]])
        else:
            ids.append(fresh)
            born.append(fresh)
            fresh += 1
    matched_cols = set(match.values())
    gone = sorted((previous.ids[j], previous.labels[j]) for j in range(n_prev) if j not in matched_cols)
    return TopicAlignment(
        ids=tuple(ids),
        matched_previous=tuple(previous.ids[match[i]] if i in match else None for i in range(n_new)),
        similarity=tuple(float(similarity[i, match[i]]) if i in match else 0.0 for i in range(n_new)),
        kept_labels=tuple((previous.labels[match[i]] or None) if i in match else None for i in range(n_new)),
        born=tuple(born),
        gone=tuple(gone),
        threshold=float(min_similarity),
        previous=previous.path,
    )
