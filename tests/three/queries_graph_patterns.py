"""Graph-pattern forms of issue 10 item 5 against the DuckDB oracle: ``OPTIONAL MATCH`` (a
LEFT JOIN of the optional part, on the nodes it shares, under its own property maps).

Oracle spelling: ``<required> LEFT JOIN (<optional part's joins>) ON <shared keys> AND
<its property maps>``; a later WHERE filters the joined rows, NULLs included."""

from __future__ import annotations

from .record import Q3, assigned, q3, undirected_depends

T_DEPS = "MATCH graph (t:Task) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task)"
U_BLOCKED = "u.status = 'blocked'"
T_BLOCKED = "t.status = 'blocked'"
T_BLOCKED_5 = "t.status = 'blocked' AND t.priority = 5"


def deps(on: str = "TRUE", t: str = "t", u: str = "u", e: str = "e") -> str:
    """``(t) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task)`` with extra ON conditions."""
    return (f"graph.Task {t} LEFT JOIN (graph.DEPENDS_ON {e} JOIN graph.Task {u} "
            f"ON {u}.id = {e}.dst) ON {e}.src = {t}.id AND {on}")


def assigned_opt(on: str = "TRUE") -> str:
    """``(x:Agent) OPTIONAL MATCH (x)-[r:ASSIGNED_TO]->(t:Task)`` with extra ON conditions."""
    return ("graph.Agent x LEFT JOIN (graph.ASSIGNED_TO r JOIN graph.Task t ON t.id = r.dst) "
            f"ON r.src = x.id AND {on}")


OPTIONAL: list[Q3] = [
    q3("graph_opt_deps", f"SELECT t.id AS task, u.id AS dep FROM {T_DEPS} WHERE t.id < 60",
       f"SELECT t.id AS task, u.id AS dep FROM {deps()} WHERE t.id < 60"),
    q3("graph_opt_leaf_tasks", f"SELECT count(*) AS n FROM {T_DEPS} WHERE u.id IS NULL",
       f"SELECT count(*) AS n FROM {deps()} WHERE u.id IS NULL"),
    q3("graph_opt_count_per_task", f"SELECT t.id AS task, count(u.id) AS n, count(*) AS n_rows "
       f"FROM {T_DEPS} WHERE t.priority = 5 GROUP BY t.id",
       f"SELECT t.id AS task, count(u.id) AS n, count(*) AS n_rows FROM {deps()} "
       "WHERE t.priority = 5 GROUP BY t.id"),
    q3("graph_opt_new_node_map", "SELECT t.id AS task, u.id AS dep, u.status FROM MATCH graph "
       "(t:Task) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task {status: 'blocked'}) "
       "WHERE t.id BETWEEN 100 AND 180",
       f"SELECT t.id AS task, u.id AS dep, u.status FROM {deps(U_BLOCKED)} "
       "WHERE t.id BETWEEN 100 AND 180"),
    q3("graph_opt_bound_node_map", "SELECT t.id AS task, t.priority, u.id AS dep FROM MATCH "
       "graph (t:Task) OPTIONAL MATCH (t {priority: 5})-[:DEPENDS_ON]->(u:Task) "
       "WHERE t.id < 80",
       f"SELECT t.id AS task, t.priority, u.id AS dep FROM {deps('t.priority = 5')} "
       "WHERE t.id < 80"),
    q3("graph_opt_param_map", "SELECT t.id AS task, u.title FROM MATCH graph (t:Task) "
       "OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task {priority: $p}) WHERE t.status = $s",
       f"SELECT t.id AS task, u.title FROM {deps('u.priority = $p')} WHERE t.status = $s",
       {"p": 1, "s": "blocked"}),
    q3("graph_opt_rel_props", "SELECT x.id AS agent, t.id AS task, r.weight, r.since "
       "FROM MATCH graph (x:Agent) OPTIONAL MATCH (x)-[r:ASSIGNED_TO]->"
       "(t:Task {status: 'blocked', priority: 5})",
       "SELECT x.id AS agent, t.id AS task, r.weight, r.since FROM "
       f"{assigned_opt(T_BLOCKED_5)}"),
    q3("graph_opt_where_keeps_nulls", "SELECT x.id AS agent, t.id AS task FROM MATCH graph "
       "(x:Agent) OPTIONAL MATCH (x)-[r:ASSIGNED_TO]->(t:Task {status: 'blocked'}) "
       "WHERE r.weight > 0.8 OR r.weight IS NULL",
       f"SELECT x.id AS agent, t.id AS task FROM {assigned_opt(T_BLOCKED)} "
       "WHERE r.weight > 0.8 OR r.weight IS NULL"),
    q3("graph_opt_where_drops_nulls", f"SELECT t.id AS task, u.id AS dep FROM {T_DEPS} "
       "WHERE u.priority >= 4 AND t.priority <= 2",
       f"SELECT t.id AS task, u.id AS dep FROM {deps()} WHERE u.priority >= 4 "
       "AND t.priority <= 2"),
    q3("graph_opt_two_parts", "SELECT x.id AS agent, t.id AS task, u.id AS dep FROM MATCH "
       "graph (x:Agent {team: 'core'}) OPTIONAL MATCH (x)-[:ASSIGNED_TO]->"
       "(t:Task {status: 'blocked'}) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task)",
       "SELECT x.id AS agent, t.id AS task, u.id AS dep FROM "
       f"{assigned_opt(T_BLOCKED)} LEFT JOIN (graph.DEPENDS_ON e "
       "JOIN graph.Task u ON u.id = e.dst) ON e.src = t.id WHERE x.team = 'core'"),
    q3("graph_opt_chain_part", "SELECT t.id AS task, u.id AS mid, v.id AS far FROM MATCH "
       "graph (t:Task) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task)-[:DEPENDS_ON]->"
       "(v:Task {priority: 5}) WHERE t.id < 150",
       "SELECT t.id AS task, u.id AS mid, v.id AS far FROM graph.Task t LEFT JOIN "
       "(graph.DEPENDS_ON e JOIN graph.Task u ON u.id = e.dst JOIN graph.DEPENDS_ON f "
       "ON f.src = u.id JOIN graph.Task v ON v.id = f.dst AND v.priority = 5) "
       "ON e.src = t.id WHERE t.id < 150"),
    q3("graph_opt_comma_part", "SELECT t.id AS task, u.id AS dep, y.id AS agent FROM MATCH "
       "graph (t:Task {priority: 4}) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task), "
       "(u)<-[:ASSIGNED_TO]-(y:Agent {team: 'infra'})",
       "SELECT t.id AS task, u.id AS dep, y.id AS agent FROM graph.Task t LEFT JOIN "
       "(graph.DEPENDS_ON e JOIN graph.Task u ON u.id = e.dst JOIN graph.ASSIGNED_TO r "
       "ON r.dst = u.id JOIN graph.Agent y ON y.id = r.src AND y.team = 'infra') "
       "ON e.src = t.id WHERE t.priority = 4"),
    q3("graph_opt_backward", "SELECT t.id AS task, count(u.id) AS dependents FROM MATCH "
       "graph (t:Task) OPTIONAL MATCH (t)<-[:DEPENDS_ON]-(u:Task {status: 'pending'}) "
       "GROUP BY t.id",
       "SELECT t.id AS task, count(u.id) AS dependents FROM graph.Task t LEFT JOIN "
       "(graph.DEPENDS_ON e JOIN graph.Task u ON u.id = e.src AND u.status = 'pending') "
       "ON e.dst = t.id GROUP BY t.id"),
    q3("graph_opt_undirected", "SELECT t.id AS task, u.id AS other FROM MATCH graph "
       "(t:Task) OPTIONAL MATCH (t)-[:DEPENDS_ON]-(u:Task {priority: 5}) WHERE t.id < 70",
       "SELECT t.id AS task, u.id AS other FROM graph.Task t LEFT JOIN ((SELECT src AS a, "
       "dst AS b FROM graph.DEPENDS_ON UNION ALL SELECT dst, src FROM graph.DEPENDS_ON) e "
       "JOIN graph.Task u ON u.id = e.b AND u.priority = 5) ON e.a = t.id WHERE t.id < 70"),
    q3("graph_opt_var_length", "SELECT t.id AS task, u.id AS dep FROM MATCH graph (t:Task) "
       "OPTIONAL MATCH (t)-[:DEPENDS_ON*1..2]->(u:Task {status: 'done'}) WHERE t.id < 120",
       "SELECT t.id AS task, u.id AS dep FROM graph.Task t LEFT JOIN ((WITH RECURSIVE "
       "w(src, dst, depth) AS (SELECT src, dst, 1 FROM graph.DEPENDS_ON UNION ALL "
       "SELECT w.src, e.dst, w.depth + 1 FROM w JOIN graph.DEPENDS_ON e ON e.src = w.dst "
       "WHERE w.depth < 2) SELECT src, dst FROM w) p JOIN graph.Task u ON u.id = p.dst "
       "AND u.status = 'done') ON p.src = t.id WHERE t.id < 120"),
    q3("graph_opt_new_node_alone", "SELECT x.id AS agent, t.id AS task FROM MATCH graph "
       "(x:Agent {team: 'ml'}) OPTIONAL MATCH (t:Task {id: $task})",
       "SELECT x.id AS agent, t.id AS task FROM graph.Agent x LEFT JOIN graph.Task t "
       "ON t.id = $task WHERE x.team = 'ml'", {"task": 17}),
    q3("graph_opt_new_node_alone_none", "SELECT x.id AS agent, t.title FROM MATCH graph "
       "(x:Agent {level: 3}) OPTIONAL MATCH (t:Task {id: 100000})",
       "SELECT x.id AS agent, t.title FROM graph.Agent x LEFT JOIN graph.Task t "
       "ON t.id = 100000 WHERE x.level = 3"),
    # ---- order, limit, aggregates and grouping over the NULLs an optional part makes
    q3("graph_opt_order_nulls_first", f"SELECT t.id AS task, u.id AS dep FROM {T_DEPS} "
       "ORDER BY u.id NULLS FIRST, t.id LIMIT 12",
       f"SELECT t.id AS task, u.id AS dep FROM {deps()} ORDER BY u.id NULLS FIRST, t.id "
       "LIMIT 12", ordered=True),
    q3("graph_opt_order_desc", f"SELECT t.id AS task, u.priority FROM {T_DEPS} "
       "WHERE t.id < 300 ORDER BY u.priority DESC, t.id, u.id LIMIT 15",
       f"SELECT t.id AS task, u.priority FROM {deps()} WHERE t.id < 300 "
       "ORDER BY u.priority DESC, t.id, u.id LIMIT 15", ordered=True),
    q3("graph_opt_aggregates", "SELECT count(*) AS n, count(u.id) AS deps, sum(u.priority) "
       f"AS p, min(u.id) AS lo, max(u.title) AS hi FROM {T_DEPS}",
       "SELECT count(*) AS n, count(u.id) AS deps, sum(u.priority) AS p, min(u.id) AS lo, "
       f"max(u.title) AS hi FROM {deps()}"),
    q3("graph_opt_group_null_key", f"SELECT u.status, count(*) AS n FROM {T_DEPS} "
       "GROUP BY u.status",
       f"SELECT u.status, count(*) AS n FROM {deps()} GROUP BY u.status"),
    q3("graph_opt_distinct", f"SELECT DISTINCT u.priority FROM {T_DEPS} WHERE t.id < 40",
       f"SELECT DISTINCT u.priority FROM {deps()} WHERE t.id < 40"),
    q3("graph_opt_case_coalesce", "SELECT CASE WHEN u.id IS NULL THEN 'leaf' ELSE 'inner' "
       f"END AS kind, coalesce(u.status, 'none') AS s, count(*) AS n FROM {T_DEPS} "
       "GROUP BY 1, 2",
       "SELECT CASE WHEN u.id IS NULL THEN 'leaf' ELSE 'inner' END AS kind, "
       f"coalesce(u.status, 'none') AS s, count(*) AS n FROM {deps()} GROUP BY 1, 2"),
    q3("graph_opt_derived", f"SELECT m.task FROM (SELECT t.id AS task, u.id AS dep FROM "
       f"{T_DEPS} WHERE t.priority = 3) AS m WHERE m.dep IS NULL",
       f"SELECT m.task FROM (SELECT t.id AS task, u.id AS dep FROM {deps()} "
       "WHERE t.priority = 3) AS m WHERE m.dep IS NULL"),
    q3("graph_opt_in_subquery", "SELECT t.id, t.title FROM MATCH graph (t:Task) WHERE "
       "t.priority = 1 AND t.id NOT IN (SELECT v.id FROM MATCH graph (v:Task) OPTIONAL "
       "MATCH (v)-[:DEPENDS_ON]->(w:Task) WHERE w.id IS NULL)",
       "SELECT t.id, t.title FROM graph.Task t WHERE t.priority = 1 AND t.id NOT IN "
       f"(SELECT v.id FROM {deps(t='v', u='w')} WHERE w.id IS NULL)"),
    # ---- mixed with the other sources
    q3("sk_opt_join", "SELECT a.name, t.id AS task FROM crm.agents a JOIN MATCH graph "
       "(x:Agent) OPTIONAL MATCH (x)-[:ASSIGNED_TO]->(t:Task {status: 'blocked'}) "
       "ON x.id = a.id WHERE a.team = $team",
       f"SELECT a.name, t.id AS task FROM crm.agents a JOIN "
       f"{assigned_opt(T_BLOCKED)} ON x.id = a.id WHERE a.team = $team",
       {"team": "core"}),
    q3("sk_opt_left_join", "SELECT ct.id, ct.due, u.id AS dep FROM crm.tasks ct LEFT JOIN "
       f"{T_DEPS} ON t.id = ct.id WHERE ct.priority = 2",
       f"SELECT ct.id, ct.due, u.id AS dep FROM crm.tasks ct LEFT JOIN ({deps()}) "
       "ON t.id = ct.id WHERE ct.priority = 2"),
    q3("sk_opt_count_by_team", "SELECT a.team, count(t.id) AS blocked FROM crm.agents a "
       "JOIN MATCH graph (x:Agent) OPTIONAL MATCH (x)-[:ASSIGNED_TO]->"
       "(t:Task {status: 'blocked'}) ON x.id = a.id GROUP BY a.team",
       f"SELECT a.team, count(t.id) AS blocked FROM crm.agents a JOIN "
       f"{assigned_opt(T_BLOCKED)} ON x.id = a.id GROUP BY a.team"),
    q3("kl_opt_notes", "SELECT k.id, t.id AS task, u.id AS dep FROM docs.knowledge k "
       f"JOIN {T_DEPS} ON t.id = k.task_id WHERE k.kind = 'note' AND k.id < 400",
       f"SELECT k.id, t.id AS task, u.id AS dep FROM docs.knowledge k JOIN ({deps()}) "
       "ON t.id = k.task_id WHERE k.kind = 'note' AND k.id < 400"),
]



def deps_walks(lo: int, hi: int) -> str:
    """Walks of ``lo``..``hi`` DEPENDS_ON hops as ``(src, dst, depth)``; zero hops: each
    task itself."""
    return (f"(WITH RECURSIVE w(src, dst, depth) AS (SELECT id, id, 0 FROM graph.Task "
            f"UNION ALL SELECT w.src, e.dst, w.depth + 1 FROM w JOIN graph.DEPENDS_ON e "
            f"ON e.src = w.dst WHERE w.depth < {hi}) SELECT * FROM w WHERE depth >= {lo})")


PATHS: list[Q3] = [
    q3("graph_zero_hops_seeded", "SELECT u.id, u.title, r._length AS hops FROM MATCH graph "
       "(t:Task {id: $t})-[r:DEPENDS_ON*0..3]->(u:Task)",
       f"SELECT u.id, u.title, p.depth AS hops FROM {deps_walks(0, 3)} p JOIN graph.Task u "
       "ON u.id = p.dst WHERE p.src = $t", {"t": 620}),
    q3("graph_zero_hops_backward", "SELECT t.id AS task, count(*) AS n FROM MATCH graph "
       "(t:Task)<-[:DEPENDS_ON*0..2]-(u:Task {status: 'blocked'}) WHERE t.priority = 5 "
       "GROUP BY t.id",
       f"SELECT p.dst AS task, count(*) AS n FROM {deps_walks(0, 2)} p JOIN graph.Task t "
       "ON t.id = p.dst JOIN graph.Task u ON u.id = p.src WHERE u.status = 'blocked' "
       "AND t.priority = 5 GROUP BY p.dst"),
    q3("graph_zero_hops_only", "SELECT t.id, u.id AS same FROM MATCH graph "
       "(t:Task)-[:DEPENDS_ON*0..0]->(u:Task) WHERE t.id < 20",
       "SELECT t.id, t.id AS same FROM graph.Task t WHERE t.id < 20"),
    q3("graph_path_length_groups", "SELECT r._length AS hops, count(*) AS n FROM MATCH graph "
       "(a:Task)-[r:DEPENDS_ON*1..3]->(b:Task) GROUP BY r._length",
       f"SELECT depth AS hops, count(*) AS n FROM {deps_walks(1, 3)} GROUP BY depth"),
    q3("graph_path_length_filter", "SELECT a.id, b.id AS far FROM MATCH graph "
       "(a:Task)-[r:DEPENDS_ON*1..4]->(b:Task) WHERE r._length = 4 AND a.id < 300",
       f"SELECT src AS id, dst AS far FROM {deps_walks(4, 4)} WHERE src < 300"),
    q3("graph_path_length_order", "SELECT b.id, r._length AS hops FROM MATCH graph "
       "(a:Task {id: 551})-[r:DEPENDS_ON*0..3]->(b:Task) ORDER BY r._length DESC, b.id "
       "LIMIT 4",
       f"SELECT dst AS id, depth AS hops FROM {deps_walks(0, 3)} WHERE src = 551 "
       "ORDER BY depth DESC, dst LIMIT 4", ordered=True),
    q3("sk_zero_hops_due", "SELECT ct.id, ct.due FROM MATCH graph "
       "(t:Task {id: $t})-[:DEPENDS_ON*0..2]->(u:Task) JOIN crm.tasks ct ON ct.id = u.id",
       f"SELECT ct.id, ct.due FROM {deps_walks(0, 2)} p JOIN crm.tasks ct ON ct.id = p.dst "
       "WHERE p.src = $t", {"t": 696}),
]



def shortest_deps(hi: int) -> str:
    """Kuzu's shortest DEPENDS_ON paths: per pair of distinct ends, the fewest hops."""
    return (f"(SELECT src, dst, min(depth) AS depth FROM {deps_walks(1, hi)} "
            "WHERE src <> dst GROUP BY src, dst)")


MODES: list[Q3] = [
    # DEPENDS_ON is a DAG: its trails are its walks
    q3("graph_trail_seeded", "SELECT u.id, r._length AS hops FROM MATCH graph "
       "(t:Task {id: $t})-[r:DEPENDS_ON* TRAIL 1..3]->(u:Task)",
       f"SELECT dst AS id, depth AS hops FROM {deps_walks(1, 3)} WHERE src = $t", {"t": 620}),
    q3("graph_shortest_pairs", "SELECT a.id AS a, b.id AS b, r._length AS hops FROM MATCH "
       "graph (a:Task)-[r:DEPENDS_ON* SHORTEST 1..3]->(b:Task) WHERE a.id < 250",
       f"SELECT src AS a, dst AS b, depth AS hops FROM {shortest_deps(3)} WHERE src < 250"),
    q3("graph_all_shortest_count", "SELECT a.id AS a, count(*) AS n FROM MATCH graph "
       "(a:Task)-[r:DEPENDS_ON* ALL SHORTEST 1..3]->(b:Task {status: 'pending'}) "
       "GROUP BY a.id",
       f"SELECT w.src AS a, count(*) AS n FROM {deps_walks(1, 3)} w JOIN {shortest_deps(3)} m "
       "ON m.src = w.src AND m.dst = w.dst AND m.depth = w.depth JOIN graph.Task b "
       "ON b.id = w.dst WHERE b.status = 'pending' GROUP BY w.src"),
    q3("sk_shortest_due", "SELECT ct.id, ct.due, r._length AS hops FROM MATCH graph "
       "(t:Task {id: $t})-[r:DEPENDS_ON* SHORTEST 1..3]->(u:Task) JOIN crm.tasks ct "
       "ON ct.id = u.id",
       f"SELECT ct.id, ct.due, m.depth AS hops FROM {shortest_deps(3)} m JOIN crm.tasks ct "
       "ON ct.id = m.dst WHERE m.src = $t", {"t": 620}),
]

ANY_NODE = ("(SELECT id, name, team, level, NULL AS title, NULL AS status, NULL AS priority "
            "FROM graph.Agent UNION ALL SELECT id, NULL, NULL, NULL, title, status, priority "
            "FROM graph.Task)")

UNLABELLED: list[Q3] = [
    # no relationship tells: a node of any label, each property NULL where its table lacks it
    q3("graph_any_node", "SELECT x.id, x.name, x.title, x.priority FROM MATCH graph (x) "
       "WHERE x.id < 6",
       f"SELECT id, name, title, priority FROM {ANY_NODE} x WHERE id < 6"),
    q3("graph_any_node_counts", "SELECT count(*) AS n, count(x.team) AS teams, "
       "count(x.status) AS st, max(x.level) AS lv FROM MATCH graph (x)",
       f"SELECT count(*) AS n, count(team) AS teams, count(status) AS st, max(level) AS lv "
       f"FROM {ANY_NODE} x"),
    q3("graph_any_node_map", "SELECT x.id, x.team FROM MATCH graph (x {status: 'blocked'}) "
       "WHERE x.priority = 5",
       f"SELECT id, team FROM {ANY_NODE} x WHERE status = 'blocked' AND priority = 5"),
    # the relationship's FROM/TO tables tell the label
    q3("graph_unlabelled_ends", "SELECT x.name, t.title FROM MATCH graph "
       "(x)-[:ASSIGNED_TO]->(t) WHERE x.id = $a",
       f"SELECT x.name, t.title FROM {assigned()} WHERE x.id = $a", {"a": 3}),
    q3("graph_unlabelled_map_later", "SELECT a.id, b.status FROM MATCH graph "
       "(a {id: 7})-[:DEPENDS_ON]-(b)",
       f"SELECT a.id, b.status FROM {undirected_depends()} WHERE a.id = 7"),
    q3("graph_unlabelled_undirected_two_tables", "SELECT y.id, y.level, y.priority FROM "
       "MATCH graph (t:Task {id: 40})-[:ASSIGNED_TO]-(y)",
       "SELECT y.id, y.level, NULL AS priority FROM graph.Agent y JOIN graph.ASSIGNED_TO r "
       "ON r.src = y.id WHERE r.dst = 40"),
    q3("graph_unlabelled_any_rel", "SELECT a.team, count(*) AS n FROM MATCH graph "
       "(a)-[]->(t:Task {priority: 1}) GROUP BY a.team",
       "SELECT team, count(*) AS n FROM (SELECT x.team FROM graph.Agent x JOIN "
       "graph.ASSIGNED_TO r ON r.src = x.id JOIN graph.Task t ON t.id = r.dst "
       "WHERE t.priority = 1 UNION ALL SELECT NULL FROM graph.DEPENDS_ON e JOIN graph.Task t "
       "ON t.id = e.dst WHERE t.priority = 1) GROUP BY team"),
    q3("graph_unlabelled_label_later", "SELECT a.team, count(*) AS n FROM MATCH graph "
       "(a)-[]->(t:Task {priority: 1})<-[]-(a:Agent) GROUP BY a.team",
       f"SELECT x.team AS team, count(*) AS n FROM {assigned()} JOIN graph.ASSIGNED_TO r2 "
       "ON r2.src = x.id AND r2.dst = t.id WHERE t.priority = 1 GROUP BY x.team"),
    q3("graph_unlabelled_star", "SELECT * FROM MATCH graph (x {id: 3})-[r:ASSIGNED_TO]->(t) "
       "WHERE r.weight > 0.5",
       "SELECT x.id, x.name, x.team, x.level, t.id, t.title, t.status, t.priority, r.since, "
       f"r.weight FROM {assigned()} WHERE x.id = 3 AND r.weight > 0.5"),
    q3("graph_any_node_star", "SELECT * FROM MATCH graph (x) WHERE x.id < 3",
       f"SELECT id, name, team, level, title, status, priority FROM {ANY_NODE} x "
       "WHERE id < 3"),
    q3("sk_unlabelled_join", "SELECT a.name, count(*) AS n FROM crm.agents a JOIN MATCH "
       "graph (x)-[:ASSIGNED_TO]->(t {status: 'done'}) ON x.id = a.id WHERE a.level >= 4 "
       "GROUP BY a.name",
       f"SELECT a.name, count(*) AS n FROM crm.agents a JOIN ({assigned()}) ON x.id = a.id "
       "WHERE t.status = 'done' AND a.level >= 4 GROUP BY a.name"),
    q3("graph_unlabelled_optional", "SELECT t.id, u.title FROM MATCH graph (t:Task) "
       "OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u {priority: 5}) WHERE t.id < 90",
       f"SELECT t.id, u.title FROM {deps('u.priority = 5')} WHERE t.id < 90"),
]

QUERIES: list[Q3] = OPTIONAL + PATHS + MODES + UNLABELLED
