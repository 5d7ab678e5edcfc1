"""NEAREST on a Lance dataset: exact unless APPROXIMATE, then an ANN index tuned to a recall.

Findings (pylance 14.0.2, lancedb 0.40.0), checked against numpy and LanceDB's own search:

* ``ds.to_table(nearest={..., "use_index": False}, filter=f, prefilter=True)`` is a flat, exact
  search returning the same rows and the same float32 ``_distance`` (squared L2) as LanceDB's
  ``table.search(v).bypass_vector_index()``, ties and NULL vectors (never returned) included,
  and runs about twice as fast. With an index and no ``use_index=False`` the search is
  approximate, whatever the caller meant: an IVF_PQ index on 32-d data gave recall@10 ≈ 0.3 at
  Lance's defaults. So NEAREST is exact unless the query says APPROXIMATE (DESIGN §3).
* APPROXIMATE: the index's ``nprobes`` / ``refine_factor`` are chosen by ``calibrate``: the
  table's own vectors (``SAMPLES`` rows, fixed seed) are searched exactly and through the index
  with growing settings until the mean recall@k reaches ``TARGET_RECALL``. If no setting
  reaches it, or there is no usable index (an IVF index on the column in the L2 metric), the
  search stays exact and EXPLAIN says why. Calibration ignores prefilters: with a selective
  prefilter the recall may differ.
* a search is one uninterruptible Lance call; under a deadline an exact search therefore runs
  as one search per group of fragments (``fragments=`` works with ``nearest=``), merged by
  distance then row id, Lance's own tie order (``lance_read._grouped_search``). An APPROXIMATE
  search goes through an index spanning every fragment and stays one call.
* ``q`` may be 2-D: one call searches every sample (a ``query_index`` column tells them apart).
* a sample query is a stored vector and always finds its own row, which made the measured
  recall flatter the recall of new queries (0.95 measured, 0.91 on fresh random queries): the
  query's own row is left out of both result sets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from planner.errors import BindError
from planner.expressions import Const, ParamRef

TARGET_RECALL = 0.95
SAMPLES = 20
METRIC = "l2"  # LanceDB's default: squared Euclidean distance
_REFINE_STEPS = (2, 5, 10, 20, 50, 100, 200)
_PROBE_SHARES = (16, 8, 4, 2, 1, 1, 1)  # nprobes = partitions // share


@dataclass(frozen=True)
class IndexInfo:
    """A vector index usable for an L2 search of one column."""

    name: str
    kind: str  # IVF_PQ, IVF_FLAT, ...
    key: tuple[str, ...]  # segment uuids: a rebuilt index is a different index
    partitions: int


@dataclass(frozen=True)
class Tuning:
    """How one NEAREST runs: exact (``nprobes`` None) or through ``index`` at these settings."""

    index: str | None = None
    nprobes: int | None = None
    refine_factor: int | None = None
    recall: float | None = None
    k: int = 0  # the k the recall was measured at
    reason: str = ""  # why an APPROXIMATE search stayed exact

    @property
    def exact(self) -> bool:
        return self.nprobes is None

    def for_k(self, k: int) -> Tuning:
        """Settings for a smaller ``k``: keep at least as many refined candidates."""
        if self.exact or self.refine_factor is None or k >= self.k:
            return self
        refine = math.ceil(self.refine_factor * self.k / max(k, 1))
        return Tuning(self.index, self.nprobes, refine, self.recall, self.k, self.reason)

    def describe(self, k: int) -> str:
        if self.exact:
            return f"exact ({self.reason})" if self.reason else "exact"
        return (f"approximate (index {self.index}, nprobes={self.nprobes}, "
                f"refine_factor={self.refine_factor}, expected recall@{k}="
                f"{self.recall or 0:.2f})")


EXACT = Tuning()


def k_bucket(k: int) -> int:
    """Calibrations are shared by every k up to the next power of two (at least 8)."""
    return max(8, 1 << (k - 1).bit_length())


def nearest_options(column: str, vector: np.ndarray, k: int, tuning: Tuning) -> dict[str, Any]:
    """The ``nearest=`` argument of a Lance scan."""
    options: dict[str, Any] = {"column": column, "q": vector, "k": k, "metric": METRIC}
    if tuning.exact:
        options["use_index"] = False
    else:
        options.update(nprobes=tuning.nprobes, refine_factor=tuning.refine_factor)
    return options


def find_index(ds: Any, column: str) -> IndexInfo | str:
    """The column's usable vector index, or why there is none."""
    for desc in ds.describe_indices():
        if list(desc.field_names) != [column] or not str(desc.index_type).startswith("IVF"):
            continue
        stats = ds.stats.index_stats(desc.name)
        first = (stats.get("indices") or [{}])[0]
        metric = str(first.get("metric_type", "")).lower()
        if metric != METRIC:
            return f"index {desc.index_type} on {column} uses the {metric} metric, not l2"
        key = tuple(str(seg.uuid) for seg in desc.segments)
        return IndexInfo(desc.name, str(desc.index_type), key,
                         int(first.get("num_partitions", 1)))
    return f"no vector index on {column}"


def vector_indexed(ds: Any) -> frozenset[str]:
    """The columns an IVF index covers (the catalog's ``VectorColumn.indexed``). Only the
    index list is read (well under a millisecond); whether the index suits an L2 search is
    ``find_index``'s question when an APPROXIMATE search runs, which stays exact otherwise."""
    return frozenset(desc.field_names[0] for desc in ds.describe_indices()
                     if len(desc.field_names) == 1 and str(desc.index_type).startswith("IVF"))


def calibrate(ds: Any, column: str, k: int, index: IndexInfo) -> Tuning:
    """The cheapest ladder step whose recall@k on sample queries reaches ``TARGET_RECALL``."""
    queries, own = _sample_vectors(ds, column)
    if len(queries) == 0:
        return Tuning(reason="no vectors to calibrate the index on")
    truth = _top_ids(ds, nearest_options(column, queries, k + 1, EXACT), own, k)
    best = 0.0
    for nprobes, refine in _ladder(index.partitions):
        tuning = Tuning(index.kind, nprobes, refine, None, k)
        found = _top_ids(ds, nearest_options(column, queries, k + 1, tuning), own, k)
        recall = _recall(truth, found)
        if recall >= TARGET_RECALL:
            return Tuning(index.kind, nprobes, refine, recall, k)
        best = max(best, recall)
    return Tuning(reason=f"index {index.kind} reaches recall@{k}={best:.2f} at most, below "
                         f"{TARGET_RECALL}")


def _ladder(partitions: int) -> list[tuple[int, int]]:
    steps: list[tuple[int, int]] = []
    for share, refine in zip(_PROBE_SHARES, _REFINE_STEPS, strict=True):
        step = (max(1, partitions // share), refine)
        if step not in steps:
            steps.append(step)
    return steps


def _sample_vectors(ds: Any, column: str) -> tuple[np.ndarray, list[int]]:
    """Vectors of up to ``SAMPLES`` rows (fixed seed) and those rows' ids."""
    rows = ds.count_rows()
    if rows == 0:
        return np.zeros((0, 0), np.float32), []
    picks = np.random.default_rng(0).choice(rows, min(rows, 2 * SAMPLES), replace=False)
    taken = ds.take(sorted(int(i) for i in picks), columns=[column, "_rowid"])
    taken = taken.filter(taken.column(column).is_valid()).slice(0, SAMPLES)
    vectors = taken.column(column).combine_chunks()
    flat = np.asarray(vectors.flatten().to_numpy(zero_copy_only=False))
    return flat.reshape(len(vectors), vectors.type.list_size), taken.column("_rowid").to_pylist()


def _top_ids(ds: Any, nearest: dict[str, Any], own: list[int], k: int) -> list[set[int]]:
    """The k nearest row ids of each query, leaving out the query's own row: a stored vector
    always finds itself, which would flatter the recall of queries that are not stored."""
    found = ds.to_table(columns=["_distance"], with_row_id=True, nearest=nearest)
    ordered: list[list[int]] = [[] for _ in own]
    for query, row in zip(found.column("query_index").to_pylist(),
                          found.column("_rowid").to_pylist(), strict=True):
        if row != own[query]:
            ordered[query].append(row)
    return [set(rows[:k]) for rows in ordered]


def _recall(truth: list[set[int]], found: list[set[int]]) -> float:
    scores = [len(t & f) / len(t) for t, f in zip(truth, found, strict=True) if t]
    return float(np.mean(scores)) if scores else 1.0


# ---- values from the query
def check_count(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise BindError(f"{what} must be a non-negative integer, not {value!r}")
    return int(value)


def query_vector(expr: object, params: Mapping[str, object],
                 column_type: pa.DataType) -> tuple[float, ...]:
    """The query vector as floats: numeric, finite, of the column's dimension."""
    if isinstance(expr, Const):
        raw = expr.value
    elif isinstance(expr, ParamRef):
        if expr.name not in params:
            raise BindError(f"parameter ${expr.name} has no value")
        raw = params[expr.name]
    else:
        raise BindError("the NEAREST vector must be a literal or a $parameter")
    if isinstance(raw, str | bytes) or not (isinstance(raw, list | tuple)
                                            or hasattr(raw, "__array__")):
        raise BindError(f"the NEAREST vector must be a list of numbers, not "
                        f"{type(raw).__name__}")
    try:
        array = np.asarray(raw)
    except (ValueError, TypeError) as err:
        raise BindError(f"the NEAREST vector is not a list of numbers: {err}") from err
    if array.ndim != 1 or array.dtype.kind not in "iuf":
        raise BindError("the NEAREST vector must be a flat list of numbers")
    dim = column_type.list_size
    if array.shape[0] != dim:
        raise BindError(f"the NEAREST vector has {array.shape[0]} dimensions, the column has "
                        f"{dim}")
    with np.errstate(over="ignore", invalid="ignore"):
        stored = array.astype(column_type.value_type.to_pandas_dtype())
    if not np.isfinite(stored).all():
        raise BindError("the NEAREST vector holds a NaN or infinite value (after conversion to "
                        f"{column_type.value_type})")
    return tuple(float(x) for x in stored)
