"""The relation forms of FROM and the binder of each, dispatched on the AST node type.

Adding a relation form: an AST node, a module with its binder
``(ctx, node, outer scope) → (plan, relations in scope)``, and one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grammar import ast, ast_relations
from planner.bind_context import BindContext, BoundRelation
from planner.bind_cte import bind_named
from planner.bind_derived import bind_derived
from planner.bind_joins import bind_join
from planner.bind_match import bind_match
from planner.bind_nearest import bind_nearest
from planner.bind_scope import Scope
from planner.bind_setops import bind_values
from planner.bind_table import bind_table
from planner.errors import BindError

RelationBinder = Callable[[BindContext, Any, Scope | None], BoundRelation]

RELATION_BINDERS: dict[type[ast.Node], RelationBinder] = {
    ast_relations.TableRef: bind_table,
    ast_relations.MatchRef: bind_match,
    ast_relations.NearestRef: bind_nearest,
    ast_relations.DerivedTable: bind_derived,
    ast_relations.Join: bind_join,
    ast_relations.NamedRef: bind_named,
    ast_relations.ValuesRef: bind_values,
}


def bind_relation(ctx: BindContext, rel: ast_relations.Relation, outer: Scope | None
                  ) -> BoundRelation:
    binder = RELATION_BINDERS.get(type(rel))
    if binder is None:
        raise BindError(f"{type(rel).__name__} is not supported in FROM", line=rel.line,
                        column=rel.column)
    return binder(ctx, rel, outer)
