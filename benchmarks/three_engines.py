"""Three engines: the demo's showcase queries, federated vs written by hand with each engine's
own client.

Data: the demo domain (``federation.domain.generate``) at scale 1.0 (10k agents, 100k tasks,
200k knowledge vectors; ``--quick``: 0.1), built once into ``benchmarks/.data/domain-<scale>/``
(ignored by git) and reused by later runs.

**Native** is each showcase query written by hand, the way a careful user would without
Federation: SQL through a read-only apsw connection (``fetchall`` → Arrow column-wise, ISO text
→ date), Cypher through the kuzu module (``conn.execute(cypher, params).get_as_arrow()``, its
own read-only ``Database``), LanceDB through ``lancedb.connect(dir).open_table(t).search(...)
.where(..., prefilter=True).select([...]).limit(k).to_arrow()``, then the join/finish in a
plain in-memory DuckDB connection (2 threads, as the engine's) over the Arrow tables. The
sub-queries and the finishing SQL (``three_engines_native``) are written by hand (not taken
from EXPLAIN) and are independent of one another, as the engine's fragments are, so their
times add up to
**Σ native + join** (run one after another) and bound the ideal parallel time from below as
**max native + join**. Some queries also have an **alternative** written the way a user who
knows the data would: the whole query inside the one source, or the ids of one sub-query
passed into the next (a semi-join the engine does not do). Alternatives are reported beside
the main ratio, never in it.

**Federated** is ``eng.query(text, params)`` on an engine with the three stores attached (plan
cache warm after warm-up; the first call's plan time, a cache miss, is reported too).

Before timing, every native version and alternative is checked equal to the federated result
as a multiset (floats within 1e-4). Then 2 warm-up rounds and 25 (``--quick``: 3) timed rounds
in which federated, native and the alternatives take turns, in an order that rotates.

Full-table transfer rates (rows/s, MB/s per source and width) are the ``readers`` suite's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchmarks.common import Dataset, Options, frozen_heap, median, print_table
from benchmarks.three_engines_native import THREADS, ByHand, Native, by_hand, run_by_hand

GOAL_RATIO = 1.10
DATA = Path(__file__).resolve().parent / ".data"
FLOAT_TOL = 1e-4
MAX_FRAGMENTS = 8
REPS = 25  # timed rounds (--quick: 3)
now = time.perf_counter_ns


# ---- data and connections


def domain(scale: float) -> tuple[Any, float]:
    """The demo domain at ``scale`` under ``benchmarks/.data`` (built once, then reused)."""
    from federation.domain import generate

    start = time.perf_counter()
    paths = generate(DATA / f"domain-{scale:g}", scale=scale)
    return paths, time.perf_counter() - start


def connect_engine(paths: Any) -> Any:
    import federation as fed

    eng = fed.connect(threads=THREADS, cache_bytes=0)  # measured: every execution reads
    eng.attach("crm", fed.SQLite(paths.sqlite))
    eng.attach("graph", fed.Kuzu(paths.kuzu, read_only=True, threads=THREADS))
    eng.attach("docs", fed.LanceDB(paths.lancedb))
    return eng


# ---- result comparison (multiset, floats within FLOAT_TOL)


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((0, "") if v is None else (1, round(v, 3)) if isinstance(v, float)
                 else (2, v) if isinstance(v, int | bool) else (3, str(v)) for v in row)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return False
        return math.isclose(float(a), float(b), rel_tol=FLOAT_TOL, abs_tol=FLOAT_TOL)
    return bool(a == b)


def same_rows(actual: pa.Table, expected: pa.Table) -> str | None:
    """None when equal as multisets (columns by position); otherwise what differs."""
    if actual.num_columns != expected.num_columns:
        return f"{actual.num_columns} columns vs {expected.num_columns}"
    if actual.num_rows != expected.num_rows:
        return f"{actual.num_rows} rows vs {expected.num_rows}"

    def rows(t: pa.Table) -> list[tuple[Any, ...]]:
        return sorted(zip(*(c.to_pylist() for c in t.columns), strict=True), key=_key)

    for a, b in zip(rows(actual), rows(expected), strict=True):
        if not all(_close(x, y) for x, y in zip(a, b, strict=True)):
            return f"row {a!r} vs {b!r}"
    return None


# ---- timing


@dataclass
class Samples:
    fed: list[int] = field(default_factory=list)
    plan: list[int] = field(default_factory=list)
    fed_duckdb: list[int] = field(default_factory=list)
    fed_frags: list[list[int]] = field(default_factory=list)  # per fragment
    native_seq: list[int] = field(default_factory=list)  # wall time, subs then join
    native_par: list[int] = field(default_factory=list)  # max(sub) + join
    subs: list[list[int]] = field(default_factory=list)
    join: list[int] = field(default_factory=list)
    alts: list[list[int]] = field(default_factory=list)


def measure(eng: Any, n: Native, text: str, params: dict[str, object], h: ByHand,
            reps: int, warmup: int = 2) -> tuple[Samples, list[tuple[str, str, int]]]:
    s = Samples(fed_frags=[[] for _ in range(MAX_FRAGMENTS)], subs=[[] for _ in h.subs],
                alts=[[] for _ in h.alternatives])
    frag_info: list[tuple[str, str, int]] = []

    def federated() -> None:
        start = now()
        res = eng.query(text, params)
        s.fed.append(now() - start)
        s.plan.append(int(res.plan.timings["plan"] * 1e9))
        s.fed_duckdb.append(int(res.plan.timings["duckdb"] * 1e9))
        frag_info[:] = [(f.source, f.kind, f.rows) for f in res.plan.fragments]
        for i, f in enumerate(res.plan.fragments):
            s.fed_frags[i].append(int(f.seconds * 1e9))

    def native() -> None:
        start = now()
        _, _, times, join = run_by_hand(n, h)
        s.native_seq.append(now() - start)
        s.native_par.append(max(times) + join)
        s.join.append(join)
        for i, t in enumerate(times):
            s.subs[i].append(t)

    def alternative(i: int) -> Callable[[], None]:
        def step() -> None:
            start = now()
            h.alternatives[i].run()
            s.alts[i].append(now() - start)
        return step

    steps = [federated, native, *(alternative(i) for i in range(len(h.alternatives)))]
    for r in range(warmup + reps):
        k = r % len(steps)
        order = steps[k:] + steps[:k]
        for step in (order if r % 2 == 0 else order[::-1]):
            step()
        if r + 1 == warmup:
            for lst in (s.fed, s.plan, s.fed_duckdb, s.native_seq, s.native_par, s.join,
                        *s.fed_frags, *s.subs, *s.alts):
                lst.clear()
    return s, frag_info


def _ms(ns: Sequence[int]) -> float:
    return median(ns) / 1e6 if ns else math.nan


def _rate(rows: int, ms: float) -> float:
    return rows / (ms / 1e3) if ms and ms > 0 else math.nan


def _mbps(nbytes: int, ms: float) -> float:
    return nbytes / 1e6 / (ms / 1e3) if ms and ms > 0 else math.nan


def query_stats(s: Samples, frag_info: list[tuple[str, str, int]], h: ByHand,
                inputs: dict[str, pa.Table], rows: int, first_plan_ms: float,
                checks: dict[str, str | None]) -> dict[str, Any]:
    fed = _ms(s.fed)
    seq, par = _ms(s.native_seq), _ms(s.native_par)
    subs = []
    for sub, times in zip(h.subs, s.subs, strict=True):
        t = inputs[sub.name]
        ms = _ms(times)
        subs.append({"name": sub.name, "source": sub.source, "rows": t.num_rows,
                     "bytes": t.nbytes, "median_ms": ms, "rows_per_s": _rate(t.num_rows, ms),
                     "mb_per_s": _mbps(t.nbytes, ms)})
    frags = []
    for i, (source, kind, nrows) in enumerate(frag_info):
        ms = _ms(s.fed_frags[i])
        frags.append({"source": source, "kind": kind, "rows": nrows, "median_ms": ms,
                      "rows_per_s": _rate(nrows, ms)})
    alts = [{"label": a.label, "median_ms": _ms(t), "federated_over_alt": fed / _ms(t),
             "results_match": checks.get(a.label) is None, "mismatch": checks.get(a.label)}
            for a, t in zip(h.alternatives, s.alts, strict=True)]
    ratio = fed / seq
    return {
        "rows": rows, "native_subqueries": subs, "native_join_ms": _ms(s.join),
        "native_sum_plus_join_ms": seq, "native_max_plus_join_ms": par,
        "sum_of_sub_medians_plus_join_ms": sum(x["median_ms"] for x in subs) + _ms(s.join),
        "federated_ms": fed, "federated_plan_ms": _ms(s.plan),
        "federated_first_plan_ms": first_plan_ms, "federated_duckdb_ms": _ms(s.fed_duckdb),
        "federated_fragments": frags,
        "ratio_vs_sum": ratio, "ratio_vs_max": fed / par,
        "verdict": "PASS" if ratio <= GOAL_RATIO else "FAIL",
        "overhead_vs_sum_ms": fed - seq, "alternatives": alts,
        "results_match": checks["native"] is None, "mismatch": checks["native"],
    }


# ---- suite entry points


def run(data: Dataset, opts: Options) -> dict[str, Any]:
    """``data`` (the differential dataset) is not used: this suite has its own domain."""
    from federation.demo import SHOWCASE, question_vector
    from federation.domain import counts

    del data
    scale = 0.1 if opts.quick else 1.0
    reps = 3 if opts.quick else REPS
    start = time.perf_counter()
    paths, build_seconds = domain(scale)
    eng = connect_engine(paths)
    native = Native(paths)
    queries: dict[str, dict[str, Any]] = {}
    try:
        q = question_vector(eng)
        values = [{**p, "q": q} if "$q" in text else dict(p) for _, text, p in SHOWCASE]
        hands = by_hand(native, q, values)
        with frozen_heap():
            for number, ((title, text, _), params, h) in enumerate(
                    zip(SHOWCASE, values, hands, strict=True), 1):
                first = eng.query(text, params)
                fed_table = first.arrow()
                result, inputs, _, _ = run_by_hand(native, h)
                checks = {"native": same_rows(result, fed_table)}
                for alt in h.alternatives:
                    checks[alt.label] = same_rows(alt.run(), fed_table)
                samples, frag_info = measure(eng, native, text, params, h, reps)
                stats = query_stats(samples, frag_info, h, inputs, fed_table.num_rows,
                                    first.plan.timings["plan"] * 1e3, checks)
                queries[f"q{number}"] = {"title": title, **stats}
                del first, fed_table, result, inputs
    finally:
        native.close()
        eng.close()
    ratios = [x["ratio_vs_sum"] for x in queries.values()]
    overall = {
        "queries_within_goal": sum(r <= GOAL_RATIO for r in ratios),
        "max_ratio_vs_sum": max(ratios),
        "mismatches": sorted(k for k, x in queries.items() if not x["results_match"]),
        "alternative_mismatches": sorted(f"{k}: {a['label']}" for k, x in queries.items()
                                         for a in x["alternatives"] if not a["results_match"]),
    }
    return {"suite": "three_engines", "goal_ratio": GOAL_RATIO, "scale": scale,
            "counts": counts(scale), "repetitions": reps, "data_seconds": build_seconds,
            "threads": THREADS, "queries": queries, "overall": overall,
            "seconds": time.perf_counter() - start}


def _f(x: float) -> str:
    """Rows/s or MB/s, compact."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k" if x >= 1e3 else f"{x:.1f}"


def print_report(res: dict[str, Any]) -> None:
    qs = res["queries"]
    print(f"\nthree_engines: demo domain at scale {res['scale']:g} "
          f"({', '.join(f'{v:,} {k}' for k, v in res['counts'].items())}); "
          f"{res['repetitions']} interleaved rounds after 2 warm-up; medians in ms")
    print_table("Per query: native by hand vs federated (goal: fed / (Σ native + join) <= "
                f"{res['goal_ratio']:.2f})",
                ["query", "rows", "Σnat+join", "max+join", "federated", "fed/Σ", "fed/max",
                 "verdict", "f.plan", "f.plan 1st", "f.duckdb", "n.join", "check"],
                [[k, x["rows"], x["native_sum_plus_join_ms"], x["native_max_plus_join_ms"],
                  x["federated_ms"], x["ratio_vs_sum"], x["ratio_vs_max"], x["verdict"],
                  x["federated_plan_ms"], x["federated_first_plan_ms"],
                  x["federated_duckdb_ms"], x["native_join_ms"],
                  "ok" if x["results_match"] else "MISMATCH"] for k, x in qs.items()])
    rows: list[list[Any]] = []
    for k, x in qs.items():
        for s in x["native_subqueries"]:
            rows.append([k, "native", s["source"], s["name"], s["rows"], s["median_ms"],
                         _f(s["rows_per_s"]), _f(s["mb_per_s"])])
        for f in x["federated_fragments"]:
            rows.append([k, "federated", f["kind"], f["source"], f["rows"], f["median_ms"],
                         _f(f["rows_per_s"]), ""])
    print_table("Sub-queries and fragments: median ms and transfer into Arrow",
                ["query", "side", "engine", "input", "rows", "ms", "rows/s", "MB/s"], rows)
    alts = [[k, a["label"], a["median_ms"], x["federated_ms"], a["federated_over_alt"],
             "ok" if a["results_match"] else "MISMATCH"]
            for k, x in qs.items() for a in x["alternatives"]]
    print_table("Alternatives a user who knows the data might write (not in the ratio)",
                ["query", "alternative", "alt ms", "fed ms", "fed/alt", "check"], alts)
    o = res["overall"]
    print(f"\nqueries within goal: {o['queries_within_goal']}/{len(qs)}; max fed/Σ "
          f"{o['max_ratio_vs_sum']:.3f}; mismatches: {o['mismatches'] or 'none'}; "
          f"alternative mismatches: {o['alternative_mismatches'] or 'none'}; data ready in "
          f"{res['data_seconds']:.1f} s; suite {res['seconds']:.1f} s")
