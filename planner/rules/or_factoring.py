"""Factor what every branch of an OR shares, and derive per-table filters an OR implies, so
predicate pushdown can move them (TPC-H Q19).

``(a AND b AND x) OR (a AND c AND x)`` becomes ``a AND x AND (b OR c)`` (distributivity and
absorption hold in SQL's three-valued logic, so the rewrite is exact everywhere, not only in
WHERE). Then, for an OR whose every branch has conjuncts reading only table ``T``, the filter
``(T-part of branch 1) OR (T-part of branch 2) …`` is implied: it is added next to the OR,
which stays, and pushdown sends it into ``T``'s scan. An implied filter is added only when no
node below already holds it (substituted through Projects the way pushdown moves it), so the
rule reaches a fixpoint.

>>> # WHERE (p.k = l.k AND p.b = 'X' AND l.q < 5) OR (p.k = l.k AND p.b = 'Y' AND l.q > 9)
>>> # → p.k = l.k AND ((p.b = 'X' AND l.q < 5) OR (p.b = 'Y' AND l.q > 9))
>>> #   AND (p.b = 'X' OR p.b = 'Y') AND (l.q < 5 OR l.q > 9)
"""

from __future__ import annotations

import pyarrow as pa

from planner.catalog import Catalog
from planner.expressions import (
    BExpr,
    ColumnRef,
    Func,
    conjunction,
    conjuncts,
    has_aggregate,
    substitute,
    walk,
)
from planner.logical import Aggregate, Filter, GraphMatch, Join, Plan, Project, Scan, VectorSearch


def or_factoring(plan: Plan, catalog: Catalog) -> Plan:
    """Rewrite every Filter's OR conjuncts (bottom-up); a Filter already factored is kept."""
    plan = plan.replace_children(tuple(or_factoring(c, catalog) for c in plan.children))
    if not isinstance(plan, Filter):
        return plan
    parts = conjuncts(plan.predicate)
    factored: list[BExpr] = []
    for part in parts:
        factored += [p for p in _factor(part) if p not in factored]
    for part in list(factored):
        for implied in _implied(part):
            if implied not in factored and not _holds_below(plan.child, implied):
                factored.append(implied)
    if tuple(factored) == parts:
        return plan
    predicate = conjunction(factored)
    assert predicate is not None
    return Filter(plan.child, predicate)


def _disjuncts(expr: BExpr) -> tuple[BExpr, ...]:
    if isinstance(expr, Func) and expr.name == "or":
        return _disjuncts(expr.args[0]) + _disjuncts(expr.args[1])
    return (expr,)


def _or(parts: list[BExpr]) -> BExpr:
    result = parts[0]
    for part in parts[1:]:
        result = Func("or", (result, part), pa.bool_())
    return result


def _and(parts: list[BExpr]) -> BExpr:
    result = conjunction(parts)
    assert result is not None
    return result


def _factor(expr: BExpr) -> list[BExpr]:
    """``expr`` as conjuncts with what all its OR branches share pulled out."""
    branches = _disjuncts(expr)
    if len(branches) < 2:
        return [expr]
    sets = [conjuncts(b) for b in branches]
    common: list[BExpr] = []
    for c in sets[0]:
        if c not in common and all(c in s for s in sets[1:]):
            common.append(c)
    if not common:
        return [expr]
    rests = [[c for c in s if c not in common] for s in sets]
    if any(not rest for rest in rests):  # a branch is just the common part: absorption
        return common
    return [*common, _or([_and(rest) for rest in rests])]


def _rels(expr: BExpr) -> frozenset[str]:
    return frozenset(e.rel for e in walk(expr) if isinstance(e, ColumnRef))


def _implied(expr: BExpr) -> list[BExpr]:
    """For each table every branch of the OR filters alone: the OR of those filters."""
    branches = _disjuncts(expr)
    if len(branches) < 2 or has_aggregate(expr):
        return []
    sets = [conjuncts(b) for b in branches]
    candidates = sorted({r for c in sets[0] if len(rels := _rels(c)) == 1 for r in rels})
    found = []
    for rel in candidates:
        parts = [[c for c in s if _rels(c) == {rel}] for s in sets]
        if all(parts):
            implied = _or([_and(p) for p in parts])
            if implied != expr:
                found.append(implied)
    return found


def _holds_below(node: Plan, pred: BExpr) -> bool:
    """Whether ``pred`` (moved the way predicate pushdown moves it) is already a conjunct of a
    Filter, join condition or source leaf below ``node``."""
    if isinstance(node, Filter) and pred in conjuncts(node.predicate):
        return True
    if isinstance(node, Scan | GraphMatch | VectorSearch):
        held = [*node.filters, *(t.condition for t in getattr(node, "tables", ())
                                 if t.condition is not None)]
        return any(pred in conjuncts(f) for f in held)
    if isinstance(node, Join) and node.condition is not None \
            and pred in conjuncts(node.condition):
        return True
    if isinstance(node, Project | Aggregate):
        items = node.items if isinstance(node, Project) else node.groups
        pred = substitute(pred, {c.key: e for c, e in items})
        if has_aggregate(pred):
            return False
    return any(_holds_below(child, pred) for child in node.children)
