"""Rough row estimates of source fragments from the catalog's counts (no I/O, no clock).

Enough to tell a lookup from a bulk read and a selective leg from a large one: the largest
table read, divided by a fixed guess per filter conjunct (10 for ``=``/``IN``, 3 for any other),
capped by a LIMIT; one row for a global aggregate and for a one-table key lookup (an ``=``
on a unique column). None when a table's size is unknown. The router of DESIGN §5 replaces
the guesses with recorded statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import singledispatch

from planner.catalog import Catalog, SourceInfo, TableSchema
from planner.expressions import BExpr, ColumnRef, Const, Func, ParamRef
from planner.logical import GraphMatch, Plan, Scan, TableAccess, VectorSearch, components
from planner.mirror_match import TableMatch

TableRows = Callable[[str], int | None]

EQUALITY_SELECTIVITY = 10
OTHER_SELECTIVITY = 3


def estimate(leaf: Plan, catalog: Catalog, table_rows: TableRows | None = None,
             values: Mapping[str, object] | None = None) -> int | None:
    """Estimated rows a source leaf returns; ``table_rows`` may give fresher counts than the
    catalog's (a source estimating its own fragment); ``values`` the query's parameters,
    where known (a mirror's pattern seeded on a range of keys: ``_table_match``).

    >>> import pyarrow as pa
    >>> from planner.capabilities import Capabilities
    >>> from planner.catalog import SourceInfo, TableSchema
    >>> from planner.expressions import ColumnRef, Const
    >>> from planner.logical import TableAccess
    >>> info = SourceInfo("s", "sqlite", Capabilities(),
    ...                   {"t": TableSchema("t", (("a", pa.int64()),), row_count=1000)})
    >>> a = ColumnRef("t", "a", pa.int64())
    >>> estimate(Scan("s", (TableAccess("t", "t"),), (a,),
    ...               (Func("eq", (a, Const(1, pa.int64())), pa.bool_()),)), {"s": info})
    100
    """
    return _estimate(leaf, catalog, table_rows, values or {})


@singledispatch
def _estimate(leaf: Plan, catalog: Catalog, table_rows: TableRows | None,
              values: Mapping[str, object]) -> int | None:
    return None


@_estimate.register
def _scan(leaf: Scan, catalog: Catalog, table_rows: TableRows | None,
          values: Mapping[str, object]) -> int | None:
    if leaf.aggregate is not None:
        return 1 if not leaf.aggregate.groups else None
    info = catalog.get(leaf.source)
    tables = [t.table for t in leaf.tables]
    if info is not None and len(tables) == 1 and _key_lookup(leaf, info.tables.get(tables[0])):
        return 1
    return _filtered(_largest(info, tables, table_rows), leaf.filters, leaf.limit)


@_estimate.register
def _match(leaf: GraphMatch, catalog: Catalog, table_rows: TableRows | None,
           values: Mapping[str, object]) -> int | None:
    if leaf.aggregate is not None:
        return 1 if not leaf.aggregate.groups else None
    labels = [n.label for n in leaf.nodes if n.label is not None]
    labels += [e.label for e in leaf.edges if e.label is not None]
    if leaf.edges and any(e.variable_length for e in leaf.edges):
        return None  # paths multiply rows beyond any table's size
    info = catalog.get(leaf.source)
    seeded = _seeded(leaf, info, table_rows) if info is not None else None
    if seeded is not None:
        rows, rest = seeded
        return _filtered(max(1, round(rows)), rest, leaf.limit)
    return _filtered(_largest(info, labels, table_rows), _restricting(leaf), leaf.limit)


@_estimate.register
def _table_match(leaf: TableMatch, catalog: Catalog, table_rows: TableRows | None,
                 values: Mapping[str, object]) -> int | None:
    """A one-hop pattern over a mirror's link table seeded on a range of one end's keys
    whose bounds are known: the range's width times the link rows per key (rows ÷ distinct
    keys of its column); else as any pattern. A seed was guessed to keep a third of the
    link table (49 518 rows for 18), and the route through it was never tried."""
    info = catalog.get(leaf.source)
    if info is None or leaf.aggregate is not None or len(leaf.edges) != 1 \
            or leaf.edges[0].variable_length:
        return _match(leaf, catalog, table_rows, values)
    edge = leaf.edges[0]
    link = dict((t, (a, b)) for t, a, b in leaf.links).get(str(edge.label))
    table = info.tables.get(str(edge.label))
    ends = {"right": (edge.src, edge.dst), "left": (edge.dst, edge.src)}.get(edge.direction)
    if link is None or table is None or ends is None or not table.row_count:
        return _match(leaf, catalog, table_rows, values)
    keys = dict(leaf.keyed) | {n.rel: dict(leaf.node_keys).get(n.label, "")
                               for n in leaf.nodes if n.label is not None}
    for node, column in zip((leaf.nodes[i] for i in ends), link, strict=True):
        distinct = table.distinct_values(column)
        for f in leaf.filters:
            width = _key_range(f, node.rel, keys.get(node.rel), values)
            if width is not None and distinct:
                rows = min(table.row_count, width * table.row_count / distinct)
                rest = tuple(g for g in leaf.filters if g is not f)
                return _filtered(max(1, round(rows)), rest, leaf.limit)
    return _match(leaf, catalog, table_rows, values)


def _key_range(f: BExpr, rel: str, key: str | None, values: Mapping[str, object]
               ) -> float | None:
    """How many keys ``f`` (an ``=`` or a ``between`` on ``rel.key`` whose bounds are known
    integers) selects; None for any other filter."""
    if not isinstance(f, Func) or f.name not in ("eq", "between") or not f.args:
        return None
    column = f.args[0]
    if not (isinstance(column, ColumnRef) and column.rel == rel and column.name == key):
        return None
    bounds = [_int(a, values) for a in f.args[1:]]
    if len(bounds) == 1:
        bounds *= 2
    lo, hi = bounds
    return float(max(hi - lo + 1, 0)) if lo is not None and hi is not None else None


def _int(e: BExpr, values: Mapping[str, object]) -> int | None:
    value = e.value if isinstance(e, Const) else \
        values.get(e.name) if isinstance(e, ParamRef) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _restricting(leaf: GraphMatch) -> tuple[BExpr, ...]:
    """The filters that drop rows of the pattern's largest table: not an equality between two
    of its parts' properties (a join of node tables, ``planner.rules.graph_joins``: on a key,
    the larger side's rows each find their one match; TPC-H Q11's supplier ⋈ partsupp returns
    all 800 000 partsupp rows, not a tenth of them)."""
    if components(leaf) < 2:  # a connected pattern's equality compares what it reached
        return leaf.filters
    return tuple(f for f in leaf.filters if not (
        isinstance(f, Func) and f.name == "eq" and len(f.args) == 2
        and all(isinstance(a, ColumnRef) for a in f.args)
        and len({a.rel for a in f.args if isinstance(a, ColumnRef)}) == 2))


def _seeded(leaf: GraphMatch, info: SourceInfo, table_rows: TableRows | None
            ) -> tuple[float, tuple[BExpr, ...]] | None:
    """Rows of a pattern anchored on one node by a unique key (``{id: $x}``): one start
    node, times each relationship's average degree walking out from it; and the filters left.
    """
    def rows(label: str | None) -> int | None:
        if label is None or label not in info.tables:
            return None
        return table_rows(label) if table_rows is not None else info.tables[label].row_count

    for seed, node in enumerate(leaf.nodes):
        schema = info.tables.get(node.label) if node.label is not None else None
        anchor = next((f for f in leaf.filters if _is_key_eq(f, node.rel, schema)), None)
        if anchor is None:
            continue
        total, reached, pending = 1.0, {seed}, list(leaf.edges)
        while pending:
            edge = next((e for e in pending if (e.src in reached) != (e.dst in reached)), None)
            if edge is None:
                return None  # a part of the pattern not connected to the seed
            start = edge.src if edge.src in reached else edge.dst
            through, nodes = rows(edge.label), rows(leaf.nodes[start].label)
            if through is None or not nodes:
                return None
            total *= through / nodes
            reached |= {edge.src, edge.dst}
            pending.remove(edge)
        return total, tuple(f for f in leaf.filters if f is not anchor)
    return None


def _is_key_eq(f: BExpr, rel: str, table: TableSchema | None) -> bool:
    if table is None or not (isinstance(f, Func) and f.name == "eq"):
        return False
    column = next((a for a in f.args if isinstance(a, ColumnRef)), None)
    return column is not None and column.rel == rel and column.name in table.unique \
        and any(isinstance(a, Const | ParamRef) for a in f.args)


@_estimate.register
def _search(leaf: VectorSearch, catalog: Catalog, table_rows: TableRows | None,
            values: Mapping[str, object]) -> int | None:
    return leaf.k


def _key_lookup(leaf: Scan, table: TableSchema | None) -> bool:
    """An ``=`` between a unique column of the one scanned table and a value."""
    unique = frozenset(table.unique) if table is not None else frozenset()
    for f in leaf.filters:
        if isinstance(f, Func) and f.name == "eq":
            column = next((a for a in f.args if isinstance(a, ColumnRef)), None)
            value = any(isinstance(a, Const | ParamRef) for a in f.args)
            if column is not None and column.name in unique and value:
                return True
    return False


def _largest(info: SourceInfo | None, tables: list[str],
             table_rows: TableRows | None = None) -> int | None:
    if info is None or not tables:
        return None
    counts = [table_rows(t) if table_rows is not None else
              info.tables[t].row_count if t in info.tables else None for t in tables]
    if any(c is None for c in counts):
        return None
    return max(c for c in counts if c is not None)


def _filtered(rows: int | None, filters: tuple[BExpr, ...], limit: int | None) -> int | None:
    if rows is None:
        return limit
    share = 1.0
    for f in filters:
        share *= selectivity(f)
    rows = int(rows * share)
    return min(rows, limit) if limit is not None else rows


def selectivity(predicate: BExpr) -> float:
    """The guessed share of rows a predicate keeps: AND multiplies, OR adds (at most 1).

    >>> import pyarrow as pa
    >>> from planner.expressions import ColumnRef, Const
    >>> eq = Func("eq", (ColumnRef("t", "a", pa.int64()), Const(1, pa.int64())), pa.bool_())
    >>> selectivity(Func("or", (eq, eq), pa.bool_()))
    0.2
    """
    if isinstance(predicate, Func) and predicate.name == "and":
        return selectivity(predicate.args[0]) * selectivity(predicate.args[1])
    if isinstance(predicate, Func) and predicate.name == "or":
        return min(1.0, selectivity(predicate.args[0]) + selectivity(predicate.args[1]))
    if isinstance(predicate, Func) and predicate.name in ("eq", "in"):
        return 1 / EQUALITY_SELECTIVITY
    return 1 / OTHER_SELECTIVITY


def within_join_rows(catalog: Catalog, source: str, tables: tuple[TableAccess, ...]) -> bool:
    """Whether the catalog's row counts keep a join of ``tables`` inside ``source`` under its
    ``join_rows`` bound (a table of unknown size does not count against it)."""
    info = catalog[source]
    bound = info.capabilities.join_rows
    if bound is None:
        return True
    counts = (info.tables[t.table].row_count for t in tables if t.table in info.tables)
    return sum(c for c in counts if c is not None) <= bound
