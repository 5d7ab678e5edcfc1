"""SQLite's write path: one read-write apsw connection per source, ``BEGIN IMMEDIATE`` (the
write lock taken up front, so a transaction never fails half-way on a lock upgrade), busy
waits retried with backoff, rows bound as parameters through ``executemany``.

The engine's readers stay on their own read-only connections: they see a transaction's
writes once it commits (SQLite's ``data_version`` then moves for them, which is what the
result cache's token reads).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from federation.sqlgen import quote
from federation.writes.retry import retried
from federation.writes.rows import KEY
from federation.writes.store import Op, StoreWriter

if TYPE_CHECKING:
    from federation.sources.sqlite import SQLite

T = TypeVar("T")
MARKS = "_fed_txn"  # marker table: one row per cross-store transaction committed here
# its statements as plain text: the table name is fixed, every id a bound value
_MARKS_CREATE = "CREATE TABLE IF NOT EXISTS _fed_txn (id TEXT PRIMARY KEY)"
_MARKS_ADD = "INSERT INTO _fed_txn VALUES (?)"
_MARKS_FORGET = "DELETE FROM _fed_txn WHERE id = ?"
_MARKS_HAS = "SELECT 1 FROM _fed_txn WHERE id = ?"
BUSY_MS = 200  # SQLite's own wait per attempt; the retry loop backs off between attempts
STREAM_ROWS = 65_536  # rows converted to Python values at a time by a bulk insert


def _stored(value: object) -> object:
    """A Python value in the form the engine's SQLite reader expects back."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple | dict):
        raise TypeError("SQLite has no list or struct values")
    return value


def parameter_rows(rows: pa.Table) -> list[tuple[object, ...]]:
    """Rows of bound values; columns of plain types convert in Arrow, not value by value."""
    return list(parameter_stream(rows))


def parameter_stream(rows: pa.Table) -> Iterator[tuple[object, ...]]:
    """``parameter_rows`` made lazily, ``STREAM_ROWS`` rows at a time: a bulk insert never
    holds a Python tuple per row (building a million of them costs more than SQLite's
    ``executemany`` of them, much of it in the garbage collector's passes over them)."""
    if rows.num_columns == 0:
        yield from itertools.repeat((), rows.num_rows)
        return
    for batch in rows.to_batches(max_chunksize=STREAM_ROWS):
        yield from zip(*(_column(column) for column in batch.columns), strict=True)


def _column(values: pa.ChunkedArray | pa.Array) -> list[object]:
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_string(kind) \
            or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return values.to_pylist()
    if pa.types.is_boolean(kind):
        return values.cast(pa.int64()).to_pylist()
    return [_stored(v) for v in values.to_pylist()]


class SqliteWriter(StoreWriter):
    def __init__(self, source: SQLite) -> None:
        super().__init__(source.name, source.kind, os.path.abspath(source.path))
        self._source = source
        self._con: Any = None
        # the write connection is also read through while a transaction is open (queries
        # then see its writes), by the engine's fragment threads: one user at a time
        self._use = threading.RLock()

    @property
    def in_transaction(self) -> bool:
        con = self._con
        return con is not None and not con.getautocommit()

    @contextmanager
    def read_connection(self) -> Iterator[Any]:
        with self._use:
            yield self._connection()

    def _connection(self) -> Any:
        if self._con is None:
            import apsw

            self._source._check_file()
            con = apsw.Connection(self.path)
            con.set_busy_timeout(BUSY_MS)
            self._con = con
        return self._con

    def _busy(self, call: Callable[[], T]) -> T:
        import apsw

        return retried(call, lambda err: isinstance(err, apsw.BusyError))

    # ---- catalog
    def table_names(self) -> list[str]:
        return list(self._source.info().tables)

    def columns(self, table: str) -> dict[str, pa.DataType]:
        return dict(self._source.info().tables[table].columns)

    def keys(self, table: str) -> tuple[str, ...]:
        schema = self._source.info().tables[table]
        return schema.unique[:1] or tuple(schema.column_names())

    # ---- ops
    def insert_ops(self, table: str, rows: pa.Table,
                   columns: Mapping[str, pa.DataType] | None = None) -> list[Op]:
        names = ", ".join(quote(n) for n in rows.column_names)
        marks = ", ".join("?" * rows.num_columns)
        text = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})" if names \
            else f"INSERT INTO {quote(table)} DEFAULT VALUES"
        # a bulk insert stays an Arrow table, converted as it runs (``run``); a few rows are
        # converted now (cheaper to pickle into the journal than a table)
        payload = rows if rows.num_rows > STREAM_ROWS else parameter_rows(rows)
        return [Op(table, text, payload, many=True)]

    def update_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table,
                   assigned: tuple[str, ...]) -> list[Op]:
        sets = ", ".join(f"{quote(c)} = ?" for c in assigned)
        text = f"UPDATE {quote(table)} SET {sets} WHERE {_key_match(keys)}"
        picked = rows.select([*assigned, *(KEY + k for k in keys)])
        return [Op(table, text, _distinct(parameter_rows(picked)), many=True)]

    def delete_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table) -> list[Op]:
        text = f"DELETE FROM {quote(table)} WHERE {_key_match(keys)}"
        return [Op(table, text, _distinct(parameter_rows(rows.select(list(keys)))), many=True)]

    def run(self, op: Op) -> int:
        with self._use:
            con = self._connection()
            before = con.total_changes()
            if isinstance(op.payload, pa.Table):
                con.executemany(op.text, parameter_stream(op.payload))
            elif op.many:
                con.executemany(op.text, op.payload)
            else:
                con.execute(op.text, op.payload)
            return int(con.total_changes() - before)

    # ---- transaction
    def begin(self) -> None:
        con = self._connection()
        self._busy(lambda: con.execute("BEGIN IMMEDIATE"))

    def mark(self, txn: str, forget: Sequence[str] = ()) -> None:
        con = self._connection()
        con.execute(_MARKS_CREATE)
        con.execute(_MARKS_ADD, (txn,))
        if forget:
            con.executemany(_MARKS_FORGET, [(t,) for t in forget])

    def commit(self) -> None:
        con = self._connection()
        self._busy(lambda: con.execute("COMMIT"))

    def rollback(self) -> None:
        con = self._con
        if con is not None and not con.getautocommit():
            con.execute("ROLLBACK")

    def has_mark(self, txn: str) -> bool:
        con = self._connection()
        found = con.execute("SELECT 1 FROM sqlite_schema WHERE name = ?", (MARKS,)).fetchall()
        return bool(found) and bool(
            con.execute(_MARKS_HAS, (txn,)).fetchall())

    def close(self) -> None:
        con, self._con = self._con, None
        if con is not None:
            con.close()


def _key_match(keys: tuple[str, ...]) -> str:
    return " AND ".join(f"{quote(k)} IS ?" for k in keys)  # IS: a NULL key matches NULL


def _distinct(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return list(dict.fromkeys(rows))


def rolled_back(path: object, source: str) -> None:
    """A hot journal (a writer killed mid-transaction) rolled back: only a read-write
    connection may, and the engine's readers are read-only."""
    import apsw

    from federation.errors import SourceUnavailableError

    try:
        con = apsw.Connection(str(path))
        try:
            con.set_busy_timeout(5000)
            con.execute("SELECT count(*) FROM sqlite_schema").fetchall()
        finally:
            con.close()
    except apsw.Error as err:
        raise SourceUnavailableError(f"cannot roll back the hot journal of {str(path)!r}: "
                                     f"{err}", source=source) from err
