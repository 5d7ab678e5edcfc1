"""A graph pattern over mirrored relationship types, as a pattern a SQL source runs.

``TableMatch`` is a ``GraphMatch`` whose labels name tables of a SQLite source: a labelled
node is a row of its table (``node_keys``: the table's key column, the Kuzu node's primary key);
an edge is a row of its link table (``links``: the columns holding the FROM and TO keys). A
node without a label is not read at all: it is only the key its edges share (Kuzu has no
relationship without its end nodes, and a mirror holds the same rows). The SQLite source
compiles it (``federation.sources.sqlite_graph``) with Kuzu 0.11.3's semantics: patterns
match homomorphically, an undirected edge matches both ways (a self-loop twice), and
``*lo..hi`` counts every walk (nodes and edges may repeat) of ``lo`` to ``hi`` steps.

``table_matches`` builds one per SQLite source that mirrors every relationship type of the
pattern and every node table whose properties it reads. It refuses (no variant) unlabelled
relationships, OPTIONAL MATCH parts, trails and shortest paths, a node whose table cannot be
told from the pattern, a relationship type with several FROM/TO pairs, and a variable-length
relationship between two different node tables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.catalog import Catalog, SourceInfo
from planner.graph_pattern import GraphEdge, GraphNode
from planner.logical import GraphMatch, SourceLeaf
from planner.mirrors import (
    Mirrors,
    RelMirror,
    capabilities_accept,
    column_fits,
    compared_columns,
    read_columns,
)

_REVERSED = {"right": "left", "left": "right"}


@dataclass(frozen=True)
class TableMatch(GraphMatch):
    """A graph pattern over the tables of a SQL source (see the module docstring)."""

    node_keys: tuple[tuple[str, str], ...] = ()  # node table → key column
    links: tuple[tuple[str, str, str], ...] = ()  # link table → (FROM column, TO column)
    # an unlabelled node whose key is read → the key's column name (read from its edges)
    keyed: tuple[tuple[str, str], ...] = ()


def table_matches(leaf: GraphMatch, mirrors: Mirrors, catalog: Catalog) -> list[SourceLeaf]:
    """``leaf`` as a ``TableMatch`` on each SQLite source mirroring what it reads."""
    graph = catalog.get(leaf.source)
    # OPTIONAL MATCH, trails and shortest paths have no SQL form here yet: such a pattern
    # is left to the graph itself
    if graph is None or isinstance(leaf, TableMatch) or leaf.optional \
            or any(e.label is None or e.mode != "walk" for e in leaf.edges):
        return []
    targets = sorted({m.link[0] for m in mirrors.rels if m.graph[0] == leaf.source}
                     | {s for m in mirrors.tables for (g, _), (s, _) in
                        ((m.primary, m.copy), (m.copy, m.primary)) if g == leaf.source})
    out: list[SourceLeaf] = []
    for target in targets:
        info = catalog.get(target)
        if info is not None and info.kind == "sqlite":
            match = _table_match(leaf, mirrors, graph, info)
            if match is not None:
                out.append(match)
    return out


def _table_match(leaf: GraphMatch, mirrors: Mirrors, graph: SourceInfo, sql: SourceInfo
                 ) -> TableMatch | None:
    links: list[RelMirror] = []
    for edge in leaf.edges:
        link = mirrors.link((graph.name, str(edge.label)), sql.name)
        ends = graph.tables[str(edge.label)].endpoints if edge.label in graph.tables else ()
        if link is None or len(ends) != 1:
            return None
        links.append(link)
    labels = _labels(leaf, graph)
    if labels is None:
        return None
    edges = _oriented(leaf, labels, graph)
    if edges is None or not capabilities_accept(leaf, sql.capabilities):
        return None
    nodes = _nodes(leaf, labels, edges, mirrors, graph, sql)
    if nodes is None or not _edge_columns_fit(leaf, links, sql):
        return None
    primary = {i: graph.tables[labels[i]].unique[0] for i in range(len(nodes))}
    keys = {n.label: primary[i] for i, n in enumerate(nodes) if n.label is not None}
    read = {c.rel for c in read_columns(leaf)}
    keyed = {n.rel: primary[i] for i, n in enumerate(nodes) if n.label is None and n.rel in read}
    return TableMatch(
        sql.name, tuple(nodes), tuple(replace(e, label=m.link[1]) for e, m in
                                      zip(edges, links, strict=True)),
        leaf.columns, leaf.filters, leaf.limit, leaf.columns, leaf.order, leaf.aggregate,
        node_keys=tuple(sorted(keys.items())),
        links=tuple(sorted({(m.link[1], m.source, m.target) for m in links})),
        keyed=tuple(sorted(keyed.items())))


def _labels(leaf: GraphMatch, graph: SourceInfo) -> list[str] | None:
    """Each node's table: its label, or the one its relationships imply (Kuzu binds an
    unlabelled end to the relationship's node table); None when one cannot be told."""
    labels = [n.label for n in leaf.nodes]
    changed = True
    while changed:
        changed = False
        for edge in leaf.edges:
            (src, dst), = graph.tables[str(edge.label)].endpoints
            ends = {"right": (src, dst), "left": (dst, src)}.get(edge.direction)
            if ends is None and src == dst:
                ends = (src, dst)
            if ends is None:  # undirected between two tables: one known end tells the other
                known = labels[edge.src] or labels[edge.dst]
                if known is None or known not in (src, dst):
                    continue
                other = dst if known == src else src
                ends = (known, other) if labels[edge.src] else (other, known)
            for index, label in zip((edge.src, edge.dst), ends, strict=True):
                if labels[index] is None:
                    labels[index], changed = label, True
    if any(label is None for label in labels):
        return None
    return [str(label) for label in labels]


def _oriented(leaf: GraphMatch, labels: list[str], graph: SourceInfo
              ) -> list[GraphEdge] | None:
    """Edges whose ends fit their node tables, an undirected one between two tables turned
    into the one direction that fits (Kuzu matches it that way only); None when an edge
    cannot match (Kuzu then returns nothing: left to it) or walks between two tables."""
    out = []
    for edge in leaf.edges:
        (src, dst), = graph.tables[str(edge.label)].endpoints
        ends = (labels[edge.src], labels[edge.dst])
        direction = edge.direction
        if direction == "both" and src != dst:
            direction = "right" if ends == (src, dst) else "left" if ends == (dst, src) else ""
        fits = {"right": ends == (src, dst), "left": ends == (dst, src),
                "both": ends == (src, src)}.get(direction, False)
        if not fits or (edge.variable_length and src != dst):
            return None
        out.append(replace(edge, direction=direction))
    return out


def _nodes(leaf: GraphMatch, labels: list[str], edges: list[GraphEdge], mirrors: Mirrors,
           graph: SourceInfo, sql: SourceInfo) -> list[GraphNode] | None:
    """The pattern's nodes, labelled with their SQLite table where it must be read: a node
    whose properties other than its key are read, one no edge ends, the start of a walk of
    length 0 (the others are the key their edges share)."""
    ended = {i for e in edges for i in (e.src, e.dst)}
    starts = {e.src for e in edges if e.min_hops == 0}
    compared = compared_columns(leaf)
    nodes = []
    for i, node in enumerate(leaf.nodes):
        primary = graph.tables[labels[i]].unique
        if len(primary) != 1:
            return None
        read = {c.name for c in read_columns(leaf) if c.rel == node.rel}
        if read <= set(primary) and i in ended and i not in starts:
            nodes.append(GraphNode(node.rel, None))
            continue
        table = mirrors.table_in((graph.name, labels[i]), sql.name)
        schema = sql.tables.get(table) if table is not None else None
        if schema is None:
            return None
        types = dict(schema.columns)
        if not all(column_fits(c, types, c.key in compared)
                   for c in read_columns(leaf) if c.rel == node.rel):
            return None
        nodes.append(GraphNode(node.rel, table))
    return nodes


def _edge_columns_fit(leaf: GraphMatch, links: list[RelMirror], sql: SourceInfo) -> bool:
    compared = compared_columns(leaf)
    for edge, link in zip(leaf.edges, links, strict=True):
        types = dict(sql.tables[link.link[1]].columns) if link.link[1] in sql.tables else {}
        if not all(column_fits(c, types, c.key in compared)
                   for c in read_columns(leaf) if c.rel == edge.rel):
            return False
    return True
