"""Cold-start priors of ``planner.cost`` (``python -m benchmarks.priors``).

Builds one 100 000-row table in each store, runs each measurement 30 times through the engine
and prints the medians that ``planner.cost.PRIORS`` quotes: a one-row lookup (the base cost of
a fragment), 10 000 rows out, 1 000 and 10 000 passed keys in, and the stage (DuckDB joining
two legs of 10 and of 100 000 rows; Arrow over 1 and 10 000 rows). A report, no assertion.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import federation as fed

N = 100_000
RUNS = 30


def _build(root: Path) -> None:
    import apsw
    import kuzu
    import lancedb
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"id": pa.array(range(N), pa.int64()),
                      "grp": pa.array([i % 100 for i in range(N)], pa.int64()),
                      "val": pa.array([i * 0.5 for i in range(N)])})
    con = apsw.Connection(str(root / "s.db"))
    con.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, grp INTEGER, val REAL)")
    with con:
        con.executemany("INSERT INTO items VALUES (?, ?, ?)",
                        [(i, i % 100, i * 0.5) for i in range(N)])
    con.close()
    pq.write_table(table, root / "items.parquet")
    db = kuzu.Database(str(root / "g.kuzu"))
    graph = kuzu.Connection(db)
    graph.execute("CREATE NODE TABLE Item(id INT64, grp INT64, val DOUBLE, PRIMARY KEY(id))")
    graph.execute(f"COPY Item FROM '{root / 'items.parquet'}'")
    del graph, db
    lancedb.connect(str(root / "lance")).create_table("items", table)


def _median(eng: fed.Engine, text: str, params: Mapping[str, object],
            pick: Callable[[fed.Result], float]) -> float:
    return statistics.median(pick(eng.query(text, params)) for _ in range(RUNS)) * 1e3


def _fragment(source: str) -> Callable[[fed.Result], float]:
    return lambda r: next(f.seconds or 0.0 for f in r.plan.fragments if f.source == source)


def _stage(r: fed.Result) -> float:
    return r.plan.timings["duckdb"]


def main() -> None:
    root = Path(tempfile.mkdtemp())
    _build(root)
    with fed.connect(key_passing_rows=0, cache_bytes=0) as eng:
        eng.attach("s", fed.SQLite(root / "s.db"))
        eng.attach("g", fed.Kuzu(root / "g.kuzu"))
        eng.attach("l", fed.LanceDB(root / "lance"))
        for src, rel in (("s", "s.items AS t"), ("g", "MATCH g (t:Item)"),
                         ("l", "l.items AS t")):
            base = _median(eng, f"SELECT t.val FROM {rel} WHERE t.id = $id", {"id": 7},
                           _fragment(src))
            out = _median(eng, f"SELECT t.val FROM {rel} WHERE t.id < $n", {"n": 10_000},
                          _fragment(src))
            print(f"{src}: lookup {base:.3f} ms, 10 000 rows out {out:.3f} ms")
            sender = "l.items AS a" if src == "s" else "s.items AS a"
            for groups in (1, 10):  # 1 000 and 10 000 keys from the other store
                keyed = _median(eng, f"SELECT t.val FROM {sender} JOIN {rel} ON t.id = a.id "
                                f"WHERE a.grp < {groups}", {}, _fragment(src))
                print(f"{src}: {groups * 1000} keys in, as many rows out {keyed:.3f} ms")
        for n in (10, N):
            joined = _median(eng, "SELECT a.val, t.val AS v2 FROM s.items AS a JOIN l.items "
                             "AS t ON t.id = a.id WHERE a.id < $n AND t.id < $n", {"n": n},
                             _stage)
            print(f"duckdb stage joining 2 x {n} rows: {joined:.3f} ms")
        for n in (1, 10_000):
            arrow = _median(eng, "SELECT t.val FROM s.items AS t WHERE t.id < $n", {"n": n},
                            _stage)
            print(f"arrow stage over {n} rows: {arrow * 1e3:.1f} us")


if __name__ == "__main__":
    main()
