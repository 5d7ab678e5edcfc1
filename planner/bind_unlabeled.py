"""Unlabelled nodes ``(x)`` of a MATCH: a node of any label its relationships allow.

Its candidate labels are the node tables at its side of every labelled relationship it ends
(a relationship type's FROM tables at its start, TO tables at its end, both for an undirected
or variable-length one), or every node table when no relationship tells. One candidate is
its label (Kuzu binds it so). With several, its columns are the properties of the candidates,
each NULL on the nodes whose table lacks it (Kuzu's semantics); a property two candidates
type differently is left out. Its columns and property maps wait until its pattern is bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pyarrow as pa

from grammar import ast_relations
from planner.bind_scope import RelBinding
from planner.catalog import SourceInfo
from planner.errors import BindError
from planner.expressions import ColumnRef
from planner.graph_pattern import GraphEdge

if TYPE_CHECKING:
    from planner.bind_match import PatternBinder


@dataclass
class PendingNodes:
    """The unlabelled nodes of the pattern being bound: (node index, its pattern text, whether
    it introduced the node, where its binding goes among the MATCH's bindings)."""

    items: list[tuple[int, ast_relations.NodePattern, bool, int]] = field(default_factory=list)

    def holds(self, index: int) -> bool:
        return any(i == index for i, _, _, _ in self.items)

    def add(self, index: int, pattern: ast_relations.NodePattern, *, first: bool, slot: int
            ) -> None:
        self.items.append((index, pattern, first, slot))

    def label_later(self, pb: PatternBinder, index: int, label: str,
                    pattern: ast_relations.NodePattern) -> None:
        """``(a)-[…]->(b), (a:Agent)``: a label given at a later mention of a node still
        unresolved in this pattern is its label; once resolved it is too late."""
        if not self.holds(index):
            raise BindError(f"give node {pattern.var!r} its label where it first appears",
                            line=pattern.line, column=pattern.column)
        pb.nodes[index] = replace(pb.nodes[index], label=label)

    def resolve(self, pb: PatternBinder) -> None:
        """Columns, binding and property maps of each pending node, now that its pattern's
        edges are known (bindings inserted latest first, so each slot stays right: slots
        never decrease in the order the nodes appear)."""
        items, self.items = self.items, []
        firsts = [(i, p, slot) for i, p, first, slot in items if first]
        for index, pattern, slot in reversed(firsts):
            node = pb.nodes[index]
            labels = [node.label] if node.label else candidates(pb.source, pb.edges, index)
            if len(labels) == 1:
                pb.nodes[index] = replace(node, label=labels[0])
            cols = properties(pb.source, labels, node.rel)
            pb.columns += cols
            if pattern.var is not None:
                origin = "a node labelled " + " or ".join(labels) if labels else \
                    "a node no relationship of the pattern can end at"
                pb.bindings.insert(slot, RelBinding.of(pattern.var, cols, origin=origin))
        for index, pattern, _, _ in items:
            pb.property_map(index, pattern)


def candidates(source: SourceInfo, edges: list[GraphEdge], index: int) -> list[str]:
    """The node tables node ``index`` may be in, by the labelled edges ending at it."""
    allowed: set[str] | None = None
    for edge in edges:
        if edge.label is None or index not in (edge.src, edge.dst):
            continue
        ends = source.tables[edge.label].endpoints
        froms, tos = {f for f, _ in ends}, {t for _, t in ends}
        if edge.direction == "both" or edge.variable_length:
            side = froms | tos
        else:
            starts = edge.src if edge.direction == "right" else edge.dst
            side = (froms if index == starts else set()) | (tos if index != starts else set())
            if edge.src == edge.dst:  # a loop: the node is both ends
                side = froms & tos
        allowed = side if allowed is None else allowed & side
    nodes = sorted(n for n, t in source.tables.items() if t.kind == "node")
    return nodes if allowed is None else [n for n in nodes if n in allowed]


def properties(source: SourceInfo, labels: list[str], rel: str) -> tuple[ColumnRef, ...]:
    """The properties of ``labels`` as columns of ``rel``: each once, in the labels' order;
    one the labels type differently is left out."""
    types: dict[str, pa.DataType] = {}
    spelled: dict[str, str] = {}
    clash: set[str] = set()
    for label in labels:
        for name, typ in source.tables[label].columns:
            key = name.lower()
            if key in types and types[key] != typ:
                clash.add(key)
            types.setdefault(key, typ)
            spelled.setdefault(key, name)
    return tuple(ColumnRef(rel, spelled[k], types[k]) for k in types
                 if k not in clash)
