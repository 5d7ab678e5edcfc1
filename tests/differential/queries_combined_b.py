"""The constructs of issue 10 helper B in combination: windows inside set-operation branches,
outer joins inside derived tables that feed windows, DISTINCT ON over a union, VALUES as an
EXCEPT branch, QUALIFY over a FULL join."""

from __future__ import annotations

from .corpus import Query, q

COMBINED: list[Query] = [
    q("combo_union_of_windowed_branches", "SELECT a.id AS id, row_number() OVER (ORDER BY a.id) "
      "AS rn FROM crm.agents a WHERE a.level = 1 UNION ALL SELECT t.id, rank() OVER (ORDER BY "
      "t.priority DESC, t.id) FROM crm.tasks t WHERE t.id < 20"),
    q("combo_window_over_union", "SELECT u.k, count(*) OVER (PARTITION BY u.k % 3) AS n "
      "FROM (SELECT a.id AS k FROM crm.agents a WHERE a.level = 2 UNION SELECT t.agent_id "
      "FROM crm.tasks t WHERE t.priority = 1) AS u"),
    q("combo_distinct_on_over_union", "SELECT DISTINCT ON (u.grp) u.grp, u.v FROM (SELECT "
      "a.team AS grp, a.id AS v FROM crm.agents a UNION ALL SELECT t.status, t.id "
      "FROM crm.tasks t) AS u ORDER BY u.grp, u.v"),
    q("combo_full_join_in_branch", "SELECT a.id FROM crm.agents a FULL JOIN crm.tasks t ON "
      "t.agent_id = a.id AND t.priority = 5 WHERE t.id IS NULL UNION SELECT 999"),
    q("combo_values_except", "SELECT a.team FROM crm.agents a EXCEPT SELECT v.t FROM "
      "(VALUES ('core'), ('ml'), (NULL)) AS v(t)"),
    q("combo_qualify_over_full_join", "SELECT a.team, t.id AS tid FROM crm.agents a FULL JOIN "
      "crm.tasks t ON t.agent_id = a.id AND t.priority = 2 QUALIFY row_number() OVER "
      "(PARTITION BY a.team ORDER BY t.id NULLS LAST) = 1"),
    q("combo_using_then_window", "SELECT id, a.team, sum(x.n) OVER (PARTITION BY a.team "
      "ORDER BY id) AS acc FROM crm.agents a JOIN (SELECT t.agent_id AS id, count(*) AS n "
      "FROM crm.tasks t GROUP BY t.agent_id) AS x USING (id) WHERE a.level >= 4"),
    q("combo_group_all_filter_in_branch", "SELECT a.team AS g, count(*) FILTER (WHERE "
      "a.active) AS n FROM crm.agents a GROUP BY ALL EXCEPT SELECT t.status, count(*) "
      "FROM crm.tasks t GROUP BY ALL"),
    q("combo_cross_join_values_window", "SELECT v.k, r.r_name, dense_rank() OVER (PARTITION BY "
      "v.k ORDER BY r.r_name) AS dr FROM (VALUES (1), (2)) AS v(k) CROSS JOIN crm.region r"),
    q("combo_right_join_exclude", "SELECT * EXCLUDE (t_title) FROM (SELECT t.agent_id, "
      "t.title AS t_title, t.id AS tid FROM crm.tasks t WHERE t.priority = 5) AS x RIGHT JOIN "
      "crm.region r ON r.r_regionkey = x.agent_id"),
    q("combo_no_from_union_values", "SELECT 1 AS n, 'one' AS w UNION ALL VALUES (2, 'two') "
      "UNION ALL SELECT 3, NULL ORDER BY n", ordered=True),
    q("combo_except_all_windowed_dupes", "SELECT ntile(3) OVER (ORDER BY a.id) AS b "
      "FROM crm.agents a EXCEPT ALL SELECT t.priority FROM crm.tasks t WHERE t.id < 40"),
]

QUERIES = COMBINED
