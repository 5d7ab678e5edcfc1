"""Join two patterns of one graph source inside it: one MATCH of both, the join's condition
in its WHERE.

TPC-H Q11 at SF 1 joins Kuzu's ``partsupp`` (800 000 rows) with ``supplier`` on the supplier
key and keeps one nation's suppliers: read apart, all 800 000 rows leave Kuzu (its Arrow
export costs about 27 ns a value, most of the read); as ``MATCH (a:partsupp), (b:supplier)
WHERE a.ps_suppkey = b.s_suppkey AND b.s_nationkey IN $keys`` Kuzu hash-joins them and
returns 31 680 rows in about half the time. Comma-separated patterns with no relationship
between them are Cypher's cross product, so the WHERE makes it the inner join.

Only inner joins with at least one equality between the two sides on values every source
compares as DuckDB (integers, strings, dates, booleans: Kuzu then hash-joins instead of
testing every pair), only plain patterns (no LIMIT, ORDER BY, aggregate or OPTIONAL part),
and only conditions the source accepts whole.

>>> import pyarrow as pa
>>> from planner.expressions import ColumnRef, Func
>>> from planner.graph_pattern import GraphNode
>>> from planner.logical import Join, components
>>> a, b = ColumnRef("a", "k", pa.int64()), ColumnRef("b", "k", pa.int64())
>>> left = GraphMatch("g", (GraphNode("a", "A"),), (), (a,), available=(a,))
>>> right = GraphMatch("g", (GraphNode("b", "B"),), (), (b,), available=(b,))
>>> joined = merged(Join(left, right, "inner", Func("eq", (a, b), pa.bool_())))
>>> [n.label for n in joined.nodes], [str(f) for f in joined.filters]
(['A', 'B'], ['(a.k = b.k)'])
>>> components(joined)
2
"""

from __future__ import annotations

from dataclasses import replace

from planner.capabilities import accepts_predicate
from planner.catalog import Catalog
from planner.expressions import ColumnRef, Func, conjuncts
from planner.logical import GraphMatch, Join, Plan
from planner.subquery_plans import has_subquery
from planner.types import family

EXACT_KEYS = frozenset({"int", "string", "date", "bool"})


def graph_join(plan: Join, left: Plan, right: Plan, catalog: Catalog) -> Plan:
    """``plan`` as one GraphMatch when it may run inside its graph source, else ``plan``."""
    if not (isinstance(left, GraphMatch) and isinstance(right, GraphMatch)
            and left.source == right.source and plan.kind == "inner"
            and plan.condition is not None):
        return plan
    info = catalog.get(left.source)
    if info is None or not info.capabilities.pattern_joins:
        return plan
    if any(m.limit is not None or m.aggregate is not None or m.order or m.optional
           for m in (left, right)):
        return plan
    parts = conjuncts(plan.condition)
    available = frozenset(c.key for c in left.available + right.available)
    if any(has_subquery(p) or not accepts_predicate(info.capabilities, p, available)
           for p in parts):
        return plan
    if not any(_key_equality(p, left, right) for p in parts):
        return plan  # a cross product filtered pair by pair: DuckDB's hash join does better
    return merged(plan)


def merged(plan: Join) -> GraphMatch:
    """One MATCH of both sides' patterns (the right's node indexes moved past the left's)."""
    left, right = plan.left, plan.right
    assert isinstance(left, GraphMatch) and isinstance(right, GraphMatch)
    assert plan.condition is not None
    shift = len(left.nodes)
    edges = tuple(replace(e, src=e.src + shift, dst=e.dst + shift) for e in right.edges)
    return GraphMatch(left.source, left.nodes + right.nodes, left.edges + edges,
                      left.columns + right.columns,
                      (*left.filters, *right.filters, *conjuncts(plan.condition)),
                      available=left.available + right.available)


def _key_equality(part: object, left: GraphMatch, right: GraphMatch) -> bool:
    if not (isinstance(part, Func) and part.name == "eq"
            and all(isinstance(a, ColumnRef) for a in part.args)):
        return False
    a, b = part.args
    assert isinstance(a, ColumnRef) and isinstance(b, ColumnRef)
    sides = {a.rel in left.rels, b.rel in left.rels}
    return sides == {True, False} and {a.rel, b.rel} <= left.rels | right.rels \
        and family(a.type) in EXACT_KEYS and family(a.type) == family(b.type)
