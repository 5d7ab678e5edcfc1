"""SQL for a graph pattern over mirrored tables (``planner.mirror_match.TableMatch``).

Kuzu 0.11.3's semantics, spelled in SQLite:

- every node variable of the pattern is one key; a labelled node is a row of its table
  (``"<rel>"."<key>"``), an unlabelled one is only the key its edges share (each of its
  ends is ``IS NOT NULL``: Kuzu has no relationship without its nodes);
- a fixed edge is a row of its link table joined on its FROM and TO columns (``left``: the
  other way round); an undirected one between nodes of one table reads the link table both
  ways (``UNION ALL``), so a self-loop matches twice, as in Kuzu;
- no uniqueness between the edges of a pattern (plain joins are homomorphic, like Kuzu);
- ``*lo..hi`` is the multiset of walks: a recursive CTE adds one step per level with
  ``UNION ALL`` and keeps the lengths ``lo..hi`` (nodes and edges may repeat: every walk is
  one row); length 0 adds every node of the start's table as a walk to itself. When the
  start node has filters of its own, the walk starts from the rows they keep (the seed), so
  a seeded lookup does not walk the whole graph; the filters still apply outside.

Identifiers come from the SQLite catalog (checked here) and are quoted; every value is a
bound parameter, printed by the same ``SqliteWriter`` as a Scan's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from federation.sources.sqlite_sql import SqliteWriter
from federation.sqlgen import quote
from planner.catalog import TableSchema
from planner.errors import PlanError
from planner.expressions import BExpr, ColumnRef, conjuncts, walk
from planner.graph_pattern import GraphEdge
from planner.mirror_match import TableMatch
from planner.types import family

_FROM, _TO = "_fed_f", "_fed_t"  # the step relation's key columns
_FLIPPED = {"right": "left", "left": "right", "both": "both"}


def compile_table_match(match: TableMatch, params: Mapping[str, object],
                        tables: Mapping[str, TableSchema],
                        column: Callable[[ColumnRef], str]) -> tuple[str, tuple[object, ...]]:
    """``[WITH RECURSIVE …] SELECT … FROM … WHERE … [GROUP BY] [ORDER BY] [LIMIT ?]``."""
    graph = _Graph(match, tables, column)
    writer = SqliteWriter(params, graph.column)
    ctes = [graph.walk(j, e, writer) for j, e in enumerate(match.edges) if e.variable_length]
    agg = match.aggregate
    outputs = [e for _, e in agg.groups] + [a for _, a in agg.aggregates] if agg \
        else list(match.columns)
    sql = ("WITH RECURSIVE " + ", ".join(ctes) + " " if ctes else "") \
        + "SELECT " + ", ".join(writer.expr(e) for e in outputs) \
        + " FROM " + ", ".join(graph.from_items())
    where = graph.join_conditions() + [writer.expr(f) for f in match.filters]
    if where:
        sql += " WHERE " + " AND ".join(where)
    if agg is not None and agg.groups:
        sql += " GROUP BY " + ", ".join(writer.expr(e) for _, e in agg.groups)
    if match.order:
        sql += " ORDER BY " + ", ".join(writer.sort_key(k.expr, k.descending, k.nulls_first)
                                        for k in match.order)
    if match.limit is not None:
        if isinstance(match.limit, bool) or not isinstance(match.limit, int) or match.limit < 0:
            raise PlanError(f"bad LIMIT {match.limit!r}")
        sql += f" LIMIT {writer.bind(match.limit)}"
    return sql, tuple(writer.values)


class _Graph:
    """The pattern's tables, checked in the catalog, and the SQL pieces that join them."""

    def __init__(self, match: TableMatch, tables: Mapping[str, TableSchema],
                 column: Callable[[ColumnRef], str]) -> None:
        self.match, self.tables, self._column_sql = match, tables, column
        self.keys = dict(match.node_keys)
        self.links = {t: (f, to) for t, f, to in match.links}
        self.keyed = dict(match.keyed)
        self._check()
        self.index = {n.rel: i for i, n in enumerate(match.nodes)}
        # walk edge index → the node it starts from (the seeded end when there is one)
        self.starts = {j: self._start(e) for j, e in enumerate(match.edges)
                       if e.variable_length}
        # node index → the SQL expressions that are its key (its row's, its edges' ends)
        self.ends: dict[int, list[str]] = {i: [] for i in range(len(match.nodes))}
        for i, node in enumerate(match.nodes):
            if node.label is not None:
                self.ends[i].append(self._node_key(i))
        for j, edge in enumerate(match.edges):
            self._add_ends(j, edge)
        if any(not keys for keys in self.ends.values()):
            raise PlanError("a node of a mirrored graph pattern has neither table nor edge")

    def _check(self) -> None:
        match = self.match
        used = [n.label for n in match.nodes if n.label] + [str(e.label) for e in match.edges]
        if any(t.startswith("_fed_") for t in used):  # the names of this SQL's own CTEs
            raise PlanError("a table named _fed_… cannot be read as a graph pattern")
        for node in match.nodes:
            if node.label is not None:
                self._has(node.label, self.keys.get(node.label))
        for edge in match.edges:
            if edge.label is None or edge.label not in self.links:
                raise PlanError(f"no link table for relationship {edge.rel}")
            if edge.direction not in _FLIPPED:
                raise PlanError(f"bad relationship direction {edge.direction!r}")
            for col in self.links[edge.label]:
                self._has(edge.label, col)
            if edge.variable_length and not 0 <= edge.min_hops <= edge.max_hops:
                raise PlanError(f"bad relationship length *{edge.min_hops}..{edge.max_hops}")

    def _has(self, table: str, col: str | None) -> None:
        schema = self.tables.get(table)
        if schema is None or col is None or col not in schema.column_names():
            raise PlanError(f"SQLite has no column {table}.{col} for a mirrored graph pattern")

    def column(self, col: ColumnRef) -> str:
        """A column; the key of a node that is not read from its table is its edges' key."""
        if self.keyed.get(col.rel) == col.name:
            return self.ends[self.index[col.rel]][0]
        return self._column_sql(col)

    def _key(self, expr: str, table: str, col: str) -> str:
        """A key compared byte for byte, as Kuzu compares strings."""
        string = family(dict(self.tables[table].columns)[col]) == "string"
        return f"{expr} COLLATE BINARY" if string else expr

    def _node_key(self, index: int) -> str:
        node = self.match.nodes[index]
        assert node.label is not None
        col = self.keys[node.label]
        return self._key(f"{quote(node.rel)}.{quote(col)}", node.label, col)

    def _link_key(self, edge: GraphEdge, expr: str) -> str:
        assert edge.label is not None
        return self._key(expr, edge.label, self.links[edge.label][0])

    def _add_ends(self, j: int, edge: GraphEdge) -> None:
        alias = quote(edge.rel)
        if edge.variable_length:
            start = self.starts[j]
            other = edge.dst if start == edge.src else edge.src
            self.ends[start].append(self._link_key(edge, f"{alias}.s"))
            self.ends[other].append(self._link_key(edge, f"{alias}.d"))
            return
        assert edge.label is not None
        source, target = self.links[edge.label]
        cols = {"both": (_FROM, _TO), "right": (quote(source), quote(target)),
                "left": (quote(target), quote(source))}[edge.direction]
        self.ends[edge.src].append(self._link_key(edge, f"{alias}.{cols[0]}"))
        self.ends[edge.dst].append(self._link_key(edge, f"{alias}.{cols[1]}"))

    # ---- steps and walks
    def _steps(self, edge: GraphEdge, direction: str) -> str:
        """The edge's steps as ``(_fed_f, _fed_t, <link columns>)`` in ``direction``."""
        assert edge.label is not None
        source, target = self.links[edge.label]
        names = self.tables[edge.label].column_names()
        if _FROM in names or _TO in names:
            raise PlanError(f"link table {edge.label} has a column named {_FROM} or {_TO}")
        rest = "".join(", " + quote(n) for n in names)
        table = quote(edge.label)

        def one(f: str, t: str) -> str:
            return (f"SELECT {quote(f)} AS {_FROM}, {quote(t)} AS {_TO}{rest} FROM {table} "
                    f"WHERE {quote(f)} IS NOT NULL AND {quote(t)} IS NOT NULL")
        forward, backward = one(source, target), one(target, source)
        return {"right": forward, "left": backward,
                "both": f"{forward} UNION ALL {backward}"}[direction]

    def _seed(self, index: int) -> list[BExpr]:
        """The filters that read node ``index`` alone (they choose a walk's start rows)."""
        rel = self.match.nodes[index].rel
        return [c for f in self.match.filters for c in conjuncts(f) if _rels(c) == {rel}]

    def _start(self, edge: GraphEdge) -> int:
        return edge.dst if not self._seed(edge.src) and self._seed(edge.dst) else edge.src

    def walk(self, j: int, edge: GraphEdge, writer: SqliteWriter) -> str:
        """Two CTEs, ``_fed_w<j>(s, d, k)`` (walks of 1..hi steps) and ``_fed_p<j>(s, d)`` (the
        lengths lo..hi, and length 0), from the seeded end when one end has its own
        filters."""
        start = self.starts[j]
        direction = edge.direction if start == edge.src else _FLIPPED[edge.direction]
        seed = self._seed(start)
        parts = []
        if edge.max_hops >= 1:
            steps = self._steps(edge, direction)
            base = f"SELECT {_FROM}, {_TO}, 1 FROM ({steps}) AS _fed_st"
            if seed:
                base += " WHERE " + self._seeded(edge, start, seed, writer)
            near = self._link_key(edge, f"_fed_st.{_FROM}")
            more = (f"SELECT _fed_w.s, _fed_st.{_TO}, _fed_w.k + 1 FROM _fed_w{j} AS _fed_w "
                    f"JOIN ({steps}) AS _fed_st ON {near} = {self._link_key(edge, '_fed_w.d')}"
                    f" WHERE _fed_w.k < {writer.bind(edge.max_hops)}")
            parts.append(f"_fed_w{j}(s, d, k) AS ({base} UNION ALL {more})")
        arms = []
        if edge.max_hops >= 1:
            arms.append(f"SELECT s, d FROM _fed_w{j} WHERE k >= {writer.bind(edge.min_hops)}")
        if edge.min_hops == 0:
            arms.append(self._zero(edge, start, seed, writer))
        parts.append(f"_fed_p{j}(s, d) AS ({' UNION ALL '.join(arms)})")
        return ", ".join(parts)

    def _seeded(self, edge: GraphEdge, start: int, seed: list[BExpr],
                writer: SqliteWriter) -> str:
        """The walk's first step leaves a start node the seed filters keep."""
        node = self.match.nodes[start]
        near = self._link_key(edge, f"_fed_st.{_FROM}")
        if node.label is None:  # filters on the key alone: read it from the step itself
            key, self.ends[start][0] = self.ends[start][0], near
            try:
                return " AND ".join(writer.expr(f) for f in seed)
            finally:
                self.ends[start][0] = key
        return (f"{near} IN (SELECT {self._node_key(start)} FROM {quote(node.label)} AS "
                f"{quote(node.rel)} WHERE " + " AND ".join(writer.expr(f) for f in seed) + ")")

    def _zero(self, edge: GraphEdge, start: int, seed: list[BExpr],
              writer: SqliteWriter) -> str:
        """Walks of length 0: every node of the walk's table (the seeded start's rows)."""
        index = start if self.match.nodes[start].label is not None else \
            edge.dst if start == edge.src else edge.src
        node = self.match.nodes[index]
        if node.label is None:
            raise PlanError("a walk of length 0 needs the table of its start node")
        key = self._node_key(index)
        text = f"SELECT {key}, {key} FROM {quote(node.label)} AS {quote(node.rel)}"
        if index == start and seed:
            text += " WHERE " + " AND ".join(writer.expr(f) for f in seed)
        return text

    # ---- the main query
    def from_items(self) -> list[str]:
        items = [f"{quote(str(n.label))} AS {quote(n.rel)}" for n in self.match.nodes
                 if n.label is not None]
        for j, edge in enumerate(self.match.edges):
            alias = quote(edge.rel)
            if edge.variable_length:
                items.append(f"_fed_p{j} AS {alias}")
            elif edge.direction == "both":
                items.append(f"({self._steps(edge, 'both')}) AS {alias}")
            else:
                items.append(f"{quote(str(edge.label))} AS {alias}")
        return items

    def join_conditions(self) -> list[str]:
        """Each node's keys equal (one key alone: not NULL, it is a node's)."""
        out = []
        for i, keys in self.ends.items():
            if len(keys) == 1 and self.match.nodes[i].label is None:
                out.append(f"{keys[0]} IS NOT NULL")
            out += [f"{keys[0]} = {other}" for other in keys[1:]]
        return out


def _rels(expr: BExpr) -> set[str]:
    return {e.rel for e in walk(expr) if isinstance(e, ColumnRef)}
