"""Binding of the SELECT clauses added in issue 10 by helper B: aggregate FILTER, GROUP BY
ALL, QUALIFY and DISTINCT ON.

``agg(x) FILTER (WHERE c)`` is bound as ``agg(CASE WHEN c THEN x END)``: every aggregate skips
NULL inputs, so the two agree on every row set (``count(*) FILTER`` counts ``CASE WHEN c THEN 1
END``); a source that runs the CASE can still run the aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grammar import ast
from planner.bind_scope import RelBinding, Scope
from planner.errors import BindError
from planner.expressions import AggCall, BExpr, ColumnRef, columns_of, has_aggregate
from planner.logical import Distinct, Plan, SortKey
from planner.windows import DistinctOn

if TYPE_CHECKING:
    from planner.bind_expr import ExprBinder
    from planner.bind_grouping import Grouping
    from planner.binder import Binder


def filtered_call(e: ast.AggFilter) -> ast.Call:
    """The aggregate call of ``e`` with its FILTER moved into its first argument."""
    call = e.call
    first = ast.Literal(1, line=call.line, column=call.column) if call.star or not call.args \
        else call.args[0]
    guarded = ast.Case(((e.condition, first),), None, line=e.line, column=e.column)
    return ast.Call(call.name, (guarded, *call.args[1:]), call.distinct,
                    line=call.line, column=call.column)


def bind_agg_filter(exprs: ExprBinder, e: ast.AggFilter, scope: Scope) -> BExpr:
    bound = exprs.bind(filtered_call(e), scope)
    if not isinstance(bound, AggCall):
        raise BindError(f"FILTER (WHERE …) applies to aggregate functions only, not "
                        f"{e.call.name}()", line=e.line, column=e.column)
    return bound


_GROUPINGS = {"rollup": "ROLLUP", "cube": "CUBE", "grouping_sets": "GROUPING SETS"}


def plain_groups(groups: tuple[ast.Expr, ...]) -> tuple[ast.Expr, ...]:
    """GROUP BY items, refusing the grouping-set forms FQL leaves out by name."""
    for g in groups:
        if isinstance(g, ast.Call) and g.name in _GROUPINGS:
            raise BindError(f"GROUP BY {_GROUPINGS[g.name]} is not supported; write one query "
                            "per grouping and combine them with UNION ALL", line=g.line,
                            column=g.column)
    return groups


def group_all_keys(items: list[BExpr], window_rel: str) -> list[BExpr]:
    """GROUP BY ALL: every select item without an aggregate or a window function."""
    return [e for e in items if not has_aggregate(e)
            and not any(k.split(".", 1)[0] == window_rel for k in columns_of(e))]


def bind_qualify(binder: Binder, q: ast.Query, rels: list[RelBinding],
                 aliases: dict[str, BExpr], grouping: Grouping | None,
                 windows: object, outer: Scope | None = None) -> BExpr | None:
    """QUALIFY: a filter after the window functions; it may name select-list aliases."""
    if q.qualify is None:
        return None
    scope = Scope(rels, aliases, allow_aggregates=grouping is not None, prefer_aliases=True,
                  outer=outer, windows=windows)
    bound = binder.exprs.bind(q.qualify, scope)
    return grouping.rewrite(bound, "QUALIFY") if grouping is not None else bound


@dataclass(frozen=True)
class Deduplication:
    """SELECT DISTINCT, or DISTINCT ON (keys) with the hidden select columns its keys need
    (a key not in the select list is computed there, as a hidden ORDER BY key is)."""

    distinct: bool
    keys: tuple[BExpr, ...]
    hidden: tuple[tuple[ColumnRef, BExpr], ...]
    order: tuple[SortKey, ...]

    @staticmethod
    def of(q: ast.Query, targets: Sequence[BExpr | tuple[BExpr]], sel_rel: str,
           order: tuple[SortKey, ...]) -> Deduplication:
        hidden: list[tuple[ColumnRef, BExpr]] = []
        keys: list[BExpr] = []
        for target in targets:
            if isinstance(target, tuple):
                ref = ColumnRef(sel_rel, f"d{len(hidden)}", target[0].type)
                hidden.append((ref, target[0]))
                keys.append(ref)
            else:
                keys.append(target)
        return Deduplication(q.distinct, tuple(keys), tuple(hidden), order)

    def apply(self, plan: Plan) -> Plan:
        if self.keys:
            return DistinctOn(plan, self.keys, self.order)
        return Distinct(plan) if self.distinct else plan
