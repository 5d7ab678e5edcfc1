"""Cypher text of bound expressions: every value a ``$parameter``, DuckDB's semantics kept.

NULL semantics (checked against DuckDB on Kuzu 0.11.3, see ``tests/sources``): comparisons,
AND/OR/NOT and IS [NOT] NULL follow SQL's three-valued logic. ``x IN [a, NULL]`` does not:
Kuzu answers FALSE where SQL answers NULL (so ``NOT (2 IN [1, NULL])`` is TRUE in Kuzu). The
writer therefore binds the non-NULL values as one list parameter and, when the SQL list holds
a NULL, writes ``(x IN $p OR NULL)``, which is exactly SQL's answer. BETWEEN is written as
``(x >= lo AND x <= hi)``, SQL's definition.

NaN: Kuzu does not order NaN as DuckDB does (DuckDB: NaN = NaN and NaN is above every number;
Kuzu: ``NaN = NaN`` is false, ``NaN < 1`` and ``NaN <= 0`` are true, and with a NaN parameter
even ``NULL < $nan`` is true). A float or decimal comparison against a bound number that is
not NaN gets a guard that forces DuckDB's answer when the other side is NaN
(``(x > $p OR x <> x)``, ``(x < $p AND x = x)``: ``x <> x`` is true only for NaN and NULL for
NULL); any other float comparison becomes ``CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN
<a or b is NaN> THEN <DuckDB's answer> ELSE a < b END``. IN lists test NaN apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import pyarrow as pa

from planner import functions
from planner.capabilities import like_needs_regex
from planner.errors import PlanError
from planner.expressions import INFIX_SQL, BExpr, ColumnRef, Const, Func, ParamRef
from planner.types import family, int_range, integer_comparison

_INFIX = {op: INFIX_SQL[op] for op in ("eq", "ne", "lt", "le", "gt", "ge", "and", "or")}
_MIRROR = {"gt": "lt", "ge": "le"}
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1
_MIRRORED = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def quote_name(name: str) -> str:
    """A label or property name between backticks.

    >>> quote_name("Agent")
    '`Agent`'
    """
    if not name or name.replace("``", "").count("`"):
        raise PlanError(f"the graph name {name!r} cannot be written in Cypher")
    return f"`{name}`"


def string_literal(text: str) -> str:
    """A Cypher string literal, for the catalog procedures that take no parameters.

    >>> string_literal("it's")
    "'it\\\\'s'"
    """
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"



def _nan_aware(args: Sequence[BExpr]) -> bool:
    return any(family(a.type) in ("float", "decimal") for a in args)


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _value(value: object) -> object:
    """A bound value as the number it compares as when it meets a float (NaN detection)."""
    return float(value) if isinstance(value, Decimal) else value


def _is_float32(t: pa.DataType) -> bool:
    return pa.types.is_float32(t) or pa.types.is_float16(t)


def _context(value: object, other: BExpr) -> str:
    """How a bound number meets ``other`` in DuckDB: a decimal against a DOUBLE becomes a
    DOUBLE (``"double"``); an integer or decimal against a FLOAT becomes a FLOAT
    (``"float32"``: ``est = 0.1`` is true for a FLOAT 0.1, as in DuckDB); otherwise it
    keeps its own type (decimals stay exact)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal) \
            or family(other.type) != "float" or isinstance(other, Const | ParamRef):
        return ""
    return "float32" if _is_float32(other.type) else (
        "double" if isinstance(value, Decimal) or not _INT64[0] <= value <= _INT64[1] else "")


def _wide(value: object) -> bool:
    """An integer Kuzu's driver cannot bind (it takes 64-bit signed integers only)."""
    return isinstance(value, int) and not isinstance(value, bool) \
        and not _INT64[0] <= value <= _INT64[1]


class CypherWriter:
    """Prints predicates, collecting ``(name, value)`` pairs for named parameters."""

    def __init__(self, params: Mapping[str, object],
                 column: Callable[[ColumnRef], str]) -> None:
        self.params = params
        self.column = column
        self.values: list[tuple[str, object]] = []

    def bind(self, value: object, context: str = "") -> str:
        """A ``$pN`` placeholder for ``value`` (SQL NULL is written as ``NULL``) in the type
        ``context`` (see ``_context``) gives it."""
        if value is None:
            return "NULL"
        name = f"p{len(self.values)}"
        if context:
            self.values.append((name, float(value)))  # type: ignore[arg-type]
            return f"CAST(${name} AS FLOAT)" if context == "float32" else f"${name}"
        if _wide(value):  # a UINT64 bound (see ``_exact``), else an exact decimal
            assert isinstance(value, int)
            if value <= _UINT64_MAX:
                self.values.append((name, str(value)))
                return f"CAST(${name} AS UINT64)"
            value = Decimal(value)
        self.values.append((name, value))
        return f"${name}"

    def expr(self, e: BExpr) -> str:
        if isinstance(e, ColumnRef):
            return self.column(e)
        if isinstance(e, Const):
            return self.bind(e.value)
        if isinstance(e, ParamRef):
            if e.name not in self.params:
                raise PlanError(f"no value for parameter ${e.name}")
            return self.bind(self.params[e.name])
        if isinstance(e, Func):
            return self._func(e)
        raise PlanError(f"no Cypher form for {e}")

    def _func(self, e: Func) -> str:
        name = e.name
        if name in ("and", "or"):
            a, b = (self.expr(x) for x in e.args)
            return f"({a} {_INFIX[name]} {b})"
        if name in _INFIX:
            return self._compare(name, e.args[0], e.args[1])
        if name == "not":
            return f"(NOT {self.expr(e.args[0])})"
        if name in ("is_null", "is_not_null"):
            return f"({self.expr(e.args[0])} IS {'NOT ' if name == 'is_not_null' else ''}NULL)"
        if name in ("between", "not_between"):
            x, lo, hi = e.args
            inner = f"({self._compare('ge', x, lo)} AND {self._compare('le', x, hi)})"
            return inner if name == "between" else f"(NOT {inner})"
        if name == "in_keys":
            return self._in_keys(e)
        if name in ("in", "not_in"):
            inner = self._in(e.args[0], e.args[1:])
            return inner if name == "in" else f"(NOT {inner})"
        if name in ("like", "not_like"):
            inner = self._like(e.args[0], e.args[1])
            return inner if name == "like" else f"(NOT {inner})"
        text = functions.write(name, "cypher", [self.expr(x) for x in e.args], e.option)
        if text is None:
            raise PlanError(f"no Cypher form for {name}")
        return text

    def _in_keys(self, e: Func) -> str:
        """Passed join keys (``planner.semijoin``) as ONE list parameter tested with ``IN``
        (an ``UNWIND $keys … MATCH`` was measured 27x slower); no keys match nothing.

        Kuzu tests a row against the whole list, so integer keys get a range guard first:
        only the rows between the smallest and the largest key meet the list, and the
        executor passes sorted keys in chunks, each a narrow range (747 part keys over TPC-H
        SF1's 800 000 partsupp rows: 163 ms in chunks of 100 without the guard, 44 ms with
        it, 69 ms for the whole read)."""
        column, ref = e.args
        assert isinstance(ref, ParamRef)
        keys = list(self.params[ref.name])  # type: ignore[call-overload]
        if not keys:
            return "false"
        text = self.expr(column)
        name = self._bound(keys)
        if family(column.type) != "int" or len(keys) < 2:
            return f"({text} IN ${name})"
        low, high = self._bound(min(keys)), self._bound(max(keys))
        return f"({text} >= ${low} AND {text} <= ${high} AND {text} IN ${name})"

    def _bound(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values.append((name, value))
        return name

    def _compare(self, op: str, left: BExpr, right: BExpr) -> str:
        """``left op right``; with floats, in DuckDB's total order (NaN = NaN, NaN above all).

        Kuzu orders a stored NaN otherwise: ``NaN < 1`` and ``NaN <= 1`` are true there,
        ``NaN > 1`` and ``NaN = NaN`` false. Against a number known not to be NaN, a guard
        (``x = x`` is false only for NaN, NULL for NULL) forces DuckDB's answer; otherwise a
        CASE decides the NaN cases itself and keeps NULL → NULL.
        """
        exact = self._exact(op, left, right)
        if exact is not None:
            return exact
        a, b = self._operand(left, right), self._operand(right, left)
        known = (self._number(left), self._number(right))
        if not _nan_aware((left, right)) or all(known):
            return f"({a} {_INFIX[op]} {b})"
        if any(known):  # one side may be NaN: force DuckDB's answer for it
            n = b if known[0] else a
            nan_true = op == "ne" or op in (("lt", "le") if known[0] else ("gt", "ge"))
            return (f"({a} {_INFIX[op]} {b} OR {n} <> {n})" if nan_true
                    else f"({a} {_INFIX[op]} {b} AND {n} = {n})")
        if op in ("gt", "ge"):  # from here on: lt, le, eq or ne
            a, b, op = b, a, _MIRROR[op]
        if op in ("eq", "ne"):
            core, nan = f"{a} = {b}", f"{a} <> {a} AND {b} <> {b}"
        else:  # a < b, and a <= b as NOT b < a
            a, b = (b, a) if op == "le" else (a, b)
            core, nan = f"{a} < {b}", f"{b} <> {b} AND {a} = {a}"
        case = (f"(CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL WHEN {a} <> {a} OR "
                f"{b} <> {b} THEN ({nan}) ELSE ({core}) END)")
        return f"(NOT {case})" if op in ("ne", "le") else case

    def _operand(self, e: BExpr, other: BExpr) -> str:
        if isinstance(e, Const | ParamRef):
            value = self._resolve(e)
            return self.bind(value, _context(value, other))
        return self.expr(e)

    def _exact(self, op: str, left: BExpr, right: BExpr) -> str | None:
        """An integer against a decimal value (or an integer beyond BIGINT) compared exactly,
        as DuckDB does, through an integer comparison that means the same (Kuzu would narrow
        a wide decimal)."""
        if isinstance(left, Const | ParamRef):
            left, right, op = right, left, _MIRRORED[op]
        if family(left.type) != "int" or isinstance(left, Const | ParamRef) \
                or not isinstance(right, Const | ParamRef) or family(right.type) != "decimal":
            return None
        value = self._resolve(right)
        if not isinstance(value, int | Decimal):
            return None
        found = integer_comparison(op, value, *int_range(left.type))
        x = self.expr(left)
        if isinstance(found, bool):  # the same answer for every integer; NULL stays NULL
            return f"({x} {'=' if found else '<>'} {x})"
        return f"({x} {_INFIX[found[0]]} {self.bind(found[1])})"

    def _number(self, e: BExpr) -> bool:
        """A bound value that is a number and not NaN."""
        if not isinstance(e, Const | ParamRef):
            return False
        value = _value(self._resolve(e))
        return isinstance(value, int | float) and not isinstance(value, bool) \
            and not _is_nan(value)

    def _in(self, subject: BExpr, items: Sequence[BExpr]) -> str:
        # a DECIMAL list parameter is unreliable in Kuzu 0.11.3 (no match, or a crash with
        # CAST($p AS DECIMAL(18,3)[])): a DECIMAL subject is tested item by item, SQL's IN
        if not all(isinstance(i, Const | ParamRef) for i in items) \
                or family(subject.type) == "decimal":
            return "(" + " OR ".join(self._compare("eq", subject, i) for i in items) + ")"
        x = self.expr(subject)
        values = [self._resolve(i) for i in items]
        present, cast = _in_list(subject, [v for v in values
                                           if v is not None and not _is_nan(_value(v))])
        name = f"p{len(self.values)}"
        if family(subject.type) == "int" and any(_wide(v) for v in present):
            present, cast = [str(v) for v in present], "UINT64"  # kept by _in_list: UINT64
        self.values.append((name, present))
        text = f"{x} IN " + (f"CAST(${name} AS {cast}[])" if cast else f"${name}")
        if any(_is_nan(v) for v in values):  # NaN IN (NaN) is true in DuckDB
            text += f" OR {x} <> {x}"
        if any(v is None for v in values):  # SQL: not found in a list holding NULL → NULL
            text += " OR NULL"
        return f"({text})"

    def _like(self, subject: BExpr, pattern: BExpr) -> str:
        """SQL's ``subject LIKE pattern`` for a pattern known now (see ``like_form``)."""
        if not isinstance(pattern, Const | ParamRef):
            raise PlanError("Kuzu takes LIKE only with a literal or parameter pattern")
        value = self._resolve(pattern)
        if value is not None and not isinstance(value, str):
            raise PlanError(f"LIKE pattern {value!r} is not a string")
        operator, operand = like_form(value)
        return f"({self.expr(subject)} {operator} {self.bind(operand)})"

    def _resolve(self, item: BExpr) -> object:
        if isinstance(item, Const):
            return item.value
        assert isinstance(item, ParamRef)
        if item.name not in self.params:
            raise PlanError(f"no value for parameter ${item.name}")
        return self.params[item.name]


def _in_list(subject: BExpr, values: list[object]) -> tuple[list[object], str]:
    """The non-NULL values of ``subject IN (…)`` as one Kuzu list of one element type, and
    the element type it is cast to ("FLOAT", or "" for none). As in DuckDB: any float makes
    the list DOUBLE; against a FLOAT subject ints and decimals become FLOAT; against an
    integer subject a decimal equals only its integral value (others can never be equal and
    are left out)."""
    numbers = [v for v in values if isinstance(v, int | float | Decimal)
               and not isinstance(v, bool)]
    if len(numbers) != len(values) or not numbers:
        return values, ""
    if any(isinstance(v, float) for v in numbers) or (
            family(subject.type) == "float" and not _is_float32(subject.type)):
        return [float(v) for v in numbers], ""
    if _is_float32(subject.type):
        return [float(v) for v in numbers], "FLOAT"
    if family(subject.type) != "int":
        return values, ""
    kept: list[object] = []
    for v in numbers:
        found = integer_comparison("eq", v, *int_range(subject.type))  # type: ignore[arg-type]
        if not isinstance(found, bool):
            kept.append(found[1])
    return kept, ""


def like_form(pattern: str | None) -> tuple[str, str | None]:
    r"""(Kuzu operator, bound operand) giving SQL's ``x LIKE pattern``, as DuckDB reads it: no
    escape character, case-sensitive, ``_`` one character (a code point, newlines too).

    Kuzu's string operators keep NULL → NULL. With no ``_`` and ``%`` only at the ends the
    pattern is a prefix, suffix, infix or equality test; otherwise it becomes a regular
    expression for ``=~``, which matches the whole string (RE2): ``(?s)`` lets ``.`` match a
    newline, and every character but an ASCII letter or digit is written as ``\x{…}``, so no
    character of the pattern is a regex operator.

    >>> like_form("ab%"), like_form("%a_%")
    (('STARTS WITH', 'ab'), ('=~', '(?s).*a..*'))
    """
    if pattern is None:
        return "=", None
    core = pattern.strip("%")
    if not like_needs_regex(pattern):
        lead, trail = pattern.startswith("%"), pattern.endswith("%")
        if lead and trail:
            return ("CONTAINS", core) if core else ("STARTS WITH", "")
        return ("ENDS WITH" if lead else "STARTS WITH" if trail else "=", core)
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else
                    ch if ch.isascii() and ch.isalnum() else f"\\x{{{ord(ch):x}}}"
                    for ch in pattern)
    return "=~", "(?s)" + regex
