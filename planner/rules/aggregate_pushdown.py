"""Run a GROUP BY inside the source when one Scan or GraphMatch holds everything it reads and
the source computes every group key and aggregate exactly as DuckDB.

The leaf then outputs the Aggregate's own columns, typed as the binder declared them
(``count`` int64, ``avg`` double, ``sum`` over integers DECIMAL(38,0) like DuckDB's HUGEINT,
``min``/``max`` the argument's type); the source casts its answer to those types. SQL and
Cypher agree with DuckDB on the cases that matter: NULLs form one group, an empty input gives
no groups (or, without GROUP BY, one row with count 0 and NULL elsewhere), ``count(x)`` skips
NULLs. Group keys and arguments must be plain columns whose family the source's capabilities
list; DISTINCT moves only for ``min``/``max``, where it changes nothing.

>>> # SELECT t.status, count(*) FROM crm.tasks t GROUP BY t.status
>>> # becomes Scan crm: tasks … group_by=[t.status] aggregates=[_agg.a0=count(*)]
"""

from __future__ import annotations

from dataclasses import replace

from planner.capabilities import Capabilities, accepts_aggregate
from planner.catalog import Catalog
from planner.expressions import BExpr, ColumnRef
from planner.logical import Aggregate, GraphMatch, Plan, Scan
from planner.pushed_work import PushedAggregate
from planner.types import family


def aggregate_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """``Aggregate`` directly over a plain Scan or GraphMatch becomes that leaf, aggregated."""
    plan = plan.replace_children(tuple(aggregate_pushdown(c, catalog) for c in plan.children))
    if not isinstance(plan, Aggregate) or not isinstance(plan.child, Scan | GraphMatch):
        return plan
    leaf = plan.child
    if leaf.aggregate is not None or leaf.limit is not None or leaf.order \
            or (isinstance(leaf, Scan) and leaf.computed):
        return plan
    caps = catalog[leaf.source].capabilities
    readable = frozenset(c.key for c in leaf.available + leaf.columns)
    if not all(_group_ok(e, caps, readable) for _, e in plan.groups):
        return plan
    if not all(accepts_aggregate(a, caps, readable) for _, a in plan.aggregates):
        return plan
    pushed = PushedAggregate(plan.groups, plan.aggregates)
    return replace(leaf, columns=pushed.schema, aggregate=pushed)


def _group_ok(expr: BExpr, caps: Capabilities, readable: frozenset[str]) -> bool:
    return isinstance(expr, ColumnRef) and expr.key in readable \
        and family(expr.type) in caps.group_families
