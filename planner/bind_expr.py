"""Binding of AST expressions: names → columns, operators → ``Func``, types attached."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from grammar import ast
from planner import bind_calls, functions
from planner.errors import BindError, did_you_mean
from planner.expressions import BExpr, ColumnRef, Const, Func, Interval, ParamRef
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


@dataclass(frozen=True)
class RelBinding:
    """A relation in scope: its user alias and its columns by lower-cased name."""

    alias: str
    columns: tuple[ColumnRef, ...]
    by_name: dict[str, ColumnRef] = field(compare=False, hash=False)
    metrics: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @staticmethod
    def of(alias: str, columns: tuple[ColumnRef, ...],
           metrics: dict[str, str] | None = None) -> RelBinding:
        by_name: dict[str, ColumnRef] = {}
        for col in columns:
            by_name.setdefault(col.name.lower(), col)
        return RelBinding(alias, columns, by_name, metrics or {})

    def metric(self, col: ColumnRef) -> str | None:
        """The distance metric of ``col`` when it is a vector column of this relation."""
        if self.by_name.get(col.name.lower()) != col:
            return None
        return self.metrics.get(col.name)


@dataclass
class Scope:
    """Names visible to an expression; ``aliases`` are select-list aliases usable by name."""

    rels: list[RelBinding]
    aliases: Mapping[str, BExpr] = field(default_factory=dict)
    allow_aggregates: bool = False
    prefer_aliases: bool = False

    def find_rel(self, name: str, node: ast.Node) -> RelBinding:
        for rel in self.rels:
            if rel.alias.lower() == name.lower():
                return rel
        raise BindError(f"unknown relation {name!r}; "
                        + did_you_mean(name, [r.alias for r in self.rels]),
                        line=node.line, column=node.column, candidates=[r.alias for r in self.rels])

    def resolve(self, col: ast.Column) -> BExpr:
        if col.rel is not None:
            rel = self.find_rel(col.rel, col)
            found = rel.by_name.get(col.name.lower())
            if found is None:
                names = [c.name for c in rel.columns]
                raise BindError(f"relation {rel.alias!r} has no column {col.name!r}; "
                                + did_you_mean(col.name, names), line=col.line,
                                column=col.column, candidates=names)
            return found
        alias = next((e for a, e in self.aliases.items() if a.lower() == col.name.lower()), None)
        if alias is not None and self.prefer_aliases:
            return alias
        hits = [r.by_name[col.name.lower()] for r in self.rels if col.name.lower() in r.by_name]
        if len(hits) > 1:
            owners = [r.alias for r in self.rels if col.name.lower() in r.by_name]
            raise BindError(f"column {col.name!r} is ambiguous: it is in {owners}; qualify it",
                            line=col.line, column=col.column, candidates=owners)
        if hits:
            return hits[0]
        if alias is not None:
            return alias
        names = [f"{r.alias}.{c.name}" for r in self.rels for c in r.columns] + list(self.aliases)
        hint = did_you_mean(col.name, names)
        if not hint.startswith("did you mean"):  # not a typo: maybe another dialect's
            quoted = "'" + col.name.replace("'", "''") + "'"  # "string", a name in FQL
            hint += f" (a string is written in single quotes, {quoted}; double quotes " \
                "name a column)"
        raise BindError(f"unknown column {col.name!r}; {hint}", line=col.line,
                        column=col.column, candidates=names)


class ExprBinder:
    """Binds expressions against a scope; records which parameters were used."""

    def __init__(self, params: Mapping[str, object]) -> None:
        self.params = params
        self.used_params: set[str] = set()

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
        inner = Scope(scope.rels, scope.aliases, allow_aggregates=False)
        args = tuple(self.bind(a, inner) for a in e.args)
        return bind_calls.bind_aggregate(fn, e, args)


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
