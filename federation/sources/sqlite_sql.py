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

IN: each item of ``x IN (a, b, …)`` is one bound variable, and SQLite allows 32 766; a list
of bound values longer than ``JSON_LIST_MIN`` is bound as ONE JSON array and read with
``json_each`` (as passed join keys are), so any length works and the text stays short.
"""

from __future__ import annotations

import datetime as dt
import json

from federation.sqlgen import SqlWriter
from planner.expressions import BExpr, Const, Func, ParamRef
from planner.types import family

JSON_LIST_MIN = 100  # items; shorter lists keep one placeholder per item
_NUL_FOR = b"\xf4\x90\x80\x80"  # read by SQLite's LIKE as code point 0x110000: no text has it
_JSON_FAMILIES = frozenset({"int", "string", "date", "bool", "null"})  # JSON holds exactly
_INT64 = (-(2**63), 2**63 - 1)


class SqliteWriter(SqlWriter):
    """``SqlWriter("sqlite", …)`` with NUL-exact LIKE and one-value IN lists."""

    def __init__(self, params: object, column: object) -> None:
        super().__init__("sqlite", params, column)  # type: ignore[arg-type]

    def _func(self, e: Func) -> str:
        if e.name in ("like", "not_like"):
            op = "LIKE" if e.name == "like" else "NOT LIKE"
            return f"({self._nul_free(e.args[0])} {op} {self._nul_free(e.args[1])})"
        if e.name in ("in", "not_in") and len(e.args) - 1 > JSON_LIST_MIN:
            values = self._json_items(e)
            if values is not None:
                mark = self.bind(json.dumps(values))
                op = "IN" if e.name == "in" else "NOT IN"
                return f"({self.expr(e.args[0])} {op} (SELECT value FROM json_each({mark})))"
        return super()._func(e)

    def _nul_free(self, e: BExpr) -> str:
        """``e`` with every NUL replaced as the module docstring says; a bound value is
        replaced here and bound as text (``CAST`` of its bytes)."""
        if isinstance(e, Const | ParamRef):
            value = e.value if isinstance(e, Const) else self.params[e.name]
            if isinstance(value, str) and "\x00" in value:
                raw = value.encode("utf-8").replace(b"\x00", _NUL_FOR)
                return f"CAST({self.bind(raw)} AS TEXT)"
            return self.expr(e)
        x = self.expr(e)
        return (f"(CASE WHEN instr(CAST({x} AS BLOB), x'00') > 0 THEN (WITH RECURSIVE "
                f"_fed_nul(v) AS (SELECT CAST({x} AS BLOB) UNION ALL SELECT CAST(substr(v, 1, "
                f"instr(v, x'00') - 1) || x'{_NUL_FOR.hex().upper()}' || substr(v, "
                "instr(v, x'00') + 1) AS BLOB) FROM _fed_nul WHERE instr(v, x'00') > 0) "
                "SELECT CAST(v AS TEXT) FROM _fed_nul WHERE instr(v, x'00') = 0) "
                f"ELSE {x} END)")

    def _json_items(self, e: Func) -> list[object] | None:
        """The list items as JSON values that SQLite reads back as the same values bound
        one by one would be; None when one is not (floats, decimals, bytes, …)."""
        if any(family(a.type) not in _JSON_FAMILIES for a in e.args):
            return None
        items: list[object] = []
        for item in e.args[1:]:
            if not isinstance(item, Const | ParamRef):
                return None
            value = _json_value(item.value if isinstance(item, Const) else self.params[item.name])
            if value is _UNFIT:
                return None
            items.append(value)
        return items


_UNFIT = object()


def _json_value(value: object) -> object:
    """``value`` as ``SqlWriter.bind`` would give it to SQLite, if JSON holds it exactly."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else _UNFIT
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
    return _UNFIT  # floats too: JSON text → double is SQLite's own parse, not promised exact
