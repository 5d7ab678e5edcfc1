"""FQL abstract syntax tree: frozen dataclasses named after the grammar rules.

Every node keeps the ``line`` and ``column`` of its first token so that the binder can point
at the exact place of an unknown name. Positions are excluded from equality so that two parses
of the same text compare equal whatever the whitespace. The relation forms of a FROM clause
and ``sources_of`` are in ``grammar.ast_relations``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the relation forms hold queries, so the two modules refer to each other
    from grammar.ast_relations import Relation


@dataclass(frozen=True)
class Node:
    line: int = field(default=0, compare=False, kw_only=True)
    column: int = field(default=0, compare=False, kw_only=True)


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, eq=False)
class Literal(Node):
    """A constant from the query text: int, Decimal, str, bool, None, date, datetime.

    Equal only when type and spelling match: Python calls ``1 == True == 1.0`` and
    ``Decimal("0.1") == Decimal("0.10")``, but each is a different query (its result type
    differs), and plans are cached by the query.

    >>> Literal(1) == Literal(True), Literal(1) == Literal(1)
    (False, True)
    """

    value: int | Decimal | float | str | bool | dt.date | dt.datetime | None

    def _typed(self) -> tuple[type, str]:
        return type(self.value), repr(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Literal) and self._typed() == other._typed()

    def __hash__(self) -> int:
        return hash(self._typed())


@dataclass(frozen=True)
class IntervalLiteral(Node):
    amount: int | Decimal  # a fraction is kept as written: DuckDB decides what it means
    unit: str  # normalised: year, quarter, month, week, day, hour, minute, second


@dataclass(frozen=True)
class Param(Node):
    name: str


@dataclass(frozen=True)
class Column(Node):
    """``rel.name`` or a bare ``name`` (``rel`` is None)."""

    rel: str | None
    name: str


@dataclass(frozen=True)
class BinaryOp(Node):
    op: str  # + - * / // % || = <> < <= > >= and or, is [not] distinct from
    left: Expr
    right: Expr


@dataclass(frozen=True)
class UnaryOp(Node):
    op: str  # not, neg, is_true, is_not_true, is_false, is_not_false
    operand: Expr


@dataclass(frozen=True)
class Between(Node):
    operand: Expr
    low: Expr
    high: Expr
    negated: bool = False


@dataclass(frozen=True)
class InList(Node):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True)
class Like(Node):
    operand: Expr
    pattern: Expr
    negated: bool = False


@dataclass(frozen=True)
class PatternMatch(Node):
    """``ILIKE`` and ``LIKE … ESCAPE`` (a plain LIKE is a ``Like``)."""

    operand: Expr
    pattern: Expr
    negated: bool = False
    case_insensitive: bool = False
    escape: Expr | None = None


@dataclass(frozen=True)
class IsNull(Node):
    operand: Expr
    negated: bool = False


@dataclass(frozen=True)
class Call(Node):
    """A function call; aggregates are calls too (the binder tells them apart)."""

    name: str
    args: tuple[Expr, ...]
    distinct: bool = False
    star: bool = False  # count(*)
    ignore_nulls: bool | None = None  # f(x IGNORE NULLS) True, RESPECT NULLS False, else None


@dataclass(frozen=True)
class AggFilter(Node):
    """``agg(…) FILTER (WHERE condition)`` (i10-b)."""

    call: Call
    condition: Expr


@dataclass(frozen=True)
class FrameBound(Node):
    """One end of a window frame: ``kind`` is unbounded_preceding, preceding, current_row,
    following or unbounded_following; ``offset`` counts rows (or the RANGE distance)."""

    kind: str
    offset: int | None = None


@dataclass(frozen=True)
class WindowFrame(Node):
    units: str  # rows, range, groups
    start: FrameBound
    end: FrameBound
    exclude: str | None = None  # current row, group, ties, no others


@dataclass(frozen=True)
class WindowCall(Node):
    """``func(…) OVER (PARTITION BY … ORDER BY … [frame])`` (i10-b)."""

    call: Call | AggFilter
    partition: tuple[Expr, ...] = ()
    order: tuple[OrderItem, ...] = ()
    frame: WindowFrame | None = None


@dataclass(frozen=True)
class Case(Node):
    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr | None


@dataclass(frozen=True)
class SimpleCase(Node):
    """``CASE x WHEN v THEN …``: SQL defines it as ``CASE WHEN x = v THEN …``."""

    operand: Expr
    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr | None


@dataclass(frozen=True)
class Cast(Node):
    operand: Expr
    type_name: str  # normalised upper-case, e.g. DECIMAL(10,2)


@dataclass(frozen=True)
class Extract(Node):
    part: str
    operand: Expr


@dataclass(frozen=True)
class ScalarSubquery(Node):
    """``(SELECT …)`` as a value: its one column of its one row (NULL when it has none)."""

    query: QueryExpr


@dataclass(frozen=True)
class Exists(Node):
    query: QueryExpr


@dataclass(frozen=True)
class InSubquery(Node):
    operand: Expr
    query: QueryExpr
    negated: bool = False


@dataclass(frozen=True)
class Quantified(Node):
    """``operand op ANY|ALL (SELECT …)`` (SOME is ANY)."""

    operand: Expr
    op: str  # = <> < <= > >=
    quantifier: str  # any, all
    query: QueryExpr


Expr = (
    Literal | IntervalLiteral | Param | Column | BinaryOp | UnaryOp | Between | InList | Like
    | IsNull | Call | Case | Cast | Extract | ScalarSubquery | Exists | InSubquery | Quantified
    | AggFilter | WindowCall | PatternMatch | SimpleCase
)


# ---------------------------------------------------------------- select list


@dataclass(frozen=True)
class Star(Node):
    rel: str | None = None  # ``a.*`` when set
    exclude: tuple[str, ...] = ()  # ``* EXCLUDE (a, b)``


@dataclass(frozen=True)
class SelectExpr(Node):
    expr: Expr
    alias: str | None


SelectItem = Star | SelectExpr

# ---------------------------------------------------------------- WITH


@dataclass(frozen=True)
class Cte(Node):
    """``name [(columns)] AS (query)`` of a WITH clause."""

    name: str
    query: QueryExpr
    columns: tuple[str, ...] = ()


# ---------------------------------------------------------------- query


@dataclass(frozen=True)
class OrderItem(Node):
    expr: Expr
    descending: bool = False
    nulls_first: bool | None = None


@dataclass(frozen=True)
class Query(Node):
    select: tuple[SelectItem, ...]
    from_: tuple[Relation, ...]
    where: Expr | None = None
    group_by: tuple[Expr, ...] = ()
    having: Expr | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: Expr | None = None
    offset: Expr | None = None
    distinct: bool = False
    ctes: tuple[Cte, ...] = ()  # WITH
    recursive: bool = False  # WITH RECURSIVE
    # i10-b: DISTINCT ON (…), GROUP BY ALL, QUALIFY
    distinct_on: tuple[Expr, ...] = ()
    group_all: bool = False
    qualify: Expr | None = None

    def __hash__(self) -> int:
        # plans are cached by query; hashing a deep tree on every lookup would cost more
        # than the lookup saves, so the hash is computed once
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.select, self.from_, self.where, self.group_by, self.having,
                           self.order_by, self.limit, self.offset, self.distinct, self.ctes,
                           self.recursive, self.distinct_on, self.group_all, self.qualify))
            object.__setattr__(self, "_hash", cached)
        return cached


@dataclass(frozen=True)
class SetOperation(Node):
    """``left UNION|INTERSECT|EXCEPT [ALL] right``, with the ORDER BY / LIMIT of the whole
    and the WITH in front of the whole (its CTEs are visible in every branch)."""

    op: str  # union, intersect, except
    all: bool
    left: QueryExpr
    right: QueryExpr
    order_by: tuple[OrderItem, ...] = ()
    limit: Expr | None = None
    offset: Expr | None = None
    ctes: tuple[Cte, ...] = ()  # WITH
    recursive: bool = False  # WITH RECURSIVE


QueryExpr = Query | SetOperation
