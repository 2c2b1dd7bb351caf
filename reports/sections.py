"""The report's sections: what each part of the page shows, built from a :class:`RunResult`.

``build_sections`` is the describe -> sections stage: it picks figures, captions and tables and drops every
section (or part of one) whose data is missing. Rendering to HTML is :mod:`reports.html`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reports import figures
from reports.escape import shorten
from reports.figures.docmap import method_name
from reports.figures.evaluation import pr_curve_figure, reliability_figure
from reports.figures.themes import theme_counts, theme_labels
from reports.figures.topics import topic_label, topic_names
from reports.section import Section
from reports.table import Cell, TableData, build_paper_table
from reports.trend_sections import trends_section
from topics.results import ErrorCase, RunResult, ThemeTable, TopicResult

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

    Top-level ids: ``overview``, ``themes``, ``trends``, ``evaluation``, ``lda``, ``clusters``, ``agreement``,
    ``docmap``, ``papers``, ``notes``.
    """
    candidates = (
        overview_section(run),
        themes_section(run),
        trends_section(run),
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
    return Section(
        id="overview",
        title="Corpus overview",
        figure=figures.papers_per_period_figure(corpus, run.trends.periods),
        caption=caption,
        parts=tuple(parts),
    )


def themes_section(run: RunResult) -> Section:
    """Papers per theme overall (per period: see the trends section)."""
    themes = run.themes
    counts = theme_counts(themes)
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


def evaluation_section(run: RunResult) -> Section | None:
    """The themes scored against labelled papers, beside the keyword baseline; ``None`` without an evaluation."""
    ev = run.evaluation
    if ev is None:
        return None
    labels = theme_labels(run.themes)
    baseline = (
        f" A plain keyword baseline (a regular expression over each theme's first 12 seed terms) scores "
        f"{ev.baseline_macro_f1:.3f} on the same papers ({ev.macro_f1 - ev.baseline_macro_f1:+.3f} for the labeller)."
        if ev.baseline_macro_f1 is not None
        else ""
    )
    unmatched = (
        f" {ev.n_unmatched:,} labelled papers are not in this corpus and were left out." if ev.n_unmatched else ""
    )
    rows: list[tuple[str, int | str, int | str, str, str, str, str]] = []
    for score, base in zip(ev.scores, ev.baseline or (None,) * len(ev.scores)):
        rows.append((
            labels.get(score.theme, score.theme), score.support, score.predicted, f"{score.precision:.3f}",
            f"{score.recall:.3f}", f"{score.f1:.3f}", "" if base is None else f"{base.f1:.3f}",
        ))
    rows.append((
        "macro average", "", "", "", "", f"{ev.macro_f1:.3f}",
        "" if ev.baseline_macro_f1 is None else f"{ev.baseline_macro_f1:.3f}",
    ))

    def error_rows(cases: Sequence[ErrorCase]) -> tuple[tuple[Cell, ...], ...]:
        return tuple(
            (
                shorten(case.title, 100), labels.get(case.theme, case.theme), f"{case.score:.3f}",
                ", ".join(case.evidence) or "(none)", "; ".join(case.gold), "; ".join(case.predicted) or "(none)",
            )
            for case in cases
        )

    error_columns = ("Title", "Theme", "Score", "Evidence terms", "Labelled", "Given")
    parts = [
        Section(
            id="evaluation-confusion",
            title="Labelled against given themes",
            figure=figures.confusion_figure(ev, labels),
            caption="Papers counted by labelled theme (rows; other = none of the evaluated themes) and the "
            "themes the labeller gave (columns; none = no evaluated theme). A paper with two themes counts twice.",
        )
    ]
    parts.extend(evaluation_score_parts(run))
    if ev.false_positives:
        parts.append(Section(
            id="evaluation-false-positives",
            title="Worst false positives",
            caption="Themes given but not labelled, highest score first, with the terms that drove the score.",
            table=TableData(error_columns, error_rows(ev.false_positives)),
        ))
    if ev.false_negatives:
        parts.append(Section(
            id="evaluation-false-negatives",
            title="Worst false negatives",
            caption="Themes labelled but not given, lowest score first.",
            table=TableData(error_columns, error_rows(ev.false_negatives)),
        ))
    return Section(
        id="evaluation",
        title="Theme evaluation",
        figure=figures.evaluation_scores_figure(ev, labels),
        caption=f"The themes of {ev.n_papers:,} labelled papers ({Path(ev.labels_path).name}) against their labels: "
        f"macro-F1 {ev.macro_f1:.3f} over {len(ev.themes)} themes.{baseline}{unmatched}",
        table=TableData(("Theme", "Labelled", "Given", "Precision", "Recall", "F1", "Baseline F1"), tuple(rows)),
        parts=tuple(parts),
    )


def evaluation_score_parts(run: RunResult) -> tuple[Section, ...]:
    """The labeller's scores judged beside its decisions: precision/recall over thresholds and the reliability
    diagram; nothing for an evaluation without them."""
    ev = run.evaluation
    if ev is None:
        return ()
    parts = []
    threshold = configured_threshold(run)
    if ev.pr_curves:
        limit = _themes_config(run).get("max_per_paper")
        rule = ", ".join(
            ([f"score at least {threshold:.2f}"] if threshold is not None else [])
            + ([f"at most {limit} themes a paper"] if isinstance(limit, int) else [])
        )
        baseline = (
            " and the cross the plain keyword baseline, which has no scores and so gives one point"
            if ev.baseline else ""
        )
        parts.append(Section(
            id="evaluation-pr-curve",
            title="Precision and recall at every threshold",
            figure=pr_curve_figure(ev, theme_labels(run.themes), run.themes.theme_ids, threshold),
            caption="What the labeller would give at another threshold. Each line follows one theme as the score "
            "a paper needs falls from 0.95 (left) to 0.05 (right): recall is the share of labelled papers found, "
            "precision the share of given papers that are labelled; hover a point for its threshold. Up and to the "
            f"right is better. The star marks the labeller as configured{f' ({rule})' if rule else ''}"
            f"{baseline}. The dashed line pools every (paper, theme) pair. AP, the average precision, summarises "
            "a whole line (1 is perfect).",
        ))
    if ev.reliability is not None:
        table = ev.reliability
        parts.append(Section(
            id="evaluation-reliability",
            title="Are the scores probabilities?",
            figure=reliability_figure(ev),
            caption=f"A score of 0.8 should be right about 80% of the time: points on the diagonal are calibrated. "
            f"The {table.n_pairs:,} scores of every labelled paper for every evaluated theme are grouped in ten bins "
            "of width 0.1; each point is a bin's mean score against the share of its pairs labelled with the theme, "
            "with a 95% interval (larger points hold more pairs). Points below the diagonal are overconfident, above "
            f"it underconfident. Expected calibration error {table.ece:.3f} (mean distance from the diagonal, "
            f"weighted by pairs; 0 is calibrated); Brier score {table.brier:.3f} (mean squared error of the scores; "
            "0 is perfect, always answering 0.5 gives 0.25).",
        ))
    return tuple(parts)


def configured_threshold(run: RunResult) -> float | None:
    """The labeller's score threshold: the evaluation's, else the resolved config's in the manifest."""
    if run.evaluation is not None and run.evaluation.threshold is not None:
        return run.evaluation.threshold
    value = _themes_config(run).get("threshold")
    return float(value) if isinstance(value, (int, float)) else None


def _themes_config(run: RunResult) -> dict[str, Any]:
    """The ``themes`` block of the resolved config in the manifest (empty when absent)."""
    themes = ((run.manifest or {}).get("config") or {}).get("themes")
    return themes if isinstance(themes, dict) else {}


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
        ("born", topic_id, shorten(topic_label(result, index[topic_id]), LABEL_CHARS)) for topic_id in alignment.born
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
        caption="Every paper with its themes (score in [0, 1]), dominant LDA topic and TF-IDF cluster. Search "
        "by any words in the title, authors or themes, narrow to a theme, click a column header to sort.",
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
        row: list[Any] = [result.topic_id(k), shorten(topic_label(result, k), LABEL_CHARS), int(result.sizes[k])]
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
