"""The table that settles "relationship queries run 50-70% faster on Kuzu": each relationship
shape, the Kuzu rel type vs the SQLite link table holding the same edges, measured.

Five shapes (seeded ones from a different seed each run, the same seed for every column):
seeded 1-hop, seeded 2-hop, whole-graph 1-hop count, variable length 1..3 from a seed,
whole-graph 2-hop count. Columns:

* ``kuzu native``: Cypher through the kuzu module (its own read-only ``Database``),
  prepared once, ``get_as_arrow``; ``sqlite native``: SQL on the link tables through a
  read-only apsw connection, ``fetchall`` (a recursive CTE for ``*1..3``: one row per path,
  as Kuzu's walks in this acyclic graph);
* ``engine primary`` / ``engine mirror``: the FQL MATCH through engines connected with
  ``route="primary-only"`` (Kuzu) and ``route="mirror-only"`` (the SQLite link table, when the
  planner offers a route reading it for the shape: not for a grouped count, which SQLite does
  not group); ``engine link SQL``: the same question asked in FQL of the link tables by hand
  (no variable-length form); ``engine auto``: the MATCH on a default engine (the router's
  pick, learning as it goes). The engine ratio is primary ÷ mirror, or primary ÷ link SQL
  where the planner offers no mirror route.

Native answers are compared (sorted rows) before timing; all columns of a shape take turns in
a rotating order; medians.
"""

from __future__ import annotations

import random
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import apsw

import federation as fed
from benchmarks.routing_data import DomainData
from benchmarks.routing_harness import THREADS, connect, declare_mirrors, route_api


@dataclass(frozen=True)
class Shape:
    name: str
    seed: str | None  # "agent", "task" or None (whole graph)
    cypher: str
    sql: str
    fql_match: str
    fql_link: str | None


SHAPES = (
    Shape("seeded 1-hop", "agent",
          "MATCH (a:Agent {id: $id})-[:ASSIGNED_TO]->(t:Task) RETURN t.id",
          "SELECT task_id FROM assignments WHERE agent_id = ?",
          "SELECT t.id FROM MATCH graph (a:Agent {id: $id})-[:ASSIGNED_TO]->(t:Task)",
          "SELECT l.task_id FROM crm.assignments AS l WHERE l.agent_id = $id"),
    Shape("seeded 2-hop", "agent",
          "MATCH (a:Agent {id: $id})-[:ASSIGNED_TO]->(t:Task)-[:DEPENDS_ON]->(p:Task) "
          "RETURN t.id, p.id",
          "SELECT l.task_id, d.prerequisite_id FROM assignments AS l JOIN dependencies AS d "
          "ON d.task_id = l.task_id WHERE l.agent_id = ?",
          "SELECT t.id, p.id AS p FROM MATCH graph (a:Agent {id: $id})-[:ASSIGNED_TO]->(t:Task)"
          "-[:DEPENDS_ON]->(p:Task)",
          "SELECT l.task_id, d.prerequisite_id FROM crm.assignments AS l JOIN "
          "crm.dependencies AS d ON d.task_id = l.task_id WHERE l.agent_id = $id"),
    Shape("whole-graph 1-hop count", None,
          "MATCH (a:Agent)-[:ASSIGNED_TO]->(t:Task) RETURN t.status, count(*)",
          "SELECT t.status, count(*) FROM assignments AS l JOIN tasks AS t ON t.id = l.task_id "
          "GROUP BY t.status",
          "SELECT t.status, count(*) AS n FROM MATCH graph (a:Agent)-[:ASSIGNED_TO]->(t:Task) "
          "GROUP BY t.status",
          "SELECT t.status, count(*) AS n FROM crm.assignments AS l JOIN crm.tasks AS t "
          "ON t.id = l.task_id GROUP BY t.status"),
    Shape("var-length 1..3 from a seed", "task",
          "MATCH (a:Task {id: $id})-[:DEPENDS_ON*1..3]->(b:Task) RETURN b.id",
          "WITH RECURSIVE walk(id, depth) AS (SELECT prerequisite_id, 1 FROM dependencies "
          "WHERE task_id = ? UNION ALL SELECT d.prerequisite_id, w.depth + 1 FROM walk AS w "
          "JOIN dependencies AS d ON d.task_id = w.id WHERE w.depth < 3) SELECT id FROM walk",
          "SELECT b.id FROM MATCH graph (a:Task {id: $id})-[:DEPENDS_ON*1..3]->(b:Task)",
          None),
    Shape("whole-graph 2-hop count", None,
          "MATCH (a:Agent)-[:ASSIGNED_TO]->(t:Task)-[:DEPENDS_ON]->(p:Task) RETURN count(*)",
          "SELECT count(*) FROM assignments AS l JOIN dependencies AS d "
          "ON d.task_id = l.task_id",
          "SELECT count(*) AS n FROM MATCH graph (a:Agent)-[:ASSIGNED_TO]->(t:Task)"
          "-[:DEPENDS_ON]->(p:Task)",
          "SELECT count(*) AS n FROM crm.assignments AS l JOIN crm.dependencies AS d "
          "ON d.task_id = l.task_id"),
)


class Natives:
    def __init__(self, data: DomainData) -> None:
        from federation.sources.kuzu import driver

        kuzu = driver()
        self.db = kuzu.Database(str(data.kuzu), read_only=True, max_num_threads=THREADS)
        self.graph = kuzu.Connection(self.db, num_threads=THREADS)
        self.sqlite = apsw.Connection(str(data.sqlite), flags=apsw.SQLITE_OPEN_READONLY)
        self.prepared: dict[str, Any] = {}  # as apsw caches its statements

    def cypher(self, text: str, seed: int | None) -> list[tuple[Any, ...]]:
        """Prepared once, Arrow in one chunk: the fastest of kuzu's ways measured (1.6 ms
        against 3.7 ms for ``execute(text).get_as_arrow()`` on a seeded 1-hop)."""
        if text not in self.prepared:
            with warnings.catch_warnings():  # prepare() is deprecated, still the fastest
                warnings.simplefilter("ignore", DeprecationWarning)
                self.prepared[text] = self.graph.prepare(text)
        result = self.graph.execute(self.prepared[text], {"id": seed} if seed is not None else {})
        table = result.get_as_arrow(1 << 20)
        return sorted(zip(*(c.to_pylist() for c in table.columns), strict=True))

    def sql(self, text: str, seed: int | None) -> list[tuple[Any, ...]]:
        return sorted(self.sqlite.execute(text, (seed,) if seed is not None else ()).fetchall())

    def close(self) -> None:
        self.sqlite.close()
        self.graph.close()
        self.db.close()


def _engine(data: DomainData, **options: Any) -> tuple[fed.Engine, list[str]]:
    eng = connect(**options)
    eng.attach("crm", fed.SQLite(data.sqlite))
    eng.attach("graph", fed.Kuzu(data.kuzu, read_only=True, threads=THREADS))
    return eng, declare_mirrors(eng)


def _fql(eng: fed.Engine, text: str) -> Callable[[int | None], object]:
    return lambda seed: eng.query(text, {"id": seed} if seed is not None else {}).arrow()


def measure(data: DomainData, runs: int) -> dict[str, Any]:
    natives = Natives(data)
    eng, problems = _engine(data)
    engines = {"engine": eng}
    if route_api() and not problems:  # the mirror routes exist: time them too
        engines |= {p: _engine(data, route=p)[0] for p in ("primary-only", "mirror-only")}
    try:
        shapes = {s.name: _shape(s, natives, engines, data, runs) for s in SHAPES}
    finally:
        natives.close()
        for eng in engines.values():
            eng.close()
    columns = sorted({c for s in shapes.values() for c in s["median_ms"]}, key=_column_order)
    return {"scale": data.scale, "runs": runs, "columns": columns, "shapes": shapes,
            "mirror_problems": problems}


COLUMN_ORDER = ("kuzu native", "sqlite native", "engine primary", "engine mirror",
                "engine link SQL", "engine auto")


def _column_order(name: str) -> int:
    return COLUMN_ORDER.index(name) if name in COLUMN_ORDER else len(COLUMN_ORDER)


def _shape(s: Shape, natives: Natives, engines: dict[str, fed.Engine], data: DomainData,
           runs: int) -> dict[str, Any]:
    primary = engines.get("primary-only", engines["engine"])
    steps: dict[str, Callable[[int | None], object]] = {
        "kuzu native": lambda seed: natives.cypher(s.cypher, seed),
        "sqlite native": lambda seed: natives.sql(s.sql, seed),
        "engine primary": _fql(primary, s.fql_match)}
    rng = random.Random(s.name)
    seeds = [_seed(s.seed, data, rng) for _ in range(runs + 1)]
    mirrored = "mirror-only" in engines and _reads_mirror(engines["mirror-only"], s, seeds[0])
    if mirrored:
        steps["engine mirror"] = _fql(engines["mirror-only"], s.fql_match)
    if s.fql_link is not None:
        steps["engine link SQL"] = _fql(engines["engine"], s.fql_link)
    steps["engine auto"] = _fql(engines["engine"], s.fql_match)
    kuzu_rows, sqlite_rows = natives.cypher(s.cypher, seeds[0]), natives.sql(s.sql, seeds[0])
    times: dict[str, list[float]] = {name: [] for name in steps}
    errors: dict[str, str] = {}
    names = list(steps)
    for i, seed in enumerate(seeds):  # the first round warms up and is not kept
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            if name in errors:
                continue
            start = time.perf_counter()
            try:
                steps[name](seed)
            except fed.FederationError as err:
                errors[name] = f"{type(err).__name__}: {err}"
                continue
            if i:
                times[name].append(time.perf_counter() - start)
    med = {n: statistics.median(ts) * 1e3 for n, ts in times.items() if ts}
    native = med["kuzu native"] / med["sqlite native"]
    eng_pair = ("engine primary", "engine mirror" if "engine mirror" in med
                else "engine link SQL")
    engine = (med[eng_pair[0]] / med[eng_pair[1]] if all(p in med for p in eng_pair)
              else float("nan"))
    return {"rows": len(kuzu_rows), "same_rows_native": kuzu_rows == sqlite_rows,
            "median_ms": med, "ratio_native": native, "ratio_engine": engine,
            "engine_pair": list(eng_pair), "errors": errors, "mirror_route": mirrored,
            "kuzu_faster_by": (f"{(1 - native) * 100:.0f}%" if native < 1
                               else f"no: {native:.1f}x slower")}


def _reads_mirror(eng: fed.Engine, s: Shape, seed: int | None) -> bool:
    """Whether the planner offers a route reading the link table for this shape."""
    params = {"id": seed} if seed is not None else {}
    decision = getattr(eng.explain(s.fql_match, params), "route", None)
    return decision is not None and any("read:mirror" in c.features and not c.excluded
                                        for c in decision.considered)


def _seed(kind: str | None, data: DomainData, rng: random.Random) -> int | None:
    if kind == "agent":
        return rng.randint(1, data.counts["agents"])
    if kind == "task":
        return rng.randint(data.counts["tasks"] // 2, data.counts["tasks"])
    return None
