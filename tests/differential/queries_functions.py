"""Issue 10 item 4: the expressions and functions of the registry (``planner.functions``),
with NULL arguments, empty and unicode strings, negative numbers and integer vs float results.

Every text is also DuckDB SQL over schema ``crm``; the oracle runs it as written.
"""

from __future__ import annotations

import datetime as dt

from .corpus import Query, q

EXPRESSIONS = [
    q("fx_simple_case", "SELECT t.id, CASE t.status WHEN 'done' THEN 1 WHEN 'pending' THEN 2 "
      "ELSE 0 END AS s FROM crm.tasks t"),
    q("fx_simple_case_no_else", "SELECT t.id, CASE t.priority WHEN 1 THEN 'low' WHEN 5 THEN "
      "'high' END AS p FROM crm.tasks t"),
    q("fx_simple_case_null_operand", "SELECT a.id, CASE a.team WHEN NULL THEN 'never' "
      "WHEN 'core' THEN 'c' ELSE 'other' END AS t FROM crm.agents a"),
    q("fx_simple_case_param", "SELECT a.id, CASE a.level WHEN $lvl THEN 'match' ELSE 'no' END "
      "AS m FROM crm.agents a", {"lvl": 3}),
    q("fx_simple_case_in_where", "SELECT t.id FROM crm.tasks t WHERE CASE t.status WHEN "
      "'done' THEN t.priority > 2 ELSE FALSE END"),
    q("fx_is_distinct", "SELECT a.id FROM crm.agents a WHERE a.team IS DISTINCT FROM 'core'"),
    q("fx_is_not_distinct", "SELECT a.id FROM crm.agents a "
      "WHERE a.team IS NOT DISTINCT FROM NULL"),
    q("fx_is_distinct_columns", "SELECT t.id FROM crm.tasks t JOIN crm.agents a ON "
      "a.id = t.agent_id WHERE t.status IS NOT DISTINCT FROM a.team"),
    q("fx_is_distinct_select", "SELECT t.id, t.priority IS DISTINCT FROM 3 AS d, "
      "t.estimate IS NOT DISTINCT FROM NULL AS n FROM crm.tasks t"),
    q("fx_is_true", "SELECT a.id FROM crm.agents a WHERE a.active IS TRUE"),
    q("fx_is_not_true", "SELECT a.id FROM crm.agents a WHERE a.active IS NOT TRUE"),
    q("fx_is_false", "SELECT a.id, (a.score > 50) IS FALSE AS low FROM crm.agents a"),
    q("fx_is_not_false", "SELECT a.id FROM crm.agents a WHERE (a.level > 2) IS NOT FALSE"),
    q("fx_ilike", "SELECT a.id, a.name FROM crm.agents a WHERE a.name ILIKE 'mc%'"),
    q("fx_ilike_unicode", "SELECT a.id FROM crm.agents a WHERE a.name ILIKE '%émile%'"),
    q("fx_not_ilike", "SELECT t.id FROM crm.tasks t WHERE t.title NOT ILIKE 'migrate%'"),
    q("fx_ilike_param", "SELECT t.id FROM crm.tasks t WHERE t.status ILIKE $p",
      {"p": "PENDING"}),
    q("fx_like_escape", "SELECT a.id, a.name FROM crm.agents a WHERE a.name LIKE '%!_%' "
      "ESCAPE '!'"),
    q("fx_like_escape_percent", "SELECT t.id FROM crm.tasks t WHERE t.title LIKE '%50!%%' "
      "ESCAPE '!'"),
    q("fx_not_like_escape", "SELECT a.id FROM crm.agents a WHERE a.name NOT LIKE 'x!_y%' "
      "ESCAPE '!'"),
    q("fx_pg_cast", "SELECT t.id, t.estimate::INTEGER AS e, t.priority::VARCHAR AS p "
      "FROM crm.tasks t"),
    q("fx_pg_cast_date", "SELECT t.id FROM crm.tasks t WHERE t.due < '2024-06-01'::DATE"),
    q("fx_pg_cast_decimal", "SELECT a.id, a.score::DECIMAL(10,2) AS s FROM crm.agents a"),
    q("fx_pg_cast_chain", "SELECT a.id, (a.score::INTEGER + 1)::VARCHAR AS s "
      "FROM crm.agents a"),
    q("fx_int_div", "SELECT t.id, t.priority // 2 AS h, t.id // 7 AS b FROM crm.tasks t"),
    q("fx_int_div_negative", "SELECT t.id, (t.priority - 3) // 2 AS h FROM crm.tasks t"),
    q("fx_int_div_float", "SELECT t.id, t.estimate // 4 AS q FROM crm.tasks t"),
    q("fx_modulo_float", "SELECT t.id, t.estimate % 3 AS m FROM crm.tasks t"),
    q("fx_modulo_negative", "SELECT t.id, t.priority % -3 AS m, -t.id % 4 AS n "
      "FROM crm.tasks t"),
    q("fx_int_div_where", "SELECT t.id FROM crm.tasks t WHERE t.id // 10 = 3"),
]

STRINGS = [
    q("fx_substring_from_for", "SELECT c.c_custkey, substring(c.c_phone FROM 1 FOR 2) AS cc "
      "FROM crm.customer c"),
    q("fx_substring_from", "SELECT a.id, substring(a.name FROM 3) AS s FROM crm.agents a"),
    q("fx_substring_unicode", "SELECT a.id, substring(a.name FROM 2 FOR 2) AS s "
      "FROM crm.agents a"),
    q("fx_substring_negative", "SELECT a.id, substring(a.name, -3, 2) AS s, "
      "substring(a.name, 0, 2) AS z FROM crm.agents a"),
    q("fx_substring_in_filter", "SELECT c.c_custkey FROM crm.customer c "
      "WHERE substring(c.c_phone FROM 1 FOR 2) IN ('13', '31', '23', '29', '30', '18', '17')"),
    q("fx_position", "SELECT a.id, position('a' IN a.name) AS p FROM crm.agents a"),
    q("fx_position_empty", "SELECT a.id, position('' IN a.name) AS p FROM crm.agents a"),
    q("fx_strpos", "SELECT t.id, strpos(t.title, ' ') AS p FROM crm.tasks t"),
    q("fx_instr", "SELECT t.id, instr(t.title, '%') AS p FROM crm.tasks t"),
    q("fx_trim", "SELECT a.id, trim(a.name) AS n, ltrim(a.name) AS l, rtrim(a.name) AS r "
      "FROM crm.agents a"),
    q("fx_trim_chars", "SELECT a.id, trim(a.name, 'Ab ') AS n FROM crm.agents a"),
    q("fx_trim_both_from", "SELECT a.id, trim(BOTH 'a' FROM a.name) AS n FROM crm.agents a"),
    q("fx_trim_leading", "SELECT a.id, trim(LEADING FROM a.name) AS n FROM crm.agents a"),
    q("fx_trim_trailing", "SELECT a.id, trim(TRAILING 'z' FROM a.name) AS n "
      "FROM crm.agents a"),
    q("fx_trim_from", "SELECT a.id, trim(' ' FROM a.name) AS n FROM crm.agents a"),
    q("fx_replace", "SELECT t.id, replace(t.title, ' ', '_') AS r FROM crm.tasks t"),
    q("fx_replace_empty", "SELECT a.id, replace(a.name, 'o', '') AS r FROM crm.agents a"),
    q("fx_left_right", "SELECT a.id, left(a.name, 2) AS l, right(a.name, 3) AS r "
      "FROM crm.agents a"),
    q("fx_left_negative", "SELECT a.id, left(a.name, -1) AS l, right(a.name, -2) AS r "
      "FROM crm.agents a"),
    q("fx_starts_with", "SELECT a.id FROM crm.agents a WHERE starts_with(a.name, 'Ma')"),
    q("fx_ends_with", "SELECT t.id FROM crm.tasks t WHERE ends_with(t.title, '1')"),
    q("fx_contains", "SELECT t.id, contains(t.title, '%') AS pct FROM crm.tasks t"),
    q("fx_contains_null", "SELECT a.id, contains(a.team, 'or') AS c FROM crm.agents a"),
    q("fx_concat", "SELECT a.id, concat(a.name, '-', a.team, a.level) AS c FROM crm.agents a"),
    q("fx_concat_vs_pipes", "SELECT a.id, concat(a.team, 'x') AS c, a.team || 'x' AS p "
      "FROM crm.agents a"),
    q("fx_concat_one", "SELECT a.id, concat(a.level) AS c FROM crm.agents a"),
    q("fx_upper_unicode", "SELECT a.id, upper(a.name) AS u, lower(a.name) AS l "
      "FROM crm.agents a"),
    q("fx_length_unicode", "SELECT a.id, length(a.name) AS n FROM crm.agents a"),
    q("fx_string_param", "SELECT a.id, concat($pre, a.name) AS c FROM crm.agents a "
      "WHERE starts_with(a.name, $pre)", {"pre": "J"}),
]

NUMBERS = [
    q("fx_nullif", "SELECT t.id, nullif(t.priority, 3) AS p FROM crm.tasks t"),
    q("fx_nullif_string", "SELECT a.id, nullif(a.team, '') AS t FROM crm.agents a"),
    q("fx_nullif_division", "SELECT t.id, t.estimate / nullif(t.priority, 0) AS r "
      "FROM crm.tasks t"),
    q("fx_greatest_least", "SELECT t.id, greatest(t.priority, 2) AS g, least(t.priority, 2) "
      "AS l FROM crm.tasks t"),
    q("fx_greatest_mixed", "SELECT t.id, greatest(t.priority, t.estimate, 1.5) AS g "
      "FROM crm.tasks t"),
    q("fx_least_null", "SELECT a.id, least(a.level, NULL, a.score) AS l FROM crm.agents a"),
    q("fx_greatest_strings", "SELECT a.id, greatest(a.name, a.team) AS g FROM crm.agents a"),
    q("fx_greatest_dates", "SELECT t.id, greatest(t.due, DATE '2024-06-01') AS g "
      "FROM crm.tasks t"),
    q("fx_floor_ceil", "SELECT t.id, floor(t.estimate) AS f, ceil(t.estimate) AS c, "
      "ceiling(t.estimate) AS c2 FROM crm.tasks t"),
    q("fx_floor_int", "SELECT t.id, floor(t.priority) AS f, ceil(-t.priority) AS c "
      "FROM crm.tasks t"),
    q("fx_floor_decimal", "SELECT a.id, floor(a.level * 1.5) AS f, ceil(a.level * -0.25) AS c "
      "FROM crm.agents a"),
    q("fx_sqrt", "SELECT t.id, sqrt(t.estimate) AS s FROM crm.tasks t WHERE t.estimate >= 0"),
    q("fx_power", "SELECT t.id, power(t.priority, 2) AS p2, pow(2, t.priority) AS p "
      "FROM crm.tasks t"),
    q("fx_ln_exp", "SELECT t.id, ln(t.estimate) AS l, exp(t.priority) AS e FROM crm.tasks t "
      "WHERE t.estimate > 0"),
    q("fx_mod", "SELECT t.id, mod(t.id, 4) AS m, mod(t.priority, -2) AS n FROM crm.tasks t"),
    q("fx_mod_float", "SELECT t.id, mod(t.estimate, 2.5) AS m FROM crm.tasks t"),
    q("fx_sign", "SELECT t.id, sign(t.priority - 3) AS s, sign(t.estimate) AS f "
      "FROM crm.tasks t"),
    q("fx_abs_where", "SELECT t.id FROM crm.tasks t WHERE abs(t.priority - 3) <= 1"),
    q("fx_abs_float_where", "SELECT a.id FROM crm.agents a WHERE abs(a.score - 50) < 10.5"),
    q("fx_abs_null", "SELECT t.id, abs(t.estimate - 20) AS d FROM crm.tasks t"),
    q("fx_round_two", "SELECT t.id, round(sqrt(abs(t.estimate)), 2) AS r FROM crm.tasks t"),
    q("fx_math_nested", "SELECT t.id, floor(power(t.priority, 2) / 3) AS x, "
      "sqrt(power(t.priority, 2)) AS y FROM crm.tasks t"),
    q("fx_coalesce_mixed", "SELECT t.id, coalesce(t.estimate, t.priority, 0) AS c "
      "FROM crm.tasks t"),
    q("fx_numbers_param", "SELECT t.id, greatest(t.priority, $lo) AS g, mod(t.id, $m) AS m "
      "FROM crm.tasks t", {"lo": 2, "m": 5}),
]

DATES = [
    q("fx_date_trunc_month", "SELECT t.id, date_trunc('month', t.due) AS m FROM crm.tasks t"),
    q("fx_date_trunc_year_group", "SELECT date_trunc('year', o.o_orderdate) AS y, count(*) AS n "
      "FROM crm.orders o GROUP BY date_trunc('year', o.o_orderdate)"),
    q("fx_date_trunc_quarter", "SELECT t.id, date_trunc('quarter', t.due) AS q "
      "FROM crm.tasks t"),
    q("fx_date_part", "SELECT t.id, date_part('year', t.due) AS y, date_part('dow', t.due) "
      "AS d FROM crm.tasks t"),
    q("fx_date_part_where", "SELECT o.o_orderkey FROM crm.orders o "
      "WHERE date_part('month', o.o_orderdate) = 12"),
    q("fx_datepart_alias", "SELECT t.id, datepart('quarter', t.due) AS q FROM crm.tasks t"),
    q("fx_strftime", "SELECT t.id, strftime(t.due, '%Y/%m') AS ym FROM crm.tasks t"),
    q("fx_strftime_param", "SELECT a.id, strftime(a.hired, $f) AS h FROM crm.agents a",
      {"f": "%d.%m.%Y"}),
    q("fx_current_date_where", "SELECT t.id FROM crm.tasks t WHERE t.due < current_date"),
    q("fx_current_date_diff", "SELECT a.id, current_date - a.hired > 0 AS past "
      "FROM crm.agents a"),
    q("fx_interval_quarter", "SELECT t.id, t.due + INTERVAL '1' QUARTER AS d FROM crm.tasks t"),
    q("fx_interval_quarter_filter", "SELECT o.o_orderkey FROM crm.orders o "
      "WHERE o.o_orderdate >= DATE '1995-01-01' "
      "AND o.o_orderdate < DATE '1995-01-01' + INTERVAL 2 QUARTER"),
    q("fx_interval_fraction_day", "SELECT t.id, t.due + INTERVAL '1.5' DAY AS d "
      "FROM crm.tasks t"),
    q("fx_interval_fraction_month", "SELECT t.id FROM crm.tasks t "
      "WHERE t.due < DATE '2024-01-31' + INTERVAL '2.5' MONTH"),
    q("fx_interval_fraction_second", "SELECT t.id, t.due + INTERVAL '0.5' SECOND AS d "
      "FROM crm.tasks t"),
    q("fx_interval_negative_fraction", "SELECT t.id, t.due - INTERVAL '-1.5' HOUR AS d "
      "FROM crm.tasks t"),
    q("fx_extract_quarter", "SELECT t.id, extract(quarter FROM t.due) AS q FROM crm.tasks t"),
]

AGGREGATES = [
    q("fx_stddev", "SELECT t.status, stddev(t.estimate) AS s, stddev_samp(t.priority) AS p "
      "FROM crm.tasks t GROUP BY t.status"),
    q("fx_stddev_pop", "SELECT stddev_pop(t.estimate) AS s, var_pop(t.priority) AS v "
      "FROM crm.tasks t"),
    q("fx_variance", "SELECT a.team, variance(a.score) AS v, var_samp(a.level) AS l "
      "FROM crm.agents a GROUP BY a.team"),
    q("fx_stddev_single_row", "SELECT a.id, stddev(a.score) AS s FROM crm.agents a "
      "GROUP BY a.id"),
    q("fx_median", "SELECT t.status, median(t.priority) AS m, median(t.estimate) AS e "
      "FROM crm.tasks t GROUP BY t.status"),
    q("fx_median_date", "SELECT a.team, median(a.hired) AS h FROM crm.agents a "
      "GROUP BY a.team"),
    q("fx_quantile_cont", "SELECT o.o_orderpriority, quantile_cont(o.o_totalprice, 0.9) AS q "
      "FROM crm.orders o GROUP BY o.o_orderpriority"),
    q("fx_quantile_param", "SELECT quantile_cont(t.estimate, $q) AS q FROM crm.tasks t",
      {"q": 0.25}),
    # the order string_agg concatenates in is not fixed without ORDER BY in the call: one
    # value per group, or lengths
    q("fx_string_agg", "SELECT n.n_nationkey, string_agg(n.n_name, ',') AS names "
      "FROM crm.nation n GROUP BY n.n_nationkey"),
    q("fx_string_agg_distinct", "SELECT length(string_agg(DISTINCT t.status, '|')) AS s "
      "FROM crm.tasks t"),
    q("fx_string_agg_default_sep", "SELECT r.r_regionkey, string_agg(r.r_name) AS s "
      "FROM crm.region r GROUP BY r.r_regionkey"),
    q("fx_string_agg_null_sep", "SELECT a.team, length(string_agg(a.name, '; ')) AS n "
      "FROM crm.agents a GROUP BY a.team"),
    q("fx_bool_and_or", "SELECT a.team, bool_and(a.active) AS all_on, bool_or(a.active) "
      "AS any_on FROM crm.agents a GROUP BY a.team"),
    q("fx_bool_and_expr", "SELECT t.status, bool_and(t.priority > 2) AS hi, "
      "bool_or(t.estimate IS NULL) AS missing FROM crm.tasks t GROUP BY t.status"),
    q("fx_aggregate_having", "SELECT t.status FROM crm.tasks t GROUP BY t.status "
      "HAVING stddev(t.priority) > 1 OR median(t.priority) >= 3"),
    q("fx_aggregate_of_function", "SELECT a.team, max(length(trim(a.name))) AS m, "
      "sum(sign(a.score - 50)) AS s FROM crm.agents a GROUP BY a.team"),
    q("fx_aggregate_empty", "SELECT stddev(t.estimate) AS s, median(t.priority) AS m, "
      "bool_and(t.priority > 0) AS b, string_agg(t.title, ',') AS g "
      "FROM crm.tasks t WHERE t.id < 0"),
    q("fx_avg_alias_mean", "SELECT t.status, mean(t.priority) AS m FROM crm.tasks t "
      "GROUP BY t.status"),
]

MIXED = [
    q("fx_tpch_q22_shape", """
SELECT substring(c.c_phone FROM 1 FOR 2) AS cntrycode, count(*) AS numcust,
       sum(c.c_acctbal) AS totacctbal
FROM crm.customer c
WHERE substring(c.c_phone FROM 1 FOR 2) IN ('13', '31', '23', '29', '30', '18', '17')
  AND c.c_acctbal > 0.00
GROUP BY substring(c.c_phone FROM 1 FOR 2)
ORDER BY cntrycode""", ordered=True),
    q("fx_join_functions", "SELECT a.name, count(*) AS n FROM crm.agents a JOIN crm.tasks t "
      "ON a.id = t.agent_id WHERE starts_with(lower(t.title), 'fix') "
      "OR t.title ILIKE '%review%' GROUP BY a.name"),
    q("fx_order_by_function", "SELECT a.id, a.name FROM crm.agents a "
      "ORDER BY length(a.name) DESC, a.id LIMIT 8", ordered=True),
    q("fx_group_by_case_simple", "SELECT CASE t.status WHEN 'done' THEN 'closed' "
      "ELSE 'open' END AS state, count(*) AS n FROM crm.tasks t GROUP BY CASE t.status "
      "WHEN 'done' THEN 'closed' ELSE 'open' END"),
    q("fx_derived_functions", "SELECT x.k, count(*) AS n FROM (SELECT t.id % 3 AS k, "
      "greatest(t.priority, 0) AS g FROM crm.tasks t) x WHERE x.g // 2 >= 1 GROUP BY x.k"),
    q("fx_distinct_function", "SELECT DISTINCT lower(trim(a.team)) AS t FROM crm.agents a"),
    q("fx_left_join_coalesce", "SELECT a.id, coalesce(nullif(t.status, ''), 'none') AS s "
      "FROM crm.agents a LEFT JOIN crm.tasks t ON t.agent_id = a.id AND t.priority > 4"),
    q("fx_revenue_rounding", "SELECT l.l_returnflag, round(sum(l.l_extendedprice * "
      "(1 - l.l_discount)), 2) AS rev, floor(avg(l.l_quantity)) AS q FROM crm.lineitem l "
      "GROUP BY l.l_returnflag"),
    q("fx_date_trunc_join", "SELECT date_trunc('month', o.o_orderdate) AS m, "
      "count(DISTINCT c.c_nationkey) AS nations FROM crm.orders o JOIN crm.customer c "
      "ON c.c_custkey = o.o_custkey WHERE o.o_orderdate < DATE '1993-01-01' "
      "GROUP BY date_trunc('month', o.o_orderdate)"),
    q("fx_param_null", "SELECT a.id, coalesce($x, a.level) AS c, nullif(a.level, $x) AS n "
      "FROM crm.agents a", {"x": None}),
]

# functions SQLite evaluates exactly (planner.functions: exact_in): these filters run there
PUSHED = [
    q("fx_pushed_abs", "SELECT t.id, t.priority FROM crm.tasks t WHERE abs(t.priority) = 1"),
    q("fx_pushed_abs_float", "SELECT a.id FROM crm.agents a WHERE abs(a.score) < 20.5 "
      "OR abs(a.level) >= 6"),
    q("fx_pushed_sign", "SELECT t.id FROM crm.tasks t WHERE sign(t.priority) <= 0 "
      "OR sign(t.estimate) = 0"),
    q("fx_pushed_coalesce", "SELECT a.id FROM crm.agents a "
      "WHERE coalesce(a.team, 'none') = 'none' OR coalesce(a.level, 0) = 0"),
    q("fx_pushed_coalesce_dates", "SELECT t.id FROM crm.tasks t "
      "WHERE coalesce(t.due, DATE '2000-01-01') < DATE '2023-06-01'"),
    q("fx_pushed_nullif", "SELECT a.id FROM crm.agents a WHERE nullif(a.team, '') IS NULL"),
    q("fx_pushed_nullif_param", "SELECT t.id FROM crm.tasks t "
      "WHERE nullif(t.status, $s) IS NOT NULL AND nullif(t.priority, $p) > 3",
      {"s": "done", "p": 5}),
    q("fx_pushed_join", "SELECT a.id, t.id AS task FROM crm.agents a JOIN crm.tasks t "
      "ON t.agent_id = a.id AND abs(t.priority) = a.level WHERE coalesce(a.team, '') <> ''"),
]

QUERIES: list[Query] = (EXPRESSIONS + STRINGS + NUMBERS + DATES + AGGREGATES + MIXED
                        + PUSHED)
assert all(isinstance(v, str | int | float | dt.date | type(None))
           for qq in QUERIES for v in qq.params.values())

# construct -> regex that at least one query text must match (merged into queries.CONSTRUCTS)
CONSTRUCTS: dict[str, str] = {
    "simple case": r"\bcase\s+[a-z]\w*\.\w+\s+when\b",
    "is distinct from": r"\bis\s+distinct\s+from\b",
    "is not distinct from": r"\bis\s+not\s+distinct\s+from\b",
    "is true": r"\bis\s+true\b", "is not true": r"\bis\s+not\s+true\b",
    "is false": r"\bis\s+false\b", "is not false": r"\bis\s+not\s+false\b",
    "ilike": r"(?<!not )\bilike\b", "not ilike": r"\bnot\s+ilike\b",
    "like escape": r"\blike\s+'[^']*'\s+escape\b",
    "double-colon cast": r"::\s*(integer|varchar|date|decimal)",
    "integer division": r"\s//\s", "modulo float": r"\.estimate\s*%",
    "substring from for": r"\bsubstring\([^)]*\bfrom\b[^)]*\bfor\b",
    "position in": r"\bposition\('[^']*'\s+in\b",
    "trim both from": r"\btrim\(both\b", "trim leading": r"\btrim\(leading\b",
    "trim trailing": r"\btrim\(trailing\b",
    **{name: rf"\b{name}\(" for name in (
        "replace", "left", "right", "strpos", "starts_with", "contains", "concat", "nullif",
        "greatest", "least", "floor", "ceil", "sqrt", "power", "ln", "exp", "mod", "sign",
        "date_trunc", "date_part", "strftime", "stddev", "variance", "median",
        "quantile_cont", "string_agg", "bool_and", "bool_or")},
    "current_date": r"\bcurrent_date\b",
    "interval quarter": r"\binterval\s+('\d+'|\d+)\s+quarter\b",
    "interval fraction": r"\binterval\s+'-?\d+\.\d+'",
}
