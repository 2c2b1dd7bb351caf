"""``engine: spark``: the heavy stages (spaCy tokenisation, TF-IDF + KMeans, LDA) on Apache Spark.

What runs where
---------------
* **Executors** tokenise the papers: :func:`tokenize_on_spark` ships the texts as an RDD of ``(index, text)``;
  each partition builds one :class:`preprocessing.nlp.Tokenizer` and pipes its texts through spaCy, so the
  executors need the project and its spaCy data installed. The models are two estimators with scikit-learn's
  contract, :class:`~topics.models.spark_estimators.SparkLdaTopicModel` (MLlib LDA) and
  :class:`~topics.models.spark_estimators.SparkClusterModel` (TF-IDF + MLlib KMeans), fitted in the active
  session (:func:`active_spark_session`) on the vocabulary's count rows, which
  :func:`topics.models.spark_tfidf.spark_counts` ships once as a cached DataFrame for both (term ids are the
  local engine's); TF-IDF, KMeans and LDA run as distributed Spark jobs.
* **The driver** reads the inputs, runs phrase detection and builds the vocabulary (as the local engine does),
  collects the models' outputs (topic-term matrix, per-paper topic mixtures and clusters, TF-IDF rows) as
  NumPy/SciPy arrays in input order, and does everything after the models (themes, trends, report).

Pointing it at a cluster
------------------------
Set ``spark.master`` in the run config: ``local[*]`` (default, this machine), ``spark://host:7077`` (a
standalone cluster), ``yarn`` or ``k8s://https://host:port``, with extra settings under ``spark.conf``
(``spark.executor.memory: 8g``, ``spark.executor.instances: 10``, ``spark.checkpoint.dir: hdfs:///tmp/ckpt``).
Or start the run under ``spark-submit`` with a two-line driver script (``from topics.cli import main; main()``,
e.g. ``spark-submit --master yarn run_topics.py run config.yaml``): an already active session is reused and
left running. The executors need the project installed: ``pip install 'research-topics[spark]'`` on every node,
or a packed venv (``venv-pack -o env.tar.gz``) shipped with ``spark.archives: env.tar.gz#env`` and
``spark.pyspark.python: ./env/bin/python`` (``--py-files`` with a zip of ``topics``/``preprocessing`` works when
spaCy, spacy-lookups-data, numpy and scipy are already on the nodes). With a ``local`` master the executors run
this interpreter (``PYSPARK_PYTHON`` is set to it while the session lives). EM LDA checkpoints its graph every
:data:`CHECKPOINT_INTERVAL` iterations: on a cluster set ``spark.checkpoint.dir`` to a shared path; locally a
temporary folder is used.

Differences from the local engine
---------------------------------
* LDA is MLlib's. The **online** optimizer (variational Bayes on mini-batches, as gensim's) with the local
  engine's priors (symmetric ``1/k``), a step size that starts near 1 (``learningOffset`` 1, not MLlib's 1024)
  and mini-batches of about 2,000 papers matches gensim's NPMI on the 47.5k-paper ml-abstracts corpus in about
  70 s on 2 cores (100 iterations: within 0.02 of gensim at seeds 42-44; 50 iterations fell 0.024 short at 42).
  The **EM** optimizer (a MAP estimate; priors must be > 1, by default ``docConcentration = 50/k + 1`` and
  ``topicConcentration = 1.1``) needs about 50 iterations to get there and takes 6-10x longer. Topics are as
  coherent as gensim's but not the same topics (as gensim's own with another seed are not).
  ``log_likelihood_`` (the run's ``lda_log_likelihood``) is MLlib's training log likelihood for EM, and None for
  online (MLlib's bound costs three times the fit).
* TF-IDF equals the local engine's (scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``):
  ``(1 + ln tf) * (ln((n + 1)/(df + 1)) + 1)``, rows L2-normalised; Spark's IDF is ``ln((n + 1)/(df + 1))`` and
  the ``+ 1`` is added here. It covers the whole vocabulary (the local ``max_features`` cap is not applied).
* KMeans is MLlib's (Lloyd's, random initialisation, one run, seeded) instead of scikit-learn's, so the
  clusters differ in detail.

pyspark is an optional dependency: nothing here imports it until a function is called.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from preprocessing.errors import UserError
from preprocessing.nlp import Segments, Tokenizer, TokenizerSettings
from topics.config import SparkConfig

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

PYSPARK_MISSING = "engine: spark needs pyspark; install it with pip install 'research-topics[spark]' (and Java 17+)"
JAVA_MISSING = (
    "engine: spark needs Java 17+ to start Spark, and no java was found on PATH or in JAVA_HOME; install a JRE "
    "(e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME, or use engine: local"
)
NO_SESSION = (
    "the Spark estimators fit in the active Spark session, and there is none: fit them inside "
    "topics.models.spark_engine.spark_session(...)"
)

#: Online LDA (the recommended optimizer, tuned on the 47.5k-paper ml-abstracts corpus; see the README): the
#: priors are the local engine's (symmetric ``1 / k`` for both, kept fixed), the step size ``(offset + t) ** -decay``
#: starts near 1 as gensim's does (MLlib's default offset 1024 makes the first few dozen steps tiny, which is
#: what gave MLlib's defaults their poor topics), and each step sees a mini-batch of about
#: :data:`ONLINE_BATCH_DOCS` papers (gensim's chunksize), at least :data:`ONLINE_MIN_SUBSAMPLING` of the corpus.
ONLINE_LEARNING_OFFSET: float = 1.0
ONLINE_LEARNING_DECAY: float = 0.51
ONLINE_BATCH_DOCS: int = 2000
ONLINE_MIN_SUBSAMPLING: float = 0.05
#: Whether online LDA re-estimates the papers' topic-mixture prior (``optimizeDocConcentration``) as it learns.
ONLINE_OPTIMIZE_DOC_CONCENTRATION: bool = False
#: EM LDA's prior on per-paper topic mixtures (``docConcentration``, must be > 1 for EM): ``50 / k + 1`` when
#: None (MLlib's default).
EM_DOC_CONCENTRATION: float | None = None
#: EM LDA's prior on topics' term distributions (``topicConcentration``, must be > 1 for EM).
EM_TOPIC_CONCENTRATION: float = 1.1
#: EM LDA checkpoints its graph every this many iterations (keeps the lineage short).
CHECKPOINT_INTERVAL = 10
#: MLlib KMeans iterations (scikit-learn's default is 300; MLlib converges on these vectors well before 100).
KMEANS_MAX_ITER = 100
#: MLlib KMeans initialisation: k random papers. MLlib's default k-means|| picked outlying papers as centres on
#: the 47.5k-paper corpus (clusters of 1 and 21 papers, with every seed tried); random starts gave no tiny
#: clusters, a lower cost, more coherent clusters and a faster fit.
KMEANS_INIT = "random"

_checkpoint_dirs: list[str] = []


def require_pyspark() -> Any:
    """The ``SparkSession`` class, or :class:`UserError` when pyspark is not installed."""
    try:
        import pyspark  # noqa: F401  (checked first: a missing package must say so, whatever was imported)
        from pyspark.sql import SparkSession
    except ImportError:
        raise UserError(PYSPARK_MISSING) from None
    # pyspark 4.x warns on every pandas UDF set-up that pandas 3 is untested; the vector UDF here does not use pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    return SparkSession


def _java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(os.path.join(java_home, "bin", "java"), os.X_OK):
        return True
    return shutil.which("java") is not None


def _is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[") or master.startswith("local-cluster")


def _active_session(session_class: Any) -> Any:
    active = session_class.getActiveSession()
    if active is not None:
        return active
    from pyspark import SparkContext

    context = SparkContext._active_spark_context  # a session created on another thread
    if context is not None:
        return session_class.builder.getOrCreate()
    return None


@contextmanager
def spark_session(cfg: SparkConfig) -> Iterator["SparkSession"]:
    """A Spark session for ``cfg``: the active one if there is one (left running on exit), else a new one for
    ``cfg.master``/``app_name``/``driver_memory``/``conf`` (UI off, log level ERROR, Arrow on), stopped on exit.

    Raises :class:`UserError` when pyspark or Java is missing."""
    session_class = require_pyspark()
    existing = _active_session(session_class)
    if existing is not None:
        yield existing
        return
    if not _java_available():
        raise UserError(JAVA_MISSING)
    builder = (
        session_class.builder.master(cfg.master)
        .appName(cfg.app_name)
        .config("spark.driver.memory", cfg.driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    for key, value in cfg.conf.items():
        builder = builder.config(key, value)
    # local executors must run this interpreter (the venv's), not whatever python3 is first on PATH; pyspark
    # reads PYSPARK_PYTHON when the context starts, so it is set for the session's lifetime only
    set_python = _is_local(cfg.master) and "PYSPARK_PYTHON" not in os.environ and "spark.pyspark.python" not in cfg.conf
    if set_python:
        os.environ["PYSPARK_PYTHON"] = sys.executable
    try:
        try:
            spark = builder.getOrCreate()
        except Exception as error:  # the JVM did not start (bad master URL, Java too old, no memory)
            raise UserError(
                f"engine: spark could not start Spark at master {cfg.master!r}: {_first_line(error)}"
            ) from None
        spark.sparkContext.setLogLevel("ERROR")
        try:
            yield spark
        finally:
            spark.stop()
    finally:
        if set_python:
            os.environ.pop("PYSPARK_PYTHON", None)


def active_spark_session() -> "SparkSession":
    """The active Spark session (the one :func:`spark_session` opened, or ``spark-submit``'s).

    Raises :class:`UserError` when pyspark is missing (:data:`PYSPARK_MISSING`), when there is no session and no
    Java to start one (:data:`JAVA_MISSING`), or when there is no session (:data:`NO_SESSION`)."""
    session_class = require_pyspark()
    active = _active_session(session_class)
    if active is not None:
        return active
    if not _java_available():
        raise UserError(JAVA_MISSING)
    raise UserError(NO_SESSION)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def partition_count(spark: Any, requested: int | None, n_items: int) -> int:
    """Partitions for ``n_items`` items: ``requested``, else Spark's default parallelism, at most one per item."""
    wanted = requested or spark.sparkContext.defaultParallelism
    return max(1, min(int(wanted), max(1, n_items)))


def _tokenize_partition(settings: TokenizerSettings) -> Any:
    def run(items: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Segments]]:
        batch = list(items)
        if not batch:
            return
        tokenizer = Tokenizer(settings)
        for (index, _), segments in zip(batch, tokenizer.pipe([text for _, text in batch])):
            yield index, segments

    return run


def tokenize_on_spark(
    spark: "SparkSession", texts: Sequence[str], settings: TokenizerSettings, partitions: int | None = None
) -> list[Segments]:
    """``[*Tokenizer(settings).pipe(texts)]`` computed on the executors: each partition builds one Tokenizer and
    pipes its texts (in one process: ``n_process`` is set to 1 there). Returns one :data:`Segments` per text,
    in input order."""
    if not texts:
        return []
    local_settings = replace(settings, n_process=1)  # the executors are the parallelism; same tokens
    slices = partition_count(spark, partitions, len(texts))
    rdd = spark.sparkContext.parallelize(list(enumerate(texts)), slices)
    pairs = rdd.mapPartitions(_tokenize_partition(local_settings)).collect()
    result: list[Segments | None] = [None] * len(texts)
    for index, segments in pairs:
        result[index] = segments
    missing = [i for i, r in enumerate(result) if r is None]
    if missing:  # pragma: no cover - Spark returns every partition or raises
        raise RuntimeError(f"tokenize_on_spark: {len(missing)} text(s) came back without tokens")
    return result  # type: ignore[return-value]


def ensure_checkpoint_dir(spark: Any) -> bool:
    """Make sure the SparkContext has a checkpoint folder (a temporary one, removed at exit, for a local master);
    False when there is none (a cluster without ``spark.checkpoint.dir``)."""
    context = spark.sparkContext
    if context.getCheckpointDir():
        return True
    if not _is_local(context.master):
        warnings.warn(
            "engine: spark: no checkpoint folder, so EM LDA runs without checkpoints (long lineages can fail); "
            "set spark.conf -> spark.checkpoint.dir to a shared path (hdfs://..., s3a://...)",
            RuntimeWarning,
            stacklevel=4,
        )
        return False
    folder = tempfile.mkdtemp(prefix="research-topics-spark-")
    _checkpoint_dirs.append(folder)
    context.setCheckpointDir(folder)
    return True


@atexit.register
def _remove_checkpoint_dirs() -> None:
    for folder in _checkpoint_dirs:
        shutil.rmtree(folder, ignore_errors=True)


def online_subsampling_rate(n_docs: int) -> float:
    """The share of the papers one online LDA step sees: about :data:`ONLINE_BATCH_DOCS` papers, at least
    :data:`ONLINE_MIN_SUBSAMPLING` of them, all of them on a small corpus."""
    return float(min(1.0, max(ONLINE_MIN_SUBSAMPLING, ONLINE_BATCH_DOCS / max(n_docs, 1))))
