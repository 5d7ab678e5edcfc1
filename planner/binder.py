"""Binder: AST + catalog + parameters → logical plan.

Each relation gets a plan-wide unique ``rel`` id (its alias, suffixed if a nested query reuses
it), so every column key ``rel.name`` is unique and later rules can move expressions freely.

Plan shape of one SELECT (bottom-up): relations and joins → Filter(WHERE) → Aggregate →
Filter(HAVING) → Project(select list + hidden sort keys) → Distinct → Sort → Limit → Output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from grammar import ast
from planner.bind_context import Bound, BoundRelation
from planner.bind_cte import Ctes
from planner.bind_expr import ExprBinder
from planner.bind_grouping import Grouping
from planner.bind_join import bind_from
from planner.bind_relations import bind_relation
from planner.bind_scope import RelBinding, Scope
from planner.bind_subquery import SubqueryBinder
from planner.catalog import Catalog
from planner.errors import BindError
from planner.expressions import BExpr, ColumnRef, Const, ParamRef, has_aggregate
from planner.logical import Distinct, Filter, Limit, Output, Plan, Project, Sort, SortKey
from planner.naming import expression_name
from planner.prefilters import attach_prefilters

Hidden = tuple[tuple[ColumnRef, BExpr], ...]

__all__ = ["Binder", "Bound"]


class Binder:
    def __init__(self, catalog: Catalog, params: Mapping[str, object], *,
                 max_hops: int = 10, max_k: int = 10_000,
                 source_names: Sequence[str] = ()) -> None:
        self.catalog = catalog
        # every attached source, for "did you mean" when ``catalog`` holds only those used
        self.source_names = list(source_names)
        self.max_hops = max_hops
        self.max_k = max_k
        self.exprs = ExprBinder(params, SubqueryBinder(self))
        self.params = params
        # parameters whose values shape the plan (LIMIT, OFFSET, K): a cached plan is reused
        # for new values of every other parameter
        self.shape_params: set[str] = set()
        self._rel_ids: set[str] = set()
        self.ctes = Ctes()

    def unique_rel(self, alias: str) -> str:
        rel, n = alias, 1
        while rel.lower() in self._rel_ids:
            n += 1
            rel = f"{alias}_{n}"
        self._rel_ids.add(rel.lower())
        return rel

    def bind_statement(self, query: ast.Query) -> Plan:
        bound = self.bind_query(query)
        unused = set(self.params) - self.exprs.used_params
        if unused:
            raise BindError("unused parameter(s): " + ", ".join("$" + p for p in sorted(unused)))
        return self.ctes.wrap(Output(bound.plan, bound.columns, bound.names))

    def bind_relation(self, rel: ast.Relation, outer: Scope | None = None) -> BoundRelation:
        return bind_relation(self, rel, outer)

    def bind_query(self, q: ast.Query, outer: Scope | None = None) -> Bound:
        """One SELECT; ``outer`` is the scope of the query around it when it is a subquery
        (its names are visible here as outer references)."""
        if not q.ctes:
            return self._bind_select(q, outer)
        with self.ctes.declared(self, q, outer):
            return self._bind_select(q, outer)

    def _bind_select(self, q: ast.Query, outer: Scope | None) -> Bound:
        plan, rels = bind_from(self, q.from_, outer)
        where = self.exprs.bind(q.where, Scope(rels, outer=outer)) \
            if q.where is not None else None
        # NEAREST takes its alias's own WHERE and ON conditions as a prefilter
        plan, rest = attach_prefilters(plan, where, self.catalog)
        if rest is not None:
            plan = Filter(plan, rest)
        items, names, explicit = self._select_items(q, rels, outer)
        aliases = dict(zip(names, items, strict=True))
        # HAVING reads a select-list alias before a column of the same name (as DuckDB does)
        having_names = {names[i]: items[i] for i in explicit}
        grouping: Grouping | None = None
        having = None
        if q.group_by or q.having is not None or any(has_aggregate(e) for e in items):
            groups = [self._group_key(g, Scope(rels, aliases, outer=outer), items)
                      for g in q.group_by]
            grouping = Grouping(self.unique_rel("_agg"), groups)
            items = [grouping.rewrite(e, "SELECT") for e in items]
            if q.having is not None:
                scope = Scope(rels, having_names, allow_aggregates=True, prefer_aliases=True,
                              outer=outer)
                bound = self.exprs.bind(q.having, scope)
                having = grouping.rewrite(bound, "HAVING")
        sel_rel = self.unique_rel("_sel")
        outs = tuple(ColumnRef(sel_rel, f"c{i}", e.type) for i, e in enumerate(items))
        sort_keys, hidden = self._order_by(q, Scope(rels, outer=outer), items, names, outs,
                                           sel_rel, grouping, explicit)
        if grouping is not None:
            plan = grouping.aggregate(plan)
            if having is not None:
                plan = Filter(plan, having)
        plan = Project(plan, tuple(zip(outs, items, strict=True)) + hidden)
        if q.distinct:
            plan = Distinct(plan)
        if sort_keys:
            plan = Sort(plan, sort_keys)
        if q.limit is not None or q.offset is not None:
            plan = Limit(plan, self.count(q.limit), self.count(q.offset) or 0)
        return Bound(plan, outs, tuple(names))

    def _group_key(self, expr: ast.Expr, scope: Scope, items: list[BExpr]) -> BExpr:
        """A GROUP BY item: an expression, a select-list alias, or a position (GROUP BY 1)."""
        if isinstance(expr, ast.Literal) and isinstance(expr.value, int) \
                and not isinstance(expr.value, bool):
            if not 1 <= expr.value <= len(items):
                raise BindError(f"GROUP BY position {expr.value} is not in the select list",
                                line=expr.line, column=expr.column)
            return items[expr.value - 1]
        return self.exprs.bind(expr, scope)

    def _select_items(self, q: ast.Query, rels: list[RelBinding], outer: Scope | None
                      ) -> tuple[list[BExpr], list[str], set[int]]:
        scope = Scope(rels, allow_aggregates=True, outer=outer)
        items: list[BExpr] = []
        names: list[str] = []
        explicit: set[int] = set()  # positions of items named with AS
        for item in q.select:
            if isinstance(item, ast.Star):
                targets = rels if item.rel is None else [scope.find_rel(item.rel, item)]
                for rel in targets:
                    items += list(rel.columns)
                    names += [c.name for c in rel.columns]
                continue
            if item.alias:
                explicit.add(len(items))
            items.append(self.exprs.bind(item.expr, scope))
            names.append(item.alias or expression_name(item.expr))
        return items, names, explicit

    def _order_by(self, q: ast.Query, scope: Scope, items: list[BExpr],
                  names: list[str], outs: tuple[ColumnRef, ...], sel_rel: str,
                  grouping: Grouping | None, explicit: set[int]
                  ) -> tuple[tuple[SortKey, ...], Hidden]:
        keys: list[SortKey] = []
        hidden: list[tuple[ColumnRef, BExpr]] = []
        for item in q.order_by:
            target = self._order_target(item.expr, scope, items, names, outs, grouping,
                                        explicit)
            if isinstance(target, tuple):
                if q.distinct:
                    raise BindError("with SELECT DISTINCT, ORDER BY expressions must appear in "
                                    "the select list", line=item.line, column=item.column)
                ref = ColumnRef(sel_rel, f"h{len(hidden)}", target[0].type)
                hidden.append((ref, target[0]))
                target = ref
            keys.append(SortKey(target, item.descending, item.nulls_first))
        return tuple(keys), tuple(hidden)

    def _order_target(self, expr: ast.Expr, scope: Scope, items: list[BExpr],
                      names: list[str], outs: tuple[ColumnRef, ...],
                      grouping: Grouping | None, explicit: set[int]) -> ColumnRef | tuple[BExpr]:
        if isinstance(expr, ast.Literal) and isinstance(expr.value, int) \
                and not isinstance(expr.value, bool):
            if not 1 <= expr.value <= len(outs):
                raise BindError(f"ORDER BY position {expr.value} is not in the select list",
                                line=expr.line, column=expr.column)
            return outs[expr.value - 1]
        if isinstance(expr, ast.Column) and expr.rel is None:
            matches = [i for i, n in enumerate(names) if n.lower() == expr.name.lower()]
            if matches:  # an explicit alias wins over a column's own name (as in DuckDB)
                return outs[next((i for i in matches if i in explicit), matches[0])]
        bound = self.exprs.bind(expr, Scope(scope.rels, allow_aggregates=grouping is not None,
                                            outer=scope.outer))
        if grouping is not None:
            bound = grouping.rewrite(bound, "ORDER BY")
        for out, item in zip(outs, items, strict=True):
            if item == bound:
                return out
        return (bound,)

    def count(self, expr: ast.Expr | None) -> int | None:
        if expr is None:
            return None
        bound = self.exprs.bind(expr, Scope([]))
        if isinstance(bound, ParamRef):
            self.shape_params.add(bound.name)
        value = bound.value if isinstance(bound, Const) else (
            self.params[bound.name] if isinstance(bound, ParamRef) else None)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
            raise BindError("LIMIT and OFFSET take a non-negative integer", line=expr.line,
                            column=expr.column)
        return value
