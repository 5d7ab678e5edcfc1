"""Fold date constants written as expressions, so predicate pushdown can move them.

TPC-H writes ``o_orderdate < CAST('1995-03-15' AS date)`` and ``l_shipdate < DATE '1995-09-01'
+ INTERVAL '1' MONTH``. Sources accept a comparison with a constant, not with a cast or an
interval sum, so without folding these filters stay in DuckDB and every row is fetched.
Folding follows DuckDB exactly: ``CAST(text AS DATE)`` of a plain ISO date; ``date ± INTERVAL n
DAY|MONTH|YEAR`` is a midnight TIMESTAMP (month arithmetic clamps the day to the month's end:
``1995-01-31 + 1 month = 1995-02-28``); a DATE column compared with a midnight TIMESTAMP
constant is the same comparison with that day as a DATE. Anything else (other formats, invalid
dates, hours, overflow) is left for DuckDB, which also raises its errors.

>>> import pyarrow as pa
>>> from planner.expressions import Interval
>>> day = Func("cast", (Const("1995-01-31", pa.string()),), pa.date32(), "date")
>>> str(fold(Func("add", (day, Interval(1, "month")), pa.timestamp("us"))))
"TIMESTAMP '1995-02-28 00:00:00'"
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

import pyarrow as pa

from planner.catalog import Catalog
from planner.expressions import BExpr, ColumnRef, Const, Func, Interval
from planner.logical import Filter, Join, Plan
from planner.types import family

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "between", "not_between"})
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def constant_folding(plan: Plan, catalog: Catalog) -> Plan:
    """Fold the constants of every Filter predicate and Join condition (bottom-up)."""
    plan = plan.replace_children(tuple(constant_folding(c, catalog) for c in plan.children))
    if isinstance(plan, Filter):
        predicate = fold(plan.predicate)
        return plan if predicate is plan.predicate else Filter(plan.child, predicate)
    if isinstance(plan, Join) and plan.condition is not None:
        condition = fold(plan.condition)
        if condition is not plan.condition:
            return Join(plan.left, plan.right, plan.kind, condition)
    return plan


def fold(expr: BExpr) -> BExpr:
    """``expr`` with its foldable parts folded; the very same object when nothing folds."""
    if not isinstance(expr, Func):
        return expr
    args = tuple(fold(a) for a in expr.args)
    if any(new is not old for new, old in zip(args, expr.args, strict=True)):
        expr = Func(expr.name, args, expr.type, expr.option)
    folder = _FOLDERS.get(expr.name)
    folded = folder(expr) if folder is not None else None
    return folded if folded is not None else expr


def _cast(expr: Func) -> BExpr | None:
    (arg,) = expr.args
    if family(expr.type) != "date" or not isinstance(arg, Const):
        return None
    if isinstance(arg.value, str) and _ISO_DATE.match(arg.value):
        try:
            return Const(dt.date.fromisoformat(arg.value), pa.date32())
        except ValueError:
            return None  # DuckDB reports the invalid date
    if type(arg.value) is dt.date:
        return Const(arg.value, pa.date32())
    return None


def _arithmetic(expr: Func) -> BExpr | None:
    """Integer ``+ - *`` of two integer constants (``l_quantity <= 1 + 10`` in TPC-H Q19),
    when the result fits BIGINT; else the date shift below, or nothing."""
    if len(expr.args) == 2 and all(isinstance(a, Const) and type(a.value) is int
                                   for a in expr.args) and family(expr.type) == "int":
        left, right = (int(a.value) for a in expr.args)  # type: ignore[union-attr, arg-type]
        value = {"add": left + right, "sub": left - right, "mul": left * right}.get(expr.name)
        # DuckDB types literals that fit INTEGER as INTEGER and raises on overflow there
        bits = 31 if all(-(2**31) <= v < 2**31 for v in (left, right)) else 63
        if value is not None and -(2**bits) <= value < 2**bits:
            return Const(value, expr.type)
        return None
    return _shift(expr) if expr.name in ("add", "sub") else None


def _shift(expr: Func) -> BExpr | None:
    """``date ± interval`` (either order for +) as a midnight timestamp."""
    if len(expr.args) != 2 or family(expr.type) != "timestamp":
        return None
    left, right = expr.args
    if expr.name == "add" and isinstance(left, Interval):
        left, right = right, left
    day = _day_of(left)
    if day is None or not isinstance(right, Interval) or not isinstance(right.amount, int):
        return None  # a fraction of a unit is DuckDB's to interpret
    sign = 1 if expr.name == "add" else -1
    shifted = _add(day, sign * right.amount, right.unit)
    if shifted is None:
        return None
    return Const(dt.datetime.combine(shifted, dt.time()), pa.timestamp("us"))


def _day_of(expr: BExpr) -> dt.date | None:
    """The day a DATE constant or a midnight TIMESTAMP constant stands for."""
    if not isinstance(expr, Const):
        return None
    value = expr.value
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() and value.tzinfo is None else None
    return value if isinstance(value, dt.date) else None


def _add(day: dt.date, amount: int, unit: str) -> dt.date | None:
    try:
        if unit == "day":
            return day + dt.timedelta(days=amount)
        if unit in _MONTHS:
            years, month0 = divmod(day.month - 1 + amount * _MONTHS[unit], 12)
            year = day.year + years
            last = calendar.monthrange(year, month0 + 1)[1]
            return dt.date(year, month0 + 1, min(day.day, last))
    except (ValueError, OverflowError, calendar.IllegalMonthError):
        return None
    return None


def _compare(expr: Func) -> BExpr | None:
    """A DATE column against midnight TIMESTAMP constants: compare with DATE constants."""
    if not any(isinstance(a, ColumnRef) and family(a.type) == "date" for a in expr.args):
        return None
    if not any(isinstance(a, Const) and isinstance(a.value, dt.datetime) for a in expr.args):
        return None
    args: list[BExpr] = []
    for arg in expr.args:
        if isinstance(arg, Const) and isinstance(arg.value, dt.datetime):
            day = _day_of(arg)
            if day is None:
                return None  # a time of day: the comparison is not one of whole days
            arg = Const(day, pa.date32())
        elif not isinstance(arg, ColumnRef | Const):
            return None
        args.append(arg)
    return Func(expr.name, tuple(args), expr.type, expr.option)


_FOLDERS: dict[str, Callable[[Func], BExpr | None]] = {
    "cast": _cast, **dict.fromkeys(("add", "sub", "mul"), _arithmetic),
    **dict.fromkeys(_COMPARISONS, _compare)}
