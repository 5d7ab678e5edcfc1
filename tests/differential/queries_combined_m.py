"""Issue 10's two halves together: subqueries and WITH (helper A) mixed with set operations,
outer joins, VALUES, windows, QUALIFY, DISTINCT ON, GROUP BY ALL and FILTER (helper B).

Each query puts one half inside the other: a CTE over a UNION, a WITH in front of a whole set
operation, a set operation inside IN / EXISTS / a scalar subquery (correlated through a
branch), windows inside subqueries and subqueries inside window specs and QUALIFY, EXISTS over
a FULL join, CTEs over VALUES joined with USING. FUNCTIONS_IN_CONSTRUCTS puts helper C's
expressions and functions inside both halves' constructs.
"""

from __future__ import annotations

from .corpus import Query, q

CTES_OVER_SET_OPERATIONS = [
    q("m_cte_over_union", "WITH u AS (SELECT a.id AS k FROM crm.agents a WHERE a.level = 1 "
      "UNION SELECT t.agent_id FROM crm.tasks t WHERE t.priority = 5) "
      "SELECT u.k, count(*) OVER () AS n FROM u"),
    q("m_with_in_front_of_union", "WITH hi AS (SELECT a.id FROM crm.agents a WHERE a.level >= 4) "
      "SELECT id FROM hi UNION ALL SELECT t.agent_id FROM crm.tasks t "
      "WHERE t.agent_id IN (SELECT id FROM hi) AND t.priority = 2"),
    q("m_cte_read_in_both_branches", "WITH t5 AS (SELECT t.agent_id, t.id FROM crm.tasks t "
      "WHERE t.priority = 5) SELECT x.agent_id FROM t5 x INTERSECT "
      "SELECT y.agent_id FROM t5 y WHERE y.id > 10"),
    q("m_parenthesised_with_branch", "(WITH c AS (SELECT a.id FROM crm.agents a "
      "WHERE a.team = 'core') SELECT id FROM c) UNION (SELECT t.agent_id FROM crm.tasks t "
      "WHERE t.priority = 1 AND t.agent_id IS NOT NULL) ORDER BY 1", ordered=True),
    q("m_cte_values_join_using", "WITH v(id, tag) AS (VALUES (1, 'x'), (2, 'y'), (3, NULL)) "
      "SELECT id, v.tag, a.team FROM v JOIN crm.agents a USING (id)"),
    q("m_cte_window_distinct_on", "WITH ranked AS (SELECT t.agent_id, t.id, row_number() OVER "
      "(PARTITION BY t.agent_id ORDER BY t.id) AS rn FROM crm.tasks t) "
      "SELECT DISTINCT ON (r.agent_id) r.agent_id, r.id FROM ranked r WHERE r.rn <= 2 "
      "ORDER BY r.agent_id, r.id DESC", ordered=True),
]

SET_OPERATIONS_IN_SUBQUERIES = [
    q("m_in_union_subquery", "SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT t.agent_id "
      "FROM crm.tasks t WHERE t.priority = 5 UNION SELECT b.id FROM crm.agents b "
      "WHERE b.level = 1)"),
    q("m_not_in_except_subquery", "SELECT a.id FROM crm.agents a WHERE a.id NOT IN "
      "(SELECT b.id FROM crm.agents b EXCEPT SELECT t.agent_id FROM crm.tasks t "
      "WHERE t.agent_id IS NOT NULL)"),
    q("m_exists_correlated_intersect", "SELECT a.id FROM crm.agents a WHERE EXISTS "
      "(SELECT t.id FROM crm.tasks t WHERE t.agent_id = a.id AND t.priority = 5 "
      "INTERSECT SELECT u.id FROM crm.tasks u WHERE u.status = 'done')"),
    q("m_scalar_over_correlated_union", "SELECT a.id, (SELECT max(u.k) FROM (SELECT t.priority "
      "AS k FROM crm.tasks t WHERE t.agent_id = a.id UNION ALL SELECT a.level) AS u) AS top "
      "FROM crm.agents a"),
]

WINDOWS_AND_SUBQUERIES = [
    q("m_window_inside_in_subquery", "SELECT t.id, t.title FROM crm.tasks t WHERE t.id IN "
      "(SELECT x.id FROM (SELECT u.id, row_number() OVER (PARTITION BY u.agent_id "
      "ORDER BY u.priority DESC, u.id) AS rn FROM crm.tasks u) AS x WHERE x.rn = 1)"),
    q("m_qualify_inside_subquery", "SELECT t.id FROM crm.tasks t WHERE t.id IN (SELECT u.id "
      "FROM crm.tasks u QUALIFY rank() OVER (PARTITION BY u.status ORDER BY u.id) <= 2)"),
    q("m_subquery_in_window_partition", "SELECT t.id, sum(t.priority) OVER (PARTITION BY "
      "t.agent_id IN (SELECT a.id FROM crm.agents a WHERE a.team = 'core') "
      "ORDER BY t.id) AS s FROM crm.tasks t"),
    q("m_qualify_scalar_subquery", "SELECT t.id, t.agent_id, t.priority FROM crm.tasks t "
      "QUALIFY rank() OVER (PARTITION BY t.agent_id ORDER BY t.priority DESC) <= "
      "(SELECT min(a.level) FROM crm.agents a WHERE a.level IS NOT NULL)"),
    q("m_distinct_on_scalar_subquery_key", "SELECT DISTINCT ON (t.priority > (SELECT "
      "avg(u.priority) FROM crm.tasks u)) t.priority, t.id FROM crm.tasks t "
      "WHERE t.priority IS NOT NULL ORDER BY t.priority > (SELECT avg(u.priority) "
      "FROM crm.tasks u), t.id", ordered=True),
]

JOINS_AND_SUBQUERIES = [
    q("m_exists_over_full_join", "SELECT a.id, t.id AS tid FROM crm.agents a FULL JOIN "
      "crm.tasks t ON t.agent_id = a.id AND t.priority = 5 WHERE EXISTS (SELECT 1 FROM "
      "crm.tasks u WHERE u.agent_id = a.id AND u.status = 'done')"),
    q("m_exists_full_join_inside", "SELECT a.id FROM crm.agents a WHERE EXISTS (SELECT 1 "
      "FROM crm.tasks t FULL JOIN crm.region r ON r.r_regionkey = t.priority "
      "WHERE t.agent_id = a.id AND r.r_name IS NULL)"),
    q("m_right_join_scalar_filter", "SELECT r.r_name, x.n FROM (SELECT t.priority AS p, "
      "count(*) AS n FROM crm.tasks t GROUP BY t.priority) AS x RIGHT JOIN crm.region r "
      "ON r.r_regionkey = x.p WHERE (SELECT count(*) FROM crm.nation n "
      "WHERE n.n_regionkey = r.r_regionkey) > 0"),
    q("m_group_all_filter_in_subquery", "SELECT a.id, a.team FROM crm.agents a WHERE a.team IN "
      "(SELECT b.team FROM crm.agents b GROUP BY ALL "
      "HAVING count(*) FILTER (WHERE b.active) >= 2)"),
]

# WITH RECURSIVE: anchor UNION [ALL] step, the step reading the rows of the previous round
RECURSIVE = [
    q("m_rec_counter", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
      "WHERE n < 10) SELECT n, n * n AS sq FROM r"),
    q("m_rec_chain_over_source", "WITH RECURSIVE chain AS (SELECT t.id, t.agent_id, 1 AS depth "
      "FROM crm.tasks t WHERE t.id = 1 UNION ALL SELECT u.id, u.agent_id, c.depth + 1 "
      "FROM chain c JOIN crm.tasks u ON u.id = c.id + 7 WHERE c.depth < 6) "
      "SELECT * FROM chain"),
    q("m_rec_union_fixpoint", "WITH RECURSIVE reach(p) AS (SELECT t.priority FROM crm.tasks t "
      "WHERE t.priority IS NOT NULL AND t.id < 4 UNION SELECT (reach.p * 3 + 1) % 7 "
      "FROM reach) SELECT p FROM reach"),
    q("m_rec_correlated_step", "WITH RECURSIVE lv(level, n) AS (SELECT 1, 0 UNION ALL "
      "SELECT lv.level + 1, (SELECT count(*) FROM crm.agents a WHERE a.level = lv.level) "
      "FROM lv WHERE lv.level < 6) SELECT * FROM lv"),
    q("m_rec_in_subquery", "SELECT a.id, a.level FROM crm.agents a WHERE a.level IN "
      "(WITH RECURSIVE odd(k) AS (SELECT 1 UNION ALL SELECT k + 2 FROM odd WHERE k < 5) "
      "SELECT k FROM odd)"),
    q("m_rec_then_union_and_window", "WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 2 "
      "FROM r WHERE n < 8), plain AS (SELECT a.level AS n FROM crm.agents a) "
      "SELECT n, rank() OVER (ORDER BY n) AS rk FROM (SELECT n FROM r UNION "
      "SELECT n FROM plain) AS u"),
    q("m_rec_with_values_anchor", "WITH RECURSIVE walk(tid, steps) AS (VALUES (2, 0), (5, 0) "
      "UNION ALL SELECT t.id, w.steps + 1 FROM walk w JOIN crm.tasks t "
      "ON t.id = w.tid * 2 WHERE w.steps < 4) SELECT w.tid, w.steps, t.status FROM walk w "
      "LEFT JOIN crm.tasks t ON t.id = w.tid"),
]

# helper C's functions and expressions inside A's and B's constructs: window keys and
# arguments, CTE bodies, set-operation branches, subqueries, outer-join conditions
FUNCTIONS_IN_CONSTRUCTS = [
    q("m_fx_window_over_substring", "SELECT t.id, substring(t.title FROM 1 FOR 3) AS p3, "
      "row_number() OVER (PARTITION BY substring(t.title FROM 1 FOR 3) ORDER BY t.id) AS rn, "
      "count(*) OVER (PARTITION BY upper(left(t.status, 1))) AS n FROM crm.tasks t"),
    q("m_fx_cte_nullif_greatest", "WITH lv AS (SELECT a.id, nullif(a.level, 3) AS l, "
      "greatest(a.level, 2) AS g, least(a.score, 50) AS s FROM crm.agents a) "
      "SELECT lv.id, lv.l, lv.g, lv.s FROM lv WHERE lv.l IS DISTINCT FROM lv.g"),
    q("m_fx_union_of_ilike_branches", "SELECT a.id, lower(a.name) AS who FROM crm.agents a "
      "WHERE a.name ILIKE '%a%' UNION SELECT t.agent_id, trim(BOTH ' ' FROM t.status) "
      "FROM crm.tasks t WHERE t.title NOT ILIKE 'migrate%' AND t.agent_id IS NOT NULL"),
    q("m_fx_in_subquery_position_case", "SELECT t.id, CASE t.status WHEN 'done' THEN 'd' "
      "ELSE right(t.status, 2) END AS s FROM crm.tasks t WHERE t.agent_id IN (SELECT a.id "
      "FROM crm.agents a WHERE position('o' IN coalesce(a.team, '')) > 0) "
      "QUALIFY lag(t.id) OVER (ORDER BY t.id) IS NOT NULL"),
    q("m_fx_outer_join_cast_distinct", "SELECT a.id, count(DISTINCT t.status) "
      "AS np, max(t.priority::VARCHAR) AS p FROM crm.agents a LEFT JOIN crm.tasks t "
      "ON t.agent_id = a.id AND t.priority // 2 = 2 GROUP BY ALL"),
]

QUERIES: list[Query] = (CTES_OVER_SET_OPERATIONS + SET_OPERATIONS_IN_SUBQUERIES
                        + WINDOWS_AND_SUBQUERIES + JOINS_AND_SUBQUERIES + RECURSIVE
                        + FUNCTIONS_IN_CONSTRUCTS)
