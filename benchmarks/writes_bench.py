"""Write throughput per store through the engine against the store's own fastest client, and
the latency of a one-row commit across all three stores (with a workspace journal).

    python -m benchmarks.writes_bench [--rows 200000 1000000] [--repeat 5] [--commits 200]

Bulk: for each size and repeat, the native client and the engine each write the same Arrow
table into fresh stores holding the same one warm row (the engine's warm-up insert, written
by the native client too), in alternating order; medians of the repeats are compared (the
machine is shared: single runs are noisy). Native clients: SQLite ``executemany`` in one
transaction, Kuzu ``COPY … FROM`` the Arrow table, LanceDB ``add`` of the Arrow table.
Prints a table and saves ``benchmarks/results/writes.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import apsw
import pyarrow as pa

import federation as fed
from federation.sources.kuzu import driver

RESULTS = Path(__file__).parent / "results" / "writes.json"


def rows(n: int, start: int = 0) -> pa.Table:
    ids = pa.array(range(start, start + n), pa.int64())
    return pa.table({"id": ids, "name": pa.array([f"n{i}" for i in range(n)], pa.string()),
                     "n": ids})


def make(root: Path, tag: str, wal: bool = False) -> Path:
    """Empty stores ``<tag>``: SQLite ``t`` (in WAL mode if ``wal``), Kuzu ``T``, LanceDB
    ``t``."""
    base = root / tag
    base.mkdir()
    con = apsw.Connection(str(base / "s.db"))
    if wal:
        con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
    con.close()
    db = driver().Database(str(base / "g.kuzu"))
    kcon = driver().Connection(db)
    kcon.execute("CREATE NODE TABLE T(id INT64 PRIMARY KEY, name STRING, n INT64)")
    kcon.close()
    db.close()
    import lancedb

    lancedb.connect(str(base / "lance")).create_table("t", schema=rows(0).schema)
    return base


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measured(call: Callable[[], Any]) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds (every thread: Kuzu's and Lance's workers
    too); CPU time is less disturbed by the other jobs of a shared machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


WARM = rows(1, start=-1)  # written before timing by both sides (opens the write paths)
TARGETS = (("sqlite", "s.t"), ("kuzu", "g.T"), ("lancedb", "v.t"))


def native_bulk(base: Path, data: pa.Table) -> dict[str, tuple[float, float]]:
    con = apsw.Connection(str(base / "s.db"))

    def sqlite(table: pa.Table) -> None:
        with con:
            con.executemany("INSERT INTO t (id, name, n) VALUES (?, ?, ?)",
                            zip(*(c.to_pylist() for c in table.columns), strict=True))
    db = driver().Database(str(base / "g.kuzu"))
    kcon = driver().Connection(db)

    def kuzu(table: pa.Table) -> None:
        frame = table  # noqa: F841  (COPY reads it from this scope)
        kcon.execute("COPY T FROM frame")
    import lancedb

    lance = lancedb.connect(str(base / "lance")).open_table("t")
    # the warm row as the engine writes it (one row: Kuzu's engine path is CREATE)
    sqlite(WARM)
    kcon.execute("CREATE (:T {id: $id, name: $name, n: $n})", WARM.to_pylist()[0])
    lance.add(WARM)
    seconds = {"sqlite": measured(lambda: sqlite(data)), "kuzu": measured(lambda: kuzu(data)),
               "lancedb": measured(lambda: lance.add(data))}
    con.close()
    kcon.close()
    db.close()
    return seconds


def engine(base: Path, workspace: Path | None = None) -> fed.Engine:
    eng = fed.connect(workspace)
    eng.attach("s", fed.SQLite(base / "s.db"))
    eng.attach("g", fed.Kuzu(base / "g.kuzu"))
    eng.attach("v", fed.LanceDB(base / "lance"))
    return eng


def engine_bulk(base: Path, data: pa.Table) -> dict[str, tuple[float, float]]:
    with engine(base) as eng:
        for _, target in TARGETS:  # warm: connections, catalogs, write paths
            eng.insert(target, WARM)
        return {store: measured(partial(eng.insert, target, data)) for store, target in TARGETS}


def bulk(root: Path, size: int, repeat: int) -> dict[str, dict[str, Any]]:
    """Each store's engine and native times over ``repeat`` interleaved runs, and medians."""
    data = rows(size)
    times: dict[str, dict[str, list[tuple[float, float]]]] = {
        s: {"engine": [], "native": []} for s, _ in TARGETS}
    for run in range(repeat):
        order = ("native", "engine") if run % 2 == 0 else ("engine", "native")
        for side in order:
            base = make(root, f"{side}-{size}-{run}")
            took = engine_bulk(base, data) if side == "engine" else native_bulk(base, data)
            for store, seconds in took.items():
                times[store][side].append(seconds)
    return {store: _compared(size, sides) for store, sides in times.items()}


def _compared(size: int, sides: dict[str, list[tuple[float, float]]]) -> dict[str, Any]:
    """Medians of wall and CPU time per side, and their ratios (engine ÷ native)."""
    wall = {side: [w for w, _ in runs] for side, runs in sides.items()}
    cpu = {side: [c for _, c in runs] for side, runs in sides.items()}
    mine, theirs = statistics.median(wall["engine"]), statistics.median(wall["native"])
    return {"engine_s": mine, "native_s": theirs,
            "engine_rows_per_s": size / mine, "native_rows_per_s": size / theirs,
            "time_ratio": mine / theirs,
            "median_run_ratio": statistics.median(
                e / n for e, n in zip(wall["engine"], wall["native"], strict=True)),
            "cpu_ratio": statistics.median(cpu["engine"]) / statistics.median(cpu["native"]),
            "engine_runs_s": wall["engine"], "native_runs_s": wall["native"],
            "engine_cpu_s": cpu["engine"], "native_cpu_s": cpu["native"]}


def commits(base: Path, workspace: Path, count: int) -> dict[str, float]:
    with engine(base, workspace) as eng:
        times = []
        for i in range(count):
            row = [{"id": 10_000_000 + i, "name": "c", "n": i}]

            def one(row: list[dict[str, object]] = row) -> None:
                with eng.transaction():
                    for target in ("s.t", "g.T", "v.t"):
                        eng.insert(target, row)
            times.append(timed(one))
    times = times[5:]  # the first ones open the write paths
    return {"p50_ms": 1000 * statistics.median(times),
            "p90_ms": 1000 * statistics.quantiles(times, n=10)[-1], "n": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000])
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sizes = {size: bulk(root, size, args.repeat) for size in args.rows}
        commit = {mode: commits(make(root, f"commit-{mode}", wal=mode == "wal"),
                                root / f"ws-{mode}", args.commits)
                  for mode in ("rollback-journal", "wal")} if args.commits > 10 else {}
    report: dict[str, Any] = {"repeat": args.repeat, "statistic": "median",
                              "bulk": {str(size): found for size, found in sizes.items()},
                              "three_store_commit": commit}
    for size, found in sizes.items():
        print(f"bulk insert of {size} rows (medians of {args.repeat})   engine rows/s"
              "   native rows/s   time ratio   run ratio   CPU ratio")
        for store, took in found.items():
            print(f"  {store:<32} {took['engine_rows_per_s']:>13,.0f} "
                  f"{took['native_rows_per_s']:>15,.0f}   {took['time_ratio']:>9.2f}x"
                  f"   {took['median_run_ratio']:>8.2f}x   {took['cpu_ratio']:>8.2f}x")
    for mode, took in commit.items():
        print(f"three-store one-row commit, SQLite file in {mode} mode: p50 "
              f"{took['p50_ms']:.1f} ms, p90 {took['p90_ms']:.1f} ms ({took['n']} commits)")
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
