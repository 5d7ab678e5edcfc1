"""The comma-separated FROM list (commas are cross joins, which WHERE may turn into inner
joins); ``a JOIN b`` of every kind is bound by ``planner.bind_joins``."""

from __future__ import annotations

from grammar import ast, ast_relations
from planner.bind_context import BindContext, BoundRelation
from planner.bind_scope import RelBinding, Scope
from planner.errors import BindError
from planner.logical import Join


def bind_from(ctx: BindContext, relations: tuple[ast_relations.Relation, ...], outer: Scope | None
              ) -> BoundRelation:
    plan, rels = ctx.bind_relation(relations[0], outer)
    for relation in relations[1:]:
        right, right_rels = ctx.bind_relation(relation, outer)
        check_duplicate_aliases(rels, right_rels, relation)
        plan = Join(plan, right, "cross")
        rels = rels + right_rels
    return plan, rels


def check_duplicate_aliases(left: list[RelBinding], right: list[RelBinding],
                            node: ast.Node) -> None:
    names = {r.alias.lower() for r in left}
    for rel in right:
        if rel.alias.lower() in names:
            raise BindError(f"relation alias {rel.alias!r} is used twice in one FROM; "
                            "give one of them another alias", line=node.line, column=node.column)
