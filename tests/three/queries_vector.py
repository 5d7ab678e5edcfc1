"""LanceDB-only queries: NEAREST (K, prefilters, ordering, distance()) and plain scans."""

from __future__ import annotations

import datetime as dt

from .record import Q3, Q_CORE, Q_NEAR, Q_OTHER, dist, nearest, q3

Q = {"q": Q_NEAR}
NEAR = "FROM NEAREST docs.knowledge TO $q"
# the aliases' own filters (prefilters of the search)
W_SPEC = "kind = 'spec'"
W_CREATED_2023 = "created >= DATE '2023-01-01'"
W_AGENT13_NOTE = "agent_id = 13 AND kind = 'note'"
W_NOTE_REVIEW_OLD = "kind IN ('note', 'review') AND created < DATE '2022-01-01'"
W_SUMMARY_OR_96 = "kind = 'summary' OR agent_id = 96"
W_LOG_TEXT = "text LIKE 'log on %'"
W_TASK_RANGE = "task_id BETWEEN 100 AND 300 AND kind <> 'note'"
W_COMMENT = "kind = 'comment'"

NEAREST_QUERIES: list[Q3] = [
    q3("vector_k10_ordered", f"SELECT k.id, k.kind, k._distance {NEAR} K 10 AS k "
       "ORDER BY k._distance",
       f"SELECT k.id, k.kind, k._distance FROM {nearest(10)} ORDER BY k._distance", Q,
       ordered=True),
    q3("vector_k1", f"SELECT k.id, k.agent_id, k.text, k._distance {NEAR} K 1 AS k",
       f"SELECT k.id, k.agent_id, k.text, k._distance FROM {nearest(1)}", Q),
    q3("vector_k100_multiset", f"SELECT k.id, k.task_id, k.kind, k._distance {NEAR} K 100 AS k",
       f"SELECT k.id, k.task_id, k.kind, k._distance FROM {nearest(100)}", Q),
    q3("vector_param_k", f"SELECT k.id, k._distance {NEAR} K $k AS k ORDER BY k._distance",
       f"SELECT k.id, k._distance FROM {nearest('$k')} ORDER BY k._distance",
       {"q": Q_NEAR, "k": 7}, ordered=True),
    q3("vector_no_alias", "SELECT knowledge.id, knowledge._distance FROM NEAREST "
       "docs.knowledge TO $q K 5 ORDER BY knowledge._distance",
       f"SELECT knowledge.id, knowledge._distance FROM {nearest(5, 'knowledge')} "
       "ORDER BY knowledge._distance", Q, ordered=True),
    q3("vector_prefilter_kind", f"SELECT k.id, k.kind, k._distance {NEAR} K 10 AS k "
       "WHERE k.kind = 'spec' ORDER BY k._distance",
       f"SELECT k.id, k.kind, k._distance FROM {nearest(10, where=W_SPEC)} "
       "ORDER BY k._distance", Q, ordered=True),
    q3("vector_prefilter_created", f"SELECT k.id, k.created {NEAR} K 10 AS k "
       "WHERE k.created >= DATE '2023-01-01'",
       f"SELECT k.id, k.created FROM {nearest(10, where=W_CREATED_2023)}",
       Q),
    q3("vector_prefilter_date_param", f"SELECT k.id, k._distance {NEAR} K 10 AS k "
       "WHERE k.created < $d ORDER BY k._distance",
       f"SELECT k.id, k._distance FROM {nearest(10, where='created < $d')} "
       "ORDER BY k._distance", {"q": Q_NEAR, "d": dt.date(2021, 6, 1)}, ordered=True),
    q3("vector_prefilter_agent", f"SELECT k.id, k.task_id, k._distance {NEAR} K 10 AS k "
       "WHERE k.agent_id = $agent ORDER BY k._distance",
       f"SELECT k.id, k.task_id, k._distance FROM {nearest(10, where='agent_id = $agent')} "
       "ORDER BY k._distance", {"q": Q_NEAR, "agent": 26}, ordered=True),
    q3("vector_prefilter_fewer_than_k", f"SELECT k.id, k._distance {NEAR} K 100 AS k "
       "WHERE k.agent_id = 13 AND k.kind = 'note'",
       f"SELECT k.id, k._distance FROM "
       f"{nearest(100, where=W_AGENT13_NOTE)}", Q),
    q3("vector_prefilter_in_and", f"SELECT k.id, k.kind {NEAR} K 20 AS k "
       "WHERE k.kind IN ('note', 'review') AND k.created < DATE '2022-01-01'",
       f"SELECT k.id, k.kind FROM {nearest(20, where=W_NOTE_REVIEW_OLD)}", Q),
    q3("vector_prefilter_or", f"SELECT k.id, k.kind, k.agent_id {NEAR} K 15 AS k "
       "WHERE k.kind = 'summary' OR k.agent_id = 96",
       f"SELECT k.id, k.kind, k.agent_id FROM "
       f"{nearest(15, where=W_SUMMARY_OR_96)}", Q),
    q3("vector_prefilter_like", f"SELECT k.id, k.text {NEAR} K 10 AS k "
       "WHERE k.text LIKE 'log on %'",
       f"SELECT k.id, k.text FROM {nearest(10, where=W_LOG_TEXT)}", Q),
    q3("vector_prefilter_task_range", f"SELECT k.id, k.task_id {NEAR} K 10 AS k "
       "WHERE k.task_id BETWEEN 100 AND 300 AND k.kind <> 'note'",
       f"SELECT k.id, k.task_id FROM "
       f"{nearest(10, where=W_TASK_RANGE)}", Q),
    q3("vector_distance_fn", f"SELECT k.id, distance(k.vector, $q) AS dist {NEAR} K 10 AS k "
       "ORDER BY dist",
       f"SELECT k.id, {dist()} AS dist FROM {nearest(10)} ORDER BY dist", Q, ordered=True),
    q3("vector_distance_other_vector", "SELECT k.id, distance(k.vector, $q2) AS dist2 "
       f"{NEAR} K 10 AS k ORDER BY k._distance",
       f"SELECT k.id, {dist('k.vector', 'q2')} AS dist2 FROM {nearest(10)} "
       "ORDER BY k._distance", {"q": Q_NEAR, "q2": Q_OTHER}, ordered=True),
    q3("vector_distance_where_postfilter", f"SELECT k.id, k._distance {NEAR} K 50 AS k "
       "WHERE k._distance < 1.15",
       f"SELECT k.id, k._distance FROM {nearest(50)} WHERE k._distance < 1.15", Q),
    q3("vector_group_kind", f"SELECT k.kind, count(*) AS n, min(k._distance) AS min_dist "
       f"{NEAR} K 100 AS k GROUP BY k.kind",
       f"SELECT k.kind, count(*) AS n, min(k._distance) AS min_dist FROM {nearest(100)} "
       "GROUP BY k.kind", Q),
    q3("vector_centroid_agents", "SELECT k.agent_id, count(*) AS n FROM NEAREST "
       "docs.knowledge TO $q K 100 AS k GROUP BY k.agent_id",
       f"SELECT k.agent_id, count(*) AS n FROM {nearest(100)} GROUP BY k.agent_id",
       {"q": Q_CORE}),
    q3("vector_limit_after_k", f"SELECT k.id, k._distance {NEAR} K 100 AS k "
       "ORDER BY k._distance LIMIT 3",
       f"SELECT k.id, k._distance FROM {nearest(100)} ORDER BY k._distance LIMIT 3", Q,
       ordered=True),
    q3("vector_order_other_column", f"SELECT k.id, k.created {NEAR} K 20 AS k "
       "ORDER BY k.created DESC, k.id",
       f"SELECT k.id, k.created FROM {nearest(20)} ORDER BY k.created DESC, k.id", Q,
       ordered=True),
    q3("vector_arith_on_distance", f"SELECT k.id, 2 * k._distance AS dist_twice "
       f"{NEAR} K 10 AS k",
       f"SELECT k.id, 2 * k._distance AS dist_twice FROM {nearest(10)}", Q),
    q3("vector_vector_column", f"SELECT k.id, k.vector {NEAR} K 3 AS k",
       f"SELECT k.id, k.vector FROM {nearest(3)}", Q),
    q3("vector_derived_postfilter", "SELECT n.id, n.kind FROM (SELECT k.id, k.kind, "
       f"k._distance {NEAR} K 50 AS k) AS n WHERE n.kind = 'note'",
       f"SELECT n.id, n.kind FROM (SELECT k.id, k.kind, k._distance FROM {nearest(50)}) AS n "
       "WHERE n.kind = 'note'", Q),
    q3("vector_derived_prefilter_ordered", "SELECT top.id, top._distance FROM (SELECT k.id, "
       f"k._distance {NEAR} K 20 AS k WHERE k.kind = 'comment') AS top "
       "WHERE top._distance < 1.3 ORDER BY top._distance",
       "SELECT top.id, top._distance FROM (SELECT k.id, k._distance FROM "
       f"{nearest(20, where=W_COMMENT)}) AS top WHERE top._distance < 1.3 "
       "ORDER BY top._distance", Q, ordered=True),
]

K = "FROM docs.knowledge AS k"
SCAN_QUERIES: list[Q3] = [
    q3("lance_scan_filter", f"SELECT k.id, k.kind, k.task_id {K} WHERE k.agent_id = 13",
       "SELECT k.id, k.kind, k.task_id FROM docs.knowledge k WHERE k.agent_id = 13"),
    q3("lance_scan_projection_limit", f"SELECT k.id, k.text {K} ORDER BY k.id LIMIT 10",
       "SELECT k.id, k.text FROM docs.knowledge k ORDER BY k.id LIMIT 10", ordered=True),
    q3("lance_scan_group", f"SELECT k.kind, count(*) AS n, min(k.created) AS first {K} "
       "GROUP BY k.kind",
       "SELECT k.kind, count(*) AS n, min(k.created) AS first FROM docs.knowledge k "
       "GROUP BY k.kind"),
    q3("lance_scan_date_between", f"SELECT k.id, k.created {K} "
       "WHERE k.created BETWEEN DATE '2021-01-01' AND DATE '2021-01-31'",
       "SELECT k.id, k.created FROM docs.knowledge k "
       "WHERE k.created BETWEEN DATE '2021-01-01' AND DATE '2021-01-31'"),
    q3("lance_scan_awkward_text", f"SELECT k.id, k.text {K} "
       "WHERE k.text IN ('O''Brien', '100% done', 'semi;colon -- comment') "
       "OR k.text LIKE '50%'",
       "SELECT k.id, k.text FROM docs.knowledge k "
       "WHERE k.text IN ('O''Brien', '100% done', 'semi;colon -- comment') "
       "OR k.text LIKE '50%'"),
    q3("lance_scan_in_and", f"SELECT k.id {K} WHERE k.kind IN ('spec', 'summary') "
       "AND k.task_id < 60",
       "SELECT k.id FROM docs.knowledge k WHERE k.kind IN ('spec', 'summary') "
       "AND k.task_id < 60"),
    q3("lance_scan_no_alias", "SELECT knowledge.id, knowledge.kind FROM docs.knowledge "
       "WHERE knowledge.task_id = 7",
       "SELECT knowledge.id, knowledge.kind FROM docs.knowledge WHERE knowledge.task_id = 7"),
    q3("lance_scan_extract_year", f"SELECT extract(year FROM k.created) AS y, "
       f"count(DISTINCT k.agent_id) AS agents {K} GROUP BY extract(year FROM k.created)",
       "SELECT extract(year FROM k.created) AS y, count(DISTINCT k.agent_id) AS agents "
       "FROM docs.knowledge k GROUP BY extract(year FROM k.created)"),
    q3("lance_scan_offset", f"SELECT k.id, k.kind {K} WHERE k.kind = 'review' "
       "ORDER BY k.id DESC LIMIT 5 OFFSET 10",
       "SELECT k.id, k.kind FROM docs.knowledge k WHERE k.kind = 'review' "
       "ORDER BY k.id DESC LIMIT 5 OFFSET 10", ordered=True),
    q3("lance_scan_distance_order", f"SELECT k.id, distance(k.vector, $q) AS dist {K} "
       "WHERE k.kind = 'log' ORDER BY dist LIMIT 5",
       f"SELECT k.id, {dist()} AS dist FROM docs.knowledge k WHERE k.kind = 'log' "
       "ORDER BY dist LIMIT 5", Q, ordered=True),
    q3("lance_scan_distance_filter", f"SELECT k.id {K} WHERE distance(k.vector, $q) < 1.1",
       f"SELECT k.id FROM docs.knowledge k WHERE {dist()} < 1.1", Q),
    q3("lance_derived_limit_postfilter", "SELECT s.id FROM (SELECT k.id, k.kind "
       f"{K} ORDER BY k.id LIMIT 100) AS s WHERE s.kind = 'spec'",
       "SELECT s.id FROM (SELECT k.id, k.kind FROM docs.knowledge k ORDER BY k.id "
       "LIMIT 100) AS s WHERE s.kind = 'spec'"),
    q3("lance_scan_limit_only_count", "SELECT count(*) AS n FROM (SELECT k.id "
       f"{K} WHERE k.created > DATE '2023-06-30' LIMIT 1000) AS s",
       "SELECT count(*) AS n FROM (SELECT k.id FROM docs.knowledge k "
       "WHERE k.created > DATE '2023-06-30' LIMIT 1000) AS s"),
]

QUERIES: list[Q3] = NEAREST_QUERIES + SCAN_QUERIES
