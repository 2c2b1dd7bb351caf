"""The science-mapping views analysts know from bibliometrix, VOSviewer and CiteSpace, computed from a run's
term counts, periods, themes and LDA topics: the strategic diagram (:mod:`~topics.views.thematic_map`),
thematic evolution (:mod:`~topics.views.evolution`), Kleinberg bursts (:mod:`~topics.views.bursts`) and the
co-word network (:mod:`~topics.views.coword`).

:func:`compute_views` is the entry point; it returns a :class:`~topics.results.ScienceViews` whose views are
``None`` when they cannot be computed (its ``notes`` say why). This package imports only ``topics.results`` of
``topics``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from topics.results.trends import THEME, TOPIC
from topics.results.views import TERM, Bursts, CowordNetwork, ScienceViews, ThematicEvolution, ThematicMap
from topics.views.bursts import detect_bursts
from topics.views.coword import coword_frames, with_keywords
from topics.views.evolution import slice_label, thematic_evolution_frames, time_slices
from topics.views.inputs import ViewInputs, ViewSettings
from topics.views.terms import Group, document_frequency, incidence, top_terms_by_frequency
from topics.views.thematic_map import thematic_map_frame

__all__ = ["ViewInputs", "ViewSettings", "compute_views"]


def compute_views(inputs: ViewInputs, settings: ViewSettings | None = None) -> ScienceViews:
    """The four views of ``inputs`` under ``settings`` (defaults: :class:`ViewSettings`); a view that cannot be
    computed is ``None`` and a note says why (e.g. no periods: no evolution and no bursts)."""
    settings = settings or ViewSettings()
    binary = incidence(inputs.doc_term)
    groups = _groups(inputs)
    notes: list[str] = []
    return ScienceViews(
        thematic_map=_thematic_map(binary, inputs, groups, settings, notes),
        evolution=_evolution(binary, inputs, groups, settings, notes),
        bursts=_bursts(binary, inputs, settings, notes),
        coword=_coword(binary, inputs, settings, notes),
        notes=tuple(notes),
    )


def _groups(inputs: ViewInputs) -> list[Group]:
    """Every theme (its assigned papers), then every LDA topic (the papers it dominates)."""
    assigned = np.asarray(inputs.theme_assigned, dtype=bool)
    groups = [
        Group(THEME, str(ident), str(label), np.flatnonzero(assigned[:, k]))
        for k, (ident, label) in enumerate(zip(inputs.theme_ids, inputs.theme_labels))
    ]
    if inputs.topic_dominant is not None:
        dominant = np.asarray(inputs.topic_dominant, dtype=np.int64)
        groups += [
            Group(TOPIC, str(ident), str(label), np.flatnonzero(dominant == k))
            for k, (ident, label) in enumerate(zip(inputs.topic_ids, inputs.topic_labels))
        ]
    return groups


def _period_index(inputs: ViewInputs) -> np.ndarray:
    """Per paper, the position of its period in ``period_order`` (-1 when unknown)."""
    position = {period: i for i, period in enumerate(inputs.period_order)}
    return np.array([position.get(p, -1) if p else -1 for p in inputs.periods], dtype=np.int64)


def _thematic_map(
    binary: sparse.csr_matrix, inputs: ViewInputs, groups: list[Group], settings: ViewSettings, notes: list[str]
) -> ThematicMap | None:
    """The strategic diagram, each kind in its own co-occurrence network; ``None`` when no group qualifies."""
    frames = []
    for kind in (THEME, TOPIC):
        large = [g for g in groups if g.kind == kind and len(g.members) >= settings.min_group_papers]
        frame = thematic_map_frame(binary, inputs.terms, large, settings.map_terms, settings.min_term_papers)
        if len(frame):
            frames.append(frame)
    if not frames:
        notes.append(
            f"No thematic map: no theme or topic has {settings.min_group_papers} or more papers with "
            "distinctive terms."
        )
        return None
    return ThematicMap(frame=pd.concat(frames, ignore_index=True), n_terms=settings.map_terms)


def _evolution(
    binary: sparse.csr_matrix, inputs: ViewInputs, groups: list[Group], settings: ViewSettings, notes: list[str]
) -> ThematicEvolution | None:
    """The thematic evolution over balanced time slices; ``None`` with fewer than two slices."""
    index = _period_index(inputs)
    sizes = np.bincount(index[index >= 0], minlength=len(inputs.period_order))
    slices = time_slices(inputs.period_order, sizes.tolist(), settings.slices)
    if len(slices) < 2:
        notes.append("No thematic evolution: it needs papers in at least two periods.")
        return None
    position = {period: s for s, periods in enumerate(slices) for period in periods}
    slice_of = np.array([position[inputs.period_order[i]] if i >= 0 else -1 for i in index], dtype=np.int64)
    names = [slice_label(periods) for periods in slices]
    nodes, links = thematic_evolution_frames(
        binary, inputs.terms, groups, [np.flatnonzero(slice_of == s) for s in range(len(slices))], names,
        settings.map_terms, settings.min_group_papers, settings.min_inclusion, settings.min_term_papers,
    )
    if not len(nodes):
        notes.append(
            f"No thematic evolution: no theme or topic has {settings.min_group_papers} or more papers in a slice."
        )
        return None
    return ThematicEvolution(nodes, links, tuple(names), tuple(slices), settings.min_group_papers,
                             settings.min_inclusion, settings.map_terms)


def _bursts(binary: sparse.csr_matrix, inputs: ViewInputs, settings: ViewSettings, notes: list[str]) -> Bursts | None:
    """Bursts of the most frequent terms and of every theme; ``None`` with fewer than two periods with papers."""
    index = _period_index(inputs)
    dated = np.flatnonzero(index >= 0)
    n_periods = len(inputs.period_order)
    if len(np.unique(index[dated])) < 2:
        notes.append("No bursts: they need papers in at least two periods.")
        return None
    by_period = sparse.csr_matrix((np.ones(len(dated)), (index[dated], dated)), shape=(n_periods, binary.shape[0]))
    totals = np.asarray(by_period.sum(axis=1)).ravel()
    top = top_terms_by_frequency(document_frequency(binary[dated]), settings.burst_terms)
    term_counts = np.asarray((by_period @ binary[:, top]).todense()).T
    theme_counts = (by_period @ np.asarray(inputs.theme_assigned, dtype=np.float64)).T
    items = [(TERM, inputs.terms[int(j)], inputs.terms[int(j)]) for j in top]
    items += [(THEME, str(i), str(label)) for i, label in zip(inputs.theme_ids, inputs.theme_labels)]
    counts = np.vstack([term_counts.reshape(len(top), n_periods), np.asarray(theme_counts).reshape(-1, n_periods)])
    frame = detect_bursts(counts, totals, items, inputs.period_order, settings.burst_s, settings.burst_gamma)
    return Bursts(frame, tuple(inputs.period_order), settings.burst_s, settings.burst_gamma, len(top))


def _coword(
    binary: sparse.csr_matrix, inputs: ViewInputs, settings: ViewSettings, notes: list[str]
) -> CowordNetwork | None:
    """The co-word network of the most frequent terms (author keywords joined when given); ``None`` with fewer
    than two terms."""
    terms = list(inputs.terms)
    if inputs.keywords is not None:
        binary, terms = with_keywords(binary, terms, inputs.keywords)
    if int((document_frequency(binary) > 0).sum()) < 2:
        notes.append("No co-word network: fewer than two terms occur in the papers.")
        return None
    nodes, edges = coword_frames(
        binary, terms, settings.coword_terms, settings.coword_min_cooccurrences, settings.coword_min_strength,
        settings.coword_edges_per_node, settings.seed,
    )
    return CowordNetwork(nodes, edges, settings.coword_min_strength, settings.coword_edges_per_node, settings.seed)
