"""NEAREST prefilters: which conditions of a SELECT are the alias's own filters, and how a
prefilter the vector source cannot evaluate still gives the exact top-K.

A NEAREST relation is "the K nearest rows of the table after the alias's own filters"
(DESIGN §3). A condition is the alias's own filter when it reads only that alias (not its
``_distance``) and SQL lets it filter the relation before any join:

* a WHERE conjunct, unless the alias is on the null-supplying side of a LEFT JOIN (WHERE runs
  after the padding there: ``WHERE k.id IS NULL`` must see the padded rows);
* an ON conjunct of an inner join: ``A JOIN B ON p AND q(B)`` is ``A JOIN (B WHERE q) ON p``,
  so ON and WHERE give the same answer (an inner join's ON acts as a WHERE over the join);
* an ON conjunct of a LEFT JOIN reading only its right (null-supplying) side:
  ``A LEFT JOIN B ON p AND q(B)`` is ``A LEFT JOIN (B WHERE q) ON p`` in SQL;
* never an ON conjunct reading only the preserved (left) side of a LEFT JOIN: it decides
  which rows match, not which rows exist, so every one of the K rows stays.

Searches inside derived tables take prefilters only from their own SELECT (an outer WHERE
filters the K results afterwards).

A prefilter the source cannot run (``lower(k.kind) = 'log'``, ``coalesce``, arithmetic) is
evaluated exactly instead: the source ranks *every* row passing the prefilters it can run
(``VectorSearch.k`` None, same exact search, same float32 distances), and the DuckDB stage
keeps the rows passing the rest, orders them by ``(_distance, row id)`` — the order the exact
search breaks ties in — and keeps the first K. EXPLAIN shows that plan.
"""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa

from planner.capabilities import accepts_predicate
from planner.catalog import Catalog
from planner.errors import PlanError
from planner.expressions import BExpr, ColumnRef, columns_of, conjunction, conjuncts
from planner.logical import Filter, Join, Limit, Plan, Sort, SortKey, VectorSearch
from planner.vectors import DISTANCE, ROW_ID


def attach_prefilters(plan: Plan, where: BExpr | None, catalog: Catalog
                      ) -> tuple[Plan, BExpr | None]:
    """Move the alias's own conditions (WHERE and ON conjuncts, see the module docstring)
    into each NEAREST of this SELECT's FROM; return the plan and what is left of WHERE."""
    parts = list(conjuncts(where)) if where is not None else []
    plan = _visit(plan, parts, catalog)
    return plan, conjunction(parts)


def _visit(node: Plan, parts: list[BExpr], catalog: Catalog) -> Plan:
    """``node`` with the searches below it prefiltered by ``parts`` (conditions that filter
    ``node``'s rows as a WHERE does); the conjuncts used are removed from ``parts``."""
    if isinstance(node, VectorSearch):
        return _prefilter(node, parts, catalog)
    if isinstance(node, Filter):
        return node.replace_children((_visit(node.child, parts, catalog),))
    if isinstance(node, Join):
        return _visit_join(node, parts, catalog)
    return node


def _visit_join(join: Join, parts: list[BExpr], catalog: Catalog) -> Plan:
    if join.kind == "full":  # both sides keep their rows: no condition filters a side (i10-b)
        return join
    on = list(conjuncts(join.condition)) if join.condition is not None else []
    if join.kind == "left":
        left = _visit(join.left, parts, catalog)  # WHERE reaches the preserved side only
        own = [p for p in on if columns_of(p) and columns_of(p) <= join.right.keys]
        unused = list(own)
        right = _visit(join.right, unused, catalog)
        on = [p for p in on if not _taken(p, own, unused)]
    else:
        pool = parts + on  # an inner join's ON filters its rows as WHERE does
        left = _visit(join.left, pool, catalog)
        right = _visit(join.right, pool, catalog)
        parts[:] = [p for p in parts if _kept(p, pool)]
        on = [p for p in on if _kept(p, pool)]
    if left is join.left and right is join.right:
        return join
    condition = conjunction(on)
    kind = "cross" if join.kind == "inner" and condition is None else join.kind
    return Join(left, right, kind, condition)


def _kept(part: BExpr, pool: list[BExpr]) -> bool:
    return any(part is p for p in pool)


def _taken(part: BExpr, candidates: list[BExpr], unused: list[BExpr]) -> bool:
    return _kept(part, candidates) and not _kept(part, unused)


def _prefilter(search: VectorSearch, parts: list[BExpr], catalog: Catalog) -> Plan:
    own = frozenset(c.key for c in search.available) - {
        f"{search.rel}.{DISTANCE}", f"{search.rel}.{search.vector_column}",
        f"{search.rel}.{ROW_ID}"}
    mine = [p for p in parts if columns_of(p) and columns_of(p) <= own]
    if not mine:
        return search
    parts[:] = [p for p in parts if not _kept(p, mine)]
    caps = catalog[search.source].capabilities
    pushed = tuple(p for p in mine if accepts_predicate(caps, p, own))
    rest = [p for p in mine if not _kept(p, list(pushed))]
    search = replace(search, filters=search.filters + pushed)
    return ranked_exactly(search, rest) if rest else search


def ranked_exactly(search: VectorSearch, rest: list[BExpr]) -> Plan:
    """The exact top-K of ``search`` after ``rest`` too, which its source cannot evaluate:
    every row passing the source's own prefilters is ranked there (exactly, even if the query
    said APPROXIMATE), the rest is applied in DuckDB, then the first K by the search's order."""
    names = {c.name for c in search.available}
    if ROW_ID in names:
        raise PlanError(f"NEAREST {search.table}: the table has a column named {ROW_ID!r}, "
                        "which the exact evaluation of its prefilter needs for itself")
    row_id = ColumnRef(search.rel, ROW_ID, pa.uint64())
    distance = next(c for c in search.available if c.name == DISTANCE)
    columns = (*search.columns, row_id)
    every = replace(search, k=None, approximate=False, columns=columns,
                    available=(*search.available, row_id))
    filtered = Filter(every, conjunction(rest) or rest[0])
    ordered = Sort(filtered, (SortKey(distance), SortKey(row_id)))
    return Limit(ordered, search.k)
