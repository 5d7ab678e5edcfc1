"""Queries whose work moves into SQLite: top-N (ORDER BY … LIMIT into the fragment, with
explicit NULL placement), OR factoring with implied per-table filters (TPC-H Q19 shape), and
aggregates (global ones run in SQLite; grouped ones stay in DuckDB under SQLite's shipped
capabilities, and pin the boundary). Every ORDER BY with a LIMIT is total (ties broken by a
key) or returns only the keys (``topn_ties_key_only``), so the answer does not depend on
which tied rows a source returns at the cut-off."""

from __future__ import annotations

import datetime as dt

from .corpus import Query, q

TOP_N: list[Query] = [
    q("topn_nulls_last_asc", "SELECT t.id, t.due FROM crm.tasks t ORDER BY t.due, t.id LIMIT 12",
      ordered=True),
    q("topn_desc_default_nulls", "SELECT t.id, t.due FROM crm.tasks t "
      "ORDER BY t.due DESC, t.id DESC LIMIT 9", ordered=True),
    q("topn_nulls_first", "SELECT t.id, t.estimate FROM crm.tasks t "
      "ORDER BY t.estimate NULLS FIRST, t.id LIMIT 15", ordered=True),
    q("topn_desc_nulls_last", "SELECT a.id, a.score FROM crm.agents a "
      "ORDER BY a.score DESC NULLS LAST, a.id LIMIT 7", ordered=True),
    q("topn_desc_nulls_first", "SELECT a.id, a.level FROM crm.agents a "
      "ORDER BY a.level DESC NULLS FIRST, a.id DESC LIMIT 14", ordered=True),
    q("topn_strings_unicode", "SELECT a.name, a.id FROM crm.agents a "
      "ORDER BY a.name DESC, a.id LIMIT 10", ordered=True),
    q("topn_strings_case", "SELECT t.status, t.id FROM crm.tasks t "
      "ORDER BY t.status NULLS FIRST, t.id LIMIT 100", ordered=True),
    q("topn_offset", "SELECT t.title, t.id FROM crm.tasks t ORDER BY t.title, t.id "
      "LIMIT 5 OFFSET 20", ordered=True),
    q("topn_dates_filtered", "SELECT a.name, a.hired FROM crm.agents a "
      "WHERE a.hired >= $since ORDER BY a.hired DESC, a.id LIMIT 6",
      {"since": dt.date(2019, 1, 1)}, ordered=True),
    q("topn_bool_key", "SELECT a.id, a.active FROM crm.agents a "
      "ORDER BY a.active DESC NULLS LAST, a.id LIMIT 20", ordered=True),
    q("topn_alias_key", "SELECT t.priority AS p, t.id AS task FROM crm.tasks t "
      "WHERE t.status IN ('done', 'blocked') ORDER BY p DESC, task LIMIT 8", ordered=True),
    # ties at the cut-off, but only the key is returned: any tied rows give the same answer
    q("topn_ties_key_only", "SELECT t.priority, t.status IS NULL AS no_status FROM crm.tasks t "
      "WHERE t.status IS NULL ORDER BY t.priority DESC LIMIT 30", ordered=True),
    q("topn_joined_in_sqlite", "SELECT a.name, t.id FROM crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id ORDER BY t.due DESC NULLS FIRST, t.id LIMIT 10",
      ordered=True),
    q("topn_limit_zero", "SELECT t.id FROM crm.tasks t ORDER BY t.id LIMIT 0", ordered=True),
    q("topn_float_negative", "SELECT t.id, t.estimate FROM crm.tasks t "
      "WHERE t.estimate IS NOT NULL ORDER BY t.estimate, t.id LIMIT 6", ordered=True),
]

OR_FACTORING: list[Query] = [
    q("orf_q19_shape", """
SELECT sum(l.l_extendedprice * (1 - l.l_discount)) AS revenue, count(*) AS n
FROM crm.lineitem l, crm.part p
WHERE (p.p_partkey = l.l_partkey AND p.p_brand = 'Brand#12' AND l.l_quantity BETWEEN 1 AND 11
       AND p.p_size BETWEEN 1 AND 5)
   OR (p.p_partkey = l.l_partkey AND p.p_brand = 'Brand#23' AND l.l_quantity BETWEEN 10 AND 20
       AND p.p_size BETWEEN 1 AND 10)
   OR (p.p_partkey = l.l_partkey AND p.p_brand = 'Brand#34' AND l.l_quantity BETWEEN 20 AND 30
       AND p.p_size BETWEEN 1 AND 15)"""),
    q("orf_common_single_table", "SELECT t.id FROM crm.tasks t WHERE (t.status = 'done' "
      "AND t.priority > 3) OR (t.status = 'done' AND t.estimate < 5)"),
    q("orf_absorption", "SELECT t.id FROM crm.tasks t WHERE t.status = 'done' "
      "OR (t.status = 'done' AND t.priority > 3)"),
    q("orf_nested_ors", "SELECT a.name, t.title FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE (a.team = 'core' AND t.priority = 1) OR ((a.team = 'web' "
      "AND t.priority = 2) OR (a.level > 3 AND t.due IS NULL))"),
    q("orf_with_nulls", "SELECT a.id, t.id AS task FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id WHERE (a.team IS NULL AND t.due IS NULL) "
      "OR (a.team IS NULL AND t.estimate > 20) OR (a.level IS NULL AND t.status IS NULL)"),
    q("orf_left_join_null_side", "SELECT a.id, t.id AS task FROM crm.agents a LEFT JOIN "
      "crm.tasks t ON t.agent_id = a.id WHERE (a.level = 1 AND t.priority = 5) "
      "OR (a.level = 2 AND t.id IS NULL)"),
    q("orf_derived_table", "SELECT x.id FROM (SELECT t.id, t.status AS s, t.priority AS p "
      "FROM crm.tasks t) AS x WHERE (x.s = 'done' AND x.p = 1) OR (x.s = 'blocked' AND x.p = 2)"),
    q("orf_not_over_or", "SELECT t.id FROM crm.tasks t WHERE NOT ((t.status = 'done' "
      "AND t.priority = 1) OR (t.status = 'done' AND t.priority = 2))"),
]

AGGREGATES: list[Query] = [
    q("aggp_empty_global", "SELECT count(*) AS n, count(t.due) AS c, sum(t.priority) AS s, "
      "sum(t.estimate) AS f, avg(t.estimate) AS a, min(t.title) AS lo, max(t.due) AS hi "
      "FROM crm.tasks t WHERE t.id < 0"),
    q("aggp_empty_grouped", "SELECT t.status, count(*) AS n FROM crm.tasks t WHERE t.id < 0 "
      "GROUP BY t.status"),
    q("aggp_null_groups", "SELECT a.team, count(*) AS n, count(a.team) AS named, "
      "count(a.score) AS scored FROM crm.agents a GROUP BY a.team"),
    q("aggp_int_and_float_sums", "SELECT t.priority, sum(t.priority) AS si, sum(t.estimate) AS sf, "
      "sum(t.agent_id) AS sa FROM crm.tasks t GROUP BY t.priority"),
    q("aggp_avg_int_float", "SELECT t.status, avg(t.priority) AS ai, avg(t.estimate) AS af "
      "FROM crm.tasks t GROUP BY t.status"),
    q("aggp_minmax_strings", "SELECT a.team, min(a.name) AS lo, max(a.name) AS hi "
      "FROM crm.agents a GROUP BY a.team"),
    q("aggp_minmax_dates_bools", "SELECT a.level, min(a.hired) AS first, max(a.hired) AS last, "
      "min(a.active) AS any_inactive, max(a.active) AS any_active FROM crm.agents a "
      "GROUP BY a.level"),
    q("aggp_having", "SELECT t.agent_id, count(*) AS n, sum(t.estimate) AS est FROM crm.tasks t "
      "GROUP BY t.agent_id HAVING count(*) > 5 AND sum(t.estimate) > 10"),
    q("aggp_filtered_scan", "SELECT t.status, count(*) AS n, max(t.priority) AS p "
      "FROM crm.tasks t WHERE t.due >= $d AND t.estimate > 0 GROUP BY t.status",
      {"d": dt.date(2024, 6, 1)}),
    q("aggp_count_x_vs_star", "SELECT t.status, count(*) AS n, count(t.due) AS with_due, "
      "count(t.estimate) AS with_estimate FROM crm.tasks t GROUP BY t.status"),
    q("aggp_group_date_bool", "SELECT a.active, a.hired, count(*) AS n FROM crm.agents a "
      "GROUP BY a.active, a.hired"),
    q("aggp_join_in_sqlite", "SELECT a.team, count(*) AS n, sum(t.estimate) AS est "
      "FROM crm.agents a JOIN crm.tasks t ON t.agent_id = a.id GROUP BY a.team"),
    q("aggp_ordered_groups", "SELECT t.status, count(*) AS n FROM crm.tasks t "
      "GROUP BY t.status ORDER BY n DESC, t.status NULLS FIRST LIMIT 3", ordered=True),
    q("aggp_expression_over_aggregates", "SELECT t.agent_id, sum(t.estimate) / count(*) AS m, "
      "max(t.priority) - min(t.priority) AS spread FROM crm.tasks t GROUP BY t.agent_id"),
    q("aggp_min_distinct", "SELECT t.status, min(DISTINCT t.title) AS first "
      "FROM crm.tasks t GROUP BY t.status"),
]

# date constants written as expressions fold (planner.rules.constant_folding) and are pushed
FOLDED_DATES: list[Query] = [
    q("fold_cast_text_date", "SELECT o.o_orderkey FROM crm.orders o "
      "WHERE o.o_orderdate < CAST('1995-03-15' AS date)"),
    q("fold_month_window", "SELECT count(*) AS n FROM crm.lineitem l WHERE l.l_shipdate >= "
      "DATE '1995-09-01' AND l.l_shipdate < DATE '1995-09-01' + INTERVAL '1' MONTH"),
    q("fold_days_back", "SELECT count(*) AS n, sum(l.l_quantity) AS q FROM crm.lineitem l "
      "WHERE l.l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY"),
    q("fold_month_end_clamp", "SELECT o.o_orderkey FROM crm.orders o WHERE o.o_orderdate "
      "BETWEEN DATE '1995-01-31' AND DATE '1995-01-31' + INTERVAL '1' MONTH"),
    q("fold_leap_year", "SELECT count(*) AS n FROM crm.orders o "
      "WHERE o.o_orderdate >= CAST('1996-02-29' AS date) + INTERVAL '1' YEAR"),
    q("fold_reversed_operands", "SELECT count(*) AS n FROM crm.orders o "
      "WHERE DATE '1994-01-01' + INTERVAL '1' YEAR > o.o_orderdate"),
    q("fold_not_at_midnight", "SELECT count(*) AS n FROM crm.orders o "
      "WHERE o.o_orderdate < DATE '1995-03-15' + INTERVAL '12' HOUR"),
    q("fold_in_join_condition", "SELECT count(*) AS n FROM crm.orders o JOIN crm.lineitem l "
      "ON l.l_orderkey = o.o_orderkey AND l.l_shipdate > CAST('1995-03-15' AS date)"),
]

QUERIES: list[Query] = TOP_N + OR_FACTORING + AGGREGATES + FOLDED_DATES
