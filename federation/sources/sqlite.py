"""SQLite through apsw: catalog introspection, fragment → SQL with bound values, rows → Arrow.

apsw connections are per thread, so each thread opens its own, read-only (``mode=ro``: a
query can never change, create or checkpoint the file); ``case_sensitive_like`` makes LIKE
behave as in DuckDB. Bulk fragments are read through ADBC instead (``sqlite_adbc``), falling
back to apsw for any value it cannot type exactly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Hashable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from federation import cancel
from federation.errors import ConfigurationError, SourceError, SourceUnavailableError
from federation.lazy import lazy_module
from federation.sources import sqlite_ranges as rr
from federation.sources import sqlite_read as rd
from federation.sources import sqlite_schema
from federation.sources.base import CompiledFragment, Source, arrow_schema
from federation.sources.connections import PerThread
from federation.sources.sqlite_adbc import AdbcReads
from federation.sources.sqlite_catalog import SqliteCatalog
from federation.sources.sqlite_graph import compile_table_match
from federation.sources.sqlite_sql import scan_sql
from federation.sources.sqlite_templates import Templates
from federation.sources.sqlite_version import DataVersion
from federation.sqlgen import quote
from planner import cardinality
from planner.capabilities import Capabilities
from planner.catalog import SourceInfo
from planner.expressions import ColumnRef
from planner.logical import Plan, Scan
from planner.mirror_match import TableMatch
from planner.types import family

if TYPE_CHECKING:
    import apsw

    from federation.writes.sqlite_writer import SqliteWriter as TableWriter
    from federation.writes.store import StoreWriter
else:
    apsw = lazy_module("apsw")  # ~160 ms to import: on the first connection

CAPABILITIES = Capabilities.of_dialect(
    "sqlite",
    # dates compare correctly as ISO-8601 text; decimals are bound as floats
    value_families=frozenset({"int", "float", "decimal", "string", "date", "bool"}),
    projection=True,
    limit=True,
    joins=frozenset({"inner", "left"}),
    # BINARY collation is DuckDB's code-point order; NULLS FIRST/LAST is always written; dates
    # sort as ISO text; SQLite stores no NaN
    order=frozenset({"int", "float", "string", "date", "bool"}),
    # not sum over integers: SQLite raises "integer overflow" past 2**63 where DuckDB's HUGEINT
    # sum answers (avg never raises: SQLite then averages in doubles, as DuckDB returns)
    aggregates=frozenset({("count", "*"), *((f, k) for f in ("count", "min", "max")
                                            for k in ("int", "float", "string", "date", "bool")),
                          ("avg", "int"), ("sum", "float"), ("avg", "float")}),
    # global aggregates only: SQLite groups with a sorter (1.2 s for 1M rows, 10 groups)
    # where reading the rows and grouping in DuckDB takes 0.5 s; one row back always wins.
    # ({"int", "string", "date", "bool"} group exactly, should a cost model choose it.)
    group_families=frozenset(),
    # SQLite joins by nested loops: past a few hundred thousand rows DuckDB's hash join over
    # the fetched tables wins (TPC-H Q3 at scale 1: 3.2 s inside SQLite, about 1 s outside)
    join_rows=200_000,
    keys_need_index=True,
    receives_keys=True,
    subqueries=True,
)


class SQLite(Source):
    """``fed.SQLite("crm.db")``: the file is created if missing (its directory must exist, so
    that a typo in a path is an error rather than a new empty database)."""

    kind = "sqlite"

    def __init__(self, path: str | Path, *, read_path: str = "auto") -> None:
        if not isinstance(path, str | Path) or not str(path):
            raise ConfigurationError("fed.SQLite needs a file path")
        if read_path not in rd.READ_PATHS:  # "adbc"/"apsw" force one reader (tests, benchmarks)
            raise ConfigurationError(f"fed.SQLite read_path must be one of {rd.READ_PATHS}")
        self.read_path = read_path
        self._sizes: tuple[Hashable, dict[str, int | None]] = ((), {})
        self.path = Path(path)
        self.name = ""
        self._bulk = AdbcReads(self.path)  # bulk reads (ADBC); apsw reads everything else
        # each thread's connection, returned for reuse when its thread ends
        self._cons = PerThread(self._connect, _close_connection)
        self._lock = threading.Lock()
        self._watch: DataVersion | None = None  # version(): see sqlite_version
        self._catalog = SqliteCatalog(self.kind, CAPABILITIES)
        self._file: tuple[int, int] | None = None  # (device, inode) at attach
        self._writer: TableWriter | None = None
        self._templates = Templates()  # fragment texts and estimates kept across runs

    # ---- connections
    def _connect(self) -> apsw.Connection:
        """A read-only connection (``rd.read_uri``): it never creates, writes or checkpoints
        the file."""
        self._check_file()
        try:
            con = apsw.Connection(rd.read_uri(self.path),
                                  flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
            con.set_busy_handler(rd.wait_while_busy)  # a cancelled query stops waiting
            for pragma in rd.READ_PRAGMAS:
                con.execute(pragma)
            con.execute("SELECT count(*) FROM sqlite_schema").fetchall()  # fails if not a db
        except (apsw.Error, OSError) as err:
            reason = str(err)
            if getattr(err, "extendedresult", None) == _READONLY_ROLLBACK:
                reason = ("a writer stopped mid-transaction and left a hot journal, which only "
                          "a read-write connection may roll back (this engine only reads: "
                          "open the file once with sqlite3 to recover it)")
            raise SourceUnavailableError(f"cannot open SQLite file {str(self.path)!r}: {reason}",
                                         source=self.name or str(self.path)) from err
        return con

    def _con(self) -> apsw.Connection:
        return self._cons.get()

    def open(self, name: str) -> None:
        """Attach: a missing file is created here, and only here (empty: a valid database)."""
        self.name = name
        if not self.path.parent.is_dir():
            raise SourceUnavailableError(
                f"the directory of SQLite file {str(self.path)!r} does not exist",
                source=self.name or str(self.path))
        try:
            with self.path.open("xb"):
                pass
        except FileExistsError:
            pass
        except OSError as err:
            raise SourceUnavailableError(f"cannot create SQLite file {str(self.path)!r}: {err}",
                                         source=name) from err
        self._file = _identity(self.path)
        self._con()

    def _check_file(self) -> None:
        """The attached file is still there, and still the same file: connections already
        open would go on reading a deleted or replaced file's old contents, new ones would
        not open (or open another file), so both are an error rather than a mixed answer."""
        if self._file is not None and _identity(self.path) != self._file:
            raise self._file_gone()

    def _file_gone(self) -> SourceUnavailableError:
        return SourceUnavailableError(
            f"SQLite file {str(self.path)!r} was deleted or replaced since it was attached",
            source=self.name or str(self.path))

    # ---- catalog
    def info(self) -> SourceInfo:
        """The catalog, read again only when the file's version moved (``version()``: a
        stat, and a pragma when the stat moved)."""
        try:
            version = self.version()
        except SourceUnavailableError:  # a writer holds the file: read it the way that waits
            return self._read_info()
        return self.info_at(version)

    def _read_info(self) -> SourceInfo:
        self._check_file()
        return self._catalog.read(self.name, self._con())

    def info_at(self, version: Hashable) -> SourceInfo:
        return self._catalog.at(version, self._read_info)

    def _rowid_span(self, table: str) -> tuple[int, int] | None:
        return sqlite_schema.rowid_span(self._con(), table)

    def _table_rows(self, table: str) -> int | None:
        """Rows of ``table`` (``sqlite_schema.table_rows``), estimated again when the data
        changed (by apsw's own data version: no statement per query; a missed change only
        skews an estimate); the catalog's count when it was taken at this data version."""
        con = self._con()
        counted = self._catalog.counted_now(con)
        if counted is not None and table in counted.tables:
            return counted.tables[table].row_count
        key, sizes = self._sizes
        if key != (current := con.data_version()):
            key, sizes = current, {}
            self._sizes = (key, sizes)
        if table not in sizes:
            sizes[table] = sqlite_schema.table_rows(con, table)
        return sizes[table]

    def version(self) -> Hashable:
        """The file's data version (``sqlite_version``): it moves with every commit by any
        other connection or process, the engine's own writes included (they never go
        through the connection it is read on)."""
        versions = self._watch
        if versions is None:
            with self._lock:
                versions = self._watch = self._watch or DataVersion(
                    str(self.path), self._connect, self._file, self._file_gone)
        try:
            return versions.token()
        except apsw.Error as err:  # locked by a writer, most often: no version now
            raise SourceUnavailableError(f"cannot read its data version: {err}",
                                         source=self.name) from err

    # ---- fragments
    def compile(self, fragment: Plan, params: Mapping[str, object]) -> CompiledFragment:
        if isinstance(fragment, TableMatch):  # a graph pattern over mirrored tables
            return self._compile_match(fragment, params)
        if not isinstance(fragment, Scan):
            raise TypeError("SQLite runs Scan fragments")
        # the text and the estimate are kept across runs (``sqlite_templates``)
        sql, values = self._templates.text(fragment, params, _column_sql,
                                           partial(scan_sql, fragment))
        base = fragment.tables[0]
        # the catalog this query was planned on (info() ran moments ago, for the planner), with
        # row counts fresher than the catalog's
        info = self._catalog.current or self.info()
        estimate = self._templates.estimate(
            fragment, (info, self._con().data_version()),
            lambda: cardinality.estimate(fragment, {self.name: info}, self._table_rows))
        rows = partial(self._table_rows, base.table)
        span = self._rowid_span(base.table) if rr.splittable(fragment, estimate, rows) else None
        if span is None or self.read_path == "apsw":
            return rr.SqliteFragment(self.name, self.kind, sql, values, fragment.columns,
                                     estimate)
        parts = rr.ranges(span)
        return rr.SqliteFragment(
            self.name, self.kind, f"{sql} /* read as {len(parts)} rowid ranges in parallel */",
            values, fragment.columns, estimate,
            ranged=rr.ranged_sql(sql, base.rel, bool(fragment.filters)), ranges=parts)

    def _compile_match(self, fragment: TableMatch, params: Mapping[str, object]
                       ) -> CompiledFragment:
        info = self._catalog.current or self.info()
        sql, values = compile_table_match(fragment, params, info.tables, _column_sql)
        estimate = cardinality.estimate(fragment, {self.name: info}, self._table_rows)
        return rr.SqliteFragment(self.name, self.kind, sql, values, fragment.columns, estimate)

    def execute(self, compiled: CompiledFragment) -> pa.Table:
        writer = self._writing()
        if writer is not None:  # an open engine transaction: read through it, writes included
            return self._apsw_table(compiled, writer.read_connection())
        if self._use_adbc(compiled):
            try:
                if isinstance(compiled, rr.SqliteFragment) and compiled.ranges:
                    table = self._bulk.in_ranges(compiled, self._data_version)
                    if table is not None:
                        return table
                return self._bulk.table(compiled)
            except self._bulk.failures():
                pass  # apsw types it, or names the value that does not fit
        return self._apsw_table(compiled)

    def _data_version(self) -> int:
        # the pragma, not apsw's data_version(), which was seen to miss other commits
        return int(self._con().execute("PRAGMA data_version").fetchall()[0][0])  # type: ignore[arg-type]

    def execute_batches(self, compiled: CompiledFragment) -> pa.RecordBatchReader:
        """The fragment's rows as a stream of declared-schema batches (ADBC for bulk reads)."""
        if self._use_adbc(compiled) and self._writing() is None:
            reader = self._adbc_stream(compiled)
            if reader is not None:
                return reader
        return pa.RecordBatchReader.from_batches(arrow_schema(compiled.schema),
                                                 self.execute(compiled).to_batches())

    def _adbc_stream(self, compiled: CompiledFragment) -> pa.RecordBatchReader | None:
        """ADBC's batches, when its first batch shows that every later one will fit."""
        batches = self._bulk.stream(compiled, self.name)
        if batches is None:
            return None
        return pa.RecordBatchReader.from_batches(arrow_schema(compiled.schema),
                                                 self._retyping(batches))

    def _use_adbc(self, compiled: CompiledFragment) -> bool:
        if self.read_path != "auto":
            return self.read_path == "adbc"
        if cancel.has_deadline():  # ADBC's SQLite driver cannot be interrupted; apsw can
            return False
        rows = compiled.estimated_rows
        return rows is not None and rows >= rd.ADBC_MIN_ROWS

    def _apsw_table(self, compiled: CompiledFragment,
                    through: AbstractContextManager[apsw.Connection] | None = None) -> pa.Table:
        try:
            with through or nullcontext(self._con()) as con, \
                    cancel.interruptible(con.interrupt):  # the query's deadline, close()
                rows = con.execute(rd.read_sql(compiled.native, compiled.schema),
                                   compiled.params).fetchall()
        except apsw.Error as err:
            raise SourceError(str(err), source=self.name, fragment=compiled.native) from err
        except UnicodeDecodeError as err:  # TEXT that is not UTF-8, stored by another program
            raise SourceError(f"a text value is not valid UTF-8: {err}", source=self.name,
                              fragment=compiled.native) from err
        try:
            return rd.rows_to_table(rows, compiled.schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
            self._retype()
            raise SourceError(f"a value does not fit its declared column type: {err} (a column "
                              "without a declared type is typed by the values it held when "
                              "the catalog was read; the next query reads them again)",
                              source=self.name, fragment=compiled.native) from err

    def _retype(self) -> None:
        """A value did not fit its column's type: the next query reads the catalog again
        (``SqliteCatalog.retype``)."""
        self._catalog.retype()

    def _retyping(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except SourceError:  # a later batch held a value of another storage class
            self._retype()
            raise

    def _writing(self) -> TableWriter | None:
        """The writer while it holds an open transaction."""
        writer = self._writer
        return writer if writer is not None and writer.in_transaction else None

    def writer(self) -> StoreWriter:
        from federation.writes.sqlite_writer import SqliteWriter as TableWriter

        with self._lock:
            self._writer = self._writer or TableWriter(self)
            return self._writer

    def close(self) -> None:
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        self._cons.close_all()
        with self._lock:
            versions, self._watch = self._watch, None
        if versions is not None:
            versions.close()
        self._bulk.close()


_READONLY_ROLLBACK = 776  # SQLITE_READONLY_ROLLBACK: a hot journal, on a read-only connection


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _close_connection(con: apsw.Connection) -> None:
    con.close()


def _column_sql(col: ColumnRef) -> str:
    """A column reference; text columns compare in BINARY collation whatever the column
    declares (``COLLATE NOCASE``/``RTRIM`` would make pushed comparisons, sorts, min/max and
    joins disagree with DuckDB, which compares bytes)."""
    text = f"{quote(col.rel)}.{quote(col.name)}"
    return f"{text} COLLATE BINARY" if family(col.type) == "string" else text
