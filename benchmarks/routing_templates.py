"""The routing benchmark's workload templates: one query text each, whose parameter values
move the best alternative (a selective vs a broad key set, a seeded vs a whole-graph
relationship query, a small vs a large candidate set for a vector search, a narrow vs a wide
range joined inside one SQLite file).

Executions alternate between the template's two settings, with fresh values each time (a new
seed agent, another day), so no two consecutive executions ask the same thing. Source names,
all attached to one engine per size:

| name | engine | holds |
|---|---|---|
| ``crm`` | SQLite | agents, tasks, the link tables assignments and dependencies |
| ``graph`` | Kuzu | Agent, Task, ASSIGNED_TO, DEPENDS_ON (mirrored by crm's link tables) |
| ``docs`` | LanceDB | knowledge (32-d vectors) |
| ``tpch_crm``, ``tpch_lake``, ``tpch_graph`` | SQLite, LanceDB, Kuzu | TPC-H, three engines |
| ``tpch_one`` | SQLite | lineitem, part, orders, customer in one file |
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

Params = dict[str, object]


@dataclass(frozen=True)
class Context:
    """What parameter values depend on: the data's sizes and the question vector."""

    agents: int
    tasks: int
    question: list[float]
    orders: int


@dataclass(frozen=True)
class Template:
    name: str
    choice: str  # the decision it exercises: keys, vector, mirror or join
    text: str
    settings: Callable[[Context, random.Random, str], Params]
    # pre-router stand-ins (engine configurations, benchmarks.routing_harness.LEGACY)
    legacy: tuple[str, ...] = field(default=())

    def params(self, ctx: Context, execution: int) -> tuple[str, Params]:
        """Execution ``execution``'s setting label and values (deterministic)."""
        label = SETTINGS[execution % 2]
        rng = random.Random(f"{self.name}/{execution}")
        return label, self.settings(ctx, rng, label)


SETTINGS = ("narrow", "broad")
D = dt.date
SMALL_TEAMS = ["docs", "qa", "api", "sre", "analytics", "devops"]
MODES = ["AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"]


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _agents(ctx: Context, rng: random.Random, label: str) -> Params:
    """One seed agent, or the first 60% of agents (a whole-graph traversal)."""
    if label == "narrow":
        seed = rng.randint(1, ctx.agents)
        return {"lo": seed, "hi": seed}
    return {"lo": 1, "hi": max(1, ctx.agents * 6 // 10)}


def _tasks(ctx: Context, rng: random.Random, label: str) -> Params:
    """One seed task, or the last 5% of tasks (their paths reach far back: at scale 1 all
    100 000 seeds take 4-8 s, too long to repeat 60 times)."""
    if label == "narrow":
        seed = rng.randint(max(1, ctx.tasks // 2), ctx.tasks)  # late tasks have dependencies
        return {"lo": seed, "hi": seed}
    return {"lo": ctx.tasks - ctx.tasks // 20, "hi": ctx.tasks}


def _team(ctx: Context, rng: random.Random, label: str) -> Params:
    if label == "narrow":
        return {"team": rng.choice(SMALL_TEAMS), "level": 6}
    return {"team": rng.choice(["core", "infra"]), "level": 1}


def _agents_vector(ctx: Context, rng: random.Random, label: str) -> Params:
    return {**_agents(ctx, rng, label), "q": ctx.question}


def _due(ctx: Context, rng: random.Random, label: str) -> Params:
    if label == "narrow":
        day = _day(rng, D(2024, 1, 1), D(2026, 12, 31))
        return {"d0": day, "d1": day, "p": 5, "q": ctx.question}
    return {"d0": D(2024, 1, 1), "d1": D(2026, 12, 31), "p": 1, "q": ctx.question}


def _order_dates(ctx: Context, rng: random.Random, label: str) -> Params:
    if label == "narrow":
        day = _day(rng, D(1992, 1, 1), D(1998, 8, 2))
        return {"d0": day, "d1": day}
    return {"d0": D(1992, 1, 1), "d1": D(1998, 12, 31)}


def _receipts(ctx: Context, rng: random.Random, label: str) -> Params:
    if label == "narrow":  # a week of one ship mode
        day = _day(rng, D(1992, 1, 1), D(1998, 8, 2))
        return {"d0": day, "d1": day + dt.timedelta(days=6), "mode": rng.choice(MODES)}
    return {"d0": D(1992, 1, 1), "d1": D(1998, 12, 31), "mode": rng.choice(MODES)}


def _part_sizes(ctx: Context, rng: random.Random, label: str) -> Params:
    """The offers of almost no stock (a few part keys from Kuzu) for every size, or every
    offer for one size. Kuzu receives no keys (no ``in_keys`` in its Cypher writer), so only
    partsupp's keys can go into LanceDB, and only while partsupp is filtered."""
    if label == "narrow":
        return {"s0": 1, "s1": 50, "qty": rng.randint(1, 20)}
    size = rng.randint(1, 50)
    return {"s0": size, "s1": size, "qty": 9999}


def _orderkeys(ctx: Context, rng: random.Random, label: str) -> Params:
    """About 0.5% of the orders, or all of them (TPC-H order keys are sparse: 4 x orders)."""
    top = ctx.orders * 4
    if label == "narrow":
        lo = rng.randint(1, top)
        return {"lo": lo, "hi": lo + max(8, top // 200)}
    return {"lo": 1, "hi": top}


KEYS = ("keys:pass", "keys:none")
JOINS = ("join:source", "join:duckdb")

TEMPLATES: tuple[Template, ...] = (
    Template("team_tasks", "keys", """
SELECT t.status, count(*) AS n
FROM crm.agents AS a
JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task) ON x.id = a.id
WHERE a.team = $team AND a.level >= $level
GROUP BY t.status ORDER BY t.status""", _team, KEYS),
    Template("agent_notes", "vector", """
SELECT t.id AS task, k.id AS note, distance(k.vector, $q) AS d
FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task)
JOIN docs.knowledge AS k ON k.task_id = t.id
WHERE x.id BETWEEN $lo AND $hi
ORDER BY d, note LIMIT 10""", _agents_vector, KEYS),
    Template("due_notes", "vector", """
SELECT t.id AS task, k.id AS note, distance(k.vector, $q) AS d
FROM crm.tasks AS t
JOIN docs.knowledge AS k ON k.task_id = t.id
WHERE t.due BETWEEN $d0 AND $d1 AND t.priority >= $p
ORDER BY d, note LIMIT 10""", _due, KEYS),
    # ungrouped aggregates: a GROUP BY pushed into Kuzu has no SQLite mirror variant
    # (SQLite groups nothing: group_families is empty), so a grouped pattern has no choice
    Template("assigned_1hop", "mirror", """
SELECT count(*) AS n, max(t.priority) AS top, min(t.id) AS first_task
FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task)
WHERE x.id BETWEEN $lo AND $hi""", _agents),
    Template("assigned_2hop", "mirror", """
SELECT count(*) AS n, max(p.priority) AS top, min(p.id) AS first_task
FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task)-[:DEPENDS_ON]->(p:Task)
WHERE x.id BETWEEN $lo AND $hi""", _agents),
    Template("depends_1to3", "mirror", """
SELECT count(*) AS paths, count(DISTINCT b.id) AS tasks
FROM MATCH graph (a:Task)-[:DEPENDS_ON*1..3]->(b:Task)
WHERE a.id BETWEEN $lo AND $hi""", _tasks),
    Template("orders_lineitem", "keys", """
SELECT o.o_orderpriority, count(*) AS lines,
       sum(l.l_extendedprice * (1 - l.l_discount)) AS revenue
FROM tpch_crm.orders AS o
JOIN tpch_lake.lineitem AS l ON l.l_orderkey = o.o_orderkey
WHERE o.o_orderdate BETWEEN $d0 AND $d1
GROUP BY o.o_orderpriority ORDER BY o.o_orderpriority""", _order_dates, KEYS),
    Template("lineitem_orders", "keys", """
SELECT o.o_orderpriority, count(*) AS lines
FROM tpch_lake.lineitem AS l
JOIN tpch_crm.orders AS o ON o.o_orderkey = l.l_orderkey
WHERE l.l_shipmode = $mode AND l.l_receiptdate BETWEEN $d0 AND $d1
GROUP BY o.o_orderpriority ORDER BY o.o_orderpriority""", _receipts, KEYS),
    Template("part_offers", "keys", """
SELECT p.p_brand, count(*) AS offers, min(ps.ps_supplycost) AS cheapest
FROM tpch_lake.part AS p
JOIN tpch_graph.partsupp AS ps ON ps.ps_partkey = p.p_partkey
WHERE p.p_size BETWEEN $s0 AND $s1 AND ps.ps_availqty <= $qty
GROUP BY p.p_brand ORDER BY p.p_brand""", _part_sizes, KEYS),
    Template("q19_one_sqlite", "join", """
SELECT sum(l.l_extendedprice * (1 - l.l_discount)) AS revenue
FROM tpch_one.lineitem AS l, tpch_one.part AS p
WHERE l.l_orderkey BETWEEN $lo AND $hi AND (
      (p.p_partkey = l.l_partkey AND p.p_brand = 'Brand#12'
       AND p.p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
       AND l.l_quantity >= 1 AND l.l_quantity <= 11 AND p.p_size BETWEEN 1 AND 5
       AND l.l_shipmode IN ('AIR', 'AIR REG') AND l.l_shipinstruct = 'DELIVER IN PERSON')
   OR (p.p_partkey = l.l_partkey AND p.p_brand = 'Brand#23'
       AND p.p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
       AND l.l_quantity >= 10 AND l.l_quantity <= 20 AND p.p_size BETWEEN 1 AND 10
       AND l.l_shipmode IN ('AIR', 'AIR REG') AND l.l_shipinstruct = 'DELIVER IN PERSON')
   OR (p.p_partkey = l.l_partkey AND p.p_brand = 'Brand#34'
       AND p.p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
       AND l.l_quantity >= 20 AND l.l_quantity <= 30 AND p.p_size BETWEEN 1 AND 15
       AND l.l_shipmode IN ('AIR', 'AIR REG') AND l.l_shipinstruct = 'DELIVER IN PERSON'))""",
             _orderkeys, JOINS),
    Template("orders_lineitem_one_sqlite", "join", """
SELECT o.o_orderpriority, count(*) AS lines, sum(l.l_quantity) AS quantity
FROM tpch_one.orders AS o
JOIN tpch_one.lineitem AS l ON l.l_orderkey = o.o_orderkey
WHERE o.o_orderdate BETWEEN $d0 AND $d1
GROUP BY o.o_orderpriority ORDER BY o.o_orderpriority""", _order_dates, JOINS),
)


def by_name(names: list[str] | None) -> tuple[Template, ...]:
    if not names:
        return TEMPLATES
    known = {t.name: t for t in TEMPLATES}
    missing = [n for n in names if n not in known]
    if missing:
        raise SystemExit(f"unknown templates {missing}; known: {sorted(known)}")
    return tuple(known[n] for n in names)
