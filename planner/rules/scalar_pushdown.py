"""A SELECT-list value holding scalar subqueries is computed by the source of the Scan whose
rows it follows, in the same statement, when that source answers the subqueries exactly
(``planner.pushed_scalars``: at most one row provably, the value exact, a correlated one
seeking by an index, and a correlated aggregate over few outer rows).

The Scan outputs the value as one more column (``Scan.computed``); the Project above reads
that column.

>>> # SELECT c.id, (SELECT count(*) FROM crm.orders o WHERE o.cust = c.id) AS n
>>> #   FROM crm.customers c WHERE c.id < 10
>>> # becomes Project(n=n) over Scan(crm.customers, computed=[n=(<subquery>)]): one statement
"""

from __future__ import annotations

from dataclasses import replace

from planner.catalog import Catalog
from planner.logical import Plan, Project, Scan
from planner.pushed_scalars import value_in_source


def scalar_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """``Project`` over a ``Scan``: each item its source computes moves into the Scan."""
    plan = plan.replace_children(tuple(scalar_pushdown(c, catalog) for c in plan.children))
    if not isinstance(plan, Project) or not isinstance(plan.child, Scan):
        return plan
    leaf = plan.child
    moved = tuple((c, e) for c, e in plan.items if value_in_source(catalog, leaf, e))
    if not moved:
        return plan
    scan = replace(leaf, columns=leaf.columns + tuple(c for c, _ in moved),
                   computed=leaf.computed + moved)
    keys = {c.key for c, _ in moved}
    return Project(scan, tuple((c, c if c.key in keys else e) for c, e in plan.items))
