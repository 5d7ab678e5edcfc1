"""Binder: AST + catalog + parameters → logical plan.

Each relation gets a plan-wide unique ``rel`` id (its alias, suffixed if a nested query reuses
it), so every column key ``rel.name`` is unique and later rules can move expressions freely.

Plan shape of one SELECT (bottom-up): relations and joins → Filter(WHERE) → Aggregate →
Filter(HAVING) → Window → Filter(QUALIFY) → Project(select list + hidden sort keys) → Distinct or
DistinctOn → Sort → Limit → Output (set operations in planner.bind_setops; CTEs hoisted to a
With root by planner.bind_cte).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from grammar import ast, ast_relations
from planner import bind_clauses, bind_joins, bind_setops
from planner.bind_context import Bound, BoundRelation
from planner.bind_cte import Ctes
from planner.bind_expr import ExprBinder
from planner.bind_grouping import Grouping
from planner.bind_join import bind_from
from planner.bind_relations import bind_relation
from planner.bind_scope import RelBinding, Scope
from planner.bind_subquery import SubqueryBinder
from planner.bind_windows import WindowCollector
from planner.catalog import Catalog
from planner.errors import BindError
from planner.expressions import BExpr, ColumnRef, Const, ParamRef, has_aggregate
from planner.logical import Filter, Limit, Output, Plan, Project, Sort, SortKey
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
        self.using_merges = bind_joins.UsingMerges()  # i10-b

    def unique_rel(self, alias: str) -> str:
        rel, n = alias, 1
        while rel.lower() in self._rel_ids:
            n += 1
            rel = f"{alias}_{n}"
        self._rel_ids.add(rel.lower())
        return rel

    def bind_statement(self, query: ast.QueryExpr) -> Plan:
        bound = self.bind_query(query)
        unused = set(self.params) - self.exprs.used_params
        if unused:
            raise BindError("unused parameter(s): " + ", ".join("$" + p for p in sorted(unused)))
        return self.ctes.wrap(Output(bound.plan, bound.columns, bound.names))

    def bind_relation(self, rel: ast_relations.Relation, outer: Scope | None = None
                      ) -> BoundRelation:
        return bind_relation(self, rel, outer)

    def bind_query(self, q: ast.QueryExpr, outer: Scope | None = None) -> Bound:
        """One query (a SELECT or a set operation); ``outer`` is the scope of the query around
        it when it is a subquery (its names are visible here as outer references). A WITH in
        front of a set operation is in scope in every branch."""
        if not q.ctes:
            return self._bind_body(q, outer)
        with self.ctes.declared(self, q, outer):
            return self._bind_body(q, outer)

    def _bind_body(self, q: ast.QueryExpr, outer: Scope | None) -> Bound:
        if isinstance(q, ast.SetOperation):  # i10-b
            return bind_setops.bind_set_operation(self, q, outer)
        return self._bind_select(q, outer)

    def _bind_select(self, q: ast.Query, outer: Scope | None) -> Bound:
        plan, rels = bind_from(self, q.from_, outer) if q.from_ \
            else bind_setops.bind_no_from(self)  # i10-b
        where = self.exprs.bind(q.where, Scope(rels, outer=outer)) \
            if q.where is not None else None
        # NEAREST takes its alias's own WHERE and ON conditions as a prefilter
        plan, rest = attach_prefilters(plan, where, self.catalog)
        if rest is not None:
            plan = Filter(plan, rest)
        windows = WindowCollector(self.unique_rel("_win"))  # i10-b
        items, names, explicit = self._select_items(q, rels, outer, windows)
        # HAVING reads a select-list alias before a column of the same name (as DuckDB does)
        having_names = {names[i]: items[i] for i in explicit}
        grouping, items, having = self._grouping(q, rels, outer, items, names, having_names,
                                                 windows)
        qualify = bind_clauses.bind_qualify(self, q, rels, having_names, grouping, windows,
                                            outer)  # i10-b
        sel_rel = self.unique_rel("_sel")
        outs = tuple(ColumnRef(sel_rel, f"c{i}", e.type) for i, e in enumerate(items))
        scope = Scope(rels, outer=outer, windows=windows)
        sort_keys, hidden = self._order_by(q, scope, items, names, outs, sel_rel, grouping,
                                           explicit)
        distinct = bind_clauses.Deduplication.of(q, [  # i10-b: DISTINCT [ON (…)]
            self._order_target(e, scope, items, names, outs, grouping, explicit)
            for e in q.distinct_on], sel_rel, sort_keys)
        if grouping is not None:
            plan = grouping.aggregate(plan)
            if having is not None:
                plan = Filter(plan, having)
        plan = windows.plan(plan, grouping, qualify)  # i10-b: windows, then QUALIFY
        plan = Project(plan, tuple(zip(outs, items, strict=True)) + hidden + distinct.hidden)
        plan = distinct.apply(plan)
        if sort_keys:
            plan = Sort(plan, sort_keys)
        if q.limit is not None or q.offset is not None:
            plan = Limit(plan, self.count(q.limit), self.count(q.offset) or 0)
        return Bound(plan, outs, tuple(names))

    def _grouping(self, q: ast.Query, rels: list[RelBinding], outer: Scope | None,
                  items: list[BExpr], names: list[str], having_names: dict[str, BExpr],
                  windows: WindowCollector
                  ) -> tuple[Grouping | None, list[BExpr], BExpr | None]:
        """GROUP BY [ALL] and HAVING: the grouping (None when the SELECT has none), the select
        items rewritten over it, and the bound HAVING condition."""
        if not (q.group_by or q.group_all or q.having is not None
                or any(has_aggregate(e) for e in items) or windows.has_aggregates()):
            return None, items, None
        aliases = dict(zip(names, items, strict=True))
        groups = bind_clauses.group_all_keys(items, windows.rel) if q.group_all \
            else [self._group_key(g, Scope(rels, aliases, outer=outer), items)
                  for g in bind_clauses.plain_groups(q.group_by)]  # i10-b
        grouping = Grouping(self.unique_rel("_agg"), groups, windows.rel)
        rewritten = [grouping.rewrite(e, "SELECT") for e in items]
        having = None
        if q.having is not None:
            scope = Scope(rels, having_names, allow_aggregates=True, prefer_aliases=True,
                          outer=outer)
            having = grouping.rewrite(self.exprs.bind(q.having, scope), "HAVING")
        return grouping, rewritten, having

    def _group_key(self, expr: ast.Expr, scope: Scope, items: list[BExpr]) -> BExpr:
        """A GROUP BY item: an expression, a select-list alias, or a position (GROUP BY 1)."""
        if isinstance(expr, ast.Literal) and isinstance(expr.value, int) \
                and not isinstance(expr.value, bool):
            if not 1 <= expr.value <= len(items):
                raise BindError(f"GROUP BY position {expr.value} is not in the select list",
                                line=expr.line, column=expr.column)
            return items[expr.value - 1]
        return self.exprs.bind(expr, scope)

    def _select_items(self, q: ast.Query, rels: list[RelBinding], outer: Scope | None,
                      windows: WindowCollector) -> tuple[list[BExpr], list[str], set[int]]:
        scope = Scope(rels, allow_aggregates=True, outer=outer, windows=windows)
        items: list[BExpr] = []
        names: list[str] = []
        explicit: set[int] = set()  # positions of items named with AS
        for item in q.select:
            if isinstance(item, ast.Star):  # i10-b: USING columns merged, EXCLUDE applied
                for expr, name in bind_joins.star_items(self, rels, item, scope):
                    items.append(expr)
                    names.append(name)
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
                                            outer=scope.outer, windows=scope.windows))
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
