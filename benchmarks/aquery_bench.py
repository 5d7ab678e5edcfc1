"""``aquery`` throughput and latency at 1 000 and 10 000 concurrent asyncio callers.

``python -m benchmarks.aquery_bench [--quick]`` writes ``benchmarks/results/aquery.json``.
A SQLite table of 10 000 rows is queried by primary key; each caller's latency runs from its
``await eng.aquery(...)`` to its answer, so it includes the time spent queued behind the
others (with N callers and a pool of P connections, the last caller waits for N / P queries).
Two workloads: every answer computed (``cache_bytes=0``) and answers mostly from the result
cache (100 distinct keys). The pool's own counters give the most connections ever in use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import federation as fed
from federation.ops.quantiles import quantile

RESULTS = Path(__file__).resolve().parent / "results"
ROWS = 10_000
POOL = 4
QUERY = "SELECT t.v FROM a.t t WHERE t.id = $id"


def build(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"v{i}") for i in range(ROWS)])
    con.commit()
    con.close()


def run(path: Path, callers: int, cached: bool) -> dict[str, Any]:
    with fed.connect(pool_size=POOL, cache_bytes=(64 << 20) if cached else 0) as eng:
        eng.attach("a", fed.SQLite(path))
        eng.query(QUERY, {"id": 0})  # connections, drivers and the plan cache warm
        keys = 100 if cached else ROWS

        async def one(i: int) -> float:
            start = time.perf_counter()
            await eng.aquery(QUERY, {"id": i % keys})
            return time.perf_counter() - start

        async def everyone() -> list[float]:
            return await asyncio.gather(*(one(i) for i in range(callers)))

        start = time.perf_counter()
        latencies = sorted(asyncio.run(everyone()))
        seconds = time.perf_counter() - start
        metrics = eng.metrics()
    pool = metrics["pools"]["a"]
    return {"callers": callers, "cache": "on (100 keys)" if cached else "off",
            "seconds": round(seconds, 3), "calls_per_s": round(callers / seconds),
            "p50_ms": round(quantile(latencies, 0.5) * 1e3, 2),
            "p99_ms": round(quantile(latencies, 0.99) * 1e3, 2),
            "max_ms": round(latencies[-1] * 1e3, 2),
            "pool_size": POOL, "peak_in_use": pool["peak"],
            "connections_open": pool["connections_open"],
            "errors": metrics["errors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 000 callers only")
    args = parser.parse_args()
    sizes = (1_000,) if args.quick else (1_000, 10_000)
    with tempfile.TemporaryDirectory(prefix="fed-aquery-") as tmp:
        path = Path(tmp) / "a.db"
        build(path)
        rows = [run(path, n, cached) for cached in (False, True) for n in sizes]
    header = f"{'callers':>8} {'cache':>14} {'calls/s':>8} {'p50 ms':>8} {'p99 ms':>8} " \
             f"{'peak/pool':>9} {'conns':>5}"
    print(header)
    for r in rows:
        print(f"{r['callers']:>8} {r['cache']:>14} {r['calls_per_s']:>8} {r['p50_ms']:>8} "
              f"{r['p99_ms']:>8} {r['peak_in_use']:>4}/{r['pool_size']:<4} "
              f"{r['connections_open']!s:>5}")
    RESULTS.mkdir(exist_ok=True)
    out = {"environment": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
           "runs": rows}
    (RESULTS / "aquery.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
