"""The three-engine corpus: every query, by id."""

from __future__ import annotations

from . import (
    queries_all,
    queries_combined_m,
    queries_cross,
    queries_functions,
    queries_graph,
    queries_graph_joins,
    queries_graph_patterns,
    queries_lifted,
    queries_pushdown,
    queries_setops,
    queries_shared_reads,
    queries_subqueries,
    queries_vector,
)
from .record import Q3

QUERIES: list[Q3] = (queries_graph.QUERIES + queries_vector.QUERIES + queries_cross.QUERIES
                     + queries_all.QUERIES + queries_pushdown.QUERIES + queries_subqueries.QUERIES
                     + queries_setops.QUERIES + queries_combined_m.QUERIES
                     + queries_functions.QUERIES + queries_graph_patterns.QUERIES
                     + queries_lifted.QUERIES  # correlated filters lifted above joins
                     + queries_shared_reads.QUERIES  # equal fragments read once
                     + queries_graph_joins.QUERIES)  # node tables joined in one MATCH
BY_ID: dict[str, Q3] = {qq.id: qq for qq in QUERIES}
assert len(BY_ID) == len(QUERIES), "duplicate query ids"
