"""Queries over all three engines at once: SQLite agents/tasks ⋈ Kuzu pattern ⋈ LanceDB
knowledge (the DESIGN §3 examples, graph-constrained top-K, group-bys, LEFT joins, derived
tables, DATE comparisons and NULLs across engines)."""

from __future__ import annotations

import datetime as dt

from .record import Q3, Q_CORE, Q_NEAR, assigned, dist, nearest, q3, walks

Q = {"q": Q_NEAR}
MA = "MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
MA_SQL = f"({assigned()})"
KX = "k.task_id = t.id AND k.agent_id = x.id"  # knowledge written on this assignment
W_NOT_LOG = "kind <> 'log'"

QUERIES: list[Q3] = [
    q3("all_design_three_engines", "SELECT a.name, t.title, k.text, k._distance "
       "FROM crm.agents AS a JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task) "
       "ON x.id = a.id JOIN NEAREST docs.knowledge TO $q K 50 AS k ON k.task_id = t.id "
       # a task may have several agents: the name breaks the distance's ties
       "WHERE a.team = $team AND t.status = 'pending' ORDER BY k._distance, a.name LIMIT 5",
       f"SELECT a.name, t.title, k.text, k._distance FROM crm.agents AS a JOIN {MA_SQL} "
       f"ON x.id = a.id JOIN {nearest(50)} ON k.task_id = t.id "
       "WHERE a.team = $team AND t.status = 'pending' ORDER BY k._distance, a.name LIMIT 5",
       {"q": Q_NEAR, "team": "data"}, ordered=True),
    q3("all_design_bigger_k", "SELECT a.id AS agent, t.id AS task, k.id AS item "
       "FROM crm.agents AS a JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task) "
       "ON x.id = a.id JOIN NEAREST docs.knowledge TO $q K 500 AS k ON k.task_id = t.id "
       "WHERE a.team = $team AND t.status = 'pending'",
       f"SELECT a.id AS agent, t.id AS task, k.id AS item FROM crm.agents AS a "
       f"JOIN {MA_SQL} ON x.id = a.id JOIN {nearest(500)} ON k.task_id = t.id "
       "WHERE a.team = $team AND t.status = 'pending'", {"q": Q_NEAR, "team": "data"}),
    q3("all_design_left_nearest", "SELECT a.id AS agent, t.id AS task, k.id AS item "
       "FROM crm.agents AS a JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task) "
       "ON x.id = a.id LEFT JOIN NEAREST docs.knowledge TO $q K 50 AS k ON k.task_id = t.id "
       "WHERE a.team = $team AND t.status = 'pending'",
       f"SELECT a.id AS agent, t.id AS task, k.id AS item FROM crm.agents AS a "
       f"JOIN {MA_SQL} ON x.id = a.id LEFT JOIN {nearest(50)} ON k.task_id = t.id "
       "WHERE a.team = $team AND t.status = 'pending'", {"q": Q_NEAR, "team": "data"}),
    q3("all_constrained_topk_sqlite_filter", "SELECT ct.title, k.id, distance(k.vector, $q) "
       f"AS d FROM crm.tasks ct JOIN {MA} ON t.id = ct.id JOIN docs.knowledge k ON {KX} "
       "WHERE ct.priority >= 4 AND ct.due < DATE '2025-06-01' ORDER BY d LIMIT 10",
       f"SELECT ct.title, k.id, {dist()} AS d FROM crm.tasks ct JOIN {MA_SQL} "
       f"ON t.id = ct.id JOIN docs.knowledge k ON {KX} "
       "WHERE ct.priority >= 4 AND ct.due < DATE '2025-06-01' ORDER BY d LIMIT 10", Q,
       ordered=True),
    q3("all_team_graph_vector_tasks", "SELECT x.id AS agent, ct.due, k.id, "
       "distance(k.vector, $q) AS d FROM MATCH graph (x:Agent {team: $team})"
       "-[:ASSIGNED_TO]->(t:Task) JOIN crm.tasks ct ON ct.id = t.id JOIN docs.knowledge k "
       "ON k.task_id = t.id WHERE ct.due IS NOT NULL ORDER BY d, x.id LIMIT 10",
       f"SELECT x.id AS agent, ct.due, k.id, {dist()} AS d FROM {assigned()} "
       "JOIN crm.tasks ct ON ct.id = t.id JOIN docs.knowledge k ON k.task_id = t.id "
       "WHERE x.team = $team AND ct.due IS NOT NULL ORDER BY d, x.id LIMIT 10",
       {"q": Q_CORE, "team": "core"}, ordered=True),
    q3("all_group_team", "SELECT a.team, count(*) AS n, avg(k._distance) AS avg_dist "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id JOIN NEAREST docs.knowledge TO $q "
       f"K 200 AS k ON {KX} GROUP BY a.team",
       f"SELECT a.team, count(*) AS n, avg(k._distance) AS avg_dist FROM crm.agents a "
       f"JOIN {MA_SQL} ON x.id = a.id JOIN {nearest(200)} ON {KX} GROUP BY a.team", Q),
    q3("all_left_chain", "SELECT a.id AS agent, t.id AS task, k.id AS item FROM crm.agents a "
       "LEFT JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task {priority: 5}) ON x.id = a.id "
       "LEFT JOIN NEAREST docs.knowledge TO $q K 300 AS k ON k.task_id = t.id "
       "WHERE a.team = 'infra'",
       "SELECT a.id AS agent, m.tid AS task, k.id AS item FROM crm.agents a LEFT JOIN "
       f"(SELECT x.id AS xid, t.id AS tid FROM {assigned()} WHERE t.priority = 5) AS m "
       f"ON m.xid = a.id LEFT JOIN {nearest(300)} ON k.task_id = m.tid "
       "WHERE a.team = 'infra'", Q),
    q3("all_dates_across", "SELECT k.id, r.since, k.created, ct.due FROM crm.tasks ct "
       f"JOIN {MA} ON t.id = ct.id JOIN docs.knowledge k ON {KX} "
       "WHERE k.created >= r.since AND ct.due < DATE '2024-03-01'",
       f"SELECT k.id, r.since, k.created, ct.due FROM crm.tasks ct JOIN {MA_SQL} "
       f"ON t.id = ct.id JOIN docs.knowledge k ON {KX} "
       "WHERE k.created >= r.since AND ct.due < DATE '2024-03-01'"),
    q3("all_dates_hired_param", "SELECT a.id AS agent, k.id FROM crm.agents a JOIN "
       f"{MA} ON x.id = a.id JOIN docs.knowledge k ON {KX} "
       "WHERE a.hired > $d AND k.created > a.hired AND r.since < a.hired",
       f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {MA_SQL} ON x.id = a.id "
       f"JOIN docs.knowledge k ON {KX} "
       "WHERE a.hired > $d AND k.created > a.hired AND r.since < a.hired",
       {"d": dt.date(2021, 1, 1)}),
    q3("all_derived_match", "SELECT a.name, m.tid, k.kind FROM (SELECT x.id AS aid, "
       f"t.id AS tid FROM {MA} WHERE t.status = 'active') AS m JOIN crm.agents a "
       "ON a.id = m.aid JOIN docs.knowledge k ON k.task_id = m.tid AND k.agent_id = m.aid "
       "WHERE a.level >= 5",
       f"SELECT a.name, m.tid, k.kind FROM (SELECT x.id AS aid, t.id AS tid FROM {assigned()} "
       "WHERE t.status = 'active') AS m JOIN crm.agents a ON a.id = m.aid "
       "JOIN docs.knowledge k ON k.task_id = m.tid AND k.agent_id = m.aid WHERE a.level >= 5"),
    q3("all_var_length", "SELECT b.id AS task, ct.estimate, k.kind FROM MATCH graph "
       "(a:Task {id: $task})-[:DEPENDS_ON*1..3]->(b:Task) JOIN crm.tasks ct ON ct.id = b.id "
       "JOIN docs.knowledge k ON k.task_id = b.id",
       f"SELECT b.id AS task, ct.estimate, k.kind FROM graph.Task a "
       f"JOIN {walks('DEPENDS_ON', 1, 3)} ON p.src = a.id JOIN graph.Task b ON b.id = p.dst "
       "JOIN crm.tasks ct ON ct.id = b.id JOIN docs.knowledge k ON k.task_id = b.id "
       "WHERE a.id = $task", {"task": 551}),
    q3("all_comma", "SELECT a.name, t.id AS task, k.id AS item FROM crm.agents a, "
       f"NEAREST docs.knowledge TO $q K 100 AS k, {MA} WHERE a.id = x.id AND {KX}",
       f"SELECT a.name, t.id AS task, k.id AS item FROM crm.agents a, {assigned()}, "
       f"{nearest(100)} WHERE a.id = x.id AND {KX}", Q),
    q3("all_null_team_coalesce", "SELECT coalesce(a.team, '?') AS team, count(*) AS n "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id JOIN docs.knowledge k ON {KX} "
       "WHERE a.level <= 3 GROUP BY coalesce(a.team, '?')",
       f"SELECT coalesce(a.team, '?') AS team, count(*) AS n FROM crm.agents a "
       f"JOIN {MA_SQL} ON x.id = a.id JOIN docs.knowledge k ON {KX} WHERE a.level <= 3 "
       "GROUP BY 1"),
    q3("all_score_is_null", "SELECT a.id AS agent, t.id AS task, k.id AS item "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id JOIN docs.knowledge k ON {KX} "
       "WHERE a.score IS NULL OR a.hired IS NULL",
       f"SELECT a.id AS agent, t.id AS task, k.id AS item FROM crm.agents a JOIN {MA_SQL} "
       f"ON x.id = a.id JOIN docs.knowledge k ON {KX} "
       "WHERE a.score IS NULL OR a.hired IS NULL"),
    q3("all_having", "SELECT a.id AS agent, count(*) AS n, sum(r.weight) AS w "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id JOIN NEAREST docs.knowledge TO $q "
       f"K 300 AS k ON {KX} GROUP BY a.id HAVING count(*) >= 5",
       f"SELECT a.id AS agent, count(*) AS n, sum(r.weight) AS w FROM crm.agents a "
       f"JOIN {MA_SQL} ON x.id = a.id JOIN {nearest(300)} ON {KX} GROUP BY a.id "
       "HAVING count(*) >= 5", Q),
    q3("all_distinct_teams", f"SELECT DISTINCT a.team FROM crm.agents a JOIN {MA} "
       "ON x.id = a.id JOIN NEAREST docs.knowledge TO $q K 50 AS k ON k.task_id = t.id",
       f"SELECT DISTINCT a.team FROM crm.agents a JOIN {MA_SQL} ON x.id = a.id "
       f"JOIN {nearest(50)} ON k.task_id = t.id", Q),
    q3("all_centroid_core", "SELECT count(*) AS n, count(DISTINCT k.agent_id) AS authors "
       "FROM NEAREST docs.knowledge TO $q K 100 AS k JOIN crm.agents a ON a.id = k.agent_id "
       "JOIN MATCH graph (x:Agent {team: 'core'}) ON x.id = a.id",
       f"SELECT count(*) AS n, count(DISTINCT k.agent_id) AS authors FROM {nearest(100)} "
       "JOIN crm.agents a ON a.id = k.agent_id JOIN graph.Agent x ON x.id = a.id "
       "WHERE x.team = 'core'", {"q": Q_CORE}),
    q3("all_derived_nearest_groups", "SELECT a.team, n.items, n.best_dist FROM (SELECT "
       "k.agent_id, count(*) AS items, min(k._distance) AS best_dist FROM NEAREST "
       "docs.knowledge TO $q K 100 AS k WHERE k.kind <> 'log' GROUP BY k.agent_id) AS n "
       "JOIN crm.agents a ON a.id = n.agent_id JOIN MATCH graph (x:Agent) ON x.id = a.id "
       "WHERE x.level > 2",
       "SELECT a.team, n.items, n.best_dist FROM (SELECT k.agent_id, count(*) AS items, "
       f"min(k._distance) AS best_dist FROM {nearest(100, where=W_NOT_LOG)} "
       "GROUP BY k.agent_id) AS n JOIN crm.agents a ON a.id = n.agent_id "
       "JOIN graph.Agent x ON x.id = a.id WHERE x.level > 2", Q),
    q3("all_case_weight_kind", "SELECT CASE WHEN r.weight > 0.5 THEN 'heavy' ELSE 'light' "
       "END AS load, k.kind, count(*) AS n FROM crm.tasks ct JOIN "
       f"{MA} ON t.id = ct.id JOIN docs.knowledge k ON {KX} WHERE ct.status <> 'done' "
       "GROUP BY CASE WHEN r.weight > 0.5 THEN 'heavy' ELSE 'light' END, k.kind",
       "SELECT CASE WHEN r.weight > 0.5 THEN 'heavy' ELSE 'light' END AS load, k.kind, "
       f"count(*) AS n FROM crm.tasks ct JOIN {MA_SQL} ON t.id = ct.id "
       f"JOIN docs.knowledge k ON {KX} WHERE ct.status <> 'done' GROUP BY 1, 2"),
    q3("all_extract_years", "SELECT extract(year FROM a.hired) AS hired_y, "
       "extract(year FROM k.created) AS created_y, count(*) AS n FROM crm.agents a "
       f"JOIN {MA} ON x.id = a.id JOIN docs.knowledge k ON {KX} WHERE a.team = 'core' "
       "GROUP BY extract(year FROM a.hired), extract(year FROM k.created)",
       "SELECT extract(year FROM a.hired) AS hired_y, extract(year FROM k.created) "
       f"AS created_y, count(*) AS n FROM crm.agents a JOIN {MA_SQL} ON x.id = a.id "
       f"JOIN docs.knowledge k ON {KX} WHERE a.team = 'core' GROUP BY 1, 2"),
    q3("all_ordered_page", "SELECT a.id AS agent, t.id AS task, k.id AS item "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id JOIN docs.knowledge k ON {KX} "
       "WHERE t.priority = 3 ORDER BY a.id, t.id DESC, k.id LIMIT 20 OFFSET 10",
       f"SELECT a.id AS agent, t.id AS task, k.id AS item FROM crm.agents a JOIN {MA_SQL} "
       f"ON x.id = a.id JOIN docs.knowledge k ON {KX} WHERE t.priority = 3 "
       "ORDER BY a.id, t.id DESC, k.id LIMIT 20 OFFSET 10", ordered=True),
    q3("all_selective_awkward_name", "SELECT t.id AS task, k.id AS item, k.kind "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id JOIN docs.knowledge k ON {KX} "
       "WHERE a.name = 'O''Brien'",
       f"SELECT t.id AS task, k.id AS item, k.kind FROM crm.agents a JOIN {MA_SQL} "
       f"ON x.id = a.id JOIN docs.knowledge k ON {KX} WHERE a.name = 'O''Brien'"),
    q3("all_left_nearest_per_agent_count", "SELECT a.id AS agent, count(k.id) AS near "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id LEFT JOIN NEAREST docs.knowledge "
       f"TO $q K 100 AS k ON {KX} WHERE a.team IN ('data', 'qa') GROUP BY a.id",
       f"SELECT a.id AS agent, count(k.id) AS near FROM crm.agents a JOIN {MA_SQL} "
       f"ON x.id = a.id LEFT JOIN {nearest(100)} ON {KX} WHERE a.team IN ('data', 'qa') "
       "GROUP BY a.id", Q),
]
