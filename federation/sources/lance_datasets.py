"""What a LanceDB source keeps per table and version: open dataset handles, the table as the
catalog describes it, index statistics and calibrated ANN settings.

Everything is keyed by the table's incarnation and Lance version (``lance_versions``), so a
commit, or a table dropped and made again, never serves what an older version said. Two
handles are kept per table, the current version's and the one before: a query planned just
before a commit still reads the version it was planned on, and checking out a version from an
open dataset reuses its caches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import pyarrow as pa

from federation.sources.lance_read import is_vector_type, normalize_type
from federation.sources.lance_vector import (
    METRIC,
    IndexInfo,
    Tuning,
    calibrate,
    find_index,
    k_bucket,
    vector_indexed,
)
from planner.catalog import TableSchema, VectorColumn

if TYPE_CHECKING:
    from lance import LanceDataset

KEEP_VERSIONS = 2  # dataset handles kept per table: the current one and the one before
# what ``describe`` learned of a table: version, schema, Arrow types by column, incarnation
Described = tuple[int, TableSchema, dict[str, pa.DataType], int]


class DatasetCache:
    """The per-version state of a LanceDB source's tables; ``open_latest(name)`` opens a
    table's dataset at its latest version (directly, or through a lancedb handle)."""

    def __init__(self, open_latest: Callable[[str], LanceDataset]) -> None:
        self._open_latest = open_latest
        self._lock = threading.Lock()
        self._calibrating = threading.Lock()  # one calibration at a time, never twice
        self.handles: dict[str, dict[tuple[int, int], LanceDataset]] = {}
        self.described: dict[str, Described] = {}
        self.tunings: dict[tuple[object, ...], Tuning] = {}
        self._indexes: dict[tuple[object, ...], IndexInfo | str] = {}

    def dataset(self, name: str, version: int | None, incarnation: int) -> LanceDataset:
        """The table's Lance dataset at ``version`` (latest when None), cached per version."""
        with self._lock:
            known = self.handles.setdefault(name, {})
            if any(key[0] != incarnation for key in known):  # the table was recreated
                known.clear()
            found = known.get((incarnation, version)) if version is not None else None
            base = next(reversed(known.values()), None)
        if found is not None:
            return found
        if base is not None and version is not None:
            ds = base.checkout_version(version)  # reuses the open dataset's caches
        else:
            ds = self._open_latest(name)
            if version is not None and ds.version != version:
                ds = ds.checkout_version(version)
        with self._lock:
            known = self.handles.setdefault(name, {})
            known[(incarnation, int(ds.version))] = ds
            for key in sorted(known, key=lambda k: k[1])[:-KEEP_VERSIONS]:
                del known[key]
        return ds

    def describe(self, name: str, version: int, incarnation: int) -> TableSchema:
        """The table at (``incarnation``, ``version``), both read together from the watch (a
        table dropped and made again starts at version 1 again, in a new incarnation)."""
        cached = self.described.get(name)
        if cached is not None and cached[0] == version and cached[3] == incarnation:
            return cached[1]
        ds = self.dataset(name, version, incarnation)
        schema: pa.Schema = ds.schema
        columns = tuple((f.name, normalize_type(f.type)) for f in schema)
        indexed = vector_indexed(ds)
        vectors = tuple(VectorColumn(f.name, f.type.list_size, METRIC, f.name in indexed)
                        for f in schema if is_vector_type(f.type))
        table = TableSchema(name, columns, int(ds.count_rows()), vectors=vectors)
        with self._lock:
            # never back to an older version: fragments read the version described here,
            # and a thread that read the versions before a commit may describe after it
            known = self.described.get(name)
            if known is None or (known[3], known[0]) <= (incarnation, version):
                self.described[name] = (version, table, {f.name: f.type for f in schema},
                                        incarnation)
        return table

    def tuning(self, table: str, version: int | None, incarnation: int, column: str,
               k: int) -> Tuning:
        """The calibrated ANN settings, cached per (table, version, index, k bucket)."""
        with self._calibrating:
            ds = self.dataset(table, version, incarnation)
            # reading index statistics parses a large JSON (tens of ms): once per version
            found = self._indexes.get((table, incarnation, ds.version, column))
            index = found if found is not None else find_index(ds, column)
            self._indexes[(table, incarnation, ds.version, column)] = index
            if isinstance(index, str):
                return Tuning(reason=f"APPROXIMATE requested; {index}")
            key = (table, incarnation, ds.version, index.key, k_bucket(k))
            tuning = self.tunings.get(key)
            if tuning is None:
                tuning = calibrate(ds, column, k_bucket(k), index)
                self.tunings[key] = tuning
            return tuning

    def forget(self) -> None:
        """Drop the handles and descriptions (the source closes); tunings stay valid."""
        with self._lock:
            self.handles.clear()
            self.described.clear()
