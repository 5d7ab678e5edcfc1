"""Data of the routing benchmark, built once per size under ``benchmarks/.data/`` and reused.

* ``routing-domain-<scale>/``: the demo domain (``federation.domain.generate``: agents and
  tasks in SQLite, ASSIGNED_TO and DEPENDS_ON in Kuzu, knowledge in LanceDB) plus the same
  relationships as SQLite link tables in ``crm.db`` — ``assignments(agent_id, task_id, since,
  weight)`` and ``dependencies(task_id, prerequisite_id)``, indexed both ways — so that
  ``eng.mirror(...)`` can declare them as copies of the Kuzu rel types.
* TPC-H, three-engine placement: ``benchmarks.tpch.data.ensure(sf)`` (dbgen in the peer venv;
  crm SQLite / lake LanceDB / graph Kuzu), used as it is.
* ``routing-tpch-sf<sf>/all.db``: lineitem, part, orders and customer in one SQLite file (the
  all-SQLite placement), written from that TPC-H build's Parquet files.
* ``tiny`` (the smoke test): a synthetic TPC-H-shaped dataset (``routing_tiny``) instead of
  dbgen, so the test needs no peer venv.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import apsw
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.tpch.placement import COLUMNS, SQLITE_TYPE, ddl

DATA = Path(__file__).resolve().parent / ".data"
FORMAT = 2  # bump when a layout below changes: old directories are rebuilt
ALL_SQLITE_TABLES = ("lineitem", "part", "orders", "customer")

LINK_DDL = """
CREATE TABLE assignments(agent_id INTEGER NOT NULL, task_id INTEGER NOT NULL, since DATE,
                         weight REAL);
CREATE INDEX assignments_agent ON assignments(agent_id, task_id);
CREATE INDEX assignments_task ON assignments(task_id, agent_id);
CREATE TABLE dependencies(task_id INTEGER NOT NULL, prerequisite_id INTEGER NOT NULL);
CREATE INDEX dependencies_task ON dependencies(task_id, prerequisite_id);
CREATE INDEX dependencies_prerequisite ON dependencies(prerequisite_id, task_id);
"""


@dataclass(frozen=True)
class DomainData:
    scale: float
    sqlite: Path
    kuzu: Path
    lancedb: Path
    counts: dict[str, int]


@dataclass(frozen=True)
class TpchData:
    scale: float
    crm: Path  # SQLite: customer, orders, nation, region
    lake: Path  # LanceDB: lineitem, part
    graph: Path  # Kuzu: supplier, partsupp
    all_sqlite: Path  # SQLite: lineitem, part, orders, customer
    rows: dict[str, int]


def _manifest_ok(path: Path, want: dict[str, object]) -> bool:
    try:
        have = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(have, dict) and all(have.get(k) == v for k, v in want.items())


def domain(scale: float, root: Path | None = None) -> DomainData:
    """The demo domain at ``scale`` with its SQLite link tables (built once)."""
    from federation.domain import build_tables, counts, generate

    ws = (root or DATA) / f"routing-domain-{scale:g}"
    paths = generate(ws, scale=scale)
    manifest = ws / "routing_manifest.json"
    want: dict[str, object] = {"format": FORMAT, "scale": scale}
    if not _manifest_ok(manifest, want):
        tables = build_tables(scale)
        _write_links(paths.sqlite, tables["assigned_to"], tables["depends_on"])
        manifest.write_text(json.dumps({**want, "links": {
            "assignments": tables["assigned_to"].num_rows,
            "dependencies": tables["depends_on"].num_rows}}) + "\n")
    return DomainData(scale, paths.sqlite, paths.kuzu, paths.lancedb, counts(scale))


def _write_links(db: Path, assigned: pa.Table, depends: pa.Table) -> None:
    con = apsw.Connection(str(db))
    try:
        with con:
            for name in ("assignments", "dependencies"):
                con.execute(f"DROP TABLE IF EXISTS {name}")
            con.execute(LINK_DDL)
            since = pc.strftime(assigned["since"], format="%Y-%m-%d").to_pylist()
            con.executemany("INSERT INTO assignments VALUES (?, ?, ?, ?)", zip(
                assigned["src"].to_pylist(), assigned["dst"].to_pylist(), since,
                assigned["weight"].to_pylist(), strict=True))
            con.executemany("INSERT INTO dependencies VALUES (?, ?)", zip(
                depends["src"].to_pylist(), depends["dst"].to_pylist(), strict=True))
        con.execute("ANALYZE")
    finally:
        con.close()


def tpch(scale: float, root: Path | None = None) -> TpchData:
    """TPC-H at ``scale``: dbgen's three-engine build plus the all-SQLite file; ``scale`` 0
    means the synthetic tiny dataset of the smoke test."""
    if scale == 0:
        from benchmarks.routing_tiny import tiny_tpch

        base = tiny_tpch((root or DATA) / "routing-tpch-tiny")
        parquet = base / "parquet"
        crm, lake, graph = base / "crm.db", base / "lake", base / "graph.kuzu"
        out = base
    else:
        from benchmarks.tpch.data import ensure

        paths, _ = ensure(scale)
        parquet = paths.parquet
        crm, lake, graph = paths.sqlite, paths.lance, paths.kuzu
        out = (root or DATA) / f"routing-tpch-sf{scale:g}"
    all_db = out / "all.db"
    manifest = out / "routing_manifest.json"
    want: dict[str, object] = {"format": FORMAT, "scale": scale, "tables": list(ALL_SQLITE_TABLES)}
    if not (all_db.is_file() and _manifest_ok(manifest, want)):
        out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        rows = write_sqlite_tables(all_db, parquet, ALL_SQLITE_TABLES)
        manifest.write_text(json.dumps({**want, "rows": rows,
                                        "seconds": time.perf_counter() - start}) + "\n")
    rows = json.loads(manifest.read_text())["rows"]
    return TpchData(scale, crm, lake, graph, all_db, rows)


def write_sqlite_tables(db: Path, parquet: Path, tables: Iterable[str]) -> dict[str, int]:
    """TPC-H tables from Parquet into a fresh SQLite file (declared types, dates as ISO text,
    primary keys, an index on ``l_orderkey`` as dbgen's clustering suggests, a unique index on
    ``p_partkey``: keys can be passed into part), analyzed."""
    for p in (db, db.with_name(db.name + "-journal"), db.with_name(db.name + "-wal")):
        p.unlink(missing_ok=True)
    con = apsw.Connection(str(db))
    rows: dict[str, int] = {}
    try:
        with con:
            for table in tables:
                con.execute(ddl(table, SQLITE_TYPE))
                data = pq.read_table(parquet / f"{table}.parquet",
                                     columns=list(COLUMNS[table]))
                cols = [pc.strftime(c, format="%Y-%m-%d").to_pylist()
                        if pa.types.is_date(c.type) else c.to_pylist() for c in data.columns]
                marks = ", ".join("?" * len(cols))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", zip(*cols, strict=True))
                rows[table] = data.num_rows
            if "lineitem" in rows:
                con.execute("CREATE INDEX lineitem_orderkey ON lineitem(l_orderkey)")
            if "part" in rows:  # part's key, as orders' (dbgen's placement declares no key)
                con.execute("CREATE UNIQUE INDEX part_partkey ON part(p_partkey)")
        con.execute("ANALYZE")
    finally:
        con.close()
    return rows
