"""Graph-pattern forms of issue 10 item 5 against the DuckDB oracle, mixed with the other
sources: ``OPTIONAL MATCH``, ``*0..n`` and ``r._length``, ``TRAIL`` / ``SHORTEST`` /
``ALL SHORTEST``, unlabelled nodes. (Walk semantics on a graph with cycles, self-loops and
parallel edges, and every route, are checked in ``test_graph_patterns.py``.)

Oracle spellings: OPTIONAL MATCH is ``<required> LEFT JOIN (<optional part's joins>) ON
<shared keys> AND <its property maps>`` (a later WHERE filters the joined rows, NULLs
included); walks are recursive CTEs with one row per walk, the zero-hop walk of a task being
the task itself; a shortest path is the fewest hops per pair of distinct ends; an unlabelled
node is the UNION ALL of its candidate tables, NULL for the properties a table lacks."""

from __future__ import annotations

from .record import Q3, assigned, q3

T_DEPS = "MATCH graph (t:Task) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task)"
U_BLOCKED = "u.status = 'blocked'"
T_BLOCKED = "t.status = 'blocked'"


def deps(on: str = "TRUE") -> str:
    """``(t) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task)`` with extra ON conditions."""
    return ("graph.Task t LEFT JOIN (graph.DEPENDS_ON e JOIN graph.Task u ON u.id = e.dst) "
            f"ON e.src = t.id AND {on}")


def assigned_opt(on: str = "TRUE") -> str:
    """``(x:Agent) OPTIONAL MATCH (x)-[r:ASSIGNED_TO]->(t:Task)`` with extra ON conditions."""
    return ("graph.Agent x LEFT JOIN (graph.ASSIGNED_TO r JOIN graph.Task t ON t.id = r.dst) "
            f"ON r.src = x.id AND {on}")


OPTIONAL: list[Q3] = [
    q3("graph_opt_deps", f"SELECT t.id AS task, u.id AS dep FROM {T_DEPS} WHERE t.id < 60",
       f"SELECT t.id AS task, u.id AS dep FROM {deps()} WHERE t.id < 60"),
    q3("graph_opt_leaf_tasks", f"SELECT count(*) AS n FROM {T_DEPS} WHERE u.id IS NULL",
       f"SELECT count(*) AS n FROM {deps()} WHERE u.id IS NULL"),
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
    q3("graph_opt_where_keeps_nulls", "SELECT x.id AS agent, t.id AS task FROM MATCH graph "
       "(x:Agent) OPTIONAL MATCH (x)-[r:ASSIGNED_TO]->(t:Task {status: 'blocked'}) "
       "WHERE r.weight > 0.8 OR r.weight IS NULL",
       f"SELECT x.id AS agent, t.id AS task FROM {assigned_opt(T_BLOCKED)} "
       "WHERE r.weight > 0.8 OR r.weight IS NULL"),
    q3("graph_opt_two_parts", "SELECT x.id AS agent, t.id AS task, u.id AS dep FROM MATCH "
       "graph (x:Agent {team: 'core'}) OPTIONAL MATCH (x)-[:ASSIGNED_TO]->"
       "(t:Task {status: 'blocked'}) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task)",
       "SELECT x.id AS agent, t.id AS task, u.id AS dep FROM "
       f"{assigned_opt(T_BLOCKED)} LEFT JOIN (graph.DEPENDS_ON e "
       "JOIN graph.Task u ON u.id = e.dst) ON e.src = t.id WHERE x.team = 'core'"),
    q3("graph_opt_comma_part", "SELECT t.id AS task, u.id AS dep, y.id AS agent FROM MATCH "
       "graph (t:Task {priority: 4}) OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u:Task), "
       "(u)<-[:ASSIGNED_TO]-(y:Agent {team: 'infra'})",
       "SELECT t.id AS task, u.id AS dep, y.id AS agent FROM graph.Task t LEFT JOIN "
       "(graph.DEPENDS_ON e JOIN graph.Task u ON u.id = e.dst JOIN graph.ASSIGNED_TO r "
       "ON r.dst = u.id JOIN graph.Agent y ON y.id = r.src AND y.team = 'infra') "
       "ON e.src = t.id WHERE t.priority = 4"),
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
    q3("graph_opt_new_node_alone_none", "SELECT x.id AS agent, t.title FROM MATCH graph "
       "(x:Agent {level: 3}) OPTIONAL MATCH (t:Task {id: 100000})",
       "SELECT x.id AS agent, t.title FROM graph.Agent x LEFT JOIN graph.Task t "
       "ON t.id = 100000 WHERE x.level = 3"),
    # ---- order, limit, aggregates and grouping over the NULLs an optional part makes
    q3("graph_opt_order_nulls_first", f"SELECT t.id AS task, u.id AS dep FROM {T_DEPS} "
       "ORDER BY u.id NULLS FIRST, t.id LIMIT 12",
       f"SELECT t.id AS task, u.id AS dep FROM {deps()} ORDER BY u.id NULLS FIRST, t.id "
       "LIMIT 12", ordered=True),
    q3("graph_opt_aggregates", "SELECT count(*) AS n, count(u.id) AS deps, sum(u.priority) "
       f"AS p, min(u.id) AS lo, max(u.title) AS hi FROM {T_DEPS}",
       "SELECT count(*) AS n, count(u.id) AS deps, sum(u.priority) AS p, min(u.id) AS lo, "
       f"max(u.title) AS hi FROM {deps()}"),
    q3("graph_opt_group_null_key", f"SELECT u.status, count(*) AS n FROM {T_DEPS} "
       "GROUP BY u.status",
       f"SELECT u.status, count(*) AS n FROM {deps()} GROUP BY u.status"),
    # ---- mixed with the other sources
    q3("sk_opt_join", "SELECT a.name, t.id AS task FROM crm.agents a JOIN MATCH graph "
       "(x:Agent) OPTIONAL MATCH (x)-[:ASSIGNED_TO]->(t:Task {status: 'blocked'}) "
       "ON x.id = a.id WHERE a.team = $team",
       f"SELECT a.name, t.id AS task FROM crm.agents a JOIN "
       f"{assigned_opt(T_BLOCKED)} ON x.id = a.id WHERE a.team = $team",
       {"team": "core"}),
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
    q3("graph_path_length_groups", "SELECT r._length AS hops, count(*) AS n FROM MATCH graph "
       "(a:Task)-[r:DEPENDS_ON*1..3]->(b:Task) GROUP BY r._length",
       f"SELECT depth AS hops, count(*) AS n FROM {deps_walks(1, 3)} GROUP BY depth"),
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
]

ANY_NODE = ("(SELECT id, name, team, level, NULL AS title, NULL AS status, NULL AS priority "
            "FROM graph.Agent UNION ALL SELECT id, NULL, NULL, NULL, title, status, priority "
            "FROM graph.Task)")

UNLABELLED: list[Q3] = [
    # no relationship tells: a node of any label, each property NULL where its table lacks it
    q3("graph_any_node", "SELECT x.id, x.name, x.title, x.priority FROM MATCH graph (x) "
       "WHERE x.id < 6",
       f"SELECT id, name, title, priority FROM {ANY_NODE} x WHERE id < 6"),
    # the relationship's FROM/TO tables tell the label
    q3("graph_unlabelled_ends", "SELECT x.name, t.title FROM MATCH graph "
       "(x)-[:ASSIGNED_TO]->(t) WHERE x.id = $a",
       f"SELECT x.name, t.title FROM {assigned()} WHERE x.id = $a", {"a": 3}),
    q3("graph_unlabelled_undirected_two_tables", "SELECT y.id, y.level, y.priority FROM "
       "MATCH graph (t:Task {id: 40})-[:ASSIGNED_TO]-(y)",
       "SELECT y.id, y.level, NULL AS priority FROM graph.Agent y JOIN graph.ASSIGNED_TO r "
       "ON r.src = y.id WHERE r.dst = 40"),
    q3("graph_unlabelled_star", "SELECT * FROM MATCH graph (x {id: 3})-[r:ASSIGNED_TO]->(t) "
       "WHERE r.weight > 0.5",
       "SELECT x.id, x.name, x.team, x.level, t.id, t.title, t.status, t.priority, r.since, "
       f"r.weight FROM {assigned()} WHERE x.id = 3 AND r.weight > 0.5"),
    q3("graph_unlabelled_optional", "SELECT t.id, u.title FROM MATCH graph (t:Task) "
       "OPTIONAL MATCH (t)-[:DEPENDS_ON]->(u {priority: 5}) WHERE t.id < 90",
       f"SELECT t.id, u.title FROM {deps('u.priority = 5')} WHERE t.id < 90"),
]

QUERIES: list[Q3] = OPTIONAL + PATHS + MODES + UNLABELLED
