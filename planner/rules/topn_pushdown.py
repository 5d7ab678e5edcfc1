"""Send ``ORDER BY … LIMIT n`` into a source that sorts exactly as DuckDB: the source returns
its top ``n + offset`` rows, and the DuckDB stage still sorts and limits them, so the answer
never depends on the source's order (ties at the cut-off may pick other tied rows, as any
engine may).

Every key is written with its NULL placement made explicit (DuckDB's default is NULLS LAST
for ASC and DESC alike), and a key moves only when it is a column whose type family is in the
source's ``order`` capability.

>>> # SELECT t.title FROM crm.tasks t ORDER BY t.due DESC LIMIT 5
>>> # reads at most 5 rows: Scan crm: tasks … order=[t.due DESC NULLS LAST] limit=5
"""

from __future__ import annotations

from dataclasses import replace

from planner.catalog import Catalog
from planner.expressions import BExpr, ColumnRef, has_aggregate, substitute
from planner.logical import GraphMatch, Limit, Plan, Project, Scan, Sort, SortKey
from planner.types import family


def topn_pushdown(plan: Plan, catalog: Catalog) -> Plan:
    """``Limit(n, off)`` over ``Sort`` over row-preserving Projects over a Scan or GraphMatch:
    the leaf gets the sort keys and ``limit = n + off``; the Sort and Limit stay above."""
    plan = plan.replace_children(tuple(topn_pushdown(c, catalog) for c in plan.children))
    if not (isinstance(plan, Limit) and plan.limit is not None and isinstance(plan.child, Sort)):
        return plan
    sort = plan.child
    node, path = sort.child, []
    while isinstance(node, Project) and not any(has_aggregate(e) for _, e in node.items):
        path.append(node)
        node = node.child
    # a leaf that already has a limit (this rule's, or a derived table's) is left alone
    if not isinstance(node, Scan | GraphMatch) or node.aggregate is not None \
            or node.limit is not None or not catalog[node.source].capabilities.limit:
        return plan
    exprs = [k.expr for k in sort.keys_]
    for project in path:  # outermost first: rewrite each key down to the leaf's columns
        mapping = {c.key: e for c, e in project.items}
        exprs = [substitute(e, mapping) for e in exprs]
    families = catalog[node.source].capabilities.order
    keys = [_leaf_key(replace(k, expr=e), node, families) for k, e in zip(sort.keys_, exprs,
                                                                           strict=True)]
    if any(k is None for k in keys):
        return plan
    order = tuple(k for k in keys if k is not None)
    rebuilt: Plan = replace(node, order=order, limit=plan.limit + plan.offset)
    for project in reversed(path):
        rebuilt = project.replace_children((rebuilt,))
    return plan.replace_children((sort.replace_children((rebuilt,)),))


def _leaf_key(key: SortKey, leaf: Scan | GraphMatch, families: frozenset[str]
              ) -> SortKey | None:
    """The key with DuckDB's NULL placement spelled out, or None when the leaf cannot sort
    by it exactly."""
    expr: BExpr = key.expr
    if not isinstance(expr, ColumnRef) or family(expr.type) not in families:
        return None
    if expr.key not in {c.key for c in leaf.available + leaf.columns} \
            or (isinstance(leaf, Scan) and expr.key in leaf.computed_keys):
        return None
    nulls_first = False if key.nulls_first is None else key.nulls_first
    return SortKey(expr, key.descending, nulls_first)
