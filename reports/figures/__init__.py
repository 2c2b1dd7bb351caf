"""Figure builders: pure functions from result objects to ``plotly.graph_objects.Figure``, one module per
chart family. Styling comes from :mod:`reports.style`; scraped text is escaped with :mod:`reports.escape`."""

from reports.figures.agreement import agreement_heatmap
from reports.figures.bursts import burst_timeline_figure
from reports.figures.clusters import cluster_map_figure, cluster_sizes_figure, cluster_terms_figure
from reports.figures.coword import coword_network_figure
from reports.figures.docmap import document_map_figure
from reports.figures.evaluation import confusion_figure, evaluation_scores_figure
from reports.figures.evolution import evolution_figure
from reports.figures.model_selection import k_sweep_figure, topic_quality_figure
from reports.figures.overview import papers_per_period_figure, skipped_reasons_figure
from reports.figures.profiles import venue_profile_heatmap
from reports.figures.snapshot import snapshot_change_figure
from reports.figures.thematic_map import thematic_map_figure
from reports.figures.themes import theme_shares_figure
from reports.figures.topics import intertopic_map_figure, top_terms_figure
from reports.figures.trends import topic_period_heatmap, trend_effects_figure
from reports.figures.trends_shares import raw_vs_normalized_figure, theme_area_figure, theme_share_bands_figure

__all__ = [
    "agreement_heatmap",
    "burst_timeline_figure",
    "coword_network_figure",
    "evolution_figure",
    "thematic_map_figure",
    "cluster_map_figure",
    "cluster_sizes_figure",
    "cluster_terms_figure",
    "confusion_figure",
    "document_map_figure",
    "evaluation_scores_figure",
    "intertopic_map_figure",
    "k_sweep_figure",
    "papers_per_period_figure",
    "skipped_reasons_figure",
    "theme_shares_figure",
    "raw_vs_normalized_figure",
    "snapshot_change_figure",
    "theme_area_figure",
    "theme_share_bands_figure",
    "topic_period_heatmap",
    "trend_effects_figure",
    "venue_profile_heatmap",
    "topic_quality_figure",
    "top_terms_figure",
]
