"""The node and relationship variables of a MATCH pattern as a ``planner.logical.GraphMatch``
holds them (its OPTIONAL MATCH parts are in ``planner.graph_optional``): what the binder builds
from the grammar's pattern, and what a graph source's writer turns back into Cypher or SQL."""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import PlanError


@dataclass(frozen=True)
class GraphNode:
    """A node variable of a MATCH pattern; ``rel`` is its plan-wide relation id."""

    rel: str
    label: str | None


PATH_MODES = ("walk", "trail", "shortest", "all shortest")


@dataclass(frozen=True)
class GraphEdge:
    """A relationship of a MATCH pattern between ``nodes[src]`` and ``nodes[dst]``."""

    rel: str
    label: str | None
    src: int  # index into GraphMatch.nodes
    dst: int
    direction: str  # right (src→dst), left (dst→src), both
    min_hops: int = 1
    max_hops: int = 1
    # which walks count (Kuzu's recursive-relationship semantics): walk (nodes and edges may
    # repeat), trail (no edge twice), shortest (one shortest walk per pair of distinct ends),
    # all shortest (every shortest walk per such pair)
    mode: str = "walk"

    def __post_init__(self) -> None:
        if self.mode not in PATH_MODES:
            raise PlanError(f"unknown path mode {self.mode!r}")

    @property
    def variable_length(self) -> bool:
        return (self.min_hops, self.max_hops) != (1, 1) or self.mode != "walk"

    def hops_text(self) -> str:
        """``*1..3``, ``*TRAIL 1..3`` (EXPLAIN and plan shapes)."""
        mode = "" if self.mode == "walk" else self.mode.upper() + " "
        return f"*{mode}{self.min_hops}..{self.max_hops}"
