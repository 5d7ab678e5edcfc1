"""Two node tables of one graph source joined on their properties (planner.rules.graph_joins):
one MATCH of both parts when the join has an equality on exact keys, with keys passed into it
from SQLite, read once for an outer query and its subquery (TPC-H Q11's shape), NULL keys,
and joins that stay in DuckDB (no equality, a LEFT join)."""

from __future__ import annotations

from .record import Q3, q3

_Q11_BODY = ("FROM graph.Task t, graph.Agent x, crm.agents a WHERE x.level = t.priority "
             "AND x.id = a.id AND a.team = 'core'")

QUERIES: list[Q3] = [
    q3("graph_join_nodes_on_property", "SELECT t.priority, count(*) AS n FROM graph.Task t "
       "JOIN graph.Agent x ON x.level = t.priority WHERE x.team = 'core' GROUP BY t.priority",
       "SELECT t.priority, count(*) AS n FROM graph.Task t JOIN graph.Agent x "
       "ON x.level = t.priority WHERE x.team = 'core' GROUP BY t.priority"),
    q3("graph_join_keys_and_having_subquery",
       f"SELECT t.status, sum(t.priority) AS s {_Q11_BODY} GROUP BY t.status "
       f"HAVING sum(t.priority) > (SELECT sum(t.priority) / 10 {_Q11_BODY})",
       f"SELECT t.status, sum(t.priority) AS s {_Q11_BODY} GROUP BY t.status "
       f"HAVING sum(t.priority) > (SELECT sum(t.priority) / 10 {_Q11_BODY})"),
    q3("graph_join_strings_and_nulls", "SELECT x.id, t.id AS task, x.level FROM graph.Agent x, "
       "graph.Task t WHERE t.status = x.team OR (x.level = t.priority AND t.id < 20 "
       "AND x.name = x.name)",
       "SELECT x.id, t.id AS task, x.level FROM graph.Agent x, graph.Task t "
       "WHERE t.status = x.team OR (x.level = t.priority AND t.id < 20 AND x.name = x.name)"),
    q3("graph_join_two_keys", "SELECT x.id, t.id AS task FROM graph.Agent x JOIN graph.Task t "
       "ON t.priority = x.level AND t.id = x.id * 7",
       "SELECT x.id, t.id AS task FROM graph.Agent x JOIN graph.Task t "
       "ON t.priority = x.level AND t.id = x.id * 7"),
    q3("graph_join_no_equality_stays", "SELECT x.id, t.id AS task FROM graph.Agent x "
       "JOIN graph.Task t ON x.level < t.priority WHERE x.id < 5 AND t.id < 30",
       "SELECT x.id, t.id AS task FROM graph.Agent x JOIN graph.Task t ON x.level < t.priority "
       "WHERE x.id < 5 AND t.id < 30"),
    q3("graph_join_left_stays", "SELECT x.id, t.id AS task FROM graph.Agent x LEFT JOIN "
       "graph.Task t ON t.priority = x.level AND t.id < 10",
       "SELECT x.id, t.id AS task FROM graph.Agent x LEFT JOIN graph.Task t "
       "ON t.priority = x.level AND t.id < 10"),
]
