"""What a subquery pushed whole into its source reads per outer row (``planner.pushed_subqueries``,
``planner.pushed_scalars``): its correlated conjuncts over the outer Scan's own columns, and
whether they seek the inner rows through an index.

>>> import pyarrow as pa
>>> from planner.expressions import ColumnRef, Func, OuterRef
>>> a, t = ColumnRef("a", "id", pa.int64()), ColumnRef("t", "agent_id", pa.int64())
>>> str(outer_as_columns(Func("eq", (t, OuterRef(a)), pa.bool_())))
'(t.agent_id = a.id)'
"""

from __future__ import annotations

from planner.capabilities import Capabilities, accepts_predicate
from planner.catalog import Catalog
from planner.expressions import BExpr, ColumnRef, Func, OuterRef, columns_of, transform
from planner.logical import Scan


def correlation_in_source(caps: Capabilities, outer_refs: tuple[BExpr, ...],
                          correlated: tuple[BExpr, ...], outer: frozenset[str],
                          inner: frozenset[str]) -> bool:
    """Whether every outer column a subquery reads (``outer_refs``) is one of the outer
    Scan's (``outer``) and the source runs each correlated conjunct over both reads."""
    return all(columns_of(c) <= outer for c in outer_refs) and \
        all(accepts_predicate(caps, p, inner | outer) for p in correlated)


def outer_as_columns(expr: BExpr) -> BExpr:
    """``expr`` with each outer reference as the outer query's column (the statement that
    runs the subquery reads that column itself)."""
    return transform(expr, lambda e: e.ref if isinstance(e, OuterRef) else None)


def seeks(catalog: Catalog, scan: Scan, correlated: tuple[BExpr, ...],
          outer: frozenset[str]) -> bool:
    """Whether a correlated subquery finds its rows through an index: an equality between a
    column leading an index of its tables and the outer row. Without one SQLite may scan the
    inner table once per outer row (a NOT EXISTS over 100 000 rows on each side took over
    20 s where the DuckDB stage takes a fraction of one). The catalog lists as indexed only
    what an equality written by the engine can seek by (SQLite: a BINARY-collated index:
    text is compared ``COLLATE BINARY``, which a NOCASE index cannot answer)."""
    tables = catalog[scan.source].tables
    seekable = {f"{t.rel}.{c}" for t in scan.tables if t.table in tables
                for c in tables[t.table].indexed}
    for p in correlated:
        if isinstance(p, Func) and p.name == "eq":
            for inner_side, outer_side in (p.args, p.args[::-1]):
                if isinstance(inner_side, ColumnRef) and inner_side.key in seekable \
                        and columns_of(outer_side) <= outer:
                    return True
    return False
