"""Type matrix (issue 7): literals and parameters of every type against every source and every
comparison and arithmetic operator, each answer compared with DuckDB over the same data.

The stores are built once for the module; one engine reads all three.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import duckdb
import pytest

import federation as fed
from tests.types.matrix import (
    TABLE,
    Value,
    arithmetic_cells,
    comparison_cells,
    condition,
    oracle_params,
)

# (source, column, operator, value label) → why the engine cannot answer as DuckDB yet
KNOWN_GAPS: dict[tuple[str, str, str, str], str] = {}


def _oracle(con: duckdb.DuckDBPyConnection, sql: str, value: Value) -> list[tuple[Any, ...]] | None:
    """The oracle's rows, or None when DuckDB refuses the query (a conversion or overflow)."""
    try:
        return [tuple(r) for r in con.execute(sql, oracle_params(value)).fetchall()]
    except duckdb.Error:
        return None


def _engine(eng: Any, fql: str, value: Value) -> list[tuple[Any, ...]] | fed.FederationError:
    try:
        table = eng.query(fql, {"v": value.param} if value.is_param else None).arrow()
    except fed.FederationError as err:
        return err
    return [tuple(r.values()) for r in table.to_pylist()]


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float):
        return Decimal(a) == Decimal(b)
    return a == b


def _check(eng: Any, con: duckdb.DuckDBPyConnection, fql: str, sql: str, value: Value) -> None:
    expected = _oracle(con, sql, value)
    actual = _engine(eng, fql, value)
    if expected is None:  # DuckDB refuses: the engine must refuse too, with its own error
        assert isinstance(actual, fed.FederationError), f"{fql}: DuckDB refuses, engine {actual}"
        return
    assert not isinstance(actual, fed.FederationError), f"{fql}: {actual!r}"
    ok = len(actual) == len(expected) and all(
        len(x) == len(y) and all(_same(u, w) for u, w in zip(x, y, strict=True))
        for x, y in zip(sorted(actual, key=repr), sorted(expected, key=repr), strict=True))
    assert ok, f"{fql}\nengine: {actual}\nDuckDB: {expected}"


def _gap(source: str, col: str, op: str, value: Value) -> list[Any]:
    reason = KNOWN_GAPS.get((source, col, op, value.label))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize("source,col,op,value", [
    pytest.param(*cell, id=f"{cell[0]}-{cell[1]}-{cell[2]}-{cell[3].label}", marks=_gap(*cell))
    for cell in comparison_cells()])
def test_comparison(stores: tuple[Any, duckdb.DuckDBPyConnection], source: str, col: str,
                    op: str, value: Value) -> None:
    eng, con = stores
    where = condition(col, op, value)
    _check(eng, con, f"SELECT t.id FROM {TABLE[source]} AS t WHERE {where}",
           f"SELECT t.id FROM t WHERE {where}", value)


@pytest.mark.parametrize("source,col,op,value", [
    pytest.param(*cell, id=f"{cell[0]}-{cell[1]}-{cell[2]}-{cell[3].label}", marks=_gap(*cell))
    for cell in arithmetic_cells()])
def test_arithmetic(stores: tuple[Any, duckdb.DuckDBPyConnection], source: str, col: str,
                    op: str, value: Value) -> None:
    eng, con = stores
    select = f"t.id, t.{col} {op} {value.text} AS x"
    _check(eng, con, f"SELECT {select} FROM {TABLE[source]} AS t",
           f"SELECT {select} FROM t", value)
    where = f"t.{col} {op} {value.text} > 0"
    _check(eng, con, f"SELECT t.id FROM {TABLE[source]} AS t WHERE {where}",
           f"SELECT t.id FROM t WHERE {where}", value)


@pytest.mark.parametrize("source", list(TABLE))
@pytest.mark.parametrize("col", ["i", "r", "f32", "dec"])
def test_aggregates_and_casts(stores: tuple[Any, duckdb.DuckDBPyConnection], source: str,
                              col: str) -> None:
    """Aggregates (pushed where a source computes them as DuckDB) and casts to text."""
    if source == "sqlite" and col in ("f32", "dec"):
        pytest.skip("SQLite has no FLOAT and no exact DECIMAL")
    eng, con = stores
    none = Value("")
    select = (f"count(t.{col}) AS c, min(t.{col}) AS lo, max(t.{col}) AS hi, "
              f"sum(CAST(t.{col} AS DOUBLE)) AS s")
    _check(eng, con, f"SELECT {select} FROM {TABLE[source]} AS t", f"SELECT {select} FROM t",
           none)
    cast = f"t.id, CAST(t.{col} AS VARCHAR) AS v"
    _check(eng, con, f"SELECT {cast} FROM {TABLE[source]} AS t", f"SELECT {cast} FROM t", none)


@pytest.mark.parametrize("source", list(TABLE))
@pytest.mark.parametrize("col", ["i", "f32", "dec"])
def test_grouped_aggregates(stores: tuple[Any, duckdb.DuckDBPyConnection], source: str,
                            col: str) -> None:
    """sum/avg/min/max per group, pushed into a source where it computes them as DuckDB (a
    FLOAT sums in DOUBLE; an integer sum goes past BIGINT)."""
    if source == "sqlite" and col in ("f32", "dec"):
        pytest.skip("SQLite has no FLOAT and no exact DECIMAL")
    eng, con = stores
    select = (f"t.b, count(*) AS n, sum(t.{col}) AS s, avg(t.{col}) AS a, min(t.{col}) AS lo, "
              f"max(t.{col}) AS hi")
    _check(eng, con, f"SELECT {select} FROM {TABLE[source]} AS t GROUP BY t.b",
           f"SELECT {select} FROM t GROUP BY t.b", Value(""))
