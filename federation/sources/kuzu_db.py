"""Kuzu's process-wide databases (one per path, probed in a child first), its driver module,
and each connection's cache of prepared statements.

See ``federation.sources.kuzu`` for why a path has one shared ``Database``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from federation.errors import ConfigurationError, SourceUnavailableError
from federation.sources.cypher import catalog_call, quote_name, string_literal

DRIVERS = ("kuzu", "real_ladybug", "ladybug")
POOL_MIN, POOL_FILE_TIMES, POOL_RAM_SHARE = 256 << 20, 3, 0.4
PROBE_TIMEOUT_S = 120.0
CHECK_MAX_ROWS = 200_000  # tables up to this size are read whole when a file is first opened
STATEMENTS_PER_CONNECTION = 32

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


# ---- one Database per path per process
@dataclass
class Shared:
    """A path's ``Database``, opened read-only (other processes can then open and read the
    same file: a read-write Database locks every other process out) until a write asks for
    read-write (``make_writable``)."""

    database: Any
    pool: int
    threads: int
    writable: bool = False
    users: int = 0
    generation: int = 0
    # per source: closes its connections, which must go before the Database is reopened
    closers: dict[int, Callable[[], None]] = field(default_factory=dict)


_REGISTRY: dict[Path, Shared] = {}
_REGISTRY_LOCK = threading.Lock()

# the child stays import-light (no federation package), so it gets the source of the
# statement builders (Kuzu's CALL takes literals only, never $parameters)
_PROBE = r"""
import importlib, sys
kz = importlib.import_module(sys.argv[1])
try:
    db = kz.Database(sys.argv[2], read_only=True, buffer_pool_size=64 << 20, max_num_threads=1)
    con = kz.Connection(db)
    def rows(text):
        return con.execute(text).get_as_arrow().to_pylist()
    for row in rows("CALL show_tables() RETURN *"):
        if row["type"] not in ("NODE", "REL"):
            continue
        props = rows(catalog_call("table_info", row["name"]))
        if row["type"] == "REL":
            rows(catalog_call("show_connection", row["name"]))
        kind = row["type"].lower()
        size = rows(consistency_query(row["name"], kind, [], None))[0]["c"]
        if size > int(sys.argv[3]):
            continue
        names = [p["name"] for p in props]
        key = next((p["name"] for p in props if p.get("primary key")), None)
        found = rows(consistency_query(row["name"], kind, names, key))[0]
        if key is not None and not found["c"] == found["k"] == found[f"p{names.index(key)}"]:
            raise ValueError(f"table {row['name']}: {found['c']} nodes but {found['k']} "
                             f"distinct values of its primary key {key}")
except Exception as err:
    sys.stderr.write(str(err).strip() + "\n")
    sys.exit(3)
"""


def consistency_query(table: str, kind: str, properties: list[str], key: str | None) -> str:
    """Rows of a node or rel table; with ``properties``, every one of them read once (the
    non-NULL values counted) and, with ``key``, its distinct values counted. Labels and
    property names are the catalog's own, quoted.

    >>> consistency_query("P", "node", ["id", "s"], "id")
    'MATCH (n:`P`) RETURN count(*) AS c, count(DISTINCT n.`id`) AS k, \
count(CAST(n.`id` AS STRING)) AS p0, count(CAST(n.`s` AS STRING)) AS p1'
    """
    pattern = "(n:" + quote_name(table) + ")" if kind == "node" \
        else "()-[n:" + quote_name(table) + "]->()"
    items = ["count(*) AS c"]
    if key is not None:
        items.append("count(DISTINCT n." + quote_name(key) + ") AS k")
    # through text: Kuzu 0.11.3's count() refuses a DECIMAL argument
    items += ["count(CAST(n." + quote_name(p) + " AS STRING)) AS p" + str(i)
              for i, p in enumerate(properties)]
    return "MATCH " + pattern + " RETURN " + ", ".join(items)


def _probe(path: Path, source: str) -> None:
    """Open the file in a child process, so that a crash there is not ours: read its catalog
    and check what is cheap to check (Kuzu keeps no page checksums, so an overwritten page
    is otherwise read as data): every table of at most ``CHECK_MAX_ROWS`` rows is read once
    (a page that crashes Kuzu crashes the child) and its primary key must be unique."""
    try:
        script = "PlanError = ValueError\n" + "".join(
            inspect.getsource(f) for f in (string_literal, catalog_call, quote_name,
                                           consistency_query)) + _PROBE
        done = subprocess.run([sys.executable, "-P", "-c", script, driver().__name__, str(path),
                               str(CHECK_MAX_ROWS)],
                              capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.SubprocessError) as err:
        raise unavailable(path, source, f"checking the file failed: {err}") from err
    if done.returncode < 0:
        raise unavailable(path, source, f"reading it crashes Kuzu (signal "
                                         f"{-done.returncode}): the file is corrupt")
    if done.returncode:
        lines = done.stderr.strip().splitlines()
        raise unavailable(path, source, lines[-1] if lines else f"exit {done.returncode}")


def unavailable(path: Path, source: str, reason: str) -> SourceUnavailableError:
    return SourceUnavailableError(f"cannot open Kuzu database {str(path)!r}: {reason}",
                                  source=source)


def _open_database(path: Path, pool: int, threads: int, read_only: bool, source: str, *,
                   probe: bool = True) -> Any:
    if path.is_dir():
        raise unavailable(path, source, "it is a directory (Kuzu 0.11 keeps a database in "
                                         "one file)")
    if not path.exists():
        if read_only:
            raise unavailable(path, source, "no such file")
        if not path.parent.is_dir():
            raise unavailable(path, source, f"no directory {str(path.parent)!r}")
    elif probe and path.stat().st_size > 0:
        _probe(path, source)
    kz = driver()
    try:
        db = kz.Database(str(path), buffer_pool_size=pool, max_num_threads=threads,
                         read_only=read_only)
    except Exception as err:
        raise unavailable(path, source, str(err)) from err
    return db


def _create(path: Path, pool: int, threads: int, source: str) -> None:
    """A new, empty database file (Kuzu creates one only read-write); closed at once."""
    if not path.parent.is_dir():
        raise unavailable(path, source, f"no directory {str(path.parent)!r}")
    try:
        driver().Database(str(path), buffer_pool_size=pool, max_num_threads=threads).close()
    except Exception as err:
        raise unavailable(path, source, str(err)) from err


def acquire(path: Path, pool: int, threads: int, create: bool, source: str,
            owner: object, closer: Callable[[], None]) -> Shared:
    """The path's shared Database, opened read-only; a missing file is first created when
    ``create`` (a source that may write). ``closer`` closes ``owner``'s connections when a
    write reopens the Database (``make_writable``)."""
    with _REGISTRY_LOCK:
        shared = _REGISTRY.get(path)
        if shared is None:
            fresh = create and not path.exists()
            if fresh:
                _create(path, pool, threads, source)
            shared = _REGISTRY[path] = Shared(
                _open_database(path, pool, threads, True, source, probe=not fresh),
                pool, threads)
        shared.users += 1
        shared.closers[id(owner)] = closer
        return shared


def make_writable(path: Path, shared: Shared, source: str) -> None:
    """The one switch from read-only to read-write: every source of the path closes its
    connections, the Database is reopened read-write (locking other processes out until the
    last source of the path closes) and the write generation moves. The caller makes sure
    no query runs on the path meanwhile (a Kuzu Database closed under a running call
    crashes the process); the writes issue decides how writes reach this point."""
    with _REGISTRY_LOCK:
        if shared.writable:
            return
        for close in list(shared.closers.values()):
            close()
        shared.database.close()
        shared.database = _open_database(path, shared.pool, shared.threads, False, source,
                                         probe=False)
        shared.writable = True
        shared.generation += 1


def release(path: Path, shared: Shared, owner: object = None) -> None:
    with _REGISTRY_LOCK:
        shared.closers.pop(id(owner), None)
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
    size = stat(path)
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):  # no sysconf: assume a small machine
        ram = 8 << 30
    wanted = max(POOL_MIN, POOL_FILE_TIMES * (size[1] if size else 0))
    return max(min(wanted, int(ram * POOL_RAM_SHARE)), 64 << 20)


def stat(path: str | Path) -> tuple[int, int] | None:
    """(mtime, size) of a file, None when it is missing (``os.stat``: no ``Path`` costs)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size




class Statements:
    """One connection's prepared statements, least recently used first, keyed on the Cypher
    text; emptied when the catalog's version moves (Kuzu re-binds a statement after DDL on
    its own, checked in tests/sources/test_kuzu_source.py; emptying also frees statements of
    a schema that is gone). Parsing, binding and planning a one-hop lookup costs ~0.7 ms
    of its ~2 ms: a prepared statement pays it once per connection.
    """

    def __init__(self, con: Any, size: int = STATEMENTS_PER_CONNECTION) -> None:
        self.con = con
        self.size = size
        self.version: Hashable = None
        self._cached: OrderedDict[str, Any] = OrderedDict()

    def get(self, text: str, version: Hashable) -> Any:
        """A prepared statement of ``text``; one that failed to prepare is not kept (running
        it raises the driver's error)."""
        if version != self.version:
            self._cached.clear()
            self.version = version
        prepared = self._cached.get(text)
        if prepared is not None:
            self._cached.move_to_end(text)
            return prepared
        prepared = driver().PreparedStatement(self.con, text)
        if prepared.is_success():
            self._cached[text] = prepared
            if len(self._cached) > self.size:
                self._cached.popitem(last=False)
        return prepared

    def __len__(self) -> int:
        return len(self._cached)


def bump(shared: Shared) -> None:
    """A write went through: every source of the path sees a new version."""
    with _REGISTRY_LOCK:
        shared.generation += 1
