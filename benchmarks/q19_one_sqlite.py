"""TPC-H Q19 with lineitem and part in ONE SQLite file, scale 1: the router against DuckDB
joining the same data itself (issue 8: "within 1.5x of the hand-written DuckDB join").

``python -m benchmarks.q19_one_sqlite [--scale 1] [--runs 5]`` (in ``make bench-routing``).
Four ways, interleaved, medians of ``--runs``:

* **router**: ``fed.connect()`` on the file, default routing, after ``WARM`` executions (its
  first executions measure the alternatives it has not tried);
* **joins in DuckDB** forced (its first route, ``joins in DuckDB; no key passing``);
* **DuckDB join**: DuckDB's own sqlite scanner is the peer's tool, but the issue's yardstick
  is "the hand-written DuckDB join": DuckDB reading both tables from SQLite with the same
  filters the engine pushes (``sqlite_scan`` is not available in the engine's DuckDB, so the
  two legs are read through apsw into Arrow and joined in DuckDB by hand);
* **peer**: DuckDB 1.5.5 with its sqlite scanner (``.venv-peer``, ``ATTACH … (TYPE sqlite)``)
  running Q19 itself over the same file — the tool a user would pick instead;
* **joins in SQLite** once (what the route used to be).

Writes ``benchmarks/results/q19_one_sqlite.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import federation as fed
from benchmarks import routing_data

RESULTS = Path(__file__).resolve().parent / "results"
WARM = 4
QUERY = (Path(__file__).resolve().parent / "tpch" / "queries" / "q19.sql").read_text() \
    .replace("lake.", "one.")
LEGS = {
    "lineitem": "SELECT l_partkey, l_quantity, l_extendedprice, l_discount FROM lineitem "
                "WHERE l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON'",
    "part": "SELECT p_partkey, p_brand, p_container, p_size FROM part",
}
JOIN = """SELECT sum(l_extendedprice * (1 - l_discount)) AS revenue FROM l, p
WHERE p_partkey = l_partkey AND (
 (p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
  AND l_quantity BETWEEN 1 AND 11 AND p_size BETWEEN 1 AND 5)
 OR (p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
  AND l_quantity BETWEEN 10 AND 20 AND p_size BETWEEN 1 AND 10)
 OR (p_brand = 'Brand#34' AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
  AND l_quantity BETWEEN 20 AND 30 AND p_size BETWEEN 1 AND 15))"""


def duckdb_join(db: Path) -> float:
    """Both legs read from SQLite into Arrow (apsw), joined by DuckDB; the revenue."""
    import apsw
    import duckdb
    import pyarrow as pa

    con = apsw.Connection(f"file:{db}?mode=ro", flags=apsw.SQLITE_OPEN_URI
                          | apsw.SQLITE_OPEN_READONLY)
    tables = {}
    for name, sql in LEGS.items():
        cur = con.execute(sql)
        names = [d[0] for d in cur.getdescription()]
        rows = cur.fetchall()
        tables[name] = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
    con.close()
    duck = duckdb.connect()
    duck.register("l", tables["lineitem"])
    duck.register("p", tables["part"])
    row = duck.execute(JOIN).fetchone()
    duck.close()
    return float(row[0]) if row and row[0] is not None else 0.0


PEER = Path(__file__).resolve().parents[1] / ".venv-peer" / "bin" / "python"
PEER_SCRIPT = """
import json, statistics, sys, time
from benchmarks.tpch import peer_ext
con = peer_ext.connect(extensions=("sqlite",), threads=2)
con.execute("ATTACH '" + sys.argv[1] + "' AS one (TYPE sqlite, READ_ONLY)")
query, times = sys.stdin.read(), []
for _ in range(int(sys.argv[2]) + 1):
    start = time.perf_counter()
    value = con.execute(query).fetchone()[0]
    times.append(time.perf_counter() - start)
print(json.dumps({"median_s": statistics.median(times[1:]), "revenue": float(value)}))
"""


def peer(db: Path, runs: int) -> dict[str, float] | None:
    """The peer's median over ``runs`` (after one warm-up), or None without its venv."""
    import subprocess

    if not PEER.is_file():
        return None
    done = subprocess.run([str(PEER), "-c", PEER_SCRIPT, str(db), str(runs)], input=QUERY,
                          capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    return json.loads(done.stdout)


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-sqlite-join", action="store_true")
    args = parser.parse_args(argv)
    data = routing_data.tpch(args.scale)
    eng = fed.connect(cache_bytes=0)  # measured: every execution reads
    eng.attach("one", fed.SQLite(data.all_sqlite))
    names = [c.name for c in eng.explain(QUERY).route.considered]  # type: ignore[union-attr]
    chosen = [eng.query(QUERY).plan.route.chosen for _ in range(WARM)]  # type: ignore[union-attr]
    duck = next(n for n in names if n.startswith("joins in DuckDB"))
    times: dict[str, list[float]] = {"router": [], "joins in DuckDB": [], "duckdb join": []}
    answers: dict[str, float] = {}
    for _ in range(args.runs):
        t, res = _timed(lambda: eng.query(QUERY))
        times["router"].append(t)
        chosen.append(res.plan.route.chosen)
        answers["router"] = res.to_pylist()[0]["revenue"]
        t, res = _timed(lambda: eng.query(QUERY, route=duck))
        times["joins in DuckDB"].append(t)
        t, value = _timed(lambda: duckdb_join(data.all_sqlite))
        times["duckdb join"].append(t)
        answers["duckdb join"] = value
    inside = [n for n in names if n.startswith("joins in one")]
    if inside and not args.skip_sqlite_join:
        times["joins in SQLite (once)"] = [_timed(lambda: eng.query(QUERY, route=inside[0]))[0]]
    eng.close()
    medians = {k: statistics.median(v) for k, v in times.items()}
    peer_run = peer(data.all_sqlite, args.runs)
    if peer_run is not None:
        medians["peer (DuckDB + sqlite scanner)"] = peer_run["median_s"]
        answers["peer"] = peer_run["revenue"]
    result = {"scale": args.scale, "runs": args.runs, "routes": names, "chosen": chosen,
              "median_s": medians, "answers": answers,
              "router_vs_duckdb_join": medians["router"] / medians["duckdb join"],
              "router_vs_peer": (medians["router"] / peer_run["median_s"]
                                 if peer_run is not None else None)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "q19_one_sqlite.json").write_text(json.dumps(result, indent=1) + "\n")
    for k, v in medians.items():
        print(f"{k:<24} {v * 1e3:9.1f} ms")
    print(f"router ÷ DuckDB join: {result['router_vs_duckdb_join']:.2f}; router ÷ peer: "
          f"{result['router_vs_peer']}; answers {answers}; router chose {chosen}")
    return result


if __name__ == "__main__":
    main()
