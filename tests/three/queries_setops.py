"""Set operations, outer joins and window functions across engines (i10-b): branches and
join sides read by MATCH (Kuzu), NEAREST (LanceDB) and SQLite, windows over a NEAREST result
and over a graph pattern."""

from __future__ import annotations

from .record import Q3, Q_NEAR, assigned, nearest, q3

Q = {"q": Q_NEAR}
MA = "MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
MA_SQL = f"({assigned()})"

QUERIES: list[Q3] = [
    q3("mixed_union_match_sqlite", "SELECT t.id FROM MATCH graph (x:Agent {id: 13})"
       "-[:ASSIGNED_TO]->(t:Task) UNION SELECT ct.id FROM crm.tasks ct WHERE ct.priority = 5 "
       "AND ct.id < 200",
       f"SELECT t.id FROM {assigned()} WHERE x.id = 13 UNION SELECT ct.id FROM crm.tasks ct "
       "WHERE ct.priority = 5 AND ct.id < 200"),
    q3("mixed_union_all_three_sources", "SELECT a.team AS label FROM crm.agents a "
       "WHERE a.level = 1 UNION ALL SELECT x.team FROM MATCH graph (x:Agent) WHERE x.level = 7 "
       "UNION ALL SELECT k.kind FROM NEAREST docs.knowledge TO $q K 5 AS k",
       "SELECT a.team AS label FROM crm.agents a WHERE a.level = 1 UNION ALL SELECT x.team "
       f"FROM graph.Agent x WHERE x.level = 7 UNION ALL SELECT k.kind FROM {nearest(5)}", Q),
    q3("mixed_intersect_graph_sqlite", "SELECT t.id FROM MATCH graph (t:Task) "
       "WHERE t.status = 'blocked' INTERSECT SELECT ct.id FROM crm.tasks ct "
       "WHERE ct.priority >= 4",
       "SELECT t.id FROM graph.Task t WHERE t.status = 'blocked' INTERSECT "
       "SELECT ct.id FROM crm.tasks ct WHERE ct.priority >= 4"),
    q3("mixed_except_vector_graph", "SELECT k.task_id FROM NEAREST docs.knowledge TO $q K 40 "
       "AS k EXCEPT SELECT t.id FROM MATCH graph (t:Task) WHERE t.priority = 1",
       f"SELECT k.task_id FROM {nearest(40)} EXCEPT SELECT t.id FROM graph.Task t "
       "WHERE t.priority = 1", Q),
    q3("mixed_except_all_assignments", "SELECT x.id FROM MATCH graph (x:Agent)"
       "-[:ASSIGNED_TO]->(t:Task) WHERE t.priority = 5 EXCEPT ALL SELECT a.id "
       "FROM crm.agents a WHERE a.level > 3",
       f"SELECT x.id FROM {assigned()} WHERE t.priority = 5 EXCEPT ALL SELECT a.id "
       "FROM crm.agents a WHERE a.level > 3"),
    q3("mixed_union_order_limit", "SELECT t.id AS task FROM MATCH graph (t:Task) "
       "WHERE t.priority = 2 UNION SELECT k.task_id FROM NEAREST docs.knowledge TO $q K 10 AS k "
       "ORDER BY task DESC LIMIT 6",
       "SELECT t.id AS task FROM graph.Task t WHERE t.priority = 2 UNION SELECT k.task_id "
       f"FROM {nearest(10)} ORDER BY task DESC LIMIT 6", Q, ordered=True),
    q3("mixed_union_in_derived_grouped", "SELECT u.team, count(*) AS n FROM (SELECT a.team "
       "FROM crm.agents a WHERE a.active = TRUE UNION ALL SELECT x.team FROM MATCH graph "
       "(x:Agent)-[:ASSIGNED_TO]->(t:Task {status: 'done'})) AS u GROUP BY u.team",
       "SELECT u.team, count(*) AS n FROM (SELECT a.team FROM crm.agents a WHERE a.active = TRUE "
       f"UNION ALL SELECT x.team FROM {assigned()} WHERE t.status = 'done') AS u "
       "GROUP BY u.team"),
    q3("mixed_right_join_match", f"SELECT a.name, t.id AS task FROM crm.agents a RIGHT JOIN "
       f"{MA} ON x.id = a.id AND a.level = 2 WHERE t.priority = 5",
       f"SELECT a.name, t.id AS task FROM crm.agents a RIGHT JOIN {MA_SQL} ON x.id = a.id "
       "AND a.level = 2 WHERE t.priority = 5"),
    q3("mixed_full_join_nearest", "SELECT a.id AS agent, k.id AS item FROM (SELECT a.id "
       "FROM crm.agents a WHERE a.team = 'ml') AS a FULL JOIN NEAREST docs.knowledge TO $q K 20 "
       "AS k ON k.agent_id = a.id",
       f"SELECT a.id AS agent, k.id AS item FROM (SELECT a.id FROM crm.agents a "
       f"WHERE a.team = 'ml') AS a FULL JOIN {nearest(20)} ON k.agent_id = a.id", Q),
    q3("mixed_full_join_graph_sqlite", "SELECT ct.id AS sql_task, t.id AS graph_task "
       "FROM (SELECT ct.id FROM crm.tasks ct WHERE ct.priority = 1) AS ct FULL JOIN "
       "MATCH graph (t:Task) ON t.id = ct.id AND t.status = 'pending' WHERE t.id IS NULL "
       "OR t.priority = 1",
       "SELECT ct.id AS sql_task, t.id AS graph_task FROM (SELECT ct.id FROM crm.tasks ct "
       "WHERE ct.priority = 1) AS ct FULL JOIN graph.Task t ON t.id = ct.id "
       "AND t.status = 'pending' WHERE t.id IS NULL OR t.priority = 1"),
    q3("mixed_using_graph_sqlite", "SELECT id, a.name, g.n FROM crm.agents a JOIN (SELECT x.id, "
       "count(*) AS n FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task) GROUP BY x.id) AS g "
       "USING (id) WHERE a.level = 3",
       f"SELECT id, a.name, g.n FROM crm.agents a JOIN (SELECT x.id, count(*) AS n "
       f"FROM {assigned()} GROUP BY x.id) AS g USING (id) WHERE a.level = 3"),
    q3("mixed_window_over_nearest", "SELECT k.id, k.kind, row_number() OVER (PARTITION BY "
       "k.kind ORDER BY k._distance, k.id) AS rank_in_kind FROM NEAREST docs.knowledge TO $q "
       "K 30 AS k",
       "SELECT k.id, k.kind, row_number() OVER (PARTITION BY k.kind ORDER BY k._distance, k.id) "
       f"AS rank_in_kind FROM {nearest(30)}", Q),
    q3("mixed_qualify_nearest_per_agent", "SELECT k.agent_id, k.id FROM NEAREST docs.knowledge "
       "TO $q K 50 AS k QUALIFY row_number() OVER (PARTITION BY k.agent_id ORDER BY "
       "k._distance, k.id) = 1",
       f"SELECT k.agent_id, k.id FROM {nearest(50)} QUALIFY row_number() OVER "
       "(PARTITION BY k.agent_id ORDER BY k._distance, k.id) = 1", Q),
    q3("mixed_window_over_match", "SELECT x.id AS agent, t.id AS task, count(*) OVER "
       "(PARTITION BY x.id) AS load, rank() OVER (PARTITION BY x.id ORDER BY t.priority DESC, "
       "t.id) AS r FROM MATCH graph (x:Agent {team: 'core'})-[:ASSIGNED_TO]->(t:Task)",
       "SELECT x.id AS agent, t.id AS task, count(*) OVER (PARTITION BY x.id) AS load, "
       "rank() OVER (PARTITION BY x.id ORDER BY t.priority DESC, t.id) AS r "
       f"FROM {assigned()} WHERE x.team = 'core'"),
    q3("mixed_window_across_join", "SELECT a.id, t.id AS task, sum(t.priority) OVER "
       f"(PARTITION BY a.team ORDER BY a.id, t.id) AS acc FROM crm.agents a JOIN {MA} "
       "ON x.id = a.id WHERE a.level = 1",
       "SELECT a.id, t.id AS task, sum(t.priority) OVER (PARTITION BY a.team ORDER BY a.id, "
       f"t.id) AS acc FROM crm.agents a JOIN {MA_SQL} ON x.id = a.id WHERE a.level = 1"),
    q3("mixed_filter_group_all_graph", "SELECT x.team, count(*) FILTER (WHERE t.status = "
       f"'done') AS done, count(*) AS n FROM {MA} GROUP BY ALL",
       "SELECT x.team, count(*) FILTER (WHERE t.status = 'done') AS done, count(*) AS n "
       f"FROM {assigned()} GROUP BY ALL"),
    q3("mixed_values_join_graph", "SELECT v.label, t.title FROM (VALUES (1, 'one'), "
       "(2, 'two'), (3, 'three')) AS v(id, label) JOIN MATCH graph (t:Task) ON t.id = v.id",
       "SELECT v.label, t.title FROM (VALUES (1, 'one'), (2, 'two'), (3, 'three')) "
       "AS v(id, label) JOIN graph.Task t ON t.id = v.id"),
]
