"""Arrow types for catalog columns and for bound expressions.

The planner reasons about types in *families* (int, float, decimal, string, date, timestamp,
bool, vector, other) because pushdown decisions only need to know whether a source compares two
values the way DuckDB does.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa

_DECLARED = [
    (re.compile(r"INT"), pa.int64()),  # SQLite affinity rule 1: any declared type with INT
    (re.compile(r"BOOL"), pa.bool_()),
    (re.compile(r"TIMESTAMP|DATETIME"), pa.timestamp("us")),
    (re.compile(r"^DATE$"), pa.date32()),
    (re.compile(r"CHAR|CLOB|TEXT|STRING|UUID|JSON"), pa.string()),
    (re.compile(r"BLOB|BINARY|BYTES"), pa.binary()),
    (re.compile(r"REAL|FLOA|DOUB|NUMERIC|DECIMAL"), pa.float64()),
]


def arrow_type_for_declared(declared: str) -> pa.DataType:
    """Map a declared SQL column type to Arrow.

    Rule for the rest: follow SQLite's affinity rules (INT → integer; CHAR/CLOB/TEXT → text;
    REAL/FLOA/DOUB → real); NUMERIC and DECIMAL become float64; an empty or unknown declared
    type becomes string, the lossless choice for SQLite's dynamic values.

    >>> arrow_type_for_declared("varchar(20)")
    DataType(string)
    """
    text = declared.strip().upper()
    for pattern, arrow_type in _DECLARED:
        if pattern.search(text):
            return arrow_type
    return pa.string()


_FAMILIES: dict[pa.DataType, str] = {}  # asked several times per query for a few types


def family(t: pa.DataType) -> str:
    """The comparison family of an Arrow type."""
    try:
        found = _FAMILIES.get(t)
    except TypeError:  # an extension type without a hash
        return _family(t)
    if found is None:
        if len(_FAMILIES) > 4096:  # parametrised types (vector sizes, decimals) stay few
            _FAMILIES.clear()
        found = _FAMILIES[t] = _family(t)
    return found


def _family(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_decimal(t):
        return "decimal"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_null(t):
        return "null"
    if pa.types.is_list(t) or pa.types.is_fixed_size_list(t) or pa.types.is_large_list(t):
        return "vector"
    if pa.types.is_interval(t) or pa.types.is_duration(t):
        return "interval"
    return "other"


NUMERIC = frozenset({"int", "float", "decimal"})


def comparable(a: pa.DataType, b: pa.DataType) -> bool:
    """Whether two types compare without an implicit cast that a source might do differently."""
    fa, fb = family(a), family(b)
    if "null" in (fa, fb):
        return True
    if fa in NUMERIC and fb in NUMERIC:
        return True
    return fa == fb and fa in ("string", "date", "bool")


INT64_RANGE = (-(2**63), 2**63 - 1)
# DuckDB types an integer literal beyond BIGINT as HUGEINT; FQL carries it as an exact
# DECIMAL(38,0) (the widest decimal every engine here knows)
WIDEST_INTEGER = 10**38 - 1


def type_of_value(value: object) -> pa.DataType:
    """Arrow type of a Python value given as a literal or a parameter.

    >>> type_of_value(2**63)
    Decimal128Type(decimal128(38, 0))
    """
    if value is None:
        return pa.null()
    if isinstance(value, bool):
        return pa.bool_()
    if isinstance(value, int):
        if INT64_RANGE[0] <= value <= INT64_RANGE[1]:
            return pa.int64()
        return pa.decimal128(38, 0)
    if isinstance(value, float):
        return pa.float64()
    if isinstance(value, Decimal):
        return pa.decimal128(38, max(0, -int(value.as_tuple().exponent)))
    if isinstance(value, str):
        return pa.string()
    if isinstance(value, dt.datetime):
        # an aware datetime is a TIMESTAMP WITH TIME ZONE, as DuckDB binds it
        return pa.timestamp("us", tz="UTC") if value.tzinfo is not None else pa.timestamp("us")
    if isinstance(value, dt.date):
        return pa.date32()
    if isinstance(value, bytes):
        return pa.binary()
    if isinstance(value, list | tuple) or hasattr(value, "__array__"):
        return pa.list_(pa.float32())
    return pa.null()


def arithmetic_result(a: pa.DataType, b: pa.DataType, op: str) -> pa.DataType:
    """Approximate result type of ``a op b`` (DuckDB decides the exact one at run time)."""
    fa, fb = family(a), family(b)
    if op == "||":
        return pa.string()
    if fa in ("date", "timestamp") or fb in ("date", "timestamp"):
        if fa == fb:
            return pa.int64()
        return pa.timestamp("us")
    if op == "/" or "float" in (fa, fb):
        return pa.float64()
    if "decimal" in (fa, fb):
        return pa.float64() if "float" in (fa, fb) else pa.decimal128(38, 6)
    return pa.int64()


_CAST_TYPES = [
    (re.compile(r"^(BIG|SMALL|TINY|HUGE)?INT(EGER)?\d*$"), pa.int64()),
    (re.compile(r"^(DOUBLE|FLOAT\d*|REAL)$"), pa.float64()),
    (re.compile(r"^(VARCHAR|TEXT|STRING|CHAR)(\(\d+\))?$"), pa.string()),
    (re.compile(r"^DATE$"), pa.date32()),
    (re.compile(r"^(TIMESTAMP|DATETIME)$"), pa.timestamp("us")),
    (re.compile(r"^(BOOLEAN|BOOL)$"), pa.bool_()),
    (re.compile(r"^(DECIMAL|NUMERIC)(\(\d+(,\d+)?\))?$"), pa.decimal128(18, 3)),
]


def cast_target(type_name: str) -> pa.DataType | None:
    """Arrow type of a CAST target, or None when FQL does not allow that type."""
    for pattern, arrow_type in _CAST_TYPES:
        if pattern.match(type_name):
            if pa.types.is_decimal(arrow_type):
                nums = re.findall(r"\d+", type_name)
                precision = int(nums[0]) if nums else 18
                scale = int(nums[1]) if len(nums) > 1 else (0 if nums else 3)
                return pa.decimal128(precision, scale)
            return arrow_type
    return None


def int_range(t: pa.DataType) -> tuple[int, int]:
    """The values an integer type holds (int64's for any other type)."""
    if not pa.types.is_integer(t):
        return INT64_RANGE
    bits = t.bit_width
    if pa.types.is_signed_integer(t):
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def integer_comparison(op: str, value: Decimal | int, low: int, high: int
                       ) -> tuple[str, int] | bool:
    """``x op value`` for every integer ``x`` in ``[low, high]``, exactly as DuckDB compares an
    integer with a DECIMAL (or a HUGEINT): as ``x op' n`` with an integer ``n`` in the range,
    or as a constant truth (``True``/``False``) for every non-NULL ``x``.

    Sources that would compare the value as a float (SQLite binds no decimals; Kuzu narrows
    wide decimals) get an integer comparison that means the same.

    >>> integer_comparison("gt", Decimal("9223372036854775806.5"), *INT64_RANGE)
    ('ge', 9223372036854775807)
    >>> integer_comparison("eq", Decimal("2.5"), *INT64_RANGE)
    False
    >>> integer_comparison("lt", 10**20, *INT64_RANGE)
    True
    """
    exact = Decimal(value)
    if exact > high or exact < low:  # also keeps 1E+999999 from becoming a huge int
        above = exact > high
        return op == "ne" if op in ("eq", "ne") else above == (op in ("lt", "le"))
    floor = int(exact.to_integral_value(rounding="ROUND_FLOOR"))
    ceil = int(exact.to_integral_value(rounding="ROUND_CEILING"))
    if op in ("eq", "ne"):
        if floor != ceil or not low <= floor <= high:
            return op == "ne"
        return (op, floor)
    bound = {"lt": ceil, "ge": ceil, "le": floor, "gt": floor}[op]
    if op in ("lt", "le"):  # x < ceil(d)  ⇔  x <= ceil(d) - 1
        top = bound - 1 if op == "lt" else bound
        if top >= high:
            return True
        return False if top < low else ("le", top)
    bottom = bound + 1 if op == "gt" else bound  # x > floor(d)  ⇔  x >= floor(d) + 1
    if bottom <= low:
        return True
    return False if bottom > high else ("ge", bottom)


_DUCKDB_NAMES = {"int8": "TINYINT", "int16": "SMALLINT", "int32": "INTEGER", "int64": "BIGINT",
                 "uint8": "UTINYINT", "uint16": "USMALLINT", "uint32": "UINTEGER",
                 "uint64": "UBIGINT", "halffloat": "FLOAT", "float": "FLOAT", "double": "DOUBLE",
                 "string": "VARCHAR", "large_string": "VARCHAR", "bool": "BOOLEAN",
                 "date32[day]": "DATE", "binary": "BLOB", "large_binary": "BLOB", "null": "NULL"}


def duckdb_name(t: pa.DataType) -> str:
    """The DuckDB type an Arrow type arrives as in the DuckDB stage (for messages and docs).

    >>> duckdb_name(pa.decimal128(38, 0)), duckdb_name(pa.timestamp("us", tz="UTC"))
    ('DECIMAL(38,0)', 'TIMESTAMP WITH TIME ZONE')
    """
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    if pa.types.is_timestamp(t):
        return "TIMESTAMP WITH TIME ZONE" if t.tz else "TIMESTAMP"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return duckdb_name(t.value_type) + "[]"
    if pa.types.is_fixed_size_list(t):
        return f"{duckdb_name(t.value_type)}[{t.list_size}]"
    return _DUCKDB_NAMES.get(str(t), str(t).upper())


def mismatch(a: pa.DataType, b: pa.DataType) -> bool:
    """Whether comparing ``a`` with ``b`` needs DuckDB to cast a text to another type (or a
    type to text), which fails at run time on the first value that does not convert: FQL
    asks for an explicit CAST instead. NULL compares with anything."""
    fa, fb = family(a), family(b)
    if "null" in (fa, fb) or fa == fb:
        return False
    return "string" in (fa, fb)
