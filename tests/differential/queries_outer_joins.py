"""RIGHT, FULL and CROSS joins and JOIN … USING (i10-b): filters on the preserved and the
null-producing sides in ON and WHERE (where pushdown must not move them), NULL keys, USING
columns merged in ``*`` as DuckDB merges them, outer joins over derived tables and groups."""

from __future__ import annotations

from .corpus import Query, q

T1 = "(SELECT t.agent_id AS id, t.title, t.priority FROM crm.tasks t WHERE t.priority = 1)"

OUTER: list[Query] = [
    q("oj_right", "SELECT a.id, t.id AS tid FROM crm.agents a RIGHT JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE t.priority = 5"),
    q("oj_right_outer_keyword", "SELECT a.name, t.title FROM crm.agents a RIGHT OUTER JOIN "
      "crm.tasks t ON t.agent_id = a.id WHERE t.id < 40"),
    q("oj_right_dangling", "SELECT t.id, t.agent_id FROM crm.agents a RIGHT JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE a.id IS NULL"),
    q("oj_right_filter_in_on_left_side", "SELECT a.id, a.level, t.id AS tid FROM crm.agents a "
      "RIGHT JOIN crm.tasks t ON t.agent_id = a.id AND a.level > 3 WHERE t.priority = 2"),
    q("oj_right_filter_in_on_right_side", "SELECT a.id, t.id AS tid FROM crm.agents a "
      "RIGHT JOIN crm.tasks t ON t.agent_id = a.id AND t.status = 'done' WHERE t.id < 60"),
    q("oj_right_where_left_side", "SELECT a.id, t.id AS tid FROM crm.agents a RIGHT JOIN "
      "crm.tasks t ON t.agent_id = a.id WHERE a.team = 'ml'"),
    q("oj_right_count", "SELECT t.status, count(a.id) AS matched, count(*) AS n "
      "FROM crm.agents a RIGHT JOIN crm.tasks t ON t.agent_id = a.id GROUP BY t.status"),
    q("oj_right_star", "SELECT * FROM crm.region r RIGHT JOIN crm.nation n "
      "ON n.n_regionkey = r.r_regionkey AND r.r_name <> 'ASIA'"),
    q("oj_right_chain", "SELECT n.n_name, s.s_suppkey, c.c_custkey FROM crm.supplier s "
      "RIGHT JOIN crm.nation n ON s.s_nationkey = n.n_nationkey AND s.s_acctbal > 9000 "
      "LEFT JOIN crm.customer c ON c.c_nationkey = n.n_nationkey AND c.c_acctbal > 9900"),
    q("oj_full", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN crm.tasks t "
      "ON t.agent_id = a.id AND t.priority = 5"),
    q("oj_full_outer_keyword", "SELECT a.id, t.id AS tid FROM crm.agents a FULL OUTER JOIN "
      "crm.tasks t ON t.agent_id = a.id"),
    q("oj_full_where_left", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE a.level = 2"),
    q("oj_full_where_right", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE t.status = 'blocked'"),
    q("oj_full_where_is_null_either", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN "
      "crm.tasks t ON t.agent_id = a.id WHERE a.id IS NULL OR t.id IS NULL"),
    q("oj_full_on_one_side_each", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN "
      "crm.tasks t ON t.agent_id = a.id AND a.level = 1 AND t.priority = 1"),
    q("oj_full_coalesce_group", "SELECT coalesce(a.team, 'none') AS team, count(t.id) AS n "
      "FROM crm.agents a FULL JOIN crm.tasks t ON t.agent_id = a.id GROUP BY coalesce(a.team, "
      "'none')"),
    q("oj_full_derived", "SELECT x.k, x.n, y.m FROM (SELECT t.agent_id AS k, count(*) AS n "
      "FROM crm.tasks t WHERE t.status = 'done' GROUP BY t.agent_id) AS x FULL JOIN "
      "(SELECT t.agent_id AS k, count(*) AS m FROM crm.tasks t WHERE t.status = 'pending' "
      "GROUP BY t.agent_id) AS y ON x.k = y.k"),
    q("oj_full_non_equi", "SELECT r.r_regionkey, n.n_nationkey FROM crm.region r FULL JOIN "
      "crm.nation n ON n.n_regionkey = r.r_regionkey AND n.n_nationkey < r.r_regionkey * 3"),
    q("oj_full_empty_side", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN "
      "(SELECT t.id, t.agent_id FROM crm.tasks t WHERE t.id < 0) AS t ON t.agent_id = a.id "
      "WHERE a.level = 5"),
    q("oj_cross", "SELECT r.r_name, n.n_name FROM crm.region r CROSS JOIN crm.nation n "
      "WHERE n.n_regionkey = 2"),
    q("oj_cross_count", "SELECT count(*) AS n FROM crm.region r CROSS JOIN crm.nation n"),
    q("oj_cross_then_join", "SELECT r.r_name, a.id FROM crm.region r CROSS JOIN crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id WHERE a.level = 5 AND t.priority = 5 "
      "AND r.r_regionkey < 2"),
    q("oj_using_inner", "SELECT * FROM crm.agents a JOIN " + T1 + " AS t USING (id) "
      "WHERE a.level = 2"),
    q("oj_using_bare_column", "SELECT id, a.name, t.title FROM crm.agents a JOIN "
      + T1 + " AS t USING (id) WHERE id < 40"),
    q("oj_using_left", "SELECT * FROM crm.agents a LEFT JOIN " + T1 + " AS t USING (id) "
      "WHERE a.team = 'infra'"),
    q("oj_using_right", "SELECT id, a.name FROM crm.agents a RIGHT JOIN " + T1 + " AS t "
      "USING (id)"),
    q("oj_using_right_star", "SELECT * FROM crm.agents a RIGHT JOIN " + T1 + " AS t "
      "USING (id)"),
    q("oj_using_full_star", "SELECT * FROM crm.agents a FULL JOIN " + T1 + " AS t USING (id)"),
    q("oj_using_full_bare_key", "SELECT id, a.id AS aid, t.id AS tid FROM crm.agents a "
      "FULL JOIN " + T1 + " AS t USING (id) WHERE id IS NULL OR id > 100"),
    q("oj_using_two_columns", "SELECT * FROM (SELECT n.n_regionkey AS rk, n.n_name AS nm "
      "FROM crm.nation n) AS x JOIN (SELECT s.s_nationkey AS rk, n.n_name AS nm, s.s_suppkey "
      "FROM crm.supplier s JOIN crm.nation n ON n.n_nationkey = s.s_nationkey) AS y "
      "USING (rk, nm)"),
    q("oj_using_group", "SELECT id, count(*) AS n FROM crm.agents a JOIN (SELECT t.agent_id "
      "AS id FROM crm.tasks t) AS t USING (id) GROUP BY id"),
    q("oj_using_qualified_star", "SELECT a.*, t.* FROM crm.agents a JOIN " + T1 + " AS t "
      "USING (id) WHERE a.level = 4"),
    q("oj_using_chain", "SELECT * FROM (SELECT r.r_regionkey AS k, r.r_name FROM crm.region r) "
      "AS x JOIN (SELECT n.n_regionkey AS k, n.n_name FROM crm.nation n) AS y USING (k) "
      "JOIN (SELECT n.n_nationkey AS k, n.n_comment FROM crm.nation n) AS z USING (k)"),
    q("oj_right_join_param", "SELECT a.id, t.id AS tid FROM crm.agents a RIGHT JOIN crm.tasks t "
      "ON t.agent_id = a.id AND a.team = $team WHERE t.priority = $p",
      {"team": "core", "p": 3}),
    q("oj_full_order_limit", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN crm.tasks t "
      "ON t.agent_id = a.id ORDER BY t.id NULLS FIRST, a.id LIMIT 12", ordered=True),
]

QUERIES = OUTER
