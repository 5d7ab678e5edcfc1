"""``(SELECT …) AS x``: a derived table, its columns renamed to the alias's relation."""

from __future__ import annotations

from grammar import ast
from planner.bind_context import BindContext, BoundRelation
from planner.bind_scope import RelBinding, Scope
from planner.expressions import ColumnRef
from planner.logical import Project


def bind_derived(ctx: BindContext, ref: ast.DerivedTable, outer: Scope | None
                 ) -> BoundRelation:
    inner = ctx.bind_query(ref.query, outer)
    rel = ctx.unique_rel(ref.alias)
    outs = [ColumnRef(rel, name, col.type)
            for name, col in zip(output_names(inner.names), inner.columns, strict=True)]
    plan = Project(inner.plan, tuple(zip(outs, inner.columns, strict=True)))
    return plan, [RelBinding.of(ref.alias, tuple(outs))]


def output_names(names: tuple[str, ...]) -> list[str]:
    """Column names of a derived relation: a repeated name gets a suffix (``a``, ``a_1``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name.lower(), 0)
        seen[name.lower()] = n + 1
        out.append(name if n == 0 else f"{name}_{n}")
    return out
