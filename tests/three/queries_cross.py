"""Cross-engine queries over pairs of sources: SQLite ⋈ Kuzu, SQLite ⋈ LanceDB and
Kuzu ⋈ LanceDB (joins, LEFT joins, comma joins, group-bys, derived tables, DATE comparisons
across engines, NULL teams)."""

from __future__ import annotations

import datetime as dt

from .record import Q3, Q_CORE, Q_NEAR, assigned, dist, nearest, q3, walks

Q = {"q": Q_NEAR}
MA = "MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
MA_SQL = f"({assigned()})"  # parenthesised join chain, usable after JOIN
W_NOTE_LOG = "kind IN ('note', 'log')"
W_NOTE = "kind = 'note'"

SQLITE_KUZU: list[Q3] = [
    q3("sk_agents_tasks", f"SELECT a.name, t.title FROM crm.agents AS a JOIN {MA} "
       "ON x.id = a.id WHERE t.status = 'pending' AND a.team = $team",
       f"SELECT a.name, t.title FROM crm.agents AS a JOIN {MA_SQL} ON x.id = a.id "
       "WHERE t.status = 'pending' AND a.team = $team", {"team": "mobile"}),
    q3("sk_match_first_due", "SELECT t.id AS task, ct.due FROM MATCH graph "
       "(x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task) JOIN crm.tasks AS ct ON ct.id = t.id "
       "WHERE ct.due < DATE '2025-06-01'",
       f"SELECT t.id AS task, ct.due FROM {assigned()} JOIN crm.tasks AS ct ON ct.id = t.id "
       "WHERE x.id = $agent AND ct.due < DATE '2025-06-01'", {"agent": 76}),
    q3("sk_date_across", f"SELECT a.id AS agent, t.id AS task, r.since, a.hired "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id WHERE r.since < a.hired",
       f"SELECT a.id AS agent, t.id AS task, r.since, a.hired FROM crm.agents a "
       f"JOIN {MA_SQL} ON x.id = a.id WHERE r.since < a.hired"),
    q3("sk_left_blocked_count", "SELECT a.id AS agent, count(t.id) AS blocked FROM crm.agents a "
       "LEFT JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task {status: 'blocked'}) "
       "ON x.id = a.id GROUP BY a.id",
       "SELECT a.id AS agent, count(m.tid) AS blocked FROM crm.agents a LEFT JOIN "
       f"(SELECT x.id AS xid, t.id AS tid FROM {assigned()} WHERE t.status = 'blocked') AS m "
       "ON m.xid = a.id GROUP BY a.id"),
    q3("sk_left_active_agents", f"SELECT t.id AS task, x.id AS agent, a.name FROM {MA} "
       "LEFT JOIN crm.agents a ON a.id = x.id AND a.active = TRUE WHERE t.priority = 5",
       f"SELECT t.id AS task, x.id AS agent, a.name FROM {assigned()} "
       "LEFT JOIN crm.agents a ON a.id = x.id AND a.active = TRUE WHERE t.priority = 5"),
    q3("sk_left_anti", "SELECT a.id AS agent FROM crm.agents a LEFT JOIN MATCH graph "
       "(x:Agent)-[r:ASSIGNED_TO]->(t:Task) ON x.id = a.id AND r.weight > 0.97 "
       "WHERE t.id IS NULL",
       "SELECT a.id AS agent FROM crm.agents a LEFT JOIN "
       f"(SELECT x.id AS xid, t.id AS tid FROM {assigned()} WHERE r.weight > 0.97) AS m "
       "ON m.xid = a.id WHERE m.tid IS NULL"),
    q3("sk_group_team_estimate", "SELECT a.team, count(*) AS n, sum(ct.estimate) AS est "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id JOIN crm.tasks ct ON ct.id = t.id "
       "GROUP BY a.team",
       f"SELECT a.team, count(*) AS n, sum(ct.estimate) AS est FROM crm.agents a "
       f"JOIN {MA_SQL} ON x.id = a.id JOIN crm.tasks ct ON ct.id = t.id GROUP BY a.team"),
    q3("sk_comma_join", f"SELECT a.name, t.id AS task, r.weight FROM crm.agents a, {MA} "
       "WHERE a.id = x.id AND a.score > 90",
       f"SELECT a.name, t.id AS task, r.weight FROM crm.agents a, {MA_SQL} "
       "WHERE a.id = x.id AND a.score > 90"),
    q3("sk_var_length_tasks", "SELECT ct.id, ct.title, ct.due FROM MATCH graph "
       "(a:Task {id: $task})-[:DEPENDS_ON*1..3]->(b:Task) JOIN crm.tasks ct ON ct.id = b.id",
       f"SELECT ct.id, ct.title, ct.due FROM graph.Task a JOIN {walks('DEPENDS_ON', 1, 3)} "
       "ON p.src = a.id JOIN graph.Task b ON b.id = p.dst JOIN crm.tasks ct ON ct.id = b.id "
       "WHERE a.id = $task", {"task": 766}),
    q3("sk_team_is_null", f"SELECT a.id AS agent, a.name, t.id AS task FROM crm.agents a "
       f"JOIN {MA} ON x.id = a.id WHERE a.team IS NULL",
       f"SELECT a.id AS agent, a.name, t.id AS task FROM crm.agents a JOIN {MA_SQL} "
       "ON x.id = a.id WHERE a.team IS NULL"),
    q3("sk_team_equal_null_drops", "SELECT count(*) AS n, count(DISTINCT a.id) AS agents "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id WHERE x.team = a.team",
       "SELECT count(*) AS n, count(DISTINCT a.id) AS agents FROM crm.agents a "
       f"JOIN {MA_SQL} ON x.id = a.id WHERE x.team = a.team"),
    q3("sk_coalesce_team", "SELECT coalesce(a.team, 'none') AS team, count(*) AS n "
       f"FROM crm.agents a JOIN {MA} ON x.id = a.id WHERE r.weight > 0.5 "
       "GROUP BY coalesce(a.team, 'none')",
       "SELECT coalesce(a.team, 'none') AS team, count(*) AS n FROM crm.agents a "
       f"JOIN {MA_SQL} ON x.id = a.id WHERE r.weight > 0.5 GROUP BY 1"),
    q3("sk_derived_top_agents", "SELECT a.name, m.n FROM (SELECT x.id AS aid, count(*) AS n "
       f"FROM {MA} GROUP BY x.id) AS m JOIN crm.agents a ON a.id = m.aid "
       "ORDER BY m.n DESC, a.id LIMIT 5",
       f"SELECT a.name, m.n FROM (SELECT x.id AS aid, count(*) AS n FROM {assigned()} "
       "GROUP BY x.id) AS m JOIN crm.agents a ON a.id = m.aid ORDER BY m.n DESC, a.id LIMIT 5",
       ordered=True),
    q3("sk_on_non_equi", f"SELECT a.id AS agent, t.id AS task FROM crm.agents a JOIN {MA} "
       "ON x.id = a.id AND t.priority > a.level WHERE a.team = 'security'",
       f"SELECT a.id AS agent, t.id AS task FROM crm.agents a JOIN {MA_SQL} "
       "ON x.id = a.id AND t.priority > a.level WHERE a.team = 'security'"),
    q3("sk_task_estimate_by_status", "SELECT t.status, count(*) AS n, avg(ct.estimate) AS est "
       f"FROM {MA} JOIN crm.tasks ct ON ct.id = t.id WHERE ct.estimate > 5 "
       "AND ct.due IS NOT NULL GROUP BY t.status",
       f"SELECT t.status, count(*) AS n, avg(ct.estimate) AS est FROM {assigned()} "
       "JOIN crm.tasks ct ON ct.id = t.id WHERE ct.estimate > 5 AND ct.due IS NOT NULL "
       "GROUP BY t.status"),
]

SQLITE_LANCE: list[Q3] = [
    q3("sl_scan_join", "SELECT a.name, k.id, k.kind FROM crm.agents a "
       "JOIN docs.knowledge k ON k.agent_id = a.id WHERE a.team = 'ml' AND k.kind = 'spec'",
       "SELECT a.name, k.id, k.kind FROM crm.agents a JOIN docs.knowledge k "
       "ON k.agent_id = a.id WHERE a.team = 'ml' AND k.kind = 'spec'"),
    q3("sl_nearest_agents", "SELECT k.id, a.team, k._distance FROM NEAREST docs.knowledge "
       "TO $q K 20 AS k JOIN crm.agents a ON a.id = k.agent_id ORDER BY k._distance",
       f"SELECT k.id, a.team, k._distance FROM {nearest(20)} JOIN crm.agents a "
       "ON a.id = k.agent_id ORDER BY k._distance", Q, ordered=True),
    q3("sl_nearest_prefilter_postfilter", "SELECT k.id, t.title FROM NEAREST docs.knowledge "
       "TO $q K 10 AS k JOIN crm.tasks t ON t.id = k.task_id "
       "WHERE k.kind = 'note' AND t.status = 'done'",
       f"SELECT k.id, t.title FROM {nearest(10, where=W_NOTE)} "
       "JOIN crm.tasks t ON t.id = k.task_id WHERE t.status = 'done'",
       Q),
    q3("sl_left_nearest_count", "SELECT a.id AS agent, count(k.id) AS hits FROM crm.agents a "
       "LEFT JOIN NEAREST docs.knowledge TO $q K 30 AS k ON k.agent_id = a.id "
       "WHERE a.level >= 5 GROUP BY a.id",
       f"SELECT a.id AS agent, count(k.id) AS hits FROM crm.agents a LEFT JOIN {nearest(30)} "
       "ON k.agent_id = a.id WHERE a.level >= 5 GROUP BY a.id", Q),
    q3("sl_date_across", "SELECT k.id, k.created, a.hired FROM crm.agents a "
       "JOIN docs.knowledge k ON k.agent_id = a.id WHERE k.created < a.hired AND a.level = 7",
       "SELECT k.id, k.created, a.hired FROM crm.agents a JOIN docs.knowledge k "
       "ON k.agent_id = a.id WHERE k.created < a.hired AND a.level = 7"),
    q3("sl_group_team", "SELECT a.team, count(*) AS n, count(DISTINCT k.task_id) AS tasks "
       "FROM crm.agents a JOIN docs.knowledge k ON k.agent_id = a.id GROUP BY a.team",
       "SELECT a.team, count(*) AS n, count(DISTINCT k.task_id) AS tasks FROM crm.agents a "
       "JOIN docs.knowledge k ON k.agent_id = a.id GROUP BY a.team"),
    q3("sl_distance_topk_join", "SELECT t.title, k.id, distance(k.vector, $q) AS dist "
       "FROM crm.tasks t JOIN docs.knowledge k ON k.task_id = t.id WHERE t.priority = 5 "
       "ORDER BY dist LIMIT 10",
       f"SELECT t.title, k.id, {dist()} AS dist FROM crm.tasks t JOIN docs.knowledge k "
       "ON k.task_id = t.id WHERE t.priority = 5 ORDER BY dist LIMIT 10", Q, ordered=True),
    q3("sl_interval_date", "SELECT k.id, t.due FROM crm.tasks t JOIN docs.knowledge k "
       "ON k.task_id = t.id WHERE t.due < k.created + INTERVAL 2 YEAR AND k.kind = 'spec'",
       "SELECT k.id, t.due FROM crm.tasks t JOIN docs.knowledge k ON k.task_id = t.id "
       "WHERE t.due < k.created + INTERVAL 2 YEAR AND k.kind = 'spec'"),
    q3("sl_comma", "SELECT k.id, t.id AS task FROM docs.knowledge k, crm.tasks t "
       "WHERE k.task_id = t.id AND t.status = 'blocked' AND k.kind = 'review'",
       "SELECT k.id, t.id AS task FROM docs.knowledge k, crm.tasks t "
       "WHERE k.task_id = t.id AND t.status = 'blocked' AND k.kind = 'review'"),
    q3("sl_derived_best_agent", "SELECT a.name, n.best_dist FROM (SELECT k.agent_id, "
       "min(k._distance) AS best_dist FROM NEAREST docs.knowledge TO $q K 50 AS k "
       "GROUP BY k.agent_id) AS n JOIN crm.agents a ON a.id = n.agent_id "
       "ORDER BY n.best_dist",
       "SELECT a.name, n.best_dist FROM (SELECT k.agent_id, min(k._distance) AS best_dist "
       f"FROM {nearest(50)} GROUP BY k.agent_id) AS n JOIN crm.agents a ON a.id = n.agent_id "
       "ORDER BY n.best_dist", Q, ordered=True),
    q3("sl_awkward_names", "SELECT a.name, count(*) AS n FROM crm.agents a JOIN "
       "docs.knowledge k ON k.agent_id = a.id WHERE a.name LIKE '%''%' OR a.name = $nm "
       "GROUP BY a.name",
       "SELECT a.name, count(*) AS n FROM crm.agents a JOIN docs.knowledge k "
       "ON k.agent_id = a.id WHERE a.name LIKE '%''%' OR a.name = $nm GROUP BY a.name",
       {"nm": "back\\slash"}),
    q3("sl_null_team_left", "SELECT a.id AS agent, a.team, count(k.id) AS items "
       "FROM crm.agents a LEFT JOIN docs.knowledge k ON k.agent_id = a.id "
       "AND k.created >= $d WHERE a.team IS NULL OR a.team = 'docs' GROUP BY a.id, a.team",
       "SELECT a.id AS agent, a.team, count(k.id) AS items FROM crm.agents a "
       "LEFT JOIN docs.knowledge k ON k.agent_id = a.id AND k.created >= $d "
       "WHERE a.team IS NULL OR a.team = 'docs' GROUP BY a.id, a.team",
       {"d": dt.date(2023, 1, 1)}),
]

KUZU_LANCE: list[Q3] = [
    q3("kl_design_graph_constrained", "SELECT t.title, k.text, distance(k.vector, $q) AS d "
       "FROM MATCH graph (x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task) "
       "JOIN docs.knowledge AS k ON k.task_id = t.id ORDER BY d LIMIT 10",
       f"SELECT t.title, k.text, {dist()} AS d FROM {assigned()} "
       "JOIN docs.knowledge AS k ON k.task_id = t.id WHERE x.id = $agent ORDER BY d LIMIT 10",
       {"q": Q_NEAR, "agent": 13}, ordered=True),
    q3("kl_team_constrained_topk", "SELECT x.id AS agent, k.id, distance(k.vector, $q) AS d "
       "FROM MATCH graph (x:Agent {team: $team})-[:ASSIGNED_TO]->(t:Task) "
       "JOIN docs.knowledge AS k ON k.task_id = t.id AND k.agent_id = x.id "
       "ORDER BY d LIMIT 10",
       f"SELECT x.id AS agent, k.id, {dist()} AS d FROM {assigned()} "
       "JOIN docs.knowledge AS k ON k.task_id = t.id AND k.agent_id = x.id "
       "WHERE x.team = $team ORDER BY d LIMIT 10", {"q": Q_CORE, "team": "core"},
       ordered=True),
    q3("kl_nearest_join_match", "SELECT k.id, x.name, t.status FROM NEAREST docs.knowledge "
       f"TO $q K 50 AS k JOIN {MA} ON t.id = k.task_id AND x.id = k.agent_id",
       f"SELECT k.id, x.name, t.status FROM {nearest(50)} JOIN {MA_SQL} "
       "ON t.id = k.task_id AND x.id = k.agent_id", Q),
    q3("kl_paths_knowledge", "SELECT b.id AS task, count(*) AS items FROM MATCH graph "
       "(a:Task {id: $task})-[:DEPENDS_ON*1..2]->(b:Task) JOIN docs.knowledge k "
       "ON k.task_id = b.id GROUP BY b.id",
       f"SELECT b.id AS task, count(*) AS items FROM graph.Task a "
       f"JOIN {walks('DEPENDS_ON', 1, 2)} ON p.src = a.id JOIN graph.Task b ON b.id = p.dst "
       "JOIN docs.knowledge k ON k.task_id = b.id WHERE a.id = $task GROUP BY b.id",
       {"task": 620}),
    q3("kl_date_across", f"SELECT k.id, r.since, k.created FROM {MA} JOIN docs.knowledge k "
       "ON k.task_id = t.id AND k.agent_id = x.id WHERE k.created < r.since AND x.level = 1",
       f"SELECT k.id, r.since, k.created FROM {assigned()} JOIN docs.knowledge k "
       "ON k.task_id = t.id AND k.agent_id = x.id WHERE k.created < r.since AND x.level = 1"),
    q3("kl_left_specs", "SELECT t.id AS task, count(k.id) AS specs FROM MATCH graph "
       "(t:Task {status: 'blocked'}) LEFT JOIN docs.knowledge k ON k.task_id = t.id "
       "AND k.kind = 'spec' GROUP BY t.id",
       "SELECT t.id AS task, count(k.id) AS specs FROM graph.Task t LEFT JOIN "
       "docs.knowledge k ON k.task_id = t.id AND k.kind = 'spec' WHERE t.status = 'blocked' "
       "GROUP BY t.id"),
    q3("kl_group_team_distance", "SELECT x.team, count(*) AS n, min(distance(k.vector, $q)) "
       f"AS min_dist FROM {MA} JOIN docs.knowledge k ON k.task_id = t.id "
       "AND k.agent_id = x.id GROUP BY x.team",
       f"SELECT x.team, count(*) AS n, min({dist()}) AS min_dist FROM {assigned()} "
       "JOIN docs.knowledge k ON k.task_id = t.id AND k.agent_id = x.id GROUP BY x.team", Q),
    q3("kl_nearest_prefilter_agent", "SELECT k.id, t.title, k._distance FROM NEAREST "
       f"docs.knowledge TO $q K 5 AS k JOIN {MA} ON t.id = k.task_id AND x.id = k.agent_id "
       "WHERE k.agent_id = $agent ORDER BY k._distance",
       f"SELECT k.id, t.title, k._distance FROM {nearest(5, where='agent_id = $agent')} "
       f"JOIN {MA_SQL} ON t.id = k.task_id AND x.id = k.agent_id ORDER BY k._distance",
       {"q": Q_NEAR, "agent": 96}, ordered=True),
    q3("kl_comma", "SELECT t.id AS task, k.text FROM NEAREST docs.knowledge TO $q K 10 AS k, "
       f"{MA} WHERE k.task_id = t.id AND k.agent_id = x.id",
       f"SELECT t.id AS task, k.text FROM {assigned()}, {nearest(10)} "
       "WHERE k.task_id = t.id AND k.agent_id = x.id", Q),
    q3("kl_weighted_rank", "SELECT k.id, r.weight * distance(k.vector, $q) AS wdist "
       f"FROM {MA} JOIN docs.knowledge k ON k.task_id = t.id AND k.agent_id = x.id "
       "WHERE t.status = 'active' ORDER BY wdist LIMIT 5",
       f"SELECT k.id, r.weight * {dist()} AS wdist FROM {assigned()} JOIN docs.knowledge k "
       "ON k.task_id = t.id AND k.agent_id = x.id WHERE t.status = 'active' "
       "ORDER BY wdist LIMIT 5", Q, ordered=True),
    # DuckDB 2.0.0 fails to bind this one's stage (the LEFT JOIN's right column tested IS NULL
    # above it, then read by the next join and the projection): the stage runs it again
    # without outer_join_simplification (federation.join_stage)
    q3("kl_left_null_then_join", "SELECT x.id, k.task_id, k.agent_id + 1 AS k1, a.id + 1 AS a1 "
       "FROM MATCH graph (x:Agent) LEFT JOIN docs.knowledge AS k ON k.agent_id = x.id "
       "AND (k.agent_id < 1 OR k.id >= 100) JOIN crm.agents AS a ON a.id = x.id "
       "WHERE (k.agent_id IS NULL OR coalesce(a.score, 50.0) > 60) AND k.agent_id IS NULL",
       "SELECT x.id, k.task_id, k.agent_id + 1 AS k1, a.id + 1 AS a1 FROM graph.Agent x "
       "LEFT JOIN docs.knowledge AS k ON k.agent_id = x.id AND (k.agent_id < 1 OR k.id >= 100) "
       "JOIN crm.agents AS a ON a.id = x.id "
       "WHERE (k.agent_id IS NULL OR coalesce(a.score, 50.0) > 60) AND k.agent_id IS NULL"),
    q3("kl_derived_nearest_match", "SELECT n.id, t.priority FROM (SELECT k.id, k.task_id "
       "FROM NEAREST docs.knowledge TO $q K 40 AS k WHERE k.kind IN ('note', 'log')) AS n "
       "JOIN MATCH graph (t:Task) ON t.id = n.task_id WHERE t.priority >= 3",
       "SELECT n.id, t.priority FROM (SELECT k.id, k.task_id FROM "
       f"{nearest(40, where=W_NOTE_LOG)}) AS n JOIN graph.Task t "
       "ON t.id = n.task_id WHERE t.priority >= 3", Q),
]

QUERIES: list[Q3] = SQLITE_KUZU + SQLITE_LANCE + KUZU_LANCE
