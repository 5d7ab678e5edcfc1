"""What every relation binder and the subquery binder may ask of the binder that calls them.

Relation binders (``planner.bind_table``, ``bind_match``, ``bind_nearest``, ``bind_derived``,
``bind_join``) receive a ``BindContext`` instead of importing ``planner.binder``, so imports
flow one way: binder → registry (``planner.bind_relations``) → relation binders → this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from grammar import ast, ast_relations
from planner.bind_expr import ExprBinder
from planner.bind_scope import RelBinding, Scope
from planner.catalog import Catalog
from planner.expressions import ColumnRef
from planner.logical import Plan

if TYPE_CHECKING:
    from planner.bind_cte import Ctes
    from planner.bind_joins import UsingMerges

BoundRelation = tuple[Plan, list[RelBinding]]


@dataclass
class Bound:
    """A bound query: its plan, its output columns and their user-facing names."""

    plan: Plan
    columns: tuple[ColumnRef, ...]
    names: tuple[str, ...]


class BindContext(Protocol):
    catalog: Catalog
    source_names: list[str]
    params: Mapping[str, object]
    exprs: ExprBinder
    max_hops: int
    max_k: int
    ctes: Ctes
    using_merges: UsingMerges  # i10-b: what USING joins did to the columns * lists

    def unique_rel(self, alias: str) -> str: ...

    def count(self, expr: ast.Expr | None) -> int | None: ...

    def bind_query(self, q: ast.QueryExpr, outer: Scope | None = None) -> Bound: ...

    def bind_relation(self, rel: ast_relations.Relation, outer: Scope | None = None
                      ) -> BoundRelation: ...
