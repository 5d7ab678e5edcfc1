"""Data of the ``readers`` suite: one 16-column table in SQLite, Kuzu and LanceDB.

Columns: ``id``, ints ``i1``-``i4``, floats ``f1``-``f4``, text ``s1``-``s4``, dates
``d1``-``d3``; LanceDB also holds a 32-d float32 ``vector``. Written once into
``benchmarks/.data/readers-<rows>/`` (``crm.db``, ``graph.kuzu``, ``lance/``; ignored by git)
with a manifest written last, and reused while the manifest matches.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

DATA = Path(__file__).resolve().parent / ".data"
FORMAT = 1
SEED = 11
DIM = 32
COLUMNS = ["id", "i1", "i2", "i3", "i4", "f1", "f2", "f3", "f4",
           "s1", "s2", "s3", "s4", "d1", "d2", "d3"]

# ---- data


@dataclass(frozen=True)
class Paths:
    sqlite: Path
    kuzu: Path
    lance: Path

    @property
    def lance_table(self) -> Path:
        return self.lance / "wide.lance"


def build_table(rows: int, seed: int = SEED) -> pa.Table:
    """The 16 columns and the vector; text of varied length, dates over 2000-2029."""
    rng = np.random.default_rng(seed)
    words = np.array(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                      "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"])

    def text(n_words: int) -> pa.Array:
        parts = [words[rng.integers(0, len(words), rows)] for _ in range(n_words)]
        return pa.array(np.char.add(np.char.add(parts[0], " "), parts[-1]) if n_words > 1
                        else parts[0])

    def dates() -> pa.Array:
        return pa.array(rng.integers(10957, 21915, rows).astype("int32"), pa.int32()).cast(
            pa.date32())

    cols: dict[str, pa.Array] = {"id": pa.array(np.arange(rows, dtype=np.int64))}
    for i in range(1, 5):
        cols[f"i{i}"] = pa.array(rng.integers(0, rows, rows, dtype=np.int64))
    for i in range(1, 5):
        cols[f"f{i}"] = pa.array(rng.random(rows) * 1000)
    for i in range(1, 5):
        cols[f"s{i}"] = text(1 + i % 2)
    for i in range(1, 4):
        cols[f"d{i}"] = dates()
    flat = pa.array(rng.standard_normal(rows * DIM, dtype=np.float32))
    cols["vector"] = pa.FixedSizeListArray.from_arrays(flat, DIM)
    return pa.table(cols)


def _write_sqlite(table: pa.Table, path: Path) -> None:
    import apsw

    types = {"i": "INTEGER", "f": "REAL", "s": "TEXT", "d": "DATE"}
    ddl = ", ".join(["id INTEGER PRIMARY KEY"] + [f"{c} {types[c[0]]}" for c in COLUMNS[1:]])
    values = []
    for name in COLUMNS:
        col = table.column(name)
        values.append(col.cast(pa.string()).to_pylist() if name[0] == "d" else col.to_pylist())
    con = apsw.Connection(str(path))
    try:
        with con:
            con.execute(f"CREATE TABLE wide ({ddl})")
            marks = ", ".join("?" * len(COLUMNS))
            con.executemany(f"INSERT INTO wide VALUES ({marks})", zip(*values, strict=True))
        con.execute("ANALYZE")
    finally:
        con.close()


def _write_kuzu(table: pa.Table, path: Path) -> None:
    from federation.sources.kuzu import driver

    types = {"i": "INT64", "f": "DOUBLE", "s": "STRING", "d": "DATE"}
    ddl = ", ".join(["id INT64"] + [f"{c} {types[c[0]]}" for c in COLUMNS[1:]])
    kz = driver()
    db = kz.Database(str(path))
    con = kz.Connection(db)
    try:
        con.execute(f"CREATE NODE TABLE wide({ddl}, PRIMARY KEY(id))")
        frame = table.select(COLUMNS)  # noqa: F841 - Kuzu reads ``frame`` from this scope
        con.execute("COPY wide FROM frame")
    finally:
        con.close()
        db.close()


def dataset(rows: int) -> tuple[Paths, float]:
    """The three stores under ``.data/readers-<rows>/``: built once, reused when the manifest
    (written last) matches."""
    import shutil

    import lancedb

    ws = DATA / f"readers-{rows}"
    paths = Paths(ws / "crm.db", ws / "graph.kuzu", ws / "lance")
    want = {"format": FORMAT, "rows": rows, "seed": SEED, "dim": DIM, "columns": COLUMNS}
    manifest = ws / "manifest.json"
    start = time.perf_counter()
    try:
        if json.loads(manifest.read_text()) == want:
            return paths, time.perf_counter() - start
    except (OSError, ValueError):
        pass
    if ws.exists():
        shutil.rmtree(ws)
    ws.mkdir(parents=True)
    table = build_table(rows)
    _write_sqlite(table, paths.sqlite)
    _write_kuzu(table, paths.kuzu)
    lancedb.connect(str(paths.lance)).create_table("wide", data=table, mode="create")
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(want))
    os.replace(tmp, manifest)
    return paths, time.perf_counter() - start
