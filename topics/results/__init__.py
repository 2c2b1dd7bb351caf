"""Result types shared by the pipeline, the output writers and the report: every result of a run is one of these.

Everything the report shows is read from these objects; the report never sees a model, and ``topics.results`` is
the only part of ``topics`` that ``reports`` imports (an import-linter contract checks it). Arrays are NumPy; rows
follow ``Corpus.papers`` order unless stated otherwise. The types live in four modules by what produced them:
:mod:`topics.results.models` (topics, clusters, the K sweep, alignment), :mod:`topics.results.themes` (themes
and their evaluation), :mod:`topics.results.trends` (shares, trend tests, comparisons) and
:mod:`topics.results.run` (:class:`RunResult`); import them from here.
"""

from topics.results.models import Agreement, DocumentMap, FoldIn, KSweep, TopicAlignment, TopicResult
from topics.results.run import RunResult
from topics.results.themes import (
    MICRO,
    NONE,
    OTHER,
    UNASSIGNED,
    ErrorCase,
    Evaluation,
    PrCurve,
    PrPoint,
    Reliability,
    ReliabilityBin,
    ThemeDefinition,
    ThemeProfiles,
    ThemeScore,
    ThemeTable,
)
from topics.results.trends import (
    AGREES,
    DECLINING,
    DISAGREES,
    EMERGING,
    NORMALIZED,
    NOT_SEPARABLE,
    NOTABLE_CHANGE,
    RAW,
    STABLE,
    THEME,
    TOPIC,
    MixChange,
    SnapshotComparison,
    TopicTermsOverTime,
    TrendTable,
    TrendWindow,
)
from topics.results.views import (
    BASIC,
    EMERGING_OR_DECLINING,
    MOTOR,
    NICHE,
    QUADRANTS,
    TERM,
    VIEW_COLUMNS,
    Bursts,
    CowordNetwork,
    ScienceViews,
    ThematicEvolution,
    ThematicMap,
)

__all__ = [
    "AGREES", "DISAGREES", "NOT_SEPARABLE", "MixChange", "DECLINING", "EMERGING", "MICRO", "NONE", "NORMALIZED",
    "NOTABLE_CHANGE", "OTHER", "RAW", "STABLE", "THEME", "TOPIC", "UNASSIGNED", "Agreement", "DocumentMap", "ErrorCase",
    "Evaluation", "FoldIn", "KSweep", "PrCurve", "PrPoint", "Reliability", "ReliabilityBin", "RunResult",
    "SnapshotComparison", "ThemeDefinition", "ThemeProfiles", "ThemeScore", "ThemeTable", "TopicAlignment",
    "TopicResult",
    "TopicTermsOverTime", "TrendTable", "TrendWindow", "BASIC", "EMERGING_OR_DECLINING", "MOTOR", "NICHE", "QUADRANTS",
    "TERM", "VIEW_COLUMNS", "Bursts", "CowordNetwork", "ScienceViews", "ThematicEvolution", "ThematicMap",
]
