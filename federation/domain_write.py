"""Writers for the domain tables (see ``federation.domain``): SQLite through apsw, Kuzu by
``COPY … FROM`` an Arrow table in scope, LanceDB, and the one-database DuckDB oracle.

Each writer replaces what is at its path.  Kuzu's module is reached only through ``_kuzu()``
so that the graph source module stays the one place that imports it (``ladybug`` fork).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import apsw
import duckdb
import pyarrow as pa
import pyarrow.compute as pc

KUZU_BUFFER_POOL = 512 * 1024 * 1024
KUZU_THREADS = 2

SQLITE_DDL = """
CREATE TABLE agents(id INTEGER PRIMARY KEY, name TEXT, team TEXT, level INTEGER, hired DATE,
                    active BOOLEAN, score REAL);
CREATE TABLE tasks(id INTEGER PRIMARY KEY, title TEXT, status TEXT, priority INTEGER, due DATE,
                   estimate REAL);
CREATE INDEX tasks_status ON tasks(status);
"""
KUZU_DDL = [
    "CREATE NODE TABLE Agent(id INT64 PRIMARY KEY, name STRING, team STRING, level INT64)",
    "CREATE NODE TABLE Task(id INT64 PRIMARY KEY, title STRING, status STRING, priority INT64)",
    "CREATE REL TABLE ASSIGNED_TO(FROM Agent TO Task, since DATE, weight DOUBLE)",
    "CREATE REL TABLE DEPENDS_ON(FROM Task TO Task)",
]
SQLITE_INSERT = {"agents": "INSERT INTO agents VALUES (?, ?, ?, ?, ?, ?, ?)",
                 "tasks": "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?)"}
GRAPH_COLUMNS = {"Agent": ("agents", ["id", "name", "team", "level"]),
                 "Task": ("tasks", ["id", "title", "status", "priority"]),
                 "ASSIGNED_TO": ("assigned_to", ["src", "dst", "since", "weight"]),
                 "DEPENDS_ON": ("depends_on", ["src", "dst"])}
# Kuzu reads ``frame`` by name from the calling Python frame: a zero-copy Arrow scan
KUZU_COPY = {label: f"COPY {label} FROM frame" for label in GRAPH_COLUMNS}
ORACLE_TABLES = {  # DuckDB table → domain table (fixed-size vectors arrive as FLOAT[dim])
    "crm.agents": "agents", "crm.tasks": "tasks", "graph.Agent": "Agent", "graph.Task": "Task",
    "graph.ASSIGNED_TO": "ASSIGNED_TO", "graph.DEPENDS_ON": "DEPENDS_ON",
    "docs.knowledge": "knowledge"}
ORACLE_LOAD = {target: f"CREATE TABLE {target} AS SELECT * FROM _domain_src"
               for target in ORACLE_TABLES}

Tables = Mapping[str, pa.Table]


def _kuzu() -> ModuleType:
    """The graph driver, from the graph source module (the one place that imports it)."""
    from federation.sources.kuzu import driver

    return driver()


def _remove(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-journal", ".wal",
                                                             "-shm"))):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


def _sqlite_columns(table: pa.Table) -> list[list[Any]]:
    """Columns as Python lists in SQLite's storage form: dates ISO text, booleans 0/1."""
    cols = []
    for col in table.columns:
        if pa.types.is_date(col.type):
            col = pc.strftime(col, format="%Y-%m-%d")
        elif pa.types.is_boolean(col.type):
            col = pc.cast(col, pa.int64())
        cols.append(col.to_pylist())
    return cols


def write_sqlite(tables: Tables, path: Path | str) -> None:
    """``agents`` and ``tasks`` into a fresh SQLite file, one transaction."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove(path)
    con = apsw.Connection(str(path))
    try:
        with con:
            con.execute(SQLITE_DDL)
            for name, insert in SQLITE_INSERT.items():
                con.executemany(insert, zip(*_sqlite_columns(tables[name]), strict=True))
        con.execute("ANALYZE")
    finally:
        con.close()


def write_kuzu(tables: Tables, path: Path | str) -> None:
    """Node and rel tables into a fresh Kuzu database, bulk-loaded with ``COPY … FROM``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove(path)
    kuzu = _kuzu()
    db = kuzu.Database(str(path), buffer_pool_size=KUZU_BUFFER_POOL,
                       max_num_threads=KUZU_THREADS)
    try:
        con = kuzu.Connection(db, num_threads=KUZU_THREADS)
        try:
            for ddl in KUZU_DDL:
                con.execute(ddl)
            for label, (name, columns) in GRAPH_COLUMNS.items():
                _copy_arrow(con, KUZU_COPY[label], tables[name].select(columns))
        finally:
            con.close()
    finally:
        db.close()


def _copy_arrow(con: Any, statement: str, frame: pa.Table) -> None:
    con.execute(statement)  # reads ``frame`` from this Python frame by name


def write_lancedb(tables: Tables, path: Path | str) -> None:
    """``knowledge`` into a LanceDB directory (no ANN index: searches are exact)."""
    import lancedb

    db = lancedb.connect(str(path))
    # "create" on a fresh directory avoids Lance's "no existing dataset" warning
    mode = "overwrite" if (Path(path) / "knowledge.lance").exists() else "create"
    db.create_table("knowledge", data=tables["knowledge"], mode=mode)


def duckdb_oracle(tables: Tables, threads: int = 2,
                  memory_limit: str = "2GB") -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB database with all the data: schemas ``crm`` (agents, tasks),
    ``graph`` (Agent, Task, ASSIGNED_TO, DEPENDS_ON) and ``docs`` (knowledge, vector as
    ``FLOAT[dim]`` so ``array_distance`` works)."""
    con = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": memory_limit})
    con.execute("SET enable_progress_bar = false")
    con.execute("CREATE SCHEMA crm; CREATE SCHEMA graph; CREATE SCHEMA docs")
    sources = {**tables, **{label: tables[name].select(cols)
                            for label, (name, cols) in GRAPH_COLUMNS.items()}}
    for target, name in ORACLE_TABLES.items():
        _duck_load(con, ORACLE_LOAD[target], sources[name])
    return con


def _duck_load(con: duckdb.DuckDBPyConnection, statement: str, table: pa.Table) -> None:
    con.register("_domain_src", table)
    try:
        con.execute(statement)
    finally:
        con.unregister("_domain_src")
