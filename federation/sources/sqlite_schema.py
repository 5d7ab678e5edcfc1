"""What a SQLite file's own catalog says of a table: its columns' Arrow types (declared, or
inferred from the storage classes present), unique and indexed columns, and row counts.
Table names come from the file's catalog and are quoted; values are bound parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from federation.lazy import lazy_module
from federation.sqlgen import quote
from planner.types import arrow_type_for_declared

if TYPE_CHECKING:
    import apsw
else:
    apsw = lazy_module("apsw")  # ~160 ms to import: on the first connection


def unique_columns(con: apsw.Connection, table: str) -> tuple[str, ...]:
    """Columns that alone are a primary key or a unique index of ``table``."""
    pk = [str(r[0]) for r in con.execute(
        "SELECT name FROM pragma_table_info(?) WHERE pk > 0", (table,)).fetchall()]
    names = set(pk) if len(pk) == 1 else set()
    for (index,) in con.execute("SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1",
                                (table,)).fetchall():
        cols = con.execute("SELECT name FROM pragma_index_info(?)", (index,)).fetchall()
        if len(cols) == 1 and cols[0][0] is not None:
            names.add(str(cols[0][0]))
    return tuple(sorted(names))


def indexed_columns(con: apsw.Connection, table: str) -> tuple[str, ...]:
    """Columns that lead a BINARY-collated index of ``table`` (the rowid alias included):
    the engine writes every text comparison ``COLLATE BINARY``, which SQLite cannot answer
    from an index in another collation (NOCASE, RTRIM), so such an index does not seek."""
    names = {str(r[0]) for r in con.execute(
        "SELECT name FROM pragma_table_info(?) WHERE pk = 1 AND upper(type) = 'INTEGER'",
        (table,)).fetchall()}
    for (index,) in con.execute("SELECT name FROM pragma_index_list(?)", (table,)).fetchall():
        first = con.execute("SELECT name FROM pragma_index_xinfo(?) WHERE seqno = 0 "
                            "AND upper(coll) = 'BINARY'", (index,)).fetchall()
        if first and first[0][0] is not None:
            names.add(str(first[0][0]))
    return tuple(sorted(names))



def distinct_keys(con: apsw.Connection, table: str) -> dict[str, int]:
    """Distinct values of the columns leading an index of ``table``, from what ``ANALYZE``
    left in ``sqlite_stat1`` (rows ÷ rows per key); empty where it never ran. The planner's
    cost model reads them to tell a seek on a key of a few rows from one on a key shared by
    half the table (``planner.join_work``)."""
    if not con.execute("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").fetchall():
        return {}
    out: dict[str, int] = {}
    for index, stat in con.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = ? "
                                   "AND idx IS NOT NULL", (table,)).fetchall():
        parts = str(stat).split()
        first = con.execute("SELECT name FROM pragma_index_info(?) WHERE seqno = 0",
                            (str(index),)).fetchall()
        if len(parts) < 2 or not first or first[0][0] is None:
            continue
        try:
            rows, per_key = int(parts[0]), int(parts[1])
        except ValueError:
            continue
        if rows > 0 and per_key > 0:
            out[str(first[0][0])] = max(1, rows // per_key)
    return out

# ---- columns without a declared type
INFER_SAMPLE_ROWS = 100_000  # rows whose storage classes type an undeclared column
_CLASSES = ("integer", "real", "text", "blob")


def column_types(con: apsw.Connection, table: str, sample: int = INFER_SAMPLE_ROWS
                 ) -> tuple[tuple[str, pa.DataType], ...]:
    """(name, Arrow type) of every column of ``table`` (a table or a view): from the declared
    type when there is one (``arrow_type_for_declared``), else from the storage classes of
    the values present (``infer_type``; views' computed columns, ``CREATE TABLE AS`` and
    typeless columns have none)."""
    cols = [(str(n), str(t or "")) for n, t in con.execute(
        "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", (table,)).fetchall()]
    untyped = [n for n, t in cols if not t.strip()]
    inferred = _infer(con, table, untyped, sample) if untyped else {}
    return tuple((n, inferred[n] if n in inferred else arrow_type_for_declared(t))
                 for n, t in cols)


def infer_type(classes: set[str]) -> pa.DataType:
    """The Arrow type of a column holding values of these storage classes (NULL aside).

    >>> [str(infer_type(c)) for c in ({"integer"}, {"integer", "real"}, {"blob"}, set())]
    ['int64', 'double', 'binary', 'string']
    >>> str(infer_type({"integer", "text"}))
    'string'
    """
    if classes == {"integer"}:
        return pa.int64()
    if classes and classes <= {"integer", "real"}:
        return pa.float64()
    if classes == {"blob"}:
        return pa.binary()
    return pa.string()  # text, a mix with text or blobs, or no value to go on


def _infer(con: apsw.Connection, table: str, columns: list[str], sample: int
           ) -> dict[str, pa.DataType]:
    """One scan of up to ``sample`` rows (-1: all) for every untyped column of ``table``;
    the names come from the file's own catalog (``pragma_table_info``) and are quoted."""
    flags = ", ".join("max(typeof(" + quote(c) + ") = ?)" for c in columns for _ in _CLASSES)
    names = ", ".join(quote(c) for c in columns)
    sql = "SELECT " + flags + " FROM (SELECT " + names + " FROM " + quote(table) + " LIMIT ?)"
    values = (*(k for _ in columns for k in _CLASSES), int(sample))
    try:
        row = con.execute(sql, values).fetchall()[0]
    except apsw.Error:  # a view that no longer runs: the read will say why
        return {}
    found = iter(row)
    return {c: infer_type({k for k in _CLASSES if next(found)}) for c in columns}


def rowid_span(con: apsw.Connection, table: str) -> tuple[int, int] | None:
    """(smallest, largest) rowid, two b-tree seeks; None without a rowid or without rows.
    (Two statements: SQLite seeks for a lone min() or max() but scans for both at once.)
    None too when a column is named ``rowid``: ``rowid`` then names that column, whose NULLs
    and non-integers no rowid range would read."""
    try:
        names = con.execute("SELECT lower(name) FROM pragma_table_info(?)", (table,)).fetchall()
        if ("rowid",) in names:
            return None
        low, high = (_of_table(con, bound, table) for bound in ("min", "max"))
    except apsw.Error:
        return None
    return (low, high) if isinstance(low, int) and isinstance(high, int) else None


ROW_SAMPLES = 8  # rowid windows counted to estimate how densely a table's rowids are used
ROW_WINDOW = 128  # rowids per window: a range seek reading at most this many rows
THIN_SAMPLE = 64  # fewer rows than this in all windows: the estimate is a guess
EXACT_ROWS = 1_000_000  # ... and a table estimated this small is counted instead
# the smallest a row can take in a table's leaf page (cell pointer, payload size, rowid,
# record header): the file's bytes over this bound any table's rows
MIN_ROW_BYTES = 4


def table_rows(con: apsw.Connection, table: str) -> int | None:
    """Rows of a rowid table without counting them all: its rowid span (two b-tree seeks)
    times the share of rowids in use, counted in ``ROW_SAMPLES`` windows spread over the span
    (a span of at most that many windows is counted whole). The span alone over-counts
    sparse keys: TPC-H's orders use one key in four, and read as 4x their rows. None for a
    view or a WITHOUT ROWID table, which have no rowid."""
    span = rowid_span(con, table)
    if span is None:
        return None if _has_no_rowid(con, table) else 0
    low, high = span
    width = high - low + 1
    name = _checked(con, table)
    if width <= ROW_SAMPLES * ROW_WINDOW:
        return _count(con, "SELECT count(*) FROM " + name)
    step = (width - ROW_WINDOW) // (ROW_SAMPLES - 1)
    window = "SELECT count(*) FROM " + name + " WHERE rowid >= ? AND rowid < ?"
    counted = sum(_count(con, window, (start, start + ROW_WINDOW))
                  for start in range(low, low + step * ROW_SAMPLES, step))
    estimate = min(max(1, round(width * counted / (ROW_SAMPLES * ROW_WINDOW))),
                   _most_rows(con))
    if counted < THIN_SAMPLE and estimate <= EXACT_ROWS:
        # too few rows in the windows to say how the rest are spread (keys growing
        # ever sparser): count them, about 20 ns a row
        return _count(con, "SELECT count(*) FROM " + name)
    return estimate


def _most_rows(con: apsw.Connection) -> int:
    """Rows the file's pages could hold at most: a window that met a dense cluster of
    rowids far apart from the rest (a few huge or negative keys) must not scale up to more."""
    pages = _count(con, "PRAGMA page_count")
    return max(1, pages * _count(con, "PRAGMA page_size") // MIN_ROW_BYTES)


def _count(con: apsw.Connection, sql: str, bounds: tuple[int, int] | tuple[()] = ()) -> int:
    return int(con.execute(sql, bounds).fetchall()[0][0])  # type: ignore[arg-type]


def _has_no_rowid(con: apsw.Connection, table: str) -> bool:
    """Whether ``table`` is a view, a WITHOUT ROWID table or names a column ``rowid`` (an
    empty rowid table has a rowid but no span)."""
    try:
        _of_table(con, "max", table)
    except apsw.Error:
        return True
    names = con.execute("SELECT lower(name) FROM pragma_table_info(?)", (table,)).fetchall()
    return ("rowid",) in names


_ROWID_BOUNDS = {"min": "SELECT min(rowid) FROM ", "max": "SELECT max(rowid) FROM "}


def _checked(con: apsw.Connection, table: str, kinds: tuple[str, ...] = ("table",)) -> str:
    """``table`` quoted, once the file's own catalog shows it is one of ``kinds`` (a name
    cannot be a bound parameter); otherwise ``apsw.SQLError``."""
    found = con.execute("SELECT type FROM sqlite_schema WHERE name = ?", (table,)).fetchall()
    if not any(row[0] in kinds for row in found):
        raise apsw.SQLError(f"{table!r} is not a {' or '.join(kinds)} of this file")
    return quote(table)


def _of_table(con: apsw.Connection, bound: str, table: str) -> object:
    """The smallest or largest rowid of ``table`` (a view or an unknown name raises
    ``apsw.SQLError``: no rowid to seek)."""
    rows = con.execute(_ROWID_BOUNDS[bound] + _checked(con, table)).fetchall()
    return rows[0][0] if rows else None


def row_count(con: apsw.Connection, table: str) -> int:
    """Exact rows of a table or view of the file."""
    name = _checked(con, table, ("table", "view"))
    return _count(con, "SELECT count(*) FROM " + name)
