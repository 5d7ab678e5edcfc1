"""The bulk read path of a SQLite source: ADBC's SQLite driver returns Arrow batches directly
(``sqlite_read.AdbcReader``), several rowid ranges of one table in parallel
(``sqlite_ranges``), where apsw would build a Python tuple per row.

The source decides when to take this path and falls back to apsw on any of ``failures()``
(a value ADBC cannot type exactly, or a driver error); this module owns the driver's
connection and the threads that read ranges, and gives back tables or batches in the declared
schema.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

import pyarrow as pa

from federation.sources import sqlite_ranges as rr
from federation.sources import sqlite_read as rd
from federation.sources.base import CompiledFragment, arrow_schema


class AdbcReads:
    """ADBC reads of the SQLite file at ``path``: its driver loads on the first one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._reader: rd.AdbcReader | None = None
        self._range_pool: ThreadPoolExecutor | None = None

    @staticmethod
    def failures() -> tuple[type[Exception], ...]:
        """What sends a fragment back to apsw: a type ADBC cannot give exactly, or a driver
        error (a later batch's type mismatch surfaces from the reader as an OSError)."""
        from adbc_driver_manager import Error  # loaded with the driver, on a bulk read

        return rd.Unfit, pa.ArrowException, OSError, Error

    def reader(self) -> rd.AdbcReader:
        with self._lock:
            if self._reader is None:
                self._reader = rd.AdbcReader(self.path)
            return self._reader

    def table(self, compiled: CompiledFragment) -> pa.Table:
        """The fragment's rows in its declared schema, read whole."""
        sql = rd.read_sql(compiled.native, compiled.schema)
        try:
            batches, reader = self._batches(sql, compiled.params, rd.BATCH_ROWS)
        except OSError:  # typed by a first batch of NULLs: one batch lets ADBC see every value
            batches, reader = self._batches(sql, compiled.params, rd.ONE_BATCH)
        rd.check_types(reader.schema, batches[0] if batches else None, compiled.schema)
        return pa.Table.from_batches([rd.conform(b, compiled.schema) for b in batches],
                                     schema=arrow_schema(compiled.schema))

    def _batches(self, sql: str, params: tuple[object, ...], batch_rows: int
                 ) -> tuple[list[pa.RecordBatch], pa.RecordBatchReader]:
        cur, reader = self.reader().batches(sql, params, batch_rows)
        try:
            return list(reader), reader
        finally:
            cur.close()

    def in_ranges(self, compiled: rr.SqliteFragment, data_version: Callable[[], int]
                  ) -> pa.Table | None:
        """The fragment read as its rowid ranges in parallel (``sqlite_ranges``); None when
        the data changed between the ranges (the caller reads it whole)."""
        def read(sql: str, params: Sequence[object]) -> pa.Table:
            return self.table(replace(compiled, native=sql, params=tuple(params)))
        return rr.read_in_ranges(compiled, read, self._run_all, data_version)

    def _run_all(self, jobs: list[Callable[[], pa.Table]]) -> list[pa.Table]:
        with self._lock:
            if self._range_pool is None:  # threads keep their own ADBC connections
                self._range_pool = ThreadPoolExecutor(rr.PARTS, thread_name_prefix="fed-sqlite")
            pool = self._range_pool
        futures = [pool.submit(job) for job in jobs]
        wait(futures)  # never leave a range running behind a failed one
        return [f.result() for f in futures]

    def stream(self, compiled: CompiledFragment, source: str
               ) -> Iterator[pa.RecordBatch] | None:
        """ADBC's batches, when its first batch shows that every later one will fit."""
        try:
            cur, reader = self.reader().batches(
                rd.read_sql(compiled.native, compiled.schema), compiled.params)
        except self.failures():
            return None
        try:
            first = next(iter(reader), None)
            if rd.check_types(reader.schema, first, compiled.schema):
                return rd.stream(cur, reader, first, compiled, source)
        except self.failures():
            pass
        cur.close()
        return None

    def close(self) -> None:
        with self._lock:
            pool, self._range_pool = self._range_pool, None
            reader, self._reader = self._reader, None
        if pool is not None:
            pool.shutdown(wait=True)
        if reader is not None:
            reader.close()
