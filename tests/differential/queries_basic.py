"""Single-table queries: projection, filters, expressions, functions, casts, params, NULLs."""

from __future__ import annotations

import datetime as dt

from .corpus import Query, q

PROJECTION = [
    q("basic_star", "SELECT * FROM crm.agents AS a"),
    q("basic_qualified_star", "SELECT a.* FROM crm.agents a WHERE a.team = 'core'"),
    q("basic_alias_ordered", "SELECT a.id, a.name AS agent_name FROM crm.agents AS a ORDER BY a.id",
      ordered=True),
    q("basic_distinct_team", "SELECT DISTINCT a.team FROM crm.agents a"),
    q("basic_distinct_two", "SELECT DISTINCT a.team, a.level FROM crm.agents a "
      "WHERE a.level IS NOT NULL"),
    q("basic_star_tasks_filter", "SELECT t.* FROM crm.tasks AS t WHERE t.priority = 5"),
    q("basic_arith", "SELECT t.id, t.priority + 1 AS p1, t.priority - 10 AS p2, "
      "t.priority * 3 AS p3, t.estimate * 2 AS e2, t.estimate - t.priority AS diff "
      "FROM crm.tasks t"),
    q("basic_modulo", "SELECT t.id, t.priority % 2 AS odd, t.id % 7 AS bucket FROM crm.tasks t "
      "WHERE t.priority % 2 = 1"),
    q("basic_float_division", "SELECT t.id, t.estimate / 4 AS quarter FROM crm.tasks t "
      "WHERE t.estimate IS NOT NULL"),
    q("basic_int_division_is_float", "SELECT t.id, t.priority / 2 AS half, t.id / 3 AS third "
      "FROM crm.tasks t"),
    q("basic_negative_modulo", "SELECT t.id, (t.priority - 3) % 2 AS m, -t.priority AS neg "
      "FROM crm.tasks t"),
    q("basic_precedence", "SELECT t.id, t.priority + t.id * 2 - 1 AS a1, "
      "(t.priority + t.id) * (2 - 1) AS a2, t.id - t.priority - 1 AS a3 FROM crm.tasks t"),
    q("basic_unary_minus", "SELECT a.id, -a.score AS neg, - -a.level AS lvl FROM crm.agents a"),
    q("basic_const_decimal", "SELECT a.id, a.level * 1.5 AS l15, a.score + 0.25 AS s "
      "FROM crm.agents a"),
    q("basic_const_column", "SELECT a.id, 'x' AS tag, 42 AS answer, 2.5 AS half, NULL AS nothing "
      "FROM crm.agents a WHERE a.id < 5"),
]

FILTERS = [
    q("filter_gt", "SELECT a.id, a.score FROM crm.agents a WHERE a.score > 50"),
    q("filter_range_ne", "SELECT a.id FROM crm.agents a "
      "WHERE a.level >= 2 AND a.level <= 4 AND a.team <> 'ml'"),
    q("filter_bang_ne", "SELECT a.id, a.team FROM crm.agents a WHERE a.team != 'core'"),
    q("filter_or", "SELECT a.id FROM crm.agents a WHERE a.team = 'ml' OR a.score < 10"),
    q("filter_not", "SELECT a.id FROM crm.agents a WHERE NOT (a.team = 'core')"),
    q("filter_not_null_score", "SELECT a.id FROM crm.agents a WHERE NOT (a.score > 50)"),
    q("filter_and_or_precedence", "SELECT t.id FROM crm.tasks t "
      "WHERE t.status = 'done' OR t.status = 'pending' AND t.priority > 3"),
    q("filter_between", "SELECT t.id FROM crm.tasks t WHERE t.priority BETWEEN 2 AND 4"),
    q("filter_not_between", "SELECT t.id, t.estimate FROM crm.tasks t "
      "WHERE t.estimate NOT BETWEEN 5 AND 30"),
    q("filter_between_dates", "SELECT t.id, t.due FROM crm.tasks t "
      "WHERE t.due BETWEEN DATE '2024-01-01' AND DATE '2024-06-30'"),
    q("filter_in_strings", "SELECT a.id, a.team FROM crm.agents a "
      "WHERE a.team IN ('core', 'ml', '')"),
    q("filter_not_in", "SELECT a.id, a.team FROM crm.agents a "
      "WHERE a.team NOT IN ('core', 'infra')"),
    q("filter_not_in_with_null", "SELECT t.id FROM crm.tasks t WHERE t.priority NOT IN (1, NULL)"),
    q("filter_in_with_null", "SELECT t.id FROM crm.tasks t WHERE t.priority IN (1, NULL)"),
    q("filter_in_ints", "SELECT t.id, t.title FROM crm.tasks t "
      "WHERE t.id IN (1, 2, 3, 10, 11, 999)"),
    q("filter_in_quoted", "SELECT a.id FROM crm.agents a "
      "WHERE a.name IN ('O''Brien', 'Zoë Ångström', 'say \"hi\"')"),
    q("filter_eq_null_trap", "SELECT a.id FROM crm.agents a WHERE a.score = NULL"),
    q("filter_ne_null_trap", "SELECT a.id FROM crm.agents a WHERE a.team <> NULL OR FALSE"),
    q("filter_or_null", "SELECT a.id FROM crm.agents a WHERE a.score > 90 OR a.score IS NULL"),
    q("filter_is_null", "SELECT a.id FROM crm.agents a WHERE a.team IS NULL"),
    q("filter_empty_string", "SELECT a.id FROM crm.agents a WHERE a.team IS NOT NULL "
      "AND a.team = ''"),
    q("filter_quote_literal", "SELECT a.id, a.name FROM crm.agents a WHERE a.name = 'O''Brien'"),
    q("filter_injection_literal", "SELECT a.id FROM crm.agents a "
      "WHERE a.name = 'Robert''); DROP TABLE agents;--'"),
    q("filter_empty_name", "SELECT a.id, a.team FROM crm.agents a WHERE a.name = ''"),
    q("filter_negative_literal", "SELECT a.id, a.score FROM crm.agents a WHERE a.score < -1"),
    q("filter_empty_result", "SELECT a.id, a.name FROM crm.agents a WHERE a.id > 1000"),
    q("filter_false", "SELECT t.id FROM crm.tasks t WHERE 1 = 0"),
    q("filter_bool_column", "SELECT a.id FROM crm.agents a WHERE a.active"),
    q("filter_not_bool", "SELECT a.id FROM crm.agents a WHERE NOT a.active"),
    q("filter_bool_is_null", "SELECT a.id, a.active FROM crm.agents a WHERE a.active IS NULL"),
    q("filter_bool_eq_true", "SELECT a.id FROM crm.agents a WHERE a.active = TRUE "
      "AND a.level > 2"),
    q("filter_bool_select", "SELECT a.id, a.active, a.score > 50 AS high, "
      "a.team IS NULL AS no_team FROM crm.agents a"),
    q("filter_column_compare", "SELECT t.id FROM crm.tasks t WHERE t.estimate > t.priority * 5"),
    q("filter_unicode_eq", "SELECT a.id FROM crm.agents a "
      "WHERE a.name = '李雷' OR a.name = 'Ümit'"),
    q("filter_string_range", "SELECT a.id, a.name FROM crm.agents a "
      "WHERE a.name >= 'M' AND a.name < 'b'"),
]

LIKES = [
    q("like_prefix", "SELECT t.id, t.title FROM crm.tasks t WHERE t.title LIKE 'Fix%'"),
    q("like_case_sensitive", "SELECT t.id, t.title FROM crm.tasks t WHERE t.title LIKE 'migrate%'"),
    q("like_underscore", "SELECT a.id, a.name FROM crm.agents a WHERE a.name LIKE '_b'"),
    q("like_percent_inside", "SELECT t.id FROM crm.tasks t WHERE t.title LIKE '%50%%'"),
    q("not_like_any", "SELECT t.id, t.title FROM crm.tasks t WHERE t.title NOT LIKE '%_%'"),
    q("like_unicode", "SELECT t.id FROM crm.tasks t WHERE t.title LIKE 'É%'"),
    q("like_underscore_mid", "SELECT a.id FROM crm.agents a WHERE a.name LIKE 'x_y%'"),
    q("like_suffix_not", "SELECT t.id FROM crm.tasks t WHERE t.title NOT LIKE '% 1_' "
      "AND t.status = 'done'"),
    q("like_mixed_case_name", "SELECT a.id, a.name FROM crm.agents a WHERE a.name LIKE '%c%onald'"),
    q("like_quote", "SELECT t.id FROM crm.tasks t WHERE t.title LIKE '%''quoted''%'"),
]

FUNCTIONS = [
    q("fn_case_else", "SELECT a.id, CASE WHEN a.score >= 75 THEN 'high' WHEN a.score >= 25 "
      "THEN 'mid' ELSE 'low' END AS band FROM crm.agents a"),
    q("fn_case_no_else", "SELECT t.id, CASE WHEN t.status = 'done' THEN t.estimate END AS spent "
      "FROM crm.tasks t"),
    q("fn_case_in_where", "SELECT t.id FROM crm.tasks t "
      "WHERE CASE WHEN t.due IS NULL THEN t.priority > 3 ELSE t.priority < 2 END"),
    q("fn_cast_int_rounding", "SELECT t.id, t.estimate, CAST(t.estimate AS INTEGER) AS est_i "
      "FROM crm.tasks t"),
    q("fn_cast_double", "SELECT t.id, CAST(t.priority AS DOUBLE) / 4 AS p4 FROM crm.tasks t"),
    q("fn_cast_varchar", "SELECT a.id, CAST(a.id AS VARCHAR) || ':' || CAST(a.hired AS VARCHAR) "
      "AS tag FROM crm.agents a"),
    q("fn_cast_date", "SELECT t.id FROM crm.tasks t WHERE t.due >= CAST('2025-01-01' AS DATE)"),
    q("fn_cast_decimal", "SELECT a.id, CAST(a.score AS DECIMAL(10,2)) AS s FROM crm.agents a"),
    q("fn_cast_varchar_compare", "SELECT t.id FROM crm.tasks t "
      "WHERE CAST(t.priority AS VARCHAR) = '3'"),
    q("fn_lower_upper", "SELECT a.id, lower(a.name) AS lo, upper(a.name) AS up FROM crm.agents a"),
    q("fn_lower_where", "SELECT a.id, a.team FROM crm.agents a WHERE lower(a.team) = 'core'"),
    q("fn_upper_ascii_where", "SELECT t.id FROM crm.tasks t WHERE upper(t.title) LIKE 'MIGRATE%'"),
    q("fn_length", "SELECT a.id, length(a.name) AS n FROM crm.agents a WHERE length(a.name) < 4"),
    q("fn_substr3", "SELECT t.id, substr(t.title, 1, 3) AS pre FROM crm.tasks t "
      "WHERE substr(t.title, 1, 3) = 'Fix'"),
    q("fn_substr2", "SELECT a.id, substr(a.name, 3) AS rest FROM crm.agents a"),
    q("fn_abs", "SELECT t.id, abs(t.estimate) AS ae, abs(t.priority - 3) AS ap FROM crm.tasks t"),
    q("fn_round", "SELECT a.id, round(a.score, 1) AS r1, round(a.score) AS r0 FROM crm.agents a"),
    q("fn_round_division", "SELECT t.id, round(t.estimate / 3, 2) AS r FROM crm.tasks t"),
    q("fn_coalesce", "SELECT a.id, coalesce(a.team, 'none') AS team, coalesce(a.level, 0) + 1 "
      "AS lvl FROM crm.agents a"),
    q("fn_coalesce_date", "SELECT t.id, coalesce(t.due, DATE '2099-12-31') AS due "
      "FROM crm.tasks t"),
    q("fn_coalesce_multi", "SELECT t.id, coalesce(t.estimate, t.priority * 1.0, 0) AS e "
      "FROM crm.tasks t"),
    q("fn_extract", "SELECT a.id, extract(year FROM a.hired) AS y, "
      "extract(month FROM a.hired) AS m FROM crm.agents a"),
    q("fn_extract_where", "SELECT t.id FROM crm.tasks t WHERE extract(year FROM t.due) = 2024"),
    q("fn_concat_null", "SELECT a.id, a.name || ' [' || a.team || ']' AS label FROM crm.agents a"),
    q("fn_nested", "SELECT a.id, upper(substr(coalesce(a.team, '?'), 1, 2)) AS code, "
      "abs(round(a.score - 50, 0)) AS dist FROM crm.agents a"),
]

DATES = [
    q("date_literal", "SELECT a.id FROM crm.agents a WHERE a.hired < DATE '2017-01-01'"),
    q("date_interval_year", "SELECT a.id, a.hired + INTERVAL '1' YEAR AS anniversary "
      "FROM crm.agents a WHERE a.hired IS NOT NULL"),
    q("date_interval_month_end", "SELECT t.id, t.due + INTERVAL 1 MONTH AS next_due "
      "FROM crm.tasks t WHERE t.id IN (10, 11, 12, 13)"),
    q("date_minus_interval", "SELECT t.id FROM crm.tasks t "
      "WHERE t.due >= DATE '2025-06-30' - INTERVAL 3 MONTH"),
    q("date_interval_day", "SELECT t.id FROM crm.tasks t "
      "WHERE t.due + INTERVAL '10' DAY > DATE '2025-12-25'"),
    q("date_compare_columns", "SELECT t.id FROM crm.tasks t JOIN crm.agents a ON a.id = t.agent_id "
      "WHERE t.due < a.hired + INTERVAL '5' YEAR"),
]

ORDERING = [
    q("order_alias_desc", "SELECT a.id, a.score AS s FROM crm.agents a ORDER BY s DESC, a.id ASC",
      ordered=True),
    q("order_nulls_first", "SELECT a.id, a.score FROM crm.agents a "
      "ORDER BY a.score NULLS FIRST, a.id", ordered=True),
    q("order_desc_nulls_last", "SELECT a.id, a.hired FROM crm.agents a "
      "ORDER BY a.hired DESC NULLS LAST, a.id", ordered=True),
    q("order_desc_nulls_first", "SELECT a.id, a.level FROM crm.agents a "
      "ORDER BY a.level DESC NULLS FIRST, a.id DESC", ordered=True),
    q("order_strings_bytes", "SELECT a.id, a.team, a.name FROM crm.agents a "
      "ORDER BY a.team ASC NULLS FIRST, a.name DESC, a.id", ordered=True),
    q("order_limit", "SELECT t.id, t.title FROM crm.tasks t ORDER BY t.id LIMIT 10", ordered=True),
    q("order_limit_offset", "SELECT t.id FROM crm.tasks t ORDER BY t.id LIMIT 5 OFFSET 795",
      ordered=True),
    q("order_offset_beyond", "SELECT t.id FROM crm.tasks t ORDER BY t.id LIMIT 10 OFFSET 1000",
      ordered=True),
    q("order_limit_zero", "SELECT t.id FROM crm.tasks t ORDER BY t.id LIMIT 0", ordered=True),
    q("order_hidden_column", "SELECT a.name FROM crm.agents a ORDER BY a.id DESC LIMIT 7",
      ordered=True),
    q("order_expression", "SELECT a.id, a.name FROM crm.agents a "
      "ORDER BY length(a.name) DESC, a.id LIMIT 15", ordered=True),
    q("order_default_nulls", "SELECT t.id, t.due FROM crm.tasks t WHERE t.agent_id = 7 "
      "ORDER BY t.due, t.id", ordered=True),
    q("order_desc_default_nulls", "SELECT t.id, t.estimate FROM crm.tasks t WHERE t.priority = 1 "
      "ORDER BY t.estimate DESC, t.id", ordered=True),
    q("order_filter_limit", "SELECT t.id, t.estimate FROM crm.tasks t WHERE t.status = 'pending' "
      "ORDER BY t.estimate DESC NULLS LAST, t.id LIMIT 12 OFFSET 3", ordered=True),
    q("order_no_limit_multiset", "SELECT t.status, t.priority FROM crm.tasks t "
      "ORDER BY t.priority"),
]

PARAMS = [
    q("param_string", "SELECT a.id, a.name FROM crm.agents a WHERE a.team = $team",
      {"team": "core"}),
    q("param_int_float", "SELECT t.id FROM crm.tasks t WHERE t.priority >= $p AND t.estimate < $e",
      {"p": 3, "e": 12.5}),
    q("param_date", "SELECT t.id, t.due FROM crm.tasks t WHERE t.due < $d",
      {"d": dt.date(2023, 6, 1)}),
    q("param_none_eq", "SELECT a.id FROM crm.agents a WHERE a.team = $team", {"team": None}),
    q("param_none_optional", "SELECT a.id FROM crm.agents a WHERE $team IS NULL OR a.team = $team",
      {"team": None}),
    q("param_limit", "SELECT t.id FROM crm.tasks t ORDER BY t.id DESC LIMIT $n", {"n": 4},
      ordered=True),
    q("param_like", "SELECT t.id, t.title FROM crm.tasks t WHERE t.title LIKE $pat",
      {"pat": "%bug #1_"}),
    q("param_in_list", "SELECT a.id FROM crm.agents a WHERE a.team IN ($t1, $t2)",
      {"t1": "ml", "t2": "Core"}),
    q("param_select_list", "SELECT a.id, a.score * $w AS weighted FROM crm.agents a",
      {"w": 1.5}),
    q("param_injection_value", "SELECT a.id FROM crm.agents a WHERE a.name = $n",
      {"n": "Robert'); DROP TABLE agents;--"}),
    q("param_unicode", "SELECT a.id FROM crm.agents a WHERE a.name = $n OR a.name = $m",
      {"n": "Zoë Ångström", "m": "李雷"}),
    q("param_reused", "SELECT t.id FROM crm.tasks t WHERE t.priority = $p OR t.id = $p",
      {"p": 2}),
    q("param_between_dates", "SELECT a.id FROM crm.agents a WHERE a.hired BETWEEN $lo AND $hi",
      {"lo": dt.date(2019, 1, 1), "hi": dt.date(2020, 12, 31)}),
    q("param_negative", "SELECT a.id FROM crm.agents a WHERE a.score < $s", {"s": -0.5}),
]

SYNTAX = [
    q("syntax_comments_mixed_case", """
-- leading comment
sElEcT a.id, a.name -- trailing comment
FrOm crm.agents As a
wHeRe a.active = tRuE -- only active
  AnD a.level BeTwEeN 2 aNd 3
oRdEr By a.id DeSc""", ordered=True),
    q("syntax_lowercase", "select t.id, t.title from crm.tasks t where t.status is not null "
      "and t.priority in (4, 5) order by t.id limit 20", ordered=True),
    q("syntax_semicolon", "SELECT count(*) AS n FROM crm.tasks t WHERE t.due IS NULL;"),
    q("syntax_whitespace", "SELECT\n\ta.id ,\n\ta.team\nFROM\n\tcrm.agents\ta\nWHERE\ta.level=1"),
    q("syntax_comment_only_lines", "-- first\n-- second\nSELECT t.id\n-- middle\nFROM crm.tasks t\n"
      "WHERE t.id < 4 -- end"),
]

QUERIES: list[Query] = PROJECTION + FILTERS + LIKES + FUNCTIONS + DATES + ORDERING + PARAMS + SYNTAX
