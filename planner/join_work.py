"""Rows a join inside one source reads before its first measurement (pure: no I/O, no clock).

A cold prediction of a join a source runs (several tables of one Scan, or a pattern over a
mirror's link tables, ``planner.mirror_match.TableMatch``) adds the work its output rows do
not show. Counting every row of its tables made a seeded 1-hop over the link tables look
12 ms against Kuzu's 2 ms (it ran in 0.8 ms): an index seek on the seed reads a dozen rows.
So the join is walked as a nested-loop plan would run it: from an entry table (scanned, or
sought through an index on a filtered column: one seek per key, then the rows of those keys),
each other table probed once per row reached through its join column (a seek, then the rows
per key: one on a unique column, else rows ÷ distinct keys); an unindexed join column costs
the index SQLite builds on it for the query (an automatic index: a b-tree insert, about a
seek, per row of its table; TPC-H Q13's customer LEFT JOIN orders at SF 1 built one over
1.5 M orders in about 2 s, guessed at one scan of them it looked 400 ms, and was explored
at 5.3 s beside the DuckDB join's 285 ms). The cheapest entry is taken: nested loops
may read more than every table once (a seek per row reached). Keys and rows per key come
from the catalog's counts and distinct estimates; a range whose bounds are known (the
query's values) covers its width of them.

>>> import pyarrow as pa
>>> from planner.capabilities import Capabilities
>>> from planner.catalog import SourceInfo, TableSchema
>>> from planner.expressions import ColumnRef, Func, ParamRef
>>> from planner.logical import Scan, TableAccess
>>> i64 = pa.int64()
>>> link = TableSchema("links", (("a", i64), ("t", i64)), row_count=140_000, indexed=("a",),
...                    distinct={"a": 10_000})
>>> tasks = TableSchema("tasks", (("id", i64),), row_count=100_000, unique=("id",),
...                     indexed=("id",))
>>> catalog = {"s": SourceInfo("s", "sqlite", Capabilities(), {"links": link, "tasks": tasks})}
>>> a, t, id_ = ColumnRef("l", "a", i64), ColumnRef("l", "t", i64), ColumnRef("k", "id", i64)
>>> seed = Func("between", (a, ParamRef("lo", i64), ParamRef("hi", i64)), pa.bool_())
>>> scan = Scan("s", (TableAccess("links", "l"), TableAccess("tasks", "k", "inner")), (id_,),
...             (seed, Func("eq", (t, id_), pa.bool_())))
>>> work_rows(scan, catalog, {"lo": 7, "hi": 7})  # a seek, 14 rows, 14 probes of tasks
328.0
>>> work_rows(scan, catalog, {"lo": 1, "hi": 6000})  # 60% of the links, a seek each
1848020.0
>>> work_rows(scan, catalog)  # values unknown: a range keeps a third of the rows
1026686.6666666666
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pyarrow as pa

from planner.cardinality import EQUALITY_SELECTIVITY, OTHER_SELECTIVITY, selectivity
from planner.catalog import Catalog, SourceInfo, TableSchema
from planner.expressions import BExpr, ColumnRef, Const, Func, ParamRef
from planner.logical import GraphMatch, Plan, Scan, components
from planner.mirror_match import TableMatch

SEEK_ROWS = 20.0  # one index seek costs about as much as reading this many rows in a scan
KEYS = "passed keys"  # a conjunct standing for keys passed in: (column, how many)
Col = tuple[str, str]  # (relation, column)


@dataclass(frozen=True)
class _Join:
    """A join as relations (rel → table), equalities between their columns, and the
    conjuncts on each relation alone."""

    tables: Mapping[str, TableSchema]
    equal: tuple[tuple[Col, Col], ...]
    local: Mapping[str, tuple[BExpr, ...]]
    # relations a LEFT JOIN adds: probed for each row of the preserved side, never entered
    optional: frozenset[str] = frozenset()


def work_rows(leaf: Plan, catalog: Catalog, values: Mapping[str, object] | None = None,
              keys: Mapping[ColumnRef, float] | None = None) -> float:
    """Rows (seek-equivalents included) a join inside ``leaf``'s source is guessed to read;
    0 for no join. ``keys``: how many keys passed in filter a column (a receiver of a key
    pass, ``planner.semijoin``): an entry like a seed's. Without a plan to walk (tables of
    unknown size, conjuncts that do not connect them, variable-length or graph-native
    patterns), every row of its tables."""
    info = catalog.get(getattr(leaf, "source", ""))
    if info is None:
        return 0.0
    names = _tables(leaf, info)
    if len(names) < 2:
        return 0.0
    every = float(sum(info.tables[n].row_count or 0 for n in set(names) if n in info.tables))
    passed = tuple(Func(KEYS, (ref, Const(n, pa.float64())), pa.bool_())
                   for ref, n in (keys or {}).items())
    join = _scan_join(leaf, info, passed) if isinstance(leaf, Scan) else \
        _match_join(leaf, info, passed) if isinstance(leaf, TableMatch) else None
    if join is None or any(t.row_count is None for t in join.tables.values()):
        return every
    walked = [_walk(join, entry, values or {}) for entry in join.tables
              if entry not in join.optional]
    costs = [c for c in walked if c is not None]
    return min(costs) if costs else every


def _tables(leaf: Plan, info: SourceInfo) -> list[str]:
    """The tables a join reads: several of one Scan, or a pattern's labels where the source
    joins them (a mirror's link tables, or parts of a graph pattern joined on properties); a
    graph store's own traversal is not one."""
    if isinstance(leaf, Scan):
        return [t.table for t in leaf.tables]
    if isinstance(leaf, GraphMatch) and (
            (leaf.edges and info.capabilities.joins)
            or (info.capabilities.pattern_joins and components(leaf) > 1)):
        return [n.label for n in leaf.nodes if n.label is not None] + \
            [e.label for e in leaf.edges if e.label is not None]
    return []


def _conjuncts(exprs: tuple[BExpr, ...]) -> list[BExpr]:
    out: list[BExpr] = []
    for e in exprs:
        if isinstance(e, Func) and e.name == "and":
            out += _conjuncts(e.args)
        else:
            out.append(e)
    return out


def _columns(e: BExpr) -> list[ColumnRef]:
    if isinstance(e, ColumnRef):
        return [e]
    return [c for a in getattr(e, "args", ()) for c in _columns(a)]


def _build(tables: dict[str, TableSchema], conjuncts: list[BExpr],
           where: Mapping[str, Col] | None = None) -> _Join | None:
    """Equalities between two relations' columns join them; a conjunct on one relation
    filters it; any other one filters the joined rows (the equalities every branch of an OR
    holds still join)."""
    moved = where or {}
    equal: list[tuple[Col, Col]] = []
    local: dict[str, list[BExpr]] = {rel: [] for rel in tables}
    for c in conjuncts:
        refs = _columns(c)
        rels = {moved.get(r.rel, (r.rel, ""))[0] for r in refs}
        if not rels <= tables.keys():
            return None
        if isinstance(c, Func) and c.name == "eq" and len(rels) == 2 \
                and all(isinstance(a, ColumnRef) for a in c.args):
            left, right = (_at(a, moved) for a in c.args if isinstance(a, ColumnRef))
            equal.append((left, right))
        elif len(rels) == 1:
            local[rels.pop()].append(_moved(c, moved))
        else:  # across relations: filters after the join, which it may still probe
            equal += [(_at(a, moved), _at(b, moved)) for a, b in _shared_equalities(c)]
    return _Join(tables, tuple(equal), {k: tuple(v) for k, v in local.items()})


def _shared_equalities(e: BExpr) -> list[tuple[ColumnRef, ColumnRef]]:
    """The equalities between two columns that every branch of an OR holds (TPC-H Q19's
    ``p_partkey = l_partkey`` in each of its three): the join SQLite probes through,
    whatever else the branches test.

    >>> import pyarrow as pa
    >>> a, b = ColumnRef("l", "k", pa.int64()), ColumnRef("p", "k", pa.int64())
    >>> x = Func("eq", (a, b), pa.bool_())
    >>> y = Func("gt", (b, Const(3, pa.int64())), pa.bool_())
    >>> [f"{l.rel}.{r.rel}" for l, r in _shared_equalities(Func("or", (
    ...     Func("and", (x, y), pa.bool_()), x), pa.bool_()))]
    ['l.p']
    """
    branches = _disjuncts(e)
    if len(branches) < 2:
        return []
    common = None
    for branch in branches:
        found = {(f.args[0], f.args[1]) for f in _conjuncts((branch,))
                 if isinstance(f, Func) and f.name == "eq" and len(f.args) == 2
                 and isinstance(f.args[0], ColumnRef) and isinstance(f.args[1], ColumnRef)
                 and f.args[0].rel != f.args[1].rel}
        common = found if common is None else common & found
    return sorted(common or (), key=str)


def _disjuncts(e: BExpr) -> list[BExpr]:
    if isinstance(e, Func) and e.name == "or":
        return [d for a in e.args for d in _disjuncts(a)]
    return [e]


def _at(ref: ColumnRef, moved: Mapping[str, Col]) -> Col:
    return moved.get(ref.rel, (ref.rel, ref.name))


def _moved(e: BExpr, moved: Mapping[str, Col]) -> BExpr:
    """``e`` with an unlabelled node's key read from the link column holding it."""
    if isinstance(e, ColumnRef) and e.rel in moved:
        rel, name = moved[e.rel]
        return ColumnRef(rel, name, e.type)
    if isinstance(e, Func):
        return Func(e.name, tuple(_moved(a, moved) for a in e.args), e.type, e.option)
    return e


def _scan_join(leaf: Scan, info: SourceInfo, passed: tuple[BExpr, ...]) -> _Join | None:
    if any(t.kind not in ("base", "inner", "left") or t.table not in info.tables
           for t in leaf.tables):
        return None
    tables = {t.rel: info.tables[t.table] for t in leaf.tables}
    conditions = tuple(t.condition for t in leaf.tables if t.condition is not None)
    join = _build(tables, _conjuncts((*leaf.filters, *conditions, *passed)))
    optional = frozenset(t.rel for t in leaf.tables if t.kind == "left")
    return replace(join, optional=optional) if join is not None else None


def _match_join(leaf: TableMatch, info: SourceInfo, passed: tuple[BExpr, ...]
                ) -> _Join | None:
    """A pattern over link tables as a join: each labelled node a row of its table, each
    edge a row of its link table, an unlabelled node only the key its edges share."""
    if leaf.optional or any(e.variable_length or e.label not in info.tables
                            for e in leaf.edges):
        return None
    links = {table: (src, dst) for table, src, dst in leaf.links}
    keys = dict(leaf.node_keys)
    tables = {n.rel: info.tables[n.label] for n in leaf.nodes
              if n.label is not None and n.label in info.tables}
    if len(tables) != sum(n.label is not None for n in leaf.nodes):
        return None
    ends: dict[int, list[Col]] = {}
    for e in leaf.edges:
        tables[e.rel] = info.tables[str(e.label)]
        src, dst = links[str(e.label)]
        first, second = (e.dst, e.src) if e.direction == "left" else (e.src, e.dst)
        ends.setdefault(first, []).append((e.rel, src))
        ends.setdefault(second, []).append((e.rel, dst))
    equal: list[BExpr] = []
    where: dict[str, Col] = {}
    for i, node in enumerate(leaf.nodes):
        cols = ends.get(i, [])
        if node.label is not None:
            cols = [(node.rel, keys.get(node.label, "")), *cols]
        elif cols:
            where[node.rel] = cols[0]
        equal += [_eq(a, b) for a, b in itertools.pairwise(cols)]
    return _build(tables, [*equal, *_conjuncts((*leaf.filters, *passed))], where)


def _eq(a: Col, b: Col) -> BExpr:
    return Func("eq", (ColumnRef(*a, pa.int64()), ColumnRef(*b, pa.int64())), pa.bool_())


def _walk(join: _Join, entry: str, values: Mapping[str, object]) -> float | None:
    """Rows read entering at ``entry`` and probing the others in turn; None when some
    relation is not reached through an equality."""
    cost, reached = _enter(join.tables[entry], join.local[entry], values)
    kept = {rel: _kept(join.tables[rel], join.local[rel], values) for rel in join.tables}
    done, pending = {entry}, set(join.tables) - {entry}
    while pending:
        step = next(((b, a) for pair in join.equal for a, b in (pair, pair[::-1])
                     if a[0] in done and b[0] in pending), None)
        if step is None:
            return None
        (rel, column), (came, _) = step
        table = join.tables[rel]
        rows = float(table.row_count or 0)
        per_key = _per_key(table, column, float(join.tables[came].row_count or 1))
        if column not in table.indexed and column not in table.unique:
            cost += rows * SEEK_ROWS  # an automatic index: an insert per row of the table
        cost += reached * (SEEK_ROWS + per_key)
        reached *= per_key * kept[rel]
        done.add(rel)
        pending.discard(rel)
    return cost


def _enter(table: TableSchema, local: tuple[BExpr, ...], values: Mapping[str, object]
           ) -> tuple[float, float]:
    """(rows read, rows kept) entering the join at ``table``: a seek on the filter an index
    serves best, else a scan."""
    rows = float(table.row_count or 0)
    best = (rows, rows * _kept(table, local, values))
    for f in local:
        sought = _sought(f, table, values)
        if sought is None:
            continue
        seeks, matched = sought
        others = tuple(g for g in local if g is not f)
        read = seeks * SEEK_ROWS + matched
        if read < best[0]:
            best = (read, matched * _kept(table, others, values))
    return best


def _sought(f: BExpr, table: TableSchema, values: Mapping[str, object]
            ) -> tuple[float, float] | None:
    """(seeks, rows matched) of a filter an index of ``table`` answers; None otherwise."""
    if not (isinstance(f, Func) and f.args and isinstance(f.args[0], ColumnRef)):
        return None
    column = f.args[0].name
    if column not in table.indexed and column not in table.unique:
        return None
    rows = float(table.row_count or 0)
    per_key = _rows_per_value(table, column)
    passed = _passed(f)
    if passed is not None:
        return passed[1], min(rows, passed[1] * per_key)
    if f.name == "eq" and isinstance(f.args[1], Const | ParamRef):
        return 1.0, min(rows, per_key)
    if f.name == "in" and all(isinstance(a, Const | ParamRef) for a in f.args[1:]):
        keys = len(f.args) - 1
        return float(keys), min(rows, keys * per_key)
    if f.name == "between":
        matched = _range_rows(f, table, values)
        return 1.0, matched if matched is not None else rows / OTHER_SELECTIVITY
    return None


def _range_rows(f: BExpr, table: TableSchema, values: Mapping[str, object]) -> float | None:
    """Rows of a ``between`` whose bounds are known: one value's (as an equality), or its
    width in distinct values where their number is known (keys, days); None otherwise."""
    if not (isinstance(f, Func) and f.name == "between" and isinstance(f.args[0], ColumnRef)):
        return None
    lo, hi = (_value(a, values) for a in f.args[1:3])
    if lo is None or hi is None:
        return None
    rows = float(table.row_count or 0)
    distinct = table.distinct_values(f.args[0].name)
    if lo == hi:
        return min(rows, rows / distinct if distinct else rows / EQUALITY_SELECTIVITY)
    if not distinct:
        return None
    return min(rows, max(hi - lo + 1, 0.0) * rows / distinct)


def _value(e: BExpr, values: Mapping[str, object]) -> float | None:
    value = e.value if isinstance(e, Const) else \
        values.get(e.name) if isinstance(e, ParamRef) else None
    if isinstance(value, dt.date):
        return float(value.toordinal())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _per_key(table: TableSchema, column: str, other_rows: float) -> float:
    """Rows of ``table`` per value of ``column``: one on a unique column, rows ÷ distinct
    values where known, else as many as a key of the other side's rows finds."""
    if column in table.unique:
        return 1.0
    rows = float(table.row_count or 0)
    distinct = table.distinct_values(column)
    return rows / distinct if distinct else max(1.0, rows / max(other_rows, 1.0))


def _kept(table: TableSchema, local: tuple[BExpr, ...], values: Mapping[str, object]
          ) -> float:
    """The share of a table's rows its own conjuncts keep: a range by its width where its
    bounds and the column's distinct values are known (one value: an equality), else the
    catalog's guess (``planner.cardinality.selectivity``)."""
    share = 1.0
    rows = float(table.row_count or 0)
    for f in local:
        passed = _passed(f)
        if passed is not None and rows > 0:
            share *= min(1.0, passed[1] * _rows_per_value(table, passed[0]) / rows)
            continue
        matched = _range_rows(f, table, values) if rows > 0 else None
        share *= matched / rows if matched is not None else selectivity(f)
    return share


def _passed(f: BExpr) -> tuple[str, float] | None:
    """(column, keys) of a ``KEYS`` conjunct."""
    if isinstance(f, Func) and f.name == KEYS and isinstance(f.args[0], ColumnRef) \
            and isinstance(f.args[1], Const) and isinstance(f.args[1].value, int | float):
        return f.args[0].name, float(f.args[1].value)
    return None


def _rows_per_value(table: TableSchema, column: str) -> float:
    """Rows holding one value of ``column``: rows ÷ its distinct values where known (one
    on a unique column), else the catalog's equality guess."""
    rows = float(table.row_count or 0)
    distinct = table.distinct_values(column)
    return rows / distinct if distinct else rows / EQUALITY_SELECTIVITY
