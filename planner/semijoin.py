"""Sideways key passing: a selective leg's join keys sent into a large leg as a filter.

For ``Join(inner, a.x = b.y)`` (in the query, or inside one of its subqueries between two of
the subquery's own fragments) where fragment A is small and filtered and fragment B is large,
A runs first and B is read with ``b.y IN (the distinct non-NULL values of a.x)`` added to its
own filters (TPC-H Q9: 10 664 part keys turn a 6 M-row lineitem read into 320 k rows). The
join itself still runs in DuckDB, so the filter only has to keep every row that can match:
a row of B whose key is not among A's keys fails ``a.x = b.y`` at that join, whatever lies
between (filters, renaming projections, inner joins, either side of a LEFT join), and
nothing else reads B's rows. Paths through aggregates, DISTINCT, LIMIT or other operators
are not used. Keys are passed for integer and string columns only, whose equality every
source evaluates exactly as DuckDB.

Which leg is small comes from ``planner.cardinality`` (catalog counts and fixed guesses);
the router of DESIGN §5 will choose by recorded cost instead. The executor caps the keys it
really got (``KeyPass.max_keys``) and skips a pass that would ship more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from planner.cardinality import estimate
from planner.catalog import Catalog, SourceInfo
from planner.expressions import ColumnRef, Func, OuterRef, SubqueryExpr, conjuncts
from planner.fragments import CutPlan, KeyPass
from planner.logical import Filter, FragmentInput, GraphMatch, Join, Output, Plan, Project, Scan
from planner.subquery_plans import node_exprs, subqueries
from planner.types import family

KEY_FAMILIES = frozenset({"int", "string"})
MAX_KEYS = 500_000  # keys shipped in one bound value at most
MIN_RECEIVER_ROWS = 20_000  # a leg estimated smaller is read whole
RATIO = 4  # the receiver must be estimated this many times larger than the sender


@dataclass(frozen=True)
class _Origin:
    index: int
    column: ColumnRef


def key_passes(cut: CutPlan, catalog: Catalog, min_rows: int = MIN_RECEIVER_ROWS,
               max_keys: int | None = None) -> tuple[KeyPass, ...]:
    """The passes the catalog's row estimates find worth making in ``cut``; a receiver
    never also sends (it runs second)."""
    leaves: dict[int, Plan] = {f.index: f.plan for f in cut.fragments}
    rows = {i: estimate(leaf, catalog) for i, leaf in leaves.items()}
    worth = [p for p in candidate_passes(cut, catalog, max_keys)
             if _worth(p, rows, min_rows)]
    return compatible(sorted(worth, key=lambda p: rows[p.sender] or 0))


def candidate_passes(cut: CutPlan, catalog: Catalog, max_keys: int | None = None
                     ) -> tuple[KeyPass, ...]:
    """Every pass that keeps the answer exact, in either direction of each join equality
    between two fragments (whether it pays is the router's question)."""
    max_keys = MAX_KEYS if max_keys is None else max_keys
    leaves: dict[int, Plan] = {f.index: f.plan for f in cut.fragments}
    sources = {f.index: f.source for f in cut.fragments}
    found: list[KeyPass] = []
    for one, other, both in _equalities(cut.stage):
        for sender, receiver in ((one, other), (other, one))[:2 if both else 1]:
            if _feasible(sender, receiver, leaves, catalog):
                caps = catalog[sources[receiver.index]].capabilities
                cap = min(max_keys, caps.max_passed_keys or max_keys)
                kp = KeyPass(sender.index, sender.column, receiver.index, receiver.column,
                             cap, caps.key_chunk)
                if kp not in found:
                    found.append(kp)
    return tuple(found)


def compatible(passes: Iterable[KeyPass]) -> tuple[KeyPass, ...]:
    """The passes, in order, that can run together: a receiver never also sends."""
    chosen: list[KeyPass] = []
    for cand in passes:
        if cand.sender not in {p.receiver for p in chosen} \
                and cand.receiver not in {p.sender for p in chosen}:
            chosen.append(cand)
    return tuple(chosen)


def _worth(kp: KeyPass, rows: dict[int, int | None], min_rows: int) -> bool:
    sent, received = rows[kp.sender], rows[kp.receiver]
    if sent is None or received is None or sent > kp.max_keys or received < min_rows:
        return False
    return received >= RATIO * sent or min_rows <= 0


def _feasible(sender: _Origin, receiver: _Origin, leaves: dict[int, Plan],
              catalog: Catalog) -> bool:
    if not _restricted(leaves[sender.index]):
        return False  # every key of a whole table: the filter would keep every row
    leaf = leaves[receiver.index]
    if not isinstance(leaf, Scan | GraphMatch):
        return False  # keys would change which rows a NEAREST ranks first
    if getattr(leaf, "limit", None) is not None or getattr(leaf, "aggregate", None) is not None:
        return False
    if isinstance(leaf, Scan) and receiver.column.key in leaf.computed_keys:
        return False  # a value the source computes per row: no column to filter by
    kind = family(receiver.column.type)
    info = catalog[leaf.source]
    caps = info.capabilities
    if caps.keys_need_index and not _indexed(leaf, receiver.column, info):
        return False
    return (kind in KEY_FAMILIES and kind == family(sender.column.type)
            and caps.receives_keys and kind in caps.value_families)


def _indexed(leaf: Scan | GraphMatch, column: ColumnRef, info: SourceInfo) -> bool:
    tables = [t.table for t in getattr(leaf, "tables", ()) if t.rel == column.rel]
    return bool(tables) and tables[0] in info.tables and \
        column.name in info.tables[tables[0]].indexed


def _restricted(leaf: Plan) -> bool:
    """Whether a leaf returns less than whole tables (filters, a join, a graph pattern)."""
    return bool(getattr(leaf, "filters", ()) or len(getattr(leaf, "tables", ())) > 1
                or getattr(leaf, "edges", ()))


def _equalities(plan: Plan, enclosing: Plan | None = None
                ) -> list[tuple[_Origin, _Origin, bool]]:
    """Column equalities of inner joins between two fragments, traced to those fragments,
    and whether keys may pass both ways; inside a subquery, also its correlated equalities
    ``outer(x) = y`` (``enclosing``: the node whose expression holds the subquery)."""
    found: list[tuple[_Origin, _Origin, bool]] = []
    condition = None  # a Filter drops the rows failing its conjuncts, as an inner join does
    if isinstance(plan, Join) and plan.kind in ("inner", "cross"):
        condition = plan.condition
    elif isinstance(plan, Filter):
        condition = plan.predicate
    for part in conjuncts(condition) if condition is not None else ():
        pair = _equality(part, plan, enclosing)
        if pair is not None:
            found.append(pair)
    for child in plan.children:
        found += _equalities(child, enclosing)
    # a join inside a subquery filters its own fragments as one outside does (Q11's HAVING
    # reads supplier ⋈ partsupp ⋈ nation again)
    for sub in (q for e in node_exprs(plan) for q in subqueries(e)):
        found += _equalities(sub.plan, plan)
    return found


def _equality(part: object, plan: Plan, enclosing: Plan | None
              ) -> tuple[_Origin, _Origin, bool] | None:
    """The two fragment columns ``part`` equates, if it is such an equality.

    ``outer(x) = y`` in a subquery keeps, each time the subquery runs, only the rows whose
    ``y`` is the ``x`` of the enclosing row; every such ``x`` is a value of the fragment
    column it is traced to, so rows of ``y``'s fragment outside that column's values are
    never kept by any run (TPC-H Q2's min(ps_supplycost) per part reads partsupp again:
    the parts' keys filter that read as they filter the outer one). Only that way: an
    enclosing row whose ``x`` no ``y`` matches still counts (NOT EXISTS keeps it)."""
    a, b = part.args if isinstance(part, Func) and part.name == "eq" else (None, None)
    if isinstance(part, SubqueryExpr):
        pair = _membership(part, plan)
        if pair is None:
            return None
        (one, other), both = pair, False
    elif isinstance(a, ColumnRef) and isinstance(b, ColumnRef):
        one, other = _origin(plan, a.key), _origin(plan, b.key)
        both = True
    elif enclosing is not None and isinstance(a, OuterRef | ColumnRef) \
            and isinstance(b, OuterRef | ColumnRef) \
            and isinstance(a, OuterRef) != isinstance(b, OuterRef):
        outer, inner = (a, b) if isinstance(a, OuterRef) else (b, a)
        assert isinstance(outer, OuterRef) and isinstance(inner, ColumnRef)
        one, other = _input_origin(enclosing, outer.ref.key), _origin(plan, inner.key)
        both = False
    else:
        return None
    if one is None or other is None or one.index == other.index:
        return None
    return one, other, both


def _membership(sub: SubqueryExpr, plan: Plan
                ) -> tuple[_Origin | None, _Origin | None] | None:
    """``x IN (SELECT y …)`` (``x = ANY``, not negated) keeps only the rows whose ``x`` is a
    value the subquery returns, and each is a value of the fragment column ``y`` is traced
    to: that column's keys may filter ``x``'s fragment (TPC-H Q20: the 'forest' parts' keys
    into partsupp), traced as (``y``'s origin, ``x``'s). Only that way: nothing outside
    filters the subquery's rows."""
    if sub.kind != "any" or sub.op != "eq" or sub.negated or sub.column is None \
            or not isinstance(sub.operand, ColumnRef):
        return None
    return _origin(sub.plan, sub.column.key), _origin(plan, sub.operand.key)


def _input_origin(node: Plan, key: str) -> _Origin | None:
    """The fragment column ``key`` of the rows ``node`` evaluates its expressions on."""
    if isinstance(node, Join):
        return _origin(node, key)
    return _origin(node.children[0], key) if len(node.children) == 1 else None


def _origin(plan: Plan, key: str) -> _Origin | None:
    """The fragment column ``key`` comes from, through nodes that only filter, rename or join."""
    if isinstance(plan, FragmentInput):
        col = next((c for c in plan.columns if c.key == key), None)
        return _Origin(plan.index, col) if col is not None else None
    if isinstance(plan, Filter | Output):  # an Output's columns are its child's
        return _origin(plan.child, key)
    if isinstance(plan, Project):
        expr = next((e for c, e in plan.items if c.key == key), None)
        return _origin(plan.child, expr.key) if isinstance(expr, ColumnRef) else None
    if isinstance(plan, Join):
        side = plan.left if key in plan.left.keys else plan.right
        return _origin(side, key)
    return None
