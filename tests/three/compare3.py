"""Result comparison with a per-column float tolerance, built on the differential suite's
normalisation (``tests.differential.compare``).

Distances are float32 in the engine (LanceDB computes them, or DuckDB over float32 vectors) and
exact-ish in the oracle, so columns whose expected name marks them as a distance (contains
``dist`` or is exactly ``d``) compare with ``DIST_REL_TOL``; every other column keeps the strict
tolerance of the differential suite.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tests.differential.compare import ABS_TOL, REL_TOL, table_rows, values_equal

DIST_REL_TOL = 1e-4
DIST_ABS_TOL = 1e-6
MAX_SHOWN = 8
DISTANCE_NAME = re.compile(r"dist|^d$", re.IGNORECASE)

Row = tuple[Any, ...]


class ResultMismatch(AssertionError):
    """The engine's answer differs from the oracle's; the message is the diff."""


def tolerances(names: list[str], width: int) -> list[tuple[float, float]]:
    loose = (DIST_REL_TOL, DIST_ABS_TOL)
    strict = (REL_TOL, ABS_TOL)
    if not names:
        return [strict] * width
    return [loose if DISTANCE_NAME.search(n) else strict for n in names]


def _same(a: Row, b: Row, tols: list[tuple[float, float]]) -> bool:
    return len(a) == len(b) and all(
        _value_same(x, y, rel, ab) for x, y, (rel, ab) in zip(a, b, tols, strict=True))


def _value_same(x: Any, y: Any, rel: float, ab: float) -> bool:
    if isinstance(x, list) and isinstance(y, list):  # vectors
        return len(x) == len(y) and all(
            _value_same(u, v, rel, ab) for u, v in zip(x, y, strict=True))
    return values_equal(x, y, rel, ab)


def _key(row: Row, tols: list[tuple[float, float]]) -> tuple[Any, ...]:
    """A sort key that is exact on non-floats and coarse on floats (3 digits when loose)."""
    out: list[Any] = []
    for v, (rel, _) in zip(row, tols, strict=True):
        if v is None:
            out.append((0, 0))
        elif isinstance(v, bool):
            out.append((1, int(v)))
        elif isinstance(v, int | float):
            f = float(v)
            digits = 3 if rel > REL_TOL else 8
            out.append((2, 0.0 if f == 0 or math.isnan(f) else float(f"{f:.{digits}g}")))
        else:
            out.append((3, repr(v)))
    return tuple(out)


def diff_results(actual: Any, expected: Any, *, ordered: bool,
                 check_names: bool = True) -> str | None:
    a_names, a_rows = table_rows(actual)
    e_names, e_rows = table_rows(expected)
    width = len(e_names) if e_names else (len(e_rows[0]) if e_rows else 0)
    a_width = len(a_names) if a_names else (len(a_rows[0]) if a_rows else width)
    if a_width != width:
        return f"column count differs: actual {a_names or a_width}, expected {e_names or width}"
    if check_names and a_names and e_names:
        bad = [(x, y) for x, y in zip(a_names, e_names, strict=True)
               if x != y and y.isidentifier()]
        if bad:
            return f"column names differ (actual, expected): {bad}"
    tols = tolerances(e_names, width)
    head = f"actual: {len(a_rows)} rows, expected: {len(e_rows)} rows"
    if ordered:
        for i, (x, y) in enumerate(zip(a_rows, e_rows, strict=False)):
            if not _same(x, y, tols):
                return f"{head}; first difference at row {i}:\n  actual:   {x!r}\n" \
                       f"  expected: {y!r}"
        if len(a_rows) != len(e_rows):
            return f"{head} (ordered; the shorter is a prefix of the longer)"
        return None
    only_a, only_e = _leftovers(a_rows, e_rows, tols)
    if not only_a and not only_e:
        return None
    lines = [f"{head} (compared as multisets)"]
    for label, rows in (("only in actual", only_a), ("only in expected", only_e)):
        lines.append(f"  {label}: {len(rows)} rows")
        lines.extend(f"    {r!r}" for r in rows[:MAX_SHOWN])
        if len(rows) > MAX_SHOWN:
            lines.append(f"    ... {len(rows) - MAX_SHOWN} more")
    return "\n".join(lines)


def _leftovers(actual: list[Row], expected: list[Row],
               tols: list[tuple[float, float]]) -> tuple[list[Row], list[Row]]:
    a_sorted = sorted(actual, key=lambda r: _key(r, tols))
    e_sorted = sorted(expected, key=lambda r: _key(r, tols))
    if len(a_sorted) == len(e_sorted) and all(
            _same(x, y, tols) for x, y in zip(a_sorted, e_sorted, strict=True)):
        return [], []
    pool = list(e_sorted)
    left: list[Row] = []
    for row in a_sorted:  # greedy matching, robust to keys that round across a boundary
        for i, cand in enumerate(pool):
            if _same(row, cand, tols):
                del pool[i]
                break
        else:
            left.append(row)
    return left, pool


def assert_same_result(actual: Any, expected: Any, *, ordered: bool, check_names: bool = True,
                       context: str = "") -> None:
    diff = diff_results(actual, expected, ordered=ordered, check_names=check_names)
    if diff is not None:
        raise ResultMismatch(f"{context}\n{diff}" if context else diff)
