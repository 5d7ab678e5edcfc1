"""LanceDB filter text from bound expressions, with DuckDB's semantics (DESIGN §3, §7).

LanceDB takes filters as DataFusion SQL text. Its typed builder (``lancedb.expr``, 0.40) has no
IS NULL, LIKE, BETWEEN or NULL literal, so the text is written here with a strict escaper:

* identifiers: checked against the table schema, always quoted with backticks (LanceDB's own
  ``col(...).to_sql()`` form; ``"x"`` also works). A name containing a backtick cannot be
  addressed at all by LanceDB (neither doubled nor double-quoted), so it is rejected clearly.
* strings: single-quoted, ``'`` doubled; backslashes are literal in DataFusion strings, so
  nothing else needs escaping (newline, tab, NUL, unicode all verified to come back as data).
  Strings that are not valid UTF-8 (lone surrogates) are rejected.
* ints as decimal text, floats by ``repr`` (±inf as ``CAST('inf' AS DOUBLE)``, NaN
  rejected), decimals as
  ``CAST('text' AS DECIMAL(p,s))``, bools ``TRUE``/``FALSE``, dates ``DATE 'yyyy-mm-dd'``,
  ``None`` as ``NULL``. Anything else is rejected.

The text goes to the Lance dataset scanner (``ds.scanner(filter=...)``, pylance 14.0.2), the
same DataFusion parser LanceDB hands it to; the DuckDB-oracle tests run on that path.

Semantics checked against DuckDB on the same Arrow table (0.40.0 / DataFusion):

* identical: = <> < <= > >=, AND/OR/NOT and IS [NOT] NULL with three-valued logic, IN/NOT IN
  (also with NULL in the list), [NOT] BETWEEN (also with NULL bounds), string comparison
  (byte order, case-sensitive: ``'core' <> 'Core'``), LIKE is case-sensitive in both and
  ``_`` matches one unicode character in both; ``-0.0 = 0.0`` and NaN ordering (largest,
  equal to itself) agree; dates compare correctly against ``DATE '…'`` literals (years 1-9999).
* LIKE: DataFusion treats ``\\`` as the escape character (and only accepts ``\\`` in ESCAPE),
  DuckDB has none. Patterns are rewritten so every ``\\`` is literal (``\\`` → ``\\\\`` for a
  value, ``replace(col, '\\', '\\\\')`` for a column pattern).
* numbers: LanceDB converts a literal to the column's type and *fails* when it cannot
  (``int_col > 2.5``, ``dec_col > 0.25``, an int out of the column's range, a negative int
  against an unsigned column). Each comparison is therefore written in the type DuckDB compares
  in: a Python float (a DOUBLE parameter) compares as DOUBLE (``CAST(col AS DOUBLE)`` for
  int, decimal and float32 columns: DuckDB does the same, e.g. ``float32 = 0.1`` differs from
  ``float32 = 0.1::DOUBLE``); a float32 column against int/decimal literals compares in FLOAT
  (the literal is cast, as DuckDB does); int/decimal values against int/decimal columns compare
  exactly (DECIMAL casts); ints beyond a column's range compare as DECIMAL(38,0).
* ``'2020-01-01'`` (a string) against a date column fails in LanceDB: only DATE literals are
  written, and the planner only pushes date values of the date family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pyarrow as pa

from federation.sources.lance_literals import (
    MAX_DECIMAL_DIGITS,
    decimal_literal,
    float_literal,
    like_pattern,
    normalize_value,
    quote_ident,
    string_literal,
)
from planner import functions
from planner.errors import BindError, PlanError
from planner.expressions import INFIX_SQL, BExpr, ColumnRef, Const, Func, ParamRef, walk

_CMP = {op: INFIX_SQL[op] for op in ("eq", "ne", "lt", "le", "gt", "ge")}
_WIDE = "DECIMAL(38,0)"


def is_keys(e: BExpr) -> bool:
    return isinstance(e, Func) and e.name == "in_keys"


# passed keys written into the filter at most, by key type; more are kept after the scan.
# Measured at TPC-H SF1 (lineitem, 6 M rows): an int64 IN list of 1 k-30 k keys read 1.3-3x
# faster than the scan plus a hash filter after it (Lance then reads the other columns of
# matching rows only), equal at 50 k, 2x slower at 200 k; a string IN list of 10 k keys was
# 3x slower than the filter after the scan.
FILTER_KEYS = {pa.int64(): 32_768, pa.string(): 64}


def key_values(f: BExpr, params: Mapping[str, object]) -> tuple[ColumnRef, Sequence[object]]:
    """The column and the keys of an ``in_keys`` filter (a KeyList stays one: millions of
    keys are never made Python values here)."""
    column, ref = f.args  # type: ignore[union-attr]
    assert isinstance(column, ColumnRef) and isinstance(ref, ParamRef)
    return column, params[ref.name]  # type: ignore[return-value]


def passed_keys(filters: Sequence[BExpr], params: Mapping[str, object]
                ) -> tuple[list[BExpr], tuple[tuple[str, Sequence[object]], ...]]:
    """The filters with ``in_keys`` resolved: up to ``FILTER_KEYS`` keys of an int64 or
    string column stay, to be written as an ``IN`` list (``FilterWriter``; Lance then reads the
    other columns of matching rows only); more keys are returned as (column, keys) to keep
    batch by batch after the scan (``lance_read.keep_keys``)."""
    written: list[BExpr] = []
    kept: list[tuple[str, Sequence[object]]] = []
    for f in filters:
        if not is_keys(f):
            written.append(f)
            continue
        column, keys = key_values(f, params)
        if 0 < len(keys) <= FILTER_KEYS.get(column.type, 0) and _listable(keys, column.type):
            written.append(f)
        else:
            kept.append((column.name, keys))
    return written, tuple(kept)


def _listable(keys: Sequence[object], column_type: pa.DataType) -> bool:
    """Whether every key can be written as a plain literal of the column's type: NULL (never
    matches), an int DataFusion reads as BIGINT (-2**63 itself parses as a float there) for
    an int64 column, a str for a string column; other keys are kept after the scan
    (``lance_read.keep_keys`` casts them to the column's type).

    >>> _listable((1, None), pa.int64()), _listable(("1",), pa.int64())
    (True, False)
    >>> _listable(("a",), pa.string()), _listable((1,), pa.string()), _listable((True,), pa.int64())
    (True, False, False)
    """
    if pa.types.is_string(column_type):
        return all(k is None or isinstance(k, str) for k in keys)
    return all(k is None or (isinstance(k, int) and not isinstance(k, bool)
                             and -(2 ** 63) < k < 2 ** 63) for k in keys)


def key_list(column: str, keys: Sequence[object]) -> str:
    """Passed keys as an IN list (NULL keys left out: they match no row).

    >>> key_list("`k`", (3, None, 1))
    '(`k` IN (3, 1))'
    >>> key_list("`s`", ("it's",))
    "(`s` IN ('it''s'))"
    >>> key_list("`k`", (None,))
    'FALSE'
    """
    items = [string_literal(k) if isinstance(k, str) else str(k)
             for k in keys if k is not None]
    return f"({column} IN ({', '.join(items)}))" if items else "FALSE"


def _is_numeric_value(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_numeric_type(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def _is_string_type(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _int_range(t: pa.DataType) -> tuple[int, int]:
    bits = t.bit_width
    if pa.types.is_signed_integer(t):  # -2**63 itself parses as a float in DataFusion
        return -(2 ** (bits - 1)) + (1 if bits == 64 else 0), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - 1


def _mode(types: Sequence[pa.DataType], values: Sequence[object]) -> str:
    """The type family DuckDB compares these operands in (see the module docstring)."""
    numeric_types = [t for t in types if _is_numeric_type(t)]
    if any(isinstance(v, float) for v in values) or any(pa.types.is_float64(t)
                                                        for t in numeric_types):
        return "double"
    if any(pa.types.is_floating(t) for t in numeric_types):
        return "float32"
    if any(pa.types.is_decimal(t) for t in numeric_types) or any(
            isinstance(v, Decimal) and v != v.to_integral_value() for v in values):
        return "decimal"
    ints = [int(v) for v in values if _is_numeric_value(v)]  # type: ignore[call-overload]
    for t in numeric_types:
        low, high = _int_range(t)
        if any(not low <= v <= high for v in ints):
            return "wide"
    return "int"


# predicates that only compare numbers, dates or booleans (with these operators)
_PLAIN = frozenset({*_CMP, "and", "or", "not", "is_null", "is_not_null", "between",
                    "not_between", "in", "not_in", "in_keys"})


def evaluation_cost(e: BExpr, columns: Mapping[str, pa.DataType]) -> int:
    """0 for a predicate over numbers, dates or booleans only; 1 when it reads a string
    column; 2 when it calls anything beyond comparisons (LIKE, functions).

    >>> cols = {"d": pa.date32(), "s": pa.string()}
    >>> d, s = ColumnRef("t", "d", pa.date32()), ColumnRef("t", "s", pa.string())
    >>> [evaluation_cost(Func(n, (c, c), pa.bool_()), cols)
    ...  for n, c in (("lt", d), ("in", s), ("like", s))]
    [0, 1, 2]
    """
    cost = 0
    for node in walk(e):
        if isinstance(node, Func) and node.name not in _PLAIN:
            return 2
        if isinstance(node, ColumnRef) and _is_string_type(columns.get(node.name, node.type)):
            cost = 1
    return cost


def cheap_first(filters: Sequence[BExpr], columns: Mapping[str, pa.DataType]) -> list[BExpr]:
    """The conjuncts in the order Lance should test them: cheapest first, query order kept
    among equals. The order Lance is given is the order that counts (measured), and a string
    IN list costs several times a date range: TPC-H Q12's lineitem scan measured 240 ms
    with its ``l_shipmode IN (…)`` first and 140 ms with it last (as DuckDB's own filter
    ordering heuristic would put it)."""
    return sorted(filters, key=lambda f: evaluation_cost(f, columns))


class FilterWriter:
    """Prints pushed predicates of one table as a LanceDB filter; records the values used."""

    def __init__(self, rel: str, columns: Mapping[str, pa.DataType],
                 params: Mapping[str, object]) -> None:
        self.rel = rel
        self.columns = columns
        self.params = params
        self.values: list[object] = []

    def where(self, filters: Sequence[BExpr]) -> str | None:
        parts = [self.expr(f) for f in cheap_first(filters, self.columns)]
        return " AND ".join(parts) if parts else None

    def column(self, col: ColumnRef) -> str:
        if col.rel != self.rel or col.name not in self.columns:
            raise PlanError(f"column {col.key} is not a column of the LanceDB table")
        return quote_ident(col.name)

    def value(self, e: Const | ParamRef) -> object:
        if isinstance(e, Const):
            raw = e.value
        elif e.name in self.params:
            raw = self.params[e.name]
        else:
            raise BindError(f"parameter ${e.name} has no value")
        value = normalize_value(raw)
        self.values.append(value)
        return value

    def expr(self, e: BExpr) -> str:
        if isinstance(e, Func):
            return self._func(e)
        return self._operands((e,))[0]

    def _func(self, e: Func) -> str:
        name, args = e.name, e.args
        if name in ("and", "or"):
            return f"({self.expr(args[0])} {name.upper()} {self.expr(args[1])})"
        if name == "not":
            return f"(NOT {self.expr(args[0])})"
        if name in ("is_null", "is_not_null"):
            return f"({self.expr(args[0])} IS {'NOT ' if name == 'is_not_null' else ''}NULL)"
        if name in _CMP:
            left, right = self._operands(args)
            return f"({left} {_CMP[name]} {right})"
        if name in ("between", "not_between"):
            x, low, high = self._operands(args)
            return f"({x} {'NOT ' if name == 'not_between' else ''}BETWEEN {low} AND {high})"
        if name in ("in", "not_in") and len(args) > 1:
            x, *items = self._operands(args)
            return f"({x} {'NOT ' if name == 'not_in' else ''}IN ({', '.join(items)}))"
        if name in ("like", "not_like"):
            return self._like(e)
        if name == "in_keys":  # kept by passed_keys: a few keys, each a plain literal
            column, ref = args
            assert isinstance(column, ColumnRef) and isinstance(ref, ParamRef)
            keys: tuple[object, ...] = tuple(self.params[ref.name])  # type: ignore[arg-type]
            self.values.append(keys)
            return key_list(self.column(column), keys)
        text = functions.write(name, "lance", [self.expr(x) for x in args], e.option)
        if text is None:
            raise PlanError(f"LanceDB filters have no form for {name}")
        return text

    def _like(self, e: Func) -> str:
        subject, pattern = e.args
        op = "NOT LIKE" if e.name == "not_like" else "LIKE"
        if isinstance(subject, ColumnRef) and not _is_string_type(self._type(subject)):
            raise PlanError(f"LIKE on the non-string column {subject.key} is not pushed")
        left = self.expr(subject)
        if isinstance(pattern, Const | ParamRef):
            value = self.value(pattern)
            if value is not None and not isinstance(value, str):
                raise BindError(f"LIKE pattern must be a string, not {value!r}")
            right = "NULL" if value is None else like_pattern(value)
        elif isinstance(pattern, ColumnRef):
            right = f"replace({self.column(pattern)}, '\\', '\\\\')"
        else:
            raise PlanError("LIKE pattern must be a value or a column in a LanceDB filter")
        return f"({left} {op} {right})"

    def _operands(self, args: Sequence[BExpr]) -> list[str]:
        """Operands compared with each other, each written in the comparison's type."""
        values = {i: self.value(a) for i, a in enumerate(args) if isinstance(a, Const | ParamRef)}
        types = [self._type(a) for a in args if not isinstance(a, Const | ParamRef)]
        mode = _mode(types, list(values.values()))
        return [self._literal(values[i], mode) if i in values
                else self._operand(a, mode) for i, a in enumerate(args)]

    def _type(self, e: BExpr) -> pa.DataType:
        if isinstance(e, ColumnRef):
            return self.columns.get(e.name, e.type)
        return e.type

    def _operand(self, e: BExpr, mode: str) -> str:
        if not isinstance(e, ColumnRef):
            return self.expr(e)
        text, t = self.column(e), self.columns[e.name]
        if not _is_numeric_type(t):
            return text
        if mode == "double" and not pa.types.is_float64(t):
            return f"CAST({text} AS DOUBLE)"
        if mode == "wide":
            return f"CAST({text} AS {_WIDE})"
        return text

    @staticmethod
    def _literal(value: object, mode: str) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, str):
            return string_literal(value)
        if isinstance(value, dt.date):
            return f"DATE '{value.isoformat()}'"
        if mode == "float32" and isinstance(value, int | Decimal):
            # the cast is written out: DataFusion casts a bare literal to the column's FLOAT
            # in ``f <= 0.1`` but compares in DOUBLE once the same test is under NOT
            return f"CAST({float_literal(float(value))} AS FLOAT)"
        if isinstance(value, float) or (mode == "double" and isinstance(value, Decimal)):
            return float_literal(float(value))
        if isinstance(value, int | Decimal):
            return _exact_literal(value, mode)
        raise BindError(f"a {type(value).__name__} value cannot be used in a LanceDB filter")


def _exact_literal(value: int | Decimal, mode: str) -> str:
    """An int (or integral decimal), or any decimal compared as DECIMAL."""
    if mode == "decimal":
        return decimal_literal(Decimal(value))
    number = int(value)
    if mode == "wide":
        if abs(number) >= 10 ** MAX_DECIMAL_DIGITS:
            raise BindError(f"integer {number} is out of the range LanceDB filters compare")
        return f"CAST('{number}' AS {_WIDE})"
    # "int": the value fits every integer column compared (a uint64 one up to 2**64 - 1),
    # and DataFusion reads such a literal as the column's type
    if -(2 ** 63) < number < 2 ** 63 or (mode == "int" and 0 <= number < 2 ** 64):
        return str(number)
    if mode == "double":
        return float_literal(float(number))
    if number == -(2 ** 63):  # no bare literal: its digits overflow before the minus applies
        return f"CAST('{number}' AS BIGINT)"
    raise BindError(f"integer {number} is out of the range LanceDB filters compare")
