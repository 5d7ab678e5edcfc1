"""The result cache (issue 9): hit latency, version-check cost, miss overhead against cache off.

``python -m benchmarks.cache_bench [--quick] [--rounds N]`` (``make bench-cache``; ``make bench``
runs it too). It writes ``benchmarks/results/cache.json`` and ``cache.md``.

Data, built by the benchmark into a temporary directory (about 5 s): the demo domain
(``federation.domain``) at scale 0.1 — SQLite ``crm.db`` (1000 agents, 10k tasks), Kuzu
``graph.kuzu``, LanceDB ``lance/`` (20k knowledge rows) — plus a 200k-row ``events`` table in
``crm.db`` (integer primary key), a WAL copy of ``crm.db``, and 4 small extra LanceDB tables
(a LanceDB token covers every table of its directory: 5 tables here).

Two engines on the same files: **on** (``fed.connect()``, the default cache) and **off**
(``cache_bytes=0``). Measured in one interleaved run: every round runs each configuration once
(the order rotates from round to round; an on/off pair alternates which goes first):

- **hit**: ``on.query(text, params).arrow()`` answered from the cache, text to Arrow; a
  one-source query (an ``events`` primary-key lookup) and a three-engine one (SQLite join Kuzu
  join LanceDB, one agent's rows). Targets: p50 < 50 µs one-source (goal 20 µs), < 150 µs
  three-engine.
- **version**: ``on.sources[name].version()`` for SQLite (rollback journal and WAL), LanceDB
  (5 tables) and Kuzu: what every lookup pays per source it reads.
- **miss**: the same query on both engines with a parameter value no earlier run used, so the
  answer and every leg are misses on **on** (checked: its plan says "miss", without partial
  reuse); both run the same route, forced by name. The one-source lookup, the three-engine
  query, and an aggregate over 200k ``events`` rows (read from SQLite, aggregated in DuckDB;
  a lone fragment, so its 3.2 MB leg is not kept, only the answer). The figure is the
  median over runs of on / off
  (paired: same values, same round). Target ≤ 1.03.

Statistics are in µs from ``time.perf_counter_ns``; p99 is nearest-rank. When a hit target is
missed, the hit path is profiled (cProfile over 20 000 hits) and its top 15 functions by own
time are printed and saved. A report, never an assertion.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python benchmarks/cache_bench.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import apsw
import pyarrow as pa

from benchmarks.cache_report import markdown, print_report
from benchmarks.common import (
    RESULTS,
    environment,
    frozen_heap,
    median,
    save,
    summary_us,
)

SCALE = 0.1  # 1000 agents: enough distinct three-engine parameter values for every round
EVENTS = 200_000
EXTRA_LANCE_TABLES = 4
THREADS = 2
HIT_GOAL_US = {"one_source": 50.0, "three_engine": 150.0}
ONE_SOURCE_STRETCH_US = 20.0
MISS_LIMIT = 1.03
PROFILE_HITS = 20_000

ONE_SOURCE = "SELECT e.grp, e.val FROM crm.events AS e WHERE e.id = $id"
# the parameter reaches every leg, so a fresh value makes every leg a miss as well
THREE_ENGINE = """SELECT a.name, t.title, k.kind
FROM crm.agents AS a
JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task) ON x.id = a.id
JOIN docs.knowledge AS k ON k.task_id = t.id
WHERE a.id = $id AND x.id = $id AND k.agent_id = $id"""
SCAN = """SELECT e.grp, count(*) AS n, sum(e.val) AS total
FROM crm.events AS e WHERE e.id > $lo GROUP BY e.grp"""
VERSIONS = {"sqlite (rollback journal)": "crm", "sqlite (WAL)": "crm_wal",
            f"lancedb ({1 + EXTRA_LANCE_TABLES} tables)": "docs", "kuzu": "graph"}
now = time.perf_counter_ns


@dataclass(frozen=True)
class Sizes:
    rounds: int = 300
    warmup: int = 5
    hit_batch: int = 60  # timed hits per case per round
    version_batch: int = 60
    one_source_misses: int = 5  # on/off pairs per round (the others: one)
    scale: float = SCALE
    events: int = EVENTS
    profile_hits: int = PROFILE_HITS  # when a hit target is missed (0: never)


QUICK = Sizes(rounds=40, warmup=3, hit_batch=30, version_batch=30, one_source_misses=3)


@dataclass(frozen=True)
class Data:
    sqlite: Path
    sqlite_wal: Path
    kuzu: Path
    lancedb: Path
    agents: int
    events: int
    build_seconds: float


def build(root: Path, scale: float = SCALE, events: int = EVENTS) -> Data:
    """The domain plus ``events``, a WAL copy of the SQLite file and extra LanceDB tables."""
    import lancedb

    from federation.domain import counts, generate

    start = time.perf_counter()
    paths = generate(root / "domain", scale=scale)
    con = apsw.Connection(str(paths.sqlite))
    try:
        with con:
            con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, "
                        "val REAL NOT NULL)")
            con.executemany("INSERT INTO events VALUES (?, ?, ?)",
                            ((i, i % 16, (i * 2654435761) % 1000 / 10) for i in
                             range(1, events + 1)))
    finally:
        con.close()
    wal = root / "crm_wal.db"
    shutil.copyfile(paths.sqlite, wal)
    con = apsw.Connection(str(wal))
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    db = lancedb.connect(str(paths.lancedb))
    for n in range(EXTRA_LANCE_TABLES):
        db.create_table(f"extra_{n}", data=pa.table({"id": list(range(100)),
                                                      "v": [float(n)] * 100}))
    return Data(paths.sqlite, wal, paths.kuzu, paths.lancedb, counts(scale)["agents"], events,
                time.perf_counter() - start)


def engines(data: Data) -> tuple[Any, Any]:
    """Cache on (default bounds) and off, the same sources; ``crm_wal`` on **on** only (its
    version check is measured, no query reads it)."""
    import federation as fed

    on = fed.connect(threads=THREADS)
    off = fed.connect(threads=THREADS, cache_bytes=0)
    for eng in (on, off):
        eng.attach("crm", fed.SQLite(str(data.sqlite)))
        eng.attach("graph", fed.Kuzu(str(data.kuzu), read_only=True, threads=THREADS))
        eng.attach("docs", fed.LanceDB(str(data.lancedb)))
    on.attach("crm_wal", fed.SQLite(str(data.sqlite_wal)))
    return on, off


@dataclass
class MissCase:
    text: str
    values: Callable[[int], dict[str, object]]  # a value no other run uses, by run number
    per_round: int
    route: str | None = None
    on: list[int] | None = None
    off: list[int] | None = None
    ratios: list[float] | None = None
    labels: dict[str, int] | None = None  # plan.cache said, on and off
    runs: int = 0


def miss_cases(data: Data, sizes: Sizes) -> dict[str, MissCase]:
    runs = sizes.rounds + sizes.warmup
    if runs >= data.agents:
        raise ValueError(f"{runs} rounds need as many agents (have {data.agents})")
    # strides coprime with the ranges: no value repeats, and none is the hits' (the last id)
    return {
        "one_source": MissCase(ONE_SOURCE, lambda i: {"id": 1 + (i * 7919) % (data.events - 1)},
                               sizes.one_source_misses),
        "three_engine": MissCase(THREE_ENGINE,
                                 lambda i: {"id": 1 + (i * 389) % (data.agents - 1)}, 1),
        "scan_200k": MissCase(SCAN, lambda i: {"lo": i}, 1),
    }


def _forced_route(off: Any, case: MissCase) -> str | None:
    """The route the off engine's router picks: forced on both, so both run the same plan."""
    decision = off.explain(case.text, case.values(0)).route
    return None if decision is None else str(decision.chosen)


class Bench:
    """One interleaved run over every configuration."""

    def __init__(self, on: Any, off: Any, data: Data, sizes: Sizes) -> None:
        self.on, self.off, self.sizes = on, off, sizes
        # the last ids: no miss uses them (``miss_cases``)
        self.hits: dict[str, tuple[str, dict[str, object]]] = {
            "one_source": (ONE_SOURCE, {"id": data.events}),
            "three_engine": (THREE_ENGINE, {"id": data.agents})}
        self.hit_ns: dict[str, list[int]] = {k: [] for k in self.hits}
        self.not_hits = dict.fromkeys(self.hits, 0)
        self.version_ns: dict[str, list[int]] = {k: [] for k in VERSIONS}
        self.misses = miss_cases(data, sizes)
        for case in self.misses.values():
            case.route = _forced_route(off, case)
            case.on, case.off, case.ratios, case.labels = [], [], [], {}

    def steps(self) -> list[Callable[[int, bool], None]]:
        return [*(partial(self.hit, k) for k in self.hits),
                *(partial(self.version, k) for k in VERSIONS),
                *(partial(self.miss, k) for k in self.misses)]

    def hit(self, case: str, round_no: int, timed: bool) -> None:
        text, params = self.hits[case]
        for _ in range(self.sizes.hit_batch if timed else 3):
            start = now()
            res = self.on.query(text, params)
            res.arrow()
            took = now() - start
            if not timed:  # the first call of all stores the answer
                continue
            if res.plan.cache == "hit":
                self.hit_ns[case].append(took)
            else:
                self.not_hits[case] += 1

    def version(self, label: str, round_no: int, timed: bool) -> None:
        read = self.on.sources[VERSIONS[label]].version
        out = self.version_ns[label]
        for _ in range(self.sizes.version_batch if timed else 3):
            start = now()
            read()
            if timed:
                out.append(now() - start)

    def miss(self, name: str, round_no: int, timed: bool) -> None:
        case = self.misses[name]
        assert case.on is not None and case.off is not None and case.ratios is not None
        for _ in range(case.per_round):
            params = case.values(case.runs)
            case.runs += 1
            took = {}
            # who goes first alternates: the second run may find the first's pages warm
            order = (self.on, self.off) if case.runs % 2 else (self.off, self.on)
            for eng in order:
                start = now()
                res = eng.query(case.text, params, route=case.route)
                res.arrow()
                took[eng is self.on] = now() - start
                assert case.labels is not None
                said = f"{'on' if eng is self.on else 'off'}: {res.plan.cache}"
                case.labels[said] = case.labels.get(said, 0) + 1
            if timed:
                case.on.append(took[True])
                case.off.append(took[False])
                case.ratios.append(took[True] / took[False])

    def run(self) -> float:
        steps = self.steps()
        start = time.perf_counter()
        with frozen_heap():
            for r in range(self.sizes.warmup + self.sizes.rounds):
                gc.collect()  # outside the timed regions: a round starts with no garbage
                shift = r % len(steps)
                for step in steps[shift:] + steps[:shift]:
                    step(r, r >= self.sizes.warmup)
        return time.perf_counter() - start


def measure(sizes: Sizes, root: Path) -> dict[str, Any]:
    """Build, run interleaved, and return the figures (no files written)."""
    data = build(root, sizes.scale, sizes.events)
    on, off = engines(data)
    try:
        bench = Bench(on, off, data, sizes)
        seconds = bench.run()
        result = _report(bench, sizes, data, seconds)
        result["cache_info"] = on.cache.info()
        failed = [k for k, s in result["hits"].items() if s["verdict"] == "FAIL"]
        if failed and sizes.profile_hits:
            result["profile"] = {k: profile_hits(on, *bench.hits[k], sizes.profile_hits)
                                 for k in failed}
    finally:
        on.close()
        off.close()
    return result


def _report(bench: Bench, sizes: Sizes, data: Data, seconds: float) -> dict[str, Any]:
    hits = {}
    for k, ns in bench.hit_ns.items():
        s: dict[str, Any] = dict(summary_us(ns))
        s.update(goal_us=HIT_GOAL_US[k], not_hits=bench.not_hits[k],
                 verdict="PASS" if s["median_us"] < HIT_GOAL_US[k] else "FAIL")
        if k == "one_source":
            s["stretch_goal_us"] = ONE_SOURCE_STRETCH_US
            s["stretch_verdict"] = "PASS" if s["median_us"] < ONE_SOURCE_STRETCH_US else "FAIL"
        hits[k] = s
    versions = {k: {"source": VERSIONS[k], **summary_us(ns)}
                for k, ns in bench.version_ns.items()}
    misses = {}
    for k, c in bench.misses.items():
        assert c.on is not None and c.off is not None and c.ratios is not None
        on, off = summary_us(c.on), summary_us(c.off)
        paired = median(c.ratios)
        misses[k] = {"route": c.route, "on": on, "off": off, "pairs": len(c.ratios),
                     "median_paired_ratio": paired,
                     "ratio_of_medians": on["median_us"] / off["median_us"],
                     "ratio_of_p99": on["p99_us"] / off["p99_us"],
                     "plan_cache_said": c.labels, "limit": MISS_LIMIT,
                     "verdict": "PASS" if paired <= MISS_LIMIT else "FAIL"}
    return {"suite": "cache", "sizes": sizes.__dict__, "build_seconds": data.build_seconds,
            "rows": {"agents": data.agents, "events": data.events}, "seconds": seconds,
            "hits": hits, "versions": versions, "misses": misses}


def profile_hits(eng: Any, text: str, params: dict[str, object], n: int) -> str:
    """cProfile over ``n`` hits: the top 15 functions by own time."""
    eng.query(text, params)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        eng.query(text, params).arrow()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
    text_ = out.getvalue()
    return text_[text_.find("ncalls") - 3:].rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cache_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--rounds", type=int, help="timed rounds (default 300)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    if args.rounds:
        sizes = Sizes(**{**sizes.__dict__, "rounds": args.rounds})
    env = environment()
    with tempfile.TemporaryDirectory(prefix="fed-cache-bench-") as tmp:
        res = measure(sizes, Path(tmp))
    res.update(quick=args.quick, environment=env)
    print_report(res)
    path = save("cache", res)
    (RESULTS / "cache.md").write_text(markdown(res))
    print(f"\n{res['seconds']:.1f} s interleaved (build {res['build_seconds']:.1f} s) -> {path}, "
          f"{RESULTS / 'cache.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
