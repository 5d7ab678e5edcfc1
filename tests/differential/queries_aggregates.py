"""Aggregates, GROUP BY, HAVING and DISTINCT, mostly over the app tables."""

from __future__ import annotations

import datetime as dt

from .corpus import Query, q

QUERIES: list[Query] = [
    q("agg_count_star", "SELECT count(*) FROM crm.tasks t"),
    q("agg_count_variants", "SELECT count(*) AS n, count(t.due) AS with_due, "
      "count(DISTINCT t.status) AS statuses, count(DISTINCT t.agent_id) AS agents "
      "FROM crm.tasks t"),
    q("agg_all_kinds", "SELECT sum(t.estimate) AS s, avg(t.estimate) AS a, min(t.estimate) AS lo, "
      "max(t.estimate) AS hi, min(t.due) AS first_due, max(t.title) AS last_title "
      "FROM crm.tasks t"),
    q("agg_empty_input", "SELECT count(*) AS n, sum(t.estimate) AS s, max(t.due) AS m, "
      "count(DISTINCT t.status) AS d FROM crm.tasks t WHERE t.id < 0"),
    q("agg_sum_int", "SELECT sum(t.priority) AS s, round(avg(t.priority), 3) AS a "
      "FROM crm.tasks t"),
    q("agg_minmax_strings", "SELECT min(a.name) AS lo, max(a.name) AS hi, min(a.team) AS t "
      "FROM crm.agents a"),
    q("agg_count_bool", "SELECT count(a.active) AS known, min(a.hired) AS h FROM crm.agents a "
      "WHERE a.active"),
    q("agg_group_status", "SELECT t.status, count(*) AS n FROM crm.tasks t GROUP BY t.status"),
    q("agg_group_two", "SELECT a.team, a.active, count(*) AS n, avg(a.score) AS s "
      "FROM crm.agents a GROUP BY a.team, a.active"),
    q("agg_group_year", "SELECT extract(year FROM t.due) AS y, count(*) AS n FROM crm.tasks t "
      "GROUP BY extract(year FROM t.due)"),
    q("agg_group_case", "SELECT CASE WHEN t.estimate < 10 THEN 'small' WHEN t.estimate < 25 "
      "THEN 'medium' ELSE 'large' END AS size, count(*) AS n, sum(t.estimate) AS total "
      "FROM crm.tasks t GROUP BY CASE WHEN t.estimate < 10 THEN 'small' "
      "WHEN t.estimate < 25 THEN 'medium' ELSE 'large' END"),
    q("agg_group_lower", "SELECT lower(a.team) AS team, count(*) AS n FROM crm.agents a "
      "GROUP BY lower(a.team)"),
    q("agg_group_bool", "SELECT a.active, count(*) AS n, max(a.score) AS best FROM crm.agents a "
      "GROUP BY a.active"),
    q("agg_having_count", "SELECT t.agent_id, count(*) AS n FROM crm.tasks t "
      "GROUP BY t.agent_id HAVING count(*) >= 10"),
    q("agg_having_alias", "SELECT t.agent_id, sum(t.estimate) AS total FROM crm.tasks t "
      "GROUP BY t.agent_id HAVING total > 100"),
    q("agg_having_and", "SELECT t.status, avg(t.estimate) AS a FROM crm.tasks t "
      "GROUP BY t.status HAVING count(*) > 50 AND avg(t.estimate) > 15"),
    q("agg_having_empty", "SELECT t.status, count(*) AS n FROM crm.tasks t GROUP BY t.status "
      "HAVING count(*) > 100000"),
    q("agg_having_non_selected", "SELECT a.team FROM crm.agents a GROUP BY a.team "
      "HAVING max(a.level) = 5 AND min(a.level) = 1"),
    q("agg_order_alias", "SELECT t.status, count(*) AS n FROM crm.tasks t GROUP BY t.status "
      "ORDER BY n DESC, t.status NULLS FIRST", ordered=True),
    q("agg_order_aggregate", "SELECT t.status FROM crm.tasks t GROUP BY t.status "
      "ORDER BY count(*) DESC, t.status", ordered=True),
    q("agg_top_agents", "SELECT t.agent_id, count(*) AS n FROM crm.tasks t GROUP BY t.agent_id "
      "ORDER BY n DESC, t.agent_id LIMIT 5", ordered=True),
    q("agg_count_distinct_group", "SELECT t.priority, count(DISTINCT t.agent_id) AS agents, "
      "count(DISTINCT t.status) AS statuses FROM crm.tasks t GROUP BY t.priority"),
    q("agg_sum_case", "SELECT t.agent_id, sum(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) "
      "AS done, sum(CASE WHEN t.status = 'pending' THEN t.estimate END) AS pending_est "
      "FROM crm.tasks t GROUP BY t.agent_id"),
    q("agg_expression_arg", "SELECT t.priority, avg(t.estimate * t.priority) AS w, "
      "sum(t.estimate) / count(*) AS manual_avg FROM crm.tasks t GROUP BY t.priority"),
    q("agg_distinct_ordered", "SELECT DISTINCT t.status FROM crm.tasks t "
      "ORDER BY t.status NULLS FIRST", ordered=True),
    q("agg_count_distinct_expr", "SELECT count(DISTINCT lower(t.status)) AS n FROM crm.tasks t"),
    q("agg_group_null_keys", "SELECT a.team, a.level, count(*) AS n FROM crm.agents a "
      "WHERE a.team IS NULL OR a.level IS NULL GROUP BY a.team, a.level"),
    q("agg_avg_int_round", "SELECT a.team, round(avg(a.level), 2) AS lvl, sum(a.level) AS total "
      "FROM crm.agents a GROUP BY a.team"),
    q("agg_group_by_month", "SELECT extract(year FROM t.due) AS y, extract(month FROM t.due) AS m, "
      "count(*) AS n FROM crm.tasks t WHERE t.due IS NOT NULL "
      "GROUP BY extract(year FROM t.due), extract(month FROM t.due) ORDER BY y, m", ordered=True),
    q("agg_min_max_dates_group", "SELECT a.team, min(a.hired) AS first_hire, "
      "max(a.hired) AS last_hire FROM crm.agents a GROUP BY a.team"),
    q("agg_param_filter", "SELECT t.status, count(*) AS n FROM crm.tasks t "
      "WHERE t.due >= $since GROUP BY t.status HAVING count(*) > $min_n",
      {"since": dt.date(2024, 1, 1), "min_n": 5}),
    q("agg_coalesce_group", "SELECT coalesce(t.status, 'unknown') AS st, "
      "sum(coalesce(t.estimate, 0)) AS est FROM crm.tasks t "
      "GROUP BY coalesce(t.status, 'unknown') ORDER BY st", ordered=True),
    q("agg_nested_functions", "SELECT round(sum(abs(t.estimate)), 1) AS s, "
      "max(length(t.title)) AS longest, min(substr(t.title, 1, 1)) AS first_char "
      "FROM crm.tasks t"),
    q("agg_only_nulls", "SELECT max(t.estimate) AS m, sum(t.estimate) AS s, count(t.estimate) AS c "
      "FROM crm.tasks t WHERE t.estimate IS NULL"),
    q("agg_group_empty_input", "SELECT t.status, count(*) AS n FROM crm.tasks t WHERE FALSE "
      "GROUP BY t.status"),
    q("agg_distinct_multi", "SELECT DISTINCT t.priority % 2 AS parity, t.status FROM crm.tasks t"),
    q("agg_sum_of_products_tpch", "SELECT l.l_returnflag, sum(l.l_quantity) AS qty, "
      "count(*) AS n FROM crm.lineitem l GROUP BY l.l_returnflag"),
    q("agg_order_by_sum_limit", "SELECT o.o_custkey, sum(o.o_totalprice) AS spent "
      "FROM crm.orders o GROUP BY o.o_custkey ORDER BY spent DESC, o.o_custkey LIMIT 10",
      ordered=True),
    q("agg_having_or", "SELECT c.c_nationkey, count(*) AS n FROM crm.customer c "
      "GROUP BY c.c_nationkey HAVING count(*) < 25 OR min(c.c_acctbal) < -900"),
    q("agg_count_distinct_dates", "SELECT count(DISTINCT o.o_orderdate) AS days, "
      "count(DISTINCT o.o_custkey) AS buyers FROM crm.orders o"),
    # found in review: HAVING reads a select alias before a same-named column; GROUP BY 1
    q("agg_having_alias_shadows_column", "SELECT a.team, count(*) AS level FROM crm.agents a "
      "GROUP BY a.team HAVING level > 10"),
    q("agg_group_by_position", "SELECT a.team, count(*) AS n FROM crm.agents a GROUP BY 1"),
    q("agg_order_alias_shadows_column", "SELECT a.id, a.level AS id FROM crm.agents a "
      "ORDER BY id, 1 LIMIT 5", ordered=True),
]
