"""Binding of the FROM clause: table references, joins and derived tables → plan + scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grammar import ast
from planner import bind_joins, bind_setops
from planner.bind_expr import RelBinding
from planner.bind_sources import bind_match, bind_nearest
from planner.catalog import SourceInfo, TableSchema
from planner.errors import BindError, did_you_mean
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
        check_duplicate_aliases(rels, right_rels, relation)
        plan = Join(plan, right, "cross")
        rels = rels + right_rels
    return plan, rels


def bind_relation(binder: Binder, rel: ast.Relation) -> tuple[Plan, list[RelBinding]]:
    if isinstance(rel, ast.TableRef):
        return _table(binder, rel)
    if isinstance(rel, ast.DerivedTable):
        return _derived(binder, rel)
    if isinstance(rel, ast.Join):  # i10-b: every join kind, ON or USING
        return bind_joins.bind_join(binder, rel)
    if isinstance(rel, ast.ValuesRef):  # i10-b
        return bind_setops.bind_values(binder, rel)
    if isinstance(rel, ast.MatchRef):
        return bind_match(binder, rel, _source(binder, rel.source, rel))
    source = _source(binder, rel.source, rel)
    return bind_nearest(binder, rel, source, _table_schema(source, rel.table, rel))


def _table(binder: Binder, ref: ast.TableRef) -> tuple[Plan, list[RelBinding]]:
    source = _source(binder, ref.source, ref)
    table = _table_schema(source, ref.table, ref)
    alias = ref.alias or table.name
    if table.kind == "node":  # a node table read as a relation: a one-node pattern
        pattern = ast.Pattern((ast.NodePattern(alias, table.name),), (), line=ref.line,
                              column=ref.column)
        return bind_match(binder, ast.MatchRef(source.name, (pattern,)), source)
    if table.kind != "table":
        raise BindError(f"{ref.source}.{table.name} is a relationship type; read it with "
                        "MATCH", line=ref.line, column=ref.column)
    rel = binder.unique_rel(alias)
    columns = tuple(ColumnRef(rel, name, typ) for name, typ in table.columns)
    scan = Scan(source.name, (TableAccess(table.name, rel),), columns, available=columns)
    metrics = {v.name: v.metric for v in table.vectors}
    return scan, [RelBinding.of(alias, columns, metrics)]


def _table_schema(source: SourceInfo, name: str, node: ast.Node) -> TableSchema:
    table = next((t for n, t in source.tables.items() if n.lower() == name.lower()), None)
    if table is None:
        raise BindError(f"source {source.name!r} has no table {name!r}; "
                        + did_you_mean(name, source.tables), line=node.line,
                        column=node.column, candidates=list(source.tables))
    return table


def _source(binder: Binder, name: str, node: ast.Node) -> SourceInfo:
    for key, info in binder.catalog.items():
        if key.lower() == name.lower():
            return info
    known = binder.source_names or list(binder.catalog)
    raise BindError(f"unknown source {name!r}; " + did_you_mean(name, known),
                    line=node.line, column=node.column, candidates=known)


def _derived(binder: Binder, ref: ast.DerivedTable) -> tuple[Plan, list[RelBinding]]:
    inner = binder.bind_query(ref.query)
    rel = binder.unique_rel(ref.alias)
    seen: dict[str, int] = {}
    outs = []
    if len(ref.columns) > len(inner.names):  # i10-b: AS x(a, b) renames the first columns
        raise BindError(f"{ref.alias}({', '.join(ref.columns)}) names {len(ref.columns)} "
                        f"columns; the query gives {len(inner.names)}", line=ref.line,
                        column=ref.column)
    names = (*ref.columns, *inner.names[len(ref.columns):])
    for name, col in zip(names, inner.columns, strict=True):
        n = seen.get(name.lower(), 0)
        seen[name.lower()] = n + 1
        outs.append(ColumnRef(rel, name if n == 0 else f"{name}_{n}", col.type))
    plan = Project(inner.plan, tuple(zip(outs, inner.columns, strict=True)))
    return plan, [RelBinding.of(ref.alias, tuple(outs))]


def check_duplicate_aliases(left: list[RelBinding], right: list[RelBinding],
                            node: ast.Node) -> None:
    names = {r.alias.lower() for r in left}
    for rel in right:
        if rel.alias.lower() in names:
            raise BindError(f"relation alias {rel.alias!r} is used twice in one FROM; "
                            "give one of them another alias", line=node.line, column=node.column)
