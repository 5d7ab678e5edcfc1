"""``*0..n`` relationships: the start node itself (zero hops) or a walk of 1 to n hops.

Kuzu 0.11.3 miscounts ``*0..n`` for n ≥ 1 on graphs with cycles (the zero-length walk is
reported again under the length of another walk between the same nodes, and undirected
patterns gain rows), while ``*1..n`` and ``*0..0`` match the walk semantics exactly. So a
pattern with ``*0..n`` edges is bound as the UNION ALL of patterns in which each such edge
either takes zero hops (its two end nodes are one node, and the edge is gone) or walks
``*1..n``; no source is ever asked for a zero-length walk.

A variable-length relationship variable ``r`` has one column, ``r._length``: the number of
hops of the walk (0 in a zero-hop branch; Kuzu's ``length(r)`` otherwise).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pyarrow as pa

from grammar import ast_relations
from planner.bind_context import BindContext
from planner.catalog import SourceInfo, TableSchema
from planner.errors import BindError
from planner.expressions import BExpr, ColumnRef, Const
from planner.graph_pattern import GraphNode
from planner.logical import Filter, GraphMatch, Plan, Project
from planner.set_ops import SetOp

PATH_LENGTH = "_length"  # like NEAREST's _distance: a column the form adds
MAX_ZERO_EDGES = 3  # each one doubles the branches of the union


def check_path_mode(pattern: ast_relations.RelPattern) -> None:
    """ACYCLIC is refused: Kuzu 0.11.3 returns walks that repeat nodes under it. Kuzu's
    shortest paths start at one hop and never end where they start."""
    if pattern.mode == "acyclic":
        raise BindError("ACYCLIC paths are not supported (Kuzu 0.11.3 does not keep them "
                        "acyclic); use TRAIL or a walk", line=pattern.line, column=pattern.column)
    if pattern.mode.endswith("shortest") and pattern.min_hops != 1:
        raise BindError(f"{pattern.mode.upper()} paths start at one hop: write "
                        f"*{pattern.mode.upper()} 1..{pattern.max_hops}",
                        line=pattern.line, column=pattern.column)


def check_zero_hops(source: SourceInfo, table: TableSchema | None,
                    pattern: ast_relations.RelPattern) -> None:
    """Zero hops make the two ends one node: the relationship type must connect nodes of one
    table, which is then the label of both ends."""
    if table is None or len(table.endpoints) != 1 \
            or table.endpoints[0][0].lower() != table.endpoints[0][1].lower():
        raise BindError("*0.. needs a relationship type whose FROM and TO are the same node "
                        f"table (zero hops make both ends one node) in graph {source.name!r}",
                        line=pattern.line, column=pattern.column)


def zero_hop_union(ctx: BindContext, match: GraphMatch, source: SourceInfo,
                   ref: ast_relations.MatchRef) -> Plan:
    """``match`` itself when no edge may take zero hops; else the UNION ALL of its branches
    (each an exact pattern), under ``match``'s own columns."""
    zero = [j for j, e in enumerate(match.edges) if e.min_hops == 0]
    if not zero:
        return match
    if match.optional:
        raise BindError("*0.. relationships are not supported together with OPTIONAL MATCH",
                        line=ref.line, column=ref.column)
    if len(zero) > MAX_ZERO_EDGES:
        raise BindError(f"at most {MAX_ZERO_EDGES} relationships of one MATCH may be *0..",
                        line=ref.line, column=ref.column)
    branches: list[tuple[GraphMatch, list[BExpr]]] = []
    for taken in itertools.product((True, False), repeat=len(zero)):
        hops0 = {j for j, t in zip(zero, taken, strict=True) if t}
        if any(match.edges[j].max_hops == 0 for j in zero if j not in hops0):
            continue  # *0..0 has no walking branch
        branch = _branch(ctx, match, hops0, source)
        if branch is not None:
            branches.append(branch)
    if not branches:  # the ends of a *0..0 edge carry two labels: no node is both
        return _nothing(match)
    return _union(ctx, match.columns, branches)


def _union(ctx: BindContext, columns: tuple[ColumnRef, ...],
           branches: list[tuple[GraphMatch, list[BExpr]]]) -> Plan:
    """UNION ALL of the branches, each projected to ``columns`` (the last union outputs
    them; a lone branch is projected onto them directly)."""
    if len(branches) == 1:
        leaf, sources = branches[0]
        return Project(leaf, tuple(zip(columns, sources, strict=True)))
    arms = [Project(leaf, tuple(zip(_fresh(ctx, columns), sources, strict=True)))
            for leaf, sources in branches]
    plan: Plan = arms[0]
    for k, arm in enumerate(arms[1:], start=2):
        outs = columns if k == len(arms) else _fresh(ctx, columns)
        plan = SetOp("union", True, plan, arm, plan.schema, arm.schema, outs)
    return plan


def _roots(match: GraphMatch, hops0: set[int], source: SourceInfo
           ) -> tuple[list[int], dict[int, str | None]] | None:
    """Each node's representative once the ends of the ``hops0`` edges are merged, and the
    label of each representative; None when a merged node would carry two labels."""
    rep = list(range(len(match.nodes)))

    def find(i: int) -> int:
        while rep[i] != i:
            i = rep[i]
        return i

    for j in sorted(hops0):
        a, b = find(match.edges[j].src), find(match.edges[j].dst)
        rep[max(a, b)] = min(a, b)
    wanted: dict[int, set[str]] = {}
    for i, node in enumerate(match.nodes):
        wanted.setdefault(find(i), set()).update([node.label.lower()] if node.label else [])
    for j in hops0:  # an end of a zero-hop edge is a node of the type's one node table
        table = source.tables[str(match.edges[j].label)].endpoints[0][0]
        wanted[find(match.edges[j].src)].add(table.lower())
    if any(len(labels) > 1 for labels in wanted.values()):
        return None
    spelled = {t.lower(): t for t in source.tables}
    roots = [find(i) for i in range(len(match.nodes))]
    return roots, {r: spelled[next(iter(ls))] if ls else None for r, ls in wanted.items()}


def _branch(ctx: BindContext, match: GraphMatch, hops0: set[int], source: SourceInfo
            ) -> tuple[GraphMatch, list[BExpr]] | None:
    """The pattern with the edges of ``hops0`` taking zero hops (their ends merged) and the
    other ``*0..`` edges walking ``*1..``, and what each of ``match``'s columns is in it."""
    merged = _roots(match, hops0, source)
    if merged is None:
        return None
    roots, labels = merged
    order = sorted(labels)
    node_rel = {r: ctx.unique_rel("_n") for r in order}
    nodes = tuple(GraphNode(node_rel[r], labels[r]) for r in order)
    edge_rel: dict[int, str] = {}
    edges = []
    fixed = set()
    for j, e in enumerate(match.edges):
        if j not in hops0:
            edge_rel[j] = ctx.unique_rel("_e")
            edges.append(replace(e, rel=edge_rel[j], src=order.index(roots[e.src]),
                                 dst=order.index(roots[e.dst]), min_hops=max(e.min_hops, 1)))
            if e.variable_length and not edges[-1].variable_length:
                fixed.add(j)
    node_of = {n.rel: roots[i] for i, n in enumerate(match.nodes)}
    edge_of = {e.rel: j for j, e in enumerate(match.edges)}
    sources: list[BExpr] = []
    for c in match.columns:
        if c.rel in node_of:
            sources.append(ColumnRef(node_rel[node_of[c.rel]], c.name, c.type))
        elif edge_of[c.rel] in hops0:
            sources.append(Const(0, pa.int64()))  # the only column of a path: its length
        elif edge_of[c.rel] in fixed:  # *0..1 walking: one hop, a plain relationship
            sources.append(Const(1, pa.int64()))
        else:
            sources.append(ColumnRef(edge_rel[edge_of[c.rel]], c.name, c.type))
    read = tuple(dict.fromkeys(s for s in sources if isinstance(s, ColumnRef)))
    return GraphMatch(match.source, nodes, tuple(edges), read, available=read), sources


def _fresh(ctx: BindContext, columns: tuple[ColumnRef, ...]) -> tuple[ColumnRef, ...]:
    """New keys for ``columns`` (a branch's outputs, or an inner union's)."""
    rel = ctx.unique_rel("_u")
    return tuple(ColumnRef(rel, f"c{k}", c.type) for k, c in enumerate(columns))


def _nothing(match: GraphMatch) -> Plan:
    """No rows, under ``match``'s columns: its pattern walking ``*1..2`` under a false
    filter (a path keeps its ``_length`` column)."""
    walking = replace(match, edges=tuple(replace(e, min_hops=1, max_hops=max(e.max_hops, 2))
                                         if e.variable_length else e for e in match.edges))
    return Filter(walking, Const(False, pa.bool_()))
