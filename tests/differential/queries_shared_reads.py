"""One read for equal fragments (planner.shared_reads): an outer query and its subquery, a
self-join, set-operation branches and a HAVING subquery reading the same table with the same
pushed filters under other aliases (read once, the union of their columns), next to near
misses that must stay two reads (other filters, literals of other types, a pushed LIMIT)."""

from __future__ import annotations

from .corpus import Query, q

QUERIES: list[Query] = [
    q("shared_correlated_scalar_q2", "SELECT t.id, t.agent_id, t.priority FROM crm.tasks t "
      "WHERE t.status = 'done' AND t.priority = (SELECT max(u.priority) FROM crm.tasks u "
      "WHERE u.status = 'done' AND u.agent_id = t.agent_id)"),
    q("shared_having_subquery_q11", "SELECT t.agent_id, sum(t.estimate) AS total "
      "FROM crm.tasks t WHERE t.status <> 'blocked' GROUP BY t.agent_id "
      "HAVING sum(t.estimate) > (SELECT sum(u.estimate) * 0.01 FROM crm.tasks u "
      "WHERE u.status <> 'blocked') ORDER BY total DESC, t.agent_id", ordered=True),
    q("shared_self_join_nulls", "SELECT a.id, b.id AS other, a.team FROM crm.agents a "
      "JOIN crm.agents b ON a.team = b.team AND a.id < b.id WHERE a.level = 3 AND b.level = 3"),
    q("shared_not_in_same_table", "SELECT t.id FROM crm.tasks t WHERE t.status = 'done' "
      "AND t.id NOT IN (SELECT u.agent_id FROM crm.tasks u WHERE u.status = 'done')"),
    q("shared_not_in_same_table_no_nulls", "SELECT t.id FROM crm.tasks t WHERE t.status = "
      "'open' AND t.priority NOT IN (SELECT u.id FROM crm.tasks u WHERE u.status = 'open')"),
    q("shared_union_all_projections", "SELECT a.id, a.name FROM crm.agents a "
      "WHERE a.active UNION ALL SELECT b.level, b.team FROM crm.agents b WHERE b.active"),
    q("shared_param_both_sides", "SELECT t.id, t.due FROM crm.tasks t WHERE t.priority >= $p "
      "AND t.due = (SELECT max(u.due) FROM crm.tasks u WHERE u.priority >= $p "
      "AND u.agent_id = t.agent_id)", {"p": 4}),
    q("shared_miss_other_filter", "SELECT t.id FROM crm.tasks t WHERE t.status = 'done' "
      "AND t.agent_id IN (SELECT u.agent_id FROM crm.tasks u WHERE u.status = 'open')"),
    q("shared_miss_literal_types", "SELECT a.id, a.score FROM crm.agents a WHERE a.score = 50 "
      "AND a.id IN (SELECT b.id FROM crm.agents b WHERE b.score = 50.0)"),
    q("shared_miss_pushed_limit", "SELECT a.id FROM crm.agents a WHERE a.id IN "
      "(SELECT b.id FROM crm.agents b ORDER BY b.id LIMIT 7)"),
    q("shared_correlated_avg_decimals", "SELECT c.c_custkey, c.c_acctbal FROM crm.customer c "
      "WHERE c.c_mktsegment = 'BUILDING' AND c.c_acctbal > (SELECT avg(d.c_acctbal) "
      "FROM crm.customer d WHERE d.c_mktsegment = 'BUILDING' "
      "AND d.c_nationkey = c.c_nationkey)"),
]
