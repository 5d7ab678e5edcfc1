"""The type matrix: every column type, with literal and parameter values at its boundaries,
under every comparison and arithmetic operator, as FQL for the engine and SQL for DuckDB.

A value is written either as a literal (its FQL text, which is also DuckDB's) or as a parameter
``$v``. The oracle runs the same text on table ``t`` with the same parameters, so what DuckDB's
implicit casts decide (BIGINT = DOUBLE in DOUBLE, BIGINT against a DECIMAL exactly, a FLOAT
column against 0.1 in FLOAT …) is the expected answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

INF = float("inf")


@dataclass(frozen=True)
class Value:
    """A literal (``text``) or a parameter (``param``; then the text is ``$v``)."""

    text: str
    param: object = None
    is_param: bool = False

    @property
    def label(self) -> str:
        return f"${type(self.param).__name__}:{self.param!r}" if self.is_param else self.text


def lit(text: str) -> Value:
    return Value(text)


def par(value: object) -> Value:
    return Value("$v", value, True)


VALUES: dict[str, list[Value]] = {
    "i": [lit("1"), lit("9007199254740993"), lit("9223372036854775807"),
          lit("-9223372036854775807"), lit("99999999999999999999"), lit("2.5"),
          lit("9007199254740993.0"), lit("9223372036854775806.5"), lit("-0.5"), lit("NULL"),
          lit("1e300"), par(2), par(2.0), par(9007199254740992.0), par(Decimal("2.5")),
          par(Decimal("9007199254740993.0")), par(Decimal("-9223372036854775807.5")),
          par(INF), par(-INF), par(np.int64(2)), par(None)],
    "r": [lit("0.1"), lit("2"), lit("9007199254740993"), lit("99999999999999999999"),
          lit("2.5"), lit("1e300"), lit("-1.5"), lit("NULL"), par(0.1), par(Decimal("0.1")),
          par(9007199254740993), par(INF),
          par(-INF), par(np.float64(2.5))],
    "f32": [lit("0.1"), lit("0.2"), lit("1"), lit("16777217"), lit("2.5"), lit("-0.1"),
            par(0.1), par(Decimal("0.1")), par(16777217), par(np.float32(0.1))],
    "dec": [lit("2.5"), lit("0.1"), lit("2"), lit("123456789012345.678"),
            lit("123456789012345.6785"), lit("99999999999999999999"), lit("1e300"),
            par(Decimal("2.5")), par(2), par(2.5), par(0.1), par(9007199254740993)],
    "s": [lit("'a'"), lit("'é'"), lit("''"), lit("'A'"), lit("'it''s'"), lit("'日本'"),
          par("a\x00b"), par("b"), par("日本")],
    "d": [lit("DATE '2024-01-01'"), lit("DATE '0001-01-01'"), lit("DATE '9999-12-31'"),
          lit("'2024-01-01'"), par(dt.date(2000, 2, 29))],
    "ts": [lit("TIMESTAMP '2024-01-01 12:00:00'"), lit("DATE '2024-01-01'"),
           par(dt.datetime(2024, 1, 1, 12))],
    "b": [lit("TRUE"), lit("FALSE"), par(True), par(None)],
}
# the other operand of BETWEEN and IN, a value of the column's own type
PARTNER = {"dec": "-1.5", "i": "-1", "r": "-1.5", "f32": "-1.5", "s": "'a'",
           "d": "DATE '1970-01-01'", "ts": "TIMESTAMP '1970-01-01 00:00:00'", "b": "FALSE"}
COMPARISONS = ["=", "<>", "<", "<=", ">", ">=", "BETWEEN", "NOT BETWEEN", "IN", "NOT IN",
               "< (mirrored)", ">= (mirrored)"]
ARITHMETIC = ["+", "-", "*", "/", "%"]
ARITHMETIC_VALUES: dict[str, list[Value]] = {
    "i": [lit("1"), lit("2.5"), par(2), par(2.0), par(Decimal("2.5"))],
    "r": [lit("2"), lit("0.1"), par(0.1), par(Decimal("0.1"))],
    "f32": [lit("0.1"), lit("2"), par(0.1), par(3)],
    "dec": [lit("2"), lit("0.25"), par(0.1), par(Decimal("2.5"))],
}
COLUMNS_OF = {"sqlite": ["i", "r", "s", "d", "ts", "b"],
              "kuzu": ["i", "r", "f32", "dec", "s", "d", "ts", "b"],
              "lance": ["i", "r", "f32", "dec", "s", "d", "ts", "b"]}
TABLE = {"sqlite": "sq.t", "kuzu": "g.T", "lance": "l.t"}


def condition(col: str, op: str, value: Value) -> str:
    """The WHERE condition of one matrix cell (the same text in FQL and in DuckDB)."""
    c, v = f"t.{col}", value.text
    if op.endswith("(mirrored)"):
        mirrored = {"<": ">", ">=": "<="}[op.split()[0]]
        return f"{v} {mirrored} {c}"
    if "BETWEEN" in op:
        return f"{c} {op} {PARTNER[col]} AND {v}"
    if op.endswith("IN"):
        return f"{c} {op} ({PARTNER[col]}, {v})"
    return f"{c} {op} {v}"


def comparison_cells() -> list[tuple[str, str, str, Value]]:
    return [(source, col, op, value) for source, cols in COLUMNS_OF.items() for col in cols
            for value in VALUES[col] for op in COMPARISONS]


def arithmetic_cells() -> list[tuple[str, str, str, Value]]:
    return [(source, col, op, value) for source, cols in COLUMNS_OF.items() for col in cols
            if col in ARITHMETIC_VALUES for value in ARITHMETIC_VALUES[col]
            for op in ARITHMETIC]


def oracle_params(value: Value) -> dict[str, object]:
    """Parameters as the oracle binds them (numpy scalars as the Python values they hold)."""
    if not value.is_param:
        return {}
    param = value.param
    return {"v": param.item() if isinstance(param, np.generic) else param}
