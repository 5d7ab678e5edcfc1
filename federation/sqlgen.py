"""SQL text from bound expressions, for SQLite fragments and the DuckDB stage.

Identifiers come from the catalog or the binder and are always quoted; values never enter the
text: each one becomes a ``?`` and is appended to ``values`` in order. Numbers written in the
query itself are the one exception in the DuckDB dialect: they are printed from the parsed
``int``/``Decimal`` (never from raw text) so DuckDB types them exactly as it would the same
query, e.g. ``0.05`` as DECIMAL(3,2).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from decimal import Decimal

import pyarrow as pa

from planner import functions
from planner.expressions import (
    INFIX_SQL,
    AggCall,
    BExpr,
    ColumnRef,
    Const,
    Func,
    Interval,
    OuterRef,
    ParamRef,
    SubqueryExpr,
)
from planner.types import cast_target, family, int_range, integer_comparison

_INFIX = INFIX_SQL
_DATE_PARTS = frozenset({"year", "month", "day", "hour", "minute", "second", "week", "quarter",
                         "dow", "doy", "epoch"})
_UNITS = frozenset({"year", "quarter", "month", "day", "hour", "minute", "second", "week"})


def quote(identifier: str) -> str:
    """Quote an identifier for SQLite and DuckDB alike.

    >>> quote('we"ird')
    '"we""ird"'
    """
    return '"' + identifier.replace('"', '""') + '"'


def sqlite_value(value: object) -> object:
    """A value as SQLite stores it: dates as ISO-8601 text."""
    if isinstance(value, Decimal):  # compared by ``_double``/``_exact`` before this
        raise ValueError("a decimal reaches SQLite only through a comparison")
    if isinstance(value, dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) \
            else value.isoformat()
    return value


class SqlWriter:
    """Prints expressions in one dialect (``sqlite`` or ``duckdb``), collecting bound values."""

    def __init__(self, dialect: str, params: Mapping[str, object],
                 column: Callable[[ColumnRef], str],
                 subquery: Callable[[SubqueryExpr], str] | None = None) -> None:
        self.dialect = dialect
        self.params = params
        self.column = column
        # how a subquery is written (the DuckDB stage's plans only: no source receives one)
        self.subquery = subquery
        self.values: list[object] = []

    def bind(self, value: object) -> str:
        """A placeholder for ``value``, converted to what the engine stores.

        DuckDB placeholders are numbered (``$1``), so a clause printed once and used twice,
        or printed out of text order, still binds the right value.
        """
        if self.dialect == "sqlite":
            self.values.append(sqlite_value(value))
            return "?"
        if hasattr(value, "tolist"):  # numpy vectors bind as lists
            value = value.tolist()
        elif isinstance(value, tuple):
            value = list(value)
        self.values.append(value)
        mark = f"${len(self.values)}"
        if isinstance(value, dt.datetime):
            return f"CAST({mark} AS {'TIMESTAMP' if value.tzinfo is None else 'TIMESTAMPTZ'})"
        if isinstance(value, dt.date):
            return f"CAST({mark} AS DATE)"
        return mark

    def expr(self, e: BExpr) -> str:
        if isinstance(e, ColumnRef):
            return self.column(e)
        if isinstance(e, Const):
            return self._const(e.value)
        if isinstance(e, ParamRef):
            return self.bind(self.params[e.name])
        if isinstance(e, Interval):
            return _interval_sql(e)
        if isinstance(e, AggCall):
            return self._aggregate(e)
        if isinstance(e, OuterRef):  # keys are unique in the plan: the name finds its scope
            return self.column(e.ref)
        if isinstance(e, SubqueryExpr):
            if self.subquery is None:
                raise ValueError(f"no {self.dialect} form for a subquery")
            return self.subquery(e)
        return self._func(e)

    def _aggregate(self, e: AggCall) -> str:
        args = [self.expr(a) for a in e.args]
        if len(args) > 1 and e.name == "count":  # count(DISTINCT a, b): rows with no NULL
            present = " AND ".join(f"{a} IS NOT NULL" for a in args)
            args = [f"CASE WHEN {present} THEN row({', '.join(args)}) END"]
        distinct = "DISTINCT " if e.distinct else ""
        return f"{e.name}({distinct}{', '.join(args) or '*'})"

    def _in_keys(self, e: Func) -> str:
        """Passed join keys as ONE bound value (a JSON array): any number of keys, no
        statement-size or variable-count limit, and the statement text stays the same."""
        if self.dialect != "sqlite":
            raise ValueError("passed keys filter source fragments only")
        mark = self.bind(json.dumps(_keys(e, self.params)))
        return f"({self.expr(e.args[0])} IN (SELECT value FROM json_each({mark})))"

    def sort_key(self, expr: BExpr, descending: bool, nulls_first: bool | None) -> str:
        """``expr ASC|DESC [NULLS FIRST|LAST]`` (both dialects accept the NULLS clause).

        >>> w = SqlWriter("sqlite", {}, str)
        >>> w.sort_key(ColumnRef("t", "a", pa.int64()), True, False)
        't.a DESC NULLS LAST'
        """
        text = self.expr(expr) + (" DESC" if descending else " ASC")
        if nulls_first is not None:
            text += " NULLS FIRST" if nulls_first else " NULLS LAST"
        return text

    def _const(self, value: object) -> str:
        if value is None:
            return "NULL"
        if self.dialect == "duckdb":
            if isinstance(value, bool):
                return "TRUE" if value else "FALSE"
            if isinstance(value, int | Decimal):
                text = str(value)
                return f"({text})" if text.startswith("-") else text
        return self.bind(value)

    def _func(self, e: Func) -> str:
        if e.name == "in_keys":
            return self._in_keys(e)
        name = e.name
        mode = _sqlite_mode(e) if self.dialect == "sqlite" else ""
        if mode == "exact":
            return self._exact(e)
        a = [self._double(x) if mode == "double" else self.expr(x) for x in e.args]
        if name in _INFIX:
            return f"({a[0]} {_INFIX[name]} {a[1]})"
        if name == "not":
            return f"(NOT {a[0]})"
        if name == "neg":
            return f"(- {a[0]})"
        if name in ("between", "not_between"):
            op = "BETWEEN" if name == "between" else "NOT BETWEEN"
            return f"({a[0]} {op} {a[1]} AND {a[2]})"
        if name in ("in", "not_in"):
            return f"({a[0]} {'IN' if name == 'in' else 'NOT IN'} ({', '.join(a[1:])}))"
        if name in ("is_null", "is_not_null"):
            return f"({a[0]} IS {'NOT ' if name == 'is_not_null' else ''}NULL)"
        if name == "case":
            whens = " ".join(f"WHEN {a[i]} THEN {a[i + 1]}" for i in range(0, len(a) - 1, 2))
            default = f" ELSE {a[-1]}" if e.option == "else" else ""
            return f"(CASE {whens}{default} END)"
        if name == "cast" and cast_target(e.option) is not None:
            return f"CAST({a[0]} AS {e.option})"
        if name == "extract" and e.option in _DATE_PARTS:
            return f"extract({e.option} FROM {a[0]})"
        if name == "distance" and self.dialect == "duckdb":
            return _distance_sql(e, a[0], a[1])
        text = functions.write(name, self.dialect, a, e.option)
        if text is None:
            raise ValueError(f"no {self.dialect} form for {name}")
        return text


    # ---- numbers compared in SQLite as DuckDB compares them (see ``_sqlite_mode``)
    def _value(self, e: Const | ParamRef) -> object:
        return e.value if isinstance(e, Const) else self.params[e.name]

    def _double(self, e: BExpr) -> str:
        """``e`` as a DOUBLE operand: integers go through ``CAST(… AS REAL)`` (rounded to the
        nearest double, as DuckDB's BIGINT → DOUBLE), decimal values are bound as floats."""
        kind = family(e.type)
        if kind == "int":
            return f"CAST({self.expr(e)} AS REAL)"
        if kind == "decimal" and isinstance(e, Const | ParamRef):
            value = self._value(e)
            return self.bind(None if value is None else float(value))  # type: ignore[arg-type]
        return self.expr(e)

    def _exact(self, e: Func) -> str:
        """A comparison holding exact decimals (or integers beyond BIGINT): each pair is
        compared exactly, by SQL's definitions of BETWEEN (two comparisons) and IN (a
        disjunction of equalities)."""
        args, name = e.args, e.name
        if name in _MIRRORED:
            return self._exact_pair(name, args[0], args[1])
        if name in ("between", "not_between"):
            inner = (f"({self._exact_pair('ge', args[0], args[1])} AND "
                     f"{self._exact_pair('le', args[0], args[2])})")
            return inner if name == "between" else f"(NOT {inner})"
        if name in ("in", "not_in"):
            inner = "(" + " OR ".join(self._exact_pair("eq", args[0], item)
                                      for item in args[1:]) + ")"
            return inner if name == "in" else f"(NOT {inner})"
        raise ValueError(f"no exact SQLite form for {name}")

    def _exact_pair(self, op: str, left: BExpr, right: BExpr) -> str:
        if _is_exact_value(left) and not _is_exact_value(right):
            left, right, op = right, left, _MIRRORED[op]
        if isinstance(left, Const | ParamRef) and isinstance(right, Const | ParamRef):
            truth = _compare_values(op, self._value(left), self._value(right))
            return "NULL" if truth is None else self.bind(int(truth))
        if family(left.type) != "int" or not _is_exact_value(right):
            return f"({self.expr(left)} {_INFIX[op]} {self.expr(right)})"
        value = self._value(right)  # type: ignore[arg-type]
        if value is None:
            return f"({self.expr(left)} {_INFIX[op]} NULL)"
        found = integer_comparison(op, value, *int_range(left.type))  # type: ignore[arg-type]
        if isinstance(found, bool):  # same answer for every integer: keep NULL for NULL
            return f"({self.expr(left)} {'=' if found else '<>'} {self.expr(left)})"
        return f"({self.expr(left)} {_INFIX[found[0]]} {self.bind(found[1])})"


_MIRRORED = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
_COMPARING = frozenset({*_MIRRORED, "between", "not_between", "in", "not_in"})


def _is_exact_value(e: BExpr) -> bool:
    return isinstance(e, Const | ParamRef) and family(e.type) == "decimal"


def _sqlite_mode(e: Func) -> str:
    """How SQLite must compare the operands of ``e`` to answer as DuckDB does.

    SQLite compares an INTEGER with a REAL exactly; DuckDB converts the integer to DOUBLE
    (``9007199254740993 = 9007199254740992.0`` is true there), so with any float operand the
    integers are cast to REAL and decimals bound as floats (``"double"``). SQLite has no
    decimals; DuckDB compares an integer with a DECIMAL (or HUGEINT) exactly, so those pairs
    become integer comparisons that mean the same (``"exact"``).
    """
    if e.name not in _COMPARING:
        return ""
    kinds = {family(a.type) for a in e.args}
    if "float" in kinds and kinds & {"int", "decimal"}:
        return "double"
    return "exact" if "decimal" in kinds else ""


def _compare_values(op: str, a: object, b: object) -> bool | None:
    """``a op b`` for two bound numbers, in SQL's three-valued logic."""
    if a is None or b is None:
        return None
    x, y = Decimal(a), Decimal(b)  # type: ignore[arg-type]
    return {"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y, "gt": x > y,
            "ge": x >= y}[op]


def _interval_sql(e: Interval) -> str:
    """An interval as DuckDB reads the query's own literal: an integer amount as a number, a
    fraction as the literal's text (DuckDB decides what a fraction of a unit is); both come
    from the parsed number, never from raw query text."""
    if e.unit not in _UNITS:
        raise ValueError(f"interval unit {e.unit!r}")
    if isinstance(e.amount, Decimal):
        return f"(INTERVAL '{format(e.amount, 'f')}' {e.unit.upper()})"
    return f"(INTERVAL ({int(e.amount)}) {e.unit.upper()})"


def _keys(e: Func, params: Mapping[str, object]) -> list[object]:
    """The key list of an ``in_keys(column, $keys)`` filter (see ``planner.semijoin``)."""
    ref = e.args[1]
    assert isinstance(ref, ParamRef)
    return list(params[ref.name])  # type: ignore[call-overload]


def _distance_sql(e: Func, column: str, vector: str) -> str:
    """DuckDB form of ``distance(col, vec)`` in the metric of the column's source.

    ``l2`` is the squared Euclidean distance, which is what LanceDB reports as ``_distance``.
    """
    col_type = e.args[0].type
    if not pa.types.is_fixed_size_list(col_type):
        raise ValueError("distance() needs a fixed-size vector column")
    array = f"FLOAT[{int(col_type.list_size)}]"
    left, right = f"CAST({column} AS {array})", f"CAST({vector} AS {array})"
    if e.option == "l2":
        return f"(CAST(array_distance({left}, {right}) AS DOUBLE) ** 2)"
    if e.option == "cosine":
        return f"CAST(array_cosine_distance({left}, {right}) AS DOUBLE)"
    if e.option == "dot":
        return f"CAST(array_negative_inner_product({left}, {right}) AS DOUBLE)"
    raise ValueError(f"no DuckDB form for the {e.option!r} distance")
