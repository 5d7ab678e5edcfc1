"""Binding of joins (i10-b): INNER, LEFT, RIGHT, FULL and CROSS, with ON or USING, and the
expansion of ``*`` (USING columns merged, EXCLUDE applied), as DuckDB does.

A RIGHT join is planned as the LEFT join of its inputs swapped: every rule and route that is
exact for LEFT joins stays exact, and the scope keeps the written order, so ``*`` lists the
left input's columns first. A FULL join keeps its kind; rules move no condition into either
side of it.

``JOIN … USING (k)`` joins on ``l.k = r.k`` and adds a relation binding that no alias can name
(``USING_ALIAS``) holding the merged ``k``: the left column after an INNER or LEFT join, the
right one after a RIGHT join, ``coalesce(l.k, r.k)`` after a FULL join. A bare ``k`` resolves
to it; ``*`` shows it once, where the left input has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from grammar import ast, ast_relations
from planner.bind_context import BindContext, BoundRelation
from planner.bind_join import check_duplicate_aliases
from planner.bind_scope import RelBinding, Scope
from planner.errors import BindError
from planner.expressions import BExpr, ColumnRef, Func, conjunction
from planner.logical import Join, Plan, Project

USING_ALIAS = "(using)"


@dataclass
class UsingMerges:
    """What USING joins did to the columns ``*`` lists, for one statement: the left column
    shown as its merged column (``replaced``), the right one not shown (``hidden``)."""

    replaced: dict[str, ColumnRef] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)


def bind_join(ctx: BindContext, join: ast_relations.Join, outer: Scope | None) -> BoundRelation:
    left, left_rels = ctx.bind_relation(join.left, outer)
    right, right_rels = ctx.bind_relation(join.right, outer)
    check_duplicate_aliases(left_rels, right_rels, join.right)
    rels = left_rels + right_rels
    if join.using:
        return _using(ctx, join, left, right, left_rels, right_rels)
    condition = ctx.exprs.bind(join.condition, Scope(rels, outer=outer)) \
        if join.condition is not None else None
    return _joined(left, right, join.kind, condition), rels


def _joined(left: Plan, right: Plan, kind: str, condition: BExpr | None) -> Plan:
    if kind == "right":
        return Join(right, left, "left", condition)
    return Join(left, right, kind, condition)


def _using(binder: BindContext, join: ast_relations.Join, left: Plan, right: Plan,
           left_rels: list[RelBinding], right_rels: list[RelBinding]
           ) -> tuple[Plan, list[RelBinding]]:
    pairs = []
    for name in join.using:
        column = ast.Column(None, name, line=join.line, column=join.column)
        sides = []
        for side_rels, side in ((left_rels, "left"), (right_rels, "right")):
            try:
                sides.append(Scope(side_rels).resolve(column))
            except BindError as err:
                raise BindError(f"USING column {name!r} is missing or ambiguous in the {side} "
                                "input of the join; name it with ON instead",
                                line=join.line, column=join.column,
                                candidates=err.candidates) from None
        pairs.append((name, sides[0], sides[1]))
    condition = conjunction([Func("eq", (lhs, rhs), pa.bool_()) for _, lhs, rhs in pairs])
    plan = _joined(left, right, join.kind, condition)
    merged: list[ColumnRef] = []
    coalesced: list[tuple[ColumnRef, BExpr]] = []
    rel = binder.unique_rel("_using")
    for name, lhs, rhs in pairs:
        if join.kind == "full":
            out = ColumnRef(rel, name, lhs.type)
            coalesced.append((out, Func("coalesce", (lhs, rhs), lhs.type)))
            merged.append(out)
        else:
            picked = rhs if join.kind == "right" else lhs
            assert isinstance(picked, ColumnRef)
            merged.append(picked)
        binder.using_merges.replaced[_key(lhs)] = merged[-1]
        binder.using_merges.hidden.add(_key(rhs))
    if coalesced:
        plan = Project(plan, tuple((c, c) for c in plan.schema) + tuple(coalesced))
    using = RelBinding.of(f"{USING_ALIAS}{rel}", tuple(merged))
    return plan, [*left_rels, *right_rels, using]


def _key(expr: BExpr) -> str:
    assert isinstance(expr, ColumnRef)
    return expr.key


def using_column(rels: list[RelBinding], name: str) -> ColumnRef | None:
    """The merged column a bare ``name`` means after ``USING (name)`` (the latest join's)."""
    found = [r.by_name[name] for r in rels
             if r.alias.startswith(USING_ALIAS) and name in r.by_name]
    return found[-1] if found else None


def star_items(binder: BindContext, rels: list[RelBinding], star: ast.Star, scope: Scope
               ) -> list[tuple[BExpr, str]]:
    """The columns ``*`` (or ``a.*``) stands for, minus its EXCLUDE list."""
    if star.rel is not None:
        columns: list[tuple[BExpr, str]] = [(c, c.name)
                                            for c in scope.find_rel(star.rel, star).columns]
    elif not rels:
        raise BindError("SELECT * needs a FROM clause", line=star.line, column=star.column)
    else:
        columns = []
        for rel in rels:
            if rel.alias.startswith(USING_ALIAS):
                continue
            for col in rel.columns:
                shown = _merged(binder.using_merges, col)
                if shown is not None:
                    columns.append((shown, col.name))
    return _exclude(columns, star)


def _merged(merges: UsingMerges, col: ColumnRef) -> ColumnRef | None:
    """``col`` as ``*`` shows it: its merged USING column, or None when merged away."""
    if col.key in merges.hidden:
        return None
    seen = set()
    while col.key in merges.replaced and col.key not in seen:
        seen.add(col.key)
        col = merges.replaced[col.key]
    return col


def _exclude(columns: list[tuple[BExpr, str]], star: ast.Star) -> list[tuple[BExpr, str]]:
    if not star.exclude:
        return columns
    names = {n.lower() for _, n in columns}
    for name in star.exclude:
        if name.lower() not in names:
            raise BindError(f"EXCLUDE names {name!r}, which * does not list", line=star.line,
                            column=star.column, candidates=sorted(names))
    dropped = {n.lower() for n in star.exclude}
    return [(e, n) for e, n in columns if n.lower() not in dropped]
