"""Result types of functions, as DuckDB types them (Arrow types of the same values).

Rules take the argument types and return the result type; DuckDB decides the exact type at
run time, and the planner needs the family right (pushdown and comparisons are decided on
families), so a rule names the family DuckDB answers in: ``floor`` of an integer is a DOUBLE
in DuckDB, ``sign`` a TINYINT, ``median`` of an integer a DOUBLE and of a DATE a TIMESTAMP.

>>> numeric_common([pa.int64(), pa.decimal128(10, 2)])
Decimal128Type(decimal128(38, 2))
>>> rounding([pa.int64()]), rounding([pa.decimal128(10, 2)])
(DataType(double), Decimal128Type(decimal128(10, 0)))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyarrow as pa

from planner.types import arithmetic_result, family

Types = Sequence[pa.DataType]


def fixed(t: pa.DataType) -> Callable[[Types], pa.DataType]:
    """Always ``t`` (``lower`` is a VARCHAR whatever it reads)."""
    return lambda _types: t


def first(types: Types) -> pa.DataType:
    """The first argument's type (``abs``, ``min``)."""
    return types[0] if types else pa.null()


def numeric_common(types: Types) -> pa.DataType:
    """The type several values meet in (``coalesce``, ``greatest``, ``nullif``): the first
    non-NULL type, widened as DuckDB widens numbers (any DOUBLE makes a DOUBLE, a DECIMAL
    with integers a DECIMAL)."""
    known = [t for t in types if family(t) != "null"]
    if not known:
        return pa.null()
    families = {family(t) for t in known}
    if families <= {"int", "float", "decimal"} and len(families) > 1:
        if "float" in families:
            return pa.float64()
        scale = max(t.scale for t in known if family(t) == "decimal")
        return pa.decimal128(38, scale)
    return known[0]


def rounding(types: Types) -> pa.DataType:
    """``floor``/``ceil``: a DECIMAL keeps its precision with scale 0, anything else is a
    DOUBLE (DuckDB rounds an integer through DOUBLE)."""
    t = types[0] if types else pa.null()
    if family(t) == "decimal":
        return pa.decimal128(t.precision, 0)
    return pa.null() if family(t) == "null" else pa.float64()


def floor_division(a: pa.DataType, b: pa.DataType) -> pa.DataType:
    """``a // b``: an integer for integers; DuckDB divides anything else as DOUBLEs."""
    return pa.int64() if {family(a), family(b)} <= {"int", "null"} else pa.float64()


def arithmetic(symbol: str) -> Callable[[Types], pa.DataType]:
    """``a + b`` and the other arithmetic operators (``planner.types.arithmetic_result``)."""
    return lambda types: arithmetic_result(types[0], types[1], symbol)


def quantile(types: Types) -> pa.DataType:
    """``median``/``quantile_cont``: interpolated, so integers and floats give a DOUBLE, a
    DECIMAL stays a DECIMAL, dates and timestamps give a TIMESTAMP, text its own type."""
    t = types[0] if types else pa.null()
    kind = family(t)
    if kind in ("int", "float"):
        return pa.float64()
    if kind in ("date", "timestamp"):
        return pa.timestamp("us")
    return t


def summed(types: Types) -> pa.DataType:
    """``sum``: integers in a HUGEINT (DECIMAL(38,0) here), FLOAT in DOUBLE."""
    t = types[0] if types else pa.null()
    if family(t) == "int":
        return pa.decimal128(38, 0)
    if family(t) == "float":
        return pa.float64()
    return t


DOUBLE = fixed(pa.float64())
BIGINT = fixed(pa.int64())
TEXT = fixed(pa.string())
BOOLEAN = fixed(pa.bool_())
