"""Build TPC-H once per scale into ``benchmarks/.data/tpch-sf<scale>/`` and reuse it.

Layout (``manifest.json`` says what is there and is written last, so a half-built directory
is rebuilt): ``parquet/<t>.parquet`` (all eight tables: the peer's copy of the graph tables),
``crm.db`` (SQLite: customer, orders, nation, region), ``lake/`` (LanceDB: lineitem, part),
``graph.kuzu`` (Kuzu node tables supplier, partsupp) and ``native.duckdb`` (all eight tables in
schemas ``crm``/``lake``/``graph``: the oracle and system *native*). Generation runs
``benchmarks.tpch.peer_gen`` in ``.venv-peer`` (DuckDB's tpch extension lives there).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.tpch.placement import COLUMNS, KUZU_TYPE, PLACEMENT, PRIMARY_KEY, tables_in

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / ".data"
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"
FORMAT = 1  # bump when the layout changes: old directories are rebuilt


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"

    @property
    def sqlite(self) -> Path:
        return self.root / "crm.db"

    @property
    def lance(self) -> Path:
        return self.root / "lake"

    @property
    def kuzu(self) -> Path:
        return self.root / "graph.kuzu"

    @property
    def native(self) -> Path:
        return self.root / "native.duckdb"

    def lance_table(self, table: str) -> Path:
        return self.lance / f"{table}.lance"

    def parquet_table(self, table: str) -> Path:
        return self.parquet / f"{table}.parquet"


def scale_dir(scale: float) -> Path:
    return DATA / f"tpch-sf{scale:g}"


def ensure(scale: float) -> tuple[Paths, dict[str, Any]]:
    """The data at ``scale``, built if its manifest is missing or stale."""
    paths = Paths(scale_dir(scale))
    manifest = paths.root / "manifest.json"
    if manifest.is_file():
        meta = json.loads(manifest.read_text())
        if meta.get("format") == FORMAT:
            meta["reused"] = True
            return paths, meta
    meta = build(paths, scale)
    manifest.write_text(json.dumps(meta, indent=2) + "\n")
    meta["reused"] = False
    return paths, meta


def build(paths: Paths, scale: float) -> dict[str, Any]:
    if not PEER_PYTHON.is_file():
        raise RuntimeError(f"{PEER_PYTHON} is missing: run `make peer-venv` first")
    shutil.rmtree(paths.root, ignore_errors=True)
    paths.root.mkdir(parents=True)
    start = time.perf_counter()
    print(f"building TPC-H sf={scale:g} in {paths.root} ...", file=sys.stderr)
    subprocess.run([str(PEER_PYTHON), "-m", "benchmarks.tpch.peer_gen", f"{scale:g}",
                    str(paths.root)], cwd=ROOT, check=True)
    seconds = {"generate": time.perf_counter() - start}
    for step, fn in (("lance", _lance), ("kuzu", _kuzu), ("native", _native)):
        t0 = time.perf_counter()
        fn(paths)
        seconds[step] = time.perf_counter() - t0
    rows = _row_counts(paths)
    print(f"built in {time.perf_counter() - start:.1f} s: {rows}", file=sys.stderr)
    return {"format": FORMAT, "scale": scale, "placement": PLACEMENT, "rows": rows,
            "seconds": seconds, "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": {"parquet": "parquet/", "sqlite": "crm.db", "lancedb": "lake/",
                      "kuzu": "graph.kuzu", "native_duckdb": "native.duckdb"}}


def _lance(paths: Paths) -> None:
    import lancedb
    import pyarrow.parquet as pq

    db = lancedb.connect(str(paths.lance))
    for table in tables_in("lake"):
        db.create_table(table, pq.read_table(paths.parquet_table(table)), mode="overwrite")


def _kuzu(paths: Paths) -> None:
    from federation.sources.kuzu import driver

    kuzu = driver()
    db = kuzu.Database(str(paths.kuzu))
    conn = kuzu.Connection(db)
    for table in tables_in("graph"):
        cols = ", ".join(f"{c} {KUZU_TYPE[t]}" for c, t in COLUMNS[table].items())
        conn.execute(f"CREATE NODE TABLE {table} ({cols}, PRIMARY KEY ({PRIMARY_KEY[table]}))")
        conn.execute(f"COPY {table} FROM '{paths.parquet_table(table)}'")
    conn.close()
    db.close()


def _native(paths: Paths) -> None:
    import duckdb

    con = duckdb.connect(str(paths.native))
    con.execute("SET enable_progress_bar = false")
    for source in ("crm", "lake", "graph"):
        con.execute(f"CREATE SCHEMA {source}")
    for table, source in PLACEMENT.items():
        con.execute(f"CREATE TABLE {source}.{table} AS "
                    f"SELECT * FROM read_parquet('{paths.parquet_table(table)}')")
    con.execute("CHECKPOINT")
    con.close()


def _row_counts(paths: Paths) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(paths.native), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {s}.{t}").fetchone()[0]  # type: ignore[index]
                for t, s in PLACEMENT.items()}
    finally:
        con.close()


QUERY_DIR = Path(__file__).resolve().parent / "queries"


def queries() -> dict[str, str]:
    """``q01``…``q22``: the text of each query file (comments kept)."""
    return {p.stem: p.read_text() for p in sorted(QUERY_DIR.glob("q*.sql"))}
