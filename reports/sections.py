"""The report's sections: what each part of the page shows, built from a :class:`RunResult`.

``build_sections`` is the describe -> sections stage: it picks figures, captions and tables and drops every
section (or part of one) whose data is missing. The trends section is built in :mod:`reports.trend_sections`, the
evaluation section in :mod:`reports.evaluation_sections`. Rendering to HTML is :mod:`reports.html`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reports import figures
from reports.escape import shorten
from reports.evaluation_sections import evaluation_section
from reports.figures.docmap import method_name
from reports.figures.themes import papers_per_theme, theme_labels
from reports.figures.topics import display_label, topic_names
from reports.page import Section
from reports.table import Cell, TableData, build_paper_table
from reports.trend_sections import trends_section
from reports.view_sections import views_section
from topics.results import RunResult, ThemeTable, TopicResult

#: Display names of known metrics; others are shown with underscores as spaces.
METRIC_NAMES = {
    "coherence_npmi": "NPMI coherence (mean over topics)",
    "coherence_cv": "C_v coherence",
    "perplexity": "perplexity",
    "log_perplexity": "log perplexity (per word)",
    "silhouette": "silhouette (cosine)",
    "diversity": "topic diversity (unique share of top-25 terms)",
    "stability": "stability across seeds (mean)",
    "inertia": "inertia",
}
#: Characters of a label kept in summary tables.
LABEL_CHARS = 60


def build_sections(run: RunResult) -> list[Section]:
    """The report's sections in page order; sections without data (no LDA, no clusters, no agreement, no
    documents map, nothing to note) are left out, as are parts without data (no skipped records, no periods).

    Top-level ids: ``overview``, ``themes``, ``trends``, ``science-maps``, ``evaluation``, ``lda``, ``clusters``,
    ``agreement``, ``docmap``, ``papers``, ``notes``.
    """
    candidates = (
        overview_section(run),
        themes_section(run),
        trends_section(run),
        views_section(run.views),
        evaluation_section(run),
        lda_section(run),
        clusters_section(run),
        agreement_section(run),
        docmap_section(run),
        papers_section(run),
        notes_section(run),
    )
    return [section for section in candidates if section is not None]


def overview_section(run: RunResult) -> Section:
    """Papers per period and source, and the records that were skipped and why."""
    corpus = run.corpus
    n_sources = len({paper.source for paper in corpus.papers})
    n_periods = len({paper.period for paper in corpus.papers})
    caption = (
        f"{len(corpus):,} papers from {_plural(n_sources, 'source')} over {_plural(n_periods, 'period')}, "
        "after cleaning and deduplication. "
    )
    if corpus.skipped:
        caption += f"{_plural(len(corpus.skipped), 'record')} read from the inputs were not kept (see below)."
    else:
        caption += "No input record was skipped."
    parts = []
    if corpus.skipped:
        examples: dict[str, str] = {}
        for record in corpus.skipped:
            example = f"{record.origin}: {record.title}" if record.title else record.origin
            examples.setdefault(record.reason, shorten(example, 100))
        counts = corpus.skipped_counts()
        parts.append(
            Section(
                id="overview-skipped",
                title="Skipped records",
                figure=figures.skipped_reasons_figure(corpus),
                caption="Records read from the inputs but not kept, by reason, with the first example of each.",
                table=TableData(
                    ("Reason", "Records", "First example (origin: title)"),
                    tuple((reason, count, examples.get(reason, "")) for reason, count in counts.items()),
                ),
            )
        )
    merged = merges_part(run)
    if merged is not None:
        parts.append(merged)
    return Section(
        id="overview",
        title="Corpus overview",
        figure=figures.papers_per_period_figure(corpus, run.trends.periods),
        caption=caption,
        notes=small_corpus_notes(len(corpus), n_periods),
        parts=tuple(parts),
    )


#: Below this many papers the report says what the corpus can and cannot show.
SMALL_CORPUS = 50


def small_corpus_notes(papers: int, periods: int) -> tuple[str, ...]:
    """What a corpus of fewer than :data:`SMALL_CORPUS` papers can and cannot show; ``()`` for larger ones."""
    if papers >= SMALL_CORPUS:
        return ()
    per_period = papers / max(periods, 1)
    return (
        f"A small corpus ({papers} papers): each paper's themes are scored on its own text and the labeller's "
        "background corpus, so they hold as on any corpus; read them paper by paper in the table below.",
        "Topics and clusters are fitted on these few papers alone: read them as groups of similar papers, not as "
        "the field's topics (coherence is low on so little text; an incoherent topic's label ends in '(weak)').",
        f"Shares move by {100 / max(per_period, 1):.0f} points or more for a single paper in a period "
        f"(about {per_period:.0f} papers a period): only large changes can be told from chance, and the "
        "comparison says which.",
    )


#: The merge rules as the report names them, in the order they are applied.
MERGE_RULES = (("doi", "same DOI"), ("title", "same title, year and first author"), ("similar title", "similar title"))


def merges_part(run: RunResult) -> Section | None:
    """Records merged into another record of the same work, per source and rule; ``None`` when none were."""
    corpus = run.corpus
    if not corpus.merges:
        return None
    counts = corpus.merge_counts()
    rules = [(rule, name) for rule, name in MERGE_RULES if rule in counts["by_rule"]]
    rows = tuple(
        (source or "(no source)", row["records"], row["kept"], *(row.get(rule, 0) for rule, _ in rules), row["filled"])
        for source, row in counts["by_source"].items()
    )
    by_rule = "; ".join(f"{counts['by_rule'][rule]:,} by {name}" for rule, name in rules)
    caption = (
        f"{_plural(len(corpus.merges), 'record')} were merged into another record of the same work ({by_rule}). "
        "Records are one work when they share a DOI, or their title with the year and first author, or a "
        "near-identical title with the same first author; records with the same title but a different DOI, year "
        "or first author stay apart. Each work keeps its richest record and fills its gaps (abstract, authors, "
        "year, venue, DOI, keywords) from the others; merges.csv lists every merge and the fields it gave, and "
        "papers.csv's merged_from column names the merged records."
    )
    return Section(
        id="overview-merges",
        title="Merged records",
        caption=caption,
        table=TableData(
            ("Source", "Records", "Kept", *(f"Merged: {name}" for _, name in rules), "Filled a gap"), rows
        ),
    )


def themes_section(run: RunResult) -> Section:
    """Papers per theme overall (per period: see the trends section)."""
    themes = run.themes
    counts = papers_per_theme(themes)
    labels = theme_labels(themes)
    n_docs = max(len(themes.doc_ids), 1)
    definitions = {theme.id: theme.description for theme in themes.themes}
    parts = [
        Section(
            id="themes-overall",
            title="Theme shares overall",
            figure=figures.theme_shares_figure(themes),
            caption="Papers carrying each theme. A paper may carry several themes or none (unassigned), so "
            "the shares need not add up to 100%.",
            table=TableData(
                ("Theme", "Id", "Papers", "Share", "Description"),
                tuple(
                    (labels[t], t, count, f"{count / n_docs:.1%}", definitions.get(t, ""))
                    for t, count in counts.items()
                ),
            ),
        )
    ]
    return Section(
        id="themes",
        title="Research themes",
        caption=(
            f"{int(themes.assigned.any(axis=1).sum()):,} of {len(themes.doc_ids):,} papers carry at least one of the "
            f"{len(themes.themes)} themes."
        ),
        parts=tuple(parts),
    )


def lda_section(run: RunResult) -> Section | None:
    """LDA top terms (with per-topic NPMI coherence) and the intertopic distance map; ``None`` without LDA."""
    lda = run.lda
    if lda is None:
        return None
    return Section(
        id="lda",
        title="LDA topics",
        caption=f"{lda.n_topics} topics found by LDA. {format_metrics(lda.metrics)}",
        table=topic_summary_table(lda, run.themes.topic_theme, run.themes, noun="Topic"),
        parts=(
            *alignment_parts(run, "lda", "topic"),
            *k_sweep_parts(run),
            *quality_parts(lda, "lda", "topic"),
            Section(
                id="lda-terms",
                title="Top terms per topic",
                figure=figures.top_terms_figure(lda),
                caption="The ten most probable terms of each topic; panel titles give each topic's NPMI "
                "coherence over its top ten terms (from -1 to 1, higher is more coherent).",
            ),
            Section(
                id="lda-map",
                title="Intertopic distance map",
                figure=figures.intertopic_map_figure(lda),
                caption="Topics placed by classical MDS of the Jensen-Shannon distances between their term "
                "distributions; close topics share vocabulary. Bubble area is the topic's prevalence.",
            ),
        ),
    )


def k_sweep_parts(run: RunResult) -> tuple[Section, ...]:
    """The K sweep of ``num_topics: auto``: coherence, stability and diversity per candidate K."""
    sweep = run.k_sweep
    if sweep is None:
        return ()
    return (
        Section(
            id="lda-k-sweep",
            title="Choosing the number of topics",
            figure=figures.k_sweep_figure(sweep),
            caption=f"LDA fitted with K = {', '.join(map(str, sweep.candidates))}; K = {sweep.chosen} was chosen: "
            f"{sweep.rule}.",
        ),
    )


def quality_parts(result: TopicResult, block: str, noun: str) -> tuple[Section, ...]:
    """Per-topic coherence, stability and diversity beside each topic's name."""
    if len(result.topic_coherence) != result.n_topics or len(result.topic_diversity) != result.n_topics:
        return ()
    stability = result.topic_stability if len(result.topic_stability) == result.n_topics else None
    caption = (
        f"NPMI coherence of each {noun}'s top 10 terms on the papers' own tokens (-1 to 1), and diversity: the "
        f"share of its top 25 terms in no other {noun}'s top 25."
    )
    if stability is not None:
        caption += (
            f" Stability: how closely refits with other random seeds reproduce the {noun} (1 - Jensen-Shannon "
            f"distance of the best-matching {noun}, Hungarian matching; 1 = identical). Unstable {noun}s are "
            "artefacts of one fit more than structure of the corpus."
        )
    return (
        Section(
            id=f"{block}-quality",
            title=f"{noun.capitalize()} quality",
            figure=figures.topic_quality_figure(
                topic_names(result, noun.capitalize()), result.topic_coherence, stability, result.topic_diversity
            ),
            caption=caption,
        ),
    )


def alignment_parts(run: RunResult, block: str, noun: str) -> tuple[Section, ...]:
    """A part listing the topics (or clusters) born and gone since the previous run they were aligned to."""
    alignment = run.alignments.get(block)
    result = run.lda if block == "lda" else run.clusters
    if alignment is None or result is None:
        return ()
    matched = sum(1 for m in alignment.matched_previous if m is not None)
    index = {topic_id: k for k, topic_id in enumerate(alignment.ids)}
    rows: list[tuple[Cell, ...]] = [
        ("born", topic_id, shorten(display_label(result, index[topic_id]), LABEL_CHARS)) for topic_id in alignment.born
    ]
    rows += [("gone", topic_id, shorten(label, LABEL_CHARS)) for topic_id, label in alignment.gone]
    source = Path(str(alignment.previous)).name if alignment.previous is not None else "the previous run"
    return (
        Section(
            id=f"{'lda' if block == 'lda' else 'clusters'}-alignment",
            title=f"{noun.capitalize()}s since the previous run",
            caption=f"Aligned to {source} ({alignment.previous}): {matched} of {result.n_topics} {noun}s match a "
            f"previous {noun} and keep its id and label (top-term similarity at least {alignment.threshold:.2f}); "
            f"{len(alignment.born)} are new (born) and {len(alignment.gone)} previous {noun}s have no match (gone).",
            table=TableData(("Change", "Id", "Label"), tuple(rows)) if rows else None,
        ),
    )


def clusters_section(run: RunResult) -> Section | None:
    """TF-IDF cluster sizes, top terms and distance map; ``None`` without clusters."""
    clusters = run.clusters
    if clusters is None:
        return None
    return Section(
        id="clusters",
        title="TF-IDF clusters",
        figure=figures.cluster_sizes_figure(clusters),
        caption=f"{clusters.n_topics} clusters of the papers' TF-IDF vectors (KMeans). "
        f"{format_metrics(clusters.metrics)} Silhouette ranges from -1 to 1; values near 0 mean "
        "overlapping clusters, which is usual for short texts.",
        table=topic_summary_table(clusters, run.themes.cluster_theme, run.themes, noun="Cluster"),
        parts=(
            *alignment_parts(run, "clusters", "cluster"),
            *quality_parts(clusters, "clusters", "cluster"),
            Section(
                id="clusters-terms",
                title="Top terms per cluster",
                figure=figures.cluster_terms_figure(clusters),
                caption="The heaviest terms of each cluster's TF-IDF centroid.",
            ),
            Section(
                id="clusters-map",
                title="Cluster distance map",
                figure=figures.cluster_map_figure(clusters),
                caption="Clusters placed by MDS of the distances between their centroids' term "
                "distributions; bubble area is the cluster's share of the papers.",
            ),
        ),
    )


def agreement_section(run: RunResult) -> Section | None:
    """Contingency heatmap of LDA topics versus TF-IDF clusters; ``None`` without an agreement."""
    agreement = run.agreement
    if agreement is None:
        return None
    return Section(
        id="agreement",
        title="LDA topics vs TF-IDF clusters",
        figure=figures.agreement_heatmap(agreement, run.lda, run.clusters),
        caption=f"Papers counted by dominant LDA topic (rows) and TF-IDF cluster (columns). Adjusted Rand "
        f"index {agreement.ari:.3f} and normalised mutual information {agreement.nmi:.3f}: 0 means the "
        "two partitions agree no more than chance (ARI) or share no information (NMI), 1 means identical.",
    )


def docmap_section(run: RunResult) -> Section | None:
    """The documents map; ``None`` without one."""
    doc_map = run.doc_map
    if doc_map is None:
        return None
    sample = (
        f" A random sample of {len(doc_map.indices):,} of the {doc_map.total:,} papers is shown."
        if doc_map.sampled
        else ""
    )
    return Section(
        id="docmap",
        title="Documents map",
        figure=figures.document_map_figure(doc_map, run.corpus, run.themes),
        caption=f"Each point is a paper, placed by a 2-D {method_name(doc_map.method)} projection and coloured by its "
        f"highest-scoring theme; hover for the title, click legend entries to hide themes.{sample}",
    )


def papers_section(run: RunResult) -> Section:
    """The interactive paper table."""
    return Section(
        id="papers",
        title="Papers",
        caption="Every paper with its venue, its themes (score in [0, 1], with the evidence terms in brackets), "
        "dominant LDA topic and TF-IDF cluster. Search by any words in the title, authors, venue or themes, narrow "
        "to a theme, click a column header to sort, ▸ opens a paper's abstract, and Download CSV saves the rows "
        "shown.",
        paper_table=build_paper_table(run),
    )


def notes_section(run: RunResult) -> Section | None:
    """Run warnings and the manifest's counts, timings, seed and versions; ``None`` when there is none."""
    manifest = run.manifest or {}
    parts = []
    for key, part_id, title, unit in (
        ("counts", "notes-counts", "Counts", ""),
        ("timings_seconds", "notes-timings", "Stage timings", "s"),
        ("versions", "notes-versions", "Package versions", ""),
    ):
        table = mapping_table(manifest.get(key), unit=unit)
        if table is not None:
            parts.append(Section(id=part_id, title=title, table=table))
    seed = (manifest.get("seeds") or {}).get("seed", manifest.get("seed"))
    caption = f"Random seed: {seed}." if seed is not None else ""
    learned = manifest.get("corpus_stop_words") or []
    if learned:
        shown = ", ".join(learned[:30]) + (f" and {len(learned) - 30} more" if len(learned) > 30 else "")
        caption += (f" {len(learned)} common words that tell little about a paper's topic were left out of the models "
                     f"(preprocessing.corpus_stop_words; all in manifest.json): {shown}.")
    if not run.warnings and not parts and not caption:
        return None
    return Section(id="notes", title="Run notes", caption=caption, notes=tuple(run.warnings), parts=tuple(parts))


def topic_summary_table(
    result: TopicResult, topic_theme: np.ndarray | None, themes: ThemeTable, noun: str
) -> TableData:
    """One row per topic/cluster: index, label, papers whose dominant topic it is, prevalence, NPMI coherence
    (when known) and the theme it expresses most (``topic_theme`` row argmax, when known and shaped
    ``(n_topics, n_themes)``)."""
    labels = theme_labels(themes)
    with_theme = (
        topic_theme is not None
        and topic_theme.shape == (result.n_topics, len(themes.themes))
        and len(themes.themes) > 0
    )
    with_npmi = len(result.topic_coherence) == result.n_topics
    with_stability = len(result.topic_stability) == result.n_topics
    with_diversity = len(result.topic_diversity) == result.n_topics
    columns = [noun, "Label", "Papers", "Prevalence"]
    columns += ["NPMI"] if with_npmi else []
    columns += ["Stability"] if with_stability else []
    columns += ["Diversity"] if with_diversity else []
    columns += ["Closest theme"] if with_theme else []
    rows = []
    for k in range(result.n_topics):
        row: list[Any] = [result.topic_id(k), shorten(display_label(result, k), LABEL_CHARS), int(result.sizes[k])]
        row.append(f"{float(result.prevalence[k]):.1%}")
        if with_npmi:
            row.append(f"{result.topic_coherence[k]:.3f}")
        if with_stability:
            row.append(f"{result.topic_stability[k]:.2f}")
        if with_diversity:
            row.append(f"{result.topic_diversity[k]:.2f}")
        if with_theme and topic_theme is not None:
            j = int(np.argmax(topic_theme[k]))
            row.append(f"{labels[themes.themes[j].id]} ({float(topic_theme[k, j]):.2f})")
        rows.append(tuple(row))
    return TableData(tuple(columns), tuple(rows))


def format_metrics(metrics: Mapping[str, float]) -> str:
    """``metrics`` as a sentence, e.g. ``"NPMI coherence (mean over topics): 0.071."``; empty when none."""
    if not metrics:
        return ""
    parts = [f"{METRIC_NAMES.get(name, name.replace('_', ' '))}: {_number(value)}" for name, value in metrics.items()]
    return "; ".join(parts) + "."


def mapping_table(data: object, unit: str = "") -> TableData | None:
    """A two-column table of a flat mapping (e.g. manifest ``timings``), ``None`` unless it is a non-empty
    mapping; numbers get ``unit`` appended, nested values are left out."""
    if not isinstance(data, Mapping) or not data:
        return None
    rows = tuple(
        (str(key), f"{_number(value)}{(' ' + unit) if unit and isinstance(value, (int, float)) else ''}")
        for key, value in data.items()
        if not isinstance(value, (Mapping, list, tuple))
    )
    return TableData(("Name", "Value"), rows) if rows else None


def _number(value: object) -> str:
    """A metric value for display: ints with separators, floats with three decimals, others as text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.3f}"
    return str(value)


def _plural(n: int, noun: str) -> str:
    """``"1 source"``, ``"3 sources"``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
