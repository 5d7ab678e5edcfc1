"""Catalog lookups for the relation binders: a source and a table by name, case-insensitively,
with "did you mean" candidates when the name is unknown."""

from __future__ import annotations

from grammar import ast
from planner.bind_context import BindContext
from planner.catalog import SourceInfo, TableSchema
from planner.errors import BindError, did_you_mean


def find_source(ctx: BindContext, name: str, node: ast.Node) -> SourceInfo:
    for key, info in ctx.catalog.items():
        if key.lower() == name.lower():
            return info
    known = list(ctx.source_names) or list(ctx.catalog)
    raise BindError(f"unknown source {name!r}; " + did_you_mean(name, known),
                    line=node.line, column=node.column, candidates=known)


def find_table(source: SourceInfo, name: str, node: ast.Node) -> TableSchema:
    table = next((t for n, t in source.tables.items() if n.lower() == name.lower()), None)
    if table is None:
        raise BindError(f"source {source.name!r} has no table {name!r}; "
                        + did_you_mean(name, source.tables), line=node.line,
                        column=node.column, candidates=list(source.tables))
    return table
