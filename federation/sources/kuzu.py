"""Kuzu: one shared ``Database`` per path, ``GraphMatch`` → Cypher with ``$parameters``, Arrow out.

Kuzu's repository is archived (0.11.3 is final). Every import of its module happens in
``driver()``, which tries ``kuzu`` and then the maintained fork ``ladybug`` (same API; imported
as ``real_ladybug`` or ``ladybug``). Other modules reach Kuzu through ``driver()``.

A second ``Database`` on one file in the same process sees stale data, so databases live in a
module-level registry keyed on the resolved path and shared, reference-counted, by every
``Kuzu`` source of the process; each thread has its own ``Connection``. Before a non-empty file
is opened for the first time in a process, a child process opens it read-only and reads its
catalog: Kuzu can crash (SIGSEGV) on a corrupt catalog, and the child's crash becomes a
``SourceUnavailableError`` instead of ours (only the catalog is read: a corrupt data page
can still fail, or crash, when a query reaches it).

What Kuzu 0.11.3 does, checked against DuckDB (tests/sources/test_kuzu_source.py):

- Predicates: comparisons, AND/OR/NOT and IS [NOT] NULL follow SQL's three-valued logic; IN
  with a NULL in the list and NaN ordering do not, and ``cypher.CypherWriter`` writes around
  both (see ``federation.sources.cypher``). LIKE has no Cypher form: a literal or parameter
  pattern is rewritten (``cypher.like_form``); a pattern computed from columns is not pushed.
- Patterns are matched homomorphically: no relationship-uniqueness rule inside one MATCH
  (``(a)-[e1:R]->(b)<-[e2:R]-(c)`` also matches e1 = e2), as the oracle's joins do.
- An undirected single edge ``(a)-[e]-(b)`` matches each edge in both directions; a self-loop
  is therefore returned twice (a UNION ALL of both directions, not an OR join condition).
- Variable-length ``*lo..hi`` has walk semantics: nodes and edges may repeat, and each
  distinct walk is one row (two routes to a node give two rows). ``*`` alone means ``*1..30``;
  30 is Kuzu's maximum upper bound (``cypher.MAX_HOPS``). ``*0..n`` includes the start node.
- A relationship whose label does not connect the given node labels matches nothing (no error).
- Fixed-size lists (``FLOAT[3]``) come back as Arrow fixed-size lists and are cast to
  ``list<float>``. Types Arrow cannot take as they are (UUID, INTERVAL, STRUCT, MAP, UNION)
  are declared as strings and read as ``CAST(… AS STRING)``.
- Kuzu has no data-version API: ``version()`` combines a write generation (bumped by
  ``bump_version()``/``write()``, shared by the sources of one path) with the size and mtime of
  the database file and its ``.wal``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from federation import cancel
from federation.errors import ConfigurationError, SourceError
from federation.sources.base import CompiledFragment, Source, arrow_schema, empty_table
from federation.sources.connections import PerThread
from federation.sources.cypher import catalog_call, compile_match, count_query
from federation.sources.kuzu_arrow import signed_decimals
from federation.sources.kuzu_db import (  # noqa: F401  (driver, pool_bytes: public here)
    POOL_FILE_TIMES,
    POOL_MIN,
    POOL_RAM_SHARE,
    Shared,
    Statements,
    acquire,
    bump,
    driver,
    make_writable,
    pool_bytes,
    release,
    stat,
    unavailable,
)
from planner.capabilities import Capabilities
from planner.catalog import SourceInfo, TableSchema
from planner.logical import GraphMatch, Plan

if TYPE_CHECKING:
    from federation.writes.kuzu_writer import KuzuWriter
    from federation.writes.store import StoreWriter

CAPABILITIES = Capabilities.of_dialect(
    "cypher",
    like_any_pattern=False,  # a bound pattern becomes STARTS WITH/ENDS WITH/CONTAINS/=/=~
    value_families=frozenset({"int", "float", "decimal", "string", "date", "bool"}),
    projection=True,
    limit=True,
    joins=frozenset(),
    pattern_joins=True,  # hash joins on an equality between the parts' properties
    receives_keys=True,  # as one list parameter: ``x.k IN $keys`` (cypher_expr._in_keys)
    # Kuzu tests every row against the whole list (29 581 keys over TPC-H SF1's 800 000
    # partsupp rows took 55 s); integer keys come sorted in chunks of 100, each guarded by
    # its range, so a row meets at most one chunk's list: 300 part keys took 55 ms, 1 000
    # keys 100 ms, as long as the whole read (the router weighs the keys it gets)
    max_passed_keys=1000,
    key_chunk=100,
    # no NULLS FIRST/LAST in Kuzu's grammar: the writer orders by ``x IS NULL`` first; floats
    # stay out (Kuzu's NaN comparisons differ from DuckDB's total order)
    order=frozenset({"int", "string", "date", "bool"}),
    aggregates=frozenset({("count", "*"), *((f, k) for f in ("count", "min", "max")
                                            for k in ("int", "string", "date", "bool")),
                          ("count", "float"), *((f, k) for f in ("sum", "avg")
                                                for k in ("int", "float"))}),
    group_families=frozenset({"int", "string", "date", "bool"}),
)
CHUNK_ROWS = 1 << 17


def chunk_rows(result: Any) -> int:
    """Rows per Arrow chunk of ``result``: at most ``CHUNK_ROWS``, never more than it holds.
    Kuzu sizes each chunk's buffers by the requested rows: TPC-H SF1's 10 000 suppliers (four
    string columns) exported in 14.8 ms with 131 072-row chunks and 4.7 ms in one chunk of
    their own size."""
    return max(1, min(CHUNK_ROWS, result.get_num_tuples()))

_SCALARS = {
    **dict.fromkeys(("INT64", "INT32", "INT16", "INT8", "SERIAL", "UINT32", "UINT16", "UINT8"),
                    pa.int64()),
    "UINT64": pa.uint64(), "INT128": pa.decimal128(38, 0),
    "DOUBLE": pa.float64(), "FLOAT": pa.float32(), "STRING": pa.string(), "BOOL": pa.bool_(),
    "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "TIMESTAMP_NS": pa.timestamp("ns"),
    "TIMESTAMP_MS": pa.timestamp("ms"), "TIMESTAMP_SEC": pa.timestamp("s"),
    "TIMESTAMP_TZ": pa.timestamp("us", tz="UTC"), "BLOB": pa.binary(),
}
_LIST = re.compile(r"^(?P<item>.+)\[(?P<size>\d*)\]$")
_DECIMAL = re.compile(r"^DECIMAL\((?P<p>\d+),\s*(?P<s>\d+)\)$")

def arrow_type(declared: str, *, item: bool = False) -> pa.DataType | None:
    """Arrow type of a Kuzu property type; None when it is read as a string.

    >>> arrow_type("FLOAT[3]")
    ListType(list<item: float>)
    """
    text = declared.strip().upper()
    if item and text == "FLOAT":
        return pa.float32()
    if text in _SCALARS:
        return _SCALARS[text]
    if m := _DECIMAL.match(text):
        precision, scale = int(m["p"]), int(m["s"])
        return pa.decimal128(precision, scale) if precision <= 38 else None
    if m := _LIST.match(text):
        inner = arrow_type(m["item"], item=True)
        return None if inner is None else pa.list_(inner)
    return None


def _named(params: tuple[object, ...]) -> dict[str, object]:
    """``CompiledFragment.params`` of a Kuzu fragment: ``(name, value)`` pairs."""
    named: dict[str, object] = {}
    for pair in params:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise TypeError("Kuzu fragment parameters are (name, value) pairs")
        named[pair[0]] = pair[1]
    return named


def _arrow(con: Any, statement: Any, params: dict[str, object]) -> pa.Table:
    """Run ``statement``; the query's deadline or close() interrupts the call (a connection
    is never closed while it runs: federation.lifecycle)."""
    with cancel.interruptible(con.interrupt):
        result = con.execute(statement, params)
        try:
            return result.get_as_arrow(chunk_size=chunk_rows(result))
        finally:
            result.close()


def _close_connection(statements: Statements) -> None:
    statements.con.close()


class Kuzu(Source):
    """``fed.Kuzu("graph.kuzu")``: a Kuzu 0.11 database file.

    A missing file is created (empty) when its directory exists, so a graph can be built
    through ``write()``; a missing directory, a directory, a file that is not a Kuzu database,
    a corrupt catalog or a file another process holds raise ``SourceUnavailableError``.
    Reads open the database read-only, so other processes can open and read it meanwhile;
    ``write()`` reopens it read-write. ``read_only=True`` never creates and never writes.
    The first source to open a path sets its buffer pool and threads for the whole process.
    """

    kind = "kuzu"

    def __init__(self, path: str | Path, *, buffer_pool_bytes: int | None = None,
                 threads: int = 2, read_only: bool = False) -> None:
        if not isinstance(path, str | Path) or not str(path):
            raise ConfigurationError("fed.Kuzu needs a database file path")
        for what, value in (("buffer_pool_bytes", buffer_pool_bytes), ("threads", threads)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ConfigurationError(f"fed.Kuzu {what} must be a positive integer")
        self.path = Path(path).expanduser().resolve()
        self._files = (str(self.path), str(self.path) + ".wal")  # what version() stats
        self.buffer_pool_bytes = buffer_pool_bytes
        self.threads = threads
        self.read_only = read_only
        self.name = ""
        self._shared: Shared | None = None
        # each thread's connection (with its prepared statements), reused when its thread ends
        self._cons: PerThread[Statements] = PerThread(self._connect, _close_connection)
        self._lock = threading.Lock()
        # (version, catalog, properties read as strings), replaced as one value
        self._state: tuple[Hashable, SourceInfo, frozenset[tuple[str, str]]] | None = None
        self._writer: KuzuWriter | None = None

    # ---- database and connections
    def _db(self) -> Shared:
        with self._lock:
            if self._shared is None:
                pool = self.buffer_pool_bytes or pool_bytes(self.path)
                self._shared = acquire(self.path, pool, self.threads, not self.read_only,
                                       self.name or str(self.path), self, self._cons.close_all)
            return self._shared

    @property
    def database(self) -> Any:
        """The process-wide ``Database`` of this path."""
        return self._db().database

    def _connect(self) -> Statements:
        try:
            con = driver().Connection(self.database, num_threads=self.threads)
        except Exception as err:
            raise unavailable(self.path, self.name or str(self.path), str(err)) from err
        return Statements(con)

    def _con(self) -> Any:
        return self._cons.get().con

    def _prepared(self, text: str) -> tuple[Any, Any]:
        """(connection, prepared statement of ``text``) of this thread."""
        statements = self._cons.get()
        state = self._state
        return statements.con, statements.get(text, state[0] if state else None)

    def open(self, name: str) -> None:
        self.name = name
        self._con()

    # ---- catalog
    def info(self) -> SourceInfo:
        return self._catalog()[0]

    def info_at(self, version: Hashable) -> SourceInfo:
        """The catalog at the token ``version()`` just read (not read twice per query)."""
        return self._catalog(version)[0]

    def _catalog(self, version: Hashable | None = None
                 ) -> tuple[SourceInfo, frozenset[tuple[str, str]]]:
        """The catalog and its string-read properties, re-read when the version moved."""
        key, state = self.version() if version is None else version, self._state
        if state is None or state[0] != key or state[1].name != self.name:
            tables, stringified = self._read_catalog()
            state = self._state = (key, SourceInfo(self.name, self.kind, CAPABILITIES, tables),
                                   stringified)
        return state[1], state[2]

    def _rows(self, cypher: str) -> list[dict[str, Any]]:
        try:
            con = self._con()
            with cancel.interruptible(con.interrupt):
                result = con.execute(cypher)
                try:
                    return list(result.get_as_arrow(chunk_size=chunk_rows(result)).to_pylist())
                finally:
                    result.close()
        except Exception as err:
            raise SourceError(str(err), source=self.name, fragment=cypher) from err

    def _read_catalog(self) -> tuple[dict[str, TableSchema], frozenset[tuple[str, str]]]:
        tables: dict[str, TableSchema] = {}
        stringified: set[tuple[str, str]] = set()
        for row in self._rows("CALL show_tables() RETURN *"):
            name, kind = row["name"], str(row["type"]).lower()
            if kind not in ("node", "rel") or name.startswith("_Fed"):  # write markers
                continue
            columns = []
            props = self._rows(catalog_call("table_info", name))
            for prop in props:
                declared = arrow_type(prop["type"])
                if declared is None:
                    stringified.add((name, prop["name"]))
                columns.append((prop["name"], declared or pa.string()))
            endpoints: tuple[tuple[str, str], ...] = ()
            if kind == "rel":
                endpoints = tuple(
                    (r["source table name"], r["destination table name"])
                    for r in self._rows(catalog_call("show_connection", name)))
            primary = tuple(p["name"] for p in props if p.get("primary key"))
            tables[name] = TableSchema(name, tuple(columns), self._count(name, kind),
                                       kind=kind, endpoints=endpoints, unique=primary)
        return tables, frozenset(stringified)

    def _count(self, name: str, kind: str) -> int | None:
        """Nodes or relationships of a table, for the planner's row estimates (read with the
        catalog, so again only after a write)."""
        rows = self._rows(count_query(name, kind))
        return int(rows[0]["c"]) if rows else None

    def version(self) -> Hashable:
        """(write generation, file stat, WAL stat): see the module docstring."""
        shared = self._shared or self._db()
        return shared.generation, stat(self._files[0]), stat(self._files[1])

    def bump_version(self) -> None:
        """Called after a write through the engine: every source of this path sees it."""
        bump(self._db())

    def write(self, cypher: str, params: Mapping[str, object] | None = None) -> None:
        """Run a writing statement (DDL, CREATE, COPY …) and bump the version. The path's
        Database is reopened read-write first (``kuzu_db.make_writable``: reads alone keep it
        read-only, so other processes can read the file meanwhile)."""
        if self.read_only:
            raise SourceError("this Kuzu source was attached with read_only=True",
                              source=self.name, fragment=cypher)
        make_writable(self.path, self._db(), self.name or str(self.path))
        try:
            results = self._con().execute(cypher, dict(params or {}))
            for result in results if isinstance(results, list) else [results]:
                result.close()
        except Exception as err:
            raise SourceError(str(err), source=self.name, fragment=cypher) from err
        finally:
            self.bump_version()
            if self._writer is not None:
                self._writer.forget_schema()

    # ---- fragments
    def compile(self, fragment: Plan, params: Mapping[str, object]) -> CompiledFragment:
        if not isinstance(fragment, GraphMatch):
            raise TypeError("Kuzu runs GraphMatch fragments")
        info, stringified = self._catalog()
        text, values = compile_match(fragment, params, info.tables, stringified, self.name)
        return CompiledFragment(self.name, self.kind, text, values, fragment.columns)

    def execute(self, compiled: CompiledFragment) -> pa.Table:
        try:
            writer = self._writer
            if writer is not None and writer.in_transaction:
                # an open engine transaction: read through it, its writes included
                with writer.read_connection() as con:
                    table = _arrow(con, compiled.native, _named(compiled.params))
            else:
                con, prepared = self._prepared(compiled.native)
                table = _arrow(con, prepared, _named(compiled.params))
        except Exception as err:
            raise SourceError(str(err), source=self.name, fragment=compiled.native) from err
        if not compiled.schema:
            return table.select([])
        if table.num_rows == 0:
            return empty_table(compiled.schema)
        target = arrow_schema(compiled.schema)
        table = signed_decimals(table)  # Kuzu exports negative narrow DECIMALs unsigned
        try:
            table = table.rename_columns(target.names)
            return table if table.schema == target else table.cast(target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
            raise SourceError(f"a value does not fit its declared column type: {err}",
                              source=self.name, fragment=compiled.native) from err

    def writer(self) -> StoreWriter:
        if self.read_only:
            raise ConfigurationError(f"Kuzu source {self.name!r} was attached read_only=True")
        from federation.writes.kuzu_writer import KuzuWriter

        with self._lock:
            self._writer = self._writer or KuzuWriter(self)
            return self._writer

    def close(self) -> None:
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        self._cons.close_all()
        with self._lock:
            shared, self._shared = self._shared, None
            self._state = None
        if shared is not None:
            release(self.path, shared, self)

