"""Federated vs native: ``Engine.query`` against the same work written by hand.

Native is what a careful user would write without Federation, given the fragments the engine
itself produced: run each SQLite fragment (same SQL, same bound values) with apsw and
``fetchall``, build an Arrow table column-wise with the declared types, register it in a plain
DuckDB connection (same thread count as the engine's) and run the finishing SQL with
``con.sql(..., params=...).to_arrow_table()`` (DuckDB's recommended Arrow path). Fragments run
one after another (the engine runs several in parallel). Planning happens once, outside the
timed region: native pays no parse, bind, optimize or compile.

Federated is ``eng.query(text, params)`` with its parse cache warm. The two alternate
(A/B then B/A) so drift hits both alike; each side's median over N runs is compared.
Native is also split into fetch / convert / stage so the ratio can be recomputed against a
lower bound that leaves out the Arrow conversion (``ratio_vs_fetch_stage``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import apsw
import duckdb
import pyarrow as pa

from benchmarks.common import (
    Dataset,
    Options,
    binder_options,
    engine,
    engine_rules,
    frozen_heap,
    geomean,
    median,
    print_table,
)

GOAL_RATIO = 1.10
now = time.perf_counter_ns


@dataclass(frozen=True)
class HandWritten:
    """One query as a user would run it by hand: fragment SQL + types, then DuckDB SQL."""

    fragments: tuple[tuple[str, str, tuple[object, ...], tuple[tuple[str, pa.DataType], ...]],
                     ...]  # (input name, SQL, values, (column, Arrow type) ...)
    stage_sql: str
    stage_params: list[object]
    route: str | None = None  # the engine's route running exactly these fragments
    same_plan: bool = True  # False: no route runs them (a read shared by two fragments)


def hand_written(eng: Any, text: str, params: Mapping[str, object]) -> HandWritten:
    """The engine's own plan for ``text``: fragment SQL and values exactly as ``explain``
    shows them (checked), column types from the compiled fragments, and the stage SQL
    compiled against readable input names."""
    from federation.executor import compile_fragments
    from federation.join_stage import StageCompiler
    from grammar.parser import parse
    from planner.binder import Binder
    from planner.fragments import cut
    from planner.optimizer import optimize

    values = dict(params)
    catalog = eng.catalog()
    bound = Binder(catalog, values, **binder_options(eng)).bind_statement(parse(text))
    planned = cut(optimize(bound, catalog, engine_rules(eng)))
    compiled = compile_fragments(planned, eng.sources, values)
    route, same = _route_running(eng, text, params, compiled)
    names = {i: f"frag_{i}" for i in compiled}
    frags = [(names[i], c.native, tuple(c.params), tuple((col.key, col.type) for col in c.schema))
             for i, c in compiled.items()]
    sql, stage_params = StageCompiler(names, values).compile(planned.stage)
    return HandWritten(tuple(frags), sql, list(stage_params), route, same)


def _route_running(eng: Any, text: str, params: Mapping[str, object],
                   compiled: Mapping[int, Any]) -> tuple[str | None, bool]:
    """The router's alternative whose fragments are exactly ``compiled`` (as ``explain``
    shows them): the engine is timed on that route, so both sides run the same plan even
    where a cold router would pick another by a hair. Where none does (the engine reads
    once what two hand-written fragments read: ``planner.shared_reads``), the engine runs
    its own choice and the result says so."""
    want = [(c.native, tuple(c.params)) for c in compiled.values()]
    plan = eng.explain(text, params)
    names = [None] if plan.route is None else [c.name for c in plan.route.considered]
    for name in names:
        shown = eng.explain(text, params, route=name).fragments
        if [(s.native, tuple(s.params)) for s in shown] == want:
            return name, True
    return None, False


def to_arrow(rows: list[tuple[Any, ...]], columns: Sequence[tuple[str, pa.DataType]]
             ) -> pa.Table:
    """Column-wise build; SQLite keeps dates as ISO text and booleans as 0/1."""
    data = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    arrays = []
    for values, (_, typ) in zip(data, columns, strict=True):
        if pa.types.is_date(typ) or pa.types.is_timestamp(typ):
            arrays.append(pa.array(values, pa.string()).cast(typ))
        elif pa.types.is_boolean(typ):
            arrays.append(pa.array(values, pa.int64()).cast(typ))
        else:
            arrays.append(pa.array(values, typ))
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


class Native:
    """A user's own apsw connection and DuckDB connection."""

    def __init__(self, sqlite_path: str, threads: int = 2) -> None:
        self.sqlite = apsw.Connection(sqlite_path, flags=apsw.SQLITE_OPEN_READONLY)
        self.sqlite.execute("PRAGMA case_sensitive_like = ON")  # LIKE as in DuckDB
        self.duck = duckdb.connect(":memory:", config={"threads": threads})

    def run(self, q: HandWritten) -> tuple[pa.Table, int, int, int]:
        """The result and the ns spent fetching, converting and in DuckDB."""
        fetch = convert = 0
        tables = {}
        for name, sql, values, columns in q.fragments:
            t0 = now()
            rows = self.sqlite.execute(sql, values).fetchall()
            t1 = now()
            tables[name] = to_arrow(rows, columns)
            fetch, convert = fetch + t1 - t0, convert + now() - t1
        t0 = now()
        for name, table in tables.items():
            self.duck.register(name, table)
        result = self.duck.sql(q.stage_sql, params=q.stage_params).to_arrow_table()
        for name in tables:
            self.duck.unregister(name)
        return result, fetch, convert, now() - t0

    def close(self) -> None:
        self.sqlite.close()
        self.duck.close()


def measure_query(eng: Any, native: Native, q: HandWritten, text: str,
                  params: Mapping[str, object], reps: int, warmup: int = 2
                  ) -> dict[str, list[int]]:
    """Alternate A/B, B/A; first ``warmup`` rounds are not recorded."""
    out: dict[str, list[int]] = {k: [] for k in ("fed", "native", "fetch", "convert", "stage",
                                                 "fed_plan", "fed_fragments", "fed_duckdb")}

    def federated() -> None:
        start = now()
        res = eng.query(text, params, route=q.route)
        out["fed"].append(now() - start)
        for key in ("plan", "fragments", "duckdb"):
            out[f"fed_{key}"].append(int(res.plan.timings[key] * 1e9))

    def by_hand() -> None:
        start = now()
        _, fetch, convert, stage = native.run(q)
        out["native"].append(now() - start)
        out["fetch"].append(fetch)
        out["convert"].append(convert)
        out["stage"].append(stage)

    for i in range(warmup + reps):
        for step in ((federated, by_hand) if i % 2 == 0 else (by_hand, federated)):
            step()
        if i < warmup:
            for samples in out.values():
                samples.clear()
    return out


def run(data: Dataset, opts: Options) -> dict[str, Any]:
    from tests.differential.compare import diff_results
    from tests.differential.queries import QUERIES

    reps = 3 if opts.quick else 15
    eng = engine(data)
    native = Native(str(data.sqlite_path))
    queries: dict[str, dict[str, Any]] = {}
    start = time.perf_counter()
    try:
        with frozen_heap():
            for qq in QUERIES:
                q = hand_written(eng, qq.text, qq.params)
                fed_table = eng.query(qq.text, qq.params, route=q.route).arrow()
                nat_table = native.run(q)[0]
                mismatch = diff_results(fed_table, nat_table, ordered=qq.ordered)
                del nat_table
                gc.collect()
                samples = measure_query(eng, native, q, qq.text, qq.params, reps)
                queries[qq.id] = _query_stats(samples, fed_table.num_rows, len(q.fragments),
                                              mismatch)
                queries[qq.id]["same_plan"] = q.same_plan
    finally:
        native.close()
        eng.close()
    result = _report(queries, reps)
    result["seconds"] = time.perf_counter() - start
    return result


def _query_stats(s: dict[str, list[int]], rows: int, fragments: int, mismatch: str | None
                 ) -> dict[str, Any]:
    ms = {k: median(v) / 1e6 for k, v in s.items()}
    lower = ms["fetch"] + ms["stage"]
    return {"rows": rows, "fragments": fragments, "native_ms": ms["native"],
            "federated_ms": ms["fed"], "ratio": ms["fed"] / ms["native"],
            "overhead_ms": ms["fed"] - ms["native"],
            "ratio_vs_fetch_stage": ms["fed"] / lower if lower else None,
            "native_parts_ms": {k: ms[k] for k in ("fetch", "convert", "stage")},
            "federated_parts_ms": {k: ms[f"fed_{k}"] for k in ("plan", "fragments", "duckdb")},
            "results_match": mismatch is None, "mismatch": mismatch}


def _report(queries: dict[str, dict[str, Any]], reps: int) -> dict[str, Any]:
    ratios = [q["ratio"] for q in queries.values()]
    lower = [q["ratio_vs_fetch_stage"] for q in queries.values() if q["ratio_vs_fetch_stage"]]
    multi = [q["ratio"] for q in queries.values() if q["fragments"] > 1]
    single = [q["ratio"] for q in queries.values() if q["fragments"] == 1]
    overall = {"median_ratio": median(ratios), "geomean_ratio": geomean(ratios),
               "max_ratio": max(ratios), "min_ratio": min(ratios),
               "median_ratio_single_fragment": median(single),
               "median_ratio_multi_fragment": median(multi),
               "geomean_ratio_vs_fetch_stage": geomean(lower),
               "median_overhead_ms": median([q["overhead_ms"] for q in queries.values()]),
               "total_native_ms": sum(q["native_ms"] for q in queries.values()),
               "total_federated_ms": sum(q["federated_ms"] for q in queries.values()),
               "queries_within_goal": sum(r <= GOAL_RATIO for r in ratios) / len(ratios),
               "mismatches": sorted(k for k, q in queries.items() if not q["results_match"])}
    overall["verdict"] = "PASS" if overall["geomean_ratio"] <= GOAL_RATIO else "FAIL"
    worst = sorted(queries, key=lambda k: queries[k]["ratio"], reverse=True)[:10]
    return {"suite": "native_ratio", "goal_ratio": GOAL_RATIO, "repetitions": reps,
            "queries_count": len(queries), "overall": overall, "worst": worst,
            "queries": queries}


def _row(qid: str, q: dict[str, Any]) -> list[Any]:
    nat, fed = q["native_parts_ms"], q["federated_parts_ms"]
    return [qid, q["fragments"], q["rows"], q["native_ms"], q["federated_ms"], q["ratio"],
            q["overhead_ms"], nat["fetch"], nat["convert"], nat["stage"], fed["plan"],
            fed["fragments"], fed["duckdb"], "" if q["results_match"] else "MISMATCH"]


HEADERS = ["query", "frags", "rows", "native ms", "fed ms", "ratio", "fed-nat ms", "n.fetch",
           "n.convert", "n.duckdb", "f.plan", "f.frags", "f.duckdb", "check"]


def print_report(res: dict[str, Any], *, full: bool = True) -> None:
    if full:
        print_table(f"Federated vs native, per query (medians of {res['repetitions']} "
                    "interleaved runs)", HEADERS,
                    [_row(k, q) for k, q in res["queries"].items()])
    print_table("10 worst ratios", HEADERS, [_row(k, res["queries"][k]) for k in res["worst"]])
    o = res["overall"]
    print_table(f"Overall (goal: geometric mean ratio <= {res['goal_ratio']:.2f})",
                ["measure", "value"],
                [["median ratio", o["median_ratio"]], ["geometric mean ratio", o["geomean_ratio"]],
                 ["verdict (geomean)", o["verdict"]],
                 ["median ratio, 1 fragment", o["median_ratio_single_fragment"]],
                 ["median ratio, >1 fragment", o["median_ratio_multi_fragment"]],
                 ["geomean vs fetch+duckdb only", o["geomean_ratio_vs_fetch_stage"]],
                 ["min / max ratio", f"{o['min_ratio']:.3f} / {o['max_ratio']:.3f}"],
                 ["median fed - native (ms)", o["median_overhead_ms"]],
                 ["sum native / federated (ms)",
                  f"{o['total_native_ms']:.1f} / {o['total_federated_ms']:.1f}"],
                 ["queries with ratio <= goal", f"{o['queries_within_goal']:.0%}"],
                 ["result mismatches", len(o["mismatches"])]])
