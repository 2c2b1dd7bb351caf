"""Count vectors and TF-IDF on Spark for ``engine: spark`` (:mod:`topics.models.spark_engine`): a paper-by-term
count matrix shipped once as a cached DataFrame (:func:`spark_counts`, :class:`SparkCounts`) that both Spark
estimators fit on, scikit-learn's sublinear smooth TF-IDF rows (L2-normalised) computed on it, and Spark ML
vectors collected as SciPy matrices.

The count rows are the vocabulary's own (``Vocabulary.matrix``): counting a paper's tokens restricted to the
vocabulary's terms, as ``CountVectorizerModel.from_vocabulary`` did, gives exactly these rows, so they are built
on the driver and shipped instead of the token lists.

pyspark is an optional dependency: nothing here imports it until a function is called.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from scipy import sparse

from topics.models.spark_engine import partition_count, require_pyspark
from topics.models.vocabulary import Vocabulary, counts_and_terms


def rows_to_csr(rows: Sequence[Any], n_cols: int) -> sparse.csr_matrix:
    """Spark ML vectors (sparse or dense) as one CSR matrix, shape ``(len(rows), n_cols)``."""
    data: list[np.ndarray] = []
    indices: list[np.ndarray] = []
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    for i, vector in enumerate(rows):
        if hasattr(vector, "indices"):
            idx, values = np.asarray(vector.indices, dtype=np.int64), np.asarray(vector.values, dtype=np.float64)
        else:
            dense = vector.toArray()
            idx = np.flatnonzero(dense)
            values = dense[idx]
        indices.append(idx)
        data.append(values)
        indptr[i + 1] = indptr[i] + len(idx)
    return sparse.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0),
            np.concatenate(indices) if indices else np.zeros(0, np.int64),
            indptr,
        ),
        shape=(len(rows), n_cols),
    )


def sublinear_udf() -> Any:
    """A Spark UDF mapping a count vector to ``1 + ln(count)`` on its non-zero entries (sparse, same size)."""
    from pyspark.ml.linalg import SparseVector, VectorUDT
    from pyspark.sql import functions as F

    # no type hints on sublinear: pyspark would read them as a pandas UDF's
    @F.udf(returnType=VectorUDT())
    def sublinear(vector):
        values = np.asarray(vector.values, dtype=np.float64)
        return SparseVector(
            vector.size, vector.indices, np.where(values > 0, 1.0 + np.log(np.maximum(values, 1e-300)), 0.0)
        )

    return sublinear


def _count_rows(counts: sparse.csr_matrix) -> list[tuple[int, Any]]:
    """``(paper index, SparseVector of its counts)`` for every row of ``counts`` (shape ``(n_docs, n_terms)``)."""
    from pyspark.ml.linalg import SparseVector

    canonical = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    canonical.sum_duplicates()  # sorted, unique column ids per row, as Spark's sparse vectors need
    canonical.eliminate_zeros()
    n_terms, indptr, indices, data = canonical.shape[1], canonical.indptr, canonical.indices, canonical.data
    return [
        (i, SparseVector(n_terms, indices[indptr[i] : indptr[i + 1]], data[indptr[i] : indptr[i + 1]]))
        for i in range(canonical.shape[0])
    ]


class SparkCounts:
    """A count matrix (shape ``(n_docs, n_terms)``, columns ``terms``) as a cached Spark DataFrame with columns
    ``doc`` (the paper's row number) and ``counts`` (a vector of ``n_terms``), which
    :class:`~topics.models.spark_estimators.SparkLdaTopicModel` and
    :class:`~topics.models.spark_estimators.SparkClusterModel` accept as ``X``. :meth:`tfidf` adds the TF-IDF
    column (computed once). Made and unpersisted by :func:`spark_counts`."""

    def __init__(self, spark: Any, matrix: sparse.csr_matrix, terms: Sequence[str], partitions: int | None) -> None:
        require_pyspark()  # and its warning filters
        from pyspark.ml.linalg import VectorUDT
        from pyspark.sql.types import IntegerType, StructField, StructType

        self.spark = spark
        self.matrix = matrix  # the driver's counts, shape (n_docs, n_terms)
        self.terms = list(terms)
        schema = StructType([
            StructField("doc", IntegerType(), False),
            StructField("counts", VectorUDT(), False),
        ])
        slices = partition_count(spark, partitions, self.n_docs)
        rdd = spark.sparkContext.parallelize(_count_rows(matrix), slices)
        self.frame = spark.createDataFrame(rdd, schema).cache()
        self._tfidf: tuple[sparse.csr_matrix, np.ndarray] | None = None

    @property
    def n_docs(self) -> int:
        """Number of papers (rows)."""
        return int(self.matrix.shape[0])

    @property
    def n_terms(self) -> int:
        """Number of terms (vector size)."""
        return int(self.matrix.shape[1])

    def counts(self) -> Any:
        """The DataFrame of ``doc`` and ``counts`` (one row per paper)."""
        return self.frame.select("doc", "counts")

    def tfidf(self) -> tuple[Any, sparse.csr_matrix, np.ndarray]:
        """Counts -> sublinear TF-IDF, L2-normalised: ``(1 + ln tf) * (idf + 1)`` with Spark's IDF
        ``ln((n + 1)/(df + 1))`` (scikit-learn's ``TfidfTransformer(sublinear_tf=True)``).

        Returns the cached DataFrame of ``doc``, ``counts`` and ``tfidf``, the TF-IDF rows collected as a CSR
        matrix of shape ``(n_docs, n_terms)`` in paper order, and the smooth idf, shape ``(n_terms,)``."""
        if self._tfidf is None:
            self._tfidf = self._fit_tfidf()
        return self.frame, *self._tfidf

    def _fit_tfidf(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        from pyspark.ml.feature import IDF, ElementwiseProduct, Normalizer
        from pyspark.ml.linalg import DenseVector

        counts = self.frame
        idf_model = IDF(inputCol="counts", outputCol="idf_unused", minDocFreq=0).fit(counts)
        smooth_idf = np.asarray(idf_model.idf.toArray(), dtype=np.float64) + 1.0
        weighted = counts.withColumn("log_tf", sublinear_udf()("counts"))
        weighted = ElementwiseProduct(
            scalingVec=DenseVector(smooth_idf), inputCol="log_tf", outputCol="tfidf_raw"
        ).transform(weighted)
        vectors = Normalizer(p=2.0, inputCol="tfidf_raw", outputCol="tfidf").transform(weighted)
        self.frame = vectors.select("doc", "counts", "tfidf").cache()
        tfidf_rows = self.frame.select("doc", "tfidf").collect()
        tfidf_rows.sort(key=lambda row: row["doc"])
        tfidf = rows_to_csr([row["tfidf"] for row in tfidf_rows], self.n_terms)
        counts.unpersist()  # the new frame holds the counts too, and is cached now
        return tfidf, smooth_idf

    def unpersist(self) -> None:
        """Drop the cached DataFrame."""
        self.frame.unpersist()


@contextmanager
def spark_counts(
    spark: Any, X: Vocabulary | sparse.spmatrix | np.ndarray, partitions: int | None = None
) -> Iterator[SparkCounts]:
    """The counts of ``X`` (a :class:`Vocabulary` or a count matrix, shape ``(n_docs, n_terms)``, via
    :func:`~topics.models.vocabulary.counts_and_terms`) as a cached :class:`SparkCounts` on ``spark`` in
    ``partitions`` partitions (default: Spark's default parallelism), unpersisted on exit. Fit both Spark
    estimators on it to ship and vectorise the papers once."""
    matrix, terms = counts_and_terms(X)
    prepared = SparkCounts(spark, matrix, terms, partitions)
    try:
        yield prepared
    finally:
        prepared.unpersist()
