"""Run a join inside the source when both inputs are Scans of that one source and the source
accepts the join kind and the exact condition.

>>> # Join(Scan(crm.orders), Scan(crm.customer), o.c = c.c) becomes one Scan of crm
"""

from __future__ import annotations

from dataclasses import replace

from planner.capabilities import accepts_predicate
from planner.catalog import Catalog
from planner.expressions import conjunction
from planner.logical import Join, Plan, Scan, TableAccess


def join_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """Merge ``Join(Scan, Scan)`` of one source into a single Scan (bottom-up)."""
    plan = plan.replace_children(tuple(join_pushdown(c, catalog) for c in plan.children))
    if not isinstance(plan, Join) or plan.condition is None:
        return plan
    left, right = plan.left, plan.right
    if not (isinstance(left, Scan) and isinstance(right, Scan) and left.source == right.source):
        return plan
    caps = catalog[left.source].capabilities
    available = frozenset(c.key for c in left.available + right.available)
    if plan.kind not in caps.joins or any(s.limit is not None or s.aggregate is not None
                                          for s in (left, right)):
        return plan
    if not _small_enough(catalog, left.source, (*left.tables, *right.tables)):
        return plan
    if not accepts_predicate(caps, plan.condition, available):
        return plan
    if plan.kind == "left":
        if len(right.tables) != 1:
            return plan
        # the right side's own filters restrict what may match: they belong in ON
        on = conjunction((plan.condition, *right.filters))
        tables = (*left.tables, replace(right.tables[0], kind="left", condition=on))
        filters = left.filters
    else:
        if any(t.kind == "left" for t in right.tables):
            return plan
        first = replace(right.tables[0], kind="inner", condition=None)
        tables = (*left.tables, first, *right.tables[1:])
        filters = (*left.filters, *right.filters, plan.condition)
    return Scan(left.source, tables, left.columns + right.columns, filters,
                available=left.available + right.available)


def _small_enough(catalog: Catalog, source: str, tables: tuple[TableAccess, ...]) -> bool:
    """Whether the catalog's row counts keep this join under the source's ``join_rows``
    (a table of unknown size does not count against it)."""
    info = catalog[source]
    bound = info.capabilities.join_rows
    if bound is None:
        return True
    counts = (info.tables[t.table].row_count for t in tables if t.table in info.tables)
    return sum(c for c in counts if c is not None) <= bound
