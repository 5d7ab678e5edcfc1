"""``(SELECT …) AS x``: a derived table, its columns renamed to the alias's relation."""

from __future__ import annotations

from grammar import ast, ast_relations
from planner.bind_context import BindContext, BoundRelation
from planner.bind_scope import RelBinding, Scope
from planner.errors import BindError
from planner.expressions import ColumnRef
from planner.logical import Project


def bind_derived(ctx: BindContext, ref: ast_relations.DerivedTable, outer: Scope | None
                 ) -> BoundRelation:
    inner = ctx.bind_query(ref.query, outer)
    rel = ctx.unique_rel(ref.alias)
    names = renamed(inner.names, ref.columns, ref)
    outs = [ColumnRef(rel, name, col.type) for name, col in zip(names, inner.columns,
                                                                  strict=True)]
    plan = Project(inner.plan, tuple(zip(outs, inner.columns, strict=True)))
    return plan, [RelBinding.of(ref.alias, tuple(outs))]


def renamed(names: tuple[str, ...], given: tuple[str, ...], node: ast.Node) -> list[str]:
    """Column names of a derived relation or CTE: ``given`` (``AS x(a, b)``) rename the
    first columns, as in DuckDB (fewer names than columns keep the rest)."""
    if len(given) > len(names):
        raise BindError(f"{len(given)} column names given for {len(names)} columns",
                        line=node.line, column=node.column)
    lowered = [g.lower() for g in given]
    if len(set(lowered)) != len(lowered):
        raise BindError("a column name is given twice", line=node.line, column=node.column)
    return output_names(tuple(given) + names[len(given):])


def output_names(names: tuple[str, ...]) -> list[str]:
    """Column names of a derived relation: a repeated name gets a suffix (``a``, ``a_1``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name.lower(), 0)
        seen[name.lower()] = n + 1
        out.append(name if n == 0 else f"{name}_{n}")
    return out
