"""Reading SQLite fragments into Arrow: apsw for small results, ADBC for bulk ones.

apsw returns Python tuples that are transposed and typed here (cheap per query, slow per
row); the ADBC SQLite driver writes rows straight into Arrow (a fixed cost per query, then
several times faster per row). A fragment estimated above ``ADBC_MIN_ROWS`` rows goes
through ADBC.

Both paths must give the declared Arrow type exactly, whatever SQLite stored. SQLite keeps
a storage class per value, and ADBC infers one Arrow type per column from the first batch
(promoting int → double → string inside it, with doubles printed as ``%e``), then fails on
a later value of another class. So every fragment is read through ``read_sql``, which reads
a declared string column as ``CAST(x AS TEXT)`` (SQLite's own text of a number, on both
paths; nearly free, unlike a CASE per float value, which halves ADBC's speed). What ADBC
then infers must be one of ``_ACCEPTED`` (or a column of NULLs only); a later batch that
fails is read again as one batch (ADBC then sees every value before it types a column), and
anything else through apsw, which either types it or raises ``SourceError``: the two paths
never disagree on a value.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from federation import cancel
from federation.errors import SourceError
from federation.lazy import lazy_module
from federation.sources.base import CompiledFragment, arrow_schema
from federation.sources.connections import PerThread
from planner.logical import Schema
from planner.types import family

if TYPE_CHECKING:
    import apsw
else:
    apsw = lazy_module("apsw")  # ~160 ms to import: on the first connection

READ_PATHS = ("auto", "adbc", "apsw")
# ADBC costs 0.2-0.5 ms more per query than apsw and wins from about 700 rows on (4 and 16
# columns, measured); the estimate is rough, so bulk starts at ~3x that and lookups stay on apsw
ADBC_MIN_ROWS = 2_000
BATCH_ROWS = 16384  # ADBC rows per batch: among the fastest for 1 to 16 columns
ONE_BATCH = 2**30  # the whole result in one batch (ADBC grows its buffers as it reads)


class Unfit(Exception):
    """ADBC typed a column in a way that is not exactly the declared type."""


@lru_cache(maxsize=1024)  # the same fragment text is wrapped again on every run
def read_sql(native: str, schema: Schema) -> str:
    """``native`` with each column's storage class fixed for its declared type.

    >>> import pyarrow as pa
    >>> from planner.expressions import ColumnRef
    >>> read_sql("SELECT a FROM t", (ColumnRef("t", "a", pa.string()),))
    'WITH "_fed_q"("c0") AS (SELECT a FROM t) SELECT CAST("c0" AS TEXT) FROM "_fed_q"'
    """
    kinds = [family(c.type) for c in schema]
    if "string" not in kinds:
        return native
    outs = [f'CAST("c{i}" AS TEXT)' if kind == "string" else f'"c{i}"'
            for i, kind in enumerate(kinds)]
    names = ", ".join(f'"c{i}"' for i in range(len(kinds)))
    cte = "_fed_q"
    while cte in native:  # a table of that name inside would make the CTE recursive
        cte += "_"
    return f'WITH "{cte}"({names}) AS ({native}) SELECT {", ".join(outs)} FROM "{cte}"'


# ---- apsw rows → Arrow
_INT64 = pa.int64()


def rows_to_table(rows: Sequence[tuple[object, ...]], schema: Schema) -> pa.Table:
    """apsw rows as a table of the declared schema (raises ArrowInvalid/ArrowTypeError)."""
    arrow = arrow_schema(schema)
    if not rows:
        return arrow.empty_table()
    struct = _struct_type(arrow)
    if struct is not None and len(rows[0]) == len(schema) and _integers_only(rows, struct[1]):
        # one conversion of the rows as they are (no transposition, one call per column less)
        return pa.Table.from_struct_array(pa.array(rows, struct[0]))
    columns = zip(*rows, strict=True)
    arrays = [_converter(c.type)(values) for values, c in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=arrow)


# types that ``pa.array`` gives exactly from what SQLite returns for them (an int64 column only
# when it returned integers: a REAL there would be truncated)
_AS_STORED = frozenset({pa.string(), pa.float64(), pa.binary(), _INT64})
_STRUCTS: dict[int, tuple[pa.Schema, tuple[pa.StructType, tuple[int, ...]] | None]] = {}


def _struct_type(arrow: pa.Schema) -> tuple[pa.StructType, tuple[int, ...]] | None:
    """The struct of a row when every column converts as stored, and its int64 columns;
    None when a column needs its converter. Kept per Arrow schema (itself kept per plan)."""
    found = _STRUCTS.get(id(arrow))
    if found is not None and found[0] is arrow:
        return found[1]
    types = arrow.types
    struct = (pa.struct(list(arrow)), tuple(i for i, t in enumerate(types) if t == _INT64)) \
        if all(t in _AS_STORED for t in types) else None
    if len(_STRUCTS) >= 4096:
        _STRUCTS.clear()
    _STRUCTS[id(arrow)] = (arrow, struct)
    return struct


def _integers_only(rows: Sequence[tuple[object, ...]], columns: tuple[int, ...]) -> bool:
    return all(type(row[i]) is int or row[i] is None for i in columns for row in rows)


Convert = Callable[[tuple[object, ...]], pa.Array]
_CONVERTERS: dict[pa.DataType, Convert] = {}  # by declared type: decided once per type


def _converter(declared: pa.DataType) -> Convert:
    found = _CONVERTERS.get(declared)
    if found is None:
        found = _CONVERTERS[declared] = partial(_KINDS.get(family(declared), _plain), declared)
    return found


def _integers(declared: pa.DataType, values: tuple[object, ...]) -> pa.Array:
    if declared == _INT64 and all(type(v) is int or v is None for v in values):
        return pa.array(values, _INT64)  # the usual integer column: no inference, no cast
    # pa.array(values, int64) truncates a stored REAL 1.5 to 1: cast safely
    try:
        inferred = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # text or bytes among the numbers:
        return pa.array(values, declared)  # this conversion's error names the value
    return inferred.cast(declared)


def _iso_text(declared: pa.DataType, values: tuple[object, ...]) -> pa.Array:
    return pa.array(values, pa.string()).cast(declared)  # stored as ISO-8601 text


def _booleans(declared: pa.DataType, values: tuple[object, ...]) -> pa.Array:
    return pa.array(values, _INT64).cast(pa.bool_())  # stored as 0/1


def _plain(declared: pa.DataType, values: tuple[object, ...]) -> pa.Array:
    return pa.array(values, declared)


_KINDS: dict[str, Callable[[pa.DataType, tuple[object, ...]], pa.Array]] = {
    "int": _integers, "date": _iso_text, "timestamp": _iso_text, "bool": _booleans}


# ---- ADBC batches → Arrow
# declared family → {ADBC type: whether later batches are sure to keep it}; a float column
# typed int64 by its first batch fails on a later real (then it is read as one batch)
_ACCEPTED: dict[str, dict[pa.DataType, bool]] = {
    "int": {pa.int64(): True}, "float": {pa.float64(): True, pa.int64(): False},
    "string": {pa.string(): True}, "bool": {pa.int64(): True},
    "date": {pa.string(): True}, "timestamp": {pa.string(): True},
}


def check_types(got: pa.Schema, first: pa.RecordBatch | None, schema: Schema) -> bool:
    """Whether ADBC's column types give exactly the declared ones (raises ``Unfit`` if not).

    Returns True when the stream is safe to continue batch by batch; False when a later
    batch may still fail (a column NULL throughout the first batch, which ADBC types int64,
    or a float column whose first batch held integers only), so the caller must not stream
    past the first batch.
    """
    safe = True
    for i, col in enumerate(schema):
        inferred = got.field(i).type
        accepted = _ACCEPTED.get(family(col.type), {col.type: True})
        if inferred in accepted:
            safe = safe and (accepted[inferred] or first is None)
            continue
        all_null = first is None or first.column(i).null_count == first.num_rows
        if inferred != pa.int64() or not all_null:
            raise Unfit(f"column {col.key}: ADBC read {inferred}, declared {col.type}")
        safe = safe and first is None
    return safe


def conform(batch: pa.RecordBatch, schema: Schema) -> pa.RecordBatch:
    """An accepted ADBC batch cast to the declared schema (the casts apsw's path does)."""
    arrays = []
    for array, col in zip(batch.columns, schema, strict=True):
        if array.null_count == len(array) and array.type != col.type:
            array = pa.nulls(len(array), col.type)
        elif array.type != col.type:
            array = array.cast(col.type)
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, schema=arrow_schema(schema))


def read_uri(path: Path) -> str:
    """The read-only URI of a SQLite file (apsw and ADBC alike). ``mode=ro`` never creates
    the file (one deleted while attached cannot come back empty) and, being read-only, the
    connection never checkpoints a WAL database when it closes (the last read-write
    connection to close copies the WAL into the file and deletes it). Not ``immutable=1``:
    other programs may write the file while it is attached. (Readers of a WAL database still
    record their position in the ``-shm`` shared-memory index, and create an empty ``-wal``
    and ``-shm`` when a WAL database has none: SQLite's protocol, not data.)

    >>> read_uri(Path("/tmp/a b?.db"))
    'file:/tmp/a%20b%3F.db?mode=ro'
    """
    return "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"


BUSY_TIMEOUT_MS = 5000
# every read connection: LIKE as DuckDB's (case-sensitive), never a write
READ_PRAGMAS = ("PRAGMA case_sensitive_like = ON", "PRAGMA query_only = ON")
# ADBC has no busy-timeout call; the statement is a constant, as pragmas take no parameters
SESSION_PRAGMAS = ("PRAGMA busy_timeout = 5000", *READ_PRAGMAS)
assert SESSION_PRAGMAS[0].endswith(f" {BUSY_TIMEOUT_MS}")
# waits between retries of a locked file, then BUSY_STEPS[-1] until BUSY_TIMEOUT_MS in all
BUSY_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)


def wait_while_busy(prior_calls: int) -> bool:
    """apsw's busy handler: retry a locked file with backoff for ``BUSY_TIMEOUT_MS`` in all,
    but give up at once when the running query is cancelled or past its deadline
    (``sqlite3_interrupt`` does not end SQLite's own busy wait, which held a 0.5 s query
    for the full 5 s). Returning False makes the statement raise ``apsw.BusyError``."""
    steps = BUSY_STEPS
    waited = sum(steps[:prior_calls]) + max(0, prior_calls - len(steps)) * steps[-1]
    if waited >= BUSY_TIMEOUT_MS / 1000:
        return False
    token = cancel.current()
    step = steps[min(prior_calls, len(steps) - 1)]
    if token is not None:
        if token.cancelled:
            return False
        remaining = token.remaining()
        if remaining is not None:
            if remaining <= 0:
                return False
            step = min(step, remaining)
    time.sleep(step)
    return True


class AdbcReader:
    """ADBC connections to one file, one per thread (like apsw), read-only by URI.

    The driver is used through adbc_driver_manager's statements, not its DB-API module: that
    module imports polars when it is installed (~20 MB resident, and ~30 MB with the module,
    for a binding this reader never uses), and binds values exactly as done here (one Arrow
    row, columns named by position)."""

    def __init__(self, path: Path) -> None:
        self.uri = read_uri(path)
        # each thread's connection, returned for reuse when its thread ends
        self._cons: PerThread[_AdbcConnection] = PerThread(self._connect, _close)

    def _connect(self) -> _AdbcConnection:
        con = _AdbcConnection(self.uri)
        try:  # as on the apsw connections: DuckDB's LIKE, wait on locks, never write
            for pragma in SESSION_PRAGMAS:
                con.run(pragma)
        except BaseException:
            con.close()
            raise
        return con

    def batches(self, sql: str, params: Sequence[object], batch_rows: int = BATCH_ROWS
                ) -> tuple[Any, pa.RecordBatchReader]:
        """(statement, reader) of ``sql``; the caller closes the statement."""
        return self._cons.get().query(sql, params, batch_rows)

    def close(self) -> None:
        self._cons.close_all()


class _AdbcConnection:
    """One ADBC database and connection (autocommit, ADBC's default: no read transaction
    holds a stale snapshot)."""

    def __init__(self, uri: str) -> None:
        import adbc_driver_manager as adbc  # heavy: loaded on the first bulk read
        import adbc_driver_sqlite

        self._adbc = adbc
        self._db = adbc_driver_sqlite.connect(uri)
        try:
            self._con = adbc.AdbcConnection(self._db)
        except BaseException:
            self._db.close()
            raise

    def run(self, sql: str) -> None:
        stmt = self._adbc.AdbcStatement(self._con)
        try:
            stmt.set_sql_query(sql)
            stmt.execute_update()
        finally:
            stmt.close()

    def query(self, sql: str, params: Sequence[object], batch_rows: int
              ) -> tuple[Any, pa.RecordBatchReader]:
        stmt = self._adbc.AdbcStatement(self._con)
        try:
            stmt.set_options(**{"adbc.sqlite.query.batch_rows": str(batch_rows)})
            stmt.set_sql_query(sql)
            if params:
                stmt.bind(pa.record_batch([[v] for v in params],
                                          names=[str(i) for i in range(len(params))]))
            handle, _ = stmt.execute_query()
            reader = pa.RecordBatchReader._import_from_c(handle.address)
        except BaseException:
            stmt.close()
            raise
        return _Open(stmt, reader), reader

    def close(self) -> None:
        try:
            self._con.close()
        finally:
            self._db.close()


class _Open:
    """A statement and its result: the result is released before the statement (as the
    DB-API cursor does), since the driver's stream reads through the statement."""

    def __init__(self, stmt: Any, reader: pa.RecordBatchReader) -> None:
        self._stmt = stmt
        self._reader = reader

    def close(self) -> None:
        try:
            self._reader.close()
        finally:
            self._stmt.close()


def _close(con: _AdbcConnection) -> None:
    con.close()


def stream(cur: Any, reader: pa.RecordBatchReader, first: pa.RecordBatch | None,
           compiled: CompiledFragment, source: str) -> Iterator[pa.RecordBatch]:
    """The checked first batch, then the rest of ``reader``, conformed; closes ``cur``.

    A later batch can still hold a value of another storage class (text in an INTEGER
    column): apsw's path raises for those too, so this raises ``SourceError`` as well.
    """
    try:
        if first is not None:
            yield conform(first, compiled.schema)
        for batch in reader:
            yield conform(batch, compiled.schema)
    except (OSError, pa.ArrowException) as err:
        raise SourceError(f"a value does not fit its declared column type: {err}",
                          source=source, fragment=compiled.native) from err
    finally:
        cur.close()
