"""Subqueries (IN, NOT IN, EXISTS, scalar, ANY/ALL; correlated and not), WITH and derived-table
column lists (issue 10): SQL's NULL semantics at the edges — NULLs on either side of NOT IN and
ALL/ANY, empty subqueries, correlated aggregates, CTEs referenced twice."""

from __future__ import annotations

import datetime as dt

from .corpus import Query, q

AGENT_TASKS = "SELECT t.agent_id FROM crm.tasks t"

IN_SUBQUERIES = [
    q("sub_in_basic", "SELECT a.id, a.name FROM crm.agents a WHERE a.id IN "
      "(SELECT t.agent_id FROM crm.tasks t WHERE t.priority = 5)"),
    q("sub_not_in_with_nulls_inside", f"SELECT a.id FROM crm.agents a WHERE a.id NOT IN "
      f"({AGENT_TASKS})"),
    q("sub_not_in_nulls_excluded", "SELECT a.id FROM crm.agents a WHERE a.id NOT IN "
      "(SELECT t.agent_id FROM crm.tasks t WHERE t.agent_id IS NOT NULL AND t.status = 'done')"),
    q("sub_in_null_operand", "SELECT t.id, t.agent_id FROM crm.tasks t WHERE t.agent_id IN "
      "(SELECT a.id FROM crm.agents a WHERE a.team = 'core')"),
    q("sub_not_in_null_operand", "SELECT t.id, t.agent_id FROM crm.tasks t "
      "WHERE t.agent_id NOT IN (SELECT a.id FROM crm.agents a WHERE a.team = 'ml')"),
    q("sub_not_in_empty", "SELECT t.id, t.agent_id FROM crm.tasks t WHERE t.agent_id NOT IN "
      "(SELECT a.id FROM crm.agents a WHERE a.level > 100)"),
    q("sub_in_empty", "SELECT t.id FROM crm.tasks t WHERE t.agent_id IN "
      "(SELECT a.id FROM crm.agents a WHERE a.level > 100)"),
    q("sub_in_select_list_three_valued", "SELECT t.id, t.agent_id IN (SELECT a.id FROM "
      "crm.agents a WHERE a.team = 'infra') AS infra FROM crm.tasks t"),
    q("sub_not_in_select_list_three_valued", "SELECT a.id, a.level NOT IN "
      "(SELECT t.priority FROM crm.tasks t WHERE t.agent_id = a.id) AS other FROM crm.agents a"),
    q("sub_in_grouped_subquery", "SELECT a.id, a.team FROM crm.agents a WHERE a.id IN "
      "(SELECT t.agent_id FROM crm.tasks t GROUP BY t.agent_id HAVING count(*) >= 9)"),
    q("sub_in_correlated", "SELECT t.id, t.priority FROM crm.tasks t WHERE t.priority IN "
      "(SELECT u.priority FROM crm.tasks u WHERE u.agent_id = t.agent_id AND u.id <> t.id "
      "AND u.status = 'blocked')"),
    q("sub_in_expression_operand", "SELECT a.id FROM crm.agents a WHERE a.level * 2 IN "
      "(SELECT t.priority FROM crm.tasks t WHERE t.status = 'done')"),
    q("sub_in_tpch_segment", "SELECT o.o_orderkey, o.o_totalprice FROM crm.orders o "
      "WHERE o.o_custkey IN (SELECT c.c_custkey FROM crm.customer c "
      "WHERE c.c_mktsegment = 'BUILDING') AND o.o_orderdate < DATE '1993-03-01'"),
    q("sub_in_nested", "SELECT c.c_custkey, c.c_name FROM crm.customer c WHERE c.c_nationkey IN "
      "(SELECT n.n_nationkey FROM crm.nation n WHERE n.n_regionkey IN "
      "(SELECT r.r_regionkey FROM crm.region r WHERE r.r_name = 'ASIA'))"),
    q("sub_in_strings", "SELECT t.id, t.status FROM crm.tasks t WHERE t.status IN "
      "(SELECT lower(u.status) FROM crm.tasks u WHERE u.priority = 1)"),
    q("sub_in_dates", "SELECT t.id, t.due FROM crm.tasks t WHERE t.due IN "
      "(SELECT max(u.due) FROM crm.tasks u GROUP BY u.agent_id)"),
    q("sub_in_join_on", "SELECT a.id, t.id AS task FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id AND t.id IN (SELECT u.id FROM crm.tasks u WHERE u.priority > 3)"),
    q("sub_not_in_or_null", "SELECT a.id FROM crm.agents a WHERE a.level IS NULL OR a.id NOT IN "
      "(SELECT t.agent_id FROM crm.tasks t WHERE t.agent_id IS NOT NULL AND t.priority = 5)"),
    q("sub_in_having", "SELECT a.team, count(*) AS n FROM crm.agents a GROUP BY a.team "
      "HAVING a.team IN (SELECT b.team FROM crm.agents b WHERE b.level = 5)"),
    q("sub_in_parameter", "SELECT a.id FROM crm.agents a WHERE a.id IN "
      "(SELECT t.agent_id FROM crm.tasks t WHERE t.priority = $p AND t.status = $s)",
      {"p": 4, "s": "pending"}),
    q("sub_in_order_limit", "SELECT a.id, a.name FROM crm.agents a WHERE a.id IN "
      "(SELECT t.agent_id FROM crm.tasks t WHERE t.agent_id IS NOT NULL "
      "ORDER BY t.id LIMIT 7)"),
    q("sub_not_in_empty_null_operand_select", "SELECT a.id, a.level NOT IN "
      "(SELECT t.priority FROM crm.tasks t WHERE t.priority > 10) AS kept FROM crm.agents a"),
    q("sub_in_distinct_subquery", "SELECT DISTINCT t.status FROM crm.tasks t WHERE t.agent_id "
      "IN (SELECT DISTINCT a.id FROM crm.agents a WHERE a.active = TRUE)"),
]

EXISTS_SUBQUERIES = [
    q("sub_exists_correlated", "SELECT a.id FROM crm.agents a WHERE EXISTS (SELECT 1 FROM "
      "crm.tasks t WHERE t.agent_id = a.id AND t.status = 'done')"),
    q("sub_not_exists_correlated", "SELECT a.id, a.name FROM crm.agents a WHERE NOT EXISTS "
      "(SELECT 1 FROM crm.tasks t WHERE t.agent_id = a.id AND t.status = 'done')"),
    q("sub_exists_uncorrelated", "SELECT a.id FROM crm.agents a WHERE a.level = 5 AND EXISTS "
      "(SELECT 1 FROM crm.tasks t WHERE t.status = 'blocked')"),
    q("sub_exists_empty", "SELECT a.id FROM crm.agents a WHERE EXISTS "
      "(SELECT 1 FROM crm.tasks t WHERE t.priority > 100)"),
    q("sub_not_exists_empty", "SELECT a.id FROM crm.agents a WHERE NOT EXISTS "
      "(SELECT t.id FROM crm.tasks t WHERE t.priority > 100) AND a.level = 2"),
    q("sub_exists_select_list", "SELECT a.id, EXISTS (SELECT 1 FROM crm.tasks t "
      "WHERE t.agent_id = a.id AND t.priority = 5) AS urgent FROM crm.agents a"),
    q("sub_exists_aggregate_always_a_row", "SELECT a.id FROM crm.agents a WHERE EXISTS "
      "(SELECT count(*) FROM crm.tasks t WHERE t.agent_id = a.id AND t.priority > 100)"),
    q("sub_exists_or", "SELECT a.id FROM crm.agents a WHERE a.level > 6 OR EXISTS "
      "(SELECT 1 FROM crm.tasks t WHERE t.agent_id = a.id AND t.status = 'blocked')"),
    q("sub_exists_tpch_q4_shape", "SELECT o.o_orderpriority, count(*) AS order_count "
      "FROM crm.orders o WHERE o.o_orderdate >= DATE '1993-07-01' "
      "AND o.o_orderdate < DATE '1993-10-01' AND EXISTS (SELECT * FROM crm.lineitem l "
      "WHERE l.l_orderkey = o.o_orderkey AND l.l_commitdate < l.l_receiptdate) "
      "GROUP BY o.o_orderpriority ORDER BY o.o_orderpriority", ordered=True),
    q("sub_exists_tpch_q21_shape", "SELECT l1.l_orderkey, l1.l_suppkey FROM crm.lineitem l1 "
      "WHERE l1.l_receiptdate > l1.l_commitdate AND l1.l_orderkey < 400 "
      "AND EXISTS (SELECT * FROM crm.lineitem l2 WHERE l2.l_orderkey = l1.l_orderkey "
      "AND l2.l_suppkey <> l1.l_suppkey) AND NOT EXISTS (SELECT * FROM crm.lineitem l3 "
      "WHERE l3.l_orderkey = l1.l_orderkey AND l3.l_suppkey <> l1.l_suppkey "
      "AND l3.l_receiptdate > l3.l_commitdate)"),
    q("sub_exists_two_levels", "SELECT r.r_name FROM crm.region r WHERE EXISTS (SELECT 1 FROM "
      "crm.nation n WHERE n.n_regionkey = r.r_regionkey AND EXISTS (SELECT 1 FROM "
      "crm.customer c WHERE c.c_nationkey = n.n_nationkey AND c.c_acctbal > 9900))"),
    q("sub_exists_limit_zero", "SELECT a.id FROM crm.agents a WHERE a.level = 3 AND NOT EXISTS "
      "(SELECT 1 FROM crm.tasks t LIMIT 0)"),
    q("sub_exists_in_case", "SELECT a.id, CASE WHEN EXISTS (SELECT 1 FROM crm.tasks t "
      "WHERE t.agent_id = a.id AND t.status IS NULL) THEN 'unknown' ELSE 'known' END AS kind "
      "FROM crm.agents a"),
    q("sub_not_exists_left_join", "SELECT a.id, t.id AS task FROM crm.agents a "
      "LEFT JOIN crm.tasks t ON t.agent_id = a.id AND t.priority = 5 WHERE NOT EXISTS "
      "(SELECT 1 FROM crm.tasks u WHERE u.agent_id = a.id AND u.status = 'done')"),
    q("sub_exists_from_derived", "SELECT d.team, d.n FROM (SELECT a.team, count(*) AS n "
      "FROM crm.agents a GROUP BY a.team) AS d WHERE EXISTS (SELECT 1 FROM crm.agents b "
      "WHERE b.team = d.team AND b.level = 1)"),
    q("sub_exists_correlated_on_two_columns", "SELECT t.id FROM crm.tasks t WHERE EXISTS "
      "(SELECT 1 FROM crm.tasks u WHERE u.agent_id = t.agent_id AND u.priority = t.priority "
      "AND u.id < t.id)"),
]

SCALAR_SUBQUERIES = [
    q("sub_scalar_uncorrelated", "SELECT a.id, a.level, (SELECT max(b.level) FROM crm.agents b) "
      "AS top FROM crm.agents a"),
    q("sub_scalar_correlated_count", "SELECT a.id, (SELECT count(*) FROM crm.tasks t "
      "WHERE t.agent_id = a.id) AS n FROM crm.agents a"),
    q("sub_scalar_correlated_sum_null", "SELECT a.id, (SELECT sum(t.estimate) FROM crm.tasks t "
      "WHERE t.agent_id = a.id AND t.status = 'blocked') AS blocked FROM crm.agents a"),
    q("sub_scalar_where_avg", "SELECT a.id, a.score FROM crm.agents a WHERE a.score > "
      "(SELECT avg(b.score) FROM crm.agents b)"),
    q("sub_scalar_where_correlated_avg", "SELECT a.id, a.team, a.score FROM crm.agents a "
      "WHERE a.score > (SELECT avg(b.score) FROM crm.agents b WHERE b.team = a.team)"),
    q("sub_scalar_having", "SELECT t.agent_id, count(*) AS n FROM crm.tasks t "
      "GROUP BY t.agent_id HAVING count(*) > (SELECT count(*) / 100 FROM crm.tasks u)"),
    q("sub_scalar_order_by", "SELECT a.id FROM crm.agents a ORDER BY (SELECT count(*) FROM "
      "crm.tasks t WHERE t.agent_id = a.id) DESC, a.id LIMIT 10", ordered=True),
    q("sub_scalar_empty_is_null", "SELECT a.id, (SELECT t.id FROM crm.tasks t WHERE t.id < 0) "
      "AS none FROM crm.agents a WHERE a.level = 4"),
    q("sub_scalar_arithmetic", "SELECT a.id, (SELECT max(t.priority) FROM crm.tasks t "
      "WHERE t.agent_id = a.id) - a.level AS gap FROM crm.agents a"),
    q("sub_scalar_order_limit_inside", "SELECT a.id, (SELECT t.title FROM crm.tasks t "
      "WHERE t.agent_id = a.id ORDER BY t.id LIMIT 1) AS first_title FROM crm.agents a"),
    q("sub_scalar_in_case", "SELECT a.id, CASE WHEN (SELECT count(*) FROM crm.tasks t "
      "WHERE t.agent_id = a.id) > 7 THEN 'busy' ELSE 'free' END AS load FROM crm.agents a"),
    q("sub_scalar_nested", "SELECT a.id FROM crm.agents a WHERE a.level = (SELECT max(b.level) "
      "FROM crm.agents b WHERE b.score > (SELECT avg(c.score) FROM crm.agents c))"),
    q("sub_scalar_tpch_q17_shape", "SELECT sum(l.l_extendedprice) / 7.0 AS avg_yearly "
      "FROM crm.lineitem l, crm.part p WHERE p.p_partkey = l.l_partkey "
      "AND p.p_container = 'MED BOX' AND l.l_quantity < (SELECT 0.2 * avg(l2.l_quantity) "
      "FROM crm.lineitem l2 WHERE l2.l_partkey = p.p_partkey)"),
    q("sub_scalar_correlated_by_group_key", "SELECT a.team, count(*) AS n, "
      "(SELECT count(*) FROM crm.agents b WHERE b.team = a.team AND b.active = TRUE) "
      "AS active FROM crm.agents a GROUP BY a.team"),
    q("sub_scalar_having_correlated", "SELECT a.team, max(a.level) AS top FROM crm.agents a "
      "GROUP BY a.team HAVING max(a.level) > (SELECT avg(b.level) FROM crm.agents b "
      "WHERE b.team = a.team)"),
    q("sub_scalar_string", "SELECT a.id, (SELECT min(t.title) FROM crm.tasks t "
      "WHERE t.agent_id = a.id) AS first FROM crm.agents a WHERE a.level = 5"),
    q("sub_scalar_date", "SELECT t.id, t.due FROM crm.tasks t WHERE t.due < "
      "(SELECT min(a.hired) FROM crm.agents a WHERE a.team = 'ml') + INTERVAL 3000 DAY"),
    q("sub_scalar_join_on", "SELECT a.id, t.id AS task FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id AND t.priority = (SELECT max(u.priority) FROM crm.tasks u "
      "WHERE u.agent_id = a.id)"),
    q("sub_scalar_in_derived", "SELECT d.id, d.n FROM (SELECT a.id, (SELECT count(*) FROM "
      "crm.tasks t WHERE t.agent_id = a.id) AS n FROM crm.agents a) AS d WHERE d.n > 8"),
    q("sub_scalar_coalesce", "SELECT a.id, coalesce((SELECT sum(t.priority) FROM crm.tasks t "
      "WHERE t.agent_id = a.id AND t.status = 'blocked'), 0) AS p FROM crm.agents a"),
    q("sub_scalar_parameter", "SELECT a.id FROM crm.agents a WHERE a.level >= "
      "(SELECT max(b.level) - $d FROM crm.agents b WHERE b.team = $team)",
      {"d": 1, "team": "infra"}),
    q("sub_scalar_compared_both_sides", "SELECT a.id FROM crm.agents a WHERE "
      "(SELECT count(*) FROM crm.tasks t WHERE t.agent_id = a.id) = "
      "(SELECT count(*) FROM crm.tasks u WHERE u.agent_id = a.id AND u.priority > 2)"),
    q("sub_scalar_tpch_q2_shape", "SELECT s.s_name, p.p_partkey, l.l_extendedprice "
      "FROM crm.part p, crm.lineitem l, crm.supplier s WHERE p.p_partkey = l.l_partkey "
      "AND s.s_suppkey = l.l_suppkey AND p.p_size = 15 AND l.l_extendedprice = "
      "(SELECT min(l2.l_extendedprice) FROM crm.lineitem l2 WHERE l2.l_partkey = p.p_partkey)"),
]

QUANTIFIED_SUBQUERIES = [
    q("sub_all_greater", "SELECT a.id, a.score FROM crm.agents a WHERE a.score > ALL "
      "(SELECT b.score FROM crm.agents b WHERE b.team = 'search' AND b.score IS NOT NULL)"),
    q("sub_all_empty_is_true", "SELECT a.id, a.level FROM crm.agents a WHERE a.level > ALL "
      "(SELECT t.priority FROM crm.tasks t WHERE t.priority > 100)"),
    q("sub_all_with_nulls", "SELECT a.id FROM crm.agents a WHERE a.level > ALL "
      "(SELECT b.level FROM crm.agents b WHERE b.team = 'data_eng')"),
    q("sub_all_select_list_with_nulls", "SELECT a.id, a.level >= ALL (SELECT b.level "
      "FROM crm.agents b WHERE b.team = 'data_eng' OR b.level IS NULL) AS top "
      "FROM crm.agents a"),
    q("sub_all_select_list_three_valued", "SELECT a.id, a.level >= ALL (SELECT b.level "
      "FROM crm.agents b WHERE b.team = a.team) AS top FROM crm.agents a"),
    q("sub_any_less", "SELECT a.id FROM crm.agents a WHERE a.score < ANY "
      "(SELECT b.score FROM crm.agents b WHERE b.team = 'ml')"),
    q("sub_any_equal_is_in", "SELECT t.id FROM crm.tasks t WHERE t.agent_id = ANY "
      "(SELECT a.id FROM crm.agents a WHERE a.level = 5)"),
    q("sub_all_not_equal_is_not_in", "SELECT t.id FROM crm.tasks t WHERE t.agent_id <> ALL "
      "(SELECT a.id FROM crm.agents a WHERE a.level = 7)"),
    q("sub_any_not_equal", "SELECT a.id FROM crm.agents a WHERE a.level <> ANY "
      "(SELECT b.level FROM crm.agents b WHERE b.team = 'search')"),
    q("sub_all_correlated", "SELECT t.id, t.priority FROM crm.tasks t WHERE t.priority >= ALL "
      "(SELECT u.priority FROM crm.tasks u WHERE u.agent_id = t.agent_id)"),
    q("sub_some_less_equal", "SELECT a.id FROM crm.agents a WHERE a.level <= SOME "
      "(SELECT t.priority FROM crm.tasks t WHERE t.agent_id = a.id AND t.status = 'done')"),
    q("sub_any_empty_is_false", "SELECT a.id FROM crm.agents a WHERE a.level = ANY "
      "(SELECT t.priority FROM crm.tasks t WHERE t.priority > 100)"),
    q("sub_any_select_list_null_operand", "SELECT a.id, a.level < ANY (SELECT t.priority "
      "FROM crm.tasks t WHERE t.agent_id = a.id) AS some_higher FROM crm.agents a"),
    q("sub_all_expression_operand", "SELECT o.o_orderkey FROM crm.orders o "
      "WHERE o.o_totalprice * 2 > ALL (SELECT l.l_extendedprice FROM crm.lineitem l "
      "WHERE l.l_orderkey = o.o_orderkey) AND o.o_orderkey < 600"),
    q("sub_not_all", "SELECT a.id FROM crm.agents a WHERE NOT (a.level > ALL "
      "(SELECT b.level FROM crm.agents b WHERE b.team = 'search'))"),
    q("sub_any_having", "SELECT t.agent_id, count(*) AS n FROM crm.tasks t GROUP BY t.agent_id "
      "HAVING count(*) > ANY (SELECT a.level * 2 FROM crm.agents a WHERE a.team = 'core')"),
    q("sub_all_dates", "SELECT a.id, a.hired FROM crm.agents a WHERE a.hired < ALL "
      "(SELECT t.due FROM crm.tasks t WHERE t.due IS NOT NULL AND t.priority = 5)"),
]

WITH_QUERIES = [
    q("cte_basic", "WITH busy AS (SELECT t.agent_id, count(*) AS n FROM crm.tasks t "
      "GROUP BY t.agent_id) SELECT a.name, b.n FROM crm.agents a JOIN busy b "
      "ON b.agent_id = a.id"),
    q("cte_referenced_twice", "WITH busy AS (SELECT t.agent_id, count(*) AS n FROM crm.tasks t "
      "GROUP BY t.agent_id) SELECT x.agent_id, x.n, y.agent_id AS other FROM busy x "
      "JOIN busy y ON y.n = x.n AND y.agent_id > x.agent_id"),
    q("cte_chain", "WITH busy AS (SELECT t.agent_id, count(*) AS n FROM crm.tasks t "
      "GROUP BY t.agent_id), top AS (SELECT b.agent_id FROM busy b WHERE b.n >= 9) "
      "SELECT a.id, a.team FROM crm.agents a JOIN top ON top.agent_id = a.id"),
    q("cte_column_list", "WITH s (team, people, best) AS (SELECT a.team, count(*), "
      "max(a.score) FROM crm.agents a GROUP BY a.team) SELECT s.team, s.people, s.best "
      "FROM s WHERE s.people > 5"),
    q("cte_in_subquery", "WITH core AS (SELECT a.id FROM crm.agents a WHERE a.team = 'core') "
      "SELECT t.id, t.title FROM crm.tasks t WHERE t.agent_id IN (SELECT c.id FROM core c)"),
    q("cte_scalar_max_like_q15", "WITH revenue AS (SELECT l.l_suppkey AS supplier_no, "
      "sum(l.l_extendedprice * (1 - l.l_discount)) AS total_revenue FROM crm.lineitem l "
      "WHERE l.l_shipdate >= DATE '1996-01-01' AND l.l_shipdate < DATE '1996-04-01' "
      "GROUP BY l.l_suppkey) SELECT s.s_suppkey, s.s_name, r.total_revenue "
      "FROM crm.supplier s, revenue r WHERE s.s_suppkey = r.supplier_no "
      "AND r.total_revenue = (SELECT max(r2.total_revenue) FROM revenue r2)"),
    q("cte_in_derived_table", "WITH hot AS (SELECT t.id, t.agent_id FROM crm.tasks t "
      "WHERE t.priority = 5) SELECT d.agent_id, d.n FROM (SELECT h.agent_id, count(*) AS n "
      "FROM hot h GROUP BY h.agent_id) AS d WHERE d.n > 1"),
    q("cte_nested_with", "SELECT d.team, d.n FROM (WITH x AS (SELECT a.team FROM crm.agents a "
      "WHERE a.active = TRUE) SELECT x.team, count(*) AS n FROM x GROUP BY x.team) AS d"),
    q("cte_shadowed_inside", "WITH x AS (SELECT a.id FROM crm.agents a WHERE a.level = 1) "
      "SELECT y.id FROM (WITH x AS (SELECT a.id FROM crm.agents a WHERE a.level = 2) "
      "SELECT x.id FROM x) AS y JOIN x AS z ON z.id = y.id + 1"),
    q("cte_order_limit_inside", "WITH best AS (SELECT a.id, a.score FROM crm.agents a "
      "WHERE a.score IS NOT NULL ORDER BY a.score DESC, a.id LIMIT 5) "
      "SELECT b.id, b.score FROM best b ORDER BY b.id", ordered=True),
    q("cte_parameters", "WITH picked AS (SELECT t.id, t.agent_id FROM crm.tasks t "
      "WHERE t.status = $s AND t.priority >= $p) SELECT a.team, count(*) AS n "
      "FROM picked x JOIN crm.agents a ON a.id = x.agent_id GROUP BY a.team",
      {"s": "done", "p": 3}),
    q("cte_unused", "WITH unused AS (SELECT t.id FROM crm.tasks t) SELECT a.id FROM "
      "crm.agents a WHERE a.level = 4"),
    q("cte_tpch_join", "WITH asia AS (SELECT n.n_nationkey, n.n_name FROM crm.nation n "
      "JOIN crm.region r ON r.r_regionkey = n.n_regionkey WHERE r.r_name = 'ASIA') "
      "SELECT asia.n_name, count(*) AS customers FROM crm.customer c JOIN asia "
      "ON asia.n_nationkey = c.c_nationkey GROUP BY asia.n_name"),
    q("cte_distinct", "WITH teams AS (SELECT DISTINCT a.team FROM crm.agents a) "
      "SELECT count(*) AS n FROM teams"),
    q("cte_referenced_in_exists", "WITH blocked AS (SELECT t.agent_id FROM crm.tasks t "
      "WHERE t.status = 'blocked') SELECT a.id FROM crm.agents a WHERE EXISTS "
      "(SELECT 1 FROM blocked b WHERE b.agent_id = a.id) AND NOT EXISTS "
      "(SELECT 1 FROM blocked b2 WHERE b2.agent_id = a.id + 1)"),
    q("cte_three_references", "WITH lv AS (SELECT a.id, a.level FROM crm.agents a) "
      "SELECT x.id FROM lv x JOIN lv y ON y.id = x.id + 1 JOIN lv z ON z.id = x.id + 2 "
      "WHERE x.level < y.level AND y.level < z.level"),
    q("cte_with_scalar_in_select", "WITH counts AS (SELECT t.agent_id, count(*) AS n "
      "FROM crm.tasks t GROUP BY t.agent_id) SELECT a.id, (SELECT c.n FROM counts c "
      "WHERE c.agent_id = a.id) AS n FROM crm.agents a"),
    q("cte_order_by_outer", "WITH s AS (SELECT a.team, avg(a.score) AS mean FROM crm.agents a "
      "GROUP BY a.team) SELECT s.team, s.mean FROM s ORDER BY s.mean DESC NULLS LAST, s.team",
      ordered=True),
]

COLUMN_LISTS = [
    q("derived_columns_renamed", "SELECT d.x, d.y FROM (SELECT a.id, a.level FROM crm.agents a) "
      "AS d(x, y) WHERE d.y > 2"),
    q("derived_columns_fewer_names", "SELECT d.x, d.team FROM (SELECT a.id, a.team "
      "FROM crm.agents a) AS d (x) WHERE d.team = 'ml'"),
    q("derived_columns_join", "SELECT d.k, t.title FROM (SELECT a.id FROM crm.agents a "
      "WHERE a.level = 5) d(k) JOIN crm.tasks t ON t.agent_id = d.k"),
    q("derived_columns_group", "SELECT d.grp, count(*) AS n FROM (SELECT t.status, t.priority "
      "FROM crm.tasks t) AS d(grp, prio) WHERE d.prio > 2 GROUP BY d.grp"),
    q("derived_columns_nested", "SELECT e.z FROM (SELECT d.x + 1 FROM (SELECT a.level "
      "FROM crm.agents a) AS d(x)) AS e(z) WHERE e.z > 5"),
    q("derived_columns_tpch_q13_shape", "SELECT c_count, count(*) AS custdist FROM "
      "(SELECT c.c_custkey, count(o.o_orderkey) FROM crm.customer c LEFT OUTER JOIN "
      "crm.orders o ON c.c_custkey = o.o_custkey AND o.o_comment NOT LIKE '%special%' "
      "GROUP BY c.c_custkey) AS c_orders (c_custkey, c_count) GROUP BY c_count "
      "ORDER BY custdist DESC, c_count DESC", ordered=True),
]

MIXED = [
    q("sub_tpch_q20_shape", "SELECT s.s_name FROM crm.supplier s, crm.nation n "
      "WHERE s.s_suppkey IN (SELECT l.l_suppkey FROM crm.lineitem l WHERE l.l_partkey IN "
      "(SELECT p.p_partkey FROM crm.part p WHERE p.p_name LIKE 'f%') AND l.l_quantity > "
      "(SELECT 0.5 * avg(l2.l_quantity) FROM crm.lineitem l2 WHERE l2.l_partkey = l.l_partkey "
      "AND l2.l_suppkey = l.l_suppkey)) AND s.s_nationkey = n.n_nationkey"),
    q("sub_tpch_q22_shape", "SELECT c.c_nationkey, count(*) AS numcust, sum(c.c_acctbal) AS "
      "total FROM crm.customer c WHERE c.c_acctbal > (SELECT avg(c2.c_acctbal) FROM "
      "crm.customer c2 WHERE c2.c_acctbal > 0.00) AND NOT EXISTS (SELECT * FROM crm.orders o "
      "WHERE o.o_custkey = c.c_custkey) GROUP BY c.c_nationkey"),
    q("sub_tpch_q18_shape", "SELECT c.c_name, o.o_orderkey, o.o_totalprice FROM crm.customer c, "
      "crm.orders o WHERE o.o_orderkey IN (SELECT l.l_orderkey FROM crm.lineitem l "
      "GROUP BY l.l_orderkey HAVING sum(l.l_quantity) > 230) AND c.c_custkey = o.o_custkey"),
    q("sub_tpch_q11_shape", "SELECT l.l_partkey, sum(l.l_extendedprice) AS value "
      "FROM crm.lineitem l GROUP BY l.l_partkey HAVING sum(l.l_extendedprice) > "
      "(SELECT sum(l2.l_extendedprice) * 0.004 FROM crm.lineitem l2)"),
    q("sub_correlated_aggregates_both_levels", "SELECT t.agent_id, avg(t.estimate) AS mean "
      "FROM crm.tasks t WHERE t.estimate > (SELECT avg(u.estimate) FROM crm.tasks u "
      "WHERE u.status = t.status) GROUP BY t.agent_id"),
    q("sub_in_and_exists_and_scalar", "SELECT a.id, (SELECT count(*) FROM crm.tasks t "
      "WHERE t.agent_id = a.id) AS n FROM crm.agents a WHERE a.id IN (SELECT t.agent_id "
      "FROM crm.tasks t WHERE t.priority = 5) AND EXISTS (SELECT 1 FROM crm.tasks t "
      "WHERE t.agent_id = a.id AND t.status = 'done') AND a.level < ALL (SELECT t.priority "
      "FROM crm.tasks t WHERE t.agent_id = a.id AND t.status = 'blocked')"),
    q("sub_in_subquery_of_derived", "SELECT d.id FROM (SELECT a.id, a.team FROM crm.agents a "
      "WHERE a.id IN (SELECT t.agent_id FROM crm.tasks t WHERE t.priority = 1)) AS d "
      "WHERE d.team IS NOT NULL"),
    q("sub_correlated_through_derived", "SELECT a.id FROM crm.agents a WHERE 3 < (SELECT "
      "count(*) FROM (SELECT t.id FROM crm.tasks t WHERE t.agent_id = a.id) AS mine)"),
    q("sub_distinct_outer", "SELECT DISTINCT a.team FROM crm.agents a WHERE EXISTS "
      "(SELECT 1 FROM crm.tasks t WHERE t.agent_id = a.id AND t.priority = 5)"),
    q("sub_order_limit_outer", "SELECT a.id, (SELECT count(*) FROM crm.tasks t "
      "WHERE t.agent_id = a.id) AS n FROM crm.agents a ORDER BY n DESC, a.id LIMIT 5",
      ordered=True),
    q("sub_left_join_then_correlated", "SELECT a.id, t.id AS task FROM crm.agents a LEFT JOIN "
      "crm.tasks t ON t.agent_id = a.id WHERE t.id IS NULL OR t.priority = (SELECT "
      "max(u.priority) FROM crm.tasks u WHERE u.agent_id = a.id)"),
    q("sub_dates_param", "SELECT t.id FROM crm.tasks t WHERE t.due > ALL (SELECT a.hired FROM "
      "crm.agents a WHERE a.hired IS NOT NULL AND a.level = $l) AND t.due < $d",
      {"l": 5, "d": dt.date(2024, 6, 1)}),
]

PARAMETER_LIMITS = [
    q("limit_offset_parameters", "SELECT a.id, a.name FROM crm.agents a ORDER BY a.id "
      "LIMIT $n OFFSET $m", {"n": 4, "m": 3}, ordered=True),
    q("limit_parameter_in_subquery", "SELECT a.id FROM crm.agents a WHERE a.id IN "
      "(SELECT t.agent_id FROM crm.tasks t ORDER BY t.id LIMIT $n)", {"n": 6}),
    q("limit_offset_parameters_in_cte", "WITH f AS (SELECT t.id, t.agent_id FROM crm.tasks t "
      "ORDER BY t.id LIMIT $n OFFSET $m) SELECT f.agent_id, count(*) AS n FROM f "
      "GROUP BY f.agent_id", {"n": 30, "m": 10}),
    q("offset_parameter_scalar", "SELECT a.id, (SELECT t.title FROM crm.tasks t "
      "WHERE t.agent_id = a.id ORDER BY t.id LIMIT 1 OFFSET $m) AS second FROM crm.agents a",
      {"m": 1}),
]

# subqueries that go down whole into the one SQLite source (planner.pushed_subqueries): the
# values of both levels bind in text order; text IN compares with BINARY collation
PUSHED_WHOLE = [
    q("pushed_params_both_levels", "SELECT a.id FROM crm.agents a WHERE a.level = $l AND NOT "
      "EXISTS (SELECT 1 FROM crm.tasks t WHERE t.priority = $p AND t.agent_id = a.id) AND "
      "a.team = $t", {"l": 3, "p": 5, "t": "ml"}),
    q("pushed_text_in", "SELECT t.id FROM crm.tasks t WHERE t.status IN (SELECT a.team FROM "
      "crm.agents a WHERE a.level = 1) OR t.title IN (SELECT a.name FROM crm.agents a)"),
    q("pushed_text_not_in_param", "SELECT a.id FROM crm.agents a WHERE a.name NOT IN (SELECT "
      "t.title FROM crm.tasks t WHERE t.title IS NOT NULL AND t.status = $s)", {"s": "open"}),
    q("pushed_exists_inner_join", "SELECT c.c_custkey FROM crm.customer c WHERE EXISTS (SELECT "
      "1 FROM crm.orders o JOIN crm.lineitem l ON l.l_orderkey = o.o_orderkey WHERE "
      "o.o_custkey = c.c_custkey AND l.l_quantity > 49) AND c.c_nationkey < 5"),
    q("pushed_not_exists_nested_in", "SELECT c.c_name FROM crm.customer c WHERE NOT EXISTS "
      "(SELECT 1 FROM crm.orders o WHERE o.o_custkey = c.c_custkey AND o.o_orderkey IN "
      "(SELECT l.l_orderkey FROM crm.lineitem l WHERE l.l_discount > 0.09)) AND "
      "c.c_acctbal > 9000"),
    q("pushed_exists_with_join_outer", "SELECT a.name, t.title FROM crm.agents a JOIN crm.tasks "
      "t ON t.agent_id = a.id WHERE EXISTS (SELECT 1 FROM crm.tasks u WHERE u.agent_id = a.id "
      "AND u.id <> t.id AND u.due = t.due)"),
    q("pushed_in_correlated_operand_expr", "SELECT a.id FROM crm.agents a WHERE a.level + 1 IN "
      "(SELECT t.priority FROM crm.tasks t WHERE t.agent_id = a.id)"),
]

# scalar subqueries that go down whole into the one SQLite source (planner.pushed_scalars):
# at most one row (an aggregate, LIMIT 1, …) computed there as DuckDB would; correlated ones
# where they seek by an index (the indexed copy of the file: test_pushed_whole_on_indexes)
PUSHED_SCALARS = [
    q("pushed_scalar_count_params", "SELECT a.id FROM crm.agents a WHERE a.team = $t AND "
      "(SELECT count(*) FROM crm.tasks t WHERE t.agent_id = a.id AND t.priority > $p) >= "
      "a.level", {"t": "ml", "p": 2}),
    q("pushed_scalar_first_row_nulls_last", "SELECT t.id FROM crm.tasks t WHERE t.due = "
      "(SELECT u.due FROM crm.tasks u WHERE u.agent_id = t.agent_id ORDER BY u.due, u.id "
      "LIMIT 1)"),
    q("pushed_scalar_empty_inputs", "SELECT a.id FROM crm.agents a WHERE a.level > (SELECT "
      "count(*) FROM crm.tasks t WHERE t.priority > 99) AND coalesce((SELECT max(t.priority) "
      "FROM crm.tasks t WHERE t.priority > 99), a.level) = a.level"),
    q("pushed_scalar_text_min", "SELECT a.id FROM crm.agents a WHERE a.name > (SELECT "
      "min(t.title) FROM crm.tasks t WHERE t.agent_id = a.id)"),
    q("pushed_scalar_orders_per_customer", "SELECT c.c_custkey FROM crm.customer c WHERE "
      "(SELECT count(*) FROM crm.orders o WHERE o.o_custkey = c.c_custkey AND "
      "o.o_orderstatus = 'F') > 5 AND c.c_acctbal > (SELECT avg(d.c_acctbal) FROM "
      "crm.customer d)"),
    q("pushed_scalar_join_on_max", "SELECT a.id, t.id AS task FROM crm.agents a JOIN "
      "crm.tasks t ON t.agent_id = a.id AND t.priority = (SELECT max(u.priority) FROM "
      "crm.tasks u WHERE u.agent_id = a.id) WHERE a.level > 2"),
    # in the SELECT list: one more column of the Scan's statement (a date read back as a date)
    q("pushed_scalar_select_count", "SELECT a.id, (SELECT count(*) FROM crm.tasks t WHERE "
      "t.agent_id = a.id AND t.priority > $p) AS n FROM crm.agents a WHERE a.team = $t",
      {"p": 2, "t": "ml"}),
    q("pushed_scalar_select_last_due", "SELECT t.id, (SELECT u.due FROM crm.tasks u WHERE "
      "u.agent_id = t.agent_id ORDER BY u.due DESC, u.id LIMIT 1) AS last_due FROM crm.tasks t"),
    q("pushed_scalar_select_lookup", "SELECT t.id, coalesce((SELECT min(a.name) FROM "
      "crm.agents a WHERE a.id = t.agent_id), t.title) AS who FROM crm.tasks t WHERE "
      "t.priority < 3"),
    q("pushed_scalar_select_max_price", "SELECT c.c_custkey, (SELECT max(o.o_totalprice) FROM "
      "crm.orders o WHERE o.o_custkey = c.c_custkey) AS top FROM crm.customer c WHERE "
      "c.c_nationkey = 3"),
    q("pushed_scalar_sum_int_stays", "SELECT a.id FROM crm.agents a WHERE a.level * 10 < "
      "(SELECT sum(t.priority) FROM crm.tasks t WHERE t.agent_id = a.id)"),
]
PUSHED_SCALARS_STAY = frozenset({"pushed_scalar_sum_int_stays"})
# SQLite's integer + turns REAL on overflow where DuckDB raises: the operand stays in DuckDB
PUSHED_WHOLE_STAY = frozenset({"pushed_in_correlated_operand_expr"})

QUERIES: list[Query] = (PUSHED_WHOLE + PUSHED_SCALARS + PARAMETER_LIMITS + IN_SUBQUERIES
                        + EXISTS_SUBQUERIES + SCALAR_SUBQUERIES + QUANTIFIED_SUBQUERIES
                        + WITH_QUERIES + COLUMN_LISTS + MIXED)
