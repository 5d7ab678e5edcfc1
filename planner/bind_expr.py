"""Binding of AST expressions: names → columns, operators → ``Func``, types attached."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import pyarrow as pa

from grammar import ast
from planner import bind_calls, functions
from planner.bind_scope import Scope
from planner.errors import BindError
from planner.expressions import (
    BExpr,
    ColumnRef,
    Const,
    Func,
    Interval,
    OuterRef,
    ParamRef,
    SubqueryExpr,
    walk,
)
from planner.types import (
    WIDEST_INTEGER,
    cast_target,
    duckdb_name,
    family,
    mismatch,
    type_of_value,
)
from planner.vectors import check_vector

_BINARY = {
    "=": "eq", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "and": "and", "or": "or",
    "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "||": "concat",
    "//": "intdiv", "is distinct from": "is_distinct",
    "is not distinct from": "is_not_distinct",
}
_COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "is_distinct", "is_not_distinct"})


class SubqueryForms(Protocol):
    """How subqueries are bound (``planner.bind_subquery``; it needs the query binder)."""

    def scalar(self, e: ast.ScalarSubquery, scope: Scope) -> BExpr: ...
    def exists(self, e: ast.Exists, scope: Scope) -> BExpr: ...
    def in_subquery(self, e: ast.InSubquery, operand: BExpr, scope: Scope) -> BExpr: ...
    def quantified(self, e: ast.Quantified, operand: BExpr, scope: Scope) -> BExpr: ...


class ExprBinder:
    """Binds expressions against a scope; records which parameters were used."""

    def __init__(self, params: Mapping[str, object],
                 subqueries: SubqueryForms | None = None) -> None:
        self.params = params
        self.used_params: set[str] = set()
        self.subqueries = subqueries

    def bind(self, expr: ast.Expr, scope: Scope) -> BExpr:
        method: Callable[[ast.Expr, Scope], BExpr] = getattr(self, "_" + type(expr).__name__)
        return method(expr, scope)

    def _Literal(self, e: ast.Literal, scope: Scope) -> BExpr:
        value = e.value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > WIDEST_INTEGER:
            raise BindError(f"integer literal {value} has more than 38 digits; write it as a "
                            "decimal (e.g. 1e40) to compare it as a DOUBLE",
                            line=e.line, column=e.column)
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise BindError("string literal is not valid Unicode text (it holds a lone "
                                "surrogate)", line=e.line, column=e.column) from None
        return Const(value, type_of_value(value))

    def _IntervalLiteral(self, e: ast.IntervalLiteral, scope: Scope) -> BExpr:
        return Interval(e.amount, e.unit)

    def _Param(self, e: ast.Param, scope: Scope) -> BExpr:
        if e.name not in self.params:
            given = ", ".join("$" + p for p in sorted(self.params)) or "none"
            raise BindError(f"missing parameter ${e.name} (given: {given})", line=e.line,
                            column=e.column, candidates=list(self.params))
        self.used_params.add(e.name)
        return ParamRef(e.name, type_of_value(self.params[e.name]))

    def _Column(self, e: ast.Column, scope: Scope) -> BExpr:
        return scope.resolve(e)

    def _BinaryOp(self, e: ast.BinaryOp, scope: Scope) -> BExpr:
        left, right = self.bind(e.left, scope), self.bind(e.right, scope)
        name = _BINARY[e.op]
        if name in _COMPARISONS:
            _check_comparison(left, (right,), e)
        rule = functions.by_node(name)
        assert rule is not None, name  # every operator is declared in the registry
        return Func(name, (left, right), rule.result((left.type, right.type)))

    def _UnaryOp(self, e: ast.UnaryOp, scope: Scope) -> BExpr:
        operand = self.bind(e.operand, scope)
        # not, neg, and is_true / is_not_true / is_false / is_not_false
        rule = functions.by_node(e.op)
        assert rule is not None, e.op
        return Func(e.op, (operand,), rule.result((operand.type,)))

    def _Between(self, e: ast.Between, scope: Scope) -> BExpr:
        args = (self.bind(e.operand, scope), self.bind(e.low, scope), self.bind(e.high, scope))
        _check_comparison(args[0], args[1:], e)
        return Func("not_between" if e.negated else "between", args, pa.bool_())

    def _InList(self, e: ast.InList, scope: Scope) -> BExpr:
        args = (self.bind(e.operand, scope), *(self.bind(i, scope) for i in e.items))
        _check_comparison(args[0], args[1:], e)
        return Func("not_in" if e.negated else "in", args, pa.bool_())

    def _subquery_forms(self, e: ast.Node) -> SubqueryForms:
        if self.subqueries is None:
            raise BindError("subqueries are not allowed here", line=e.line, column=e.column)
        return self.subqueries

    def _ScalarSubquery(self, e: ast.ScalarSubquery, scope: Scope) -> BExpr:
        return self._subquery_forms(e).scalar(e, scope)

    def _Exists(self, e: ast.Exists, scope: Scope) -> BExpr:
        return self._subquery_forms(e).exists(e, scope)

    def _InSubquery(self, e: ast.InSubquery, scope: Scope) -> BExpr:
        operand = self.bind(e.operand, scope)
        bound = self._subquery_forms(e).in_subquery(e, operand, scope)
        _check_subquery_comparison(operand, bound, e)
        return bound

    def _Quantified(self, e: ast.Quantified, scope: Scope) -> BExpr:
        operand = self.bind(e.operand, scope)
        bound = self._subquery_forms(e).quantified(e, operand, scope)
        _check_subquery_comparison(operand, bound, e)
        return bound

    def _Like(self, e: ast.Like, scope: Scope) -> BExpr:
        args = (self.bind(e.operand, scope), self.bind(e.pattern, scope))
        return Func("not_like" if e.negated else "like", args, pa.bool_())

    def _PatternMatch(self, e: ast.PatternMatch, scope: Scope) -> BExpr:
        args: tuple[BExpr, ...] = (self.bind(e.operand, scope), self.bind(e.pattern, scope))
        name = "ilike" if e.case_insensitive else "like"
        if e.escape is not None:  # no source claims LIKE … ESCAPE: the DuckDB stage's
            args += (self.bind(e.escape, scope),)
            name += "_escape"
        return Func(("not_" if e.negated else "") + name, args, pa.bool_())

    def _IsNull(self, e: ast.IsNull, scope: Scope) -> BExpr:
        operand = self.bind(e.operand, scope)
        return Func("is_not_null" if e.negated else "is_null", (operand,), pa.bool_())

    def _Case(self, e: ast.Case, scope: Scope) -> BExpr:
        return self._cases(e.whens, e.default, None, scope)

    def _SimpleCase(self, e: ast.SimpleCase, scope: Scope) -> BExpr:
        return self._cases(e.whens, e.default, self.bind(e.operand, scope), scope)

    def _cases(self, whens: tuple[tuple[ast.Expr, ast.Expr], ...], default: ast.Expr | None,
               subject: BExpr | None, scope: Scope) -> BExpr:
        args: list[BExpr] = []
        for cond, value in whens:
            test = self.bind(cond, scope)
            if subject is not None:  # CASE x WHEN v: SQL defines it as CASE WHEN x = v
                _check_comparison(subject, (test,), cond)
                test = Func("eq", (subject, test), pa.bool_())
            args += [test, self.bind(value, scope)]
        if default is not None:
            args.append(self.bind(default, scope))
        values = args[1::2] + ([args[-1]] if default is not None else [])
        typ = next((v.type for v in values if family(v.type) != "null"), pa.null())
        return Func("case", tuple(args), typ, "else" if default is not None else "")

    def _Cast(self, e: ast.Cast, scope: Scope) -> BExpr:
        target = cast_target(e.type_name)
        if target is None:
            raise BindError(f"cannot CAST to {e.type_name!r}; use INTEGER, BIGINT, DOUBLE, "
                            "VARCHAR, DATE, TIMESTAMP, BOOLEAN or DECIMAL(p,s)",
                            line=e.line, column=e.column)
        return Func("cast", (self.bind(e.operand, scope),), target, e.type_name)

    def _Extract(self, e: ast.Extract, scope: Scope) -> BExpr:
        return Func("extract", (self.bind(e.operand, scope),), pa.int64(), e.part)

    def _AggFilter(self, e: ast.AggFilter, scope: Scope) -> BExpr:  # i10-b
        from planner.bind_clauses import bind_agg_filter

        return bind_agg_filter(self, e, scope)

    def _WindowCall(self, e: ast.WindowCall, scope: Scope) -> BExpr:  # i10-b
        from planner.bind_windows import bind_window_call

        return bind_window_call(self, e, scope)

    def _Call(self, e: ast.Call, scope: Scope) -> BExpr:
        fn = bind_calls.resolve(e)
        if fn.aggregate:
            return self._aggregate(fn, e, scope)
        args = tuple(self.bind(a, scope) for a in e.args)
        if fn.name == "distance":
            return self._distance(e, args, scope)
        return bind_calls.bind_scalar(fn, e, args)

    def _distance(self, e: ast.Call, args: tuple[BExpr, ...], scope: Scope) -> BExpr:
        """``distance(col, vector)`` in the metric of the source that holds ``col``."""
        col, vector = args
        metric = next((m for r in scope.rels if isinstance(col, ColumnRef)
                       and (m := r.metric(col)) is not None), None)
        if metric is None or not isinstance(col, ColumnRef):
            raise BindError("distance() takes a vector column of a vector source first, "
                            "e.g. distance(k.vector, $q)", line=e.line, column=e.column)
        if isinstance(vector, ParamRef | Const) and pa.types.is_fixed_size_list(col.type):
            check_vector(vector, self.params, col.type.list_size, e.args[1])
        return Func("distance", (col, vector), pa.float32(), metric)

    def _aggregate(self, fn: functions.Function, e: ast.Call, scope: Scope) -> BExpr:
        if not scope.allow_aggregates:
            raise BindError(f"aggregate {e.name}() is not allowed here", line=e.line,
                            column=e.column)
        inner = Scope(scope.rels, scope.aliases, allow_aggregates=False, outer=scope.outer)
        args = tuple(self.bind(a, inner) for a in e.args)
        for arg in args:
            _check_aggregate_argument(arg, e)
        return bind_calls.bind_aggregate(fn, e, args)


def _check_aggregate_argument(arg: BExpr, e: ast.Call) -> None:
    """An aggregate over a subquery, or over outer columns only (SQL makes that an
    aggregate of the outer query), is refused by name."""
    nodes = list(walk(arg))
    if any(isinstance(n, SubqueryExpr) for n in nodes):
        raise BindError(f"a subquery inside {e.name}() is not supported", line=e.line,
                        column=e.column)
    if any(isinstance(n, OuterRef) for n in nodes) \
            and not any(isinstance(n, ColumnRef) for n in nodes):
        raise BindError(f"{e.name}() over columns of the enclosing query only is not "
                        "supported inside a subquery", line=e.line, column=e.column)


def _check_subquery_comparison(operand: BExpr, bound: BExpr, node: ast.Node) -> None:
    if isinstance(bound, SubqueryExpr) and bound.column is not None:
        _check_comparison(operand, (bound.column,), node)


def _check_comparison(subject: BExpr, others: tuple[BExpr, ...], node: ast.Node) -> None:
    """A text compared with a number, date, timestamp or bytes (or the reverse) is refused
    here, with the position, rather than failing in DuckDB on the first value that does not
    convert. A text *value* (literal or parameter) is converted by DuckDB once, as usual."""
    for other in others:
        if not mismatch(subject.type, other.type):
            continue
        text_side = subject if family(subject.type) == "string" else other
        if isinstance(text_side, Const | ParamRef):
            continue
        target = other if text_side is subject else subject
        name = duckdb_name(target.type)
        hint = f"CAST({text_side} AS {name})" if cast_target(name) is not None \
            else f"CAST({target} AS VARCHAR)"
        raise BindError(
            f"cannot compare {subject} ({duckdb_name(subject.type)}) with {other} "
            f"({duckdb_name(other.type)}); convert one side explicitly, e.g. {hint}",
            line=node.line, column=node.column)
