"""Readers: full-table reads through Federation vs each source's best native reader.

Data: one 16-column table (``id``, ints ``i1``-``i4``, floats ``f1``-``f4``, text ``s1``-``s4``,
dates ``d1``-``d3``) of 1M rows (``--quick``: 100k) in SQLite (``crm.wide``), Kuzu (node table
``graph.wide``) and LanceDB (``docs.wide``, plus a 32-d ``vector``), built once into
``benchmarks/.data/readers-<rows>/`` (ignored by git) with a manifest, and reused.

Each case reads 1, 4 or 16 columns (LanceDB also 16 + the vector), or 4 columns under a
selective range filter (``i1`` in a 1% range). **Federation** is ``eng.query("SELECT cols FROM
src.wide")`` end to end, and its fragment time from ``res.plan.fragments``. **Natives**:
SQLite through ADBC (``fetch_arrow_table``) and apsw (``fetchall`` → Arrow column-wise);
LanceDB through ``lance.dataset(uri).to_table(columns=…, batch_size=…)`` and lancedb's
``table.search().select(…).to_arrow()``; Kuzu through ``conn.execute(cypher).get_as_arrow(n)``.
Every native result is checked equal to Federation's (types cast to Federation's). One warm-up
round, then interleaved rounds (order reversed every other round); medians.

Reported: rows/s and MB/s (Arrow ``nbytes`` of each reader's own result) and Federation's
share of the best native's throughput (``best native ms / federation ms``). Targets (printed,
never asserted): LanceDB ≥ 0.50 and SQLite ≥ 0.80 at every width, end to end.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from benchmarks.common import RESULTS, Dataset, Options, frozen_heap, median, print_table
from benchmarks.readers_data import COLUMNS, Paths, dataset

THREADS = 2
TARGETS = {"lancedb": 0.50, "sqlite": 0.80}
LANCE_BATCHES = (1 << 16, 1 << 18)  # two large batch sizes; the faster one counts
WIDTHS = {"1": COLUMNS[:1], "4": ["id", "i1", "f1", "s1"], "16": COLUMNS}
FILTER_COLUMNS = WIDTHS["4"]
now = time.perf_counter_ns


# ---- readers


class Natives:
    """Each source's own clients, opened once (as a user keeps them open)."""

    def __init__(self, paths: Paths) -> None:
        import adbc_driver_sqlite.dbapi
        import apsw
        import lance
        import lancedb

        from federation.sources.kuzu import driver

        self.adbc = adbc_driver_sqlite.dbapi.connect(str(paths.sqlite))
        self.apsw = apsw.Connection(str(paths.sqlite), flags=apsw.SQLITE_OPEN_READONLY)
        kz = driver()
        self.kuzu_db = kz.Database(str(paths.kuzu), read_only=True,
                                   buffer_pool_size=1024**3, max_num_threads=THREADS)
        self.kuzu = kz.Connection(self.kuzu_db, num_threads=THREADS)
        self.lance = lance.dataset(str(paths.lance_table))
        self.lancedb = lancedb.connect(str(paths.lance)).open_table("wide")

    def adbc_read(self, sql: str) -> pa.Table:
        with self.adbc.cursor() as cur:
            cur.execute(sql)
            table: pa.Table = cur.fetch_arrow_table()
        return table

    def apsw_read(self, sql: str, names: list[str]) -> pa.Table:
        rows = self.apsw.execute(sql).fetchall()
        data = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        return pa.Table.from_arrays([pa.array(c) for c in data], names=names)

    def cypher(self, query: str) -> pa.Table:
        result = self.kuzu.execute(query)
        try:
            table: pa.Table = result.get_as_arrow(1 << 20)
        finally:
            result.close()
        return table

    def close(self) -> None:
        self.adbc.close()
        self.kuzu.close()
        self.kuzu_db.close()
        self.apsw.close()


@dataclass(frozen=True)
class Case:
    source: str
    width: str
    fql: str
    natives: tuple[tuple[str, Callable[[], pa.Table]], ...]


def cases(n: Natives, rows: int) -> list[Case]:
    lo, hi = rows // 2, rows // 2 + max(rows // 100, 1)
    sql_where = f" WHERE i1 >= {lo} AND i1 < {hi}"
    lance_where = f"i1 >= {lo} AND i1 < {hi}"
    out: list[Case] = []
    shapes = [(w, cols, "") for w, cols in WIDTHS.items()]
    shapes.append(("4, 1% filter", FILTER_COLUMNS, "filter"))
    for width, cols, filt in shapes:
        fql_where = f" WHERE w.i1 >= {lo} AND w.i1 < {hi}" if filt else ""
        sel = ", ".join(f"w.{c}" for c in cols)
        sql = f"SELECT {', '.join(cols)} FROM wide" + (sql_where if filt else "")
        out.append(Case("sqlite", width, f"SELECT {sel} FROM crm.wide AS w{fql_where}", (
            ("adbc fetch_arrow_table", lambda sql=sql: n.adbc_read(sql)),
            ("apsw fetchall -> Arrow", lambda sql=sql, cols=cols: n.apsw_read(sql, cols)))))
        ret = ", ".join(f"w.{c} AS {c}" for c in cols)
        cy = f"MATCH (w:wide){fql_where} RETURN {ret}"
        out.append(Case("kuzu", width, f"SELECT {sel} FROM graph.wide AS w{fql_where}", (
            ("get_as_arrow", lambda cy=cy: n.cypher(cy)),)))
    lance_shapes = [*shapes[:3], ("16+vec32", [*COLUMNS, "vector"], ""), shapes[3]]
    for width, cols, filt in lance_shapes:
        fql_where = f" WHERE w.i1 >= {lo} AND w.i1 < {hi}" if filt else ""
        sel = ", ".join(f"w.{c}" for c in cols)
        flt = lance_where if filt else None
        out.append(Case("lancedb", width, f"SELECT {sel} FROM docs.wide AS w{fql_where}", (
            *((f"lance to_table batch {b >> 10}k", lambda cols=cols, flt=flt, b=b:
               n.lance.to_table(columns=cols, filter=flt, batch_size=b))
              for b in LANCE_BATCHES),
            ("lancedb search().to_arrow()", lambda cols=cols, flt=flt: (
                n.lancedb.search().where(flt) if flt else n.lancedb.search())
                .select(cols).to_arrow()))))
    return out


def same_scan(fed: pa.Table, nat: pa.Table) -> str | None:
    """None when equal (natives cast to Federation's names and types); else what differs."""
    if fed.num_rows != nat.num_rows or fed.num_columns != nat.num_columns:
        return f"{fed.num_rows}x{fed.num_columns} vs {nat.num_rows}x{nat.num_columns}"
    try:
        nat = nat.rename_columns(fed.column_names).cast(fed.schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as err:
        return f"types: {err}"
    key = fed.column_names[0]
    return None if fed.sort_by(key).equals(nat.sort_by(key)) else "values differ"


# ---- timing


def interleave(steps: list[Callable[[], None]], reps: int, warmup: int = 1) -> None:
    """Warm-up rounds, then ``reps`` rounds; the order is reversed every other round."""
    for r in range(warmup + reps):
        for step in (steps if r % 2 == 0 else steps[::-1]):
            step()


def time_case(eng: Any, case: Case, reps: int) -> dict[str, list[int]]:
    times: dict[str, list[int]] = {"federation": [], "fragment": []}
    times.update({label: [] for label, _ in case.natives})
    count = [0]

    def federated() -> None:
        start = now()
        res = eng.query(case.fql)
        res.arrow()
        elapsed = now() - start
        if count[0] > 0:
            times["federation"].append(elapsed)
            times["fragment"].append(sum(int((f.seconds or 0) * 1e9)
                                         for f in res.plan.fragments))
        count[0] += 1

    def native(label: str, fetch: Callable[[], pa.Table]) -> Callable[[], None]:
        seen = [0]

        def step() -> None:
            start = now()
            fetch()
            elapsed = now() - start
            if seen[0] > 0:
                times[label].append(elapsed)
            seen[0] += 1
        return step

    interleave([federated, *(native(label, f) for label, f in case.natives)], reps)
    return times


def _rate(n: float, ms: float) -> float:
    return n / (ms / 1e3) if ms > 0 else math.nan


def measure(eng: Any, case: Case, reps: int) -> dict[str, Any]:
    fed = eng.query(case.fql).arrow()
    sizes: dict[str, tuple[int, int]] = {"federation": (fed.num_rows, fed.nbytes)}
    checks: dict[str, str | None] = {}
    for label, fetch in case.natives:
        t = fetch()
        sizes[label] = (t.num_rows, t.nbytes)
        checks[label] = same_scan(fed, t)
        del t
    sizes["fragment"] = sizes["federation"]
    del fed
    times = time_case(eng, case, reps)
    readers = {}
    for label, ns in times.items():
        ms = median(ns) / 1e6
        nrows, nbytes = sizes[label]
        readers[label] = {"rows": nrows, "bytes": nbytes, "median_ms": ms,
                          "rows_per_s": _rate(nrows, ms), "mb_per_s": _rate(nbytes / 1e6, ms),
                          "mismatch": checks.get(label)}
    best = min((label for label, _ in case.natives), key=lambda k: readers[k]["median_ms"])
    best_ms = readers[best]["median_ms"]
    fraction = best_ms / readers["federation"]["median_ms"]
    target = TARGETS.get(case.source)
    verdict = "" if target is None else "PASS" if fraction >= target else "FAIL"
    return {"source": case.source, "width": case.width, "query": case.fql, "readers": readers,
            "best_native": best, "fraction": fraction,
            "fragment_fraction": best_ms / readers["fragment"]["median_ms"],
            "target": target, "verdict": verdict}


# ---- suite entry points


def run(data: Dataset, opts: Options) -> dict[str, Any]:
    """``data`` (the differential dataset) is not used: this suite has its own tables."""
    import federation as fed

    del data
    rows = 100_000 if opts.quick else 1_000_000
    reps = 3 if opts.quick else 5
    start = time.perf_counter()
    paths, data_seconds = dataset(rows)
    eng = fed.connect(threads=THREADS, cache_bytes=0)  # no result cache: every round reads
    eng.attach("crm", fed.SQLite(paths.sqlite))
    eng.attach("graph", fed.Kuzu(paths.kuzu, read_only=True, threads=THREADS))
    eng.attach("docs", fed.LanceDB(paths.lance))
    natives = Natives(paths)
    results = []
    try:
        with frozen_heap():
            for case in cases(natives, rows):
                results.append(measure(eng, case, reps))
    finally:
        natives.close()
        eng.close()
    targeted = [r for r in results if r["target"] is not None]
    res = {"suite": "readers", "rows": rows, "repetitions": reps, "threads": THREADS,
           "data_seconds": data_seconds, "targets": TARGETS, "cases": results,
           "overall": {"within_target": sum(r["verdict"] == "PASS" for r in targeted),
                       "targeted": len(targeted),
                       "mismatches": [f"{r['source']} {r['width']}: {k}"
                                      for r in results for k, x in r["readers"].items()
                                      if x["mismatch"]]},
           "seconds": time.perf_counter() - start}
    res["chart"] = chart(res)
    return res


def _f(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k" if x >= 1e3 else f"{x:.1f}"


def print_report(res: dict[str, Any]) -> None:
    print(f"\nreaders: {res['rows']:,} rows; {res['repetitions']} interleaved rounds after 1 "
          "warm-up; medians; MB = Arrow nbytes of each reader's own result")
    rows: list[list[Any]] = []
    for c in res["cases"]:
        for label, r in c["readers"].items():
            rows.append([c["source"], c["width"], label, r["rows"], r["median_ms"],
                         _f(r["rows_per_s"]), _f(r["mb_per_s"]),
                         "MISMATCH" if r["mismatch"] else ""])
    print_table("Reads: every reader", ["source", "cols", "reader", "rows", "ms", "rows/s",
                                        "MB/s", "check"], rows)
    print_table("Federation as a share of the best native reader's rows/s (end to end; "
                "fragment only)",
                ["source", "cols", "best native", "fed rows/s", "native rows/s", "fraction",
                 "frag fraction", "target", "verdict"],
                [[c["source"], c["width"], c["best_native"],
                  _f(c["readers"]["federation"]["rows_per_s"]),
                  _f(c["readers"][c["best_native"]]["rows_per_s"]), c["fraction"],
                  c["fragment_fraction"], "-" if c["target"] is None else c["target"],
                  c["verdict"]] for c in res["cases"]])
    o = res["overall"]
    print(f"\nwithin target: {o['within_target']}/{o['targeted']}; mismatches: "
          f"{o['mismatches'] or 'none'}; data ready in {res['data_seconds']:.1f} s; "
          f"chart {res['chart']}; suite {res['seconds']:.1f} s")


def chart(res: dict[str, Any]) -> str | None:
    """Grouped bars of rows/s per source and width: ``results/readers.png``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    sources = ["sqlite", "kuzu", "lancedb"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for ax, source in zip(axes, sources, strict=True):
        cs = [c for c in res["cases"] if c["source"] == source]
        labels = list(cs[0]["readers"]) if cs else []
        bar = 0.8 / max(len(labels), 1)
        for i, label in enumerate(labels):
            ax.bar([x + i * bar for x in range(len(cs))],
                   [c["readers"][label]["rows_per_s"] / 1e6 for c in cs], bar, label=label)
        ax.set_xticks([x + bar * (len(labels) - 1) / 2 for x in range(len(cs))],
                      [c["width"] for c in cs], fontsize=8)
        ax.set_title(f"{source} ({res['rows']:,} rows)")
        ax.set_xlabel("columns read")
        ax.set_ylabel("M rows/s (log)")
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    fig.tight_layout()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "readers.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return str(path)
