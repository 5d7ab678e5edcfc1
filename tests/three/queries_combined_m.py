"""Issue 10's two halves together across engines: CTEs over set operations whose branches are
MATCH (Kuzu), NEAREST (LanceDB) and SQLite, a set operation over graph and vector legs inside
IN, windows inside subqueries over a graph pattern, EXISTS over a FULL join with a MATCH side,
a recursive CTE stepping through a graph pattern read once."""

from __future__ import annotations

from .record import Q3, Q_NEAR, assigned, nearest, q3

Q = {"q": Q_NEAR}
MA = "MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
MA_SQL = f"({assigned()})"

QUERIES: list[Q3] = [
    q3("m3_cte_over_union_graph_vector", "WITH hit AS (SELECT t.id FROM MATCH graph (t:Task) "
       "WHERE t.priority = 5 UNION SELECT k.task_id FROM NEAREST docs.knowledge TO $q K 20 AS k) "
       "SELECT ct.id, ct.status FROM crm.tasks ct WHERE ct.id IN (SELECT id FROM hit)",
       "WITH hit AS (SELECT t.id FROM graph.Task t WHERE t.priority = 5 UNION SELECT k.task_id "
       f"FROM {nearest(20)}) SELECT ct.id, ct.status FROM crm.tasks ct "
       "WHERE ct.id IN (SELECT id FROM hit)", Q),
    q3("m3_in_intersect_graph_sqlite", "SELECT a.id, a.name FROM crm.agents a WHERE a.id IN "
       f"(SELECT x.id FROM {MA} WHERE t.status = 'blocked' INTERSECT SELECT b.id "
       "FROM crm.agents b WHERE b.level >= 3)",
       "SELECT a.id, a.name FROM crm.agents a WHERE a.id IN (SELECT x.id FROM "
       f"{MA_SQL} WHERE t.status = 'blocked' INTERSECT SELECT b.id FROM crm.agents b "
       "WHERE b.level >= 3)"),
    q3("m3_window_in_subquery_over_match", "SELECT a.id, a.team FROM crm.agents a WHERE a.id IN "
       f"(SELECT w.aid FROM (SELECT x.id AS aid, row_number() OVER (PARTITION BY x.team "
       f"ORDER BY r.weight DESC, t.id) AS rn FROM {MA}) AS w WHERE w.rn = 1)",
       "SELECT a.id, a.team FROM crm.agents a WHERE a.id IN (SELECT w.aid FROM (SELECT x.id "
       "AS aid, row_number() OVER (PARTITION BY x.team ORDER BY r.weight DESC, t.id) AS rn "
       f"FROM {MA_SQL}) AS w WHERE w.rn = 1)"),
    q3("m3_exists_full_join_match", "SELECT ag.id FROM crm.agents ag WHERE ag.level <= 2 AND "
       "EXISTS (SELECT 1 FROM crm.tasks ct FULL JOIN MATCH graph (t:Task) ON t.id = ct.id "
       "AND t.status = 'done' WHERE ct.priority = ag.level + 3 AND t.id IS NULL)",
       "SELECT ag.id FROM crm.agents ag WHERE ag.level <= 2 AND EXISTS (SELECT 1 FROM "
       "crm.tasks ct FULL JOIN graph.Task t ON t.id = ct.id AND t.status = 'done' "
       "WHERE ct.priority = ag.level + 3 AND t.id IS NULL)"),
    q3("m3_qualify_scalar_over_vector", "SELECT k.task_id, k._distance FROM NEAREST "
       "docs.knowledge TO $q K 30 AS k QUALIFY row_number() OVER (ORDER BY k._distance, "
       "k.task_id) <= (SELECT count(*) FROM MATCH graph (t:Task) WHERE t.priority = 5 "
       "AND t.id < 60)",
       f"SELECT k.task_id, k._distance FROM {nearest(30)} QUALIFY row_number() OVER "
       "(ORDER BY k._distance, k.task_id) <= (SELECT count(*) FROM graph.Task t "
       "WHERE t.priority = 5 AND t.id < 60)", Q),
    q3("m3_recursive_over_match", "WITH RECURSIVE reach(id, depth) AS (SELECT a.id, 0 "
       "FROM crm.agents a WHERE a.id = 13 UNION SELECT t.id, reach.depth + 1 FROM reach "
       f"JOIN {MA} ON x.id = reach.id WHERE reach.depth < 2) SELECT id, depth FROM reach",
       "WITH RECURSIVE reach(id, depth) AS (SELECT a.id, 0 FROM crm.agents a WHERE a.id = 13 "
       f"UNION SELECT t.id, reach.depth + 1 FROM reach JOIN {MA_SQL} ON x.id = reach.id "
       "WHERE reach.depth < 2) SELECT id, depth FROM reach"),
]
