"""Issue 10 item 4 on the three engines: the registry's functions and the new expressions over
graph properties (Kuzu), knowledge rows and distances (LanceDB) and their joins with SQLite.
No source claims these functions, so each leg's rows come up and the DuckDB stage evaluates
them; the point is that every leg's values (types, NULLs, unicode text) meet them exactly."""

from __future__ import annotations

import datetime as dt

from .record import Q3, Q_NEAR, assigned, dist, nearest, q3

Q = {"q": Q_NEAR}
MA = "MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
W_SMALL_TASK_NOT_NOTE = "abs(task_id) < 300 AND coalesce(kind, '') <> 'note'"

QUERIES: list[Q3] = [
    # ---- Kuzu legs
    q3("fn_graph_simple_case", f"SELECT t.id, CASE t.status WHEN 'done' THEN 1 WHEN 'blocked' "
       f"THEN -1 ELSE 0 END AS s FROM {MA} WHERE x.id = $agent",
       f"SELECT t.id, CASE t.status WHEN 'done' THEN 1 WHEN 'blocked' THEN -1 ELSE 0 END AS s "
       f"FROM {assigned()} WHERE x.id = $agent", {"agent": 13}),
    q3("fn_graph_weight_math", f"SELECT t.id, floor(r.weight * 10) AS f, ceil(r.weight * 10) "
       f"AS c, sign(r.weight - 0.5) AS s, round(sqrt(r.weight), 4) AS q FROM {MA} "
       "WHERE x.id < 20",
       f"SELECT t.id, floor(r.weight * 10) AS f, ceil(r.weight * 10) AS c, "
       f"sign(r.weight - 0.5) AS s, round(sqrt(r.weight), 4) AS q FROM {assigned()} "
       "WHERE x.id < 20"),
    q3("fn_graph_date_trunc_group", f"SELECT date_trunc('year', r.since) AS y, count(*) AS n "
       f"FROM {MA} GROUP BY date_trunc('year', r.since)",
       f"SELECT date_trunc('year', r.since) AS y, count(*) AS n FROM {assigned()} "
       "GROUP BY date_trunc('year', r.since)"),
    q3("fn_graph_strings", "SELECT t.id, left(t.title, 3) AS l, right(t.title, 2) AS r, "
       "position('a' IN t.title) AS p, replace(t.title, ' ', '') AS c FROM MATCH graph "
       "(t:Task) WHERE t.id <= 60",
       "SELECT t.id, left(t.title, 3) AS l, right(t.title, 2) AS r, position('a' IN t.title) "
       "AS p, replace(t.title, ' ', '') AS c FROM graph.Task t WHERE t.id <= 60"),
    q3("fn_graph_ilike_distinct", "SELECT a.id FROM MATCH graph (a:Agent) WHERE a.name ILIKE "
       "'%an%' AND a.team IS DISTINCT FROM 'core' AND a.id < 400",
       "SELECT a.id FROM graph.Agent a WHERE a.name ILIKE '%an%' "
       "AND a.team IS DISTINCT FROM 'core' AND a.id < 400"),
    q3("fn_graph_aggregates", f"SELECT x.team, stddev(r.weight) AS sd, median(t.priority) AS m, "
       f"bool_or(t.status = 'blocked') AS b FROM {MA} GROUP BY x.team",
       f"SELECT x.team, stddev(r.weight) AS sd, median(t.priority) AS m, "
       f"bool_or(t.status = 'blocked') AS b FROM {assigned()} GROUP BY x.team"),
    q3("fn_graph_is_true", "SELECT t.id, (t.status = 'done') IS NOT TRUE AS open "
       "FROM MATCH graph (t:Task) WHERE (t.priority > 3) IS TRUE AND t.id < 300",
       "SELECT t.id, (t.status = 'done') IS NOT TRUE AS open FROM graph.Task t "
       "WHERE (t.priority > 3) IS TRUE AND t.id < 300"),
    # ---- LanceDB legs
    q3("fn_lance_text_functions", "SELECT k.id, length(k.text) AS n, upper(left(k.text, 4)) "
       "AS u, strpos(k.text, ' ') AS s FROM docs.knowledge k WHERE k.agent_id = 13",
       "SELECT k.id, length(k.text) AS n, upper(left(k.text, 4)) AS u, strpos(k.text, ' ') "
       "AS s FROM docs.knowledge k WHERE k.agent_id = 13"),
    q3("fn_lance_distance_rounding", "SELECT k.id, round(k._distance, 3) AS d, "
       "floor(k._distance * 100) AS f FROM NEAREST docs.knowledge TO $q K 20 AS k",
       f"SELECT k.id, round(k._distance, 3) AS d, floor(k._distance * 100) AS f "
       f"FROM {nearest(20)}", Q),
    q3("fn_lance_distance_function", "SELECT k.id, floor(distance(k.vector, $q) * 10) AS b "
       "FROM docs.knowledge k WHERE k.agent_id = 13",
       f"SELECT k.id, floor({dist()} * 10) AS b FROM docs.knowledge k WHERE k.agent_id = 13",
       Q),
    q3("fn_lance_kind_case", "SELECT CASE k.kind WHEN 'note' THEN 'n' WHEN 'spec' THEN 's' "
       "ELSE 'o' END AS c, count(*) AS n, quantile_cont(k.task_id, 0.5) AS q "
       "FROM docs.knowledge k WHERE k.created >= $d GROUP BY CASE k.kind WHEN 'note' THEN 'n' "
       "WHEN 'spec' THEN 's' ELSE 'o' END",
       "SELECT CASE k.kind WHEN 'note' THEN 'n' WHEN 'spec' THEN 's' ELSE 'o' END AS c, "
       "count(*) AS n, quantile_cont(k.task_id, 0.5) AS q FROM docs.knowledge k "
       "WHERE k.created >= $d GROUP BY 1", {"d": dt.date(2024, 6, 1)}),
    q3("fn_lance_date_part_interval", "SELECT k.id, date_part('quarter', k.created) AS q, "
       "k.created + INTERVAL '1' QUARTER AS next FROM docs.knowledge k WHERE k.agent_id = 96",
       "SELECT k.id, date_part('quarter', k.created) AS q, k.created + INTERVAL '1' QUARTER "
       "AS next FROM docs.knowledge k WHERE k.agent_id = 96"),
    # ---- functions Kuzu and LanceDB evaluate themselves (planner.functions: exact_in)
    q3("fn_pushed_graph_coalesce", "SELECT a.id FROM MATCH graph (a:Agent) "
       "WHERE coalesce(a.team, 'none') = 'none' OR nullif(a.level, 3) IS NULL",
       "SELECT a.id FROM graph.Agent a WHERE coalesce(a.team, 'none') = 'none' "
       "OR nullif(a.level, 3) IS NULL"),
    q3("fn_pushed_graph_abs_sign", f"SELECT x.id, t.id AS task FROM {MA} "
       "WHERE abs(r.weight) > 0.95 AND sign(t.priority) = 1 AND x.id < 500",
       f"SELECT x.id, t.id AS task FROM {assigned()} WHERE abs(r.weight) > 0.95 "
       "AND sign(t.priority) = 1 AND x.id < 500"),
    q3("fn_pushed_lance_nullif", "SELECT k.id FROM docs.knowledge k "
       "WHERE nullif(k.kind, 'note') IS NULL AND coalesce(k.agent_id, 0) = 13",
       "SELECT k.id FROM docs.knowledge k WHERE nullif(k.kind, 'note') IS NULL "
       "AND coalesce(k.agent_id, 0) = 13"),
    q3("fn_pushed_lance_prefilter", "SELECT k.id, k._distance FROM NEAREST docs.knowledge "
       "TO $q K 10 AS k WHERE abs(k.task_id) < 300 AND coalesce(k.kind, '') <> 'note'",
       f"SELECT k.id, k._distance FROM {nearest(10, where=W_SMALL_TASK_NOT_NOTE)}", Q),
    # ---- across engines
    q3("fn_cross_concat_names", f"SELECT a.id, concat(a.name, ':', t.title) AS c, "
       f"nullif(a.team, '') AS team FROM crm.agents a JOIN {MA} ON x.id = a.id "
       "WHERE a.id < 30",
       f"SELECT a.id, concat(a.name, ':', t.title) AS c, nullif(a.team, '') AS team "
       f"FROM crm.agents a JOIN ({assigned()}) ON x.id = a.id WHERE a.id < 30"),
    q3("fn_cross_greatest_dates", f"SELECT a.id, t.id AS task, greatest(a.hired, r.since) AS g, "
       f"least(a.hired, r.since) AS l FROM crm.agents a JOIN {MA} ON x.id = a.id "
       "WHERE a.id < 40",
       f"SELECT a.id, t.id AS task, greatest(a.hired, r.since) AS g, least(a.hired, r.since) "
       f"AS l FROM crm.agents a JOIN ({assigned()}) ON x.id = a.id WHERE a.id < 40"),
    q3("fn_cross_knowledge_team", "SELECT a.team, string_agg(DISTINCT k.kind, ',') IS NOT NULL "
       "AS any_kind, count(DISTINCT k.kind) AS kinds, variance(k.task_id) AS v "
       "FROM crm.agents a JOIN docs.knowledge k ON k.agent_id = a.id WHERE a.id < 200 "
       "GROUP BY a.team",
       "SELECT a.team, string_agg(DISTINCT k.kind, ',') IS NOT NULL AS any_kind, "
       "count(DISTINCT k.kind) AS kinds, variance(k.task_id) AS v FROM crm.agents a "
       "JOIN docs.knowledge k ON k.agent_id = a.id WHERE a.id < 200 GROUP BY a.team"),
    q3("fn_all_three_functions", f"SELECT a.id, t.id AS task, k.id AS item, "
       f"substring(k.text FROM 1 FOR 5) AS head, t.priority // 2 AS half FROM crm.agents a "
       f"JOIN {MA} ON x.id = a.id JOIN docs.knowledge k ON k.task_id = t.id "
       "AND k.agent_id = a.id WHERE a.id < 25 AND k.kind ILIKE 'NOTE'",
       f"SELECT a.id, t.id AS task, k.id AS item, substring(k.text FROM 1 FOR 5) AS head, "
       f"t.priority // 2 AS half FROM crm.agents a JOIN ({assigned()}) ON x.id = a.id "
       "JOIN docs.knowledge k ON k.task_id = t.id AND k.agent_id = a.id "
       "WHERE a.id < 25 AND k.kind ILIKE 'NOTE'"),
]
