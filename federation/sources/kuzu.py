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

import importlib
import inspect
import os
import re
import subprocess
import sys
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa

from federation.errors import ConfigurationError, SourceError, SourceUnavailableError
from federation.sources.base import CompiledFragment, Source, arrow_schema, empty_table
from federation.sources.cypher import compile_match, string_literal
from planner.capabilities import Capabilities
from planner.catalog import SourceInfo, TableSchema
from planner.logical import GraphMatch, Plan

CAPABILITIES = Capabilities(
    predicates=frozenset({"eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "is_null",
                          "is_not_null", "in", "not_in", "between", "not_between", "like",
                          "not_like"}),
    like_any_pattern=False,  # a bound pattern becomes STARTS WITH/ENDS WITH/CONTAINS/=/=~
    value_families=frozenset({"int", "float", "decimal", "string", "date", "bool"}),
    projection=True,
    limit=True,
    joins=frozenset(),
    # no NULLS FIRST/LAST in Kuzu's grammar: the writer orders by ``x IS NULL`` first; floats
    # stay out (Kuzu's NaN comparisons differ from DuckDB's total order)
    order=frozenset({"int", "string", "date", "bool"}),
    aggregates=frozenset({("count", "*"), *((f, k) for f in ("count", "min", "max")
                                            for k in ("int", "string", "date", "bool")),
                          ("count", "float"), *((f, k) for f in ("sum", "avg")
                                                for k in ("int", "float"))}),
    group_families=frozenset({"int", "string", "date", "bool"}),
)
DRIVERS = ("kuzu", "real_ladybug", "ladybug")
CHUNK_ROWS = 1 << 17
POOL_MIN, POOL_FILE_TIMES, POOL_RAM_SHARE = 256 << 20, 3, 0.4
PROBE_TIMEOUT_S = 120.0

_SCALARS = {
    **dict.fromkeys(("INT64", "INT32", "INT16", "INT8", "SERIAL", "UINT32", "UINT16", "UINT8"),
                    pa.int64()),
    "UINT64": pa.uint64(), "INT128": pa.decimal128(38, 0),
    "DOUBLE": pa.float64(), "FLOAT": pa.float64(), "STRING": pa.string(), "BOOL": pa.bool_(),
    "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "TIMESTAMP_NS": pa.timestamp("ns"),
    "TIMESTAMP_MS": pa.timestamp("ms"), "TIMESTAMP_SEC": pa.timestamp("s"),
    "TIMESTAMP_TZ": pa.timestamp("us", tz="UTC"), "BLOB": pa.binary(),
}
_LIST = re.compile(r"^(?P<item>.+)\[(?P<size>\d*)\]$")
_DECIMAL = re.compile(r"^DECIMAL\((?P<p>\d+),\s*(?P<s>\d+)\)$")

_driver: ModuleType | None = None


def driver() -> ModuleType:
    """The Kuzu Python module: ``kuzu``, else its fork ``ladybug`` (same API).

    ``FEDERATION_GRAPH_DRIVER=ladybug`` picks the fork even when both are installed.
    """
    global _driver
    if _driver is None:
        wanted = os.environ.get("FEDERATION_GRAPH_DRIVER")
        for name in (wanted,) if wanted else DRIVERS:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            # kuzu 0.11.3 reads importlib.util when binding some parameters without importing it
            importlib.import_module("importlib.util")
            _driver = module
            break
        else:
            raise ConfigurationError("fed.Kuzu needs the kuzu package (or its fork ladybug)")
    return _driver


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


# ---- one Database per path per process
@dataclass
class _Shared:
    database: Any
    users: int = 0
    generation: int = 0


_REGISTRY: dict[Path, _Shared] = {}
_REGISTRY_LOCK = threading.Lock()

# the child stays import-light (no federation package), so it gets the escaper's source;
# Kuzu's CALL takes literals only, never $parameters
_PROBE = r"""
import importlib, sys
kz = importlib.import_module(sys.argv[1])
try:
    db = kz.Database(sys.argv[2], read_only=True, buffer_pool_size=64 << 20, max_num_threads=1)
    con = kz.Connection(db)
    for row in con.execute("CALL show_tables() RETURN *").get_as_arrow().to_pylist():
        name = string_literal(row["name"])  # the catalog's own name
        con.execute(f"CALL table_info({name}) RETURN *").get_as_arrow()
        if row["type"] == "REL":
            con.execute(f"CALL show_connection({name}) RETURN *").get_as_arrow()
except Exception as err:
    sys.stderr.write(str(err).strip() + "\n")
    sys.exit(3)
"""

def _probe(path: Path, source: str) -> None:
    """Open and read the catalog in a child process, so a crash there is not ours."""
    try:
        script = inspect.getsource(string_literal) + _PROBE
        done = subprocess.run([sys.executable, "-P", "-c", script, driver().__name__, str(path)],
                              capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.SubprocessError) as err:
        raise _unavailable(path, source, f"checking the file failed: {err}") from err
    if done.returncode < 0:
        raise _unavailable(path, source, f"reading its catalog crashes Kuzu (signal "
                                         f"{-done.returncode}): the file is corrupt")
    if done.returncode:
        lines = done.stderr.strip().splitlines()
        raise _unavailable(path, source, lines[-1] if lines else f"exit {done.returncode}")


def _unavailable(path: Path, source: str, reason: str) -> SourceUnavailableError:
    return SourceUnavailableError(f"cannot open Kuzu database {str(path)!r}: {reason}",
                                  source=source)


def _open_database(path: Path, pool: int, threads: int, read_only: bool, source: str) -> Any:
    if path.is_dir():
        raise _unavailable(path, source, "it is a directory (Kuzu 0.11 keeps a database in "
                                         "one file)")
    if not path.exists():
        if read_only:
            raise _unavailable(path, source, "no such file")
        if not path.parent.is_dir():
            raise _unavailable(path, source, f"no directory {str(path.parent)!r}")
    elif path.stat().st_size > 0:
        _probe(path, source)
    kz = driver()
    try:
        db = kz.Database(str(path), buffer_pool_size=pool, max_num_threads=threads,
                         read_only=read_only)
    except Exception as err:
        raise _unavailable(path, source, str(err)) from err
    return db


def _acquire(path: Path, pool: int, threads: int, read_only: bool, source: str) -> _Shared:
    with _REGISTRY_LOCK:
        shared = _REGISTRY.get(path)
        if shared is None:
            shared = _REGISTRY[path] = _Shared(
                _open_database(path, pool, threads, read_only, source))
        shared.users += 1
        return shared


def _release(path: Path, shared: _Shared) -> None:
    with _REGISTRY_LOCK:
        shared.users -= 1
        if shared.users > 0:
            return
        if _REGISTRY.get(path) is shared:
            del _REGISTRY[path]
    shared.database.close()


def pool_bytes(path: Path) -> int:
    """Kuzu's buffer pool for a database file (its default is 80% of RAM, which it takes
    from DuckDB and the rest of the process): room for the file a few times over, for the
    pages read and the intermediate results, at least ``POOL_MIN`` and at most
    ``POOL_RAM_SHARE`` of physical memory."""
    size = _stat(path)
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):  # no sysconf: assume a small machine
        ram = 8 << 30
    wanted = max(POOL_MIN, POOL_FILE_TIMES * (size[1] if size else 0))
    return max(min(wanted, int(ram * POOL_RAM_SHARE)), 64 << 20)


def _named(params: tuple[object, ...]) -> dict[str, object]:
    """``CompiledFragment.params`` of a Kuzu fragment: ``(name, value)`` pairs."""
    named: dict[str, object] = {}
    for pair in params:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise TypeError("Kuzu fragment parameters are (name, value) pairs")
        named[pair[0]] = pair[1]
    return named


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class Kuzu(Source):
    """``fed.Kuzu("graph.kuzu")``: a Kuzu 0.11 database file.

    A missing file is created (empty) when its directory exists, so a graph can be built
    through ``write()``; a missing directory, a directory, a file that is not a Kuzu database,
    a corrupt catalog or a file another process holds raise ``SourceUnavailableError``.
    ``read_only=True`` never creates and never writes. The first source to open a path sets
    its buffer pool, threads and mode for the whole process.
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
        self.buffer_pool_bytes = buffer_pool_bytes
        self.threads = threads
        self.read_only = read_only
        self.name = ""
        self._shared: _Shared | None = None
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        # (version, catalog, properties read as strings), replaced as one value
        self._state: tuple[Hashable, SourceInfo, frozenset[tuple[str, str]]] | None = None

    # ---- database and connections
    def _db(self) -> _Shared:
        with self._lock:
            if self._shared is None:
                pool = self.buffer_pool_bytes or pool_bytes(self.path)
                self._shared = _acquire(self.path, pool, self.threads, self.read_only,
                                        self.name or str(self.path))
            return self._shared

    @property
    def database(self) -> Any:
        """The process-wide ``Database`` of this path."""
        return self._db().database

    def _con(self) -> Any:
        con = getattr(self._local, "con", None)
        if con is None:
            try:
                con = driver().Connection(self.database, num_threads=self.threads)
            except Exception as err:
                raise _unavailable(self.path, self.name or str(self.path), str(err)) from err
            with self._lock:
                self._all.append(con)
            self._local.con = con
        return con

    def open(self, name: str) -> None:
        self.name = name
        self._con()

    # ---- catalog
    def info(self) -> SourceInfo:
        return self._catalog()[0]

    def _catalog(self) -> tuple[SourceInfo, frozenset[tuple[str, str]]]:
        """The catalog and its string-read properties, re-read when the version moved."""
        key, state = self.version(), self._state
        if state is None or state[0] != key or state[1].name != self.name:
            tables, stringified = self._read_catalog()
            state = self._state = (key, SourceInfo(self.name, self.kind, CAPABILITIES, tables),
                                   stringified)
        return state[1], state[2]

    def _rows(self, cypher: str) -> list[dict[str, Any]]:
        try:
            result = self._con().execute(cypher)
            try:
                return list(result.get_as_arrow(chunk_size=CHUNK_ROWS).to_pylist())
            finally:
                result.close()
        except Exception as err:
            raise SourceError(str(err), source=self.name, fragment=cypher) from err

    def _read_catalog(self) -> tuple[dict[str, TableSchema], frozenset[tuple[str, str]]]:
        tables: dict[str, TableSchema] = {}
        stringified: set[tuple[str, str]] = set()
        for row in self._rows("CALL show_tables() RETURN *"):
            name, kind = row["name"], str(row["type"]).lower()
            if kind not in ("node", "rel"):
                continue
            # CALL takes literals only ("$n has type PARAMETER but LITERAL was expected"), so
            # the table name, read from the database's own catalog, goes through the escaper
            literal = string_literal(name)
            columns = []
            for prop in self._rows(f"CALL table_info({literal}) RETURN *"):
                declared = arrow_type(prop["type"])
                if declared is None:
                    stringified.add((name, prop["name"]))
                columns.append((prop["name"], declared or pa.string()))
            endpoints: tuple[tuple[str, str], ...] = ()
            if kind == "rel":
                endpoints = tuple(
                    (r["source table name"], r["destination table name"])
                    for r in self._rows(f"CALL show_connection({literal}) RETURN *"))
            tables[name] = TableSchema(name, tuple(columns), kind=kind, endpoints=endpoints)
        return tables, frozenset(stringified)

    def version(self) -> Hashable:
        """(write generation, file stat, WAL stat): see the module docstring."""
        shared = self._db()
        wal = self.path.with_name(self.path.name + ".wal")
        return shared.generation, _stat(self.path), _stat(wal)

    def bump_version(self) -> None:
        """Called after a write through the engine: every source of this path sees it."""
        shared = self._db()
        with _REGISTRY_LOCK:
            shared.generation += 1

    def write(self, cypher: str, params: Mapping[str, object] | None = None) -> None:
        """Run a writing statement (DDL, CREATE, COPY …) and bump the version."""
        try:
            results = self._con().execute(cypher, dict(params or {}))
            for result in results if isinstance(results, list) else [results]:
                result.close()
        except Exception as err:
            raise SourceError(str(err), source=self.name, fragment=cypher) from err
        finally:
            self.bump_version()

    # ---- fragments
    def compile(self, fragment: Plan, params: Mapping[str, object]) -> CompiledFragment:
        if not isinstance(fragment, GraphMatch):
            raise TypeError("Kuzu runs GraphMatch fragments")
        info, stringified = self._catalog()
        text, values = compile_match(fragment, params, info.tables, stringified, self.name)
        return CompiledFragment(self.name, self.kind, text, values, fragment.columns)

    def execute(self, compiled: CompiledFragment) -> pa.Table:
        try:
            result = self._con().execute(compiled.native, _named(compiled.params))
            try:
                table = result.get_as_arrow(chunk_size=CHUNK_ROWS)
            finally:
                result.close()
        except Exception as err:
            raise SourceError(str(err), source=self.name, fragment=compiled.native) from err
        if not compiled.schema:
            return table.select([])
        if table.num_rows == 0:
            return empty_table(compiled.schema)
        try:
            return table.rename_columns([c.key for c in compiled.schema]).cast(
                arrow_schema(compiled.schema))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
            raise SourceError(f"a value does not fit its declared column type: {err}",
                              source=self.name, fragment=compiled.native) from err

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()
            self._local = threading.local()
            shared, self._shared = self._shared, None
            self._state = None
        if shared is not None:
            _release(self.path, shared)

