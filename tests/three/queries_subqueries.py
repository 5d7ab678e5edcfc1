"""Subqueries and CTEs over the three engines (issue 10): MATCH, NEAREST and LanceDB tables
inside IN/EXISTS/scalar/ALL subqueries and CTEs, correlated to SQLite or Kuzu outer rows and the
reverse; a CTE over a graph pattern or a vector search referenced twice."""

from __future__ import annotations

import datetime as dt

from .record import Q3, Q_NEAR, assigned, nearest, q3, walks

Q = {"q": Q_NEAR}
MA = "MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
MA_SQL = assigned()

QUERIES: list[Q3] = [
    q3("sub_in_match", "SELECT a.id, a.name FROM crm.agents a WHERE a.id IN "
       f"(SELECT x.id FROM {MA} WHERE t.status = 'blocked' AND t.priority = 5)",
       "SELECT a.id, a.name FROM crm.agents a WHERE a.id IN "
       f"(SELECT x.id FROM {MA_SQL} WHERE t.status = 'blocked' AND t.priority = 5)"),
    q3("sub_not_in_match", "SELECT ct.id FROM crm.tasks ct WHERE ct.priority = 1 AND ct.id "
       f"NOT IN (SELECT t.id FROM {MA} WHERE x.team = 'core')",
       "SELECT ct.id FROM crm.tasks ct WHERE ct.priority = 1 AND ct.id "
       f"NOT IN (SELECT t.id FROM {MA_SQL} WHERE x.team = 'core')"),
    q3("sub_not_in_match_nulls", "SELECT a.id FROM crm.agents a WHERE a.team NOT IN "
       "(SELECT x.team FROM MATCH graph (x:Agent) WHERE x.level = 1 OR x.team IS NULL)",
       "SELECT a.id FROM crm.agents a WHERE a.team NOT IN "
       "(SELECT x.team FROM graph.Agent x WHERE x.level = 1 OR x.team IS NULL)"),
    q3("sub_not_in_match_nulls_select_list", "SELECT a.id, a.team NOT IN (SELECT x.team "
       "FROM MATCH graph (x:Agent) WHERE x.level = 1 OR x.team IS NULL) AS other "
       "FROM crm.agents a WHERE a.level = 2",
       "SELECT a.id, a.team NOT IN (SELECT x.team FROM graph.Agent x WHERE x.level = 1 "
       "OR x.team IS NULL) AS other FROM crm.agents a WHERE a.level = 2"),
    q3("sub_not_in_match_nulls_removed", "SELECT a.id, a.team FROM crm.agents a WHERE a.team "
       "NOT IN (SELECT x.team FROM MATCH graph (x:Agent) WHERE x.level = 1 AND x.team IS NOT "
       "NULL)",
       "SELECT a.id, a.team FROM crm.agents a WHERE a.team NOT IN (SELECT x.team FROM "
       "graph.Agent x WHERE x.level = 1 AND x.team IS NOT NULL)"),
    q3("sub_exists_match_correlated", "SELECT a.id FROM crm.agents a WHERE EXISTS "
       f"(SELECT 1 FROM {MA} WHERE x.id = a.id AND r.weight > 0.9)",
       f"SELECT a.id FROM crm.agents a WHERE EXISTS (SELECT 1 FROM {MA_SQL} "
       "WHERE x.id = a.id AND r.weight > 0.9)"),
    q3("sub_not_exists_match_correlated", "SELECT a.id FROM crm.agents a WHERE NOT EXISTS "
       f"(SELECT 1 FROM {MA} WHERE x.id = a.id AND t.status = 'blocked' AND t.priority = 5)",
       f"SELECT a.id FROM crm.agents a WHERE NOT EXISTS (SELECT 1 FROM {MA_SQL} "
       "WHERE x.id = a.id AND t.status = 'blocked' AND t.priority = 5)"),
    q3("sub_exists_match_date_correlated", "SELECT a.id FROM crm.agents a WHERE EXISTS "
       f"(SELECT 1 FROM {MA} WHERE x.id = a.id AND r.since < a.hired)",
       f"SELECT a.id FROM crm.agents a WHERE EXISTS (SELECT 1 FROM {MA_SQL} "
       "WHERE x.id = a.id AND r.since < a.hired)"),
    q3("sub_scalar_match_count", "SELECT a.id, (SELECT count(*) FROM "
       f"{MA} WHERE x.id = a.id) AS n FROM crm.agents a WHERE a.level = 3",
       f"SELECT a.id, (SELECT count(*) FROM {MA_SQL} WHERE x.id = a.id) AS n "
       "FROM crm.agents a WHERE a.level = 3"),
    q3("sub_in_lance", "SELECT ct.id, ct.title FROM crm.tasks ct WHERE ct.id IN "
       "(SELECT k.task_id FROM docs.knowledge k WHERE k.kind = 'spec') AND ct.priority = 5",
       "SELECT ct.id, ct.title FROM crm.tasks ct WHERE ct.id IN "
       "(SELECT k.task_id FROM docs.knowledge k WHERE k.kind = 'spec') AND ct.priority = 5"),
    q3("sub_scalar_lance_correlated", "SELECT a.id, (SELECT count(*) FROM docs.knowledge k "
       "WHERE k.agent_id = a.id AND k.kind = 'note') AS notes FROM crm.agents a",
       "SELECT a.id, (SELECT count(*) FROM docs.knowledge k "
       "WHERE k.agent_id = a.id AND k.kind = 'note') AS notes FROM crm.agents a"),
    q3("sub_in_nearest", "SELECT ct.id, ct.status FROM crm.tasks ct WHERE ct.id IN "
       "(SELECT k.task_id FROM NEAREST docs.knowledge TO $q K 20 AS k)",
       f"SELECT ct.id, ct.status FROM crm.tasks ct WHERE ct.id IN "
       f"(SELECT k.task_id FROM {nearest(20)})", Q),
    q3("sub_scalar_nearest_min", "SELECT a.id, (SELECT min(k._distance) FROM NEAREST "
       "docs.knowledge TO $q K 10 AS k WHERE k.agent_id = a.id) AS d FROM crm.agents a "
       "WHERE a.team = 'data'",
       f"SELECT a.id, (SELECT min(k._distance) FROM {nearest(10, where='agent_id = a.id')}) "
       "AS d FROM crm.agents a WHERE a.team = 'data'", Q),
    q3("sub_exists_nearest_correlated", "SELECT a.id FROM crm.agents a WHERE a.level = 2 "
       "AND EXISTS (SELECT 1 FROM NEAREST docs.knowledge TO $q K 5 AS k WHERE k.agent_id = a.id "
       "AND k.kind <> 'log')",
       "SELECT a.id FROM crm.agents a WHERE a.level = 2 AND EXISTS (SELECT 1 FROM "
       f"{nearest(5, where='agent_id = a.id AND kind <> ' + chr(39) + 'log' + chr(39))})", Q),
    q3("sub_cte_match_twice", f"WITH m AS (SELECT x.id AS agent, t.id AS task FROM {MA}) "
       "SELECT m1.task, m1.agent, m2.agent AS other FROM m m1 JOIN m m2 ON m1.task = m2.task "
       "AND m1.agent < m2.agent",
       f"WITH m AS (SELECT x.id AS agent, t.id AS task FROM {MA_SQL}) "
       "SELECT m1.task, m1.agent, m2.agent AS other FROM m m1 JOIN m m2 ON m1.task = m2.task "
       "AND m1.agent < m2.agent"),
    q3("sub_cte_lance_scalar", "WITH notes AS (SELECT k.agent_id, count(*) AS n FROM "
       "docs.knowledge k WHERE k.kind = 'note' GROUP BY k.agent_id) SELECT a.name, notes.n "
       "FROM crm.agents a JOIN notes ON notes.agent_id = a.id WHERE notes.n > "
       "(SELECT avg(n2.n) FROM notes n2)",
       "WITH notes AS (SELECT k.agent_id, count(*) AS n FROM docs.knowledge k "
       "WHERE k.kind = 'note' GROUP BY k.agent_id) SELECT a.name, notes.n FROM crm.agents a "
       "JOIN notes ON notes.agent_id = a.id WHERE notes.n > (SELECT avg(n2.n) FROM notes n2)"),
    q3("sub_cte_nearest_twice", "WITH near AS (SELECT k.id, k.task_id FROM NEAREST "
       "docs.knowledge TO $q K 40 AS k) SELECT n1.id, n2.id AS other FROM near n1 JOIN near n2 "
       "ON n1.task_id = n2.task_id AND n1.id < n2.id",
       f"WITH near AS (SELECT k.id, k.task_id FROM {nearest(40)}) SELECT n1.id, n2.id AS other "
       "FROM near n1 JOIN near n2 ON n1.task_id = n2.task_id AND n1.id < n2.id", Q),
    q3("sub_all_match", "SELECT a.id, a.level FROM crm.agents a WHERE a.level >= ALL "
       "(SELECT x.level FROM MATCH graph (x:Agent) WHERE x.team = 'docs')",
       "SELECT a.id, a.level FROM crm.agents a WHERE a.level >= ALL "
       "(SELECT x.level FROM graph.Agent x WHERE x.team = 'docs')"),
    q3("sub_any_lance", "SELECT a.id FROM crm.agents a WHERE a.id = ANY "
       "(SELECT k.agent_id FROM docs.knowledge k WHERE k.kind = $kind AND k.task_id < 60)",
       "SELECT a.id FROM crm.agents a WHERE a.id = ANY "
       "(SELECT k.agent_id FROM docs.knowledge k WHERE k.kind = $kind AND k.task_id < 60)",
       {"kind": "review"}),
    q3("sub_match_outer_sqlite_inner", "SELECT t.id, t.title FROM MATCH graph (t:Task) "
       "WHERE t.id IN (SELECT ct.id FROM crm.tasks ct WHERE ct.due < DATE '2024-03-01')",
       "SELECT t.id, t.title FROM graph.Task t "
       "WHERE t.id IN (SELECT ct.id FROM crm.tasks ct WHERE ct.due < DATE '2024-03-01')"),
    q3("sub_match_outer_exists_lance", "SELECT x.id, x.name FROM MATCH graph (x:Agent) "
       "WHERE x.level = 4 AND EXISTS (SELECT 1 FROM docs.knowledge k WHERE k.agent_id = x.id "
       "AND k.kind = 'log')",
       "SELECT x.id, x.name FROM graph.Agent x WHERE x.level = 4 AND EXISTS (SELECT 1 FROM "
       "docs.knowledge k WHERE k.agent_id = x.id AND k.kind = 'log')"),
    q3("sub_in_var_length", "SELECT ct.id, ct.due FROM crm.tasks ct WHERE ct.id IN "
       "(SELECT b.id FROM MATCH graph (a:Task {id: $task})-[:DEPENDS_ON*1..2]->(b:Task))",
       "SELECT ct.id, ct.due FROM crm.tasks ct WHERE ct.id IN (SELECT b.id FROM graph.Task a "
       f"JOIN {walks('DEPENDS_ON', 1, 2)} ON p.src = a.id JOIN graph.Task b ON b.id = p.dst "
       "WHERE a.id = $task)", {"task": 766}),
    q3("sub_three_levels", "SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT x.id FROM "
       f"{MA} WHERE t.id IN (SELECT k.task_id FROM docs.knowledge k WHERE k.kind = 'spec' "
       "AND k.agent_id = a.id))",
       f"SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT x.id FROM {MA_SQL} WHERE t.id IN "
       "(SELECT k.task_id FROM docs.knowledge k WHERE k.kind = 'spec' AND k.agent_id = a.id))"),
    q3("sub_having_match", "SELECT a.team, count(*) AS n FROM crm.agents a GROUP BY a.team "
       "HAVING count(*) > (SELECT count(*) / 10 FROM MATCH graph (x:Agent))",
       "SELECT a.team, count(*) AS n FROM crm.agents a GROUP BY a.team "
       "HAVING count(*) > (SELECT count(*) / 10 FROM graph.Agent x)"),
    q3("sub_order_by_lance", "SELECT a.id FROM crm.agents a ORDER BY (SELECT count(*) FROM "
       "docs.knowledge k WHERE k.agent_id = a.id) DESC, a.id LIMIT 5",
       "SELECT a.id FROM crm.agents a ORDER BY (SELECT count(*) FROM "
       "docs.knowledge k WHERE k.agent_id = a.id) DESC, a.id LIMIT 5", ordered=True),
    q3("sub_derived_columns_match", "SELECT d.agent, d.n FROM (SELECT x.id, count(*) FROM "
       f"{MA} GROUP BY x.id) AS d(agent, n) WHERE d.n > 20",
       f"SELECT d.agent, d.n FROM (SELECT x.id, count(*) FROM {MA_SQL} GROUP BY x.id) "
       "AS d(agent, n) WHERE d.n > 20"),
    q3("sub_scalar_max_since", "SELECT a.id, a.hired, (SELECT max(r.since) FROM "
       f"{MA} WHERE x.id = a.id) AS last_since FROM crm.agents a WHERE a.hired > $d",
       f"SELECT a.id, a.hired, (SELECT max(r.since) FROM {MA_SQL} WHERE x.id = a.id) "
       "AS last_since FROM crm.agents a WHERE a.hired > $d", {"d": dt.date(2023, 6, 1)}),
    q3("sub_nearest_prefilter_in_sqlite", "SELECT k.id, k._distance FROM NEAREST "
       "docs.knowledge TO $q K 5 AS k WHERE k.task_id IN (SELECT ct.id FROM crm.tasks ct "
       "WHERE ct.priority = 5)",
       "SELECT k.id, k._distance FROM "
       f"{nearest(5, where='task_id IN (SELECT ct.id FROM crm.tasks ct WHERE ct.priority = 5)')}",
       Q),
    q3("sub_distinct_scalar_order", "SELECT DISTINCT a.team, (SELECT count(*) FROM crm.agents b "
       "WHERE b.team = a.team) AS n FROM crm.agents a ORDER BY n DESC, a.team",
       "SELECT DISTINCT a.team, (SELECT count(*) FROM crm.agents b WHERE b.team = a.team) AS n "
       "FROM crm.agents a ORDER BY n DESC, a.team", ordered=True),
    q3("sub_scalar_boolean_where", "SELECT a.id FROM crm.agents a WHERE (SELECT count(*) > 3 "
       "FROM crm.tasks t WHERE t.priority = a.level AND t.status = 'done')",
       "SELECT a.id FROM crm.agents a WHERE (SELECT count(*) > 3 FROM crm.tasks t "
       "WHERE t.priority = a.level AND t.status = 'done')"),
    q3("sub_exists_lance_in_left_join_on", "SELECT a.id, t.id AS task FROM crm.agents a "
       "LEFT JOIN crm.tasks t ON t.priority = a.level AND EXISTS (SELECT 1 FROM docs.knowledge k "
       "WHERE k.task_id = t.id AND k.agent_id = a.id)",
       "SELECT a.id, t.id AS task FROM crm.agents a LEFT JOIN crm.tasks t ON t.priority = "
       "a.level AND EXISTS (SELECT 1 FROM docs.knowledge k WHERE k.task_id = t.id "
       "AND k.agent_id = a.id)"),
    q3("sub_match_inside_lance_two_levels", "SELECT a.id FROM crm.agents a WHERE a.id IN "
       f"(SELECT x.id FROM {MA} WHERE r.weight > (SELECT avg(k.task_id) / 1000 "
       "FROM docs.knowledge k WHERE k.agent_id = a.id))",
       f"SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT x.id FROM {MA_SQL} WHERE r.weight > "
       "(SELECT avg(k.task_id) / 1000 FROM docs.knowledge k WHERE k.agent_id = a.id))"),
    q3("sub_order_by_correlated_group_key", "SELECT t.status, count(*) AS n FROM crm.tasks t "
       "GROUP BY t.status ORDER BY (SELECT count(*) FROM crm.tasks u WHERE u.status = t.status) "
       "DESC, t.status",
       "SELECT t.status, count(*) AS n FROM crm.tasks t GROUP BY t.status ORDER BY "
       "(SELECT count(*) FROM crm.tasks u WHERE u.status = t.status) DESC, t.status",
       ordered=True),
    q3("sub_match_outer_scalar_lance", "SELECT x.id FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->"
       "(t:Task) WHERE t.id = (SELECT max(k.task_id) FROM docs.knowledge k WHERE k.agent_id = "
       "x.id)",
       f"SELECT x.id FROM {MA_SQL} WHERE t.id = (SELECT max(k.task_id) FROM docs.knowledge k "
       "WHERE k.agent_id = x.id)"),
]
