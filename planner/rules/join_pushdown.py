"""Run a join inside the source when both inputs are Scans of that one source and the source
accepts the join kind and the exact condition; two patterns of one graph source become one
MATCH (``planner.rules.graph_joins``).

Inside a subquery, a Filter of correlated conjuncts (they read the query around it, so no
source runs them on their own) over an input of an inner join, or over the left input of a
LEFT join, moves above the merged Scan: filtering before or after such a join keeps the same
rows, and the subquery is then a plain read that may go down whole
(``planner.pushed_subqueries``).

>>> # Join(Scan(crm.orders), Scan(crm.customer), o.c = c.c) becomes one Scan of crm
"""

from __future__ import annotations

from dataclasses import replace

from planner.capabilities import accepts_predicate
from planner.cardinality import within_join_rows
from planner.catalog import Catalog
from planner.expressions import BExpr, conjunction, conjuncts
from planner.logical import Filter, GraphMatch, Join, Plan, Scan
from planner.pushed_subqueries import runs_in_source
from planner.rules.graph_joins import graph_join
from planner.subquery_plans import has_outer, has_subquery


def join_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """Merge ``Join(Scan, Scan)`` of one source into a single Scan (bottom-up)."""
    plan = plan.replace_children(tuple(join_pushdown(c, catalog) for c in plan.children))
    if not isinstance(plan, Join) or plan.condition is None:
        return plan
    left, lifted = _correlated(plan.left)
    right, lifted_right = _correlated(plan.right) if plan.kind == "inner" else (plan.right, None)
    if lifted is not None or lifted_right is not None:
        predicate = conjunction(tuple(p for p in (lifted, lifted_right) if p is not None))
        merged = _merge(replace(plan, left=left, right=right), catalog)
        if predicate is None or not isinstance(merged, Scan):
            return plan
        return Filter(merged, predicate)
    return _merge(plan, catalog)


def _correlated(node: Plan) -> tuple[Plan, BExpr | None]:
    """A Filter of correlated conjuncts only, over a Scan: the Scan and the predicate."""
    if isinstance(node, Filter) and isinstance(node.child, Scan) \
            and all(has_outer(p) and not has_subquery(p) for p in conjuncts(node.predicate)):
        return node.child, node.predicate
    return node, None


def _merge(plan: Join, catalog: Catalog) -> Plan:
    """``plan`` as one Scan when its inputs are Scans its source joins exactly."""
    assert plan.condition is not None
    left, right = plan.left, plan.right
    if isinstance(left, GraphMatch):
        return graph_join(plan, left, right, catalog)
    if not (isinstance(left, Scan) and isinstance(right, Scan) and left.source == right.source):
        return plan
    caps = catalog[left.source].capabilities
    available = frozenset(c.key for c in left.available + right.available)
    if plan.kind not in caps.joins or any(s.limit is not None or s.aggregate is not None
                                          or s.computed for s in (left, right)):
        return plan
    if not within_join_rows(catalog, left.source, (*left.tables, *right.tables)):
        return plan
    # a LEFT join takes one right table (its ON holds that table's filters); an inner join
    # cannot follow a right side holding a LEFT join
    if (plan.kind == "left" and len(right.tables) != 1) or (
            plan.kind != "left" and any(t.kind == "left" for t in right.tables)):
        return plan
    parts = conjuncts(plan.condition)
    plain = [p for p in parts if not has_subquery(p)]
    if not all(accepts_predicate(caps, p, available) for p in plain):
        return plan
    merged = _merged(plan, left, right)
    # a subquery in the condition goes down with it when the merged read can answer it
    if any(has_subquery(p) and not runs_in_source(catalog, merged, p) for p in parts):
        return plan
    return merged


def _merged(plan: Join, left: Scan, right: Scan) -> Scan:
    assert plan.condition is not None
    if plan.kind == "left":
        # the right side's own filters restrict what may match: they belong in ON
        on = conjunction((plan.condition, *right.filters))
        tables = (*left.tables, replace(right.tables[0], kind="left", condition=on))
        filters = left.filters
    else:
        first = replace(right.tables[0], kind="inner", condition=None)
        tables = (*left.tables, first, *right.tables[1:])
        filters = (*left.filters, *right.filters, plan.condition)
    return Scan(left.source, tables, left.columns + right.columns, filters,
                available=left.available + right.available)
