"""The shape of a plan: its structure without constants, as a stable digest and a readable text.

Statistics are kept per (source, shape) (``federation.stats``) and the cost model looks them up
the same way (``planner.cost``), so two runs of one query with different values — literals in
the text or bound parameters — share their statistics, while a different structure (another
table, another filter column, one more hop) does not. Values, LIMITs and K become ``?``; an
``IN`` list of values becomes ``in(x, ?…)`` whatever its length. Relation aliases are renamed
``r0, r1, …`` in order of appearance, so an alias the user picked does not matter either.
Nothing here depends on object identity or on the query text: the same plan gives the same
digest in every process.

>>> import pyarrow as pa
>>> from planner.expressions import ColumnRef, Const, Func
>>> from planner.logical import Scan, TableAccess
>>> def scan(alias, team):
...     col = ColumnRef(alias, "team", pa.string())
...     where = Func("eq", (col, Const(team, pa.string())), pa.bool_())
...     return Scan("crm", (TableAccess("agents", alias),), (col,), (where,))
>>> shape_of(scan("a", "core")).text
'scan agents AS r0 WHERE (r0.team = ?) -> r0.team'
>>> shape_of(scan("a", "core")).id == shape_of(scan("x", "edge")).id
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pyarrow as pa

from planner.expressions import (
    INFIX_SQL,
    AggCall,
    BExpr,
    ColumnRef,
    Const,
    Func,
    Interval,
    OuterRef,
    ParamRef,
    SubqueryExpr,
)
from planner.fragments import CutPlan
from planner.logical import (
    Aggregate,
    Distinct,
    Filter,
    FragmentInput,
    GraphMatch,
    Join,
    Limit,
    Output,
    Plan,
    Project,
    Scan,
    Sort,
    SortKey,
    VectorSearch,
)
from planner.pushed_work import PushedAggregate

_ARROWS = {"right": ("-", "->"), "left": ("<-", "-"), "both": ("-", "-")}


@dataclass(frozen=True)
class Shape:
    """``id``: 16 hex digits of a digest of ``text`` (what statistics are keyed on)."""

    id: str
    text: str
    params: tuple[str, ...] = field(default=(), compare=False)  # its values' names, in order


def shape_of(plan: Plan) -> Shape:
    """The shape of a fragment's leaf (or of a whole stage plan), and the parameters whose
    values it reads (``planner.signature`` describes those values for the statistics)."""
    renderer = _Renderer()
    text = renderer.plan(plan)
    return Shape(hashlib.blake2b(text.encode(), digest_size=8).hexdigest(), text,
                 tuple(dict.fromkeys(renderer.params)))


class _Renderer:
    """Plan text with values removed and relations renamed in order of appearance."""

    def __init__(self) -> None:
        self._rels: dict[str, str] = {}
        self.params: list[str] = []

    def rel(self, name: str) -> str:
        return self._rels.setdefault(name, f"r{len(self._rels)}")

    def expr(self, e: BExpr) -> str:
        if isinstance(e, ColumnRef):
            return f"{self.rel(e.rel)}.{e.name}"
        if isinstance(e, ParamRef):
            self.params.append(e.name)
            return "?"
        if isinstance(e, Const):
            return "?"
        if isinstance(e, Interval):
            return f"INTERVAL ? {e.unit.upper()}"
        if isinstance(e, AggCall):
            inner = self.exprs(e.args) or "*"
            return f"{e.name}({'DISTINCT ' if e.distinct else ''}{inner})"
        if isinstance(e, OuterRef):
            return f"outer({self.expr(e.ref)})"
        if isinstance(e, SubqueryExpr):  # its own fragments have their own shapes
            operand = self.expr(e.operand) if e.operand is not None else ""
            return f"{'not ' if e.negated else ''}{e.kind}{e.op}({operand}; subquery)"
        return self.func(e)

    def func(self, e: Func) -> str:
        option = f"[{e.option}]" if e.option else ""
        args = e.args
        if e.name in ("in", "not_in") and all(isinstance(a, Const | ParamRef) for a in args[1:]):
            self.params += [a.name for a in args[1:] if isinstance(a, ParamRef)]
            return f"{e.name}({self.expr(args[0])}, ?…)"
        if e.name in INFIX_SQL and len(args) == 2:
            return f"({self.expr(args[0])} {INFIX_SQL[e.name]} {self.expr(args[1])})"
        return f"{e.name}{option}({self.exprs(args)})"

    def exprs(self, items: Iterable[BExpr]) -> str:
        return ", ".join(self.expr(e) for e in items)

    def plan(self, p: Plan) -> str:
        if isinstance(p, Scan):
            return self.scan(p)
        if isinstance(p, GraphMatch):
            return self.match(p)
        if isinstance(p, VectorSearch):
            return self.nearest(p)
        if isinstance(p, FragmentInput):
            return f"input({p.source}: {self.exprs(p.columns)})"
        return self.operator(p)

    def operator(self, p: Plan) -> str:
        """A stage operator over its inputs, in prefix form."""
        if isinstance(p, Filter):
            head = f"filter {self.expr(p.predicate)}"
        elif isinstance(p, Project):
            head = "project " + ", ".join(f"{self.expr(c)}={self.expr(e)}" for c, e in p.items)
        elif isinstance(p, Join):
            cond = self.expr(p.condition) if p.condition is not None else ""
            head = f"join {p.kind} {cond}".rstrip()
        elif isinstance(p, Aggregate):
            head = "aggregate " + self.grouped(PushedAggregate(p.groups, p.aggregates))
        elif isinstance(p, Sort):
            head = "sort " + self.order(p.keys_)
        elif isinstance(p, Limit):
            head = "limit ?" + (" offset ?" if p.offset else "")
        elif isinstance(p, Distinct):
            head = "distinct"
        elif isinstance(p, Output):
            head = "output " + self.exprs(p.columns)
        else:
            head = type(p).__name__.lower()
        return f"{head} [{'; '.join(self.plan(c) for c in p.children)}]"

    def scan(self, p: Scan) -> str:
        tables = []
        for t in p.tables:
            read = f"{t.table} AS {self.rel(t.rel)}"
            if t.kind != "base":
                cond = f" ON {self.expr(t.condition)}" if t.condition is not None else ""
                read = f"{t.kind} {read}{cond}"
            tables.append(read)
        computed = "".join(f" COMPUTE {self.expr(c)}={self.expr(e)}" for c, e in p.computed)
        return "scan " + " ".join(tables) + self.extras(p.filters, p.columns, p.order,
                                                        p.limit, p.aggregate) + computed

    def match(self, p: GraphMatch) -> str:
        nodes = [f"({self.rel(n.rel)}:{n.label or ''})" for n in p.nodes]
        edges = []
        for e in p.edges:
            hops = e.hops_text() if e.variable_length else ""
            left, right = _ARROWS[e.direction]
            edges.append(f"{nodes[e.src]}{left}[{self.rel(e.rel)}:{e.label or ''}{hops}]"
                         f"{right}{nodes[e.dst]}")
        pattern = ", ".join(edges) if edges else ", ".join(nodes)
        pattern += "".join(f" optional({part.text()} {self.exprs(part.conditions)})"
                           for part in p.optional)
        return "match " + pattern + self.extras(p.filters, p.columns, p.order, p.limit,
                                                p.aggregate)

    def nearest(self, p: VectorSearch) -> str:
        k = "all" if p.k is None else "?"
        how = "approximate" if p.approximate else "exact"
        return (f"nearest {p.table} AS {self.rel(p.rel)} ON {p.vector_column} K {k} {how}"
                + self.extras(p.filters, p.columns, (), None, None))

    def extras(self, filters: tuple[BExpr, ...], columns: tuple[ColumnRef, ...],
               order: tuple[SortKey, ...], limit: int | None,
               aggregate: PushedAggregate | None) -> str:
        text = f" WHERE {' AND '.join(self.expr(f) for f in filters)}" if filters else ""
        if aggregate is not None:
            text += " GROUP " + self.grouped(aggregate)
        else:
            text += " -> " + self.exprs(columns)
        if order:
            text += " ORDER " + self.order(order)
        return text + (" LIMIT ?" if limit is not None else "")

    def grouped(self, agg: PushedAggregate) -> str:
        groups = ", ".join(f"{self.expr(c)}={self.expr(e)}" for c, e in agg.groups)
        aggs = ", ".join(f"{self.expr(c)}={self.expr(a)}" for c, a in agg.aggregates)
        return f"BY ({groups}) ({aggs})"

    def order(self, keys: tuple[SortKey, ...]) -> str:
        return ", ".join(self.expr(k.expr) + (" DESC" if k.descending else "")
                         + ("" if k.nulls_first is None else
                            " NULLS FIRST" if k.nulls_first else " NULLS LAST") for k in keys)


@dataclass(frozen=True)
class PlanShapes:
    """Shapes of a cut plan, computed once per prepared plan: each fragment's (by index),
    each key receiver's as it runs when keys are passed, and the stage's."""

    fragments: tuple[Shape, ...]
    keyed: Mapping[int, Shape]
    stage: Shape


def plan_shapes(cut: CutPlan) -> PlanShapes:
    """A receiver of keys runs with ``in_keys(column, ?)`` added to its filters (as
    ``federation.key_passing`` adds them), so reading it keyed and reading it whole are two
    shapes with their own statistics."""
    keyed = {}
    for f in cut.fragments:
        into = [p for p in cut.passes if p.receiver == f.index]
        if into:
            added = tuple(Func("in_keys", (p.receiver_key, ParamRef("keys", pa.null())),
                               pa.bool_()) for p in into)
            keyed[f.index] = shape_of(replace(f.plan, filters=(*f.plan.filters, *added)))
    ordered = sorted(cut.fragments, key=lambda f: f.index)
    return PlanShapes(tuple(shape_of(f.plan) for f in ordered), keyed, shape_of(cut.stage))
