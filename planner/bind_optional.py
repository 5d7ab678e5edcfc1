"""``OPTIONAL MATCH <patterns>`` inside a MATCH: the part of the pattern left-joined to the
rows matched before it (Cypher's OPTIONAL MATCH; DuckDB's LEFT JOIN on the shared nodes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grammar import ast_relations
from planner.capabilities import accepts_predicate
from planner.errors import BindError
from planner.graph_optional import OptionalPart

if TYPE_CHECKING:
    from planner.bind_match import PatternBinder


def optional_part(pb: PatternBinder, part: ast_relations.OptionalMatch) -> OptionalPart:
    """Binds the part's patterns after what is bound so far: the nodes and edges they add
    are the part's own, their property maps (on any node, old or new) its conditions."""
    nodes, edges = len(pb.nodes), len(pb.edges)
    pb.conditions = []
    try:
        for pattern in part.patterns:
            pb.pattern(pattern)
        conditions = tuple(pb.conditions)
    finally:
        pb.conditions = None
    bound = OptionalPart(tuple(range(nodes, len(pb.nodes))),
                         tuple(range(edges, len(pb.edges))), conditions)
    if not bound.nodes and not bound.edges:
        raise BindError("OPTIONAL MATCH adds no node or relationship to the pattern",
                        line=part.line, column=part.column)
    # a condition decides which rows the left join keeps: it must run in the graph itself
    readable = frozenset(c.key for c in pb.columns)
    if not all(accepts_predicate(pb.source.capabilities, c, readable) for c in conditions):
        raise BindError("a property map of this OPTIONAL MATCH cannot run in graph "
                        f"{pb.source.name!r}", line=part.line, column=part.column)
    return bound

