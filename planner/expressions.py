"""Bound expressions: names resolved to plan-wide unique columns, types attached.

Operators and functions share one node, ``Func``, whose ``name`` says what it is
(``eq``, ``and``, ``like``, ``cast``, ``lower`` …); capability checks and SQL printers are
tables keyed on that name, so adding a function touches data, not control flow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import pyarrow as pa

from planner import functions
from planner.errors import PlanError

if TYPE_CHECKING:
    from planner.logical import Plan


@dataclass(frozen=True)
class ColumnRef:
    """A column produced somewhere in the plan; ``rel.name`` is unique in one plan."""

    rel: str
    name: str
    type: pa.DataType = field(compare=False, hash=False)
    key: str = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.rel}.{self.name}")  # read on every hot path

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Const:
    value: object
    type: pa.DataType = field(compare=False, hash=False)

    def __str__(self) -> str:
        return fql_value(self.value)


@dataclass(frozen=True)
class ParamRef:
    name: str
    type: pa.DataType = field(compare=False, hash=False)

    def __str__(self) -> str:
        return f"${self.name}"


@dataclass(frozen=True)
class Interval:
    amount: int | Decimal  # a fraction only from ``INTERVAL '1.5' DAY``: DuckDB's to read
    unit: str

    @property
    def type(self) -> pa.DataType:
        return pa.month_day_nano_interval()

    def __str__(self) -> str:
        return f"INTERVAL {self.amount} {self.unit.upper()}"


@dataclass(frozen=True)
class Func:
    """Operator or scalar function. ``option`` carries a cast target or a date part."""

    name: str
    args: tuple[BExpr, ...]
    type: pa.DataType = field(compare=False, hash=False)
    option: str = ""

    def __str__(self) -> str:
        return fql_call(self)


@dataclass(frozen=True)
class AggCall:
    name: str  # count, sum, avg, min, max
    args: tuple[BExpr, ...]
    type: pa.DataType = field(compare=False, hash=False)
    distinct: bool = False

    def __str__(self) -> str:
        inner = ", ".join(str(a) for a in self.args) or "*"
        return f"{self.name}({'DISTINCT ' if self.distinct else ''}{inner})"


@dataclass(frozen=True)
class OuterRef:
    """A column of an enclosing query read inside a subquery (a correlated reference); a
    source can never evaluate it, so a predicate holding one stays in the DuckDB stage."""

    ref: ColumnRef

    @property
    def type(self) -> pa.DataType:
        return self.ref.type

    def __str__(self) -> str:
        return f"outer({self.ref.key})"


SUBQUERY_KINDS = frozenset({"scalar", "exists", "any", "all"})
_QUANTIFIED_OPS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})


@dataclass(frozen=True)
class SubqueryExpr:
    """A subquery in an expression, holding its bound plan (``planner.bind_subquery``).

    ``kind``: ``scalar`` (the one value of ``column``), ``exists``, ``any``/``all``
    (``operand op ANY|ALL (…)``; ``IN`` is ``= ANY``); ``negated`` wraps it in NOT.
    ``correlated``: what the plan reads from the query around it, as seen there (a
    ``ColumnRef`` of that query, or an ``OuterRef`` from further out); rules see them as
    the expression's inputs, so they are kept where it runs.
    """

    kind: str
    plan: Plan = field(repr=False)
    column: ColumnRef | None
    type: pa.DataType = field(compare=False, hash=False)
    operand: BExpr | None = None
    op: str = ""
    negated: bool = False
    correlated: tuple[BExpr, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in SUBQUERY_KINDS:
            raise PlanError(f"subquery kind {self.kind!r}")
        if (self.operand is None) != (self.kind in ("scalar", "exists")):
            need = "takes" if self.operand is None else "has no"
            raise PlanError(f"a {self.kind} subquery {need} operand")
        if self.kind in ("any", "all") and self.op not in _QUANTIFIED_OPS:
            raise PlanError(f"{self.kind.upper()} compares with {self.op!r}")
        if self.kind != "exists" and self.column is None:
            raise PlanError(f"a {self.kind} subquery needs its value column")

    def __str__(self) -> str:
        inner = "(<subquery>)"
        text = {"scalar": inner, "exists": f"EXISTS {inner}"}.get(
            self.kind, f"{self.operand} {INFIX_SQL.get(self.op, self.op)} "
                       f"{self.kind.upper()} {inner}")
        return f"(NOT {text})" if self.negated else text


BExpr = ColumnRef | Const | ParamRef | Interval | Func | AggCall | OuterRef | SubqueryExpr

# the SQL spelling of every binary operator ``Func``, from the function registry (SQLite,
# DuckDB, Cypher and DataFusion agree on these symbols; which of them a source *evaluates*
# alike is the registry's ``exact_in``)
INFIX_SQL = functions.infix_symbols()



_PREFIX = {"not": "NOT ", "neg": "-"}
_POSTFIX = {"is_null": "IS NULL", "is_not_null": "IS NOT NULL"}


def fql_value(value: object) -> str:
    """A value as FQL writes it, for messages and plans.

    >>> fql_value("it's"), fql_value(Decimal("2.5")), fql_value(None), fql_value(True)
    ("'it''s'", '2.5', 'NULL', 'TRUE')
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return repr(value)


def fql_call(e: Func) -> str:
    """An operator or function as FQL text (``(k.kind NOT IN ('a', 'b'))``).

    >>> a = ColumnRef("t", "a", pa.int64())
    >>> fql_call(Func("not_in", (a, Const(1, pa.int64())), pa.bool_()))
    '(t.a NOT IN (1))'
    """
    args = [str(a) for a in e.args]
    name = e.name
    if name in INFIX_SQL and len(args) == 2:
        return f"({args[0]} {INFIX_SQL[name]} {args[1]})"
    if name in _PREFIX:
        return f"({_PREFIX[name]}{args[0]})"
    if name in _POSTFIX:
        return f"({args[0]} {_POSTFIX[name]})"
    if name in ("between", "not_between"):
        return f"({args[0]} {name.replace('_', ' ').upper()} {args[1]} AND {args[2]})"
    if name in ("in", "not_in"):
        return f"({args[0]} {name.replace('_', ' ').upper()} ({', '.join(args[1:])}))"
    if name == "cast":
        return f"CAST({args[0]} AS {e.option})"
    if name == "extract":
        return f"extract({e.option} FROM {args[0]})"
    if name == "case":
        pairs = " ".join(f"WHEN {args[i]} THEN {args[i + 1]}" for i in range(0, len(args) - 1, 2))
        default = f" ELSE {args[-1]}" if e.option == "else" else ""
        return f"CASE {pairs}{default} END"
    return functions.write(name, "duckdb", args, e.option) or f"{name}({', '.join(args)})"


def children(expr: BExpr) -> tuple[BExpr, ...]:
    if isinstance(expr, Func | AggCall):
        return expr.args
    if isinstance(expr, SubqueryExpr):
        return ((expr.operand,) if expr.operand is not None else ()) + expr.correlated
    return ()


def walk(expr: BExpr) -> Iterator[BExpr]:
    """Every node of ``expr``, parents before children."""
    yield expr
    for child in children(expr):
        yield from walk(child)


def columns_of(expr: BExpr) -> frozenset[str]:
    """Keys of the columns an expression reads."""
    if isinstance(expr, ColumnRef):
        return frozenset((expr.key,))
    keys: set[str] = set()
    stack = list(children(expr))
    while stack:
        node = stack.pop()
        if isinstance(node, ColumnRef):
            keys.add(node.key)
        else:
            stack.extend(children(node))
    return frozenset(keys)


def has_aggregate(expr: BExpr) -> bool:
    return any(isinstance(e, AggCall) for e in walk(expr))


def transform(expr: BExpr, fn: Callable[[BExpr], BExpr | None]) -> BExpr:
    """Rebuild ``expr`` top-down; where ``fn`` returns a node it replaces the subtree."""
    replaced = fn(expr)
    if replaced is not None:
        return replaced
    if isinstance(expr, Func):
        return Func(expr.name, tuple(transform(a, fn) for a in expr.args), expr.type, expr.option)
    if isinstance(expr, AggCall):
        args = tuple(transform(a, fn) for a in expr.args)
        return AggCall(expr.name, args, expr.type, expr.distinct)
    if isinstance(expr, SubqueryExpr) and children(expr):
        from planner.subquery_plans import transform_subquery  # the plan side lives there

        return transform_subquery(expr, lambda e: transform(e, fn))
    return expr


def substitute(expr: BExpr, mapping: dict[str, BExpr]) -> BExpr:
    """Replace column references by the expressions that define them."""
    return transform(expr, lambda e: mapping.get(e.key) if isinstance(e, ColumnRef) else None)


def conjuncts(expr: BExpr) -> tuple[BExpr, ...]:
    """Split an AND tree into its conjuncts.

    >>> a = ColumnRef("t", "a", pa.bool_()); b = ColumnRef("t", "b", pa.bool_())
    >>> [str(c) for c in conjuncts(Func("and", (a, b), pa.bool_()))]
    ['t.a', 't.b']
    """
    if isinstance(expr, Func) and expr.name == "and":
        return conjuncts(expr.args[0]) + conjuncts(expr.args[1])
    return (expr,)


def conjunction(parts: tuple[BExpr, ...] | list[BExpr]) -> BExpr | None:
    """AND the parts together (None for no parts)."""
    result: BExpr | None = None
    for part in parts:
        result = part if result is None else Func("and", (result, part), pa.bool_())
    return result
