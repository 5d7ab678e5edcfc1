"""Subqueries that run inside the source of the Scan they filter (DESIGN §3, issue 10 item 1).

When a ``[NOT] EXISTS`` or ``[NOT] IN`` subquery and the rows it filters read one source whose
capabilities take subqueries (SQLite), the whole condition goes down with the Scan: the
source answers ``WHERE EXISTS (SELECT 1 FROM … WHERE …)`` itself instead of shipping both
tables to DuckDB. Only what is exact there moves:

* the subquery is a plain read of the same source: a Scan (its own filters already pushed),
  under at most a Filter of correlated conjuncts and a renaming Project; no LIMIT, ORDER BY,
  aggregate or set operation (scalar subqueries: ``planner.pushed_scalars``);
* every correlated conjunct is a predicate the source accepts, reading only the subquery's
  columns and those of the Scan it filters;
* ``x IN (SELECT y …)`` compares two values of one type, integers or text (SQLite compares
  text with the collation of ``x``: the writer makes it BINARY), as ``x = y`` would be pushed;
* a correlated subquery seeks its rows by an index (an equality between an indexed column and
  the outer row), and the tables of both reads stay within the source's ``join_rows`` (it is
  a nested loop there, as a join is).

>>> # Filter(EXISTS (Filter(t.a = outer(a.id), Scan(crm.tasks)))) over Scan(crm.agents)
>>> # becomes Scan(crm.agents, filters=(EXISTS …,)): one SQLite statement
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from planner.capabilities import Capabilities, accepts_predicate
from planner.cardinality import within_join_rows
from planner.catalog import Catalog
from planner.expressions import BExpr, Func, SubqueryExpr, columns_of, conjuncts
from planner.logical import Filter, Output, Plan, Project, Scan
from planner.pushed_scalars import scalars_as_values
from planner.subquery_plans import has_subquery
from planner.subquery_seeks import correlation_in_source, outer_as_columns, seeks
from planner.types import family


@dataclass(frozen=True)
class InnerRead:
    """What a pushable subquery reads: its Scan, its correlated conjuncts (outer references
    as the outer Scan's own columns) and, for IN, the compared value over the Scan's columns."""

    scan: Scan
    correlated: tuple[BExpr, ...]
    value: BExpr | None


def inner_read(sub: SubqueryExpr) -> InnerRead | None:
    """``sub``'s plan as an ``InnerRead``, or None when it is more than a plain read."""
    plan: Plan = sub.plan
    names: dict[str, BExpr] = {}
    if isinstance(plan, Output):
        plan = plan.child
    if isinstance(plan, Project):
        names = {c.key: e for c, e in plan.items}
        plan = plan.child
    residual: tuple[BExpr, ...] = ()
    if isinstance(plan, Filter):
        residual = conjuncts(plan.predicate)
        plan = plan.child
    if not isinstance(plan, Scan) or plan.limit is not None or plan.aggregate is not None \
            or plan.order:
        return None
    value = None
    if sub.column is not None:
        value = names.get(sub.column.key)
        if value is None:
            return None
    return InnerRead(plan, tuple(outer_as_columns(p) for p in residual), value)


def runs_in_source(catalog: Catalog, leaf: Scan, expr: BExpr) -> bool:
    """Whether the conjunct ``expr`` of a filter over ``leaf`` holds subqueries and
    ``leaf``'s source can answer all of it inside the same statement: AND, OR and NOT over
    predicates it accepts and subqueries it answers (the module docstring's conditions)."""
    caps = catalog[leaf.source].capabilities
    if not caps.subqueries or not has_subquery(expr):
        return False
    outer = frozenset(c.key for c in leaf.available)

    def answers(e: BExpr) -> bool:
        if isinstance(e, SubqueryExpr) and e.kind != "scalar":
            return _subquery_in_source(catalog, leaf, e)
        if isinstance(e, Func) and e.name in ("and", "or", "not"):
            return all(family(a.type) in ("bool", "null") and answers(a) for a in e.args)
        # a scalar subquery the source answers reads, there, as one value of its type
        values, keys = scalars_as_values(catalog, leaf, e)
        return accepts_predicate(caps, values, outer | keys)

    return answers(expr)


def _subquery_in_source(catalog: Catalog, leaf: Scan, expr: SubqueryExpr) -> bool:
    caps = catalog[leaf.source].capabilities
    if expr.kind != "exists" and (expr.kind, expr.op) != ("any", "eq"):
        return False
    read = inner_read(expr)
    if read is None or read.scan.source != leaf.source:
        return False
    outer = frozenset(c.key for c in leaf.available)
    inner = frozenset(c.key for c in read.scan.available)
    if not correlation_in_source(caps, expr.correlated, read.correlated, outer, inner):
        return False
    if expr.operand is not None and not _exact_in(caps, expr.operand, read.value, outer, inner):
        return False
    if read.correlated and not seeks(catalog, read.scan, read.correlated, outer):
        return False
    return within_join_rows(catalog, leaf.source, (*leaf.tables, *read.scan.tables))


def _exact_in(caps: Capabilities, operand: BExpr, value: BExpr | None, outer: frozenset[str],
              inner: frozenset[str]) -> bool:
    if value is None or operand.type != value.type or family(operand.type) not in (
            "int", "string"):
        return False
    equal = Func("eq", (operand, value), pa.bool_())
    return accepts_predicate(caps, equal, outer | inner) and columns_of(operand) <= outer \
        and columns_of(value) <= inner
