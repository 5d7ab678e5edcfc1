"""Probes of what a source may run: expressions whose meaning differs between a source's
native language and DuckDB (integer division, CAST rounding, string functions over non-ASCII
text, NULLs, dates and intervals), several fragments on one source, SELECT * over graph and
vector relations, and filters that must *not* become NEAREST prefilters."""

from __future__ import annotations

from .record import Q3, Q_NEAR, Q_OTHER, assigned, depends, nearest, q3

Q = {"q": Q_NEAR}
A = "FROM MATCH graph (x:Agent)-[r:ASSIGNED_TO]->(t:Task)"
A_SQL = f"FROM {assigned()}"
W_NOTE, W_LOG = "kind = 'note'", "kind = 'log'"

QUERIES: list[Q3] = [
    # ---- expressions in filters over graph variables (Cypher differs from SQL here)
    q3("graph_push_int_division", "SELECT t.id FROM MATCH graph (t:Task) "
       "WHERE t.priority / 2 > 2 AND t.id < 200",
       "SELECT t.id FROM graph.Task t WHERE t.priority / 2 > 2 AND t.id < 200"),
    q3("graph_push_cast_rounding", "SELECT x.id, x.level FROM MATCH graph (x:Agent) "
       "WHERE CAST(x.level * 0.5 AS INTEGER) = 3",
       "SELECT x.id, x.level FROM graph.Agent x WHERE CAST(x.level * 0.5 AS INTEGER) = 3"),
    q3("graph_push_string_functions", "SELECT x.id, length(x.name) AS len, upper(x.name) AS up "
       "FROM MATCH graph (x:Agent) WHERE lower(x.name) LIKE '%ada%' OR length(x.name) < 9",
       "SELECT x.id, length(x.name) AS len, upper(x.name) AS up FROM graph.Agent x "
       "WHERE lower(x.name) LIKE '%ada%' OR length(x.name) < 9"),
    q3("graph_push_substr_concat", "SELECT t.id, substr(t.title, 1, 3) || '/' || t.status AS s "
       "FROM MATCH graph (t:Task) WHERE substr(t.title, 1, 3) = 'Fix' AND t.priority = 4",
       "SELECT t.id, substr(t.title, 1, 3) || '/' || t.status AS s FROM graph.Task t "
       "WHERE substr(t.title, 1, 3) = 'Fix' AND t.priority = 4"),
    q3("graph_push_coalesce_null", "SELECT x.id, coalesce(x.team, 'none') AS team FROM MATCH "
       "graph (x:Agent) WHERE coalesce(x.team, 'none') = 'none' OR x.team = 'docs'",
       "SELECT x.id, coalesce(x.team, 'none') AS team FROM graph.Agent x "
       "WHERE coalesce(x.team, 'none') = 'none' OR x.team = 'docs'"),
    q3("graph_push_not_equal_null", "SELECT count(*) AS n FROM MATCH graph (x:Agent) "
       "WHERE NOT (x.team = 'core') AND x.team <> 'infra'",
       "SELECT count(*) AS n FROM graph.Agent x WHERE NOT (x.team = 'core') "
       "AND x.team <> 'infra'"),
    q3("graph_push_case_filter", f"SELECT t.id AS task, r.weight {A} WHERE CASE WHEN "
       "t.priority >= 4 THEN r.weight ELSE 1 - r.weight END > 0.95",
       f"SELECT t.id AS task, r.weight {A_SQL} WHERE CASE WHEN "
       "t.priority >= 4 THEN r.weight ELSE 1 - r.weight END > 0.95"),
    q3("graph_push_extract_interval", f"SELECT x.id AS agent, t.id AS task {A} "
       "WHERE extract(month FROM r.since) = 2 AND r.since + INTERVAL 30 DAY > DATE '2023-03-01'",
       f"SELECT x.id AS agent, t.id AS task {A_SQL} "
       "WHERE extract(month FROM r.since) = 2 AND r.since + INTERVAL 30 DAY > DATE '2023-03-01'"),
    q3("graph_push_null_param", "SELECT x.id FROM MATCH graph (x:Agent {team: $team})",
       "SELECT x.id FROM graph.Agent x WHERE x.team = $team", {"team": None}),
    q3("graph_push_modulo_abs", "SELECT t.id FROM MATCH graph (t:Task) "
       "WHERE t.id % 97 = 0 OR abs(t.priority - 3) > 1 AND t.id < 40",
       "SELECT t.id FROM graph.Task t WHERE t.id % 97 = 0 OR abs(t.priority - 3) > 1 "
       "AND t.id < 40"),
    q3("graph_push_order_nulls", "SELECT x.id, x.team FROM MATCH graph (x:Agent) "
       "WHERE x.level = 3 OR x.team IS NULL ORDER BY x.team DESC NULLS FIRST, x.id",
       "SELECT x.id, x.team FROM graph.Agent x WHERE x.level = 3 OR x.team IS NULL "
       "ORDER BY x.team DESC NULLS FIRST, x.id", ordered=True),
    # ---- star, repeated labels, several fragments on one source
    q3("graph_star_node", "SELECT * FROM MATCH graph (t:Task) WHERE t.id < 6",
       "SELECT * FROM graph.Task t WHERE t.id < 6"),
    q3("graph_qualified_star", "SELECT x.*, r.weight FROM MATCH graph "
       "(x:Agent)-[r:ASSIGNED_TO]->(t:Task {id: 33})",
       "SELECT x.*, r.weight FROM graph.Agent x JOIN graph.ASSIGNED_TO r ON r.src = x.id "
       "WHERE r.dst = 33"),
    q3("graph_repeated_label", "SELECT x.id AS agent, u.id AS dep FROM MATCH graph "
       "(x:Agent)-[:ASSIGNED_TO]->(t:Task), (t:Task)-[:DEPENDS_ON]->(u:Task) WHERE x.id = 44",
       f"SELECT x.id AS agent, u.id AS dep {A_SQL} JOIN graph.DEPENDS_ON e ON e.src = t.id "
       "JOIN graph.Task u ON u.id = e.dst WHERE x.id = 44"),
    q3("graph_named_var_length", "SELECT b.id FROM MATCH graph "
       "(a:Task {id: 620})-[p:DEPENDS_ON*1..2]->(b:Task) WHERE b.priority > 2",
       "SELECT b.id FROM graph.Task a JOIN (SELECT e1.src, e1.dst FROM graph.DEPENDS_ON e1 "
       "UNION ALL SELECT e1.src, e2.dst FROM graph.DEPENDS_ON e1 JOIN graph.DEPENDS_ON e2 "
       "ON e2.src = e1.dst) AS p ON p.src = a.id JOIN graph.Task b ON b.id = p.dst "
       "WHERE a.id = 620 AND b.priority > 2"),
    q3("graph_two_matches_joined", "SELECT x.id AS agent, b.id AS dep FROM MATCH graph "
       "(x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task) JOIN MATCH graph "
       "(a:Task)-[:DEPENDS_ON]->(b:Task) ON a.id = t.id",
       f"SELECT x.id AS agent, b.id AS dep {A_SQL} JOIN ({depends()}) ON a.id = t.id "
       "WHERE x.id = $agent", {"agent": 60}),
    # ---- LanceDB filters whose pushdown must keep DuckDB's meaning
    q3("lance_push_unicode_like", "SELECT k.id, k.text FROM docs.knowledge AS k "
       "WHERE k.text LIKE '%🚀%' OR k.text LIKE '日本%'",
       "SELECT k.id, k.text FROM docs.knowledge k "
       "WHERE k.text LIKE '%🚀%' OR k.text LIKE '日本%'"),
    q3("lance_push_not_forms", "SELECT k.id FROM docs.knowledge AS k WHERE k.kind NOT IN "
       "('note', 'comment', 'log') AND k.created NOT BETWEEN DATE '2020-03-01' AND "
       "DATE '2023-10-31' AND k.text NOT LIKE '%latency%'",
       "SELECT k.id FROM docs.knowledge k WHERE k.kind NOT IN ('note', 'comment', 'log') "
       "AND k.created NOT BETWEEN DATE '2020-03-01' AND DATE '2023-10-31' "
       "AND k.text NOT LIKE '%latency%'"),
    q3("lance_push_arith_lower", "SELECT k.id, k.kind FROM docs.knowledge AS k "
       "WHERE k.task_id % 50 = 7 AND lower(k.kind) <> 'note'",
       "SELECT k.id, k.kind FROM docs.knowledge k WHERE k.task_id % 50 = 7 "
       "AND lower(k.kind) <> 'note'"),
    q3("lance_star_filtered", "SELECT k.* FROM docs.knowledge AS k WHERE k.task_id = 33",
       "SELECT k.* FROM docs.knowledge k WHERE k.task_id = 33"),
    # ---- NEAREST: K beyond the table, two searches, filters that are not the alias's own
    q3("vector_k_beyond_rows", "SELECT count(*) AS n, max(k._distance) AS max_dist FROM "
       "NEAREST docs.knowledge TO $q K 5000 AS k",
       f"SELECT count(*) AS n, max(k._distance) AS max_dist FROM {nearest(5000)}", Q),
    q3("vector_two_searches_joined", "SELECT k1.id AS a_id, k2.id AS b_id FROM NEAREST "
       "docs.knowledge TO $q K 100 AS k1 JOIN NEAREST docs.knowledge TO $q2 K 300 AS k2 "
       "ON k1.agent_id = k2.agent_id WHERE k1.kind = 'note' AND k2.kind = 'log'",
       f"SELECT k1.id AS a_id, k2.id AS b_id FROM {nearest(100, 'k1', W_NOTE)} "
       f"JOIN {nearest(300, 'k2', W_LOG, 'q2')} ON k1.agent_id = k2.agent_id",
       {"q": Q_NEAR, "q2": Q_OTHER}),
    q3("sl_left_anti_nearest", "SELECT t.id FROM crm.tasks t LEFT JOIN NEAREST docs.knowledge "
       "TO $q K 200 AS k ON k.task_id = t.id WHERE k.id IS NULL AND t.priority = 5 "
       "AND t.status = 'blocked'",
       f"SELECT t.id FROM crm.tasks t LEFT JOIN {nearest(200)} ON k.task_id = t.id "
       "WHERE k.id IS NULL AND t.priority = 5 AND t.status = 'blocked'", Q),
    q3("sl_where_or_across", "SELECT k.id, a.id AS agent FROM NEAREST docs.knowledge TO $q "
       "K 30 AS k JOIN crm.agents a ON a.id = k.agent_id WHERE k.kind = 'note' "
       "OR a.level = 6",
       f"SELECT k.id, a.id AS agent FROM {nearest(30)} JOIN crm.agents a "
       "ON a.id = k.agent_id WHERE k.kind = 'note' OR a.level = 6", Q),
    # ---- top-N into Kuzu (ORDER BY … LIMIT with NULL placement written as ``x IS NULL`` keys)
    q3("graph_topn_nulls_last", "SELECT x.id, x.team FROM MATCH graph (x:Agent) "
       "ORDER BY x.team, x.id LIMIT 200",
       "SELECT x.id, x.team FROM graph.Agent x ORDER BY x.team, x.id LIMIT 200", ordered=True),
    q3("graph_topn_desc_nulls_first", "SELECT x.id, x.team FROM MATCH graph (x:Agent) "
       "ORDER BY x.team DESC NULLS FIRST, x.id DESC LIMIT 5",
       "SELECT x.id, x.team FROM graph.Agent x ORDER BY x.team DESC NULLS FIRST, x.id DESC "
       "LIMIT 5", ordered=True),
    q3("graph_topn_desc_default", "SELECT x.id, x.team FROM MATCH graph (x:Agent) "
       "ORDER BY x.team DESC, x.id LIMIT 4",
       "SELECT x.id, x.team FROM graph.Agent x ORDER BY x.team DESC, x.id LIMIT 4",
       ordered=True),
    q3("graph_topn_edge_date_offset", f"SELECT x.id AS agent, t.id AS task, r.since {A} "
       "ORDER BY r.since DESC, t.id, x.id LIMIT 6 OFFSET 3",
       f"SELECT x.id AS agent, t.id AS task, r.since {A_SQL} "
       "ORDER BY r.since DESC, t.id, x.id LIMIT 6 OFFSET 3", ordered=True),
    q3("graph_topn_strings_filtered", "SELECT t.title, t.id FROM MATCH graph (t:Task) "
       "WHERE t.priority >= 3 ORDER BY t.title DESC, t.id LIMIT 7",
       "SELECT t.title, t.id FROM graph.Task t WHERE t.priority >= 3 "
       "ORDER BY t.title DESC, t.id LIMIT 7", ordered=True),
    q3("graph_topn_float_key_stays", f"SELECT t.id AS task, r.weight {A} "
       "ORDER BY r.weight DESC, t.id, x.id LIMIT 5",
       f"SELECT t.id AS task, r.weight {A_SQL} ORDER BY r.weight DESC, t.id, x.id LIMIT 5",
       ordered=True),
    # ---- aggregates into Kuzu (RETURN with implicit grouping)
    q3("graph_agg_null_groups", "SELECT x.team, count(*) AS n, count(x.team) AS named, "
       "sum(x.level) AS s, avg(x.level) AS a, min(x.name) AS lo, max(x.name) AS hi "
       "FROM MATCH graph (x:Agent) GROUP BY x.team",
       "SELECT x.team, count(*) AS n, count(x.team) AS named, sum(x.level) AS s, "
       "avg(x.level) AS a, min(x.name) AS lo, max(x.name) AS hi FROM graph.Agent x "
       "GROUP BY x.team"),
    q3("graph_agg_empty_global", f"SELECT count(*) AS n, sum(r.weight) AS w, "
       f"max(r.since) AS last, min(t.title) AS first {A} WHERE x.id < 0",
       f"SELECT count(*) AS n, sum(r.weight) AS w, max(r.since) AS last, "
       f"min(t.title) AS first {A_SQL} WHERE x.id < 0"),
    q3("graph_agg_empty_grouped", "SELECT t.status, count(*) AS n FROM MATCH graph (t:Task) "
       "WHERE t.id < 0 GROUP BY t.status",
       "SELECT t.status, count(*) AS n FROM graph.Task t WHERE t.id < 0 GROUP BY t.status"),
    q3("graph_agg_edge_having", f"SELECT x.id AS agent, count(*) AS n, avg(r.weight) AS w {A} "
       "WHERE t.priority > 1 GROUP BY x.id HAVING count(*) > 8",
       f"SELECT x.id AS agent, count(*) AS n, avg(r.weight) AS w {A_SQL} "
       "WHERE t.priority > 1 GROUP BY x.id HAVING count(*) > 8"),
    q3("graph_agg_two_keys_dates", f"SELECT t.status, t.priority, count(*) AS n, "
       f"min(r.since) AS first, max(r.since) AS last {A} GROUP BY t.status, t.priority",
       f"SELECT t.status, t.priority, count(*) AS n, min(r.since) AS first, "
       f"max(r.since) AS last {A_SQL} GROUP BY t.status, t.priority"),
]
