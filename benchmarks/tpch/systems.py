"""The four systems, each a ``run(qid, text) -> pyarrow.Table`` over one scale's data.

* ``peer``: DuckDB 1.5.5 (``.venv-peer``) with the sqlite and lance extensions loaded from their
  wheels: ``ATTACH 'crm.db' AS crm (TYPE sqlite, READ_ONLY)``, ``ATTACH '<lake dir>' AS lake
  (TYPE lance)`` (the LanceDB directory as a Lance namespace: ``lake.lineitem`` is
  ``<dir>/lineitem.lance``), and views ``graph.<t>`` over the Parquet copy of the Kuzu tables
  (DuckDB cannot read Kuzu). The query text runs unchanged.
* ``glue``: :mod:`benchmarks.tpch.glue`.
* ``native``: all tables in one DuckDB file (``native.duckdb``, schemas crm/lake/graph), main
  venv's DuckDB, read-only; also the oracle.
* ``fed``: Federation, ``fed.connect(threads=2)`` with the three stores attached (Kuzu
  read-only); the result cache is off when the engine has one (``cache_bytes=0``). Its router
  starts with no statistics: the timed rounds include its exploration.
* ``fed_ws``: the same on a workspace (``fed.connect(path)``) that a training pass filled
  (``TRAIN`` untimed executions of every query, ``benchmarks.tpch.driver.train``) and that is
  reopened before the timed rounds: the router as a deployment that ran these queries before
  starts (its statistics are kept in the workspace; the answers are not: the cache is off).

Every system runs with 2 threads and materializes the whole result as an Arrow table.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from benchmarks.tpch.data import Paths
from benchmarks.tpch.placement import tables_in

THREADS = 2
SYSTEMS = ("peer", "glue", "native", "fed", "fed_ws")
TRAIN = 10  # untimed executions of every query that fill fed_ws's workspace
PEER_SYSTEMS = ("peer",)  # run by the peer venv's python


def _arrow(rel: Any) -> Any:
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.fetch_arrow_table()


class Peer:
    def __init__(self, paths: Paths) -> None:
        from benchmarks.tpch import peer_ext

        self.con = peer_ext.connect(extensions=("sqlite", "lance"), threads=THREADS)
        self.con.execute(f"ATTACH '{paths.sqlite}' AS crm (TYPE sqlite, READ_ONLY)")
        self.con.execute(f"ATTACH '{paths.lance}' AS lake (TYPE lance)")
        self.con.execute("CREATE SCHEMA graph")
        for table in tables_in("graph"):
            self.con.execute(f"CREATE VIEW graph.{table} AS "
                             f"SELECT * FROM read_parquet('{paths.parquet_table(table)}')")

    def run(self, qid: str, text: str) -> Any:
        return _arrow(self.con.sql(text))


class Native:
    def __init__(self, paths: Paths) -> None:
        import duckdb

        self.con = duckdb.connect(str(paths.native), read_only=True,
                                  config={"threads": THREADS})

    def run(self, qid: str, text: str) -> Any:
        return _arrow(self.con.sql(text))


class Fed:
    def __init__(self, paths: Paths, workspace: Path | None = None) -> None:
        self.paths, self.workspace = paths, workspace
        self.eng = self._connect()

    def _connect(self) -> Any:
        import federation as fed

        paths = self.paths
        eng = fed.connect(self.workspace, threads=THREADS, cache_bytes=0)  # every run reads
        eng.attach("crm", fed.SQLite(str(paths.sqlite)))
        eng.attach("lake", fed.LanceDB(str(paths.lance)))
        eng.attach("graph", fed.Kuzu(str(paths.kuzu), read_only=True, threads=THREADS))
        return eng

    def reopen(self) -> None:
        """Close the engine and connect again (on its workspace, if any)."""
        self.eng.close()
        self.eng = self._connect()

    def run(self, qid: str, text: str) -> Any:
        res = self.eng.query(text)
        plan = getattr(res, "plan", None)
        timings = getattr(plan, "timings", None) or {}
        self.last_parts = {k: v * 1000 for k, v in timings.items()
                           if isinstance(v, int | float)}
        self.last_fragments = len(getattr(plan, "fragments", ()) or ())
        return res.arrow()


def make(system: str, paths: Paths) -> Any:
    if system == "glue":
        from benchmarks.tpch.glue import Glue

        return Glue(paths)
    if system == "fed_ws":
        workspace = paths.root / "fed-workspace"
        shutil.rmtree(workspace, ignore_errors=True)  # trained afresh by every run
        return Fed(paths, workspace)
    return {"peer": Peer, "native": Native, "fed": Fed}[system](paths)
