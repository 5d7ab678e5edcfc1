"""Set operations (i10-b): UNION / INTERSECT / EXCEPT with and without ALL, precedence,
parenthesised branches, ORDER BY / LIMIT over the whole result, NULLs, empty branches,
duplicate rows for the ALL variants and mixed numeric types across branches."""

from __future__ import annotations

from .corpus import Query, q

SETOPS: list[Query] = [
    q("set_union_ids", "SELECT a.id FROM crm.agents a WHERE a.level = 1 "
      "UNION SELECT t.agent_id FROM crm.tasks t WHERE t.priority = 5"),
    q("set_union_all_dupes", "SELECT a.team FROM crm.agents a WHERE a.level >= 4 "
      "UNION ALL SELECT a.team FROM crm.agents a WHERE a.level <= 2"),
    q("set_union_distinct_keyword", "SELECT a.team FROM crm.agents a "
      "UNION DISTINCT SELECT lower(a.team) FROM crm.agents a"),
    q("set_union_nulls_one_group", "SELECT a.level FROM crm.agents a "
      "UNION SELECT t.priority FROM crm.tasks t WHERE t.id < 50"),
    q("set_union_all_nulls_kept", "SELECT t.agent_id FROM crm.tasks t WHERE t.agent_id IS NULL "
      "UNION ALL SELECT a.level FROM crm.agents a WHERE a.level IS NULL"),
    q("set_union_two_columns", "SELECT a.team, a.level FROM crm.agents a WHERE a.active = TRUE "
      "UNION SELECT a.team, a.level FROM crm.agents a WHERE a.score > 50"),
    q("set_union_empty_branch", "SELECT a.id, a.name FROM crm.agents a WHERE a.level = 2 "
      "UNION ALL SELECT a.id, a.name FROM crm.agents a WHERE a.id < 0"),
    q("set_union_both_empty", "SELECT a.id FROM crm.agents a WHERE a.id < 0 "
      "UNION SELECT t.id FROM crm.tasks t WHERE t.id < 0"),
    q("set_union_int_double", "SELECT a.level AS v FROM crm.agents a WHERE a.id < 20 "
      "UNION SELECT a.score FROM crm.agents a WHERE a.id < 20"),
    q("set_union_int_decimal_literal", "SELECT a.level AS v FROM crm.agents a WHERE a.id < 10 "
      "UNION ALL SELECT 2.5 FROM crm.region r"),
    q("set_union_decimal_double", "SELECT 1.25 AS v FROM crm.region r "
      "UNION SELECT l.l_discount FROM crm.lineitem l WHERE l.l_orderkey < 5"),
    q("set_union_null_literal_branch", "SELECT a.id, a.name FROM crm.agents a WHERE a.id < 4 "
      "UNION ALL SELECT NULL, NULL FROM crm.region r WHERE r.r_regionkey = 0"),
    q("set_union_dates", "SELECT a.hired AS d FROM crm.agents a WHERE a.level = 5 "
      "UNION SELECT t.due FROM crm.tasks t WHERE t.priority = 1 AND t.id < 100"),
    q("set_union_constant_rows", "SELECT 'x' AS tag, 1 AS n FROM crm.region r "
      "UNION SELECT 'y', 2 FROM crm.nation n"),
    q("set_union_names_from_first", "SELECT a.id AS first_name, a.team AS second "
      "FROM crm.agents a WHERE a.id < 3 UNION ALL SELECT t.id AS other, t.status AS names "
      "FROM crm.tasks t WHERE t.id < 3"),
    q("set_union_three", "SELECT r.r_name AS name FROM crm.region r UNION "
      "SELECT n.n_name FROM crm.nation n WHERE n.n_regionkey = 1 UNION "
      "SELECT s.s_name FROM crm.supplier s WHERE s.s_suppkey < 4"),
    q("set_union_order_by_name", "SELECT a.id AS k FROM crm.agents a WHERE a.level = 3 "
      "UNION SELECT t.id FROM crm.tasks t WHERE t.priority = 4 AND t.id < 60 ORDER BY k",
      ordered=True),
    q("set_union_order_by_position_desc", "SELECT a.id, a.name FROM crm.agents a "
      "WHERE a.level = 2 UNION ALL SELECT t.id, t.title FROM crm.tasks t WHERE t.id < 20 "
      "ORDER BY 1 DESC, 2", ordered=True),
    q("set_union_order_limit", "SELECT a.id AS x FROM crm.agents a WHERE a.id < 5 "
      "UNION SELECT t.id FROM crm.tasks t WHERE t.id > 795 ORDER BY x DESC LIMIT 4",
      ordered=True),
    q("set_union_order_limit_offset", "SELECT c.c_custkey AS k FROM crm.customer c "
      "WHERE c.c_nationkey = 3 UNION SELECT o.o_custkey FROM crm.orders o "
      "WHERE o.o_totalprice > 400000 ORDER BY k LIMIT 5 OFFSET 2", ordered=True),
    q("set_union_order_nulls_first", "SELECT a.level AS lv FROM crm.agents a "
      "UNION SELECT t.priority FROM crm.tasks t ORDER BY lv NULLS FIRST", ordered=True),
    q("set_union_order_expression", "SELECT a.id AS k FROM crm.agents a WHERE a.level = 1 "
      "UNION SELECT t.id FROM crm.tasks t WHERE t.id < 30 ORDER BY k % 7, k", ordered=True),
    q("set_union_params", "SELECT a.id FROM crm.agents a WHERE a.team = $team "
      "UNION SELECT t.agent_id FROM crm.tasks t WHERE t.status = $status",
      {"team": "ml", "status": "blocked"}),
    q("set_union_limit_param", "SELECT a.id AS k FROM crm.agents a UNION "
      "SELECT t.id FROM crm.tasks t ORDER BY k DESC LIMIT $n", {"n": 3}, ordered=True),
    q("set_union_branch_limits", "(SELECT a.id FROM crm.agents a ORDER BY a.id LIMIT 3) "
      "UNION ALL (SELECT t.id FROM crm.tasks t ORDER BY t.id DESC LIMIT 2)"),
    q("set_union_branch_group", "SELECT a.team AS g, count(*) AS n FROM crm.agents a "
      "GROUP BY a.team UNION ALL SELECT t.status, count(*) FROM crm.tasks t GROUP BY t.status"),
    q("set_union_branch_join", "SELECT n.n_name AS name FROM crm.nation n JOIN crm.region r "
      "ON r.r_regionkey = n.n_regionkey WHERE r.r_name = 'ASIA' UNION "
      "SELECT s.s_name FROM crm.supplier s WHERE s.s_nationkey = 8"),
    q("set_union_branch_distinct", "SELECT DISTINCT a.team FROM crm.agents a UNION ALL "
      "SELECT DISTINCT t.status FROM crm.tasks t"),
    q("set_intersect", "SELECT a.id FROM crm.agents a WHERE a.level >= 3 "
      "INTERSECT SELECT t.agent_id FROM crm.tasks t WHERE t.status = 'done'"),
    q("set_intersect_all", "SELECT t.agent_id FROM crm.tasks t WHERE t.priority >= 3 "
      "INTERSECT ALL SELECT t.agent_id FROM crm.tasks t WHERE t.status = 'pending'"),
    q("set_intersect_nulls_match", "SELECT t.agent_id FROM crm.tasks t "
      "INTERSECT SELECT a.level FROM crm.agents a"),
    q("set_intersect_two_columns", "SELECT t.status, t.priority FROM crm.tasks t "
      "WHERE t.id < 300 INTERSECT SELECT t.status, t.priority FROM crm.tasks t WHERE t.id > 500"),
    q("set_intersect_empty", "SELECT a.id FROM crm.agents a INTERSECT "
      "SELECT t.id FROM crm.tasks t WHERE t.id < 0"),
    q("set_except", "SELECT a.id FROM crm.agents a EXCEPT "
      "SELECT t.agent_id FROM crm.tasks t WHERE t.status = 'done'"),
    q("set_except_all", "SELECT t.priority FROM crm.tasks t WHERE t.id < 200 "
      "EXCEPT ALL SELECT a.level FROM crm.agents a"),
    q("set_except_nulls", "SELECT a.level FROM crm.agents a "
      "EXCEPT SELECT t.priority FROM crm.tasks t WHERE t.priority > 2"),
    q("set_except_empty_right", "SELECT r.r_name FROM crm.region r "
      "EXCEPT SELECT n.n_name FROM crm.nation n WHERE n.n_nationkey < 0"),
    q("set_except_everything", "SELECT r.r_regionkey FROM crm.region r "
      "EXCEPT SELECT n.n_regionkey FROM crm.nation n"),
    q("set_precedence_intersect_first", "SELECT a.id FROM crm.agents a WHERE a.level = 1 "
      "UNION SELECT a.id FROM crm.agents a WHERE a.level = 2 "
      "INTERSECT SELECT a.id FROM crm.agents a WHERE a.active = TRUE"),
    q("set_precedence_parenthesised", "(SELECT a.id FROM crm.agents a WHERE a.level = 1 "
      "UNION SELECT a.id FROM crm.agents a WHERE a.level = 2) "
      "INTERSECT SELECT a.id FROM crm.agents a WHERE a.active = TRUE"),
    q("set_except_left_assoc", "SELECT a.id FROM crm.agents a EXCEPT "
      "SELECT a.id FROM crm.agents a WHERE a.level = 1 EXCEPT "
      "SELECT a.id FROM crm.agents a WHERE a.level = 2"),
    q("set_union_all_then_except", "SELECT a.level FROM crm.agents a UNION ALL "
      "SELECT t.priority FROM crm.tasks t EXCEPT SELECT 3 FROM crm.region r"),
    q("set_in_derived_table", "SELECT u.k, count(*) AS n FROM (SELECT a.team AS k "
      "FROM crm.agents a UNION ALL SELECT t.status FROM crm.tasks t) AS u GROUP BY u.k"),
    q("set_derived_filter_above", "SELECT u.id FROM (SELECT a.id FROM crm.agents a "
      "UNION SELECT t.id FROM crm.tasks t) AS u WHERE u.id BETWEEN 100 AND 110"),
    q("set_derived_joined", "SELECT a.name, u.n FROM crm.agents a JOIN "
      "(SELECT t.agent_id AS aid, count(*) AS n FROM crm.tasks t GROUP BY t.agent_id "
      "INTERSECT SELECT a.id, 5 FROM crm.agents a) AS u ON u.aid = a.id"),
    q("set_derived_sum_of_union_all", "SELECT sum(u.v) AS total, count(u.v) AS n "
      "FROM (SELECT t.estimate AS v FROM crm.tasks t WHERE t.priority = 1 "
      "UNION ALL SELECT a.score FROM crm.agents a) AS u"),
    q("set_tpch_nations_with_both", "SELECT n.n_nationkey FROM crm.nation n JOIN "
      "crm.customer c ON c.c_nationkey = n.n_nationkey WHERE c.c_acctbal > 9000 INTERSECT "
      "SELECT s.s_nationkey FROM crm.supplier s WHERE s.s_acctbal > 5000"),
    q("set_union_case_mixed", "SELECT CASE WHEN a.level > 2 THEN 'high' ELSE 'low' END AS b "
      "FROM crm.agents a UNION SELECT t.status FROM crm.tasks t WHERE t.priority = 2"),
    q("set_mixed_case_keywords", "SELECT a.id FROM crm.agents a WHERE a.level = 4 uNiOn aLL "
      "SELECT a.id FROM crm.agents a WHERE a.level = 4"),
]

QUERIES = SETOPS
