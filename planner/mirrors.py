"""Mirrors: one relation kept in two stores, and the leaves that read it from the other one.

``eng.mirror(primary, copy, …)`` declares (``federation.mirrors`` checks and keeps them):

- a table in two places (``TableMirror``): a Kuzu node table, a SQLite or a LanceDB table,
  with the same rows and, for every primary column, a copy column of the same name and type
  family;
- a Kuzu relationship type and a SQLite link table (``RelMirror``): one row per relationship,
  its ``source``/``target`` columns holding the FROM and TO nodes' primary keys and the
  relationship's properties as columns of the same names.

``mirror_variants`` turns a leaf over mirrored relations into the equivalent leaves on the
other store: the same output columns (keys and Arrow types: the other store's values are
read into the leaf's declared types) and the same rows as a multiset. A variant exists only
where the other source's capabilities accept everything pushed into the leaf (filters,
limit, order, aggregate), exactly as the pushdown rules decide it. A one-table read becomes a
``Scan`` (SQLite, LanceDB) or a one-node ``GraphMatch`` (Kuzu); a graph pattern whose
relationship types (and the node tables it reads) are mirrored into one SQLite source becomes
a ``TableMatch`` there (``planner.mirror_match``: joins, and recursive CTEs for ``*a..b``).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.capabilities import Capabilities, accepts_aggregate, accepts_predicate
from planner.catalog import Catalog, TableSchema
from planner.expressions import AggCall, BExpr, ColumnRef, Func, columns_of, walk
from planner.graph_pattern import GraphNode
from planner.logical import GraphMatch, Scan, SortKey, SourceLeaf, TableAccess
from planner.pushed_work import PushedAggregate
from planner.types import family
from planner.variants import LeafVariant

Place = tuple[str, str]  # (source, table)


@dataclass(frozen=True)
class TableMirror:
    """The same rows in two tables; ``primary`` and ``copy`` are (source, table) pairs."""

    primary: Place
    copy: Place


@dataclass(frozen=True)
class RelMirror:
    """A Kuzu relationship type (``graph``) and a SQLite link table (``link``): ``source`` and
    ``target`` name the link columns holding the FROM and TO nodes' primary keys."""

    graph: Place
    link: Place
    source: str
    target: str
    graph_is_primary: bool = True


@dataclass(frozen=True)
class Mirrors:
    """The mirrors whose two sources are both attached."""

    tables: tuple[TableMirror, ...] = ()
    rels: tuple[RelMirror, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.tables or self.rels)

    def side(self, place: Place) -> bool | None:
        """True when ``place`` is a primary, False when it is only a copy, None: not mirrored."""
        sides = [m.primary == place for m in self.tables if place in (m.primary, m.copy)]
        sides += [(m.graph == place) == m.graph_is_primary for m in self.rels
                  if place in (m.graph, m.link)]
        return None if not sides else any(sides)

    def copies(self, place: Place) -> tuple[Place, ...]:
        """The other tables holding the rows of ``place``, in declaration order."""
        out: list[Place] = []
        for m in self.tables:
            other = m.copy if m.primary == place else m.primary if m.copy == place else None
            if other is not None and other not in out:
                out.append(other)
        return tuple(out)

    def link(self, graph: Place, sql_source: str) -> RelMirror | None:
        """The link table of relationship type ``graph`` in ``sql_source``."""
        return next((m for m in self.rels if m.graph == graph and m.link[0] == sql_source),
                    None)

    def table_in(self, place: Place, source: str) -> str | None:
        """The table of ``source`` mirroring ``place``."""
        return next((t for s, t in self.copies(place) if s == source), None)


def mirror_variants(leaf: SourceLeaf, mirrors: Mirrors, catalog: Catalog
                    ) -> tuple[LeafVariant, ...]:
    """``leaf`` itself, then its equivalents on other stores; () when no mirror applies."""
    if not mirrors or not leaf.columns or leaf.source not in catalog:
        return ()
    others: list[SourceLeaf] = []
    single = _single_table(leaf, catalog)
    if single is not None:
        others += [v for place in mirrors.copies((leaf.source, single))
                   if (v := table_variant(leaf, place, catalog)) is not None]
    if isinstance(leaf, GraphMatch) and single is None:
        from planner.mirror_match import table_matches  # the pattern half of this module

        others += table_matches(leaf, mirrors, catalog)
    if not others:
        return ()
    return tuple(_variant(v, mirrors) for v in (leaf, *others))


def _variant(leaf: SourceLeaf, mirrors: Mirrors) -> LeafVariant:
    places = sorted(_places(leaf))
    sides = [mirrors.side(p) for p in places]
    primary = False not in sides
    tables = "+".join(t for _, t in places)
    name = f"{'primary' if primary else 'mirror'} {leaf.source}.{tables}"
    return LeafVariant(name, frozenset({"read:primary" if primary else "read:mirror"}), leaf)


def _places(leaf: SourceLeaf) -> set[Place]:
    if isinstance(leaf, Scan):
        return {(leaf.source, t.table) for t in leaf.tables}
    if isinstance(leaf, GraphMatch):
        labels = [n.label for n in leaf.nodes] + [e.label for e in leaf.edges]
        return {(leaf.source, label) for label in labels if label is not None}
    return {(leaf.source, leaf.table)}


def _single_table(leaf: SourceLeaf, catalog: Catalog) -> str | None:
    """The one table a leaf reads whole: a one-table Scan, a one-node pattern."""
    if isinstance(leaf, Scan) and len(leaf.tables) == 1:
        return leaf.tables[0].table
    if isinstance(leaf, GraphMatch) and not leaf.edges and len(leaf.nodes) == 1:
        return leaf.nodes[0].label
    return None


def table_variant(leaf: SourceLeaf, place: Place, catalog: Catalog) -> SourceLeaf | None:
    """``leaf`` (one table read whole) as a read of ``place``, where that source runs all of
    it; a Scan on SQLite or LanceDB, a one-node pattern on Kuzu."""
    assert isinstance(leaf, Scan | GraphMatch)
    source, table = place
    info = catalog.get(source)
    schema = info.tables.get(table) if info is not None else None
    if info is None or schema is None or not reads_fit(leaf, leaf.rels, schema):
        return None
    if not capabilities_accept(leaf, info.capabilities):
        return None
    rel = next(iter(leaf.rels))
    available = tuple(c for c in leaf.available if c.name in dict(schema.columns))
    if info.kind in ("sqlite", "lancedb") and schema.kind == "table":
        return Scan(source, (TableAccess(table, rel),), leaf.columns, leaf.filters, leaf.limit,
                    available, leaf.order, leaf.aggregate)
    if info.kind == "kuzu" and schema.kind == "node":
        return GraphMatch(source, (GraphNode(rel, table),), (), leaf.columns, leaf.filters,
                          leaf.limit, available, leaf.order, leaf.aggregate)
    return None


# ---- what a leaf reads, and whether another table and source can give it exactly
def read_columns(leaf: Scan | GraphMatch) -> tuple[ColumnRef, ...]:
    """Every column the leaf reads: outputs (or a pushed aggregate's inputs), filters, order."""
    exprs = _compared(leaf) + (list(leaf.columns) if leaf.aggregate is None else [])
    found: dict[str, ColumnRef] = {}
    for expr in exprs:
        for e in walk(expr):
            if isinstance(e, ColumnRef):
                found.setdefault(e.key, e)
    return tuple(found.values())


def compared_columns(leaf: Scan | GraphMatch) -> frozenset[str]:
    """Keys of the columns a filter, a sort or an aggregate reads (not just outputs)."""
    return frozenset(k for e in _compared(leaf) for k in columns_of(e))


def _compared(leaf: Scan | GraphMatch) -> list[BExpr]:
    """The expressions a leaf filters, sorts, groups or aggregates by."""
    exprs: list[BExpr] = [k.expr for k in leaf.order] + list(leaf.filters)
    if leaf.aggregate is not None:
        exprs += [e for _, e in leaf.aggregate.groups] + [a for _, a in leaf.aggregate.aggregates]
    return exprs


def column_fits(col: ColumnRef, types: dict[str, object], compared: bool) -> bool:
    """The other table holds ``col`` in the same type family; a float that is compared,
    sorted or aggregated must be of the very same type (a FLOAT and a DOUBLE 0.1 differ)."""
    other = types.get(col.name)
    if other is None or family(other) != family(col.type):
        return False
    return not compared or family(col.type) != "float" or other == col.type


def reads_fit(leaf: Scan | GraphMatch, rels: frozenset[str], schema: TableSchema) -> bool:
    """Every column the leaf reads of ``rels`` is a column of ``schema`` that fits."""
    types = dict(schema.columns)
    compared = compared_columns(leaf)
    return all(column_fits(c, types, c.key in compared)
               for c in read_columns(leaf) if c.rel in rels)


def capabilities_accept(leaf: Scan | GraphMatch, caps: Capabilities) -> bool:
    """Whether a source with ``caps`` runs everything pushed into ``leaf`` (the pushdown
    rules' own tests: predicate, top-N and aggregate pushdown)."""
    readable = frozenset(c.key for c in read_columns(leaf))
    if isinstance(leaf, Scan) and leaf.computed:  # scalar subqueries over its own source
        return False
    if not all(_filter_ok(f, caps, readable) for f in leaf.filters):
        return False
    if leaf.limit is not None and not caps.limit:
        return False
    if not all(_order_ok(k, caps) for k in leaf.order):
        return False
    return leaf.aggregate is None or _aggregate_ok(leaf.aggregate, caps)


def _filter_ok(f: BExpr, caps: Capabilities, readable: frozenset[str]) -> bool:
    if isinstance(f, Func) and f.name == "in_keys":  # passed join keys (planner.semijoin)
        return caps.receives_keys and family(f.args[0].type) in caps.value_families
    return accepts_predicate(caps, f, readable)


def _order_ok(key: SortKey, caps: Capabilities) -> bool:
    return isinstance(key.expr, ColumnRef) and family(key.expr.type) in caps.order


def _aggregate_ok(agg: PushedAggregate, caps: Capabilities) -> bool:
    if any(not isinstance(e, ColumnRef) or family(e.type) not in caps.group_families
           for _, e in agg.groups):
        return False
    return all(_call_ok(a, caps) for _, a in agg.aggregates)


def _call_ok(call: AggCall, caps: Capabilities) -> bool:
    readable = frozenset().union(*(columns_of(arg) for arg in call.args))
    return accepts_aggregate(call, caps, readable)
