"""Bulk reads of one SQLite table, split into rowid ranges read on several threads.

One SQLite statement runs on one core; DuckDB's own sqlite scanner splits a table by rowid
and reads the parts in parallel, and so does this (1.5 M TPC-H orders: 0.62 s on one
connection, 0.33 s on four). Each range is its own read transaction, so a commit by another
connection in the middle could mix two states of the table: ``PRAGMA data_version`` is read
before and after, and when it moved the table is read again in one statement.

Only a single-table scan without ORDER BY, LIMIT or aggregate is split (any other shape
depends on rows from several ranges at once), and only tables with a rowid. What decides is
the work one statement would do (``scan_work``): the rows it returns, or the rows a LIKE must
match one by one when that costs more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from federation.sources.base import CompiledFragment
from federation.sqlgen import quote
from planner.expressions import Func, walk
from planner.logical import Scan

MIN_ROWS = 250_000  # below this one statement is about as fast as several
PARTS = 4  # measured on 2 cores: 2 ranges 1.7x, 4 ranges 1.9x
# a LIKE costs SQLite about 1.4 rows read per row it matches (150 k TPC-H orders: 16 ms to
# read two integer columns, 38 ms with ``o_comment NOT LIKE '%special%requests%'`` NUL-safe)
PATTERN_WORK = 1.4
PATTERN_MATCHES = frozenset({"like", "not_like"})


@dataclass(frozen=True)
class SqliteFragment(CompiledFragment):
    """A compiled SQLite fragment; ``ranged``/``ranges`` are set when it reads in parts:
    ``ranged`` is ``native`` with ``rowid BETWEEN ? AND ?`` added, bound after ``params``."""

    ranged: str = ""
    ranges: tuple[tuple[int, int], ...] = ()


def splittable(fragment: Scan, estimated_rows: int | None,
               table_rows: Callable[[], int | None]) -> bool:
    """Whether to read ``fragment`` in ranges; ``table_rows`` is asked only for a scan that
    matches patterns."""
    return (len(fragment.tables) == 1 and fragment.aggregate is None and not fragment.order
            and fragment.limit is None and estimated_rows is not None
            and scan_work(fragment, estimated_rows, table_rows) >= MIN_ROWS)


def scan_work(fragment: Scan, estimated_rows: int, table_rows: Callable[[], int | None]
              ) -> float:
    """One statement's work in rows read: the rows it returns, or, when a filter matches
    patterns, every row of the table with ``PATTERN_WORK`` per LIKE if that is more (no index
    serves a LIKE under ``case_sensitive_like`` with the NUL-safe text it is given).

    >>> import pyarrow as pa
    >>> from planner.expressions import ColumnRef, Const
    >>> from planner.logical import TableAccess
    >>> text = ColumnRef("o", "c", pa.string())
    >>> like = Func("not_like", (text, Const("%a%", pa.string())), pa.bool_())
    >>> scan = Scan("s", (TableAccess("orders", "o"),), (text,), (like,))
    >>> scan_work(scan, 50_000, lambda: 150_000)
    360000.0
    >>> scan_work(Scan("s", (TableAccess("orders", "o"),), (text,)), 50_000, lambda: 150_000)
    50000
    """
    matches = sum(isinstance(e, Func) and e.name in PATTERN_MATCHES
                  for f in fragment.filters for e in walk(f))
    scanned = table_rows() if matches else None
    if scanned is None:
        return estimated_rows
    return max(estimated_rows, scanned * (1 + PATTERN_WORK * matches))


def ranges(span: tuple[int, int], parts: int = PARTS) -> tuple[tuple[int, int], ...]:
    """``parts`` contiguous ranges covering every possible rowid: the first and last are
    open-ended, so rows beyond the span seen at planning are still read.

    >>> ranges((1, 100), 4)
    ((-9223372036854775808, 25), (26, 50), (51, 75), (76, 9223372036854775807))
    """
    low, high = span
    step = max(1, (high - low + 1) // parts)
    edges = [low + i * step for i in range(1, parts)]
    starts = [-(2**63), *edges]
    ends = [e - 1 for e in edges] + [2**63 - 1]
    return tuple(zip(starts, ends, strict=True))


def ranged_sql(native: str, rel: str, has_where: bool) -> str:
    """``native`` restricted to one rowid range (two more ``?`` at the end of the WHERE)."""
    condition = f"{quote(rel)}.rowid BETWEEN ? AND ?"
    return f"{native} {'AND' if has_where else 'WHERE'} {condition}"


def read_in_ranges(compiled: SqliteFragment, read: Callable[[str, Sequence[object]], pa.Table],
                   run_all: Callable[[list[Callable[[], pa.Table]]], list[pa.Table]],
                   data_version: Callable[[], int]) -> pa.Table | None:
    """Every range read (on other threads, through ``run_all``) and concatenated; None when
    another connection committed meanwhile (the caller then reads in one statement)."""
    before = data_version()
    jobs = [_job(read, compiled.ranged, (*compiled.params, lo, hi)) for lo, hi in compiled.ranges]
    tables = run_all(jobs)
    if data_version() != before:
        return None
    return pa.concat_tables(tables)


def _job(read: Callable[[str, Sequence[object]], pa.Table], sql: str,
         params: Sequence[object]) -> Callable[[], pa.Table]:
    return lambda: read(sql, params)
