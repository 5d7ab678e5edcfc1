"""Equal fragments read once (planner.shared_reads) over Kuzu and LanceDB: a MATCH and a
LanceDB table read by an outer query and again by its subquery (TPC-H Q2 and Q11's shape),
with other columns on each side."""

from __future__ import annotations

from .record import Q3, q3

QUERIES: list[Q3] = [
    q3("shared_match_correlated_scalar", "SELECT x.id, x.team, x.level FROM MATCH graph "
       "(x:Agent) WHERE x.level IS NOT NULL AND x.level = (SELECT max(y.level) FROM MATCH "
       "graph (y:Agent) WHERE y.level IS NOT NULL AND y.team = x.team)",
       "SELECT x.id, x.team, x.level FROM graph.Agent x WHERE x.level IS NOT NULL AND "
       "x.level = (SELECT max(y.level) FROM graph.Agent y WHERE y.level IS NOT NULL AND "
       "y.team = x.team)"),
    q3("shared_lake_having_subquery", "SELECT k.agent_id, count(*) AS n FROM docs.knowledge k "
       "WHERE k.kind = 'note' GROUP BY k.agent_id HAVING count(*) > (SELECT count(*) / 100 "
       "FROM docs.knowledge j WHERE j.kind = 'note') ORDER BY n DESC, k.agent_id",
       "SELECT k.agent_id, count(*) AS n FROM docs.knowledge k WHERE k.kind = 'note' "
       "GROUP BY k.agent_id HAVING count(*) > (SELECT count(*) / 100 FROM docs.knowledge j "
       "WHERE j.kind = 'note') ORDER BY n DESC, k.agent_id", ordered=True),
    q3("shared_lake_and_sqlite_join_twice", "SELECT a.id, k.id AS doc FROM crm.agents a "
       "JOIN docs.knowledge k ON k.agent_id = a.id WHERE k.created = (SELECT max(j.created) "
       "FROM docs.knowledge j WHERE j.agent_id = a.id) AND a.team IN (SELECT b.team FROM "
       "crm.agents b WHERE b.level = 1)",
       "SELECT a.id, k.id AS doc FROM crm.agents a JOIN docs.knowledge k ON k.agent_id = a.id "
       "WHERE k.created = (SELECT max(j.created) FROM docs.knowledge j WHERE j.agent_id = a.id) "
       "AND a.team IN (SELECT b.team FROM crm.agents b WHERE b.level = 1)"),
]
