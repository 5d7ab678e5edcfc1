"""Subqueries in expressions: ``(SELECT …)``, ``[NOT] EXISTS``, ``[NOT] IN (SELECT …)`` and
``op ANY|ALL (SELECT …)``, each bound to a ``SubqueryExpr`` holding its plan.

The subquery sees the names of the query around it (``Scope.outer``); what it reads from
there becomes ``OuterRef`` inside its plan and the expression's ``correlated`` inputs
outside, so rules keep the expression where those columns exist and never push it into a
source. The DuckDB stage writes the subquery as SQL and decorrelates it itself.
"""

from __future__ import annotations

import pyarrow as pa

from grammar import ast
from planner.bind_context import BindContext
from planner.bind_scope import Scope
from planner.errors import BindError
from planner.expressions import BExpr, ColumnRef, OuterRef, SubqueryExpr, walk
from planner.logical import Output, Plan
from planner.subquery_plans import node_exprs, read_from_outside

_COMPARISON = {"=": "eq", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


class SubqueryBinder:
    """Binds the subquery forms of expressions for ``planner.bind_expr.ExprBinder``."""

    def __init__(self, ctx: BindContext) -> None:
        self.ctx = ctx

    def scalar(self, e: ast.ScalarSubquery, scope: Scope) -> BExpr:
        plan, column, correlated = self._plan(e.query, scope, e, one_column=True)
        return SubqueryExpr("scalar", plan, column, column.type, correlated=correlated)

    def exists(self, e: ast.Exists, scope: Scope) -> BExpr:
        plan, column, correlated = self._plan(e.query, scope, e, one_column=False)
        return SubqueryExpr("exists", plan, column, pa.bool_(), correlated=correlated)

    def in_subquery(self, e: ast.InSubquery, operand: BExpr, scope: Scope) -> BExpr:
        plan, column, correlated = self._plan(e.query, scope, e, one_column=True)
        return SubqueryExpr("any", plan, column, pa.bool_(), operand, "eq", e.negated,
                            correlated)

    def quantified(self, e: ast.Quantified, operand: BExpr, scope: Scope) -> BExpr:
        plan, column, correlated = self._plan(e.query, scope, e, one_column=True)
        return SubqueryExpr(e.quantifier, plan, column, pa.bool_(), operand,
                            _COMPARISON[e.op], correlated=correlated)

    def _plan(self, query: ast.QueryExpr, scope: Scope, node: ast.Node, *, one_column: bool
              ) -> tuple[Plan, ColumnRef, tuple[BExpr, ...]]:
        # select-list aliases of the outer query are not visible inside a subquery (SQL)
        outer = Scope(scope.rels, outer=scope.outer)
        bound = self.ctx.bind_query(query, outer)
        if one_column and len(bound.columns) != 1:
            raise BindError(f"a subquery used as a value returns one column, this one returns "
                            f"{len(bound.columns)}", line=node.line, column=node.column)
        plan = Output(bound.plan, bound.columns[:1], (bound.columns[0].key,))
        local = {c.key for r in scope.rels for c in r.columns}
        reads = tuple(ref.ref if ref.ref.key in local else ref for ref in outer_reads(plan))
        return plan, bound.columns[0], read_from_outside(reads)


def outer_reads(plan: Plan) -> list[OuterRef]:
    """The outer references of ``plan`` (at any depth) to columns it does not produce."""
    produced: set[str] = set()
    found: list[OuterRef] = []

    def visit(node: Plan) -> None:
        produced.update(node.keys)
        for expr in node_exprs(node):
            for part in walk(expr):
                if isinstance(part, OuterRef):
                    found.append(part)
                elif isinstance(part, SubqueryExpr):
                    visit(part.plan)
        for child in node.children:
            visit(child)

    visit(plan)
    return [ref for ref in found if ref.ref.key not in produced]
