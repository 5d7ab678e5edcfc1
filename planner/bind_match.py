"""``MATCH src <pattern>``: the nodes, edges and property maps of a graph pattern."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from grammar import ast, ast_relations
from planner.bind_catalog import find_source
from planner.bind_context import BindContext, BoundRelation
from planner.bind_optional import optional_part
from planner.bind_scope import RelBinding, Scope
from planner.bind_unlabeled import PendingNodes
from planner.bind_zero_hops import (
    PATH_LENGTH,
    check_path_mode,
    check_zero_hops,
    zero_hop_union,
)
from planner.catalog import SourceInfo, TableSchema
from planner.errors import BindError, did_you_mean
from planner.expressions import (
    BExpr,
    ColumnRef,
    Func,
    conjunction,
)
from planner.graph_pattern import GraphEdge, GraphNode
from planner.logical import Filter, GraphMatch, Plan


def _labels(source: SourceInfo, kind: str) -> dict[str, TableSchema]:
    return {name: t for name, t in source.tables.items() if t.kind == kind}


def _label(source: SourceInfo, label: str, kind: str, node: ast.Node) -> TableSchema:
    tables = _labels(source, kind)
    found = next((t for n, t in tables.items() if n.lower() == label.lower()), None)
    if found is None:
        what = "node label" if kind == "node" else "relationship type"
        raise BindError(f"graph {source.name!r} has no {what} {label!r}; "
                        + did_you_mean(label, tables), line=node.line, column=node.column,
                        candidates=list(tables))
    return found


class PatternBinder:
    """Collects the nodes, edges, columns and property-map filters of one MATCH."""

    def __init__(self, binder: BindContext, source: SourceInfo) -> None:
        self.binder = binder
        self.source = source
        self.nodes: list[GraphNode] = []
        self.edges: list[GraphEdge] = []
        self.by_var: dict[str, int] = {}
        self.bindings: list[RelBinding] = []
        self.columns: list[ColumnRef] = []
        self.filters: list[BExpr] = []
        # inside an OPTIONAL MATCH: its property maps are the conditions of its left join
        self.conditions: list[BExpr] | None = None
        # unlabelled nodes of the pattern being bound, resolved once its edges are known
        self.pending = PendingNodes()

    def pattern(self, pattern: ast_relations.Pattern) -> None:
        previous = self.node(pattern.nodes[0])
        for rel, node in zip(pattern.rels, pattern.nodes[1:], strict=True):
            current = self.node(node)
            self.edge(rel, previous, current)
            previous = current
        self.pending.resolve(self)

    def node(self, pattern: ast_relations.NodePattern) -> int:
        var = pattern.var.lower() if pattern.var else None
        if var is not None and var in self.by_var:
            index = self.by_var[var]
            known = self.nodes[index].label
            if pattern.label and known and pattern.label.lower() != known.lower():
                raise BindError(f"node {pattern.var!r} has two labels: {known!r} and "
                                f"{pattern.label!r}", line=pattern.line, column=pattern.column)
            if pattern.label and not known:
                label = _label(self.source, pattern.label, "node", pattern).name
                self.pending.label_later(self, index, label, pattern)
            if self.pending.holds(index):  # its properties are known once it is resolved
                self.pending.add(index, pattern, first=False, slot=0)
            else:
                self._properties(index, self.nodes[index].rel, pattern.properties, pattern)
            return index
        table = _label(self.source, pattern.label, "node", pattern) if pattern.label else None
        rel = self.binder.unique_rel(pattern.var or "_n")
        self.nodes.append(GraphNode(rel, table.name if table else None))
        index = len(self.nodes) - 1
        if var is not None:
            self.by_var[var] = index
        if table is None:
            self.pending.add(index, pattern, first=True, slot=len(self.bindings))
            return index
        self._variable(pattern.var, rel, table)
        self._properties(index, rel, pattern.properties, pattern)
        return index

    def edge(self, pattern: ast_relations.RelPattern, src: int, dst: int) -> None:
        if pattern.var and pattern.var.lower() in self.by_var:
            raise BindError(f"variable {pattern.var!r} is used for a node and a relationship",
                            line=pattern.line, column=pattern.column)
        table = _label(self.source, pattern.label, "rel", pattern) if pattern.label else None
        lo, hi = pattern.min_hops, pattern.max_hops
        cap = self.binder.max_hops
        if hi is None:
            raise BindError(f"variable-length relationship needs an upper bound, e.g. *1..3 "
                            f"(at most {cap})", line=pattern.line, column=pattern.column)
        if hi > cap or lo < 0 or lo > hi:
            raise BindError(f"relationship length *{lo}..{hi} must satisfy 0 <= min <= max <= "
                            f"{cap}", line=pattern.line, column=pattern.column)
        check_path_mode(pattern)
        if lo == 0:
            check_zero_hops(self.source, table, pattern)
        rel = self.binder.unique_rel(pattern.var or "_e")
        edge = GraphEdge(rel, table.name if table else None, src, dst, pattern.direction, lo, hi,
                         pattern.mode)
        self.edges.append(edge)
        if edge.variable_length:  # a path has no single property value, only its length
            if pattern.properties:
                raise BindError("property maps are not allowed on variable-length "
                                "relationships", line=pattern.line, column=pattern.column)
            self._path(pattern.var, rel)
        else:
            self._variable(pattern.var, rel, table)
            self._properties(-1, rel, pattern.properties, pattern)

    def _path(self, var: str | None, rel: str) -> None:
        """A named variable-length relationship has one column: its number of hops."""
        if var is not None:
            length = ColumnRef(rel, PATH_LENGTH, pa.int64())
            self.columns.append(length)
            self.bindings.append(RelBinding.of(var, (length,)))

    def _variable(self, var: str | None, rel: str, table: TableSchema | None) -> None:
        cols = tuple(ColumnRef(rel, n, t) for n, t in table.columns) if table else ()
        self.columns += cols
        if var is not None:
            self.bindings.append(RelBinding.of(var, cols))

    def property_map(self, index: int, pattern: ast_relations.NodePattern) -> None:
        self._properties(index, self.nodes[index].rel, pattern.properties, pattern)

    def _properties(self, index: int, rel: str, props: Sequence[tuple[str, ast.Expr]],
                    node: ast.Node) -> None:
        cols = {c.name.lower(): c for c in self.columns if c.rel == rel}
        for key, value in props:
            col = cols.get(key.lower())
            if col is None:
                raise BindError(f"no property {key!r} here; " + did_you_mean(key, cols),
                                line=node.line, column=node.column, candidates=list(cols))
            bound = self.binder.exprs.bind(value, Scope([]))
            test = Func("eq", (col, bound), pa.bool_())
            (self.filters if self.conditions is None else self.conditions).append(test)


def bind_match(ctx: BindContext, ref: ast_relations.MatchRef, outer: Scope | None) -> BoundRelation:
    return bind_pattern(ctx, ref, find_source(ctx, ref.source, ref))


def bind_pattern(binder: BindContext, ref: ast_relations.MatchRef, source: SourceInfo
                 ) -> BoundRelation:
    if not _labels(source, "node"):
        raise BindError(f"MATCH needs a graph source; {source.name!r} is a {source.kind} source "
                        "without node tables", line=ref.line, column=ref.column)
    pb = PatternBinder(binder, source)
    for pattern in ref.patterns:
        pb.pattern(pattern)
    optional = tuple(optional_part(pb, part) for part in ref.optional)
    if not pb.columns:
        raise BindError("give at least one variable of the pattern a label, so its properties "
                        "are known", line=ref.line, column=ref.column)
    _check_duplicates(pb.bindings, ref)
    columns = tuple(pb.columns)
    plan: Plan = zero_hop_union(binder, GraphMatch(
        source.name, tuple(pb.nodes), tuple(pb.edges), columns, available=columns,
        optional=optional), source, ref)
    predicate = conjunction(pb.filters)
    if predicate is not None:
        plan = Filter(plan, predicate)
    return plan, pb.bindings


def _check_duplicates(bindings: list[RelBinding], node: ast.Node) -> None:
    seen: set[str] = set()
    for binding in bindings:
        if binding.alias.lower() in seen:
            raise BindError(f"relationship variable {binding.alias!r} is used twice",
                            line=node.line, column=node.column)
        seen.add(binding.alias.lower())
