"""Move filter conjuncts as close to the sources as their meaning allows, and into a Scan when
the source's capabilities accept the exact predicate.

>>> # Filter(a.x = 1 AND b.y = 2) over Join(a, b) becomes Join(Filter(a.x = 1), Filter(b.y = 2))
"""

from __future__ import annotations

from dataclasses import replace

from planner.capabilities import accepts_predicate
from planner.catalog import Catalog
from planner.expressions import BExpr, columns_of, conjunction, conjuncts, has_aggregate, substitute
from planner.logical import (
    Aggregate,
    Distinct,
    Filter,
    GraphMatch,
    Join,
    Plan,
    Project,
    Scan,
    Sort,
    VectorSearch,
)
from planner.pushed_subqueries import runs_in_source


def predicate_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """Push every Filter down one step per call and split join conditions; run to a fixpoint."""
    if isinstance(plan, Filter):
        plan = _push(plan.child, conjuncts(plan.predicate), catalog)
    elif isinstance(plan, Join) and plan.condition is not None and plan.kind != "cross":
        plan = _split_join_condition(plan)
    return plan.replace_children(tuple(predicate_pushdown(c, catalog) for c in plan.children))


def _push(child: Plan, preds: tuple[BExpr, ...], catalog: Catalog) -> Plan:
    """Place ``preds`` (a conjunction) over ``child``, as deep as is exact."""
    kept: list[BExpr] = list(preds)
    if isinstance(child, Filter):
        return _push(child.child, conjuncts(child.predicate) + preds, catalog)
    if isinstance(child, Scan | GraphMatch | VectorSearch):
        child, kept = _into_leaf(child, preds, catalog)
    elif isinstance(child, Join):
        child, kept = _into_join(child, preds)
    elif isinstance(child, Project):
        mapping = {c.key: e for c, e in child.items}
        movable = [p for p in preds if not has_aggregate(substitute(p, mapping))]
        kept = [p for p in preds if p not in movable]
        if movable:
            below = tuple(substitute(p, mapping) for p in movable)
            child = replace(child, child=Filter(child.child, _and(below)))
    elif isinstance(child, Aggregate):
        groups = {c.key: e for c, e in child.groups}
        movable = [p for p in preds if columns_of(p) <= groups.keys()]
        kept = [p for p in preds if p not in movable]
        if movable and child.groups:
            below = tuple(substitute(p, groups) for p in movable)
            child = replace(child, child=Filter(child.child, _and(below)))
        else:
            kept = list(preds)
    elif isinstance(child, Distinct | Sort):
        return child.replace_children((Filter(child.children[0], _and(preds)),))
    return Filter(child, _and(tuple(kept))) if kept else child


def _into_leaf(leaf: Scan | GraphMatch | VectorSearch, preds: tuple[BExpr, ...],
               catalog: Catalog) -> tuple[Plan, list[BExpr]]:
    # a filter above a limit or a top-K is not the same as one below it (NEAREST takes its
    # prefilter from its own SELECT's WHERE when it is bound)
    # (nor is one above a GROUP BY the source runs: that is a HAVING)
    if isinstance(leaf, VectorSearch) or leaf.limit is not None or leaf.aggregate is not None:
        return leaf, list(preds)
    caps = catalog[leaf.source].capabilities
    available = frozenset(c.key for c in leaf.available)
    accepted = [p for p in preds if accepts_predicate(caps, p, available)
                or (isinstance(leaf, Scan) and runs_in_source(catalog, leaf, p))]
    kept = [p for p in preds if p not in accepted]
    if accepted:
        leaf = replace(leaf, filters=leaf.filters + tuple(accepted))
    return leaf, kept


def _into_join(join: Join, preds: tuple[BExpr, ...]) -> tuple[Plan, list[BExpr]]:
    left_keys, right_keys = join.left.keys, join.right.keys
    to_left = [p for p in preds if columns_of(p) <= left_keys]
    to_right = [p for p in preds if columns_of(p) <= right_keys and p not in to_left]
    if join.kind in ("left", "full"):  # WHERE on a null-supplying side must see the NULLs
        to_right = []
    if join.kind == "full":
        to_left = []
    both = [p for p in preds if p not in to_left and p not in to_right]
    into_condition = both if join.kind in ("inner", "cross") else []
    kept = [p for p in both if p not in into_condition]
    left = Filter(join.left, _and(tuple(to_left))) if to_left else join.left
    right = Filter(join.right, _and(tuple(to_right))) if to_right else join.right
    condition = conjunction(
        ([*conjuncts(join.condition)] if join.condition is not None else []) + into_condition)
    kind = "inner" if join.kind == "cross" and condition is not None else join.kind
    return Join(left, right, kind, condition), kept


def _split_join_condition(join: Join) -> Plan:
    """ON conjuncts that read one side only become filters of that side where exact."""
    assert join.condition is not None
    parts = conjuncts(join.condition)
    to_left = [p for p in parts if columns_of(p) <= join.left.keys] if join.kind == "inner" else []
    to_right = [p for p in parts if columns_of(p) <= join.right.keys and p not in to_left] \
        if join.kind in ("inner", "left") else []  # a FULL join keeps both sides' rows
    if not to_left and not to_right:
        return join
    rest = [p for p in parts if p not in to_left and p not in to_right]
    left = Filter(join.left, _and(tuple(to_left))) if to_left else join.left
    right = Filter(join.right, _and(tuple(to_right))) if to_right else join.right
    condition = conjunction(rest)
    kind = join.kind if condition is not None or join.kind == "left" else "cross"
    return Join(left, right, kind, condition)


def _and(parts: tuple[BExpr, ...]) -> BExpr:
    result = conjunction(parts)
    assert result is not None
    return result
