"""Binding of window functions and QUALIFY (i10-b).

A window call in the select list (or QUALIFY) is bound to a placeholder column of the SELECT's
``WindowCollector``; after GROUP BY the collector's functions are rewritten over the
aggregate's output and become one ``Window`` node under the select list, as SQL evaluates
them (after HAVING, before SELECT, DISTINCT and ORDER BY).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pyarrow as pa

from grammar import ast
from planner import functions
from planner.bind_calls import bind_aggregate, resolve
from planner.bind_scope import Scope
from planner.errors import BindError
from planner.expressions import BExpr, ColumnRef, has_aggregate
from planner.logical import Filter, Plan, SortKey
from planner.types import family
from planner.windows import (
    NULL_TREATING,
    RANKING,
    WINDOW_FUNCTIONS,
    Frame,
    FrameBound,
    Window,
    WindowFunc,
)

if TYPE_CHECKING:
    from planner.bind_expr import ExprBinder
    from planner.bind_grouping import Grouping

# name → (min args, max args)
_ARITY = {"ntile": (1, 1), "lag": (1, 3), "lead": (1, 3), "first_value": (1, 1),
          "last_value": (1, 1), "nth_value": (2, 2), **{n: (0, 0) for n in RANKING},
          "count": (0, 1),
          **{n: (1, 1) for n in ("sum", "avg", "min", "max")}}


class WindowCollector:
    """The window functions of one SELECT, each computed once however often it is named."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.items: dict[WindowFunc, ColumnRef] = {}

    def bind(self, exprs: ExprBinder, e: ast.WindowCall, scope: Scope) -> ColumnRef:
        inner = Scope(scope.rels, scope.aliases, allow_aggregates=scope.allow_aggregates,
                      outer=scope.outer)
        call = e.call
        if isinstance(call, ast.AggFilter):
            from planner.bind_clauses import filtered_call

            call = filtered_call(call)
        args = tuple(exprs.bind(a, inner) for a in call.args)
        name, kind = _window_function(call, args)
        partition = tuple(exprs.bind(p, inner) for p in e.partition)
        order = tuple(SortKey(exprs.bind(o.expr, inner), o.descending, o.nulls_first)
                      for o in e.order)
        frame = _frame(e.frame, order) if e.frame is not None else None
        func = WindowFunc(name, args, partition, order, frame, kind, bool(call.ignore_nulls))
        if func not in self.items:
            self.items[func] = ColumnRef(self.rel, f"w{len(self.items)}", func.type)
        return self.items[func]

    def has_aggregates(self) -> bool:
        return any(has_aggregate(x) for f in self.items for x in f.exprs())

    def plan(self, child: Plan, grouping: Grouping | None, qualify: BExpr | None) -> Plan:
        """The window functions over ``child`` (after its grouping), then QUALIFY."""
        items = []
        for func, out in self.items.items():
            if grouping is not None:
                func = _rewritten(func, grouping)
            items.append((out, func))
        plan = Window(child, tuple(items)) if items else child
        return Filter(plan, qualify) if qualify is not None else plan


def _rewritten(func: WindowFunc, grouping: Grouping) -> WindowFunc:
    def over(e: BExpr) -> BExpr:
        return grouping.rewrite(e, "a window function")

    return replace(func, args=tuple(over(a) for a in func.args),
                   partition=tuple(over(p) for p in func.partition),
                   order=tuple(SortKey(over(k.expr), k.descending, k.nulls_first)
                               for k in func.order))


def _window_function(call: ast.Call, args: tuple[BExpr, ...]) -> tuple[str, pa.DataType]:
    """The node name and result type of ``call`` over a window: a window function of
    ``WINDOW_FUNCTIONS``, or any aggregate of the function registry (typed by its rule)."""
    if call.ignore_nulls is not None and call.name not in NULL_TREATING:
        raise BindError(f"IGNORE/RESPECT NULLS applies to {', '.join(sorted(NULL_TREATING))}"
                        f", not {call.name}()", line=call.line, column=call.column)
    if call.name not in WINDOW_FUNCTIONS:
        fn = functions.lookup(call.name)
        if fn is not None and fn.aggregate and not call.distinct:
            agg = bind_aggregate(resolve(call), call, args)
            return agg.name, agg.type
    _check_call(call)
    return call.name, _result_type(call, args)


def _check_call(call: ast.Call) -> None:
    if call.name not in WINDOW_FUNCTIONS:
        known = ", ".join(sorted(WINDOW_FUNCTIONS))
        raise BindError(f"{call.name}() is not a window function FQL supports; use one of "
                        f"{known} or an aggregate", line=call.line, column=call.column)
    if call.distinct:
        raise BindError("DISTINCT in a window function is not supported", line=call.line,
                        column=call.column)
    if call.star and call.name != "count":
        raise BindError(f"{call.name}(*) is not valid; only count(*)", line=call.line,
                        column=call.column)
    low, high = _ARITY[call.name]
    if not low <= len(call.args) <= high:
        count = f"{low}" if low == high else f"{low} to {high}"
        raise BindError(f"{call.name}() takes {count} arguments, got {len(call.args)}",
                        line=call.line, column=call.column)


def _result_type(call: ast.Call, args: tuple[BExpr, ...]) -> pa.DataType:
    name = call.name
    if name in ("percent_rank", "cume_dist", "avg"):
        return pa.float64()
    if name in RANKING or name in ("ntile", "count"):
        return pa.int64()
    arg = args[0].type
    if name == "sum" and family(arg) == "int":
        return pa.decimal128(38, 0)
    if name == "sum" and family(arg) == "float":
        return pa.float64()
    if name == "nth_value" and family(args[1].type) not in ("int", "null"):
        raise BindError("nth_value() takes the row number as an integer", line=call.line,
                        column=call.column)
    if name in ("lag", "lead") and len(args) == 3 and family(arg) == "null":
        return args[2].type
    return arg


def _frame(frame: ast.WindowFrame, order: tuple[SortKey, ...]) -> Frame:
    offsets = frame.start.offset is not None or frame.end.offset is not None
    if frame.units == "range" and offsets and len(order) != 1:
        raise BindError("a RANGE frame with an offset needs exactly one ORDER BY key",
                        line=frame.line, column=frame.column)
    if frame.units == "range" and offsets and family(order[0].expr.type) not in (
            "int", "float", "decimal"):
        raise BindError("a RANGE frame with an offset needs a numeric ORDER BY key",
                        line=frame.line, column=frame.column)
    return Frame(frame.units, FrameBound(frame.start.kind, frame.start.offset),
                 FrameBound(frame.end.kind, frame.end.offset), frame.exclude)


def bind_window_call(exprs: ExprBinder, e: ast.WindowCall, scope: Scope) -> BExpr:
    """The ``ExprBinder`` entry point: a window call where the scope collects them."""
    collector = scope.windows
    if not isinstance(collector, WindowCollector):
        raise BindError("window functions are allowed only in the select list, QUALIFY and "
                        "ORDER BY",
                        line=e.line, column=e.column)
    return collector.bind(exprs, e, scope)
