"""The logical plan: frozen, hashable nodes that validate their column references when built.

Every node exposes ``schema`` (the columns it produces, keys unique in the plan) and
``children``; ``replace_children`` rebuilds a node over new inputs. A ``Scan`` is the part one
source runs: one table or a left-deep join of tables of that source, with the filters,
projection and limit that were pushed into it. A MATCH pattern's variables are in
``planner.graph_pattern``; the GROUP BY a leaf runs itself in ``planner.pushed_work``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from planner.errors import PlanError
from planner.expressions import AggCall, BExpr, ColumnRef, columns_of
from planner.graph_optional import OptionalPart, check_optional
from planner.graph_pattern import GraphEdge, GraphNode
from planner.pushed_work import PushedAggregate, check_leaf_extras

Schema = tuple[ColumnRef, ...]


class Plan:
    """Base of all plan nodes."""

    @property
    def schema(self) -> Schema:
        raise NotImplementedError

    @property
    def children(self) -> tuple[Plan, ...]:
        return ()

    def replace_children(self, children: tuple[Plan, ...]) -> Plan:
        """This node over ``children``; the node itself when they are the same objects, so
        a rule that changes nothing returns the very plan it was given."""
        if all(new is old for new, old in zip(children, self.children, strict=True)):
            return self
        return self._rebuild(children)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return self

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.schema)


def _check_refs(node: str, exprs: tuple[BExpr, ...], available: frozenset[str]) -> None:
    for expr in exprs:
        missing = columns_of(expr) - available
        if missing:
            raise PlanError(f"{node} reads {sorted(missing)} not produced by its input")


@dataclass(frozen=True)
class SortKey:
    expr: BExpr
    descending: bool = False
    nulls_first: bool | None = None


@dataclass(frozen=True)
class TableAccess:
    """One table read by a Scan; ``kind``/``condition`` join it to the tables before it."""

    table: str
    rel: str
    kind: str = "base"  # base, inner, left
    condition: BExpr | None = None


@dataclass(frozen=True, eq=True)
class Scan(Plan):
    source: str
    tables: tuple[TableAccess, ...]
    columns: Schema
    filters: tuple[BExpr, ...] = ()
    limit: int | None = None
    # every column of the scanned tables, so projection pushdown can widen again if needed
    available: Schema = field(default=(), compare=False)
    order: tuple[SortKey, ...] = ()  # with ``limit``: the source returns the top rows
    aggregate: PushedAggregate | None = None  # then ``columns`` are the aggregate's outputs
    # values the source computes for each row it returns (scalar subqueries answered in the
    # same statement, ``planner.rules.scalar_pushdown``); their columns are among ``columns``
    computed: tuple[tuple[ColumnRef, BExpr], ...] = ()

    def __post_init__(self) -> None:
        rels = {t.rel for t in self.tables}
        outputs = [c for c in self.columns if c.key not in self.computed_keys] \
            if self.aggregate is None else []
        if any(c.rel not in rels for c in outputs):
            raise PlanError(f"scan of {self.source} outputs a column of a table it does not read")
        if self.computed and (self.aggregate is not None
                              or not self.computed_keys <= self.keys):
            raise PlanError(f"values computed by {self.source} are not among its columns")
        check_leaf_extras(self.source, self.order, self.aggregate, self.columns, rels)
        if any(k.split(".", 1)[0] not in rels for _, e in self.computed for k in columns_of(e)):
            raise PlanError(f"a value computed by {self.source} reads a table it does not read")

    @cached_property
    def computed_keys(self) -> frozenset[str]:
        return frozenset(c.key for c, _ in self.computed)

    @property
    def schema(self) -> Schema:
        return self.columns

    @property
    def rels(self) -> frozenset[str]:
        return frozenset(t.rel for t in self.tables)


@dataclass(frozen=True)
class Filter(Plan):
    child: Plan
    predicate: BExpr

    def __post_init__(self) -> None:
        _check_refs("Filter", (self.predicate,), self.child.keys)

    @property
    def schema(self) -> Schema:
        return self.child.schema

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Filter(children[0], self.predicate)


@dataclass(frozen=True)
class Project(Plan):
    child: Plan
    items: tuple[tuple[ColumnRef, BExpr], ...]

    def __post_init__(self) -> None:
        _check_refs("Project", tuple(e for _, e in self.items), self.child.keys)

    @property
    def schema(self) -> Schema:
        return tuple(c for c, _ in self.items)

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Project(children[0], self.items)


@dataclass(frozen=True)
class Join(Plan):
    left: Plan
    right: Plan
    kind: str  # inner, left, cross
    condition: BExpr | None = None

    def __post_init__(self) -> None:
        if self.left.keys & self.right.keys:
            raise PlanError("join inputs share column keys")
        if self.condition is not None:
            _check_refs("Join", (self.condition,), self.left.keys | self.right.keys)

    @property
    def schema(self) -> Schema:
        return self.left.schema + self.right.schema

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.left, self.right)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Join(children[0], children[1], self.kind, self.condition)


@dataclass(frozen=True)
class Aggregate(Plan):
    child: Plan
    groups: tuple[tuple[ColumnRef, BExpr], ...]
    aggregates: tuple[tuple[ColumnRef, AggCall], ...]

    def __post_init__(self) -> None:
        exprs = tuple(e for _, e in self.groups) + tuple(a for _, a in self.aggregates)
        _check_refs("Aggregate", exprs, self.child.keys)

    @property
    def schema(self) -> Schema:
        return tuple(c for c, _ in self.groups) + tuple(c for c, _ in self.aggregates)

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Aggregate(children[0], self.groups, self.aggregates)


@dataclass(frozen=True)
class Sort(Plan):
    child: Plan
    keys_: tuple[SortKey, ...]

    def __post_init__(self) -> None:
        _check_refs("Sort", tuple(k.expr for k in self.keys_), self.child.keys)

    @property
    def schema(self) -> Schema:
        return self.child.schema

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Sort(children[0], self.keys_)


@dataclass(frozen=True)
class Limit(Plan):
    child: Plan
    limit: int | None
    offset: int = 0

    @property
    def schema(self) -> Schema:
        return self.child.schema

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Limit(children[0], self.limit, self.offset)


@dataclass(frozen=True)
class Distinct(Plan):
    child: Plan

    @property
    def schema(self) -> Schema:
        return self.child.schema

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Distinct(children[0])


@dataclass(frozen=True)
class Output(Plan):
    """Root: picks the visible columns of the query and gives them their user-facing names."""

    child: Plan
    columns: Schema
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_refs("Output", self.columns, self.child.keys)

    @property
    def schema(self) -> Schema:
        return self.columns

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Output(children[0], self.columns, self.names)


@dataclass(frozen=True)
class FragmentInput(Plan):
    """Where a source's result enters the DuckDB stage (after the plan is cut)."""

    index: int
    source: str
    columns: Schema

    @property
    def schema(self) -> Schema:
        return self.columns



@dataclass(frozen=True)
class GraphMatch(Plan):
    """A graph pattern one graph source runs natively (a Cypher MATCH).

    Columns are properties of node and edge variables (``x.id``, ``r.weight``); ``filters`` are
    the predicates pushed into the pattern's WHERE (property maps land here too).
    """

    source: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    columns: Schema
    filters: tuple[BExpr, ...] = ()
    limit: int | None = None
    available: Schema = field(default=(), compare=False)
    order: tuple[SortKey, ...] = ()
    aggregate: PushedAggregate | None = None
    # OPTIONAL MATCH parts, in order; ``filters`` apply after all of them (a WHERE)
    optional: tuple[OptionalPart, ...] = ()

    def __post_init__(self) -> None:
        check_leaf_extras(self.source, self.order, self.aggregate, self.columns, self.rels)
        check_optional(self)

    @property
    def schema(self) -> Schema:
        return self.columns

    @property
    def rels(self) -> frozenset[str]:
        return frozenset(n.rel for n in self.nodes) | frozenset(e.rel for e in self.edges)


def components(match: GraphMatch) -> int:
    """How many parts of the pattern no relationship connects (more than one: a join)."""
    parent = list(range(len(match.nodes)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for edge in match.edges:
        parent[root(edge.src)] = root(edge.dst)
    return len({root(i) for i in range(len(match.nodes))})


@dataclass(frozen=True)
class VectorSearch(Plan):
    """Top-``k`` rows of one table nearest to ``vector`` (after ``filters``, a prefilter).

    Adds the ``_distance`` column, in the source's metric.
    """

    source: str
    table: str
    rel: str
    vector_column: str
    vector: BExpr  # a Const or ParamRef holding the query vector
    k: int | None  # None: every row, ranked (a prefilter finished in DuckDB: planner.prefilters)
    columns: Schema
    filters: tuple[BExpr, ...] = ()
    approximate: bool = False  # APPROXIMATE: an ANN index may answer; else exact
    available: Schema = field(default=(), compare=False)

    @property
    def schema(self) -> Schema:
        return self.columns

    @property
    def rels(self) -> frozenset[str]:
        return frozenset({self.rel})


SourceLeaf = Scan | GraphMatch | VectorSearch
