"""WITH: CTEs declared by a query, and ``FROM name [AS a]`` reading one.

A CTE is bound once, where it is declared, and hoisted to the statement's ``With`` under a
plan-wide unique name; each reference scans it with columns of its own (``CteScan``), so a
CTE referenced twice runs its source fragments once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from grammar import ast, ast_relations
from planner.bind_context import BindContext, BoundRelation
from planner.bind_derived import renamed
from planner.bind_recursive import anchor_columns, reads_itself, recursive_parts, recursive_plan
from planner.bind_scope import RelBinding, Scope
from planner.bind_subquery import outer_reads
from planner.cte_plans import CteScan, With
from planner.errors import BindError
from planner.expressions import ColumnRef
from planner.logical import Output, Plan


@dataclass(frozen=True)
class CteBinding:
    name: str  # plan-wide unique
    columns: tuple[ColumnRef, ...]  # the CTE plan's outputs
    names: tuple[str, ...]  # as the query names them


class Ctes:
    """The CTEs in scope while binding (innermost WITH last) and those referenced."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, CteBinding]] = []
        self.plans: dict[str, Output] = {}  # every CTE bound, in declaration order
        self.used: set[str] = set()
        self.declared_count = 0
        self.recursive: set[str] = set()  # the names of recursive CTEs (planner.bind_recursive)

    @contextmanager
    def declared(self, ctx: BindContext, q: ast.QueryExpr, outer: Scope | None
                 ) -> Iterator[None]:
        """The CTEs of ``q`` in scope while its body is bound; each sees the earlier ones
        (``outer``: the scope around ``q`` when it is a subquery)."""
        scope: dict[str, CteBinding] = {}
        self.scopes.append(scope)
        try:
            for cte in q.ctes:
                if cte.name.lower() in scope:
                    raise BindError(f"CTE {cte.name!r} is declared twice in one WITH",
                                    line=cte.line, column=cte.column)
                if q.recursive and reads_itself(cte):
                    self._bind_recursive(ctx, cte, outer, scope)
                else:
                    scope[cte.name.lower()] = self._bind(ctx, cte, outer)
            yield
        finally:
            self.scopes.pop()

    def _bind(self, ctx: BindContext, cte: ast.Cte, outer: Scope | None) -> CteBinding:
        bound = ctx.bind_query(cte.query, outer)
        if outer_reads(bound.plan):  # it is hoisted to the statement, computed once
            raise BindError(f"CTE {cte.name!r} reads columns of the query around it; a "
                            "correlated CTE is not supported", line=cte.line, column=cte.column)
        names = renamed(bound.names, cte.columns, cte)
        name = self.plan_name(cte)
        self.plans[name] = Output(bound.plan, bound.columns,
                                  tuple(c.key for c in bound.columns))
        return CteBinding(name, bound.columns, tuple(names))

    def _bind_recursive(self, ctx: BindContext, cte: ast.Cte, outer: Scope | None,
                        scope: dict[str, CteBinding]) -> None:
        """A recursive CTE: in ``scope`` with its anchor's columns while its step is bound."""
        q = recursive_parts(cte)
        name = self.plan_name(cte)
        anchor = ctx.bind_query(q.left, outer)
        outs = anchor_columns(ctx, anchor)
        scope[cte.name.lower()] = CteBinding(name, outs, tuple(renamed(anchor.names,
                                                                       cte.columns, cte)))
        plan = recursive_plan(ctx, q, outer, anchor, outs)
        if outer_reads(plan):
            raise BindError(f"CTE {cte.name!r} reads columns of the query around it; a "
                            "correlated CTE is not supported", line=cte.line, column=cte.column)
        self.plans[name] = plan
        self.recursive.add(name)

    def plan_name(self, cte: ast.Cte) -> str:
        """A plan-wide unique name for ``cte`` (numbered in declaration order)."""
        self.declared_count += 1
        return f"_cte_{self.declared_count - 1}_{cte.name}"

    def find(self, name: str) -> CteBinding | None:
        for scope in reversed(self.scopes):
            if name.lower() in scope:
                return scope[name.lower()]
        return None

    def wrap(self, statement: Plan) -> Plan:
        """The statement under a ``With`` of the CTEs it references (if any)."""
        ctes = tuple((n, p) for n, p in self.plans.items() if n in self.used)
        recursive = frozenset(n for n, _ in ctes if n in self.recursive)
        return With(statement, ctes, recursive) if ctes else statement


def bind_named(ctx: BindContext, ref: ast_relations.NamedRef, outer: Scope | None) -> BoundRelation:
    cte = ctx.ctes.find(ref.name)
    if cte is None:
        raise BindError(f"unknown relation {ref.name!r}: read a table as source.table (e.g. "
                        f"crm.{ref.name}), or declare {ref.name!r} in WITH", line=ref.line,
                        column=ref.column)
    ctx.ctes.used.add(cte.name)
    alias = ref.alias or ref.name
    rel = ctx.unique_rel(alias)
    columns = tuple(ColumnRef(rel, n, c.type) for n, c in zip(cte.names, cte.columns,
                                                              strict=True))
    return CteScan(cte.name, columns, cte.columns), [RelBinding.of(alias, columns)]
