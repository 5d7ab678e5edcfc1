"""LanceDB's write path: ``add``, and delete by key (a filter of strict literals built by
``lance_filter``); an update deletes the rows by key and adds them rewritten (the statement
reads whole rows through the engine). Every op is a Lance commit: a transaction remembers
each table's version before its first write and restores it to undo (Lance keeps every
version). Commit conflicts with another writer are retried with backoff.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from federation.sources.lance_filter import FilterWriter, _mode
from federation.sources.lance_literals import quote_ident
from federation.sources.lance_versions import Stamp, _trusted, stamp
from federation.writes.retry import retried
from federation.writes.rows import KEY, cast_column
from federation.writes.store import Op, StoreWriter

if TYPE_CHECKING:
    from federation.sources.lancedb import LanceDB

DELETE_CHUNK = 512  # key rows per delete filter
ADD, DELETE = "add", "delete"


class LanceWriter(StoreWriter):
    redo = False
    whole_rows = True  # updates rewrite whole rows

    def __init__(self, source: LanceDB) -> None:
        super().__init__(source.name, source.kind, os.path.abspath(source.path))
        self._source = source
        self._names: tuple[Stamp | None, list[str]] = (None, [])  # (directory stamp, tables)

    def _table(self, table: str) -> Any:
        """The source's handle of ``table`` (kept open: it sees every commit, as the source
        reads with ``read_consistency_interval=0``)."""
        return self._source._table(table)

    # ---- catalog
    def table_names(self) -> list[str]:
        """Listed again only when the directory's stamp moved (a table made or dropped): a
        write needs no catalog (``info`` describes every table a commit moved, ~1 ms)."""
        now = time.time_ns()
        current = stamp(str(self._source.path))
        known, names = self._names
        if current is None or current != known:
            names = self._source._table_names()
            self._names = (_trusted(current, now), names)
        return list(names)

    def columns(self, table: str) -> dict[str, pa.DataType]:
        """As Lance stores them (not as the catalog normalizes them): rows are cast to these.
        Read from the table's handle, which sees the latest version (a migration may have
        changed the schema since the catalog was last read)."""
        return self._source.live_schema(table)

    def keys(self, table: str) -> tuple[str, ...]:
        schema = self._source.info().tables[table]
        vectors = {v.name for v in schema.vectors}
        return schema.unique[:1] or tuple(n for n, t in schema.columns
                                          if n not in vectors and not pa.types.is_nested(t))

    # ---- ops
    def insert_ops(self, table: str, rows: pa.Table,
                   columns: Mapping[str, pa.DataType] | None = None) -> list[Op]:
        columns = self.columns(table) if columns is None else columns
        full = pa.table({n: cast_column(rows.column(n), t, f"{table}.{n}")
                         if n in rows.column_names else pa.nulls(rows.num_rows, t)
                         for n, t in columns.items()})
        return [Op(table, ADD, full)]

    def update_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table,
                   assigned: tuple[str, ...]) -> list[Op]:
        old = self.delete_ops(table, keys, rows.select([KEY + k for k in keys])
                              .rename_columns(list(keys)))
        new = rows.select([n for n in rows.column_names if not n.startswith(KEY)])
        return [*old, *self.insert_ops(table, new)] if old else []

    def delete_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table) -> list[Op]:
        columns = self.columns(table)
        records = list(dict.fromkeys(tuple(r[k] for k in keys)
                                     for r in rows.select(list(keys)).to_pylist()))
        ops = []
        for start in range(0, len(records), DELETE_CHUNK):
            chunk = records[start:start + DELETE_CHUNK]
            ops.append(Op(table, DELETE, " OR ".join(
                "(" + " AND ".join(_equal(k, columns[k], v) for k, v in zip(keys, rec,
                                                                              strict=True))
                + ")" for rec in chunk)))
        return ops

    def run(self, op: Op) -> int:
        handle = self._table(op.table)
        if op.text == ADD:
            assert isinstance(op.payload, pa.Table)
            retried(lambda: handle.add(op.payload), _conflicts)
            return op.payload.num_rows
        found = retried(lambda: handle.delete(op.payload), _conflicts)
        return int(found.num_deleted_rows)

    # ---- versions
    def version(self, table: str) -> int:
        return int(self._table(table).version)

    def restore(self, table: str, version: int) -> None:
        handle = self._table(table)
        if int(handle.version) != version:
            retried(lambda: handle.restore(version), _conflicts)


def _equal(name: str, column: pa.DataType, value: object) -> str:
    ident = quote_ident(name)
    if value is None:
        return f"{ident} IS NULL"
    return f"{ident} = {FilterWriter._literal(value, _mode([column], [value]))}"


def _conflicts(err: BaseException) -> bool:
    """Lance reports a lost commit race as an error whose text says so: only those retry."""
    return "conflict" in str(err).lower()
