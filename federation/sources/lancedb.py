"""LanceDB: table scans and nearest-neighbour search (exact, or tuned ANN), results as Arrow.

``fed.LanceDB("lance/")`` opens (creating if missing) a local LanceDB directory, read with
``read_consistency_interval=0`` by default, so writes by other connections and processes are
seen on the next read (DESIGN §8). Remote URIs are refused: this source never touches the
network.

Reads never import ``lancedb`` (``lance_dir``): the tables are the directory's ``*.lance``
subdirectories, as ``list_tables`` lists them, and each table's dataset is ``lance.dataset``
on one, as ``table.to_lance()`` opens it; this spares the process lancedb's own copy of the
Lance engine (about 100 MB resident). Writes, and reads with another
``read_consistency_interval``, go through ``lancedb`` handles (``lancedb.connect``, imported
then: about 2 s). Fragments run on the table's dataset, at the version the query was planned
on (handles, descriptions and ANN tunings cached per table and version: ``lance_datasets``):
a ``Scan`` through the dataset scanner (``lance_read``), a ``VectorSearch`` as the scanner's
``nearest`` search, exact unless APPROXIMATE (``lance_vector``). Versions are checked by
``stat`` and the dataset is read only when something moved (``lance_versions``). Filters are
DataFusion text written by ``lance_filter``.

Findings (lancedb 0.40.0, pylance 14.0.2):

* distance: the "l2" metric reports the *squared* Euclidean distance in ``_distance``
  (float32), verified against numpy; the DuckDB stage must compute the same for
  ``distance(col, vec)``. Rows whose vector is NULL never appear in a vector search.
* the prefilter gives the k nearest rows *among the rows passing the filter*.
* catalog types: ``large_string`` → ``string``, ``large_binary`` → ``binary``, dictionary
  columns → their value type, ``string_view`` → ``string``; everything else (including
  ``fixed_size_list<float>[d]`` vectors) is reported as Lance stores it. Results are cast to
  the declared types.
* an empty projection reads one cheap column and drops it; a limit or k of 0 returns an empty
  table directly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Hashable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from federation.errors import (
    ConfigurationError,
    FederationError,
    SourceError,
    SourceUnavailableError,
)
from federation.sources.base import CompiledFragment, Source, empty_table
from federation.sources.lance_compile import compile_scan, compile_search
from federation.sources.lance_datasets import DatasetCache
from federation.sources.lance_dir import open_dataset, table_names
from federation.sources.lance_read import (
    DISTANCE,
    LanceFragment,
    keep_keys,
    scan_batches,
    scanner,
    shape,
    stream,
)
from federation.sources.lance_vector import METRIC, Tuning
from federation.sources.lance_versions import VersionWatch
from planner.capabilities import Capabilities
from planner.catalog import SourceInfo
from planner.logical import Plan, Scan, VectorSearch

if TYPE_CHECKING:
    from lance import LanceDataset

    from federation.writes.store import StoreWriter

__all__ = ["CAPABILITIES", "DISTANCE", "METRIC", "LanceDB", "LanceFragment"]

CAPABILITIES = Capabilities.of_dialect(
    "lance",
    value_families=frozenset({"int", "float", "decimal", "string", "date", "bool"}),
    projection=True,
    limit=True,
    joins=frozenset(),
    receives_keys=True,  # an IN list in the filter up to lance_filter.FILTER_KEYS, else kept
    # batch by batch after the scan (lance_read.keep_keys)
    key_chunk=None,  # so one scan keeps them all (chunks would each scan the whole table)
)


class LanceDB(Source):
    """``fed.LanceDB("lance/")``: a local LanceDB directory, created if missing.

    ``exact_search=True`` keeps every NEAREST exact, even when the query says APPROXIMATE.
    """

    kind = "lancedb"
    streams = True  # Lance scanners run on their own threads; any thread may drain them

    def __init__(self, path: str | Path, *,
                 read_consistency_interval: timedelta | None = timedelta(0),
                 exact_search: bool = False) -> None:
        if not isinstance(path, str | Path) or not str(path):
            raise ConfigurationError("fed.LanceDB needs a directory path")
        if "://" in str(path):
            raise ConfigurationError("fed.LanceDB takes a local directory, not a URI")
        self.path = Path(path)
        self.read_consistency_interval = read_consistency_interval
        self.exact_search = exact_search
        self.name = ""
        self._db: Any = None  # lancedb's connection: for writes, or a non-zero interval
        self._opened = False
        # every read sees the latest commit: the directory is read without lancedb
        self._direct = read_consistency_interval == timedelta(0)
        self._tables: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._info: SourceInfo | None = None
        self._datasets = DatasetCache(self._open_latest)  # handles, descriptions, tunings
        self._watch = VersionWatch(self.path, self._table_names, self._read_version)
        self._writer: StoreWriter | None = None

    def writer(self) -> StoreWriter:
        from federation.writes.lance_writer import LanceWriter

        with self._lock:
            self._writer = self._writer or LanceWriter(self)
            return self._writer

    # ---- connection
    def open(self, name: str) -> None:
        self.name = name
        with self._lock:
            try:
                self._make_dir()
                table_names(self.path)
            except Exception as err:
                raise self._cannot_open(err) from err
            self._opened = True
        if not self._direct:
            self._connect()

    def _make_dir(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise NotADirectoryError(f"{str(self.path)!r} is not a directory")
        self.path.mkdir(parents=True, exist_ok=True)

    def _cannot_open(self, err: Exception) -> SourceUnavailableError:
        return SourceUnavailableError(
            f"cannot open LanceDB directory {str(self.path)!r}: {err}",
            source=self.name or str(self.path))

    def _connect(self) -> Any:
        """lancedb's connection (its handles write; with a non-zero interval they read)."""
        with self._lock:
            if self._db is not None:
                return self._db
            try:
                self._make_dir()
                import lancedb  # heavy (about 2 s, 100 MB): only when a handle is needed

                db = lancedb.connect(str(self.path),
                                     read_consistency_interval=self.read_consistency_interval)
                db.list_tables()
            except Exception as err:
                raise self._cannot_open(err) from err
            self._db = db
            return db

    def _table_names(self) -> list[str]:
        """The directory's tables, as lancedb lists them (``lance_dir``); a source read before
        (or again after) ``open`` makes its directory first, as lancedb's connect did."""
        if not self._opened:
            with self._lock:
                self._make_dir()
                self._opened = True
        names = table_names(self.path)
        with self._lock:  # forget handles of dropped tables
            for gone in set(self._tables) - set(names):
                del self._tables[gone]
        return names

    def _table(self, name: str) -> Any:
        with self._lock:
            handle = self._tables.get(name)
        if handle is None:
            handle = self._connect().open_table(name)
            with self._lock:
                self._tables[name] = handle
        return handle

    def _read_version(self, name: str) -> int:
        if self._direct:
            return int(open_dataset(self.path, name).version)
        try:
            return int(self._table(name).version)
        except Exception:  # a stale handle (table dropped and recreated): reopen once
            with self._lock:
                self._tables.pop(name, None)
            return int(self._table(name).version)

    def _unavailable(self, what: str, err: Exception) -> SourceUnavailableError:
        return SourceUnavailableError(f"cannot read {what} of {str(self.path)!r}: {err}",
                                      source=self.name or str(self.path))

    # ---- catalog
    def _check_dir(self) -> None:
        """The directory is still there: once attached it is never made again (a deleted
        one would otherwise read as a source without tables)."""
        if self._opened and not os.path.isdir(self.path):
            raise SourceUnavailableError(
                f"LanceDB directory {str(self.path)!r} was deleted since it was attached",
                source=self.name or str(self.path))

    def version(self) -> Hashable:
        """(table, Lance version, incarnation) for every table: every commit by any process
        makes a new version, a table created again a new incarnation (``lance_versions``)."""
        self._check_dir()
        try:
            return self._watch.token()
        except FederationError:
            raise
        except Exception as err:
            raise self._unavailable("table versions", err) from err

    def info(self) -> SourceInfo:
        return self.info_at(self.version())

    def info_at(self, version: Hashable) -> SourceInfo:
        """The tables at the versions ``version()`` just read: a cached query's key and its
        plan name the same versions, listed once (the listing is most of a miss's cost)."""
        try:
            tables = {name: self._datasets.describe(name, v, incarnation)
                      for name, v, incarnation in version}  # type: ignore[attr-defined]
            info = self._info
            if info is None or any(info.tables.get(n) is not t for n, t in tables.items()) \
                    or len(info.tables) != len(tables):
                self._info = info = SourceInfo(self.name, self.kind, CAPABILITIES, tables)
        except FederationError:
            raise
        except Exception as err:
            raise self._unavailable("the catalog", err) from err
        return info

    # ---- datasets
    def _dataset(self, name: str, version: int | None, incarnation: int | None = None
                 ) -> LanceDataset:
        """The table's Lance dataset at ``version`` (latest when None), cached per version."""
        incarnation = self._watch.incarnation(name) if incarnation is None else incarnation
        return self._datasets.dataset(name, version, incarnation)

    def _open_latest(self, name: str) -> LanceDataset:
        return open_dataset(self.path, name) if self._direct else self._table(name).to_lance()

    def planned(self, table: str) -> tuple[int | None, int]:
        """The version and incarnation of ``table`` the current catalog describes (read
        together: the watch's incarnation may have moved on since)."""
        cached = self._datasets.described.get(table)
        if cached is None:
            return None, self._watch.incarnation(table)
        return cached[0], cached[3]

    def planned_rows(self, table: str) -> int | None:
        """Rows of ``table`` in the catalog the current query was planned on (None: not
        described yet)."""
        cached = self._datasets.described.get(table)
        return None if cached is None else cached[1].row_count

    # ---- fragments
    def compile(self, fragment: Plan, params: Mapping[str, object]) -> CompiledFragment:
        if isinstance(fragment, Scan):
            return compile_scan(self, fragment, params)
        if isinstance(fragment, VectorSearch):
            return compile_search(self, fragment, params)
        raise TypeError("LanceDB runs Scan and VectorSearch fragments")

    def schema_of(self, table: str) -> dict[str, pa.DataType]:
        cached = self._datasets.described.get(table)
        if cached is not None:  # read with the catalog this query was planned on
            return cached[2]
        return self.live_schema(table)

    def live_schema(self, table: str) -> dict[str, pa.DataType]:
        """The table's columns at its latest version, from its handle (no catalog read)."""
        try:
            schema = (open_dataset(self.path, table) if self._direct
                      else self._table(table)).schema
            return {f.name: f.type for f in schema}
        except FederationError:
            raise
        except Exception as err:
            raise SourceError(f"cannot open table {table!r}: {err}", source=self.name) from err

    def tuning(self, table: str, version: int | None, incarnation: int, column: str,
                k: int) -> Tuning:
        """The calibrated ANN settings, cached per (table, version, index, k bucket)."""
        try:
            return self._datasets.tuning(table, version, incarnation, column, k)
        except FederationError:
            raise
        except Exception as err:
            raise SourceError(f"cannot calibrate the vector index of {table!r}: {err}",
                              source=self.name) from err

    def execute(self, compiled: CompiledFragment) -> pa.Table:
        c = self._check(compiled)
        if c.limit == 0 or c.k == 0:
            return empty_table(c.schema)
        try:
            ds = self._dataset(c.table, c.version, c.incarnation)
            # batch by batch, so a cancelled query (deadline, close()) stops the scan
            batches = list(keep_keys(scan_batches(ds, c), c) if c.keys else scan_batches(ds, c))
            # a second scanner only for an empty result's schema: building one (and its
            # projected schema) costs about a millisecond, a tenth of a top-10 search
            result = pa.Table.from_batches(batches) if batches else \
                scanner(ds, c).projected_schema.empty_table()
            shaped: pa.Table = shape(result, c)
        except FederationError:
            raise
        except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError,
                pa.ArrowNotImplementedError) as err:
            raise self._failed(c, f"a result column does not fit its declared type: {err}") \
                from err
        except Exception as err:
            raise self._failed(c, str(err)) from err
        return shaped

    def execute_batches(self, compiled: CompiledFragment) -> pa.RecordBatchReader:
        """The fragment's rows as a stream of batches in the declared schema."""
        c = self._check(compiled)
        if c.limit == 0 or c.k == 0:
            return pa.RecordBatchReader.from_batches(empty_table(c.schema).schema, iter(()))
        try:
            reader = scan_batches(self._dataset(c.table, c.version, c.incarnation), c)
        except FederationError:
            raise
        except Exception as err:
            raise self._failed(c, str(err)) from err
        return stream(keep_keys(self._guarded(reader, c), c) if c.keys
                      else self._guarded(reader, c), c)

    def _guarded(self, reader: Iterator[pa.RecordBatch], c: LanceFragment
                 ) -> Iterator[pa.RecordBatch]:
        try:
            yield from reader
        except Exception as err:
            raise self._failed(c, str(err)) from err

    @staticmethod
    def _check(compiled: CompiledFragment) -> LanceFragment:
        if not isinstance(compiled, LanceFragment):
            raise TypeError("LanceDB executes fragments it compiled")
        return compiled

    def _failed(self, c: LanceFragment, message: str) -> SourceError:
        return SourceError(message, source=self.name, fragment=c.native)

    def close(self) -> None:
        with self._lock:
            self._tables.clear()
            self._db = None
            self._opened = False
            self._info = None
        self._datasets.forget()
        self._watch.forget()
