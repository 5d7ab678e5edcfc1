"""Suite ``tpch``: the 22 TPC-H queries, Federation against the peer, hand glue and native.

Per scale (SF 0.1 and 1; ``--quick``: SF 0.1 only, fewer rounds; ``FED_TPCH_SCALES=0.1,1``
overrides; ``FED_TPCH_QUERIES=q17,q21`` runs only those queries) the data is built once
(:mod:`benchmarks.tpch.data`), four worker processes start (:mod:`benchmarks.tpch.systems`),
every query runs once on every system and each answer is compared with native DuckDB's, then
the queries Federation runs are timed in interleaved rounds. Targets are printed as PASS/FAIL,
never asserted.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

from benchmarks.common import Options, geomean, median
from benchmarks.tpch import data, driver
from benchmarks.tpch.report import chart, print_report  # noqa: F401  (run.py's report)
from benchmarks.tpch.systems import SYSTEMS, TRAIN

GOALS = {"peer_geomean": 1.3, "peer_max": 2.0, "glue_geomean": 1.15, "rss_vs_peer": 1.5}
REPS = {0.1: 9, 1.0: 5}
QUICK_REPS = 3
WARMUP = 1
# ratio name: (system timed, system it is divided by); fed_ws is the trained workspace
RATIOS = {"fed_over_peer": ("fed", "peer"), "fed_over_glue": ("fed", "glue"),
          "fed_over_native": ("fed", "native"), "fed_ws_over_peer": ("fed_ws", "peer")}


def scales(opts: Options) -> list[float]:
    env = os.environ.get("FED_TPCH_SCALES")
    if env:
        return [float(s) for s in env.split(",")]
    return [0.1] if opts.quick else [0.1, 1.0]


def query_ids() -> list[str]:
    """Every query, or those ``FED_TPCH_QUERIES`` names (in the suite's order)."""
    wanted = os.environ.get("FED_TPCH_QUERIES")
    qids = list(data.queries())
    if not wanted:
        return qids
    chosen = [q.strip() for q in wanted.split(",")]
    unknown = sorted(set(chosen) - set(qids))
    if unknown:
        raise ValueError(f"FED_TPCH_QUERIES: no such queries {unknown}")
    return [q for q in qids if q in chosen]


def run(_data: Any, opts: Options) -> dict[str, Any]:
    start = time.perf_counter()
    res: dict[str, Any] = {"goals": GOALS, "scales": {}}
    for sf in scales(opts):
        res["scales"][f"{sf:g}"] = run_scale(sf, opts)
    res["verdicts"] = verdicts(res["scales"])
    res["png"] = str(chart(res))
    res["seconds"] = time.perf_counter() - start
    return res


def run_scale(sf: float, opts: Options) -> dict[str, Any]:
    t0 = time.perf_counter()
    paths, manifest = data.ensure(sf)
    t_data = time.perf_counter() - t0
    qids = query_ids()
    reps = QUICK_REPS if opts.quick else REPS.get(sf, 5)
    print(f"\n[tpch sf={sf:g}] data {'reused' if manifest['reused'] else 'built'} "
          f"in {t_data:.1f} s; checking {len(qids)} queries on 4 systems", flush=True)
    workers = driver.start(paths)
    try:
        status = driver.check(workers, qids)
        timed = [q for q in qids if status[q]["fed"].get("ok")]
        train_s = driver.train(workers["fed_ws"], timed, TRAIN)
        samples, parts = driver.rounds(workers, timed, WARMUP, reps)
        rss = driver.peak_rss(workers)
        errors = {s: w.error for s, w in workers.items() if w.error}
        systems = {s: {k: w.ready.get(k) for k in ("python", "versions")}
                   for s, w in workers.items()}
    finally:
        for w in workers.values():
            w.close()
    out = summarize(status, samples, timed)
    for qid, by_part in parts.items():
        out["queries"][qid]["fed_parts_ms"] = {k: median(v) for k, v in by_part.items()}
        out["queries"][qid]["fed_fragments"] = status[qid]["fed"].get("fragments")
    out.update(scale=sf, rows=manifest["rows"], data_seconds=t_data,
               data_reused=manifest["reused"], repetitions=reps, warmup=WARMUP,
               peak_rss_mb=rss, seconds=time.perf_counter() - t0, train=TRAIN,
               train_seconds=train_s,
               worker_errors=errors, systems=systems)
    return out


def summarize(status: dict[str, dict[str, Any]], samples: dict[str, dict[str, list[float]]],
              timed: list[str]) -> dict[str, Any]:
    queries: dict[str, Any] = {}
    for qid in status:
        st = status[qid]
        q: dict[str, Any] = {"status": {s: {k: v for k, v in x.items() if k != "ok"} | {
            "ok": bool(x.get("ok"))} for s, x in st.items()}}
        fed = st["fed"]
        q["fed_runs"] = bool(fed.get("ok"))
        q["fed_matches"] = bool(fed.get("match")) if fed.get("ok") else None
        if qid in samples:
            med = {s: median(v) for s, v in samples[qid].items()}
            q["median_ms"] = med
            q["rows"] = st["native"].get("rows")
            for key, (num, den) in RATIOS.items():
                q[key] = med[num] / med[den] if med.get(num) and med.get(den) else math.nan
        queries[qid] = q
    ok = [q for q in timed if queries[q]["fed_matches"]]
    overall: dict[str, Any] = {"timed": timed, "compared": ok,
                               "mismatches": [q for q in timed if not queries[q]["fed_matches"]],
                               "fed_fails": {q: {"error": status[q]["fed"].get("error"),
                                                 "message": status[q]["fed"].get("message")}
                                             for q in status if not status[q]["fed"].get("ok")}}
    for key in RATIOS:
        vals = {q: queries[q][key] for q in ok if not math.isnan(queries[q][key])}
        overall[f"geomean_{key}"] = geomean(list(vals.values()))
        worst = max(vals, key=lambda q: vals[q]) if vals else None
        overall[f"worst_{key}"] = {"query": worst, "ratio": vals[worst] if worst else math.nan}
    for s in SYSTEMS:
        overall[f"geomean_ms_{s}"] = geomean([queries[q]["median_ms"][s] for q in ok
                                              if not math.isnan(queries[q]["median_ms"][s])])
    return {"queries": queries, "overall": overall}


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def verdicts(by_scale: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for sf, res in by_scale.items():
        o = res["overall"]
        peer_g, peer_max = o["geomean_fed_over_peer"], o["worst_fed_over_peer"]["ratio"]
        glue_g = o["geomean_fed_over_glue"]
        out[sf] = {
            "fed_over_peer": _verdict(None if math.isnan(peer_g) else
                                      peer_g <= GOALS["peer_geomean"]
                                      and peer_max <= GOALS["peer_max"]),
            "fed_over_glue": _verdict(None if math.isnan(glue_g) else
                                      glue_g <= GOALS["glue_geomean"]),
            "no_mismatch": _verdict(not o["mismatches"])}
        rss = res["peak_rss_mb"]
        if float(sf) >= 1 and rss.get("fed") and rss.get("peer"):
            out[sf]["rss_vs_peer"] = _verdict(rss["fed"] <= GOALS["rss_vs_peer"] * rss["peer"])
    return out


def headline(res: dict[str, Any]) -> dict[str, Any]:
    keys = (*(f"geomean_{key}" for key in RATIOS), "mismatches")
    scales_ = {}
    for sf, r in res["scales"].items():
        scales_[sf] = {k: r["overall"][k] for k in keys} | {
            "peak_rss_mb": r["peak_rss_mb"], "timed": len(r["overall"]["timed"]),
            "verdicts": res["verdicts"][sf]}
    return {"scales": scales_}
