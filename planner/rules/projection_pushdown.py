"""Read only the columns the rest of the plan uses: prune Project items, unused aggregates and
Scan columns.

>>> # SELECT a.name FROM crm.agents a  reads only "name" from the source
"""

from __future__ import annotations

from dataclasses import replace

from planner.catalog import Catalog
from planner.expressions import columns_of
from planner.logical import (
    Aggregate,
    Distinct,
    Filter,
    GraphMatch,
    Join,
    Output,
    Plan,
    Project,
    Scan,
    Sort,
    VectorSearch,
)


def projection_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """Prune every node to the columns its parent needs (the root keeps its whole schema)."""
    return _prune(plan, set(plan.keys))


def _prune(plan: Plan, required: set[str]) -> Plan:
    if isinstance(plan, Scan | GraphMatch | VectorSearch):
        return _prune_leaf(plan, required)
    if isinstance(plan, Project):
        items = tuple((c, e) for c, e in plan.items if c.key in required) or plan.items[:1]
        need = set().union(*(columns_of(e) for _, e in items))
        child = _prune(plan.child, need)
        if child is plan.child and len(items) == len(plan.items):
            return plan
        return Project(child, items)
    if isinstance(plan, Aggregate):
        aggs = tuple((c, a) for c, a in plan.aggregates if c.key in required)
        if not aggs and not plan.groups:
            aggs = plan.aggregates[:1]
        exprs = [e for _, e in plan.groups] + [a for _, a in aggs]
        need = set().union(*(columns_of(e) for e in exprs))
        child = _prune(plan.child, need)
        if child is plan.child and len(aggs) == len(plan.aggregates):
            return plan
        return Aggregate(child, plan.groups, aggs)
    if isinstance(plan, Filter):
        return plan.replace_children((_prune(plan.child, required | columns_of(plan.predicate)),))
    if isinstance(plan, Join):
        need = required | (columns_of(plan.condition) if plan.condition is not None else set())
        left = _prune(plan.left, need & plan.left.keys)
        right = _prune(plan.right, need & plan.right.keys)
        return plan.replace_children((left, right))
    if isinstance(plan, Sort):
        need = required | set().union(*(columns_of(k.expr) for k in plan.keys_))
        return plan.replace_children((_prune(plan.child, need),))
    if isinstance(plan, Distinct):  # every column takes part in DISTINCT
        return plan.replace_children((_prune(plan.child, set(plan.child.keys)),))
    if isinstance(plan, Output):
        return replace(plan, child=_prune(plan.child, {c.key for c in plan.columns}))
    needs = getattr(plan, "child_requirements", None)
    if needs is not None:  # i10-b: SetOp, Window, DistinctOn say what their inputs must give
        return plan.replace_children(tuple(_prune(c, n) for c, n in
                                           zip(plan.children, needs(required), strict=True)))
    return plan.replace_children(tuple(_prune(c, required) for c in plan.children))


def _prune_leaf(leaf: Scan | GraphMatch | VectorSearch, required: set[str]
                ) -> Scan | GraphMatch | VectorSearch:
    if getattr(leaf, "aggregate", None) is not None:  # outputs the pushed aggregate's columns
        return leaf
    # a source must return at least one column to carry its row count
    columns = tuple(c for c in leaf.available if c.key in required) or leaf.available[:1]
    if isinstance(leaf, Scan) and leaf.computed:  # values the source computes, if used
        computed = tuple((c, e) for c, e in leaf.computed if c.key in required)
        columns += tuple(c for c, _ in computed)
        if columns != leaf.columns:
            return replace(leaf, columns=columns, computed=computed)
    return leaf if columns == leaf.columns else replace(leaf, columns=columns)
