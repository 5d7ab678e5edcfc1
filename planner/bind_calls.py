"""Binding of function calls and aggregates, by the function registry (``planner.functions``).

Arity, aggregate or not, and the result type come from the registry; an unknown name is
refused with the closest registered names.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from grammar import ast
from planner import functions
from planner.errors import BindError, did_you_mean
from planner.expressions import AggCall, BExpr, Const, Func, ParamRef
from planner.types import family

BindArg = Callable[[ast.Expr], BExpr]

# arguments DuckDB needs as constants (a value or a parameter), by function and position
_CONSTANT_ARGS = {"quantile_cont": 1, "string_agg": 1, "date_trunc": 0, "date_part": 0,
                  "strftime": 1}


# SQL functions FQL refuses, named with what to write instead
_REFUSED = {
    "rollup": "GROUP BY ROLLUP is not supported", "cube": "GROUP BY CUBE is not supported",
    "grouping": "GROUPING SETS are not supported",
    "array_agg": "list aggregates (array_agg, list) are not supported: answers hold scalars",
    "list": "list aggregates (array_agg, list) are not supported: answers hold scalars",
    "now": "now() is not supported; use current_date",
    "current_timestamp": "current_timestamp is not supported; use current_date",
    "random": "random() is not supported: FQL answers are deterministic",
    "regexp_matches": "regular expressions are not supported; use LIKE or ILIKE",
    "regexp_replace": "regular expressions are not supported; use replace()",
}


def resolve(e: ast.Call) -> functions.Function:
    """The registered function ``e`` calls, its arity checked."""
    if e.ignore_nulls is not None:
        raise BindError("IGNORE/RESPECT NULLS is valid only in a window function "
                        f"({e.name}(… IGNORE NULLS) OVER (…))", line=e.line, column=e.column)
    fn = functions.lookup(e.name)
    if fn is None and e.name in _REFUSED:
        raise BindError(_REFUSED[e.name], line=e.line, column=e.column)
    if fn is None:
        known = functions.callable_names()
        raise BindError(f"unknown function {e.name!r}; " + did_you_mean(e.name, known),
                        line=e.line, column=e.column, candidates=known)
    if e.star:
        if fn.name != "count":
            raise BindError(f"{e.name}(*) is not valid; only count(*)", line=e.line,
                            column=e.column)
        return fn
    if not fn.takes(len(e.args)) or (fn.name == "count" and not e.args):
        raise BindError(f"{e.name}() takes {fn.arity_text()} arguments, got {len(e.args)}",
                        line=e.line, column=e.column)
    if e.distinct and not fn.aggregate:
        raise BindError(f"DISTINCT is only valid in an aggregate, not in {e.name}()",
                        line=e.line, column=e.column)
    if len(e.args) > 1 and fn.name == "count" and not e.distinct:
        raise BindError("count() takes one argument; count(DISTINCT a, b) counts distinct "
                        "pairs", line=e.line, column=e.column)
    return fn


def bind_scalar(fn: functions.Function, e: ast.Call, args: tuple[BExpr, ...]) -> BExpr:
    _check_constants(fn, e, args)
    return Func(fn.name, args, fn.result([a.type for a in args]))


def bind_aggregate(fn: functions.Function, e: ast.Call, args: tuple[BExpr, ...]) -> AggCall:
    if e.star:
        return AggCall("count", (), pa.int64())
    _check_constants(fn, e, args)
    if fn.name in ("bool_and", "bool_or") and family(args[0].type) not in ("bool", "null"):
        raise BindError(f"{e.name}() takes a boolean, not {args[0]}", line=e.line,
                        column=e.column)
    return AggCall(fn.name, args, fn.result([a.type for a in args]), e.distinct)


def _check_constants(fn: functions.Function, e: ast.Call, args: tuple[BExpr, ...]) -> None:
    position = _CONSTANT_ARGS.get(fn.name)
    if position is None or position >= len(args):
        return
    if not isinstance(args[position], Const | ParamRef):
        raise BindError(f"argument {position + 1} of {e.name}() must be a value or a "
                        "$parameter", line=e.line, column=e.column)
