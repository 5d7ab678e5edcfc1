"""Joins (inner, left, comma, self, non-equi) and derived tables."""

from __future__ import annotations

import datetime as dt

from .corpus import Query, q

JOINS = [
    q("join_inner", "SELECT a.name, t.title FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE a.team = 'core'"),
    q("join_inner_keyword_on_filter", "SELECT a.id, t.id AS task_id FROM crm.agents AS a "
      "INNER JOIN crm.tasks AS t ON a.id = t.agent_id AND t.status = 'done'"),
    q("join_left", "SELECT a.id, t.id AS task_id FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id"),
    q("join_left_right_filter_in_on", "SELECT a.id, t.id AS task_id, t.status FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id AND t.status = 'blocked'"),
    q("join_left_right_filter_in_where", "SELECT a.id, t.id AS task_id FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id WHERE t.status = 'blocked'"),
    q("join_left_anti", "SELECT a.id, a.name FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id AND t.priority = 5 WHERE t.id IS NULL"),
    q("join_left_left_filter_in_on", "SELECT a.id, a.level, t.id AS task_id FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id AND a.level > 3"),
    q("join_left_count", "SELECT a.id, count(t.id) AS n, count(*) AS rows_ FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id GROUP BY a.id"),
    q("join_left_outer_keyword", "SELECT t.id, a.name FROM crm.tasks t "
      "LEFT OUTER JOIN crm.agents a ON a.id = t.agent_id WHERE t.priority = 1"),
    q("join_left_dangling", "SELECT t.id, t.agent_id, a.id AS aid, a.team FROM crm.tasks t "
      "LEFT JOIN crm.agents a ON a.id = t.agent_id WHERE a.id IS NULL"),
    q("join_left_right_is_null_in_on", "SELECT a.id, t.id AS tid FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id AND t.due IS NULL WHERE a.level = 1"),
    q("join_left_where_right_not_null", "SELECT a.id, t.title FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id WHERE t.title IS NOT NULL AND a.team = 'ml'"),
    q("join_left_where_or_null", "SELECT a.id, t.id AS tid FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id AND t.status = 'in_progress' "
      "WHERE t.estimate > 30 OR t.id IS NULL"),
    q("join_left_coalesce", "SELECT a.id, coalesce(sum(t.estimate), 0) AS load FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id AND t.status = 'pending' GROUP BY a.id"),
    q("join_comma", "SELECT a.name, t.title FROM crm.agents a, crm.tasks t "
      "WHERE a.id = t.agent_id AND t.priority = 5"),
    q("join_comma_three", "SELECT s.s_name, n.n_name, r.r_name FROM crm.supplier s, crm.nation n, "
      "crm.region r WHERE s.s_nationkey = n.n_nationkey AND n.n_regionkey = r.r_regionkey"),
    q("join_comma_cross", "SELECT r1.r_name AS a_name, r2.r_name AS b_name "
      "FROM crm.region r1, crm.region r2 WHERE r1.r_regionkey <= r2.r_regionkey"),
    q("join_qualified_star", "SELECT a.*, t.title FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE t.priority = 4 AND a.level = 2"),
    q("join_star", "SELECT * FROM crm.nation n JOIN crm.region r ON r.r_regionkey = n.n_regionkey"),
    q("join_self", "SELECT a1.id AS x, a2.id AS y FROM crm.agents a1 JOIN crm.agents a2 "
      "ON a1.team = a2.team AND a1.id < a2.id WHERE a1.level = 5"),
    q("join_self_case_sensitive", "SELECT b.id, b.team FROM crm.agents a JOIN crm.agents b "
      "ON a.team = b.team WHERE a.id = 11"),
    q("join_non_equi", "SELECT t.id, a.id AS aid FROM crm.tasks t JOIN crm.agents a "
      "ON t.priority > a.level AND a.id < 10 WHERE t.id < 30"),
    q("join_expression_key", "SELECT a.id, b.id AS bid FROM crm.agents a JOIN crm.agents b "
      "ON lower(a.name) = lower(b.name) AND a.id <> b.id"),
    q("join_or_condition", "SELECT a.id, t.id AS tid FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id OR (t.agent_id IS NULL AND a.id = 1)"),
    q("join_group", "SELECT a.team, count(*) AS n, sum(t.estimate) AS est FROM crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id GROUP BY a.team"),
    q("join_group_having", "SELECT a.id, a.name, count(*) AS n FROM crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id GROUP BY a.id, a.name HAVING count(*) > 9"),
    q("join_order_limit", "SELECT a.name, t.title, t.due FROM crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id ORDER BY t.due DESC NULLS LAST, t.id LIMIT 15",
      ordered=True),
    q("join_filters_both_sides", "SELECT a.id, t.id AS tid FROM crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id WHERE a.name LIKE '%a%' AND t.title LIKE 'Fix%' "
      "AND a.team IN ('core', 'infra') AND t.priority NOT IN (2, 3)"),
    q("join_param", "SELECT t.id, t.title FROM crm.agents a JOIN crm.tasks t ON t.agent_id = a.id "
      "WHERE a.team = $team AND t.due < $before",
      {"team": "ml", "before": dt.date(2024, 6, 1)}),
    q("join_chain_left", "SELECT n.n_name, r.r_name, c.c_custkey FROM crm.nation n "
      "LEFT JOIN crm.region r ON r.r_regionkey = n.n_regionkey "
      "LEFT JOIN crm.customer c ON c.c_nationkey = n.n_nationkey AND c.c_acctbal > 9900"),
    q("join_left_then_inner", "SELECT o.o_orderkey, c.c_name, n.n_name FROM crm.orders o "
      "LEFT JOIN crm.customer c ON c.c_custkey = o.o_custkey "
      "JOIN crm.nation n ON n.n_nationkey = c.c_nationkey WHERE o.o_orderkey < 60"),
    q("join_null_keys", "SELECT t1.id AS a_id, t2.id AS b_id FROM crm.tasks t1 JOIN crm.tasks t2 "
      "ON t1.agent_id = t2.agent_id AND t1.id < t2.id WHERE t1.status = 'blocked' "
      "AND t2.status = 'blocked'"),
    q("join_mixed_comma_and_join", "SELECT c.c_name, n.n_name, r.r_name FROM crm.customer c "
      "JOIN crm.nation n ON n.n_nationkey = c.c_nationkey, crm.region r "
      "WHERE r.r_regionkey = n.n_regionkey AND c.c_acctbal < -950"),
]

DERIVED = [
    q("derived_simple", "SELECT x.team, x.n FROM (SELECT a.team AS team, count(*) AS n "
      "FROM crm.agents a GROUP BY a.team) AS x WHERE x.n > 5"),
    q("derived_join_table", "SELECT a.name, x.n FROM crm.agents a JOIN (SELECT t.agent_id "
      "AS agent_id, count(*) AS n FROM crm.tasks t GROUP BY t.agent_id) AS x "
      "ON x.agent_id = a.id"),
    q("derived_nested_twice", "SELECT y.team, y.total FROM (SELECT x.team AS team, sum(x.est) "
      "AS total FROM (SELECT a.team AS team, t.estimate AS est FROM crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id) AS x GROUP BY x.team) AS y WHERE y.total > 100"),
    q("derived_order_limit_inside", "SELECT a.name, top.title, top.estimate FROM "
      "(SELECT t.agent_id AS agent_id, t.title AS title, t.estimate AS estimate FROM crm.tasks t "
      "WHERE t.estimate IS NOT NULL ORDER BY t.estimate DESC, t.id LIMIT 10) AS top "
      "JOIN crm.agents a ON a.id = top.agent_id"),
    q("derived_left_join", "SELECT a.id, p.pending FROM crm.agents a LEFT JOIN "
      "(SELECT t.agent_id AS agent_id, count(*) AS pending FROM crm.tasks t "
      "WHERE t.status = 'pending' GROUP BY t.agent_id) AS p ON p.agent_id = a.id"),
    q("derived_distinct", "SELECT x.status, x.priority FROM (SELECT DISTINCT t.status AS status, "
      "t.priority AS priority FROM crm.tasks t) AS x WHERE x.priority > 3"),
    q("derived_comma", "SELECT a.id, s.avg_est FROM crm.agents a, (SELECT avg(t.estimate) "
      "AS avg_est FROM crm.tasks t) AS s WHERE a.score > s.avg_est * 4"),
    q("derived_star", "SELECT x.* FROM (SELECT t.id, t.title FROM crm.tasks t "
      "WHERE t.priority = 1) AS x"),
    q("derived_computed_filter", "SELECT x.id, x.weight FROM (SELECT a.id AS id, "
      "a.level * a.score AS weight FROM crm.agents a) x WHERE x.weight > 200"),
    q("derived_aggregate_over", "SELECT count(*) AS groups, avg(x.n) AS mean, max(x.n) AS most "
      "FROM (SELECT t.agent_id AS agent_id, count(*) AS n FROM crm.tasks t "
      "GROUP BY t.agent_id) AS x"),
    q("derived_two_joined", "SELECT d.agent_id, d.done, p.pend FROM (SELECT t.agent_id AS "
      "agent_id, count(*) AS done FROM crm.tasks t WHERE t.status = 'done' GROUP BY t.agent_id) "
      "AS d JOIN (SELECT t.agent_id AS agent_id, count(*) AS pend FROM crm.tasks t "
      "WHERE t.status = 'pending' GROUP BY t.agent_id) AS p ON p.agent_id = d.agent_id "
      "WHERE d.done > p.pend"),
    q("derived_param", "SELECT x.id, x.title FROM (SELECT t.id AS id, t.title AS title, "
      "t.priority AS pr FROM crm.tasks t WHERE t.status = $status) AS x WHERE x.pr >= $p",
      {"status": "pending", "p": 4}),
    q("derived_ordered_outer", "SELECT x.team, x.n FROM (SELECT coalesce(a.team, '(none)') AS "
      "team, count(*) AS n FROM crm.agents a GROUP BY coalesce(a.team, '(none)')) AS x "
      "ORDER BY x.n DESC, x.team", ordered=True),
    q("derived_left_null_groups", "SELECT x.agent_id, x.n, a.name FROM (SELECT t.agent_id AS "
      "agent_id, count(*) AS n FROM crm.tasks t GROUP BY t.agent_id) AS x "
      "LEFT JOIN crm.agents a ON a.id = x.agent_id WHERE a.id IS NULL"),
]

REVIEW = [  # a LEFT JOIN whose ON reads only the right side, or nothing
    q("left_join_on_right_only", "SELECT a.id, t.id AS tid FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.status = 'done' AND t.priority = 5"),
    q("left_join_on_false", "SELECT a.id, t.id AS tid FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON 1 = 0"),
    q("left_join_derived_on_constant", "SELECT a.id, d.c FROM crm.agents a "
      "LEFT JOIN (SELECT t.status, count(*) AS c FROM crm.tasks t GROUP BY t.status) AS d "
      "ON d.c > 5 AND d.status = 'done'"),
]

QUERIES: list[Query] = JOINS + DERIVED + REVIEW
