"""FQL relation forms: what a FROM clause names (DESIGN §3) — a source table, a MATCH pattern,
a NEAREST search, a derived table, a CTE by name, VALUES rows and the joins between them — and
``sources_of``, which collects the sources they read.

They live apart from ``grammar.ast`` (expressions, select list, queries) because they are the one
family the binder resolves against the catalog; the classes follow the same conventions."""

from __future__ import annotations

from dataclasses import dataclass, fields

from grammar.ast import Column, Expr, Literal, Node, Param, QueryExpr


@dataclass(frozen=True)
class TableRef(Node):
    source: str
    table: str
    alias: str | None


@dataclass(frozen=True)
class NodePattern(Node):
    var: str | None
    label: str | None
    properties: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class RelPattern(Node):
    var: str | None
    label: str | None
    direction: str  # right, left, both
    min_hops: int = 1
    max_hops: int | None = 1  # None: unbounded (rejected by the binder)
    properties: tuple[tuple[str, Expr], ...] = ()
    mode: str = "walk"  # walk, trail, acyclic, shortest, all shortest (``*TRAIL 1..3``)


@dataclass(frozen=True)
class Pattern(Node):
    nodes: tuple[NodePattern, ...]
    rels: tuple[RelPattern, ...]


@dataclass(frozen=True)
class OptionalMatch(Node):
    """``OPTIONAL MATCH <patterns>`` after a MATCH: its rows are left-joined to the rows
    matched so far on the variables they share (NULLs where nothing matches)."""

    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class MatchRef(Node):
    source: str
    patterns: tuple[Pattern, ...]
    optional: tuple[OptionalMatch, ...] = ()


@dataclass(frozen=True)
class NearestRef(Node):
    source: str
    table: str
    vector: Expr
    k: Expr
    alias: str | None
    approximate: bool = False  # APPROXIMATE: an ANN index may answer (DESIGN §3)


@dataclass(frozen=True)
class DerivedTable(Node):
    query: QueryExpr
    alias: str
    columns: tuple[str, ...] = ()  # ``AS x(a, b)``: the columns renamed


@dataclass(frozen=True)
class NamedRef(Node):
    """A relation named without a source: a CTE of an enclosing WITH."""

    name: str
    alias: str | None


@dataclass(frozen=True)
class ValuesRef(Node):
    """``VALUES (…), (…)``: literal rows; a bare VALUES query reads it with ``SELECT *``."""

    rows: tuple[tuple[Expr, ...], ...]


@dataclass(frozen=True)
class Join(Node):
    kind: str  # inner, left, right, full, cross
    left: Relation
    right: Relation
    condition: Expr | None
    using: tuple[str, ...] = ()  # ``JOIN … USING (a, b)``: condition is None


Relation = TableRef | MatchRef | NearestRef | DerivedTable | ValuesRef | Join | NamedRef


def sources_of(query: Node) -> frozenset[str]:
    """Lower-cased names of the sources a query reads: every relation form anywhere in the
    tree (derived tables, CTEs, subqueries in any clause, set-operation branches). The result
    cache reads the version of each, so a table missed here would serve stale answers."""
    names: set[str] = set()
    stack: list[object] = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, TableRef | MatchRef | NearestRef):
            names.add(node.source.lower())
        if isinstance(node, tuple):
            stack.extend(node)
        elif isinstance(node, Node) and not isinstance(node, Literal | Column | Param):
            stack.extend(getattr(node, f.name) for f in fields(node))
    return frozenset(names)
