"""The catalog of one SQLite file as the planner sees it: tables and views, their columns as
Arrow types, row counts, unique and indexed columns; read again only when something moved."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import TYPE_CHECKING

from federation.sources import sqlite_schema as schema
from planner.capabilities import Capabilities
from planner.catalog import SourceInfo, TableSchema

if TYPE_CHECKING:
    import apsw


class SqliteCatalog:
    """``read(con)`` reads the catalog through a connection (again when the schema version
    moved; row counts again when the data did); ``at(version, ...)`` answers from memory
    while the file's version token stays."""

    def __init__(self, kind: str, capabilities: Capabilities) -> None:
        self._kind = kind
        self._capabilities = capabilities
        self._lock = threading.Lock()
        self.current: SourceInfo | None = None
        self._schema_version: int | None = None
        # each connection's data version when the row counts were last checked
        self._counted: weakref.WeakKeyDictionary[apsw.Connection, int] = \
            weakref.WeakKeyDictionary()
        self._at: tuple[Hashable, SourceInfo] | None = None  # (version, its catalog)
        self._type_sample = schema.INFER_SAMPLE_ROWS  # rows typing undeclared columns; -1: all

    def at(self, version: Hashable, read: Callable[[], SourceInfo]) -> SourceInfo:
        """No commit by anyone since the catalog was read at ``version``: it stands (the
        pragmas of ``read`` cost as much as the version check itself)."""
        known = self._at
        if known is not None and known[0] == version:
            return known[1]
        info = read()
        # read after the version: a commit in between is in it, and moved the next version
        self._at = (version, info)
        return info

    def read(self, name: str, con: apsw.Connection) -> SourceInfo:
        version = int(con.execute("PRAGMA schema_version").fetchall()[0][0])  # type: ignore[arg-type]
        info = self.current
        if info is None or version != self._schema_version:
            info = SourceInfo(name, self._kind, self._capabilities, self._tables(con))
            self._schema_version = version
        elif self._counted.get(con) != con.data_version():
            # rows were written since this connection last looked (its data version moves
            # with any other connection's commit): estimate them again (schema.table_rows)
            info = SourceInfo(name, self._kind, self._capabilities, {
                table: replace(t, row_count=schema.table_rows(con, table))
                for table, t in info.tables.items()})
        with self._lock:
            self.current = info
            self._counted[con] = con.data_version()
        return info

    def counted_now(self, con: apsw.Connection) -> SourceInfo | None:
        """The catalog when its row counts were read through ``con`` at its data version now
        (no commit by anyone since), else None."""
        info = self.current
        return info if info is not None and self._counted.get(con) == con.data_version() \
            else None

    def _tables(self, con: apsw.Connection) -> dict[str, TableSchema]:
        rows = con.execute("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') "
                           "AND name NOT LIKE 'sqlite_%' "
                           "AND name NOT LIKE '\\_fed\\_%' ESCAPE '\\' ORDER BY name").fetchall()
        tables = {}
        for (table,) in rows:
            tables[str(table)] = TableSchema(
                str(table), schema.column_types(con, str(table), self._type_sample),
                row_count=schema.table_rows(con, str(table)),
                unique=schema.unique_columns(con, str(table)),
                indexed=schema.indexed_columns(con, str(table)),
                distinct=schema.distinct_keys(con, str(table)))
        return tables

    def retype(self) -> None:
        """A value did not fit its column's type: the next read types undeclared columns from
        every row (the sample missed this value)."""
        self._type_sample, self.current, self._at = -1, None, None
