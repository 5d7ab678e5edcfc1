"""Plans inside expressions: the expressions each plan node holds, and the sub-plans of the
subqueries among them.

A subquery's plan rides inside a ``SubqueryExpr``; the optimizer, the plan cutter and the
route relabelling reach it through ``map_subplans``, so its source leaves are optimized and
become fragments like any other. Node types are registered in ``NODE_EXPRS`` (what a node
reads, and how it is rebuilt over new expressions): a new node type that holds expressions
registers here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from planner.expressions import BExpr, ColumnRef, OuterRef, SubqueryExpr, transform, walk
from planner.logical import Aggregate, Filter, Join, Plan, Project, Sort, SortKey
from planner.set_ops import Values
from planner.windows import DistinctOn, Window, WindowFunc

ExprMap = Callable[[BExpr], BExpr]


@dataclass(frozen=True)
class NodeExprs:
    read: Callable[[Any], tuple[BExpr, ...]]
    rebuild: Callable[[Any, ExprMap], Plan]


NODE_EXPRS: dict[type[Plan], NodeExprs] = {
    Filter: NodeExprs(lambda n: (n.predicate,), lambda n, f: Filter(n.child, f(n.predicate))),
    Project: NodeExprs(lambda n: tuple(e for _, e in n.items),
                       lambda n, f: Project(n.child, tuple((c, f(e)) for c, e in n.items))),
    Join: NodeExprs(lambda n: () if n.condition is None else (n.condition,),
                    lambda n, f: Join(n.left, n.right, n.kind,
                                      None if n.condition is None else f(n.condition))),
    # (an aggregate's argument holds no subquery nor outer reference: the binder refuses them)
    Aggregate: NodeExprs(lambda n: tuple(e for _, e in n.groups),
                         lambda n, f: Aggregate(n.child, tuple((c, f(e)) for c, e in n.groups),
                                                n.aggregates)),
    Sort: NodeExprs(lambda n: tuple(k.expr for k in n.keys_),
                    lambda n, f: Sort(n.child, tuple(replace(k, expr=f(k.expr))
                                                     for k in n.keys_))),
    # i10-b's nodes: window functions, DISTINCT ON keys and VALUES rows may hold subqueries
    # (a SetOp holds columns only)
    Window: NodeExprs(lambda n: tuple(e for _, w in n.items for e in w.exprs()),
                      lambda n, f: Window(n.child, tuple((c, _window_over(w, f))
                                                         for c, w in n.items))),
    DistinctOn: NodeExprs(lambda n: n.exprs(),
                          lambda n, f: DistinctOn(n.child, tuple(f(k) for k in n.keys_),
                                                  _keys_over(n.order, f))),
    Values: NodeExprs(lambda n: tuple(e for row in n.rows for e in row),
                      lambda n, f: Values(n.columns, tuple(tuple(f(e) for e in row)
                                                           for row in n.rows))),
}


def _keys_over(keys: tuple[SortKey, ...], f: ExprMap) -> tuple[SortKey, ...]:
    return tuple(replace(k, expr=f(k.expr)) for k in keys)


def _window_over(func: WindowFunc, f: ExprMap) -> WindowFunc:
    return replace(func, args=tuple(f(a) for a in func.args),
                   partition=tuple(f(p) for p in func.partition),
                   order=_keys_over(func.order, f))


def node_exprs(node: Plan) -> tuple[BExpr, ...]:
    entry = NODE_EXPRS.get(type(node))
    return entry.read(node) if entry is not None else ()


def map_node_exprs(node: Plan, fn: ExprMap) -> Plan:
    """``node`` over ``fn`` of each of its expressions (the node itself if none changed)."""
    entry = NODE_EXPRS.get(type(node))
    if entry is None:
        return node
    changed = False

    def mapped(expr: BExpr) -> BExpr:
        nonlocal changed
        new = fn(expr)
        changed = changed or new is not expr
        return new

    rebuilt = entry.rebuild(node, mapped)
    return rebuilt if changed else node


def subqueries(expr: BExpr) -> Iterator[SubqueryExpr]:
    """The subqueries of ``expr`` at its own level (not those nested in their plans)."""
    for node in walk(expr):
        if isinstance(node, SubqueryExpr):
            yield node


def has_subquery(expr: BExpr) -> bool:
    return next(subqueries(expr), None) is not None


def has_outer(expr: BExpr) -> bool:
    return any(isinstance(e, OuterRef) for e in walk(expr))


def map_subplans(node: Plan, visit: Callable[[Plan], Plan]) -> Plan:
    """``node`` with the plan of each subquery in its own expressions replaced by ``visit``."""
    if not any(has_subquery(e) for e in node_exprs(node)):
        return node

    def swap(e: BExpr) -> BExpr | None:
        if isinstance(e, SubqueryExpr):
            operand = None if e.operand is None else transform(e.operand, swap)
            return replace(e, plan=visit(e.plan), operand=operand)
        return None

    return map_node_exprs(node, lambda e: transform(e, swap))


def plan_subqueries(plan: Plan) -> Iterator[SubqueryExpr]:
    """Every subquery of the plan's nodes (not those nested in their plans)."""
    for expr in node_exprs(plan):
        yield from subqueries(expr)
    for child in plan.children:
        yield from plan_subqueries(child)


# ---- correlation: outer references follow the columns they name


def as_outer(expr: BExpr) -> BExpr:
    """``expr`` as read from inside a subquery: its columns become outer references."""
    return transform(expr, lambda e: OuterRef(e) if isinstance(e, ColumnRef)
                     else (e if isinstance(e, OuterRef) else None))


def transform_subquery(sub: SubqueryExpr, fn: ExprMap) -> SubqueryExpr:
    """``sub`` with ``fn`` applied to its operand and to what it reads from outside; where a
    read column becomes another expression, the plan's outer references follow it."""
    operand = None if sub.operand is None else fn(sub.operand)
    mapping: dict[str, BExpr] = {}
    for entry in sub.correlated:
        new = fn(entry)
        if new is not entry and new != entry:
            key = entry.ref.key if isinstance(entry, OuterRef) else entry.key  # type: ignore[union-attr]
            mapping[key] = as_outer(new)
    if not mapping:
        return sub if operand is sub.operand else replace(sub, operand=operand)
    plan = rebind_outer(sub.plan, mapping)
    return replace(sub, plan=plan, operand=operand, correlated=read_from_outside(
        tuple(fn(e) for e in sub.correlated)))


def read_from_outside(exprs: tuple[BExpr, ...]) -> tuple[BExpr, ...]:
    """The distinct columns and outer references ``exprs`` read, in first-seen order."""
    seen: dict[BExpr, None] = {}
    for expr in exprs:
        for node in walk(expr):
            if isinstance(node, ColumnRef | OuterRef):
                seen.setdefault(node, None)
    return tuple(seen)


def rebind_outer(plan: Plan, mapping: dict[str, BExpr]) -> Plan:
    """``plan`` with every outer reference to a key of ``mapping`` replaced by its value
    (at any depth: a nested subquery's outer references are rewritten too)."""
    def swap(e: BExpr) -> BExpr | None:
        if isinstance(e, OuterRef) and e.ref.key in mapping:
            return mapping[e.ref.key]
        return None

    def visit(node: Plan) -> Plan:
        node = node.replace_children(tuple(visit(c) for c in node.children))
        return map_node_exprs(node, lambda e: transform(e, swap))

    return visit(plan)
