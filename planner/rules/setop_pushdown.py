"""Push a filter over a set operation into both of its branches (i10-b).

A row of ``A UNION B``, ``A INTERSECT B`` or ``A EXCEPT B`` (with or without ALL) passes a
filter exactly when the branch rows it comes from do, because the filter reads only the row's
values: filter(A op B) = filter(A) op filter(B) for each op, multiset forms included.
A conjunct moves only when every column it reads has the same type family in the branch
as in the result (an integer branch of a DOUBLE result could overflow where the result would
not); the rest stays above. Predicate pushdown then carries the moved
conjuncts on towards the sources.

>>> # Filter(u.k > 5) over SetOp(UNION, Project(a.id), Project(t.id)) becomes
>>> # SetOp(UNION, Filter(a.id > 5) …, Filter(t.id > 5) …)
"""

from __future__ import annotations

from planner.catalog import Catalog
from planner.expressions import (
    BExpr,
    columns_of,
    conjunction,
    conjuncts,
    has_aggregate,
    substitute,
)
from planner.logical import Filter, Plan, Project, Schema
from planner.set_ops import SetOp
from planner.types import family


def setop_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """``Filter(Project*(SetOp))`` → ``Project*(SetOp(Filter(left), Filter(right)))`` for the
    conjuncts that move (read through the Projects between, as derived tables put them)."""
    plan = plan.replace_children(tuple(setop_pushdown(c, catalog) for c in plan.children))
    if not isinstance(plan, Filter):
        return plan
    path: list[Project] = []
    node = plan.child
    mapping: dict[str, BExpr] = {}
    while isinstance(node, Project):
        path.append(node)
        step = {c.key: e for c, e in node.items}
        mapping = {k: substitute(e, step) for k, e in mapping.items()} if mapping else step
        node = node.child
    if not isinstance(node, SetOp):
        return plan
    parts = conjuncts(plan.predicate)
    below = {p: substitute(p, mapping) if path else p for p in parts}
    movable = [p for p in parts if not has_aggregate(below[p]) and _same_families(below[p], node)]
    if not movable:
        return plan
    moved: Plan = node.replace_children(
        (_filtered(node.left, [below[p] for p in movable], node.columns, node.left_columns),
         _filtered(node.right, [below[p] for p in movable], node.columns, node.right_columns)))
    for project in reversed(path):
        moved = project.replace_children((moved,))
    rest = conjunction([p for p in parts if p not in movable])
    return Filter(moved, rest) if rest is not None else moved


def _same_families(predicate: BExpr, op: SetOp) -> bool:
    read = columns_of(predicate)
    for out, left, right in zip(op.columns, op.left_columns, op.right_columns, strict=True):
        if out.key in read and not family(out.type) == family(left.type) == family(right.type):
            return False
    return True


def _filtered(branch: Plan, preds: list[BExpr], outs: Schema, inputs: Schema) -> Plan:
    mapping: dict[str, BExpr] = {o.key: i for o, i in zip(outs, inputs, strict=True)}
    moved = conjunction([substitute(p, mapping) for p in preds])
    assert moved is not None
    return Filter(branch, moved)



