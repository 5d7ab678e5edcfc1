"""Binding of the FROM clause: table references, joins and derived tables → plan + scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grammar import ast
from planner.bind_expr import RelBinding, Scope
from planner.catalog import SourceInfo
from planner.errors import BindError, PlanError, did_you_mean
from planner.expressions import ColumnRef
from planner.logical import Join, Plan, Project, Scan, TableAccess

if TYPE_CHECKING:
    from planner.binder import Binder


def bind_from(binder: Binder, relations: tuple[ast.Relation, ...]
              ) -> tuple[Plan, list[RelBinding]]:
    """Bind a comma-separated FROM list; commas become cross joins (WHERE may turn them inner)."""
    plan, rels = bind_relation(binder, relations[0])
    for relation in relations[1:]:
        right, right_rels = bind_relation(binder, relation)
        _check_duplicate_aliases(rels, right_rels, relation)
        plan = Join(plan, right, "cross")
        rels = rels + right_rels
    return plan, rels


def bind_relation(binder: Binder, rel: ast.Relation) -> tuple[Plan, list[RelBinding]]:
    if isinstance(rel, ast.TableRef):
        return _table(binder, rel)
    if isinstance(rel, ast.DerivedTable):
        return _derived(binder, rel)
    if isinstance(rel, ast.Join):
        return _join(binder, rel)
    kind = "MATCH" if isinstance(rel, ast.MatchRef) else "NEAREST"
    raise PlanError(f"{kind} relations are not supported by this build (line {rel.line})")


def _table(binder: Binder, ref: ast.TableRef) -> tuple[Plan, list[RelBinding]]:
    source = _source(binder, ref.source, ref)
    table = next((t for n, t in source.tables.items() if n.lower() == ref.table.lower()), None)
    if table is None:
        raise BindError(f"source {ref.source!r} has no table {ref.table!r}; "
                        + did_you_mean(ref.table, source.tables), line=ref.line,
                        column=ref.column, candidates=list(source.tables))
    alias = ref.alias or table.name
    rel = binder.unique_rel(alias)
    columns = tuple(ColumnRef(rel, name, typ) for name, typ in table.columns)
    scan = Scan(source.name, (TableAccess(table.name, rel),), columns, available=columns)
    return scan, [RelBinding.of(alias, columns)]


def _source(binder: Binder, name: str, node: ast.Node) -> SourceInfo:
    for key, info in binder.catalog.items():
        if key.lower() == name.lower():
            return info
    raise BindError(f"unknown source {name!r}; " + did_you_mean(name, binder.catalog),
                    line=node.line, column=node.column, candidates=list(binder.catalog))


def _derived(binder: Binder, ref: ast.DerivedTable) -> tuple[Plan, list[RelBinding]]:
    inner = binder.bind_query(ref.query)
    rel = binder.unique_rel(ref.alias)
    seen: dict[str, int] = {}
    outs = []
    for name, col in zip(inner.names, inner.columns, strict=True):
        n = seen.get(name.lower(), 0)
        seen[name.lower()] = n + 1
        outs.append(ColumnRef(rel, name if n == 0 else f"{name}_{n}", col.type))
    plan = Project(inner.plan, tuple(zip(outs, inner.columns, strict=True)))
    return plan, [RelBinding.of(ref.alias, tuple(outs))]


def _join(binder: Binder, join: ast.Join) -> tuple[Plan, list[RelBinding]]:
    left, left_rels = bind_relation(binder, join.left)
    right, right_rels = bind_relation(binder, join.right)
    _check_duplicate_aliases(left_rels, right_rels, join.right)
    rels = left_rels + right_rels
    condition = binder.exprs.bind(join.condition, Scope(rels))
    return Join(left, right, join.kind, condition), rels


def _check_duplicate_aliases(left: list[RelBinding], right: list[RelBinding],
                             node: ast.Node) -> None:
    names = {r.alias.lower() for r in left}
    for rel in right:
        if rel.alias.lower() in names:
            raise BindError(f"relation alias {rel.alias!r} is used twice in one FROM; "
                            "give one of them another alias", line=node.line, column=node.column)
