"""Move a filter below the window functions it sits on when it keeps or drops whole window
partitions (i10-b).

A conjunct that reads only columns every window function of the node partitions by holds for
all rows of a partition or for none, so filtering before the window leaves the surviving
partitions, and every value computed over them, unchanged; predicate pushdown then carries it
on towards the sources. Float partition keys are left alone: DuckDB puts ``-0.0`` and ``0.0``
in one partition, which a filter could tell apart.

>>> # SELECT … row_number() OVER (PARTITION BY a.team …) … QUALIFY rn = 1 AND a.team = 'ml'
>>> # the a.team conjunct runs before the Window (and reaches the source), rn = 1 after it
"""

from __future__ import annotations

from planner.catalog import Catalog
from planner.expressions import ColumnRef, columns_of, conjunction, conjuncts
from planner.logical import Filter, Plan
from planner.types import family
from planner.windows import Window


def window_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """``Filter(Window)`` → ``Window(Filter)`` for the conjuncts over common partition keys."""
    plan = plan.replace_children(tuple(window_pushdown(c, catalog) for c in plan.children))
    if not (isinstance(plan, Filter) and isinstance(plan.child, Window)):
        return plan
    window = plan.child
    keys = _common_partition_keys(window)
    parts = conjuncts(plan.predicate)
    movable = [p for p in parts if columns_of(p) and columns_of(p) <= keys]
    if not movable:
        return plan
    below = conjunction(movable)
    assert below is not None
    moved = window.replace_children((Filter(window.child, below),))
    rest = conjunction([p for p in parts if p not in movable])
    return Filter(moved, rest) if rest is not None else moved


def _common_partition_keys(window: Window) -> frozenset[str]:
    common: set[str] | None = None
    for _, func in window.items:
        keys = {e.key for e in func.partition if isinstance(e, ColumnRef) and _exact_key(e)}
        common = keys if common is None else common & keys
    return frozenset(common or ())


def _exact_key(column: ColumnRef) -> bool:
    return family(column.type) not in ("float", "other", "null")
