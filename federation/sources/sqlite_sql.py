"""SQLite forms of LIKE and of long IN lists, on top of the shared ``SqlWriter``.

LIKE: SQLite's LIKE reads both strings as C strings and stops at the first NUL byte
(``'a' || char(0) || 'b' LIKE 'a'`` is true there, false in DuckDB), and ``replace()`` cannot
replace a NUL. So each side of a pushed LIKE goes through ``nul_free``: a value holding a NUL
has each NUL replaced (on the blob, by a recursive CTE, one step per NUL) with the bytes
``F4 90 80 80``. SQLite's LIKE reads those as one character, code point 0x110000, which no
valid UTF-8 text holds; so a former NUL matches ``_``, ``%`` or a former NUL of the pattern
and nothing else, exactly as DuckDB matches a NUL. Values without a NUL are compared as they
are (one ``instr`` per row). Text that is not valid UTF-8 can read as anything, but the
engine refuses to return it anyway.

IN: each item of ``x IN (a, b, …)`` is one bound variable, and SQLite allows 32 766 (and an
exact decimal list, one comparison per item, nests past SQLite's expression depth of 1 000);
a list of bound values longer than ``JSON_LIST_MIN`` is bound as ONE JSON array and read with
``json_each`` (as passed join keys are), so any length works and the text stays short. The
items are the values the one-by-one form compares (see ``_json_items``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

from federation.sqlgen import SqlWriter, _sqlite_mode, quote
from planner.expressions import BExpr, Const, Func, ParamRef, SubqueryExpr
from planner.logical import Scan, TableAccess
from planner.pushed_scalars import scalar_read
from planner.pushed_subqueries import inner_read
from planner.types import family

JSON_LIST_MIN = 100  # items; shorter lists keep one placeholder per item
_NUL_FOR = b"\xf4\x90\x80\x80"  # read by SQLite's LIKE as code point 0x110000: no text has it
_JSON_FAMILIES = frozenset({"int", "float", "string", "date", "bool", "null"})
_INT64 = (-(2**63), 2**63 - 1)


class SqliteWriter(SqlWriter):
    """``SqlWriter("sqlite", …)`` with NUL-exact LIKE, one-value IN lists and the subqueries
    ``planner.pushed_subqueries`` lets SQLite answer."""

    def __init__(self, params: object, column: object) -> None:
        super().__init__("sqlite", params, column,  # type: ignore[arg-type]
                         subquery=self._pushed_subquery)

    def _pushed_subquery(self, e: SubqueryExpr) -> str:
        if e.kind == "scalar":
            return self._scalar(e)
        read = inner_read(e)
        if read is None:
            raise ValueError("SQLite receives only the subqueries planner.pushed_subqueries "
                             "accepts")
        filters = read.scan.filters + read.correlated
        if e.operand is None:
            text = f"EXISTS (SELECT 1 {from_where(self, read.scan.tables, filters)})"
        else:
            assert read.value is not None
            # printed in text order: the operand's ``?`` values bind before the subquery's
            # (text columns are written COLLATE BINARY, so IN compares as DuckDB does)
            operand = self.expr(e.operand)
            value = self.expr(read.value)
            body = from_where(self, read.scan.tables, filters)
            text = f"({operand} IN (SELECT {value} {body}))"
        return f"(NOT {text})" if e.negated else text

    def _scalar(self, e: SubqueryExpr) -> str:
        """``(SELECT value FROM … WHERE … [ORDER BY … LIMIT 1])``, printed in text order
        (its ``?`` values bind in that order)."""
        read = scalar_read(e)
        if read is None:
            raise ValueError("SQLite receives only the scalar subqueries "
                             "planner.pushed_scalars accepts")
        value = self.expr(read.value)
        body = from_where(self, read.scan.tables, read.scan.filters + read.correlated)
        text = f"(SELECT {value} {body}"
        if read.order:
            text += " ORDER BY " + ", ".join(self.sort_key(k.expr, k.descending, k.nulls_first)
                                             for k in read.order)
        return text + (" LIMIT 1)" if read.first_row else ")")

    def _func(self, e: Func) -> str:
        if e.name == "substr":
            return self._substr(e)
        if e.name in ("like", "not_like"):
            op = "LIKE" if e.name == "like" else "NOT LIKE"
            return f"({self._nul_free(e.args[0])} {op} {self._nul_free(e.args[1])})"
        if e.name in ("in", "not_in") and len(e.args) - 1 > JSON_LIST_MIN:
            values = self._json_items(e)
            if values is not None:
                mark = self.bind(json.dumps(values))
                op = "IN" if e.name == "in" else "NOT IN"
                return f"({self._in_lhs(e)} {op} (SELECT value FROM json_each({mark})))"
        return super()._func(e)

    def _substr(self, e: Func) -> str:
        """``substr`` over the text with its NULs mapped as for LIKE, then mapped back:
        SQLite's substr stops at the first NUL, and a mapped NUL is one character, as a NUL
        is in DuckDB (bounds: ``Function.literal_args``). A column or expression takes the
        plain ``substr`` when it holds no NUL: mapping back on every row doubled the cost of
        a filter on ``substr`` (TPC-H q22's scan of customer, 104 against 51 ms)."""
        marker = f"CAST(x'{_NUL_FOR.hex().upper()}' AS TEXT)"
        arg = e.args[0]
        if isinstance(arg, Const | ParamRef):
            text = self._nul_free(arg)  # first: its ``?`` values bind before the bounds'
            return f"replace(substr({text}, {self._bounds(e)}), {marker}, char(0))"
        # printed in text order: every part's ``?`` values bind in that order
        test = self._nul_test(arg)
        mapped = f"replace(substr({self._nul_mapped(arg)}, {self._bounds(e)}), {marker}, " \
            "char(0))"
        return f"{test}{mapped} ELSE substr({self.expr(arg)}, {self._bounds(e)}) END)"

    def _bounds(self, e: Func) -> str:
        return ", ".join(self.expr(a) for a in e.args[1:])

    def _nul_free(self, e: BExpr) -> str:
        """``e`` with every NUL replaced as the module docstring says; a bound value is
        replaced here and bound as text (``CAST`` of its bytes)."""
        if isinstance(e, Const | ParamRef):
            value = e.value if isinstance(e, Const) else self.params[e.name]
            if isinstance(value, str) and "\x00" in value:
                raw = value.encode("utf-8").replace(b"\x00", _NUL_FOR)
                return f"CAST({self.bind(raw)} AS TEXT)"
            return self.expr(e)
        # printed three times, in text order: an expression's ``?`` values bind in that order
        test = self._nul_test(e)
        return f"{test}{self._nul_mapped(e)} ELSE {self.expr(e)} END)"

    def _nul_test(self, e: BExpr) -> str:
        """The opening of a ``CASE`` whose first branch is taken when ``e`` holds a NUL."""
        return f"(CASE WHEN instr(CAST({self.expr(e)} AS BLOB), x'00') > 0 THEN "

    def _nul_mapped(self, e: BExpr) -> str:
        """``e`` (holding a NUL) with each NUL replaced by the unassigned code point."""
        return (f"(WITH RECURSIVE _fed_nul(v) AS (SELECT CAST({self.expr(e)} AS BLOB) "
                "UNION ALL SELECT CAST(substr(v, 1, instr(v, x'00') - 1) || "
                f"x'{_NUL_FOR.hex().upper()}' || substr(v, instr(v, x'00') + 1) AS BLOB) "
                "FROM _fed_nul WHERE instr(v, x'00') > 0) "
                "SELECT CAST(v AS TEXT) FROM _fed_nul WHERE instr(v, x'00') = 0)")

    def _json_items(self, e: Func) -> list[object] | None:
        """The list items as JSON values that SQLite reads back as the values the one-by-one
        form would compare (``SqlWriter``'s modes: floats where an integer meets a float,
        exact integers where a decimal meets an integer); None when that cannot be said."""
        lhs, items = e.args[0], e.args[1:]
        values: list[object] = []
        for item in items:
            if isinstance(item, Const):
                values.append(item.value)
            elif isinstance(item, ParamRef):
                values.append(self.params[item.name])
            else:
                return None
        mode = _sqlite_mode(e)
        if mode == "exact" and (isinstance(lhs, Const | ParamRef) or family(lhs.type) != "int"):
            return None
        if mode == "" and any(family(a.type) not in _JSON_FAMILIES for a in e.args):
            return None
        convert = {"double": _as_double, "exact": _as_exact_int}.get(mode, _json_value)
        converted = [convert(v) for v in values]
        return None if any(v is _UNFIT for v in converted) else converted

    def _in_lhs(self, e: Func) -> str:
        return self._double(e.args[0]) if _sqlite_mode(e) == "double" else self.expr(e.args[0])


def scan_sql(fragment: Scan, writer: SqlWriter) -> str:
    """The SQL of a Scan fragment, its values bound through ``writer`` in text order."""
    agg = fragment.aggregate
    computed = {c.key: e for c, e in fragment.computed}
    outputs = [e for _, e in agg.groups] + [a for _, a in agg.aggregates] if agg \
        else [computed.get(c.key, c) for c in fragment.columns]
    cols = ", ".join(writer.expr(e) for e in outputs)
    sql = f"SELECT {cols} {from_where(writer, fragment.tables, fragment.filters)}"
    if agg is not None and agg.groups:
        sql += " GROUP BY " + ", ".join(writer.expr(e) for _, e in agg.groups)
    if fragment.order:  # explicit NULL placement: DuckDB's, whatever SQLite's default
        sql += " ORDER BY " + ", ".join(writer.sort_key(k.expr, k.descending, k.nulls_first)
                                        for k in fragment.order)
    if fragment.limit is not None:
        sql += f" LIMIT {writer.bind(fragment.limit)}"
    return sql


def from_where(writer: SqlWriter, tables: tuple[TableAccess, ...],
               filters: tuple[BExpr, ...]) -> str:
    """``FROM t AS r [JOIN u AS s ON …] [WHERE …]`` of a Scan's tables and filters."""
    base = tables[0]
    sql = f"FROM {quote(base.table)} AS {quote(base.rel)}"
    for access in tables[1:]:
        sql += f" {_JOIN_SQL[access.kind]} {quote(access.table)} AS {quote(access.rel)}"
        if access.condition is not None:
            sql += f" ON {writer.expr(access.condition)}"
    if filters:
        sql += " WHERE " + " AND ".join(writer.expr(f) for f in filters)
    return sql


_JOIN_SQL = {"inner": "JOIN", "left": "LEFT JOIN"}
_UNFIT = object()
_NEVER_AN_INTEGER = 0.5  # SQLite compares INTEGER with REAL exactly: equal to no integer


def _json_value(value: object) -> object:
    """``value`` as ``SqlWriter.bind`` would give it to SQLite, if JSON holds it exactly
    (SQLite's JSON reads doubles back exactly: ``test_json_doubles_round_trip``)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else _UNFIT
    if isinstance(value, float):
        return value if math.isfinite(value) else _UNFIT
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # a lone surrogate: left to the one-by-one binding
        except UnicodeEncodeError:
            return _UNFIT
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _UNFIT


def _as_double(value: object) -> object:
    """A number compared as a DOUBLE (``SqlWriter._double``: integers cast to REAL, decimals
    bound as floats); Python's int → float rounds as SQLite's CAST does (to nearest)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return _UNFIT
    number = float(value)
    return number if math.isfinite(number) else _UNFIT


def _as_exact_int(value: object) -> object:
    """A number compared exactly with an integer column: the integer it equals, or a value
    equal to no integer (a fraction, or beyond BIGINT)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return _UNFIT
    if isinstance(value, Decimal) and (not value.is_finite() or value != value.to_integral()):
        return _NEVER_AN_INTEGER if value.is_finite() else _UNFIT
    number = int(value)
    return number if _INT64[0] <= number <= _INT64[1] else _NEVER_AN_INTEGER
