"""LanceDB literals and identifiers, written by the strict escaper (see ``lance_filter``'s
docstring for the rules and what was checked against DuckDB)."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import Decimal

from planner.errors import BindError, PlanError

MAX_DECIMAL_DIGITS = 38


def quote_ident(name: str) -> str:
    """A column name as LanceDB filters address it.

    >>> quote_ident("we ird")
    '`we ird`'
    """
    if not name or "`" in name:
        raise PlanError(f"LanceDB cannot address the column name {name!r} in a filter or "
                        "projection (backticks are not escapable)")
    return f"`{name}`"


def string_literal(text: str) -> str:
    """A single-quoted DataFusion string literal.

    >>> string_literal("x'); DROP TABLE t; --")
    "'x''); DROP TABLE t; --'"
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise BindError(f"string value {text!r} is not valid UTF-8") from err
    return "'" + text.replace("'", "''") + "'"


def like_pattern(pattern: str) -> str:
    """A LIKE pattern literal whose backslashes are plain characters, as in DuckDB."""
    return string_literal(pattern.replace("\\", "\\\\"))


def float_literal(value: float) -> str:
    """A DOUBLE literal; ±infinity as DataFusion's ``CAST('inf' AS DOUBLE)`` (it has no
    infinite literal), which orders as DuckDB's infinities do."""
    if math.isinf(value):
        return f"CAST('{'-' if value < 0 else ''}inf' AS DOUBLE)"
    if math.isnan(value):
        raise BindError("NaN cannot be compared in a LanceDB filter")
    return repr(float(value))


def decimal_literal(value: Decimal) -> str:
    if not value.is_finite():
        raise BindError(f"non-finite decimal {value!r} cannot be used in a LanceDB filter")
    text = format(value, "f")
    digits = text.lstrip("-").replace(".", "")
    scale = len(text.partition(".")[2])
    precision = max(len(digits), scale, 1)
    if precision > MAX_DECIMAL_DIGITS:
        raise BindError(f"decimal {text} has more than {MAX_DECIMAL_DIGITS} digits")
    return f"CAST('{text}' AS DECIMAL({precision},{scale}))"


def normalize_value(value: object) -> object:
    """Plain Python value from a literal or parameter (numpy scalars included), or an error."""
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, dt.datetime):
        raise BindError("timestamp values are not pushed into LanceDB filters")
    if isinstance(value, dt.date):
        return value
    if type(value).__name__ == "bool_":  # numpy.bool_
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise BindError(f"a {type(value).__name__} value cannot be used in a LanceDB filter")
