"""The ``three_engines`` benchmark's native side: each showcase query written by hand with each
engine's own client, the way a careful user would without Federation (see
``benchmarks.three_engines`` for how they are timed against the federated query).

SQL goes through a read-only apsw connection, Cypher through the kuzu module, LanceDB through
``lancedb``'s table search, and the join/finish runs in a plain in-memory DuckDB connection
over the Arrow tables. The sub-queries are independent of one another, as the engine's
fragments are; some queries also have an alternative a user who knows the data would write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import apsw
import duckdb
import lancedb
import pyarrow as pa

THREADS = 2  # the native DuckDB and Kuzu connections, and the engine, alike
now = time.perf_counter_ns


class Native:
    """A user's own clients: apsw, kuzu, lancedb and a plain DuckDB connection."""

    def __init__(self, paths: Any) -> None:
        from federation.sources.kuzu import driver

        kuzu = driver()
        self.sqlite = apsw.Connection(str(paths.sqlite), flags=apsw.SQLITE_OPEN_READONLY)
        self.kuzu_db = kuzu.Database(str(paths.kuzu), read_only=True,
                                     buffer_pool_size=256 * 1024**2, max_num_threads=THREADS)
        self.kuzu = kuzu.Connection(self.kuzu_db, num_threads=THREADS)
        self.lance = lancedb.connect(str(paths.lancedb))
        self.knowledge = self.lance.open_table("knowledge")
        self.duck = duckdb.connect(":memory:", config={"threads": THREADS})

    def sql(self, query: str, values: Sequence[object],
            columns: Sequence[tuple[str, pa.DataType]]) -> pa.Table:
        """apsw ``fetchall`` → Arrow column-wise (dates are ISO text in SQLite)."""
        rows = self.sqlite.execute(query, tuple(values)).fetchall()
        data = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
        arrays = []
        for values_, (_, typ) in zip(data, columns, strict=True):
            if pa.types.is_date(typ):
                arrays.append(pa.array(values_, pa.string()).cast(typ))
            else:
                arrays.append(pa.array(values_, typ))
        return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])

    def cypher(self, query: str, params: dict[str, object] | None = None) -> pa.Table:
        result = self.kuzu.execute(query, params or {})
        try:
            table: pa.Table = result.get_as_arrow()
        finally:
            result.close()
        return table

    def finish(self, sql: str, tables: dict[str, pa.Table],
               params: Sequence[object] = ()) -> pa.Table:
        """The join/finish in plain DuckDB over the Arrow tables."""
        for name, table in tables.items():
            self.duck.register(name, table)
        try:
            return self.duck.sql(sql, params=list(params) or None).to_arrow_table()
        finally:
            for name in tables:
                self.duck.unregister(name)

    def close(self) -> None:
        self.duck.close()
        self.kuzu.close()
        self.kuzu_db.close()
        self.sqlite.close()


# ---- the showcase queries by hand


@dataclass(frozen=True)
class Sub:
    """One native sub-query: the DuckDB input name, its engine, and the fetch."""

    name: str
    source: str
    fetch: Callable[[], pa.Table]


@dataclass(frozen=True)
class Alternative:
    label: str
    run: Callable[[], pa.Table]


@dataclass(frozen=True)
class ByHand:
    subs: tuple[Sub, ...]
    sql: str
    params: tuple[object, ...] = ()
    alternatives: tuple[Alternative, ...] = field(default=())


DATE = pa.date32()
INT, FLOAT, TEXT = pa.int64(), pa.float64(), pa.string()


def by_hand(n: Native, q: list[float], params: list[dict[str, object]]) -> list[ByHand]:
    """The five showcase queries (``federation.demo.SHOWCASE`` order), written by hand."""
    task = params[1]["task"]
    team = params[3]["team"]
    agent = params[4]["agent"]
    dim = len(q)
    kb = n.knowledge

    # 1. SQLite: urgent work by status
    def urgent() -> pa.Table:
        return n.sql("SELECT status, due, estimate FROM tasks WHERE priority >= ? AND due >= ?",
                     (4, "2025-01-01"), [("status", TEXT), ("due", DATE), ("estimate", FLOAT)])

    def urgent_in_sqlite() -> pa.Table:
        return n.sql("SELECT status, count(*) AS tasks, round(avg(estimate), 2), min(due) "
                     "FROM tasks WHERE priority >= ? AND due >= ? GROUP BY status "
                     "ORDER BY tasks DESC", (4, "2025-01-01"),
                     [("status", TEXT), ("tasks", INT), ("avg_estimate", FLOAT),
                      ("first_due", DATE)])

    q1 = ByHand((Sub("urgent", "sqlite", urgent),),
                "SELECT status, count(*) AS tasks, round(avg(estimate), 2) AS avg_estimate, "
                "min(due) AS first_due FROM urgent GROUP BY status ORDER BY tasks DESC",
                alternatives=(Alternative("all in SQLite (GROUP BY there)", urgent_in_sqlite),))

    # 2. Kuzu: what a task depends on, up to three hops
    deps_match = "MATCH (a:Task {id: $task})-[:DEPENDS_ON*1..3]->(b:Task) "

    def deps() -> pa.Table:
        return n.cypher(deps_match + "RETURN b.id AS id, b.title AS title, b.status AS status",
                        {"task": task})

    def deps_in_kuzu() -> pa.Table:
        return n.cypher(deps_match + "RETURN b.id AS id, b.title AS title, b.status AS status "
                        "ORDER BY b.id LIMIT 8", {"task": task})

    q2 = ByHand((Sub("deps", "kuzu", deps),),
                "SELECT id, title, status FROM deps ORDER BY id LIMIT 8",
                alternatives=(Alternative("all in Kuzu (ORDER BY/LIMIT there)", deps_in_kuzu),))

    # 3. LanceDB: nearest knowledge, chat excluded
    def nearest() -> pa.Table:
        return (kb.search(q).where("kind <> 'chat'", prefilter=True)
                .select(["id", "kind", "text", "_distance"]).limit(5).to_arrow())

    q3 = ByHand((Sub("nearest", "lancedb", nearest),),
                "SELECT id, kind, text, _distance FROM nearest ORDER BY _distance",
                alternatives=(Alternative("LanceDB only (its order)", nearest),))

    # 4. all three: a team's agents (SQLite), their pending tasks (Kuzu), 1000 nearest notes
    def team_agents() -> pa.Table:
        return n.sql("SELECT id, name FROM agents WHERE team = ?", (team,),
                     [("id", INT), ("name", TEXT)])

    pending_match = "MATCH (x:Agent)-[:ASSIGNED_TO]->(t:Task) WHERE t.status = 'pending' "
    pending_return = "RETURN x.id AS agent_id, t.id AS task_id, t.title AS title"

    def pending() -> pa.Table:
        return n.cypher(pending_match + pending_return)

    def notes() -> pa.Table:
        return kb.search(q).select(["task_id", "text", "_distance"]).limit(1000).to_arrow()

    q4_sql = ("SELECT a.name, p.title, k.text, k._distance FROM agents AS a "
              "JOIN pending AS p ON p.agent_id = a.id JOIN notes AS k ON k.task_id = p.task_id "
              "ORDER BY k._distance LIMIT 5")

    def team_ids_into_kuzu() -> pa.Table:
        agents = team_agents()
        ids = agents.column("id").to_pylist()
        tasks = n.cypher(pending_match + "AND x.id IN $ids " + pending_return, {"ids": ids})
        return n.finish(q4_sql, {"agents": agents, "pending": tasks, "notes": notes()})

    q4 = ByHand((Sub("agents", "sqlite", team_agents), Sub("pending", "kuzu", pending),
                 Sub("notes", "lancedb", notes)), q4_sql,
                alternatives=(Alternative("team's agent ids passed into the Cypher",
                                          team_ids_into_kuzu),))

    # 5. graph-constrained vector search: one agent's tasks, their notes by distance
    def agent_tasks() -> pa.Table:
        return n.cypher("MATCH (x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task) "
                        "RETURN t.id AS id, t.title AS title", {"agent": agent})

    def all_notes() -> pa.Table:
        return kb.search().select(["task_id", "text", "vector"]).to_arrow()

    def task_ids_into_lancedb() -> pa.Table:
        tasks = agent_tasks()
        ids = tasks.column("id").to_pylist()
        if not ids:
            return pa.table({"title": pa.array([], TEXT), "text": pa.array([], TEXT),
                             "d": pa.array([], FLOAT)})
        near = (kb.search(q).where(f"task_id IN ({', '.join(str(int(i)) for i in ids)})",
                                   prefilter=True)
                .select(["task_id", "text", "_distance"]).limit(10).to_arrow())
        return n.finish("SELECT t.title, k.text, k._distance AS d FROM tasks AS t "
                        "JOIN near AS k ON k.task_id = t.id ORDER BY d LIMIT 10",
                        {"tasks": tasks, "near": near})

    q5 = ByHand((Sub("tasks", "kuzu", agent_tasks), Sub("notes", "lancedb", all_notes)),
                f"SELECT t.title, k.text, array_distance(k.vector, $1::FLOAT[{dim}]) ** 2 AS d "
                "FROM tasks AS t JOIN notes AS k ON k.task_id = t.id ORDER BY d LIMIT 10",
                (q,),
                alternatives=(Alternative("agent's task ids into LanceDB (prefilter IN, k=10)",
                                          task_ids_into_lancedb),))
    return [q1, q2, q3, q4, q5]


def run_by_hand(n: Native, h: ByHand) -> tuple[pa.Table, dict[str, pa.Table], list[int], int]:
    """Sub-queries one after another, then the finish: result, inputs, ns per sub, ns join."""
    tables: dict[str, pa.Table] = {}
    times = []
    for sub in h.subs:
        t0 = now()
        tables[sub.name] = sub.fetch()
        times.append(now() - t0)
    t0 = now()
    result = n.finish(h.sql, tables, h.params)
    return result, tables, times, now() - t0
