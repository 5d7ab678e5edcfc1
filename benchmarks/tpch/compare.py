"""Results compared as multisets: columns by position, floats within a relative 1e-6."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

REL_TOL = 1e-6
ABS_TOL = 1e-9
SHOWN = 3


def _norm(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time(0) and v.tzinfo is None:
        return v.date()
    return v


def _rows(table: Any) -> list[tuple[Any, ...]]:
    cols = [[_norm(v) for v in c.to_pylist()] for c in table.columns]
    return list(zip(*cols, strict=True)) if cols else []


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[tuple[Any, ...]] = []
    for v in row:
        if v is None:
            out.append((0,))
        elif _num(v):
            out.append((1, float(f"{float(v):.5g}")))
        elif isinstance(v, str):
            out.append((2, v))
        elif isinstance(v, dt.date):
            out.append((3, v.isoformat()))
        else:
            out.append((4, repr(v)))
    return tuple(out)


def _eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if _num(a) and _num(b):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return bool(a == b)


def _row_eq(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return all(_eq(x, y) for x, y in zip(a, b, strict=True))


def diff(actual: Any, expected: Any) -> str | None:
    """None when the two Arrow tables hold the same rows, else a short explanation."""
    if actual.num_columns != expected.num_columns:
        return f"{actual.num_columns} columns, expected {expected.num_columns}"
    a, e = sorted(_rows(actual), key=_key), sorted(_rows(expected), key=_key)
    if len(a) != len(e):
        return f"{len(a)} rows, expected {len(e)}"
    if all(_row_eq(x, y) for x, y in zip(a, e, strict=True)):
        return None
    pool, only_a = list(e), []
    for row in a:  # greedy matching: robust to float keys rounding across a boundary
        hit = next((i for i, cand in enumerate(pool) if _row_eq(row, cand)), None)
        if hit is None:
            only_a.append(row)
        else:
            del pool[hit]
    if not only_a:
        return None
    return (f"{len(only_a)} of {len(a)} rows differ; actual {only_a[:SHOWN]}, "
            f"expected {pool[:SHOWN]}")
