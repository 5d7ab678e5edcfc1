"""MATCH-only queries (Kuzu): hops, directions, relationship properties, property maps, comma
patterns, variable-length paths, node filters and aggregates over graph results."""

from __future__ import annotations

import datetime as dt

from .record import Q3, assigned, depends, q3, undirected_depends, walks

A = "FROM MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
A_SQL = f"FROM {assigned()}"

QUERIES: list[Q3] = [
    # ---- one hop, each direction
    q3("graph_1hop_right", "SELECT x.id AS agent, t.id AS task "
       "FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task)",
       f"SELECT x.id AS agent, t.id AS task {A_SQL}"),
    q3("graph_1hop_left", "SELECT t.id AS task, x.name FROM MATCH graph "
       "(t:Task)<-[:ASSIGNED_TO]-(x:Agent) WHERE t.priority = 5",
       f"SELECT t.id AS task, x.name {A_SQL} WHERE t.priority = 5"),
    q3("graph_1hop_left_depends", "SELECT a.id AS a_id, b.id AS b_id FROM MATCH graph "
       "(b:Task)<-[:DEPENDS_ON]-(a:Task) WHERE b.id < 40",
       f"SELECT a.id AS a_id, b.id AS b_id FROM {depends()} WHERE b.id < 40"),
    q3("graph_undirected_depends", "SELECT a.id AS a_id, b.id AS b_id FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON]-(b:Task) WHERE a.id < 60",
       f"SELECT a.id AS a_id, b.id AS b_id FROM {undirected_depends()} WHERE a.id < 60"),
    q3("graph_undirected_labels", "SELECT x.id AS agent, t.id AS task FROM MATCH graph "
       "(x:Agent)-[:ASSIGNED_TO]-(t:Task) WHERE x.id = $agent",
       f"SELECT x.id AS agent, t.id AS task {A_SQL} WHERE x.id = $agent", {"agent": 13}),
    q3("graph_undirected_count", "SELECT count(*) AS n FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON]-(b:Task)",
       f"SELECT count(*) AS n FROM {undirected_depends()}"),
    q3("graph_node_only", "SELECT t.id, t.title FROM MATCH graph (t:Task) "
       "WHERE t.priority = 5 AND t.status = 'blocked'",
       "SELECT t.id, t.title FROM graph.Task t WHERE t.priority = 5 AND t.status = 'blocked'"),
    q3("graph_node_only_group", "SELECT a.team, count(*) AS n FROM MATCH graph (a:Agent) "
       "GROUP BY a.team",
       "SELECT a.team, count(*) AS n FROM graph.Agent a GROUP BY a.team"),
    # ---- relationship variables and their properties
    q3("graph_rel_weight", f"SELECT x.id AS agent, t.id AS task, r.weight {A} "
       "WHERE r.weight > 0.9",
       f"SELECT x.id AS agent, t.id AS task, r.weight {A_SQL} WHERE r.weight > 0.9"),
    q3("graph_rel_since_date", f"SELECT x.id AS agent, t.id AS task, r.since {A} "
       "WHERE r.since >= DATE '2023-10-01'",
       f"SELECT x.id AS agent, t.id AS task, r.since {A_SQL} "
       "WHERE r.since >= DATE '2023-10-01'"),
    q3("graph_rel_since_between_param", f"SELECT t.id AS task, r.since {A} "
       "WHERE r.since BETWEEN $lo AND $hi AND r.weight < 0.5",
       f"SELECT t.id AS task, r.since {A_SQL} WHERE r.since BETWEEN $lo AND $hi "
       "AND r.weight < 0.5", {"lo": dt.date(2021, 1, 1), "hi": dt.date(2021, 3, 31)}),
    q3("graph_rel_prop_map_date", "SELECT x.id AS agent, t.id AS task FROM MATCH graph "
       "(x:Agent)-[r:ASSIGNED_TO {since: $d}]->(t:Task)",
       f"SELECT x.id AS agent, t.id AS task {A_SQL} WHERE r.since = $d",
       {"d": dt.date(2023, 7, 27)}),
    q3("graph_rel_extract_year", f"SELECT extract(year FROM r.since) AS y, count(*) AS n, "
       f"sum(r.weight) AS w {A} GROUP BY extract(year FROM r.since)",
       f"SELECT extract(year FROM r.since) AS y, count(*) AS n, sum(r.weight) AS w {A_SQL} "
       "GROUP BY extract(year FROM r.since)"),
    q3("graph_rel_case", f"SELECT CASE WHEN r.weight >= 0.5 THEN 'strong' ELSE 'weak' END "
       f"AS kind, count(*) AS n {A} WHERE x.level >= 4 GROUP BY "
       "CASE WHEN r.weight >= 0.5 THEN 'strong' ELSE 'weak' END",
       f"SELECT CASE WHEN r.weight >= 0.5 THEN 'strong' ELSE 'weak' END AS kind, "
       f"count(*) AS n {A_SQL} WHERE x.level >= 4 GROUP BY 1"),
    # ---- property maps
    q3("graph_prop_param", "SELECT t.title FROM MATCH graph "
       "(x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task)",
       f"SELECT t.title {A_SQL} WHERE x.id = $agent", {"agent": 44}),
    q3("graph_prop_literals", "SELECT x.id AS agent, t.id AS task FROM MATCH graph "
       "(t:Task {status: 'blocked'})<-[:ASSIGNED_TO]-(x:Agent {team: 'core'})",
       f"SELECT x.id AS agent, t.id AS task {A_SQL} "
       "WHERE t.status = 'blocked' AND x.team = 'core'"),
    q3("graph_prop_two_keys", "SELECT t.id, t.title FROM MATCH graph "
       "(t:Task {status: $status, priority: 5})",
       "SELECT t.id, t.title FROM graph.Task t WHERE t.status = $status AND t.priority = 5",
       {"status": "pending"}),
    q3("graph_prop_map_and_where", "SELECT t.id AS task, r.weight FROM MATCH graph "
       "(x:Agent {team: $team})-[r:ASSIGNED_TO]->(t:Task) WHERE t.priority <= 2",
       f"SELECT t.id AS task, r.weight {A_SQL} WHERE x.team = $team AND t.priority <= 2",
       {"team": "infra"}),
    q3("graph_prop_awkward_string", "SELECT t.id AS task FROM MATCH graph "
       "(x:Agent {name: 'O''Brien'})-[:ASSIGNED_TO]->(t:Task)",
       f"SELECT t.id AS task {A_SQL} WHERE x.name = 'O''Brien'"),
    # ---- two and three hops, comma patterns sharing a node
    q3("graph_2hop", "SELECT t.id AS task, u.id AS dep, u.status FROM MATCH graph "
       "(x:Agent)-[:ASSIGNED_TO]->(t:Task)-[:DEPENDS_ON]->(u:Task) WHERE x.id = $agent",
       f"SELECT t.id AS task, u.id AS dep, u.status FROM {assigned()} "
       "JOIN graph.DEPENDS_ON e ON e.src = t.id JOIN graph.Task u ON u.id = e.dst "
       "WHERE x.id = $agent", {"agent": 60}),
    q3("graph_2hop_coassigned", "SELECT a.id AS a_id, b.id AS b_id, t.id AS task "
       "FROM MATCH graph (a:Agent)-[:ASSIGNED_TO]->(t:Task)<-[:ASSIGNED_TO]-(b:Agent) "
       "WHERE a.id < b.id AND t.priority = 1",
       f"SELECT a.id AS a_id, b.id AS b_id, t.id AS task FROM {assigned('a', 't', 'r1')} "
       "JOIN graph.ASSIGNED_TO r2 ON r2.dst = t.id JOIN graph.Agent b ON b.id = r2.src "
       "WHERE a.id < b.id AND t.priority = 1"),
    q3("graph_3hop_chain", "SELECT a.id AS a_id, d.id AS d_id FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON]->(b:Task)-[:DEPENDS_ON]->(c:Task)-[:DEPENDS_ON]->(d:Task) "
       "WHERE a.id <= 150",
       f"SELECT a.id AS a_id, d.id AS d_id FROM {depends('a', 'b', 'e1')} "
       "JOIN graph.DEPENDS_ON e2 ON e2.src = b.id JOIN graph.Task c ON c.id = e2.dst "
       "JOIN graph.DEPENDS_ON e3 ON e3.src = c.id JOIN graph.Task d ON d.id = e3.dst "
       "WHERE a.id <= 150"),
    q3("graph_2hop_mixed_direction", "SELECT t.id AS task, u.id AS other FROM MATCH graph "
       "(x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task)-[:DEPENDS_ON]-(u:Task)",
       f"SELECT t.id AS task, u.id AS other FROM {assigned()} JOIN (SELECT src AS y, dst AS z "
       "FROM graph.DEPENDS_ON UNION ALL SELECT dst, src FROM graph.DEPENDS_ON) AS e "
       "ON e.y = t.id JOIN graph.Task u ON u.id = e.z WHERE x.id = $agent",
       {"agent": 77}),
    q3("graph_comma_shared_task", "SELECT x.id AS agent, t.id AS task, u.id AS dep "
       "FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task), (t)-[:DEPENDS_ON]->(u:Task) "
       "WHERE u.status = 'blocked' AND x.level >= 5",
       f"SELECT x.id AS agent, t.id AS task, u.id AS dep FROM {assigned()} "
       "JOIN graph.DEPENDS_ON e ON e.src = t.id JOIN graph.Task u ON u.id = e.dst "
       "WHERE u.status = 'blocked' AND x.level >= 5"),
    q3("graph_comma_same_team", "SELECT x.id AS x_id, y.id AS y_id, t.id AS task "
       "FROM MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task), (y:Agent)-[:ASSIGNED_TO]->(t) "
       "WHERE x.id < y.id AND x.team = y.team",
       f"SELECT x.id AS x_id, y.id AS y_id, t.id AS task FROM {assigned('x', 't', 'r1')} "
       "JOIN graph.ASSIGNED_TO r2 ON r2.dst = t.id JOIN graph.Agent y ON y.id = r2.src "
       "WHERE x.id < y.id AND x.team = y.team"),
    q3("graph_anonymous_end", "SELECT x.id AS agent, count(*) AS n FROM MATCH graph "
       "(x:Agent)-[:ASSIGNED_TO]->() GROUP BY x.id",
       "SELECT x.id AS agent, count(*) AS n FROM graph.Agent x "
       "JOIN graph.ASSIGNED_TO r ON r.src = x.id GROUP BY x.id"),
    q3("graph_anonymous_middle", "SELECT x.id AS agent, u.id AS dep FROM MATCH graph "
       "(x:Agent)-[:ASSIGNED_TO]->()-[:DEPENDS_ON]->(u:Task) WHERE x.team = 'ml'",
       "SELECT x.id AS agent, u.id AS dep FROM graph.Agent x "
       "JOIN graph.ASSIGNED_TO r ON r.src = x.id JOIN graph.DEPENDS_ON e ON e.src = r.dst "
       "JOIN graph.Task u ON u.id = e.dst WHERE x.team = 'ml'"),
    # ---- variable-length paths (one row per path)
    q3("graph_var_1_2_param", "SELECT b.id, b.title FROM MATCH graph "
       "(a:Task {id: $task})-[:DEPENDS_ON*1..2]->(b:Task)",
       f"SELECT b.id, b.title FROM graph.Task a JOIN {walks('DEPENDS_ON', 1, 2)} "
       "ON p.src = a.id JOIN graph.Task b ON b.id = p.dst WHERE a.id = $task",
       {"task": 620}),
    q3("graph_var_design", "SELECT b.title FROM MATCH graph "
       "(a:Task {id: 542})-[:DEPENDS_ON*1..3]->(b:Task)",
       f"SELECT b.title FROM graph.Task a JOIN {walks('DEPENDS_ON', 1, 3)} ON p.src = a.id "
       "JOIN graph.Task b ON b.id = p.dst WHERE a.id = 542"),
    q3("graph_var_2_3", "SELECT a.id AS a_id, b.id AS b_id FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON*2..3]->(b:Task) WHERE a.id <= 120",
       f"SELECT a.id AS a_id, b.id AS b_id FROM graph.Task a "
       f"JOIN {walks('DEPENDS_ON', 2, 3)} ON p.src = a.id JOIN graph.Task b ON b.id = p.dst "
       "WHERE a.id <= 120"),
    q3("graph_var_1_1", "SELECT a.id AS a_id, b.id AS b_id FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON*1..1]->(b:Task) WHERE b.priority = 2 AND a.id < 300",
       f"SELECT a.id AS a_id, b.id AS b_id FROM {depends()} "
       "WHERE b.priority = 2 AND a.id < 300"),
    q3("graph_var_left", "SELECT a.id AS a_id FROM MATCH graph "
       "(b:Task {id: $task})<-[:DEPENDS_ON*1..2]-(a:Task)",
       f"SELECT a.id AS a_id FROM graph.Task a JOIN {walks('DEPENDS_ON', 1, 2)} "
       "ON p.src = a.id JOIN graph.Task b ON b.id = p.dst WHERE b.id = $task",
       {"task": 528}),
    q3("graph_var_count_per_start", "SELECT a.id AS a_id, count(*) AS paths FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON*1..3]->(b:Task) WHERE a.status = 'blocked' GROUP BY a.id",
       f"SELECT a.id AS a_id, count(*) AS paths FROM graph.Task a "
       f"JOIN {walks('DEPENDS_ON', 1, 3)} ON p.src = a.id JOIN graph.Task b ON b.id = p.dst "
       "WHERE a.status = 'blocked' GROUP BY a.id"),
    q3("graph_var_after_assigned", "SELECT t.id AS task, u.id AS dep FROM MATCH graph "
       "(x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task)-[:DEPENDS_ON*1..2]->(u:Task)",
       f"SELECT t.id AS task, u.id AS dep FROM {assigned()} "
       f"JOIN {walks('DEPENDS_ON', 1, 2)} ON p.src = t.id JOIN graph.Task u ON u.id = p.dst "
       "WHERE x.id = $agent", {"agent": 96}),
    q3("graph_var_filter_end", "SELECT a.id AS a_id, b.id AS b_id FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON*1..2]->(b:Task) WHERE b.status = 'blocked' AND b.priority = 5",
       f"SELECT a.id AS a_id, b.id AS b_id FROM graph.Task a "
       f"JOIN {walks('DEPENDS_ON', 1, 2)} ON p.src = a.id JOIN graph.Task b ON b.id = p.dst "
       "WHERE b.status = 'blocked' AND b.priority = 5"),
    # ---- node filters, ordering, aggregates
    q3("graph_filter_pushed", f"SELECT x.id AS agent, t.id AS task {A} WHERE x.team = 'core' "
       "AND t.status IN ('pending', 'active') AND t.priority >= 3",
       f"SELECT x.id AS agent, t.id AS task {A_SQL} WHERE x.team = 'core' "
       "AND t.status IN ('pending', 'active') AND t.priority >= 3"),
    q3("graph_filter_or", f"SELECT x.id AS agent, t.id AS task {A} "
       "WHERE x.level = 7 OR t.priority = 1 AND r.weight > 0.8",
       f"SELECT x.id AS agent, t.id AS task {A_SQL} "
       "WHERE x.level = 7 OR t.priority = 1 AND r.weight > 0.8"),
    q3("graph_filter_like", f"SELECT t.id AS task, t.title {A} "
       "WHERE t.title LIKE 'Fix%' AND x.name NOT LIKE '%a%'",
       f"SELECT t.id AS task, t.title {A_SQL} "
       "WHERE t.title LIKE 'Fix%' AND x.name NOT LIKE '%a%'"),
    q3("graph_team_is_null", f"SELECT x.id AS agent, t.id AS task, x.team {A} "
       "WHERE x.team IS NULL",
       f"SELECT x.id AS agent, t.id AS task, x.team {A_SQL} WHERE x.team IS NULL"),
    q3("graph_team_not_in", f"SELECT count(*) AS n {A} WHERE x.team NOT IN ('core', 'infra')",
       f"SELECT count(*) AS n {A_SQL} WHERE x.team NOT IN ('core', 'infra')"),
    q3("graph_agg_team", f"SELECT x.team, count(*) AS n, avg(r.weight) AS w, "
       f"min(r.since) AS first_since {A} GROUP BY x.team",
       f"SELECT x.team, count(*) AS n, avg(r.weight) AS w, min(r.since) AS first_since "
       f"{A_SQL} GROUP BY x.team"),
    q3("graph_agg_having", f"SELECT x.id AS agent, count(*) AS n {A} GROUP BY x.id "
       "HAVING count(*) >= 18",
       f"SELECT x.id AS agent, count(*) AS n {A_SQL} GROUP BY x.id HAVING count(*) >= 18"),
    q3("graph_agg_count_distinct", f"SELECT t.status, count(DISTINCT x.id) AS agents, "
       f"count(*) AS n {A} GROUP BY t.status",
       f"SELECT t.status, count(DISTINCT x.id) AS agents, count(*) AS n {A_SQL} "
       "GROUP BY t.status"),
    q3("graph_order_limit", f"SELECT x.id AS agent, t.id AS task, r.weight {A} "
       "ORDER BY r.weight DESC, x.id, t.id LIMIT 10",
       f"SELECT x.id AS agent, t.id AS task, r.weight {A_SQL} "
       "ORDER BY r.weight DESC, x.id, t.id LIMIT 10", ordered=True),
    q3("graph_order_offset", "SELECT t.id AS task, t.priority FROM MATCH graph "
       "(t:Task)<-[:DEPENDS_ON]-(a:Task) ORDER BY t.priority DESC, t.id, a.id LIMIT 5 OFFSET 5",
       "SELECT t.id AS task, t.priority FROM graph.Task a JOIN graph.DEPENDS_ON e "
       "ON e.src = a.id JOIN graph.Task t ON t.id = e.dst "
       "ORDER BY t.priority DESC, t.id, a.id LIMIT 5 OFFSET 5", ordered=True),
    q3("graph_distinct", f"SELECT DISTINCT x.team {A} WHERE t.status = 'blocked'",
       f"SELECT DISTINCT x.team {A_SQL} WHERE t.status = 'blocked'"),
    q3("graph_derived", "SELECT s.agent, s.n FROM (SELECT x.id AS agent, count(*) AS n "
       f"{A} GROUP BY x.id) AS s WHERE s.n > 17",
       f"SELECT s.agent, s.n FROM (SELECT x.id AS agent, count(*) AS n {A_SQL} "
       "GROUP BY x.id) AS s WHERE s.n > 17"),
    q3("graph_derived_limit_postfilter", "SELECT m.agent, m.task FROM (SELECT x.id AS agent, "
       f"t.id AS task, t.status {A} ORDER BY x.id, t.id LIMIT 50) AS m "
       "WHERE m.status = 'done'",
       f"SELECT m.agent, m.task FROM (SELECT x.id AS agent, t.id AS task, t.status {A_SQL} "
       "ORDER BY x.id, t.id LIMIT 50) AS m WHERE m.status = 'done'"),
    q3("graph_derived_count_paths", "SELECT m.n FROM (SELECT count(*) AS n FROM MATCH graph "
       "(a:Task)-[:DEPENDS_ON*1..3]->(b:Task)) AS m",
       f"SELECT m.n FROM (SELECT count(*) AS n FROM {walks('DEPENDS_ON', 1, 3)}) AS m"),
    # ---- LIKE, pushed into Cypher (cypher.like_form): prefix, suffix, infix, equality, regex
    *[q3(f"graph_like_{name}", f"SELECT x.id, x.name, x.team FROM MATCH graph (x:Agent) "
         f"WHERE {cond}", f"SELECT x.id, x.name, x.team FROM graph.Agent x WHERE {cond}",
         params)
      for name, cond, params in [
          ("prefix", "x.name LIKE 'Sophie%'", {}),
          ("suffix", "x.name LIKE '%Borg'", {}),
          ("contains", "x.name LIKE '%an%'", {}),
          ("exact", "x.name LIKE 'Ada Bartik'", {}),
          ("underscore", "x.name LIKE 'S_afi %'", {}),
          ("interior_percent", "x.name LIKE 'A%a%'", {}),
          ("not_like_nulls", "x.team NOT LIKE '%a%'", {}),
          ("nulls_or", "(x.team LIKE 'd%' OR x.team IS NULL)", {}),
          ("percent_in_value", "x.name LIKE '%0%%'", {}),
          ("underscore_in_value", "x.name LIKE '%_off'", {}),
          ("quote_backslash", "(x.name LIKE 'O''B%' OR x.name LIKE $p)", {"p": "%k\\s%"}),
          ("unicode", "(x.name LIKE 'Zo_ %' OR x.name LIKE '日本%' OR x.name LIKE '%🚀_%')", {}),
          ("case", "x.name LIKE 'sophie%'", {}),
          ("param", "x.name NOT LIKE $p", {"p": "%e%"}),
      ]],
    q3("graph_like_title_hop", f"SELECT x.id AS agent, t.id AS task {A} "
       "WHERE t.title LIKE 'Fix%#1_' AND x.name NOT LIKE '%z%'",
       f"SELECT x.id AS agent, t.id AS task {A_SQL} "
       "WHERE t.title LIKE 'Fix%#1_' AND x.name NOT LIKE '%z%'"),
]
