"""Run the benchmark suites: ``python -m benchmarks.run [--quick] [--suite NAME] [--profile]``.

Each suite prints its tables and saves ``benchmarks/results/<suite>.json``; a combined
``benchmarks/results/summary.json`` holds the headline numbers of the suites run. The exit
code is 0 whatever the numbers: targets are reported (PASS/FAIL columns), never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python benchmarks/run.py``: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import native_ratio, overhead, three_engines
from benchmarks import readers as readers_suite
from benchmarks import simple_ops as simple_ops_suite
from benchmarks.common import (
    RESULTS,
    Dataset,
    Options,
    differential_dataset,
    environment,
    print_table,
    save,
)
from benchmarks.tpch import suite as tpch_suite


@dataclass(frozen=True)
class Suite:
    run: Callable[[Dataset, Options], dict[str, Any]]
    report: Callable[[dict[str, Any]], None]
    headline: Callable[[dict[str, Any]], dict[str, Any]]


def _overhead_headline(res: dict[str, Any]) -> dict[str, Any]:
    t = res["totals"]
    return {"cold_median_us": t["cold"]["median_us"], "cold_p99_us": t["cold"]["p99_us"],
            "warm_median_us": t["warm"]["median_us"], "warm_p99_us": t["warm"]["p99_us"],
            "engine_median_us": t["engine"]["median_us"], "engine_p99_us": t["engine"]["p99_us"],
            **{f"{k}_verdicts": [t[k]["median_verdict"], t[k]["p99_verdict"]]
               for k in ("cold", "warm", "engine")},
            "slowest": res["slowest"]}


def _ratio_headline(res: dict[str, Any]) -> dict[str, Any]:
    o = res["overall"]
    return {"median_ratio": o["median_ratio"], "geomean_ratio": o["geomean_ratio"],
            "verdict": o["verdict"], "median_overhead_ms": o["median_overhead_ms"],
            "worst": {k: res["queries"][k]["ratio"] for k in res["worst"][:5]},
            "mismatches": o["mismatches"]}


def _three_engines_headline(res: dict[str, Any]) -> dict[str, Any]:
    return {"scale": res["scale"],
            "queries": {k: {"native_sum_plus_join_ms": q["native_sum_plus_join_ms"],
                            "native_max_plus_join_ms": q["native_max_plus_join_ms"],
                            "federated_ms": q["federated_ms"],
                            "ratio_vs_sum": q["ratio_vs_sum"], "ratio_vs_max": q["ratio_vs_max"],
                            "verdict": q["verdict"]}
                        for k, q in res["queries"].items()},
            "mismatches": res["overall"]["mismatches"]}


def _readers_headline(res: dict[str, Any]) -> dict[str, Any]:
    return {"rows": res["rows"], **res["overall"],
            "fractions": {f"{c['source']} {c['width']}": [c["fraction"], c["verdict"]]
                          for c in res["cases"]}}


def _simple_ops_headline(res: dict[str, Any]) -> dict[str, Any]:
    return {k: {"federation_p50_ms": o["federation"]["p50_ms"],
                "native_p50_ms": o["native"]["p50_ms"], "verdict": o["verdict"]}
            for k, o in res["ops"].items()}


SUITES: dict[str, Suite] = {
    "overhead": Suite(overhead.run, overhead.print_report, _overhead_headline),
    "native_ratio": Suite(native_ratio.run, native_ratio.print_report, _ratio_headline),
    "three_engines": Suite(three_engines.run, three_engines.print_report,
                           _three_engines_headline),
    "readers": Suite(readers_suite.run, readers_suite.print_report, _readers_headline),
    "simple_ops": Suite(simple_ops_suite.run, simple_ops_suite.print_report,
                        _simple_ops_headline),
    "tpch": Suite(tpch_suite.run, tpch_suite.print_report, tpch_suite.headline),
}


def _profiled(name: str, suite: Suite, data: Dataset, opts: Options) -> dict[str, Any]:
    """Run under cProfile, print the top functions, save ``results/<suite>.prof``."""
    prof = cProfile.Profile()
    res = prof.runcall(suite.run, data, opts)
    RESULTS.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(RESULTS / f"{name}.prof")
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(key).print_stats(25)
        print(f"\n== cProfile of {name}, top 25 by {key} ==")
        text = out.getvalue()
        print(text[text.find("ncalls") - 3:].rstrip())  # from the column header on
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions (a smoke test; numbers are noisier)")
    parser.add_argument("--suite", action="append", choices=sorted(SUITES),
                        help="run only this suite (repeatable); default: all")
    parser.add_argument("--profile", action="store_true",
                        help="run under cProfile and print hot spots (inflates timings)")
    args = parser.parse_args(argv)
    opts = Options(quick=args.quick)
    names = args.suite or list(SUITES)
    env = environment()
    summary: dict[str, Any] = {"quick": opts.quick, "profiled": args.profile,
                               "environment": env, "suites": {}}
    start = time.perf_counter()
    with differential_dataset() as data:
        print(f"dataset built in {data.build_seconds:.2f} s; python {env['python']}, "
              f"{env['cpus']} cpus, duckdb {env['packages']['duckdb']}, "
              f"quick={opts.quick}")
        for name in names:
            suite = SUITES[name]
            t0 = time.perf_counter()
            res = _profiled(name, suite, data, opts) if args.profile else suite.run(data, opts)
            res.update(quick=opts.quick, profiled=args.profile, environment=env)
            suite.report(res)
            path = save(name, res)
            summary["suites"][name] = {**suite.headline(res),
                                       "seconds": time.perf_counter() - t0, "json": str(path)}
            print(f"\n[{name}] {time.perf_counter() - t0:.1f} s -> {path}")
    summary["seconds"] = time.perf_counter() - start
    path = save("summary", summary)
    _print_summary(summary)
    print(f"\nsummary -> {path}")
    return 0


def _print_summary(summary: dict[str, Any]) -> None:
    rows: list[list[Any]] = []
    s = summary["suites"]
    if "overhead" in s:
        o = s["overhead"]
        rows += [["overhead cold median / p99 (µs)",
                  f"{o['cold_median_us']:.1f} / {o['cold_p99_us']:.1f}",
                  " / ".join(o["cold_verdicts"])],
                 ["overhead warm (planned afresh) median / p99 (µs)",
                  f"{o['warm_median_us']:.1f} / {o['warm_p99_us']:.1f}",
                  " / ".join(o["warm_verdicts"])],
                 ["overhead engine (caches hit) median / p99 (µs)",
                  f"{o['engine_median_us']:.1f} / {o['engine_p99_us']:.1f}",
                  " / ".join(o["engine_verdicts"])]]
    if "native_ratio" in s:
        r = s["native_ratio"]
        rows += [["federated/native median ratio", f"{r['median_ratio']:.3f}", ""],
                 ["federated/native geomean ratio", f"{r['geomean_ratio']:.3f}", r["verdict"]]]
    if "three_engines" in s:
        for k, q in s["three_engines"]["queries"].items():
            rows.append([f"three_engines {k}: fed / (Σ native + join), fed / (max + join)",
                         f"{q['ratio_vs_sum']:.3f}, {q['ratio_vs_max']:.3f}", q["verdict"]])
    for sf, t in s.get("tpch", {}).get("scales", {}).items():
        rows.append([f"tpch SF {sf}: fed/peer, fed/glue, trained workspace/peer geomean",
                     f"{t['geomean_fed_over_peer']:.3f}, {t['geomean_fed_over_glue']:.3f}, "
                     f"{t.get('geomean_fed_ws_over_peer', float('nan')):.3f}",
                     f"{t['verdicts']['fed_over_peer']} / {t['verdicts']['fed_over_glue']}"])
    for k, (fraction, verdict) in s.get("readers", {}).get("fractions", {}).items():
        rows.append([f"readers {k}: fed / best native rows/s", f"{fraction:.3f}", verdict])
    for k, o in s.get("simple_ops", {}).items():
        if isinstance(o, dict) and "federation_p50_ms" in o:
            rows.append([f"simple_ops {k}: fed / native p50 ms",
                         f"{o['federation_p50_ms']:.3f} / {o['native_p50_ms']:.3f}",
                         o["verdict"]])
    print_table(f"Summary ({summary['seconds']:.0f} s{', quick' if summary['quick'] else ''})",
                ["measure", "value", "verdict"], rows)


if __name__ == "__main__":
    sys.exit(main())
