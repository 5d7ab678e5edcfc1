"""One read for the fragments of a query that ask a source the same thing.

TPC-H Q2 reads ``graph.partsupp`` in the outer query and again in its correlated subquery,
Q11 reads partsupp, supplier and nation in the outer query and again in its HAVING
subquery: each of those legs is the same scan (the same table, pattern and pushed filters)
under another name, and the second read of 800 000 rows doubles the fragment time. A
fragment whose leaf equals an earlier one once its relation names are set aside does not
run: the earlier fragment (its *reader*) reads the union of both fragments' columns once,
and each of the two stage inputs is that table's columns for it, renamed. Both inputs are
exactly what their own fragments would have returned (the same rows of the same snapshot).

Leaves with a pushed LIMIT, ORDER BY or aggregate, and vector searches are left alone. A
receiver of passed keys (its text changes at run time) shares only with an equal receiver
whose one pass comes from an equal sender through the same columns: both would get the same
keys (Q11 with both legs' supplier ⋈ partsupp joined in Kuzu, each keyed by the nation key);
the follower's pass is dropped and its input cut from the reader's keyed read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.errors import PlanError
from planner.expressions import BExpr, ColumnRef, Const, ParamRef, transform, walk
from planner.fragments import CutPlan, Fragment, KeyPass
from planner.logical import GraphMatch, Scan, SourceLeaf


@dataclass(frozen=True)
class SharedRead:
    """The stage input of fragment ``index`` is columns ``positions`` of the table fragment
    ``reader`` returns (``index == reader``: the reader's own input, its first columns)."""

    index: int
    reader: int
    positions: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.positions or min(self.positions) < 0:
            raise PlanError("a shared read takes at least one column of its reader")

    @property
    def runs(self) -> bool:
        return self.index == self.reader


def share_reads(cut: CutPlan) -> CutPlan:
    """``cut`` with each group of equal leaves read once: the first of a group is widened to
    the columns of all, and ``cut.shared`` says where every member's input comes from."""
    receivers = {p.receiver for p in cut.passes}
    groups: list[list[Fragment]] = []
    for fragment in cut.fragments:
        if fragment.index in receivers or _canonical(fragment.plan) is None:
            continue
        group = next((g for g in groups if _same_read(g[0].plan, fragment.plan)), None)
        if group is None:
            groups.append([fragment])
        else:
            group.append(fragment)
    groups += _keyed_groups(cut)
    widened: dict[int, Fragment] = {}
    shared: list[SharedRead] = []
    for group in groups:
        if len(group) > 1:
            reader, reads = _widened(group)
            widened[reader.index] = reader
            shared += reads
    if not shared:
        return cut
    fragments = tuple(widened.get(f.index, f) for f in cut.fragments)
    followers = {s.index for s in shared if not s.runs}
    passes = tuple(p for p in cut.passes if p.receiver not in followers)
    return replace(cut, fragments=fragments, shared=tuple(shared), passes=passes)


def _keyed_groups(cut: CutPlan) -> list[list[Fragment]]:
    """Groups of receivers that get the same keys and read the same (see the module)."""
    leaves = {f.index: f for f in cut.fragments}
    incoming: dict[int, list[KeyPass]] = {}
    for p in cut.passes:
        incoming.setdefault(p.receiver, []).append(p)
    groups: list[list[tuple[Fragment, KeyPass]]] = []
    for receiver, passes in sorted(incoming.items()):
        fragment = leaves[receiver]
        if len(passes) != 1 or _canonical(fragment.plan) is None:
            continue
        member = (fragment, passes[0])
        group = next((g for g in groups if same_keyed(g[0], member, leaves)), None)
        if group is None:
            groups.append([member])
        else:
            group.append(member)
    return [[f for f, _ in g] for g in groups]


def same_keyed(a: tuple[Fragment, KeyPass], b: tuple[Fragment, KeyPass],
               leaves: dict[int, Fragment]) -> bool:
    """Whether two receivers, each with its one pass, would get the same keys and read the
    same (one keyed read serves both)."""
    (ra, pa_), (rb, pb) = a, b
    sa, sb = leaves[pa_.sender].plan, leaves[pb.sender].plan
    return (_same_read(ra.plan, rb.plan)
            and (pa_.sender == pb.sender or _same_read(sa, sb))
            and _place(ra.plan, pa_.receiver_key) == _place(rb.plan, pb.receiver_key)
            and _place(sa, pa_.sender_key) == _place(sb, pb.sender_key)
            and (pa_.max_keys, pa_.chunk) == (pb.max_keys, pb.chunk))


def _place(leaf: SourceLeaf, column: ColumnRef) -> tuple[int, str, str] | None:
    """Where ``column`` is in ``leaf`` with its relation named by position."""
    if not isinstance(leaf, Scan | GraphMatch) or column.rel not in _rels_of(leaf):
        return None
    return _rels_of(leaf).index(column.rel), column.name, str(column.type)


def _widened(group: list[Fragment]) -> tuple[Fragment, list[SharedRead]]:
    """The group's first fragment reading every member's columns, and each member's read."""
    first = group[0]
    assert isinstance(first.plan, Scan | GraphMatch)
    columns = list(first.plan.columns)
    reads = [SharedRead(first.index, first.index, tuple(range(len(columns))))]
    for member in group[1:]:
        assert isinstance(member.plan, Scan | GraphMatch)  # _canonical admits no other leaf
        renamed = _rels(member.plan, _rels_of(first.plan))
        assert renamed is not None
        keys = [c.key for c in columns]
        for col in renamed.columns:
            if col.key not in keys:
                columns.append(col)
                keys.append(col.key)
        reads.append(SharedRead(member.index, first.index,
                                tuple(keys.index(c.key) for c in renamed.columns)))
    return replace(first, plan=replace(first.plan, columns=tuple(columns))), reads


def _same_read(a: SourceLeaf, b: SourceLeaf) -> bool:
    ca, cb = _canonical(a), _canonical(b)
    return ca is not None and ca == cb and _value_types(ca) == _value_types(cb)


def _canonical(leaf: SourceLeaf) -> Scan | GraphMatch | None:
    """The leaf with its relations named by position and no columns (None: never shared)."""
    if not isinstance(leaf, Scan | GraphMatch) or leaf.limit is not None or leaf.order \
            or leaf.aggregate is not None or not leaf.columns \
            or (isinstance(leaf, Scan) and leaf.computed):
        return None
    if isinstance(leaf, GraphMatch) and leaf.optional:  # its parts' conditions name rels too
        return None
    renamed = _rels(leaf, tuple(f"_r{i}" for i in range(len(_rels_of(leaf)))))
    return None if renamed is None else replace(renamed, columns=())


def _rels_of(leaf: Scan | GraphMatch) -> tuple[str, ...]:
    if isinstance(leaf, Scan):
        return tuple(t.rel for t in leaf.tables)
    return tuple(n.rel for n in leaf.nodes) + tuple(e.rel for e in leaf.edges)


def _rels(leaf: Scan | GraphMatch, names: tuple[str, ...]) -> Scan | GraphMatch | None:
    """``leaf`` with its relations renamed to ``names`` (in ``_rels_of`` order); None when
    it reads a column of a relation it does not hold."""
    old = _rels_of(leaf)
    if len(set(old)) != len(old) or len(names) != len(old):
        return None
    mapping = dict(zip(old, names, strict=True))
    exprs = [*leaf.columns, *leaf.filters]
    if isinstance(leaf, Scan):
        exprs += [t.condition for t in leaf.tables if t.condition is not None]
    if any(isinstance(e, ColumnRef) and e.rel not in mapping for x in exprs for e in walk(x)):
        return None

    def rename(expr: BExpr) -> BExpr:
        return transform(expr, lambda e: ColumnRef(mapping[e.rel], e.name, e.type)
                         if isinstance(e, ColumnRef) else None)

    columns = tuple(ColumnRef(mapping[c.rel], c.name, c.type) for c in leaf.columns)
    filters = tuple(rename(f) for f in leaf.filters)
    if isinstance(leaf, Scan):
        tables = tuple(replace(t, rel=mapping[t.rel], condition=None if t.condition is None
                               else rename(t.condition)) for t in leaf.tables)
        return replace(leaf, tables=tables, columns=columns, filters=filters, available=())
    nodes = tuple(replace(n, rel=mapping[n.rel]) for n in leaf.nodes)
    edges = tuple(replace(e, rel=mapping[e.rel]) for e in leaf.edges)
    return replace(leaf, nodes=nodes, edges=edges, columns=columns, filters=filters,
                   available=())


def _value_types(leaf: Scan | GraphMatch) -> tuple[tuple[str, str], ...]:
    """The types of the values a leaf compares with (``Const`` equality ignores them:
    ``1 == 1.0 == True``, and those compile to different source texts)."""
    exprs = list(leaf.filters)
    if isinstance(leaf, Scan):
        exprs += [t.condition for t in leaf.tables if t.condition is not None]
    return tuple((type(e.value).__name__ if isinstance(e, Const) else "param", str(e.type))
                 for x in exprs for e in walk(x) if isinstance(e, Const | ParamRef))
