"""The OPTIONAL MATCH parts of a ``planner.logical.GraphMatch`` and their validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.errors import PlanError
from planner.expressions import BExpr, columns_of

if TYPE_CHECKING:
    from planner.logical import GraphMatch


@dataclass(frozen=True)
class OptionalPart:
    """An ``OPTIONAL MATCH`` of a pattern: its own nodes and edges (indices into the
    GraphMatch), left-joined to the rows matched before it on the nodes they share, and the
    ``conditions`` (its property maps) under which a row matches; where none does, the part's
    columns are NULL."""

    nodes: tuple[int, ...]
    edges: tuple[int, ...]
    conditions: tuple[BExpr, ...] = ()

    def text(self) -> str:
        """``nodes 1,2 edges 0`` (EXPLAIN and plan shapes)."""
        return (f"nodes {','.join(map(str, self.nodes))} "
                f"edges {','.join(map(str, self.edges))}")


def check_optional(match: GraphMatch) -> None:
    """Parts own disjoint nodes and edges, never the first node, and each edge of a part
    ends at nodes bound by the required pattern, an earlier part or the part itself."""
    bound = set(range(len(match.nodes))) - {i for p in match.optional for i in p.nodes}
    edges = set(range(len(match.edges))) - {j for p in match.optional for j in p.edges}
    if match.optional and 0 not in bound:
        raise PlanError("the first node of a MATCH cannot be optional")
    for part in match.optional:
        if (not part.nodes and not part.edges) or set(part.nodes) & bound \
                or set(part.edges) & edges:
            raise PlanError("an OPTIONAL MATCH part must own nodes or edges of its own")
        bound |= set(part.nodes)
        edges |= set(part.edges)
        if any(match.edges[j].src not in bound or match.edges[j].dst not in bound
               for j in part.edges):
            raise PlanError("an optional edge ends at a node bound after it")
    if bound != set(range(len(match.nodes))) or edges != set(range(len(match.edges))):
        raise PlanError("an OPTIONAL MATCH part refers to a node or edge outside the pattern")
    read = {k.split(".", 1)[0] for p in match.optional for c in p.conditions
            for k in columns_of(c)}
    if not read <= match.rels:
        raise PlanError("an OPTIONAL MATCH condition reads a column outside the pattern")
