"""The routing benchmark (``make bench-routing``): does the router pick the fastest route?

``python -m benchmarks.routing [--sizes small,large] [--executions 20] [--tiny]``

For each size, every template of ``benchmarks.routing_templates`` runs ``--executions`` times
from a cold workspace, then as many times again after closing the engine and reconnecting to
the same workspace (``fed.connect(path)``). In every execution the oracle runs every
alternative of the query forced by name, interleaved with the router's own ``route="auto"``
run, and each fixed policy says which alternative it would take. Figures
(``benchmarks.routing_report``): top-1 accuracy where alternatives differ by ≥ 1.5x, regret
(Σ oracle time of the router's choice ÷ Σ fastest alternative's, each from the execution's
own round) per template and overall, the router's overhead (its own run ÷ the oracle's run
of the same alternative), each fixed policy's regret, convergence curves; plus the Kuzu vs
SQLite link table table
(``benchmarks.routing_relations``). Writes ``benchmarks/results/routing.{json,md}``,
``routing.png`` (convergence) and ``routing_policies.png``. Exit code 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python benchmarks/routing.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import federation as fed
from benchmarks import routing_data, routing_relations
from benchmarks.common import RESULTS, _clean, environment, frozen_heap
from benchmarks.routing_harness import (
    ORACLE_POLICY,
    POLICIES,
    Data,
    LegacyOracle,
    Oracle,
    Policies,
    attach,
    connect,
    legacy_options,
    route_api,
    run_phase,
)
from benchmarks.routing_report import analyse, markdown, plot, plot_policies
from benchmarks.routing_templates import Context, Template, by_name

# size → (demo domain scale, TPC-H scale factor; 0 = the synthetic tiny TPC-H)
SIZES = {"tiny": (0.01, 0.0), "small": (0.1, 0.01), "large": (1.0, 0.1)}


def _oracle(data: Data, api: bool) -> tuple[Oracle, Policies, list[str]]:
    if api:
        eng = connect(route=ORACLE_POLICY)
        problems = attach(eng, data)
        with ThreadPoolExecutor(3) as pool:  # attaching waits on I/O and Kuzu's probe
            engines = list(pool.map(lambda p: _policy_engine(p, data), POLICIES))
        return Oracle(eng), Policies(dict(zip(POLICIES, engines, strict=True))), problems
    engines = {}
    for name, options in legacy_options().items():
        engines[name] = connect(**options)
        problems = attach(engines[name], data)
    return LegacyOracle(engines), Policies(), problems


def _policy_engine(policy: str, data: Data) -> fed.Engine:
    eng = connect(route=policy)
    attach(eng, data)
    return eng


def _warm_up(oracle: Oracle, templates: tuple[Template, ...], ctx: Context) -> None:
    """Every alternative of both settings once (page cache, plan caches), untimed."""
    for t in templates:
        for number in (0, 1):
            _, params = t.params(ctx, 1_000_000 + number)
            for name in oracle.alternatives(t, params):
                oracle.run(name, t, params, keep=False)


def run_size(size: str, templates: tuple[Template, ...], executions: int, data_root: Path,
             relation_runs: int) -> dict[str, Any]:
    from federation.demo import question_vector

    start = time.perf_counter()
    domain_scale, tpch_scale = SIZES[size]
    data = Data(routing_data.domain(domain_scale, data_root),
                routing_data.tpch(tpch_scale, data_root))
    api = route_api()
    oracle, policies, problems = _oracle(data, api)
    ctx = Context(data.domain.counts["agents"], data.domain.counts["tasks"],
                  question_vector(oracle.eng), data.tpch.rows["orders"])
    _warm_up(oracle, templates, ctx)
    workspace = data_root / f"routing-ws-{size}"
    shutil.rmtree(workspace, ignore_errors=True)
    records = []
    try:
        with frozen_heap():
            for phase, first in (("cold", 0), ("reopened", executions)):
                router = connect(workspace)  # the second time: the same workspace, reopened
                attach(router, data)
                try:
                    records += run_phase(router, oracle, policies, templates, ctx, executions,
                                         phase, first)
                finally:
                    router.close()
    finally:
        for eng in {id(e): e for e in [oracle.eng, *getattr(oracle, "engines", {}).values()]
                    }.values():
            eng.close()
        policies.close()
    relations = routing_relations.measure(data.domain, relation_runs)
    return {"domain_scale": domain_scale, "tpch_scale": tpch_scale,
            "counts": data.domain.counts, "tpch_rows": data.tpch.rows,
            "mirror_problems": problems, "excluded": oracle.excluded,
            "analysis": analyse(records, [t.name for t in templates], POLICIES if api else ()),
            "relations": relations, "records": records,
            "seconds": time.perf_counter() - start}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="small,large", help="of: " + ", ".join(SIZES))
    parser.add_argument("--executions", type=int, default=20, help="per template and phase")
    parser.add_argument("--templates", default="", help="comma-separated names (default all)")
    parser.add_argument("--relation-runs", type=int, default=10)
    parser.add_argument("--tiny", action="store_true",
                        help="smoke test: --sizes tiny --executions 2 --relation-runs 2")
    parser.add_argument("--data", type=Path, default=routing_data.DATA)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.tiny:
        args.sizes, args.executions, args.relation_runs = "tiny", 2, 2
    templates = by_name([n for n in args.templates.split(",") if n])
    start = time.perf_counter()
    api = route_api()
    result: dict[str, Any] = {
        "mode": "router" if api else "legacy (no route= yet: engine configurations)",
        "executions": args.executions, "policies": list(POLICIES) if api else [],
        "templates": {t.name: {"choice": t.choice, "text": t.text.strip()} for t in templates},
        "environment": environment(), "sizes": {}}
    for size in args.sizes.split(","):
        print(f"routing: size {size} ...", flush=True)
        result["sizes"][size] = run_size(size, templates, args.executions, args.data,
                                         args.relation_runs)
    result["relations"] = {s: b.pop("relations") for s, b in result["sizes"].items()}
    result["seconds"] = time.perf_counter() - start
    write(result, args.results)
    return result


def write(result: dict[str, Any], results: Path) -> None:
    results.mkdir(parents=True, exist_ok=True)
    result["png"] = [str(p) for p in (plot(result, results / "routing.png"),
                                      plot_policies(result, results / "routing_policies.png"))
                     if p is not None]
    text = markdown(result)
    (results / "routing.md").write_text(text)
    (results / "routing.json").write_text(
        json.dumps(_clean(result), indent=2, allow_nan=False, default=str) + "\n")
    print(text)
    print(f"routing: {result['seconds']:.0f} s; results in {results}")


if __name__ == "__main__":
    main()
