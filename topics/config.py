"""The run configuration: a typed, frozen schema validated once at load.

``load_config(path, overrides)`` reads YAML, applies ``--set a.b=c`` overrides, resolves paths relative to the
config file and validates. Unknown keys and bad values raise :class:`ConfigError` naming the key path
(``models -> lda -> num_topics``), the value received and what is allowed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from preprocessing.table_exports import COLUMN_ROLES
from topics.config_loading import ConfigError as ConfigError
from topics.config_loading import apply_overrides as apply_overrides
from topics.config_loading import describe_validation_error
from topics.config_loading import parse_override as parse_override
from topics.config_loading import read_yaml as read_yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where an installed wheel carries the files below (setup.py copies them there at build time).
SHIPPED_DIR = Path(__file__).resolve().parent / "_shipped"


def _shipped(in_repository: Path, in_package: str) -> Path:
    """A file of the repository (a source checkout or an editable install), else its copy in the wheel."""
    return in_repository if in_repository.exists() else SHIPPED_DIR / in_package


#: The built-in theme definitions, used when a config names no themes file.
DEFAULT_THEMES_FILE = _shipped(PROJECT_ROOT / "configs" / "themes" / "ml.yaml", "themes/ml.yaml")
#: The background corpus of the theme labeller (the shipped example corpus).
DEFAULT_BACKGROUND_FILE = _shipped(PROJECT_ROOT / "data" / "ml-abstracts-sample.parquet", "ml-abstracts-sample.parquet")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputConfig(_Strict):
    """One input file or folder of files."""

    path: Path
    format: Literal[
        "auto", "listing", "csv", "jsonl", "parquet", "bibtex", "wos", "medline", "ris", "pubmed-xml", "json"
    ] = "auto"
    period: str | None = None
    source: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    where: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="keep only papers whose field (venue, source, period or year) is one of the values",
    )

    @field_validator("where", mode="before")
    @classmethod
    def _where_values(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        allowed = {"venue", "source", "period", "year"}
        unknown = sorted(str(k) for k in set(value) - allowed)
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r} in where; allowed: {', '.join(sorted(allowed))}")
        return {
            key: tuple(str(v) for v in (values if isinstance(values, (list, tuple)) else [values]))
            for key, values in value.items()
        }

    @field_validator("period", "source", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: dict[str, str]) -> dict[str, str]:
        allowed = set(COLUMN_ROLES)
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"unknown column role {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
        return value


class PhrasesConfig(_Strict):
    """gensim Phrases: joins frequent collocations ("reinforcement learning") into one term."""

    enabled: bool = True
    min_count: int = Field(5, ge=1)
    threshold: float = Field(0.5, gt=-1.0, le=1.0, description="NPMI score a bigram needs to become a phrase")


class CorpusStopWordsConfig(_Strict):
    """The corpus's own uninformative words (:mod:`topics.models.corpus_stop_words`), left out of the models'
    vocabulary."""

    enabled: bool = True
    min_df: float = Field(0.03, gt=0.0, le=1.0, description="a word must be in at least this share of the papers...")
    max_information: float = Field(
        0.05, ge=0.0, description="...and tell less than this (nats) about which pilot cluster a paper is in"
    )


class PreprocessingConfig(_Strict):
    """spaCy tokenisation, lemmatisation and token filters."""

    spacy_model: str = Field("blank", description="'blank' (spacy.blank('en') + lookup lemmatizer) or a package name")
    lemmatize: bool = True
    min_token_length: int = Field(2, ge=1)
    domain_stop_words: tuple[str, ...] | None = Field(
        None,
        description="words that say nothing about a paper's topic; null: the themes file's profile "
        "(ML: 'propose', 'method', ...)",
    )
    extra_stop_words: tuple[str, ...] = ()
    phrases: PhrasesConfig = PhrasesConfig()
    corpus_stop_words: CorpusStopWordsConfig = CorpusStopWordsConfig()
    batch_size: int = Field(256, ge=1)
    n_process: int = Field(1, ge=1)
    generic_terms: tuple[str, ...] | None = Field(
        None,
        description="kept for phrases and themes, left out of the models' vocabulary; "
        "null: the themes file's profile",
    )
    min_df: int = Field(3, ge=1, description="a term must occur in at least this many papers")
    max_df: float = Field(0.5, gt=0.0, le=1.0, description="and in at most this share of papers")


class CacheConfig(_Strict):
    """The on-disk cache of tokenised papers and fitted stages; ``dir`` null: the default cache folder."""

    enabled: bool = True
    dir: Path | None = None


class KRangeConfig(_Strict):
    """The candidates of ``num_topics: auto``: ``min, min + step, ..., max``."""

    min: int = Field(4, ge=2)
    max: int = Field(24, ge=2)
    step: int = Field(4, ge=1)


def _whole_number_or_auto(value: Any, minimum: int, noun: str, words: tuple[str, ...] = ("auto",)) -> Any:
    """``value`` when it is one of ``words`` or a whole number of at least ``minimum``; else a ValueError naming
    ``noun``."""
    if value in words or (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
        return value
    allowed = " or ".join(repr(w) for w in words)
    raise ValueError(f"expected a whole number of {noun}, at least {minimum}, or {allowed}")


#: ``num_topics: size`` / ``num_clusters: size``: this many at most, fewer on a small corpus (see :func:`size_for`).
SIZE_MAX_TOPICS = 12
SIZE_MAX_CLUSTERS = 10


def size_for(n_docs: int, ceiling: int) -> int:
    """The number of topics or clusters of ``size``: ``round(sqrt(n_docs / 2))`` (the k-means rule of thumb
    k ~ sqrt(n/2)), at least 2 and at most ``ceiling``. 23 papers give 3, 100 give 7, 200 give 10; the ceiling of
    12 topics is reached at 265 papers."""
    return max(2, min(ceiling, round(math.sqrt(max(n_docs, 0) / 2))))


class LdaConfig(_Strict):
    """The gensim LDA topic model: number of topics (or ``auto`` from ``k_range``), training and stability."""

    enabled: bool = True
    num_topics: int | str = Field(
        "size",
        description="a number (at least 2); size: from the corpus's size, sqrt(papers / 2), at most 12 (12 from "
        "265 papers on); or auto: pick from k_range",
    )
    k_range: KRangeConfig = KRangeConfig()
    stability_seeds: int = Field(
        2, ge=0, description="refits with other seeds that measure each topic's stability (0: not measured)"
    )
    stability_sample: int = Field(
        5000, ge=0, description="each stability refit fits a random sample of this many papers (0: all papers)"
    )

    @field_validator("num_topics", mode="before")
    @classmethod
    def _number_or_auto(cls, value: Any) -> Any:
        return _whole_number_or_auto(value, 2, "topics", ("size", "auto"))
    passes: int | Literal["auto"] = Field(
        "auto", description="passes over the corpus; auto: 10 up to 12,000 papers, 3 at 47k, 2 from 60,000 on"
    )
    iterations: int = Field(
        20, ge=1, description="E-step iterations per document and update (gensim's default is 50; see the README)"
    )

    @field_validator("passes", mode="before")
    @classmethod
    def _passes_number_or_auto(cls, value: Any) -> Any:
        return _whole_number_or_auto(value, 1, "passes")
    alpha: Literal["symmetric", "asymmetric", "auto"] | float = "symmetric"
    eta: Literal["symmetric", "auto"] | float | None = None
    random_state: int | None = None
    workers: int = Field(1, ge=1, description="> 1 uses LdaMulticore")
    chunksize: int = Field(2000, ge=1)
    init: Literal["clusters", "random"] = Field(
        "clusters",
        description="topics start from pilot clusters of the corpus (KMeans on TF-IDF), "
        "or random (gensim's start)",
    )
    top_terms: int = Field(10, ge=3, le=50)


class ClustersConfig(_Strict):
    """KMeans clustering of the papers' TF-IDF vectors: number of clusters, algorithm and stability."""

    enabled: bool = True
    num_clusters: int | str = Field(
        "size", description="a number (at least 2), or size: sqrt(papers / 2), at most 10 (10 from 181 papers on)"
    )
    stability_seeds: int = Field(3, ge=0, description="KMeans refits with other seeds that measure stability")
    random_state: int | None = None
    max_features: int = Field(20000, ge=10)
    n_init: int = Field(
        10,
        ge=1,
        description="KMeans runs from different centroid seeds; the best is kept "
        "(4 left BBC at NMI 0.76 for one seed in five, 10 at 0.88-0.89)",
    )
    algorithm: Literal["auto", "kmeans", "minibatch"] = Field(
        "auto", description="KMeans (Lloyd) or MiniBatchKMeans; auto: mini-batch from minibatch_from papers on"
    )
    minibatch_from: int = Field(10000, ge=1, description="papers from which algorithm: auto uses MiniBatchKMeans")
    top_terms: int = Field(10, ge=3, le=50)

    @field_validator("num_clusters", mode="before")
    @classmethod
    def _number_or_size(cls, value: Any) -> Any:
        return _whole_number_or_auto(value, 2, "clusters", ("size",))


class ModelsConfig(_Strict):
    """The two models (LDA topics and KMeans clusters), and an optional earlier run to align them to or to
    freeze them at."""

    lda: LdaConfig = LdaConfig()
    clusters: ClustersConfig = ClustersConfig()
    align_to: Path | None = Field(
        None, description="a previous run's topics.json: matched topics and clusters keep their ids and labels"
    )
    freeze: Path | None = Field(
        None, description="a previous run's folder: its fitted models label new papers, its papers keep their "
        "topic, cluster and themes (no refit; topics update)"
    )


class ThemesConfig(_Strict):
    """Theme labelling: which themes file, and when a paper carries a theme."""

    file: Path = DEFAULT_THEMES_FILE
    threshold: float = Field(
        0.4, ge=0.0, le=1.0, description="a paper carries a theme when its score (a probability) reaches this"
    )
    max_per_paper: int = Field(3, ge=1)
    learn: bool = Field(
        True, description="learn what else marks each theme from the corpus (weak supervision); false: terms only"
    )
    background: Path | None = Field(
        DEFAULT_BACKGROUND_FILE,
        description="papers the labeller learns from beside the run's own "
        "(default: the shipped example corpus); null for none",
    )


class EvaluationConfig(_Strict):
    """Score the themes against labelled papers (``topics evaluate`` sets ``labels``)."""

    labels: Path | None = Field(
        None, description="CSV of labelled papers: id or title, and ';'-separated theme ids or 'other'"
    )
    max_errors: int = Field(10, ge=0, description="worst false positives and negatives listed")


class TrendWindowConfig(_Strict):
    """The periods one trend test spans: the ``last`` N periods, or the periods from ``start`` to ``end``
    (inclusive; either may be left out). ``name`` is shown in the report (default: derived)."""

    name: str | None = None
    last: int | None = Field(None, ge=2, description="the last N periods of the corpus")
    start: str | None = Field(None, description="first period of the window, e.g. 2013")
    end: str | None = Field(None, description="last period of the window, e.g. 2019")

    @field_validator("start", "end", "name", mode="before")
    @classmethod
    def _period_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _one_kind(self) -> TrendWindowConfig:
        if self.last is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either last (the last N periods) or start/end, not both")
        if self.last is None and self.start is None and self.end is None:
            raise ValueError("give last (e.g. {last: 10}) or start and/or end (e.g. {start: 2013, end: 2019})")
        return self


class TrendsConfig(_Strict):
    """Shares per period with intervals, trend tests over windows, and two-period comparisons."""

    windows: tuple[TrendWindowConfig, ...] = (TrendWindowConfig(last=10),)
    confidence: float = Field(0.95, ge=0.5, lt=1.0, description="level of every interval")
    fdr: float = Field(
        0.05, gt=0.0, lt=1.0,
        description="false discovery rate (Benjamini-Hochberg) below which a trend is emerging or declining",
    )
    normalize_by: Literal["venue", "source"] | None = Field(
        None, description="shares computed within each venue (or source) and combined with fixed weights"
    )
    compare: tuple[str, str] | None = Field(
        None, description="two periods to compare (default: the two periods of a two-period corpus)"
    )
    top_authors: int = Field(10, ge=1, description="authors listed per theme")
    term_bins: int = Field(6, ge=1, description="period bins of the topics-over-time terms")
    top_terms: int = Field(8, ge=1, le=30, description="terms per topic and period bin")

    @field_validator("compare", mode="before")
    @classmethod
    def _periods_as_text(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
        return value


class ViewsConfig(_Strict):
    """``views``: the science maps (thematic map, thematic evolution, bursts, co-word network)."""

    enabled: bool = True
    map_terms: int = Field(10, ge=2, le=50, description="top terms per theme or topic in the map and evolution")
    slices: int = Field(3, ge=2, le=10, description="time slices of the thematic evolution")
    min_inclusion: float = Field(0.1, gt=0.0, le=1.0, description="smallest inclusion index of an evolution link")
    burst_terms: int = Field(200, ge=0, description="most frequent terms tested for bursts (every theme is tested)")
    burst_s: float = Field(2.0, gt=1.0, description="a burst's rate over the base rate (Kleinberg's s)")
    burst_gamma: float = Field(1.0, ge=0.0, description="cost of entering a burst (Kleinberg's gamma)")
    coword_terms: int = Field(60, ge=2, le=500, description="most frequent terms of the co-word network")


class MapConfig(_Strict):
    """The report's 2-D documents map: how many papers it shows at most and the projection (t-SNE or SVD)."""

    max_points: int = Field(3000, ge=10, description="the documents map samples past this many papers")
    method: Literal["tsne", "svd"] = "tsne"


class StaticFiguresConfig(_Strict):
    """Static files of the report's figures that ``topics run`` writes into figures/ beside the report (as
    ``topics export`` does; see reports.static_export for the file names and the size rule)."""

    formats: tuple[Literal["png", "svg", "pdf"], ...] = Field(("png",), min_length=1)
    dpi: int = Field(
        300, ge=24, le=1200, description="PNG resolution: a W px wide figure is floor(W * dpi / 96) px wide"
    )

    @field_validator("formats", mode="before")
    @classmethod
    def _formats_list(cls, value: Any) -> Any:
        if isinstance(value, str):  # "png,svg" or "png"
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, (list, tuple)):
            return tuple(dict.fromkeys(str(v).strip().lower() for v in value))
        return value


class ReportConfig(_Strict):
    """The HTML report: its title, documents map and static figures."""

    title: str = "Research themes and topics"
    map: MapConfig = MapConfig()
    static: StaticFiguresConfig | None = Field(
        None, description="also write the figures as PNG/SVG/PDF files, e.g. {formats: [png, svg], dpi: 300}"
    )

    @field_validator("title", mode="before")
    @classmethod
    def _title_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class OutputConfig(_Strict):
    """Where the run writes its report and data files."""

    dir: Path = Path("out/report")


class SparkConfig(_Strict):
    """Where and how ``engine: spark`` runs its stages (pyspark, ``pip install .[spark]``)."""

    master: str = Field("local[*]", description="Spark master URL: local[*], spark://host:7077, yarn, k8s://...")
    app_name: str = "research-topics"
    driver_memory: str = Field("4g", description="spark.driver.memory (ignored when the session already exists)")
    partitions: int | None = Field(
        None, ge=1, description="partitions of the papers (default: Spark's default parallelism)"
    )
    lda_optimizer: Literal["em", "online"] = Field(
        "online", description="MLlib LDA optimizer: online (tuned to gensim's schedule) or em (about 6x slower)"
    )
    lda_max_iter: int = Field(100, ge=1, description="MLlib LDA iterations (online: mini-batches of ~2,000 papers)")
    conf: dict[str, str] = Field(
        default_factory=dict, description="extra Spark settings, e.g. spark.executor.memory: 8g"
    )


class RunConfig(_Strict):
    """The whole run. ``seed`` is the default random_state of every random step."""

    inputs: tuple[InputConfig, ...] = Field(default_factory=tuple)
    seed: int = 42
    engine: Literal["local", "spark"] = Field(
        "local", description="local: one machine; spark: the heavy stages on Spark"
    )
    spark: SparkConfig = SparkConfig()
    preprocessing: PreprocessingConfig = PreprocessingConfig()
    cache: CacheConfig = CacheConfig()
    models: ModelsConfig = ModelsConfig()
    themes: ThemesConfig = ThemesConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    trends: TrendsConfig = TrendsConfig()
    views: ViewsConfig = ViewsConfig()
    report: ReportConfig = ReportConfig()
    output: OutputConfig = OutputConfig()

    @field_validator("models")
    @classmethod
    def _k_range_is_a_range(cls, value: ModelsConfig) -> ModelsConfig:
        k_range = value.lda.k_range
        if k_range.min > k_range.max:
            raise ValueError(f"lda -> k_range: min ({k_range.min}) is larger than max ({k_range.max})")
        return value

    @property
    def lda_seed(self) -> int:
        """The LDA's random state: ``models.lda.random_state``, else the run's ``seed``."""
        seed = self.models.lda.random_state
        return self.seed if seed is None else seed

    @property
    def clusters_seed(self) -> int:
        """The clustering's random state: ``models.clusters.random_state``, else the run's ``seed``."""
        seed = self.models.clusters.random_state
        return self.seed if seed is None else seed


def validate_config(data: Any, origin: str = "config") -> RunConfig:
    """Validate a plain mapping into a :class:`RunConfig`; raise :class:`ConfigError` naming the key path."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping of settings at the top level, got {type(data).__name__}")
    try:
        return RunConfig.model_validate(data)
    except ValidationError as error:
        problems = [describe_validation_error(e) for e in error.errors()]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ConfigError(f"{origin}: {problems[0]}{more}") from None


def _resolve(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def resolve_paths(config: RunConfig, base: Path) -> RunConfig:
    """Make every relative path in ``config`` relative to ``base`` (the config file's folder)."""
    inputs = tuple(i.model_copy(update={"path": _resolve(i.path, base)}) for i in config.inputs)
    themes = config.themes.model_copy(update={
        "file": _resolve(config.themes.file, base),
        "background": _resolve(config.themes.background, base) if config.themes.background is not None else None,
    })
    cache = config.cache
    if cache.dir is not None:
        cache = cache.model_copy(update={"dir": _resolve(cache.dir, base)})
    output = config.output.model_copy(update={"dir": _resolve(config.output.dir, base)})
    models = config.models
    for key in ("align_to", "freeze"):
        if getattr(models, key) is not None:
            models = models.model_copy(update={key: _resolve(getattr(models, key), base)})
    evaluation = config.evaluation
    if evaluation.labels is not None:
        evaluation = evaluation.model_copy(update={"labels": _resolve(evaluation.labels, base)})
    return config.model_copy(
        update={
            "inputs": inputs,
            "themes": themes,
            "cache": cache,
            "output": output,
            "evaluation": evaluation,
            "models": models,
        }
    )


def load_config(path: Path | None, overrides: list[str] | None = None, base: Path | None = None) -> RunConfig:
    """Load, override, validate and resolve a config.

    ``path=None`` starts from the defaults (for ``topics run --input ...``); relative paths then resolve
    against ``base`` (default: the current directory). With a file, they resolve against its folder.
    """
    overrides = list(overrides or [])
    if path is None:
        data: Any = {}
        origin = "--set"
        base = (base or Path.cwd()).resolve()
    else:
        path = Path(path)
        data = read_yaml(path)
        origin = str(path)
        base = path.resolve().parent
        if data is not None and not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    if overrides:
        if path is not None:
            validate_config(data or {}, origin=origin)  # the file's own problems are named under the file
        origin = (
            "--set " + " --set ".join(overrides) if path is None else f"{path} with --set {' --set '.join(overrides)}"
        )
    config = validate_config(apply_overrides(data or {}, overrides), origin=origin)
    return resolve_paths(config, base)


def config_to_dict(config: RunConfig) -> dict[str, Any]:
    """The resolved config as plain JSON-able data (paths as strings), for manifest.json."""
    return config.model_dump(mode="json")
