"""``src.table [AS a]``: a scan of one table (a node table read as a one-node MATCH)."""

from __future__ import annotations

from grammar import ast_relations
from planner.bind_catalog import find_source, find_table
from planner.bind_context import BindContext, BoundRelation
from planner.bind_match import bind_pattern
from planner.bind_scope import RelBinding, Scope
from planner.errors import BindError
from planner.expressions import ColumnRef
from planner.logical import Scan, TableAccess


def bind_table(ctx: BindContext, ref: ast_relations.TableRef, outer: Scope | None) -> BoundRelation:
    source = find_source(ctx, ref.source, ref)
    table = find_table(source, ref.table, ref)
    alias = ref.alias or table.name
    if table.kind == "node":  # a node table read as a relation: a one-node pattern
        node = ast_relations.NodePattern(alias, table.name)
        pattern = ast_relations.Pattern((node,), (), line=ref.line, column=ref.column)
        return bind_pattern(ctx, ast_relations.MatchRef(source.name, (pattern,)), source)
    if table.kind != "table":
        raise BindError(f"{ref.source}.{table.name} is a relationship type; read it with "
                        "MATCH", line=ref.line, column=ref.column)
    rel = ctx.unique_rel(alias)
    columns = tuple(ColumnRef(rel, name, typ) for name, typ in table.columns)
    scan = Scan(source.name, (TableAccess(table.name, rel),), columns, available=columns)
    metrics = {v.name: v.metric for v in table.vectors}
    return scan, [RelBinding.of(alias, columns, metrics)]
