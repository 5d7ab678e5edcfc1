"""Send LIMIT into a source when the rows it returns are the rows the query keeps.

>>> # SELECT a.name FROM crm.agents a LIMIT 5  reads at most 5 rows from the source
"""

from __future__ import annotations

from dataclasses import replace

from planner.catalog import Catalog
from planner.expressions import has_aggregate
from planner.logical import GraphMatch, Limit, Plan, Project, Scan


def limit_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """``Limit(n, off)`` over row-preserving Projects over a Scan or GraphMatch: the source
    reads ``n + off`` rows."""
    plan = plan.replace_children(tuple(limit_pushdown(c, catalog) for c in plan.children))
    if not isinstance(plan, Limit) or plan.limit is None:
        return plan
    # capped at the largest BIGINT: no source holds more rows, and every source binds it
    wanted = min(plan.limit + plan.offset, 2**63 - 1)
    node = plan.child
    path: list[Project] = []
    while isinstance(node, Project) and not any(has_aggregate(e) for _, e in node.items):
        path.append(node)
        node = node.child
    if not isinstance(node, Scan | GraphMatch) or not catalog[node.source].capabilities.limit:
        return plan
    if node.limit is not None and node.limit <= wanted:
        return plan
    rebuilt: Plan = replace(node, limit=wanted)
    for project in reversed(path):
        rebuilt = project.replace_children((rebuilt,))
    return plan.replace_children((rebuilt,))
