"""TF-IDF on Spark for ``engine: spark`` (:mod:`topics.models.spark_engine`): token lists to count vectors and
scikit-learn's sublinear smooth TF-IDF rows, L2-normalised, and Spark ML vectors collected as SciPy matrices.

pyspark is an optional dependency: nothing here imports it until a function is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse


def rows_to_csr(rows: Sequence[Any], n_cols: int) -> sparse.csr_matrix:
    """Spark ML vectors (sparse or dense) as one CSR matrix."""
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


def tfidf_on_spark(
    spark: Any, documents: Sequence[Sequence[str]], terms: Sequence[str], slices: int, cached: list[Any]
) -> tuple[Any, sparse.csr_matrix]:
    """Tokens -> counts -> sublinear TF-IDF, L2-normalised.

    Returns the cached DataFrame of columns ``doc`` (paper index), ``counts`` and ``tfidf`` (vectors of
    ``len(terms)``), and the TF-IDF rows collected as a CSR matrix of shape ``(n_docs, n_terms)`` in input order.
    ``slices`` is the number of partitions of the papers. Every DataFrame cached here is appended to ``cached``
    (the caller unpersists them)."""
    from pyspark.ml.feature import IDF, CountVectorizerModel, ElementwiseProduct, Normalizer
    from pyspark.ml.linalg import DenseVector
    from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

    schema = StructType([
        StructField("doc", IntegerType(), False),
        StructField("tokens", ArrayType(StringType()), False),
    ])
    rows = [(i, list(doc)) for i, doc in enumerate(documents)]
    frame = spark.createDataFrame(spark.sparkContext.parallelize(rows, slices), schema)
    counts = CountVectorizerModel.from_vocabulary(list(terms), inputCol="tokens", outputCol="counts").transform(
        frame
    )
    counts = counts.select("doc", "counts").cache()
    cached.append(counts)
    idf_model = IDF(inputCol="counts", outputCol="idf_unused", minDocFreq=0).fit(counts)
    smooth_idf = DenseVector(np.asarray(idf_model.idf.toArray()) + 1.0)
    weighted = counts.withColumn("log_tf", sublinear_udf()("counts"))
    weighted = ElementwiseProduct(scalingVec=smooth_idf, inputCol="log_tf", outputCol="tfidf_raw").transform(
        weighted
    )
    vectors = Normalizer(p=2.0, inputCol="tfidf_raw", outputCol="tfidf").transform(weighted)
    vectors = vectors.select("doc", "counts", "tfidf").cache()
    cached.append(vectors)
    tfidf_rows = vectors.select("doc", "tfidf").collect()
    tfidf_rows.sort(key=lambda row: row["doc"])
    tfidf = rows_to_csr([row["tfidf"] for row in tfidf_rows], len(terms))
    counts.unpersist()  # ``vectors`` holds the counts too, and is cached now
    return vectors, tfidf
