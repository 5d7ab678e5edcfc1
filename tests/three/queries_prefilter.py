"""Where a NEAREST takes its prefilter from (WHERE, an inner join's ON, a LEFT JOIN's ON on
either side, derived tables), and prefilters LanceDB cannot run (evaluated exactly in DuckDB).

Every placement query carries ``wrong``: the oracle of the other reading (prefilter where a
postfilter is meant, or the reverse). ``test_prefilters`` checks that the two oracles differ,
so each query can tell the readings apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import Q3, Q_NEAR, Q_OTHER, assigned, nearest, q3

Q = {"q": Q_NEAR}
NEAR = "NEAREST docs.knowledge TO $q"
W_NOTE = "kind = 'note'"
W_COMMENT = "kind = 'comment'"
W_LOG_SPEC = "kind IN ('log', 'spec')"
W_LOWER_NOTE = "lower(kind) = 'note'"
W_LOWER_LOG = "lower(kind) = 'log'"
W_LOWER_SPEC = "lower(kind) = 'spec'"
W_UPPER_NOTE = "upper(kind) = 'NOTE'"
W_COALESCE = "coalesce(kind, 'none') <> 'note' AND coalesce(task_id, 0) > 500"
W_MIXED = "kind = 'note' AND task_id % 3 = 0 AND created >= DATE '2021-01-01'"
W_SPEC_OR_LATENCY = "kind = 'spec' OR lower(text) LIKE '%latency%'"


@dataclass(frozen=True)
class Placement:
    query: Q3
    wrong: str  # the oracle of the other reading


def placed(qid: str, fql: str, oracle_sql: str, wrong: str,
           params: dict[str, object] | None = None, *, ordered: bool = False) -> Placement:
    return Placement(q3(qid, fql, oracle_sql, dict(params or Q), ordered=ordered),
                     wrong.strip())


PLACEMENTS: list[Placement] = [
    placed("pf_inner_on", f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {NEAR} K 10 AS k "
           "ON k.agent_id = a.id AND k.kind = 'note'",
           f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {nearest(10, where=W_NOTE)} "
           "ON k.agent_id = a.id",
           f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {nearest(10)} "
           "ON k.agent_id = a.id AND k.kind = 'note'"),
    placed("pf_inner_where", f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {NEAR} K 10 "
           "AS k ON k.agent_id = a.id WHERE k.kind = 'note'",
           f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {nearest(10, where=W_NOTE)} "
           "ON k.agent_id = a.id",
           f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {nearest(10)} "
           "ON k.agent_id = a.id WHERE k.kind = 'note'"),
    placed("pf_inner_on_search_first", f"SELECT k.id, a.level FROM {NEAR} K 25 AS k "
           "JOIN crm.agents a ON a.id = k.agent_id AND k.kind IN ('log', 'spec') "
           "AND a.level >= 2",
           f"SELECT k.id, a.level FROM {nearest(25, where=W_LOG_SPEC)} JOIN crm.agents a "
           "ON a.id = k.agent_id AND a.level >= 2",
           f"SELECT k.id, a.level FROM {nearest(25)} JOIN crm.agents a ON a.id = k.agent_id "
           "AND k.kind IN ('log', 'spec') AND a.level >= 2"),
    placed("pf_left_null_side_on", f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN "
           f"{NEAR} K 10 AS k ON k.agent_id = a.id AND k.kind = 'note'",
           f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN "
           f"{nearest(10, where=W_NOTE)} ON k.agent_id = a.id",
           f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN {nearest(10)} "
           "ON k.agent_id = a.id AND k.kind = 'note'"),
    placed("pf_left_preserved_on", f"SELECT k.id, a.name FROM {NEAR} K 10 AS k LEFT JOIN "
           "crm.agents a ON a.id = k.agent_id AND k.kind = 'note'",
           f"SELECT k.id, a.name FROM {nearest(10)} LEFT JOIN crm.agents a "
           "ON a.id = k.agent_id AND k.kind = 'note'",
           f"SELECT k.id, a.name FROM {nearest(10, where=W_NOTE)} LEFT JOIN crm.agents a "
           "ON a.id = k.agent_id"),
    placed("pf_left_null_side_where", f"SELECT a.id AS agent, k.id FROM crm.agents a "
           f"LEFT JOIN {NEAR} K 10 AS k ON k.agent_id = a.id WHERE k.kind = 'note' "
           "OR k.id IS NULL",
           f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN {nearest(10)} "
           "ON k.agent_id = a.id WHERE k.kind = 'note' OR k.id IS NULL",
           f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN "
           f"{nearest(10, where=W_NOTE)} ON k.agent_id = a.id"),
    placed("pf_inner_on_above_left", f"SELECT a.id AS agent, k.id, t.id AS task FROM "
           f"crm.agents a LEFT JOIN {NEAR} K 30 AS k ON k.agent_id = a.id JOIN crm.tasks t "
           "ON t.id = a.id AND k.kind = 'note'",
           f"SELECT a.id AS agent, k.id, t.id AS task FROM crm.agents a LEFT JOIN "
           f"{nearest(30)} ON k.agent_id = a.id JOIN crm.tasks t ON t.id = a.id "
           "AND k.kind = 'note'",
           f"SELECT a.id AS agent, k.id, t.id AS task FROM crm.agents a LEFT JOIN "
           f"{nearest(30, where=W_NOTE)} ON k.agent_id = a.id JOIN crm.tasks t "
           "ON t.id = a.id"),
    placed("pf_graph_on", "SELECT x.id AS agent, t.id AS task, k.id FROM MATCH graph "
           f"(x:Agent)-[:ASSIGNED_TO]->(t:Task) JOIN {NEAR} K 20 AS k ON k.task_id = t.id "
           "AND k.kind = 'note'",
           f"SELECT x.id AS agent, t.id AS task, k.id FROM {assigned(r='r0')} "
           f"JOIN {nearest(20, where=W_NOTE)} ON k.task_id = t.id",
           f"SELECT x.id AS agent, t.id AS task, k.id FROM {assigned(r='r0')} "
           f"JOIN {nearest(20)} ON k.task_id = t.id AND k.kind = 'note'"),
    placed("pf_two_searches_on", "SELECT k1.id AS a_id, k2.id AS b_id FROM NEAREST "
           "docs.knowledge TO $q K 60 AS k1 JOIN NEAREST docs.knowledge TO $q2 K 60 AS k2 "
           "ON k1.agent_id = k2.agent_id AND k1.kind = 'note' AND k2.kind = 'comment'",
           f"SELECT k1.id AS a_id, k2.id AS b_id FROM {nearest(60, 'k1', W_NOTE)} JOIN "
           f"{nearest(60, 'k2', W_COMMENT, 'q2')} "
           "ON k1.agent_id = k2.agent_id",
           f"SELECT k1.id AS a_id, k2.id AS b_id FROM {nearest(60, 'k1')} JOIN "
           f"{nearest(60, 'k2', param='q2')} ON k1.agent_id = k2.agent_id "
           "AND k1.kind = 'note' AND k2.kind = 'comment'", {"q": Q_NEAR, "q2": Q_OTHER}),
    placed("pf_derived_on_is_postfilter", "SELECT a.id AS agent, n.id FROM crm.agents a JOIN "
           f"(SELECT k.id, k.agent_id, k.kind FROM {NEAR} K 20 AS k) AS n "
           "ON n.agent_id = a.id AND n.kind = 'note'",
           f"SELECT a.id AS agent, n.id FROM crm.agents a JOIN (SELECT k.id, k.agent_id, "
           f"k.kind FROM {nearest(20)}) AS n ON n.agent_id = a.id AND n.kind = 'note'",
           f"SELECT a.id AS agent, n.id FROM crm.agents a JOIN (SELECT k.id, k.agent_id, "
           f"k.kind FROM {nearest(20, where=W_NOTE)}) AS n ON n.agent_id = a.id"),
    placed("pf_left_null_side_on_residual", f"SELECT a.id AS agent, k.id FROM crm.agents a "
           f"LEFT JOIN {NEAR} K 10 AS k ON k.agent_id = a.id AND lower(k.kind) = 'note'",
           f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN "
           f"{nearest(10, where=W_LOWER_NOTE)} "
           "ON k.agent_id = a.id",
           f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN {nearest(10)} "
           "ON k.agent_id = a.id AND lower(k.kind) = 'note'"),
]

R_NEAR = f"FROM {NEAR}"
# prefilters LanceDB cannot evaluate: the search ranks every row, DuckDB filters and cuts
RESIDUAL: list[Q3] = [
    q3("rf_lower", f"SELECT k.id, k.kind, k._distance {R_NEAR} K 10 AS k "
       "WHERE lower(k.kind) = 'log' ORDER BY k._distance",
       f"SELECT k.id, k.kind, k._distance FROM "
       f"{nearest(10, where=W_LOWER_LOG)} "
       "ORDER BY k._distance", Q, ordered=True),
    q3("rf_coalesce", f"SELECT k.id, k.kind {R_NEAR} K 15 AS k "
       "WHERE coalesce(k.kind, 'none') <> 'note' AND coalesce(k.task_id, 0) > 500",
       f"SELECT k.id, k.kind FROM {nearest(15, where=W_COALESCE)}", Q),
    q3("rf_arithmetic", f"SELECT k.id, k.task_id, k.agent_id {R_NEAR} K 12 AS k "
       "WHERE k.task_id % 7 = 3 OR k.agent_id + k.task_id > 1000",
       f"SELECT k.id, k.task_id, k.agent_id FROM "
       f"{nearest(12, where='task_id % 7 = 3 OR agent_id + task_id > 1000')}", Q),
    q3("rf_mixed_pushable", f"SELECT k.id, k._distance {R_NEAR} K 8 AS k "
       "WHERE k.kind = 'note' AND k.task_id % 3 = 0 AND k.created >= DATE '2021-01-01' "
       "ORDER BY k._distance",
       f"SELECT k.id, k._distance FROM {nearest(8, where=W_MIXED)} ORDER BY k._distance", Q,
       ordered=True),
    q3("rf_or_across", f"SELECT k.id, k.kind {R_NEAR} K 20 AS k "
       "WHERE k.kind = 'spec' OR lower(k.text) LIKE '%latency%'",
       f"SELECT k.id, k.kind FROM {nearest(20, where=W_SPEC_OR_LATENCY)}", Q),
    q3("rf_fewer_than_k", f"SELECT k.id, k._distance {R_NEAR} K 100 AS k "
       "WHERE k.agent_id = 13 AND k.task_id % 2 = 0",
       f"SELECT k.id, k._distance FROM {nearest(100, where='agent_id = 13 AND task_id % 2 = 0')}",
       Q),
    q3("rf_approximate_stays_exact", f"SELECT k.id {R_NEAR} K 10 APPROXIMATE AS k "
       "WHERE abs(k.agent_id - 50) < 10",
       f"SELECT k.id FROM {nearest(10, where='abs(agent_id - 50) < 10')}", Q),
    q3("rf_inner_on", f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN {NEAR} K 10 AS k "
       "ON k.agent_id = a.id AND upper(k.kind) = 'NOTE'",
       f"SELECT a.id AS agent, k.id FROM crm.agents a JOIN "
       f"{nearest(10, where=W_UPPER_NOTE)} ON k.agent_id = a.id", Q),
    q3("rf_left_on_length", f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN {NEAR} "
       "K 15 AS k ON k.agent_id = a.id AND length(k.text) > 45",
       f"SELECT a.id AS agent, k.id FROM crm.agents a LEFT JOIN "
       f"{nearest(15, where='length(text) > 45')} ON k.agent_id = a.id", Q),
    q3("rf_params", f"SELECT k.id, k._distance {R_NEAR} K $k AS k "
       "WHERE lower(k.kind) = $kind ORDER BY k._distance",
       f"SELECT k.id, k._distance FROM {nearest('$k', where='lower(kind) = $kind')} "
       "ORDER BY k._distance", {"q": Q_NEAR, "k": 7, "kind": "review"}, ordered=True),
    q3("rf_distance_postfilter", f"SELECT k.id {R_NEAR} K 40 AS k "
       "WHERE k.task_id % 5 = 1 AND k._distance < 1.4",
       f"SELECT k.id FROM {nearest(40, where='task_id % 5 = 1')} WHERE k._distance < 1.4", Q),
    q3("rf_derived_then_outer", "SELECT s.id FROM (SELECT k.id, k.kind "
       f"{R_NEAR} K 30 AS k WHERE k.agent_id % 2 = 0) AS s WHERE s.kind = 'note'",
       f"SELECT s.id FROM (SELECT k.id, k.kind FROM {nearest(30, where='agent_id % 2 = 0')}) "
       "AS s WHERE s.kind = 'note'", Q),
    q3("rf_group", f"SELECT k.kind, count(*) AS n, max(k._distance) AS max_dist {R_NEAR} "
       "K 40 AS k WHERE k.task_id % 4 = 0 GROUP BY k.kind",
       f"SELECT k.kind, count(*) AS n, max(k._distance) AS max_dist FROM "
       f"{nearest(40, where='task_id % 4 = 0')} GROUP BY k.kind", Q),
    q3("rf_star", f"SELECT k.* {R_NEAR} K 3 AS k WHERE lower(k.kind) = 'spec'",
       f"SELECT k.* FROM {nearest(3, where=W_LOWER_SPEC)}", Q),
    q3("rf_match_join", "SELECT t.id AS task, k.id FROM MATCH graph "
       f"(x:Agent)-[:ASSIGNED_TO]->(t:Task) JOIN {NEAR} K 25 AS k ON k.task_id = t.id "
       "WHERE t.status = 'done' AND k.task_id % 2 = 0",
       f"SELECT t.id AS task, k.id FROM {assigned(r='r0')} "
       f"JOIN {nearest(25, where='task_id % 2 = 0')} ON k.task_id = t.id "
       "WHERE t.status = 'done'", Q),
]
