"""Window functions and QUALIFY (i10-b), plus the clauses of the same helper: SELECT without
FROM, VALUES, DISTINCT ON, ``* EXCLUDE``, GROUP BY ALL and aggregate FILTER.

Every window ORDER BY that decides a row's value is total (ties broken by a key), so the
answers do not depend on the order rows arrive in.
"""

from __future__ import annotations

from .corpus import Query, q

WINDOWS: list[Query] = [
    q("win_row_number_partition", "SELECT a.id, a.team, row_number() OVER (PARTITION BY a.team "
      "ORDER BY a.id) AS rn FROM crm.agents a"),
    q("win_row_number_desc_nulls", "SELECT a.id, row_number() OVER (ORDER BY a.score DESC "
      "NULLS LAST, a.id) AS rn FROM crm.agents a"),
    q("win_rank_dense_rank_ties", "SELECT a.id, rank() OVER (ORDER BY a.level DESC NULLS LAST) "
      "AS r, dense_rank() OVER (ORDER BY a.level) AS dr FROM crm.agents a"),
    q("win_rank_partitioned", "SELECT t.id, rank() OVER (PARTITION BY t.status ORDER BY "
      "t.priority) AS r FROM crm.tasks t WHERE t.id < 200"),
    q("win_percent_rank_cume_dist", "SELECT a.id, percent_rank() OVER (ORDER BY a.level) AS pr, "
      "cume_dist() OVER (PARTITION BY a.team ORDER BY a.level) AS cd FROM crm.agents a"),
    q("win_ntile", "SELECT a.id, ntile(4) OVER (ORDER BY a.id) AS quartile FROM crm.agents a"),
    q("win_lag_lead", "SELECT a.id, lag(a.id) OVER (ORDER BY a.id) AS prev, "
      "lead(a.id, 2, -1) OVER (ORDER BY a.id) AS next2 FROM crm.agents a"),
    q("win_lag_partition_nulls", "SELECT t.id, lag(t.estimate) OVER (PARTITION BY t.agent_id "
      "ORDER BY t.id) AS prev_est FROM crm.tasks t WHERE t.agent_id < 20 OR t.agent_id IS NULL"),
    q("win_first_last_value", "SELECT t.id, first_value(t.title) OVER (PARTITION BY t.status "
      "ORDER BY t.id) AS first_title, last_value(t.id) OVER (PARTITION BY t.status ORDER BY "
      "t.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_id "
      "FROM crm.tasks t WHERE t.priority = 3"),
    q("win_count_star_partition", "SELECT a.id, count(*) OVER (PARTITION BY a.team) AS size "
      "FROM crm.agents a"),
    q("win_count_expr_empty_over", "SELECT a.id, count(a.level) OVER () AS with_level "
      "FROM crm.agents a WHERE a.id < 30"),
    q("win_running_sum", "SELECT a.id, sum(a.level) OVER (ORDER BY a.id) AS running "
      "FROM crm.agents a"),
    q("win_sum_double_partition", "SELECT t.id, sum(t.estimate) OVER (PARTITION BY t.agent_id) "
      "AS agent_total FROM crm.tasks t WHERE t.priority >= 4"),
    q("win_avg_min_max", "SELECT a.id, avg(a.score) OVER (PARTITION BY a.team) AS mean, "
      "min(a.hired) OVER (PARTITION BY a.team) AS first_hire, max(a.name) OVER "
      "(PARTITION BY a.level) AS last_name FROM crm.agents a"),
    q("win_rows_frame_moving", "SELECT a.id, sum(a.level) OVER (ORDER BY a.id ROWS BETWEEN "
      "2 PRECEDING AND CURRENT ROW) AS moving FROM crm.agents a"),
    q("win_rows_frame_following", "SELECT a.id, avg(a.score) OVER (PARTITION BY a.team ORDER "
      "BY a.id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS smooth FROM crm.agents a"),
    q("win_rows_unbounded_start", "SELECT a.id, max(a.score) OVER (ORDER BY a.id ROWS "
      "UNBOUNDED PRECEDING) AS best_so_far FROM crm.agents a"),
    q("win_range_frame", "SELECT t.id, count(*) OVER (ORDER BY t.priority RANGE BETWEEN 1 "
      "PRECEDING AND 1 FOLLOWING) AS near FROM crm.tasks t WHERE t.id < 100"),
    q("win_range_current_row", "SELECT a.id, sum(a.level) OVER (ORDER BY a.level RANGE BETWEEN "
      "UNBOUNDED PRECEDING AND CURRENT ROW) AS upto FROM crm.agents a"),
    q("win_over_group_by", "SELECT a.team, count(*) AS n, rank() OVER (ORDER BY count(*) DESC, "
      "a.team) AS r FROM crm.agents a GROUP BY a.team"),
    q("win_sum_of_sum", "SELECT t.status, sum(t.priority) AS p, sum(sum(t.priority)) OVER () "
      "AS total FROM crm.tasks t GROUP BY t.status"),
    q("win_share_of_count", "SELECT a.team, count(*) * 1.0 / sum(count(*)) OVER () AS share "
      "FROM crm.agents a GROUP BY a.team"),
    q("win_partition_expression", "SELECT t.id, row_number() OVER (PARTITION BY t.priority % 2 "
      "ORDER BY t.id DESC) AS rn FROM crm.tasks t WHERE t.id < 50"),
    q("win_same_window_twice", "SELECT a.id, row_number() OVER (ORDER BY a.id) AS x, "
      "row_number() OVER (ORDER BY a.id) * 10 AS y FROM crm.agents a WHERE a.level = 3"),
    q("win_filtered_count_over", "SELECT a.id, count(*) FILTER (WHERE a.active) OVER "
      "(PARTITION BY a.team) AS active_in_team FROM crm.agents a"),
    q("win_over_join", "SELECT a.id, t.id AS tid, row_number() OVER (PARTITION BY a.id ORDER BY "
      "t.due NULLS LAST, t.id) AS k FROM crm.agents a JOIN crm.tasks t ON t.agent_id = a.id "
      "WHERE a.level = 5"),
    q("win_in_derived_top_per_group", "SELECT x.team, x.id FROM (SELECT a.team, a.id, "
      "row_number() OVER (PARTITION BY a.team ORDER BY a.score DESC NULLS LAST, a.id) AS rn "
      "FROM crm.agents a) AS x WHERE x.rn <= 2"),
    q("win_derived_filter_on_partition_key", "SELECT x.team, x.id, x.rn FROM (SELECT a.team, "
      "a.id, row_number() OVER (PARTITION BY a.team ORDER BY a.id DESC) AS rn "
      "FROM crm.agents a) AS x WHERE x.team IN ('ml', 'infra') AND x.rn <= 3"),
    q("win_qualify_partition_key_and_rank", "SELECT t.status, t.id, count(*) OVER (PARTITION BY "
      "t.status) AS n FROM crm.tasks t QUALIFY t.status <> 'done' AND n > 50"),
    q("win_order_by_window_alias", "SELECT a.id, dense_rank() OVER (ORDER BY a.level) AS dr "
      "FROM crm.agents a WHERE a.id < 40 ORDER BY dr, a.id", ordered=True),
    q("win_order_by_window_expression", "SELECT a.id, a.team FROM crm.agents a WHERE a.level = 2 "
      "ORDER BY row_number() OVER (PARTITION BY a.team ORDER BY a.id DESC), a.id",
      ordered=True),
    q("win_order_by_window_over_group", "SELECT a.team, count(*) AS n FROM crm.agents a "
      "GROUP BY a.team ORDER BY rank() OVER (ORDER BY count(*) DESC, a.team)", ordered=True),
    q("win_order_limit", "SELECT t.id, sum(t.estimate) OVER (ORDER BY t.id) AS acc "
      "FROM crm.tasks t ORDER BY t.id DESC LIMIT 5", ordered=True),
    q("win_empty_input", "SELECT a.id, row_number() OVER (ORDER BY a.id) AS rn "
      "FROM crm.agents a WHERE a.id < 0"),
    q("win_param_in_args", "SELECT a.id, lag(a.name, 1, $dflt) OVER (ORDER BY a.id) AS prev "
      "FROM crm.agents a WHERE a.level = 4", {"dflt": "nobody"}),
    q("win_qualify_first_per_team", "SELECT a.id, a.team FROM crm.agents a QUALIFY "
      "row_number() OVER (PARTITION BY a.team ORDER BY a.id) = 1"),
    q("win_qualify_alias", "SELECT a.id, rank() OVER (PARTITION BY a.team ORDER BY a.level DESC "
      "NULLS LAST) AS r FROM crm.agents a QUALIFY r <= 2"),
    q("win_qualify_with_where_group", "SELECT t.agent_id, count(*) AS n FROM crm.tasks t "
      "WHERE t.agent_id IS NOT NULL GROUP BY t.agent_id HAVING count(*) > 5 "
      "QUALIFY rank() OVER (ORDER BY count(*) DESC) <= 3"),
    q("win_tpch_rank_customers", "SELECT c.c_nationkey, c.c_custkey, c.c_acctbal, rank() OVER "
      "(PARTITION BY c.c_nationkey ORDER BY c.c_acctbal DESC, c.c_custkey) AS r "
      "FROM crm.customer c WHERE c.c_nationkey < 4 QUALIFY r <= 3"),
    q("win_tpch_running_orders", "SELECT o.o_orderkey, o.o_orderdate, sum(o.o_totalprice) OVER "
      "(PARTITION BY o.o_custkey ORDER BY o.o_orderdate, o.o_orderkey) AS spent "
      "FROM crm.orders o WHERE o.o_custkey < 20"),
    # null treatment, nth_value, GROUPS frames, frame EXCLUDE, registry aggregates over windows
    q("win_nth_value", "SELECT a.id, nth_value(a.name, 3) OVER (PARTITION BY a.team ORDER BY "
      "a.id) AS third FROM crm.agents a"),
    q("win_nth_value_param", "SELECT a.id, nth_value(a.id, $n) OVER (ORDER BY a.id ROWS "
      "BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS nth FROM crm.agents a "
      "WHERE a.level = 2", {"n": 2}),
    q("win_lag_ignore_nulls", "SELECT t.id, lag(t.estimate IGNORE NULLS) OVER (ORDER BY t.id) "
      "AS prev_known, lead(t.due, 2 IGNORE NULLS) OVER (ORDER BY t.id) AS next_due "
      "FROM crm.tasks t WHERE t.id < 120"),
    q("win_first_last_ignore_nulls", "SELECT a.id, first_value(a.level IGNORE NULLS) OVER "
      "(PARTITION BY a.team ORDER BY a.id) AS first_level, last_value(a.score IGNORE NULLS) "
      "OVER (PARTITION BY a.team ORDER BY a.id) AS last_score FROM crm.agents a"),
    q("win_respect_nulls", "SELECT a.id, first_value(a.level RESPECT NULLS) OVER (ORDER BY "
      "a.id) AS f, nth_value(a.level, 2 IGNORE NULLS) OVER (ORDER BY a.id) AS second_level "
      "FROM crm.agents a"),
    q("win_groups_frame", "SELECT t.id, count(*) OVER (ORDER BY t.priority GROUPS BETWEEN 1 "
      "PRECEDING AND CURRENT ROW) AS near FROM crm.tasks t WHERE t.id < 100"),
    q("win_groups_frame_sum", "SELECT a.id, sum(a.id) OVER (PARTITION BY a.team ORDER BY a.level "
      "GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS s FROM crm.agents a"),
    q("win_exclude_current_row", "SELECT a.id, avg(a.score) OVER (PARTITION BY a.team ORDER BY "
      "a.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) "
      "AS others FROM crm.agents a"),
    q("win_exclude_group_ties", "SELECT t.id, count(*) OVER (ORDER BY t.priority RANGE BETWEEN "
      "UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP) AS before_, sum(t.id) OVER (ORDER BY "
      "t.priority GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES) AS s, "
      "count(*) OVER (ORDER BY t.id ROWS 1 PRECEDING EXCLUDE NO OTHERS) AS n "
      "FROM crm.tasks t WHERE t.id < 60"),
    q("win_registry_aggregates", "SELECT a.id, stddev(a.score) OVER (PARTITION BY a.team) AS sd, "
      "bool_or(a.active) OVER (PARTITION BY a.level) AS any_active, string_agg(a.name, '|') "
      "OVER (PARTITION BY a.team ORDER BY a.id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) "
      "AS pair, median(a.level) OVER () AS med FROM crm.agents a"),
    q("win_registry_aggregate_running", "SELECT t.id, variance(t.estimate) OVER (ORDER BY t.id "
      "ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS v, bool_and(t.priority > 1) OVER (ORDER BY "
      "t.id) AS all_above FROM crm.tasks t WHERE t.id < 80"),
]

CLAUSES: list[Query] = [
    q("cl_select_no_from", "SELECT 1 AS one, 'a' AS letter, NULL AS nothing"),
    q("cl_select_no_from_arith", "SELECT 2 + 3 * 4 AS n, 7.5 / 2 AS half, lower('ABC') AS s"),
    q("cl_select_no_from_param", "SELECT $x AS x, $y AS y", {"x": 41, "y": "hello"}),
    q("cl_select_no_from_where_false", "SELECT 1 AS one WHERE 1 = 2"),
    q("cl_values_query", "VALUES (1, 'a'), (2, NULL), (3, 'c')"),
    q("cl_values_relation", "SELECT v.id, v.name FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)"),
    q("cl_values_join", "SELECT a.name, v.label FROM crm.agents a JOIN (VALUES (1, 'first'), "
      "(2, 'second'), (999, 'none')) AS v(id, label) ON v.id = a.id"),
    q("cl_values_mixed_numbers", "SELECT v.x FROM (VALUES (1), (2.5), (NULL)) AS v(x)"),
    q("cl_values_params", "SELECT v.k, v.n FROM (VALUES ($a, 1), ($b, 2)) AS v(k, n)",
      {"a": "core", "b": "ml"}),
    q("cl_values_union", "SELECT a.team FROM crm.agents a WHERE a.level = 1 "
      "UNION SELECT v.t FROM (VALUES ('extra'), ('core')) AS v(t)"),
    q("cl_values_partial_names", "SELECT * FROM (VALUES (1, 2, 3)) AS v(a)"),
    q("cl_distinct_on", "SELECT DISTINCT ON (a.team) a.team, a.id FROM crm.agents a "
      "ORDER BY a.team, a.id DESC", ordered=True),
    q("cl_distinct_on_expression", "SELECT DISTINCT ON (t.priority % 2) t.priority, t.id "
      "FROM crm.tasks t ORDER BY t.priority % 2, t.id"),
    q("cl_distinct_on_two_keys", "SELECT DISTINCT ON (t.status, t.priority) t.status, "
      "t.priority, t.id FROM crm.tasks t ORDER BY t.status, t.priority, t.estimate DESC "
      "NULLS LAST, t.id"),
    q("cl_distinct_on_not_selected", "SELECT DISTINCT ON (a.level) a.id, a.name "
      "FROM crm.agents a ORDER BY a.level, a.id"),
    q("cl_exclude", "SELECT * EXCLUDE (name, hired) FROM crm.agents a WHERE a.level = 3"),
    q("cl_exclude_single", "SELECT * EXCLUDE r_comment FROM crm.region r"),
    q("cl_exclude_qualified", "SELECT a.* EXCLUDE (score), t.title FROM crm.agents a "
      "JOIN crm.tasks t ON t.agent_id = a.id WHERE t.priority = 5 AND a.level = 1"),
    q("cl_group_by_all", "SELECT a.team, count(*) AS n FROM crm.agents a GROUP BY ALL"),
    q("cl_group_by_all_two_keys", "SELECT t.status, t.priority, sum(t.estimate) AS est, "
      "max(t.due) AS latest FROM crm.tasks t GROUP BY ALL"),
    q("cl_group_by_all_expression", "SELECT extract(year FROM a.hired) AS y, count(*) AS n "
      "FROM crm.agents a GROUP BY ALL"),
    q("cl_filter_count", "SELECT a.team, count(*) FILTER (WHERE a.level > 2) AS senior, "
      "count(*) AS n FROM crm.agents a GROUP BY a.team"),
    q("cl_filter_sum_avg", "SELECT t.status, sum(t.estimate) FILTER (WHERE t.priority >= 4) "
      "AS urgent_est, avg(t.estimate) FILTER (WHERE t.due IS NULL) AS undated "
      "FROM crm.tasks t GROUP BY t.status"),
    q("cl_filter_no_group", "SELECT count(a.score) FILTER (WHERE a.active) AS scored, "
      "min(a.hired) FILTER (WHERE a.team = 'ml') AS first_ml FROM crm.agents a"),
    q("cl_filter_distinct", "SELECT count(DISTINCT t.agent_id) FILTER (WHERE t.status = 'done') "
      "AS doers FROM crm.tasks t"),
    q("cl_filter_nothing_passes", "SELECT sum(a.level) FILTER (WHERE a.id < 0) AS none_, "
      "count(*) FILTER (WHERE a.id < 0) AS zero FROM crm.agents a"),
    q("cl_filter_having", "SELECT a.team FROM crm.agents a GROUP BY a.team "
      "HAVING count(*) FILTER (WHERE a.active) >= 3"),
    q("cl_filter_param", "SELECT count(*) FILTER (WHERE t.priority = $p) AS n "
      "FROM crm.tasks t", {"p": 2}),
]

QUERIES = WINDOWS + CLAUSES
