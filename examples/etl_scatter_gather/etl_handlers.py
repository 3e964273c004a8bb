"""Handlers for the scatter-gather ETL example.

`transform_shards` and `count_bad` are `batch` handlers: the runtime calls them once per batch
with one numpy array per parameter (strings as object arrays) and expects one result per row.
`quality` is a `jit` handler: plain numeric Python that numba can compile (nopython mode), so it
must not touch strings, dicts or any Python object.
"""

from __future__ import annotations

import numpy as np

# Datasets that arrive without cleansing upstream: many more bad records.
RAW_DATASETS = {"clicks-raw"}


def transform_shards(rows: np.ndarray, shard: np.ndarray, shards: np.ndarray) -> np.ndarray:
    """The value (say, revenue in EUR) of each shard: an even split of the rows, weighted by shard."""
    rows = rows.astype(np.float64)
    per_shard = rows / np.maximum(shards, 1)
    return np.round(per_shard * (1.0 + 0.01 * shard) * 0.25, 2)


def count_bad(dataset: np.ndarray, shard: np.ndarray, rows: np.ndarray, shards: np.ndarray) -> np.ndarray:
    """Bad records found in each shard: one in fifty rows, one in five for raw datasets."""
    per_shard = rows // np.maximum(shards, 1)
    divisor = np.array([5 if name in RAW_DATASETS else 50 for name in dataset], dtype=np.int64)
    return (per_shard // divisor + shard % 2).astype(np.int64)


def quality(rows: int, bad: int) -> float:
    """Share of good records, in [0, 1]."""
    if rows <= 0:
        return 0.0
    good = rows - bad
    if good < 0:
        good = 0
    return good / rows


def load(job_id: str, total: float) -> bool:
    """Write the job's result to the warehouse. Idempotent: keyed by job id."""
    return total > 0.0
