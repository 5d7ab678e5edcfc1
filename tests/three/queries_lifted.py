"""Correlated-subquery filters on one side of a cross-source inner join, which the DuckDB stage
applies above the join (``federation.stage_lift``): EXISTS / NOT EXISTS / scalar comparisons on
a LanceDB or SQLite leg, next to cheap conjuncts that stay on the leg, under a LEFT JOIN (only
inner joins are crossed) and in a chain of three joins (the TPC-H Q21 shape)."""

from __future__ import annotations

from .record import Q3, q3

SAME = {  # FQL that is also the oracle's SQL
    "lift_exists_on_lance_leg":
        "SELECT k.id, a.name FROM docs.knowledge k JOIN crm.agents a ON a.id = k.agent_id "
        "WHERE a.team = 'core' AND k.kind = 'spec' AND EXISTS (SELECT 1 FROM docs.knowledge k2 "
        "WHERE k2.task_id = k.task_id AND k2.agent_id <> k.agent_id)",
    "lift_q21_shape":
        "SELECT a.name, count(*) AS n FROM crm.agents a, docs.knowledge k1, crm.tasks t "
        "WHERE a.id = k1.agent_id AND t.id = k1.task_id AND t.status = 'blocked' "
        "AND k1.kind <> 'log' AND EXISTS (SELECT * FROM docs.knowledge k2 "
        "WHERE k2.task_id = k1.task_id AND k2.agent_id <> k1.agent_id) AND NOT EXISTS "
        "(SELECT * FROM docs.knowledge k3 WHERE k3.task_id = k1.task_id "
        "AND k3.agent_id <> k1.agent_id AND k3.kind = 'log') GROUP BY a.name",
    "lift_scalar_on_sqlite_leg":
        "SELECT t.id, k.id AS kid FROM crm.tasks t JOIN docs.knowledge k ON k.task_id = t.id "
        "WHERE k.kind = 'note' AND t.priority > (SELECT avg(u.priority) FROM crm.tasks u "
        "WHERE u.status = t.status)",
    "lift_not_exists_both_sides":
        "SELECT a.id, k.id AS kid FROM crm.agents a JOIN docs.knowledge k ON k.agent_id = a.id "
        "WHERE NOT EXISTS (SELECT 1 FROM crm.agents b WHERE b.team = a.team "
        "AND b.level > a.level + 1) AND EXISTS (SELECT 1 FROM docs.knowledge k2 "
        "WHERE k2.task_id = k.task_id AND k2.kind = 'spec' AND k2.id <> k.id)",
    "lift_stops_at_left_join":
        "SELECT a.id, k.id AS kid FROM crm.agents a LEFT JOIN (SELECT k.id, k.agent_id "
        "FROM docs.knowledge k JOIN crm.tasks t ON t.id = k.task_id WHERE t.priority = 5 "
        "AND EXISTS (SELECT 1 FROM docs.knowledge k2 WHERE k2.task_id = k.task_id "
        "AND k2.agent_id <> k.agent_id)) AS k ON k.agent_id = a.id WHERE a.level = 3",
}

QUERIES: list[Q3] = [q3(qid, text, text) for qid, text in SAME.items()]
