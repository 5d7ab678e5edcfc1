"""Compare two query results as multisets (or sequences), with a readable diff.

Normalisation: ints, floats and Decimals compare numerically (floats with a relative
tolerance); a ``datetime`` at midnight equals the ``date`` of that day; NULL equals NULL.
Booleans stay booleans: ``True`` does not equal ``1`` (a BOOLEAN column must come back as one).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa

REL_TOL = 1e-9
ABS_TOL = 1e-9
MAX_SHOWN = 8

Rows = list[tuple[Any, ...]]


class ResultMismatch(AssertionError):
    """Raised by :func:`assert_same_result`; the message is the diff."""


def normalize(value: Any) -> Any:
    """One canonical Python value per SQL value."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date()
        return value
    return value


def table_rows(result: Any) -> tuple[list[str], Rows]:
    """Column names and rows of a pyarrow Table, a list of dicts or a list of tuples."""
    if isinstance(result, pa.Table):
        cols = [c.to_pylist() for c in result.columns]
        rows = list(zip(*cols, strict=True)) if cols else []
        return list(result.column_names), [tuple(normalize(v) for v in r) for r in rows]
    rows_in = list(result)
    if rows_in and isinstance(rows_in[0], Mapping):
        names = list(rows_in[0].keys())
        return names, [tuple(normalize(v) for v in r.values()) for r in rows_in]
    return [], [tuple(normalize(v) for v in r) for r in rows_in]


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def values_equal(a: Any, b: Any, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_num(a) and _is_num(b):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return math.isclose(fa, fb, rel_tol=rel_tol, abs_tol=abs_tol)
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return False
    return bool(a == b)


def rows_equal(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))


def _key_part(v: Any, digits: int) -> tuple[int, Any]:
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (1, int(v))
    if _is_num(v):
        f = float(v)
        return (2, 0.0 if f == 0 else float(f"{f:.{digits}g}"))
    if isinstance(v, str):
        return (3, v)
    if isinstance(v, dt.datetime):
        return (5, v.isoformat())
    if isinstance(v, dt.date):
        return (4, v.isoformat())
    return (6, repr(v))


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    coarse = tuple(_key_part(v, 6) for v in row)
    fine = tuple(_key_part(v, 12) for v in row)
    return (coarse, fine)


def _fmt_row(row: tuple[Any, ...]) -> str:
    return "(" + ", ".join(repr(v) for v in row) + ")"


def _multiset_leftovers(actual: Rows, expected: Rows) -> tuple[Rows, Rows]:
    """Rows of each side that have no partner on the other side."""
    a_sorted, e_sorted = sorted(actual, key=_sort_key), sorted(expected, key=_sort_key)
    if len(a_sorted) == len(e_sorted) and all(
            rows_equal(x, y) for x, y in zip(a_sorted, e_sorted, strict=True)):
        return [], []
    # Slow path: greedy matching, robust to float keys that round across a boundary.
    left_a: Rows = []
    pool = list(e_sorted)
    for row in a_sorted:
        for i, cand in enumerate(pool):
            if rows_equal(row, cand):
                del pool[i]
                break
        else:
            left_a.append(row)
    return left_a, pool


def diff_results(actual: Any, expected: Any, *, ordered: bool,
                 check_names: bool = False) -> str | None:
    """None when the results agree, else a human-readable explanation."""
    a_names, a_rows = table_rows(actual)
    e_names, e_rows = table_rows(expected)
    head = f"actual: {len(a_rows)} rows, expected: {len(e_rows)} rows"
    width_a = len(a_names) if a_names else (len(a_rows[0]) if a_rows else None)
    width_e = len(e_names) if e_names else (len(e_rows[0]) if e_rows else None)
    if width_a is not None and width_e is not None and width_a != width_e:
        return f"column count differs: actual {a_names or width_a}, expected {e_names or width_e}"
    if check_names and a_names and e_names:
        bad = [(i, x, y) for i, (x, y) in enumerate(zip(a_names, e_names, strict=True))
               if x != y and simple_name(y)]
        if bad:
            return f"column names differ (position, actual, expected): {bad}"
    if ordered:
        for i, (x, y) in enumerate(zip(a_rows, e_rows, strict=False)):
            if not rows_equal(x, y):
                lines = [f"{head}; first difference at row {i}:",
                         f"  actual:   {_fmt_row(x)}", f"  expected: {_fmt_row(y)}"]
                lo = max(0, i - 2)
                lines.append(f"  actual rows {lo}..{i + 2}:   "
                             + "; ".join(_fmt_row(r) for r in a_rows[lo:i + 3]))
                lines.append(f"  expected rows {lo}..{i + 2}: "
                             + "; ".join(_fmt_row(r) for r in e_rows[lo:i + 3]))
                return "\n".join(lines)
        if len(a_rows) != len(e_rows):
            n = min(len(a_rows), len(e_rows))
            extra = a_rows[n:] if len(a_rows) > n else e_rows[n:]
            side = "actual" if len(a_rows) > n else "expected"
            shown = "\n".join("  " + _fmt_row(r) for r in extra[:MAX_SHOWN])
            return f"{head}; {side} has {len(extra)} extra trailing rows:\n{shown}"
        return None
    only_a, only_e = _multiset_leftovers(a_rows, e_rows)
    if not only_a and not only_e:
        return None
    lines = [f"{head} (compared as multisets)"]
    for label, rows in (("only in actual", only_a), ("only in expected", only_e)):
        lines.append(f"  {label}: {len(rows)} rows")
        lines.extend("    " + _fmt_row(r) for r in rows[:MAX_SHOWN])
        if len(rows) > MAX_SHOWN:
            lines.append(f"    ... {len(rows) - MAX_SHOWN} more")
    return "\n".join(lines)


def simple_name(name: str) -> bool:
    """A column name both engines should agree on (an alias or a plain column)."""
    return name.isidentifier()


def assert_same_result(actual: Any, expected: Any, *, ordered: bool,
                       check_names: bool = False, context: str = "") -> None:
    diff = diff_results(actual, expected, ordered=ordered, check_names=check_names)
    if diff is not None:
        raise ResultMismatch(f"{context}\n{diff}" if context else diff)


def as_rows(result: Any) -> Sequence[tuple[Any, ...]]:
    """Normalised rows only (handy in a debugger)."""
    return table_rows(result)[1]
